//! Separation rules (`[[layers]]` + `[[rules]]`): "every hazardous-chemical enterprise at
//! least its external safety distance from every school", "every school has a fire station
//! within 3 km", "no gas pipeline within 50 m of a crowded place".
//!
//! One direction, one file per step:
//!
//! 1. **Load** ([`load`]): [`layers`] reads every `[[layers]]` entry (points from x/y
//!    columns, or GeoJSON points, lines and areas; ids, names and each feature's own
//!    distance), keeping or rejecting every row before anything is computed.
//! 2. **Run** ([`check`]): per rule, the features of A (a layer, or the census's sites,
//!    optionally of some categories) against the features of B, with exact distances in the
//!    working CRS from [`sisetu_core::proximity`] — the index facility coverage uses too.
//!    `min_m`: every pair closer than the distance (`distance < required`) is a violation;
//!    `within_m`: a feature of A with nothing of B within the distance (`distance <=
//!    required` complies) is one. A rule whose a and b are the same layer never compares a
//!    feature with itself.
//! 3. **Write** (`outputs`): `rule_violations.geojson` and `rules_summary.csv`/`.xlsx`.
//! 4. **Draw** (`map`): `rule_<n>.png`, one map per rule (n counts from 1 in project order).
//!
//! `sisetu check` and `sisetu build --strict` count every feature of A that violates a rule
//! as a problem.

pub mod check;
pub mod layers;
mod map;
mod outputs;

use crate::analysis::coverage::InputReport;
use crate::analysis::{Analysis, Context, Findings, InputRows, LoadContext};
use crate::error::Result;
use crate::observer::Observer;
use crate::project::rules::{Required, RuleConfig, RuleKind, RuleLayer, SITES};
use check::RuleResult;
use layers::{Feature, FeatureLayer};
use serde::Serialize;
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use std::sync::Arc;

/// Loads the analysis with its layers ([`crate::analysis::Loader`]); `None` when the project
/// has no `[[rules]]`.
pub fn load(ctx: &LoadContext, obs: &dyn Observer) -> Result<Option<Box<dyn Analysis>>> {
    if ctx.cfg.rules.is_empty() {
        return Ok(None);
    }
    let mut layers = Vec::with_capacity(ctx.cfg.layers.len());
    for (k, lc) in ctx.cfg.layers.iter().enumerate() {
        obs.stage(&format!("reading layer {}", lc.name));
        layers.push(layers::read_layer(k, lc, ctx.work, ctx.districts)?);
    }
    Ok(Some(Box::new(Rules { layers: Arc::new(layers), rules: ctx.cfg.rules.clone() })))
}

/// The input files of `[[layers]]` with the keys that name them.
pub fn input_files(cfg: &crate::project::Config) -> Vec<(String, std::path::PathBuf)> {
    cfg.layers.iter().map(|l| (format!("[[layers]] name = \"{}\" path", l.name), l.source.table.path.clone())).collect()
}

/// The rules with their layers read.
pub struct Rules {
    layers: Arc<Vec<FeatureLayer>>,
    rules: Vec<RuleConfig>,
}

impl Rules {
    /// The layers as read.
    pub fn layers(&self) -> &[FeatureLayer] {
        &self.layers
    }

    fn files() -> [&'static str; 4] {
        [outputs::VIOLATIONS_FILE, outputs::STRETCHES_FILE, outputs::SUMMARY_FILE, outputs::SUMMARY_XLSX]
    }

    /// The maps' files (with their world files) in the working CRS `work`: `rule_<n>.png` for
    /// each rule that has a map.
    fn map_files(rules: &[RuleConfig], work: Crs) -> Vec<String> {
        let drawn = rules.iter().enumerate().filter(|(_, r)| r.map);
        drawn.flat_map(|(n, _)| crate::maps::map_files(&map::map_file(n), work)).collect()
    }
}

