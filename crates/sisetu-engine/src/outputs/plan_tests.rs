use super::*;
use crate::analysis::{Context, Findings};
use crate::maps::district_files;
use crate::observer::Observer;

const PROJECT: &str = r#"
[project]
title = "t"

[districts]
path = "districts.geojson"
crs = "EPSG:4490"

[[sites]]
path = "census.csv"
crs = "EPSG:4490"
"#;

fn config(dir: &Path, extra: &str) -> Config {
    Config::parse(&format!("{PROJECT}{extra}"), &dir.join("sisetu.toml")).unwrap()
}

/// An analysis that only plans files.
struct Writes(Vec<Planned>);

impl Analysis for Writes {
    fn name(&self) -> &'static str {
        "test"
    }
    fn outputs(&self, _work: Crs) -> Vec<Planned> {
        self.0.clone()
    }
    fn run(&self, _ctx: &Context, _obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        Err(Error::internal("not run in these tests"))
    }
}

const WORK: Crs = Crs::Wgs84;

#[test]
fn plain_district_ids_name_their_maps_as_they_are() {
    assert_eq!(district_files("district.png", &["650102", "abc-1_x"]), ["district_650102.png", "district_abc-1_x.png"]);
}

#[test]
fn unsafe_clashing_and_long_ids_get_unique_bounded_names() {
    let ids = ["a/b", "a_b", "A", "a", &"乌".repeat(100)];
    let files = district_files("d.png", &ids);
    // `a_b` is plain and alone; `a/b` is not plain, so it is hashed and differs from it.
    assert_eq!(files[1], "d_a_b.png");
    assert!(files[0].starts_with("d_a_b-") && files[0].len() == "d_a_b-12345678.png".len(), "{}", files[0]);
    // `A` and `a` are one name where case is ignored: both get their hash.
    assert!(files[2].starts_with("d_A-") && files[3].starts_with("d_a-") && files[2] != files[3], "{files:?}");
    // A 300-byte id keeps 32 bytes (10 characters of 3 bytes) and its hash.
    assert_eq!(files[4], format!("d_{}-{}.png", "乌".repeat(10), &sisetu_io::hash::sha256_hex(ids[4].as_bytes())[..8]));
    let folded: std::collections::BTreeSet<String> = files.iter().map(|f| f.to_lowercase()).collect();
    assert_eq!(folded.len(), files.len());
    // The same ids give the same names.
    assert_eq!(district_files("d.png", &ids), files);
}

#[test]
fn the_plan_holds_core_files_maps_and_analysis_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "[[maps]]\nfile = \"d.png\"\nlayers = [\"districts\"]\nper_district = true\n");
    let extra: Vec<Box<dyn Analysis>> = vec![Box::new(Writes(vec![Planned::new("x.csv", "test")]))];
    let plan = OutputPlan::new(&cfg, &["1", "2"], &extra, WORK, false).unwrap();
    let files: Vec<&str> = plan.files().map(|p| p.file.as_str()).collect();
    for f in ["districts.geojson", "sites.geojson", "report.json", "rejects.csv", "d_1.png", "d_2.pgw", "x.csv"] {
        assert!(files.contains(&f), "{f} not in {files:?}");
    }
    plan.check_written(&["d_1.png".into(), "x.csv".into()]).unwrap();
    let e = plan.check_written(&["y.csv".into()]).unwrap_err().to_string();
    assert!(e.contains("y.csv is not in the plan"), "{e}");
    let e = plan.check_written(&["x.csv".into(), "x.csv".into()]).unwrap_err().to_string();
    assert!(e.contains("x.csv was written twice"), "{e}");
}

#[test]
fn two_writers_of_one_name_are_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "[[maps]]\nfile = \"changes.png\"\nlayers = [\"districts\"]\n");
    let changes: Vec<Box<dyn Analysis>> = vec![Box::new(Writes(vec![Planned::new("changes.png", "[previous]")]))];
    let e = OutputPlan::new(&cfg, &["1"], &changes, WORK, false).unwrap_err().to_string();
    assert_eq!(
        e,
        "two outputs would be written as 'changes.png': by [[maps]] file = \"changes.png\" and by [previous]; rename one of them in the project file"
    );
    // Names that differ only in case are one file on Windows and macOS.
    let cfg = config(dir.path(), "[[maps]]\nfile = \"Report.png\"\nlayers = [\"districts\"]\n");
    let other: Vec<Box<dyn Analysis>> = vec![Box::new(Writes(vec![Planned::new("report.PNG", "test")]))];
    let e = OutputPlan::new(&cfg, &["1"], &other, WORK, false).unwrap_err().to_string();
    assert!(e.contains("'Report.png' and 'report.PNG' (one file where case is ignored"), "{e}");
    // A map named like a core output.
    let cfg = config(dir.path(), "[[maps]]\nfile = \"x.png\"\nlayers = [\"districts\"]\nper_district = true\n");
    let core: Vec<Box<dyn Analysis>> = vec![Box::new(Writes(vec![Planned::new("x_7.pgw", "test")]))];
    let e = OutputPlan::new(&cfg, &["7"], &core, WORK, false).unwrap_err().to_string();
    assert!(e.contains("'x_7.pgw'"), "{e}");
}

#[test]
fn an_output_may_not_replace_an_input_in_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let plan = OutputPlan::new(&cfg, &["1"], &[], WORK, false).unwrap();
    let inputs = input_files(&cfg);
    assert!(inputs.iter().any(|(k, p)| k == "[districts] path" && p.ends_with("districts.geojson")));
    // The project's folder as output: districts.geojson would replace the input.
    let e = plan.check_inputs(dir.path(), &inputs).unwrap_err().to_string();
    assert!(e.contains("would overwrite the input") && e.contains("[districts] path"), "{e}");
    // Another folder is fine.
    plan.check_inputs(&dir.path().join("out"), &inputs).unwrap();
    // A Shapefile's companions are inputs too: a map's .prj beside districts.shp.
    let text = format!("{PROJECT}[[maps]]\nfile = \"map_d.png\"\nlayers = [\"districts\"]\n")
        .replace("districts.geojson", "map_d.shp");
    let shp = Config::parse(&text, &dir.path().join("sisetu.toml")).unwrap();
    let plan = OutputPlan::new(&shp, &["1"], &[], WORK, false).unwrap();
    let e = plan.check_inputs(dir.path(), &input_files(&shp)).unwrap_err().to_string();
    assert!(e.contains("the output map_d.prj (written by [[maps]] file = \"map_d.png\")"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_in_the_output_folder_is_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("rejects.csv"), "id,lon,lat,grade\n").unwrap();
    std::os::unix::fs::symlink(out.join("rejects.csv"), dir.path().join("census.csv")).unwrap();
    let cfg = config(dir.path(), "");
    let plan = OutputPlan::new(&cfg, &["1"], &[], WORK, false).unwrap();
    let e = plan.check_inputs(&out, &input_files(&cfg)).unwrap_err().to_string();
    assert!(e.contains("the output rejects.csv (written by sisetu itself) would overwrite the input"), "{e}");
}
