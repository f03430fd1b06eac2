use super::*;
use geo::{LineString, Polygon};
use sisetu_io::write::Staging;
use std::path::Path;

const TOML: &str = r#"
[project]
title = "测试市安全风险四色分布图"
census_date = "2024-06"
source = "单元测试 <合成>"
working_crs = "EPSG:4538"

[districts]
path = "districts.geojson"
crs = "EPSG:4538"

[[sites]]
path = "census.csv"
crs = "EPSG:4538"
"#;

fn config() -> Config {
    Config::parse(TOML, Path::new("/tmp/register-test/sisetu.toml")).unwrap().with_lang(sisetu_i18n::Lang::En)
}

fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

const X0: f64 = 500_000.0;
const Y0: f64 = 4_850_000.0;

fn site(id: &str, name: &str, level: RiskLevel, x: f64, y: f64, line: u64) -> RegisterSite {
    RegisterSite {
        id: id.to_string(),
        name: name.to_string(),
        category: "危险化学品".to_string(),
        grade: level.zh().to_string(),
        level,
        district_id: Some("650102".to_string()),
        district_name: Some("天山区".to_string()),
        grid_id: None,
        x,
        y,
        lon: 87.0 + (x - X0) / 80_000.0,
        lat: 43.8 + (y - Y0) / 111_000.0,
        source: "census.csv".to_string(),
        line,
    }
}

struct Fixture {
    sites: Vec<RegisterSite>,
    units: Vec<RegisterUnit>,
    outside: Vec<u32>,
    districts: Vec<Area>,
}

/// Three 1 km grids side by side (given out of id order), eight sites, one outside every
/// grid, and a grid without a responsible person.
fn fixture() -> Fixture {
    use RiskLevel::*;
    let sites = vec![
        site("91650100A", "乙化工<有限>公司", Yellow, X0 + 200.0, Y0 + 300.0, 2), // 0 → G01
        site("91650100B", "甲加油站 & \"北站\"", Red, X0 + 700.0, Y0 + 600.0, 3), // 1 → G01
        site("91650100C", "丙仓储", Yellow, X0 + 500.0, Y0 + 800.0, 4),           // 2 → G01
        site("91650100D", "丁燃气'站'", Blue, X0 + 1500.0, Y0 + 500.0, 5),        // 3 → G02
        site("91650100E", "戊烟花", Orange, X0 + 2300.0, Y0 + 200.0, 6),          // 4 → G03
        site("91650100F", "己矿山", Red, X0 + 2700.0, Y0 + 700.0, 7),             // 5 → G03
        site("91650100G", "庚商场", Blue, X0 + 5000.0, Y0 + 500.0, 8),            // 6 → outside
        site("91650100H", "丙仓储", Yellow, X0 + 400.0, Y0 + 100.0, 9),           // 7 → G01, same name as 2
    ];
    let unit = |id: &str, name: &str, person: Option<&str>, x: f64, list: Vec<u32>, level| RegisterUnit {
        id: id.to_string(),
        name: name.to_string(),
        person: person.map(str::to_string),
        district: "天山区".to_string(),
        geometry: square(x, Y0, 1000.0),
        level,
        counts: [0; 4],
        sites: list,
    };
    let units = vec![
        unit("G03", "幸福路<网格>", None, X0 + 2000.0, vec![5, 4], Some(Red)),
        unit("G01", "红山网格", Some("张三"), X0, vec![7, 2, 1, 0], Some(Red)),
        unit("G02", "碱泉网格", Some("  "), X0 + 1000.0, vec![3], Some(Blue)),
    ];
    let districts = vec![Area {
        id: "650102".to_string(),
        name: "天山区".to_string(),
        geometry: square(X0 - 1000.0, Y0 - 1000.0, 7000.0),
        level: Some(Red),
        counts: [2, 1, 3, 2].into(),
        color: None,
    }];
    Fixture { sites, units, outside: vec![6], districts }
}

impl Fixture {
    fn input(&self, html: bool) -> RegisterInput<'_> {
        RegisterInput {
            kind: UnitKind::Grid,
            units: &self.units,
            outside: self.outside.clone(),
            sites: &self.sites,
            districts: &self.districts,
            html,
        }
    }
}

