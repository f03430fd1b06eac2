//! A build's output folder read back (the output schema's reader), and a census round as
//! the comparison and `sisetu render` see it: its sites, districts, management grids and
//! regular cells with their levels and counts, and what it says about itself.
//!
//! A round comes from one of two places, with exactly the same values:
//!
//! * [`Round::load`] reads a finished build's output folder (`report.json`, `sites.geojson`,
//!   `districts.geojson`, `cells.geojson` and, with a management-grid layer, `grids.geojson`;
//!   `sites.parquet` and `cells.parquet` where `[outputs]` wrote GeoParquet instead, see
//!   `round_parquet.rs`): the previous round of a build, and both rounds of `sisetu diff`.
//!   A round whose sites or cells were not written (`[outputs] sites = "none"`) or written
//!   only as FlatGeobuf cannot be read: the error says so and how to rebuild it;
//! * [`Round::from_context`] takes the round being built from the assigned census in memory,
//!   with every value as reading its written files back would give it (coordinates rounded
//!   to 1e-7° as `sisetu_io::write::push_coord` writes them, polygons oriented as the GeoJSON
//!   writer orients them). Only the SHA-256 of its files is unknown before they are written.

use crate::context::Context;
use crate::error::{Error, Result};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use sisetu_core::{Aggregation, CellId, RegularGrid, RiskLevel, Summary};
use std::path::{Path, PathBuf};

/// What a round says about itself (from its `report.json`, or from the project of the
/// round being built).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundMeta {
    /// Project title.
    pub title: String,
    /// Census date (free text).
    pub census_date: Option<String>,
    /// Working CRS, e.g. `EPSG:4538`.
    pub working_crs: String,
    /// Regular grid cell size in metres.
    pub cell_size_m: f64,
    /// The aggregation rule as report.json states it.
    pub aggregation: String,
    /// SHA-256 of the district file the round was built from.
    pub districts_sha256: String,
}

impl RoundMeta {
    /// Reads the fields of a round's `report.json` (`path` names the file in errors).
    pub fn from_report(bytes: &[u8], path: &Path) -> Result<RoundMeta> {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            Error::input(format!("{}: not valid JSON; rebuild the round with `sisetu build`: {e}", path.display()))
        })?;
        let missing = |key: &str| {
            Error::input(format!(
                "{}: no '{key}' in the report; it is not a sisetu report.json or was written by an older sisetu: \
                 rebuild the round with `sisetu build`",
                path.display()
            ))
        };
        let text = |key: &str| v[key].as_str().map(String::from).ok_or_else(|| missing(key));
        Ok(RoundMeta {
            title: text("title")?,
            census_date: v["census_date"].as_str().map(String::from),
            working_crs: text("working_crs")?,
            cell_size_m: v["cell_size_m"].as_f64().ok_or_else(|| missing("cell_size_m"))?,
            aggregation: text("aggregation")?,
            districts_sha256: v["districts"]["sha256"]
                .as_str()
                .map(String::from)
                .ok_or_else(|| missing("districts.sha256"))?,
        })
    }
}

/// One accepted site of a round, as `sites.geojson` has it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundSite {
    /// The id as written (empty when the row had none).
    pub id: String,
    /// The name (empty when none).
    pub name: String,
    /// The site's level.
    pub level: RiskLevel,
    /// District id (empty: outside every district).
    pub district: String,
    /// Management-grid id (empty: outside every grid, or no grid layer).
    pub grid: String,
    /// The build flagged the id as used by several rows.
    pub duplicate_id: bool,
    /// WGS84 longitude, at the 1e-7° of the GeoJSON outputs.
    pub lon: f64,
    /// WGS84 latitude, at the 1e-7° of the GeoJSON outputs.
    pub lat: f64,
    /// Census file name (only when the round had several site layers).
    pub source: String,
    /// Line (or row) in the census file.
    pub line: u64,
}

