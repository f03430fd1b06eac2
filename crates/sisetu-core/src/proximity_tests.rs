use super::*;
use geo::{line_string, polygon, LineString, Polygon};

fn square(x0: f64, y0: f64, side: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x0 + side, y: y0), (x: x0 + side, y: y0 + side), (x: x0, y: y0 + side)]
}

fn area(p: Polygon<f64>) -> Shape {
    Shape::Area(MultiPolygon(vec![p]))
}

fn lines(l: LineString<f64>) -> Shape {
    Shape::Lines(MultiLineString(vec![l]))
}

/// A small deterministic generator (no dependency on rand in the core crate's tests).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn random_shapes(seed: u64, n: usize) -> Vec<Shape> {
    let mut r = Lcg(seed);
    (0..n)
        .map(|i| {
            let (x, y) = (r.next() * 2000.0, r.next() * 2000.0);
            match i % 3 {
                0 => Shape::Point(x, y),
                1 => {
                    // A long wiggly line: more vertices than one piece.
                    let pts: Vec<(f64, f64)> =
                        (0..40).map(|k| (x + k as f64 * 15.0, y + (r.next() - 0.5) * 60.0)).collect();
                    lines(LineString::from(pts))
                }
                _ => {
                    let side = 20.0 + r.next() * 150.0;
                    let mut p = square(x, y, side);
                    if i % 2 == 0 {
                        let hole = LineString::from(vec![
                            (x + side * 0.3, y + side * 0.3),
                            (x + side * 0.6, y + side * 0.3),
                            (x + side * 0.6, y + side * 0.6),
                            (x + side * 0.3, y + side * 0.6),
                            (x + side * 0.3, y + side * 0.3),
                        ]);
                        p = Polygon::new(p.exterior().clone(), vec![hole]);
                    }
                    area(p)
                }
            }
        })
        .collect()
}

/// The brute-force distance: every segment pair, vertex containment both ways.
fn brute(a: &Shape, b: &Shape) -> f64 {
    use geo::{Distance, Euclidean, Geometry};
    let g = |s: &Shape| -> Geometry<f64> {
        match s {
            Shape::Point(x, y) => Geometry::Point(Point::new(*x, *y)),
            Shape::Lines(ml) => Geometry::MultiLineString(ml.clone()),
            Shape::Area(mp) => Geometry::MultiPolygon(mp.clone()),
        }
    };
    Euclidean.distance(&g(a), &g(b))
}

#[test]
fn nearest_of_simple_shapes() {
    let p = Shape::Point(0.0, 0.0);
    let l = lines(line_string![(x: 100.0, y: -50.0), (x: 100.0, y: 50.0)]);
    let a = area(square(200.0, 0.0, 100.0));
    assert_eq!(nearest(&p, &l).distance, 100.0);
    let n = nearest(&l, &a);
    assert_eq!(n.distance, 100.0);
    assert_eq!(n.a.x, 100.0);
    assert_eq!(n.b.x, 200.0);
    // A point inside an area, an area inside an area, crossing lines: 0.
    assert_eq!(nearest(&Shape::Point(250.0, 50.0), &a).distance, 0.0);
    assert_eq!(nearest(&area(square(210.0, 10.0, 10.0)), &a).distance, 0.0);
    assert_eq!(nearest(&a, &area(square(210.0, 10.0, 10.0))).distance, 0.0);
    let cross = lines(line_string![(x: 50.0, y: 0.0), (x: 150.0, y: 0.0)]);
    let n = nearest(&cross, &l);
    assert_eq!((n.distance, n.a.x, n.a.y), (0.0, 100.0, 0.0));
    // In a hole: the distance to the hole's ring.
    let holed = area(Polygon::new(
        square(0.0, 0.0, 100.0).exterior().clone(),
        vec![square(40.0, 40.0, 20.0).exterior().clone()],
    ));
    assert_eq!(nearest(&Shape::Point(50.0, 50.0), &holed).distance, 10.0);
}

