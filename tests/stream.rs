//! The streamed census (`--stream`, `pipeline/stream.rs`) against the census in memory,
//! through the real binary: on a site file larger than a read segment (64 MiB) and a sort
//! block (1,048,576 sites), with repeated ids across segments, blocks and files, rejected
//! rows in every segment, categories, and the real 乌鲁木齐 districts, every output is the
//! same byte for byte; a project that needs every site at once is refused with the reason.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::*;
use std::fmt::Write as _;
use std::path::Path;

/// Rows of the large file: more than one sort block, and more than one read segment.
const ROWS: usize = 1_150_000;

/// Writes `sites.csv` (ROWS rows) and `more.csv` (a second layer repeating ids of the first).
fn write_sites(dir: &Path) {
    let levels = ["重大风险", "较大风险", "一般风险", "低风险"];
    let cats = ["危化", "工贸", "", "消防"];
    let mut s = String::with_capacity(ROWS * 80);
    s.push_str("统一社会信用代码,企业名称,经度,纬度,风险等级,行业\n");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..ROWS {
        let (lon, lat) = (86.8 + 1.9 * next(), 42.9 + 2.1 * next());
        let id = match i {
            // An id of the first segment, again in the last segment and block (case and
            // blanks differ: the same id key).
            1_100_000 => " s00000003".to_string(),
            1_000_001 => "S00000007".to_string(),
            _ => format!("S{i:08}"),
        };
        if i % 97_001 == 50 {
            writeln!(s, "{id},坏行{i},abc,{lat:.6},一般风险,工贸").unwrap();
            continue;
        }
        writeln!(s, "{id},企业{i},{lon:.6},{lat:.6},{},{}", levels[i % 4], cats[i % 4]).unwrap();
    }
    write(dir, "sites.csv", s);
    write(
        dir,
        "more.csv",
        "id,name,lon,lat,grade\nS00000011,另一家,87.6,43.8,较大风险\nX1,新厂,87.5,43.9,低风险\nX2,坏,87.5,,低风险\n",
    );
}

fn project(dir: &Path, sites_format: &str, register: bool) {
    let districts = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/urumqi/districts.geojson");
    std::fs::copy(districts, dir.join("districts.geojson")).unwrap();
    let toml = format!(
        r#"[project]
title = "streamed"
output = "out"
[districts]
path = "districts.geojson"
crs = "GCJ-02"
id = "adcode"
name = "name"
[[sites]]
path = "sites.csv"
crs = "EPSG:4490"
[[sites]]
path = "more.csv"
crs = "EPSG:4490"
[grid]
cell_size_m = 1000
[register]
enabled = {register}
[outputs]
sites = "{sites_format}"
[[maps]]
file = "map_districts.png"
layers = ["districts"]
[[maps]]
file = "map_cells.png"
layers = ["cells"]
"#
    );
    write(dir, "p.toml", toml);
}

#[test]
fn a_streamed_census_gives_the_same_bytes_as_one_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(dir.path());
    for format in ["geoparquet", "geojson"] {
        project(dir.path(), format, false);
        // Rows were rejected: exit 1 under --strict, 0 without.
        sisetu(dir.path(), &["build", "p.toml", "--out", "mem", "--stream", "never", "--quiet"]).expect_code(0);
        sisetu(dir.path(), &["build", "p.toml", "--out", "str", "--stream", "always", "--quiet"]).expect_code(0);
        let (mem, streamed) = (snapshot(&dir.path().join("mem")), snapshot(&dir.path().join("str")));
        assert_same_snapshot(&mem, &streamed, &format!("sites = {format}: --stream never vs always"));
        let report = read_json(&dir.path().join("str/report.json"));
        assert_rows_balance(&report);
        assert_eq!(report["sites"][0]["rows_read"], ROWS as u64);
        assert_eq!(report["sites"][0]["rejected"], 12);
        assert_eq!(report["sites"][0]["duplicate_ids"], 2);
        assert_eq!(report["sites"][1]["duplicate_ids"], 1);
        let ids: Vec<&str> =
            report["duplicate_ids"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["S00000003", "S00000007", "S00000011"], "{}", report["duplicate_ids"]);
        assert_eq!(
            report["duplicate_ids"][0]["rows"],
            serde_json::json!(["sites.csv:5", "sites.csv:1100002"]),
            "physical lines, first one first"
        );
        std::fs::remove_dir_all(dir.path().join("mem")).unwrap();
        std::fs::remove_dir_all(dir.path().join("str")).unwrap();
    }
    // `check` streams too, and finds the same rejected rows (exit 1).
    let out = sisetu(dir.path(), &["check", "p.toml", "--stream", "always"]);
    out.expect_code(1);
    assert!(!dir.path().join("out").exists(), "check wrote nothing");
}

#[test]
fn a_project_that_needs_every_site_is_not_streamed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sites.csv", "id,lon,lat,grade\nA,87.6,43.8,重大风险\n");
    write(dir.path(), "more.csv", "id,lon,lat,grade\nB,87.6,43.8,低风险\n");
    project(dir.path(), "geojson", true);
    sisetu(dir.path(), &["build", "p.toml", "--stream", "always"])
        .expect_code(2)
        .expect_stderr("the register analysis uses every site at once");
    // `auto` holds it in memory.
    sisetu(dir.path(), &["build", "p.toml", "--quiet"]).expect_code(0);
    assert!(dir.path().join("out/register.csv").exists());
}
