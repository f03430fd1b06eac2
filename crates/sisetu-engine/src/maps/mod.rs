//! Maps: from the results (in memory after a build, or read back from the output folder by
//! `sisetu render`) to the PNG maps named in the project's `[[maps]]` entries, each with a
//! world file (`.pgw`), a `.prj` and a `.png.aux.xml` (the CRS as GDAL reads it) so that it
//! drops into QGIS in the right place.
//!
//! * [`common`]: font, footer, PNG + world file writer, cells as areas (shared with the
//!   analyses' own maps);
//! * [`risk`]: the `[[maps]]` risk maps;
//! * [`read`]: reading the outputs back (`sisetu render`).

pub mod classes;
pub mod coarsen;
pub mod common;
pub mod read;
pub mod risk;

pub use common::{cell_area, footer, load_font, map_files, render_fitting, write_rendered, zone_areas, MAP_EXTENSIONS};
pub use read::load_map_data;
pub use risk::{district_files, planned_files, render_maps};

use sisetu_core::{CellId, RegularGrid, RiskLevel};
use sisetu_render::{Area, SitePoint};

/// A non-empty regular cell as the maps draw it (or a block of cells, see [`coarsen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapCell {
    /// Column and row.
    pub cell: CellId,
    /// Its level under the project's aggregation rule.
    pub level: Option<RiskLevel>,
    /// Sites per level (red, orange, yellow, blue).
    pub counts: [u64; 4],
}

/// Everything the maps draw, in the working CRS.
#[derive(Debug, Clone, Default)]
pub struct MapData {
    /// Districts with their level and counts.
    pub districts: Vec<Area>,
    /// Residents per district, in the same order (`[districts] population`; empty without).
    pub residents: Vec<Option<f64>>,
    /// The regular grid of `cells` (`None`: no cells are drawn).
    pub grid: Option<RegularGrid>,
    /// Non-empty regular cells.
    pub cells: Vec<MapCell>,
    /// Management grids (empty without a grid layer).
    pub grids: Vec<Area>,
    /// Accepted sites.
    pub sites: Vec<SitePoint>,
}

impl MapData {
    /// What the maps draw, from the build's results in memory.
    pub fn from_context(ctx: &crate::context::Context) -> MapData {
        let agg = &ctx.cfg.aggregation;
        let t = ctx.tallies;
        let grid = RegularGrid::new(ctx.cfg.cell_size_m);
        MapData {
            districts: zone_areas(&ctx.districts.work, &t.by_district, agg),
            residents: ctx.districts.work.iter().map(|z| residents_of(z).ok().flatten()).collect(),
            grid,
            cells: match grid {
                Some(_) => t
                    .cells
                    .iter()
                    .map(|(c, s)| MapCell { cell: *c, level: agg.level(&s.levels), counts: s.levels.as_array() })
                    .collect(),
                None => Vec::new(),
            },
            grids: ctx.grids.map(|g| zone_areas(&g.work, &t.by_grid, agg)).unwrap_or_default(),
            sites: if ctx.cfg.maps.iter().any(|m| m.sites && m.drawn(ctx.census.streamed.is_some())) {
                ctx.census.iter().map(|(_, s, _)| SitePoint { x: s.x, y: s.y, level: s.level }).collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// The residents a district carries (`[districts] population`): `Ok(None)` without a figure
/// (no such column, or an empty cell), an error naming the value when it is not a number of
/// residents (0 or more; thousands separators `,` are allowed).
pub fn residents_of(zone: &sisetu_core::Zone) -> Result<Option<f64>, String> {
    let Some((_, text)) = zone.extra.iter().find(|(k, _)| k == crate::project::POPULATION_KEY) else {
        return Ok(None);
    };
    let t = text.trim().replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(format!(
            "district {} ({}): population '{text}' is not a number of residents; write the figure (e.g. 652792) or \
             leave the cell empty",
            zone.id, zone.name
        )),
    }
}
