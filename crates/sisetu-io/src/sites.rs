//! Census tables of sites: CSV (UTF-8, UTF-8 BOM, GBK), XLSX, GeoJSON points and Parquet /
//! GeoParquet tables.
//!
//! [`read_sites`] reads one layer and sorts every data row into exactly one of
//! [`SiteLayer::sites`] or [`SiteLayer::rejects`], so `rows_read = sites + rejects` always.
//! Row-level problems (missing or unparsable coordinates, values out of range, latitude and
//! longitude swapped, unknown or empty grades, ragged rows, non-point features) are rejects
//! with a reason; file-level problems (unreadable file, missing column, grade labels that
//! need a mapping) are errors.
//!
//! CSV files are split into records by the shared splitter (`source::delimited`: CR, LF and
//! CRLF line ends, bounded quoted values, a stray quote costing only its own line, records
//! over 1 MiB rejected). A title row above the header (one non-empty cell, followed by a line
//! with the columns) is skipped with a warning ([`SiteLayer::warnings`]). Large files are cut
//! into chunks at record starts found by the same splitter and the chunks are processed with
//! rayon; the order of the results is the order of the file, and the rows are the same for
//! any number of threads.

use crate::crs::{Crs, CrsError, Transformer, GK_SITE_MAX_OFFSET_DEG};
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
pub use crate::reject::Reject;
use crate::reject::{clip, clip_raw, longitude_offset, Conversion, EmptyAxes, RejectReason, RowParts};
use crate::source::delimited::{
    ambiguous_warning, chunk_target, count_line_ends, decode_text, for_each_record, head_records, header_at,
    header_key, record_chunks, sniff_delimiter, title_skipped, HeadRecord, MAX_QUOTED_LINE_BREAKS, MAX_RECORD_BYTES,
    MAX_TITLE_ROWS,
};
use crate::source::features::{feature_collection, json_text};
use crate::source::workbook::{read_workbook, SheetRow};
use crate::source::{read_file, Delimiter, ReadAs, SourceKind};
use crate::text::{Detected, TextEncoding};
use rayon::prelude::*;
use sisetu_core::{GradeError, GradeScheme, RiskLevel};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Column names of a site layer; `None` means "look for the usual headers".
#[derive(Debug, Clone, Default)]
pub struct SiteColumns {
    /// Identifier (统一社会信用代码, id). Optional.
    pub id: Option<String>,
    /// Enterprise or site name (企业名称, 名称, name). Optional.
    pub name: Option<String>,
    /// Longitude or easting (经度, lon, longitude, x). Required.
    pub x: Option<String>,
    /// Latitude or northing (纬度, lat, latitude, y). Required.
    pub y: Option<String>,
    /// Risk grade (风险等级, 等级, grade). Required.
    pub grade: Option<String>,
    /// Category or industry (行业, 类别, category). Optional.
    pub category: Option<String>,
}

/// Default headers searched (case-insensitive, in this order) when a column is not named.
pub const DEFAULT_HEADERS: [(&str, &[&str]); 6] = [
    ("id", &["统一社会信用代码", "id", "编号", "代码", "code"]),
    ("name", &["企业名称", "名称", "单位名称", "name"]),
    ("x", &["经度", "lon", "lng", "longitude", "x", "东经"]),
    ("y", &["纬度", "lat", "latitude", "y", "北纬"]),
    ("grade", &["风险等级", "等级", "风险级别", "风险分级", "分级", "风险等级评定", "grade", "level"]),
    ("category", &["行业", "类别", "行业类别", "category", "类型"]),
];

/// Where and how to read one site layer.
#[derive(Debug, Clone)]
pub struct SiteLayerSpec {
    /// The file: `.csv`/`.txt` (`.tsv`: tab-separated), `.xlsx`/`.xlsm`/`.xls`/`.ods` or
    /// `.geojson`/`.json` ([`ReadAs::Sites`]).
    pub path: PathBuf,
    /// How the file is named in messages (usually the path as written in the project).
    pub display: String,
    /// The coordinate system of the x/y values.
    pub crs: Crs,
    /// Column names.
    pub columns: SiteColumns,
    /// Text encoding of CSV files.
    pub encoding: TextEncoding,
    /// Worksheet of a workbook (default: every visible worksheet with the first one's
    /// header, see [`read_sites`]).
    pub sheet: Option<String>,
    /// The header's line (CSV: the physical line its record starts on) or row (worksheet),
    /// counted from 1, everything above it skipped; `None`: the first line, or the first
    /// naming the columns below up to five title rows.
    pub header_row: Option<u32>,
}

/// One accepted site. Its four text fields share one allocation (a census of a million
/// rows would otherwise make four million small strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// `id`, `name`, `category`, `grade` back to back; `ends` marks where each stops.
    text: Box<str>,
    ends: [u32; 3],
    /// The normalised level.
    pub level: RiskLevel,
    /// WGS84 / CGCS2000 longitude (degrees).
    pub lon: f64,
    /// WGS84 / CGCS2000 latitude (degrees).
    pub lat: f64,
    /// Easting in the working CRS (metres).
    pub x: f64,
    /// Northing in the working CRS (metres).
    pub y: f64,
    /// Line of the file (CSV: physical line; XLSX: sheet row; GeoJSON: feature number).
    pub line: u64,
}

impl Site {
    /// A site from its text fields and position.
    #[allow(clippy::too_many_arguments, reason = "a site is built from its raw fields in one place")]
    pub fn new(
        id: &str,
        name: &str,
        category: &str,
        grade: &str,
        level: RiskLevel,
        lonlat: (f64, f64),
        xy: (f64, f64),
        line: u64,
    ) -> Site {
        let mut text = String::with_capacity(id.len() + name.len() + category.len() + grade.len());
        text.push_str(id);
        let e0 = text.len() as u32;
        text.push_str(name);
        let e1 = text.len() as u32;
        text.push_str(category);
        let e2 = text.len() as u32;
        text.push_str(grade);
        Site {
            text: text.into_boxed_str(),
            ends: [e0, e1, e2],
            level,
            lon: lonlat.0,
            lat: lonlat.1,
            x: xy.0,
            y: xy.1,
            line,
        }
    }
    /// Identifier as given (may be empty).
    #[inline]
    pub fn id(&self) -> &str {
        &self.text[..self.ends[0] as usize]
    }
    /// Name as given (may be empty).
    #[inline]
    pub fn name(&self) -> &str {
        &self.text[self.ends[0] as usize..self.ends[1] as usize]
    }
    /// Category as given (may be empty).
    #[inline]
    pub fn category(&self) -> &str {
        &self.text[self.ends[1] as usize..self.ends[2] as usize]
    }
    /// The grade label as given.
    #[inline]
    pub fn grade(&self) -> &str {
        &self.text[self.ends[2] as usize..]
    }
}

