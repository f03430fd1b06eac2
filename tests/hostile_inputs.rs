//! Hostile inputs that need generated files (the small cases live in `tests/corpus/`): the
//! real binary must refuse them with a message naming the file and the fix, never draw maps
//! without text or panic.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

mod common;

use common::*;

const DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"W","name":"西区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}}
]}
"#;

#[test]
fn a_truncated_project_font_is_an_error_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "districts.geojson", DISTRICTS);
    write(dir, "sites.csv", "id,lon,lat,grade\nS1,87.55,43.8,红\n");
    let font = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/crates/sisetu-render/fonts/DroidSansFallback.ttf"))
        .unwrap();
    write(dir, "cut.ttf", &font[..font.len() / 3]);
    write(
        dir,
        "sisetu.toml",
        "[project]\ntitle = \"t\"\n\n[districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4490\"\n\n[[sites]]\n\
         path = \"sites.csv\"\ncrs = \"EPSG:4490\"\n\n[style]\nfont = \"cut.ttf\"\n\n[[maps]]\nfile = \"m.png\"\nlayers = [\"districts\"]\n",
    );
    for cmd in ["check", "build"] {
        sisetu(dir, &[cmd, "sisetu.toml"])
            .expect_code(2)
            .expect_stderr("cut.ttf has no drawable glyphs")
            .expect_stderr("damaged or truncated");
    }
    assert!(!dir.join("out").exists());
}

#[test]
fn a_title_row_above_a_facility_table_is_said_on_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_demo_inputs(dir);
    let shelters = std::fs::read(dir.join("shelters.csv")).unwrap();
    let mut titled = "乌鲁木齐市应急避难场所名录\n".as_bytes().to_vec();
    titled.extend_from_slice(&shelters);
    write(dir, "shelters.csv", titled);
    sisetu(dir, &["check", "sisetu.toml"]).expect_code(1).expect_stderr(
        "warning: shelters.csv: line 1 ('乌鲁木齐市应急避难场所名录') looks like a title above the header",
    );
}
