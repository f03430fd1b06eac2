//! sisetu (四色图): the library behind the `sisetu` binary.
//!
//! * [`project`]: the project file (TOML) → a validated [`project::Config`].
//! * [`build`]: the `sisetu build` job, from census files to every output.
//! * [`maps`]: the PNG maps (`[[maps]]`), after a build or re-rendered by `sisetu render`.
//! * [`synth`]: seeded synthetic census data for the demo and the benches.
//! * [`progress`]: progress bars and messages.

pub mod build;
pub mod maps;
pub mod progress;
pub mod project;
pub mod synth;