/// Runs the register in a fresh staging folder; returns (files, csv bytes, html bytes).
fn run(f: &Fixture, html: bool) -> (Vec<String>, Vec<u8>, Option<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Staging::new(dir.path()).unwrap();
    let work: Crs = "EPSG:4538".parse().unwrap();
    let files = write_register(&config(), &f.input(html), work, &mut stage).unwrap();
    let csv = std::fs::read(stage.path("register.csv")).unwrap();
    let html = std::fs::read(stage.path("register.html")).ok();
    (files, csv, html)
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new().from_reader(body);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

#[test]
fn csv_lists_every_site_once_in_register_order() {
    let f = fixture();
    let (files, csv, html) = run(&f, false);
    assert_eq!(files, vec!["register.csv".to_string(), "register.xlsx".to_string()]);
    assert!(html.is_none(), "html = false writes no register.html");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let (header, rows) = csv_rows(&csv);
    assert_eq!(header, CSV_HEADER.to_vec());
    assert_eq!(rows.len(), f.sites.len());
    let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();
    // Every site exactly once (ids are unique in the fixture).
    let mut ids: Vec<&str> = rows.iter().map(|r| r[col("id")].as_str()).collect();
    ids.sort_unstable();
    let mut want: Vec<&str> = f.sites.iter().map(|s| s.id.as_str()).collect();
    want.sort_unstable();
    assert_eq!(ids, want);
    // Sections in unit-id order, the outside section last; numbering per section.
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r[col("unit_id")].as_str(),
                r[col("no")].as_str(),
                r[col("id")].as_str(),
                r[col("level")].as_str(),
                r[col("person")].as_str(),
            )
        })
        .collect();
    // 丙 (U+4E19, bytes E4 B8 99) sorts before 乙 (U+4E59, E4 B9 99); equal names by id.
    let want: Vec<(&str, &str, &str, &str, &str)> = vec![
        ("G01", "1", "91650100B", "red", "张三"),
        ("G01", "2", "91650100C", "yellow", "张三"),
        ("G01", "3", "91650100H", "yellow", "张三"),
        ("G01", "4", "91650100A", "yellow", "张三"),
        ("G02", "1", "91650100D", "blue", ""),
        ("G03", "1", "91650100F", "red", ""),
        ("G03", "2", "91650100E", "orange", ""),
        ("", "1", "91650100G", "blue", ""),
    ];
    assert_eq!(got, want);
    let first = &rows[0];
    assert_eq!(first[col("unit_name")], "红山网格");
    assert_eq!(first[col("name")], "甲加油站 & \"北站\"");
    assert_eq!(first[col("level_zh")], "重大风险");
    assert_eq!(first[col("district_id")], "650102");
    assert_eq!(first[col("district_name")], "天山区");
    assert_eq!(first[col("lon")], "87.0087500");
    assert_eq!(first[col("lat")], "43.8054054");
    assert_eq!(first[col("source")], "census.csv");
    assert_eq!(first[col("line")], "3");
    assert_eq!(rows[7][col("unit_name")], "未划入网格");
}