#[test]
fn the_threshold_is_strict_or_not_as_asked() {
    let shapes = [Shape::Point(3.0, 4.0), lines(line_string![(x: 10.0, y: -1.0), (x: 10.0, y: 1.0)])];
    let index = ShapeIndex::new(&shapes, |_| 0.0).unwrap();
    let origin = Shape::Point(0.0, 0.0);
    let ids = |v: Vec<(u32, Nearest)>| v.into_iter().map(|(i, _)| i).collect::<Vec<_>>();
    assert_eq!(ids(index.near(&origin, 5.0, Within::Below)), Vec::<u32>::new());
    assert_eq!(ids(index.near(&origin, 5.0, Within::AtMost)), vec![0]);
    assert_eq!(ids(index.near(&origin, 10.0, Within::Below)), vec![0]);
    assert_eq!(ids(index.near(&origin, 10.0, Within::AtMost)), vec![0, 1]);
}

#[test]
fn near_equals_brute_force() {
    let b = random_shapes(7, 300);
    let a = random_shapes(11, 120);
    let index = ShapeIndex::new(&b, |_| 0.0).unwrap();
    for d in [0.0, 25.0, 140.0] {
        for q in &a {
            let got: Vec<(u32, f64)> =
                index.near(q, d, Within::AtMost).into_iter().map(|(i, n)| (i, n.distance)).collect();
            let want: Vec<u32> = (0..b.len() as u32).filter(|&i| brute(q, &b[i as usize]) <= d).collect();
            assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want, "d = {d}, query {q:?}");
            for (i, dist) in got {
                let exact = brute(q, &b[i as usize]);
                assert!((dist - exact).abs() < 1e-9, "shape {i}: {dist} against {exact}");
            }
        }
    }
}

#[test]
fn the_shortest_segment_has_the_distance_and_lies_on_both_shapes() {
    let b = random_shapes(3, 90);
    let a = random_shapes(5, 60);
    for q in &a {
        for s in &b {
            let n = nearest(q, s);
            let len = ((n.a.x - n.b.x).powi(2) + (n.a.y - n.b.y).powi(2)).sqrt();
            assert!((len - n.distance).abs() < 1e-6, "{len} against {}", n.distance);
            assert!(q.distance_to_point(n.a.x, n.a.y) < 1e-6);
            assert!(s.distance_to_point(n.b.x, n.b.y) < 1e-6);
            assert!((n.distance - brute(q, s)).abs() < 1e-9);
        }
    }
}

#[test]
fn near_point_finds_every_shape_within_its_reach() {
    let shapes = random_shapes(13, 200);
    let index = ShapeIndex::new(&shapes, |i| (i % 5) as f64 * 40.0).unwrap();
    let mut r = Lcg(99);
    let mut out = Vec::new();
    for _ in 0..500 {
        let (x, y) = (r.next() * 2200.0 - 100.0, r.next() * 2200.0 - 100.0);
        index.near_point(x, y, 0.0, &mut out);
        let mut want: Vec<(u32, f64)> = shapes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let d = s.distance_to_point(x, y);
                (d <= (i % 5) as f64 * 40.0).then_some((i as u32, d))
            })
            .collect();
        want.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        assert_eq!(out, want);
    }
}

#[test]
fn nearest_any_searches_wider() {
    let shapes = [Shape::Point(10_000.0, 0.0), area(square(-50_000.0, 0.0, 10.0))];
    let index = ShapeIndex::new(&shapes, |_| 0.0).unwrap();
    let (i, n) = index.nearest_any(&Shape::Point(0.0, 0.0)).unwrap();
    assert_eq!((i, n.distance), (0, 10_000.0));
    let empty: [Shape; 0] = [];
    assert!(ShapeIndex::new(&empty, |_| 0.0).unwrap().nearest_any(&Shape::Point(0.0, 0.0)).is_none());
}

#[test]
fn bad_shapes_are_named() {
    let one_point = lines(LineString::from(vec![(1.0, 1.0), (1.0, 1.0)]));
    assert_eq!(one_point.validate(), Err(ShapeError::ShortLine));
    assert_eq!(Shape::Point(f64::NAN, 0.0).validate(), Err(ShapeError::NotFinite));
    let flat = area(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0)]);
    assert_eq!(flat.validate(), Err(ShapeError::EmptyArea));
    let shapes = [Shape::Point(0.0, 0.0), one_point];
    assert_eq!(ShapeIndex::new(&shapes, |_| 0.0).err(), Some((1, ShapeError::ShortLine)));
    assert!(matches!(ShapeIndex::new(&shapes[..1], |_| -1.0).err(), Some((0, ShapeError::Reach(_)))));
}
