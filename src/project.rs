//! The project file (TOML): parsing into raw sections, then validation into a [`Config`].
//!
//! Every key is documented in `docs/project-file.md`. Paths are relative to the project
//! file. Unknown keys are errors (they are usually typos), reported with line and column.

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
        let districts = zone_spec(&raw.districts, "districts", vec![])?;
        let management_grid = match &raw.management_grid {
            None => None,
            Some(g) => {
                let extra = g.person.iter().map(|p| ("person".to_string(), p.clone())).collect();
                Some(zone_spec(g, "management_grid", extra)?)
            }
        };

        if raw.sites.is_empty() {
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

        Ok(Config {
            project_file: path.to_path_buf(),
            title: raw.project.title,
            output: resolve(raw.project.output.as_deref().unwrap_or("out")),
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
#[path = "project_tests.rs"]
mod tests;
