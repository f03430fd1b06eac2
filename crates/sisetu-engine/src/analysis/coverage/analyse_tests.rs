use super::*;
use crate::analysis::coverage::facilities::{FacilityRow, Geometry84, Townships};
use crate::analysis::coverage::input::InputFile;
use crate::analysis::coverage::report::InputReport;
use crate::analysis::coverage::testkit::{facility_config, layer, rect};
use crate::project::facilities::{FacilityConfig, FacilityKind, SitingConfig};
use sisetu_core::coverage::Facility;
use sisetu_core::RegularGrid;

/// Origin of the fixtures in EPSG:4538 metres (a valid place for the WGS84 conversions).
const X0: f64 = 500_000.0;
const Y0: f64 = 4_850_000.0;

fn work() -> Crs {
    "EPSG:4538".parse().unwrap()
}

/// Districts A (0–1000 m) and B (1000–2000 m) east of the origin.
fn districts() -> ZoneLayer {
    layer(vec![rect("A", "甲区", X0, Y0, 1000.0, 1000.0), rect("B", "乙区", X0 + 1000.0, Y0, 1000.0, 1000.0)])
}

/// 10 persons per 100 m cell centre in A, 5 in B, in district, row, column order.
fn population() -> Population {
    let grid = RegularGrid::new(100.0).unwrap();
    let mut units = Vec::new();
    for (d, persons) in [(0u32, 10.0), (1, 5.0)] {
        for row in 0..10 {
            for col in 0..10 {
                let (x, y) = (X0 + f64::from(d) * 1000.0 + col as f64 * 100.0 + 50.0, Y0 + row as f64 * 100.0 + 50.0);
                units.push(Unit {
                    cell: grid.cell_of(x, y),
                    district: Some(ZoneIdx::new(d)),
                    x,
                    y,
                    population: persons,
                });
            }
        }
    }
    Population { units, grid, by_district: vec![1000.0, 500.0], outside: 0.0, notes: Vec::new() }
}

/// A layer of point facilities (x, y from the origin, capacity, area).
fn facility_layer(fc: FacilityConfig, points: &[(f64, f64, f64, Option<f64>)]) -> FacilityLayer {
    let radius = fc.radius_m.unwrap();
    let rows: Vec<FacilityRow> = points
        .iter()
        .enumerate()
        .map(|(i, &(x, y, capacity, area_m2))| FacilityRow {
            line: i as u64 + 2,
            name: format!("f{i}"),
            class: String::new(),
            area_m2,
            capacity,
            capacity_given: true,
            radius_m: radius,
            wgs84: Geometry84::Point(0.0, 0.0),
            anchor: (X0 + x, Y0 + y),
        })
        .collect();
    let facilities = points.iter().map(|&(x, y, c, _)| Facility::point(X0 + x, Y0 + y, radius, c)).collect();
    let n = points.len() as u64;
    let report = InputReport {
        file: "f.csv".into(),
        sha256: String::new(),
        encoding: None,
        rows_read: n,
        accepted: n,
        rejected: 0,
        warnings: Vec::new(),
    };
    FacilityLayer {
        config: fc,
        rows,
        facilities,
        file: InputFile { report, rejects: Vec::new() },
        has_area: false,
        has_capacity: true,
        candidates: None,
        townships: None,
    }
}

