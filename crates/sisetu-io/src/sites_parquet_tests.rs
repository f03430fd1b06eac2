#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just written")]

use super::*;
use crate::columnar::geoparquet::{write_geoparquet, GeoParquetOptions};
use crate::columnar::{ColumnType, ColumnarError, Geometry, Rows, Schema, Value};
use arrow_array::{ArrayRef, BinaryArray, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

fn spec(path: &Path, columns: SiteColumns) -> SiteLayerSpec {
    SiteLayerSpec {
        path: path.to_path_buf(),
        display: path.file_name().unwrap().to_string_lossy().into_owned(),
        crs: Crs::Cgcs2000,
        columns,
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    }
}

fn read(spec: &SiteLayerSpec) -> Result<SiteLayer> {
    let tf = SiteTransforms::new(Crs::Cgcs2000, Crs::from_epsg(4538)).unwrap();
    read_sites(spec, &GradeScheme::builtin(), &tf, &|_| {})
}

fn point(x: f64, y: f64) -> Vec<u8> {
    let mut b = vec![1u8];
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

/// A Parquet file of `columns` (text, or f64 for names starting with `f:`) and an
/// optional WKB `geometry` column, without GeoParquet metadata.
fn write_plain(path: &Path, columns: &[(&str, Vec<Option<&str>>)], geometry: Option<Vec<Option<Vec<u8>>>>) {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, values) in columns {
        if let Some(n) = name.strip_prefix("f:") {
            fields.push(Field::new(n, DataType::Float64, true));
            arrays.push(Arc::new(Float64Array::from(
                values.iter().map(|v| v.map(|t| t.parse::<f64>().unwrap())).collect::<Vec<_>>(),
            )));
        } else {
            fields.push(Field::new(*name, DataType::Utf8, true));
            arrays.push(Arc::new(StringArray::from(values.clone())));
        }
    }
    if let Some(g) = geometry {
        fields.push(Field::new("geometry", DataType::Binary, true));
        arrays.push(Arc::new(BinaryArray::from(g.iter().map(|o| o.as_deref()).collect::<Vec<_>>())));
    }
    let schema = Arc::new(ArrowSchema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn a_geoparquet_layer_takes_its_coordinates_from_the_geometry() {
    struct Census;
    impl Rows for Census {
        fn len(&self) -> usize {
            3
        }
        fn position(&self, i: usize) -> (f64, f64) {
            (87.6 - i as f64 * 0.01, 43.8 + i as f64 * 0.01)
        }
        fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
            v.push(Value::Str(format!("9165010{i}").into()));
            v.push(Value::Str(format!("企业{i}").into()));
            v.push(Value::Str(["重大", "一般", "紫"][i].into()));
            v.push(if i == 1 { Value::Null } else { Value::Str("工贸".into()) });
            let (lon, lat) = self.position(i);
            Ok(Geometry::Point { lon, lat })
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.geoparquet");
    let schema = ["统一社会信用代码", "企业名称", "风险等级", "行业"]
        .iter()
        .fold(Schema::new(), |s, n| s.with(*n, ColumnType::Utf8));
    write_geoparquet(&path, &schema, &Census, &GeoParquetOptions::default()).unwrap();
    let layer = read(&spec(&path, SiteColumns::default())).unwrap();
    assert_eq!(layer.rows_read, 3);
    assert_eq!(layer.headers, ["统一社会信用代码", "企业名称", "风险等级", "行业", "(geometry x)", "(geometry y)"]);
    assert_eq!(layer.columns_used["x"], "(geometry x)");
    assert_eq!(layer.sha256, sha256_hex(&std::fs::read(&path).unwrap()));
    assert_eq!(layer.sites.len(), 2);
    assert_eq!(layer.rejects.len(), 1);
    let mut ids: Vec<(&str, &str, f64)> = layer.sites.iter().map(|s| (s.id(), s.category(), s.lon)).collect();
    ids.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(ids, [("91650100", "工贸", 87.6), ("91650101", "", 87.6 - 0.01)], "exactly the WKB values");
    let r = &layer.rejects[0];
    assert!(r.reason.to_string().contains("紫"), "{}", r.reason);
    assert_eq!(r.raw[0], "91650102");
    // Lines are row numbers of the file, which is Hilbert-sorted.
    let mut lines: Vec<u64> = layer.sites.iter().map(|s| s.line).chain([r.line]).collect();
    lines.sort_unstable();
    assert_eq!(lines, [1, 2, 3]);
}

#[test]
fn every_row_is_a_site_or_a_reject_with_its_row_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.parquet");
    let mut polygon = vec![1u8];
    polygon.extend_from_slice(&3u32.to_le_bytes());
    polygon.extend_from_slice(&0u32.to_le_bytes());
    write_plain(
        &path,
        &[
            ("name", vec![Some("甲"), Some("乙"), Some("丙"), Some("丁"), Some("戊")]),
            ("grade", vec![Some("红"), Some("蓝"), Some("蓝"), None, Some("橙")]),
        ],
        Some(vec![Some(point(87.6, 43.8)), Some(polygon), None, Some(point(87.61, 43.81)), Some(b"xx".to_vec())]),
    );
    let layer = read(&spec(&path, SiteColumns::default())).unwrap();
    assert_eq!((layer.rows_read, layer.sites.len(), layer.rejects.len()), (5, 1, 4));
    assert_eq!((layer.sites[0].name(), layer.sites[0].line), ("甲", 1));
    let reasons: Vec<(u64, String)> = layer.rejects.iter().map(|r| (r.line, r.reason.to_string())).collect();
    assert_eq!(reasons[0], (2, "feature 2 has a Polygon geometry; site layers need Point features".to_string()));
    assert_eq!(reasons[1].0, 3);
    assert!(reasons[1].1.contains("missing"), "a null geometry: {}", reasons[1].1);
    assert_eq!(reasons[2].0, 4);
    assert!(reasons[2].1.contains("grade"), "{}", reasons[2].1);
    assert_eq!(
        reasons[3],
        (5, "feature 5 has a unreadable (not WKB) geometry; site layers need Point features".to_string())
    );
}

#[test]
fn a_plain_table_is_read_from_its_longitude_and_latitude_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.parquet");
    write_plain(
        &path,
        &[
            ("企业名称", vec![Some("甲"), Some("乙")]),
            ("f:经度", vec![Some("87.6"), None]),
            ("f:纬度", vec![Some("43.8"), Some("43.9")]),
            ("风险等级", vec![Some("较大"), Some("低")]),
        ],
        None,
    );
    let layer = read(&spec(&path, SiteColumns::default())).unwrap();
    assert_eq!((layer.rows_read, layer.sites.len()), (2, 1));
    assert_eq!((layer.sites[0].lon, layer.sites[0].lat, layer.sites[0].level), (87.6, 43.8, RiskLevel::Orange));
    assert_eq!(layer.rejects[0].line, 2);
    assert!(layer.rejects[0].reason.to_string().contains("经度"), "{}", layer.rejects[0].reason);

    // Named columns win over a geometry, which is then not looked at.
    let both = dir.path().join("both.parquet");
    write_plain(
        &both,
        &[("lon", vec![Some("87.6")]), ("lat", vec![Some("43.8")]), ("grade", vec![Some("红")])],
        Some(vec![Some(b"not wkb".to_vec())]),
    );
    let columns = SiteColumns { x: Some("lon".into()), y: Some("lat".into()), ..Default::default() };
    let layer = read(&spec(&both, columns)).unwrap();
    assert_eq!(layer.sites.len(), 1);

    // A missing column is the usual error, naming the columns found.
    let e = read(&spec(&path, SiteColumns { grade: Some("等级".into()), ..Default::default() })).unwrap_err();
    assert!(e.to_string().contains("'企业名称', '经度', '纬度', '风险等级'"), "{e}");
}
