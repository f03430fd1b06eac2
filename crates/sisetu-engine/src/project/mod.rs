//! The project file (TOML): parsing into raw sections, then validation into a [`Config`].
//!
//! Every key is documented in `docs/project-file.md`. Paths are relative to the project
//! file. Unknown keys are errors (they are usually typos), reported with line and column.

pub mod facilities;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use sisetu_core::{Aggregation, GradeScheme, RiskLevel};
use sisetu_io::crs::Crs;
use sisetu_io::sites::{SiteColumns, SiteLayerSpec};
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::ZoneLayerSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    style: Option<RawStyle>,
    #[serde(default)]
    maps: Vec<RawMap>,
    population: Option<facilities::RawPopulation>,
    #[serde(default)]
    facilities: Vec<facilities::RawFacilities>,
    previous: Option<RawPrevious>,
    register: Option<RawRegister>,
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

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawPageKeys {
    page: Option<String>,
    orientation: Option<String>,
    dpi: Option<f32>,
    margin_mm: Option<f32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    font: Option<String>,
    colors: Option<BTreeMap<String, String>>,
    no_data_color: Option<String>,
    fill_opacity: Option<f32>,
    boundary_pt: Option<f32>,
    cell_outline_pt: Option<f32>,
    site_size_pt: Option<BTreeMap<String, f32>>,
    title_pt: Option<f32>,
    label_pt: Option<f32>,
    legend_pt: Option<f32>,
    footer_pt: Option<f32>,
    #[serde(flatten)]
    page: RawPageKeys,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    file: String,
    layers: Vec<String>,
    title: Option<String>,
    #[serde(default)]
    per_district: bool,
    #[serde(flatten)]
    page: RawPageKeys,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjectSection {
    title: String,
    output: Option<String>,
    working_crs: Option<String>,
    census_date: Option<String>,
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZones {
    path: String,
    crs: String,
    id: Option<String>,
    name: Option<String>,
    person: Option<String>,
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
    /// Working metric CRS, when set explicitly.
    pub working_crs: Option<Crs>,
    /// Census date (free text, e.g. 2024-06).
    pub census_date: Option<String>,
    /// Data source note.
    pub source: Option<String>,
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
    /// at most [`crate::analysis::register::HTML_AUTO_MAX_SITES`] sites.
    pub register_html: Option<bool>,
}

/// `[previous]`: the output folder of the previous census round.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The previous round's output folder.
    pub output: PathBuf,
    /// Sites that moved more than this (metres) are reported as moved.
    pub move_m: f64,
    /// The WGS84 extent of a second, zoomed change map (`changes_zoom.png`).
    pub zoom: Option<[f64; 4]>,
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
    /// Page setup.
    pub page: sisetu_render::Page,
}

fn parse_page(base: &sisetu_render::Page, raw: &RawPageKeys, what: &str) -> Result<sisetu_render::Page> {
    use sisetu_render::{Orientation, PageSize};
    let mut page = *base;
    if let Some(p) = &raw.page {
        page.size = match p.trim().to_ascii_uppercase().as_str() {
            "A4" => PageSize::A4,
            "A3" => PageSize::A3,
            other => {
                let dims: Vec<&str> = other.split(['X', '×', '*']).map(str::trim).collect();
                match dims.as_slice() {
                    [w, h] => match (w.parse::<u32>(), h.parse::<u32>()) {
                        (Ok(w), Ok(h)) if (100..=20_000).contains(&w) && (100..=20_000).contains(&h) => PageSize::Pixels(w, h),
                        _ => bail!("{what}: page = \"{p}\": width and height must be whole pixels from 100 to 20000, as in \"3000x2000\""),
                    },
                    _ => bail!("{what}: page = \"{p}\": use \"A4\", \"A3\" or a pixel size such as \"3000x2000\""),
                }
            }
        };
    }
    if let Some(o) = &raw.orientation {
        page.orientation = match o.trim().to_ascii_lowercase().as_str() {
            "landscape" | "横向" => Orientation::Landscape,
            "portrait" | "纵向" => Orientation::Portrait,
            _ => bail!("{what}: orientation = \"{o}\": use \"landscape\" or \"portrait\""),
        };
    }
    if let Some(d) = raw.dpi {
        if !(d.is_finite() && (30.0..=1200.0).contains(&d)) {
            bail!("{what}: dpi = {d}: use a resolution from 30 to 1200 (300 for print)");
        }
        page.dpi = d;
    }
    if let Some(m) = raw.margin_mm {
        if !(m.is_finite() && (0.0..=100.0).contains(&m)) {
            bail!("{what}: margin_mm = {m}: use 0 to 100 millimetres");
        }
        page.margin_mm = m;
    }
    Ok(page)
}

fn parse_style(
    raw: Option<&RawStyle>,
    what: &str,
) -> Result<(sisetu_render::Style, sisetu_render::Page, Option<String>)> {
    let mut style = sisetu_render::Style::default();
    let page = sisetu_render::Page::default();
    let Some(r) = raw else { return Ok((style, page, None)) };
    let color = |s: &str, key: &str| {
        sisetu_render::Rgba::parse(s)
            .ok_or_else(|| anyhow!("{what} {key} = \"{s}\": use a hex colour such as \"#E60012\""))
    };
    for (k, v) in r.colors.iter().flatten() {
        let l: RiskLevel = k.parse().map_err(|e| anyhow!("{what} colors: {e}"))?;
        style.colors[l.index()] = color(v, &format!("colors.{k}"))?;
    }
    if let Some(c) = &r.no_data_color {
        style.no_data = color(c, "no_data_color")?;
    }
    if let Some(o) = r.fill_opacity {
        if !(0.0..=1.0).contains(&o) {
            bail!("{what} fill_opacity = {o}: use 0 (transparent) to 1 (opaque)");
        }
        style.fill_opacity = o;
    }
    for (k, v) in r.site_size_pt.iter().flatten() {
        let l: RiskLevel = k.parse().map_err(|e| anyhow!("{what} site_size_pt: {e}"))?;
        style.site_size_pt[l.index()] = *v;
    }
    let sizes = [
        ("boundary_pt", r.boundary_pt, &mut style.boundary_pt),
        ("cell_outline_pt", r.cell_outline_pt, &mut style.cell_outline_pt),
        ("title_pt", r.title_pt, &mut style.title_pt),
        ("label_pt", r.label_pt, &mut style.label_pt),
        ("legend_pt", r.legend_pt, &mut style.legend_pt),
        ("footer_pt", r.footer_pt, &mut style.footer_pt),
    ];
    for (key, value, slot) in sizes {
        if let Some(v) = value {
            if !(v.is_finite() && (0.0..=200.0).contains(&v)) {
                bail!("{what} {key} = {v}: sizes are in points, from 0 to 200");
            }
            *slot = v;
        }
    }
    for v in style.site_size_pt {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            bail!("{what} site_size_pt: {v} is not a size in points from 0 to 100");
        }
    }
    let page = parse_page(&page, &r.page, what)?;
    Ok((style, page, r.font.clone()))
}

