//! The project file (TOML): parsing into raw sections, then validation into a [`Config`].
//!
//! Every key is documented in `docs/project-file.md`. Paths are relative to the project
//! file. Unknown keys are errors (they are usually typos), reported with line and column.
//! Every error is a [`ProjectError`]: the file, and a [`ProjectErrorKind`] naming the table,
//! the key and the fix.

mod error;
pub mod facilities;
pub mod outputs;
pub mod rules;
mod style;
mod values;

pub use error::{ProjectError, ProjectErrorKind};

use error::Parsed;
use serde::Deserialize;
use sisetu_core::summary::ScoreRule;
use sisetu_core::{Aggregation, Extent, GradeScheme, RiskLevel};
use sisetu_i18n::Lang;
use sisetu_io::crs::Crs;
use sisetu_io::sites::{SiteColumns, SiteLayerSpec};
use sisetu_io::zones::ZoneLayerSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use values::Base;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    project: RawProjectSection,
    districts: RawZones,
    management_grid: Option<RawZones>,
    #[serde(default)]
    sites: Vec<RawSites>,
    #[serde(default)]
    grades: BTreeMap<String, String>,
    grid: Option<RawGrid>,
    aggregation: Option<RawAggregation>,
    style: Option<style::RawStyle>,
    /// `None` (no `[[maps]]` at all): the standard maps; `maps = []`: none.
    maps: Option<Vec<style::RawMap>>,
    population: Option<facilities::RawPopulation>,
    #[serde(default)]
    facilities: Vec<facilities::RawFacilities>,
    previous: Option<RawPrevious>,
    register: Option<RawRegister>,
    outputs: Option<outputs::RawOutputs>,
    #[serde(default)]
    layers: Vec<rules::RawLayer>,
    #[serde(default)]
    rules: Vec<rules::RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrevious {
    output: String,
    move_m: Option<f64>,
    zoom: Option<[f64; 4]>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegister {
    enabled: Option<bool>,
    html: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjectSection {
    title: String,
    output: Option<String>,
    working_crs: Option<String>,
    census_date: Option<String>,
    source: Option<String>,
    map_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZones {
    path: String,
    crs: Option<String>,
    id: Option<String>,
    name: Option<String>,
    person: Option<String>,
    population: Option<String>,
    encoding: Option<String>,
    min_gap_m2: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSites {
    path: String,
    crs: String,
    x: Option<String>,
    y: Option<String>,
    grade: Option<String>,
    id: Option<String>,
    name: Option<String>,
    category: Option<String>,
    encoding: Option<String>,
    sheet: Option<String>,
    header_row: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrid {
    cell_size_m: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregation {
    rule: String,
    weights: Option<BTreeMap<String, f64>>,
    thresholds: Option<BTreeMap<String, f64>>,
}

/// A validated project.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project file.
    pub project_file: PathBuf,
    /// Map and report title.
    pub title: String,
    /// Output folder.
    pub output: PathBuf,
    /// Working metric CRS: chosen from the districts' extent, or as set.
    pub working_crs: WorkingCrs,
    /// Census date (free text, e.g. 2024-06).
    pub census_date: Option<String>,
    /// Data source note.
    pub source: Option<String>,
    /// The last footer line of every map (`[project] map_note`): 审图号, 内部用图 ….
    pub map_note: Option<String>,
    /// District layer and its CRS.
    pub districts: (ZoneLayerSpec, Crs),
    /// Management-grid layer and its CRS.
    pub management_grid: Option<(ZoneLayerSpec, Crs)>,
    /// Site layers.
    pub sites: Vec<SiteLayerSpec>,
    /// Grade labels → levels.
    pub grades: GradeScheme,
    /// Regular grid cell size in metres.
    pub cell_size_m: f64,
    /// Area level rule.
    pub aggregation: Aggregation,
    /// Map style (colours, sizes, font).
    pub style: sisetu_render::Style,
    /// A font file to use instead of the vendored one.
    pub font: Option<PathBuf>,
    /// Maps to render.
    pub maps: Vec<MapSpec>,
    /// The page of maps without a page of their own (`[style]` page keys), e.g. coverage maps.
    pub page: sisetu_render::Page,
    /// Population for coverage analyses.
    pub population: Option<facilities::PopulationConfig>,
    /// Facility layers (shelters, fire stations…) to analyse.
    pub facilities: Vec<facilities::FacilityConfig>,
    /// Gaps and overlaps of the management grids smaller than this (m²) are counted as
    /// slivers, not listed (`[management_grid] min_gap_m2`).
    pub grid_min_gap_m2: f64,
    /// The previous census round to compare with (`[previous]`).
    pub previous: Option<Previous>,
    /// Whether the register is written at all (`[register] enabled`, default true).
    pub register: bool,
    /// Whether `register.html` is written (`[register] html`); `None` = when the census has
    /// at most 50,000 sites (`analysis::register::HTML_AUTO_MAX_SITES`).
    pub register_html: Option<bool>,
    /// The formats of the site and cell layers (`[outputs]`).
    pub outputs: outputs::Outputs,
    /// Feature layers for rules (`[[layers]]`).
    pub layers: Vec<rules::LayerConfig>,
    /// Separation rules (`[[rules]]`).
    pub rules: Vec<rules::RuleConfig>,
    /// The language of the tables' headers and values and of the terminal lines: set by the
    /// command line (`--lang`, `SISETU_LANG`; [`Config::with_lang`]), Chinese by default. The
    /// machine-readable outputs (GeoJSON, GeoParquet, `report.json`) do not depend on it.
    pub lang: Lang,
}

impl Config {
    /// The same project, with tables and messages in `lang`.
    #[must_use]
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

/// `[previous]`: the output folder of the previous census round.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The previous round's output folder.
    pub output: PathBuf,
    /// Sites that moved more than this (metres) are reported as moved.
    pub move_m: f64,
    /// The WGS84 extent (degrees) of a second, zoomed change map (`changes_zoom.png`).
    pub zoom: Option<Extent>,
}

/// The layers a map can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLayer {
    /// Districts filled with their level.
    Districts,
    /// Regular grid cells filled with their level.
    Cells,
    /// Management grids filled with their level.
    Grids,
    /// Sites as points coloured by level.
    Sites,
}

/// The key under which a district carries its residents (`[districts] population`): in
/// [`sisetu_core::Zone::extra`], and as a number in `districts.geojson`.
pub const POPULATION_KEY: &str = "population";

/// How a district or grid map colours its areas (`[[maps]] classes`; see
/// [`crate::maps::classes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AreaClasses {
    /// The level under the aggregation rule (就高 by default).
    Highest,
    /// The share of red and orange sites among the area's sites (%): the default.
    #[default]
    Share,
    /// Sites per km².
    Density,
    /// Sites per 10,000 residents (`[districts] population`).
    PerCapita,
}

impl AreaClasses {
    /// Parses the project value (`highest`/`就高`, `share`/`占比`, `density`/`密度`,
    /// `per_10k`/`每万人`).
    pub fn parse(s: &str) -> Option<AreaClasses> {
        match s.trim() {
            "highest" | "就高" => Some(AreaClasses::Highest),
            "share" | "占比" => Some(AreaClasses::Share),
            "density" | "密度" => Some(AreaClasses::Density),
            "per_10k" | "每万人" | "万人" => Some(AreaClasses::PerCapita),
            _ => None,
        }
    }
}

/// One `[[maps]]` entry, validated.
#[derive(Debug, Clone)]
pub struct MapSpec {
    /// Output file name (`.png`), inside the output folder.
    pub file: String,
    /// The polygon layer filled with level colours, if any.
    pub fill: Option<MapLayer>,
    /// Whether sites are drawn.
    pub sites: bool,
    /// Title (default: the project title).
    pub title: Option<String>,
    /// One map per district, zoomed to it, named `<stem>_<district id>.png`.
    pub per_district: bool,
    /// How filled districts or grids are coloured.
    pub classes: AreaClasses,
    /// Class breaks (ascending) for [`AreaClasses::Share`] (percent) and
    /// [`AreaClasses::Density`] (per km²); `None`: quantiles.
    pub breaks: Option<Vec<f64>>,
    /// Page setup.
    pub page: sisetu_render::Page,
    /// One of the standard maps a project without `[[maps]]` draws
    /// ([`MapSpec::drawn`]: the standard sites map is left out of a streamed census).
    pub standard: bool,
}

impl MapSpec {
    /// Whether this map is drawn when the census is streamed (`streamed`) or held in
    /// memory. Every map the project names is drawn (a map of sites keeps a census in
    /// memory); the standard map of sites is left out of a streamed census, whose sites
    /// are never all in memory at once.
    pub fn drawn(&self, streamed: bool) -> bool {
        !(streamed && self.standard && self.sites)
    }
}

impl Config {
    /// Reads and validates a project file.
    ///
    /// The file may be UTF-8 (with or without a byte-order mark, as Notepad saves it), GBK
    /// (Notepad's "ANSI" on a Chinese Windows) or UTF-16 with a byte-order mark (Notepad's
    /// "Unicode"); text in none of these is an error that says how to save it.
    pub fn load(path: &Path) -> Result<Config, ProjectError> {
        let bytes = std::fs::read(path).map_err(|error| ProjectError::new(path, ProjectErrorKind::Read { error }))?;
        let decoded = sisetu_io::text::decode_full(&bytes, sisetu_io::text::TextEncoding::Auto);
        match decoded {
            Ok(d) if !d.damaged && d.warning.is_none() => Self::parse(&d.text, path),
            _ => Err(ProjectError::new(path, ProjectErrorKind::FileEncoding)),
        }
    }

    /// Validates project text; `path` locates relative paths and names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ProjectError> {
        let raw: RawProject =
            toml::from_str(text).map_err(|e| ProjectError::new(path, ProjectErrorKind::toml(&e, text)))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_raw(raw, path, Base(&base)).map_err(|kind| ProjectError::new(path, kind))
    }

    /// Validates the sections in the order they are documented, so that the first error
    /// reported is the first one in the file's usual layout.
    fn from_raw(raw: RawProject, path: &Path, base: Base) -> Parsed<Config> {
        let working_crs = parse_project_section(&raw.project)?;
        let zones = parse_zone_layers(&raw.districts, raw.management_grid.as_ref(), base)?;
        if raw.sites.is_empty() && raw.facilities.is_empty() {
            return Err(ProjectErrorKind::NoSites);
        }
        let sites = parse_sites(&raw.sites, base)?;
        let grades = parse_grades(&raw.grades)?;
        let cell_size_m = parse_grid(raw.grid.as_ref())?;
        let aggregation = parse_aggregation(raw.aggregation.as_ref())?;
        let (style, page, font) = style::parse_style(raw.style.as_ref())?;
        let has_grid = raw.management_grid.is_some();
        let has_residents = raw.districts.population.is_some();
        let maps = match &raw.maps {
            Some(maps) => style::parse_maps(maps, &page, has_grid, has_residents)?,
            None => style::standard_maps(&page, has_grid),
        };
        let population =
            raw.population.as_ref().map(|p| facilities::parse_population(p, base, cell_size_m)).transpose()?;
        let facilities = facilities::parse_facilities(&raw.facilities, base, population.is_some())?;
        check_same_inputs(&sites, &facilities)?;
        if population.is_some() && facilities.is_empty() {
            return Err(ProjectErrorKind::PopulationUnused);
        }
        let output = base.path(raw.project.output.as_deref().unwrap_or("out"));
        let previous = raw.previous.as_ref().map(|p| parse_previous(p, base, &output)).transpose()?;
        let layers = rules::parse_layers(&raw.layers, base)?;
        let rules = rules::parse_rules(&raw.rules, &layers, !sites.is_empty())?;
        if rules.is_empty() && !layers.is_empty() {
            return Err(ProjectErrorKind::invalid(
                "[[layers]]",
                "layers are read for [[rules]], and the project has none: add a [[rules]] entry or leave the layers out",
            ));
        }
        Ok(Config {
            layers,
            rules,
            lang: Lang::default(),
            outputs: outputs::parse_outputs(raw.outputs.as_ref())?,
            grid_min_gap_m2: zones.grid_min_gap_m2,
            previous,
            register: raw.register.as_ref().and_then(|r| r.enabled).unwrap_or(true),
            register_html: raw.register.as_ref().and_then(|r| r.html),
            page,
            population,
            facilities,
            style,
            font: font.map(|f| base.path(&f)),
            maps,
            project_file: path.to_path_buf(),
            title: raw.project.title,
            output,
            working_crs,
            census_date: raw.project.census_date,
            map_note: raw.project.map_note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
            source: raw.project.source,
            districts: zones.districts,
            management_grid: zones.management_grid,
            sites,
            grades,
            cell_size_m,
            aggregation,
        })
    }
}

/// How the working CRS is chosen (`[project] working_crs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkingCrs {
    /// Left out: the 3° Gauss-Krüger zone of the districts' centre when its scale error over
    /// the districts is no worse than at a 3° zone's edge, Albers equal-area otherwise.
    Auto,
    /// `"albers"`: Albers equal-area centred on the districts, whatever their extent.
    Albers,
    /// A metric CRS named explicitly (`"EPSG:4538"`, `"Albers:105E"`).
    Fixed(Crs),
}

impl WorkingCrs {
    /// The CRS named in the project, if one is.
    pub fn fixed(self) -> Option<Crs> {
        match self {
            WorkingCrs::Fixed(c) => Some(c),
            WorkingCrs::Auto | WorkingCrs::Albers => None,
        }
    }
}

/// `[project]`: checks the title; returns how the working CRS is chosen.
fn parse_project_section(raw: &RawProjectSection) -> Parsed<WorkingCrs> {
    if raw.title.trim().is_empty() {
        return Err(ProjectErrorKind::EmptyTitle);
    }
    let Some(s) = &raw.working_crs else { return Ok(WorkingCrs::Auto) };
    if s.trim().eq_ignore_ascii_case("albers") {
        return Ok(WorkingCrs::Albers);
    }
    let crs = values::crs(s, "[project] working_crs")?;
    if !crs.is_metric() {
        return Err(ProjectErrorKind::WorkingCrsNotMetric { value: s.clone() });
    }
    Ok(WorkingCrs::Fixed(crs))
}

/// `[districts]` and `[management_grid]`, validated.
struct ZoneLayers {
    districts: (ZoneLayerSpec, Crs),
    management_grid: Option<(ZoneLayerSpec, Crs)>,
    grid_min_gap_m2: f64,
}

/// `[districts]` and `[management_grid]`.
fn parse_zone_layers(districts: &RawZones, grid: Option<&RawZones>, base: Base) -> Parsed<ZoneLayers> {
    for (key, given) in [("person", districts.person.is_some()), ("min_gap_m2", districts.min_gap_m2.is_some())] {
        if given {
            return Err(ProjectErrorKind::MisplacedKey { table: "districts", key, belongs_to: "management_grid" });
        }
    }
    let grid_min_gap_m2 = grid.and_then(|g| g.min_gap_m2).unwrap_or(100.0);
    if !(grid_min_gap_m2.is_finite() && grid_min_gap_m2 >= 0.0) {
        return Err(ProjectErrorKind::value(
            "[management_grid] min_gap_m2",
            grid_min_gap_m2,
            "use 0 or more square metres",
        ));
    }
    let residents = districts.population.iter().map(|p| (POPULATION_KEY.to_string(), p.clone())).collect();
    let districts = zone_spec(districts, "districts", residents, base)?;
    let management_grid =
        match grid {
            None => None,
            Some(g) if g.population.is_some() => return Err(ProjectErrorKind::invalid(
                "[management_grid]",
                "population is a key of [districts] (the column of residents per district, for classes = \"per_10k\")",
            )),
            Some(g) => {
                let extra = g.person.iter().map(|p| ("person".to_string(), p.clone())).collect();
                Some(zone_spec(g, "management_grid", extra, base)?)
            }
        };
    Ok(ZoneLayers { districts, management_grid, grid_min_gap_m2 })
}

/// One polygon layer table (`[districts]`, `[management_grid]`) with its CRS.
fn zone_spec(z: &RawZones, table: &str, extra: Vec<(String, String)>, base: Base) -> Parsed<(ZoneLayerSpec, Crs)> {
    let path = base.path(&z.path);
    // Named in the project, else as the file declares it (a Shapefile's .prj, a GeoJSON crs
    // member) when sisetu recognises it for sure; GCJ-02 boundaries are often saved with a
    // CGCS2000 .prj, so a `crs` in the project always wins.
    let crs = match &z.crs {
        Some(c) => values::crs(c, &format!("[{table}] crs"))?,
        None => sisetu_io::zones::declared_crs(&path).ok_or_else(|| {
            ProjectErrorKind::invalid(
                format!("[{table}]"),
                format!(
                    "crs is missing and {} declares no coordinate system sisetu recognises (a .prj of \
                     CGCS2000, WGS84 or a CGCS2000 Gauss-Krüger zone; a GeoJSON crs member): add crs = \
                     \"CGCS2000\" (or \"GCJ02\", \"EPSG:4549\" …)",
                    z.path
                ),
            )
        })?,
    };
    let spec = ZoneLayerSpec {
        display: path.display().to_string(),
        path,
        id: z.id.clone(),
        name: z.name.clone(),
        extra,
        encoding: values::encoding(z.encoding.as_deref(), &format!("[{table}] encoding"))?,
    };
    Ok((spec, crs))
}

/// `[[sites]]`.
fn parse_sites(raw: &[RawSites], base: Base) -> Parsed<Vec<SiteLayerSpec>> {
    let mut sites = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let place = format!("[[sites]] #{} ({})", i + 1, s.path);
        let path = base.path(&s.path);
        sites.push(SiteLayerSpec {
            display: path.display().to_string(),
            path,
            crs: values::crs(&s.crs, &format!("{place} crs"))?,
            columns: SiteColumns {
                id: s.id.clone(),
                name: s.name.clone(),
                x: s.x.clone(),
                y: s.y.clone(),
                grade: s.grade.clone(),
                category: s.category.clone(),
            },
            encoding: values::encoding(s.encoding.as_deref(), &format!("{place} encoding"))?,
            sheet: s.sheet.clone(),
            header_row: values::header_row(s.header_row, &format!("{place} header_row"))?,
        });
    }
    Ok(sites)
}

