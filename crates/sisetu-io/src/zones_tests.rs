use super::*;
use geo::polygon;
use sisetu_core::Zone;

#[test]
fn shapefile_rings_become_polygons_with_holes() {
    let outer = vec![(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0), (0.0, 0.0)];
    let hole = vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)];
    let island = vec![(20.0, 20.0), (20.0, 21.0), (21.0, 21.0), (21.0, 20.0), (20.0, 20.0)];
    // The hole is listed after the island: it must still attach to the shell containing it.
    let mp = shp_polygon(vec![(outer, true), (island, true), (hole, false)].into_iter());
    assert_eq!(mp.0.len(), 2);
    assert_eq!(mp.0[0].interiors().len(), 1);
    assert_eq!(mp.0[1].interiors().len(), 0);
}

#[test]
fn validity_finds_crossings_and_accepts_clean_polygons() {
    let square = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)];
    let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
    let zones =
        vec![Zone::new("ok", "ok", MultiPolygon(vec![square])), Zone::new("bow", "bow", MultiPolygon(vec![bowtie]))];
    let problems = validate_zones(&zones);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "bow");
    assert!(problems[0].1.contains("(1.000000, 1.000000)"), "{}", problems[0].1);
}

#[test]
fn validity_finds_flat_rings_and_holes_outside_their_shell() {
    let flat = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 2., y: 0.)];
    let outer = LineString::from(vec![(0., 0.), (10., 0.), (10., 10.), (0., 10.), (0., 0.)]);
    let inside = LineString::from(vec![(4., 4.), (6., 4.), (6., 6.), (4., 6.), (4., 4.)]);
    let outside = LineString::from(vec![(14., 4.), (16., 4.), (16., 6.), (14., 6.), (14., 4.)]);
    let zones = vec![
        Zone::new("flat", "flat", MultiPolygon(vec![flat])),
        Zone::new("hole_in", "ok", MultiPolygon(vec![Polygon::new(outer.clone(), vec![inside])])),
        Zone::new("hole_out", "bad", MultiPolygon(vec![Polygon::new(outer, vec![outside])])),
    ];
    let problems = validate_zones(&zones);
    let ids: Vec<&str> = problems.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["flat", "hole_out"], "{problems:?}");
    assert!(problems[0].1.contains("zero area"), "{}", problems[0].1);
    assert!(problems[1].1.contains("hole 1 lies outside its exterior ring"), "{}", problems[1].1);
}