/// The result of reading one layer.
#[derive(Debug, Clone, Default)]
pub struct SiteLayer {
    /// Accepted sites in file order.
    pub sites: Vec<Site>,
    /// Rejected rows in file order.
    pub rejects: Vec<Reject>,
    /// Data rows read (header excluded) = sites + rejects.
    pub rows_read: u64,
    /// The header as found.
    pub headers: Vec<String>,
    /// The encoding found (CSV only).
    pub encoding: Option<Detected>,
    /// The header used for each role (id, name, x, y, grade, category).
    pub columns_used: BTreeMap<String, String>,
    /// SHA-256 of the file's bytes (hex): of the bytes read, the ones parsed.
    pub sha256: String,
    /// Warnings about the file as a whole, for the report and the terminal (which names the
    /// file): a title row skipped above the header, lines in different text encodings,
    /// worksheets skipped (hidden, another header, empty).
    pub warnings: Vec<crate::Note>,
}

/// Resolved column positions.
#[derive(Debug, Clone, Copy)]
struct Cols {
    id: Option<usize>,
    name: Option<usize>,
    x: usize,
    y: usize,
    grade: usize,
    category: Option<usize>,
}

/// The column for `role`: the header `named` in the project, else the first of the role's
/// [`DEFAULT_HEADERS`] found (both ignoring case, blanks and a BOM). `Ok(None)` when an
/// optional role has no column; an error when a named column or a required role has none.
fn find_column(
    headers: &[String],
    role: &str,
    named: Option<&str>,
    required: bool,
    path: &str,
) -> Result<Option<usize>> {
    let norm = |s: &str| header_key(s).to_lowercase();
    let wanted: Vec<String> = match named {
        Some(n) => vec![n.to_string()],
        None => DEFAULT_HEADERS
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, names)| names.iter().map(|s| (*s).to_string()).collect())
            .unwrap_or_default(),
    };
    for w in &wanted {
        if let Some(i) = headers.iter().position(|h| norm(h) == norm(w)) {
            return Ok(Some(i));
        }
    }
    if required || named.is_some() {
        let role_desc = match role {
            "x" => "x / longitude",
            "y" => "y / latitude",
            "grade" => "the risk grade",
            "id" => "the site id",
            "name" => "the site name",
            _ => "the category",
        };
        return Err(Error::MissingColumn {
            path: path.to_string(),
            role: role_desc.to_string(),
            wanted: wanted.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" or "),
            found: headers.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", "),
            key: role.to_string(),
        });
    }
    Ok(None)
}

/// The column of `role` (`"id"`, `"name"`, `"x"`, `"y"`, `"grade"`, `"category"`) among
/// `headers` by the [`DEFAULT_HEADERS`] alone, as a project that names no column finds it
/// (`sisetu init` uses it to say which columns it found).
pub fn default_column(headers: &[String], role: &str) -> Option<usize> {
    find_column(headers, role, None, false, "").ok().flatten()
}

/// Like [`find_column`] for a required role: its column, or the error.
fn require_column(headers: &[String], role: &str, named: Option<&str>, path: &str) -> Result<usize> {
    find_column(headers, role, named, true, path)?
        .ok_or_else(|| Error::Format { path: path.to_string(), msg: format!("no column for '{role}'") })
}

fn resolve(headers: &[String], c: &SiteColumns, path: &str) -> Result<(Cols, BTreeMap<String, String>)> {
    let cols = Cols {
        x: require_column(headers, "x", c.x.as_deref(), path)?,
        y: require_column(headers, "y", c.y.as_deref(), path)?,
        grade: require_column(headers, "grade", c.grade.as_deref(), path)?,
        id: find_column(headers, "id", c.id.as_deref(), false, path)?,
        name: find_column(headers, "name", c.name.as_deref(), false, path)?,
        category: find_column(headers, "category", c.category.as_deref(), false, path)?,
    };
    let mut used = BTreeMap::new();
    for (role, idx) in [
        ("x", Some(cols.x)),
        ("y", Some(cols.y)),
        ("grade", Some(cols.grade)),
        ("id", cols.id),
        ("name", cols.name),
        ("category", cols.category),
    ] {
        if let Some(i) = idx {
            used.insert(role.to_string(), headers[i].clone());
        }
    }
    Ok((cols, used))
}

/// Everything a row needs to become a site.
struct RowCtx<'a> {
    /// The file had undecodable bytes (now U+FFFD): rows holding them are rejected.
    damaged: bool,
    cols: Cols,
    n_fields: usize,
    headers: &'a [String],
    scheme: &'a GradeScheme,
    tf: &'a SiteTransforms,
}

/// WGS84 longitude and latitude (degrees).
pub type LonLat = (f64, f64);
/// Easting and northing in the working CRS (metres).
pub type WorkXy = (f64, f64);

/// The coordinate conversions a site layer needs, and the check that a converted position
/// is one the working CRS represents faithfully.
#[derive(Debug, Clone)]
pub struct SiteTransforms {
    /// Layer CRS → WGS84 lon/lat (for GeoJSON output).
    pub to_wgs84: Transformer,
    /// Layer CRS → working CRS, used directly when the layer is projected (exact when the
    /// layer already is in the working CRS, so points on district edges stay on them).
    pub to_work: Transformer,
    /// WGS84 → working CRS, used after `to_wgs84` for geographic layers (GCJ-02 and BD-09
    /// are then converted only once).
    pub wgs84_to_work: Transformer,
    /// How positions in the working CRS are checked.
    guard: WorkGuard,
}

/// The check of [`SiteTransforms::apply`] that the working CRS represents a position
/// faithfully.
#[derive(Debug, Clone)]
enum WorkGuard {
    /// Geographic, Web Mercator or Albers: every valid longitude/latitude is fine.
    None,
    /// A Gauss-Krüger zone: within [`GK_SITE_MAX_OFFSET_DEG`] of this central meridian.
    CentralMeridian(f64),
    /// A CRS of the system PROJ library: converting back to WGS84 returns the position.
    RoundTrip(Transformer),
}

/// Largest difference (degrees) between a position and its round trip through a working
/// CRS of the system PROJ library (1e-7 degree is about a centimetre).
const ROUND_TRIP_TOLERANCE_DEG: f64 = 1e-7;

impl SiteTransforms {
    /// The conversions from `layer` to WGS84 and to `work`.
    pub fn new(layer: Crs, work: Crs) -> Result<Self, CrsError> {
        let to_work = Transformer::new(layer, work)?;
        let guard = if let Some(cm) = work.central_meridian() {
            WorkGuard::CentralMeridian(cm)
        } else if work.is_geographic() || matches!(work.canonical(), Crs::WebMercator | Crs::Albers(_)) {
            WorkGuard::None
        } else {
            WorkGuard::RoundTrip(Transformer::new(work, Crs::Wgs84)?)
        };
        Ok(SiteTransforms {
            to_wgs84: Transformer::new(layer, Crs::Wgs84)?,
            to_work,
            wgs84_to_work: Transformer::new(Crs::Wgs84, work)?,
            guard,
        })
    }

    /// The layer's CRS.
    pub fn layer(&self) -> Crs {
        self.to_wgs84.src()
    }

    /// The working CRS.
    pub fn work(&self) -> Crs {
        self.to_work.dst()
    }

