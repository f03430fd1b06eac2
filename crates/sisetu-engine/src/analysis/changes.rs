//! `sisetu diff`: what changed between two census rounds, read from their output folders.
//!
//! A round is a finished build's output folder (`report.json`, `sites.geojson`,
//! `districts.geojson`, `cells.geojson` and, with a management-grid layer, `grids.geojson`),
//! loaded by [`Round::load`]. [`run_diff`] compares two rounds and writes:
//!
//! * `changes.csv` (UTF-8 with a BOM, for Excel): one row per changed site or area, with the
//!   header [`CSV_HEADER`]; `change` lists the change kinds of the row joined with `;`;
//! * `changes.geojson`: the same rows as features (sites as points at their new position,
//!   removed sites at their old one; areas as their polygons), WGS84 lon/lat at 1e-7°;
//! * `changes.png` with `.pgw` and `.prj`: the change map in the new round's working CRS.
//!
//! # Sites
//!
//! Sites are matched by `id` (the 统一社会信用代码), compared after folding full-width ASCII to
//! ASCII, dropping whitespace and upper-casing (a credit code is case-insensitive). Per matched
//! site the change kinds are `raised` / `lowered` (red > orange > yellow > blue), `moved`
//! (geodesic distance on the WGS84 ellipsoid above [`DiffOptions::move_threshold_m`]),
//! `district_changed` and `grid_changed` (only when both rounds have management grids). A
//! matched pair whose names differ after [`normalize_name`] is a different enterprise under a
//! reused id: one `id_reused` row carrying both names, not compared for level or position.
//! Sites only in the new round are `new`, only in the old round `removed`. Sites without an
//! id, or whose id is used by more than one row in either round, cannot be matched: each is
//! an `unmatched` row with the reason in `note`, so that no site disappears silently.
//!
//! # Areas
//!
//! Districts by `id`, management grids by `id` (when both rounds have them) and regular cells
//! by `cell_id` (when both rounds use the same cell size and working CRS). An area is `raised`
//! or `lowered` when its level changes (an area without sites ranks below blue), and
//! `counts_changed` when its level is the same but its counts per level differ. Unchanged
//! areas are not written.
//!
//! The two rounds must have been built from the same district boundaries (same ids and
//! geometries in `districts.geojson`; a re-saved district file is fine), else the diff is an
//! error. A different aggregation rule is only a note.
//!
//! Rows are sorted by scope (site, district, grid, cell), then sites by id, districts and
//! grids by id, and cells by row (north first) and column. The outputs are byte-identical
//! whatever the number of threads (`sites.geojson` files as the build writes them, one
//! feature per line, are parsed in parallel and collected in order).
//!
//! # The change map
//!
//! `changes.png` is drawn in the new round's working CRS (cells rebuilt exactly from their
//! column and row): changed cells (or, without cell rows, districts) filled red when their
//! level rose, green when it fell and light grey when only the counts changed; district
//! boundaries with their names; new red and orange sites as triangles in their level colour,
//! raised sites as diamonds in their new level colour (smaller for the lower levels), removed
//! red and orange sites as dark crosses; a legend with counts, the title `<new title>变化图`,
//! the subtitle `<old date> 至 <new date>` with the site totals, and a footer naming both
//! rounds. The style, page and font are the project's when a build runs the diff, else A4
//! landscape at 200 dpi with the vendored font.

use crate::project::Config;
use anyhow::{anyhow, bail, Context, Result};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
pub use sisetu_core::idkey::{id_key, id_key_cow, normalize_name};
use sisetu_core::{CellId, RegularGrid, RiskLevel};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::{self, Geom, Staging, Value};
use sisetu_render::{Area, Fill, LegendItem, MapContent, MapText, Marker, MarkerShape, Rendered, Rgba, Swatch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options of a diff.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOptions {
    /// A matched site further than this (metres) from its old position is `moved`.
    pub move_threshold_m: f64,
    /// A second change map, `changes_zoom.png`, of this WGS84 extent
    /// `[lon_min, lat_min, lon_max, lat_max]` (e.g. the urban core, where 500 m cells are
    /// specks on the whole-city map).
    pub zoom: Option<[f64; 4]>,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { move_threshold_m: 100.0, zoom: None }
    }
}

/// What a round's outputs say about themselves (from `report.json`, or given by the build
/// for the round being built).
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
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .with_context(|| format!("{}: not valid JSON; rebuild the round with `sisetu build`", path.display()))?;
        let missing = |key: &str| {
            anyhow!(
                "{}: no '{key}' in the report; it is not a sisetu report.json or was written by an older sisetu: \
                 rebuild the round with `sisetu build`",
                path.display()
            )
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
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// Census file (only when the round had several site layers).
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
    /// The polygon in WGS84 lon/lat (empty for cells, which are rebuilt from `cell`).
    pub geometry: MultiPolygon<f64>,
    /// Column and row of a regular cell.
    pub cell: Option<CellId>,
}

/// A round's outputs, read back.
#[derive(Debug, Clone)]
pub struct Round {
    /// The folder read (shown in the summary; a build diffing against its staging folder may
    /// set it to the final output folder).
    pub dir: PathBuf,
    /// What the round says about itself.
    pub meta: RoundMeta,
    /// `sites.geojson`, in file order.
    pub sites: Vec<RoundSite>,
    /// `districts.geojson`, in layer order.
    pub districts: Vec<RoundArea>,
    /// `grids.geojson`, when the round has a management-grid layer.
    pub grids: Option<Vec<RoundArea>>,
    /// `cells.geojson`.
    pub cells: Vec<RoundArea>,
    /// SHA-256 of `report.json` (`None` when the meta was given and there is no report yet).
    pub report_sha256: Option<String>,
    /// SHA-256 of `sites.geojson`.
    pub sites_sha256: String,
}

const NOT_BUILT: &str =
    "it is not a sisetu output folder or the previous round has not been built: run `sisetu build` for it first";

