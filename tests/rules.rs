//! Separation rules (`[[layers]]` + `[[rules]]`) end to end: the real binary against shapely
//! (GEOS) on the same inputs, the same bytes whatever the thread count, and bad inputs that
//! become rejects or errors naming the fix.
//!
//! The layers are written in the metric CRS the build works in (EPSG:4538, the 87°E
//! Gauss-Krüger zone of 乌鲁木齐市), so that sisetu and shapely measure the same coordinates.
//! The shapely side is `benches/peer/rules_peer.py`, run with the Python `SISETU_PY` names.

#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::{oracle_python, read_json, read_text, sisetu, write};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn point(&mut self) -> (f64, f64) {
        (530_000.0 + self.next() * 30_000.0, 4_840_000.0 + self.next() * 30_000.0)
    }
}

fn fc(features: &[String]) -> String {
    format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", features.join(",\n"))
}

fn feature(props: &str, geometry: &str) -> String {
    format!("{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{geometry}}}")
}

fn ring(pts: &[(f64, f64)]) -> String {
    let inner: Vec<String> = pts.iter().map(|(x, y)| format!("[{x:.3},{y:.3}]")).collect();
    format!("[{}]", inner.join(","))
}

/// Writes the census, the layers (for sisetu and, as GeoJSON, for the oracle), the project
/// and the oracle's spec.
fn scene(dir: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/urumqi/districts.geojson");
    std::fs::copy(demo, dir.join("districts.geojson")).unwrap();
    let mut r = Lcg(2024);
    let mut census = String::from("id,name,category,x,y,grade\n");
    let mut haz_sites = Vec::new();
    for i in 0..3000 {
        let (x, y) = r.point();
        let cat = if i % 7 == 0 { "危险化学品" } else { "工贸" };
        census.push_str(&format!("C{i:05},企业{i},{cat},{x:.3},{y:.3},一般风险\n"));
        if cat == "危险化学品" {
            haz_sites.push(feature(
                &format!("\"id\":\"C{i:05}\""),
                &format!("{{\"type\":\"Point\",\"coordinates\":[{x:.3},{y:.3}]}}"),
            ));
        }
    }
    write(dir, "census.csv", census);
    write(dir, "hazsites.geojson", fc(&haz_sites));
    let points = |r: &mut Lcg, n: usize, prefix: &str, extra: &dyn Fn(&mut Lcg) -> String| -> String {
        let f: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = r.point();
                let e = extra(r);
                feature(
                    &format!("\"id\":\"{prefix}{i:03}\",\"name\":\"{prefix} {i}\"{e}"),
                    &format!("{{\"type\":\"Point\",\"coordinates\":[{x:.3},{y:.3}]}}"),
                )
            })
            .collect();
        fc(&f)
    };
    write(dir, "schools.geojson", points(&mut r, 300, "S", &|_| String::new()));
    write(
        dir,
        "hazchem.geojson",
        points(&mut r, 200, "H", &|r| format!(",\"safety_m\":{}", 100 + (r.next() * 900.0) as i64)),
    );
    let lines: Vec<String> = (0..6)
        .map(|i| {
            let (x0, y0) = r.point();
            let angle = r.next() * std::f64::consts::PI;
            let pts: Vec<(f64, f64)> = (0..60)
                .map(|k| {
                    let t = k as f64 * 250.0;
                    (x0 + t * angle.cos() + (r.next() - 0.5) * 80.0, y0 + t * angle.sin() + (r.next() - 0.5) * 80.0)
                })
                .collect();
            feature(
                &format!("\"id\":\"P{i}\",\"name\":\"管道{i}\""),
                &format!("{{\"type\":\"LineString\",\"coordinates\":{}}}", ring(&pts)),
            )
        })
        .collect();
    write(dir, "pipeline.geojson", fc(&lines));
    let parks: Vec<String> = (0..60)
        .map(|i| {
            let (x, y) = r.point();
            let s = 100.0 + r.next() * 900.0;
            let outer = ring(&[(x, y), (x + s, y), (x + s, y + s * 0.7), (x + s * 0.4, y + s), (x, y + s), (x, y)]);
            let hole = ring(&[
                (x + s * 0.3, y + s * 0.3),
                (x + s * 0.3, y + s * 0.5),
                (x + s * 0.5, y + s * 0.5),
                (x + s * 0.5, y + s * 0.3),
                (x + s * 0.3, y + s * 0.3),
            ]);
            let rings = if i % 3 == 0 { format!("[{outer},{hole}]") } else { format!("[{outer}]") };
            feature(
                &format!("\"id\":\"G{i:02}\",\"name\":\"公园{i}\""),
                &format!("{{\"type\":\"Polygon\",\"coordinates\":{rings}}}"),
            )
        })
        .collect();
    write(dir, "parks.geojson", fc(&parks));
    let mut project = String::from(
        "[project]\ntitle = \"rules\"\nworking_crs = \"EPSG:4538\"\n\
         [districts]\npath = \"districts.geojson\"\ncrs = \"GCJ-02\"\nid = \"adcode\"\nname = \"name\"\n\
         [[sites]]\npath = \"census.csv\"\ncrs = \"EPSG:4538\"\nx = \"x\"\ny = \"y\"\ncategory = \"category\"\ngrade = \"grade\"\n\
         [register]\nenabled = false\n",
    );
    for (name, extra) in [("schools", ""), ("hazchem", "distance = \"safety_m\"\n"), ("pipeline", ""), ("parks", "")] {
        project.push_str(&format!(
            "[[layers]]\nname = \"{name}\"\npath = \"{name}.geojson\"\ncrs = \"EPSG:4538\"\n{extra}"
        ));
    }
    let mut spec_rules = Vec::new();
    for (name, a, b, kind, d) in RULES {
        let key = if kind == "min" { "min_m" } else { "within_m" };
        let (a_toml, cats) = if a == "hazsites" { ("sites", "categories = [\"危险化学品\"]\n") } else { (a, "") };
        let d_toml = if d < 0.0 { "\"column\"".to_string() } else { d.to_string() };
        project.push_str(&format!(
            "[[rules]]\nname = \"{name}\"\na = \"{a_toml}\"\nb = \"{b}\"\n{key} = {d_toml}\n{cats}"
        ));
        let distance = if d < 0.0 { "\"column\", \"column\": \"safety_m\"".to_string() } else { d.to_string() };
        spec_rules.push(format!(
            "{{\"name\":\"{name}\",\"a\":\"{a}\",\"b\":\"{b}\",\"kind\":\"{kind}\",\"distance\":{distance}}}"
        ));
    }
    write(dir, "rules.toml", project);
    let layers =
        ["schools", "hazchem", "pipeline", "parks", "hazsites"].map(|l| format!("\"{l}\":\"{l}.geojson\"")).join(",");
    write(dir, "spec.json", format!("{{\"layers\":{{{layers}}},\"id\":\"id\",\"rules\":[{}]}}", spec_rules.join(",")));
}

