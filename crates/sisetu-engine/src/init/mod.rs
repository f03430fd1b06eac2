//! `sisetu init [DIR]`: a first project file from the files a census team has.
//!
//! [`survey`] reads every table and polygon layer in the folder (not its subfolders) as a
//! build would: CSV in any of the encodings sisetu reads, workbooks with a title row above the
//! header, GeoJSON and Shapefiles (with their `.prj` and `.cpg`). It finds
//!
//! * the **district layer** (the polygon layer whose name says 区县/区划/district, else the one
//!   with the fewest polygons) and a **management-grid layer** (a name with 网格/grid), their
//!   id and name columns and their CRS (from the `.prj` or a GeoJSON `crs` member);
//! * every **site table** (one with longitude and latitude, or easting and northing, columns
//!   under the usual headers), its columns, encoding, title row, and its CRS from the values:
//!   longitude/latitude in China, Gauss-Krüger with the zone number in the easting, a zone
//!   without its number (the zone of the districts), or Web Mercator;
//! * the **grade labels** used, each with its count, and whether sisetu reads it as a level
//!   (重大风险, 红, 4级 …) or needs a mapping (A–D, Ⅰ–Ⅳ, 高/中/低 …: never guessed).
//!
//! [`render`] writes the `sisetu.toml` for it, commented in the chosen language, with the
//! standard maps on. A label that needs a mapping is written as `"A" = "?"`: the project does
//! not build until a person says what A means, and the error says where. Longitude/latitude
//! cannot tell CGCS2000 from GCJ-02 (300–700 m apart): the file says CGCS2000 and how to change
//! it.
//!
//! Nothing here is guessed that a wrong guess would hide: a layer or a column that is not
//! found is written as a comment listing what the file has.

mod survey;

pub use survey::{survey, GradeSeen, LabelKind, SiteDraft, Survey, ZoneDraft};

use crate::error::{Error, Result};
use sisetu_i18n::{tr, Lang};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file `sisetu init` writes.
pub const PROJECT_FILE: &str = "sisetu.toml";

/// What `sisetu init` did.
#[derive(Debug)]
pub struct Initialised {
    /// The project file written.
    pub file: PathBuf,
    /// What was found.
    pub survey: Survey,
    /// What a person still has to fill in before `sisetu build` (empty: ready).
    pub to_do: Vec<String>,
}

/// Surveys `dir` and writes `dir/sisetu.toml`; an existing file is kept unless `force`.
pub fn init(dir: &Path, force: bool, lang: Lang) -> Result<Initialised> {
    let file = dir.join(PROJECT_FILE);
    if file.exists() && !force {
        return Err(Error::input(tr!(lang, "init.exists", file = file.display())));
    }
    let survey = survey(dir)?;
    let text = render(&survey, lang);
    let tmp = dir.join(format!(".{PROJECT_FILE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, &file)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::output(format!("{}: {e}", file.display()))
    })?;
    let to_do = to_do(&survey, lang);
    Ok(Initialised { file, survey, to_do })
}

/// What the written file still needs from a person.
pub fn to_do(s: &Survey, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    match &s.districts {
        None => out.push(tr!(lang, "init.todo_districts")),
        Some(d) if d.id.is_none() || d.name.is_none() => out.push(tr!(lang, "init.todo_zone_columns", file = d.file)),
        Some(d) if d.crs.is_none() => out.push(tr!(lang, "init.todo_crs", file = d.file)),
        Some(_) => {}
    }
    if s.sites.is_empty() {
        out.push(tr!(lang, "init.todo_sites"));
    }
    for site in &s.sites {
        if site.crs.is_none() {
            out.push(tr!(lang, "init.todo_crs", file = site.file));
        }
        if site.columns.grade.is_none() {
            out.push(tr!(lang, "init.todo_grade_column", file = site.file));
        }
    }
    let unmapped: Vec<&str> =
        s.grades().filter(|g| !matches!(g.kind, LabelKind::Level(_))).map(|g| g.label.as_str()).collect();
    if !unmapped.is_empty() {
        out.push(tr!(lang, "init.todo_grades", labels = unmapped.join(", ")));
    }
    out
}