/// `[grades]`: the built-in labels plus the project's.
fn parse_grades(raw: &BTreeMap<String, String>) -> Parsed<GradeScheme> {
    let mut grades = GradeScheme::builtin();
    for (label, level) in raw {
        let level = values::level(level, &format!("[grades] \"{label}\""))?;
        grades.map(label, level).map_err(|e| ProjectErrorKind::GradeMapping { message: e.to_string() })?;
    }
    Ok(grades)
}

/// `[grid]`: the regular cell size (default 500 m).
fn parse_grid(raw: Option<&RawGrid>) -> Parsed<f64> {
    let cell_size_m = raw.map_or(500.0, |g| g.cell_size_m);
    if !(cell_size_m.is_finite() && cell_size_m >= 1.0) {
        return Err(ProjectErrorKind::value(
            "[grid] cell_size_m",
            cell_size_m,
            "the cell size must be at least 1 metre",
        ));
    }
    Ok(cell_size_m)
}

/// `[aggregation]` (default: the highest level, 就高).
fn parse_aggregation(raw: Option<&RawAggregation>) -> Parsed<Aggregation> {
    let Some(a) = raw else { return Ok(Aggregation::Highest) };
    match a.rule.trim() {
        "highest" | "就高" => {
            if a.weights.is_some() || a.thresholds.is_some() {
                return Err(ProjectErrorKind::ScoreKeysWithoutScore);
            }
            Ok(Aggregation::Highest)
        }
        "score" => {
            let mut weights = ScoreRule::DEFAULT_WEIGHTS;
            for (k, v) in a.weights.iter().flatten() {
                weights[values::level(k, "[aggregation] weights")?.index()] = *v;
            }
            let mut thresholds = ScoreRule::DEFAULT_THRESHOLDS;
            for (k, v) in a.thresholds.iter().flatten() {
                let l = values::level(k, "[aggregation] thresholds")?;
                if l == RiskLevel::Blue {
                    return Err(ProjectErrorKind::invalid(
                        "[aggregation] thresholds",
                        "blue needs no threshold (it is the level below yellow)",
                    ));
                }
                thresholds[l.index()] = *v;
            }
            let rule = ScoreRule::new(weights, thresholds).map_err(ProjectErrorKind::Aggregation)?;
            Ok(Aggregation::Score(rule))
        }
        other => Err(ProjectErrorKind::value(
            "[aggregation] rule",
            format!("\"{other}\""),
            "use \"highest\" (就高) or \"score\"",
        )),
    }
}

