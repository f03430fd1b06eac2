//! Grid-management check benchmarks (issue: census rounds and grid checks).
//!
//! * `gridcheck/urumqi_144_grids`: the demo's 8 乌鲁木齐 districts (GCJ-02, densified and
//!   projected to EPSG:4538 as a build does) against its 144 management grids with their
//!   deliberate gaps and overlaps.
//! * `gridcheck/urumqi_1km_squares`: the same districts against every 1 km square (in
//!   EPSG:4538) whose centre lies in a district, about 13,800 squares: a city-wide grid layer
//!   with ragged gaps along the boundary, grid area spilling outside it, and some 55,000
//!   neighbouring pairs whose intersections must be computed (all of zero area).
//!
//! Both time `sisetu_core::gridcheck::grid_coverage` (union of the districts, covered share,
//! gaps, pairwise overlaps, outside area) with a 100 m² sliver threshold. With
//! `SISETU_SCENE_OUT=DIR` the scenes are also written to `DIR/<scene>.geojson` (metres,
//! `layer` = district / grid) for `benches/peer/gridcheck_peer.py`, which times the same job
//! with shapely 2 (GEOS).
//!
//! Run: `cargo bench --bench gridcheck`.
#![allow(missing_docs, clippy::print_stderr, reason = "criterion generates the entry points; a bench prints its scene")]
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use criterion::{criterion_group, criterion_main, Criterion};
use geo::{BoundingRect, MultiPolygon, Polygon};
use sisetu_core::gridcheck::grid_coverage;
use sisetu_io::crs::Crs;
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::ZoneLayerSpec;
use std::io::Write;
use std::path::Path;

fn layer(file: &str, id: &str, name: &str) -> Vec<MultiPolygon<f64>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/urumqi").join(file);
    let spec = ZoneLayerSpec {
        display: path.display().to_string(),
        path,
        id: Some(id.into()),
        name: Some(name.into()),
        extra: vec![],
        encoding: TextEncoding::Auto,
    };
    let l = sisetu_engine::layers::load_zone_layer(&spec, Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    l.work.into_iter().map(|z| z.geometry).collect()
}

/// Every `side` square whose centre lies in one of `districts`.
fn squares(districts: &[MultiPolygon<f64>], side: f64) -> Vec<MultiPolygon<f64>> {
    let zones: Vec<sisetu_core::Zone> = districts.iter().map(|g| sisetu_core::Zone::new("", "", g.clone())).collect();
    let index = sisetu_core::ZoneIndex::new(&zones);
    let bb = districts.iter().filter_map(BoundingRect::bounding_rect).reduce(|a, b| {
        geo::Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    });
    let bb = bb.unwrap();
    let mut out = Vec::new();
    let (c0, c1) = ((bb.min().x / side).floor() as i64, (bb.max().x / side).ceil() as i64);
    let (r0, r1) = ((bb.min().y / side).floor() as i64, (bb.max().y / side).ceil() as i64);
    for r in r0..r1 {
        for c in c0..c1 {
            let (x, y) = (c as f64 * side, r as f64 * side);
            if index.locate(x + side / 2.0, y + side / 2.0).is_some() {
                let ring = vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)];
                out.push(MultiPolygon(vec![Polygon::new(ring.into(), vec![])]));
            }
        }
    }
    out
}

fn export(dir: &str, scene: &str, districts: &[MultiPolygon<f64>], grids: &[MultiPolygon<f64>]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(Path::new(dir).join(format!("{scene}.geojson"))).unwrap());
    write!(f, "{{\"type\":\"FeatureCollection\",\"features\":[").unwrap();
    let mut first = true;
    for (kind, layer) in [("district", districts), ("grid", grids)] {
        for mp in layer {
            let polys: Vec<String> =
                mp.0.iter()
                    .map(|p| {
                        let rings: Vec<String> = std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(|r| {
                                let pts: Vec<String> = r.0.iter().map(|c| format!("[{},{}]", c.x, c.y)).collect();
                                format!("[{}]", pts.join(","))
                            })
                            .collect();
                        format!("[{}]", rings.join(","))
                    })
                    .collect();
            let sep = if first { "" } else { "," };
            first = false;
            write!(
                f,
                "{sep}\n{{\"type\":\"Feature\",\"properties\":{{\"layer\":\"{kind}\"}},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}}}",
                polys.join(",")
            )
            .unwrap();
        }
    }
    writeln!(f, "\n]}}").unwrap();
}

fn bench(c: &mut Criterion) {
    let districts = layer("districts.geojson", "adcode", "name");
    let grids = layer("grids.geojson", "网格编码", "网格名称");
    let squares = squares(&districts, 1000.0);
    let scenes = [("urumqi_144_grids", &grids), ("urumqi_1km_squares", &squares)];
    let out = std::env::var("SISETU_SCENE_OUT").ok();
    let mut g = c.benchmark_group("gridcheck");
    g.sample_size(10);
    for (name, grids) in scenes {
        let r = grid_coverage(&districts, grids, 100.0);
        eprintln!(
            "{name}: {} grids; share {:.6}, covered {:.3} km², {} gaps {:.3} km², {} overlaps {:.3} km², outside {:.3} km²",
            grids.len(),
            r.share,
            r.covered_area / 1e6,
            r.gaps.len(),
            r.gaps.iter().map(|p| p.area).sum::<f64>() / 1e6,
            r.overlaps.len(),
            r.overlaps.iter().map(|o| o.area).sum::<f64>() / 1e6,
            r.outside_area / 1e6
        );
        if let Some(dir) = &out {
            export(dir, name, &districts, grids);
        }
        g.bench_function(name, |b| b.iter(|| grid_coverage(&districts, grids, 100.0)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
