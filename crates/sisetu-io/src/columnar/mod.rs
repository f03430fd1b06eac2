//! Columnar outputs: GeoParquet 1.1 ([`geoparquet`]) and FlatGeobuf ([`flatgeobuf`](mod@flatgeobuf)),
//! written from one small typed description of a layer, and Parquet tables read back
//! ([`read`]).
//!
//! A layer is a [`Schema`] (named, typed, nullable property columns) and a [`Rows`]: a
//! source that gives its row count, the lon/lat position of each row (for the spatial
//! sort) and, on demand, the values and the [`Geometry`] of row *i*. The writers pull the
//! rows they need, one row group at a time, so the engine writes a census from the data it
//! already holds, without a second copy of it in memory.
//!
//! Both formats are **Hilbert-sorted**: rows close on the map are close in the file, so a
//! reader asking for a bounding box reads few row groups (GeoParquet, with the `bbox`
//! covering column and its statistics) or few index pages (FlatGeobuf's packed Hilbert
//! R-tree). The sort is stable: rows with the same Hilbert key keep their input order, so
//! the same rows give the same bytes whatever the number of threads. Neither writer stores
//! a time stamp.
//!
//! Coordinates are longitude/latitude in degrees (x = longitude, y = latitude), in
//! [`GeoCrs::Wgs84`] or [`GeoCrs::Cgcs2000`] (the two agree to a metre or so, sisetu treats
//! them as one). A position or vertex that is not finite is an error naming the row.

pub mod flatgeobuf;
pub mod geoparquet;
mod hilbert;
mod projjson;
pub mod read;
mod wkb;

use std::borrow::Cow;

pub use hilbert::{hilbert_order, hilbert_order_in};
pub use wkb::WkbGeometry;

/// The type of a property column. Every column is nullable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text (Arrow `Utf8`, FlatGeobuf `String`).
    Utf8,
    /// A 64-bit signed integer (Arrow `Int64`, FlatGeobuf `Long`).
    Int64,
    /// A boolean (Arrow `Boolean`, FlatGeobuf `Bool`).
    Bool,
    /// A 64-bit float (Arrow `Float64`, FlatGeobuf `Double`).
    Float64,
}

/// One named property column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name (unique in the schema; not `geometry` nor `bbox`).
    pub name: String,
    /// Its type.
    pub kind: ColumnType,
    /// Whether its values are nearly all different (ids, names, line numbers): GeoParquet then
    /// stores them plainly instead of trying a dictionary first.
    pub distinct: bool,
}

/// The property columns of a layer, in order; the writers add the geometry (and, for
/// GeoParquet, the `bbox` covering column) after them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// The columns, in file order.
    pub columns: Vec<Column>,
}

/// The names the writers use themselves.
const RESERVED: [&str; 2] = ["geometry", "bbox"];

impl Schema {
    /// An empty schema.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// The schema with one more column.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, kind: ColumnType) -> Schema {
        self.columns.push(Column { name: name.into(), kind, distinct: false });
        self
    }

    /// The schema with one more column whose values are nearly all different
    /// ([`Column::distinct`]).
    #[must_use]
    pub fn with_distinct(mut self, name: impl Into<String>, kind: ColumnType) -> Schema {
        self.columns.push(Column { name: name.into(), kind, distinct: true });
        self
    }

    /// Fails when a name is empty, used twice, or one the writers use (`geometry`, `bbox`).
    pub fn check(&self) -> Result<(), ColumnarError> {
        for (i, c) in self.columns.iter().enumerate() {
            if c.name.is_empty() {
                return Err(ColumnarError::Schema(format!("column {} has no name", i + 1)));
            }
            if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&c.name)) {
                return Err(ColumnarError::Schema(format!(
                    "column '{}' has the name of the geometry or its bounding box; rename it",
                    c.name
                )));
            }
            if self.columns[..i].iter().any(|o| o.name == c.name) {
                return Err(ColumnarError::Schema(format!("two columns are named '{}'", c.name)));
            }
        }
        Ok(())
    }
}