    /// (lon, lat) and (x, y) in the working CRS for the point (`x`, `y`) in the layer's CRS,
    /// read from the columns `x_column` and `y_column` (named in the reasons).
    ///
    /// Rejects positions that cannot be converted ([`RejectReason::Unconvertible`]) and
    /// positions that the working CRS does not represent faithfully
    /// ([`RejectReason::FarFromWorkingCrs`]). For a Gauss-Krüger working CRS the bound is
    /// [`GK_SITE_MAX_OFFSET_DEG`] (19°) of longitude from its central meridian, measured on the
    /// WGS84 longitude that is computed anyway: one subtraction per site, no inverse projection.
    /// (A site 100° away, e.g. longitude 12.14 typed for 121.4, would otherwise be projected
    /// to finite coordinates that no output could convert back.) For a working CRS of the
    /// system PROJ library (`--features proj`) the position is converted back and must return
    /// to within 1e-7 degree. Geographic and Web Mercator working CRSs need no check.
    #[inline]
    pub fn apply(&self, x: f64, y: f64, x_column: &str, y_column: &str) -> Result<(LonLat, WorkXy), RejectReason> {
        let unconvertible = |to| move |cause| RejectReason::Unconvertible { to, cause };
        let ll = self.to_wgs84.transform(x, y).map_err(unconvertible(Conversion::ToWgs84))?;
        let xy = if self.to_work.is_identity() {
            Ok((x, y))
        } else if self.to_work.src().is_geographic() || matches!(self.to_work.src(), Crs::Gcj02 | Crs::Bd09) {
            self.wgs84_to_work.transform(ll.0, ll.1)
        } else {
            self.to_work.transform(x, y)
        }
        .map_err(unconvertible(Conversion::ToWorkingCrs))?;
        let faithful = match &self.guard {
            WorkGuard::None => true,
            WorkGuard::CentralMeridian(cm) => longitude_offset(ll.0, *cm) <= GK_SITE_MAX_OFFSET_DEG,
            WorkGuard::RoundTrip(back) => back.transform(xy.0, xy.1).is_ok_and(|(lon, lat)| {
                longitude_offset(lon, ll.0) <= ROUND_TRIP_TOLERANCE_DEG
                    && (lat - ll.1).abs() <= ROUND_TRIP_TOLERANCE_DEG
            }),
        };
        if !faithful {
            return Err(RejectReason::FarFromWorkingCrs {
                x_column: x_column.to_string(),
                y_column: y_column.to_string(),
                x,
                y,
                geographic: self.layer().is_geographic(),
                lon: ll.0,
                working: self.work(),
                central_meridian: self.work().central_meridian(),
            });
        }
        Ok((ll, xy))
    }

    /// [`check_coordinates`] for the layer's CRS, then [`SiteTransforms::apply`]: everything
    /// that makes a position in the file a usable site position.
    pub fn locate(&self, x: f64, y: f64, x_column: &str, y_column: &str) -> Result<(LonLat, WorkXy), RejectReason> {
        check_coordinates(self.layer(), x, y, x_column, y_column)?;
        self.apply(x, y, x_column, y_column)
    }
}

enum RowOutcome {
    Site(Site),
    Reject(Reject),
    /// A grade that needs a mapping: the layer then fails with [`Error::UnmappedGrades`].
    Unmapped(Reject, String),
}

fn in_china(lon: f64, lat: f64) -> bool {
    (73.0..=136.0).contains(&lon) && (3.0..=54.0).contains(&lat)
}

/// Checks that the pair (`x`, `y`), read from the columns `xh` and `yh`, is plausible for
/// the CRS; the error says what is wrong.
///
/// Geographic: longitude and latitude in range, and not swapped (a pair that lies in China
/// only when swapped). Gauss-Krüger zones ([`Crs::GaussKruger`]): easting within the zone's
/// [`easting_range`](crate::crs::GkZone::easting_range) and northing within 0..10⁷, and not
/// swapped. Web Mercator: within its square.
pub fn check_coordinates(crs: Crs, x: f64, y: f64, xh: &str, yh: &str) -> Result<(), RejectReason> {
    let pair = || (xh.to_string(), yh.to_string());
    if crs.is_geographic() {
        if !in_china(x, y) && in_china(y, x) {
            let (x_column, y_column) = pair();
            return Err(RejectReason::LatLonSwapped { x_column, y_column, x, y });
        }
        if !(-180.0..=180.0).contains(&x) {
            return Err(RejectReason::LongitudeOutOfRange { column: xh.to_string(), value: x });
        }
        if !(-90.0..=90.0).contains(&y) {
            return Err(RejectReason::LatitudeOutOfRange { column: yh.to_string(), value: y });
        }
    } else if let Crs::GaussKruger(zone) = crs {
        let eastings = zone.easting_range();
        let ok = |e: f64, n: f64| eastings.contains(&e) && (0.0..1e7).contains(&n);
        if !ok(x, y) && ok(y, x) {
            let (x_column, y_column) = pair();
            return Err(RejectReason::EastingNorthingSwapped { x_column, y_column, x, y });
        }
        if !ok(x, y) {
            let (x_column, y_column) = pair();
            return Err(RejectReason::OutsideZone { x_column, y_column, x, y, zone });
        }
    } else if crs == Crs::WebMercator {
        let lim = 20_037_508.35;
        if x.abs() > lim || y.abs() > lim * 1.001 {
            let (x_column, y_column) = pair();
            return Err(RejectReason::OutsideWebMercator { x_column, y_column, x, y });
        }
    }
    Ok(())
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

impl RowCtx<'_> {
    fn process<'r>(&self, line: u64, fields: impl Fn(usize) -> Option<&'r str>, len: usize) -> RowOutcome {
        let raw = || clip_raw((0..len).map(|i| fields(i).unwrap_or("")));
        let reject = |reason: RejectReason| RowOutcome::Reject(Reject { line, reason, raw: raw(), sheet: None });
        if len != self.n_fields {
            return reject(RejectReason::FieldCount { found: len, header: self.n_fields });
        }
        let get = |i: usize| fields(i).unwrap_or("");
        if self.damaged && (0..len).any(|i| get(i).contains('\u{FFFD}')) {
            return reject(RejectReason::Undecodable);
        }
        if (0..len).all(|i| get(i).trim().is_empty()) {
            return reject(RejectReason::EmptyRow { parts: RowParts::Fields });
        }
        let (xh, yh, gh) = (&self.headers[self.cols.x], &self.headers[self.cols.y], &self.headers[self.cols.grade]);
        let (xs, ys) = (get(self.cols.x), get(self.cols.y));
        let empty = match (xs.trim().is_empty(), ys.trim().is_empty()) {
            (false, false) => None,
            (true, true) => Some(EmptyAxes::Both),
            (true, false) => Some(EmptyAxes::X),
            (false, true) => Some(EmptyAxes::Y),
        };
        // A total or signature line below the table has no usable coordinates and no grade: it
        // says so. (A site that lacks coordinates keeps its grade, and the coordinate reason.)
        let no_grade = get(self.cols.grade).trim().is_empty();
        let footer = || {
            crate::reject::footer_text((0..len).map(get))
                .filter(|_| no_grade)
                .map(|t| RejectReason::Footer { text: clip(t) })
        };
        if let Some(empty) = empty {
            return reject(footer().unwrap_or(RejectReason::MissingCoordinates {
                x: xh.clone(),
                y: yh.clone(),
                empty,
            }));
        }
        let not_a_number = |column: &str, value: &str| RejectReason::CoordinateNotANumber {
            column: column.to_string(),
            value: clip(value.trim()),
        };
        let Some(x) = parse_number(xs) else {
            return reject(footer().unwrap_or_else(|| not_a_number(xh, xs)));
        };
        let Some(y) = parse_number(ys) else {
            return reject(footer().unwrap_or_else(|| not_a_number(yh, ys)));
        };
        if let Err(why) = check_coordinates(self.tf.layer(), x, y, xh, yh) {
            return reject(why);
        }
        let grade = get(self.cols.grade);
        let level = match self.scheme.parse(grade) {
            Ok(l) => l,
            Err(GradeError::Empty) => return reject(RejectReason::MissingGrade { column: gh.clone() }),
            Err(GradeError::Unknown(label)) => {
                return reject(RejectReason::UnknownGrade { label: clip(&label), column: gh.clone() });
            }
            Err(GradeError::NeedsMapping(label)) => {
                let label = clip(&label);
                let reason = RejectReason::UnmappedGrade { label: label.clone(), column: gh.clone() };
                return RowOutcome::Unmapped(Reject { line, reason, raw: raw(), sheet: None }, label);
            }
        };
        let ((lon, lat), (wx, wy)) = match self.tf.apply(x, y, xh, yh) {
            Ok(p) => p,
            Err(why) => return reject(why),
        };
        let opt = |c: Option<usize>| c.map(|i| get(i).trim()).unwrap_or("");
        RowOutcome::Site(Site::new(
            opt(self.cols.id),
            opt(self.cols.name),
            opt(self.cols.category),
            grade.trim(),
            level,
            (lon, lat),
            (wx, wy),
            line,
        ))
    }
}

