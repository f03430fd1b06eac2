//! `sisetu diff` on a hand-built pair of tiny censuses: three square districts side by side,
//! two management grids (south and north), and about a dozen sites per round whose every
//! change was chosen by hand. Each round is built with the library, then the diff's counts,
//! `changes.csv` rows, area changes, GeoJSON and map are checked against those choices.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use geo::{Destination, Geodesic, Point};
use sisetu_engine::analysis::changes::{compare, map, outputs, DiffOptions, DiffSummary, Round, CSV_HEADER};
use sisetu_engine::pipeline::{self as build, BuildOptions};
use sisetu_engine::project::Config;
use sisetu_io::write::Staging;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A lon/lat rectangle feature.
fn rect(id: &str, name: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#
    )
}

/// A (87.50–87.55°E), B (87.55–87.60°E), C (87.60–87.65°E), all 43.80–43.85°N, in EPSG:4490.
/// `c_east` moves C's eastern edge (a different district layer).
fn districts(c_east: f64) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{},\n{}\n]}}\n",
        rect("A", "甲区", 87.50, 43.80, 87.55, 43.85),
        rect("B", "乙区", 87.55, 43.80, 87.60, 43.85),
        rect("C", "丙区", 87.60, 43.80, c_east, 43.85)
    )
}

/// The same layer as `districts(87.65)`, saved differently (other key order, indented).
fn districts_resaved() -> String {
    let f = |id: &str, name: &str, x0: f64, x1: f64| {
        format!(
            "    {{\n      \"type\": \"Feature\",\n      \"geometry\": {{\n        \"type\": \"Polygon\",\n        \
             \"coordinates\": [[[{x0}, 43.8], [{x1}, 43.8], [{x1}, 43.85], [{x0}, 43.85], [{x0}, 43.8]]]\n      }},\n      \
             \"properties\": {{ \"name\": \"{name}\", \"id\": \"{id}\" }}\n    }}"
        )
    };
    format!(
        "{{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n{},\n{},\n{}\n  ]\n}}\n",
        f("A", "甲区", 87.50, 87.55),
        f("B", "乙区", 87.55, 87.60),
        f("C", "丙区", 87.60, 87.65)
    )
}

/// G1 south of 43.832°N, G2 north of it, over all three districts.
fn grids() -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{}\n]}}\n",
        rect("G1", "南片", 87.50, 43.80, 87.65, 43.832),
        rect("G2", "北片", 87.50, 43.832, 87.65, 43.85)
    )
}

/// S05's new position: exactly 500 m north of its old one.
fn s05_new() -> (f64, f64) {
    let p = Geodesic.destination(Point::new(87.58, 43.83), 0.0, 500.0);
    (p.x(), p.y())
}

/// Round 1 (2023). Comments give the change in round 2.
const OLD_CSV: &str = "id,name,lon,lat,grade
S01,甲化工有限公司,87.51,43.82,重大风险
S02,乙化工有限公司,87.52,43.82,较大风险
S03,丙制造有限公司,87.56,43.82,一般风险
S04,丁仓储有限公司,87.57,43.82,重大风险
S05,戊商贸有限公司,87.58,43.83,低风险
S06,己加油站,87.5497,43.82,一般风险
S07,庚烟花爆竹店,87.61,43.82,较大风险
S08,辛商贸有限公司,87.62,43.82,低风险
S09,（乌鲁木齐）癸化工有限公司,87.63,43.82,一般风险
,子便利店,87.64,43.82,低风险
D01,丑五金店,87.53,43.83,低风险
91650100MA0001ABCD,卯印刷厂,87.59,43.83,一般风险
";

/// Round 2 (2024):
/// * S01 unchanged; S02 orange → red, S03 yellow → orange (raised); S04 red → yellow (lowered);
/// * S05 moved 500 m north (and into grid G2); S06 moved 48 m east across the A/B boundary
///   (district changed, not moved);
/// * S07 removed; N01 (red, in C) and N02 (blue, in B) new;
/// * S08's id reused by another enterprise (red): not counted as raised;
/// * S09 renamed cosmetically (half-width parentheses, a space): not a change;
/// * the row without an id (round 1) and D01 (once in round 1, twice in round 2) are unmatched;
/// * the credit code in lower case is the same site, unchanged.
fn new_csv() -> String {
    let (x, y) = s05_new();
    format!(
        "id,name,lon,lat,grade
N01,辰危化品仓库,87.615,43.83,重大风险
S01,甲化工有限公司,87.51,43.82,重大风险
S02,乙化工有限公司,87.52,43.82,重大风险
S03,丙制造有限公司,87.56,43.82,较大风险
S04,丁仓储有限公司,87.57,43.82,一般风险
S05,戊商贸有限公司,{x:.9},{y:.9},低风险
S06,己加油站,87.5503,43.82,一般风险
S08,壬物流有限公司,87.62,43.82,重大风险
S09,(乌鲁木齐)癸化工 有限公司,87.63,43.82,一般风险
D01,丑五金店,87.53,43.83,低风险
D01,寅五金店,87.53,43.83,低风险
91650100ma0001abcd,卯印刷厂,87.59,43.83,一般风险
N02,巳小作坊,87.565,43.84,低风险
"
    )
}