impl Round {
    /// Reads a round's output folder. `meta` `None` reads `dir/report.json`.
    pub fn load(dir: &Path, meta: Option<RoundMeta>) -> Result<Round> {
        if !dir.is_dir() {
            bail!("{}: the folder does not exist; {NOT_BUILT}", dir.display());
        }
        let report_path = dir.join("report.json");
        let report = if report_path.is_file() {
            Some(std::fs::read(&report_path).with_context(|| format!("{}: cannot read it", report_path.display()))?)
        } else {
            None
        };
        let meta = match (meta, &report) {
            (Some(m), _) => m,
            (None, Some(bytes)) => RoundMeta::from_report(bytes, &report_path)?,
            (None, None) => bail!("{}: no report.json in the folder; {NOT_BUILT}", dir.display()),
        };
        let report_sha256 = report.as_deref().map(sha256_hex);
        let (sites, sites_sha256) = read_sites(&dir.join("sites.geojson"))?;
        let (districts, _) = read_areas(&dir.join("districts.geojson"), false)?;
        let grids_path = dir.join("grids.geojson");
        let grids = if grids_path.is_file() { Some(read_areas(&grids_path, false)?.0) } else { None };
        let (cells, _) = read_areas(&dir.join("cells.geojson"), true)?;
        Ok(Round { dir: dir.to_path_buf(), meta, sites, districts, grids, cells, report_sha256, sites_sha256 })
    }
}

/// The folder to name in messages and the summary: a build's staging folder
/// (`OUT/.sisetu-staging-<pid>`, read when a build compares the round it is writing) is named
/// as its output folder, so that report.json does not depend on the process id.
fn shown_dir(dir: &Path) -> PathBuf {
    match (dir.file_name().and_then(|f| f.to_str()), dir.parent()) {
        (Some(name), Some(parent)) if name.starts_with(".sisetu-staging-") => parent.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn read_output(path: &Path) -> Result<Vec<u8>> {
    if !path.is_file() {
        let dir = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
        bail!(
            "{}: missing; the folder {dir} is not a complete sisetu output folder: rebuild that round with \
             `sisetu build`",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("{}: cannot read it", path.display()))
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

fn parse_fc<F: serde::de::DeserializeOwned>(path: &Path) -> Result<(Fc<F>, String)> {
    let bytes = read_output(path)?;
    let sha = sha256_hex(&bytes);
    let fc = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow!("{}: not a sisetu GeoJSON output ({e}); rebuild the round with `sisetu build`", path.display())
    })?;
    Ok((fc, sha))
}

fn parse_level(s: Option<&str>, path: &Path, i: usize) -> Result<Option<RiskLevel>> {
    match s {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|e| anyhow!("{}: feature {}: {e}", path.display(), i + 1)),
    }
}

fn site_of(f: SiteFeature, path: &Path, i: usize) -> Result<RoundSite> {
    let p = f.properties;
    let level = parse_level(p.level.as_deref(), path, i)?
        .ok_or_else(|| anyhow!("{}: feature {} has no level", path.display(), i + 1))?;
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

/// Reads `sites.geojson`. A file as the build writes it is parsed line by line in parallel
/// (in order); anything else is parsed as one document.
fn read_sites(path: &Path) -> Result<(Vec<RoundSite>, String)> {
    use rayon::prelude::*;
    let bytes = read_output(path)?;
    let (sha, sites) = rayon::join(
        || sha256_hex(&bytes),
        || -> Result<Vec<RoundSite>> {
            let bad = |e: serde_json::Error, at: String| {
                anyhow!(
                    "{}: not a sisetu GeoJSON output ({e}{at}); rebuild the round with `sisetu build`",
                    path.display()
                )
            };
            match feature_lines(&bytes) {
                Some(lines) => lines
                    .par_iter()
                    .enumerate()
                    .with_min_len(4096)
                    .map(|(i, l)| {
                        let f: SiteFeature =
                            serde_json::from_slice(l).map_err(|e| bad(e, format!(", feature {}", i + 1)))?;
                        site_of(f, path, i)
                    })
                    .collect(),
                None => {
                    let fc: Fc<SiteFeature> = serde_json::from_slice(&bytes).map_err(|e| bad(e, String::new()))?;
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

fn read_areas(path: &Path, cells: bool) -> Result<(Vec<RoundArea>, String)> {
    let (fc, sha) = parse_fc::<AreaFeature>(path)?;
    let areas = fc
        .features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.properties;
            let bad = |what: &str| anyhow!("{}: feature {} {what}; rebuild the round", path.display(), i + 1);
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
        .collect::<Result<Vec<_>>>()?;
    Ok((areas, sha))
}

// ---------------------------------------------------------------------------------------
// The comparison.

/// A kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Only in the new round.
    New,
    /// Only in the old round.
    Removed,
    /// Same id, different enterprise.
    IdReused,
    /// Cannot be matched (no id, or an id used by several rows).
    Unmatched,
    /// Level up.
    Raised,
    /// Level down.
    Lowered,
    /// Same level, other counts (areas).
    CountsChanged,
    /// Moved further than the threshold.
    Moved,
    /// In another district.
    DistrictChanged,
    /// In another management grid.
    GridChanged,
}

impl Kind {
    /// The name in `changes.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Removed => "removed",
            Kind::IdReused => "id_reused",
            Kind::Unmatched => "unmatched",
            Kind::Raised => "raised",
            Kind::Lowered => "lowered",
            Kind::CountsChanged => "counts_changed",
            Kind::Moved => "moved",
            Kind::DistrictChanged => "district_changed",
            Kind::GridChanged => "grid_changed",
        }
    }
}

/// What a row is about, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// A site.
    Site,
    /// A district.
    District,
    /// A management grid.
    Grid,
    /// A regular cell.
    Cell,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Site => "site",
            Scope::District => "district",
            Scope::Grid => "grid",
            Scope::Cell => "cell",
        }
    }
}

/// Where a row is drawn.
#[derive(Debug, Clone, Copy)]
enum RowGeom<'a> {
    Point(f64, f64),
    Area(&'a MultiPolygon<f64>),
    Cell(CellId),
}

/// One row of `changes.csv` / feature of `changes.geojson`.
#[derive(Debug, Clone)]
struct Row<'a> {
    scope: Scope,
    id: &'a str,
    name: &'a str,
    kinds: Vec<Kind>,
    level_old: Option<RiskLevel>,
    level_new: Option<RiskLevel>,
    district: [&'a str; 2],
    grid: [&'a str; 2],
    moved_m: Option<f64>,
    counts: Option<[[u64; 4]; 2]>,
    name_old: &'a str,
    geom: RowGeom<'a>,
    note: String,
}

impl Row<'_> {
    fn change(&self) -> String {
        self.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(";")
    }

    fn has(&self, k: Kind) -> bool {
        self.kinds.contains(&k)
    }
}

/// Site counts per change kind (a matched site can have several kinds).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SiteCounts {
    /// Sites in the old round.
    pub total_old: u64,
    /// Sites in the new round.
    pub total_new: u64,
    /// Pairs matched by id (including `id_reused`).
    pub matched: u64,
    /// Matched pairs without any change.
    pub unchanged: u64,
    /// Only in the new round.
    pub new: u64,
    /// Only in the old round.
    pub removed: u64,
    /// Level up.
    pub raised: u64,
    /// Level down.
    pub lowered: u64,
    /// Moved further than the threshold.
    pub moved: u64,
    /// In another district.
    pub district_changed: u64,
    /// In another management grid (`None`: not compared).
    pub grid_changed: Option<u64>,
    /// Same id, different enterprise.
    pub id_reused: u64,
    /// Rows of either round that cannot be matched.
    pub unmatched: u64,
}

