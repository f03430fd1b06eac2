//! The outputs of issue #5 on hand-built fixtures, through the real binary: grid-management
//! checks against areas computed by hand on squares, the table (一表) against the district
//! layer, the register (一册) against the sites, `sisetu check` and its exit codes, and
//! byte-identical outputs across thread counts.
//!
//! The fixture is in EPSG:4538 (Gauss-Krüger, metres) so that every area is exact:
//!
//! ```text
//!  y=1000 ┌──────── W ────────┬──────── E ────────┐
//!         │                   │  gap (900..1000)  │
//!         │        G1         ├───────────────────┤ y=900
//!         │      (张三)       │      G3 (李四)     │
//!         │                   ├─ overlap 500..600 ┤
//!         │                   │    G2 (no person) │
//!  y=0    └───────────────────┴───────────────────┘┌G4┐ outside (2000..2100 × 0..100)
//!        x=0               x=1000              x=2000
//! ```
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use common::*;
use std::path::Path;

const X0: f64 = 500_000.0;
const Y0: f64 = 4_850_000.0;

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    let p = |x: f64, y: f64| format!("[{},{}]", X0 + x, Y0 + y);
    format!("[[{},{},{},{},{}]]", p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1), p(x0, y0))
}

fn feature(props: &str, coords: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#)
}

fn districts() -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{}\n]}}\n",
        feature(r#""id":"W","name":"西区""#, &square(0., 0., 1000., 1000.)),
        feature(r#""id":"E","name":"东区""#, &square(1000., 0., 2000., 1000.)),
    )
}