fn parse_crs(s: &str, what: &str) -> Result<Crs> {
    s.parse::<Crs>().map_err(|e| anyhow!("{what}: {e}"))
}

fn parse_encoding(s: &Option<String>, what: &str) -> Result<TextEncoding> {
    match s {
        None => Ok(TextEncoding::Auto),
        Some(s) => TextEncoding::from_label(s)
            .ok_or_else(|| anyhow!("{what}: unknown encoding '{s}'; use \"auto\", \"utf-8\" or \"gbk\"")),
    }
}

impl Config {
    /// Reads and validates a project file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the project file", path.display()))?;
        Self::parse(&text, path)
    }

    /// Validates project text; `path` locates relative paths and names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let shown = path.display().to_string();
        let raw: RawProject = toml::from_str(text).map_err(|e| anyhow!("{shown}: {e}"))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let ctx = |what: &str| format!("{shown}: {what}");

        if raw.project.title.trim().is_empty() {
            bail!("{}", ctx("[project] title is empty; give the map a title"));
        }
        let working_crs = match &raw.project.working_crs {
            None => None,
            Some(s) => {
                let c = parse_crs(s, &ctx("[project] working_crs"))?;
                if !c.is_metric() {
                    bail!("{}: [project] working_crs = \"{s}\" is not a metric CRS; use a Gauss-Krüger zone such as \"EPSG:4538\" or leave it out", shown);
                }
                Some(c)
            }
        };

        let zone_spec = |z: &RawZones, section: &str, extra: Vec<(String, String)>| -> Result<(ZoneLayerSpec, Crs)> {
            let crs = parse_crs(&z.crs, &ctx(&format!("[{section}] crs")))?;
            Ok((
                ZoneLayerSpec {
                    path: resolve(&z.path),
                    display: resolve(&z.path).display().to_string(),
                    id: z.id.clone().unwrap_or_else(|| "id".into()),
                    name: z.name.clone().unwrap_or_else(|| "name".into()),
                    extra,
                    encoding: parse_encoding(&z.encoding, &ctx(&format!("[{section}] encoding")))?,
                },
                crs,
            ))
        };
        if raw.districts.person.is_some() {
            bail!("{}", ctx("[districts] has no key 'person' (it belongs to [management_grid])"));
        }
        if raw.districts.min_gap_m2.is_some() {
            bail!("{}", ctx("[districts] has no key 'min_gap_m2' (it belongs to [management_grid])"));
        }
        let grid_min_gap_m2 = raw.management_grid.as_ref().and_then(|g| g.min_gap_m2).unwrap_or(100.0);
        if !(grid_min_gap_m2.is_finite() && grid_min_gap_m2 >= 0.0) {
            bail!("{}", ctx(&format!("[management_grid] min_gap_m2 = {grid_min_gap_m2}: use 0 or more square metres")));
        }
        let districts = zone_spec(&raw.districts, "districts", vec![])?;
        let management_grid = match &raw.management_grid {
            None => None,
            Some(g) => {
                let extra = g.person.iter().map(|p| ("person".to_string(), p.clone())).collect();
                Some(zone_spec(g, "management_grid", extra)?)
            }
        };

        if raw.sites.is_empty() && raw.facilities.is_empty() {
            bail!("{}", ctx("no [[sites]] layer; add at least one [[sites]] entry with path and crs"));
        }
        let mut sites = Vec::new();
        for (i, s) in raw.sites.iter().enumerate() {
            let what = format!("[[sites]] #{} ({})", i + 1, s.path);
            sites.push(SiteLayerSpec {
                path: resolve(&s.path),
                display: resolve(&s.path).display().to_string(),
                crs: parse_crs(&s.crs, &ctx(&format!("{what} crs")))?,
                columns: SiteColumns {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    x: s.x.clone(),
                    y: s.y.clone(),
                    grade: s.grade.clone(),
                    category: s.category.clone(),
                },
                encoding: parse_encoding(&s.encoding, &ctx(&format!("{what} encoding")))?,
                sheet: s.sheet.clone(),
            });
        }

        let mut grades = GradeScheme::builtin();
        for (label, level) in &raw.grades {
            let level: RiskLevel =
                level.parse().map_err(|e| anyhow!("{}: {e}", ctx(&format!("[grades] \"{label}\""))))?;
            grades.map(label, level).map_err(|e| anyhow!("{}: {e}", ctx("[grades]")))?;
        }

        let cell_size_m = raw.grid.as_ref().map(|g| g.cell_size_m).unwrap_or(500.0);
        if !(cell_size_m.is_finite() && cell_size_m >= 1.0) {
            bail!("{}", ctx(&format!("[grid] cell_size_m = {cell_size_m}: the cell size must be at least 1 metre")));
        }

        let aggregation = match &raw.aggregation {
            None => Aggregation::Highest,
            Some(a) => match a.rule.trim() {
                "highest" | "就高" => {
                    if a.weights.is_some() || a.thresholds.is_some() {
                        bail!("{}", ctx("[aggregation] weights and thresholds only apply to rule = \"score\""));
                    }
                    Aggregation::Highest
                }
                "score" => {
                    let mut weights = Aggregation::DEFAULT_WEIGHTS;
                    for (k, v) in a.weights.iter().flatten() {
                        let l: RiskLevel = k.parse().map_err(|e| anyhow!("{}: {e}", ctx("[aggregation] weights")))?;
                        weights[l.index()] = *v;
                    }
                    let mut thresholds = Aggregation::DEFAULT_THRESHOLDS;
                    for (k, v) in a.thresholds.iter().flatten() {
                        let l: RiskLevel =
                            k.parse().map_err(|e| anyhow!("{}: {e}", ctx("[aggregation] thresholds")))?;
                        if l == RiskLevel::Blue {
                            bail!(
                                "{}",
                                ctx("[aggregation] thresholds: blue needs no threshold (it is the level below yellow)")
                            );
                        }
                        thresholds[l.index()] = *v;
                    }
                    if !(thresholds[0] >= thresholds[1] && thresholds[1] >= thresholds[2]) {
                        bail!(
                            "{}",
                            ctx(&format!(
                                "[aggregation] thresholds must satisfy red ≥ orange ≥ yellow, got {thresholds:?}"
                            ))
                        );
                    }
                    Aggregation::Score { weights, thresholds }
                }
                other => {
                    bail!("{}", ctx(&format!("[aggregation] rule = \"{other}\": use \"highest\" (就高) or \"score\"")))
                }
            },
        };

        let (style, base_page, font) = parse_style(raw.style.as_ref(), &ctx("[style]"))?;
        let mut maps = Vec::new();
        let mut files = std::collections::BTreeSet::new();
        for (i, m) in raw.maps.iter().enumerate() {
            let what = ctx(&format!("[[maps]] #{} ({})", i + 1, m.file));
            if !m.file.to_ascii_lowercase().ends_with(".png") || m.file.contains(['/', '\\']) || m.file.starts_with('.')
            {
                bail!("{what}: file must be a plain file name ending in .png, such as \"districts.png\"");
            }
            if !files.insert(m.file.to_ascii_lowercase()) {
                bail!("{what}: the file name is used by another map");
            }
            let mut fill = None;
            let mut sites = false;
            if m.layers.is_empty() {
                bail!("{what}: layers is empty; use one or more of \"districts\", \"cells\", \"grids\", \"sites\"");
            }
            for l in &m.layers {
                let layer = match l.trim() {
                    "districts" => MapLayer::Districts,
                    "cells" => MapLayer::Cells,
                    "grids" => MapLayer::Grids,
                    "sites" => MapLayer::Sites,
                    other => {
                        bail!("{what}: unknown layer \"{other}\"; use \"districts\", \"cells\", \"grids\" or \"sites\"")
                    }
                };
                if layer == MapLayer::Sites {
                    sites = true;
                } else if let Some(prev) = fill.replace(layer) {
                    if prev != layer {
                        bail!("{what}: only one filled layer per map (got {prev:?} and {layer:?}); make two maps");
                    }
                }
            }
            if fill == Some(MapLayer::Grids) && raw.management_grid.is_none() {
                bail!("{what}: layer \"grids\" needs a [management_grid] table");
            }
            maps.push(MapSpec {
                file: m.file.clone(),
                fill,
                sites,
                title: m.title.clone(),
                per_district: m.per_district,
                page: parse_page(&base_page, &m.page, &what)?,
            });
        }

        let fctx = facilities::Ctx { shown: &shown, base: &base };
        let population = match &raw.population {
            Some(p) => Some(facilities::parse_population(p, &fctx, cell_size_m)?),
            None => None,
        };
        let facilities = facilities::parse_facilities(&raw.facilities, &fctx, population.is_some())?;
        for f in &facilities {
            for name in std::iter::once(f.map_file()).chain(f.maps.iter().map(|m| m.file.clone())) {
                let lower = name.to_ascii_lowercase();
                for m in &maps {
                    let ml = m.file.to_ascii_lowercase();
                    let stem = ml.trim_end_matches(".png");
                    if ml == lower || (m.per_district && lower.starts_with(&format!("{stem}_"))) {
                        bail!(
                            "{}",
                            ctx(&format!(
                                "[[maps]] file \"{}\" would overwrite the coverage map {name} of [[facilities]] \"{}\"; rename one",
                                m.file, f.id
                            ))
                        );
                    }
                }
            }
        }
        if population.is_some() && facilities.is_empty() {
            bail!(
                "{}",
                ctx("[population] is only used by [[facilities]] layers; add one (e.g. shelters) or remove it")
            );
        }

        let output = resolve(raw.project.output.as_deref().unwrap_or("out"));
        let previous = match &raw.previous {
            None => None,
            Some(p) => {
                let move_m = p.move_m.unwrap_or(100.0);
                if !(move_m.is_finite() && move_m >= 0.0) {
                    bail!("{}", ctx(&format!("[previous] move_m = {move_m}: use 0 or more metres")));
                }
                let prev = resolve(&p.output);
                let same =
                    prev == output || matches!((prev.canonicalize(), output.canonicalize()), (Ok(a), Ok(b)) if a == b);
                if same {
                    bail!(
                        "{}",
                        ctx(&format!(
                            "[previous] output = \"{}\" is this project's own output folder; point it at the previous census round's output folder",
                            p.output
                        ))
                    );
                }
                if let Some(z) = &p.zoom {
                    if !facilities::valid_extent(z) {
                        bail!("{}", ctx(&format!("[previous] zoom = {z:?}: give [min longitude, min latitude, max longitude, max latitude] in degrees, e.g. [87.5, 43.7, 87.7, 43.95]")));
                    }
                }
                Some(Previous { output: prev, move_m, zoom: p.zoom })
            }
        };
        Ok(Config {
            grid_min_gap_m2,
            previous,
            register: raw.register.as_ref().and_then(|r| r.enabled).unwrap_or(true),
            register_html: raw.register.as_ref().and_then(|r| r.html),
            page: base_page,
            population,
            facilities,
            style,
            font: font.map(|f| resolve(&f)),
            maps,
            project_file: path.to_path_buf(),
            title: raw.project.title,
            output,
            working_crs,
            census_date: raw.project.census_date,
            source: raw.project.source,
            districts,
            management_grid,
            sites,
            grades,
            cell_size_m,
            aggregation,
        })
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
