use super::*;
use crate::census::{Census, Duplicates, Placed, Tallies};
use crate::layers::ZoneLayer;
use sisetu_core::Zone;
use sisetu_core::ZoneIdx;
use sisetu_io::crs::Crs;
use sisetu_io::sites::{Site, SiteLayer};

#[test]
fn report_meta_is_read_with_clear_errors() {
    let p = Path::new("/x/report.json");
    let json = br#"{"title":"T","census_date":null,"working_crs":"EPSG:4538","cell_size_m":500.0,
        "aggregation":"highest","districts":{"sha256":"ab"}}"#;
    let m = RoundMeta::from_report(json, p).unwrap();
    assert_eq!(
        m,
        RoundMeta {
            title: "T".into(),
            census_date: None,
            working_crs: "EPSG:4538".into(),
            cell_size_m: 500.0,
            aggregation: "highest".into(),
            districts_sha256: "ab".into(),
        }
    );
    let err = RoundMeta::from_report(br#"{"title":"T"}"#, p).unwrap_err().to_string();
    assert!(err.contains("/x/report.json") && err.contains("working_crs"), "{err}");
    let err = format!("{:#}", RoundMeta::from_report(b"{", p).unwrap_err());
    assert!(err.contains("/x/report.json") && err.contains("not valid JSON"), "{err}");
}

#[test]
fn build_layout_is_split_into_feature_lines() {
    let f = |n: usize| {
        let mut s = String::from("{\"type\":\"FeatureCollection\",\"name\":\"sites\",\"features\":[\n");
        let feats: Vec<String> = (0..n).map(|i| format!("{{\"id\":{i}}}")).collect();
        s.push_str(&feats.join(",\n"));
        s.push_str("\n]}\n");
        s
    };
    let three = f(3);
    let lines = feature_lines(three.as_bytes()).unwrap();
    assert_eq!(lines, [&b"{\"id\":0}"[..], b"{\"id\":1}", b"{\"id\":2}"]);
    let none = "{\"type\":\"FeatureCollection\",\"name\":\"sites\",\"features\":[\n\n]}\n";
    assert_eq!(feature_lines(none.as_bytes()), Some(vec![]));
    // Anything else is parsed as one document.
    assert_eq!(feature_lines(b"{\"type\":\"FeatureCollection\",\"features\":[{\"a\":1}]}"), None);
    let pretty = "{\"type\":\"FeatureCollection\",\"features\":[\n  {\"a\":\n1},\n{\"b\":2}\n]}\n";
    assert_eq!(feature_lines(pretty.as_bytes()), None);
}

#[test]
fn staging_folders_are_named_as_their_output_folder() {
    assert_eq!(shown_dir(Path::new("/a/out/.sisetu-staging-123")), Path::new("/a/out"));
    assert_eq!(shown_dir(Path::new("/a/out")), Path::new("/a/out"));
}

/// What a GeoJSON reader gets back for `v` written by `push_coord`.
fn written_and_read(v: f64) -> f64 {
    let mut b = Vec::new();
    sisetu_io::write::push_coord(&mut b, v);
    serde_json::from_slice(&b).unwrap()
}

#[test]
fn coordinates_are_rounded_as_the_geojson_writer_writes_them() {
    // Fixed values around the places where rounding is delicate, then many pseudo-random ones.
    let mut values = vec![
        0.0,
        -0.0,
        1e-8,
        -4e-8,
        5e-8,
        87.12,
        87.1234567,
        87.12345675,
        -87.12345665,
        43.999_999_95,
        180.0,
        -179.999_999_99,
        0.1 + 0.2,
        123_456.789_012_345,
        4_850_000.123_456_78,
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
        values.push(unit * 360.0 - 180.0);
        values.push(unit * 1e6);
    }
    for v in values {
        assert_eq!(round_coord(v).to_bits(), written_and_read(v).to_bits(), "{v:e}");
    }
    assert!(round_coord(f64::NAN).is_nan());
}

fn square(x0: f64, y0: f64, size: f64, clockwise: bool) -> LineString<f64> {
    let mut pts = vec![(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)];
    if clockwise {
        pts.reverse();
    }
    LineString::from(pts)
}

