#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just written")]

use super::*;
use crate::columnar::read::ParquetTable;
use crate::columnar::wkb::WkbGeometry;
use crate::columnar::{hilbert_order, Geometry};
use parquet::basic::Compression;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::borrow::Cow;

/// Sites with every column type, nulls included.
struct Sites(Vec<(Option<&'static str>, i64, bool, f64, f64)>);

impl Rows for Sites {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn position(&self, i: usize) -> (f64, f64) {
        (self.0[i].3, self.0[i].4)
    }
    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
        let (name, n, flag, lon, lat) = self.0[i];
        v.push(name.map_or(Value::Null, |s| Value::Str(Cow::Borrowed(s))));
        v.push(Value::Int(n));
        v.push(Value::Bool(flag));
        v.push(if n % 2 == 0 { Value::Float(n as f64 / 2.0) } else { Value::Null });
        Ok(Geometry::Point { lon, lat })
    }
}

fn schema() -> Schema {
    Schema::new()
        .with("name", ColumnType::Utf8)
        .with("line", ColumnType::Int64)
        .with("duplicate_id", ColumnType::Bool)
        .with("half", ColumnType::Float64)
}

fn sites(n: usize) -> Sites {
    // A spiral, so that the Hilbert order differs from the input order.
    Sites(
        (0..n)
            .map(|i| {
                let a = i as f64 * 0.7;
                let r = 0.001 * i as f64;
                let name = if i.is_multiple_of(3) { None } else { Some("企业") };
                (name, i as i64, i.is_multiple_of(5), 87.6 + r * a.cos(), 43.8 + r * a.sin())
            })
            .collect(),
    )
}

fn geo_of(path: &Path) -> serde_json::Value {
    let r = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let kv = r.metadata().file_metadata().key_value_metadata().unwrap();
    let geo = kv.iter().find(|k| k.key == "geo").unwrap();
    serde_json::from_str(geo.value.as_deref().unwrap()).unwrap()
}

#[test]
fn writes_geoparquet_1_1_with_its_metadata_covering_and_typed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.parquet");
    let rows = sites(1000);
    let opts = GeoParquetOptions { row_group_rows: 300, ..Default::default() };
    let w = write_geoparquet(&path, &schema(), &rows, &opts).unwrap();
    assert_eq!((w.rows, w.row_groups), (1000, 4));
    assert_eq!(w.bytes, std::fs::metadata(&path).unwrap().len());

    let geo = geo_of(&path);
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let g = &geo["columns"]["geometry"];
    assert_eq!(g["encoding"], "WKB");
    assert_eq!(g["geometry_types"], serde_json::json!(["Point"]));
    assert_eq!(g["crs"]["id"], serde_json::json!({"authority": "EPSG", "code": 4326}));
    assert_eq!(g["covering"]["bbox"]["xmin"], serde_json::json!(["bbox", "xmin"]));
    assert_eq!(g["covering"]["bbox"]["ymax"], serde_json::json!(["bbox", "ymax"]));
    let b = w.bbox.unwrap();
    assert_eq!(g["bbox"], serde_json::json!(b));
    assert!(rows.0.iter().all(|s| s.3 >= b[0] && s.4 >= b[1] && s.3 <= b[2] && s.4 <= b[3]));

    let r = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let meta = r.metadata();
    assert_eq!(meta.file_metadata().created_by(), Some(CREATED_BY));
    assert_eq!(meta.num_row_groups(), 4);
    assert_eq!(meta.row_group(0).num_rows(), 300);
    let names: Vec<String> = meta.file_metadata().schema_descr().columns().iter().map(|c| c.path().string()).collect();
    assert_eq!(
        names,
        ["name", "line", "duplicate_id", "half", "geometry", "bbox.xmin", "bbox.ymin", "bbox.xmax", "bbox.ymax"]
    );
    for c in meta.row_group(0).columns() {
        assert_eq!(c.compression(), Compression::SNAPPY);
    }

    // Read back: every row once, its values with its point, in Hilbert order.
    let table = ParquetTable::open(&path, "sites.parquet").unwrap();
    assert_eq!(table.columns(), ["name", "line", "duplicate_id", "half"]);
    assert_eq!((table.rows(), table.epsg(), table.has_geometry()), (1000, Some(4326), true));
    let mut lines = Vec::new();
    table
        .for_each_row(|row, cells, g| {
            let i: usize = cells[1].as_deref().unwrap().parse().unwrap();
            let (name, n, flag, lon, lat) = rows.0[i];
            assert_eq!(cells[0].as_deref(), name, "row {row}");
            assert_eq!(cells[2].as_deref(), Some(if flag { "true" } else { "false" }));
            assert_eq!(cells[3].is_some(), n % 2 == 0);
            assert_eq!(g, Some(WkbGeometry::Point(lon, lat)));
            lines.push(i);
        })
        .unwrap();
    assert_ne!(lines, (0..1000).collect::<Vec<_>>(), "sorted along the curve, not in input order");
    let want: Vec<usize> = hilbert_order(&rows, "x").unwrap().into_iter().map(|i| i as usize).collect();
    assert_eq!(lines, want);
}