/// A CRS as a person writes it in the project file.
fn crs_name(crs: sisetu_io::crs::Crs) -> String {
    use sisetu_io::crs::Crs;
    match crs {
        Crs::Cgcs2000 => "CGCS2000".into(),
        Crs::Wgs84 => "WGS84".into(),
        Crs::Gcj02 => "GCJ02".into(),
        Crs::Bd09 => "BD09".into(),
        other => other.to_string(),
    }
}

/// A TOML string (basic, escaped).
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The project file for `s`, commented in `lang`.
pub fn render(s: &Survey, lang: Lang) -> String {
    let mut t = String::new();
    let c = |key: &str| format!("# {}\n", tr!(lang, key));
    t.push_str(&c("init.head"));
    t.push_str(&c("init.head_run"));
    t.push('\n');
    t.push_str("[project]\n");
    let _ = writeln!(t, "title = {}", q(&s.title));
    t.push_str("output = \"out\"\n");
    let _ = writeln!(t, "# map_note = \"内部用图 注意保存\"   # {}\n", tr!(lang, "init.map_note"));
    render_zones(&mut t, s.districts.as_ref(), "districts", lang);
    if let Some(g) = &s.grids {
        render_zones(&mut t, Some(g), "management_grid", lang);
    }
    for site in &s.sites {
        render_site(&mut t, site, lang);
    }
    if s.sites.is_empty() {
        t.push_str(&c("init.no_sites"));
        t.push_str("# [[sites]]\n# path = \"普查表.xlsx\"\n# crs = \"CGCS2000\"\n\n");
    }
    render_grades(&mut t, s, lang);
    render_maps(&mut t, s, lang);
    t
}

fn render_zones(t: &mut String, z: Option<&ZoneDraft>, table: &str, lang: Lang) {
    let Some(z) = z else {
        let _ = writeln!(t, "# {}", tr!(lang, "init.no_districts"));
        let _ = writeln!(t, "[{table}]\npath = \"?\"   # {}\ncrs = \"CGCS2000\"\n", tr!(lang, "init.fill_path"));
        return;
    };
    let _ = writeln!(t, "# {}", tr!(lang, &format!("init.{table}"), file = z.file, n = z.features));
    let _ = writeln!(t, "[{table}]\npath = {}", q(&z.file));
    match z.crs {
        Some(crs) => {
            let _ = writeln!(t, "crs = {}   # {}", q(&crs_name(crs)), tr!(lang, "init.crs_declared"));
        }
        None => {
            let _ = writeln!(t, "crs = \"CGCS2000\"   # {}", tr!(lang, "init.crs_lonlat"));
        }
    }
    let fields = z.fields.iter().map(|f| q(f)).collect::<Vec<_>>().join(", ");
    for (key, v) in [("id", &z.id), ("name", &z.name)] {
        match v {
            Some(col) => {
                let _ = writeln!(t, "{key} = {}", q(col));
            }
            None => {
                let _ = writeln!(t, "{key} = \"?\"   # {}", tr!(lang, "init.pick_field", fields = fields));
            }
        }
    }
    if let Some(p) = &z.person {
        let _ = writeln!(t, "person = {}", q(p));
    }
    if let Some(p) = z.population.as_ref().filter(|_| table == "districts") {
        let _ = writeln!(t, "population = {}   # {}", q(p), tr!(lang, "init.population"));
    }
    t.push('\n');
}

