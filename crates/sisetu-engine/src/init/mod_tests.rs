#![allow(clippy::unwrap_used, reason = "tests")]

use super::survey::crs_from_values;
use super::*;
use sisetu_io::crs::Crs;

#[test]
fn the_crs_shows_in_the_values() {
    let at = |x: f64, y: f64, mid: Option<f64>| crs_from_values(Some((x, y)), mid);
    assert_eq!(at(121.4, 28.6, None), (Some(Crs::Cgcs2000), "init.crs_lonlat"));
    assert_eq!(at(28.6, 121.4, None).0, None, "swapped columns are not a CRS");
    // Zone 40 (120°E) with its number: EPSG:4528; 6° zone 21 (123°E) with its number: EPSG:4499.
    assert_eq!(at(40_512_345.0, 3_170_000.0, None).0.unwrap().to_string(), "EPSG:4528");
    assert_eq!(at(21_512_345.0, 3_170_000.0, None).0.unwrap().to_string(), "EPSG:4499");
    // Without its number the zone is the districts' (121.1°E: cm 120°E, EPSG:4549), else unknown.
    assert_eq!(at(512_345.0, 3_170_000.0, Some(121.1)).0.unwrap().to_string(), "EPSG:4549");
    assert_eq!(at(512_345.0, 3_170_000.0, None), (None, "init.crs_unknown"));
    // 13.5e6 m is Web Mercator at 121.3°E or the numbered 6° zone 13 (75°E): the districts decide.
    assert_eq!(at(13_500_000.0, 3_300_000.0, Some(121.1)).0, Some(Crs::WebMercator));
    assert_eq!(at(13_500_000.0, 4_300_000.0, Some(76.0)).0.unwrap().to_string(), "EPSG:4491");
    assert_eq!(at(13_500_000.0, 3_300_000.0, None).0, None);
    assert_eq!(crs_from_values(None, None).0, None);
}

fn survey_with(grades: &[(&str, u64, LabelKind)]) -> Survey {
    Survey {
        dir: "/x".into(),
        title: "台州市2024年企业安全风险普查汇总表".into(),
        districts: None,
        grids: None,
        sites: Vec::new(),
        grade_labels: grades
            .iter()
            .map(|(l, n, k)| GradeSeen { label: (*l).to_string(), count: *n, kind: *k })
            .collect(),
        skipped: Vec::new(),
    }
}

#[test]
fn ambiguous_grades_are_asked_for_never_guessed() {
    use sisetu_core::RiskLevel;
    let s = survey_with(&[
        ("A", 10, LabelKind::NeedsMapping),
        ("重大风险", 3, LabelKind::Level(RiskLevel::Red)),
        ("未评定", 1, LabelKind::Unknown),
    ]);
    let text = render(&s, Lang::Zh);
    assert!(text.contains("[grades]\n\"A\" = \"?\"\n\"未评定\" = \"?\"\n"), "{text}");
    assert!(!text.contains("\"重大风险\" = "), "a label sisetu reads is not mapped again:\n{text}");
    let parsed: toml::Table = text.parse().unwrap();
    assert_eq!(parsed["project"]["title"].as_str(), Some("台州市2024年企业安全风险普查汇总表"));
    assert_eq!(parsed["maps"].as_array().unwrap().len(), 4);
    let todo = to_do(&s, Lang::En);
    assert!(todo.iter().any(|t| t.contains("A, 未评定")), "{todo:?}");
    assert!(render(&s, Lang::En).contains("[grades]"));
}

#[test]
fn a_title_row_becomes_a_map_title() {
    use super::survey::map_title;
    assert_eq!(map_title("台州市2024年企业安全风险普查汇总表"), "台州市2024年企业安全风险普查四色图");
    assert_eq!(map_title("聊城市风险点清单"), "聊城市风险点四色图");
    assert_eq!(map_title("乌鲁木齐市安全风险分布图"), "乌鲁木齐市安全风险分布图");
}

#[test]
fn a_residents_column_gives_the_map_per_10000_residents() {
    let mut s = survey_with(&[]);
    let zone = |population: Option<&str>| ZoneDraft {
        file: "区县.shp".into(),
        features: 9,
        fields: vec!["区划代码".into(), "名称".into(), "常住人口".into()],
        id: Some("区划代码".into()),
        name: Some("名称".into()),
        person: None,
        population: population.map(Into::into),
        crs: Some(Crs::Cgcs2000),
        mid_lon: Some(121.1),
    };
    s.districts = Some(zone(Some("常住人口")));
    let text = render(&s, Lang::Zh);
    let parsed: toml::Table = text.parse().unwrap();
    assert_eq!(parsed["districts"].get("population").and_then(|v| v.as_str()), Some("常住人口"), "{text}");
    let maps = parsed["maps"].as_array().unwrap();
    assert!(maps.iter().any(|m| m.get("classes").and_then(|c| c.as_str()) == Some("per_10k")), "{maps:?}");
    // Without the column: no population key, no such map; a grid layer never gets one.
    s.districts = Some(zone(None));
    s.grids = Some(zone(Some("常住人口")));
    let parsed: toml::Table = render(&s, Lang::En).parse().unwrap();
    assert!(parsed["districts"].get("population").is_none() && parsed["management_grid"].get("population").is_none());
    assert!(!parsed["maps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.get("classes").and_then(|c| c.as_str()) == Some("per_10k")));
}
