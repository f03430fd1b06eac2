use super::*;
use crate::coverage::tests::Rng;
use geo::line_measures::LengthMeasurable;
use geo::{Area, Coord, LineString, MultiPolygon, Polygon, Rect, Winding};

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Rect::new((x0, y0), (x1, y1)).to_polygon()])
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    LineString(points.iter().map(|&(x, y)| Coord { x, y }).collect())
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// Every figure is finite and the lists are consistent with the totals.
fn check_consistent(c: &GridCoverage) {
    for v in [c.jurisdiction_area, c.covered_area, c.share, c.outside_area, c.gap_slivers.area] {
        assert!(v.is_finite() && v >= 0.0, "{c:?}");
    }
    assert!(c.share <= 1.0);
    for p in c.gaps.iter().chain(&c.outside) {
        assert!(p.area > 0.0 && (p.area - p.geometry.unsigned_area()).abs() == 0.0);
        assert!(p.geometry.exterior().is_ccw() && p.geometry.interiors().iter().all(Winding::is_cw));
    }
    for w in c.gaps.windows(2) {
        assert!(w[0].area >= w[1].area);
    }
    for w in c.overlaps.windows(2) {
        assert!((w[0].a, w[0].b) < (w[1].a, w[1].b));
    }
    for o in &c.overlaps {
        assert!(o.a < o.b && o.area > 0.0 && !o.geometry.0.is_empty());
        assert!(close(o.area, o.geometry.unsigned_area(), 1e-12));
    }
    let outside: f64 = c.outside.iter().map(|p| p.area).sum::<f64>() + c.outside_slivers.area;
    assert!(close(outside, c.outside_area, 1e-12));
}

#[test]
fn half_and_strip_leave_one_gap() {
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &[rect(0.0, 0.0, 5.0, 10.0), rect(5.0, 0.0, 9.0, 10.0)], 0.01);
    check_consistent(&c);
    assert_eq!(c.jurisdiction_area, 100.0);
    assert_eq!(c.covered_area, 90.0);
    assert_eq!(c.share, 0.9);
    assert_eq!(c.gaps.len(), 1);
    assert_eq!(c.gaps[0].area, 10.0);
    let bb = c.gaps[0].geometry.bounding_rect().unwrap();
    assert_eq!((bb.min().x, bb.min().y, bb.max().x, bb.max().y), (9.0, 0.0, 10.0, 10.0));
    assert!(c.gaps[0].geometry.interiors().is_empty());
    assert!(c.overlaps.is_empty(), "touching grids do not overlap: {:?}", c.overlaps);
    assert_eq!(c.overlap_slivers, Slivers::default());
    assert_eq!(c.gap_slivers, Slivers::default());
    assert_eq!(c.outside_area, 0.0);
    assert!(c.outside.is_empty());
}

#[test]
fn overlapping_grids_give_one_overlap() {
    let c =
        grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &[rect(0.0, 0.0, 6.0, 10.0), rect(4.0, 0.0, 10.0, 10.0)], 0.01);
    check_consistent(&c);
    assert_eq!(c.share, 1.0);
    assert_eq!(c.covered_area, 100.0);
    assert!(c.gaps.is_empty() && c.gap_slivers.count == 0);
    assert_eq!(c.overlaps.len(), 1);
    let o = &c.overlaps[0];
    assert_eq!((o.a.get(), o.b.get(), o.area), (0, 1, 20.0));
    assert_eq!(o.geometry.0.len(), 1);
    let bb = o.geometry.bounding_rect().unwrap();
    assert_eq!((bb.min().x, bb.max().x), (4.0, 6.0));
}

#[test]
fn grid_sticking_out() {
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &[rect(-2.0, 0.0, 10.0, 10.0)], 0.01);
    check_consistent(&c);
    assert_eq!(c.share, 1.0);
    assert_eq!(c.outside_area, 20.0);
    assert_eq!(c.outside.len(), 1);
    let bb = c.outside[0].geometry.bounding_rect().unwrap();
    assert_eq!((bb.min().x, bb.max().x, bb.min().y, bb.max().y), (-2.0, 0.0, 0.0, 10.0));
    assert!(c.gaps.is_empty());
}

