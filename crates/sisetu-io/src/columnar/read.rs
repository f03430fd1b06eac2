//! Parquet tables read back as text cells, record batch by record batch: the census reader
//! of `.parquet` / `.geoparquet` site layers and the reader of a round's `sites.parquet`.
//!
//! [`ParquetTable::open`] reads the file once (its SHA-256 is of the bytes parsed), reads
//! its schema and finds its geometry column: the `primary_column` of the GeoParquet `geo`
//! metadata (encoding `WKB`), else a binary column named `geometry`. The property columns
//! are the columns of a type that reads as text — strings (also large, view and dictionary
//! encoded), integers, floats and booleans; other columns (the `bbox` covering struct,
//! lists, other binary columns) are not read. [`ParquetTable::for_each_row`] then decodes
//! 8,192 rows at a time: memory holds the file's bytes and one batch of decoded rows.
//!
//! Compression: Snappy and uncompressed pages are read; a file compressed with another
//! codec (ZSTD, GZIP, Brotli, LZ4) is an error that says to write it with Snappy (for
//! example `df.to_parquet(path, compression="snappy")`).

use super::wkb::{self, WkbGeometry};
use super::ColumnarError;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::path::Path;

/// Rows decoded at a time.
pub const BATCH_ROWS: usize = 8192;

/// An open Parquet table: its columns, before any row is decoded.
pub struct ParquetTable {
    display: String,
    builder: ParquetRecordBatchReaderBuilder<Bytes>,
    /// The property columns' names, in file order.
    columns: Vec<String>,
    /// Their indices among the file's top-level columns.
    column_indices: Vec<usize>,
    /// The geometry column's index among the top-level columns.
    geometry: Option<usize>,
    /// The EPSG code of the GeoParquet `crs` (its PROJJSON `id`), when it has one.
    epsg: Option<i64>,
    /// The GeoParquet `geo` metadata as written.
    geo: Option<String>,
    /// SHA-256 of the file's bytes (hex).
    sha256: String,
}

/// Whether a column of type `t` is read as text.
fn textual(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => true,
        DataType::Dictionary(_, v) => textual(v),
        t => t.is_integer() || matches!(t, DataType::Float32 | DataType::Float64),
    }
}

/// Whether a column of type `t` can hold WKB.
fn binary(t: &DataType) -> bool {
    matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

impl ParquetTable {
    /// Reads the file `path` (named `display` in errors) and its schema.
    pub fn open(path: &Path, display: &str) -> Result<ParquetTable, ColumnarError> {
        let raw = std::fs::read(path).map_err(|cause| ColumnarError::Io { path: display.to_string(), cause })?;
        let sha256 = crate::hash::sha256_hex(&raw);
        let format = |msg: String| ColumnarError::Format { path: display.to_string(), msg };
        let builder = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(raw))
            .map_err(|e| format(format!("not a Parquet file sisetu can read ({e}); export the table as Parquet")))?;
        let geo = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == "geo").and_then(|k| k.value.as_deref()).map(str::to_string));
        let fields = builder.schema().fields().clone();
        let (geometry_name, epsg) = match &geo {
            Some(text) => {
                let v: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| format(format!("its GeoParquet 'geo' metadata is not JSON ({e})")))?;
                let primary = v["primary_column"].as_str().unwrap_or("geometry").to_string();
                let column = &v["columns"][&primary];
                let encoding = column["encoding"].as_str().unwrap_or("");
                if !encoding.eq_ignore_ascii_case("wkb") {
                    return Err(format(format!(
                        "the geometry column '{primary}' has encoding '{encoding}'; sisetu reads WKB geometries: \
                         write the file with WKB (e.g. geopandas `to_parquet(..., geometry_encoding=\"WKB\")`) or \
                         give longitude/latitude columns"
                    )));
                }
                (Some(primary), column["crs"]["id"]["code"].as_i64())
            }
            None => (Some("geometry".to_string()), None),
        };
        let geometry = geometry_name.and_then(|g| fields.iter().position(|f| f.name() == &g && binary(f.data_type())));
        let mut columns = Vec::new();
        let mut column_indices = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if Some(i) != geometry && textual(f.data_type()) {
                columns.push(f.name().clone());
                column_indices.push(i);
            }
        }
        Ok(ParquetTable { display: display.to_string(), builder, columns, column_indices, geometry, epsg, geo, sha256 })
    }

    /// The property columns, in file order (the geometry column is not one).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Whether the table has a WKB geometry column.
    pub fn has_geometry(&self) -> bool {
        self.geometry.is_some()
    }

    /// The EPSG code of the GeoParquet `crs`, when the file declares one with an `id`.
    pub fn epsg(&self) -> Option<i64> {
        self.epsg
    }

    /// The GeoParquet `geo` file metadata (JSON text), when the file has it.
    pub fn geo(&self) -> Option<&str> {
        self.geo.as_deref()
    }

    /// The rows of the file, from its metadata.
    pub fn rows(&self) -> u64 {
        u64::try_from(self.builder.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// SHA-256 of the file's bytes (hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Calls `f` for every row in file order with its number (1 for the first row), its
    /// cells (one per [`ParquetTable::columns`]; `None` for null) and its geometry (`None`
    /// without a geometry column or for a null geometry).
    pub fn for_each_row(
        self,
        mut f: impl FnMut(u64, &[Option<String>], Option<WkbGeometry>),
    ) -> Result<(), ColumnarError> {
        let display = self.display;
        let format = |msg: String| ColumnarError::Format { path: display.clone(), msg };
        let mut roots: Vec<usize> = self.column_indices.clone();
        roots.extend(self.geometry);
        roots.sort_unstable();
        let mask = ProjectionMask::roots(self.builder.parquet_schema(), roots.iter().copied());
        let reader = self
            .builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| format(read_hint(&e.to_string())))?;
        // Positions of the projected columns in each batch.
        let at = |i: usize| roots.iter().position(|&r| r == i).unwrap_or(0);
        let cells_at: Vec<usize> = self.column_indices.iter().map(|&i| at(i)).collect();
        let geometry_at = self.geometry.map(at);
        let mut row = 0u64;
        let mut cells: Vec<Option<String>> = Vec::with_capacity(cells_at.len());
        for batch in reader {
            let batch = batch.map_err(|e| format(read_hint(&e.to_string())))?;
            let columns: Vec<Cells<'_>> = cells_at.iter().map(|&k| Cells::of(batch.column(k))).collect();
            let geometry = geometry_at.map(|k| batch.column(k));
            for r in 0..batch.num_rows() {
                row += 1;
                cells.clear();
                cells.extend(columns.iter().map(|c| c.text(r)));
                let g = geometry.and_then(|a| wkb_at(a.as_ref(), r)).map(wkb::read);
                f(row, &cells, g);
            }
        }
        Ok(())
    }
}

