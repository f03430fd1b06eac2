//! End-to-end and kernel benchmarks.
//!
//! * `build/1m_sites_urumqi`: 1,000,000 sites (CSV, EPSG:4490) into the 8 detailed
//!   乌鲁木齐市 districts plus a 500 m grid, from CSV to every output (districts, cells and
//!   sites GeoJSON, summary, rejects, report): the same job the peers in `benches/peer/`
//!   run with GeoPandas and SedonaDB.
//! * `check/1m_sites_urumqi`: `sisetu check` on the same project: everything but the outputs.
//! * `locate/urumqi_districts_gcj02`: the indexed point-in-polygon kernel alone.
//! * `national/{1m,10m}_sites_2875_counties` (when `SISETU_NATIONAL_DIR` names a folder that
//!   `benches/national.sh` kept with `KEEP_OUT=1`: `districts.geojson`, `n<rows>/sites.csv`):
//!   China's 2,875 counties in lon/lat, 5 km cells in Albers:105E, sites as GeoParquet, the
//!   job `benches/national.sh` times against GeoPandas and SedonaDB.
//!
//! Run: `cargo bench --bench build`. Compare with the peers: `benches/compare.sh` (city) and
//! `benches/national.sh` (nation).
#![allow(missing_docs, clippy::print_stderr, reason = "criterion generates the entry points; a bench prints its scene")]
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sisetu_engine::observer::Silent;
use sisetu_engine::pipeline::{self as build, BuildOptions};
use sisetu_engine::project::Config;
use std::path::{Path, PathBuf};

const N: usize = 1_000_000;

/// Writes the benchmark project into `dir` and returns the project file.
fn setup(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("geodata/urumqi/districts.geojson"), dir.join("districts.geojson")).unwrap();
    let f = std::io::BufWriter::new(std::fs::File::create(dir.join("sites.csv")).unwrap());
    sisetu_demo::synth::write_bench_csv(N, 7, f).unwrap();
    let project = dir.join("bench.toml");
    std::fs::write(
        &project,
        r#"
# The peers draw no maps: no standard maps either, so that the jobs are the same.
maps = []
[project]
title = "bench"
output = "out"
[districts]
path = "districts.geojson"
crs = "GCJ-02"
id = "adcode"
name = "name"
[[sites]]
path = "sites.csv"
crs = "EPSG:4490"
[grid]
cell_size_m = 500
# The peers make no register: leave it out so that the jobs are the same.
[register]
enabled = false
"#,
    )
    .unwrap();
    project
}

fn bench_build(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let project = setup(dir.path());
    let cfg = Config::load(&project).unwrap();
    let mut g = c.benchmark_group("build");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("1m_sites_urumqi", |b| b.iter(|| build::build(&cfg, &BuildOptions::default(), &Silent).unwrap()));
    g.finish();
    // `sisetu check`: the same load, assignment and analyses, nothing written.
    let mut g = c.benchmark_group("check");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("1m_sites_urumqi", |b| b.iter(|| build::check(&cfg, &BuildOptions::default(), &Silent).unwrap()));
    g.finish();

    // The kernel: locate 1M sites (lon/lat, and their working coordinates) against the
    // districts in the districts' own CRS (GCJ-02 here: each site converted into it).
    let districts = &cfg.districts;
    let layer = sisetu_engine::layers::load_zone_layer(&districts.0, districts.1, sisetu_io::crs::Crs::from_epsg(4538))
        .unwrap();
    let t = sisetu_io::crs::Transformer::new(sisetu_io::crs::Crs::Wgs84, sisetu_io::crs::Crs::from_epsg(4538)).unwrap();
    let mut rdr = csv::Reader::from_path(dir.path().join("sites.csv")).unwrap();
    let pts: Vec<[f64; 4]> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            let (lon, lat): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
            let (x, y) = t.transform(lon, lat).unwrap();
            [lon, lat, x, y]
        })
        .collect();
    let mut g = c.benchmark_group("locate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(pts.len() as u64));
    g.bench_function("urumqi_districts_gcj02", |b| {
        b.iter(|| {
            use rayon::prelude::*;
            pts.par_iter().map(|p| layer.locate(p[0], p[1], p[2], p[3])).collect::<Vec<_>>()
        });
    });
    g.finish();
}

/// The national job on the inputs `benches/national.sh` made (see the module docs).
fn bench_national(c: &mut Criterion) {
    let Some(dir) = std::env::var_os("SISETU_NATIONAL_DIR").map(PathBuf::from) else {
        eprintln!(
            "national benches skipped: set SISETU_NATIONAL_DIR to a folder kept by `KEEP_OUT=1 benches/national.sh`"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("national");
    g.sample_size(10);
    for (rows, label) in [(1_000_000u64, "1m"), (10_000_000, "10m")] {
        let sites = dir.join(format!("n{rows}/sites.csv"));
        if !sites.is_file() {
            eprintln!("national/{label}: {} is missing, skipped", sites.display());
            continue;
        }
        let project = tmp.path().join(format!("national_{label}.toml"));
        std::fs::write(
            &project,
            format!(
                "maps = []\n[project]\ntitle = \"national\"\noutput = \"out_{label}\"\nworking_crs = \"Albers:105E\"\n\
                 [districts]\npath = {:?}\ncrs = \"EPSG:4490\"\nid = \"adcode\"\nname = \"name\"\n\
                 [[sites]]\npath = {:?}\ncrs = \"EPSG:4490\"\n[grid]\ncell_size_m = 5000\n\
                 [register]\nenabled = false\n[outputs]\nsites = \"geoparquet\"\n",
                dir.join("districts.geojson"),
                sites
            ),
        )
        .unwrap();
        let cfg = Config::load(&project).unwrap();
        g.throughput(Throughput::Elements(rows));
        g.bench_function(format!("{label}_sites_2875_counties"), |b| {
            b.iter(|| build::build(&cfg, &BuildOptions::default(), &Silent).unwrap());
        });
    }
    g.finish();
}

criterion_group!(benches, bench_build, bench_national);
criterion_main!(benches);