struct RoundSpec<'a> {
    title: &'a str,
    date: &'a str,
    census: String,
    districts: String,
    grids: bool,
    cell_size_m: f64,
}

/// Writes a round's project into `dir` and builds it with the library; returns its output folder.
fn build_round(dir: &Path, r: &RoundSpec) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("census.csv"), &r.census).unwrap();
    std::fs::write(dir.join("districts.geojson"), &r.districts).unwrap();
    let mut toml = format!(
        "[project]\ntitle = \"{}\"\ncensus_date = \"{}\"\noutput = \"out\"\n\n[districts]\npath = \
         \"districts.geojson\"\ncrs = \"EPSG:4490\"\n\n[[sites]]\npath = \"census.csv\"\ncrs = \"EPSG:4490\"\n\n\
         [grid]\ncell_size_m = {}\n",
        r.title, r.date, r.cell_size_m
    );
    if r.grids {
        std::fs::write(dir.join("grids.geojson"), grids()).unwrap();
        toml.push_str("\n[management_grid]\npath = \"grids.geojson\"\ncrs = \"EPSG:4490\"\n");
    }
    let project = dir.join("sisetu.toml");
    std::fs::write(&project, toml).unwrap();
    let cfg = Config::load(&project).unwrap();
    build::build(&cfg, &BuildOptions::default(), &sisetu_engine::observer::Silent)
        .unwrap_or_else(|e| panic!("{}: build failed: {e:#}", project.display()));
    dir.join("out")
}

fn old_spec() -> RoundSpec<'static> {
    RoundSpec {
        title: "测试市安全风险普查",
        date: "2023-06",
        census: OLD_CSV.to_string(),
        districts: districts(87.65),
        grids: true,
        cell_size_m: 500.0,
    }
}

fn new_spec() -> RoundSpec<'static> {
    RoundSpec {
        title: "测试市安全风险普查",
        date: "2024-06",
        census: new_csv(),
        districts: districts_resaved(),
        grids: true,
        cell_size_m: 500.0,
    }
}

/// What a diff gave: the summary, its terminal lines and the files written.
#[derive(Debug)]
struct Outcome {
    summary: DiffSummary,
    lines: Vec<String>,
    outputs: Vec<String>,
}

/// Runs the diff of two output folders into `out` (committed), as `sisetu diff` does.
fn diff(old: &Path, new: &Path, out: &Path, opts: &DiffOptions) -> sisetu_engine::error::Result<Outcome> {
    let (old, new) = (Round::load(old)?, Round::load(new)?);
    let set = compare(&old, &new, opts)?;
    let mut stage = Staging::new(out)?;
    let mut files = outputs::write(&set, &mut stage, sisetu_i18n::Lang::En)?;
    files.extend(map::draw(&set, None, &mut stage)?);
    stage.commit()?;
    Ok(Outcome { lines: set.summary.lines(sisetu_i18n::Lang::En), summary: set.summary, outputs: files })
}

/// The rows of a BOM-prefixed CSV as maps header → value.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("changes.csv starts with a UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new().from_reader(body);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, CSV_HEADER);
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect()).collect()
}

/// Level and counts per area id of a round's districts/grids/cells GeoJSON.
fn areas(path: &Path, key: &str) -> BTreeMap<String, (Option<String>, [u64; 4])> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let n = |k: &str| p[k].as_u64().unwrap();
            (
                p[key].as_str().unwrap().to_string(),
                (p["level"].as_str().map(String::from), [n("n_red"), n("n_orange"), n("n_yellow"), n("n_blue")]),
            )
        })
        .collect()
}