fn render_site(t: &mut String, s: &SiteDraft, lang: Lang) {
    let _ = writeln!(t, "# {}", tr!(lang, "init.sites", file = s.file, n = s.rows));
    if let Some(title) = &s.title_row {
        let _ = writeln!(t, "# {}", tr!(lang, "init.title_row", title = title, row = s.header_row));
    }
    let _ = writeln!(t, "[[sites]]\npath = {}", q(&s.file));
    match s.crs {
        Some(crs) => {
            let _ = writeln!(t, "crs = {}   # {}", q(&crs_name(crs)), tr!(lang, &s.crs_why));
        }
        None => {
            let _ = writeln!(t, "crs = \"?\"   # {}", tr!(lang, "init.crs_unknown"));
        }
    }
    if let Some(e) = &s.encoding {
        let _ = writeln!(t, "encoding = {}   # {}", q(e), tr!(lang, "init.encoding_found"));
    }
    let headers = s.headers.iter().map(|h| q(h)).collect::<Vec<_>>().join(", ");
    let cols = &s.columns;
    for (key, v, required) in [
        ("x", &cols.x, true),
        ("y", &cols.y, true),
        ("grade", &cols.grade, true),
        ("id", &cols.id, false),
        ("name", &cols.name, false),
        ("category", &cols.category, false),
    ] {
        match v {
            Some(col) => {
                let _ = writeln!(t, "{key} = {}", q(col));
            }
            None if required => {
                let _ = writeln!(t, "{key} = \"?\"   # {}", tr!(lang, "init.pick_column", headers = headers));
            }
            None => {
                let _ = writeln!(t, "# {key} = \"\"   # {}", tr!(lang, "init.optional_column", headers = headers));
            }
        }
    }
    t.push('\n');
}

fn render_grades(t: &mut String, s: &Survey, lang: Lang) {
    let grades: Vec<&GradeSeen> = s.grades().collect();
    if grades.is_empty() {
        return;
    }
    let _ = writeln!(t, "# {}", tr!(lang, "init.grades_found"));
    for g in &grades {
        let what = match g.kind {
            LabelKind::Level(l) => tr!(lang, "init.grade_read_as", level = tr!(lang, &format!("level.{}", l.as_str()))),
            LabelKind::NeedsMapping => tr!(lang, "init.grade_ambiguous"),
            LabelKind::Unknown => tr!(lang, "init.grade_unknown"),
        };
        let _ = writeln!(t, "#   {} × {}: {what}", q(&g.label), g.count);
    }
    if grades.iter().all(|g| matches!(g.kind, LabelKind::Level(_))) {
        t.push('\n');
        return;
    }
    let _ = writeln!(t, "# {}", tr!(lang, "init.grades_fill"));
    t.push_str("[grades]\n");
    for g in grades.iter().filter(|g| !matches!(g.kind, LabelKind::Level(_))) {
        let _ = writeln!(t, "{} = \"?\"", q(&g.label));
    }
    t.push('\n');
}

fn render_maps(t: &mut String, s: &Survey, lang: Lang) {
    let _ = writeln!(t, "# {}", tr!(lang, "init.maps"));
    let maps: [(&str, &str, &str, Option<&str>); 4] = [
        ("map_districts.png", "[\"districts\"]", "init.map_share", None),
        ("map_districts_highest.png", "[\"districts\"]", "init.map_highest", Some("highest")),
        ("map_sites.png", "[\"sites\"]", "init.map_sites", None),
        ("map_cells.png", "[\"cells\"]", "init.map_cells", None),
    ];
    for (file, layers, key, classes) in maps {
        let _ = writeln!(t, "[[maps]]   # {}\nfile = {}\nlayers = {layers}", tr!(lang, key), q(file));
        if let Some(c) = classes {
            let _ = writeln!(t, "classes = {}", q(c));
        }
        t.push('\n');
    }
    if s.districts.as_ref().is_some_and(|d| d.population.is_some()) {
        let _ = writeln!(
            t,
            "[[maps]]   # {}\nfile = \"map_districts_per_10k.png\"\nlayers = [\"districts\"]\nclasses = \"per_10k\"\n",
            tr!(lang, "init.map_per_10k")
        );
    }
    if s.districts.as_ref().is_some_and(|d| d.features > 1) {
        let _ = writeln!(
            t,
            "[[maps]]   # {}\nfile = \"district.png\"\nlayers = [\"cells\", \"sites\"]\nper_district = true\n",
            tr!(lang, "init.map_per_district")
        );
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
