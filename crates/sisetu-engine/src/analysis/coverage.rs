//! Facility coverage (`[population]` + `[[facilities]]`): who lies outside every shelter's
//! reach, whether the shelters are large enough, and where to build next.
//!
//! 1. **Population** → demand units in the working CRS: a per-district table spread over the
//!    cells of the population grid (uniformly by area, or by weight points) with whole persons
//!    per unit that add up exactly to the table, or population points taken as they are.
//! 2. Per facility layer: read the facilities (class → service radius and m² a person;
//!    capacity from the capacity column or effective area ÷ m² a person), then
//!    radius coverage and nearest-first capacity assignment (`sisetu_core::coverage`), siting
//!    of new facilities (`sisetu_core::siting`), townships without a facility.
//! 3. Outputs: `<id>s.geojson`, `<id>_summary.csv`, `<id>_townships.csv`, and the shared
//!    `coverage_gaps.geojson` and `siting.geojson`; the map `<id>_coverage.png`.
//!
//! Every input row is either used or in rejects.csv with its reason; the population written
//! (per district, per cell, covered + without room + uncovered) adds up to the input total.

use crate::layers::{load_zone_layer, ZoneLayer};
use crate::observer::Observer;
use crate::project::facilities::{FacilityConfig, FacilityKind, PointSource, PopulationSource};
use crate::project::Config;
use anyhow::{anyhow, bail, Result};
use geo::{InteriorPoint, MultiPolygon, Polygon};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use sisetu_core::coverage::{allocate, Allocation, Demand, Facility, FacilityIndex, FacilityShape, Reach};
use sisetu_core::siting::{greedy_cover, Pick};
use sisetu_core::surface::{apportion, cell_pieces};
use sisetu_core::{CellId, RegularGrid};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::sites::{Reject, SiteTransforms};
use sisetu_io::table::{parse_quantity, read_table, Record, Table, TableKind};
use sisetu_io::write::{self, Geom, Staging, Value};
use std::collections::BTreeMap;

const X_HEADERS: &[&str] = &["经度", "lon", "lng", "longitude", "x", "东经"];
const Y_HEADERS: &[&str] = &["纬度", "lat", "latitude", "y", "北纬"];
const CODE_HEADERS: &[&str] = &["区划代码", "行政区划代码", "区县代码", "code", "adcode"];
const COUNT_HEADERS: &[&str] = &["人口数_合计", "常住人口", "人口数", "人口", "总人口", "population", "pop", "count"];
const WEIGHT_HEADERS: &[&str] = &["户数", "权重", "weight"];
const NAME_HEADERS: &[&str] = &["名称", "场所名称", "避难场所名称", "name"];
const CLASS_HEADERS: &[&str] = &["类别", "场所类别", "避难场所类别", "级别", "class"];
const AREA_HEADERS: &[&str] =
    &["有效面积", "有效避难面积", "有效面积(m²)", "有效面积（平方米）", "area", "effective_area"];
const CAPACITY_HEADERS: &[&str] = &["容纳人数", "可容纳人数", "容纳人口", "capacity"];

/// A rejected row with the file it came from.
pub type FileReject = (String, Reject);

/// One unit of demand: the persons of one district in one population cell (table mode) or
/// one population point.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    /// Population grid cell.
    pub cell: CellId,
    /// District index, `None` outside every district (points mode only).
    pub district: Option<u32>,
    /// Demand point in the working CRS (piece centroid or the point).
    pub x: f64,
    /// Northing.
    pub y: f64,
    /// Persons.
    pub population: f64,
}

/// An input file in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The file.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Encoding found (CSV).
    pub encoding: Option<String>,
    /// Data rows read = accepted + rejected.
    pub rows_read: u64,
    /// Rows used.
    pub accepted: u64,
    /// Rows in rejects.csv.
    pub rejected: u64,
}

/// The population, ready for coverage.
pub struct Population {
    /// Demand units with persons > 0, ordered by district, row, column (table mode) or
    /// file order (points mode).
    pub units: Vec<Unit>,
    /// The population grid.
    pub grid: RegularGrid,
    /// Persons per district as read (table) or located (points).
    pub by_district: Vec<f64>,
    /// Persons outside every district (points mode).
    pub outside: f64,
    /// Districts without a population figure (table mode): (id, name).
    pub missing: Vec<(String, String)>,
    /// Rejected rows.
    pub rejects: Vec<FileReject>,
    /// Files read.
    pub inputs: Vec<InputReport>,
    /// How the population was spread, for report.json and the terminal.
    pub method: String,
    /// The same in Chinese, for the map footer.
    pub method_zh: String,
    /// Notes for the terminal (fallbacks, unused weight points).
    pub notes: Vec<String>,
}

impl Population {
    /// All persons.
    pub fn total(&self) -> f64 {
        self.by_district.iter().sum::<f64>() + self.outside
    }
}

fn encoding_name(t: &Table) -> Option<String> {
    t.encoding.map(|e| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
}

fn input_report(t: &Table, rejected: u64) -> InputReport {
    InputReport {
        file: t.display.clone(),
        sha256: t.sha256.clone(),
        encoding: encoding_name(t),
        rows_read: t.rows_read,
        accepted: t.rows_read - rejected,
        rejected,
    }
}

fn reject(rec: &Record, reason: impl Into<String>) -> Reject {
    Reject { line: rec.line, reason: reason.into(), raw: rec.values.clone() }
}

/// A located row: (lon, lat) in WGS84 and (x, y) in the working CRS.
type Located = ((f64, f64), (f64, f64));

/// A siting candidate: name, source line (0 for cell centres), working-CRS point, lon/lat.
type Candidate = (String, u64, (f64, f64), (f64, f64));

/// Reads the coordinates of point rows: CSV/XLSX columns or GeoJSON point geometry.
struct PointReader {
    cols: Option<(usize, usize)>,
    headers: (String, String),
    crs: Crs,
    tf: SiteTransforms,
}

impl PointReader {
    fn new(t: &Table, src: &PointSource, work: Crs, key: &str) -> Result<Self> {
        let tf = SiteTransforms::new(src.crs, work).map_err(|e| anyhow!("{}: {e}", t.display))?;
        let cols = if t.kind == TableKind::GeoJson && src.x.is_none() && src.y.is_none() {
            None
        } else {
            let x = t.require(src.x.as_deref(), X_HEADERS, "x (longitude, 经度)", &format!("{key}x"))?;
            let y = t.require(src.y.as_deref(), Y_HEADERS, "y (latitude, 纬度)", &format!("{key}y"))?;
            Some((x, y))
        };
        let headers = match cols {
            Some((x, y)) => (t.headers[x].clone(), t.headers[y].clone()),
            None => ("x".into(), "y".into()),
        };
        Ok(PointReader { cols, headers, crs: src.crs, tf })
    }

    /// ((lon, lat) WGS84, (x, y) working CRS), or the reason the row is rejected.
    fn locate(&self, rec: &Record) -> Result<Located, String> {
        let (x, y) = match self.cols {
            Some((xi, yi)) => {
                let (xs, ys) = (&rec.values[xi], &rec.values[yi]);
                if xs.is_empty() || ys.is_empty() {
                    return Err(format!("missing coordinates ({}='{xs}', {}='{ys}')", self.headers.0, self.headers.1));
                }
                match (parse_quantity(xs), parse_quantity(ys)) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Err(format!(
                            "coordinates are not numbers ({}='{xs}', {}='{ys}')",
                            self.headers.0, self.headers.1
                        ))
                    }
                }
            }
            None => match &rec.geometry {
                Some(geo::Geometry::Point(p)) => (p.x(), p.y()),
                Some(geo::Geometry::MultiPoint(mp)) if mp.0.len() == 1 => (mp.0[0].x(), mp.0[0].y()),
                Some(geo::Geometry::MultiPoint(mp)) => {
                    return Err(format!("a MultiPoint of {} points; give one point per row", mp.0.len()))
                }
                Some(_) => return Err("geometry is not a point".into()),
                None => return Err("feature has no geometry".into()),
            },
        };
        sisetu_io::sites::check_coordinates(self.crs, x, y, &self.headers.0, &self.headers.1)?;
        self.tf.apply(x, y)
    }
}