#[test]
fn html_has_a_section_per_unit_escaped_text_and_warnings() {
    let f = fixture();
    let (files, _, html) = run(&f, true);
    assert_eq!(files, ["register.csv", "register.xlsx", "register.html"].map(String::from).to_vec());
    let html = String::from_utf8(html.expect("register.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<section").count(), f.units.len() + 1, "one section per unit + outside");
    assert!(html.contains("<section id=\"outside\">") && html.contains("<h2>未划入网格</h2>"));
    // Sections in unit-id order.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("<h2>红山网格（G01）</h2>") < at("<h2>碱泉网格（G02）</h2>"));
    assert!(at("<h2>碱泉网格（G02）</h2>") < at("<h2>幸福路&lt;网格&gt;（G03）</h2>"));
    assert!(at("<h2>幸福路&lt;网格&gt;（G03）</h2>") < at("<section id=\"outside\">"));
    // Escaping.
    assert!(html.contains("乙化工&lt;有限&gt;公司"));
    assert!(html.contains("甲加油站 &amp; &quot;北站&quot;"));
    assert!(html.contains("丁燃气&#39;站&#39;"));
    assert!(html.contains("单元测试 &lt;合成&gt;"));
    assert!(!html.contains("<有限>") && !html.contains("<网格>") && !html.contains("'站'"));
    // The person-less units (G03: none; G02: blank) get the warning, G01 does not.
    let section = |from: &str| {
        let start = at(from);
        let end = html[start..].find("</section>").unwrap() + start;
        &html[start..end]
    };
    let g01 = section("<h2>红山网格（G01）</h2>");
    let g02 = section("<h2>碱泉网格（G02）</h2>");
    let g03 = section("<h2>幸福路&lt;网格&gt;（G03）</h2>");
    assert!(g01.contains("张三") && !g01.contains("未明确网格负责人"));
    assert!(g02.contains("未明确网格负责人"));
    assert!(g03.contains("<td class=\"warn\">未明确网格负责人（本网格有重大、较大风险点位 2 家"), "{g03}");
    assert_eq!(html.matches("未明确网格负责人").count(), 2);
    // Every site is listed, each section with its own map.
    for s in &f.sites {
        assert!(html.contains(&format!("<td class=\"code\">{}</td>", s.id)), "{}", s.id);
    }
    assert_eq!(html.matches("<img src=\"data:image/png;base64,").count(), f.units.len() + 1);
    // Self-contained and printable.
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<link") && !html.contains("<script") && !html.contains("url("));
    for css in ["@page { size: A4; margin: 15mm; }", "break-before: page", "thead { display: table-header-group; }"] {
        assert!(html.contains(css), "{css}");
    }
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains(&format!("sisetu {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("2024-06"));
}

#[test]
fn maps_decode_and_show_the_unit() {
    let f = fixture();
    let (_, _, html) = run(&f, true);
    let html = String::from_utf8(html.unwrap()).unwrap();
    let prefix = "data:image/png;base64,";
    let start = html.find(prefix).unwrap() + prefix.len();
    let end = start + html[start..].find('"').unwrap();
    let png = base64::engine::general_purpose::STANDARD.decode(&html[start..end]).unwrap();
    let decoder = png::Decoder::new(png.as_slice());
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    let px = |mm: f32| (mm as f64 / 25.4 * MAP_DPI as f64).round() as u32;
    assert_eq!((info.width, info.height), (px(MAP_WIDTH_MM), px(MAP_HEIGHT_MM)));
    if let Ok(dir) = std::env::var("SISETU_REGISTER_PNG") {
        std::fs::write(Path::new(&dir).join("register_test_g01.png"), &png).unwrap();
    }
}

#[test]
fn identical_bytes_on_one_and_four_threads() {
    let f = fixture();
    let on = |n: usize| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(|| run(&f, true));
    let (_, csv1, html1) = on(1);
    let (_, csv4, html4) = on(4);
    assert_eq!(csv1, csv4);
    assert!(html1 == html4, "register.html differs between 1 and 4 threads");
}

#[test]
fn unit_order_of_input_lists_does_not_matter() {
    let f = fixture();
    let mut g = fixture();
    g.units.reverse();
    for u in &mut g.units {
        u.sites.reverse();
    }
    assert_eq!(run(&f, true).1, run(&g, true).1);
    assert!(run(&f, true).2 == run(&g, true).2);
}

#[test]
fn a_site_listed_twice_or_never_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Staging::new(dir.path()).unwrap();
    let work: Crs = "EPSG:4538".parse().unwrap();
    let mut f = fixture();
    f.units[2].sites.push(4); // 戊烟花 is also in G03
    let e = format!("{:#}", write_register(&config(), &f.input(false), work, &mut stage).unwrap_err());
    assert!(e.contains("戊烟花") && e.contains("G02") && e.contains("G03") && e.contains("census.csv:6"), "{e}");
    let mut f = fixture();
    f.outside.clear(); // 庚商场 is nowhere
    let e = format!("{:#}", write_register(&config(), &f.input(false), work, &mut stage).unwrap_err());
    assert!(e.contains("庚商场") && e.contains("census.csv:8") && e.contains("no unit"), "{e}");
    let mut f = fixture();
    f.outside.push(99);
    let e = format!("{:#}", write_register(&config(), &f.input(false), work, &mut stage).unwrap_err());
    assert!(e.contains("99") && e.contains("outside"), "{e}");
}

#[test]
fn no_outside_section_without_outside_sites_and_districts_as_units() {
    let mut f = fixture();
    f.sites.pop(); // drop site 7 (G01's last)
    f.units[1].sites.retain(|&i| i != 7);
    f.units[1].sites.push(6);
    f.outside.clear();
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Staging::new(dir.path()).unwrap();
    let work: Crs = "EPSG:4538".parse().unwrap();
    let input = RegisterInput { kind: UnitKind::District, ..f.input(true) };
    write_register(&config(), &input, work, &mut stage).unwrap();
    let html = std::fs::read_to_string(stage.path("register.html")).unwrap();
    assert_eq!(html.matches("<section").count(), 3);
    assert!(!html.contains("未归属区县") && !html.contains("未划入网格"));
    assert!(html.contains("未明确区县负责人"));
    let (_, rows) = csv_rows(&std::fs::read(stage.path("register.csv")).unwrap());
    assert_eq!(rows.len(), 7);
}

#[test]
fn escaping_and_grouping() {
    assert_eq!(Esc("a<b>&\"c'd").to_string(), "a&lt;b&gt;&amp;&quot;c&#39;d");
    assert_eq!(Esc("天山区").to_string(), "天山区");
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1234567), "1,234,567");
    let r = pad_extent(Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10.0, y: 10.0 }));
    assert!((r.width() - MIN_EXTENT_M).abs() < 1e-9 && (r.height() - MIN_EXTENT_M).abs() < 1e-9);
    let r = unit_extent(Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10.0, y: 10.0 }), 2.0);
    assert!((r.width() - 2.0 * MIN_EXTENT_M).abs() < 1e-9 && (r.height() - MIN_EXTENT_M).abs() < 1e-9);
    let r = unit_extent(Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 4500.0, y: 1500.0 }), 2.0);
    assert_eq!((r.min().x, r.max().x, r.min().y, r.max().y), (-2750.0, 7250.0, -1750.0, 3250.0));
    let f = |v: f64| String::from_utf8(Field::fixed7(v).as_ref().to_vec()).unwrap();
    assert_eq!(f(87.0), "87.0000000");
    assert_eq!(f(87.123456789), "87.1234568");
    assert_eq!(f(-0.00000004), "0.0000000");
    assert_eq!(f(-0.00000006), "-0.0000001");
    assert_eq!(f(-12.5), "-12.5000000");
    assert_eq!(f(0.0000001), "0.0000001");
    assert_eq!(f(f64::NAN), "");
    let i = |v: u64| String::from_utf8(Field::int(v).as_ref().to_vec()).unwrap();
    assert_eq!(
        (i(0), i(7), i(1234567890), i(u64::MAX)),
        ("0".into(), "7".into(), "1234567890".into(), u64::MAX.to_string())
    );
    for v in [43.8054054054, 87.00875, 1.23456785, 179.99999999] {
        assert_eq!(f(v), format!("{:.7}", (v * 1e7).round() / 1e7), "{v}");
    }
    assert_eq!(text_on((0xE6, 0x00, 0x12)), "#fff");
    assert_eq!(text_on((0xFF, 0xF1, 0x00)), "#000");
}

