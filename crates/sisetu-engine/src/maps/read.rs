//! Reading a build's outputs back for `sisetu render`.

use super::common::cell_area;
use super::MapData;
use crate::error::{Error, Result, ResultExt};
use crate::project::{Config, MapLayer};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use sisetu_core::{RegularGrid, RiskLevel};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_render::{Area, SitePoint};
use std::path::Path;

#[derive(serde::Deserialize)]
struct Fc<G> {
    features: Vec<Feature<G>>,
}

#[derive(serde::Deserialize)]
struct Feature<G> {
    properties: serde_json::Map<String, serde_json::Value>,
    geometry: Option<G>,
}

#[derive(serde::Deserialize)]
struct PointGeom {
    coordinates: Vec<f64>,
}

#[derive(serde::Deserialize)]
struct PolyGeom {
    #[serde(rename = "type")]
    kind: String,
    coordinates: serde_json::Value,
}

fn read_fc<G: serde::de::DeserializeOwned>(path: &Path) -> Result<Fc<G>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read it; run `sisetu build` first to make the outputs", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not a sisetu GeoJSON output", path.display()))
}

fn level_of(p: &serde_json::Map<String, serde_json::Value>) -> Option<RiskLevel> {
    p.get("level").and_then(|v| v.as_str()).and_then(|s| s.parse().ok())
}

fn counts_of(p: &serde_json::Map<String, serde_json::Value>) -> [u64; 4] {
    let n = |k: &str| p.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    [n("n_red"), n("n_orange"), n("n_yellow"), n("n_blue")]
}

fn ring_of(v: &serde_json::Value, t: &Transformer) -> Result<LineString<f64>> {
    let pts = v.as_array().ok_or_else(|| Error::input("a ring is not an array"))?;
    pts.iter()
        .map(|p| {
            let (x, y) = (p.get(0).and_then(serde_json::Value::as_f64), p.get(1).and_then(serde_json::Value::as_f64));
            match (x, y) {
                (Some(x), Some(y)) => {
                    t.transform(x, y).map(|(x, y)| Coord { x, y }).map_err(|e| Error::input(format!("{e}")))
                }
                _ => Err(Error::input("a position is not [lon, lat]")),
            }
        })
        .collect::<Result<Vec<_>>>()
        .map(LineString)
}

fn polygon_of(v: &serde_json::Value, t: &Transformer) -> Result<Polygon<f64>> {
    let rings = v.as_array().ok_or_else(|| Error::input("a polygon is not an array of rings"))?;
    let (outer, holes) = rings.split_first().ok_or_else(|| Error::input("a polygon has no ring"))?;
    Ok(Polygon::new(ring_of(outer, t)?, holes.iter().map(|h| ring_of(h, t)).collect::<Result<_>>()?))
}

fn areas_from(path: &Path, t: &Transformer) -> Result<Vec<Area>> {
    let fc: Fc<PolyGeom> = read_fc(path)?;
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let g = f
                .geometry
                .ok_or_else(|| Error::input(format!("{}: feature {} has no geometry", path.display(), i + 1)))?;
            let geometry = match g.kind.as_str() {
                "Polygon" => MultiPolygon(vec![polygon_of(&g.coordinates, t)?]),
                "MultiPolygon" => MultiPolygon(
                    g.coordinates
                        .as_array()
                        .ok_or_else(|| Error::input("bad MultiPolygon"))?
                        .iter()
                        .map(|p| polygon_of(p, t))
                        .collect::<Result<_>>()?,
                ),
                other => return Err(Error::input(format!("{}: feature {} is a {other}", path.display(), i + 1))),
            };
            let text = |k: &str| f.properties.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            Ok(Area {
                id: text(if f.properties.contains_key("cell_id") { "cell_id" } else { "id" }),
                name: text("name"),
                geometry,
                level: level_of(&f.properties),
                counts: counts_of(&f.properties).into(),
                color: None,
            })
        })
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("{}: cannot read the areas back", path.display()))
}

/// Reads what the maps need from a build's output folder. A feature that cannot be read is
/// an error naming the file and the feature: a map never silently leaves a site out.
pub fn load_map_data(cfg: &Config, out: &Path) -> Result<(MapData, Crs)> {
    let head = sisetu_io::output::ReportHead::read(out)
        .with_context(|| format!("{}: run `sisetu build` first to make the outputs", out.display()))?;
    let work: Crs = head
        .working_crs
        .parse()
        .map_err(|e| Error::input(format!("{}: report.json working_crs: {e}", out.display())))?;
    let cell_size = head.cell_size_m;
    let t = Transformer::new(Crs::Wgs84, work)?;
    let needs = |l: MapLayer| cfg.maps.iter().any(|m| m.fill == Some(l));
    let districts = areas_from(&out.join("districts.geojson"), &t)?;
    let grids = if needs(MapLayer::Grids) { areas_from(&out.join("grids.geojson"), &t)? } else { Vec::new() };
    let cells = if needs(MapLayer::Cells) { cells_from(&out.join("cells.geojson"), cell_size)? } else { Vec::new() };
    let sites = if cfg.maps.iter().any(|m| m.sites) { sites_from(&out.join("sites.geojson"), &t)? } else { Vec::new() };
    Ok((MapData { districts, cells, grids, sites }, work))
}

/// Cells are rebuilt exactly from their column and row, not from rounded corners.
fn cells_from(path: &Path, cell_size: f64) -> Result<Vec<Area>> {
    let grid = RegularGrid::new(cell_size)
        .ok_or_else(|| Error::input(format!("{}: report.json: bad cell_size_m {cell_size}", path.display())))?;
    let fc: Fc<serde_json::Value> = read_fc(path)?;
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = &f.properties;
            let (col, row) =
                (p.get("col").and_then(serde_json::Value::as_i64), p.get("row").and_then(serde_json::Value::as_i64));
            let (Some(col), Some(row)) = (col, row) else {
                return Err(Error::input(format!("{}: feature {} has no col/row", path.display(), i + 1)));
            };
            Ok(cell_area(&grid, sisetu_core::CellId { col, row }, level_of(p), counts_of(p)))
        })
        .collect()
}

/// Every site of `sites.geojson` in the working CRS; a feature without a level or a position
/// is an error.
fn sites_from(path: &Path, t: &Transformer) -> Result<Vec<SitePoint>> {
    let fc: Fc<PointGeom> = read_fc(path)?;
    fc.features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let bad = |why: &str| {
                Error::input(format!(
                    "{}: feature {} {why}; rebuild the outputs with `sisetu build`",
                    path.display(),
                    i + 1
                ))
            };
            let level = level_of(&f.properties).ok_or_else(|| bad("has no valid level"))?;
            let c = &f.geometry.as_ref().ok_or_else(|| bad("has no geometry"))?.coordinates;
            let (lon, lat) = match c.as_slice() {
                [lon, lat, ..] => (*lon, *lat),
                _ => return Err(bad("has no [lon, lat] position")),
            };
            let (x, y) = t.transform(lon, lat).map_err(|e| bad(&format!("cannot be projected: {e}")))?;
            Ok(SitePoint { x, y, level })
        })
        .collect()
}
