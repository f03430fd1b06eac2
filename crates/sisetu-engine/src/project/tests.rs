use super::*;
use sisetu_core::summary::AggregationError;

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
    assert_eq!(c.working_crs, WorkingCrs::Auto);
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
    let rule = ScoreRule::new([20.0, 5.0, 2.0, 1.0], [50.0, 20.0, 3.0]).unwrap();
    assert_eq!(c.aggregation, Aggregation::Score(rule));
}

#[test]
fn score_rule_rejects_weights_and_thresholds_that_are_not_finite_non_negative_numbers() {
    for (table, key) in [
        ("weights = { red = nan }", "weights.red"),
        ("weights = { orange = -1 }", "weights.orange"),
        ("weights = { blue = inf }", "weights.blue"),
        ("thresholds = { red = inf }", "thresholds.red"),
        ("thresholds = { yellow = -3, orange = -2, red = -1 }", "thresholds.red"),
        ("thresholds = { orange = nan }", "thresholds.orange"),
    ] {
        let e = err(&format!("{ISSUE_EXAMPLE}\n[aggregation]\nrule = \"score\"\n{table}\n"));
        assert!(e.starts_with("p.toml: [aggregation] "), "{table}: {e}");
        assert!(e.contains(key) && e.contains("0 or more"), "{table}: {e}");
    }
}

