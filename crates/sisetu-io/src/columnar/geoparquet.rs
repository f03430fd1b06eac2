//! GeoParquet 1.1 files (<https://geoparquet.org/releases/v1.1.0/>) through the arrow-rs
//! `parquet` crate.
//!
//! # Layout
//!
//! * the schema's property columns, in order: `Utf8` (nullable strings), `Int64`,
//!   `Boolean`, `Float64`;
//! * `geometry`: the geometry as ISO WKB (`Binary`, little-endian 2D), declared in the `geo`
//!   file metadata with encoding `WKB`;
//! * `bbox`: a struct of `xmin`, `ymin`, `xmax`, `ymax` (`Float64`), the geometry's
//!   bounding box, declared as the geometry's `covering` — with the row-group statistics
//!   Parquet keeps for every column, a reader skips the row groups outside a query box.
//!
//! The `geo` metadata holds `version` `1.1.0`, `primary_column` `geometry`, and for the
//! geometry column `encoding`, `geometry_types` (`["Point"]` or `["Polygon"]`; `[]` for an
//! empty file), `crs` (the PROJJSON of EPSG:4326 or EPSG:4490, whose `id` names the EPSG
//! code: `geopandas` reads it as `crs.to_epsg()` 4326 / 4490), `bbox` (of every row; left
//! out for an empty file) and `covering`.
//!
//! Rows are sorted along a Hilbert curve over their positions ([`super::hilbert_order_in`]),
//! in blocks of [`GeoParquetOptions::sort_block`] rows (1,048,576 by default: a census of
//! more rows is sorted block by block, in input order, as [`GeoParquetWriter`] streams it),
//! and written in row groups of [`GeoParquetOptions::row_group_rows`] rows (default 65,536),
//! Snappy-compressed. `created_by` is the fixed text [`CREATED_BY`]; no time stamp is
//! written: the same rows give the same bytes, whatever the number of threads.
//!
//! # Performance
//!
//! 1,000,000 synthetic sites with the 11 properties of `sites.parquet` (unique 18-character
//! ids and Chinese names), release build, 2 shared cores, measured by
//! `cargo test --release -p sisetu-io -- --ignored million --nocapture`: 72 MB (**72 bytes a
//! site**) in 16 row groups, written in **1.2 s**. (FlatGeobuf, same rows: 276 bytes a site,
//! 5.4 s; `sites.geojson` is about 330 bytes a site.) Memory: the 16-byte sort index per
//! row, plus the row group being built and the one being encoded (65,536 rows each).
//!
//! # Example
//!
//! ```
//! use sisetu_io::columnar::geoparquet::{write_geoparquet, GeoParquetOptions};
//! use sisetu_io::columnar::{ColumnType, ColumnarError, Geometry, Rows, Schema, Value};
//! use std::borrow::Cow;
//!
//! struct Sites(Vec<(&'static str, f64, f64)>);
//! impl Rows for Sites {
//!     fn len(&self) -> usize { self.0.len() }
//!     fn position(&self, i: usize) -> (f64, f64) { (self.0[i].1, self.0[i].2) }
//!     fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
//!         v.push(Value::Str(Cow::Borrowed(self.0[i].0)));
//!         Ok(Geometry::Point { lon: self.0[i].1, lat: self.0[i].2 })
//!     }
//! }
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("sites.parquet");
//! let schema = Schema::new().with("name", ColumnType::Utf8);
//! let sites = Sites(vec![("a", 87.6, 43.8), ("b", 87.5, 43.9)]);
//! let written = write_geoparquet(&path, &schema, &sites, &GeoParquetOptions::default()).unwrap();
//! assert_eq!((written.rows, written.row_groups), (2, 1));
//! ```

use super::{
    check_values, checked_bbox, hilbert_order_in, union, wkb, ColumnType, ColumnarError, GeoCrs, GeometryKind,
};
use super::{Rows, Schema, Value, Written};
use arrow_array::builder::{BinaryBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema as ArrowSchema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

/// The `created_by` of every file sisetu writes (no version: the bytes do not change with
/// the release that wrote them).
pub const CREATED_BY: &str = "sisetu";

/// The GeoParquet version written.
pub const VERSION: &str = "1.1.0";

/// How to write a GeoParquet file.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoParquetOptions {
    /// Rows per row group (default 65,536; at least 1).
    pub row_group_rows: usize,
    /// The CRS of the coordinates (default EPSG:4326).
    pub crs: GeoCrs,
    /// The geometry type of every row (default points).
    pub geometry: GeometryKind,
    /// The extent the Hilbert keys are computed over (`None`: that of each block's rows).
    /// A streamed layer names it (its blocks' keys are then comparable, and the file does
    /// not depend on where the blocks fall).
    pub extent: Option<[f64; 4]>,
    /// Rows sorted together (default [`SORT_BLOCK`]): larger inputs are sorted in blocks of
    /// this many rows, in input order.
    pub sort_block: usize,
}

