//! The build's own outputs, written from the typed results: the area layers
//! (`districts.geojson`, `grids.geojson`, `cells.geojson`), `sites.geojson` (the site and
//! cell layers in the format of `[outputs]`: GeoJSON, GeoParquet, FlatGeobuf or none), and
//! the tables
//! (`summary.csv`, `table.csv`, `rejects.csv`). The analyses write theirs
//! ([`crate::analysis::Findings::write`]); `report.json` is written last by the pipeline.

mod areas;
pub(crate) mod columnar;
pub mod plan;
pub(crate) mod sites;
pub mod table;
mod tables;

use crate::analysis::Analysis;
use crate::context::Context;
use crate::error::Result;
use crate::observer::Observer;
use sisetu_io::write::Staging;

pub use plan::{OutputPlan, Planned};
pub use tables::{reject_rows, RejectRow};

/// The files [`write_core`] writes (and `report.json`), for the [`OutputPlan`]. The site
/// and cell layers are planned in the formats of `[outputs]`; with `sites` left out, both
/// `sites.geojson` and `sites.parquet` are planned (which one is written depends on the
/// number of sites).
pub fn core_files(cfg: &crate::project::Config) -> Vec<Planned> {
    use sisetu_io::output::{DISTRICTS, GRIDS, REPORT};
    let mut files: Vec<String> = vec![DISTRICTS.into()];
    if cfg.management_grid.is_some() {
        files.push(GRIDS.into());
    }
    files.extend(cfg.outputs.cells_format().file("cells"));
    files.extend(cfg.outputs.planned_sites());
    files.extend(
        ["summary.csv", "summary.xlsx", "table.csv", "table.xlsx", "rejects.csv", "rejects.xlsx", REPORT]
            .map(String::from),
    );
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
    if let Some(warning) = ctx.cfg.outputs.auto_warning(ctx.census.n_sites()).filter(|_| ctx.census.streamed.is_none())
    {
        obs.warn(&warning);
    }
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