fn rank(l: &Option<String>) -> u8 {
    match l.as_deref() {
        None => 0,
        Some("blue") => 1,
        Some("yellow") => 2,
        Some("orange") => 3,
        Some("red") => 4,
        Some(other) => panic!("level {other}"),
    }
}

/// The changed cells by brute force over the two rounds' cells.geojson: id → change.
fn expected_cells(old: &Path, new: &Path) -> BTreeMap<String, String> {
    let (o, n) = (areas(&old.join("cells.geojson"), "cell_id"), areas(&new.join("cells.geojson"), "cell_id"));
    let mut out = BTreeMap::new();
    for id in o.keys().chain(n.keys()) {
        let none = (None, [0; 4]);
        let (a, b) = (o.get(id).unwrap_or(&none), n.get(id).unwrap_or(&none));
        let change = match rank(&b.0).cmp(&rank(&a.0)) {
            std::cmp::Ordering::Greater => "raised",
            std::cmp::Ordering::Less => "lowered",
            _ if a.1 != b.1 => "counts_changed",
            _ => continue,
        };
        out.insert(id.clone(), change.to_string());
    }
    out
}

fn row<'a>(rows: &'a [BTreeMap<String, String>], scope: &str, id: &str) -> &'a BTreeMap<String, String> {
    let found: Vec<_> = rows.iter().filter(|r| r["scope"] == scope && r["id"] == id).collect();
    assert_eq!(found.len(), 1, "{scope} {id}: {found:?}");
    found[0]
}

fn pick<'a>(r: &'a BTreeMap<String, String>, keys: &[&str]) -> Vec<&'a str> {
    keys.iter().map(|k| r[*k].as_str()).collect()
}