/// One property value. Its variant must match the column's [`ColumnType`] (or be `Null`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// No value.
    Null,
    /// Text, for a [`ColumnType::Utf8`] column.
    Str(Cow<'a, str>),
    /// An integer, for a [`ColumnType::Int64`] column.
    Int(i64),
    /// A boolean, for a [`ColumnType::Bool`] column.
    Bool(bool),
    /// A float, for a [`ColumnType::Float64`] column.
    Float(f64),
}

impl Value<'_> {
    /// Whether the value fits a column of type `kind`.
    fn fits(&self, kind: ColumnType) -> bool {
        matches!(
            (self, kind),
            (Value::Null, _)
                | (Value::Str(_), ColumnType::Utf8)
                | (Value::Int(_), ColumnType::Int64)
                | (Value::Bool(_), ColumnType::Bool)
                | (Value::Float(_), ColumnType::Float64)
        )
    }
}

/// The geometry of one row, in longitude/latitude degrees.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// A point.
    Point {
        /// Longitude (x).
        lon: f64,
        /// Latitude (y).
        lat: f64,
    },
    /// A polygon without holes: its exterior ring, closed (first vertex = last), at least
    /// four vertices.
    Polygon(Vec<(f64, f64)>),
}

impl Geometry {
    /// `[xmin, ymin, xmax, ymax]`, or `None` when a coordinate is not finite or a polygon's
    /// ring is not closed or has fewer than four vertices.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let b = match self {
            Geometry::Point { lon, lat } => [*lon, *lat, *lon, *lat],
            Geometry::Polygon(ring) => {
                if ring.len() < 4 || ring.first() != ring.last() {
                    return None;
                }
                ring.iter().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, &(x, y)| {
                    [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
                })
            }
        };
        let finite = match self {
            Geometry::Point { lon, lat } => lon.is_finite() && lat.is_finite(),
            Geometry::Polygon(ring) => ring.iter().all(|(x, y)| x.is_finite() && y.is_finite()),
        };
        finite.then_some(b)
    }

    /// The kind of this geometry.
    pub fn kind(&self) -> GeometryKind {
        match self {
            Geometry::Point { .. } => GeometryKind::Point,
            Geometry::Polygon(_) => GeometryKind::Polygon,
        }
    }
}

/// The geometry type of a whole layer (every row has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Points (sites).
    Point,
    /// Polygons (cells, areas).
    Polygon,
}

impl GeometryKind {
    /// The OGC / GeoParquet name: `Point`, `Polygon`.
    pub fn name(self) -> &'static str {
        match self {
            GeometryKind::Point => "Point",
            GeometryKind::Polygon => "Polygon",
        }
    }
}

/// The geographic CRS of the coordinates, written into the files (GeoParquet: PROJJSON
/// with its EPSG `id`; FlatGeobuf: the EPSG code in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeoCrs {
    /// EPSG:4326, WGS 84 (what `sites.geojson` is in, RFC 7946).
    #[default]
    Wgs84,
    /// EPSG:4490, CGCS2000.
    Cgcs2000,
}

impl GeoCrs {
    /// The EPSG code: 4326 or 4490.
    pub fn epsg(self) -> i32 {
        match self {
            GeoCrs::Wgs84 => 4326,
            GeoCrs::Cgcs2000 => 4490,
        }
    }

    /// The CRS's name, as the EPSG registry gives it.
    pub fn name(self) -> &'static str {
        match self {
            GeoCrs::Wgs84 => "WGS 84",
            GeoCrs::Cgcs2000 => "China Geodetic Coordinate System 2000",
        }
    }

    /// The PROJJSON definition (as PROJ 9 writes it for the EPSG code, without `$schema`).
    pub fn projjson(self) -> &'static str {
        match self {
            GeoCrs::Wgs84 => projjson::EPSG_4326,
            GeoCrs::Cgcs2000 => projjson::EPSG_4490,
        }
    }
}

/// The rows of a layer, pulled by the writers by index (`0..len()`).
///
/// `position` is called for every row first (to sort the rows along a Hilbert curve), then
/// `row` once per row, in file order, one row group at a time. Both must give the same
/// answer every time they are asked about a row.
pub trait Rows: Sync {
    /// The number of rows.
    fn len(&self) -> usize;

