//! The demo's synthetic data, seeded and deterministic: the census rounds, management grids,
//! shelters, residential compounds and candidate sites of `geodata/urumqi/`, and the scenes
//! of the benchmarks. Not shipped (`publish = false`): the `sisetu` binary does not depend on
//! it, so `rand` is no runtime dependency.
//!
//! * [`synth`]: the 2024 census (3,000 sites, 13 deliberately bad rows) and the benchmark CSV.
//! * [`synth_rounds`]: the 2025 round derived from it, and the management grids.
//! * [`synth_facilities`]: shelters, residential compounds and siting candidates.
//! * [`synth_layers`]: schools, hazardous-chemical enterprises and a gas pipeline for the
//!   separation rules.
//! * [`bench_scene`]: the coverage benchmark's scene.
#![allow(
    clippy::unwrap_used,
    reason = "generators over fixed seed tables: a failure is a bug in the tables, found by the tests"
)]

pub mod bench_scene;
pub mod synth;
pub mod synth_facilities;
pub mod synth_layers;
pub mod synth_rounds;