/// The rows of one chunk, sorted into sites and rejects as they are produced.
#[derive(Default)]
struct Sorted {
    rows: u64,
    sites: Vec<Site>,
    rejects: Vec<Reject>,
    /// label → (first line, count)
    unmapped: BTreeMap<String, (u64, u64)>,
    /// First lines of records whose last line is a whole row by itself.
    ambiguous: Vec<u64>,
}

impl Sorted {
    fn push(&mut self, o: RowOutcome) {
        self.rows += 1;
        match o {
            RowOutcome::Site(s) => self.sites.push(s),
            RowOutcome::Reject(r) => self.rejects.push(r),
            RowOutcome::Unmapped(r, label) => {
                let e = self.unmapped.entry(label).or_insert((r.line, 0));
                e.1 += 1;
                self.rejects.push(r);
            }
        }
    }
}

/// Collects the sorted chunks (in file order) into a layer, or the unmapped-grade error.
fn finish_chunks(chunks: Vec<Sorted>, layer: &mut SiteLayer, path: &str, grade_col: &str) -> Result<()> {
    let mut unmapped = Unmapped::new();
    layer.sites.reserve_exact(chunks.iter().map(|c| c.sites.len()).sum());
    absorb(chunks, layer, &mut unmapped);
    unmapped_error(unmapped, path, grade_col)
}

/// Grade labels without a mapping: label → (first line, count).
type Unmapped = BTreeMap<String, (u64, u64)>;

/// Moves the sorted chunks (in file order) into `layer`, their unmapped grades into `unmapped`.
fn absorb(chunks: Vec<Sorted>, layer: &mut SiteLayer, unmapped: &mut Unmapped) {
    // Reserved at once: a vector that doubles copies every site again at each step.
    layer.sites.reserve(chunks.iter().map(|c| c.sites.len()).sum());
    for c in chunks {
        layer.rows_read += c.rows;
        layer.sites.extend(c.sites);
        layer.rejects.extend(c.rejects);
        for (label, (line, n)) in c.unmapped {
            let e = unmapped.entry(label).or_insert((line, 0));
            e.0 = e.0.min(line);
            e.1 += n;
        }
    }
}

/// The unmapped-grade error, when a label had no mapping.
fn unmapped_error(unmapped: Unmapped, path: &str, grade_col: &str) -> Result<()> {
    if !unmapped.is_empty() {
        let mut labels: Vec<(String, u64, u64)> = unmapped.into_iter().map(|(l, (line, n))| (l, line, n)).collect();
        labels.sort_by_key(|(_, line, _)| *line);
        return Err(Error::UnmappedGrades { path: path.to_string(), column: grade_col.to_string(), labels });
    }
    Ok(())
}

/// Collects row outcomes into a layer, or the unmapped-grade error.
fn finish(outcomes: Vec<RowOutcome>, layer: &mut SiteLayer, path: &str, grade_col: &str) -> Result<()> {
    let mut sorted = Sorted::default();
    for o in outcomes {
        sorted.push(o);
    }
    finish_chunks(vec![sorted], layer, path, grade_col)
}

/// Reads one site layer; `tf` converts from the layer's CRS (see [`SiteTransforms::new`]).
/// `progress` is called with the bytes done.
///
/// A workbook is read from the worksheet [`SiteLayerSpec::sheet`] names, or else from every
/// visible worksheet whose header matches the first one's, in workbook order; the sheets
/// skipped are named in [`SiteLayer::warnings`] and each reject keeps its sheet
/// ([`Reject::sheet`]). Workbooks are read within the limits of [`crate::source::limits`].
pub fn read_sites(
    spec: &SiteLayerSpec,
    scheme: &GradeScheme,
    tf: &SiteTransforms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SiteLayer> {
    match SourceKind::of(&spec.path, &spec.display, ReadAs::Sites)? {
        SourceKind::Csv(delimiter) => read_csv(spec, delimiter, scheme, tf, progress),
        SourceKind::Workbook => read_sheet(spec, scheme, tf),
        SourceKind::GeoJson => read_geojson(spec, scheme, tf),
        SourceKind::Parquet => read_parquet(spec, scheme, tf),
        kind @ SourceKind::Shapefile => Err(ReadAs::Sites.refuse(kind, &spec.path, &spec.display)),
    }
}

/// What [`read_sites_chunked`] hands its sink, in file order.
#[derive(Debug)]
pub enum Piece {
    /// The next stretch of the file: its accepted sites and its rejected rows, in file order.
    Rows {
        /// Accepted sites.
        sites: Vec<Site>,
        /// Rejected rows.
        rejects: Vec<Reject>,
    },
    /// Forget every piece of this file so far: it is read again from its start, whole (a
    /// segment was not plain UTF-8, so the file goes through the mixed-encoding reading of
    /// [`read_sites`]). Never sent when `segmented` is false.
    Restart,
}

/// The receiver of [`read_sites_chunked`]'s pieces; an error stops the read.
pub type Sink<'a> = dyn FnMut(Piece) -> Result<()> + 'a;

/// Which checksums [`read_sites_chunked`] computes of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// SHA-256 ([`SiteLayer::sha256`], for the report) and, when the file is read in
    /// segments, the fingerprint ([`ChunkedRead::fingerprint`]).
    Sha256,
    /// Only the fingerprint, when the file is read in segments (a file read whole gets its
    /// SHA-256 all the same): enough for a second reading to prove that the file did not
    /// change since the first, at a tenth of the cost of SHA-256.
    Fingerprint,
}