    /// Whether there is no row.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The longitude and latitude the row is sorted by: its point, or the centre of its
    /// bounding box.
    fn position(&self, i: usize) -> (f64, f64);

    /// Pushes row `i`'s values onto `values` (one per schema column, in order; `values` is
    /// empty when called) and returns its geometry.
    fn row<'a>(&'a self, i: usize, values: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError>;

    /// Reads a few bytes of row `i`'s data and returns anything made of them. The writers
    /// call it for a block of rows before building them: rows taken in Hilbert order lie all
    /// over memory, and a tight loop of independent reads brings them into the cache many at
    /// a time, where [`Rows::row`] would wait for each in turn. The default touches nothing.
    fn touch(&self, i: usize) -> u64 {
        let _ = i;
        0
    }
}

/// What a writer wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Rows written.
    pub rows: u64,
    /// Row groups (GeoParquet; 0 for FlatGeobuf).
    pub row_groups: usize,
    /// `[xmin, ymin, xmax, ymax]` of every geometry (`None`: no row).
    pub bbox: Option<[f64; 4]>,
    /// Bytes of the file.
    pub bytes: u64,
}

/// Why a columnar file could not be written or read. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    /// The schema cannot be written (a name used twice, a reserved name).
    #[error("columnar schema: {0}")]
    Schema(String),
    /// The file could not be created, written or read.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        cause: std::io::Error,
    },
    /// A row that cannot be written: values that do not fit the schema, a coordinate that
    /// is not finite, a geometry of another type than the layer's.
    #[error("{path}: row {row}: {msg}")]
    Row {
        /// The file.
        path: String,
        /// The row (0-based index into the [`Rows`]).
        row: usize,
        /// What is wrong.
        msg: String,
    },
    /// The Parquet or Arrow library refused the data, or the file is not a Parquet file sisetu
    /// reads.
    #[error("{path}: {msg}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong, and how to fix it where the reader can tell.
        msg: String,
    },
}

impl From<ColumnarError> for crate::Error {
    fn from(e: ColumnarError) -> Self {
        match e {
            ColumnarError::Io { path, cause } => crate::Error::Read { path, cause },
            ColumnarError::Format { path, msg } | ColumnarError::Row { path, msg, .. } => {
                crate::Error::Format { path, msg }
            }
            ColumnarError::Schema(msg) => crate::Error::Format { path: String::new(), msg },
        }
    }
}

/// The values of row `i` checked against `schema` (their number and types).
fn check_values(schema: &Schema, values: &[Value<'_>], path: &str, row: usize) -> Result<(), ColumnarError> {
    if values.len() != schema.columns.len() {
        return Err(ColumnarError::Row {
            path: path.to_string(),
            row,
            msg: format!("{} values for {} columns", values.len(), schema.columns.len()),
        });
    }
    for (v, c) in values.iter().zip(&schema.columns) {
        if !v.fits(c.kind) {
            return Err(ColumnarError::Row {
                path: path.to_string(),
                row,
                msg: format!("the value {v:?} does not fit column '{}' ({:?})", c.name, c.kind),
            });
        }
    }
    Ok(())
}

/// The bounding box of `g` for row `row` of a layer of `kind`, or the error.
fn checked_bbox(g: &Geometry, kind: GeometryKind, path: &str, row: usize) -> Result<[f64; 4], ColumnarError> {
    if g.kind() != kind {
        return Err(ColumnarError::Row {
            path: path.to_string(),
            row,
            msg: format!("a {} in a layer of {}s", g.kind().name(), kind.name()),
        });
    }
    g.bbox().ok_or_else(|| ColumnarError::Row {
        path: path.to_string(),
        row,
        msg: "a coordinate is not finite, or the polygon's ring is not closed (at least 4 vertices, last = first)"
            .to_string(),
    })
}

/// `a` grown to hold `b`.
fn union(a: Option<[f64; 4]>, b: [f64; 4]) -> [f64; 4] {
    match a {
        None => b,
        Some(a) => [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])],
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
