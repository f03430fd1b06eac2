use super::*;
use crate::coverage::tests::Rng;
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Rect};

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    LineString(points.iter().map(|&(x, y)| Coord { x, y }).collect())
}

/// A random star-shaped (so simple but concave) ring around (cx, cy).
fn star(r: &mut Rng, cx: f64, cy: f64, rmin: f64, rmax: f64, n: usize, clockwise: bool) -> LineString<f64> {
    let mut pts: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let rad = r.range(rmin, rmax);
            (cx + rad * a.cos(), cy + rad * a.sin())
        })
        .collect();
    if clockwise {
        pts.reverse();
    }
    pts.push(pts[0]);
    ring(&pts)
}

fn oracle_area(mp: &MultiPolygon<f64>, cell: Rect<f64>) -> f64 {
    mp.intersection(&MultiPolygon(vec![cell.to_polygon()])).unsigned_area()
}

#[test]
fn pieces_match_boolean_intersection_on_random_concave_polygons_with_holes() {
    let grid = RegularGrid::new(250.0).unwrap();
    for seed in 0..12 {
        let mut r = Rng::new(seed);
        let (cx, cy) = (r.range(400_000.0, 600_000.0), r.range(4_000_000.0, 5_000_000.0));
        let outer = star(&mut r, cx, cy, 600.0, 2000.0, 40, seed % 2 == 0);
        let hole = star(&mut r, cx, cy, 150.0, 450.0, 12, seed % 3 == 0);
        let second = star(&mut r, cx + 5000.0, cy, 100.0, 700.0, 25, false);
        let mp = MultiPolygon(vec![Polygon::new(outer, vec![hole]), Polygon::new(second, vec![])]);
        let pieces = cell_pieces(&[Zone::new("z", "z", mp.clone())], &grid);
        let total: f64 = pieces.iter().map(|p| p.area).sum();
        let want = mp.unsigned_area();
        assert!((total - want).abs() < want * 1e-9, "seed {seed}: {total} vs {want}");
        for p in &pieces {
            let o = oracle_area(&mp, grid.bounds(p.cell));
            // geo's boolean ops snap to a fixed-precision grid: allow 1e-6 of a cell.
            assert!((p.area - o).abs() < 62_500.0 * 1e-6, "seed {seed} cell {:?}: {} vs {o}", p.cell, p.area);
            let b = grid.bounds(p.cell);
            let (x, y) = p.centroid;
            assert!(x >= b.min().x - 1e-6 && x <= b.max().x + 1e-6 && y >= b.min().y - 1e-6 && y <= b.max().y + 1e-6);
        }
        // Ordered by zone, row, column; no duplicates.
        for w in pieces.windows(2) {
            assert!((w[0].cell.row, w[0].cell.col) < (w[1].cell.row, w[1].cell.col));
        }
    }
}

#[test]
fn centroid_of_a_clipped_triangle() {
    // Right triangle (0,0) (1000,0) (0,1000) over 1,000 m cells: one piece, area 500,000,
    // centroid (333.3, 333.3).
    let grid = RegularGrid::new(1000.0).unwrap();
    let mp = MultiPolygon(vec![Polygon::new(ring(&[(0.0, 0.0), (1000.0, 0.0), (0.0, 1000.0), (0.0, 0.0)]), vec![])]);
    let pieces = cell_pieces(&[Zone::new("t", "t", mp)], &grid);
    assert_eq!(pieces.len(), 1);
    assert!((pieces[0].area - 500_000.0).abs() < 1e-6);
    assert!((pieces[0].centroid.0 - 1000.0 / 3.0).abs() < 1e-6);
    assert!((pieces[0].centroid.1 - 1000.0 / 3.0).abs() < 1e-6);
}

#[test]
fn real_districts_are_cut_without_losing_area() {
    let zones: Vec<Zone> =
        crate::test_data::urumqi_districts_degrees().into_iter().map(|mp| Zone::new("", "", mp)).collect();
    // Degrees as planar units: a 0.02° grid, about 2 km.
    let grid = RegularGrid::new(0.02).unwrap();
    let pieces = cell_pieces(&zones, &grid);
    let mut r = Rng::new(5);
    for (zi, z) in zones.iter().enumerate() {
        let mine: Vec<&Piece> = pieces.iter().filter(|p| p.zone.get() == zi).collect();
        let total: f64 = mine.iter().map(|p| p.area).sum();
        let want = z.geometry.unsigned_area();
        assert!((total - want).abs() < want * 1e-9, "zone {zi}: {total} vs {want}");
        for _ in 0..15 {
            let p = mine[r.below(mine.len() as u64) as usize];
            let o = oracle_area(&z.geometry, grid.bounds(p.cell));
            assert!((p.area - o).abs() < 0.0004 * 1e-6, "zone {zi} cell {:?}: {} vs {o}", p.cell, p.area);
        }
    }
}

#[test]
fn apportion_adds_up_exactly() {
    assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), Some(vec![4, 3, 3]));
    assert_eq!(apportion(0, &[1.0, 2.0]), Some(vec![0, 0]));
    assert_eq!(apportion(5, &[0.0, 0.0]), None);
    assert_eq!(apportion(5, &[]), None);
    assert_eq!(apportion(5, &[f64::NAN, -1.0, 2.0]), Some(vec![0, 0, 5]));
    assert_eq!(apportion(7, &[0.5, 0.25, 0.25]), Some(vec![3, 2, 2]));
    let mut r = Rng::new(11);
    for _ in 0..200 {
        let n = 1 + r.below(500) as usize;
        let weights: Vec<f64> = (0..n).map(|_| if r.below(4) == 0 { 0.0 } else { r.range(0.0, 1e6) }).collect();
        let total = r.below(20_000_000);
        if let Some(out) = apportion(total, &weights) {
            assert_eq!(out.iter().sum::<u64>(), total);
            let sum: f64 = weights.iter().sum();
            for (o, w) in out.iter().zip(&weights) {
                let q = total as f64 * w / sum;
                assert!((*o as f64 - q).abs() < 1.0 + 1e-6, "{o} vs quota {q}");
                if *w == 0.0 {
                    assert_eq!(*o, 0);
                }
            }
        }
    }
}
