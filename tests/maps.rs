//! Maps through the real binary: the demo's maps, their georeferencing, pixel checks, a
//! golden checksum, `sisetu render`, and bad map settings.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let r = common::sisetu(dir, args);
    (r.code, r.stderr)
}

/// Decoded RGBA pixels.
struct Image {
    w: u32,
    h: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn open(path: &Path) -> Image {
        let dec = png::Decoder::new(std::fs::File::open(path).unwrap());
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        // Opaque maps are written as RGB: expand them to RGBA.
        let buf = match info.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
            other => panic!("unexpected PNG colour type {other:?}"),
        };
        Image { w: info.width, h: info.height, rgba: buf }
    }
    fn at(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.w + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2], self.rgba[i + 3]]
    }
}

/// The world file's pixel → world transform, inverted: world → pixel.
fn world_to_pixel(pgw: &Path, x: f64, y: f64) -> (f64, f64) {
    let v: Vec<f64> = std::fs::read_to_string(pgw).unwrap().lines().map(|l| l.trim().parse().unwrap()).collect();
    let (a, d, b, e, c, f) = (v[0], v[1], v[2], v[3], v[4], v[5]);
    assert!(d == 0.0 && b == 0.0, "north-up maps have no rotation terms");
    ((x - c) / a, (y - f) / e)
}

fn demo_build() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&root(), &["build", "geodata/urumqi/sisetu.toml", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(code, 0, "{err}");
    (tmp, out)
}

/// `gdalsrsinfo` (GDAL, when installed; CI installs it) finds EPSG:`epsg` for every PNG in
/// `out`: GDAL ignores a `.prj` beside a PNG and reads the CRS from its `.png.aux.xml`.
fn gdal_reports_the_crs_of_every_map(out: &Path, epsg: u32) {
    if Command::new("gdalsrsinfo").arg("--version").output().is_err() {
        assert!(std::env::var_os("SISETU_REQUIRE_PY").is_none(), "CI installs gdal-bin: gdalsrsinfo is missing");
        #[allow(clippy::print_stderr, reason = "a skipped check says so")]
        {
            eprintln!("skipped: gdalsrsinfo is not installed (apt-get install gdal-bin)");
        }
        return;
    }
    let mut maps = 0;
    for e in std::fs::read_dir(out).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "png") {
            let o = Command::new("gdalsrsinfo").args(["-o", "epsg"]).arg(&path).output().unwrap();
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(text.contains(&format!("EPSG:{epsg}")), "{}: gdalsrsinfo says {text}", path.display());
            maps += 1;
        }
    }
    assert!(maps >= 11, "{maps} maps");
}

#[test]
fn demo_maps_are_georeferenced_and_coloured_by_level() {
    let (_tmp, out) = demo_build();
    for f in ["map_districts", "map_cells", "map_sites"] {
        for ext in ["png", "pgw", "prj", "png.aux.xml"] {
            assert!(out.join(format!("{f}.{ext}")).is_file(), "{f}.{ext} missing");
        }
    }
    gdal_reports_the_crs_of_every_map(&out, 4538);
    let per_district: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("district_") && n.ends_with(".png"))
        .collect();
    assert_eq!(per_district.len(), 8, "{per_district:?}");
    assert!(std::fs::read_to_string(out.join("map_districts.prj")).unwrap().contains("Gauss_Kruger"));

    // A pixel in the east of 达坂城区 (650107), right of its label: the world file takes it
    // back to a point that lies inside the district's polygon (checked with geo), and the
    // pixel has the district's level colour blended with white by the fill opacity.
    let districts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("districts.geojson")).unwrap()).unwrap();
    let dabancheng =
        districts["features"].as_array().unwrap().iter().find(|f| f["properties"]["id"] == "650107").unwrap();
    assert_eq!(dabancheng["properties"]["level"], "red");
    let img = Image::open(&out.join("map_districts_highest.png"));
    let (px, py) = (img.w as f64 * 0.65, img.h as f64 * 0.65);
    let v: Vec<f64> = std::fs::read_to_string(out.join("map_districts_highest.pgw"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let (x, y) = (v[4] + px * v[0], v[5] + py * v[3]);
    let back = world_to_pixel(&out.join("map_districts_highest.pgw"), x, y);
    assert!((back.0 - px).abs() < 1e-6 && (back.1 - py).abs() < 1e-6);
    let t = sisetu_io::crs::Transformer::new(sisetu_io::crs::Crs::from_epsg(4538), sisetu_io::crs::Crs::Wgs84).unwrap();
    let (lon, lat) = t.transform(x, y).unwrap();
    let poly: geo::Geometry<f64> = geo::Geometry::try_from(
        serde_json::from_value::<geojson::Geometry>(dabancheng["geometry"].clone()).unwrap().value,
    )
    .unwrap();
    use geo::Contains;
    assert!(poly.contains(&geo::Point::new(lon, lat)), "pixel ({px}, {py}) -> ({lon}, {lat}) is not in 达坂城区");
    let c = img.at(px as u32, py as u32);
    let style = sisetu_render::Style::default();
    let red = style.colors[0];
    let a = style.fill_opacity;
    let blend = |v: u8| (v as f32 * a + 255.0 * (1.0 - a)).round() as i32;
    for (got, want) in c.iter().zip([blend(red.0), blend(red.1), blend(red.2)]) {
        assert!((*got as i32 - want).abs() <= 4, "pixel {c:?} at ({px:.0}, {py:.0}) is not the red fill {red:?}");
    }
}

#[test]
fn demo_district_map_matches_its_golden_checksum() {
    // Regenerate deliberately when the style changes: UPDATE_GOLDEN=1 cargo test --test maps
    let (_tmp, out) = demo_build();
    // The 就高 district map (`classes = "highest"`), 天山区 labelled outside with a leader.
    let digest = format!("{:x}", Sha256::digest(std::fs::read(out.join("map_districts_highest.png")).unwrap()));
    let golden = root().join("tests/golden/map_districts.png.sha256");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, format!("{digest}\n")).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        want.trim(),
        digest,
        "the demo's district map changed; if that is intended, run UPDATE_GOLDEN=1 cargo test --test maps"
    );
}

