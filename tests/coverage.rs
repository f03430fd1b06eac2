//! End-to-end tests of facility coverage (`[population]` + `[[facilities]]`): a hand-built
//! fixture in EPSG:4538 metres whose every figure is recomputed here by brute force (all
//! pairs), bad input, and the demo's m² per resident recomputed from its input files.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

/// Origin of the fixture in EPSG:4538 (CGCS2000 / 3° Gauss-Krüger CM 87E) metres.
const X0: f64 = 500_000.0;
const Y0: f64 = 4_850_000.0;

fn square(id: &str, name: &str, x: f64, y: f64, s: f64) -> String {
    rect(id, name, x, y, s, s)
}

/// A w × h rectangle feature with its south-west corner at (x, y) metres from the origin.
fn rect(id: &str, name: &str, x: f64, y: f64, w: f64, h: f64) -> String {
    let (a, b, c, d) = (X0 + x, Y0 + y, X0 + x + w, Y0 + y + h);
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}"#
    )
}

/// A (0–1000 m), B (1000–2000 m) side by side, C far east (10–11 km).
fn districts() -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{},\n{}\n]}}\n",
        square("A", "甲区", 0.0, 0.0, 1000.0),
        square("B", "乙区", 1000.0, 0.0, 1000.0),
        square("C", "丙区", 10_000.0, 0.0, 1000.0)
    )
}

const POPULATION: &str = "区划代码,区县,人口数_合计\nA,甲区,1000\nB,乙区,500\nC,丙区,200\n";

/// (name, class, area m², capacity, x, y) in metres from (X0, Y0).
const SHELTERS: [(&str, &str, f64, &str, f64, f64); 3] = [
    ("中心广场", "紧急", 300.0, "", 500.0, 500.0),
    ("体育场", "固定避难场所", 1000.0, "", 1500.0, 500.0),
    ("小学操场", "紧急", 80.0, "50", 100.0, 900.0),
];

fn shelters_csv(extra: &str) -> String {
    let mut s = String::from("名称,类别,有效面积,容纳人数,x,y\n");
    for (n, c, a, cap, x, y) in SHELTERS {
        s.push_str(&format!("{n},{c},{a},{cap},{},{}\n", X0 + x, Y0 + y));
    }
    s.push_str(extra);
    s
}

const PROJECT: &str = r#"
[project]
title = "coverage test"
working_crs = "EPSG:4538"
[districts]
path = "districts.geojson"
crs = "EPSG:4538"
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
"#;

struct Run {
    code: i32,
    stderr: String,
    stdout: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let r = common::sisetu(dir, args);
    Run { code: r.code, stderr: r.stderr, stdout: r.stdout }
}

fn fixture(dir: &Path, project: &str, population: &str, shelters: &str) {
    std::fs::write(dir.join("districts.geojson"), districts()).unwrap();
    std::fs::write(dir.join("population.csv"), population).unwrap();
    std::fs::write(dir.join("shelters.csv"), shelters).unwrap();
    std::fs::write(dir.join("sisetu.toml"), project).unwrap();
}

fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("CSV outputs start with a BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

fn features(path: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["features"].as_array().unwrap().clone()
}

/// The expected figures, from first principles: 100 m cells, each district's persons spread
/// evenly (10 per cell in A, 5 in B, 2 in C), demand points at the cell centres, reach when
/// distance ≤ radius, and the nearest-first rule over all (distance, demand, shelter) pairs
/// with demand in district, row, column order.
struct Expected {
    population: [f64; 3],
    covered: [f64; 3],
    served: [f64; 3],
    without_room: [f64; 3],
    load: [f64; 3],
}

fn expected() -> Expected {
    let mut demand = Vec::new(); // (district, x, y, persons)
    for (d, (x0, persons)) in [(0.0, 10.0), (1000.0, 5.0), (10_000.0, 2.0)].iter().enumerate() {
        for row in 0..10 {
            for col in 0..10 {
                demand.push((d, x0 + col as f64 * 100.0 + 50.0, row as f64 * 100.0 + 50.0, *persons));
            }
        }
    }
    // radius, capacity: 紧急 500 m and 1 m² a person; 固定 2000 m and 2 m²; the capacity column wins.
    let shelters = [(500.0, 500.0, 500.0, 300.0), (1500.0, 500.0, 2000.0, 500.0), (100.0, 900.0, 500.0, 50.0)];
    let mut pairs = Vec::new();
    for (i, &(_, x, y, _)) in demand.iter().enumerate() {
        for (j, &(sx, sy, r, _)) in shelters.iter().enumerate() {
            let d2: f64 = (x - sx) * (x - sx) + (y - sy) * (y - sy);
            if d2 <= r * r {
                pairs.push((d2.sqrt(), i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut left: Vec<f64> = demand.iter().map(|d| d.3).collect();
    let mut room: Vec<f64> = shelters.iter().map(|s| s.3).collect();
    let mut e =
        Expected { population: [0.0; 3], covered: [0.0; 3], served: [0.0; 3], without_room: [0.0; 3], load: [0.0; 3] };
    let mut reached = vec![false; demand.len()];
    for &(_, i, j) in &pairs {
        reached[i] = true;
        let m = left[i].min(room[j]);
        left[i] -= m;
        room[j] -= m;
        e.load[j] += m;
        e.served[demand[i].0] += m;
    }
    for (i, d) in demand.iter().enumerate() {
        e.population[d.0] += d.3;
        if reached[i] {
            e.covered[d.0] += d.3;
            e.without_room[d.0] += left[i];
        }
    }
    e
}

#[test]
fn figures_equal_a_brute_force_computation() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), PROJECT, POPULATION, &shelters_csv(""));
    let r = run(dir.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    let out = dir.path().join("out");
    let e = expected();
    let rows = csv_rows(&out.join("shelter_summary.csv"));
    assert_eq!(rows.len(), 4, "three districts and the total");
    let f = |v: &str| v.parse::<f64>().unwrap();
    for (k, row) in rows.iter().take(3).enumerate() {
        assert_eq!(f(&row["population"]), e.population[k], "{row:?}");
        assert_eq!(f(&row["covered"]), e.covered[k], "{row:?}");
        assert_eq!(f(&row["served"]), e.served[k], "{row:?}");
        assert_eq!(f(&row["without_room"]), e.without_room[k], "{row:?}");
        assert_eq!(f(&row["uncovered"]), e.population[k] - e.covered[k], "{row:?}");
    }
    // m² per resident by hand: A has 300 + 80 m² for 1000 persons, B 1000 m² for 500, C none.
    assert_eq!(rows[0]["area_m2"], "380");
    assert_eq!(rows[0]["m2_per_resident"], "0.380");
    assert_eq!(rows[0]["target_met"], "no");
    assert_eq!(rows[1]["m2_per_resident"], "2.000");
    assert_eq!(rows[1]["target_met"], "yes");
    assert_eq!(rows[2]["facilities"], "0");
    let total = &rows[3];
    assert_eq!(f(&total["population"]), 1700.0, "population adds up to the table");
    assert_eq!(f(&total["served"]) + f(&total["without_room"]) + f(&total["uncovered"]), 1700.0);
    assert_eq!(f(&total["capacity"]), 850.0);

    // Each shelter's load.
    let feats = features(&out.join("shelters.geojson"));
    assert_eq!(feats.len(), 3);
    for (j, feat) in feats.iter().enumerate() {
        assert_eq!(feat["properties"]["load"].as_f64().unwrap(), e.load[j], "{feat}");
    }
    assert_eq!(feats[2]["properties"]["capacity_source"], "column");
    assert_eq!(feats[0]["properties"]["capacity"].as_f64(), Some(300.0));
    assert_eq!(feats[1]["properties"]["class"], "固定", "固定避难场所 is the class 固定");

    // Gap cells: C's 100 cells are uncovered; the over-capacity cells hold the without-room persons.
    let gaps = features(&out.join("coverage_gaps.geojson"));
    let sum = |key: &str| gaps.iter().map(|g| g["properties"][key].as_f64().unwrap()).sum::<f64>();
    assert_eq!(sum("uncovered"), 200.0);
    assert_eq!(sum("without_room"), e.without_room.iter().sum::<f64>());
    assert_eq!(gaps.iter().filter(|g| g["properties"]["district_id"] == "C").count(), 100);

    // Siting: the first pick covers C's 200 persons? A 500 m circle holds at most 79 cells of C.
    let picks = features(&out.join("siting.geojson"));
    assert_eq!(picks.len(), 2);
    let gain0 = picks[0]["properties"]["gain"].as_f64().unwrap();
    let gain1 = picks[1]["properties"]["gain"].as_f64().unwrap();
    assert!(gain0 >= gain1 && gain1 > 0.0);
    // Brute force: the best 500 m circle centred on a cell centre of C covers at most 81 cells.
    let mut best = 0.0f64;
    for cx in 0..10 {
        for cy in 0..10 {
            let (px, py) = (cx as f64 * 100.0 + 50.0, cy as f64 * 100.0 + 50.0);
            let mut n = 0.0;
            for x in 0..10 {
                for y in 0..10 {
                    let (qx, qy) = (x as f64 * 100.0 + 50.0, y as f64 * 100.0 + 50.0);
                    if (px - qx).powi(2) + (py - qy).powi(2) <= 250_000.0 {
                        n += 2.0;
                    }
                }
            }
            best = best.max(n);
        }
    }
    assert_eq!(gain0, best);
    assert!(dir.path().join("out/shelter_coverage.png").exists());

    // report.json carries the same totals and the input hashes.
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let layer = &report["coverage"]["layers"][0];
    assert_eq!(layer["total"]["population"].as_f64(), Some(1700.0));
    assert_eq!(layer["input"]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(report["coverage"]["population"]["total"].as_f64(), Some(1700.0));
}

#[test]
fn adding_a_shelter_never_lowers_coverage() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), PROJECT, POPULATION, &shelters_csv(""));
    assert_eq!(run(dir.path(), &["build", "sisetu.toml", "-q"]).code, 0);
    let before = csv_rows(&dir.path().join("out/shelter_summary.csv"));
    let extra = format!("新公园,紧急,900,,{},{}\n", X0 + 10_500.0, Y0 + 500.0);
    fixture(dir.path(), PROJECT, POPULATION, &shelters_csv(&extra));
    assert_eq!(run(dir.path(), &["build", "sisetu.toml", "-q"]).code, 0);
    let after = csv_rows(&dir.path().join("out/shelter_summary.csv"));
    for (b, a) in before.iter().zip(&after) {
        let (b, a): (f64, f64) = (b["covered"].parse().unwrap(), a["covered"].parse().unwrap());
        assert!(a >= b);
    }
    assert!(after[2]["covered"].parse::<f64>().unwrap() > 0.0, "丙区 now has a shelter");
}

#[test]
fn bad_rows_are_rejected_with_their_reason_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let bad_shelters = shelters_csv(&format!(
        "无面积,紧急,,,{x},{y}\n临时点,临时,500,,{x},{y}\n负容量,紧急,500,-3,{x},{y}\n无坐标,紧急,500,,,\n",
        x = X0 + 300.0,
        y = Y0 + 300.0
    ));
    let population = "区划代码,区县,人口数_合计\nA,甲区,1000\nB,乙区,-5\nZ,不存在区,300\nC,丙区,\nA,甲区,7\n";
    fixture(dir.path(), PROJECT, population, &bad_shelters);
    let r = run(dir.path(), &["build", "sisetu.toml", "--strict"]);
    assert_eq!(r.code, 1, "rows were rejected under --strict\n{}", r.stderr);
    let rejects = std::fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    for needle in [
        "shelters.csv,5,no effective area",
        "shelters.csv,6,\"unknown class '临时'",
        "shelters.csv,7,capacity '-3' is not",
        "shelters.csv,8,missing coordinates: 'x' and 'y' are empty",
        "population.csv,3,negative population",
        "population.csv,4,\"district code Z matches no district",
        "population.csv,5,missing population",
        "population.csv,6,district A already has a population on line 2",
    ] {
        assert!(rejects.contains(needle), "rejects.csv lacks {needle:?}:\n{rejects}");
    }
    // B and C have no usable figure: warned about, counted as 0.
    assert!(r.stderr.contains("district B 乙区 has no row") || r.stderr.contains("B 乙区"), "{}", r.stderr);
    let rows = csv_rows(&dir.path().join("out/shelter_summary.csv"));
    assert_eq!(rows[3]["population"], "1000", "only A's 1,000 persons were read");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap()).unwrap();
    let pop = &report["coverage"]["population"];
    assert_eq!(pop["inputs"][0]["rows_read"], 5);
    assert_eq!(pop["inputs"][0]["rejected"], 4);
    assert_eq!(report["coverage"]["layers"][0]["input"]["rejected"], 4);
    assert_eq!(report["coverage"]["layers"][0]["input"]["accepted"], 3);
}

