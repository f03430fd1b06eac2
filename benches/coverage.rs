//! Facility-coverage benchmarks (issue: shelter coverage).
//!
//! * `coverage/1m_cells_10k_shelters`: 1,000,000 population cells (a 1,000 × 1,000 grid of
//!   100 m cells, 100 × 100 km, population 0–400 per cell with denser towns) and 10,000
//!   shelters (80 % 紧急 500 m, 18 % 固定 2,000 m, 2 % 中心 3,000 m, capacities from areas):
//!   radius coverage (`FacilityIndex::reach_all`) **and** nearest-first capacity assignment
//!   (`allocate`), the job the issue times (target < 2 s).
//! * `coverage/reach_only`, `coverage/allocate_only`: the two halves.
//! * `siting/greedy_50_of_20k`: 50 new sites from 20,000 candidates over the uncovered cells.
//!
//! The scene is `sisetu_demo::bench_scene::coverage_bench_scene(42)`; `benches/peer/
//! run_coverage_peers.sh` times the same job against GeoPandas/shapely on it.
//!
//! Run: `cargo bench --bench coverage`.
#![allow(missing_docs, clippy::print_stderr, reason = "criterion generates the entry points; a bench prints its scene")]
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sisetu_core::coverage::{allocate, Demand, FacilityIndex};
use sisetu_core::siting::greedy_cover;
use sisetu_demo::bench_scene::{coverage_bench_scene, COVERAGE_SCENE_CELL as CELL, COVERAGE_SCENE_SIDE as SIDE};

fn bench(c: &mut Criterion) {
    let (demand, shelters) = coverage_bench_scene(42);
    let mut g = c.benchmark_group("coverage");
    g.sample_size(10);
    g.throughput(Throughput::Elements(demand.len() as u64));
    g.bench_function("1m_cells_10k_shelters", |b| {
        b.iter(|| {
            let index = FacilityIndex::new(&shelters).unwrap();
            let reach = index.reach_all(&demand);
            allocate(&reach, &demand, &shelters)
        });
    });
    let index = FacilityIndex::new(&shelters).unwrap();
    let reach = index.reach_all(&demand);
    eprintln!(
        "scene: {} cells, {} shelters, {} pairs within reach, {:.1} % of cells covered",
        demand.len(),
        shelters.len(),
        reach.pairs(),
        100.0 * (0..demand.len()).filter(|&i| reach.is_covered(i)).count() as f64 / demand.len() as f64
    );
    g.bench_function("reach_only", |b| b.iter(|| index.reach_all(&demand)));
    g.bench_function("allocate_only", |b| b.iter(|| allocate(&reach, &demand, &shelters)));
    g.finish();

    let uncovered: Vec<Demand> = (0..demand.len())
        .map(|i| if reach.is_covered(i) { Demand::new(demand[i].x, demand[i].y, 0.0) } else { demand[i] })
        .collect();
    let mut r = ChaCha8Rng::seed_from_u64(7);
    let candidates: Vec<[f64; 2]> =
        (0..20_000).map(|_| [r.gen_range(0.0..SIDE as f64 * CELL), r.gen_range(0.0..SIDE as f64 * CELL)]).collect();
    let mut g = c.benchmark_group("siting");
    g.sample_size(10);
    g.bench_function("greedy_50_of_20k", |b| b.iter(|| greedy_cover(&uncovered, &candidates, 500.0, 50)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
