use super::*;
use sisetu_i18n::Lang;

fn input(file: &str, rows: u64) -> InputReport {
    InputReport {
        file: file.into(),
        sha256: String::new(),
        encoding: None,
        rows_read: rows,
        accepted: rows,
        rejected: 0,
        warnings: Vec::new(),
    }
}

/// A layer with 1,000 residents, `covered` of them covered and `area` m² of shelter.
fn layer(covered: f64, area: f64, meeting: Option<(usize, usize)>) -> LayerReport {
    let total =
        AreaFigures { population: 1000.0, covered, uncovered: 1000.0 - covered, area_m2: area, ..Default::default() };
    LayerReport {
        id: "shelter".into(),
        title: "应急避难场所".into(),
        input: input("shelters.csv", 3),
        candidates: None,
        townships: None,
        classes: BTreeMap::new(),
        target_m2_per_person: meeting.map(|_| 2.0),
        coverage_target: None,
        coverage: total.coverage(),
        m2_per_resident: total.m2_per_resident(),
        total,
        districts_meeting_target: meeting,
        facilities_full: 0,
        siting: Vec::new(),
        townships_without: None,
        outputs: Vec::new(),
    }
}

fn report(layers: Vec<LayerReport>, without_population: Vec<String>) -> CoverageReport {
    CoverageReport {
        population: PopulationReport {
            method: String::new(),
            inputs: vec![input("population.csv", 8)],
            total: 1000.0,
            outside_districts: 0.0,
            units: 10,
            cell_size_m: 250.0,
            districts_without_population: without_population,
            notes: Vec::new(),
        },
        layers,
    }
}

#[test]
fn targets_met_are_no_problem() {
    let mut l = layer(1000.0, 2500.0, Some((8, 8)));
    l.coverage_target = Some(0.9);
    assert!(problems(&report(vec![l], Vec::new()), Lang::En).is_empty());
    // No target, no problem, whatever the figures.
    assert!(problems(&report(vec![layer(0.0, 0.0, None)], Vec::new()), Lang::En).is_empty());
}

#[test]
fn a_layer_below_its_m2_target_is_a_problem() {
    let p = problems(&report(vec![layer(700.0, 560.0, Some((1, 8)))], Vec::new()), Lang::En);
    assert_eq!(
        p,
        vec![
            "shelter (应急避难场所): 0.56 m² per resident against a target of 2; 7 of 8 districts below it".to_string()
        ]
    );
    // Met overall but not in every district: still a problem.
    let p = problems(&report(vec![layer(700.0, 2500.0, Some((7, 8)))], Vec::new()), Lang::En);
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("2.50 m² per resident") && p[0].contains("1 of 8 districts below it"), "{p:?}");
}

#[test]
fn a_layer_below_its_coverage_target_is_a_problem() {
    let mut l = layer(697.0, 0.0, None);
    l.id = "fire_station".into();
    l.title = "消防站".into();
    l.coverage_target = Some(0.9);
    let p = problems(&report(vec![l], Vec::new()), Lang::En);
    assert_eq!(
        p,
        vec!["fire_station (消防站): 69.7 % of the residents within reach, below the coverage target of 90 %"]
    );
}

#[test]
fn townships_without_a_facility_and_districts_without_population_are_problems() {
    let mut l = layer(1000.0, 0.0, None);
    l.townships = Some(input("towns.geojson", 3));
    l.townships_without = Some(vec!["T2 二街道".into(), "T3 三镇".into()]);
    let p = problems(&report(vec![l], vec!["650107 达坂城区".into()]), Lang::En);
    assert_eq!(
        p,
        vec![
            "population.csv: 1 districts have no population figure and count 0 residents (650107 达坂城区)".to_string(),
            "shelter (应急避难场所): 2 of 3 townships have none (T2 二街道, T3 三镇; shelter_townships.csv)"
                .to_string(),
        ]
    );
    // Every township has one: no problem.
    let mut l = layer(1000.0, 0.0, None);
    l.townships = Some(input("towns.geojson", 3));
    l.townships_without = Some(Vec::new());
    assert!(problems(&report(vec![l], Vec::new()), Lang::En).is_empty());
}