fn find_district(zones: &ZoneLayer, code: &str) -> Option<usize> {
    let code = code.trim();
    if let Some(i) = zones.work.iter().position(|z| z.id == code) {
        return Some(i);
    }
    // 9- or 12-digit statistical codes of a 6-digit county code: 650102000000 → 650102.
    zones.work.iter().position(|z| {
        !z.id.is_empty()
            && code.len() > z.id.len()
            && code.starts_with(z.id.as_str())
            && code[z.id.len()..].bytes().all(|b| b == b'0')
    })
}

fn whole_persons(v: f64) -> Result<f64, String> {
    if v < 0.0 {
        Err(format!("negative population {v}"))
    } else {
        Ok(v)
    }
}

/// Reads `[population]` into demand units.
pub fn load_population(cfg: &Config, districts: &ZoneLayer, work: Crs) -> Result<Option<Population>> {
    let Some(pc) = &cfg.population else { return Ok(None) };
    let grid = RegularGrid::new(pc.cell_size_m).ok_or_else(|| anyhow!("invalid population cell size"))?;
    let n = districts.work.len();
    let mut pop = Population {
        units: Vec::new(),
        grid,
        by_district: vec![0.0; n],
        outside: 0.0,
        missing: Vec::new(),
        rejects: Vec::new(),
        inputs: Vec::new(),
        method: String::new(),
        method_zh: String::new(),
        notes: Vec::new(),
    };
    match &pc.source {
        PopulationSource::Table { table, code, count, weights } => {
            let t = read_table(table)?;
            let ci = t.require(code.as_deref(), CODE_HEADERS, "code (区划代码)", "[population] code")?;
            let ni = t.require(count.as_deref(), COUNT_HEADERS, "count (人口数)", "[population] count")?;
            let mut rejects: Vec<Reject> = t.rejects.clone();
            let mut figure: Vec<Option<(u64, u64)>> = vec![None; n]; // (persons, line)
            for rec in &t.records {
                let code = rec.values[ci].trim();
                let raw = rec.values[ni].trim();
                if code.is_empty() {
                    rejects.push(reject(rec, format!("missing district code ({})", t.headers[ci])));
                    continue;
                }
                let persons = match parse_quantity(raw) {
                    None if raw.is_empty() => {
                        rejects.push(reject(rec, format!("missing population ({} is empty)", t.headers[ni])));
                        continue;
                    }
                    None => {
                        rejects.push(reject(rec, format!("population '{raw}' is not a number ({})", t.headers[ni])));
                        continue;
                    }
                    Some(v) if v < 0.0 => {
                        rejects.push(reject(rec, format!("negative population {raw}")));
                        continue;
                    }
                    Some(v) if v.fract() != 0.0 || v > 1e12 => {
                        rejects.push(reject(rec, format!("population {raw} is not a whole number of persons")));
                        continue;
                    }
                    Some(v) => v as u64,
                };
                let Some(d) = find_district(districts, code) else {
                    let ids: Vec<&str> = districts.work.iter().take(12).map(|z| z.id.as_str()).collect();
                    rejects.push(reject(
                        rec,
                        format!(
                            "district code {code} matches no district in {} (ids: {}{}); fix the code or remove the row",
                            cfg.districts.0.display,
                            ids.join(", "),
                            if districts.work.len() > 12 { ", …" } else { "" }
                        ),
                    ));
                    continue;
                };
                if let Some((_, first)) = figure[d] {
                    rejects.push(reject(
                        rec,
                        format!("district {code} already has a population on line {first}; keep one row per district"),
                    ));
                    continue;
                }
                figure[d] = Some((persons, rec.line));
            }
            if figure.iter().all(Option::is_none) {
                bail!(
                    "{}: no usable population row ({} read, {} rejected{}); every district would count 0 residents",
                    t.display,
                    t.rows_read,
                    rejects.len(),
                    rejects.first().map(|r| format!("; line {}: {}", r.line, r.reason)).unwrap_or_default()
                );
            }
            rejects.sort_by_key(|r| r.line);
            pop.inputs.push(input_report(&t, rejects.len() as u64));
            pop.rejects.extend(rejects.into_iter().map(|r| (t.display.clone(), r)));
            for (d, f) in figure.iter().enumerate() {
                match f {
                    Some((p, _)) => pop.by_district[d] = *p as f64,
                    None => pop.missing.push((districts.work[d].id.clone(), districts.work[d].name.clone())),
                }
            }
            // Weight points, if any: their weight per (district, cell).
            let pieces = cell_pieces(&districts.work, &grid);
            let mut weight_of: Option<Vec<f64>> = None;
            let file_name =
                |d: &str| std::path::Path::new(d).file_name().and_then(|f| f.to_str()).unwrap_or(d).to_string();
            pop.method = format!("per-district table spread uniformly over {} m cells by area", pc.cell_size_m);
            pop.method_zh =
                format!("{} 按区县人口，以 {} 米网格按面积均匀分布", file_name(&t.display), num(pc.cell_size_m));
            if let Some((src, wcol)) = weights {
                let wt = read_table(&src.table)?;
                let reader = PointReader::new(&wt, src, work, "[population.weights] ")?;
                let wi = wt.column(wcol.as_deref(), WEIGHT_HEADERS, "weight (户数)")?;
                let mut rejects: Vec<Reject> = wt.rejects.clone();
                let slot: FxHashMap<(u32, CellId), usize> =
                    pieces.iter().enumerate().map(|(i, p)| ((p.zone, p.cell), i)).collect();
                let mut w = vec![0.0; pieces.len()];
                let (mut outside, mut unplaced) = (0u64, 0u64);
                for rec in &wt.records {
                    let weight = match wi {
                        None => 1.0,
                        Some(i) => match parse_quantity(&rec.values[i]) {
                            Some(v) if v >= 0.0 => v,
                            Some(v) => {
                                rejects.push(reject(rec, format!("negative weight {v}")));
                                continue;
                            }
                            None => {
                                rejects.push(reject(
                                    rec,
                                    format!(
                                        "weight '{}' is missing or not a number ({})",
                                        rec.values[i], wt.headers[i]
                                    ),
                                ));
                                continue;
                            }
                        },
                    };
                    let (_, (x, y)) = match reader.locate(rec) {
                        Ok(v) => v,
                        Err(why) => {
                            rejects.push(reject(rec, why));
                            continue;
                        }
                    };
                    match districts.index.locate(x, y) {
                        None => outside += 1,
                        Some(d) => match slot.get(&(d, grid.cell_of(x, y))) {
                            Some(&i) => w[i] += weight,
                            None => unplaced += 1,
                        },
                    }
                }
                if outside > 0 {
                    pop.notes.push(format!(
                        "{}: {outside} weight points lie outside every district and weigh nothing",
                        wt.display
                    ));
                }
                if unplaced > 0 {
                    pop.notes.push(format!(
                        "{}: {unplaced} weight points fell in slivers below 1e-9 of a cell and weigh nothing",
                        wt.display
                    ));
                }
                pop.method = format!(
                    "per-district table spread over {} m cells in proportion to {}{}",
                    pc.cell_size_m,
                    wt.display,
                    wi.map(|i| format!(" ({})", wt.headers[i])).unwrap_or_default()
                );
                pop.inputs.push(input_report(&wt, rejects.len() as u64));
                pop.rejects.extend(rejects.into_iter().map(|r| (wt.display.clone(), r)));
                pop.method_zh = format!(
                    "{} 按区县人口，以 {} 米网格按 {}{} 加权分布",
                    file_name(&t.display),
                    num(pc.cell_size_m),
                    file_name(&wt.display),
                    wi.map(|i| format!("（{}）", wt.headers[i])).unwrap_or_default()
                );
                weight_of = Some(w);
            }
            // Spread each district's figure over its pieces.
            let mut start = 0;
            while start < pieces.len() {
                let d = pieces[start].zone;
                let end = start + pieces[start..].iter().take_while(|p| p.zone == d).count();
                let own = &pieces[start..end];
                let total = figure[d as usize].map(|f| f.0).unwrap_or(0);
                let area_w: Vec<f64> = own.iter().map(|p| p.area).collect();
                let persons = match &weight_of {
                    Some(w) => match apportion(total, &w[start..end]) {
                        Some(v) => v,
                        None => {
                            if total > 0 {
                                pop.notes.push(format!(
                                    "district {} {} has no weight (no weight points, or all weigh 0): its {total} persons are spread uniformly by area",
                                    districts.work[d as usize].id, districts.work[d as usize].name
                                ));
                            }
                            apportion(total, &area_w).unwrap_or_else(|| vec![0; own.len()])
                        }
                    },
                    None => apportion(total, &area_w).unwrap_or_else(|| vec![0; own.len()]),
                };
                for (p, &k) in own.iter().zip(&persons) {
                    if k > 0 {
                        pop.units.push(Unit {
                            cell: p.cell,
                            district: Some(d),
                            x: p.centroid.0,
                            y: p.centroid.1,
                            population: k as f64,
                        });
                    }
                }
                start = end;
            }
            // A district with a figure but no area (empty geometry) would lose persons.
            for (d, f) in figure.iter().enumerate() {
                if let Some((p, line)) = f {
                    if *p > 0 && !pieces.iter().any(|q| q.zone == d as u32) {
                        bail!(
                            "{}: line {line}: district {} has {p} persons but no area to spread them over; check its polygon",
                            t.display,
                            districts.work[d].id
                        );
                    }
                }
            }
        }
        PopulationSource::Points { source, count } => {
            let t = read_table(&source.table)?;
            let reader = PointReader::new(&t, source, work, "[population] ")?;
            let ni = t.require(count.as_deref(), COUNT_HEADERS, "count (人口)", "[population] count")?;
            let mut rejects: Vec<Reject> = t.rejects.clone();
            for rec in &t.records {
                let raw = rec.values[ni].trim();
                let persons = match parse_quantity(raw).map(whole_persons) {
                    None => {
                        rejects.push(reject(
                            rec,
                            if raw.is_empty() {
                                format!("missing population ({} is empty)", t.headers[ni])
                            } else {
                                format!("population '{raw}' is not a number ({})", t.headers[ni])
                            },
                        ));
                        continue;
                    }
                    Some(Err(why)) => {
                        rejects.push(reject(rec, why));
                        continue;
                    }
                    Some(Ok(v)) => v,
                };
                let (_, (x, y)) = match reader.locate(rec) {
                    Ok(v) => v,
                    Err(why) => {
                        rejects.push(reject(rec, why));
                        continue;
                    }
                };
                let district = districts.index.locate(x, y);
                match district {
                    Some(d) => pop.by_district[d as usize] += persons,
                    None => pop.outside += persons,
                }
                if persons > 0.0 {
                    pop.units.push(Unit { cell: grid.cell_of(x, y), district, x, y, population: persons });
                }
            }
            pop.method = format!("population points {}", t.display);
            pop.method_zh = format!(
                "人口点 {}",
                std::path::Path::new(&t.display).file_name().and_then(|f| f.to_str()).unwrap_or(&t.display)
            );
            pop.inputs.push(input_report(&t, rejects.len() as u64));
            pop.rejects.extend(rejects.into_iter().map(|r| (t.display.clone(), r)));
        }
    }
    Ok(Some(pop))
}

