#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just written")]

use super::*;
use crate::columnar::Geometry;
use ::flatgeobuf::geozero::{FeatureProperties, GeozeroGeometry};
use ::flatgeobuf::{FallibleStreamingIterator, FgbReader};
use std::borrow::Cow;
use std::io::BufReader;

/// Collects the coordinates of a geometry.
#[derive(Default)]
struct Xy(Vec<(f64, f64)>);

impl GeomProcessor for Xy {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> GeozeroResult<()> {
        self.0.push((x, y));
        Ok(())
    }
}

struct Sites(Vec<(Option<&'static str>, i64, f64, f64)>);

impl Rows for Sites {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn position(&self, i: usize) -> (f64, f64) {
        (self.0[i].2, self.0[i].3)
    }
    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
        let (name, line, lon, lat) = self.0[i];
        v.push(name.map_or(Value::Null, |s| Value::Str(Cow::Borrowed(s))));
        v.push(Value::Int(line));
        v.push(Value::Bool(line % 2 == 0));
        v.push(Value::Float(lon));
        Ok(Geometry::Point { lon, lat })
    }
}

fn schema() -> Schema {
    Schema::new()
        .with("name", ColumnType::Utf8)
        .with("line", ColumnType::Int64)
        .with("even", ColumnType::Bool)
        .with("x", ColumnType::Float64)
}

fn sites() -> Sites {
    Sites(
        (0..500)
            .map(|i| {
                let name = if i % 7 == 0 { None } else { Some("加油站") };
                (name, i64::from(i) + 2, 87.0 + f64::from(i % 25) * 0.04, 43.5 + f64::from(i / 25) * 0.02)
            })
            .collect(),
    )
}

#[test]
fn writes_an_indexed_file_with_the_crs_columns_and_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.fgb");
    let rows = sites();
    let opts = FlatGeobufOptions { name: "sites".into(), crs: GeoCrs::Cgcs2000, ..FlatGeobufOptions::points() };
    let w = write_flatgeobuf(&path, &schema(), &rows, &opts).unwrap();
    assert_eq!(w.rows, 500);
    assert_eq!(w.bytes, std::fs::metadata(&path).unwrap().len());

    let reader = FgbReader::open(BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let h = reader.header();
    assert_eq!(h.features_count(), 500);
    assert_eq!(h.index_node_size(), 16, "a packed R-tree is written");
    assert_eq!(h.geometry_type(), GeometryType::Point);
    assert_eq!(h.name(), Some("sites"));
    let crs = h.crs().unwrap();
    assert_eq!((crs.org(), crs.code()), (Some("EPSG"), 4490));
    let cols: Vec<(String, FgbColumnType)> =
        h.columns().unwrap().iter().map(|c| (c.name().to_string(), c.type_())).collect();
    assert_eq!(
        cols,
        [
            ("name".to_string(), FgbColumnType::String),
            ("line".to_string(), FgbColumnType::Long),
            ("even".to_string(), FgbColumnType::Bool),
            ("x".to_string(), FgbColumnType::Double)
        ]
    );
    let mut features = reader.select_all().unwrap();
    let mut lines = Vec::new();
    while let Some(f) = features.next().unwrap() {
        let line: i64 = f.property("line").unwrap();
        let (name, _, lon, lat) = rows.0[(line - 2) as usize];
        let got: Option<String> = f.property("name").ok();
        assert_eq!(got.as_deref(), name, "line {line}: a null is an absent property");
        let mut xy = Xy::default();
        f.process_geom(&mut xy).unwrap();
        assert_eq!(xy.0, [(lon, lat)]);
        lines.push(line);
    }
    lines.sort_unstable();
    assert_eq!(lines, (2..502).collect::<Vec<i64>>());

    // The index answers a bounding-box query with exactly the features inside.
    let reader = FgbReader::open(BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let mut inside = reader.select_bbox(87.0, 43.5, 87.2, 43.6).unwrap();
    let mut n = 0;
    while inside.next().unwrap().is_some() {
        n += 1;
    }
    let want = rows.0.iter().filter(|s| s.2 <= 87.2 + 1e-12 && s.3 <= 43.6 + 1e-12).count();
    assert_eq!(n, want);
}

#[test]
fn polygons_and_deterministic_bytes() {
    struct Cells(usize);
    impl Rows for Cells {
        fn len(&self) -> usize {
            self.0
        }
        fn position(&self, i: usize) -> (f64, f64) {
            (87.0 + (i % 40) as f64 * 0.01 + 0.005, 43.0 + (i / 40) as f64 * 0.01 + 0.005)
        }
        fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
            let (x, y) = (87.0 + (i % 40) as f64 * 0.01, 43.0 + (i / 40) as f64 * 0.01);
            v.push(Value::Str(format!("500m_{i}").into()));
            Ok(Geometry::Polygon(vec![(x, y), (x + 0.01, y), (x + 0.01, y + 0.01), (x, y + 0.01), (x, y)]))
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let schema = Schema::new().with("cell_id", ColumnType::Utf8);
    let write = |threads: usize, name: &str| {
        let path = dir.path().join(name);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| write_flatgeobuf(&path, &schema, &Cells(2000), &FlatGeobufOptions::polygons()).unwrap());
        std::fs::read(&path).unwrap()
    };
    let a = write(1, "a.fgb");
    assert_eq!(a, write(3, "b.fgb"));
    let reader = FgbReader::open(std::io::Cursor::new(&a)).unwrap();
    assert_eq!(reader.header().geometry_type(), GeometryType::Polygon);
    assert_eq!(reader.header().features_count(), 2000);
    let mut all = reader.select_all().unwrap();
    let f = all.next().unwrap().unwrap();
    let mut xy = Xy::default();
    f.process_geom(&mut xy).unwrap();
    assert_eq!(xy.0.len(), 5);
    assert_eq!(xy.0.first(), xy.0.last());
}

#[test]
fn rows_that_do_not_fit_are_errors_naming_the_row() {
    struct Mixed;
    impl Rows for Mixed {
        fn len(&self) -> usize {
            2
        }
        fn position(&self, _: usize) -> (f64, f64) {
            (87.0, 43.0)
        }
        fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
            v.push(Value::Null);
            Ok(if i == 1 {
                Geometry::Point { lon: 87.0, lat: f64::NAN }
            } else {
                Geometry::Point { lon: 87.0, lat: 43.0 }
            })
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.fgb");
    let schema = Schema::new().with("name", ColumnType::Utf8);
    let e = write_flatgeobuf(&path, &schema, &Mixed, &FlatGeobufOptions::points()).unwrap_err().to_string();
    assert!(e.contains("row 1: a coordinate is not finite"), "{e}");
    let e = write_flatgeobuf(&path, &schema, &Mixed, &FlatGeobufOptions::polygons()).unwrap_err().to_string();
    assert!(e.contains("row 0: a Point in a layer of Polygons"), "{e}");
}