#[test]
fn the_same_rows_give_the_same_bytes_for_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let rows = sites(5000);
    let opts = GeoParquetOptions { row_group_rows: 1024, ..Default::default() };
    let write = |threads: usize, name: &str| {
        let path = dir.path().join(name);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| write_geoparquet(&path, &schema(), &rows, &opts).unwrap());
        std::fs::read(path).unwrap()
    };
    let one = write(1, "a.parquet");
    assert_eq!(one, write(4, "b.parquet"));
    assert_eq!(one, write(1, "c.parquet"));
}

#[test]
fn a_layer_streamed_in_blocks_is_the_file_written_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let rows = sites(5000);
    let opts = GeoParquetOptions {
        row_group_rows: 300,
        sort_block: 1200,
        extent: Some([87.0, 43.0, 89.0, 45.0]),
        ..Default::default()
    };
    let at_once = dir.path().join("a.parquet");
    let written = write_geoparquet(&at_once, &schema(), &rows, &opts).unwrap();
    // 5 blocks (4 × 1200 + 200), each in row groups of 300: 4 × 4 + 1.
    assert_eq!((written.rows, written.row_groups), (5000, 17));
    let streamed = dir.path().join("b.parquet");
    let mut w = GeoParquetWriter::create(&streamed, &schema(), &opts).unwrap();
    for block in rows.0.chunks(1200) {
        w.write(&Sites(block.to_vec())).unwrap();
    }
    assert_eq!(w.finish().unwrap(), written);
    assert_eq!(std::fs::read(&at_once).unwrap(), std::fs::read(&streamed).unwrap());
    // Each block is sorted on its own: the first 1200 lines are those of the first block.
    let mut lines = Vec::new();
    ParquetTable::open(&streamed, "b.parquet")
        .unwrap()
        .for_each_row(|_, cells, _| lines.push(cells[1].as_deref().unwrap().parse::<i64>().unwrap()))
        .unwrap();
    let mut first: Vec<i64> = lines[..1200].to_vec();
    first.sort_unstable();
    assert_eq!(first, (0..1200).collect::<Vec<i64>>());
    assert_ne!(lines[..1200], first[..], "sorted along the curve within the block");
    // A block larger than the sort block is refused, not split.
    let mut w = GeoParquetWriter::create(&dir.path().join("c.parquet"), &schema(), &opts).unwrap();
    assert!(w.write(&sites(1201)).is_err());
}

#[test]
fn polygons_in_cgcs2000_and_an_empty_file() {
    struct Cells;
    impl Rows for Cells {
        fn len(&self) -> usize {
            2
        }
        fn position(&self, i: usize) -> (f64, f64) {
            (87.0 + i as f64, 43.0)
        }
        fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
            v.push(Value::Str(format!("c{i}").into()));
            let x = 87.0 + i as f64;
            Ok(Geometry::Polygon(vec![(x, 43.0), (x + 0.5, 43.0), (x + 0.5, 43.5), (x, 43.5), (x, 43.0)]))
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cells.parquet");
    let opts = GeoParquetOptions { crs: GeoCrs::Cgcs2000, geometry: GeometryKind::Polygon, ..Default::default() };
    let schema = Schema::new().with("cell_id", ColumnType::Utf8);
    let w = write_geoparquet(&path, &schema, &Cells, &opts).unwrap();
    assert_eq!(w.bbox, Some([87.0, 43.0, 88.5, 43.5]));
    let geo = geo_of(&path);
    assert_eq!(geo["columns"]["geometry"]["geometry_types"], serde_json::json!(["Polygon"]));
    assert_eq!(geo["columns"]["geometry"]["crs"]["id"]["code"], 4490);
    let table = ParquetTable::open(&path, "cells.parquet").unwrap();
    let mut seen = Vec::new();
    table.for_each_row(|_, cells, g| seen.push((cells[0].clone().unwrap(), g))).unwrap();
    assert_eq!(seen[0], ("c0".to_string(), Some(WkbGeometry::Other("Polygon"))));

    let empty = dir.path().join("empty.parquet");
    let w = write_geoparquet(&empty, &schema, &Points(vec![]), &GeoParquetOptions::default()).unwrap();
    assert_eq!((w.rows, w.row_groups, w.bbox), (0, 0, None));
    let geo = geo_of(&empty);
    assert_eq!(geo["columns"]["geometry"]["geometry_types"], serde_json::json!([]));
    assert!(geo["columns"]["geometry"].get("bbox").is_none());
    assert_eq!(ParquetTable::open(&empty, "e").unwrap().rows(), 0);
}

/// Points whose row 2 is wrong in the way `bad` says.
struct Bad(&'static str);

impl Rows for Bad {
    fn len(&self) -> usize {
        3
    }
    fn position(&self, i: usize) -> (f64, f64) {
        (87.0 + i as f64 * 0.1, 43.0)
    }
    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
        let lon = 87.0 + i as f64 * 0.1;
        match (i, self.0) {
            (2, "type") => v.push(Value::Int(1)),
            (2, "count") => {}
            _ => v.push(Value::Str("x".into())),
        }
        Ok(match (i, self.0) {
            (2, "nan") => Geometry::Point { lon: f64::NAN, lat: 43.0 },
            (2, "polygon") => Geometry::Polygon(vec![(lon, 43.0), (lon, 44.0), (lon + 1.0, 44.0), (lon, 43.0)]),
            _ => Geometry::Point { lon, lat: 43.0 },
        })
    }
}

#[test]
fn rows_that_do_not_fit_are_errors_naming_the_row_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    let schema = Schema::new().with("name", ColumnType::Utf8);
    for (bad, want) in [
        ("type", "row 2: the value Int(1) does not fit column 'name' (Utf8)"),
        ("count", "row 2: 0 values for 1 columns"),
        ("nan", "row 2: a coordinate is not finite"),
        ("polygon", "row 2: a Polygon in a layer of Points"),
    ] {
        let e = write_geoparquet(&path, &schema, &Bad(bad), &GeoParquetOptions::default()).unwrap_err().to_string();
        assert!(e.contains(want), "{bad}: {e}");
        assert!(e.starts_with(&path.display().to_string()), "{e}");
    }
    let e = write_geoparquet(&dir.path().join("no/such/dir.parquet"), &schema, &Bad(""), &GeoParquetOptions::default())
        .unwrap_err();
    assert!(matches!(e, ColumnarError::Io { .. }), "{e}");
}