#[test]
fn hole_in_a_grid_is_one_gap() {
    let outer = ring(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]);
    let hole = ring(&[(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)]);
    // The hole is wound like the exterior: even–odd still makes it a hole.
    let grid = MultiPolygon(vec![Polygon::new(outer, vec![hole])]);
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &[grid], 0.01);
    check_consistent(&c);
    assert_eq!(c.covered_area, 96.0);
    assert_eq!(c.share, 0.96);
    assert_eq!(c.gaps.len(), 1);
    assert_eq!(c.gaps[0].area, 4.0);
    assert_eq!(c.gaps[0].geometry.exterior().0.len(), 5);
}

#[test]
fn gap_around_an_island_grid_has_a_hole() {
    // A district [0,10]² with only [4,6]² gridded: the gap is the square ring, one polygon
    // with one hole.
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &[rect(4.0, 4.0, 6.0, 6.0)], 0.0);
    check_consistent(&c);
    assert_eq!(c.gaps.len(), 1);
    assert_eq!(c.gaps[0].geometry.interiors().len(), 1);
    assert_eq!(c.gaps[0].area, 96.0);
    assert_eq!(c.share, 0.04);
}

#[test]
fn sliver_gaps_are_counted_not_listed() {
    let grids = [rect(0.0, 0.0, 5.0, 10.0), rect(5.001, 0.0, 10.0, 10.0)];
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &grids, 1.0);
    check_consistent(&c);
    assert!(c.gaps.is_empty(), "{:?}", c.gaps);
    assert_eq!(c.gap_slivers.count, 1);
    assert!((c.gap_slivers.area - 0.01).abs() < 1e-6, "{:?}", c.gap_slivers);
    assert!((c.share - 0.9999).abs() < 1e-8);
    // With a smaller minimum the sliver is listed.
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &grids, 0.001);
    assert_eq!(c.gaps.len(), 1);
    assert_eq!(c.gap_slivers, Slivers::default());
    // Overlap slivers: a 0.001 m wide overlap and a real one of 10 m².
    let grids = [rect(0.0, 0.0, 5.001, 10.0), rect(5.0, 0.0, 10.0, 10.0), rect(9.0, 0.0, 11.0, 10.0)];
    let c = grid_coverage(&[rect(0.0, 0.0, 10.0, 10.0)], &grids, 1.0);
    check_consistent(&c);
    assert_eq!(c.overlap_slivers.count, 1);
    assert!((c.overlap_slivers.area - 0.01).abs() < 1e-6);
    assert_eq!(c.overlaps.len(), 1);
    assert_eq!((c.overlaps[0].a.get(), c.overlaps[0].b.get(), c.overlaps[0].area), (1, 2, 10.0));
    assert_eq!(c.outside_area, 10.0);
}

#[test]
fn overlap_pieces_below_the_minimum_are_dropped_from_the_pair() {
    // Grid 1 overlaps grid 0 in a 2 × 10 strip and in a 0.001 × 1 sliver elsewhere.
    let g0 = MultiPolygon(vec![
        Rect::new((0.0, 0.0), (6.0, 10.0)).to_polygon(),
        Rect::new((20.0, 0.0), (20.001, 1.0)).to_polygon(),
    ]);
    let g1 = rect(4.0, 0.0, 30.0, 10.0);
    let c = grid_coverage(&[rect(0.0, 0.0, 30.0, 10.0)], &[g0, g1], 0.5);
    check_consistent(&c);
    assert_eq!(c.overlaps.len(), 1);
    assert_eq!(c.overlaps[0].geometry.0.len(), 1);
    assert_eq!(c.overlaps[0].area, 20.0);
    assert_eq!(c.overlap_slivers.count, 1);
    assert!((c.overlap_slivers.area - 0.001).abs() < 1e-7);
}

#[test]
fn districts_sharing_an_edge_count_once() {
    let districts = [rect(0.0, 0.0, 5.0, 10.0), rect(5.0, 0.0, 10.0, 10.0)];
    let c = grid_coverage(&districts, &[rect(0.0, 0.0, 10.0, 10.0)], 0.01);
    check_consistent(&c);
    assert_eq!(c.jurisdiction_area, 100.0);
    assert_eq!(c.share, 1.0);
    assert!(c.gaps.is_empty());
    // Overlapping districts count once as well.
    let districts = [rect(0.0, 0.0, 6.0, 10.0), rect(4.0, 0.0, 10.0, 10.0)];
    let c = grid_coverage(&districts, &[rect(0.0, 0.0, 5.0, 10.0)], 0.01);
    assert_eq!(c.jurisdiction_area, 100.0);
    assert_eq!(c.share, 0.5);
}

