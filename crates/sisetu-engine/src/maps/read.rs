//! What `sisetu render` draws: a build's outputs read back through the one reader of output
//! folders ([`crate::round::Round::load`]), projected to the build's working CRS.

use super::{MapCell, MapData};
use crate::error::{Error, Result};
use crate::project::{AreaClasses, Config, MapLayer};
use crate::round::{Round, RoundArea};
use geo::{Coord, MapCoords};
use rayon::prelude::*;
use sisetu_core::RegularGrid;
use sisetu_io::crs::{Crs, Transformer};
use sisetu_render::{Area, SitePoint};
use std::path::Path;

/// Reads what the maps need from a build's output folder. A feature that cannot be read is
/// an error naming the file and the feature: a map never silently leaves a site out.
pub fn load_map_data(cfg: &Config, out: &Path) -> Result<(MapData, Crs)> {
    let round = Round::load(out)?;
    let work: Crs = round
        .meta
        .working_crs
        .parse()
        .map_err(|e| Error::input(format!("{}: report.json working_crs: {e}", out.display())))?;
    let t = Transformer::new(Crs::Wgs84, work)?;
    let needs = |l: MapLayer| cfg.maps.iter().any(|m| m.fill == Some(l));
    let districts = areas(&round.districts, &t, &out.join("districts.geojson"))?;
    let grids = match (&round.grids, needs(MapLayer::Grids)) {
        (Some(g), true) => areas(g, &t, &out.join("grids.geojson"))?,
        _ => Vec::new(),
    };
    let (grid, cells) = if needs(MapLayer::Cells) { cells(&round, out)? } else { (None, Vec::new()) };
    let sites = if cfg.maps.iter().any(|m| m.sites) { sites(&round, &t, out)? } else { Vec::new() };
    let residents = if cfg.maps.iter().any(|m| m.classes == AreaClasses::PerCapita) {
        residents(&out.join("districts.geojson"), districts.len())?
    } else {
        Vec::new()
    };
    Ok((MapData { districts, residents, grid, cells, grids, sites }, work))
}

/// The `population` of each district in `districts.geojson` (written when the project gives
/// `[districts] population`), in layer order.
fn residents(path: &Path, n: usize) -> Result<Vec<Option<f64>>> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let features = json["features"].as_array().map(Vec::as_slice).unwrap_or_default();
    let got: Vec<Option<f64>> =
        features.iter().map(|f| f["properties"][crate::project::POPULATION_KEY].as_f64()).collect();
    if got.len() != n || got.iter().all(Option::is_none) {
        return Err(Error::input(format!(
            "{}: no district has a population: build again with [districts] population = \"…\" to draw \
             classes = \"per_10k\"",
            path.display()
        )));
    }
    Ok(got)
}

/// Districts or grids in the working CRS.
fn areas(from: &[RoundArea], t: &Transformer, path: &Path) -> Result<Vec<Area>> {
    from.iter()
        .enumerate()
        .map(|(i, a)| {
            let geometry = a.geometry.try_map_coords(|c| {
                t.transform(c.x, c.y).map(|(x, y)| Coord { x, y }).map_err(|e| {
                    Error::input(format!("{}: feature {} cannot be projected: {e}", path.display(), i + 1))
                })
            })?;
            Ok(Area {
                id: a.id.clone(),
                name: a.name.clone(),
                geometry,
                level: a.level,
                counts: a.counts.into(),
                color: None,
            })
        })
        .collect()
}

/// Cells are rebuilt exactly from their column and row, not from rounded corners.
fn cells(round: &Round, out: &Path) -> Result<(Option<RegularGrid>, Vec<MapCell>)> {
    let size = round.meta.cell_size_m;
    let grid = RegularGrid::new(size)
        .ok_or_else(|| Error::input(format!("{}: report.json: bad cell_size_m {size}", out.display())))?;
    let cells = round
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cell = c.cell.ok_or_else(|| {
                Error::input(format!("{}: feature {} has no col/row", out.join("cells.geojson").display(), i + 1))
            })?;
            Ok(MapCell { cell, level: c.level, counts: c.counts })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((Some(grid), cells))
}

/// Every site in the working CRS.
fn sites(round: &Round, t: &Transformer, out: &Path) -> Result<Vec<SitePoint>> {
    let path = out.join("sites.geojson");
    round
        .sites
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let (x, y) = t
                .transform(s.lon, s.lat)
                .map_err(|e| Error::input(format!("{}: feature {} cannot be projected: {e}", path.display(), i + 1)))?;
            Ok(SitePoint { x, y, level: s.level })
        })
        .collect()
}
