#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just written")]

use super::*;
use arrow_array::{BinaryArray, DictionaryArray, Float32Array, Int32Array, LargeStringArray, RecordBatch, StructArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

fn point(x: f64, y: f64) -> Vec<u8> {
    let mut b = Vec::new();
    wkb::push(&mut b, &super::super::Geometry::Point { lon: x, lat: y });
    b
}

/// A plain Parquet file (no `geo` metadata) as pandas or DuckDB write one: a dictionary
/// column, a large string, 32-bit numbers, a struct, and a binary column named geometry.
fn write_plain(path: &Path, compression: Compression, rows: usize) {
    let keys =
        Int32Array::from((0..rows).map(|i| if i == 1 { None } else { Some((i % 2) as i32) }).collect::<Vec<_>>());
    let dict = DictionaryArray::try_new(keys, Arc::new(arrow_array::StringArray::from(vec!["红", "蓝"]))).unwrap();
    let names = LargeStringArray::from((0..rows).map(|i| format!("n{i}")).collect::<Vec<_>>());
    let n = Int32Array::from((0..rows).map(|i| i as i32).collect::<Vec<_>>());
    let f = Float32Array::from((0..rows).map(|i| i as f32 + 0.5).collect::<Vec<_>>());
    let s = StructArray::from(vec![(
        Arc::new(Field::new("a", DataType::Int32, false)),
        Arc::new(Int32Array::from(vec![1; rows])) as ArrayRef,
    )]);
    let wkb: Vec<Option<Vec<u8>>> = (0..rows).map(|i| (i != 2).then(|| point(87.0 + i as f64, 43.0))).collect();
    let geometry = BinaryArray::from(wkb.iter().map(|o| o.as_deref()).collect::<Vec<_>>());
    let schema = Arc::new(Schema::new(vec![
        Field::new("grade", dict.data_type().clone(), true),
        Field::new("name", DataType::LargeUtf8, false),
        Field::new("n", DataType::Int32, false),
        Field::new("f", DataType::Float32, false),
        Field::new("s", s.data_type().clone(), false),
        Field::new("geometry", DataType::Binary, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(dict), Arc::new(names), Arc::new(n), Arc::new(f), Arc::new(s), Arc::new(geometry)],
    )
    .unwrap();
    let props = WriterProperties::builder().set_compression(compression).build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn reads_textual_columns_and_a_wkb_geometry_batch_by_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.parquet");
    let rows = BATCH_ROWS + 10;
    write_plain(&path, Compression::UNCOMPRESSED, rows);
    let t = ParquetTable::open(&path, "census.parquet").unwrap();
    assert_eq!(t.columns(), ["grade", "name", "n", "f"], "the struct and the geometry are not property columns");
    assert!(t.has_geometry());
    assert_eq!((t.rows(), t.epsg()), (rows as u64, None));
    assert_eq!(t.sha256(), crate::hash::sha256_hex(&std::fs::read(&path).unwrap()));
    let mut seen = Vec::new();
    t.for_each_row(|row, cells, g| seen.push((row, cells.to_vec(), g))).unwrap();
    assert_eq!(seen.len(), rows);
    let s = |v: &str| Some(v.to_string());
    assert_eq!(seen[0], (1, vec![s("红"), s("n0"), s("0"), s("0.5")], Some(WkbGeometry::Point(87.0, 43.0))));
    assert_eq!(seen[1].1[0], None, "a null dictionary key");
    assert_eq!(seen[1].1[1], s("n1"));
    assert_eq!(seen[2].2, None, "a null geometry");
    let last = &seen[rows - 1];
    assert_eq!(last.0, rows as u64);
    assert_eq!(last.1[2], Some((rows - 1).to_string()));
}

#[test]
fn other_codecs_and_other_files_are_errors_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.parquet");
    // This build cannot write another codec either: the message for one is checked as text.
    assert!(read_hint("Disabled feature at compile time: zstd").contains("Snappy"));
    let not = dir.path().join("not.parquet");
    std::fs::write(&not, b"name,x\n").unwrap();
    let e = ParquetTable::open(&not, "not.parquet").err().unwrap().to_string();
    assert!(e.starts_with("not.parquet: not a Parquet file"), "{e}");
    let e = ParquetTable::open(&missing, "missing.parquet").err().unwrap();
    assert!(matches!(e, ColumnarError::Io { .. }), "{e}");
}