/// How [`read_sites_chunked`] read a file.
#[derive(Debug)]
pub struct ChunkedRead {
    /// The layer's metadata and counts ([`SiteLayer::rows_read`], headers, encoding, columns,
    /// SHA-256, warnings); its `sites` and `rejects` are empty: they went to the sink.
    pub layer: SiteLayer,
    /// Whether the file was read in segments to the end (false: it was read whole, and the
    /// sink got it as one piece). A second read of the same file with `segmented` false
    /// sends no [`Piece::Restart`].
    pub segmented: bool,
    /// Accepted sites (sent to the sink).
    pub accepted: u64,
    /// Rejected rows (sent to the sink).
    pub rejected: u64,
    /// The XXH3-128 hash of the file's bytes, when it was read in segments.
    pub fingerprint: Option<u128>,
}

/// Reads one site layer as [`read_sites`] does, handing its sites and rejects to `sink` a
/// segment at a time, so that memory holds one segment (64 MiB of the file and its rows), not
/// the layer. Only CSV files larger than a segment that are plain UTF-8 throughout are read
/// in segments (and only when `segmented`); any other file is read whole and sent as one piece. The pieces put
/// together are exactly [`read_sites`]'s sites and rejects, in the same order; a grade without
/// a mapping is the same error, after the last piece.
pub fn read_sites_chunked(
    spec: &SiteLayerSpec,
    scheme: &GradeScheme,
    tf: &SiteTransforms,
    progress: &(dyn Fn(u64) + Sync),
    segmented: bool,
    checksum: Checksum,
    sink: &mut Sink<'_>,
) -> Result<ChunkedRead> {
    let counted = std::cell::Cell::new((0u64, 0u64));
    let mut counting = |piece: Piece| -> Result<()> {
        match &piece {
            Piece::Rows { sites, rejects } => {
                let (a, r) = counted.get();
                counted.set((a + sites.len() as u64, r + rejects.len() as u64));
            }
            Piece::Restart => counted.set((0, 0)),
        }
        sink(piece)
    };
    let size = std::fs::metadata(&spec.path).map_or(0, |m| m.len());
    if segmented && size > segment_bytes() as u64 {
        if let SourceKind::Csv(delimiter) = SourceKind::of(&spec.path, &spec.display, ReadAs::Sites)? {
            if spec.encoding != TextEncoding::Gbk {
                let sha256 = checksum == Checksum::Sha256;
                let read = read_csv_segmented(spec, delimiter, scheme, tf, progress, Some(&mut counting), sha256)?;
                if let Some((layer, fingerprint)) = read {
                    let (accepted, rejected) = counted.get();
                    return Ok(ChunkedRead {
                        layer,
                        segmented: true,
                        accepted,
                        rejected,
                        fingerprint: Some(fingerprint),
                    });
                }
                if counted.get() != (0, 0) {
                    counting(Piece::Restart)?;
                }
            }
        }
    }
    let mut layer = read_sites(spec, scheme, tf, progress)?;
    let (sites, rejects) = (std::mem::take(&mut layer.sites), std::mem::take(&mut layer.rejects));
    counting(Piece::Rows { sites, rejects })?;
    let (accepted, rejected) = counted.get();
    Ok(ChunkedRead { layer, segmented: false, accepted, rejected, fingerprint: None })
}

/// Files larger than this are read in segments of this size when they are plain UTF-8
/// throughout ([`read_csv_segmented`]).
const SEGMENT_BYTES: usize = 64 << 20;

/// A header (with a title row above it) not found within this many bytes of a segmented
/// read sends the file to the whole read, which words the error.
const MAX_HEADER_BYTES: usize = 16 << 20;

/// [`SEGMENT_BYTES`], or the size the tests set.
fn segment_bytes() -> usize {
    #[cfg(test)]
    {
        let forced = SEGMENT_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed);
        if forced > 0 {
            return forced;
        }
    }
    SEGMENT_BYTES
}

/// Segment size the tests force (0: [`SEGMENT_BYTES`]).
#[cfg(test)]
pub(crate) static SEGMENT_OVERRIDE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn read_csv(
    spec: &SiteLayerSpec,
    delimiter: Delimiter,
    scheme: &GradeScheme,
    tf: &SiteTransforms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SiteLayer> {
    let path = spec.display.as_str();
    let size = std::fs::metadata(&spec.path).map_or(0, |m| m.len());
    if size > segment_bytes() as u64 && spec.encoding != TextEncoding::Gbk {
        if let Some((layer, _)) = read_csv_segmented(spec, delimiter, scheme, tf, progress, None, true)? {
            return Ok(layer);
        }
    }
    // One read: the hash is of the very bytes parsed.
    let bytes = read_file(&spec.path, path)?;
    let (parsed, sha256) =
        rayon::join(|| parse_csv(&bytes, spec, delimiter, scheme, tf, progress), || sha256_hex(&bytes));
    let mut layer = parsed?;
    layer.sha256 = sha256;
    Ok(layer)
}

/// What the first segment of [`read_csv_segmented`] found: the header, its columns, the
/// delimiter and a title row's warning.
struct SegmentedHeader {
    headers: Vec<String>,
    cols: Cols,
    used: BTreeMap<String, String>,
    delimiter: u8,
    title: Option<crate::Note>,
}

/// Bytes the record splitter may read past a record's start ([`MAX_RECORD_BYTES`] and the
/// line end after it), or the size the tests set.
fn lookahead_bytes() -> usize {
    #[cfg(test)]
    {
        if SEGMENT_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            return 0;
        }
    }
    MAX_RECORD_BYTES + 2
}

/// How many of `pieces` (consecutive, starting on record starts of `body`) can be read now:
/// the largest `j` whose start lies more than [`lookahead_bytes`] bytes and at least
/// [`MAX_QUOTED_LINE_BREAKS`] + 2 line ends before the end of `body`. Every record before that
/// start then has at least that much text after it, which is all the splitter ever looks at
/// (a quoted value spans at most that many line breaks and bytes), so it is read as in the
/// whole file, and the start itself is a true record start. 0: none can be read yet.
fn safe_cut(body: &str, pieces: &[(usize, usize, u64)]) -> usize {
    let need_lines = MAX_QUOTED_LINE_BREAKS + 2;
    let need_bytes = lookahead_bytes();
    let mut lines_after = 0u64;
    for j in (0..pieces.len()).rev() {
        let (from, to, _) = pieces[j];
        lines_after += count_line_ends(&body.as_bytes()[from..to]);
        if lines_after >= need_lines && body.len() - from > need_bytes {
            return j;
        }
    }
    0
}

/// The checksums of a segmented read: the XXH3-128 fingerprint, and SHA-256 when asked for.
struct Hashes {
    sha256: Option<sha2::Sha256>,
    fingerprint: twox_hash::XxHash3_128,
}

impl Hashes {
    fn new(sha256: bool) -> Self {
        use sha2::Digest;
        Hashes { sha256: sha256.then(sha2::Sha256::new), fingerprint: twox_hash::XxHash3_128::new() }
    }

    fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        if let Some(h) = self.sha256.as_mut() {
            h.update(bytes);
        }
        self.fingerprint.write(bytes);
    }

    /// The SHA-256 as hex (when asked for) and the fingerprint.
    fn finish(self) -> (Option<String>, u128) {
        use sha2::Digest;
        let sha256 = self.sha256.map(|h| h.finalize().iter().map(|b| format!("{b:02x}")).collect());
        (sha256, self.fingerprint.finish_128())
    }
}

/// Reads a large CSV file in segments of [`segment_bytes`], so that memory holds one segment
/// of the file (plus the sites), not all of it. Each segment ends where a chunk of the record
/// splitter starts (a record start found by reading from the file's start), and the rest is
/// carried into the next segment, so the records, lines and rejects are exactly those of
/// [`parse_csv`] on the whole file; the SHA-256 (when `sha256`; the layer's is empty
/// otherwise) and the fingerprint returned beside the layer are of every byte read.
///
/// Only for files that are plain UTF-8 throughout (what [`decode_text`] returns borrowed):
/// `Ok(None)` as soon as a segment is not valid UTF-8, holds a NUL byte or a byte-order mark
/// at a line start, or the first one has a UTF-16 byte-order mark or no complete header. The
/// caller then reads the file whole, with the mixed-encoding and GBK handling.
///
/// With a `sink`, each segment's sites and rejects go to it (in file order) instead of into
/// the layer returned, which then has only the file's metadata and counts.
fn read_csv_segmented(
    spec: &SiteLayerSpec,
    delimiter: Delimiter,
    scheme: &GradeScheme,
    tf: &SiteTransforms,
    progress: &(dyn Fn(u64) + Sync),
    mut sink: Option<&mut Sink<'_>>,
    sha256: bool,
) -> Result<Option<(SiteLayer, u128)>> {
    use std::io::Read;
    let path = spec.display.as_str();
    let segment = segment_bytes();
    let read_err = |cause| Error::Read { path: path.to_string(), cause };
    let mut file = std::fs::File::open(&spec.path).map_err(|cause| Error::reading(&spec.path, path, cause))?;
    let mut hasher = Hashes::new(sha256);
    // Bytes read and not yet parsed; `line`: the physical line `buf` starts on.
    let mut buf: Vec<u8> = Vec::with_capacity(segment + (1 << 20));
    let mut line = 1u64;
    let mut setup: Option<SegmentedHeader> = None;
    // Each segment's rows go into the layer at once, so that the chunks' buffers are reused
    // by the next segment; the sites vector is reserved from the first segment's row length
    // (pages are only used as they are filled).
    let mut layer = SiteLayer::default();
    let mut unmapped = Unmapped::new();
    let mut ambiguous: Vec<u64> = Vec::new();
    let file_len = file.metadata().map_or(0, |m| m.len());
    let mut first = true;
    let mut bom = false;
    // `buf[unhashed..]` has not been hashed yet.
    let mut unhashed = 0usize;
    loop {
        let before = buf.len();
        buf.resize(before + segment, 0);
        let mut got = 0;
        while got < segment {
            match file.read(&mut buf[before + got..]).map_err(read_err)? {
                0 => break,
                n => got += n,
            }
        }
        buf.truncate(before + got);
        let eof = got < segment;
        if first {
            first = false;
            if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") {
                return Ok(None);
            }
            if buf.starts_with(b"\xEF\xBB\xBF") {
                hasher.update(&buf[..3]);
                buf.drain(..3);
                bom = true;
            }
        }
        if memchr::memchr(0, &buf[before.min(buf.len())..]).is_some() {
            return Ok(None);
        }
        // The text up to the last line end (all of it at the end of the file).
        let upto = if eof {
            buf.len()
        } else {
            match memchr::memrchr2(b'\n', b'\r', &buf) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let Ok(text) = simdutf8::basic::from_utf8(&buf[..upto]) else { return Ok(None) };
        if ["\n\u{feff}", "\r\u{feff}"].iter().any(|b| memchr::memmem::find(text.as_bytes(), b.as_bytes()).is_some()) {
            return Ok(None);
        }
        let mut start = 0;
        if setup.is_none() {
            let delim = sniff_delimiter(text, delimiter.byte());
            // A header that does not end within the first segment, or any error: the whole
            // read decides (and words the error).
            let (header, title) = match site_header(text, delim, spec, path) {
                Ok(h) if h.0.next < text.len() || eof => h,
                _ if !eof && buf.len() < MAX_HEADER_BYTES => continue,
                _ if !eof => return Ok(None),
                found => found?,
            };
            let headers = header.cells.clone();
            let (cols, used) = resolve(&headers, &spec.columns, path)?;
            start = header.next;
            line = header.next_line;
            setup = Some(SegmentedHeader { headers, cols, used, delimiter: delim, title });
        }
        let Some(SegmentedHeader { headers, cols, delimiter: delim, .. }) = &setup else { return Ok(None) };
        let ctx = RowCtx { damaged: false, cols: *cols, n_fields: headers.len(), headers, scheme, tf };
        let body = &text[start..];
        let mut pieces =
            record_chunks(body, line, *delim, headers.len(), chunk_target(body.len(), 8).min(segment / 4).max(1));
        // Before the end of the file, the pieces from the last safe cut on go into the next
        // segment: a record is read the same as in the whole file when the text after its
        // start holds everything the splitter may look at.
        let carried = if eof {
            None
        } else {
            let k = safe_cut(body, &pieces);
            let rest = pieces.split_off(k);
            Some(rest.first().copied().unwrap_or((body.len(), body.len(), line + count_line_ends(body.as_bytes()))))
        };
        // The bytes not yet hashed are hashed while the segment is parsed.
        let unhashed_bytes = &buf[unhashed..];
        let (hasher, parse_pieces) = (&mut hasher, &pieces);
        let ((), parsed): ((), Vec<Sorted>) = rayon::join(
            || hasher.update(unhashed_bytes),
            || {
                parse_pieces
                    .par_iter()
                    .map(|&chunk| {
                        let mut out = Sorted::default();
                        out.sites.reserve((chunk.1 - chunk.0) / 64);
                        out.ambiguous = for_each_record(body, chunk, *delim, headers.len(), |l, rec| match rec {
                            Ok(fields) => out.push(ctx.process(l, |i| fields.get(i).map(AsRef::as_ref), fields.len())),
                            Err(bad) => out.push(RowOutcome::Reject(Reject {
                                line: l,
                                reason: bad.reason,
                                raw: clip_raw(std::iter::once(bad.line_text)),
                                sheet: None,
                            })),
                        });
                        progress((chunk.1 - chunk.0) as u64);
                        out
                    })
                    .collect()
            },
        );
        unhashed = buf.len();
        let parsed_bytes: usize = pieces.iter().map(|p| p.1 - p.0).sum();
        ambiguous.extend(parsed.iter().flat_map(|c| c.ambiguous.iter().copied()));
        if layer.sites.capacity() == 0 && parsed_bytes > 0 && sink.is_none() {
            let rows: usize = parsed.iter().map(|c| c.sites.len()).sum();
            let estimate = (rows as f64 * file_len as f64 / parsed_bytes as f64 * 1.2) as usize;
            layer.sites.reserve_exact(estimate.min(1 << 31));
        }
        absorb(parsed, &mut layer, &mut unmapped);
        if let Some(sink) = sink.as_mut() {
            sink(Piece::Rows { sites: std::mem::take(&mut layer.sites), rejects: std::mem::take(&mut layer.rejects) })?;
        }
        if eof {
            break;
        }
        let (keep_from, keep_line) = match carried {
            Some((from, _, at)) => (start + from, at),
            None => (start + body.len(), line + count_line_ends(body.as_bytes())),
        };
        line = keep_line;
        buf.drain(..keep_from);
        unhashed -= keep_from;
    }
    let Some(SegmentedHeader { headers, cols, used, title, .. }) = setup else { return Ok(None) };
    let detected = if bom { Detected::Utf8Bom } else { Detected::Utf8 };
    layer.headers = headers.clone();
    layer.encoding = Some(detected);
    layer.columns_used = used;
    layer.warnings = title.into_iter().chain(ambiguous_warning(&ambiguous)).collect();
    layer.sites.shrink_to_fit();
    unmapped_error(unmapped, path, &headers[cols.grade])?;
    let (sha256, fingerprint) = hasher.finish();
    layer.sha256 = sha256.unwrap_or_default();
    Ok(Some((layer, fingerprint)))
}