#[test]
fn configuration_errors_name_the_fix() {
    let cases: [(&str, &str); 5] = [
        ("kind = \"bunker\"\n", "kind = \"bunker\""),
        ("[facilities.classes.\"紧急\"]\nradius_m = -5\nm2_per_person = 1\n", "radius_m = -5"),
        ("[facilities.classes.\"Ⅰ类\"]\nradius_m = 5000\n", "needs m2_per_person"),
        ("coverage_target = 70\n", "coverage_target = 70"),
        ("id = \"x\"\n", "duplicate key"),
    ];
    for (extra, needle) in cases {
        let dir = tempfile::tempdir().unwrap();
        let project = PROJECT.replace("target_m2_per_person = 1.0\n", &format!("target_m2_per_person = 1.0\n{extra}"));
        fixture(dir.path(), &project, POPULATION, &shelters_csv(""));
        let r = run(dir.path(), &["build", "sisetu.toml"]);
        assert_eq!(r.code, 2, "{extra}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{extra}: stderr lacks {needle:?}: {}", r.stderr);
        assert!(!dir.path().join("out").exists(), "a failed run writes nothing");
    }
    // Facilities without population.
    let dir = tempfile::tempdir().unwrap();
    let project = PROJECT.replace("[population]\ntable = \"population.csv\"\ncell_size_m = 100\n", "");
    fixture(dir.path(), &project, POPULATION, &shelters_csv(""));
    let r = run(dir.path(), &["build", "sisetu.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs a [population] section"), "{}", r.stderr);
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), PROJECT, POPULATION, &shelters_csv(""));
    assert_eq!(run(dir.path(), &["build", "sisetu.toml", "-q", "--threads", "1", "--out", "one"]).code, 0);
    assert_eq!(run(dir.path(), &["build", "sisetu.toml", "-q", "--threads", "2", "--out", "two"]).code, 0);
    for f in
        ["shelters.geojson", "shelter_summary.csv", "coverage_gaps.geojson", "siting.geojson", "shelter_coverage.png"]
    {
        let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

/// The demo's m² per resident, recomputed by hand from its input files: each shelter row
/// with a usable area and a known class is placed in the district polygon containing it
/// (geo's `Contains`, in the files' own GCJ-02 degrees, independent of sisetu's index and
/// projections), its areas are summed per district and divided by the census figure.
#[test]
fn demo_m2_per_resident_by_hand() {
    use geo::Contains;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/urumqi");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(&root, &["build", "sisetu.toml", "-q", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let gj: geojson::GeoJson = std::fs::read_to_string(root.join("districts.geojson")).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else { panic!() };
    let districts: Vec<(String, geo::Geometry<f64>)> = fc
        .features
        .iter()
        .map(|f| {
            (
                f.property("adcode").unwrap().as_str().unwrap().to_string(),
                f.geometry.clone().unwrap().try_into().unwrap(),
            )
        })
        .collect();
    let mut population: BTreeMap<String, f64> = BTreeMap::new();
    for row in csv_rows_plain(&root.join("population_2020.csv")) {
        population.insert(row["区划代码"].clone(), row["人口数_合计"].parse().unwrap());
    }
    let mut area: BTreeMap<String, f64> = BTreeMap::new();
    let mut used = 0;
    for row in csv_rows_plain(&root.join("shelters.csv")) {
        let Ok(a) = row["有效面积"].parse::<f64>() else { continue };
        if !["紧急", "固定", "中心"].contains(&row["类别"].as_str()) {
            continue;
        }
        let p = geo::Point::new(row["经度"].parse().unwrap(), row["纬度"].parse().unwrap());
        let (id, _) = districts.iter().find(|(_, g)| g.contains(&p)).expect("every demo shelter lies in a district");
        *area.entry(id.clone()).or_default() += a;
        used += 1;
    }
    assert_eq!(used, 158, "160 rows, 2 deliberately bad");
    let rows = csv_rows(&out.join("shelter_summary.csv"));
    for row in rows.iter().take(8) {
        let id = &row["district_id"];
        let want = area.get(id).copied().unwrap_or(0.0) / population[id];
        assert_eq!(row["m2_per_resident"], format!("{want:.3}"), "{id}");
        assert_eq!(row["population"], format!("{}", population[id]));
    }
    assert_eq!(rows[8]["population"], "4054369");
}

/// A CSV file with a header (BOM optional) as maps of header → value.
fn csv_rows_plain(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

/// Fire stations (radius + coverage target) and reserve depots (one per township) use the
/// same analysis with `kind = "service"`; population points instead of a table; a GeoJSON
/// polygon shelter measured to its edge.
#[test]
fn service_layers_townships_points_and_polygons() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("districts.geojson"), districts()).unwrap();
    // Population points: 100 persons at A's centre, 40 in B's east, 60 outside every district.
    let pts = format!(
        "x,y,人口\n{},{},100\n{},{},40\n{},{},60\n{},{},-1\n",
        X0 + 500.0,
        Y0 + 500.0,
        X0 + 1900.0,
        Y0 + 500.0,
        X0 + 5000.0,
        Y0 + 500.0,
        X0 + 10.0,
        Y0 + 10.0
    );
    std::fs::write(dir.path().join("pop.csv"), pts).unwrap();
    // One fire station at A's west edge with a 1,000 m radius: reaches A's centre only.
    std::fs::write(dir.path().join("fire.csv"), format!("名称,x,y\n一中队,{},{}\n", X0, Y0 + 500.0)).unwrap();
    // Two depots, both in township T1 (the west half of A); T2 and T3 have none.
    std::fs::write(
        dir.path().join("depots.csv"),
        format!("名称,x,y\n甲库,{},{}\n乙库,{},{}\n", X0 + 100.0, Y0 + 100.0, X0 + 200.0, Y0 + 800.0),
    )
    .unwrap();
    let towns = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{},{},{}]}}",
        rect("T1", "一街道", 0.0, 0.0, 500.0, 1000.0),
        square("T2", "二街道", 500.0, 0.0, 1000.0),
        square("T3", "三镇", 10_000.0, 0.0, 1000.0)
    );
    std::fs::write(dir.path().join("towns.geojson"), towns).unwrap();
    // A park polygon 100 m east of B's population point's reach test: 1,950–2,050 m.
    let park = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"名称":"滨河公园","类别":"紧急","有效面积":"5,000"}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}]}}"#,
        a = X0 + 2300.0,
        b = Y0 + 400.0,
        c = X0 + 2400.0,
        d = Y0 + 600.0
    );
    std::fs::write(dir.path().join("parks.geojson"), park).unwrap();
    let project = r#"