/// One district, management grid or regular cell of a round.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundArea {
    /// District / grid id, or the cell id (`500m_col_row`).
    pub id: String,
    /// Name (empty for cells).
    pub name: String,
    /// The area's level (`None`: no sites).
    pub level: Option<RiskLevel>,
    /// Sites per level, red first.
    pub counts: [u64; 4],
    /// The polygon in WGS84 lon/lat at 1e-7° (empty for cells, which are rebuilt from `cell`).
    pub geometry: MultiPolygon<f64>,
    /// Column and row of a regular cell.
    pub cell: Option<CellId>,
}

/// A census round: read from its output folder, or the one being built.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// Its output folder (shown in the summary).
    pub dir: PathBuf,
    /// What the round says about itself.
    pub meta: RoundMeta,
    /// Every accepted site, in input order (as in `sites.geojson`).
    pub sites: Vec<RoundSite>,
    /// The districts, in layer order.
    pub districts: Vec<RoundArea>,
    /// The management grids, when the round has a management-grid layer.
    pub grids: Option<Vec<RoundArea>>,
    /// The non-empty regular cells, north to south, then west to east.
    pub cells: Vec<RoundArea>,
    /// SHA-256 of its `report.json` (`None`: the round being built, or no report read).
    pub report_sha256: Option<String>,
    /// SHA-256 of its `sites.geojson` (`None`: the round being built).
    pub sites_sha256: Option<String>,
}

const NOT_BUILT: &str =
    "it is not a sisetu output folder or the previous round has not been built: run `sisetu build` for it first";

impl Round {
    /// Reads a finished build's output folder. A commit that a killed build left
    /// unfinished there is finished first (`sisetu_io::write::recover`), so the folder read
    /// holds one complete set of outputs.
    pub fn load(dir: &Path) -> Result<Round> {
        if !dir.is_dir() {
            crate::input_error!("{}: the folder does not exist; {NOT_BUILT}", dir.display());
        }
        sisetu_io::write::recover(dir)?;
        let report_path = dir.join("report.json");
        if !report_path.is_file() {
            crate::input_error!("{}: no report.json in the folder; {NOT_BUILT}", dir.display());
        }
        let report = read_bytes(&report_path)?;
        let meta = RoundMeta::from_report(&report, &report_path)?;
        let listing = Listing::from_report(&report);
        read_folder(dir, meta, Some(sisetu_io::hash::sha256_hex(&report)), &listing)
    }

    /// The round being built, from the assigned census in memory: the values reading its
    /// `sites.geojson`, `districts.geojson`, `grids.geojson` and `cells.geojson` back with
    /// [`Round::load`] would give. Its files' SHA-256 are not known yet (`None`).
    pub fn from_context(ctx: &Context) -> Result<Round> {
        let cfg = ctx.cfg;
        let agg = cfg.aggregation;
        let grid = RegularGrid::new(cfg.cell_size_m)
            .ok_or_else(|| Error::internal(format!("invalid cell size {}", cfg.cell_size_m)))?;
        let meta = RoundMeta {
            title: cfg.title.clone(),
            census_date: cfg.census_date.clone(),
            working_crs: ctx.work.to_string(),
            cell_size_m: cfg.cell_size_m,
            aggregation: agg.to_string(),
            districts_sha256: ctx.districts.sha256.clone(),
        };
        let cells = ctx
            .tallies
            .cells
            .iter()
            .map(|(c, s)| RoundArea {
                id: grid.label(*c),
                name: String::new(),
                level: agg.level(&s.levels),
                counts: s.levels.as_array(),
                geometry: MultiPolygon(Vec::new()),
                cell: Some(*c),
            })
            .collect();
        Ok(Round {
            dir: ctx.out_dir.to_path_buf(),
            meta,
            sites: census_sites(ctx)?,
            districts: zone_areas(ctx.districts, &ctx.tallies.by_district, &agg)?,
            grids: ctx.grids.map(|g| zone_areas(g, &ctx.tallies.by_grid, &agg)).transpose()?,
            cells,
            report_sha256: None,
            sites_sha256: None,
        })
    }
}

