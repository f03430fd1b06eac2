//! `[outputs]` with the columnar formats, end to end: the demo built by the real binary with
//! `sites`/`cells` = `"geoparquet"`, `"flatgeobuf"` and `"none"`, and the files checked
//!
//! * with Rust: the GeoParquet read back (rows, the `geo` metadata, the CRS, the values of
//!   `sites.geojson`), the FlatGeobuf header (feature count, CRS, packed R-tree index);
//!   `sisetu render` and `sisetu diff` reading the GeoParquet round exactly as the GeoJSON one;
//! * with `ogrinfo` when it is on PATH (feature count, CRS, a bounding-box query);
//! * with Python when `SISETU_PY` names one with geopandas and duckdb
//!   (`geopandas.read_parquet`, `crs.to_epsg()`, DuckDB `count(*)`).
//!
//! A check whose tool is missing prints which check was skipped; CI installs both.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]
#![allow(clippy::print_stderr, reason = "a skipped check says so")]

mod common;

use common::{copy_demo_inputs, oracle_python, read_json, sisetu, snapshot};
use sisetu_io::columnar::read::ParquetTable;
use sisetu_io::columnar::WkbGeometry;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The demo's 2024 project with `[outputs]` appended.
fn project(dir: &Path, name: &str, outputs: &str) {
    let base = std::fs::read_to_string(dir.join("sisetu.toml")).unwrap();
    std::fs::write(dir.join(name), format!("{base}\n[outputs]\n{outputs}\n")).unwrap();
}

/// Site id and line → (lon, lat) of `sites.geojson`.
fn geojson_sites(path: &Path) -> BTreeMap<(String, u64), (f64, f64)> {
    let g = read_json(path);
    g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let c = &f["geometry"]["coordinates"];
            (
                (p["id"].as_str().unwrap().to_string(), p["line"].as_u64().unwrap()),
                (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()),
            )
        })
        .collect()
}