/// No file is listed twice among the site layers, nor among the facility layers (with the
/// same worksheet, or one of the two reading every sheet): its rows would be counted twice.
/// Paths are compared canonically when the files exist.
fn check_same_inputs(sites: &[SiteLayerSpec], facilities: &[facilities::FacilityConfig]) -> Parsed<()> {
    let canonical =
        |p: &Path| p.canonicalize().unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    let check = |what: &str, layers: Vec<(String, &Path, Option<&str>, &str)>| -> Parsed<()> {
        let keys: Vec<PathBuf> = layers.iter().map(|(_, p, _, _)| canonical(p)).collect();
        for (j, (second, _, sheet_j, display)) in layers.iter().enumerate() {
            for (i, (first, _, sheet_i, _)) in layers.iter().enumerate().take(j) {
                let overlapping = sheet_i.is_none() || sheet_j.is_none() || sheet_i == sheet_j;
                if keys[i] == keys[j] && overlapping {
                    return Err(ProjectErrorKind::SameInputTwice {
                        first: format!("{what} {first}"),
                        second: format!("{what} {second}"),
                        path: (*display).to_string(),
                    });
                }
            }
        }
        Ok(())
    };
    check(
        "[[sites]]",
        sites
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("#{}", i + 1), s.path.as_path(), s.sheet.as_deref(), s.display.as_str()))
            .collect(),
    )?;
    check(
        "[[facilities]]",
        facilities
            .iter()
            .map(|f| {
                let t = &f.source.table;
                (format!("\"{}\"", f.id), t.path.as_path(), t.sheet.as_deref(), t.display.as_str())
            })
            .collect(),
    )
}

/// `[previous]`; `output` is this project's output folder, which it must not be.
fn parse_previous(raw: &RawPrevious, base: Base, output: &Path) -> Parsed<Previous> {
    let move_m = raw.move_m.unwrap_or(100.0);
    if !(move_m.is_finite() && move_m >= 0.0) {
        return Err(ProjectErrorKind::value("[previous] move_m", move_m, "use 0 or more metres"));
    }
    let prev = base.path(&raw.output);
    if prev == output || crate::paths::same_folder(&prev, output) {
        return Err(ProjectErrorKind::PreviousIsOwnOutput { value: raw.output.clone() });
    }
    let zoom = raw.zoom.map(|z| values::degree_extent(z, "[previous] zoom")).transpose()?;
    Ok(Previous { output: prev, move_m, zoom })
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