/// (name, a, b, kind, distance; negative = the column).
const RULES: [(&str, &str, &str, &str, f64); 7] = [
    ("危化品距学校", "hazsites", "schools", "min", 500.0),
    ("外部安全防护距离", "hazchem", "schools", "min", -1.0),
    ("管道距学校", "pipeline", "schools", "min", 300.0),
    ("公园距危化品", "parks", "hazchem", "min", 200.0),
    ("学校附近有公园", "schools", "parks", "within", 1000.0),
    ("管道间距", "pipeline", "pipeline", "min", 150.0),
    ("公园附近有管道", "parks", "pipeline", "within", 2000.0),
];

/// (rule, a id, b id) → (distance, required) from rule_violations.geojson.
fn sisetu_violations(path: &Path) -> BTreeMap<(String, String, String), (f64, f64)> {
    let v = read_json(path);
    let mut out = BTreeMap::new();
    for f in v["features"].as_array().unwrap() {
        let p = &f["properties"];
        let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
        let d = p["distance_m"].as_f64().unwrap_or(f64::NAN);
        out.insert((s("rule"), s("a_id"), s("b_id")), (d, p["required_m"].as_f64().unwrap()));
    }
    out
}

#[test]
fn violations_equal_shapely_and_do_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scene(dir);
    sisetu(dir, &["build", "rules.toml", "--out", "t1", "--threads", "1", "--quiet"]).expect_code(0);
    sisetu(dir, &["build", "rules.toml", "--out", "t2", "--threads", "2", "--quiet"]).expect_code(0);
    for f in ["rule_violations.geojson", "rules_summary.csv", "rules_summary.xlsx"] {
        let (a, b) = (std::fs::read(dir.join("t1").join(f)).unwrap(), std::fs::read(dir.join("t2").join(f)).unwrap());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let got = sisetu_violations(&dir.join("t1/rule_violations.geojson"));
    let report = read_json(&dir.join("t1/report.json"));
    let rules = report["rules"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for (r, (name, ..)) in rules.iter().zip(RULES) {
        let n = got.keys().filter(|k| k.0 == name).count() as u64;
        assert_eq!(r["violations"].as_u64(), Some(n), "{name}");
        assert!(n > 0, "rule {name} has no violation: the scene does not test it");
    }
    // --strict counts the violations; check lists them.
    sisetu(dir, &["build", "rules.toml", "--out", "t3", "--strict", "--quiet"]).expect_code(1);
    let run = sisetu(dir, &["check", "rules.toml"]);
    run.expect_code(1);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("features break it (rule_violations.geojson)"), "{}", run.describe());

    let Some(py) = oracle_python("the shapely comparison of the rules") else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/rules_peer.py");
    let o = Command::new(py).arg(script).arg(dir.join("spec.json")).arg(dir.join("oracle.csv")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut want = BTreeMap::new();
    for line in read_text(&dir.join("oracle.csv")).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let d = if f[3].is_empty() { f64::NAN } else { f[3].parse().unwrap() };
        want.insert((f[0].to_string(), f[1].to_string(), f[2].to_string()), (d, f[4].parse::<f64>().unwrap()));
    }
    // Pairs within a micrometre of the threshold are not compared (the last bit of a
    // distance may differ between GEOS and sisetu); none is expected in this scene.
    let near_threshold = |(d, req): &(f64, f64)| (d - req).abs() < 1e-6;
    // sisetu names the nearest feature of b beside a "within" violation; the oracle leaves
    // b_id empty there.
    let within: Vec<&str> = RULES.iter().filter(|r| r.3 == "within").map(|r| r.0).collect();
    let got: BTreeMap<(String, String, String), (f64, f64)> = got
        .into_iter()
        .map(|((rule, a, b), v)| {
            let b = if within.contains(&rule.as_str()) { String::new() } else { b };
            ((rule, a, b), v)
        })
        .collect();
    let keys =
        |m: &BTreeMap<(String, String, String), (f64, f64)>| -> std::collections::BTreeSet<(String, String, String)> {
            m.iter().filter(|(_, v)| !near_threshold(v)).map(|(k, _)| k.clone()).collect()
        };
    let (g, w) = (keys(&got), keys(&want));
    let only_sisetu: Vec<_> = g.difference(&w).take(10).collect();
    let only_shapely: Vec<_> = w.difference(&g).take(10).collect();
    assert!(
        only_sisetu.is_empty() && only_shapely.is_empty(),
        "only sisetu: {only_sisetu:?}\nonly shapely: {only_shapely:?}"
    );
    // The high-consequence stretches of the pipelines against shapely: the length of each line
    // inside the union of the other layer's buffers (256 segments a quarter circle).
    let script = r#"
import json, sys, shapely
from shapely.geometry import shape
d = sys.argv[1]
def load(n):
    return [(f["properties"]["id"], shape(f["geometry"])) for f in json.load(open(f"{d}/{n}.geojson"))["features"]]
pipes, schools = load("pipeline"), load("schools")
out = {}
zone = shapely.union_all([g.buffer(300, quad_segs=256) for _, g in schools])
out["管道距学校"] = sum(g.intersection(zone).length for _, g in pipes)
total = 0.0
for i, g in pipes:
    others = shapely.union_all([h.buffer(150, quad_segs=256) for j, h in pipes if j != i])
    total += g.intersection(others).length
out["管道间距"] = total
print(json.dumps(out, ensure_ascii=False))
"#;
    let o = Command::new(oracle_python("").unwrap()).args(["-c", script]).arg(dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lengths: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in rules {
        let name = r["name"].as_str().unwrap();
        if let Some(want) = lengths.get(name).and_then(serde_json::Value::as_f64) {
            let got = r["high_consequence_m"].as_f64().unwrap();
            assert!(want > 0.0 && (got - want).abs() <= 1e-3 * want + 0.05, "{name}: sisetu {got} m, shapely {want} m");
        }
    }
    let stretches = read_json(&dir.join("t1/high_consequence.geojson"));
    assert!(!stretches["features"].as_array().unwrap().is_empty());
    for (k, (d, req)) in &got {
        let (wd, wreq) = want[k];
        assert_eq!(*req, wreq, "{k:?}");
        assert!((d - wd).abs() <= 1e-3 || (d.is_nan() && wd.is_nan()), "{k:?}: sisetu {d} m, shapely {wd} m");
    }
}

#[test]
fn bad_layer_rows_are_rejected_with_their_line_and_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    scene(dir);
    write(
        dir,
        "bad.csv",
        "编号,名称,x,y,外部安全防护距离\nB1,甲,540000,4850000,300\nB2,乙,540100,4850000,三百\nB3,丙,540200,4850000,-5\nB4,丁,540300,4850000,\nB5,戊,540400,4850000,200\n",
    );
    let line = fc(&[
        feature("\"id\":\"L1\"", "{\"type\":\"LineString\",\"coordinates\":[[540000,4850000],[540000,4850000]]}"),
        feature("\"id\":\"L2\"", "{\"type\":\"LineString\",\"coordinates\":[[540000,4850000],[541000,4850000]]}"),
    ]);
    write(dir, "line.geojson", line);
    let project = "[project]\ntitle = \"bad\"\nworking_crs = \"EPSG:4538\"\n\
         [districts]\npath = \"districts.geojson\"\ncrs = \"GCJ-02\"\nid = \"adcode\"\nname = \"name\"\n\
         [[sites]]\npath = \"census.csv\"\ncrs = \"EPSG:4538\"\nx = \"x\"\ny = \"y\"\ncategory = \"category\"\ngrade = \"grade\"\n\
         [[layers]]\nname = \"bad\"\npath = \"bad.csv\"\ncrs = \"EPSG:4538\"\nx = \"x\"\ny = \"y\"\ndistance = \"外部安全防护距离\"\n\
         [[layers]]\nname = \"line\"\npath = \"line.geojson\"\ncrs = \"EPSG:4538\"\n\
         [[rules]]\nname = \"r\"\na = \"bad\"\nb = \"line\"\nmin_m = \"column\"\n";
    write(dir, "bad.toml", project);
    sisetu(dir, &["build", "bad.toml", "--out", "o", "--quiet"]).expect_code(0);
    let rejects = read_text(&dir.join("o/rejects.csv"));
    for want in [
        "bad.csv,3,distance '三百' is not a number (外部安全防护距离)",
        "bad.csv,4,negative distance -5",
        "bad.csv,5,no distance (外部安全防护距离 is empty): each feature needs its own distance in metres",
        "line.geojson,1,a line needs two different points,L1",
    ] {
        assert!(rejects.contains(want), "{want}\n{rejects}");
    }
    let report = read_json(&dir.join("o/report.json"));
    let l = &report["rules"]["layers"][0];
    assert_eq!((l["rows_read"].as_u64(), l["accepted"].as_u64(), l["rejected"].as_u64()), (Some(5), Some(2), Some(3)));
    // B1 (300 m) is on the line; B5 (200 m) is 0 m from it too: both violate.
    assert_eq!(report["rules"]["rules"][0]["violating"].as_u64(), Some(2));

    // A rule naming a layer that does not exist: an error naming the rule, the key and the fix.
    write(dir, "missing.toml", project.replace("b = \"line\"", "b = \"lines\""));
    sisetu(dir, &["check", "missing.toml"]).expect_code(2).expect_stderr(
        "[[rules]] #1 (r) b = \"lines\": no layer has that name; use one of \"sites\", \"bad\", \"line\"",
    );
}