/// Area counts per change kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AreaCounts {
    /// Areas in the old round's layer.
    pub total_old: u64,
    /// Areas in the new round's layer.
    pub total_new: u64,
    /// Level up (including from no sites).
    pub raised: u64,
    /// Level down (including to no sites).
    pub lowered: u64,
    /// Same level, other counts.
    pub counts_changed: u64,
    /// Areas of either round without a change.
    pub unchanged: u64,
}

/// Rank of an area level: no sites lowest, then blue … red.
fn rank(l: Option<RiskLevel>) -> u8 {
    l.map_or(0, |l| 4 - l.index() as u8)
}

/// `raised` / `lowered` for a change of level, `None` when it is the same.
fn level_change(old: Option<RiskLevel>, new: Option<RiskLevel>) -> Option<Kind> {
    match rank(new).cmp(&rank(old)) {
        std::cmp::Ordering::Greater => Some(Kind::Raised),
        std::cmp::Ordering::Less => Some(Kind::Lowered),
        std::cmp::Ordering::Equal => None,
    }
}

/// Geodesic distance in metres on the WGS84 ellipsoid (NaN for non-finite positions).
fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    use geo::Distance;
    if ![a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite()) {
        return f64::NAN;
    }
    if a == b {
        return 0.0;
    }
    geo::Geodesic.distance(geo::Point::new(a.0, a.1), geo::Point::new(b.0, b.1))
}

fn place(s: &RoundSite) -> String {
    let at = if s.source.is_empty() { String::new() } else { format!("{} ", s.source) };
    format!("{at}line {}", s.line)
}

/// Per non-empty id key: the first row with it, the number of rows, and whether the build
/// flagged any of them as a duplicate id.
#[derive(Clone, Copy)]
struct KeyUse {
    first: usize,
    rows: u32,
    flagged: bool,
}

fn key_index<'k>(keys: &'k [std::borrow::Cow<'k, str>], sites: &[RoundSite]) -> FxHashMap<&'k str, KeyUse> {
    let mut m: FxHashMap<&str, KeyUse> = FxHashMap::default();
    m.reserve(keys.len());
    for (i, k) in keys.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
        let e = m.entry(k.as_ref()).or_insert(KeyUse { first: i, rows: 0, flagged: false });
        e.rows += 1;
        e.flagged |= sites[i].duplicate_id;
    }
    m
}

/// Site rows sort by (id key, side: 0 = old or matched, 1 = new, source, line).
type SiteSortKey<'a> = (String, u8, &'a str, u64);