/// The demo scale: the real 乌鲁木齐 districts, the 3,000-row synthetic census and 10 × 10
/// square grids over the middle 96 % of the sites. Prints the time and sizes; writes the
/// register to `SISETU_REGISTER_OUT` when set.
/// `cargo test --release --lib register::tests::demo_scale -- --ignored --nocapture`
#[test]
#[ignore]
fn demo_scale() {
    use sisetu_io::crs::Transformer;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../geodata/urumqi");
    let cfg = Config::load(&root.join("sisetu.toml")).unwrap().with_lang(sisetu_i18n::Lang::En);
    let work = Crs::gauss_kruger_for_lon(87.6).unwrap();
    let layer = crate::layers::load_zone_layer(&cfg.districts.0, cfg.districts.1, work).unwrap();
    let to_work = Transformer::new(Crs::Gcj02, work).unwrap();
    let to_wgs = Transformer::new(Crs::Gcj02, Crs::Wgs84).unwrap();
    let mut sites = Vec::new();
    for (k, r) in sisetu_demo::synth::urumqi_census(sisetu_demo::synth::DEMO_SEED, sisetu_demo::synth::DEMO_ROWS)
        .iter()
        .enumerate()
    {
        let level = match r.grade.as_str() {
            "A" => RiskLevel::Red,
            "B" => RiskLevel::Orange,
            "C" => RiskLevel::Yellow,
            "D" => RiskLevel::Blue,
            _ => continue,
        };
        let (Ok(lon), Ok(lat)) = (r.lon.parse::<f64>(), r.lat.parse::<f64>()) else { continue };
        if !((73.0..136.0).contains(&lon) && (3.0..54.0).contains(&lat)) {
            continue; // the census's swapped and out-of-range rows, which the build rejects
        }
        let (Ok((x, y)), Ok((wlon, wlat))) = (to_work.transform(lon, lat), to_wgs.transform(lon, lat)) else {
            continue;
        };
        let d = layer.locate_work(x, y).map(|i| &layer.work[i.get()]);
        sites.push(RegisterSite {
            id: r.id.clone(),
            name: r.name.clone(),
            category: r.category.clone(),
            grade: r.grade.clone(),
            level,
            district_id: d.map(|z| z.id.clone()),
            district_name: d.map(|z| z.name.clone()),
            grid_id: None,
            x,
            y,
            lon: wlon,
            lat: wlat,
            source: "census.csv".into(),
            line: k as u64 + 2,
        });
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p) as usize]
    };
    let mut xs: Vec<f64> = sites.iter().map(|s| s.x).collect();
    let mut ys: Vec<f64> = sites.iter().map(|s| s.y).collect();
    let (x0, x1, y0, y1) = (pct(&mut xs, 0.02), pct(&mut xs, 0.98), pct(&mut ys, 0.02), pct(&mut ys, 0.98));
    let n = 10;
    let size = ((x1 - x0).max(y1 - y0) / n as f64).ceil();
    let mut units: Vec<RegisterUnit> = Vec::new();
    for row in 0..n {
        for col in 0..n {
            let k = units.len();
            units.push(RegisterUnit {
                id: format!("G{:03}", k + 1),
                name: format!("第{}网格", k + 1),
                person: if k % 7 == 3 { None } else { Some(format!("负责人{}", k + 1)) },
                district: String::new(),
                geometry: square(x0 + col as f64 * size, y0 + row as f64 * size, size),
                level: None,
                counts: [0; 4],
                sites: Vec::new(),
            });
        }
    }
    let mut outside = Vec::new();
    for (i, s) in sites.iter().enumerate() {
        let (c, r) = (((s.x - x0) / size).floor(), ((s.y - y0) / size).floor());
        if (0.0..n as f64).contains(&c) && (0.0..n as f64).contains(&r) {
            let u = &mut units[r as usize * n + c as usize];
            u.sites.push(i as u32);
            u.counts[s.level.index()] += 1;
            u.level = Some(u.level.map_or(s.level, |l| RiskLevel::max_risk(l, s.level)));
            if let Some(d) = &s.district_name {
                if !u.district.split('、').any(|x| x == d) {
                    if !u.district.is_empty() {
                        u.district.push('、');
                    }
                    u.district.push_str(d);
                }
            }
        } else {
            outside.push(i as u32);
        }
    }
    let districts: Vec<Area> = layer
        .work
        .iter()
        .map(|z| Area {
            id: z.id.clone(),
            name: z.name.clone(),
            geometry: z.geometry.clone(),
            level: None,
            counts: sisetu_core::LevelCounts::default(),
            color: None,
        })
        .collect();
    let input = RegisterInput {
        kind: UnitKind::Grid,
        units: &units,
        outside,
        sites: &sites,
        districts: &districts,
        html: true,
    };
    let keep = std::env::var("SISETU_REGISTER_OUT").ok();
    let dir = tempfile::tempdir().unwrap();
    let out = keep.as_ref().map(|p| Path::new(p).to_path_buf()).unwrap_or_else(|| dir.path().to_path_buf());
    let mut stage = Staging::new(&out).unwrap();
    let t = std::time::Instant::now();
    write_register(&cfg, &input, work, &mut stage).unwrap();
    let took = t.elapsed();
    let csv = std::fs::metadata(stage.path("register.csv")).unwrap().len();
    let html = std::fs::metadata(stage.path("register.html")).unwrap().len();
    println!(
        "register: {} sites, {} grids, {} outside: {:.3} s on {} threads; register.csv {} B, register.html {} B",
        sites.len(),
        units.len(),
        input.outside.len(),
        took.as_secs_f64(),
        rayon::current_num_threads(),
        csv,
        html
    );
    // The same bytes on one thread.
    let html_bytes = std::fs::read(stage.path("register.html")).unwrap();
    let dir1 = tempfile::tempdir().unwrap();
    let mut stage1 = Staging::new(dir1.path()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let t = std::time::Instant::now();
    pool.install(|| write_register(&cfg, &input, work, &mut stage1)).unwrap();
    println!("register on 1 thread: {:.3} s", t.elapsed().as_secs_f64());
    assert!(std::fs::read(stage1.path("register.html")).unwrap() == html_bytes);
    if keep.is_some() {
        stage.commit().unwrap();
    }
}