/// One facility as read.
#[derive(Debug, Clone)]
pub struct FacilityRow {
    /// Source line (feature number for GeoJSON).
    pub line: u64,
    /// Name.
    pub name: String,
    /// Class as configured (`紧急`), empty without a class column.
    pub class: String,
    /// Effective area (m²), if given.
    pub area_m2: Option<f64>,
    /// Capacity (persons; infinite when unknown and not a shelter).
    pub capacity: f64,
    /// Whether the capacity came from the capacity column.
    pub capacity_given: bool,
    /// Service radius (m).
    pub radius_m: f64,
    /// Location in WGS84 for output: a point, or the area.
    pub wgs84: Geometry84,
    /// District index.
    pub district: Option<u32>,
}

/// A facility's geometry in WGS84.
#[derive(Debug, Clone)]
pub enum Geometry84 {
    /// lon, lat.
    Point(f64, f64),
    /// An area.
    Area(MultiPolygon<f64>),
}

/// A facility layer as read.
pub struct FacilityLayer {
    /// Rows that became facilities.
    pub rows: Vec<FacilityRow>,
    /// The same in the working CRS.
    pub facilities: Vec<Facility>,
    /// Rejected rows.
    pub rejects: Vec<FileReject>,
    /// The file.
    pub input: InputReport,
    /// Whether the layer has an effective-area column.
    pub has_area: bool,
    /// Whether any facility has a finite capacity.
    pub has_capacity: bool,
}