/// The header of a site CSV file: the first record, or the second when the first is a title
/// row (one non-empty cell) and the second has the columns. Returns the header record and
/// the warning for a skipped title.
fn site_header(
    text: &str,
    delimiter: u8,
    spec: &SiteLayerSpec,
    path: &str,
) -> Result<(HeadRecord, Option<crate::Note>)> {
    let columns = &spec.columns;
    if let Some(n) = spec.header_row {
        let (header, note) = header_at(text, delimiter, n, path)?;
        resolve(&header.cells, columns, path)?;
        return Ok((header, note));
    }
    let head = head_records(text, delimiter, MAX_TITLE_ROWS + 1, path)?;
    let Some(first) = head.first().filter(|h| h.cells.iter().any(|c| !c.is_empty())) else {
        return Err(Error::Format { path: path.into(), msg: "the file is empty: no header row and no data".into() });
    };
    let Err(err) = resolve(&first.cells, columns, path) else {
        return Ok((first.clone(), None));
    };
    // Up to MAX_TITLE_ROWS rows above the header: the export's title, its 填报单位/填报日期
    // line (one cell or a few), blank lines. The header is the first record that names the
    // columns, provided every row above it has fewer filled cells than it (data rows above a
    // header with a misspelt column are not skipped: the header's error stands).
    if let Some(i) = head.iter().take(MAX_TITLE_ROWS + 1).position(|h| resolve(&h.cells, columns, path).is_ok()) {
        let (above, header) = (&head[..i], &head[i]);
        let filled = |h: &HeadRecord| h.cells.iter().filter(|c| !c.is_empty()).count();
        if above.iter().all(|h| filled(h) < filled(header)) {
            return Ok((header.clone(), Some(title_skipped(above, header.line))));
        }
    }
    if !first.looks_like_title() {
        return Err(err);
    }
    Err(Error::Format {
        path: path.into(),
        msg: format!(
            "line {} ('{}') looks like a title, not the header: the first line must name the columns; delete the \
             title row (and any other line above the header). The error for line {} as a header: {err}",
            first.line,
            first.title(),
            first.line
        ),
    })
}