fn grids(extra: &[String]) -> String {
    let mut f = vec![
        feature(r#""code":"G1","label":"一网格","负责人":"张三""#, &square(0., 0., 1000., 1000.)),
        feature(r#""code":"G2","label":"二网格","负责人":"""#, &square(1000., 0., 2000., 600.)),
        feature(r#""code":"G3","label":"三网格","负责人":"李四""#, &square(1000., 500., 2000., 900.)),
        feature(r#""code":"G4","label":"四网格","负责人":"王五""#, &square(2000., 0., 2100., 100.)),
    ];
    f.extend(extra.iter().cloned());
    format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", f.join(",\n"))
}

/// (id, name, category, x, y, grade): S5 is in the gap, S6 in the overlap (G2 comes first).
const SITES: [(&str, &str, &str, f64, f64, &str); 6] = [
    ("S1", "甲厂", "工贸", 500., 500., "红"),
    ("S2", "乙厂", "燃气", 1500., 300., "红"),
    ("S3", "丙厂", "燃气", 1500., 200., "橙"),
    ("S4", "丁厂", "工贸", 1600., 300., "黄"),
    ("S5", "戊厂", "燃气", 1500., 950., "蓝"),
    ("S6", "己厂", "", 1500., 550., "黄"),
];

fn sites_csv(extra_rows: &str) -> String {
    let mut s = String::from("id,name,category,x,y,grade\n");
    for (id, name, cat, x, y, g) in SITES {
        s.push_str(&format!("{id},{name},{cat},{},{},{g}\n", X0 + x, Y0 + y));
    }
    s.push_str(extra_rows);
    s
}

const PROJECT: &str = r#"[project]
title = "网格检查"
output = "out"
working_crs = "EPSG:4538"

[districts]
path = "districts.geojson"
crs = "EPSG:4538"

[management_grid]
path = "grids.geojson"
crs = "EPSG:4538"
id = "code"
name = "label"
person = "负责人"

[[sites]]
path = "sites.csv"
crs = "EPSG:4538"
"#;

fn fixture(dir: &Path, extra_rows: &str) {
    write(dir, "districts.geojson", districts());
    write(dir, "grids.geojson", grids(&[]));
    write(dir, "sites.csv", sites_csv(extra_rows));
    write(dir, "sisetu.toml", PROJECT);
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{what}: {a} != {b}");
}

#[test]
fn grid_checks_match_areas_computed_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    let run = sisetu(dir, &["build", "sisetu.toml"]);
    run.expect_code(0);
    let out = dir.join("out");
    let r = read_json(&out.join("report.json"));
    let g = &r["grid_checks"];
    let num = |k: &str| g[k].as_f64().unwrap_or_else(|| panic!("grid_checks.{k} missing: {g}"));
    // Jurisdiction 2 km²; covered = W (1 km²) + E from y=0 to 900 (0.9 km²).
    close(num("jurisdiction_km2"), 2.0, "jurisdiction");
    close(num("covered_km2"), 1.9, "covered");
    close(num("coverage_share"), 0.95, "share");
    assert_eq!(g["gaps"], 1, "{g}");
    close(num("gap_km2"), 0.1, "gap");
    assert_eq!(g["overlaps"], 1, "{g}");
    close(num("overlap_km2"), 0.1, "overlap");
    close(num("outside_km2"), 0.01, "outside");
    assert_eq!(g["grids"], 4);
    let without: Vec<&str> =
        g["grids_without_person"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(without, ["G2"]);
    // S2 (red) and S3 (orange) are in G2; S6 (yellow) too, but it is not counted.
    assert_eq!(g["red_orange_without_person"], 2, "{g}");
    let ro: Vec<&str> =
        g["red_orange_without_person_sites"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ro, ["S2", "S3"]);
    assert_eq!(g["sites_outside_grids"], 1);
    assert_eq!(g["sites_outside_grids_list"][0]["id"], "S5");
    assert_eq!(r["totals"]["outside_management_grid"], 1);

    // grid_gaps.geojson: the gap, the overlap (with both grids) and the outside piece.
    let gaps = read_json(&out.join("grid_gaps.geojson"));
    let feats = gaps["features"].as_array().unwrap();
    let kinds: Vec<(&str, f64)> = feats
        .iter()
        .map(|f| (f["properties"]["kind"].as_str().unwrap(), f["properties"]["area_m2"].as_f64().unwrap()))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert_eq!((kinds[0].0, kinds[1].0, kinds[2].0), ("gap", "overlap", "outside"));
    close(kinds[0].1, 100_000.0, "gap m²");
    close(kinds[1].1, 100_000.0, "overlap m²");
    close(kinds[2].1, 10_000.0, "outside m²");
    assert_eq!(feats[0]["properties"]["district_id"], "E");
    assert_eq!(
        (feats[1]["properties"]["grid_a"].as_str(), feats[1]["properties"]["grid_b"].as_str()),
        (Some("G2"), Some("G3"))
    );

    // The terminal says it too.
    assert!(run.stderr.contains("网格化覆盖率 95.00 %"), "{}", run.describe());
    assert!(
        run.stderr.contains("1 grids have no responsible person (G2 二网格); 2 red/orange sites"),
        "{}",
        run.describe()
    );
    assert!(run.stderr.contains("1 sites lie outside every management grid"), "{}", run.describe());
}

#[test]
fn table_has_the_numbers_of_the_district_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    // The 一表 in the default language, Chinese.
    sisetu_lang(dir, &["build", "sisetu.toml"], None).expect_code(0);
    let out = dir.join("out");
    let rows = csv_rows(&out.join("table.csv"));
    assert_eq!(
        rows[0],
        [
            "区县代码",
            "区县名称",
            "区域风险等级(就高)",
            "重大风险(红)",
            "较大风险(橙)",
            "一般风险(黄)",
            "低风险(蓝)",
            "风险点合计",
            "工贸",
            "燃气",
            "未填行业",
            "行业合计"
        ]
    );
    assert_eq!(rows[1], ["W", "西区", "重大风险", "1", "0", "0", "0", "1", "1", "0", "0", "1"]);
    assert_eq!(rows[2], ["E", "东区", "重大风险", "1", "1", "2", "1", "5", "1", "3", "1", "5"]);
    assert_eq!(rows[3], ["", "合计", "", "2", "1", "2", "1", "6", "2", "3", "1", "6"]);
    assert_eq!(rows.len(), 4);
    // The same numbers as districts.geojson (what the district map draws).
    let d = read_json(&out.join("districts.geojson"));
    for (row, f) in rows[1..3].iter().zip(d["features"].as_array().unwrap()) {
        let p = &f["properties"];
        assert_eq!(row[0], p["id"].as_str().unwrap());
        for (i, k) in ["n_red", "n_orange", "n_yellow", "n_blue", "total"].iter().enumerate() {
            assert_eq!(row[3 + i], p[k].to_string(), "{k} of {}", row[0]);
        }
        assert_eq!(row[8], p["cat_工贸"].to_string());
        assert_eq!(row[9], p["cat_燃气"].to_string());
    }
}

#[test]
fn register_lists_every_site_once_by_grid_sorted_by_level_then_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    let out = dir.join("out");
    let rows = csv_rows(&out.join("register.csv"));
    let h = &rows[0];
    let col = |k: &str| h.iter().position(|c| c == k).unwrap_or_else(|| panic!("no column {k} in {h:?}"));
    let (unit, id, no, person) = (col("unit_id"), col("id"), col("no"), col("person"));
    let listed: Vec<(&str, &str, &str)> =
        rows[1..].iter().map(|r| (r[unit].as_str(), r[id].as_str(), r[no].as_str())).collect();
    assert_eq!(
        listed,
        [
            ("G1", "S1", "1"),
            ("G2", "S2", "1"),
            ("G2", "S3", "2"),
            ("G2", "S4", "3"), // 丁厂 before 己厂: same level, by name
            ("G2", "S6", "4"),
            ("", "S5", "1"), // outside every grid: the last section
        ]
    );
    assert_eq!(rows[1][person], "张三");
    assert_eq!(rows[2][person], "");
    // Every accepted site exactly once.
    let report = read_json(&out.join("report.json"));
    assert_eq!(rows.len() - 1, report["totals"]["accepted"].as_u64().unwrap() as usize);

    let html = read_text(&out.join("register.html"));
    for name in ["一网格", "二网格", "三网格", "四网格", "未划入网格", "甲厂", "己厂", "未明确网格负责人"]
    {
        assert!(html.contains(name), "register.html lacks {name}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "register.html refers to the network");
    assert!(html.contains("data:image/png;base64,"), "register.html has no embedded map");
}

#[test]
fn register_is_per_district_without_a_grid_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    let start = PROJECT.find("[management_grid]").unwrap();
    let end = PROJECT.find("[[sites]]").unwrap();
    write(dir, "sisetu.toml", format!("{}{}[register]\nhtml = false\n", &PROJECT[..start], &PROJECT[end..]));
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    let out = dir.join("out");
    let rows = csv_rows(&out.join("register.csv"));
    let units: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(units, ["E", "E", "E", "E", "E", "W"]);
    assert!(!out.join("register.html").exists(), "[register] html = false still wrote register.html");
    assert!(!out.join("grid_gaps.geojson").exists());
}

#[test]
fn invalid_grid_polygons_are_reported_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    // A bow-tie: its two triangles cross at (1500, 950) inside the gap strip.
    let p = |x: f64, y: f64| format!("[{},{}]", X0 + x, Y0 + y);
    let bow =
        format!("[[{},{},{},{},{}]]", p(1400., 900.), p(1600., 1000.), p(1600., 900.), p(1400., 1000.), p(1400., 900.));
    write(dir, "grids.geojson", grids(&[feature(r#""code":"G5","label":"五网格","负责人":"赵六""#, &bow)]));
    let run = sisetu(dir, &["build", "sisetu.toml"]);
    run.expect_code(0).expect_stderr("grid G5 has an invalid polygon");
    let r = read_json(&dir.join("out/report.json"));
    assert_eq!(r["management_grid"]["invalid"][0]["id"], "G5", "{}", r["management_grid"]);
    assert_eq!(r["grid_checks"]["invalid_grids"], 1);
    // The checks still ran: the bow-tie's two triangles (2 × 5,000 m²) fill part of the gap.
    let gap = r["grid_checks"]["gap_km2"].as_f64().unwrap();
    assert!(gap < 0.1 && gap > 0.08, "gap {gap} km²");
    let check = sisetu(dir, &["check", "sisetu.toml"]);
    check.expect_code(1);
    assert!(check.stdout.contains("grid G5 has an invalid polygon"), "{}", check.describe());
}

#[test]
fn check_writes_nothing_and_exits_0_1_or_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    // Clean rows but grid problems: exit 1 with the problems listed; no output folder appears.
    let run = sisetu(dir, &["check", "sisetu.toml"]);
    run.expect_code(1);
    assert!(run.stdout.contains("exit code 1: problems found"), "{}", run.describe());
    assert!(run.stdout.contains("1 sites lie outside every management grid"), "{}", run.describe());
    assert!(!dir.join("out").exists(), "check created the output folder");

    // A bad row: exit 1, the row is named.
    write(dir, "sites.csv", sites_csv(&format!("S7,庚厂,工贸,{},{},未评定\n", X0 + 10.0, Y0 + 10.0)));
    let run = sisetu(dir, &["check", "sisetu.toml"]);
    run.expect_code(1);
    assert!(run.stdout.contains("1 rows would be rejected"), "{}", run.describe());
    assert!(run.stdout.contains("sites.csv:8: unknown grade '未评定'"), "{}", run.describe());

    // After a build, check leaves the outputs exactly as they were.
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    let before = snapshot(&dir.join("out"));
    sisetu(dir, &["check", "sisetu.toml"]).expect_code(1);
    assert_same_snapshot(&before, &snapshot(&dir.join("out")), "after sisetu check");

    // An error (a missing file): exit 2.
    std::fs::remove_file(dir.join("grids.geojson")).unwrap();
    let run = sisetu(dir, &["check", "sisetu.toml"]);
    run.expect_code(2).expect_stderr("grids.geojson");
    assert_same_snapshot(&before, &snapshot(&dir.join("out")), "after a failed sisetu check");
}

#[test]
fn same_bytes_with_one_or_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    sisetu(dir, &["build", "sisetu.toml", "--threads", "1", "--out", "one"]).expect_code(0);
    sisetu(dir, &["build", "sisetu.toml", "--threads", "2", "--out", "two"]).expect_code(0);
    let one = snapshot(&dir.join("one"));
    assert!(
        one.contains_key("register.html") && one.contains_key("grid_gaps.geojson") && one.contains_key("table.csv")
    );
    assert_same_snapshot(&one, &snapshot(&dir.join("two")), "--threads 1 (before) vs --threads 2 (after)");
}

#[test]
fn demo_rounds_diff_matches_the_synthetic_changes_and_is_byte_identical_across_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_demo_inputs(dir);
    sisetu(dir, &["build", "sisetu.toml", "--quiet"]).expect_code(0);
    let one = sisetu(dir, &["build", "sisetu_2025.toml", "--threads", "1", "--out", "one"]);
    one.expect_code(0);
    sisetu(dir, &["build", "sisetu_2025.toml", "--threads", "2", "--out", "two", "--quiet"]).expect_code(0);
    let snap = snapshot(&dir.join("one"));
    for f in ["changes.csv", "changes.geojson", "changes.png", "changes_zoom.png", "register.html", "grid_gaps.geojson"]
    {
        assert!(snap.contains_key(f), "{f} was not written");
    }
    let mut two = snapshot(&dir.join("two"));
    // report.json names the folder each run wrote to: the only intended difference.
    let report = two.get_mut("report.json").unwrap();
    *report = String::from_utf8(report.clone()).unwrap().replace("\"dir\": \"two\"", "\"dir\": \"one\"").into_bytes();
    assert_same_snapshot(&snap, &two, "2025 round: --threads 1 (before) vs --threads 2 (after)");

    // The diff finds exactly what the generator changed (src/synth_rounds.rs).
    let (_, m) = sisetu_demo::synth_rounds::demo_census_2025();
    let r = read_json(&dir.join("one/report.json"));
    let c = &r["changes"]["sites"];
    let n = |k: &str| c[k].as_u64().unwrap_or_else(|| panic!("changes.sites.{k}: {c}")) as usize;
    let raised = m.regraded.iter().filter(|(_, old, new)| new < old).count(); // towards A = higher risk
    assert_eq!(n("new"), m.added.len(), "{c}");
    assert_eq!(n("removed"), m.removed.len(), "{c}");
    assert_eq!((n("raised"), n("lowered")), (raised, m.regraded.len() - raised), "{c}");
    assert_eq!(n("moved"), m.moved.len(), "{c}");
    assert_eq!(n("district_changed"), m.moved_across.len(), "{c}");
    assert_eq!(n("id_reused"), m.id_reused.len(), "{c}");
    // Row by row: every generated change is in changes.csv with its kind, and cosmetic renames are not.
    let rows = csv_rows(&dir.join("one/changes.csv"));
    let change_of = |id: &str| -> Vec<String> {
        rows.iter().filter(|r| r[0] == "site" && r[1] == id).map(|r| r[3].clone()).collect()
    };
    for id in &m.added {
        assert_eq!(change_of(id), ["new"], "{id}");
    }
    for id in &m.removed {
        assert_eq!(change_of(id), ["removed"], "{id}");
    }
    for id in &m.id_reused {
        assert_eq!(change_of(id), ["id_reused"], "{id}");
    }
    for id in &m.renamed_cosmetic {
        assert!(
            change_of(id).iter().all(|k| !k.contains("id_reused")),
            "{id}: a cosmetic rename is not a new enterprise"
        );
    }
    for (id, _) in &m.moved {
        assert!(change_of(id).iter().any(|k| k.contains("moved")), "{id} moved");
    }

    // The register lists every accepted site of the round once; the table has the district layer's numbers.
    let reg = csv_rows(&dir.join("one/register.csv"));
    assert_eq!(reg.len() - 1, r["totals"]["accepted"].as_u64().unwrap() as usize);
    let table = csv_rows(&dir.join("one/table.csv"));
    let d = read_json(&dir.join("one/districts.geojson"));
    for (row, f) in table[1..].iter().zip(d["features"].as_array().unwrap()) {
        assert_eq!(
            (row[0].as_str(), row[7].clone()),
            (f["properties"]["id"].as_str().unwrap(), f["properties"]["total"].to_string())
        );
    }
    // The deliberate grid defects: 3 gaps, 2 overlaps, 4 grids without a person.
    let g = &r["grid_checks"];
    assert_eq!((g["gaps"].as_u64(), g["overlaps"].as_u64()), (Some(3), Some(2)), "{g}");
    assert_eq!(g["grids_without_person"].as_array().unwrap().len(), 4);
    assert!(one.stderr.contains("sites 2991 → 3051"), "{}", one.describe());
}

#[test]
fn rounds_and_grid_layers_that_would_lose_data_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    // A second round that compares with "out" must not write into "out".
    write(
        dir,
        "next.toml",
        format!("{PROJECT}\n[previous]\noutput = \"out\"\n")
            .replace("output = \"out\"\nworking", "output = \"next\"\nworking"),
    );
    let before = snapshot(&dir.join("out"));
    sisetu(dir, &["build", "next.toml", "--out", "out"])
        .expect_code(2)
        .expect_stderr("is the [previous] round's folder");
    assert_same_snapshot(&before, &snapshot(&dir.join("out")), "after a build into the previous round's folder");
    sisetu(dir, &["build", "next.toml"]).expect_code(0);
    // sisetu diff never writes into a build's folder.
    sisetu(dir, &["diff", "out", "next", "--out", "out"]).expect_code(2).expect_stderr("is the OLD round's folder");
    sisetu(dir, &["diff", "out", "next", "--out", "next"]).expect_code(2).expect_stderr("is the NEW round's folder");
    assert_same_snapshot(&before, &snapshot(&dir.join("out")), "after sisetu diff --out OLD");
    // A failed run leaves no empty output folder behind.
    sisetu(dir, &["diff", "out", "next", "--out", "bad", "--zoom", "200,100,300,120"]).expect_code(2);
    assert!(!dir.join("bad").exists(), "a failed diff left its output folder");
    sisetu(dir, &["diff", "out", "next", "--out", "changes"]).expect_code(0);
    assert!(dir.join("changes/changes.csv").is_file());
    // A previous round that has not been built: a clear error, and the outputs stay as they were.
    let next_before = snapshot(&dir.join("next"));
    write(dir, "next.toml", read_text(&dir.join("next.toml")).replace("output = \"out\"\n", "output = \"round0\"\n"));
    let run = sisetu(dir, &["build", "next.toml"]);
    run.expect_code(2).expect_stderr("round0");
    assert!(run.stderr.contains("run `sisetu build` for it first"), "{}", run.describe());
    assert_same_snapshot(&next_before, &snapshot(&dir.join("next")), "after a build whose previous round is missing");
    // A person column that no grid has is a misspelt or dropped column, not 4 grids without a person.
    write(dir, "sisetu.toml", PROJECT.replace("person = \"负责人\"", "person = \"责任人\""));
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(2).expect_stderr("no feature has the property '责任人'");
}

#[test]
fn ids_differing_only_in_case_width_or_spaces_are_duplicates_in_a_build_and_in_a_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // S2 again as "s2 " and S3 again in full width: the same ids.
    fixture(
        dir,
        &format!("s2 ,乙厂,燃气,{},{},红\nＳ３,丙厂,燃气,{},{},橙\n", X0 + 1500.0, Y0 + 300.0, X0 + 1500.0, Y0 + 200.0),
    );
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    let out = dir.join("out");
    let sites = read_json(&out.join("sites.geojson"));
    let dup: Vec<(&str, bool)> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["properties"]["id"].as_str().unwrap_or(""), f["properties"]["duplicate_id"].as_bool().unwrap()))
        .collect();
    let flagged: Vec<&str> = dup.iter().filter(|(_, d)| *d).map(|(id, _)| *id).collect();
    assert_eq!(flagged, ["S2", "S3", "s2", "Ｓ３"], "{dup:?}");
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["sites"][0]["duplicate_ids"], 2);
    // The diff of this round with itself leaves exactly these four rows unmatched.
    sisetu(dir, &["diff", "out", "out", "--out", "self"]).expect_code(0);
    let c = read_json(&dir.join("self/changes.json"));
    assert_eq!(c["sites"]["unmatched"], 8, "4 rows in each round: {c}");
}

