//! FlatGeobuf files (<https://flatgeobuf.org>) with their packed Hilbert R-tree index,
//! through the `flatgeobuf` crate.
//!
//! The header declares the layer's geometry type (`Point` or `Polygon`), the CRS as its
//! EPSG code (organisation `EPSG`, code 4326 or 4490, with its name), and one column per
//! schema column (`String`, `Long`, `Bool`, `Double`, all nullable); a null value is
//! written as an absent property. The features are sorted along a Hilbert curve of their
//! bounding boxes by the crate (a stable sort: equal keys keep their input order) and
//! indexed by a packed R-tree of node size 16, which `ogrinfo` reports as a spatial index
//! and which readers use to fetch a bounding box without reading the file.
//!
//! The crate writes the features to a temporary file first (in the system's temporary
//! folder) and keeps 40 bytes a feature for the index in memory; no time stamp is written,
//! so the same rows give the same bytes.
//!
//! # Example
//!
//! ```
//! use sisetu_io::columnar::flatgeobuf::{write_flatgeobuf, FlatGeobufOptions};
//! use sisetu_io::columnar::{ColumnType, ColumnarError, Geometry, Rows, Schema, Value};
//!
//! struct Cells(Vec<(i64, f64, f64)>);
//! impl Rows for Cells {
//!     fn len(&self) -> usize { self.0.len() }
//!     fn position(&self, i: usize) -> (f64, f64) { (self.0[i].1 + 0.005, self.0[i].2 + 0.005) }
//!     fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
//!         let (n, x, y) = self.0[i];
//!         v.push(Value::Int(n));
//!         Ok(Geometry::Polygon(vec![(x, y), (x + 0.01, y), (x + 0.01, y + 0.01), (x, y + 0.01), (x, y)]))
//!     }
//! }
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("cells.fgb");
//! let schema = Schema::new().with("total", ColumnType::Int64);
//! let options = FlatGeobufOptions { name: "cells".into(), ..FlatGeobufOptions::polygons() };
//! let written = write_flatgeobuf(&path, &schema, &Cells(vec![(3, 87.6, 43.8)]), &options).unwrap();
//! assert_eq!(written.rows, 1);
//! ```

use super::{check_values, checked_bbox, union, ColumnType, ColumnarError, GeoCrs, Geometry, GeometryKind};
use super::{Rows, Schema, Value, Written};
use ::flatgeobuf::geozero::error::{GeozeroError, Result as GeozeroResult};
use ::flatgeobuf::geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};
use ::flatgeobuf::{ColumnType as FgbColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use std::io::{BufWriter, Write};
use std::path::Path;

/// How to write a FlatGeobuf file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatGeobufOptions {
    /// The layer name in the header (e.g. `sites`).
    pub name: String,
    /// The CRS of the coordinates (default EPSG:4326).
    pub crs: GeoCrs,
    /// The geometry type of every row.
    pub geometry: GeometryKind,
}

impl FlatGeobufOptions {
    /// A layer of points in EPSG:4326, unnamed.
    pub fn points() -> Self {
        FlatGeobufOptions { name: String::new(), crs: GeoCrs::Wgs84, geometry: GeometryKind::Point }
    }

    /// A layer of polygons in EPSG:4326, unnamed.
    pub fn polygons() -> Self {
        FlatGeobufOptions { geometry: GeometryKind::Polygon, ..Self::points() }
    }
}

/// A [`Geometry`] as geozero's geometry source.
struct Geom<'a>(&'a Geometry);

impl GeozeroGeometry for Geom<'_> {
    fn process_geom<P: GeomProcessor>(&self, p: &mut P) -> GeozeroResult<()> {
        match self.0 {
            Geometry::Point { lon, lat } => {
                p.point_begin(0)?;
                p.xy(*lon, *lat, 0)?;
                p.point_end(0)
            }
            Geometry::Polygon(ring) => {
                p.polygon_begin(true, 1, 0)?;
                p.linestring_begin(false, ring.len(), 0)?;
                for (k, (x, y)) in ring.iter().enumerate() {
                    p.xy(*x, *y, k)?;
                }
                p.linestring_end(false, 0)?;
                p.polygon_end(true, 0)
            }
        }
    }
}

/// Writes the rows of `rows` with the columns of `schema` as a FlatGeobuf file with a
/// spatial index at `path` (created or replaced); see the [module documentation](self).
///
/// Errors (never a panic): a schema that cannot be written, a row whose values do not fit
/// the schema or whose geometry is not finite or of another type than
/// [`FlatGeobufOptions::geometry`] (naming the row), and I/O or encoding failures (naming
/// the file).
pub fn write_flatgeobuf(
    path: &Path,
    schema: &Schema,
    rows: &dyn Rows,
    options: &FlatGeobufOptions,
) -> Result<Written, ColumnarError> {
    let shown = path.display().to_string();
    schema.check()?;
    let fgb_err = |e: ::flatgeobuf::Error| ColumnarError::Format { path: shown.clone(), msg: e.to_string() };
    let geometry_type = match options.geometry {
        GeometryKind::Point => GeometryType::Point,
        GeometryKind::Polygon => GeometryType::Polygon,
    };
    let fgb_options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: false,
        crs: FgbCrs {
            org: Some("EPSG"),
            code: options.crs.epsg(),
            name: Some(options.crs.name()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options(&options.name, geometry_type, fgb_options).map_err(fgb_err)?;
    for c in &schema.columns {
        let t = match c.kind {
            ColumnType::Utf8 => FgbColumnType::String,
            ColumnType::Int64 => FgbColumnType::Long,
            ColumnType::Bool => FgbColumnType::Bool,
            ColumnType::Float64 => FgbColumnType::Double,
        };
        fgb.add_column(&c.name, t, |_, col| col.nullable = true);
    }
    let mut values: Vec<Value<'_>> = Vec::with_capacity(schema.columns.len());
    let mut bbox = None;
    for i in 0..rows.len() {
        values.clear();
        let g = rows.row(i, &mut values)?;
        check_values(schema, &values, &shown, i)?;
        bbox = Some(union(bbox, checked_bbox(&g, options.geometry, &shown, i)?));
        let mut failed: Option<GeozeroError> = None;
        fgb.add_feature_geom(Geom(&g), |feature| {
            for (k, (v, c)) in values.iter().zip(&schema.columns).enumerate() {
                let cv = match v {
                    Value::Null => continue,
                    Value::Str(s) => ColumnValue::String(s),
                    Value::Int(n) => ColumnValue::Long(*n),
                    Value::Bool(b) => ColumnValue::Bool(*b),
                    Value::Float(f) => ColumnValue::Double(*f),
                };
                if let Err(e) = feature.property(k, &c.name, &cv) {
                    failed.get_or_insert(e);
                }
            }
        })
        .map_err(|e| ColumnarError::Row { path: shown.clone(), row: i, msg: e.to_string() })?;
        if let Some(e) = failed {
            return Err(ColumnarError::Row { path: shown.clone(), row: i, msg: e.to_string() });
        }
    }
    let io = |cause| ColumnarError::Io { path: shown.clone(), cause };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    fgb.write(&mut out).map_err(fgb_err)?;
    out.flush().map_err(io)?;
    let bytes = out.get_ref().metadata().map_err(io)?.len();
    Ok(Written { rows: rows.len() as u64, row_groups: 0, bbox, bytes })
}

#[cfg(test)]
#[path = "flatgeobuf_tests.rs"]
mod tests;