/// Broken variants of a project file, each with the error it must give.
pub(super) fn error_cases() -> Vec<(&'static str, String)> {
    let base = ISSUE_EXAMPLE.to_string();
    let fac = format!(
        "{base}\n[population]\ntable = \"pop.csv\"\n\n[[facilities]]\nid = \"shelter\"\npath = \"s.csv\"\ncrs = \"EPSG:4490\"\n"
    );
    let svc = fac.replace("id = \"shelter\"\n", "id = \"fire_station\"\nkind = \"service\"\nradius_m = 3000\n");
    let r = |s: &str, from: &str, to: &str| {
        assert!(s.contains(from), "{from}");
        s.replacen(from, to, 1)
    };
    let a = |s: &str, extra: &str| format!("{s}{extra}");
    vec![
        ("unknown key", r(&base, "cell_size_m = 500", "cell_sizem = 500")),
        ("unknown top key", r(&base, "output = \"out\"", "outptu = \"out\"")),
        ("syntax", r(&base, "cell_size_m = 500", "cell_size_m = = 500")),
        ("wrong type", r(&base, "cell_size_m = 500", "cell_size_m = \"500\"")),
        ("missing key", r(&base, "path = \"census.csv\"\n", "")),
        ("duplicate key", r(&base, "A = \"red\"", "A = \"red\"\nA = \"red\"")),
        ("title empty", r(&base, "title = \"乌鲁木齐市安全风险四色分布图\"", "title = \" \"")),
        ("working crs name", r(&base, "# working_crs = \"EPSG:4538\"", "working_crs = \"Beijing54\"")),
        ("working crs degrees", r(&base, "# working_crs = \"EPSG:4538\"", "working_crs = \"EPSG:4490\"")),
        ("districts person", r(&base, "name = \"name\"\n", "name = \"name\"\nperson = \"p\"\n")),
        ("districts min gap", r(&base, "name = \"name\"\n", "name = \"name\"\nmin_gap_m2 = 5\n")),
        ("grid min gap", a(&base, "[management_grid]\npath = \"g.geojson\"\ncrs = \"EPSG:4490\"\nmin_gap_m2 = -1\n")),
        ("grid crs", a(&base, "[management_grid]\npath = \"g.geojson\"\ncrs = \"WGS 72\"\n")),
        ("grid encoding", a(&base, "[management_grid]\npath = \"g.shp\"\ncrs = \"EPSG:4490\"\nencoding = \"big5\"\n")),
        ("districts crs", r(&base, "crs = \"GCJ-02\"\nid", "crs = \"Beijing54\"\nid")),
        ("districts encoding", r(&base, "name = \"name\"\n", "name = \"name\"\nencoding = \"latin1\"\n")),
        ("no sites", format!("{}{}", &base[..base.find("[[sites]]").unwrap()], &base[base.find("[grades]").unwrap()..])),
        ("sites crs", r(&base, "path = \"census.csv\"\ncrs = \"GCJ-02\"", "path = \"census.csv\"\ncrs = \"bd09mc\"")),
        ("sites encoding", r(&base, "id = \"id\"\n\n[grades]", "id = \"id\"\nencoding = \"latin1\"\n\n[grades]")),
        ("sites header_row", r(&base, "id = \"id\"\n\n[grades]", "id = \"id\"\nheader_row = 0\n\n[grades]")),
        ("grade level", r(&base, "A = \"red\"", "A = \"crimson\"")),
        ("grade twice", r(&base, "B = \"orange\"", "B = \"orange\"\nb = \"blue\"")),
        ("grade empty", r(&base, "A = \"red\"", "A = \"red\"\n\" \" = \"red\"")),
        ("cell size", r(&base, "cell_size_m = 500", "cell_size_m = 0")),
        ("cell size nan", r(&base, "cell_size_m = 500", "cell_size_m = nan")),
        ("rule", a(&base, "[aggregation]\nrule = \"max\"\n")),
        ("highest weights", a(&base, "[aggregation]\nrule = \"highest\"\nweights = { red = 1 }\n")),
        ("weights level", a(&base, "[aggregation]\nrule = \"score\"\nweights = { purple = 1 }\n")),
        ("thresholds level", a(&base, "[aggregation]\nrule = \"score\"\nthresholds = { pink = 1 }\n")),
        ("thresholds blue", a(&base, "[aggregation]\nrule = \"score\"\nthresholds = { blue = 1 }\n")),
        ("thresholds order", a(&base, "[aggregation]\nrule = \"score\"\nthresholds = { yellow = 100 }\n")),
        ("weights nan", a(&base, "[aggregation]\nrule = \"score\"\nweights = { red = nan }\n")),
        ("weights negative", a(&base, "[aggregation]\nrule = \"score\"\nweights = { blue = -1 }\n")),
        ("weights zero", a(&base, "[aggregation]\nrule = \"score\"\nweights = { red = 0, orange = 0, yellow = 0, blue = 0 }\n")),
        ("thresholds infinite", a(&base, "[aggregation]\nrule = \"score\"\nthresholds = { red = inf }\n")),
        ("color", a(&base, "[style]\ncolors = { red = \"zz\" }\n")),
        ("color level", a(&base, "[style]\ncolors = { purple = \"#fff\" }\n")),
        ("no data color", a(&base, "[style]\nno_data_color = \"grey\"\n")),
        ("opacity", a(&base, "[style]\nfill_opacity = 2\n")),
        ("size", a(&base, "[style]\ntitle_pt = 500\n")),
        ("site size", a(&base, "[style]\nsite_size_pt = { red = 200 }\n")),
        ("site size level", a(&base, "[style]\nsite_size_pt = { pink = 2 }\n")),
        ("page name", a(&base, "[style]\npage = \"B5\"\n")),
        ("page pixels", a(&base, "[style]\npage = \"10x10\"\n")),
        ("orientation", a(&base, "[style]\norientation = \"up\"\n")),
        ("dpi", a(&base, "[style]\ndpi = 5\n")),
        ("margin", a(&base, "[style]\nmargin_mm = 500\n")),
        ("map file", a(&base, "[[maps]]\nfile = \"a.jpg\"\nlayers = [\"districts\"]\n")),
        ("map file twice", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\"]\n[[maps]]\nfile = \"A.png\"\nlayers = [\"cells\"]\n")),
        ("map no layers", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = []\n")),
        ("map layer", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"rivers\"]\n")),
        ("map two fills", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"districts\", \"cells\"]\n")),
        ("map grids", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"grids\"]\n")),
        ("map page", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"sites\"]\npage = \"1x2x3\"\n")),
        ("map dpi", a(&base, "[[maps]]\nfile = \"a.png\"\nlayers = [\"sites\"]\ndpi = 5000\n")),
        ("population cell", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\ncell_size_m = 5\n")),
        ("population both", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\npoints = \"p.csv\"\n")),
        ("population neither", r(&fac, "table = \"pop.csv\"\n", "count = \"n\"\n")),
        ("population table crs", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\ncrs = \"EPSG:4490\"\n")),
        ("population points code", r(&fac, "table = \"pop.csv\"\n", "points = \"p.csv\"\ncode = \"c\"\n")),
        ("population points crs", r(&fac, "table = \"pop.csv\"\n", "points = \"p.csv\"\n")),
        ("population points bad crs", r(&fac, "table = \"pop.csv\"\n", "points = \"p.csv\"\ncrs = \"x\"\n")),
        ("population encoding", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\nencoding = \"x\"\n")),
        ("population weights crs", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\nweights = { path = \"w.csv\", crs = \"x\" }\n")),
        ("population weights encoding", r(&fac, "table = \"pop.csv\"\n", "table = \"pop.csv\"\nweights = { path = \"w.csv\", crs = \"EPSG:4490\", encoding = \"x\" }\n")),
        ("population unused", a(&base, "[population]\ntable = \"pop.csv\"\n")),
        ("facility id", r(&fac, "id = \"shelter\"", "id = \"Shelter\"")),
        ("facility id twice", a(&fac, "[[facilities]]\nid = \"shelter\"\npath = \"t.csv\"\ncrs = \"EPSG:4490\"\n")),
        ("facility no population", r(&fac, "[population]\ntable = \"pop.csv\"\n", "")),
        ("facility kind", a(&fac, "kind = \"bunker\"\n")),
        ("class radius", a(&fac, "[facilities.classes.\"紧急\"]\nradius_m = -5\nm2_per_person = 1\n")),
        ("class m2", a(&fac, "[facilities.classes.\"紧急\"]\nradius_m = 5\nm2_per_person = 2e6\n")),
        ("class needs m2", a(&fac, "[facilities.classes.\"Ⅰ类\"]\nradius_m = 5000\n")),
        ("facility radius", a(&fac, "radius_m = inf\n")),
        ("service radius", r(&svc, "radius_m = 3000\n", "")),
        ("service target", a(&svc, "target_m2_per_person = 2\n")),
        ("shelter target", a(&fac, "target_m2_per_person = 0\n")),
        ("coverage target", a(&fac, "coverage_target = 70\n")),
        ("facility m2", a(&fac, "m2_per_person = -1\n")),
        ("facility crs", r(&fac, "crs = \"EPSG:4490\"\n", "crs = \"x\"\n")),
        ("facility encoding", a(&fac, "encoding = \"x\"\n")),
        ("siting count", a(&fac, "[facilities.siting]\ncount = 0\n")),
        ("siting class", a(&fac, "[facilities.siting]\ncount = 2\nclass = \"大\"\n")),
        ("siting radius", a(&fac, "[facilities.siting]\ncount = 2\nradius_m = 0\n")),
        ("siting neither", a(&fac, "[facilities.siting]\ncount = 2\n")),
        ("siting both", a(&fac, "[facilities.siting]\ncount = 2\nclass = \"紧急\"\nradius_m = 5\n")),
        ("siting extras", a(&svc, "[facilities.siting]\ncount = 2\nx = \"lon\"\n")),
        ("siting candidates crs", a(&svc, "[facilities.siting]\ncount = 2\ncandidates = \"c.csv\"\n")),
        ("siting candidates bad crs", a(&svc, "[facilities.siting]\ncount = 2\ncandidates = \"c.csv\"\ncrs = \"x\"\n")),
        ("siting candidates encoding", a(&svc, "[facilities.siting]\ncount = 2\ncandidates = \"c.csv\"\ncrs = \"EPSG:4490\"\nencoding = \"x\"\n")),
        ("townships crs", a(&fac, "[facilities.townships]\npath = \"t.geojson\"\ncrs = \"x\"\n")),
        ("townships encoding", a(&fac, "[facilities.townships]\npath = \"t.shp\"\ncrs = \"EPSG:4490\"\nencoding = \"x\"\n")),
        ("detail map file", a(&fac, "[[facilities.maps]]\nfile = \"../a.png\"\nextent = [87.5, 43.7, 87.7, 43.95]\n")),
        ("detail map extent", a(&fac, "[[facilities.maps]]\nfile = \"a.png\"\nextent = [87.7, 43.7, 87.5, 43.95]\n")),
        ("detail map extent nan", a(&fac, "[[facilities.maps]]\nfile = \"a.png\"\nextent = [87.5, nan, 87.7, 43.95]\n")),
        ("detail map extent range", a(&fac, "[[facilities.maps]]\nfile = \"a.png\"\nextent = [87.5, 43.7, 187.7, 43.95]\n")),
        ("map file windows device", a(&base, "[[maps]]\nfile = \"CON.png\"\nlayers = [\"districts\"]\n")),
        ("map file stream", a(&base, "[[maps]]\nfile = \"a:b.png\"\nlayers = [\"districts\"]\n")),
        ("same census twice", format!("{base}[[sites]]\npath = \"./census.csv\"\ncrs = \"EPSG:4490\"\n")),
        ("previous move", a(&base, "[previous]\noutput = \"../old\"\nmove_m = -1\n")),
        ("previous own output", a(&base, "[previous]\noutput = \"out\"\n")),
        ("previous own output dot", a(&base, "[previous]\noutput = \"./out\"\n")),
        ("previous zoom", a(&base, "[previous]\noutput = \"../old\"\nzoom = [87.5, 43.7, 87.5, 43.95]\n")),
        ("previous zoom inf", a(&base, "[previous]\noutput = \"../old\"\nzoom = [87.5, 43.7, inf, 43.95]\n")),
        ("outputs sites", a(&base, "[outputs]\nsites = \"shapefile\"\n")),
        ("outputs cells", a(&base, "[outputs]\nsites = \"GeoParquet\"\ncells = \"parquet\"\n")),
        ("outputs key", a(&base, "[outputs]\nsite = \"none\"\n")),
    ]
}