#[test]
fn register_can_be_switched_off_and_its_old_files_go() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture(dir, "");
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    assert!(dir.join("out/register.csv").is_file() && dir.join("out/register.html").is_file());
    write(dir, "sisetu.toml", format!("{PROJECT}\n[register]\nenabled = false\n"));
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    assert!(!dir.join("out/register.csv").exists() && !dir.join("out/register.html").exists());
    let r = read_json(&dir.join("out/report.json"));
    assert!(
        !r["outputs"].as_array().unwrap().iter().any(|o| o.as_str().unwrap().starts_with("register")),
        "{}",
        r["outputs"]
    );
}

/// A census assigned by hand with the library, the way a build assigns it (polygons and
/// sites read and projected to the build's working CRS, sites located, ids keyed, levels
/// counted; categories are not counted, the comparison does not use them).
struct HandCensus {
    cfg: sisetu_engine::project::Config,
    work: sisetu_io::crs::Crs,
    districts: sisetu_engine::layers::ZoneLayer,
    grids: Option<sisetu_engine::layers::ZoneLayer>,
    census: sisetu_engine::census::Census,
    tallies: sisetu_engine::census::Tallies,
}

fn hand_census(project: &Path, work: sisetu_io::crs::Crs) -> HandCensus {
    use sisetu_core::{RegularGrid, Summary};
    use sisetu_engine::census::{Census, Duplicates, Placed, Tallies};
    use sisetu_engine::layers::load_zone_layer;
    use std::collections::BTreeMap;
    // In English, as the binary runs in these tests (common::sisetu).
    let cfg = sisetu_engine::project::Config::load(project).unwrap().with_lang(sisetu_i18n::Lang::En);
    let (dspec, dcrs) = &cfg.districts;
    let districts = load_zone_layer(dspec, *dcrs, work).unwrap();
    let grids = cfg.management_grid.as_ref().map(|(s, c)| load_zone_layer(s, *c, work).unwrap());
    let grid = RegularGrid::new(cfg.cell_size_m).unwrap();
    let layers: Vec<_> = cfg
        .sites
        .iter()
        .map(|spec| {
            let tf = sisetu_io::sites::SiteTransforms::new(spec.crs, work).unwrap();
            sisetu_io::sites::read_sites(spec, &cfg.grades, &tf, &|_| {}).unwrap()
        })
        .collect();
    let files: Vec<String> = cfg.sites.iter().map(|s| s.display.clone()).collect();
    let placed: Vec<Vec<Placed>> = layers
        .iter()
        .map(|l| {
            l.sites
                .iter()
                .map(|s| Placed {
                    district: districts.locate(s.lon, s.lat, s.x, s.y),
                    grid: grids.as_ref().and_then(|g| g.locate(s.lon, s.lat, s.x, s.y)),
                    cell: grid.cell_of(s.x, s.y),
                })
                .collect()
        })
        .collect();
    let mut occurrences: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rows = Vec::new();
    for (l, file) in layers.iter().zip(&files) {
        let mut repeated = Vec::new();
        for s in &l.sites {
            if s.id().is_empty() {
                repeated.push(false);
                continue;
            }
            let seen = occurrences.entry(sisetu_core::idkey::id_key(s.id())).or_default();
            repeated.push(!seen.is_empty());
            seen.push(format!("{file}:{}", s.line));
        }
        rows.push(repeated);
    }
    occurrences.retain(|_, v| v.len() > 1);
    let mut tallies = Tallies {
        by_district: vec![Summary::default(); districts.work.len()],
        by_grid: vec![Summary::default(); grids.as_ref().map_or(0, |g| g.work.len())],
        ..Default::default()
    };
    let mut cells = BTreeMap::new();
    for (l, p) in layers.iter().zip(&placed) {
        for (s, a) in l.sites.iter().zip(p) {
            tallies.total.add(s.level, None);
            match a.district {
                Some(d) => tallies.by_district[d.get()].add(s.level, None),
                None => tallies.unassigned.add(s.level, None),
            }
            match a.grid {
                Some(g) => tallies.by_grid[g.get()].add(s.level, None),
                None => tallies.outside_grid += 1,
            }
            let cell: &mut (_, Summary) =
                cells.entry((std::cmp::Reverse(a.cell.row), a.cell.col)).or_insert((a.cell, Summary::default()));
            cell.1.add(s.level, None);
        }
    }
    tallies.cells = cells.into_values().collect();
    let census = Census { layers, files, placed, duplicates: Duplicates { rows, occurrences }, streamed: None };
    HandCensus { cfg, work, districts, grids, census, tallies }
}

