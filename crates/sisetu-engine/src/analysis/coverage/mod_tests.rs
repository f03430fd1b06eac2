//! The analysis through its traits, as the pipeline uses it: load → inputs → run → section,
//! lines, warnings, problems → write → draw, on a small project in EPSG:4538 metres.

use super::*;
use crate::census::{Census, Tallies};
use crate::observer::Silent;
use sisetu_io::reject::{EmptyAxes, RejectReason as R};
use std::path::Path;

const X0: f64 = 500_000.0;
const Y0: f64 = 4_850_000.0;

fn square(id: &str, name: &str, x: f64, s: f64) -> String {
    let (a, b, c, d) = (X0 + x, Y0, X0 + x + s, Y0 + s);
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", features.join(",\n"))
}

const PROJECT: &str = r#"
[project]
title = "coverage unit test"
working_crs = "EPSG:4538"
[districts]
path = "districts.geojson"
crs = "EPSG:4538"
[style]
dpi = 40
[population]
table = "population.csv"
cell_size_m = 100
[[facilities]]
id = "shelter"
path = "shelters.csv"
crs = "EPSG:4538"
target_m2_per_person = 1.0
[facilities.siting]
count = 2
class = "紧急"
candidates = "candidates.csv"
crs = "EPSG:4538"
[[facilities]]
id = "fire_station"
kind = "service"
title = "消防站"
path = "fire.csv"
crs = "EPSG:4538"
radius_m = 1000
coverage_target = 0.9
[facilities.townships]
path = "towns.geojson"
crs = "EPSG:4538"
"#;

/// Districts A, B (side by side) and C (far east); C has no population row, Z is no
/// district; one shelter has an unknown class and one candidate no coordinates.
fn fixture(dir: &Path, project: &str) -> Config {
    let w = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    w(
        "districts.geojson",
        collection(&[
            square("A", "甲区", 0.0, 1000.0),
            square("B", "乙区", 1000.0, 1000.0),
            square("C", "丙区", 10_000.0, 1000.0),
        ]),
    );
    w("population.csv", "区划代码,区县,人口数_合计\nA,甲区,1000\nB,乙区,500\nZ,不存在区,3\n".into());
    let (x, y) = (|m: f64| X0 + m, |m: f64| Y0 + m);
    w(
        "shelters.csv",
        format!(
            "名称,类别,有效面积,容纳人数,x,y\n中心广场,紧急,300,,{},{}\n体育场,固定,1000,,{},{}\n小学操场,紧急,80,50,{},{}\n临时点,临时,500,,{},{}\n",
            x(500.0), y(500.0), x(1500.0), y(500.0), x(100.0), y(900.0), x(300.0), y(300.0)
        ),
    );
    w("candidates.csv", format!("名称,x,y\n候选一,{},{}\n坏点,,\n", x(700.0), y(100.0)));
    w("fire.csv", format!("名称,x,y\n一中队,{},{}\n", x(0.0), y(500.0)));
    w("towns.geojson", collection(&[square("T1", "一街道", 0.0, 1000.0), square("T2", "二街道", 10_000.0, 1000.0)]));
    std::fs::write(dir.join("sisetu.toml"), project).unwrap();
    Config::load(&dir.join("sisetu.toml")).unwrap().with_lang(Lang::En)
}

fn districts_of(cfg: &Config) -> ZoneLayer {
    let (spec, crs) = &cfg.districts;
    crate::layers::load_zone_layer(spec, *crs, cfg.working_crs.fixed().unwrap()).unwrap()
}

fn load_ctx<'a>(cfg: &'a Config, districts: &'a ZoneLayer, out: &'a Path) -> LoadContext<'a> {
    LoadContext { cfg, work: cfg.working_crs.fixed().unwrap(), districts, grids: None, out_dir: out }
}

#[test]
fn a_project_without_facilities_has_no_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = fixture(dir.path(), PROJECT);
    cfg.facilities.clear();
    let districts = districts_of(&cfg);
    assert!(load(&load_ctx(&cfg, &districts, dir.path()), &Silent).unwrap().is_none());
}