[project]
title = "service test"
working_crs = "EPSG:4538"
[districts]
path = "districts.geojson"
crs = "EPSG:4538"
[population]
points = "pop.csv"
crs = "EPSG:4538"
[[facilities]]
id = "fire_station"
kind = "service"
title = "消防站"
path = "fire.csv"
crs = "EPSG:4538"
radius_m = 1000
coverage_target = 0.7
[[facilities]]
id = "reserve_depot"
kind = "service"
title = "应急物资储备库"
path = "depots.csv"
crs = "EPSG:4538"
radius_m = 100
[facilities.townships]
path = "towns.geojson"
crs = "EPSG:4538"
[[facilities]]
id = "park"
path = "parks.geojson"
crs = "EPSG:4538"
"#;
    std::fs::write(dir.path().join("sisetu.toml"), project).unwrap();
    let r = run(dir.path(), &["build", "sisetu.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = dir.path().join("out");
    let fire = csv_rows(&out.join("fire_station_summary.csv"));
    // A: 100 persons, covered; B: 40, not covered; outside: 60; total 200.
    assert_eq!(fire[0]["covered"], "100");
    assert_eq!(fire[0]["coverage_target_met"], "yes");
    assert_eq!(fire[1]["covered"], "0");
    assert_eq!(fire[3]["district_name"], "unassigned");
    assert_eq!(fire[3]["population"], "60");
    let total = fire.last().unwrap();
    assert_eq!(total["population"], "200");
    assert_eq!(total["coverage"], "0.5000");
    assert_eq!(total["coverage_target_met"], "no");
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("coverage target 70 %: not met (50.0 %)"), "{said}");
    // Townships: T1 has both depots, T2 and T3 none.
    let towns = csv_rows(&out.join("reserve_depot_townships.csv"));
    let has: Vec<(&str, &str)> = towns.iter().map(|t| (t["township_id"].as_str(), t["facilities"].as_str())).collect();
    assert_eq!(has, vec![("T1", "2"), ("T2", "0"), ("T3", "0")]);
    assert!(said.contains("townships without any: 2 of 3"), "{said}");
    // The polygon park is 400 m from B's point at 1,900 m: within its 500 m.
    let park = csv_rows(&out.join("park_summary.csv"));
    assert_eq!(park[1]["covered"], "40");
    assert_eq!(park[1]["area_m2"], "0", "the park lies east of B, in no district");
    let feats = features(&out.join("parks.geojson"));
    assert_eq!(feats[0]["geometry"]["type"], "MultiPolygon");
    assert_eq!(feats[0]["properties"]["capacity"].as_f64(), Some(5000.0));
    // The negative population point is rejected.
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.contains("pop.csv,5,negative population -1"), "{rejects}");
}