impl Analysis for Rules {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn inputs(&self) -> Vec<InputRows<'_>> {
        self.layers.iter().map(|l| l.file.rows()).collect()
    }

    fn needs_sites(&self) -> bool {
        self.rules.iter().any(|r| matches!(r.a, RuleLayer::Sites { .. }) || matches!(r.b, RuleLayer::Sites { .. }))
    }

    fn outputs(&self, work: Crs) -> Vec<crate::planned::Planned> {
        let files = Self::files().into_iter().map(String::from).chain(Self::map_files(&self.rules, work));
        files.map(|f| crate::planned::Planned::new(f, "[[rules]]")).collect()
    }

    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        let mut site_sets: Vec<(Vec<String>, Vec<Feature>)> = Vec::new();
        let mut sources = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            let mut source = |l: &RuleLayer| match l {
                RuleLayer::Layer(k) => Source::Layer(*k),
                RuleLayer::Sites { categories } => {
                    let k = site_sets.iter().position(|(c, _)| c == categories).unwrap_or_else(|| {
                        site_sets.push((categories.clone(), layers::site_features(ctx.census, categories)));
                        site_sets.len() - 1
                    });
                    Source::Sites(k)
                }
            };
            let (a, b) = (source(&r.a), source(&r.b));
            // "sites" as b means every site, whatever a's categories.
            let b = match (&r.b, b) {
                (RuleLayer::Sites { .. }, _) => source(&RuleLayer::Sites { categories: Vec::new() }),
                (_, b) => b,
            };
            sources.push((a, b));
        }
        let mut findings = RulesFindings {
            layers: Arc::clone(&self.layers),
            site_sets: site_sets.into_iter().map(|(_, f)| f).collect(),
            rules: Vec::new(),
            lang: ctx.cfg.lang,
            map_files: Rules::map_files(&self.rules, ctx.work),
        };
        let n = ctx.districts.work.len();
        for (r, (a, b)) in self.rules.iter().zip(sources) {
            obs.stage(&format!("rule: {}", r.name));
            let result = check::check(r, findings.features(a), findings.features(b), n)?;
            findings.rules.push((r.clone(), a, b, result));
        }
        Ok(Box::new(findings))
    }
}

/// Where a rule's features come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A `[[layers]]` entry.
    Layer(usize),
    /// A set of sites (`RulesFindings::site_sets`).
    Sites(usize),
}

/// What the rules found.
///
/// * [`Findings::section`]: the `rules` section of report.json ([`RulesReport`]);
/// * [`Findings::lines`]: a line per rule;
/// * [`Findings::problems`]: a line per rule with violations.
pub struct RulesFindings {
    layers: Arc<Vec<FeatureLayer>>,
    site_sets: Vec<Vec<Feature>>,
    rules: Vec<(RuleConfig, Source, Source, RuleResult)>,
    lang: Lang,
    map_files: Vec<String>,
}

/// The `rules` section of report.json.
#[derive(Debug, Clone, Serialize)]
pub struct RulesReport {
    /// Each `[[layers]]` file.
    pub layers: Vec<LayerReport>,
    /// Each rule, in project order.
    pub rules: Vec<RuleReport>,
    /// The files written.
    pub files: Vec<String>,
}

/// A layer in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its file.
    #[serde(flatten)]
    pub input: InputReport,
}

/// A rule in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    /// Its name.
    pub name: String,
    /// `min` (`min_m`) or `within` (`within_m`).
    pub kind: &'static str,
    /// Layer A (`sites` or a layer's name).
    pub a: String,
    /// The categories of the sites checked, when a = "sites" names some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Layer B.
    pub b: String,
    /// Metres, or `"column"`.
    pub required_m: serde_json::Value,
    /// Features of A checked.
    pub checked: u64,
    /// Features of A with a violation.
    pub violating: u64,
    /// Violations (pairs for `min`, features for `within`).
    pub violations: u64,
    /// Share of features of A that comply (4 decimals).
    pub compliance: f64,
    /// A `min_m` rule with a layer of lines: the length of its stretches within the distance
    /// (high-consequence segments, metres, to the millimetre).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_consequence_m: Option<f64>,
}

impl RulesFindings {
    fn features(&self, s: Source) -> &[Feature] {
        match s {
            Source::Layer(k) => &self.layers[k].features,
            Source::Sites(k) => &self.site_sets[k],
        }
    }

    /// Each rule with its result, in project order.
    pub fn results(&self) -> impl Iterator<Item = (&RuleConfig, &RuleResult)> {
        self.rules.iter().map(|(r, _, _, res)| (r, res))
    }

    /// Whether either layer of the rule has lines.
    fn has_lines(&self, r: &RuleConfig) -> bool {
        let lines = |l: &RuleLayer| match l {
            RuleLayer::Layer(k) => {
                self.layers[*k].features.iter().any(|f| matches!(f.shape, sisetu_core::proximity::Shape::Lines(_)))
            }
            RuleLayer::Sites { .. } => false,
        };
        lines(&r.a) || lines(&r.b)
    }