#[test]
fn the_round_being_built_is_its_written_files_and_the_analysis_writes_the_build_s_changes() {
    use sisetu_engine::analysis::changes::{self, Round};
    use sisetu_engine::analysis::{Context, LoadContext};
    use sisetu_engine::observer::Silent;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_demo_inputs(dir);
    sisetu(dir, &["build", "sisetu.toml", "--quiet"]).expect_code(0);
    let run = sisetu(dir, &["build", "sisetu_2025.toml", "--out", "one"]);
    run.expect_code(0);
    let out = dir.join("one");
    let report = read_json(&out.join("report.json"));
    let work = report["working_crs"].as_str().unwrap().parse().unwrap();
    let h = hand_census(&dir.join("sisetu_2025.toml"), work);
    let ctx = Context {
        cfg: &h.cfg,
        work: h.work,
        districts: &h.districts,
        grids: h.grids.as_ref(),
        census: &h.census,
        tallies: &h.tallies,
        out_dir: &out,
    };

    // The round in memory has exactly the values of its written files.
    let built = Round::from_context(&ctx).unwrap();
    let written = Round::load(&out).unwrap();
    assert_eq!(built.meta, written.meta);
    assert_eq!(built.sites.len(), written.sites.len());
    for (b, w) in built.sites.iter().zip(&written.sites) {
        assert_eq!(b, w);
    }
    assert!(built.districts == written.districts, "districts differ from districts.geojson");
    assert!(built.grids == written.grids, "grids differ from grids.geojson");
    assert_eq!(built.cells, written.cells);
    assert_eq!((built.sites_sha256, built.report_sha256), (None, None));

    // The analysis, from the previous round read at load time to its files: the build's bytes.
    let lctx =
        LoadContext { cfg: &h.cfg, work: h.work, districts: &h.districts, grids: h.grids.as_ref(), out_dir: &out };
    let analysis = changes::load(&lctx, &Silent).unwrap().expect("the project has a [previous] round");
    assert_eq!(analysis.name(), "changes");
    let findings = analysis.run(&ctx, &Silent).unwrap();
    let mut stage = sisetu_io::write::Staging::new(&dir.join("analysis")).unwrap();
    let mut files = findings.write(&ctx, &mut stage).unwrap();
    files.extend(findings.draw(&ctx, &mut stage).unwrap());
    stage.commit().unwrap();
    assert_eq!(files.len(), 11, "{files:?}");
    for f in &files {
        let (a, b) = (std::fs::read(dir.join("analysis").join(f)).unwrap(), std::fs::read(out.join(f)).unwrap());
        assert!(a == b, "{f}: {}", first_difference(&a, &b).unwrap_or_default());
    }
    // The section is report.json's, but for the hash of the new round's sites.geojson, which
    // is not written yet when the analysis runs (and the folders, named as given).
    let section = findings.section().unwrap();
    let mut want = report["changes"].clone();
    want["new"]["sites_sha256"] = serde_json::Value::Null;
    for side in ["old", "new"] {
        let (got, was) = (section[side]["dir"].as_str().unwrap(), want[side]["dir"].as_str().unwrap());
        assert!(Path::new(got).ends_with(was), "{side}: {got} is not {was}");
        want[side]["dir"] = section[side]["dir"].clone();
    }
    assert_eq!(section, want);
    for line in findings.lines() {
        assert!(run.stderr.contains(&line), "{line}\n{}", run.describe());
    }
    assert!(
        findings.problems().iter().any(|p| p.contains("now name a different enterprise")),
        "{:?}",
        findings.problems()
    );
}