/// A census of 200,000 sites in 2,500 grids, `register.csv` only: every site is listed
/// exactly once, under its own grid, red before orange before yellow before blue.
#[test]
fn large_census_csv_lists_every_site_once_in_register_order() {
    let n = 200_000usize;
    let levels = RiskLevel::ALL;
    let mut sites = Vec::with_capacity(n);
    for i in 0..n {
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let (x, y) = (X0 + (h % 50_000) as f64, Y0 + ((h >> 20) % 50_000) as f64);
        let mut s = site(
            &format!("91650100{i:010}"),
            &format!("企业{}", h % 100_000),
            levels[(h >> 40) as usize % 4],
            x,
            y,
            i as u64 + 2,
        );
        s.category = "危险化学品".into();
        sites.push(s);
    }
    let mut units: Vec<RegisterUnit> = (0..2500)
        .map(|k| RegisterUnit {
            id: format!("G{k:04}"),
            name: format!("第{k}网格"),
            person: Some("张三".into()),
            district: "天山区".into(),
            geometry: square(X0 + (k % 50) as f64 * 1000.0, Y0 + (k / 50) as f64 * 1000.0, 1000.0),
            level: None,
            counts: [0; 4],
            sites: Vec::new(),
        })
        .collect();
    for (i, s) in sites.iter().enumerate() {
        let k = ((s.y - Y0) / 1000.0) as usize * 50 + ((s.x - X0) / 1000.0) as usize;
        units[k].sites.push(i as u32);
    }
    let districts: Vec<Area> = Vec::new();
    let input = RegisterInput {
        kind: UnitKind::Grid,
        units: &units,
        outside: Vec::new(),
        sites: &sites,
        districts: &districts,
        html: false,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut stage = Staging::new(dir.path()).unwrap();
    write_register(&config(), &input, "EPSG:4538".parse().unwrap(), &mut stage).unwrap();
    let bytes = std::fs::read(stage.path("register.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (unit_col, id_col, level_col) = (col("unit_id"), col("id"), col("level"));
    let mut seen = std::collections::HashSet::new();
    let mut last: Option<(String, usize)> = None;
    let mut rows = 0usize;
    for r in rdr.records() {
        let r = r.unwrap();
        rows += 1;
        assert!(seen.insert(r[id_col].to_string()), "site {} listed twice", &r[id_col]);
        let i: usize = r[id_col][8..].parse().unwrap();
        let s = &sites[i];
        let k = ((s.y - Y0) / 1000.0) as usize * 50 + ((s.x - X0) / 1000.0) as usize;
        assert_eq!(&r[unit_col], units[k].id, "site {} under the wrong grid", &r[id_col]);
        let rank = levels.iter().position(|l| l.as_str() == &r[level_col]).unwrap();
        if let Some((u, prev)) = &last {
            if u == &r[unit_col] {
                assert!(*prev <= rank, "levels out of order in {u}");
            }
        }
        last = Some((r[unit_col].to_string(), rank));
    }
    assert_eq!(rows, n, "register.csv has {rows} rows for {n} sites");
}