/// Every message of the project file, one case each; see `error_messages.txt`.
fn error_messages() -> String {
    let mut out = String::new();
    for (name, text) in error_cases() {
        let message = match Config::parse(&text, Path::new("data/p.toml")) {
            Ok(_) => "accepted".to_string(),
            Err(e) => e.to_string(),
        };
        out.push_str(&format!("== {name}\n{message}\n"));
    }
    out
}

/// The messages are part of the interface (users read them, docs quote them): a change
/// shows up here. After a deliberate change, rewrite the file with
/// `SISETU_BLESS=1 cargo test --release -p sisetu-engine --lib project::tests::messages`.
#[test]
fn messages_are_stable() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/project/error_messages.txt");
    let got = error_messages();
    if std::env::var_os("SISETU_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    for (g, w) in got.split("\n== ").zip(want.split("\n== ")) {
        assert_eq!(g, w, "a project-file message changed (SISETU_BLESS=1 rewrites error_messages.txt)");
    }
    assert_eq!(got, want);
}

#[test]
fn error_kinds_locate_the_problem() {
    let parse = |text: &str| Config::parse(text, Path::new("p.toml")).unwrap_err();
    let e = parse(&ISSUE_EXAMPLE.replace("cell_size_m = 500", "cell_sizem = 500"));
    assert_eq!(e.file(), Path::new("p.toml"));
    match e.kind() {
        ProjectErrorKind::UnknownKey { key, line, column, .. } => {
            assert_eq!((key.as_str(), *line, *column), ("cell_sizem", Some(28), Some(1)));
        }
        other => panic!("{other:?}"),
    }
    let e = parse(&ISSUE_EXAMPLE.replace("cell_size_m = 500", "cell_size_m = \"500\""));
    assert!(matches!(e.kind(), ProjectErrorKind::Syntax { line: Some(28), column: Some(15), .. }), "{e:?}");
    let e = parse(&format!("{ISSUE_EXAMPLE}\n[aggregation]\nrule = \"score\"\nweights = {{ red = nan }}\n"));
    assert!(
        matches!(e.kind(), ProjectErrorKind::Aggregation(AggregationError::Weight { level: RiskLevel::Red, .. })),
        "{e:?}"
    );
    let e = parse(&ISSUE_EXAMPLE.replace("cell_size_m = 500", "cell_size_m = 0"));
    assert!(matches!(e.kind(), ProjectErrorKind::InvalidValue { key, .. } if key == "[grid] cell_size_m"), "{e:?}");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("sisetu.toml");
    let e = Config::load(&missing).unwrap_err();
    assert!(matches!(e.kind(), ProjectErrorKind::Read { .. }), "{e:?}");
    assert!(e.to_string().starts_with(&format!("{}: cannot read the project file: ", missing.display())), "{e}");
    // The engine error shows the project error as it is.
    let engine = crate::error::Error::from(e);
    assert!(matches!(engine, crate::error::Error::Project(_)));
    assert!(engine.to_string().starts_with(&format!("{}: cannot read the project file: ", missing.display())));
}

