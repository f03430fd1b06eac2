//! The build's own outputs, written from the typed results: the area layers
//! (`districts.geojson`, `grids.geojson`, `cells.geojson`), `sites.geojson`, and the tables
//! (`summary.csv`, `table.csv`, `rejects.csv`). The analyses write theirs
//! ([`crate::analysis::Findings::write`]); `report.json` is written last by the pipeline.

mod areas;
pub mod plan;
mod sites;
pub mod table;
mod tables;

use crate::analysis::Analysis;
use crate::context::Context;
use crate::error::Result;
use crate::observer::Observer;
use sisetu_io::write::Staging;

pub use plan::{OutputPlan, Planned};
pub use tables::{reject_rows, RejectRow};

/// The files [`write_core`] writes (and `report.json`), for the [`OutputPlan`].
pub fn core_files(cfg: &crate::project::Config) -> Vec<Planned> {
    use sisetu_io::output::{CELLS, DISTRICTS, GRIDS, REPORT, SITES};
    let mut files = vec![DISTRICTS, CELLS, SITES, "summary.csv", "table.csv", "rejects.csv", REPORT];
    if cfg.management_grid.is_some() {
        files.insert(1, GRIDS);
    }
    files.into_iter().map(|f| Planned::new(f, "sisetu itself")).collect()
}

/// Writes every core output into `stage`; returns the file names written.
pub fn write_core(
    ctx: &Context,
    analyses: &[Box<dyn Analysis>],
    stage: &mut Staging,
    obs: &dyn Observer,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    obs.stage("writing outputs");
    written.extend(areas::write_zone_layers(ctx, stage)?);
    obs.stage("writing cells");
    written.extend(areas::write_cells(ctx, stage)?);
    obs.stage("writing sites");
    written.extend(sites::write_sites(ctx, stage)?);
    obs.stage("writing tables");
    written.extend(tables::write_summary(ctx, stage)?);
    written.extend(tables::write_table(ctx, stage)?);
    written.extend(tables::write_rejects(ctx, analyses, stage)?);
    Ok(written)
}