/// A coordinate as the GeoJSON outputs write it and a reader parses it back: rounded to
/// 1e-7 (`sisetu_io::write::push_coord`). `n / 1e7` is the correctly rounded value of the
/// decimal `push_coord` writes, which is also what parsing that decimal gives.
pub(crate) fn round_coord(v: f64) -> f64 {
    let scaled = (v * 1e7).round();
    if scaled.is_nan() || scaled.abs() >= 9e18 {
        // push_coord writes these in their shortest form (exact) or as null.
        return if v.is_finite() { v } else { f64::NAN };
    }
    // Through the integer push_coord writes: -0.0 (and -4e-8) are written as 0.
    (scaled as i64) as f64 / 1e7
}

fn round_ring(r: &LineString<f64>) -> LineString<f64> {
    r.0.iter().map(|c| Coord { x: round_coord(c.x), y: round_coord(c.y) }).collect()
}

/// A zone's WGS84 polygon as `districts.geojson` / `grids.geojson` have it: oriented as the
/// writer orients it (exteriors counter-clockwise, holes clockwise), then rounded.
fn written_geometry(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::orient::{Direction, Orient};
    let mp = mp.orient(Direction::Default);
    MultiPolygon(
        mp.0.iter()
            .map(|p| Polygon::new(round_ring(p.exterior()), p.interiors().iter().map(round_ring).collect()))
            .collect(),
    )
}

fn zone_areas(layer: &crate::layers::ZoneLayer, sums: &[Summary], agg: &Aggregation) -> Result<Vec<RoundArea>> {
    if layer.wgs84().len() != sums.len() {
        return Err(Error::internal(format!(
            "{}: {} zones but {} summaries",
            layer.file,
            layer.wgs84().len(),
            sums.len()
        )));
    }
    Ok(layer
        .wgs84()
        .iter()
        .zip(sums)
        .map(|(z, s)| RoundArea {
            id: z.id.clone(),
            name: z.name.clone(),
            level: agg.level(&s.levels),
            counts: s.levels.as_array(),
            geometry: written_geometry(&z.geometry),
            cell: None,
        })
        .collect())
}

/// Every accepted site of the census as `sites.geojson` has it, in input order.
fn census_sites(ctx: &Context) -> Result<Vec<RoundSite>> {
    use rayon::prelude::*;
    let census = ctx.census;
    let multi_layer = census.layers.len() > 1;
    let zone_id = |zones: &[sisetu_core::Zone], i: Option<sisetu_core::ZoneIdx>| -> Result<String> {
        match i {
            None => Ok(String::new()),
            Some(i) => zones
                .get(i.get())
                .map(|z| z.id.clone())
                .ok_or_else(|| Error::internal(format!("a site is placed in zone {i}, which does not exist"))),
        }
    };
    let mut sites = Vec::with_capacity(census.n_sites());
    for (li, (layer, placed)) in census.layers.iter().zip(&census.placed).enumerate() {
        let file = census.files.get(li).map_or("", String::as_str);
        let source =
            if multi_layer { Path::new(file).file_name().and_then(|f| f.to_str()).unwrap_or(file) } else { "" };
        let layer_sites: Vec<RoundSite> = layer
            .sites
            .par_iter()
            .zip(placed.par_iter())
            .with_min_len(4096)
            .map(|(s, p)| {
                Ok(RoundSite {
                    id: s.id().to_string(),
                    name: s.name().to_string(),
                    level: s.level,
                    district: zone_id(&ctx.districts.work, p.district)?,
                    grid: match ctx.grids {
                        Some(g) => zone_id(&g.work, p.grid)?,
                        None => String::new(),
                    },
                    duplicate_id: census.duplicates.is_repeated(s.id()),
                    lon: round_coord(s.lon),
                    lat: round_coord(s.lat),
                    source: source.to_string(),
                    line: s.line,
                })
            })
            .collect::<Result<_>>()?;
        sites.extend(layer_sites);
    }
    Ok(sites)
}

