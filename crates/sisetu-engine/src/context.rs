//! What the analyses, outputs and maps work on: the project, the polygon layers and, after
//! assignment, the census with its counts. Read-only views built by the pipeline.

use crate::census::{Census, Tallies};
use crate::layers::ZoneLayer;
use crate::project::Config;
use sisetu_io::crs::Crs;
use std::path::Path;

/// What an analysis's loader may use: the project and the polygon layers, already read.
pub struct LoadContext<'a> {
    /// The validated project.
    pub cfg: &'a Config,
    /// The working CRS of all computations.
    pub work: Crs,
    /// The districts.
    pub districts: &'a ZoneLayer,
    /// The management grids, when the project has them.
    pub grids: Option<&'a ZoneLayer>,
    /// The output folder of this build (the one named in reports; `check` writes nothing).
    pub out_dir: &'a Path,
}

/// What an analysis runs on: the loaded, assigned and tallied census.
pub struct Context<'a> {
    /// The validated project.
    pub cfg: &'a Config,
    /// The working CRS of all computations.
    pub work: Crs,
    /// The districts.
    pub districts: &'a ZoneLayer,
    /// The management grids, when the project has them.
    pub grids: Option<&'a ZoneLayer>,
    /// Every site, with its place and repeated ids.
    pub census: &'a Census,
    /// Counts per district, grid and cell.
    pub tallies: &'a Tallies,
    /// The output folder of this build.
    pub out_dir: &'a Path,
}