fn parse_csv(
    bytes: &[u8],
    spec: &SiteLayerSpec,
    delimiter: Delimiter,
    scheme: &GradeScheme,
    tf: &SiteTransforms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SiteLayer> {
    let path = spec.display.as_str();
    let decoded = decode_text(bytes, spec.encoding, path)?;
    let text: &str = decoded.text.as_ref();
    let delimiter = sniff_delimiter(text, delimiter.byte());
    let (header, title) = site_header(text, delimiter, spec, path)?;
    let headers = header.cells.clone();
    let (cols, used) = resolve(&headers, &spec.columns, path)?;
    let ctx = RowCtx { damaged: decoded.damaged, cols, n_fields: headers.len(), headers: &headers, scheme, tf };

    let body = text.get(header.next..).unwrap_or("");
    let chunks = record_chunks(body, header.next_line, delimiter, headers.len(), chunk_target(body.len(), 8));
    let parse_chunk = |chunk: (usize, usize, u64)| -> Sorted {
        let mut out = Sorted::default();
        out.sites.reserve((chunk.1 - chunk.0) / 64);
        out.ambiguous = for_each_record(body, chunk, delimiter, headers.len(), |line, rec| match rec {
            Ok(fields) => out.push(ctx.process(line, |i| fields.get(i).map(AsRef::as_ref), fields.len())),
            Err(bad) => out.push(RowOutcome::Reject(Reject {
                line,
                reason: bad.reason,
                raw: clip_raw(std::iter::once(bad.line_text)),
                sheet: None,
            })),
        });
        out
    };
    let chunks_out: Vec<Sorted> = chunks
        .par_iter()
        .map(|&chunk| {
            let r = parse_chunk(chunk);
            progress((chunk.1 - chunk.0) as u64);
            r
        })
        .collect();
    let ambiguous: Vec<u64> = chunks_out.iter().flat_map(|c| c.ambiguous.iter().copied()).collect();
    let mut layer = SiteLayer {
        headers: headers.clone(),
        encoding: Some(decoded.detected),
        columns_used: used,
        warnings: title.into_iter().chain(decoded.warning).chain(ambiguous_warning(&ambiguous)).collect(),
        ..Default::default()
    };
    finish_chunks(chunks_out, &mut layer, path, &headers[cols.grade])?;
    Ok(layer)
}

/// A workbook layer's header, its columns and the header used for each role.
type Resolved = (Vec<String>, Cols, BTreeMap<String, String>);

/// Reads a workbook layer: the worksheet named in the spec, or every visible worksheet with
/// the first one's header (see [`read_sites`]).
fn read_sheet(spec: &SiteLayerSpec, scheme: &GradeScheme, tf: &SiteTransforms) -> Result<SiteLayer> {
    let path = spec.display.as_str();
    // The header and its columns, set by the header callback and read by the row callback:
    // rows become sites as they are read, so no row is held twice.
    let resolved: RefCell<Option<Resolved>> = RefCell::new(None);
    let mut sorted = Sorted::default();
    let mut on_header = |sheet: &str, cells: &[String]| -> Result<usize> {
        let trimmed: Vec<String> =
            cells.iter().map(|c| c.trim().trim_start_matches('\u{feff}').trim().to_string()).collect();
        // Trailing empty header cells are not columns.
        let width = trimmed.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
        if width == 0 {
            return Err(Error::Format {
                path: path.into(),
                msg: format!("worksheet '{sheet}' has an empty header row"),
            });
        }
        let headers = trimmed[..width].to_vec();
        // A missing column names the worksheet whose header was read.
        let (cols, used) = resolve(&headers, &spec.columns, path).map_err(|e| match e {
            Error::MissingColumn { path, role, wanted, found, key } => {
                Error::MissingColumn { path: format!("{path} (worksheet '{sheet}')"), role, wanted, found, key }
            }
            other => other,
        })?;
        *resolved.borrow_mut() = Some((headers, cols, used));
        Ok(width)
    };
    let mut on_row = |row: SheetRow| {
        let state = resolved.borrow();
        let Some((headers, cols, _)) = state.as_ref() else { return };
        let width = headers.len();
        let mut outcome = match row.beyond_column() {
            Some(column) => RowOutcome::Reject(Reject {
                line: row.line,
                reason: RejectReason::ValueBeyondHeader { column, width },
                raw: row.raw(),
                sheet: None,
            }),
            None => {
                let ctx = RowCtx { cols: *cols, n_fields: width, headers, scheme, tf, damaged: false };
                ctx.process(row.line, |k| row.cells.get(k).map(String::as_str), width)
            }
        };
        match &mut outcome {
            RowOutcome::Site(_) => {}
            RowOutcome::Reject(r) | RowOutcome::Unmapped(r, _) => r.sheet = Some(row.sheet),
        }
        sorted.push(outcome);
    };
    let info = read_workbook(&spec.path, path, (spec.sheet.as_deref(), spec.header_row), &mut on_header, &mut on_row)?;
    let Some((headers, cols, used)) = resolved.into_inner() else {
        return Err(Error::Format { path: path.into(), msg: "the workbook has no header row".into() });
    };
    let grade = headers[cols.grade].clone();
    let mut layer =
        SiteLayer { headers, columns_used: used, sha256: info.sha256, warnings: info.warnings, ..Default::default() };
    finish_chunks(vec![sorted], &mut layer, path, &grade)?;
    Ok(layer)
}

fn read_geojson(spec: &SiteLayerSpec, scheme: &GradeScheme, tf: &SiteTransforms) -> Result<SiteLayer> {
    let path = spec.display.as_str();
    let bytes = read_file(&spec.path, path)?;
    let fc = feature_collection(&bytes, path)?;
    // Header: property names in order of first appearance, then the geometry's x and y.
    let mut headers: Vec<String> = Vec::new();
    for f in &fc.features {
        if let Some(p) = &f.properties {
            for k in p.keys() {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let (gx, gy) = ("(geometry x)".to_string(), "(geometry y)".to_string());
    headers.push(gx.clone());
    headers.push(gy.clone());
    let mut columns = spec.columns.clone();
    columns.x.get_or_insert(gx);
    columns.y.get_or_insert(gy);
    let (cols, used) = resolve(&headers, &columns, path)?;
    let ctx = RowCtx { cols, n_fields: headers.len(), headers: &headers, scheme, tf, damaged: false };
    let mut outcomes = Vec::new();
    for (i, f) in fc.features.iter().enumerate() {
        let mut cells: Vec<String> = headers[..headers.len() - 2]
            .iter()
            .map(|h| f.properties.as_ref().and_then(|p| p.get(h)).map(json_text).unwrap_or_default())
            .collect();
        let line = i as u64 + 1;
        match f.geometry.as_ref().map(|g| &g.value) {
            Some(geojson::GeometryValue::Point { coordinates }) if coordinates.len() >= 2 => {
                cells.push(format!("{}", coordinates[0]));
                cells.push(format!("{}", coordinates[1]));
            }
            other => {
                let kind = other.map(|g| g.type_name().to_string());
                cells.push(String::new());
                cells.push(String::new());
                outcomes.push(RowOutcome::Reject(Reject {
                    line,
                    reason: RejectReason::NotAPoint { feature: line, found: kind },
                    raw: cells,
                    sheet: None,
                }));
                continue;
            }
        }
        outcomes.push(ctx.process(line, |k| cells.get(k).map(String::as_str), cells.len()));
    }
    let mut layer =
        SiteLayer { headers: headers.clone(), columns_used: used, sha256: sha256_hex(&bytes), ..Default::default() };
    finish(outcomes, &mut layer, path, &headers[cols.grade])?;
    Ok(layer)
}

/// Reads a Parquet / GeoParquet layer, 8,192 rows at a time
/// ([`crate::columnar::read::ParquetTable`]). The header is the file's columns that read as
/// text; with a WKB geometry column (the GeoParquet primary column, or a binary column named
/// `geometry`) it ends with `(geometry x)` and `(geometry y)`, which are the coordinates
/// unless `x`/`y` name other columns. A row's `line` is its row number (1 = the first row).
/// A null geometry or `POINT EMPTY` is a row without coordinates; another geometry type (or
/// bytes that are not WKB) is a [`RejectReason::NotAPoint`] when the coordinates are the
/// geometry's.
fn read_parquet(spec: &SiteLayerSpec, scheme: &GradeScheme, tf: &SiteTransforms) -> Result<SiteLayer> {
    use crate::columnar::read::ParquetTable;
    use crate::columnar::WkbGeometry;
    let path = spec.display.as_str();
    let table = ParquetTable::open(&spec.path, path)?;
    let mut headers: Vec<String> = table.columns().to_vec();
    let geometry = table.has_geometry();
    let mut columns = spec.columns.clone();
    if geometry {
        let (gx, gy) = ("(geometry x)".to_string(), "(geometry y)".to_string());
        headers.push(gx.clone());
        headers.push(gy.clone());
        columns.x.get_or_insert(gx);
        columns.y.get_or_insert(gy);
    }
    let (cols, used) = resolve(&headers, &columns, path)?;
    // Whether the coordinates are the geometry's (else the geometry is not looked at).
    let from_geometry = geometry && cols.x.max(cols.y) >= headers.len() - 2;
    let ctx = RowCtx { cols, n_fields: headers.len(), headers: &headers, scheme, tf, damaged: false };
    let sha256 = table.sha256().to_string();
    let mut sorted = Sorted::default();
    let mut row: Vec<String> = Vec::with_capacity(headers.len());
    table.for_each_row(|line, cells, g| {
        row.clear();
        row.extend(cells.iter().map(|c| c.clone().unwrap_or_default()));
        if geometry {
            let found = match g {
                None | Some(WkbGeometry::EmptyPoint) => None,
                Some(WkbGeometry::Point(x, y)) => {
                    row.push(format!("{x}"));
                    row.push(format!("{y}"));
                    None
                }
                Some(WkbGeometry::Other(kind)) => Some(kind.to_string()),
                Some(WkbGeometry::Invalid) => Some("unreadable (not WKB)".to_string()),
            };
            if let Some(kind) = found.filter(|_| from_geometry) {
                row.extend([String::new(), String::new()]);
                let reason = RejectReason::NotAPoint { feature: line, found: Some(kind) };
                sorted.push(RowOutcome::Reject(Reject { line, reason, raw: row.clone(), sheet: None }));
                return;
            }
            row.resize(headers.len(), String::new());
        }
        sorted.push(ctx.process(line, |k| row.get(k).map(String::as_str), row.len()));
    })?;
    let grade = headers[cols.grade].clone();
    let mut layer = SiteLayer { headers, columns_used: used, sha256, ..Default::default() };
    finish_chunks(vec![sorted], &mut layer, path, &grade)?;
    Ok(layer)
}

#[cfg(test)]
#[path = "sites_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sites_parquet_tests.rs"]
mod parquet_tests;