#[test]
fn empty_inputs() {
    let districts = [rect(0.0, 0.0, 5.0, 10.0), rect(5.0, 0.0, 10.0, 10.0), rect(20.0, 0.0, 21.0, 1.0)];
    let c = grid_coverage(&districts, &[], 0.01);
    check_consistent(&c);
    assert_eq!((c.jurisdiction_area, c.covered_area, c.share, c.outside_area), (101.0, 0.0, 0.0, 0.0));
    // One gap per part of the union: the two adjacent districts form one.
    assert_eq!(c.gaps.iter().map(|p| p.area).collect::<Vec<_>>(), vec![100.0, 1.0]);
    assert!(c.overlaps.is_empty());

    let grids = [rect(0.0, 0.0, 5.0, 10.0), rect(4.0, 0.0, 6.0, 10.0)];
    let c = grid_coverage(&[], &grids, 0.01);
    check_consistent(&c);
    assert_eq!((c.jurisdiction_area, c.covered_area, c.share, c.outside_area), (0.0, 0.0, 0.0, 60.0));
    assert!(c.gaps.is_empty());
    assert_eq!(c.outside.len(), 1);
    assert_eq!(c.overlaps.len(), 1, "overlaps outside the jurisdiction are still reported");

    let c = grid_coverage(&[], &[], 0.01);
    assert_eq!(c, grid_coverage(&[MultiPolygon(vec![])], &[MultiPolygon(vec![])], 0.01));
    assert_eq!((c.jurisdiction_area, c.share, c.outside_area), (0.0, 0.0, 0.0));
}

#[test]
fn invalid_grids_do_not_panic() {
    let district = rect(0.0, 0.0, 10.0, 10.0);
    // Bow-tie: both lobes (triangles of area 25) are covered under even–odd.
    let bowtie = MultiPolygon(vec![Polygon::new(
        ring(&[(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0), (0.0, 0.0)]),
        vec![],
    )]);
    let empty = MultiPolygon::<f64>(vec![]);
    let c = grid_coverage(std::slice::from_ref(&district), &[bowtie.clone(), empty.clone()], 0.01);
    check_consistent(&c);
    assert!(close(c.covered_area, 50.0, 1e-12), "{c:?}");
    assert!(close(c.share, 0.5, 1e-12));
    // The two uncovered triangles (top and bottom) touch the lobes only at (5, 5).
    // Two polygons (OGC: a polygon's exterior ring cannot touch itself).
    assert_eq!(c.gaps.len(), 2);
    assert!(close(c.gaps[0].area, 25.0, 1e-12) && close(c.gaps[1].area, 25.0, 1e-12));
    // Equal areas: ordered by the lower-left corner, bottom triangle (y = 0) first.
    assert_eq!(c.gaps[0].geometry.bounding_rect().unwrap().min().y, 0.0);

    let degenerate = MultiPolygon(vec![
        // Duplicate points, clockwise.
        Polygon::new(
            ring(&[(0.0, 0.0), (0.0, 0.0), (0.0, 5.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0), (0.0, 0.0)]),
            vec![],
        ),
        // Zero-area rings: collinear, two points, one point, none.
        Polygon::new(ring(&[(0.0, 0.0), (5.0, 5.0), (10.0, 10.0), (0.0, 0.0)]), vec![]),
        Polygon::new(ring(&[(1.0, 1.0), (2.0, 2.0)]), vec![]),
        Polygon::new(ring(&[(1.0, 1.0)]), vec![]),
        Polygon::new(ring(&[]), vec![ring(&[(6.0, 6.0), (7.0, 6.0), (7.0, 7.0), (6.0, 6.0)])]),
        // A NaN and an infinite vertex, dropped: the triangle (5,5) (10,5) (10,10) remains.
        Polygon::new(
            ring(&[(5.0, 5.0), (f64::NAN, 7.0), (10.0, 5.0), (f64::INFINITY, 0.0), (10.0, 10.0), (5.0, 5.0)]),
            vec![],
        ),
    ]);
    let c = grid_coverage(std::slice::from_ref(&district), &[degenerate, empty.clone(), bowtie.clone()], 0.01);
    check_consistent(&c);
    // Covered: the bow-tie (50) plus the half of [0,5]² outside its left lobe (12.5). The
    // triangle and the ring given as a hole without exterior (a region of its own under
    // even–odd) lie inside the right lobe.
    let square_outside_bowtie = 12.5;
    assert!(close(c.covered_area, 50.0 + square_outside_bowtie, 1e-12), "{c:?}");
    assert!(!c.overlaps.is_empty());

    // An invalid district: a bow-tie jurisdiction, a grid on the whole square.
    let c = grid_coverage(&[bowtie, empty], &[district], 0.01);
    check_consistent(&c);
    assert!(close(c.jurisdiction_area, 50.0, 1e-12));
    assert_eq!(c.share, 1.0);
    assert!(close(c.outside_area, 50.0, 1e-12));
}

