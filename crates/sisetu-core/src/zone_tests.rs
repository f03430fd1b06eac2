use super::*;
use geo::{polygon, MultiPolygon};

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]
}

fn zone(id: &str, polys: Vec<Polygon<f64>>) -> Zone {
    Zone::new(id, id, MultiPolygon(polys))
}

/// A 3×3 checkerboard of unit squares: every interior edge and vertex is shared.
fn checkerboard() -> Vec<Zone> {
    let mut zones = Vec::new();
    for r in 0..3 {
        for c in 0..3 {
            let (x, y) = (c as f64, r as f64);
            zones.push(zone(&format!("{c}{r}"), vec![square(x, y, x + 1.0, y + 1.0)]));
        }
    }
    zones
}

#[test]
fn shared_edges_and_vertices_go_to_exactly_one_zone() {
    let zones = checkerboard();
    let index = ZoneIndex::new(&zones);
    // Points on every shared edge and vertex of the inner grid.
    for i in 1..6 {
        for j in 1..6 {
            let (x, y) = (i as f64 * 0.5, j as f64 * 0.5);
            let owners: Vec<usize> = zones
                .iter()
                .enumerate()
                .filter(|(_, z)| ZoneIndex::new(std::slice::from_ref(*z)).locate(x, y).is_some())
                .map(|(k, _)| k)
                .collect();
            assert_eq!(owners.len(), 1, "point ({x}, {y}) owned by {owners:?}");
            assert_eq!(index.locate(x, y), Some(owners[0] as u32));
        }
    }
    // The rule: right of a vertical edge, above a horizontal one.
    assert_eq!(index.locate(1.0, 0.5), Some(1)); // zone "10"
    assert_eq!(index.locate(0.5, 1.0), Some(3)); // zone "01"
    assert_eq!(index.locate(1.0, 1.0), Some(4)); // zone "11"
}

#[test]
fn holes_and_islands() {
    let donut = polygon!(
        exterior: [(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
        interiors: [[(x: 4., y: 4.), (x: 6., y: 4.), (x: 6., y: 6.), (x: 4., y: 6.)]],
    );
    let island = square(20.0, 20.0, 21.0, 21.0);
    let zones = vec![zone("a", vec![donut, island]), zone("hole", vec![square(4.0, 4.0, 6.0, 6.0)])];
    let index = ZoneIndex::new(&zones);
    assert_eq!(index.locate(1.0, 1.0), Some(0));
    assert_eq!(index.locate(5.0, 5.0), Some(1));
    assert_eq!(index.locate(20.5, 20.5), Some(0));
    assert_eq!(index.locate(15.0, 15.0), None);
    assert_eq!(index.position(0, 5.0, 5.0), Position::Outside);
    assert_eq!(index.position(0, 4.0, 5.0), Position::Boundary);
    assert_eq!(index.position(0, 20.5, 20.5), Position::Inside);
    assert_eq!(index.covering(4.0, 5.0), vec![0, 1]);
}

#[test]
fn overlap_goes_to_first_zone_in_layer_order() {
    let zones = vec![zone("b", vec![square(0.0, 0.0, 2.0, 2.0)]), zone("a", vec![square(1.0, 1.0, 3.0, 3.0)])];
    let index = ZoneIndex::new(&zones);
    assert_eq!(index.locate(1.5, 1.5), Some(0));
    assert_eq!(index.locate(2.5, 2.5), Some(1));
}

#[test]
fn non_finite_and_degenerate_input() {
    let zones = vec![
        zone("empty", vec![Polygon::new(LineString::new(vec![]), vec![])]),
        zone("flat", vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 2., y: 0.)]]),
        zone("ok", vec![square(0.0, 0.0, 1.0, 1.0)]),
    ];
    let index = ZoneIndex::new(&zones);
    assert_eq!(index.locate(f64::NAN, 0.5), None);
    assert_eq!(index.locate(0.5, f64::INFINITY), None);
    assert_eq!(index.locate(0.5, 0.5), Some(2));
    assert_eq!(index.locate(0.5, 0.0), Some(2));
    assert_eq!(index.len(), 3);
}

#[test]
fn self_intersecting_polygon_is_deterministic() {
    // A bow tie: even-odd gives the two triangles, never a panic.
    let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
    let index = ZoneIndex::new(&[zone("bow", vec![bowtie])]);
    assert_eq!(index.locate(0.2, 1.0), Some(0));
    assert_eq!(index.locate(1.0, 0.2), None);
    assert_eq!(index.locate(1.8, 1.0), Some(0));
}

#[test]
fn many_vertices_agree_with_brute_force() {
    // A star polygon with many vertices, checked against an unindexed crossing test.
    let n = 2000;
    let pts: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = if i % 2 == 0 { 10.0 } else { 6.0 + (i % 7) as f64 * 0.3 };
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let poly = Polygon::new(LineString::from(pts.clone()), vec![]);
    let index = ZoneIndex::new(&[zone("star", vec![poly])]);
    let brute = |px: f64, py: f64| {
        let mut inside = false;
        for i in 0..n {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            let e = Edge::new(geo::coord! {x: a.0, y: a.1}, geo::coord! {x: b.0, y: b.1});
            if e.crosses(px, py) {
                inside = !inside;
            }
        }
        inside
    };
    let mut k = 0u64;
    for i in 0..200 {
        for j in 0..200 {
            let (x, y) = (-11.0 + i as f64 * 0.11, -11.0 + j as f64 * 0.11);
            let got = index.locate(x, y).is_some();
            assert_eq!(got, brute(x, y), "({x}, {y})");
            k += got as u64;
        }
    }
    assert!(k > 10_000);
    let all: Vec<[f64; 2]> = (0..1000).map(|i| [i as f64 * 0.01, 0.3]).collect();
    let par = index.locate_all(&all);
    assert_eq!(par, all.iter().map(|p| index.locate(p[0], p[1])).collect::<Vec<_>>());
}

#[test]
fn raster_shortcut_agrees_with_the_full_test() {
    // A wiggly multi-zone layer big enough to get a raster, probed densely, including
    // points exactly on vertices and edges.
    let mut zones = Vec::new();
    for k in 0..4 {
        let x0 = k as f64 * 10.0;
        let mut ring = vec![(x0, 0.0)];
        for i in 0..=100 {
            let y = i as f64 * 0.4;
            ring.push((x0 + 10.0 + if i % 2 == 0 { 0.7 } else { -0.7 }, y));
        }
        ring.push((x0, 40.0));
        zones.push(zone(&k.to_string(), vec![Polygon::new(LineString::from(ring), vec![])]));
    }
    let index = ZoneIndex::new(&zones);
    assert!(index.raster.is_some());
    for i in 0..=500 {
        for j in 0..=200 {
            let (x, y) = (-2.0 + i as f64 * 0.1, -1.0 + j as f64 * 0.21);
            assert_eq!(index.locate(x, y), index.locate_slow(x, y), "({x}, {y})");
        }
    }
    for z in &zones {
        for c in &z.geometry.0[0].exterior().0 {
            assert_eq!(index.locate(c.x, c.y), index.locate_slow(c.x, c.y), "vertex {c:?}");
        }
    }
}