#[test]
#[allow(clippy::too_many_lines, reason = "one scenario with every kind of change, checked step by step")]
fn a_pair_of_tiny_censuses_gives_every_change_chosen_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let old = build_round(&tmp.path().join("r2023"), &old_spec());
    let new = build_round(&tmp.path().join("r2024"), &new_spec());
    let out = tmp.path().join("diff");
    let o = diff(&old, &new, &out, &DiffOptions::default()).unwrap();
    let s = &o.summary;

    // Sites.
    let c = &s.sites;
    assert_eq!((c.total_old, c.total_new), (12, 13));
    assert_eq!((c.new, c.removed, c.raised, c.lowered), (2, 1, 2, 1));
    assert_eq!((c.moved, c.district_changed, c.grid_changed, c.id_reused, c.unmatched), (1, 1, Some(1), 1, 4));
    // Matched: S01–S06, S08, S09, the credit code; unchanged: S01, S09 (renamed), the credit code.
    assert_eq!((c.matched, c.unchanged), (9, 3));
    assert_eq!(
        o.lines[0],
        "sites 12 → 13: 2 new, 1 removed, 2 raised, 1 lowered, 1 moved > 100 m, 1 changed district, 1 changed grid, \
         1 id reused, 4 unmatched"
    );
    assert_eq!(o.lines[1], "districts: 1 raised, 1 lowered, 1 counts changed");
    assert_eq!(o.lines[2], "grids: 1 raised, 0 lowered, 1 counts changed");
    assert!(o.lines[3].starts_with("cells: "), "{:?}", o.lines);
    assert_eq!(
        s.notes,
        ["the district files differ by SHA-256 but have the same ids and boundaries (a re-saved file)"]
    );
    assert_eq!((s.old.census_date.as_deref(), s.new.census_date.as_deref()), (Some("2023-06"), Some("2024-06")));
    let sha = |p: &Path| {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(std::fs::read(p).unwrap()))
    };
    assert_eq!(s.old.report_sha256.as_deref(), Some(sha(&old.join("report.json")).as_str()));
    assert_eq!(s.new.sites_sha256.as_deref(), Some(sha(&new.join("sites.geojson")).as_str()));

    // Site rows, in id order ("" first).
    let rows = csv_rows(&out.join("changes.csv"));
    let sites: Vec<Vec<&str>> = rows
        .iter()
        .filter(|r| r["scope"] == "site")
        .map(|r| {
            pick(
                r,
                &[
                    "id",
                    "name",
                    "change",
                    "level_old",
                    "level_new",
                    "district_old",
                    "district_new",
                    "grid_old",
                    "grid_new",
                ],
            )
        })
        .collect();
    let expected: Vec<Vec<&str>> = vec![
        vec!["", "子便利店", "unmatched", "blue", "", "C", "", "G1", ""],
        vec!["D01", "丑五金店", "unmatched", "blue", "", "A", "", "G1", ""],
        vec!["D01", "丑五金店", "unmatched", "", "blue", "", "A", "", "G1"],
        vec!["D01", "寅五金店", "unmatched", "", "blue", "", "A", "", "G1"],
        vec!["N01", "辰危化品仓库", "new", "", "red", "", "C", "", "G1"],
        vec!["N02", "巳小作坊", "new", "", "blue", "", "B", "", "G2"],
        vec!["S02", "乙化工有限公司", "raised", "orange", "red", "A", "A", "G1", "G1"],
        vec!["S03", "丙制造有限公司", "raised", "yellow", "orange", "B", "B", "G1", "G1"],
        vec!["S04", "丁仓储有限公司", "lowered", "red", "yellow", "B", "B", "G1", "G1"],
        vec!["S05", "戊商贸有限公司", "moved;grid_changed", "blue", "blue", "B", "B", "G1", "G2"],
        vec!["S06", "己加油站", "district_changed", "yellow", "yellow", "A", "B", "G1", "G1"],
        vec!["S07", "庚烟花爆竹店", "removed", "orange", "", "C", "", "G1", ""],
        vec!["S08", "壬物流有限公司", "id_reused", "blue", "red", "C", "C", "G1", "G1"],
    ];
    assert_eq!(sites, expected);
    let s05 = row(&rows, "site", "S05");
    let moved: f64 = s05["moved_m"].parse().unwrap();
    assert!((moved - 500.0).abs() <= 0.05, "S05 moved {moved} m");
    assert_eq!(s05["moved_m"], "500.0");
    assert_eq!(row(&rows, "site", "S06")["moved_m"], "", "48 m is below the threshold");
    let s08 = row(&rows, "site", "S08");
    assert_eq!((s08["name"].as_str(), s08["name_old"].as_str()), ("壬物流有限公司", "辛商贸有限公司"));
    let s07 = row(&rows, "site", "S07");
    assert_eq!((s07["lon"].as_str(), s07["lat"].as_str()), ("87.61", "43.82"), "removed sites at their old place");
    assert!(rows.iter().filter(|r| r["change"] == "unmatched").all(|r| !r["note"].is_empty()));

    // Districts: A counts changed (red), B lowered (red → orange), C raised (orange → red).
    let d: Vec<Vec<&str>> = rows
        .iter()
        .filter(|r| r["scope"] == "district")
        .map(|r| {
            pick(
                r,
                &[
                    "id",
                    "name",
                    "change",
                    "level_old",
                    "level_new",
                    "red_old",
                    "red_new",
                    "orange_old",
                    "orange_new",
                    "yellow_old",
                    "yellow_new",
                    "blue_old",
                    "blue_new",
                    "total_old",
                    "total_new",
                ],
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            ["A", "甲区", "counts_changed", "red", "red", "1", "2", "1", "0", "1", "0", "1", "2", "4", "4"],
            ["B", "乙区", "lowered", "red", "orange", "1", "0", "0", "1", "2", "3", "1", "2", "4", "6"],
            ["C", "丙区", "raised", "orange", "red", "0", "2", "1", "0", "1", "1", "2", "0", "4", "3"],
        ]
    );
    assert_eq!((s.districts.raised, s.districts.lowered, s.districts.counts_changed), (1, 1, 1));

    // Grids: G1 counts changed (red, 12 → 11 sites), G2 raised from no sites to blue.
    let g: Vec<Vec<&str>> = rows
        .iter()
        .filter(|r| r["scope"] == "grid")
        .map(|r| pick(r, &["id", "change", "level_old", "level_new", "total_old", "total_new"]))
        .collect();
    assert_eq!(g, [["G1", "counts_changed", "red", "red", "12", "11"], ["G2", "raised", "", "blue", "0", "2"]]);

    // Cells: exactly the changes found by brute force over the two cells.geojson.
    let cells: BTreeMap<String, String> =
        rows.iter().filter(|r| r["scope"] == "cell").map(|r| (r["id"].clone(), r["change"].clone())).collect();
    let want = expected_cells(&old, &new);
    assert_eq!(cells, want);
    let cc = s.cells.as_ref().unwrap();
    let n = |k: &str| want.values().filter(|v| *v == k).count() as u64;
    assert_eq!((cc.raised, cc.lowered, cc.counts_changed), (n("raised"), n("lowered"), n("counts_changed")));
    assert!(cc.raised > 0 && cc.lowered > 0 && cc.counts_changed > 0, "{cc:?}");
    assert_eq!(
        rows.iter().filter(|r| r["scope"] == "cell").count(),
        want.len(),
        "one row per changed cell, no duplicates"
    );

    // changes.geojson: the same rows, sites as points, areas as polygons.
    let gj: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("changes.geojson")).unwrap()).unwrap();
    let feats = gj["features"].as_array().unwrap();
    assert_eq!(feats.len(), rows.len());
    for (f, r) in feats.iter().zip(&rows) {
        let p = &f["properties"];
        assert_eq!(p["scope"].as_str(), Some(r["scope"].as_str()));
        assert_eq!(p["change"].as_str(), Some(r["change"].as_str()));
        let kind = f["geometry"]["type"].as_str().unwrap();
        let want = match r["scope"].as_str() {
            "site" => "Point",
            "cell" => "Polygon",
            _ => "MultiPolygon",
        };
        assert_eq!(kind, want, "{r:?}");
    }
    let s05f = feats.iter().find(|f| f["properties"]["id"] == "S05").unwrap();
    assert_eq!(s05f["properties"]["moved_m"], 500.0);
    let (x, y) = s05_new();
    let c = &s05f["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - x).abs() < 1e-7 && (c[1].as_f64().unwrap() - y).abs() < 1e-7);

    // The map, georeferenced.
    assert_eq!(
        o.outputs,
        [
            "changes.csv",
            "changes.geojson",
            "changes.xlsx",
            "changes.png",
            "changes.pgw",
            "changes.prj",
            "changes.png.aux.xml"
        ]
    );
    for f in &o.outputs {
        assert!(out.join(f).is_file(), "{f}");
    }
    let png = std::fs::read(out.join("changes.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let info = decoder.read_info().unwrap();
    assert_eq!((info.info().width, info.info().height), (2339, 1654), "A4 landscape at 200 dpi");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 7, "no staging folder left");
    if let Some(dir) = std::env::var_os("SISETU_DIFF_PNG") {
        std::fs::write(Path::new(&dir).join("changes.png"), &png).unwrap();
    }

    // A lower threshold also counts S06 (48 m) as moved.
    let o = diff(&old, &new, &tmp.path().join("diff40"), &DiffOptions { move_threshold_m: 40.0, ..Default::default() })
        .unwrap();
    assert_eq!(o.summary.sites.moved, 2);
    assert!(o.lines[0].contains("2 moved > 40 m"), "{}", o.lines[0]);
}

#[test]
fn outputs_are_byte_identical_for_1_and_4_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let old = build_round(&tmp.path().join("old"), &old_spec());
    let new = build_round(&tmp.path().join("new"), &new_spec());
    let run = |threads: usize| {
        let out = tmp.path().join(format!("diff{threads}"));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let o = pool.install(|| diff(&old, &new, &out, &DiffOptions::default()).unwrap());
        o.outputs.iter().map(|f| (f.clone(), std::fs::read(out.join(f)).unwrap())).collect::<Vec<_>>()
    };
    let (a, b) = (run(1), run(4));
    assert_eq!(a.len(), 7);
    for ((fa, ba), (fb, bb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb);
        assert!(ba == bb, "{fa} differs between 1 and 4 threads");
    }
}