#[test]
fn orientation_and_self_overlapping_parts() {
    let district = rect(0.0, 0.0, 10.0, 10.0);
    // A clockwise grid and a grid whose two parts overlap: the parts count once, and a
    // grid never overlaps itself.
    let cw =
        MultiPolygon(vec![Polygon::new(ring(&[(0.0, 0.0), (0.0, 10.0), (3.0, 10.0), (3.0, 0.0), (0.0, 0.0)]), vec![])]);
    let doubled = MultiPolygon(vec![
        Rect::new((2.0, 0.0), (8.0, 10.0)).to_polygon(),
        Rect::new((5.0, 0.0), (9.0, 10.0)).to_polygon(),
    ]);
    let c = grid_coverage(&[district], &[cw, doubled], 0.01);
    check_consistent(&c);
    assert_eq!(c.covered_area, 90.0);
    assert_eq!(c.overlaps.len(), 1);
    assert_eq!(c.overlaps[0].area, 10.0);
}

/// Exact areas for axis-aligned rectangles by coordinate compression: `(|J ∩ ∪R|, |∪R − J|)`.
fn rect_oracle(j: [f64; 4], rs: &[[f64; 4]]) -> (f64, f64) {
    let mut xs: Vec<f64> = rs.iter().flat_map(|r| [r[0], r[2]]).chain([j[0], j[2]]).collect();
    let mut ys: Vec<f64> = rs.iter().flat_map(|r| [r[1], r[3]]).chain([j[1], j[3]]).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    let (mut inside, mut outside) = (0.0, 0.0);
    for wx in xs.windows(2) {
        let cx = 0.5 * (wx[0] + wx[1]);
        for wy in ys.windows(2) {
            let cy = 0.5 * (wy[0] + wy[1]);
            if rs.iter().any(|r| r[0] < cx && cx < r[2] && r[1] < cy && cy < r[3]) {
                let a = (wx[1] - wx[0]) * (wy[1] - wy[0]);
                if j[0] < cx && cx < j[2] && j[1] < cy && cy < j[3] {
                    inside += a;
                } else {
                    outside += a;
                }
            }
        }
    }
    (inside, outside)
}