fn project_polygons(g: &geo::Geometry<f64>, t: &Transformer) -> Result<MultiPolygon<f64>, String> {
    let polys: Vec<&Polygon<f64>> = match g {
        geo::Geometry::Polygon(p) => vec![p],
        geo::Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => return Err("geometry is neither a point nor a polygon".into()),
    };
    let ring = |ls: &geo::LineString<f64>| -> Result<geo::LineString<f64>, String> {
        ls.0.iter()
            .map(|c| {
                t.transform(c.x, c.y).map(|(x, y)| geo::Coord { x, y }).map_err(|e| format!("polygon vertex: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(geo::LineString)
    };
    let mut out = Vec::new();
    for p in polys {
        out.push(Polygon::new(ring(p.exterior())?, p.interiors().iter().map(ring).collect::<Result<_, _>>()?));
    }
    Ok(MultiPolygon(out))
}

/// Reads one `[[facilities]]` layer.
pub fn load_facilities(fc: &FacilityConfig, districts: &ZoneLayer, work: Crs) -> Result<FacilityLayer> {
    let t = read_table(&fc.source.table)?;
    let key = "[[facilities]] ";
    let geo_layer = t.kind == TableKind::GeoJson && fc.source.x.is_none() && fc.source.y.is_none();
    let reader = PointReader::new(&t, &fc.source, work, key)?;
    let name_i = t.column(fc.name.as_deref(), NAME_HEADERS, "name (名称)")?;
    // A service layer without classes uses radius_m for every row: its 级别/类别 column (e.g.
    // 特勤消防站) is then not a service class, unless the project names it.
    let class_i = if fc.classes.is_empty() && fc.class.is_none() {
        None
    } else {
        t.column(fc.class.as_deref(), CLASS_HEADERS, "class (类别)")?
    };
    let area_i = match fc.kind {
        FacilityKind::Shelter => {
            Some(t.require(fc.area.as_deref(), AREA_HEADERS, "area (有效面积, m²)", &format!("{key}area"))?)
        }
        FacilityKind::Service => t.column(fc.area.as_deref(), AREA_HEADERS, "area (有效面积, m²)")?,
    };
    let cap_i = t.column(fc.capacity.as_deref(), CAPACITY_HEADERS, "capacity (容纳人数)")?;
    if class_i.is_none() && fc.radius_m.is_none() {
        bail!(
            "{}: no class column ({}) and no radius_m for layer \"{}\": add class = \"<column>\" or radius_m = <metres> to its [[facilities]] entry",
            t.display,
            CLASS_HEADERS.join(", "),
            fc.id
        );
    }
    let to_wgs = Transformer::new(fc.source.crs, Crs::Wgs84).map_err(|e| anyhow!("{}: {e}", t.display))?;
    let to_work = Transformer::new(fc.source.crs, work).map_err(|e| anyhow!("{}: {e}", t.display))?;
    let known = || fc.classes.keys().cloned().collect::<Vec<_>>().join(", ");
    let mut rows = Vec::new();
    let mut facilities = Vec::new();
    let mut rejects: Vec<Reject> = t.rejects.clone();
    for rec in &t.records {
        let name = name_i.map(|i| rec.values[i].clone()).unwrap_or_default();
        // Class → radius and m² a person.
        let (class, radius_m, m2pp) = match class_i {
            Some(i) => {
                let label = rec.values[i].trim();
                if label.is_empty() {
                    match fc.radius_m {
                        Some(r) => (String::new(), r, fc.m2_per_person),
                        None => {
                            rejects.push(reject(
                                rec,
                                format!("missing class ({}); known classes: {}", t.headers[i], known()),
                            ));
                            continue;
                        }
                    }
                } else {
                    match fc.class_of(label) {
                        Some((k, c)) => (k.to_string(), c.radius_m, c.m2_per_person),
                        None => {
                            rejects.push(reject(
                                rec,
                                format!(
                                    "unknown class '{label}' ({}); known classes: {}; add [facilities.classes.\"{label}\"] with radius_m and m2_per_person",
                                    t.headers[i],
                                    known()
                                ),
                            ));
                            continue;
                        }
                    }
                }
            }
            None => (String::new(), fc.radius_m.unwrap_or(0.0), fc.m2_per_person),
        };
        let area = match area_i {
            Some(i) => {
                let raw = rec.values[i].trim();
                match parse_quantity(raw) {
                    Some(v) if v > 0.0 => Some(v),
                    Some(_) if fc.kind == FacilityKind::Shelter => {
                        rejects.push(reject(rec, format!("effective area {raw} is not positive ({})", t.headers[i])));
                        continue;
                    }
                    None if fc.kind == FacilityKind::Shelter => {
                        rejects.push(reject(
                            rec,
                            if raw.is_empty() {
                                format!(
                                    "no effective area ({} is empty): a shelter needs its effective area in m²",
                                    t.headers[i]
                                )
                            } else {
                                format!("effective area '{raw}' is not a number ({})", t.headers[i])
                            },
                        ));
                        continue;
                    }
                    _ => None,
                }
            }
            None => None,
        };
        let given = cap_i.map(|i| rec.values[i].trim()).filter(|s| !s.is_empty());
        let (capacity, capacity_given) = match given {
            Some(raw) => match parse_quantity(raw) {
                Some(v) if v >= 0.0 => (v.floor(), true),
                _ => {
                    rejects.push(reject(rec, format!("capacity '{raw}' is not a number of persons ≥ 0")));
                    continue;
                }
            },
            None => match (area, m2pp) {
                (Some(a), Some(m)) => ((a / m).floor(), false),
                _ if fc.kind == FacilityKind::Shelter => {
                    rejects.push(reject(
                        rec,
                        "no capacity: give the capacity column (容纳人数), a class with m2_per_person, or m2_per_person for the layer".to_string(),
                    ));
                    continue;
                }
                _ => (f64::INFINITY, false),
            },
        };
        // Location.
        let polygon =
            geo_layer && matches!(rec.geometry, Some(geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)));
        let (shape, wgs84, anchor) = if polygon {
            let g = rec.geometry.as_ref().expect("checked above");
            let (w, p) = match (project_polygons(g, &to_work), project_polygons(g, &to_wgs)) {
                (Ok(w), Ok(p)) => (w, p),
                (Err(why), _) | (_, Err(why)) => {
                    rejects.push(reject(rec, why));
                    continue;
                }
            };
            let Some(anchor) = w.interior_point() else {
                rejects.push(reject(rec, "empty polygon"));
                continue;
            };
            (FacilityShape::Area(w), Geometry84::Area(p), (anchor.x(), anchor.y()))
        } else {
            match reader.locate(rec) {
                Ok((ll, xy)) => (FacilityShape::Point(xy.0, xy.1), Geometry84::Point(ll.0, ll.1), xy),
                Err(why) => {
                    rejects.push(reject(rec, why));
                    continue;
                }
            }
        };
        let district = districts.index.locate(anchor.0, anchor.1);
        facilities.push(Facility { shape, radius: radius_m, capacity });
        rows.push(FacilityRow {
            line: rec.line,
            name,
            class,
            area_m2: area,
            capacity,
            capacity_given,
            radius_m,
            wgs84,
            district,
        });
    }
    if facilities.is_empty() {
        bail!(
            "{}: no usable facility row ({} read, {} rejected){}",
            t.display,
            t.rows_read,
            rejects.len(),
            if rejects.is_empty() {
                ": the file has no data rows".to_string()
            } else {
                format!(
                    "; first problems: {}",
                    rejects
                        .iter()
                        .take(3)
                        .map(|r| format!("line {}: {}", r.line, r.reason))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        );
    }
    rejects.sort_by_key(|r| r.line);
    let input = input_report(&t, rejects.len() as u64);
    let has_capacity = facilities.iter().any(|f| f.capacity.is_finite());
    Ok(FacilityLayer {
        has_area: area_i.is_some(),
        has_capacity,
        rows,
        facilities,
        rejects: rejects.into_iter().map(|r| (t.display.clone(), r)).collect(),
        input,
    })
}

/// Per-district figures of one facility layer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AreaFigures {
    /// Residents.
    pub population: f64,
    /// Facilities located in the district.
    pub facilities: u64,
    /// Their effective area (m²).
    pub area_m2: f64,
    /// Their capacity (persons; infinite capacities are left out).
    pub capacity: f64,
    /// Residents within the service radius of at least one facility.
    pub covered: f64,
    /// Residents given a place by the capacity assignment.
    pub served: f64,
    /// Residents within reach but left without room.
    pub without_room: f64,
    /// Residents outside every service radius.
    pub uncovered: f64,
}

impl AreaFigures {
    /// m² of shelter area per resident (`None` without residents).
    pub fn m2_per_resident(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.area_m2 / self.population)
    }
    /// Share of residents covered.
    pub fn coverage(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.covered / self.population)
    }
}

/// Township check for a facility layer.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipRow {
    /// Township id.
    pub id: String,
    /// Name.
    pub name: String,
    /// District id of its interior point.
    pub district: String,
    /// Facilities inside it.
    pub facilities: u64,
}

/// The analysis of one facility layer.
pub struct LayerResult {
    /// Per district (same order as the districts), then outside-every-district.
    pub districts: Vec<AreaFigures>,
    /// Population outside every district (points mode).
    pub outside: AreaFigures,
    /// All.
    pub total: AreaFigures,
    /// Per facility: load (persons assigned).
    pub load: Vec<f64>,
    /// Per facility: residents within its radius.
    pub in_reach: Vec<f64>,
    /// Per demand unit: covered?
    pub covered: Vec<bool>,
    /// Per demand unit: residents without room.
    pub without_room: Vec<f64>,
    /// Suggested new sites: (name, x, y in the working CRS, lon, lat, pick).
    pub siting: Vec<SitingPick>,
    /// Townships (when configured).
    pub townships: Option<Vec<TownshipRow>>,
    /// Township file report.
    pub township_input: Option<InputReport>,
    /// Candidate file report and rejects.
    pub candidate_input: Option<InputReport>,
    /// Rejected candidate rows.
    pub candidate_rejects: Vec<FileReject>,
    /// (demand, facilities) pairs within reach.
    pub pairs: usize,
    /// Gap cells, north to south, west to east.
    pub gap_cells: Vec<GapCell>,
}

/// A population cell with residents outside every radius or left without room.
#[derive(Debug, Clone)]
pub struct GapCell {
    /// The cell.
    pub cell: CellId,
    /// Its residents.
    pub population: f64,
    /// Outside every service radius.
    pub uncovered: f64,
    /// Within reach but without room.
    pub without_room: f64,
    /// The districts of its pieces.
    pub districts: Vec<u32>,
}

/// One suggested site.
#[derive(Debug, Clone)]
pub struct SitingPick {
    /// Candidate name (or the cell id).
    pub name: String,
    /// Source line of the candidate (0 for cell centres).
    pub line: u64,
    /// Working CRS position.
    pub xy: (f64, f64),
    /// WGS84.
    pub lonlat: (f64, f64),
    /// District index.
    pub district: Option<u32>,
    /// Rank, gain, cumulative.
    pub pick: Pick,
}

fn add_unit(f: &mut AreaFigures, u: &Unit, covered: bool, served: f64, without_room: f64) {
    f.population += u.population;
    if covered {
        f.covered += u.population;
    } else {
        f.uncovered += u.population;
    }
    f.served += served;
    f.without_room += without_room;
}

/// Runs coverage, capacity, siting and township checks for one layer.
pub fn analyse(
    fc: &FacilityConfig,
    layer: &FacilityLayer,
    pop: &Population,
    districts: &ZoneLayer,
    work: Crs,
    progress: &dyn Observer,
) -> Result<LayerResult> {
    let demand: Vec<Demand> = pop.units.iter().map(|u| Demand::new(u.x, u.y, u.population)).collect();
    let index = FacilityIndex::new(&layer.facilities).map_err(|e| anyhow!("{}: {e}", layer.input.file))?;
    let reach: Reach = index.reach_all(&demand);
    let alloc: Allocation = allocate(&reach, &demand, &layer.facilities);
    let n = districts.work.len();
    let mut figs = vec![AreaFigures::default(); n];
    let mut outside = AreaFigures::default();
    let mut total = AreaFigures::default();
    let mut covered = Vec::with_capacity(demand.len());
    let mut without_room = Vec::with_capacity(demand.len());
    let mut in_reach = vec![0.0; layer.facilities.len()];
    for (i, u) in pop.units.iter().enumerate() {
        let c = reach.is_covered(i);
        let wr = alloc.without_room(&reach, &demand, i);
        covered.push(c);
        without_room.push(wr);
        for &(f, _) in reach.of(i) {
            in_reach[f as usize] += u.population;
        }
        let slot = match u.district {
            Some(d) => &mut figs[d as usize],
            None => &mut outside,
        };
        add_unit(slot, u, c, alloc.served[i], wr);
        add_unit(&mut total, u, c, alloc.served[i], wr);
    }
    // Districts with a population figure but no units (0 persons) still count 0; districts'
    // population from the input (points outside cells cannot happen).
    for (r, f) in layer.rows.iter().zip(&layer.facilities) {
        let slot = match r.district {
            Some(d) => &mut figs[d as usize],
            None => &mut outside,
        };
        for s in [slot, &mut total] {
            s.facilities += 1;
            s.area_m2 += r.area_m2.unwrap_or(0.0);
            if f.capacity.is_finite() {
                s.capacity += f.capacity;
            }
        }
    }
    // Conservation: what we spread must be what we read.
    let read = pop.total();
    if (total.population - read).abs() > 1e-6 * read.max(1.0) {
        bail!("internal error: population {} in units but {} read", total.population, read);
    }

    // Siting.
    progress.stage(&format!("siting: {}", fc.id));
    let mut siting = Vec::new();
    let mut candidate_input = None;
    let mut candidate_rejects = Vec::new();
    if let Some(s) = &fc.siting {
        let gap: Vec<Demand> =
            demand.iter().enumerate().map(|(i, d)| if covered[i] { Demand::new(d.x, d.y, 0.0) } else { *d }).collect();
        let to_wgs = Transformer::new(work, Crs::Wgs84).map_err(|e| anyhow!("{e}"))?;
        // Candidates: (name, line, work xy, lon/lat).
        let mut cands: Vec<Candidate> = Vec::new();
        match &s.candidates {
            Some((src, name_col)) => {
                let t = read_table(&src.table)?;
                let reader = PointReader::new(&t, src, work, "siting.")?;
                let ni = t.column(name_col.as_deref(), NAME_HEADERS, "name (名称)")?;
                let mut rejects: Vec<Reject> = t.rejects.clone();
                for rec in &t.records {
                    match reader.locate(rec) {
                        Ok((ll, xy)) => cands.push((
                            ni.map(|i| rec.values[i].clone()).unwrap_or_else(|| format!("#{}", rec.line)),
                            rec.line,
                            xy,
                            ll,
                        )),
                        Err(why) => rejects.push(reject(rec, why)),
                    }
                }
                candidate_input = Some(input_report(&t, rejects.len() as u64));
                candidate_rejects = rejects.into_iter().map(|r| (t.display.clone(), r)).collect();
            }
            None => {
                // Centres of the populated cells, each once, in row/column order.
                let mut cells: Vec<CellId> = pop.units.iter().map(|u| u.cell).collect();
                cells.sort_unstable_by_key(|c| (std::cmp::Reverse(c.row), c.col));
                cells.dedup();
                for c in cells {
                    let (x, y) = pop.grid.centre(c);
                    let ll = to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN));
                    cands.push((format!("网格中心 {}", pop.grid.label(c)), 0, (x, y), ll));
                }
            }
        }
        let pts: Vec<[f64; 2]> = cands.iter().map(|c| [c.2 .0, c.2 .1]).collect();
        for pick in greedy_cover(&gap, &pts, s.radius_m, s.count) {
            let (name, line, xy, ll) = cands[pick.candidate].clone();
            siting.push(SitingPick { name, line, xy, lonlat: ll, district: districts.index.locate(xy.0, xy.1), pick });
        }
    }

    // Townships.
    let (townships, township_input) = match &fc.townships {
        None => (None, None),
        Some(tc) => {
            let tl = load_zone_layer(&tc.layer, tc.crs, work)?;
            let mut count = vec![0u64; tl.work.len()];
            for f in &layer.facilities {
                let a = match &f.shape {
                    FacilityShape::Point(x, y) => Some((*x, *y)),
                    FacilityShape::Area(mp) => mp.interior_point().map(|p| (p.x(), p.y())),
                };
                if let Some(t) = a.and_then(|(x, y)| tl.index.locate(x, y)) {
                    count[t as usize] += 1;
                }
            }
            let rows = tl
                .work
                .iter()
                .zip(&count)
                .map(|(z, &c)| {
                    let d = z
                        .geometry
                        .interior_point()
                        .and_then(|p| districts.index.locate(p.x(), p.y()))
                        .map(|d| districts.work[d as usize].id.clone())
                        .unwrap_or_default();
                    TownshipRow { id: z.id.clone(), name: z.name.clone(), district: d, facilities: c }
                })
                .collect();
            let input = InputReport {
                file: tc.layer.display.clone(),
                sha256: sha256_of(&tc.layer.path)?,
                encoding: None,
                rows_read: tl.work.len() as u64,
                accepted: tl.work.len() as u64,
                rejected: 0,
            };
            (Some(rows), Some(input))
        }
    };

    // Gap cells: aggregate the units per cell.
    let mut cells: FxHashMap<CellId, GapCell> = FxHashMap::default();
    for (i, u) in pop.units.iter().enumerate() {
        let e = cells.entry(u.cell).or_insert_with(|| GapCell {
            cell: u.cell,
            population: 0.0,
            uncovered: 0.0,
            without_room: 0.0,
            districts: Vec::new(),
        });
        e.population += u.population;
        if !covered[i] {
            e.uncovered += u.population;
        }
        e.without_room += without_room[i];
        if let Some(d) = u.district {
            if !e.districts.contains(&d) {
                e.districts.push(d);
            }
        }
    }
    let mut gap_cells: Vec<GapCell> =
        cells.into_values().filter(|g| g.uncovered > 0.0 || g.without_room > 0.0).collect();
    gap_cells.sort_unstable_by_key(|g| (std::cmp::Reverse(g.cell.row), g.cell.col));

    Ok(LayerResult {
        gap_cells,
        districts: figs,
        outside,
        total,
        load: alloc.load,
        in_reach,
        covered,
        without_room,
        siting,
        townships,
        township_input,
        candidate_input,
        candidate_rejects,
        pairs: reach.pairs(),
    })
}