/// (covered, served, without room) per unit and the load per facility, by brute force: all
/// (distance, unit, facility) pairs within reach, nearest first.
fn brute_force(pop: &Population, layer: &FacilityLayer) -> (Vec<bool>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut pairs = Vec::new();
    for (i, u) in pop.units.iter().enumerate() {
        for (j, f) in layer.facilities.iter().enumerate() {
            let d = f.distance(u.x, u.y);
            if d <= f.radius {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut left: Vec<f64> = pop.units.iter().map(|u| u.population).collect();
    let mut room: Vec<f64> = layer.facilities.iter().map(|f| f.capacity).collect();
    let mut covered = vec![false; pop.units.len()];
    let mut load = vec![0.0; layer.facilities.len()];
    for &(_, i, j) in &pairs {
        covered[i] = true;
        let m = left[i].min(room[j]);
        left[i] -= m;
        room[j] -= m;
        load[j] += m;
    }
    let served: Vec<f64> = pop.units.iter().zip(&left).map(|(u, l)| u.population - l).collect();
    let without: Vec<f64> = left.iter().zip(&covered).map(|(l, c)| if *c { *l } else { 0.0 }).collect();
    (covered, served, without, load)
}

#[test]
fn figures_equal_a_brute_force_computation() {
    let (districts, pop) = (districts(), population());
    let fc = facility_config("shelter", FacilityKind::Shelter, 300.0);
    // One small shelter in A, one in B near the boundary reaching into A, one outside both.
    let layer = facility_layer(
        fc,
        &[(500.0, 500.0, 120.0, Some(300.0)), (1100.0, 500.0, 60.0, Some(50.0)), (5000.0, 0.0, 9.0, None)],
    );
    let res = analyse(&layer, &pop, &districts, work()).unwrap();
    let (covered, served, without, load) = brute_force(&pop, &layer);
    assert_eq!(res.covered, covered);
    assert_eq!(res.load, load);
    assert_eq!(res.without_room, without);
    for (d, f) in res.districts.iter().enumerate() {
        let units = || pop.units.iter().enumerate().filter(|(_, u)| u.district.map(ZoneIdx::get) == Some(d));
        assert_eq!(f.population, units().map(|(_, u)| u.population).sum::<f64>());
        assert_eq!(f.covered, units().filter(|(i, _)| covered[*i]).map(|(_, u)| u.population).sum::<f64>());
        assert_eq!(f.served, units().map(|(i, _)| served[i]).sum::<f64>());
        assert_eq!(f.without_room, units().map(|(i, _)| without[i]).sum::<f64>());
        assert_eq!(f.served + f.without_room + f.uncovered, f.population, "nothing is lost in {d}");
    }
    assert_eq!(res.total.population, 1500.0);
    assert_eq!(res.facility_district, vec![Some(ZoneIdx::new(0)), Some(ZoneIdx::new(1)), None]);
    assert_eq!((res.districts[0].facilities, res.districts[1].facilities, res.outside.facilities), (1, 1, 1));
    assert_eq!(res.districts[0].area_m2, 300.0);
    assert_eq!(res.total.capacity, 189.0);
    // Both reachable shelters are full; the one outside reaches nobody.
    assert_eq!(res.facilities_full(&layer), 2);
    assert_eq!(res.in_reach[2], 0.0);
    // The gap cells hold exactly the uncovered and the without-room persons.
    let gap = |f: fn(&GapCell) -> f64| res.gap_cells.iter().map(f).sum::<f64>();
    assert_eq!(gap(|g| g.uncovered), res.total.uncovered);
    assert_eq!(gap(|g| g.without_room), res.total.without_room);
    let keys: Vec<(i64, i64)> = res.gap_cells.iter().map(|g| (-g.cell.row, g.cell.col)).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "north to south, west to east");
    assert!(res.siting.is_empty() && res.townships.is_none());
}

#[test]
fn siting_on_cell_centres_picks_the_largest_gap_first() {
    let (districts, pop) = (districts(), population());
    let mut fc = facility_config("fire_station", FacilityKind::Service, 400.0);
    fc.siting = Some(SitingConfig { count: 3, radius_m: 120.0, class: None, candidates: None });
    // Covers A's west; B (5 a cell) and A's east (10 a cell) are uncovered.
    let layer = facility_layer(fc, &[(0.0, 500.0, f64::INFINITY, None)]);
    let res = analyse(&layer, &pop, &districts, work()).unwrap();
    assert_eq!(res.siting.len(), 3);
    let first = &res.siting[0];
    // A 120 m circle on a cell centre reaches 5 centres (itself and its 4 neighbours); the
    // best such circle lies wholly in A's uncovered part: 5 × 10 persons.
    assert_eq!(first.pick.gain, 50.0);
    assert_eq!(first.district, Some(ZoneIdx::new(0)));
    assert!(first.name.starts_with("网格中心 100m_"), "{}", first.name);
    assert_eq!(first.line, 0);
    assert!(first.lonlat.0 > 80.0 && first.lonlat.0 < 90.0, "{:?}", first.lonlat);
    assert!(res.siting.windows(2).all(|w| w[0].pick.gain >= w[1].pick.gain));
    assert_eq!(res.siting[2].pick.cumulative, res.siting.iter().map(|s| s.pick.gain).sum::<f64>());
    // Unlimited facilities leave nobody without room.
    assert_eq!(res.total.without_room, 0.0);
    assert_eq!(res.facilities_full(&layer), 0);
}

#[test]
fn townships_count_their_facilities() {
    let (districts, pop) = (districts(), population());
    let fc = facility_config("reserve_depot", FacilityKind::Service, 100.0);
    let mut layer = facility_layer(fc, &[(100.0, 100.0, f64::INFINITY, None), (200.0, 800.0, f64::INFINITY, None)]);
    let towns = layer_of_towns();
    layer.townships = Some(Townships { layer: towns, report: layer.file.report.clone() });
    let res = analyse(&layer, &pop, &districts, work()).unwrap();
    let rows = res.townships.unwrap();
    let got: Vec<(&str, &str, u64)> = rows.iter().map(|t| (t.id.as_str(), t.district.as_str(), t.facilities)).collect();
    assert_eq!(got, vec![("T1", "A", 2), ("T2", "B", 0), ("T3", "", 0)]);
}

/// T1: the west half of A; T2: B; T3: far east, in no district.
fn layer_of_towns() -> ZoneLayer {
    layer(vec![
        rect("T1", "一街道", X0, Y0, 500.0, 1000.0),
        rect("T2", "二街道", X0 + 1000.0, Y0, 1000.0, 1000.0),
        rect("T3", "三镇", X0 + 10_000.0, Y0, 1000.0, 1000.0),
    ])
}

#[test]
fn population_that_does_not_add_up_is_an_internal_error() {
    let (districts, mut pop) = (districts(), population());
    pop.by_district[1] += 1.0;
    let layer = facility_layer(facility_config("s", FacilityKind::Service, 100.0), &[(0.0, 0.0, 1.0, None)]);
    let e = analyse(&layer, &pop, &districts, work()).unwrap_err().to_string();
    assert!(e.starts_with("internal error: population 1500 in units but 1501 read"), "{e}");
}