/// Rows sorted together by default: 1,048,576 (16 row groups of 65,536).
pub const SORT_BLOCK: usize = 1 << 20;

impl Default for GeoParquetOptions {
    fn default() -> Self {
        GeoParquetOptions {
            row_group_rows: 65_536,
            crs: GeoCrs::Wgs84,
            geometry: GeometryKind::Point,
            extent: None,
            sort_block: SORT_BLOCK,
        }
    }
}

/// The Arrow schema of the file: the property columns, `geometry`, `bbox`.
fn arrow_schema(schema: &Schema) -> ArrowSchema {
    let mut fields: Vec<Field> = schema
        .columns
        .iter()
        .map(|c| {
            let t = match c.kind {
                ColumnType::Utf8 => DataType::Utf8,
                ColumnType::Int64 => DataType::Int64,
                ColumnType::Bool => DataType::Boolean,
                ColumnType::Float64 => DataType::Float64,
            };
            Field::new(&c.name, t, true)
        })
        .collect();
    fields.push(Field::new("geometry", DataType::Binary, false));
    fields.push(Field::new("bbox", DataType::Struct(bbox_fields()), false));
    ArrowSchema::new(fields)
}

fn bbox_fields() -> Fields {
    ["xmin", "ymin", "xmax", "ymax"].into_iter().map(|n| Field::new(n, DataType::Float64, false)).collect()
}

/// The `geo` metadata (a JSON object as text) of a file of `kind` rows in `crs` whose
/// rows span `bbox` (`None`: no row).
pub fn geo_metadata(kind: GeometryKind, crs: GeoCrs, bbox: Option<[f64; 4]>) -> Result<String, serde_json::Error> {
    use serde_json::{json, Map, Value as Json};
    let projjson: Json = serde_json::from_str(crs.projjson())?;
    let mut column = Map::new();
    column.insert("encoding".into(), json!("WKB"));
    column.insert("geometry_types".into(), if bbox.is_some() { json!([kind.name()]) } else { json!([]) });
    column.insert("crs".into(), projjson);
    if let Some(b) = bbox {
        column.insert("bbox".into(), json!(b));
    }
    column.insert(
        "covering".into(),
        json!({"bbox": {"xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"], "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"]}}),
    );
    let geo = json!({"version": VERSION, "primary_column": "geometry", "columns": {"geometry": Json::Object(column)}});
    serde_json::to_string(&geo)
}

/// One row group, built from the rows `order` names.
/// Rows touched ahead of building them ([`Rows::touch`]).
const TOUCH_BLOCK: usize = 512;

struct Batch {
    batch: RecordBatch,
    bbox: Option<[f64; 4]>,
}

fn build_batch(
    schema: &Schema,
    arrow: &Arc<ArrowSchema>,
    rows: &dyn Rows,
    order: &[u64],
    kind: GeometryKind,
    path: &str,
) -> Result<Batch, ColumnarError> {
    enum Builder {
        Utf8(StringBuilder),
        Int64(Int64Builder),
        Bool(BooleanBuilder),
        Float64(Float64Builder),
    }
    let n = order.len();
    let mut builders: Vec<Builder> = schema
        .columns
        .iter()
        .map(|c| match c.kind {
            ColumnType::Utf8 => Builder::Utf8(StringBuilder::with_capacity(n, n * 16)),
            ColumnType::Int64 => Builder::Int64(Int64Builder::with_capacity(n)),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(n)),
            ColumnType::Float64 => Builder::Float64(Float64Builder::with_capacity(n)),
        })
        .collect();
    let per_row = match kind {
        GeometryKind::Point => 21,
        GeometryKind::Polygon => 93,
    };
    let mut geometry = BinaryBuilder::with_capacity(n, n * per_row);
    let mut bounds: [Float64Builder; 4] = std::array::from_fn(|_| Float64Builder::with_capacity(n));
    let mut values: Vec<Value<'_>> = Vec::with_capacity(schema.columns.len());
    let mut wkb_buf: Vec<u8> = Vec::with_capacity(per_row);
    let mut bbox = None;
    for (k, &i) in order.iter().enumerate() {
        if k % TOUCH_BLOCK == 0 {
            let block = &order[k..order.len().min(k + TOUCH_BLOCK)];
            std::hint::black_box(block.iter().fold(0u64, |a, &j| a.wrapping_add(rows.touch(j as usize))));
        }
        let i = i as usize;
        values.clear();
        let g = rows.row(i, &mut values)?;
        check_values(schema, &values, path, i)?;
        let b = checked_bbox(&g, kind, path, i)?;
        bbox = Some(union(bbox, b));
        for (builder, v) in builders.iter_mut().zip(values.drain(..)) {
            match (builder, v) {
                (Builder::Utf8(s), Value::Str(t)) => s.append_value(t),
                (Builder::Utf8(s), _) => s.append_null(),
                (Builder::Int64(s), Value::Int(t)) => s.append_value(t),
                (Builder::Int64(s), _) => s.append_null(),
                (Builder::Bool(s), Value::Bool(t)) => s.append_value(t),
                (Builder::Bool(s), _) => s.append_null(),
                (Builder::Float64(s), Value::Float(t)) => s.append_value(t),
                (Builder::Float64(s), _) => s.append_null(),
            }
        }
        wkb_buf.clear();
        wkb::push(&mut wkb_buf, &g);
        geometry.append_value(&wkb_buf);
        for (k, builder) in bounds.iter_mut().enumerate() {
            builder.append_value(b[k]);
        }
    }
    let mut columns: Vec<ArrayRef> = builders
        .into_iter()
        .map(|b| -> ArrayRef {
            match b {
                Builder::Utf8(mut s) => Arc::new(s.finish()),
                Builder::Int64(mut s) => Arc::new(s.finish()),
                Builder::Bool(mut s) => Arc::new(s.finish()),
                Builder::Float64(mut s) => Arc::new(s.finish()),
            }
        })
        .collect();
    columns.push(Arc::new(geometry.finish()));
    let bound_arrays: Vec<ArrayRef> = bounds.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
    let format = |e: arrow_schema::ArrowError| ColumnarError::Format { path: path.to_string(), msg: e.to_string() };
    columns.push(Arc::new(StructArray::try_new(bbox_fields(), bound_arrays, None).map_err(format)?));
    let batch = RecordBatch::try_new(arrow.clone(), columns).map_err(format)?;
    Ok(Batch { batch, bbox })
}