fn sha256_of(path: &std::path::Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// A number of persons or m² for CSV: integers without decimals, else 2 decimals.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn share(v: Option<f64>) -> String {
    v.map(|s| format!("{:.4}", s)).unwrap_or_default()
}

/// Everything the coverage part of a build produced, for report.json and the terminal.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// Population source and method.
    pub population: PopulationReport,
    /// One entry per facility layer.
    pub layers: Vec<LayerReport>,
}

/// Population in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationReport {
    /// How it was spread.
    pub method: String,
    /// Files read.
    pub inputs: Vec<InputReport>,
    /// Persons read (= the sum of every output's population).
    pub total: f64,
    /// Persons outside every district (points mode).
    pub outside_districts: f64,
    /// Demand units (district × cell pieces or points).
    pub units: usize,
    /// Population cell size (m).
    pub cell_size_m: f64,
    /// Districts without a population figure (id name).
    pub districts_without_population: Vec<String>,
    /// Notes (fallbacks).
    pub notes: Vec<String>,
}

/// One facility layer in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Layer id.
    pub id: String,
    /// Display name.
    pub title: String,
    /// The facility file.
    pub input: InputReport,
    /// The siting candidates file, if any.
    pub candidates: Option<InputReport>,
    /// The township polygons, if any.
    pub townships: Option<InputReport>,
    /// Classes used: name → (radius, m² a person).
    pub classes: BTreeMap<String, (f64, Option<f64>)>,
    /// Target m² per resident.
    pub target_m2_per_person: Option<f64>,
    /// Target coverage share.
    pub coverage_target: Option<f64>,
    /// Totals.
    pub total: AreaFigures,
    /// Covered share of the population.
    pub coverage: Option<f64>,
    /// m² per resident overall.
    pub m2_per_resident: Option<f64>,
    /// Districts meeting the per-capita target / all districts with residents.
    pub districts_meeting_target: Option<(usize, usize)>,
    /// Facilities filled to capacity.
    pub facilities_full: usize,
    /// Suggested sites with gains.
    pub siting: Vec<BTreeMap<&'static str, serde_json::Value>>,
    /// Townships without any facility (id name), when township polygons are given.
    pub townships_without: Option<Vec<String>>,
    /// Files written for this layer.
    pub outputs: Vec<String>,
}