#[test]
fn random_rectangles_match_exact_oracle() {
    for seed in 0..20 {
        let mut r = Rng::new(seed);
        // Large projected coordinates, as in a Gauss–Krüger CRS.
        let (ox, oy) = (r.range(300_000.0, 700_000.0), r.range(4_000_000.0, 5_000_000.0));
        let j = [ox, oy, ox + 4_000.0, oy + 3_000.0];
        let n = 5 + r.below(40) as usize;
        let rs: Vec<[f64; 4]> = (0..n)
            .map(|_| {
                let (x, y) = (r.range(ox - 500.0, ox + 4_000.0), r.range(oy - 500.0, oy + 3_000.0));
                [x, y, x + r.range(10.0, 1_500.0), y + r.range(10.0, 1_000.0)]
            })
            .collect();
        let grids: Vec<MultiPolygon<f64>> = rs.iter().map(|q| rect(q[0], q[1], q[2], q[3])).collect();
        let c = grid_coverage(&[rect(j[0], j[1], j[2], j[3])], &grids, 0.0);
        check_consistent(&c);
        let (inside, outside) = rect_oracle(j, &rs);
        let total = 12_000_000.0;
        // The lattice step is at most 2^(⌈log₂ h⌉ − 29), h the half-size of the frame (the
        // bounding box of all inputs grown by 1/64 per side): about 8e-6 m here. Snapping the
        // vertices and rounding the intersection points moves an area by less than
        // perimeter × step per operation, and a result is at most three operations deep.
        let all = || rs.iter().chain(std::iter::once(&j));
        let w = all().map(|q| q[2]).fold(f64::MIN, f64::max) - all().map(|q| q[0]).fold(f64::MAX, f64::min);
        let h = all().map(|q| q[3]).fold(f64::MIN, f64::max) - all().map(|q| q[1]).fold(f64::MAX, f64::min);
        let half = 0.5 * w.max(h) * (1.0 + 2.0 / 64.0);
        let step = 2f64.powi(half.log2().ceil() as i32 - 29);
        let perimeters: f64 = rs.iter().map(|q| 2.0 * (q[2] - q[0] + q[3] - q[1])).sum::<f64>() + 14_000.0;
        let tol = 3.0 * perimeters * step;
        assert!((c.jurisdiction_area - total).abs() < tol, "seed {seed}");
        assert!((c.covered_area - inside).abs() < tol, "seed {seed}: {} vs {inside}", c.covered_area);
        assert!((c.outside_area - outside).abs() < tol, "seed {seed}: {} vs {outside}", c.outside_area);
        let gaps: f64 = c.gaps.iter().map(|p| p.area).sum::<f64>() + c.gap_slivers.area;
        assert!((gaps - (total - inside)).abs() < tol, "seed {seed}");
        assert!((c.share - inside / total).abs() < 1e-8, "seed {seed}");
        // Every pair of rectangles with a positive intersection, and no other.
        let mut want = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let w = rs[a][2].min(rs[b][2]) - rs[a][0].max(rs[b][0]);
                let h = rs[a][3].min(rs[b][3]) - rs[a][1].max(rs[b][1]);
                if w > 0.0 && h > 0.0 {
                    want.push((a, b, w * h));
                }
            }
        }
        assert_eq!(c.overlaps.len(), want.len(), "seed {seed}");
        for (o, (a, b, area)) in c.overlaps.iter().zip(want) {
            assert_eq!((o.a.get(), o.b.get()), (a, b));
            assert!((o.area - area).abs() < tol, "seed {seed} ({a}, {b}): {} vs {area}", o.area);
        }
    }
}

/// The 乌鲁木齐市 county polygons (GCJ-02 degrees) roughly projected to metres.
fn urumqi_districts() -> Vec<MultiPolygon<f64>> {
    use geo::MapCoords;
    let kx = 43.8f64.to_radians().cos() * 111_320.0;
    crate::test_data::urumqi_districts_degrees()
        .iter()
        .map(|mp| mp.map_coords(|c| Coord { x: c.x * kx, y: c.y * 110_540.0 }))
        .collect()
}

#[test]
fn real_urumqi_districts_as_grids() {
    let districts = urumqi_districts();
    assert_eq!(districts.len(), 8);
    // Timing for the module docs: the best of five runs (run with --release --test-threads=1).
    let mut best = std::time::Duration::MAX;
    let mut c = grid_coverage(&districts, &districts, 100.0);
    for _ in 0..5 {
        let start = std::time::Instant::now();
        c = grid_coverage(&districts, &districts, 100.0);
        best = best.min(start.elapsed());
    }
    eprintln!(
        "乌鲁木齐 8 districts × 8 grids: {best:?}; |D| = {:.1} km², share = {}, gap slivers {:?}, overlap slivers \
         {:?}, outside {:?}",
        c.jurisdiction_area / 1e6,
        c.share,
        c.gap_slivers,
        c.overlap_slivers,
        c.outside_slivers
    );
    check_consistent(&c);
    assert!(c.jurisdiction_area > 13_000e6 && c.jurisdiction_area < 15_000e6, "{}", c.jurisdiction_area);
    assert!(c.share >= 0.999_999, "{}", c.share);
    assert!(c.gaps.is_empty(), "{:?}", c.gaps.iter().map(|p| p.area).collect::<Vec<_>>());
    assert!(c.gap_slivers.area < c.jurisdiction_area * 1e-6);
    assert!(c.overlaps.is_empty(), "{:?}", c.overlaps.iter().map(|o| (o.a, o.b, o.area)).collect::<Vec<_>>());
    assert!(c.outside.is_empty() && c.outside_area < c.jurisdiction_area * 1e-6);
    // The shared lattice keeps shared boundaries shared: not even slivers (with a lattice per
    // operation there were 474 overlap slivers, 6.8 m² in all).
    assert_eq!((c.gap_slivers.count, c.overlap_slivers.count, c.outside_slivers.count), (0, 0, 0));
    assert_eq!(c.share, 1.0);

    // Without one district: it is the one big gap.
    for k in [0, 7] {
        let grids: Vec<MultiPolygon<f64>> =
            districts.iter().enumerate().filter(|&(i, _)| i != k).map(|(_, d)| d.clone()).collect();
        let c = grid_coverage(&districts, &grids, 100.0);
        check_consistent(&c);
        let dk = districts[k].unsigned_area();
        let want = 1.0 - dk / c.jurisdiction_area;
        eprintln!(
            "without district {k}: share {} vs {want} (rel {:.1e}); gap {} vs {dk} (rel {:.1e}); slivers {:?}",
            c.share,
            (c.share - want).abs() / want,
            c.gaps[0].area,
            (c.gaps[0].area - dk).abs() / dk,
            c.gap_slivers
        );
        assert!((c.share - want).abs() <= want * 1e-9, "{} vs {want}", c.share);
        assert_eq!(c.gaps.len(), 1, "{:?}", c.gaps.iter().map(|p| p.area).collect::<Vec<_>>());
        // The gap went through the snapping of three overlays (step 2⁻¹³ m for a city
        // 200 km wide) while `dk` is the area of the input: allow 3 × perimeter × step
        // (about 6e-8 relative; measured 6e-9).
        let perimeter: f64 = districts[k].0.iter().map(|p| p.exterior().length(&geo::Euclidean)).sum();
        let tol = 3.0 * perimeter * 2f64.powi(-13);
        assert!((c.gaps[0].area - dk).abs() <= tol, "{} vs {dk} (tolerance {tol})", c.gaps[0].area);
        assert!(c.gap_slivers.area < tol);
    }
}