// ---------------------------------------------------------------------------------------
// Reading an output folder.

/// What a round's report says about its files.
struct Listing {
    /// The files the build wrote (`None`: a report without the list).
    outputs: Option<Vec<String>>,
    /// The file names of its site layers, in project order.
    layer_files: Vec<String>,
}

impl Listing {
    fn from_report(report: &[u8]) -> Listing {
        let v: serde_json::Value = serde_json::from_slice(report).unwrap_or_default();
        let outputs = v["outputs"].as_array().map(|a| a.iter().filter_map(|f| f.as_str().map(String::from)).collect());
        let layer_files = v["sites"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l["file"].as_str())
                    .map(|f| Path::new(f).file_name().and_then(|n| n.to_str()).unwrap_or(f).to_string())
                    .collect()
            })
            .unwrap_or_default();
        Listing { outputs, layer_files }
    }
}

/// A layer's file in a round's folder, by format.
enum LayerFile {
    GeoJson(PathBuf),
    Parquet(PathBuf),
}

/// The file the round's build wrote for the layer `stem` (`sites`, `cells`): the one its
/// report lists (by existence, for a report without the list), GeoJSON first.
fn layer_file(dir: &Path, listing: &Listing, stem: &str) -> Result<LayerFile> {
    let written = |f: &str| match &listing.outputs {
        Some(o) => o.iter().any(|w| w == f),
        None => dir.join(f).is_file(),
    };
    let (geojson, parquet, fgb) = (format!("{stem}.geojson"), format!("{stem}.parquet"), format!("{stem}.fgb"));
    let rebuild = format!(
        "sisetu render and sisetu diff read it from {geojson} or {parquet}: rebuild that round with [outputs] {stem} = \"geojson\" or \"geoparquet\" in its project file"
    );
    if written(&geojson) {
        Ok(LayerFile::GeoJson(dir.join(geojson)))
    } else if written(&parquet) {
        Ok(LayerFile::Parquet(dir.join(parquet)))
    } else if written(&fgb) {
        crate::input_error!("{}: the round wrote its {stem} only as {fgb} (FlatGeobuf); {rebuild}", dir.display())
    } else if listing.outputs.is_some() {
        crate::input_error!(
            "{}: the round has no per-{} output ([outputs] {stem} = \"none\"); {rebuild}",
            dir.display(),
            stem.trim_end_matches('s')
        )
    } else {
        // An older report: the file is missing, which read_output reports.
        Ok(LayerFile::GeoJson(dir.join(geojson)))
    }
}

/// Reads the outputs of a round's folder.
fn read_folder(dir: &Path, meta: RoundMeta, report_sha256: Option<String>, listing: &Listing) -> Result<Round> {
    let (sites, sites_sha256) = match layer_file(dir, listing, "sites")? {
        LayerFile::GeoJson(p) => read_sites(&p)?,
        LayerFile::Parquet(p) => columnar::read_sites(&p, &listing.layer_files)?,
    };
    let districts = read_areas(&dir.join("districts.geojson"), false)?;
    let grids_path = dir.join("grids.geojson");
    let grids = if grids_path.is_file() { Some(read_areas(&grids_path, false)?) } else { None };
    let cells = match layer_file(dir, listing, "cells")? {
        LayerFile::GeoJson(p) => read_areas(&p, true)?,
        LayerFile::Parquet(p) => columnar::read_cells(&p)?,
    };
    Ok(Round {
        dir: dir.to_path_buf(),
        meta,
        sites,
        districts,
        grids,
        cells,
        report_sha256,
        sites_sha256: Some(sites_sha256),
    })
}

/// The folder to name in messages and the summary: a build's staging folder
/// (`OUT/.sisetu-staging-<pid>`) is named as its output folder, so that report.json does not
/// depend on the process id.
pub(crate) fn shown_dir(dir: &Path) -> PathBuf {
    match (dir.file_name().and_then(|f| f.to_str()), dir.parent()) {
        (Some(name), Some(parent)) if name.starts_with(".sisetu-staging-") => parent.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::input(format!("{}: cannot read it: {e}", path.display())))
}

