//! The sisetu engine: from a project file to every table, map and check.
//!
//! Data flows one way (see ARCHITECTURE.md):
//!
//! ```text
//! project::Config ─▶ pipeline::load ─▶ pipeline::assign ─▶ analysis::* ─▶ outputs ─▶ maps
//! ```
//!
//! * [`project`]: the project file (TOML) → a validated [`project::Config`].
//! * [`layers`]: polygon layers (districts, management grids) read, projected and indexed.
//! * [`pipeline`]: `sisetu build` and `sisetu check`, stage by stage.
//! * [`analysis`]: the analyses (grid checks, facility coverage, census-round changes,
//!   register and table), each a typed result with its report section, lines and outputs.
//! * [`maps`]: the PNG maps drawn from the results.
//! * [`observer`]: how a run reports progress and warnings (the engine prints nothing).
//! * [`planned`]: the output files each writer declares, checked by [`outputs::plan`].

pub mod analysis;
pub mod census;
pub mod context;
pub mod error;
pub mod init;
pub mod layers;
pub mod maps;
pub mod observer;
pub mod outputs;
pub mod paths;
pub mod pipeline;
pub mod planned;
pub mod project;
pub mod round;