/// What the coverage part of a build hands back to `build::run`.
pub struct CoverageOutcome {
    /// The `coverage` section of report.json.
    pub report: CoverageReport,
    /// Rejected rows of the population, facility and candidate files.
    pub rejects: Vec<FileReject>,
    /// Files written.
    pub outputs: Vec<String>,
    /// Lines for the terminal.
    pub lines: Vec<String>,
}

/// Runs every facility layer; writes their outputs into `stage`.
pub fn run(
    cfg: &Config,
    districts: &ZoneLayer,
    work: Crs,
    stage: &mut Staging,
    progress: &dyn Observer,
) -> Result<Option<CoverageOutcome>> {
    if cfg.facilities.is_empty() {
        stage.retire("coverage_gaps.geojson");
        stage.retire("siting.geojson");
        return Ok(None);
    }
    progress.stage("reading population");
    let pop = load_population(cfg, districts, work)?.ok_or_else(|| anyhow!("[[facilities]] needs [population]"))?;
    for (id, name) in &pop.missing {
        progress.warn(&format!(
            "district {id} {name} has no row in the population table: it counts 0 residents (add its figure to cover it)"
        ));
    }
    for n in &pop.notes {
        progress.warn(n);
    }
    let mut rejects: Vec<FileReject> = pop.rejects.clone();
    let mut outputs = Vec::new();
    let mut lines = Vec::new();
    let mut layers = Vec::new();
    let mut gap_chunks: Vec<Vec<u8>> = Vec::new();
    let to_wgs = Transformer::new(work, Crs::Wgs84).map_err(|e| anyhow!("{e}"))?;
    let mut map_inputs = Vec::new();
    for fc in &cfg.facilities {
        progress.stage(&format!("coverage: {}", fc.id));
        let layer = load_facilities(fc, districts, work)?;
        let res = analyse(fc, &layer, &pop, districts, work, progress)?;
        progress.stage(&format!("writing {} outputs", fc.id));
        rejects.extend(layer.rejects.iter().cloned());
        rejects.extend(res.candidate_rejects.iter().cloned());
        let mut written = Vec::new();

        // <id>s.geojson
        let items: Vec<usize> = (0..layer.rows.len()).collect();
        let chunk = write::render_chunk(&items, |buf, &i| {
            let r = &layer.rows[i];
            let d = r.district.map(|d| &districts.work[d as usize]);
            let cap = r.capacity.is_finite().then_some(r.capacity);
            let props: Vec<(&str, Value)> = vec![
                ("name", Value::StrOrNull(&r.name)),
                ("class", Value::StrOrNull(&r.class)),
                ("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null)),
                ("district_name", d.map(|z| Value::Str(&z.name)).unwrap_or(Value::Null)),
                ("radius_m", Value::Num(r.radius_m)),
                ("area_m2", r.area_m2.map(Value::Num).unwrap_or(Value::Null)),
                ("capacity", cap.map(Value::Num).unwrap_or(Value::Null)),
                (
                    "capacity_source",
                    Value::Str(if r.capacity_given {
                        "column"
                    } else if cap.is_some() {
                        "area"
                    } else {
                        "unlimited"
                    }),
                ),
                ("load", Value::Num(res.load[i])),
                (
                    "load_share",
                    cap.filter(|c| *c > 0.0)
                        .map(|c| Value::Num((res.load[i] / c * 1e4).round() / 1e4))
                        .unwrap_or(Value::Null),
                ),
                ("full", Value::Bool(cap.is_some_and(|c| res.load[i] >= c))),
                ("population_in_reach", Value::Num(res.in_reach[i])),
                ("line", Value::Int(r.line as i64)),
            ];
            match &r.wgs84 {
                Geometry84::Point(x, y) => write::push_feature(buf, &props, Geom::Point(*x, *y)),
                Geometry84::Area(mp) => write::push_feature(buf, &props, Geom::MultiPolygon(mp)),
            }
        });
        let file = fc.features_file();
        write::write_feature_collection(&stage.path(&file), &fc.id, &[chunk])?;
        written.push(file);

        // <id>_summary.csv
        let with_area = fc.kind == FacilityKind::Shelter || layer.has_area;
        let with_capacity = layer.has_capacity;
        let mut header = vec!["district_id", "district_name", "population", "facilities"];
        if with_area {
            header.extend(["area_m2", "m2_per_resident"]);
        }
        if fc.target_m2_per_person.is_some() {
            header.extend(["target_m2_per_resident", "target_met"]);
        }
        if with_capacity {
            header.push("capacity");
        }
        header.extend(["covered", "coverage"]);
        if fc.coverage_target.is_some() {
            header.extend(["coverage_target", "coverage_target_met"]);
        }
        if with_capacity {
            header.extend(["served", "without_room"]);
        }
        header.push("uncovered");
        let row = |id: &str, name: &str, f: &AreaFigures| -> Vec<String> {
            let mut r = vec![id.to_string(), name.to_string(), num(f.population), f.facilities.to_string()];
            if with_area {
                r.push(num(f.area_m2));
                r.push(f.m2_per_resident().map(|v| format!("{v:.3}")).unwrap_or_default());
            }
            if let Some(t) = fc.target_m2_per_person {
                r.push(format!("{t}"));
                r.push(match f.m2_per_resident() {
                    Some(v) => if v >= t { "yes" } else { "no" }.to_string(),
                    None => String::new(),
                });
            }
            if with_capacity {
                r.push(num(f.capacity));
            }
            r.extend([num(f.covered), share(f.coverage())]);
            if let Some(t) = fc.coverage_target {
                r.push(format!("{t}"));
                r.push(match f.coverage() {
                    Some(v) => if v >= t { "yes" } else { "no" }.to_string(),
                    None => String::new(),
                });
            }
            if with_capacity {
                r.extend([num(f.served), num(f.without_room)]);
            }
            r.push(num(f.uncovered));
            r
        };
        let mut rows: Vec<Vec<String>> =
            districts.work.iter().zip(&res.districts).map(|(z, f)| row(&z.id, &z.name, f)).collect();
        if res.outside.population > 0.0 || res.outside.facilities > 0 {
            rows.push(row("", "未归属 (outside every district)", &res.outside));
        }
        rows.push(row("", "合计 (total)", &res.total));
        let file = fc.summary_file();
        write::write_csv_bom(&stage.path(&file), &header, rows)?;
        written.push(file);

        // <id>_townships.csv
        let mut townships_without = None;
        if let Some(ts) = &res.townships {
            let file = fc.townships_file();
            write::write_csv_bom(
                &stage.path(&file),
                &["township_id", "township_name", "district_id", "facilities", "has_facility"],
                ts.iter().map(|t| {
                    vec![
                        t.id.clone(),
                        t.name.clone(),
                        t.district.clone(),
                        t.facilities.to_string(),
                        if t.facilities > 0 { "yes" } else { "no" }.to_string(),
                    ]
                }),
            )?;
            written.push(file);
            townships_without = Some(
                ts.iter().filter(|t| t.facilities == 0).map(|t| format!("{} {}", t.id, t.name)).collect::<Vec<_>>(),
            );
        } else {
            stage.retire(&fc.townships_file());
        }

        let gap_cells = &res.gap_cells;
        gap_chunks.extend(
            gap_cells
                .par_chunks(4096)
                .map(|chunk| {
                    write::render_chunk(
                        chunk,
                        |buf, GapCell { cell: c, population: p, uncovered: unc, without_room: wr, districts: ds }| {
                            let b = pop.grid.bounds(*c);
                            let corners = [
                                (b.min().x, b.min().y),
                                (b.max().x, b.min().y),
                                (b.max().x, b.max().y),
                                (b.min().x, b.max().y),
                            ];
                            let mut ring: Vec<(f64, f64)> = corners
                                .iter()
                                .map(|&(x, y)| to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN)))
                                .collect();
                            ring.push(ring[0]);
                            let label = pop.grid.label(*c);
                            let dist: Vec<&str> = ds.iter().map(|&d| districts.work[d as usize].id.as_str()).collect();
                            let dist = dist.join(";");
                            let status = match (*unc > 0.0, *wr > 0.0) {
                                (true, true) => "uncovered+over_capacity",
                                (true, false) => "uncovered",
                                _ => "over_capacity",
                            };
                            let props: Vec<(&str, Value)> = vec![
                                ("facility", Value::Str(&fc.id)),
                                ("cell_id", Value::Str(&label)),
                                ("district_id", Value::StrOrNull(&dist)),
                                ("status", Value::Str(status)),
                                ("population", Value::Num(*p)),
                                ("uncovered", Value::Num(*unc)),
                                ("without_room", Value::Num(*wr)),
                            ];
                            write::push_feature(buf, &props, Geom::Ring(&ring));
                        },
                    )
                })
                .collect::<Vec<_>>(),
        );

        // Terminal lines.
        let t = &res.total;
        let pct = |v: Option<f64>| v.map(|s| format!("{:.1} %", s * 100.0)).unwrap_or_else(|| "–".into());
        lines.push(format!(
            "{} ({}): {} facilities ({} rejected), {} residents; covered {} ({}), placed {}, without room {}, uncovered {}",
            fc.id,
            fc.title,
            layer.rows.len(),
            layer.rejects.len(),
            num(t.population),
            num(t.covered),
            pct(t.coverage()),
            num(t.served),
            num(t.without_room),
            num(t.uncovered)
        ));
        let mut meeting = None;
        if let Some(target) = fc.target_m2_per_person {
            let with: Vec<(usize, f64)> =
                res.districts.iter().enumerate().filter_map(|(i, f)| f.m2_per_resident().map(|v| (i, v))).collect();
            let ok = with.iter().filter(|(_, v)| *v >= target).count();
            meeting = Some((ok, with.len()));
            let below: Vec<String> = with
                .iter()
                .filter(|(_, v)| *v < target)
                .map(|(i, v)| format!("{} {v:.2}", districts.work[*i].name))
                .collect();
            lines.push(format!(
                "  m² per resident: {} overall against a target of {target}; {ok} of {} districts meet it{}",
                t.m2_per_resident().map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()),
                with.len(),
                if below.is_empty() { String::new() } else { format!(" (below: {})", below.join(", ")) }
            ));
        }
        if let Some(ct) = fc.coverage_target {
            lines.push(format!(
                "  coverage target {:.0} %: {}",
                ct * 100.0,
                match t.coverage() {
                    Some(c) if c >= ct => "met".to_string(),
                    Some(c) => format!("not met ({:.1} %)", c * 100.0),
                    None => "no residents".into(),
                }
            ));
        }
        if let Some(w) = &townships_without {
            lines.push(format!(
                "  townships without any: {} of {}{}",
                w.len(),
                res.townships.as_ref().map_or(0, std::vec::Vec::len),
                if w.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", w.iter().take(10).cloned().collect::<Vec<_>>().join(", "))
                }
            ));
        }
        if let Some(sc) = &fc.siting {
            if res.siting.len() < sc.count {
                lines.push(format!(
                    "  siting: {} of the {} new sites asked for; no other candidate covers anyone still uncovered",
                    res.siting.len(),
                    sc.count
                ));
            }
        }
        if !res.siting.is_empty() {
            let last = res.siting.last().map(|s| s.pick.cumulative).unwrap_or(0.0);
            lines.push(format!(
                "  siting: {} new sites would cover {} more residents (first: {} +{})",
                res.siting.len(),
                num(last),
                res.siting[0].name,
                num(res.siting[0].pick.gain)
            ));
        }
        let full = layer
            .facilities
            .iter()
            .zip(&res.load)
            .filter(|(f, l)| f.capacity.is_finite() && **l >= f.capacity && f.capacity > 0.0)
            .count();
        layers.push(LayerReport {
            id: fc.id.clone(),
            title: fc.title.clone(),
            input: layer.input.clone(),
            candidates: res.candidate_input.clone(),
            townships: res.township_input.clone(),
            classes: fc.classes.iter().map(|(k, c)| (k.clone(), (c.radius_m, c.m2_per_person))).collect(),
            target_m2_per_person: fc.target_m2_per_person,
            coverage_target: fc.coverage_target,
            total: res.total.clone(),
            coverage: res.total.coverage(),
            m2_per_resident: res.total.m2_per_resident(),
            districts_meeting_target: meeting,
            facilities_full: full,
            siting: res
                .siting
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    BTreeMap::from([
                        ("rank", serde_json::json!(k + 1)),
                        ("name", serde_json::json!(s.name)),
                        ("gain", serde_json::json!(s.pick.gain)),
                        ("cumulative_gain", serde_json::json!(s.pick.cumulative)),
                    ])
                })
                .collect(),
            townships_without,
            outputs: written.clone(),
        });
        outputs.extend(written);
        map_inputs.push((layer, res));
    }
    write::write_feature_collection(&stage.path("coverage_gaps.geojson"), "coverage_gaps", &gap_chunks)?;
    outputs.push("coverage_gaps.geojson".into());
    write_siting(stage, cfg, &map_inputs, districts)?;
    outputs.push("siting.geojson".into());

    progress.stage("rendering coverage maps");
    let maps = crate::maps::coverage::render_all(cfg, districts, work, &pop, &map_inputs, stage)?;
    // Each layer's report lists its own maps too.
    for (fc, l) in cfg.facilities.iter().zip(layers.iter_mut()) {
        let stems: Vec<String> = std::iter::once(fc.map_file())
            .chain(fc.maps.iter().map(|m| m.file.clone()))
            .map(|f| f.trim_end_matches(".png").trim_end_matches(".PNG").to_string())
            .collect();
        l.outputs.extend(
            maps.iter()
                .filter(|m| stems.iter().any(|s| m.strip_prefix(s.as_str()).is_some_and(|r| r.starts_with('.'))))
                .cloned(),
        );
    }
    outputs.extend(maps);

    let report = CoverageReport {
        population: PopulationReport {
            method: pop.method.clone(),
            inputs: pop.inputs.clone(),
            total: pop.total(),
            outside_districts: pop.outside,
            units: pop.units.len(),
            cell_size_m: pop.grid.size(),
            districts_without_population: pop.missing.iter().map(|(i, n)| format!("{i} {n}")).collect(),
            notes: pop.notes.clone(),
        },
        layers,
    };
    Ok(Some(CoverageOutcome { report, rejects, outputs, lines }))
}