#[test]
fn rounds_built_from_different_district_layers_are_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let old = build_round(&tmp.path().join("old"), &old_spec());
    let new = build_round(&tmp.path().join("new"), &RoundSpec { districts: districts(87.66), ..new_spec() });
    let out = tmp.path().join("diff");
    let err = format!("{:#}", diff(&old, &new, &out, &DiffOptions::default()).unwrap_err());
    for needle in [
        "different district layers",
        "district C (丙区) has a different boundary",
        "same boundaries",
        "rebuild the old round with the new district file",
    ] {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    assert!(err.contains(&old.display().to_string()) && err.contains(&new.display().to_string()), "{err}");
    assert!(!out.join("changes.csv").exists(), "nothing written");
}

#[test]
fn missing_or_broken_rounds_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("round2022");
    let err = format!("{:#}", Round::load(&missing).unwrap_err());
    assert!(
        err.contains(&missing.display().to_string())
            && err.contains("not a sisetu output folder")
            && err.contains("run `sisetu build` for it first"),
        "{err}"
    );
    std::fs::create_dir_all(&missing).unwrap();
    let err = format!("{:#}", Round::load(&missing).unwrap_err());
    assert!(err.contains("no report.json") && err.contains("sisetu build"), "{err}");

    let old = build_round(&tmp.path().join("old"), &old_spec());
    let broken = tmp.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for f in ["report.json", "districts.geojson", "cells.geojson"] {
        std::fs::copy(old.join(f), broken.join(f)).unwrap();
    }
    let err = format!("{:#}", Round::load(&broken).unwrap_err());
    assert!(err.contains("sites.geojson") && err.contains("missing"), "{err}");
    std::fs::write(broken.join("sites.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[{]}").unwrap();
    let err = format!("{:#}", Round::load(&broken).unwrap_err());
    assert!(err.contains("sites.geojson") && err.contains("line 1 column"), "{err}");
    std::fs::copy(old.join("sites.geojson"), broken.join("sites.geojson")).unwrap();
    std::fs::remove_file(broken.join("districts.geojson")).unwrap();
    let err = format!("{:#}", Round::load(&broken).unwrap_err());
    assert!(err.contains("districts.geojson") && err.contains("missing"), "{err}");
    std::fs::write(broken.join("districts.geojson"), "not json").unwrap();
    let err = format!("{:#}", Round::load(&broken).unwrap_err());
    assert!(err.contains("districts.geojson") && err.contains("not a sisetu GeoJSON output"), "{err}");
}

