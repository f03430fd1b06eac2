//! Reading one `[[facilities]]` layer with what it brings along: the facility rows (class →
//! service radius and m² a person; capacity from the capacity column or effective area ÷ m²
//! a person; a point or, in GeoJSON, an area), the siting candidates and the township
//! polygons. This is the load phase: nothing is assigned or computed here.

use super::input::{
    geometry, reject, InputFile, PointReader, AREA_HEADERS, CAPACITY_HEADERS, CLASS_HEADERS, NAME_HEADERS,
};
use super::report::InputReport;
use crate::error::{Error, Result};
use crate::input_error;
use crate::layers::{load_zone_layer, ZoneLayer};
use crate::project::facilities::{FacilityConfig, FacilityKind, PointSource, TownshipConfig};
use geo::{InteriorPoint, MultiPolygon, Polygon};
use sisetu_core::coverage::{Facility, FacilityShape};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::reject::{Reject, RejectReason};
use sisetu_io::table::{parse_quantity, read_table, Record, Table, TableKind};

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
    /// The point that places it in a district or township (working CRS): the point itself,
    /// or an interior point of the area.
    pub anchor: (f64, f64),
}

/// A facility's geometry in WGS84.
#[derive(Debug, Clone)]
pub enum Geometry84 {
    /// lon, lat.
    Point(f64, f64),
    /// An area.
    Area(MultiPolygon<f64>),
}

/// A siting candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its name (or `#<line>`, or the cell id for cell centres).
    pub name: String,
    /// Source line (0 for cell centres).
    pub line: u64,
    /// Position in the working CRS.
    pub xy: (f64, f64),
    /// Position in WGS84.
    pub lonlat: (f64, f64),
}

/// The candidates file of `[facilities.siting]`.
#[derive(Debug, Clone)]
pub struct Candidates {
    /// Candidates in file order.
    pub points: Vec<Candidate>,
    /// The file with its rejects.
    pub file: InputFile,
}

/// The township polygons of `[facilities.townships]`.
pub struct Townships {
    /// The polygons, read, projected and indexed.
    pub layer: ZoneLayer,
    /// The file in report.json (every polygon is used).
    pub report: InputReport,
}

/// A facility layer as read, with its configuration, candidates and townships.
pub struct FacilityLayer {
    /// Its `[[facilities]]` entry.
    pub config: FacilityConfig,
    /// Rows that became facilities.
    pub rows: Vec<FacilityRow>,
    /// The same in the working CRS.
    pub facilities: Vec<Facility>,
    /// The file with its rejects.
    pub file: InputFile,
    /// Whether the layer has an effective-area column.
    pub has_area: bool,
    /// Whether any facility has a finite capacity.
    pub has_capacity: bool,
    /// Siting candidates from a file (`None`: no siting, or the centres of populated cells).
    pub candidates: Option<Candidates>,
    /// Township polygons, when configured.
    pub townships: Option<Townships>,
}

/// The columns of a facility table.
struct Columns {
    name: Option<usize>,
    class: Option<usize>,
    area: Option<usize>,
    capacity: Option<usize>,
}

/// How a layer's rows are read: columns, configuration and projections.
struct RowReader<'a> {
    fc: &'a FacilityConfig,
    t: &'a Table,
    cols: Columns,
    points: PointReader,
    /// Whether GeoJSON geometries are used as they are (polygons become areas).
    geo_layer: bool,
    to_wgs: Transformer,
    to_work: Transformer,
}