/// With weight points, a district's persons go where the weights are, in proportion.
#[test]
fn weighted_population_follows_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let weights = format!(
        "x,y,户数\n{},{},3\n{},{},1\n{},{},5\n",
        X0 + 150.0,
        Y0 + 150.0,
        X0 + 850.0,
        Y0 + 850.0,
        X0 + 1500.0,
        Y0 + 500.0
    );
    let project = PROJECT.replace(
        "cell_size_m = 100\n",
        "cell_size_m = 100\n[population.weights]\npath = \"weights.csv\"\ncrs = \"EPSG:4538\"\nweight = \"户数\"\n",
    );
    fixture(dir.path(), &project, POPULATION, &shelters_csv(""));
    std::fs::write(dir.path().join("weights.csv"), weights).unwrap();
    let r = run(dir.path(), &["build", "sisetu.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // C has no weight points: spread uniformly, with a warning.
    assert!(r.stderr.contains("丙区 has no weight"), "{}", r.stderr);
    let gaps = features(&dir.path().join("out/coverage_gaps.geojson"));
    let pop_of = |cell: &str| {
        gaps.iter()
            .find(|g| g["properties"]["cell_id"] == cell)
            .map(|g| g["properties"]["population"].as_f64().unwrap())
    };
    // A's 1000 persons: 750 in the cell of the weight-3 point, 250 in the weight-1 cell; both
    // are gap cells (the shelters there are full).
    let col = |x: f64| ((X0 + x) / 100.0).floor() as i64;
    let row = |y: f64| ((Y0 + y) / 100.0).floor() as i64;
    assert_eq!(pop_of(&format!("100m_{}_{}", col(150.0), row(150.0))), Some(750.0));
    assert_eq!(pop_of(&format!("100m_{}_{}", col(850.0), row(850.0))), Some(250.0));
    let rows = csv_rows(&dir.path().join("out/shelter_summary.csv"));
    assert_eq!(rows[3]["population"], "1700");
}

/// Review findings kept as tests: a service layer ignores a 级别 column it has no classes
/// for; a [[maps]] file may not overwrite a coverage map; a removed layer's outputs go away;
/// a population table without one usable row is an error; a long legend still fits.
#[test]
fn review_regressions() {
    // Fire stations with a 级别 column and radius_m: every row is used.
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), PROJECT, POPULATION, &shelters_csv(""));
    std::fs::write(
        dir.path().join("fire.csv"),
        format!("名称,级别,x,y\n特勤站,特勤消防站,{},{}\n一站,一级普通消防站,{},{}\n", X0 + 100.0, Y0, X0 + 900.0, Y0),
    )
    .unwrap();
    let with_fire = format!(
        "{PROJECT}[[facilities]]\nid = \"fire_station\"\nkind = \"service\"\npath = \"fire.csv\"\ncrs = \"EPSG:4538\"\nradius_m = 3000\n"
    );
    std::fs::write(dir.path().join("sisetu.toml"), &with_fire).unwrap();
    let r = run(dir.path(), &["build", "sisetu.toml", "--strict"]);
    assert_eq!(r.code, 0, "no row is rejected\n{}", r.stderr);
    let fire = csv_rows(&dir.path().join("out/fire_station_summary.csv"));
    assert!(!fire[0].contains_key("capacity"), "unlimited facilities: no capacity columns: {:?}", fire[0]);
    assert!(!fire[0].contains_key("m2_per_resident"));
    assert!(dir.path().join("out/fire_stations.geojson").exists());

    // Removing the layer removes its outputs on the next run.
    std::fs::write(dir.path().join("sisetu.toml"), PROJECT).unwrap();
    assert_eq!(run(dir.path(), &["build", "sisetu.toml", "-q"]).code, 0);
    for f in ["fire_stations.geojson", "fire_station_summary.csv", "fire_station_coverage.png"] {
        assert!(!dir.path().join("out").join(f).exists(), "{f} is stale");
    }
    assert!(dir.path().join("out/shelters.geojson").exists());

    // A [[maps]] entry may not overwrite the coverage map.
    let clash = format!("{PROJECT}[[maps]]\nfile = \"shelter_coverage.png\"\nlayers = [\"districts\"]\n");
    std::fs::write(dir.path().join("sisetu.toml"), clash).unwrap();
    let r = run(dir.path(), &["build", "sisetu.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("two outputs would be written as 'shelter_coverage.png'"), "{}", r.stderr);

    // A population table with no usable row.
    fixture(dir.path(), PROJECT, "区划代码,人口数_合计\nZ,5\n", &shelters_csv(""));
    let r = run(dir.path(), &["build", "sisetu.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no usable population row"), "{}", r.stderr);

    // Seven classes and siting: the legend shrinks to fit.
    let mut classes = String::new();
    let mut rows = String::new();
    for (k, name) in ["Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类"].iter().enumerate() {
        classes
            .push_str(&format!("[facilities.classes.\"{name}\"]\nradius_m = {}\nm2_per_person = 1.5\n", 300 * (k + 1)));
        rows.push_str(&format!("{name}场所,{name},1000,,{},{}\n", X0 + 100.0 + 150.0 * k as f64, Y0 + 300.0));
    }
    let project = PROJECT.replace("[facilities.siting]", &format!("{classes}[facilities.siting]"));
    fixture(dir.path(), &project, POPULATION, &shelters_csv(&rows));
    let r = run(dir.path(), &["build", "sisetu.toml", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
