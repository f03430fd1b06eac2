//! What the population, facility and candidate readers share: the default column names, the
//! one place a rejected row is made, point rows (CSV/XLSX columns or GeoJSON points) and the
//! per-file record of rows read, kept and rejected.

use super::report::InputReport;
use crate::analysis::InputRows;
use crate::error::{Error, Result};
use sisetu_io::crs::Crs;
use sisetu_io::reject::{EmptyAxes, Reject, RejectReason};
use sisetu_io::sites::SiteTransforms;
use sisetu_io::table::{parse_quantity, Record, Table, TableKind};

use crate::project::facilities::PointSource;

/// Longitude / easting headers, in order of preference.
pub(crate) const X_HEADERS: &[&str] = &["经度", "lon", "lng", "longitude", "x", "东经"];
/// Latitude / northing headers.
pub(crate) const Y_HEADERS: &[&str] = &["纬度", "lat", "latitude", "y", "北纬"];
/// District-code headers of a population table.
pub(crate) const CODE_HEADERS: &[&str] = &["区划代码", "行政区划代码", "区县代码", "code", "adcode"];
/// Person-count headers.
pub(crate) const COUNT_HEADERS: &[&str] =
    &["人口数_合计", "常住人口", "人口数", "人口", "总人口", "population", "pop", "count"];
/// Weight headers of weight points.
pub(crate) const WEIGHT_HEADERS: &[&str] = &["户数", "权重", "weight"];
/// Name headers of facilities and candidates.
pub(crate) const NAME_HEADERS: &[&str] = &["名称", "场所名称", "避难场所名称", "name"];
/// Class headers of facilities.
pub(crate) const CLASS_HEADERS: &[&str] = &["类别", "场所类别", "避难场所类别", "级别", "class"];
/// Effective-area headers of facilities.
pub(crate) const AREA_HEADERS: &[&str] =
    &["有效面积", "有效避难面积", "有效面积(m²)", "有效面积（平方米）", "area", "effective_area"];
/// Capacity headers of facilities.
pub(crate) const CAPACITY_HEADERS: &[&str] = &["容纳人数", "可容纳人数", "容纳人口", "capacity"];

/// The one place a rejected row of this analysis is made (its line, why, its raw values).
pub(crate) fn reject(rec: &Record, reason: RejectReason) -> Reject {
    Reject { line: rec.line, reason, raw: rec.values.clone(), sheet: rec.sheet.clone() }
}

/// A malformed geometry or one of the wrong kind, described by `problem` (the feature is
/// not named: the line of the reject is its number).
pub(crate) fn geometry(problem: impl Into<String>) -> RejectReason {
    RejectReason::Geometry { feature: None, problem: problem.into() }
}

/// One input file as read: its entry in report.json and its rejected rows (for rejects.csv).
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The file in report.json.
    pub report: InputReport,
    /// Rejected rows, in the order they go to rejects.csv.
    pub rejects: Vec<Reject>,
}

impl InputFile {
    /// A table read with `rejects` (the reader's own rejects included).
    pub(crate) fn new(t: &Table, rejects: Vec<Reject>) -> Self {
        let rejected = rejects.len() as u64;
        let report = InputReport {
            file: t.display.clone(),
            sha256: t.sha256.clone(),
            encoding: t
                .encoding
                .map(|e| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
            rows_read: t.rows_read,
            accepted: t.rows_read - rejected,
            rejected,
            warnings: t.warnings.iter().map(ToString::to_string).collect(),
        };
        InputFile { report, rejects }
    }

    /// Its rows for the pipeline's check (rows read = accepted + rejected) and rejects.csv.
    pub fn rows(&self) -> InputRows<'_> {
        InputRows {
            file: &self.report.file,
            rows_read: self.report.rows_read,
            accepted: self.report.accepted,
            rejects: &self.rejects,
            warnings: &self.report.warnings,
        }
    }
}

/// A located row: (lon, lat) in WGS84 and (x, y) in the working CRS.
pub(crate) type Located = ((f64, f64), (f64, f64));

/// Reads the coordinates of point rows: CSV/XLSX columns or GeoJSON point geometry.
pub(crate) struct PointReader {
    cols: Option<(usize, usize)>,
    headers: (String, String),
    crs: Crs,
    tf: SiteTransforms,
}

impl PointReader {
    /// The reader of `t`; `key` prefixes the project-file keys named in errors
    /// (`"[population] "` → `[population] x`).
    pub(crate) fn new(t: &Table, src: &PointSource, work: Crs, key: &str) -> Result<Self> {
        let tf = SiteTransforms::new(src.crs, work).map_err(|e| Error::input(format!("{}: {e}", t.display)))?;
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
    pub(crate) fn locate(&self, rec: &Record) -> Result<Located, RejectReason> {
        let (xh, yh) = (&self.headers.0, &self.headers.1);
        let (x, y) = match self.cols {
            Some((xi, yi)) => self.parse_columns(&rec.values[xi], &rec.values[yi])?,
            None => point_of(rec.geometry.as_ref())?,
        };
        sisetu_io::sites::check_coordinates(self.crs, x, y, xh, yh)?;
        self.tf.apply(x, y, xh, yh)
    }

    fn parse_columns(&self, xs: &str, ys: &str) -> Result<(f64, f64), RejectReason> {
        let (xh, yh) = (&self.headers.0, &self.headers.1);
        let empty = match (xs.is_empty(), ys.is_empty()) {
            (false, false) => None,
            (true, false) => Some(EmptyAxes::X),
            (false, true) => Some(EmptyAxes::Y),
            (true, true) => Some(EmptyAxes::Both),
        };
        if let Some(empty) = empty {
            return Err(RejectReason::MissingCoordinates { x: xh.clone(), y: yh.clone(), empty });
        }
        let number = |column: &str, value: &str| {
            parse_quantity(value).ok_or_else(|| RejectReason::CoordinateNotANumber {
                column: column.to_string(),
                value: value.to_string(),
            })
        };
        Ok((number(xh, xs)?, number(yh, ys)?))
    }
}

/// The point of a GeoJSON feature (a Point, or a MultiPoint of one point).
fn point_of(g: Option<&geo::Geometry<f64>>) -> Result<(f64, f64), RejectReason> {
    match g {
        Some(geo::Geometry::Point(p)) => Ok((p.x(), p.y())),
        Some(geo::Geometry::MultiPoint(mp)) if mp.0.len() == 1 => Ok((mp.0[0].x(), mp.0[0].y())),
        Some(geo::Geometry::MultiPoint(mp)) => {
            Err(geometry(format!("a MultiPoint of {} points; give one point per row", mp.0.len())))
        }
        Some(_) => Err(geometry("geometry is not a point")),
        None => Err(geometry("feature has no geometry")),
    }
}

/// A number of persons or m² for CSV: integers without decimals, else 2 decimals.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The file-name part of a path as named in the project (for the map footer).
pub(crate) fn file_name(display: &str) -> String {
    std::path::Path::new(display).file_name().and_then(|f| f.to_str()).unwrap_or(display).to_string()
}