fn on_path(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn geoparquet_and_flatgeobuf_outputs_are_read_by_sisetu_gdal_and_python() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_demo_inputs(dir);
    project(dir, "pq.toml", "sites = \"geoparquet\"\ncells = \"geoparquet\"");
    project(dir, "fgb.toml", "sites = \"flatgeobuf\"\ncells = \"flatgeobuf\"");
    sisetu(dir, &["build", "sisetu.toml", "--out", "gj", "--quiet"]).expect_code(0);
    sisetu(dir, &["build", "pq.toml", "--out", "pq", "--quiet"]).expect_code(0);
    sisetu(dir, &["build", "fgb.toml", "--out", "fgb", "--quiet", "--threads", "1"]).expect_code(0);
    let (gj, pq, fgb) = (dir.join("gj"), dir.join("pq"), dir.join("fgb"));

    // Each build wrote its formats, listed in report.json, and nothing of the others.
    let report = read_json(&pq.join("report.json"));
    let accepted = report["totals"]["accepted"].as_u64().unwrap();
    let cells = report["totals"]["cells"].as_u64().unwrap();
    let outputs: Vec<&str> = report["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(outputs.contains(&"sites.parquet") && outputs.contains(&"cells.parquet"), "{outputs:?}");
    assert!(!pq.join("sites.geojson").exists() && !pq.join("cells.geojson").exists());
    assert!(fgb.join("sites.fgb").is_file() && fgb.join("cells.fgb").is_file() && !fgb.join("sites.geojson").exists());
    // The other outputs are those of the GeoJSON build, byte for byte.
    let (a, b) = (snapshot(&gj), snapshot(&pq));
    for name in ["summary.csv", "table.csv", "rejects.csv", "register.csv", "districts.geojson", "map_sites.png"] {
        assert!(a[name] == b[name], "{name} differs between the GeoJSON and the GeoParquet build");
    }

    // (a) Rust: the GeoParquet file read back.
    let table = ParquetTable::open(&pq.join("sites.parquet"), "sites.parquet").unwrap();
    assert_eq!(table.rows(), accepted);
    assert_eq!(
        table.columns(),
        ["id", "name", "category", "grade", "level", "district_id", "grid_id", "cell_id", "duplicate_id", "line"]
    );
    assert_eq!(table.epsg(), Some(4326));
    let geo: serde_json::Value = serde_json::from_str(table.geo().unwrap()).unwrap();
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let g = &geo["columns"]["geometry"];
    assert_eq!((g["encoding"].as_str(), g["geometry_types"][0].as_str()), (Some("WKB"), Some("Point")));
    assert_eq!(g["crs"]["id"], serde_json::json!({"authority": "EPSG", "code": 4326}));
    assert_eq!(g["covering"]["bbox"]["xmin"], serde_json::json!(["bbox", "xmin"]));
    let bbox: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let want = geojson_sites(&gj.join("sites.geojson"));
    let mut got = BTreeMap::new();
    table
        .for_each_row(|_, c, g| {
            let Some(WkbGeometry::Point(x, y)) = g else { panic!("not a point: {g:?}") };
            assert!(x >= bbox[0] && y >= bbox[1] && x <= bbox[2] && y <= bbox[3]);
            got.insert((c[0].clone().unwrap(), c[9].as_deref().unwrap().parse::<u64>().unwrap()), (x, y));
        })
        .unwrap();
    assert_eq!(got.len(), want.len());
    for (k, (x, y)) in &want {
        let (gx, gy) = got[k];
        assert!((gx - x).abs() <= 5e-8 && (gy - y).abs() <= 5e-8, "{k:?}: {gx},{gy} vs {x},{y}");
    }
    // Cells too.
    let cells_table = ParquetTable::open(&pq.join("cells.parquet"), "cells.parquet").unwrap();
    assert_eq!(cells_table.rows(), cells);

    // The same rows give the same bytes whatever the thread count.
    sisetu(dir, &["build", "pq.toml", "--out", "pq1", "--quiet", "--threads", "1"]).expect_code(0);
    let one = snapshot(&dir.join("pq1"));
    assert!(one["sites.parquet"] == b["sites.parquet"] && one["cells.parquet"] == b["cells.parquet"]);

    // render and diff read the GeoParquet round as the GeoJSON one: the same maps, and the
    // same changes (only the ids repeated within a round, which never match) as between the
    // GeoJSON round and itself.
    sisetu(dir, &["render", "pq.toml", "--out", "pq", "--quiet"]).expect_code(0);
    sisetu(dir, &["render", "sisetu.toml", "--out", "gj", "--quiet"]).expect_code(0);
    let (a, b) = (snapshot(&gj), snapshot(&pq));
    for name in ["map_cells.png", "map_sites.png", "map_districts.png"] {
        assert!(a[name] == b[name], "{name}: rendered from GeoParquet differs from GeoJSON");
    }
    sisetu(dir, &["diff", "gj", "pq", "--out", "d", "--quiet"]).expect_code(0);
    sisetu(dir, &["diff", "gj", "gj", "--out", "d_self", "--quiet"]).expect_code(0);
    let changes = std::fs::read_to_string(dir.join("d/changes.csv")).unwrap();
    assert_eq!(changes, std::fs::read_to_string(dir.join("d_self/changes.csv")).unwrap());
    assert!(changes.lines().skip(1).all(|l| l.contains(",unmatched,")), "{changes}");

    // FlatGeobuf: the header, in Rust.
    let file = std::io::BufReader::new(std::fs::File::open(fgb.join("sites.fgb")).unwrap());
    let reader = flatgeobuf::FgbReader::open(file).unwrap();
    let h = reader.header();
    assert_eq!(h.features_count(), accepted);
    assert!(h.index_node_size() > 0, "a packed Hilbert R-tree index");
    assert_eq!(h.crs().map(|c| c.code()), Some(4326));
    // A FlatGeobuf round cannot be rendered: the error says how to rebuild it.
    let run = sisetu(dir, &["render", "fgb.toml", "--out", "fgb"]);
    run.expect_code(2).expect_stderr("sites.fgb (FlatGeobuf)");

    // (b) ogrinfo.
    if on_path("ogrinfo") {
        let info = |args: &[&str]| {
            let o = Command::new("ogrinfo").args(args).output().unwrap();
            assert!(o.status.success(), "ogrinfo {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let path = fgb.join("sites.fgb").display().to_string();
        let text = info(&["-so", "-al", &path]);
        assert!(text.contains(&format!("Feature Count: {accepted}")), "{text}");
        assert!(text.contains("Geometry: Point") && text.contains("ID[\"EPSG\",4326]"), "{text}");
        // A bounding-box query (answered through the index) finds the sites in the box.
        let bx = [87.55, 43.75, 87.65, 43.85];
        let inside = got.values().filter(|(x, y)| *x >= bx[0] && *y >= bx[1] && *x <= bx[2] && *y <= bx[3]).count();
        let spat: Vec<String> = bx.iter().map(ToString::to_string).collect();
        let text = info(&["-so", "-al", &path, "-spat", &spat[0], &spat[1], &spat[2], &spat[3]]);
        assert!(text.contains(&format!("Feature Count: {inside}")), "{inside} sites in the box:\n{text}");
        let text = info(&["-so", "-al", &fgb.join("cells.fgb").display().to_string()]);
        assert!(text.contains(&format!("Feature Count: {cells}")) && text.contains("Geometry: Polygon"), "{text}");
        // GDAL reads GeoParquet only when built with Arrow (not Debian's gdal-bin 3.6).
        let o = Command::new("ogrinfo").args(["-so", "-al"]).arg(pq.join("sites.parquet")).output().unwrap();
        if o.status.success() {
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(text.contains(&format!("Feature Count: {accepted}")), "{text}");
        } else {
            eprintln!("skipped: the ogrinfo check of sites.parquet (this GDAL has no Parquet driver)");
        }
    } else {
        assert!(
            std::env::var_os("SISETU_REQUIRE_PY").is_none(),
            "SISETU_REQUIRE_PY is set (CI) but ogrinfo is not on PATH"
        );
        eprintln!("skipped: the ogrinfo check of sites.fgb (ogrinfo is not on PATH; apt-get install gdal-bin)");
    }

    // (c) geopandas and DuckDB.
    if let Some(py) = oracle_python("the geopandas/DuckDB check of sites.parquet") {
        let script = r#"
import sys, geopandas, duckdb
path = sys.argv[1]
g = geopandas.read_parquet(path)
n = duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]
c = geopandas.read_parquet(sys.argv[2])
print(len(g), g.crs.to_epsg(), n, len(c), c.crs.to_epsg(), ",".join(sorted(set(g.geom_type))))
"#;
        let o = Command::new(py)
            .args(["-c", script])
            .arg(pq.join("sites.parquet"))
            .arg(pq.join("cells.parquet"))
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
        let f: Vec<&str> = out.split_whitespace().collect();
        let n = accepted.to_string();
        assert_eq!(f[0], n, "geopandas rows: {out}");
        assert!(f[1] == "4326" || f[1] == "4490", "geopandas crs.to_epsg(): {out}");
        assert_eq!(f[2], n, "DuckDB count(*): {out}");
        assert_eq!((f[3], f[4], f[5]), (cells.to_string().as_str(), f[1], "Point"), "{out}");
    }
}

#[test]
fn without_per_site_output_render_and_diff_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_demo_inputs(dir);
    project(dir, "none.toml", "sites = \"none\"");
    sisetu(dir, &["build", "none.toml", "--out", "none", "--quiet"]).expect_code(0);
    let out = dir.join("none");
    assert!(!out.join("sites.geojson").exists() && !out.join("sites.parquet").exists());
    assert!(out.join("cells.geojson").is_file());
    let report = read_json(&out.join("report.json"));
    assert!(report["outputs"].as_array().unwrap().iter().all(|f| !f.as_str().unwrap().starts_with("sites.")));
    let wanted = "the round has no per-site output ([outputs] sites = \"none\")";
    sisetu(dir, &["render", "none.toml", "--out", "none"]).expect_code(2).expect_stderr(wanted);
    sisetu(dir, &["diff", "none", "none", "--out", "d"]).expect_code(2).expect_stderr(wanted);

    // A build switching a layer's format leaves no file of the other format behind.
    project(dir, "pq.toml", "sites = \"geoparquet\"");
    sisetu(dir, &["build", "sisetu.toml", "--out", "switch", "--quiet"]).expect_code(0);
    assert!(dir.join("switch/sites.geojson").is_file());
    sisetu(dir, &["build", "pq.toml", "--out", "switch", "--quiet"]).expect_code(0);
    assert!(dir.join("switch/sites.parquet").is_file() && !dir.join("switch/sites.geojson").exists());

    // A bad value names the key, the value and the choices.
    project(dir, "bad.toml", "sites = \"shp\"");
    sisetu(dir, &["check", "bad.toml"])
        .expect_code(2)
        .expect_stderr("[outputs] sites = \"shp\": use \"geojson\", \"geoparquet\"");
}
