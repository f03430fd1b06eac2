//! Outputs never overwrite inputs or each other: the real binary on projects whose outputs
//! would clash (see `crates/sisetu-engine/src/outputs/plan.rs`).
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use common::*;

const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"W","name":"西区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}}
]}
"#;

const PROJECT: &str = "[project]\ntitle = \"t\"\noutput = \".\"\n\n[districts]\npath = \"districts.geojson\"\n\
crs = \"EPSG:4490\"\n\n[[sites]]\npath = \"sites.csv\"\ncrs = \"EPSG:4490\"\n";

#[test]
fn an_output_folder_holding_the_inputs_never_replaces_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    write(dir, "sites.csv", "id,lon,lat,grade\nS1,87.55,43.8,红\n");
    write(dir, "sisetu.toml", PROJECT);
    let before = snapshot(dir);
    let run = sisetu(dir, &["build", "sisetu.toml"]);
    run.expect_code(2)
        .expect_stderr("the output districts.geojson (written by sisetu itself) would overwrite the input")
        .expect_stderr("[districts] path")
        .expect_stderr("output = \"out\"");
    assert_eq!(snapshot(dir), before, "{}", run.describe());
    // `check` says the same.
    sisetu(dir, &["check", "sisetu.toml"]).expect_code(2).expect_stderr("would overwrite the input");
    // With the boundaries named otherwise, the project's folder is a fine output folder.
    std::fs::rename(dir.join("districts.geojson"), dir.join("boundaries.geojson")).unwrap();
    write(dir, "sisetu.toml", PROJECT.replace("districts.geojson", "boundaries.geojson"));
    sisetu(dir, &["build", "sisetu.toml"]).expect_code(0);
    assert_eq!(read_text(&dir.join("boundaries.geojson")), DISTRICTS);
    assert!(dir.join("districts.geojson").is_file());
}

#[test]
fn a_map_named_like_another_output_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    write(dir, "sites.csv", "id,lon,lat,grade\nS1,87.55,43.8,红\n");
    let project = PROJECT.replace("output = \".\"", "output = \"out\"");
    // A map per district (`d_W.png` for district W) and a map named `D_w.png`: one file on
    // Windows.
    let maps = "[[maps]]\nfile = \"d.png\"\nlayers = [\"districts\"]\nper_district = true\n\n[[maps]]\nfile = \"D_w.png\"\nlayers = [\"sites\"]\n";
    write(dir, "sisetu.toml", format!("{project}\n{maps}"));
    sisetu(dir, &["build", "sisetu.toml"])
        .expect_code(2)
        .expect_stderr("two outputs would be written as 'd_W.png' and 'D_w.png'")
        .expect_stderr("by [[maps]] file = \"d.png\" and by [[maps]] file = \"D_w.png\"");
    assert!(!dir.join("out").exists());
}
