//! A census round whose site file has no id column, compared with the previous round: the
//! build says at once that its sites are followed by name and location only, and they are.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::{sisetu, write};

#[test]
fn a_layer_without_ids_is_named_when_rounds_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "d.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"A","name":"甲区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.8],[87.6,43.8],[87.6,43.9],[87.5,43.9],[87.5,43.8]]]}}]}"#,
    );
    write(d, "s.csv", "企业名称,经度,纬度,风险等级\n甲厂,87.55,43.85,重大风险\n乙厂,87.52,43.82,低风险\n");
    let project = |output: &str, previous: &str| {
        format!(
            "[project]\ntitle = \"t\"\noutput = \"{output}\"\n[districts]\npath = \"d.geojson\"\ncrs = \"EPSG:4490\"\nid = \"id\"\n\
             name = \"name\"\n[[sites]]\npath = \"s.csv\"\ncrs = \"EPSG:4490\"\n[register]\nenabled = false\n{previous}"
        )
    };
    write(d, "r1.toml", project("r1", ""));
    write(d, "r2.toml", project("r2", "[previous]\noutput = \"r1\"\n"));
    let first = sisetu(d, &["build", "r1.toml"]);
    first.expect_code(0);
    assert!(!first.stderr.contains("no id column"), "no [previous]: nothing to follow\n{}", first.stderr);
    sisetu(d, &["build", "r2.toml"]).expect_code(0).expect_stderr("s.csv: no id column");
    // The same two sites, without ids: followed by name and location, not unmatched.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r2/report.json")).unwrap()).unwrap();
    let sites = &report["changes"]["sites"];
    assert_eq!((sites["matched_by_name"].as_u64(), sites["unmatched"].as_u64()), (Some(2), Some(0)), "{sites}");
    assert_eq!(sites["unchanged"].as_u64(), Some(2), "{sites}");
}