#[test]
fn project_files_saved_by_windows_programs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = ISSUE_EXAMPLE.replace("title = ", "# 台州市风险普查\ntitle = ");
    let want = Config::parse(&text, &dir.path().join("p.toml")).unwrap();
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [
        ("utf8.toml", text.as_bytes().to_vec()),
        ("bom.toml", [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat()),
        ("gbk.toml", gbk.into_owned()),
        ("utf16.toml", utf16),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let got = Config::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((got.title, got.sites.len()), (want.title.clone(), want.sites.len()), "{name}");
    }
    // Bytes that are no text: an error saying how to save the file.
    let path = dir.path().join("binary.toml");
    std::fs::write(&path, [text.as_bytes(), &[0xFF, 0xFF, 0x81, b'\n'][..]].concat()).unwrap();
    let e = Config::load(&path).unwrap_err();
    assert!(matches!(e.kind(), ProjectErrorKind::FileEncoding), "{e:?}");
    assert!(e.to_string().contains("save it as UTF-8"), "{e}");
}

#[test]
fn a_windows_path_in_double_quotes_gets_the_fix() {
    let text = ISSUE_EXAMPLE.replacen("path = \"", "path = \"D:\\普查\\", 1);
    let e = Config::parse(&text, Path::new("p.toml")).unwrap_err();
    assert!(matches!(e.kind(), ProjectErrorKind::Syntax { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("single quotes") && msg.contains("D:/普查/sites.csv"), "{msg}");
    // Single quotes are a literal string: the path is taken as written.
    let text = ISSUE_EXAMPLE.replacen("path = \"", "path = 'D:\\普查\\", 1).replacen(".geojson\"", ".geojson'", 1);
    assert!(Config::parse(&text, Path::new("p.toml")).is_ok(), "{text}");
}

#[test]
fn extents_are_validated_extents() {
    let text = format!(
        "{ISSUE_EXAMPLE}\n[previous]\noutput = \"../round2023\"\nzoom = [87.5, 43.7, 87.7, 43.95]\n\
         [population]\ntable = \"pop.csv\"\n[[facilities]]\nid = \"shelter\"\npath = \"s.csv\"\ncrs = \"EPSG:4490\"\n\
         [[facilities.maps]]\nfile = \"core.png\"\nextent = [87.55, 43.75, 87.65, 43.9]\n"
    );
    let c = Config::parse(&text, Path::new("/data/urumqi/sisetu.toml")).unwrap();
    let prev = c.previous.unwrap();
    assert_eq!(prev.output, PathBuf::from("/data/urumqi/../round2023"));
    assert_eq!(prev.zoom.map(Extent::to_array), Some([87.5, 43.7, 87.7, 43.95]));
    assert_eq!(c.facilities[0].maps[0].extent, Extent::new(87.55, 43.75, 87.65, 43.9).unwrap());
}

#[test]
fn a_boundary_layer_without_crs_takes_the_one_its_prj_declares() {
    let dir = tempfile::tempdir().unwrap();
    let gk = Crs::GaussKruger(sisetu_io::crs::GkZone::new(4549).unwrap());
    std::fs::write(dir.path().join("区县.prj"), gk.esri_wkt().unwrap()).unwrap();
    let project = |crs_line: &str| {
        format!(
            "[project]\ntitle = \"t\"\n[districts]\npath = \"区县.shp\"\n{crs_line}\n[[sites]]\npath = \"s.csv\"\ncrs = \"CGCS2000\"\n"
        )
    };
    let file = dir.path().join("sisetu.toml");
    let c = Config::parse(&project(""), &file).unwrap();
    assert_eq!(c.districts.1, gk);
    // A crs in the project wins (GCJ-02 boundaries are often saved with a CGCS2000 .prj).
    assert_eq!(Config::parse(&project("crs = \"GCJ02\""), &file).unwrap().districts.1, Crs::Gcj02);
    std::fs::remove_file(dir.path().join("区县.prj")).unwrap();
    let e = Config::parse(&project(""), &file).unwrap_err().to_string();
    assert!(e.contains("[districts]") && e.contains("crs is missing") && e.contains("区县.shp"), "{e}");
}

#[test]
fn a_map_note_closes_every_map_footer() {
    let text = ISSUE_EXAMPLE.replace("output = \"out\"", "output = \"out\"\nmap_note = \" 审图号：新S(2024)012号 \"");
    let c = Config::parse(&text, Path::new("/data/urumqi/sisetu.toml")).unwrap();
    assert_eq!(c.map_note.as_deref(), Some("审图号：新S(2024)012号"));
    let footer = crate::maps::footer(&c, Crs::Cgcs2000);
    assert_eq!(footer.last().map(String::as_str), Some("审图号：新S(2024)012号"));
    let plain = Config::parse(ISSUE_EXAMPLE, Path::new("/data/urumqi/sisetu.toml")).unwrap();
    assert!(crate::maps::footer(&plain, Crs::Cgcs2000).last().unwrap().starts_with("制图：sisetu"));
}