/// Reads one `[[facilities]]` layer, its siting candidates and its townships.
pub fn read_layer(fc: &FacilityConfig, work: Crs) -> Result<FacilityLayer> {
    let t = read_table(&fc.source.table)?;
    let reader = RowReader::new(fc, &t, work)?;
    let mut rows = Vec::new();
    let mut facilities = Vec::new();
    let mut rejects: Vec<Reject> = t.rejects.clone();
    for rec in &t.records {
        match reader.row(rec) {
            Ok((row, facility)) => {
                rows.push(row);
                facilities.push(facility);
            }
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    if facilities.is_empty() {
        return Err(no_usable_row(&t, &rejects));
    }
    rejects.sort_by_key(|r| r.line);
    let has_area = reader.cols.area.is_some();
    let has_capacity = facilities.iter().any(|f| f.capacity.is_finite());
    let candidates = match fc.siting.as_ref().and_then(|s| s.candidates.as_ref()) {
        Some((src, name_col)) => Some(read_candidates(src, name_col.as_deref(), work)?),
        None => None,
    };
    let townships = fc.townships.as_ref().map(|tc| read_townships(tc, work)).transpose()?;
    let file = InputFile::new(&t, rejects);
    Ok(FacilityLayer { config: fc.clone(), rows, facilities, file, has_area, has_capacity, candidates, townships })
}

fn no_usable_row(t: &Table, rejects: &[Reject]) -> Error {
    let why = if rejects.is_empty() {
        ": the file has no data rows".to_string()
    } else {
        let first: Vec<String> = rejects.iter().take(3).map(|r| format!("line {}: {}", r.line, r.reason)).collect();
        format!("; first problems: {}", first.join("; "))
    };
    Error::input(format!(
        "{}: no usable facility row ({} read, {} rejected){why}",
        t.display,
        t.rows_read,
        rejects.len()
    ))
}

impl<'a> RowReader<'a> {
    fn new(fc: &'a FacilityConfig, t: &'a Table, work: Crs) -> Result<Self> {
        let key = "[[facilities]] ";
        let geo_layer = t.kind == TableKind::GeoJson && fc.source.x.is_none() && fc.source.y.is_none();
        let points = PointReader::new(t, &fc.source, work, key)?;
        let name = t.column(fc.name.as_deref(), NAME_HEADERS, "name (名称)")?;
        // A service layer without classes uses radius_m for every row: its 级别/类别 column
        // (e.g. 特勤消防站) is then not a service class, unless the project names it.
        let class = if fc.classes.is_empty() && fc.class.is_none() {
            None
        } else {
            t.column(fc.class.as_deref(), CLASS_HEADERS, "class (类别)")?
        };
        let area = match fc.kind {
            FacilityKind::Shelter => {
                Some(t.require(fc.area.as_deref(), AREA_HEADERS, "area (有效面积, m²)", &format!("{key}area"))?)
            }
            FacilityKind::Service => t.column(fc.area.as_deref(), AREA_HEADERS, "area (有效面积, m²)")?,
        };
        let capacity = t.column(fc.capacity.as_deref(), CAPACITY_HEADERS, "capacity (容纳人数)")?;
        if class.is_none() && fc.radius_m.is_none() {
            input_error!(
                "{}: no class column ({}) and no radius_m for layer \"{}\": add class = \"<column>\" or radius_m = <metres> to its [[facilities]] entry",
                t.display,
                CLASS_HEADERS.join(", "),
                fc.id
            );
        }
        let transformer =
            |to: Crs| Transformer::new(fc.source.crs, to).map_err(|e| Error::input(format!("{}: {e}", t.display)));
        let (to_wgs, to_work) = (transformer(Crs::Wgs84)?, transformer(work)?);
        let cols = Columns { name, class, area, capacity };
        Ok(RowReader { fc, t, cols, points, geo_layer, to_wgs, to_work })
    }

    /// One row: the facility as read and in the working CRS, or why it is rejected.
    fn row(&self, rec: &Record) -> Result<(FacilityRow, Facility), RejectReason> {
        let name = self.cols.name.map(|i| rec.values[i].clone()).unwrap_or_default();
        let (class, radius_m, m2pp) = self.class(rec)?;
        let area_m2 = self.area(rec)?;
        let (capacity, capacity_given) = self.capacity(rec, area_m2, m2pp)?;
        let (shape, wgs84, anchor) = self.location(rec)?;
        let row =
            FacilityRow { line: rec.line, name, class, area_m2, capacity, capacity_given, radius_m, wgs84, anchor };
        Ok((row, Facility { shape, radius: radius_m, capacity }))
    }

    /// Class → (class name, radius, m² a person).
    fn class(&self, rec: &Record) -> Result<(String, f64, Option<f64>), RejectReason> {
        let fc = self.fc;
        let Some(i) = self.cols.class else {
            return Ok((String::new(), fc.radius_m.unwrap_or(0.0), fc.m2_per_person));
        };
        let known = || fc.classes.keys().cloned().collect::<Vec<_>>();
        let column = || self.t.headers[i].clone();
        let label = rec.values[i].trim();
        if label.is_empty() {
            return match fc.radius_m {
                Some(r) => Ok((String::new(), r, fc.m2_per_person)),
                None => Err(RejectReason::MissingValue { what: "class", column: column(), known: known() }),
            };
        }
        match fc.class_of(label) {
            Some((k, c)) => Ok((k.to_string(), c.radius_m, c.m2_per_person)),
            None => Err(RejectReason::UnknownValue {
                what: "class",
                value: label.to_string(),
                column: column(),
                known: known(),
                fix: Some(format!("add [facilities.classes.\"{label}\"] with radius_m and m2_per_person")),
            }),
        }
    }

    /// The effective area: required (and positive) for shelters, optional otherwise.
    fn area(&self, rec: &Record) -> Result<Option<f64>, RejectReason> {
        const WHAT: &str = "effective area";
        let Some(i) = self.cols.area else { return Ok(None) };
        let shelter = self.fc.kind == FacilityKind::Shelter;
        let raw = rec.values[i].trim();
        let column = || self.t.headers[i].clone();
        match parse_quantity(raw) {
            Some(v) if v > 0.0 => Ok(Some(v)),
            Some(_) if shelter => {
                Err(RejectReason::NotPositive { what: WHAT, column: column(), value: raw.to_string() })
            }
            None if shelter && raw.is_empty() => Err(RejectReason::NoValue {
                what: WHAT,
                column: Some(column()),
                need: "a shelter needs its effective area in m²",
            }),
            None if shelter => Err(RejectReason::NotANumber { what: WHAT, column: column(), value: raw.to_string() }),
            _ => Ok(None),
        }
    }

    /// (capacity, whether from the capacity column): the column, else area ÷ m² a person,
    /// else unlimited (not for shelters).
    fn capacity(&self, rec: &Record, area: Option<f64>, m2pp: Option<f64>) -> Result<(f64, bool), RejectReason> {
        let given = self.cols.capacity.map(|i| rec.values[i].trim()).filter(|s| !s.is_empty());
        if let Some(raw) = given {
            return match parse_quantity(raw) {
                Some(v) if v >= 0.0 => Ok((v.floor(), true)),
                _ => Err(RejectReason::NotACount { what: "capacity", value: raw.to_string(), unit: "persons" }),
            };
        }
        match (area, m2pp) {
            (Some(a), Some(m)) => Ok(((a / m).floor(), false)),
            _ if self.fc.kind == FacilityKind::Shelter => Err(RejectReason::NoValue {
                what: "capacity",
                column: None,
                need: "give the capacity column (容纳人数), a class with m2_per_person, or m2_per_person for the layer",
            }),
            _ => Ok((f64::INFINITY, false)),
        }
    }

    /// The shape in the working CRS, the geometry in WGS84 and the anchor point.
    fn location(&self, rec: &Record) -> Result<(FacilityShape, Geometry84, (f64, f64)), RejectReason> {
        match &rec.geometry {
            Some(g @ (geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_))) if self.geo_layer => {
                let w = project_polygons(g, &self.to_work)?;
                let p = project_polygons(g, &self.to_wgs)?;
                let anchor = w.interior_point().ok_or_else(|| geometry("empty polygon"))?;
                Ok((FacilityShape::Area(w), Geometry84::Area(p), (anchor.x(), anchor.y())))
            }
            _ => {
                let (ll, xy) = self.points.locate(rec)?;
                Ok((FacilityShape::Point(xy.0, xy.1), Geometry84::Point(ll.0, ll.1), xy))
            }
        }
    }
}

fn project_polygons(g: &geo::Geometry<f64>, t: &Transformer) -> Result<MultiPolygon<f64>, RejectReason> {
    let polys: Vec<&Polygon<f64>> = match g {
        geo::Geometry::Polygon(p) => vec![p],
        geo::Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => return Err(geometry("geometry is neither a point nor a polygon")),
    };
    let ring = |ls: &geo::LineString<f64>| -> Result<geo::LineString<f64>, RejectReason> {
        ls.0.iter()
            .map(|c| {
                t.transform(c.x, c.y)
                    .map(|(x, y)| geo::Coord { x, y })
                    .map_err(|e| geometry(format!("polygon vertex: {e}")))
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

/// Reads the candidates file of `[facilities.siting]`.
pub fn read_candidates(src: &PointSource, name_col: Option<&str>, work: Crs) -> Result<Candidates> {
    let t = read_table(&src.table)?;
    let reader = PointReader::new(&t, src, work, "siting.")?;
    let ni = t.column(name_col, NAME_HEADERS, "name (名称)")?;
    let mut rejects: Vec<Reject> = t.rejects.clone();
    let mut points = Vec::new();
    for rec in &t.records {
        match reader.locate(rec) {
            Ok((lonlat, xy)) => {
                let name = ni.map_or_else(|| format!("#{}", rec.line), |i| rec.values[i].clone());
                points.push(Candidate { name, line: rec.line, xy, lonlat });
            }
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    Ok(Candidates { points, file: InputFile::new(&t, rejects) })
}

/// Reads the township polygons of `[facilities.townships]`.
pub fn read_townships(tc: &TownshipConfig, work: Crs) -> Result<Townships> {
    let layer = load_zone_layer(&tc.layer, tc.crs, work)?;
    let n = layer.work.len() as u64;
    let report = InputReport {
        file: tc.layer.display.clone(),
        sha256: layer.sha256.clone(),
        encoding: None,
        rows_read: n,
        accepted: n,
        rejected: 0,
        warnings: Vec::new(),
    };
    Ok(Townships { layer, report })
}
