use super::super::Config;
use super::*;
use std::path::Path;

const BASE: &str = r#"
[project]
title = "t"
[districts]
path = "d.geojson"
crs = "EPSG:4490"
[[sites]]
path = "s.csv"
crs = "EPSG:4490"
[[layers]]
name = "schools"
title = "中小学校"
path = "schools.geojson"
crs = "EPSG:4490"
[[layers]]
name = "hazchem"
path = "hazchem.csv"
crs = "GCJ-02"
distance = "外部安全防护距离"
"#;

fn parse(rules: &str) -> Result<Config, String> {
    Config::parse(&format!("{BASE}{rules}"), Path::new("/p/sisetu.toml")).map_err(|e| e.to_string())
}

#[test]
fn rules_name_layers_and_distances() {
    let c = parse(
        r#"
[[rules]]
name = "学校周边"
a = "sites"
b = "schools"
min_m = 150
categories = ["危险化学品"]
[[rules]]
name = "外部安全防护距离"
a = "hazchem"
b = "schools"
min_m = "column"
[[rules]]
name = "学校附近有消防站"
a = "schools"
b = "hazchem"
within_m = 500.5
"#,
    )
    .unwrap();
    assert_eq!(c.layers.len(), 2);
    assert_eq!(c.layers[0].title, "中小学校");
    assert_eq!(c.layers[1].title, "hazchem");
    assert_eq!(c.layers[1].source.table.path, Path::new("/p/hazchem.csv"));
    let r = &c.rules;
    assert_eq!(r[0].a, RuleLayer::Sites { categories: vec!["危险化学品".into()] });
    assert_eq!(
        (r[0].b.clone(), r[0].kind, r[0].required),
        (RuleLayer::Layer(0), RuleKind::Separation, Required::Metres(150.0))
    );
    assert_eq!((r[1].a.clone(), r[1].required), (RuleLayer::Layer(1), Required::Column));
    assert_eq!((r[2].kind, r[2].required), (RuleKind::Within, Required::Metres(500.5)));
}

#[test]
fn bad_rules_name_the_fix() {
    let cases = [
        (
            "a = \"nowhere\"\nb = \"schools\"\nmin_m = 1",
            "a = \"nowhere\": no layer has that name; use one of \"sites\", \"schools\", \"hazchem\"",
        ),
        ("a = \"sites\"\nb = \"schools\"", "give exactly one of min_m"),
        ("a = \"sites\"\nb = \"schools\"\nmin_m = 1\nwithin_m = 2", "give exactly one of min_m"),
        ("a = \"sites\"\nb = \"schools\"\nmin_m = -5", "min_m = -5: a distance in metres, 0 or more"),
        ("a = \"sites\"\nb = \"schools\"\nmin_m = \"far\"", "or \"column\" for each feature's own distance"),
        ("a = \"schools\"\nb = \"sites\"\nmin_m = \"column\"", "add distance = \"<column>\" to that [[layers]] entry"),
        ("a = \"sites\"\nb = \"schools\"\nmin_m = \"column\"", "sites keep no extra columns"),
        ("a = \"schools\"\nb = \"sites\"\nmin_m = 1\ncategories = [\"x\"]", "it needs a = \"sites\""),
    ];
    for (body, want) in cases {
        let err = parse(&format!("[[rules]]\nname = \"r\"\n{body}\n")).unwrap_err();
        assert!(err.contains("[[rules]] #1 (r)") && err.contains(want), "{body}:\n{err}");
    }
    let err = parse("[[rules]]\nname = \"r\"\na = \"sites\"\nb = \"schools\"\nmin_m = 1\n[[rules]]\nname = \"r\"\na = \"sites\"\nb = \"schools\"\nmin_m = 2\n").unwrap_err();
    assert!(err.contains("a second rule named \"r\""), "{err}");
    let err = parse("").unwrap_err();
    assert!(err.contains("add a [[rules]] entry or leave the layers out"), "{err}");
}