fn read_output(path: &Path) -> Result<Vec<u8>> {
    require_output(path)?;
    read_bytes(path)
}

/// The error for an output file a round must have and does not.
pub(crate) fn require_output(path: &Path) -> Result<()> {
    if !path.is_file() {
        let dir = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
        crate::input_error!(
            "{}: missing; the folder {dir} is not a complete sisetu output folder: rebuild that round with \
             `sisetu build`",
            path.display()
        );
    }
    Ok(())
}

fn not_an_output(path: &Path, e: &serde_json::Error, at: &str) -> Error {
    Error::input(format!(
        "{}: not a sisetu GeoJSON output ({e}{at}); rebuild the round with `sisetu build`",
        path.display()
    ))
}

#[derive(Deserialize)]
struct Fc<F> {
    features: Vec<F>,
}

#[derive(Deserialize)]
struct SiteFeature {
    properties: SiteProps,
    geometry: Option<PointGeom>,
}

#[derive(Deserialize)]
struct SiteProps {
    id: Option<String>,
    name: Option<String>,
    level: Option<String>,
    district_id: Option<String>,
    grid_id: Option<String>,
    #[serde(default)]
    duplicate_id: bool,
    source: Option<String>,
    line: Option<u64>,
}

#[derive(Deserialize)]
struct PointGeom {
    coordinates: Vec<f64>,
}

#[derive(Deserialize)]
struct AreaFeature {
    properties: AreaProps,
    geometry: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct AreaProps {
    id: Option<String>,
    name: Option<String>,
    cell_id: Option<String>,
    col: Option<i64>,
    row: Option<i64>,
    level: Option<String>,
    #[serde(default)]
    n_red: u64,
    #[serde(default)]
    n_orange: u64,
    #[serde(default)]
    n_yellow: u64,
    #[serde(default)]
    n_blue: u64,
}

fn parse_level(s: Option<&str>, path: &Path, i: usize) -> Result<Option<RiskLevel>> {
    match s {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|e| Error::input(format!("{}: feature {}: {e}", path.display(), i + 1))),
    }
}

fn site_of(f: SiteFeature, path: &Path, i: usize) -> Result<RoundSite> {
    let p = f.properties;
    let level = parse_level(p.level.as_deref(), path, i)?
        .ok_or_else(|| Error::input(format!("{}: feature {} has no level", path.display(), i + 1)))?;
    let (lon, lat) = match f.geometry.as_ref().map(|g| g.coordinates.as_slice()) {
        Some([x, y, ..]) => (*x, *y),
        _ => (f64::NAN, f64::NAN),
    };
    Ok(RoundSite {
        id: p.id.unwrap_or_default(),
        name: p.name.unwrap_or_default(),
        level,
        district: p.district_id.unwrap_or_default(),
        grid: p.grid_id.unwrap_or_default(),
        duplicate_id: p.duplicate_id,
        lon,
        lat,
        source: p.source.unwrap_or_default(),
        line: p.line.unwrap_or(0),
    })
}

/// The features of a file laid out as the build writes it (a head line, one feature per
/// line, each but the last followed by a comma, and `]}` on the last line), or `None`.
fn feature_lines(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let body = bytes.strip_suffix(b"\n]}\n")?;
    let head_end = body.iter().position(|&b| b == b'\n')?;
    if !body[..head_end].starts_with(b"{\"type\":\"FeatureCollection\"") || !body[..head_end].ends_with(b"[") {
        return None;
    }
    let body = &body[head_end + 1..];
    if body.is_empty() {
        return Some(Vec::new());
    }
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let last = lines.len() - 1;
    let ok = lines
        .iter()
        .enumerate()
        .all(|(i, l)| l.first() == Some(&b'{') && if i < last { l.ends_with(b"},") } else { l.ends_with(b"}") });
    ok.then(|| lines.into_iter().map(|l| l.strip_suffix(b",").unwrap_or(l)).collect())
}