/// Writes the rows of `rows` with the columns of `schema` as a GeoParquet 1.1 file at
/// `path` (created or replaced); see the [module documentation](self) for the layout. The
/// rows are taken in blocks of [`GeoParquetOptions::sort_block`], each sorted on its own
/// ([`GeoParquetWriter::write`]): the file is the one a [`GeoParquetWriter`] given the
/// same rows in any split into blocks of that size writes.
///
/// Errors (never a panic): a schema that cannot be written ([`Schema::check`]), a row whose
/// values do not fit the schema or whose geometry is not finite or not of
/// [`GeoParquetOptions::geometry`]'s type (naming the row), and I/O or encoding failures
/// (naming the file). On error the file may be left incomplete: write into a staging
/// folder.
pub fn write_geoparquet(
    path: &Path,
    schema: &Schema,
    rows: &dyn Rows,
    options: &GeoParquetOptions,
) -> Result<Written, ColumnarError> {
    let mut writer = GeoParquetWriter::create(path, schema, options)?;
    let block = options.sort_block.max(1);
    let mut from = 0;
    while from < rows.len() {
        let to = rows.len().min(from + block);
        writer.write_range(rows, from..to)?;
        from = to;
    }
    writer.finish()
}

/// A GeoParquet file written a block of rows at a time, for layers that never are in
/// memory whole: each block given to [`GeoParquetWriter::write`] is sorted along the Hilbert
/// curve on its own (over [`GeoParquetOptions::extent`], so that the keys of every block are
/// comparable) and written as row groups of [`GeoParquetOptions::row_group_rows`]; a block
/// of more rows than [`GeoParquetOptions::sort_block`] is an error (it would break the
/// promise that a file is the same however its rows arrive). Memory: the block's sort index
/// and the row groups being built and encoded.
pub struct GeoParquetWriter {
    shown: String,
    schema: Schema,
    arrow: Arc<ArrowSchema>,
    options: GeoParquetOptions,
    writer: ArrowWriter<BufWriter<std::fs::File>>,
    bbox: Option<[f64; 4]>,
    rows: u64,
    row_groups: usize,
}