/// The rows of [`crate::columnar::tests::Points`] in this module's tests.
use crate::columnar::tests::Points;

/// The figures of the performance note: 1,000,000 sites with the 11 properties of
/// `sites.parquet`. Run with `cargo test --release -p sisetu-io -- --ignored million --nocapture`.
#[test]
#[ignore = "a measurement, not a check: run it by name"]
fn million_sites_write_speed_and_size() {
    struct Census(usize);
    impl Rows for Census {
        fn len(&self) -> usize {
            self.0
        }
        fn position(&self, i: usize) -> (f64, f64) {
            let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            (
                87.3 + (h >> 40) as f64 / f64::from(1u32 << 24) * 0.6,
                43.6 + (h & 0xFF_FFFF) as f64 / f64::from(1u32 << 24) * 0.4,
            )
        }
        fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
            let (lon, lat) = self.position(i);
            let levels = ["red", "orange", "yellow", "blue"];
            v.push(Value::Str(format!("91650100{i:010}").into()));
            v.push(Value::Str(format!("乌鲁木齐企业{i}有限公司").into()));
            v.push(Value::Str(["危险化学品", "工贸", "加油站", "烟花爆竹"][i % 4].into()));
            v.push(Value::Str(["重大", "较大", "一般", "低"][i % 4].into()));
            v.push(Value::Str(levels[i % 4].into()));
            v.push(Value::Str(format!("6501{:02}", i % 8).into()));
            v.push(Value::Str(format!("G{:04}", i % 1500).into()));
            v.push(Value::Str(format!("500m_{}_{}", (lon * 200.0) as i64, (lat * 200.0) as i64).into()));
            v.push(Value::Bool(i.is_multiple_of(1000)));
            v.push(Value::Null);
            v.push(Value::Int(i as i64 + 2));
            Ok(Geometry::Point { lon, lat })
        }
    }
    let schema = ["id", "name", "category", "grade", "level", "district_id", "grid_id", "cell_id"]
        .iter()
        .fold(Schema::new(), |s, n| s.with(*n, ColumnType::Utf8))
        .with("duplicate_id", ColumnType::Bool)
        .with("source", ColumnType::Utf8)
        .with("line", ColumnType::Int64);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.parquet");
    let rows = Census(1_000_000);
    let t = std::time::Instant::now();
    let w = write_geoparquet(&path, &schema, &rows, &GeoParquetOptions::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    #[allow(clippy::print_stdout, reason = "the measurement is the output")]
    {
        println!(
            "geoparquet: {} rows, {} row groups, {} bytes ({:.1} bytes a site), {secs:.2} s",
            w.rows,
            w.row_groups,
            w.bytes,
            w.bytes as f64 / w.rows as f64
        );
    }
    let fgb = dir.path().join("sites.fgb");
    let t = std::time::Instant::now();
    let options = crate::columnar::flatgeobuf::FlatGeobufOptions::points();
    let w = crate::columnar::flatgeobuf::write_flatgeobuf(&fgb, &schema, &rows, &options).unwrap();
    let secs = t.elapsed().as_secs_f64();
    #[allow(clippy::print_stdout, reason = "the measurement is the output")]
    {
        println!(
            "flatgeobuf: {} rows, {} bytes ({:.1} bytes a site), {secs:.2} s",
            w.rows,
            w.bytes,
            w.bytes as f64 / w.rows as f64
        );
    }
}