/// Reads `sites.geojson` and its SHA-256. A file as the build writes it is parsed line by
/// line in parallel (in order); anything else is parsed as one document.
fn read_sites(path: &Path) -> Result<(Vec<RoundSite>, String)> {
    use rayon::prelude::*;
    let bytes = read_output(path)?;
    let (sha, sites) = rayon::join(
        || sisetu_io::hash::sha256_hex(&bytes),
        || -> Result<Vec<RoundSite>> {
            match feature_lines(&bytes) {
                Some(lines) => lines
                    .par_iter()
                    .enumerate()
                    .with_min_len(4096)
                    .map(|(i, l)| {
                        let f: SiteFeature = serde_json::from_slice(l)
                            .map_err(|e| not_an_output(path, &e, &format!(", feature {}", i + 1)))?;
                        site_of(f, path, i)
                    })
                    .collect(),
                None => {
                    let fc: Fc<SiteFeature> =
                        serde_json::from_slice(&bytes).map_err(|e| not_an_output(path, &e, ""))?;
                    fc.features.into_iter().enumerate().map(|(i, f)| site_of(f, path, i)).collect()
                }
            }
        },
    );
    Ok((sites?, sha))
}

fn ring_of(v: &serde_json::Value) -> Option<LineString<f64>> {
    v.as_array()?
        .iter()
        .map(|p| Some(Coord { x: p.get(0)?.as_f64()?, y: p.get(1)?.as_f64()? }))
        .collect::<Option<Vec<_>>>()
        .map(LineString)
}

fn polygon_of(v: &serde_json::Value) -> Option<Polygon<f64>> {
    let rings = v.as_array()?;
    let (outer, holes) = rings.split_first()?;
    Some(Polygon::new(ring_of(outer)?, holes.iter().map(ring_of).collect::<Option<Vec<_>>>()?))
}

fn multipolygon_of(g: &serde_json::Value) -> Option<MultiPolygon<f64>> {
    match g["type"].as_str()? {
        "Polygon" => Some(MultiPolygon(vec![polygon_of(&g["coordinates"])?])),
        "MultiPolygon" => {
            g["coordinates"].as_array()?.iter().map(polygon_of).collect::<Option<Vec<_>>>().map(MultiPolygon)
        }
        _ => None,
    }
}

/// Reads `districts.geojson` / `grids.geojson` (`cells` false) or `cells.geojson`.
fn read_areas(path: &Path, cells: bool) -> Result<Vec<RoundArea>> {
    let bytes = read_output(path)?;
    let fc: Fc<AreaFeature> = serde_json::from_slice(&bytes).map_err(|e| not_an_output(path, &e, ""))?;
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.properties;
            let bad =
                |what: &str| Error::input(format!("{}: feature {} {what}; rebuild the round", path.display(), i + 1));
            let (id, cell, geometry) = if cells {
                let (Some(col), Some(row)) = (p.col, p.row) else { return Err(bad("has no col/row")) };
                (p.cell_id.ok_or_else(|| bad("has no cell_id"))?, Some(CellId { col, row }), MultiPolygon(vec![]))
            } else {
                let g = f.geometry.as_ref().and_then(multipolygon_of).ok_or_else(|| bad("has no polygon geometry"))?;
                (p.id.ok_or_else(|| bad("has no id"))?, None, g)
            };
            Ok(RoundArea {
                id,
                name: p.name.unwrap_or_default(),
                level: parse_level(p.level.as_deref(), path, i)?,
                counts: [p.n_red, p.n_orange, p.n_yellow, p.n_blue],
                geometry,
                cell,
            })
        })
        .collect()
}

#[path = "round_parquet.rs"]
mod columnar;

#[cfg(test)]
#[path = "round_tests.rs"]
mod tests;