#[test]
fn same_result_for_any_thread_count() {
    let districts = urumqi_districts();
    // Grids: the districts cut into 3 × 3 overlapping blocks of their bounding boxes, so there
    // are gaps, overlaps and spill-over.
    let mut grids = Vec::new();
    for d in &districts {
        let bb = d.bounding_rect().unwrap();
        let (w, h) = (bb.width() / 3.0, bb.height() / 3.0);
        for i in 0..3 {
            for j in 0..3 {
                if (i + j) % 4 != 3 {
                    let (x, y) = (bb.min().x + i as f64 * w, bb.min().y + j as f64 * h);
                    grids.push(rect(x - 0.1 * w, y, x + 1.05 * w, y + 0.9 * h));
                }
            }
        }
    }
    grids.push(MultiPolygon(vec![]));
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| grid_coverage(&districts, &grids, 1_000.0))
    };
    let one = run(1);
    check_consistent(&one);
    assert!(!one.gaps.is_empty() && !one.overlaps.is_empty() && !one.outside.is_empty());
    for threads in [4, 2] {
        let many = run(threads);
        let bits = |c: &GridCoverage| {
            let mut v = vec![c.jurisdiction_area, c.covered_area, c.share, c.outside_area];
            v.extend(c.gaps.iter().map(|p| p.area));
            v.extend(c.overlaps.iter().map(|o| o.area));
            v.extend(c.outside.iter().map(|p| p.area));
            v.extend([c.gap_slivers.area, c.overlap_slivers.area, c.outside_slivers.area]);
            v.into_iter().map(f64::to_bits).collect::<Vec<u64>>()
        };
        assert_eq!(bits(&one), bits(&many));
        assert!(one == many, "{threads} threads differ");
    }
}

/// Even–odd membership of a point in one polygon (all its rings together), the semantics of
/// the module docs, by crossing counts over the finite vertices of each ring.
fn in_polygon_even_odd(p: &Polygon<f64>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        let v: Vec<Coord<f64>> = ring.0.iter().copied().filter(|c| c.x.is_finite() && c.y.is_finite()).collect();
        for i in 0..v.len() {
            let (a, b) = (v[i], v[(i + 1) % v.len()]);
            if (a.y > y) != (b.y > y) && x < a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x) {
                inside = !inside;
            }
        }
    }
    inside
}

