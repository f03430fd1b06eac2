use super::*;

const ISSUE_EXAMPLE: &str = r#"
[project]
title = "乌鲁木齐市安全风险四色分布图"
output = "out"                  # output folder
# working_crs = "EPSG:4538"     # optional; default: the 3° GK zone of the data's centre

[districts]
path = "districts.geojson"
crs = "GCJ-02"
id = "adcode"
name = "name"

[[sites]]
path = "census.csv"
crs = "GCJ-02"
x = "lon"                       # column names; omitted ones default to the usual headers
y = "lat"
grade = "grade"
id = "id"

[grades]                        # label -> level, for labels that are not built in
A = "red"
B = "orange"
C = "yellow"
D = "blue"

[grid]
cell_size_m = 500
"#;

#[test]
fn the_documented_example_parses() {
    let c = Config::parse(ISSUE_EXAMPLE, Path::new("/data/urumqi/sisetu.toml")).unwrap();
    assert_eq!(c.title, "乌鲁木齐市安全风险四色分布图");
    assert_eq!(c.output, PathBuf::from("/data/urumqi/out"));
    assert_eq!(c.districts.1, Crs::Gcj02);
    assert_eq!(c.districts.0.path, PathBuf::from("/data/urumqi/districts.geojson"));
    assert_eq!(c.sites.len(), 1);
    assert_eq!(c.sites[0].columns.x.as_deref(), Some("lon"));
    assert_eq!(c.grades.parse("A"), Ok(RiskLevel::Red));
    assert_eq!(c.grades.parse("d"), Ok(RiskLevel::Blue));
    assert_eq!(c.cell_size_m, 500.0);
    assert_eq!(c.aggregation, Aggregation::Highest);
    assert!(c.working_crs.is_none());
}

fn err(text: &str) -> String {
    format!("{:#}", Config::parse(text, Path::new("p.toml")).unwrap_err())
}

#[test]
fn clear_errors() {
    let base = ISSUE_EXAMPLE.replace("cell_size_m = 500", "cell_sizem = 500");
    let e = err(&base);
    assert!(e.contains("p.toml") && e.contains("cell_sizem"), "{e}");
    let e = err(&ISSUE_EXAMPLE.replace("A = \"red\"", "A = \"crimson\""));
    assert!(e.contains("crimson") && e.contains("red, orange, yellow or blue"), "{e}");
    let e = err(&ISSUE_EXAMPLE.replace("crs = \"GCJ-02\"\nid", "crs = \"Beijing54\"\nid"));
    assert!(e.contains("[districts] crs"), "{e}");
    let e = err(&ISSUE_EXAMPLE.replace("# working_crs = \"EPSG:4538\"", "working_crs = \"EPSG:4490\""));
    assert!(e.contains("not a metric CRS"), "{e}");
    let e = err(&ISSUE_EXAMPLE.replace("cell_size_m = 500", "cell_size_m = 0"));
    assert!(e.contains("at least 1 metre"), "{e}");
    let e = err(&format!("{ISSUE_EXAMPLE}\n[aggregation]\nrule = \"max\"\n"));
    assert!(e.contains("\"highest\""), "{e}");
}

#[test]
fn score_rule_with_overrides() {
    let text = format!(
        "{ISSUE_EXAMPLE}\n[aggregation]\nrule = \"score\"\nweights = {{ red = 20 }}\nthresholds = {{ yellow = 3 }}\n"
    );
    let c = Config::parse(&text, Path::new("p.toml")).unwrap();
    assert_eq!(c.aggregation, Aggregation::Score { weights: [20.0, 5.0, 2.0, 1.0], thresholds: [50.0, 20.0, 3.0] });
}