/// Which of the YlOrRd class colours (blended with white as area fills are) the image shows.
fn class_colours_in(img: &Image) -> Vec<usize> {
    let a = sisetu_render::Style::default().fill_opacity;
    let ramp = [[0xFF, 0xFF, 0xB2], [0xFE, 0xCC, 0x5C], [0xFD, 0x8D, 0x3C], [0xF0, 0x3B, 0x20], [0xBD, 0x00, 0x26]];
    let blend = |v: u8| (v as f32 * a + 255.0 * (1.0 - a)).round() as i32;
    let mut found = Vec::new();
    for (k, c) in ramp.iter().enumerate() {
        let want = [blend(c[0]), blend(c[1]), blend(c[2])];
        let hits = img.rgba.chunks_exact(4).filter(|p| (0..3).all(|i| (p[i] as i32 - want[i]).abs() <= 2)).count();
        // More than a legend swatch: the colour fills part of the map.
        if hits > 20_000 {
            found.push(k);
        }
    }
    found
}

#[test]
fn the_default_district_map_shows_classes_and_the_highest_map_levels() {
    let (_tmp, out) = demo_build();
    // 就高 makes every demo district red; the default (share of 重大/较大 sites) tells them apart.
    let classes = class_colours_in(&Image::open(&out.join("map_districts.png")));
    assert!(classes.len() >= 2, "the default district map shows {classes:?}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.lines().skip(1).take(8).all(|l| l.split(',').nth(2) == Some("red")), "{summary}");
    assert!(class_colours_in(&Image::open(&out.join("map_districts_highest.png"))).len() <= 1);
}

#[test]
fn render_redraws_from_the_outputs_and_builds_are_byte_stable() {
    let (_tmp, out) = demo_build();
    let first = std::fs::read(out.join("map_cells.png")).unwrap();
    // Same inputs, same bytes, with one thread too.
    let (code, err) =
        run(&root(), &["build", "geodata/urumqi/sisetu.toml", "--out", out.to_str().unwrap(), "-q", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first, std::fs::read(out.join("map_cells.png")).unwrap(), "map bytes differ between runs");
    std::fs::remove_file(out.join("map_sites.png")).unwrap();
    let (code, err) = run(&root(), &["render", "geodata/urumqi/sisetu.toml", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let img = Image::open(&out.join("map_sites.png"));
    assert!(img.w > 1000 && img.h > 700);
    // Rendering without outputs is a clear error.
    let empty = tempfile::tempdir().unwrap();
    let (code, err) = run(&root(), &["render", "geodata/urumqi/sisetu.toml", "--out", empty.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("sisetu build"), "{err}");
}

#[test]
fn render_refuses_a_site_it_cannot_read_instead_of_leaving_it_out() {
    let (_tmp, out) = demo_build();
    let sites = std::fs::read_to_string(out.join("sites.geojson")).unwrap();
    let n = sites.matches("\"level\":\"blue\"").count();
    assert!(n > 100, "the demo has blue sites");
    std::fs::write(out.join("sites.geojson"), sites.replacen("\"level\":\"blue\"", "\"level\":\"purple\"", 1)).unwrap();
    let before = std::fs::read(out.join("map_sites.png")).unwrap();
    let (code, err) = run(&root(), &["render", "geodata/urumqi/sisetu.toml", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sites.geojson: feature") && err.contains("'purple' is not a risk level"), "{err}");
    assert_eq!(before, std::fs::read(out.join("map_sites.png")).unwrap(), "a failed render changed a map");
}

fn small_project(dir: &Path, maps: &str) {
    std::fs::write(
        dir.join("districts.geojson"),
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"W","name":"西区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}},
{"type":"Feature","properties":{"id":"E","name":"东区"},"geometry":{"type":"Polygon","coordinates":[[[87.6,43.7],[87.7,43.7],[87.7,43.9],[87.6,43.9],[87.6,43.7]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("sites.csv"), "id,lon,lat,grade\n").unwrap();
    std::fs::write(
        dir.join("sisetu.toml"),
        format!(
            "[project]\ntitle = \"小图\"\n[districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4490\"\n\
             [[sites]]\npath = \"sites.csv\"\ncrs = \"EPSG:4490\"\n{maps}"
        ),
    )
    .unwrap();
}

#[test]
fn bad_map_settings_are_clear_errors_and_zero_sites_is_a_map() {
    let cases = [
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"rivers\"]\n", "unknown layer \"rivers\""),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\", \"cells\"]\n", "only one filled layer"),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"grids\"]\n", "needs a [management_grid]"),
        ("[style]\nfont = \"missing.ttf\"\n[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\n", "missing.ttf"),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\npage = \"200x150\"\n", "page"),
        ("[[maps]]\nfile = \"a.jpg\"\nlayers = [\"districts\"]\n", ".png"),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\nclasses = \"max\"\n", "use \"share\""),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"cells\"]\nclasses = \"share\"\n", "classes is for maps that fill"),
        ("[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\nbreaks = [20, 10]\n", "ascending"),
        (
            "[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\nclasses = \"highest\"\nbreaks = [10]\n",
            "breaks is for",
        ),
    ];
    for (maps, needle) in cases {
        let tmp = tempfile::tempdir().unwrap();
        small_project(tmp.path(), maps);
        let (code, err) = run(tmp.path(), &["build", "sisetu.toml", "-q"]);
        assert_eq!(code, 2, "{maps}: {err}");
        assert!(err.contains(needle), "{maps}: expected '{needle}' in: {err}");
        assert!(!tmp.path().join("out/report.json").exists(), "a failed run wrote outputs");
    }
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path(), "[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\", \"sites\"]\ndpi = 100\n");
    let (code, err) = run(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(code, 0, "{err}");
    let img = Image::open(&tmp.path().join("out/a.png"));
    assert_eq!((img.w, img.h), (1169, 827), "A4 landscape at 100 dpi");
}

/// A project with only paths and CRSs: the demo's real districts (`adcode`, `name`) and
/// grids (`网格编码`, `网格名称`) without id/name keys, its census, `extra` appended.
fn minimal_project(dir: &Path, extra: &str) {
    for f in ["districts.geojson", "grids.geojson", "census.csv"] {
        std::fs::copy(root().join("geodata/urumqi").join(f), dir.join(f)).unwrap();
    }
    let toml = format!(
        "{extra}[project]\ntitle = \"最小项目\"\n[districts]\npath = \"districts.geojson\"\ncrs = \"GCJ02\"\n\
         [management_grid]\npath = \"grids.geojson\"\ncrs = \"GCJ02\"\n\
         [[sites]]\npath = \"census.csv\"\ncrs = \"GCJ02\"\n[grades]\nA = \"red\"\nB = \"orange\"\nC = \"yellow\"\nD = \"blue\"\n"
    );
    std::fs::write(dir.join("sisetu.toml"), toml).unwrap();
}

fn pngs(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_project_without_maps_draws_the_standard_maps_and_maps_empty_draws_none() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path(), "");
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("out");
    let standard =
        ["map_cells.png", "map_districts.png", "map_districts_highest.png", "map_grids.png", "map_sites.png"];
    assert_eq!(pngs(&out), standard);
    let report = common::read_json(&out.join("report.json"));
    let listed: Vec<&str> = report["outputs"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    for png in standard {
        let stem = png.trim_end_matches(".png");
        for f in [png.to_string(), format!("{stem}.pgw"), format!("{stem}.prj"), format!("{png}.aux.xml")] {
            assert!(out.join(&f).is_file() && listed.contains(&f.as_str()), "{f} missing or not in report.json");
        }
        let img = Image::open(&out.join(png));
        assert_eq!((img.w, img.h), (3508, 2480), "{png}: A4 landscape at 300 dpi");
    }
    // The real district ids were found without an id key: adcode, not the feature order.
    let summary = common::read_text(&out.join("summary.csv"));
    assert!(summary.contains("650102") && summary.contains("天山区"), "{}", common::excerpt(&summary));

    // maps = [] draws none, and the build takes the previous maps away.
    minimal_project(tmp.path(), "maps = []\n");
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pngs(&out), Vec::<String>::new());
}

#[test]
fn a_streamed_census_leaves_out_only_the_standard_map_of_sites() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path(), "");
    // The grid checks and the register need every site: without them the census can be streamed.
    let toml = common::read_text(&tmp.path().join("sisetu.toml"));
    let toml = toml.replace("[management_grid]\npath = \"grids.geojson\"\ncrs = \"GCJ02\"\n", "")
        + "[register]\nenabled = false\n";
    std::fs::write(tmp.path().join("sisetu.toml"), toml).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "--stream", "always"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("map_sites.png (the standard map of sites) is not drawn"), "{}", r.stderr);
    let out = tmp.path().join("out");
    assert_eq!(pngs(&out), ["map_cells.png", "map_districts.png", "map_districts_highest.png"]);
    // A map of sites the project names still keeps the census in memory, as before.
    let named = "[[maps]]\nfile = \"map_sites.png\"\nlayers = [\"sites\"]\n";
    let toml = common::read_text(&tmp.path().join("sisetu.toml")) + named;
    std::fs::write(tmp.path().join("sisetu.toml"), toml).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "--stream", "always", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the map map_sites.png draws every site"), "{}", r.stderr);
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pngs(&out), ["map_sites.png"]);
}