impl GeoParquetWriter {
    /// Creates (or replaces) the file at `path` for rows of `schema`.
    pub fn create(path: &Path, schema: &Schema, options: &GeoParquetOptions) -> Result<Self, ColumnarError> {
        let shown = path.display().to_string();
        schema.check()?;
        let arrow = Arc::new(arrow_schema(schema));
        let group = options.row_group_rows.max(1);
        // The distinct columns (ids, names, lines) and the WKB geometry: stored plainly (no
        // dictionary: their values do not repeat) and without min/max statistics (they select
        // nothing: a reader selects rows by the bounding box's statistics, and they cost a
        // comparison of every value). The bounding box is stored plainly too.
        let distinct: Vec<ColumnPath> = schema
            .columns
            .iter()
            .filter(|c| c.distinct)
            .map(|c| ColumnPath::from(c.name.as_str()))
            .chain(std::iter::once(ColumnPath::from("geometry")))
            .collect();
        let bbox = ["xmin", "ymin", "xmax", "ymax"].map(|k| ColumnPath::new(vec!["bbox".to_string(), k.to_string()]));
        let builder = distinct.iter().fold(WriterProperties::builder(), |b, c| {
            b.set_column_statistics_enabled(c.clone(), EnabledStatistics::None)
        });
        let props = distinct
            .into_iter()
            .chain(bbox)
            .fold(builder, |b, c| b.set_column_dictionary_enabled(c, false))
            .set_compression(Compression::SNAPPY)
            .set_created_by(CREATED_BY.to_string())
            .set_max_row_group_row_count(Some(group))
            .build();
        let file = std::fs::File::create(path).map_err(|cause| ColumnarError::Io { path: shown.clone(), cause })?;
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, file), arrow.clone(), Some(props))
            .map_err(|e| ColumnarError::Format { path: shown.clone(), msg: e.to_string() })?;
        Ok(GeoParquetWriter {
            shown,
            schema: schema.clone(),
            arrow,
            options: options.clone(),
            writer,
            bbox: None,
            rows: 0,
            row_groups: 0,
        })
    }

    /// Sorts every row of `rows` and writes them (one block: at most
    /// [`GeoParquetOptions::sort_block`] rows).
    pub fn write(&mut self, rows: &dyn Rows) -> Result<(), ColumnarError> {
        self.write_range(rows, 0..rows.len())
    }

    /// Sorts the rows `range` of `rows` (one block) and writes them.
    fn write_range(&mut self, rows: &dyn Rows, range: std::ops::Range<usize>) -> Result<(), ColumnarError> {
        if range.len() > self.options.sort_block.max(1) {
            return Err(ColumnarError::Format {
                path: self.shown.clone(),
                msg: format!(
                    "a block of {} rows, more than the {} sorted at a time",
                    range.len(),
                    self.options.sort_block
                ),
            });
        }
        let order = hilbert_order_in(rows, range, self.options.extent, &self.shown)?;
        let group = self.options.row_group_rows.max(1);
        let (schema, arrow, kind, shown) = (&self.schema, &self.arrow, self.options.geometry, self.shown.as_str());
        let build = |chunk: &[u64]| build_batch(schema, arrow, rows, chunk, kind, shown);
        // Row groups are built a window at a time, one per thread, while the previous window
        // is encoded and written (in order): at most two windows are in memory.
        let window = rayon::current_num_threads().max(1);
        let build_window = |chunks: &[&[u64]]| -> Result<Vec<Batch>, ColumnarError> {
            use rayon::prelude::*;
            chunks.par_iter().map(|c| build(c)).collect()
        };
        let chunks: Vec<&[u64]> = order.chunks(group).collect();
        let mut windows = chunks.chunks(window);
        let writer = &mut self.writer;
        let mut pending = windows.next().map(build_window).transpose()?;
        while let Some(current) = pending.take() {
            let next = windows.next();
            let (wrote, built) = rayon::join(
                || -> Result<(), parquet::errors::ParquetError> {
                    for b in &current {
                        writer.write(&b.batch)?;
                        writer.flush()?;
                    }
                    Ok(())
                },
                || next.map(build_window).transpose(),
            );
            wrote.map_err(|e| ColumnarError::Format { path: shown.to_string(), msg: e.to_string() })?;
            for b in &current {
                self.row_groups += 1;
                if let Some(b) = b.bbox {
                    self.bbox = Some(union(self.bbox, b));
                }
            }
            pending = built?;
        }
        self.rows += order.len() as u64;
        Ok(())
    }

    /// Writes the `geo` metadata and the footer; returns what was written.
    pub fn finish(mut self) -> Result<Written, ColumnarError> {
        let shown = self.shown;
        let geo = geo_metadata(self.options.geometry, self.options.crs, self.bbox)
            .map_err(|e| ColumnarError::Format { path: shown.clone(), msg: format!("the geo metadata: {e}") })?;
        self.writer.append_key_value_metadata(KeyValue::new("geo".to_string(), geo));
        let io = |cause| ColumnarError::Io { path: shown.clone(), cause };
        let mut out =
            self.writer.into_inner().map_err(|e| ColumnarError::Format { path: shown.clone(), msg: e.to_string() })?;
        out.flush().map_err(io)?;
        let bytes = out.get_ref().metadata().map_err(io)?.len();
        Ok(Written { rows: self.rows, row_groups: self.row_groups, bbox: self.bbox, bytes })
    }
}

#[cfg(test)]
#[path = "geoparquet_tests.rs"]
mod tests;
