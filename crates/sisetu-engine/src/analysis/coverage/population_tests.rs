use super::*;
use crate::analysis::coverage::testkit::{layer, rect};
use geo::MultiPolygon;
use sisetu_core::Zone;

/// Districts 650102 (0–1000 m) and 650103 (1000–2000 m), 100 m cells.
fn districts() -> ZoneLayer {
    layer(vec![
        rect("650102", "天山区", 0.0, 0.0, 1000.0, 1000.0),
        rect("650103", "沙依巴克区", 1000.0, 0.0, 1000.0, 1000.0),
    ])
}

fn table_input(figures: Vec<Option<Figure>>, weights: Option<Vec<WeightPoint>>) -> PopulationInput {
    PopulationInput {
        grid: RegularGrid::new(100.0).unwrap(),
        rows: PopulationRows::Table {
            file: "population.csv".into(),
            figures,
            weights: weights.map(|w| ("weights.csv".to_string(), w)),
        },
        files: Vec::new(),
        missing: Vec::new(),
        method: String::new(),
        method_zh: String::new(),
    }
}

fn figure(persons: u64) -> Option<Figure> {
    Some(Figure { persons, line: 2 })
}

fn persons_of(pop: &Population, d: u32) -> f64 {
    pop.units.iter().filter(|u| u.district == Some(ZoneIdx::new(d))).map(|u| u.population).sum()
}

#[test]
fn statistical_codes_name_their_county() {
    let d = districts();
    assert_eq!(find_district(&d, "650102"), Some(0));
    assert_eq!(find_district(&d, " 650103 "), Some(1));
    assert_eq!(find_district(&d, "650103000000"), Some(1), "a 12-digit code of the county");
    assert_eq!(find_district(&d, "650102000"), Some(0), "a 9-digit code of the county");
    assert_eq!(find_district(&d, "650102001000"), None, "a township of the county is not the county");
    assert_eq!(find_district(&d, "65010"), None);
    assert_eq!(find_district(&d, ""), None);
}

#[test]
fn a_table_is_spread_uniformly_in_whole_persons_that_add_up() {
    let d = districts();
    let pop = spread(&table_input(vec![figure(1000), figure(333)], None), &d).unwrap();
    assert_eq!(pop.by_district, vec![1000.0, 333.0]);
    assert_eq!(pop.total(), 1333.0);
    assert_eq!(persons_of(&pop, 0), 1000.0);
    assert_eq!(persons_of(&pop, 1), 333.0);
    assert!(pop.units.iter().all(|u| u.population.fract() == 0.0 && u.population > 0.0));
    // 1000 persons over 100 equal cells: 10 each.
    assert!(pop.units.iter().filter(|u| u.district == Some(ZoneIdx::new(0))).all(|u| u.population == 10.0));
    // 333 over 100 equal cells: 3 or 4 each.
    assert!(pop
        .units
        .iter()
        .filter(|u| u.district == Some(ZoneIdx::new(1)))
        .all(|u| u.population == 3.0 || u.population == 4.0));
    assert!(pop.units.windows(2).all(|w| w[0].district <= w[1].district), "ordered by district");
    assert!(pop.notes.is_empty());
}

#[test]
fn weights_place_the_persons_and_a_district_without_weight_falls_back_to_area() {
    let d = districts();
    let w = |x, y, weight| WeightPoint { x, y, weight };
    // 3 : 1 in the first district, one point outside every district, none in the second.
    let points = vec![w(150.0, 150.0, 3.0), w(850.0, 850.0, 1.0), w(5000.0, 5000.0, 7.0)];
    let pop = spread(&table_input(vec![figure(1000), figure(200)], Some(points)), &d).unwrap();
    let in_first: Vec<(CellId, f64)> =
        pop.units.iter().filter(|u| u.district == Some(ZoneIdx::new(0))).map(|u| (u.cell, u.population)).collect();
    assert_eq!(in_first.len(), 2, "only the cells with weight get persons: {in_first:?}");
    let persons_in = |x, y| in_first.iter().find(|(c, _)| *c == pop.grid.cell_of(x, y)).map(|(_, p)| *p);
    assert_eq!(persons_in(150.0, 150.0), Some(750.0), "in proportion to the weights");
    assert_eq!(persons_in(850.0, 850.0), Some(250.0));
    assert_eq!(persons_of(&pop, 1), 200.0);
    assert_eq!(pop.units.iter().filter(|u| u.district == Some(ZoneIdx::new(1))).count(), 100, "spread by area");
    assert_eq!(pop.notes.len(), 2, "{:?}", pop.notes);
    assert_eq!(pop.notes[0], "weights.csv: 1 weight points lie outside every district and weigh nothing");
    assert!(pop.notes[1].starts_with("district 650103 沙依巴克区 has no weight"), "{}", pop.notes[1]);
}

#[test]
fn a_district_without_a_figure_counts_zero() {
    let d = districts();
    let pop = spread(&table_input(vec![figure(10), None], None), &d).unwrap();
    assert_eq!(pop.by_district, vec![10.0, 0.0]);
    assert_eq!(persons_of(&pop, 1), 0.0);
}

#[test]
fn persons_in_a_district_without_area_are_an_error() {
    let mut zones = districts().work;
    zones.push(Zone::new("650104", "新市区", MultiPolygon(Vec::new())));
    let d = layer(zones);
    let e = spread(&table_input(vec![figure(10), figure(0), Some(Figure { persons: 5, line: 4 })], None), &d)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "population.csv: line 4: district 650104 has 5 persons but no area to spread them over; check its polygon"
    );
    // Without persons it is no problem.
    spread(&table_input(vec![figure(10), figure(0), figure(0)], None), &d).unwrap();
}

#[test]
fn points_are_taken_as_they_are() {
    let d = districts();
    let p = |x, y, persons| PopulationPoint { x, y, persons };
    let input = PopulationInput {
        rows: PopulationRows::Points(vec![
            p(500.0, 500.0, 100.0),
            p(1900.0, 500.0, 40.0),
            p(5000.0, 0.0, 60.0),
            p(10.0, 10.0, 0.0),
        ]),
        ..table_input(Vec::new(), None)
    };
    let pop = spread(&input, &d).unwrap();
    assert_eq!(pop.by_district, vec![100.0, 40.0]);
    assert_eq!(pop.outside, 60.0);
    assert_eq!(pop.total(), 200.0);
    assert_eq!(pop.units.len(), 3, "a point of 0 persons is no demand");
    assert_eq!(pop.units[2].district, None);
    assert_eq!((pop.units[0].x, pop.units[0].y), (500.0, 500.0));
}