#[test]
fn districts_coloured_per_10000_residents_from_their_population_column() {
    // The demo's districts with their 2020 census residents (人口数_合计) as a column.
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path(), "");
    let census = common::read_text(&root().join("geodata/urumqi/population_2020.csv"));
    let residents: std::collections::BTreeMap<String, String> = census
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[4].to_string())
        })
        .collect();
    let mut districts = common::read_json(&tmp.path().join("districts.geojson"));
    for f in districts["features"].as_array_mut().unwrap() {
        let code = f["properties"]["adcode"].to_string().trim_matches('"').to_string();
        f["properties"]["常住人口"] = serde_json::Value::String(residents[&code].clone());
    }
    std::fs::write(tmp.path().join("districts.geojson"), districts.to_string()).unwrap();
    let toml = common::read_text(&tmp.path().join("sisetu.toml"))
        .replace("crs = \"GCJ02\"\n[management_grid]", "crs = \"GCJ02\"\npopulation = \"常住人口\"\n[management_grid]")
        + "[[maps]]\nfile = \"per_10k.png\"\nlayers = [\"districts\"]\nclasses = \"per_10k\"\n";
    std::fs::write(tmp.path().join("sisetu.toml"), &toml).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = tmp.path().join("out");
    let classes = class_colours_in(&Image::open(&out.join("per_10k.png")));
    assert!(classes.len() >= 2, "the per-resident map shows {classes:?}");
    // districts.geojson carries the residents as numbers; render draws the same classes.
    let written = common::read_json(&out.join("districts.geojson"));
    let tianshan = written["features"].as_array().unwrap().iter().find(|f| f["properties"]["id"] == "650102").unwrap();
    assert_eq!(tianshan["properties"]["population"], 652792.0);
    let before = std::fs::read(out.join("per_10k.png")).unwrap();
    let r = common::sisetu(tmp.path(), &["render", "sisetu.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(class_colours_in(&Image::open(&out.join("per_10k.png"))), classes);
    assert!(!before.is_empty());

    // Without the column, or on a grid map, or with a figure that is not a number: errors.
    let no_column = toml.replace("population = \"常住人口\"\n", "");
    std::fs::write(tmp.path().join("sisetu.toml"), no_column).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("population = \"…\" in [districts]"), "{}", r.stderr);
    let grids = toml
        .replace("file = \"per_10k.png\"\nlayers = [\"districts\"]", "file = \"per_10k.png\"\nlayers = [\"grids\"]");
    std::fs::write(tmp.path().join("sisetu.toml"), grids).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is for maps that fill \"districts\""), "{}", r.stderr);
    std::fs::write(tmp.path().join("sisetu.toml"), &toml).unwrap();
    let text = common::read_text(&tmp.path().join("districts.geojson")).replace("\"652792\"", "\"65万\"");
    std::fs::write(tmp.path().join("districts.geojson"), text).unwrap();
    let r = common::sisetu(tmp.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("district 650102 (天山区): population '65万' is not a number of residents"),
        "{}",
        r.stderr
    );
}
