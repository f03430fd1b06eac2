#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just built")]

use super::hilbert::hilbert_index;
use super::wkb;
use super::*;

/// Points by index, with one text column.
pub(crate) struct Points(pub Vec<(f64, f64)>);

impl Rows for Points {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn position(&self, i: usize) -> (f64, f64) {
        self.0[i]
    }
    fn row<'a>(&'a self, i: usize, values: &mut Vec<Value<'a>>) -> Result<Geometry, ColumnarError> {
        values.push(Value::Str(format!("p{i}").into()));
        Ok(Geometry::Point { lon: self.0[i].0, lat: self.0[i].1 })
    }
}

#[test]
fn the_hilbert_curve_visits_the_quadrants_in_order_and_each_cell_once() {
    let h = u32::MAX / 2 + 1;
    // Lower left, upper left, upper right, lower right: the curve of order 1.
    let q = [hilbert_index(0, 0), hilbert_index(0, h), hilbert_index(h, h), hilbert_index(h, 0)];
    assert!(q.windows(2).all(|w| w[0] < w[1]), "{q:?}");
    assert_eq!(hilbert_index(0, 0), 0);
    assert_eq!(hilbert_index(u32::MAX, 0), u64::MAX);
    // Neighbouring indices are neighbouring cells (checked on the lowest corner's cells).
    let mut seen = std::collections::BTreeMap::new();
    for x in 0..16u32 {
        for y in 0..16u32 {
            seen.insert(hilbert_index(x, y), (x, y));
        }
    }
    assert_eq!(seen.len(), 256);
    let first: Vec<(u32, u32)> = seen.values().take(256).copied().collect();
    for w in first.windows(2) {
        let d = w[0].0.abs_diff(w[1].0) + w[0].1.abs_diff(w[1].1);
        assert_eq!(d, 1, "{w:?}");
    }
}

#[test]
fn hilbert_order_is_stable_and_the_same_for_any_number_of_threads() {
    // Ties (the same position) keep their input order.
    let mut pts: Vec<(f64, f64)> =
        (0..20_000).map(|i| (87.0 + f64::from(i % 97) * 0.01, 43.0 + f64::from(i % 89) * 0.01)).collect();
    pts.extend([(87.5, 43.5); 5]);
    let rows = Points(pts);
    let in_pool = |n: usize| {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(|| hilbert_order(&rows, "x").unwrap())
    };
    let one = in_pool(1);
    assert_eq!(one, in_pool(4));
    let ties: Vec<u64> = one.iter().copied().filter(|&i| i >= 20_000).collect();
    assert_eq!(ties, [20_000, 20_001, 20_002, 20_003, 20_004]);
    let mut sorted = one.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..20_005).collect::<Vec<u64>>());
}

#[test]
fn a_position_that_is_not_finite_is_an_error_naming_the_row() {
    let rows = Points(vec![(87.0, 43.0), (f64::NAN, 43.0)]);
    let e = hilbert_order(&rows, "out/sites.parquet").unwrap_err().to_string();
    assert!(e.starts_with("out/sites.parquet: row 1: position"), "{e}");
}

#[test]
fn schemas_with_reserved_or_repeated_names_are_refused() {
    assert!(Schema::new().with("a", ColumnType::Utf8).with("b", ColumnType::Int64).check().is_ok());
    let e = Schema::new().with("a", ColumnType::Utf8).with("a", ColumnType::Bool).check().unwrap_err();
    assert_eq!(e.to_string(), "columnar schema: two columns are named 'a'");
    assert!(Schema::new().with("Geometry", ColumnType::Utf8).check().is_err());
    assert!(Schema::new().with("bbox", ColumnType::Utf8).check().is_err());
    assert!(Schema::new().with("", ColumnType::Utf8).check().is_err());
}

#[test]
fn geometry_bounding_boxes_check_finite_closed_rings() {
    assert_eq!(Geometry::Point { lon: 1.0, lat: 2.0 }.bbox(), Some([1.0, 2.0, 1.0, 2.0]));
    assert_eq!(Geometry::Point { lon: f64::INFINITY, lat: 2.0 }.bbox(), None);
    let ring = vec![(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0), (0.0, 0.0)];
    assert_eq!(Geometry::Polygon(ring.clone()).bbox(), Some([0.0, 0.0, 2.0, 1.0]));
    assert_eq!(Geometry::Polygon(ring[..4].to_vec()).bbox(), None, "not closed");
    assert_eq!(Geometry::Polygon(vec![(0.0, 0.0), (1.0, 1.0), (0.0, 0.0)]).bbox(), None, "too short");
}

#[test]
fn wkb_points_are_read_in_both_byte_orders_and_other_types_are_named() {
    let mut b = Vec::new();
    wkb::push(&mut b, &Geometry::Point { lon: 87.5, lat: 43.25 });
    assert_eq!(b.len(), 21);
    assert_eq!(wkb::read(&b), WkbGeometry::Point(87.5, 43.25));
    let mut be = vec![0u8];
    be.extend_from_slice(&1u32.to_be_bytes());
    be.extend_from_slice(&87.5f64.to_be_bytes());
    be.extend_from_slice(&43.25f64.to_be_bytes());
    assert_eq!(wkb::read(&be), WkbGeometry::Point(87.5, 43.25));
    // ISO point Z: x and y are read.
    let mut z = vec![1u8];
    z.extend_from_slice(&1001u32.to_le_bytes());
    for v in [1.0f64, 2.0, 3.0] {
        z.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(wkb::read(&z), WkbGeometry::Point(1.0, 2.0));
    let mut poly = Vec::new();
    wkb::push(&mut poly, &Geometry::Polygon(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]));
    assert_eq!(wkb::read(&poly), WkbGeometry::Other("Polygon"));
    let mut empty = vec![1u8];
    empty.extend_from_slice(&1u32.to_le_bytes());
    empty.extend_from_slice(&f64::NAN.to_le_bytes());
    empty.extend_from_slice(&f64::NAN.to_le_bytes());
    assert_eq!(wkb::read(&empty), WkbGeometry::EmptyPoint);
    for bad in [&b""[..], &[1u8, 1, 0, 0, 0][..], &[7u8, 1, 0, 0, 0, 0][..], &b[..20]] {
        assert_eq!(wkb::read(bad), WkbGeometry::Invalid, "{bad:?}");
    }
}

#[test]
fn the_projjson_constants_are_json_with_their_epsg_id() {
    for crs in [GeoCrs::Wgs84, GeoCrs::Cgcs2000] {
        let v: serde_json::Value = serde_json::from_str(crs.projjson()).unwrap();
        assert_eq!(v["id"]["authority"], "EPSG");
        assert_eq!(v["id"]["code"], crs.epsg());
        assert_eq!(v["name"], crs.name());
        assert_eq!(v["type"], "GeographicCRS");
    }
}
