//! sisetu (四色图): the library behind the `sisetu` binary.
//!
//! * [`project`]: the project file (TOML) → a validated [`project::Config`].
//! * [`build`]: the `sisetu build` job, from census files to every output.
//! * [`facilities`]: the `[population]` and `[[facilities]]` sections of the project file.
//! * [`coverage`]: shelter / facility coverage, capacity, siting; [`coverage_map`] draws it.
//! * [`grid_checks`]: grid-management checks (网格化覆盖率, gaps, overlaps, persons).
//! * [`maps`]: the PNG maps (`[[maps]]`), after a build or re-rendered by `sisetu render`.
//! * [`synth`]: seeded synthetic census data for the demo and the benches.
//! * [`bench_scene`]: the seeded scene of the coverage benchmark, and its CSV export.
//! * [`progress`]: progress bars and messages.
//! * [`diff`]: `sisetu diff`: changes between two census rounds' outputs.
//! * [`register`]: the register (一册): `register.csv` and the printable `register.html`.
//! * [`table`]: the table (一表): `table.csv`, districts × levels and × categories.
//! * [`synth_rounds`]: the demo's second census round and its management-grid layer.

pub mod bench_scene;
pub mod build;
pub mod coverage;
pub mod coverage_map;
pub mod diff;
pub mod facilities;
pub mod grid_checks;
pub mod maps;
pub mod progress;
pub mod project;
pub mod register;
pub mod synth;
pub mod synth_facilities;
pub mod synth_rounds;
pub mod table;
