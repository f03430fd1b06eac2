use super::*;
use crate::proximity::{Shape, ShapeIndex};
use geo::{line_string, polygon, LineString, MultiLineString, MultiPolygon};

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

/// The stretches measured by sampling the line every millimetre-ish step (brute force).
fn sampled(line: &[Coord<f64>], shapes: &[Shape], r: f64, step: f64) -> f64 {
    let mut inside = 0.0;
    for w in line.windows(2) {
        let len = dist(w[0], w[1]);
        let n = (len / step).ceil() as usize;
        for k in 0..n {
            let t = (k as f64 + 0.5) / n as f64;
            let p = c(w[0].x + t * (w[1].x - w[0].x), w[0].y + t * (w[1].y - w[0].y));
            if shapes.iter().any(|s| s.distance_to_point(p.x, p.y) <= r) {
                inside += len / n as f64;
            }
        }
    }
    inside
}

#[test]
fn points_lines_and_areas_give_the_length_sampling_gives() {
    let line: Vec<Coord<f64>> = vec![c(0.0, 0.0), c(1000.0, 0.0), c(1000.0, 800.0), c(300.0, 900.0)];
    let shapes = [
        Shape::Point(500.0, 30.0),
        Shape::Point(520.0, -20.0),
        Shape::Lines(MultiLineString(vec![line_string![(x: 900.0, y: 300.0), (x: 1200.0, y: 500.0)]])),
        Shape::Area(MultiPolygon(vec![
            polygon![(x: 600.0, y: 700.0), (x: 800.0, y: 700.0), (x: 800.0, y: 1200.0), (x: 600.0, y: 1200.0)],
        ])),
        // An area the line runs through deep inside (farther than r from its edges there).
        Shape::Area(MultiPolygon(vec![
            polygon![(x: 100.0, y: -400.0), (x: 300.0, y: -400.0), (x: 300.0, y: 400.0), (x: 100.0, y: 400.0)],
        ])),
    ];
    let index = ShapeIndex::new(&shapes, |_| 50.0).unwrap();
    let s = stretches(&line, &index, 0.0);
    let total: f64 = s.iter().map(|s| s.to_m - s.from_m).sum();
    let want = sampled(&line, &shapes, 50.0, 0.05);
    assert!((total - want).abs() < 0.2, "{total} against sampled {want}: {s:?}");
    // Sorted, disjoint, on the line.
    for w in s.windows(2) {
        assert!(w[0].to_m < w[1].from_m);
    }
    for st in &s {
        for p in &st.coords {
            let on = Shape::Lines(MultiLineString(vec![LineString::from(line.clone())])).distance_to_point(p.x, p.y);
            assert!(on < 1e-6);
        }
    }
    // The area the line crosses: the whole crossing (100–300 m) and 50 m either side.
    assert!(s.iter().any(|st| (st.from_m - 50.0).abs() < 1e-6 && (st.to_m - 350.0).abs() < 1e-6), "{s:?}");
}

#[test]
fn a_margin_adds_to_every_reach_and_nothing_near_gives_nothing() {
    let line = [c(0.0, 0.0), c(100.0, 0.0)];
    let shapes = [Shape::Point(50.0, 80.0)];
    let index = ShapeIndex::new(&shapes, |_| 0.0).unwrap();
    assert!(stretches(&line, &index, 79.0).is_empty());
    let s = stretches(&line, &index, 100.0);
    assert_eq!(s.len(), 1);
    assert!((s[0].from_m - 0.0).abs() < 1e-9 && (s[0].to_m - 100.0).abs() < 1e-9);
}