    fn layer_title(&self, l: &RuleLayer) -> String {
        match l {
            RuleLayer::Sites { categories } if categories.is_empty() => "风险点".to_string(),
            RuleLayer::Sites { categories } => categories.join("、"),
            RuleLayer::Layer(k) => self.layers[*k].config.title.clone(),
        }
    }

    fn layer_name(&self, l: &RuleLayer) -> String {
        match l {
            RuleLayer::Sites { .. } => SITES.to_string(),
            RuleLayer::Layer(k) => self.layers[*k].config.name.clone(),
        }
    }

    /// The report section, typed.
    pub fn report(&self) -> RulesReport {
        RulesReport {
            layers: self
                .layers
                .iter()
                .map(|l| LayerReport {
                    name: l.config.name.clone(),
                    title: l.config.title.clone(),
                    input: l.file.report.clone(),
                })
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|(r, _, _, res)| RuleReport {
                    name: r.name.clone(),
                    kind: match r.kind {
                        RuleKind::Separation => "min",
                        RuleKind::Within => "within",
                    },
                    a: self.layer_name(&r.a),
                    categories: match &r.a {
                        RuleLayer::Sites { categories } => categories.clone(),
                        RuleLayer::Layer(_) => Vec::new(),
                    },
                    b: self.layer_name(&r.b),
                    required_m: match r.required {
                        Required::Metres(m) => serde_json::json!(m),
                        Required::Column => serde_json::json!("column"),
                    },
                    checked: res.checked,
                    violating: res.violating,
                    violations: res.violations.len() as u64,
                    compliance: (res.compliance() * 1e4).round() / 1e4,
                    high_consequence_m: (r.kind == RuleKind::Separation && self.has_lines(r))
                        .then(|| outputs::mm(res.stretch_m())),
                })
                .collect(),
            files: Rules::files().iter().map(ToString::to_string).chain(self.map_files.iter().cloned()).collect(),
        }
    }
}

impl Findings for RulesFindings {
    fn section(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self.report()).ok()
    }

    fn lines(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|(r, _, _, res)| {
                tr!(
                    self.lang,
                    "rules.line",
                    name = r.name,
                    checked = res.checked,
                    violating = res.violating,
                    compliance = format!("{:.1}", res.compliance() * 100.0)
                )
            })
            .collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.layers
            .iter()
            .filter(|l| l.features.is_empty())
            .map(|l| tr!(self.lang, "rules.empty_layer", file = l.file.report.file, name = l.config.name))
            .collect()
    }

    fn problems(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter(|(_, _, _, res)| res.violating > 0)
            .map(|(r, _, _, res)| {
                tr!(
                    self.lang,
                    "rules.problem",
                    name = r.name,
                    violating = res.violating,
                    checked = res.checked,
                    file = outputs::VIOLATIONS_FILE
                )
            })
            .collect()
    }

    fn violations(&self) -> u64 {
        self.rules.iter().map(|(_, _, _, res)| res.violating).sum()
    }

    fn write(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        let checked: Vec<outputs::Checked<'_>> = self
            .rules
            .iter()
            .map(|(rule, a, b, result)| outputs::Checked { rule, a: self.features(*a), b: self.features(*b), result })
            .collect();
        outputs::write_all(&checked, ctx.districts, ctx.work, self.lang, stage)
    }

    fn draw(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        let maps: Vec<map::RuleMap<'_>> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, (rule, ..))| rule.map)
            .map(|(n, (rule, a, b, result))| map::RuleMap {
                n,
                rule,
                a_title: self.layer_title(&rule.a),
                distance_column: match &rule.a {
                    RuleLayer::Layer(k) => self.layers[*k].config.distance.clone(),
                    RuleLayer::Sites { .. } => None,
                },
                b_title: self.layer_title(&rule.b),
                a: self.features(*a),
                b: self.features(*b),
                result,
            })
            .collect();
        let written = map::draw_all(ctx.cfg, ctx.districts, ctx.work, &maps, stage)?;
        if written != self.map_files {
            return Err(crate::error::Error::internal(format!(
                "the rules drew {written:?} but their report lists {:?}",
                self.map_files
            )));
        }
        Ok(written)
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