fn write_siting(
    stage: &mut Staging,
    cfg: &Config,
    inputs: &[(FacilityLayer, LayerResult)],
    districts: &ZoneLayer,
) -> Result<()> {
    let mut chunks = Vec::new();
    for (fc, (_, res)) in cfg.facilities.iter().zip(inputs) {
        let ranked: Vec<(usize, &SitingPick)> = res.siting.iter().enumerate().collect();
        let covered_before = res.total.covered;
        chunks.push(write::render_chunk(&ranked, |buf, (k, s)| {
            let d = s.district.map(|d| &districts.work[d as usize]);
            let class = fc.siting.as_ref().and_then(|c| c.class.clone()).unwrap_or_default();
            let radius = fc.siting.as_ref().map(|c| c.radius_m).unwrap_or(0.0);
            let after = covered_before + s.pick.cumulative;
            let props: Vec<(&str, Value)> = vec![
                ("facility", Value::Str(&fc.id)),
                ("rank", Value::Int(*k as i64 + 1)),
                ("name", Value::StrOrNull(&s.name)),
                ("class", Value::StrOrNull(&class)),
                ("radius_m", Value::Num(radius)),
                ("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null)),
                ("district_name", d.map(|z| Value::Str(&z.name)).unwrap_or(Value::Null)),
                ("gain", Value::Num(s.pick.gain)),
                ("cumulative_gain", Value::Num(s.pick.cumulative)),
                (
                    "coverage_after",
                    if res.total.population > 0.0 {
                        Value::Num(((after / res.total.population) * 1e4).round() / 1e4)
                    } else {
                        Value::Null
                    },
                ),
                ("line", if s.line > 0 { Value::Int(s.line as i64) } else { Value::Null }),
            ];
            write::push_feature(buf, &props, Geom::Point(s.lonlat.0, s.lonlat.1));
        }));
    }
    write::write_feature_collection(&stage.path("siting.geojson"), "siting", &chunks)?;
    Ok(())
}