/// The message of a read failure, with the fix for a codec sisetu is built without.
fn read_hint(e: &str) -> String {
    if e.contains("ompression") || e.contains("codec") || e.contains("Disabled feature") {
        format!(
            "cannot decode the file ({e}); sisetu reads Parquet pages compressed with Snappy or not at all: \
             write the file with Snappy (e.g. `df.to_parquet(path, compression=\"snappy\")`, \
             `COPY … TO 'f.parquet' (COMPRESSION snappy)` in DuckDB)"
        )
    } else {
        format!("cannot decode the file ({e}); export the table as Parquet again")
    }
}

/// The bytes of row `r` of a binary column (`None`: null).
fn wkb_at(a: &dyn Array, r: usize) -> Option<&[u8]> {
    if a.is_null(r) {
        return None;
    }
    match a.data_type() {
        DataType::Binary => Some(a.as_binary::<i32>().value(r)),
        DataType::LargeBinary => Some(a.as_binary::<i64>().value(r)),
        DataType::BinaryView => Some(a.as_binary_view().value(r)),
        _ => None,
    }
}

/// A textual column of one batch; a dictionary's keys are decoded once per batch.
enum Cells<'a> {
    Plain(&'a dyn Array),
    Dictionary { all: &'a dyn Array, values: &'a dyn Array, keys: Vec<usize> },
}

impl<'a> Cells<'a> {
    fn of(a: &'a ArrayRef) -> Cells<'a> {
        match a.as_any_dictionary_opt() {
            Some(d) => Cells::Dictionary { all: a.as_ref(), values: d.values().as_ref(), keys: d.normalized_keys() },
            None => Cells::Plain(a.as_ref()),
        }
    }

    /// Row `r` as text (`None`: null).
    fn text(&self, r: usize) -> Option<String> {
        match self {
            Cells::Plain(a) => text(*a, r),
            Cells::Dictionary { all, values, keys } => {
                if all.is_null(r) {
                    return None;
                }
                text(*values, *keys.get(r)?)
            }
        }
    }
}

/// Row `r` of a textual (not dictionary) column as text (`None`: null).
fn text(a: &dyn Array, r: usize) -> Option<String> {
    if a.is_null(r) {
        return None;
    }
    macro_rules! prim {
        ($t:ty) => {
            a.as_primitive_opt::<$t>().map(|p| p.value(r).to_string())
        };
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(r).to_string()),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(r).to_string()),
        DataType::Utf8View => Some(a.as_string_view().value(r).to_string()),
        DataType::Boolean => Some(a.as_boolean().value(r).to_string()),
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        _ => None,
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