/// Compares the sites of two rounds; rows sorted by id key, then old before new, source, line.
fn compare_sites<'a>(
    old: &'a [RoundSite],
    new: &'a [RoundSite],
    opts: &DiffOptions,
    grids: bool,
) -> (Vec<Row<'a>>, SiteCounts) {
    use rayon::prelude::*;
    let keys = |sites: &'a [RoundSite]| sites.par_iter().with_min_len(4096).map(|s| id_key_cow(&s.id)).collect();
    let (old_keys, new_keys): (Vec<std::borrow::Cow<str>>, Vec<std::borrow::Cow<str>>) =
        rayon::join(|| keys(old), || keys(new));
    let (old_ix, new_ix) = rayon::join(|| key_index(&old_keys, old), || key_index(&new_keys, new));
    let uses = |ix: &FxHashMap<&str, KeyUse>, k: &str| ix.get(k).map_or(0, |u| u.rows);
    // An id is unusable when either round has it on several rows (or the build flagged it).
    let bad = |u: Option<&KeyUse>| u.is_some_and(|u| u.rows > 1 || u.flagged);

    let mut c = SiteCounts {
        total_old: old.len() as u64,
        total_new: new.len() as u64,
        grid_changed: grids.then_some(0),
        ..Default::default()
    };
    let mut keyed: Vec<(SiteSortKey<'a>, Row<'a>)> = Vec::new();
    let lone = |s: &'a RoundSite, old_side: bool, kind: Kind, note: String| Row {
        scope: Scope::Site,
        id: &s.id,
        name: &s.name,
        kinds: vec![kind],
        level_old: old_side.then_some(s.level),
        level_new: (!old_side).then_some(s.level),
        district: if old_side { [&s.district, ""] } else { ["", &s.district] },
        grid: if !grids {
            ["", ""]
        } else if old_side {
            [&s.grid, ""]
        } else {
            ["", &s.grid]
        },
        moved_m: None,
        counts: None,
        name_old: "",
        geom: RowGeom::Point(s.lon, s.lat),
        note,
    };
    let round_name = |old_side: bool| if old_side { "old" } else { "new" };
    let unmatched_note = |s: &RoundSite, k: &str, old_side: bool| {
        if k.is_empty() {
            format!("no id in the {} round ({}): cannot be matched", round_name(old_side), place(s))
        } else {
            format!(
                "id used by {} rows in the old round and {} in the new round ({} round, {}): cannot be matched",
                uses(&old_ix, k),
                uses(&new_ix, k),
                round_name(old_side),
                place(s)
            )
        }
    };

    for (i, s) in old.iter().enumerate() {
        let k = old_keys[i].as_ref();
        let (ou, nu) = if k.is_empty() { (None, None) } else { (old_ix.get(k), new_ix.get(k)) };
        if k.is_empty() || bad(ou) || bad(nu) {
            c.unmatched += 1;
            keyed.push((
                (k.to_string(), 0, &s.source, s.line),
                lone(s, true, Kind::Unmatched, unmatched_note(s, k, true)),
            ));
            continue;
        }
        let Some(j) = nu.map(|u| u.first) else {
            c.removed += 1;
            keyed.push(((k.to_string(), 0, &s.source, s.line), lone(s, true, Kind::Removed, String::new())));
            continue;
        };
        let n = &new[j];
        c.matched += 1;
        let (a, b) = (normalize_name(&s.name), normalize_name(&n.name));
        let name_old: &str = if s.name != n.name { &s.name } else { "" };
        let mut row = Row {
            scope: Scope::Site,
            id: &n.id,
            name: &n.name,
            kinds: Vec::new(),
            level_old: Some(s.level),
            level_new: Some(n.level),
            district: [&s.district, &n.district],
            grid: if grids { [&s.grid, &n.grid] } else { ["", ""] },
            moved_m: None,
            counts: None,
            name_old,
            geom: RowGeom::Point(n.lon, n.lat),
            note: String::new(),
        };
        if !a.is_empty() && !b.is_empty() && a != b {
            c.id_reused += 1;
            row.kinds.push(Kind::IdReused);
            row.note = "same id, different name: a different enterprise; not compared".into();
            keyed.push(((k.to_string(), 0, &n.source, n.line), row));
            continue;
        }
        if let Some(kind) = level_change(Some(s.level), Some(n.level)) {
            row.kinds.push(kind);
            if kind == Kind::Raised {
                c.raised += 1;
            } else {
                c.lowered += 1;
            }
        }
        let d = distance_m((s.lon, s.lat), (n.lon, n.lat));
        if d > opts.move_threshold_m {
            row.kinds.push(Kind::Moved);
            row.moved_m = Some(d);
            c.moved += 1;
        }
        if s.district != n.district {
            row.kinds.push(Kind::DistrictChanged);
            c.district_changed += 1;
        }
        if grids && s.grid != n.grid {
            row.kinds.push(Kind::GridChanged);
            if let Some(g) = c.grid_changed.as_mut() {
                *g += 1;
            }
        }
        if row.kinds.is_empty() {
            c.unchanged += 1;
        } else {
            keyed.push(((k.to_string(), 0, &n.source, n.line), row));
        }
    }
    for (i, s) in new.iter().enumerate() {
        let k = new_keys[i].as_ref();
        let (ou, nu) = if k.is_empty() { (None, None) } else { (old_ix.get(k), new_ix.get(k)) };
        if k.is_empty() || bad(ou) || bad(nu) {
            c.unmatched += 1;
            keyed.push((
                (k.to_string(), 1, &s.source, s.line),
                lone(s, false, Kind::Unmatched, unmatched_note(s, k, false)),
            ));
        } else if ou.is_none() {
            c.new += 1;
            keyed.push(((k.to_string(), 1, &s.source, s.line), lone(s, false, Kind::New, String::new())));
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    (keyed.into_iter().map(|(_, r)| r).collect(), c)
}

/// Compares two area layers by id; rows sorted by id (cells: row descending, column).
fn compare_areas<'a>(scope: Scope, old: &'a [RoundArea], new: &'a [RoundArea]) -> (Vec<Row<'a>>, AreaCounts) {
    let mut pairs: BTreeMap<&'a str, (Option<&'a RoundArea>, Option<&'a RoundArea>)> = BTreeMap::new();
    for a in old {
        pairs.entry(&a.id).or_default().0 = Some(a);
    }
    for a in new {
        pairs.entry(&a.id).or_default().1 = Some(a);
    }
    let mut c = AreaCounts { total_old: old.len() as u64, total_new: new.len() as u64, ..Default::default() };
    let mut rows = Vec::new();
    for (id, (o, n)) in pairs {
        let (lo, ln) = (o.and_then(|a| a.level), n.and_then(|a| a.level));
        let (co, cn) = (o.map_or([0; 4], |a| a.counts), n.map_or([0; 4], |a| a.counts));
        let kind = match level_change(lo, ln) {
            Some(k) => k,
            None if co != cn => Kind::CountsChanged,
            None => {
                c.unchanged += 1;
                continue;
            }
        };
        match kind {
            Kind::Raised => c.raised += 1,
            Kind::Lowered => c.lowered += 1,
            _ => c.counts_changed += 1,
        }
        let Some(area) = n.or(o) else { continue };
        let name_old = match (o, n) {
            (Some(o), Some(n)) if o.name != n.name => o.name.as_str(),
            _ => "",
        };
        rows.push(Row {
            scope,
            id,
            name: &area.name,
            kinds: vec![kind],
            level_old: lo,
            level_new: ln,
            district: ["", ""],
            grid: ["", ""],
            moved_m: None,
            counts: Some([co, cn]),
            name_old,
            geom: match area.cell {
                Some(cell) => RowGeom::Cell(cell),
                None => RowGeom::Area(&area.geometry),
            },
            note: String::new(),
        });
    }
    if scope == Scope::Cell {
        rows.sort_by_key(|r| match r.geom {
            RowGeom::Cell(c) => (std::cmp::Reverse(c.row), c.col),
            _ => (std::cmp::Reverse(i64::MIN), i64::MIN),
        });
    }
    (rows, c)
}

/// Largest coordinate difference (degrees) between boundaries treated as the same: about
/// 10 cm, so that a re-saved file with other rounding still compares equal.
const SAME_BOUNDARY_DEG: f64 = 1e-6;

fn same_geometry(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    // Rings are the same when they have the same vertices in the same cyclic order, in either
    // direction and from any starting vertex (a re-saved file may rotate or reverse them).
    let open = |r: &LineString<f64>| -> Vec<Coord<f64>> {
        let v = &r.0;
        if v.len() > 1 && v[0] == v[v.len() - 1] {
            v[..v.len() - 1].to_vec()
        } else {
            v.clone()
        }
    };
    let near = |p: &Coord<f64>, q: &Coord<f64>| {
        (p.x - q.x).abs() <= SAME_BOUNDARY_DEG && (p.y - q.y).abs() <= SAME_BOUNDARY_DEG
    };
    let same_ring = |r: &LineString<f64>, s: &LineString<f64>| {
        let (a, b) = (open(r), open(s));
        let n = a.len();
        if n != b.len() {
            return false;
        }
        if n == 0 {
            return true;
        }
        (0..n)
            .filter(|&k| near(&a[0], &b[k]))
            .any(|k| (0..n).all(|i| near(&a[i], &b[(k + i) % n])) || (0..n).all(|i| near(&a[i], &b[(k + n - i) % n])))
    };
    a.0.len() == b.0.len()
        && a.0.iter().zip(&b.0).all(|(p, q)| {
            same_ring(p.exterior(), q.exterior())
                && p.interiors().len() == q.interiors().len()
                && p.interiors().iter().zip(q.interiors()).all(|(r, s)| same_ring(r, s))
        })
}