#[test]
fn rounds_without_grids_or_with_other_cells_are_compared_with_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let old = build_round(&tmp.path().join("old"), &old_spec());
    let new = build_round(&tmp.path().join("new"), &RoundSpec { grids: false, cell_size_m: 1000.0, ..new_spec() });
    let out = tmp.path().join("diff");
    let o = diff(&old, &new, &out, &DiffOptions::default()).unwrap();
    let s = &o.summary;
    assert!(s.grids.is_none() && s.cells.is_none() && s.sites.grid_changed.is_none());
    assert!(s.notes.iter().any(|n| n.contains("management grids are not compared")), "{:?}", s.notes);
    assert!(
        s.notes.iter().any(|n| n.contains("regular cells are not compared") && n.contains("1000 m")),
        "{:?}",
        s.notes
    );
    // The same site changes, without grid_changed.
    assert_eq!((s.sites.new, s.sites.removed, s.sites.raised, s.sites.lowered, s.sites.moved), (2, 1, 2, 1, 1));
    let rows = csv_rows(&out.join("changes.csv"));
    assert!(rows.iter().all(|r| r["scope"] == "site" || r["scope"] == "district"), "no grid or cell rows");
    assert_eq!(row(&rows, "site", "S05")["change"], "moved");
    assert_eq!(o.lines.len(), 5, "sites, districts and three notes: {:?}", o.lines);
    let png = std::fs::read(out.join("changes.png")).unwrap();
    if let Some(dir) = std::env::var_os("SISETU_DIFF_PNG") {
        std::fs::write(Path::new(&dir).join("changes_districts.png"), &png).unwrap();
    }
}

#[test]
fn the_diff_command_writes_the_changes_and_exits_2_on_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let old = build_round(&tmp.path().join("old"), &old_spec());
    let new = build_round(&tmp.path().join("new"), &new_spec());
    let out = tmp.path().join("changes");
    let run = |args: &[&std::ffi::OsStr]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_sisetu"))
            .env("SISETU_LANG", "en")
            .args(args)
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout))
    };
    let (code, text) = run(&[
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--move-m".as_ref(),
        "40".as_ref(),
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("2 moved > 40 m") && text.contains("districts: 1 raised, 1 lowered, 1 counts changed"),
        "{text}"
    );
    for f in ["changes.csv", "changes.geojson", "changes.png", "changes.pgw", "changes.prj"] {
        assert!(out.join(f).is_file(), "{f}: {text}");
    }
    // The same rows as the library gives.
    let lib = tmp.path().join("lib");
    diff(&old, &new, &lib, &DiffOptions { move_threshold_m: 40.0, ..Default::default() }).unwrap();
    assert!(std::fs::read(out.join("changes.csv")).unwrap() == std::fs::read(lib.join("changes.csv")).unwrap());

    let missing = tmp.path().join("round2022");
    let (code, text) = run(&["diff".as_ref(), missing.as_os_str(), new.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("round2022") && text.contains("run `sisetu build` for it first"), "{text}");
}