#[test]
fn every_input_row_is_accepted_or_rejected_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture(dir.path(), PROJECT);
    let districts = districts_of(&cfg);
    let analysis = load(&load_ctx(&cfg, &districts, dir.path()), &Silent).unwrap().unwrap();
    assert_eq!(analysis.name(), "coverage");
    let inputs = analysis.inputs();
    let files: Vec<&str> = inputs.iter().map(|i| Path::new(i.file).file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(files, ["population.csv", "shelters.csv", "candidates.csv", "fire.csv", "towns.geojson"]);
    for i in &inputs {
        assert_eq!(i.rows_read, i.accepted + i.rejects.len() as u64, "{}", i.file);
    }
    let read: Vec<(u64, u64)> = inputs.iter().map(|i| (i.rows_read, i.accepted)).collect();
    assert_eq!(read, [(3, 2), (4, 3), (2, 1), (1, 1), (2, 2)]);
    let reason = |k: usize| (inputs[k].rejects[0].line, inputs[k].rejects[0].reason.to_string());
    let (line, why) = reason(0);
    assert_eq!(line, 4);
    assert!(why.starts_with("district code Z matches no district in "), "{why}");
    let (line, why) = reason(1);
    assert_eq!(line, 5);
    assert!(why.starts_with("unknown class '临时' (类别); known classes: 中心, 固定, 紧急"), "{why}");
    assert_eq!(reason(2), (3, "missing coordinates: 'x' and 'y' are empty".to_string()));
    // The reasons are typed: the kind of problem, not only its text.
    assert!(matches!(&inputs[0].rejects[0].reason, R::UnknownCode { what: "district", code, .. } if code == "Z"));
    assert!(matches!(&inputs[1].rejects[0].reason, R::UnknownValue { what: "class", fix: Some(_), .. }));
    assert!(matches!(&inputs[2].rejects[0].reason, R::MissingCoordinates { empty: EmptyAxes::Both, .. }));
}

#[test]
fn findings_report_write_and_draw_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture(dir.path(), PROJECT);
    let districts = districts_of(&cfg);
    let out = dir.path().join("out");
    let analysis = load(&load_ctx(&cfg, &districts, &out), &Silent).unwrap().unwrap();
    let census = Census {
        layers: Vec::new(),
        files: Vec::new(),
        placed: Vec::new(),
        duplicates: Default::default(),
        streamed: None,
    };
    let tallies = Tallies::default();
    let ctx = Context {
        cfg: &cfg,
        work: cfg.working_crs.fixed().unwrap(),
        districts: &districts,
        grids: None,
        census: &census,
        tallies: &tallies,
        out_dir: &out,
    };
    let findings = analysis.run(&ctx, &Silent).unwrap();

    let section = findings.section().unwrap();
    assert_eq!(section["population"]["total"], 1500.0);
    assert_eq!(section["population"]["districts_without_population"][0], "C 丙区");
    let shelter = &section["layers"][0];
    assert_eq!(shelter["total"]["population"], 1500.0);
    assert_eq!(shelter["candidates"]["rejected"], 1);
    assert_eq!(shelter["districts_meeting_target"], serde_json::json!([1, 2]), "B has 2 m², A 0.38 m² a resident");
    assert_eq!(section["layers"][1]["townships_without"], serde_json::json!(["T2 二街道"]));

    let lines = findings.lines();
    assert!(
        lines[0].starts_with("shelter (应急避难场所): 3 facilities (1 rejected), 1500 residents; covered "),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "  m² per resident: 0.92 overall against a target of 1; 1 of 2 districts meet it (below: 甲区 0.38)"
        )),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "  townships without any: 1 of 2 (T2 二街道)"), "{lines:?}");
    assert_eq!(
        findings.warnings(),
        ["district C 丙区 has no row in the population table: it counts 0 residents (add its figure to cover it)"]
    );
    let problems = findings.problems();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(
        problems[0].ends_with("population.csv: 1 districts have no population figure and count 0 residents (C 丙区)")
    );
    assert!(
        problems[1].starts_with("shelter (应急避难场所): 0.92 m² per resident against a target of 1; 1 of 2 districts")
    );
    assert!(problems[2].starts_with("fire_station (消防站): "), "{problems:?}");
    assert!(problems[3].starts_with("fire_station (消防站): 1 of 2 townships have none (T2 二街道; "), "{problems:?}");

    let mut stage = Staging::new(&out).unwrap();
    let written = findings.write(&ctx, &mut stage).unwrap();
    let drawn = findings.draw(&ctx, &mut stage).unwrap();
    stage.commit().unwrap();
    let listed = |k: usize| -> Vec<String> {
        section["layers"][k]["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    };
    let (shelter_files, fire_files) = (listed(0), listed(1));
    assert_eq!(shelter_files[..3], ["shelters.geojson", "shelter_summary.csv", "shelter_summary.xlsx"]);
    assert_eq!(
        fire_files[..5],
        [
            "fire_stations.geojson",
            "fire_station_summary.csv",
            "fire_station_summary.xlsx",
            "fire_station_townships.csv",
            "fire_station_townships.xlsx"
        ]
    );
    let mut all: Vec<&String> = shelter_files.iter().chain(&fire_files).collect();
    all.sort();
    let mut made: Vec<&String> =
        written.iter().chain(&drawn).filter(|f| !f.starts_with("coverage_gaps") && !f.starts_with("siting")).collect();
    made.sort();
    assert_eq!(all, made, "the report lists exactly the files written");
    assert_eq!(written[written.len() - 2..], ["coverage_gaps.geojson", "siting.geojson"]);
    assert!(
        drawn.contains(&"shelter_coverage.png".to_string()) && drawn.contains(&"fire_station_coverage.pgw".to_string())
    );
    for f in written.iter().chain(&drawn) {
        assert!(out.join(f).is_file(), "{f} was not written");
    }
}