/// `Err(description of the first district that differs)` unless both layers have the same
/// ids and boundaries (in the new layer's order, then the old-only ids).
fn same_districts(old: &[RoundArea], new: &[RoundArea]) -> std::result::Result<(), String> {
    let old_by_id: BTreeMap<&str, &RoundArea> = old.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_ids: std::collections::BTreeSet<&str> = new.iter().map(|a| a.id.as_str()).collect();
    for n in new {
        match old_by_id.get(n.id.as_str()) {
            None => return Err(format!("district {} ({}) is only in the new round", n.id, n.name)),
            Some(o) if !same_geometry(&o.geometry, &n.geometry) => {
                return Err(format!("district {} ({}) has a different boundary", n.id, n.name))
            }
            Some(_) => {}
        }
    }
    match old.iter().find(|o| !new_ids.contains(o.id.as_str())) {
        Some(o) => Err(format!("district {} ({}) is only in the old round", o.id, o.name)),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// Running a diff.

/// One round in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct RoundInfo {
    /// The folder read.
    pub dir: String,
    /// Project title.
    pub title: String,
    /// Census date.
    pub census_date: Option<String>,
    /// Working CRS.
    pub working_crs: String,
    /// Cell size (m).
    pub cell_size_m: f64,
    /// Aggregation rule.
    pub aggregation: String,
    /// SHA-256 of its report.json (`None`: not written yet).
    pub report_sha256: Option<String>,
    /// SHA-256 of its sites.geojson.
    pub sites_sha256: String,
}

impl RoundInfo {
    fn of(r: &Round) -> RoundInfo {
        RoundInfo {
            dir: shown_dir(&r.dir).display().to_string(),
            title: r.meta.title.clone(),
            census_date: r.meta.census_date.clone(),
            working_crs: r.meta.working_crs.clone(),
            cell_size_m: r.meta.cell_size_m,
            aggregation: r.meta.aggregation.clone(),
            report_sha256: r.report_sha256.clone(),
            sites_sha256: r.sites_sha256.clone(),
        }
    }
}

/// What a diff found (for report.json and the terminal).
#[derive(Debug, Clone, Serialize)]
pub struct DiffSummary {
    /// The old round.
    pub old: RoundInfo,
    /// The new round.
    pub new: RoundInfo,
    /// The `moved` threshold (m).
    pub move_threshold_m: f64,
    /// Sites per change kind.
    pub sites: SiteCounts,
    /// Districts per change kind.
    pub districts: AreaCounts,
    /// Management grids per change kind (`None`: not compared, see the notes).
    pub grids: Option<AreaCounts>,
    /// Regular cells per change kind (`None`: not compared, see the notes).
    pub cells: Option<AreaCounts>,
    /// Remarks: what was not compared and why, re-saved district files, other rules.
    pub notes: Vec<String>,
}

/// What [`run_diff`] produced.
#[derive(Debug, Clone)]
pub struct DiffOutcome {
    /// The counts.
    pub summary: DiffSummary,
    /// Totals for the terminal.
    pub lines: Vec<String>,
    /// File names written into the staging folder.
    pub outputs: Vec<String>,
}

/// The header of `changes.csv`.
pub const CSV_HEADER: [&str; 25] = [
    "scope",
    "id",
    "name",
    "change",
    "level_old",
    "level_new",
    "district_old",
    "district_new",
    "grid_old",
    "grid_new",
    "moved_m",
    "red_old",
    "red_new",
    "orange_old",
    "orange_new",
    "yellow_old",
    "yellow_new",
    "blue_old",
    "blue_new",
    "total_old",
    "total_new",
    "name_old",
    "lon",
    "lat",
    "note",
];

/// `100` for 100.0, `12.5` for 12.5.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A moved distance rounded to 0.1 m.
fn round_dm(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

/// Compares `old` with `new` and writes `changes.csv`, `changes.geojson` and `changes.png`
/// (with `.pgw` and `.prj`) into `stage`. `cfg` gives the map style, page and font (a diff
/// run by a build); `None` uses the defaults (A4 landscape, 200 dpi, the vendored font).
pub fn run_diff(
    old: &Round,
    new: &Round,
    opts: &DiffOptions,
    cfg: Option<&Config>,
    stage: &mut Staging,
) -> Result<DiffOutcome> {
    if !(opts.move_threshold_m.is_finite() && opts.move_threshold_m >= 0.0) {
        bail!("move threshold {} m: use a distance in metres of 0 or more (default 100)", opts.move_threshold_m);
    }
    if let Err(first) = same_districts(&old.districts, &new.districts) {
        bail!(
            "the two rounds were built from different district layers ({} and {}): {first}. A diff needs the same \
             boundaries: rebuild the old round with the new district file (set [districts] path in its project to \
             the new file and run `sisetu build` for it), then run the diff again",
            shown_dir(&old.dir).join("districts.geojson").display(),
            shown_dir(&new.dir).join("districts.geojson").display()
        );
    }
    let work: Crs =
        new.meta.working_crs.parse().map_err(|e| anyhow!("{}: report.json working_crs: {e}", new.dir.display()))?;

    let mut notes = Vec::new();
    if shown_dir(&old.dir) == shown_dir(&new.dir) {
        notes.push(format!("the old and the new round are the same folder ({})", shown_dir(&old.dir).display()));
    }
    if old.meta.districts_sha256 != new.meta.districts_sha256 {
        notes.push(
            "the district files differ by SHA-256 but have the same ids and boundaries (a re-saved file)".to_string(),
        );
    }
    if old.meta.aggregation != new.meta.aggregation {
        notes.push(format!(
            "the rounds use different aggregation rules (old: {}; new: {}): area levels are not comparable one to one",
            old.meta.aggregation, new.meta.aggregation
        ));
    }
    let grids_compared = old.grids.is_some() && new.grids.is_some();
    match (&old.grids, &new.grids) {
        (Some(_), Some(_)) | (None, None) => {}
        (Some(_), None) => notes.push(
            "management grids are not compared: only the old round has a management-grid layer (grids.geojson)".into(),
        ),
        (None, Some(_)) => notes.push(
            "management grids are not compared: only the new round has a management-grid layer (grids.geojson)".into(),
        ),
    }
    let cells_compared = old.meta.cell_size_m == new.meta.cell_size_m && old.meta.working_crs == new.meta.working_crs;
    if !cells_compared {
        notes.push(format!(
            "regular cells are not compared: the rounds use different grids (old: {} m cells in {}; new: {} m \
             cells in {})",
            num(old.meta.cell_size_m),
            old.meta.working_crs,
            num(new.meta.cell_size_m),
            new.meta.working_crs
        ));
    }

    let (site_rows, sites) = compare_sites(&old.sites, &new.sites, opts, grids_compared);
    let (district_rows, districts) = compare_areas(Scope::District, &old.districts, &new.districts);
    let (grid_rows, grids) = match (&old.grids, &new.grids) {
        (Some(o), Some(n)) => {
            let (r, c) = compare_areas(Scope::Grid, o, n);
            let only = |a: &[RoundArea], b: &[RoundArea]| {
                let ids: std::collections::BTreeSet<&str> = b.iter().map(|x| x.id.as_str()).collect();
                a.iter().filter(|x| !ids.contains(x.id.as_str())).count()
            };
            let (oo, on) = (only(o, n), only(n, o));
            if oo + on > 0 {
                notes.push(format!(
                    "the management-grid layers differ: {oo} grids only in the old round, {on} only in the new round"
                ));
            }
            (r, Some(c))
        }
        _ => (Vec::new(), None),
    };
    let (cell_rows, cells) = if cells_compared {
        let (r, c) = compare_areas(Scope::Cell, &old.cells, &new.cells);
        (r, Some(c))
    } else {
        (Vec::new(), None)
    };
    let rows: Vec<Row> = site_rows.into_iter().chain(district_rows).chain(grid_rows).chain(cell_rows).collect();

    let grid = RegularGrid::new(new.meta.cell_size_m)
        .ok_or_else(|| anyhow!("{}: report.json: bad cell_size_m {}", new.dir.display(), new.meta.cell_size_m))?;
    let work_to_wgs = Transformer::new(work, Crs::Wgs84).map_err(|e| anyhow!("{e}"))?;
    let cell_ring = |c: CellId| -> Vec<(f64, f64)> {
        let b = grid.bounds(c);
        let corners = [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
        let mut ring: Vec<(f64, f64)> =
            corners.iter().map(|&(x, y)| work_to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN))).collect();
        ring.push(ring[0]);
        ring
    };

    // changes.csv
    let coord_text = |v: f64| {
        let mut b = Vec::new();
        write::push_coord(&mut b, v);
        String::from_utf8(b).unwrap_or_default()
    };
    let lv = |l: Option<RiskLevel>| l.map(|l| l.as_str().to_string()).unwrap_or_default();
    let csv_rows = rows.iter().map(|r| {
        let mut v: Vec<String> = vec![
            r.scope.as_str().into(),
            r.id.into(),
            r.name.into(),
            r.change(),
            lv(r.level_old),
            lv(r.level_new),
            r.district[0].into(),
            r.district[1].into(),
            r.grid[0].into(),
            r.grid[1].into(),
            r.moved_m.map(|d| format!("{:.1}", round_dm(d))).unwrap_or_default(),
        ];
        for i in 0..4 {
            for side in 0..2 {
                v.push(r.counts.map(|c| c[side][i].to_string()).unwrap_or_default());
            }
        }
        for side in 0..2 {
            v.push(r.counts.map(|c| c[side].iter().sum::<u64>().to_string()).unwrap_or_default());
        }
        v.push(r.name_old.into());
        match r.geom {
            RowGeom::Point(x, y) if x.is_finite() && y.is_finite() => {
                v.push(coord_text(x));
                v.push(coord_text(y));
            }
            _ => v.extend([String::new(), String::new()]),
        }
        v.push(r.note.clone());
        v
    });
    write::write_csv_bom(&stage.path("changes.csv"), &CSV_HEADER, csv_rows)?;

    // changes.geojson
    let features = write::render_chunk(&rows, |buf, r| {
        let change = r.change();
        let lvs = |l: Option<RiskLevel>| l.map(|l| Value::Str(l.as_str())).unwrap_or(Value::Null);
        let count = |side: usize, i: usize| r.counts.map(|c| Value::Int(c[side][i] as i64)).unwrap_or(Value::Null);
        let total =
            |side: usize| r.counts.map(|c| Value::Int(c[side].iter().sum::<u64>() as i64)).unwrap_or(Value::Null);
        let props: Vec<(&str, Value)> = vec![
            ("scope", Value::Str(r.scope.as_str())),
            ("id", Value::StrOrNull(r.id)),
            ("name", Value::StrOrNull(r.name)),
            ("change", Value::Str(&change)),
            ("level_old", lvs(r.level_old)),
            ("level_new", lvs(r.level_new)),
            ("district_old", Value::StrOrNull(r.district[0])),
            ("district_new", Value::StrOrNull(r.district[1])),
            ("grid_old", Value::StrOrNull(r.grid[0])),
            ("grid_new", Value::StrOrNull(r.grid[1])),
            ("moved_m", r.moved_m.map(|d| Value::Num(round_dm(d))).unwrap_or(Value::Null)),
            ("red_old", count(0, 0)),
            ("red_new", count(1, 0)),
            ("orange_old", count(0, 1)),
            ("orange_new", count(1, 1)),
            ("yellow_old", count(0, 2)),
            ("yellow_new", count(1, 2)),
            ("blue_old", count(0, 3)),
            ("blue_new", count(1, 3)),
            ("total_old", total(0)),
            ("total_new", total(1)),
            ("name_old", Value::StrOrNull(r.name_old)),
            ("note", Value::StrOrNull(&r.note)),
        ];
        match r.geom {
            RowGeom::Point(x, y) => write::push_feature(buf, &props, Geom::Point(x, y)),
            RowGeom::Area(mp) => write::push_feature(buf, &props, Geom::MultiPolygon(mp)),
            RowGeom::Cell(c) => write::push_feature(buf, &props, Geom::Ring(&cell_ring(c))),
        }
    });
    write::write_feature_collection(&stage.path("changes.geojson"), "changes", &[features])?;

    // changes.png
    let map = render_map(old, new, &rows, &sites, opts, cfg, work, &grid, None)?;
    let mut outputs = vec!["changes.csv".to_string(), "changes.geojson".to_string()];
    outputs.extend(crate::maps::write_rendered(stage, "changes.png", &map, work)?);
    match opts.zoom {
        Some(z) => {
            let to_work = Transformer::new(Crs::Wgs84, work).map_err(|e| anyhow!("{e}"))?;
            let corner = |x: f64, y: f64| {
                to_work
                    .transform(x, y)
                    .map_err(|e| anyhow!("zoom extent [{}, {}, {}, {}]: {e}", z[0], z[1], z[2], z[3]))
            };
            let (a, b, c, d) = (corner(z[0], z[1])?, corner(z[2], z[1])?, corner(z[2], z[3])?, corner(z[0], z[3])?);
            let rect =
                geo::Rect::new(Coord { x: a.0.min(d.0), y: a.1.min(b.1) }, Coord { x: b.0.max(c.0), y: c.1.max(d.1) });
            let map = render_map(old, new, &rows, &sites, opts, cfg, work, &grid, Some(rect))?;
            outputs.extend(crate::maps::write_rendered(stage, "changes_zoom.png", &map, work)?);
        }
        None => {
            for ext in ["png", "pgw", "prj"] {
                stage.retire(&format!("changes_zoom.{ext}"));
            }
        }
    }

    // Terminal lines.
    let mut lines = vec![format!(
        "sites {} → {}: {} new, {} removed, {} raised, {} lowered, {} moved > {} m, {} changed district{}, {} id \
         reused, {} unmatched",
        sites.total_old,
        sites.total_new,
        sites.new,
        sites.removed,
        sites.raised,
        sites.lowered,
        sites.moved,
        num(opts.move_threshold_m),
        sites.district_changed,
        sites.grid_changed.map(|g| format!(", {g} changed grid")).unwrap_or_default(),
        sites.id_reused,
        sites.unmatched
    )];
    let area_line = |what: &str, c: &AreaCounts| {
        format!("{what}: {} raised, {} lowered, {} counts changed", c.raised, c.lowered, c.counts_changed)
    };
    lines.push(area_line("districts", &districts));
    if let Some(g) = &grids {
        lines.push(area_line("grids", g));
    }
    if let Some(c) = &cells {
        lines.push(area_line("cells", c));
    }
    lines.extend(notes.iter().map(|n| format!("note: {n}")));

    let summary = DiffSummary {
        old: RoundInfo::of(old),
        new: RoundInfo::of(new),
        move_threshold_m: opts.move_threshold_m,
        sites,
        districts,
        grids,
        cells,
        notes,
    };
    Ok(DiffOutcome { summary, lines, outputs })
}

// ---------------------------------------------------------------------------------------
// The change map.

const RAISED: Rgba = Rgba(0xD7, 0x30, 0x27, 255);
const LOWERED: Rgba = Rgba(0x1A, 0x98, 0x50, 255);
const COUNTS: Rgba = Rgba(0xC8, 0xC8, 0xC8, 255);
const REMOVED: Rgba = Rgba(0x40, 0x40, 0x40, 255);
const OUTLINE: Rgba = Rgba(0x26, 0x26, 0x26, 255);
const NEW_PT: f32 = 6.5;
/// Raised sites by their new level, red first: the lower levels smaller, so that a city's
/// many sites raised to yellow do not hide the cells.
const RAISED_PT: [f32; 4] = [5.5, 5.0, 4.0, 3.5];
const REMOVED_PT: f32 = 6.0;

fn project(mp: &MultiPolygon<f64>, t: &Transformer) -> Result<MultiPolygon<f64>> {
    use geo::MapCoords;
    mp.try_map_coords(|c| t.transform(c.x, c.y).map(|(x, y)| Coord { x, y })).map_err(|e| anyhow!("{e}"))
}

#[allow(clippy::too_many_arguments)]
fn render_map(
    old: &Round,
    new: &Round,
    rows: &[Row],
    sites: &SiteCounts,
    opts: &DiffOptions,
    cfg: Option<&Config>,
    work: Crs,
    grid: &RegularGrid,
    zoom: Option<geo::Rect<f64>>,
) -> Result<Rendered> {
    let (mut style, page, font) = match cfg {
        Some(c) => (c.style.clone(), c.page, crate::maps::load_font(c)?),
        None => (
            sisetu_render::Style::default(),
            sisetu_render::Page { dpi: 200.0, ..Default::default() },
            sisetu_render::Font::vendored(),
        ),
    };
    let to_work = Transformer::new(Crs::Wgs84, work).map_err(|e| anyhow!("{e}"))?;
    let colour_of = |r: &Row| {
        if r.has(Kind::Raised) {
            RAISED
        } else if r.has(Kind::Lowered) {
            LOWERED
        } else {
            COUNTS
        }
    };
    let mut districts: Vec<Area> = new
        .districts
        .iter()
        .map(|d| {
            Ok(Area {
                id: d.id.clone(),
                name: d.name.clone(),
                geometry: project(&d.geometry, &to_work)
                    .with_context(|| format!("district {}: cannot project it to {work}", d.id))?,
                level: None,
                counts: d.counts,
                color: None,
            })
        })
        .collect::<Result<_>>()?;
    let cell_rows: Vec<&Row> = rows.iter().filter(|r| r.scope == Scope::Cell).collect();
    let by_cells = !cell_rows.is_empty();
    let mut class_count = [0u64; 3];
    let mut count_class =
        |c: Rgba| class_count[[RAISED, LOWERED, COUNTS].iter().position(|x| *x == c).unwrap_or(2)] += 1;
    let areas: Vec<Area> = if by_cells {
        cell_rows
            .iter()
            .filter_map(|r| match r.geom {
                RowGeom::Cell(c) => {
                    let mut a = crate::maps::cell_area(grid, c, None, [0; 4]);
                    a.color = Some(colour_of(r));
                    count_class(colour_of(r));
                    Some(a)
                }
                _ => None,
            })
            .collect()
    } else {
        for r in rows.iter().filter(|r| r.scope == Scope::District) {
            if let Some(d) = districts.iter_mut().find(|d| d.id == r.id) {
                d.color = Some(colour_of(r));
                count_class(colour_of(r));
            }
        }
        Vec::new()
    };

    // Markers: removed red/orange sites, raised sites, new red/orange sites (on top, red last).
    let point = |r: &Row| match r.geom {
        RowGeom::Point(x, y) => to_work.transform(x, y).ok(),
        _ => None,
    };
    let high = |l: Option<RiskLevel>| matches!(l, Some(RiskLevel::Red | RiskLevel::Orange));
    let site_rows: Vec<&Row> = rows.iter().filter(|r| r.scope == Scope::Site).collect();
    let mut markers = Vec::new();
    let mut n_removed = 0u64;
    for r in site_rows.iter().filter(|r| r.has(Kind::Removed) && high(r.level_old)) {
        n_removed += 1;
        if let Some((x, y)) = point(r) {
            markers.push(Marker {
                x,
                y,
                shape: MarkerShape::Cross,
                size_pt: REMOVED_PT,
                fill: REMOVED,
                stroke: OUTLINE,
            });
        }
    }
    let mut n_raised = 0u64;
    for level in [RiskLevel::Blue, RiskLevel::Yellow, RiskLevel::Orange, RiskLevel::Red] {
        for r in site_rows.iter().filter(|r| r.has(Kind::Raised) && r.level_new == Some(level)) {
            n_raised += 1;
            if let Some((x, y)) = point(r) {
                let (fill, size_pt) = (style.color(level), RAISED_PT[level.index()]);
                markers.push(Marker { x, y, shape: MarkerShape::Diamond, size_pt, fill, stroke: OUTLINE });
            }
        }
    }
    let mut n_new = [0u64; 2];
    for level in [RiskLevel::Orange, RiskLevel::Red] {
        for r in site_rows.iter().filter(|r| r.has(Kind::New) && r.level_new == Some(level)) {
            n_new[level.index()] += 1;
            if let Some((x, y)) = point(r) {
                let fill = style.color(level);
                markers.push(Marker { x, y, shape: MarkerShape::Triangle, size_pt: NEW_PT, fill, stroke: OUTLINE });
            }
        }
    }

    let unit = if by_cells { format!("{} m 网格单元", num(grid.size())) } else { "区县".to_string() };
    let measure = if by_cells { "个" } else { "个区县" };
    let white = Rgba(0xFF, 0xFF, 0xFF, 255);
    let items = vec![
        LegendItem {
            swatch: Swatch::Fill(RAISED),
            label: format!("风险等级上升的{unit}"),
            count: Some(format!("{} {measure}", class_count[0])),
        },
        LegendItem {
            swatch: Swatch::Fill(LOWERED),
            label: format!("风险等级下降的{unit}"),
            count: Some(format!("{} {measure}", class_count[1])),
        },
        LegendItem {
            swatch: Swatch::Fill(COUNTS),
            label: "等级未变、企业数有变化".to_string(),
            count: Some(format!("{} {measure}", class_count[2])),
        },
        LegendItem {
            swatch: Swatch::Marker {
                shape: MarkerShape::Triangle,
                size_pt: NEW_PT,
                fill: style.color(RiskLevel::Red),
                stroke: OUTLINE,
            },
            label: "新增重大风险企业".to_string(),
            count: Some(format!("{} 家", n_new[0])),
        },
        LegendItem {
            swatch: Swatch::Marker {
                shape: MarkerShape::Triangle,
                size_pt: NEW_PT,
                fill: style.color(RiskLevel::Orange),
                stroke: OUTLINE,
            },
            label: "新增较大风险企业".to_string(),
            count: Some(format!("{} 家", n_new[1])),
        },
        LegendItem {
            swatch: Swatch::Marker { shape: MarkerShape::Diamond, size_pt: RAISED_PT[1], fill: white, stroke: OUTLINE },
            label: "风险等级上升的企业（填色为本轮等级）".to_string(),
            count: Some(format!("{n_raised} 家")),
        },
        LegendItem {
            swatch: Swatch::Marker { shape: MarkerShape::Cross, size_pt: REMOVED_PT, fill: REMOVED, stroke: OUTLINE },
            label: "已移除的重大、较大风险企业".to_string(),
            count: Some(format!("{n_removed} 家")),
        },
    ];

    let date = |r: &Round| r.meta.census_date.clone().unwrap_or_else(|| r.meta.title.clone());
    // The vendored font has no arrow (→): "至" reads as well in a subtitle.
    let subtitle = format!(
        "{} 至 {}　新增 {} 家 · 移除 {} 家 · 等级上升 {} 家 · 下降 {} 家",
        date(old),
        date(new),
        sites.new,
        sites.removed,
        sites.raised,
        sites.lowered
    );
    let title = match zoom {
        None => format!("{}变化图", new.meta.title),
        Some(_) => format!("{}变化图（局部）", new.meta.title),
    };
    let round_line = |what: &str, r: &Round| match &r.meta.census_date {
        Some(d) => format!("{what}：{}（普查日期：{d}）", r.meta.title),
        None => format!("{what}：{}", r.meta.title),
    };
    let mut footer = Vec::new();
    if let Some(s) = cfg.and_then(|c| c.source.as_ref()) {
        footer.push(format!("数据来源：{s}"));
    }
    footer.push(round_line("上轮", old));
    footer.push(round_line("本轮", new));
    footer.push(format!(
        "企业按统一社会信用代码匹配；位置变化超过 {} m 计为迁移；共 {} 家无法匹配（见 changes.csv）",
        num(opts.move_threshold_m),
        sites.unmatched
    ));
    footer.push(format!("坐标系：{} ({work})", work.description()));
    footer.push(format!("制图：sisetu {}", env!("CARGO_PKG_VERSION")));
    let text = MapText { title: &title, subtitle: Some(&subtitle), footer: &footer };
    let content = MapContent {
        areas: &areas,
        fill: Fill::None,
        markers: &markers,
        legend_items: &items,
        legend_title: "图例",
        extent: zoom,
        ..MapContent::new(&districts)
    };
    // A small page may not hold the legend at the configured size: shrink it step by step.
    let base = style.legend_pt;
    let mut last = None;
    for scale in [1.0, 0.85, 0.7, 0.55] {
        style.legend_pt = base * scale;
        match sisetu_render::render(&page, &style, &font, &text, &content) {
            Ok(map) => return Ok(map),
            Err(e @ sisetu_render::RenderError::PageTooSmall(_)) => last = Some(e),
            Err(e) => return Err(anyhow!("changes.png: {e}")),
        }
    }
    Err(anyhow!(
        "changes.png: {}; use a larger page ([style] page = \"A3\"), a higher dpi, or a smaller legend_pt",
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