fn garbage_polygon(r: &mut Rng) -> Polygon<f64> {
    let random_ring = |r: &mut Rng| {
        let n = r.below(12) as usize;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|_| {
                // Snap some vertices to a coarse grid so that duplicates and collinear runs occur.
                let (x, y) = (r.range(0.0, 100.0), r.range(0.0, 100.0));
                if r.below(2) == 0 {
                    ((x / 25.0).round() * 25.0, (y / 25.0).round() * 25.0)
                } else {
                    (x, y)
                }
            })
            .collect();
        if r.below(4) != 0 && !pts.is_empty() {
            pts.push(pts[0]);
        }
        pts
    };
    let pts = random_ring(r);
    let holes =
        (0..r.below(3))
            .map(|_| {
                if r.below(2) == 0 {
                    ring(&pts.iter().rev().copied().collect::<Vec<_>>())
                } else {
                    ring(&random_ring(r))
                }
            })
            .collect();
    Polygon::new(ring(&pts), holes)
}

#[test]
fn random_garbage_never_panics_and_follows_even_odd() {
    for seed in 0..40 {
        let mut r = Rng::new(1000 + seed);
        let districts: Vec<MultiPolygon<f64>> = (0..1 + r.below(3))
            .map(|_| MultiPolygon((0..r.below(3)).map(|_| garbage_polygon(&mut r)).collect()))
            .collect();
        let mut grids: Vec<MultiPolygon<f64>> =
            (0..r.below(8)).map(|_| MultiPolygon((0..r.below(4)).map(|_| garbage_polygon(&mut r)).collect())).collect();
        if seed % 5 == 0 {
            // A stray vertex far away (degrees among metres): coarse, but no panic.
            grids.push(rect(-1e7, -1e7, -1e7 + 1.0, -1e7 + 1.0));
        }
        let c = grid_coverage(&districts, &grids, 0.5);
        check_consistent(&c);
        // |D ∩ G| + |D − G| = |D| up to the lattice (see the module docs): 3 × perimeter × step.
        let lattice = Lattice::new(districts.iter().chain(&grids));
        let Some(frame) = lattice.frame else { continue };
        let half = 0.5 * (frame.0[1].x - frame.0[0].x).max(frame.0[1].y - frame.0[0].y);
        let step = 2f64.powi(half.log2().ceil() as i32 - 29);
        let perimeter: f64 = districts
            .iter()
            .chain(&grids)
            .flat_map(|mp| mp.0.iter())
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.length(&geo::Euclidean))
            .sum();
        let gaps: f64 = c.gaps.iter().map(|p| p.area).sum::<f64>() + c.gap_slivers.area;
        let err = (c.covered_area + gaps - c.jurisdiction_area).abs();
        assert!(err <= 3.0 * perimeter * step, "seed {seed}: {err} vs {} (step {step}): {c:?}", 3.0 * perimeter * step);
        if seed >= 10 {
            continue;
        }
        // Independent check of the semantics: sample the 100 × 100 square at 400 × 400 cell
        // centres (off the coarse 25 m lattice of the vertices). Boundary cells err by at most
        // a cell each, with random signs: up to about 8 m² on these long garbage boundaries;
        // a lost or doubled hole (the orientation bug this caught) is 30–50 m².
        let n = 400;
        let cell = 100.0 / n as f64;
        let in_any = |set: &[MultiPolygon<f64>], x: f64, y: f64| {
            set.iter().any(|mp| mp.0.iter().any(|p| in_polygon_even_odd(p, x, y)))
        };
        // Integer counts per column, summed in order: exact whatever the thread count.
        let counts: Vec<[usize; 3]> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut k = [0usize; 3];
                for j in 0..n {
                    let (x, y) = ((i as f64 + 0.5) * cell + 0.0123, (j as f64 + 0.5) * cell + 0.0071);
                    let (in_d, in_g) = (in_any(&districts, x, y), in_any(&grids, x, y));
                    k[0] += in_d as usize;
                    k[1] += (in_d && in_g) as usize;
                    k[2] += (in_g && !in_d) as usize;
                }
                k
            })
            .collect();
        let (d, dg, gd) = counts.iter().fold((0, 0, 0), |(a, b, c), k| (a + k[0], b + k[1], c + k[2]));
        let a = cell * cell;
        for (what, got, want) in [
            ("|D|", c.jurisdiction_area, d as f64 * a),
            ("|D ∩ G|", c.covered_area, dg as f64 * a),
            ("|G − D|", c.outside_area, gd as f64 * a),
        ] {
            assert!((got - want).abs() < 30.0, "seed {seed} {what}: {got} vs sampled {want}");
        }
    }
}