fn zone(id: &str, name: &str, exterior: LineString<f64>, holes: Vec<LineString<f64>>) -> Zone {
    Zone {
        id: id.into(),
        name: name.into(),
        geometry: MultiPolygon(vec![Polygon::new(exterior, holes)]),
        extra: Vec::new(),
    }
}

fn layer(file: &str, zones: Vec<Zone>) -> ZoneLayer {
    let mut layer = ZoneLayer::in_working_crs(file, zones.clone(), zones, Crs::from_epsg(4538));
    layer.sha256 = format!("sha of {file}");
    layer
}

fn site_layer(sites: Vec<Site>) -> SiteLayer {
    SiteLayer {
        rows_read: sites.len() as u64,
        sites,
        rejects: Vec::new(),
        headers: Vec::new(),
        encoding: None,
        columns_used: Default::default(),
        sha256: String::new(),
        warnings: Vec::new(),
    }
}

fn summary(n: [u64; 4]) -> Summary {
    Summary { levels: sisetu_core::LevelCounts::new(n), by_category: Vec::new() }
}

/// A hand-built context: two site layers, a repeated id in two spellings, a site without an
/// id, one outside every district and grid, a clockwise district with a (counter-clockwise)
/// hole, and coordinates finer than 1e-7°.
#[test]
fn the_round_being_built_has_the_values_its_written_files_would_give() {
    use sisetu_core::RiskLevel::{Blue, Red, Yellow};
    let project = "[project]\ntitle = \"T\"\ncensus_date = \"2025-06\"\n\n[districts]\npath = \"d.geojson\"\ncrs = \
                   \"EPSG:4490\"\n\n[[sites]]\npath = \"s.csv\"\ncrs = \"EPSG:4490\"\n";
    let mut cfg = crate::project::Config::parse(project, Path::new("/x/sisetu.toml")).unwrap();
    // The score rule: one red site (score 10) makes an area yellow, one yellow site (2) blue.
    cfg.aggregation = Aggregation::Score(sisetu_core::ScoreRule::default());
    let d1 = zone("D1", "甲区", square(87.0, 43.0, 1.0, true), vec![square(87.2, 43.2, 0.1, false)]);
    let d2 = zone("D2", "乙区", square(88.0, 43.0, 1.0, false), Vec::new());
    let districts = layer("districts.geojson", vec![d1, d2]);
    let grids = layer("grids.geojson", vec![zone("G1", "一网格", square(87.0, 43.0, 2.0, false), Vec::new())]);
    let at = |lon: f64, lat: f64| ((lon, lat), (lon, lat));
    let s = |id: &str, name: &str, level, p: ((f64, f64), (f64, f64)), line| {
        Site::new(id, name, "", "A", level, p.0, p.1, line)
    };
    let census = Census {
        layers: vec![
            site_layer(vec![
                s("S1", "甲厂", Red, at(87.123_456_789, 43.5), 2),
                s("", "无码厂", Blue, at(88.5, 43.5), 3),
            ]),
            site_layer(vec![s("s1 ", "甲厂", Yellow, at(89.5, 43.5), 7)]),
        ],
        files: vec!["data/a.csv".into(), "data/b.xlsx".into()],
        placed: vec![
            vec![
                Placed {
                    district: Some(ZoneIdx::new(0)),
                    grid: Some(ZoneIdx::new(0)),
                    cell: CellId { col: 1, row: 2 },
                },
                Placed { district: Some(ZoneIdx::new(1)), grid: None, cell: CellId { col: 3, row: 2 } },
            ],
            vec![Placed { district: None, grid: None, cell: CellId { col: 5, row: 2 } }],
        ],
        duplicates: Duplicates {
            rows: vec![vec![false, false], vec![true]],
            occurrences: [("S1".to_string(), vec!["data/a.csv:2".to_string(), "data/b.xlsx:7".to_string()])].into(),
        },
        streamed: None,
    };
    let tallies = Tallies {
        by_district: vec![summary([1, 0, 0, 0]), summary([0, 0, 0, 1])],
        unassigned: summary([0, 0, 1, 0]),
        by_grid: vec![summary([1, 0, 0, 0])],
        outside_grid: 2,
        cells: vec![
            (CellId { col: 1, row: 2 }, summary([1, 0, 0, 0])),
            (CellId { col: 3, row: 2 }, summary([0, 0, 0, 1])),
            (CellId { col: 5, row: 2 }, summary([0, 0, 1, 0])),
        ],
        total: summary([1, 0, 1, 1]),
        categories: Vec::new(),
        has_categories: false,
    };
    let out = Path::new("/x/out_2025");
    let ctx = Context {
        cfg: &cfg,
        work: Crs::Wgs84,
        districts: &districts,
        grids: Some(&grids),
        census: &census,
        tallies: &tallies,
        out_dir: out,
    };
    let r = Round::from_context(&ctx).unwrap();

    assert_eq!((r.dir.as_path(), r.report_sha256.as_deref(), r.sites_sha256.as_deref()), (out, None, None));
    assert_eq!(r.meta.working_crs, Crs::Wgs84.to_string());
    assert_eq!(r.meta.districts_sha256, "sha of districts.geojson");
    assert_eq!(
        r.meta.aggregation,
        "score (weights red 10 orange 5 yellow 2 blue 1; thresholds red 50 orange 20 yellow 5)"
    );
    assert_eq!(
        (r.meta.title.as_str(), r.meta.census_date.as_deref(), r.meta.cell_size_m),
        ("T", Some("2025-06"), 500.0)
    );
    let ids: Vec<(&str, &str, &str, bool, &str)> = r
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.district.as_str(), s.grid.as_str(), s.duplicate_id, s.source.as_str()))
        .collect();
    assert_eq!(
        ids,
        [("S1", "D1", "G1", true, "a.csv"), ("", "D2", "", false, "a.csv"), ("s1 ", "", "", true, "b.xlsx"),]
    );
    assert_eq!((r.sites[0].lon, r.sites[0].lat), (written_and_read(87.123_456_789), 43.5));
    assert_eq!(r.sites[2].line, 7);
    // Districts oriented as the writer orients them: exterior counter-clockwise, hole clockwise.
    use geo::Winding;
    let p = &r.districts[0].geometry.0[0];
    assert!(p.exterior().is_ccw() && p.interiors()[0].is_cw());
    assert_eq!((r.districts[0].level, r.districts[0].counts), (Some(Yellow), [1, 0, 0, 0]));
    assert_eq!(r.districts[1].level, Some(Blue));
    assert_eq!(r.districts[1].geometry, MultiPolygon(vec![Polygon::new(square(88.0, 43.0, 1.0, false), vec![])]));
    let grids = r.grids.as_ref().unwrap();
    assert_eq!((grids[0].id.as_str(), grids[0].name.as_str()), ("G1", "一网格"));
    let cells: Vec<(&str, Option<CellId>, Option<RiskLevel>)> =
        r.cells.iter().map(|c| (c.id.as_str(), c.cell, c.level)).collect();
    let grid = RegularGrid::new(cfg.cell_size_m).unwrap();
    let label = grid.label(CellId { col: 1, row: 2 });
    assert_eq!(cells[0], (label.as_str(), Some(CellId { col: 1, row: 2 }), Some(Yellow)));
    assert_eq!((cells[2].2, r.cells[2].counts, r.cells[2].name.as_str()), (Some(Blue), [0, 0, 1, 0], ""));

    // One site layer: no source.
    let one = Census {
        layers: vec![site_layer(vec![s("S9", "", Blue, at(87.5, 43.5), 2)])],
        files: vec!["data/a.csv".into()],
        placed: vec![vec![Placed { district: None, grid: None, cell: CellId { col: 3, row: 2 } }]],
        duplicates: Duplicates::default(),
        streamed: None,
    };
    let ctx = Context { census: &one, grids: None, ..ctx };
    let r = Round::from_context(&ctx).unwrap();
    assert_eq!((r.sites[0].source.as_str(), r.sites[0].grid.as_str(), r.grids.is_none()), ("", "", true));
}
