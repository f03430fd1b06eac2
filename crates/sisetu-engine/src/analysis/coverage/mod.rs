//! Facility coverage (`[population]` + `[[facilities]]`): who lies outside every shelter's
//! (fire station's, depot's) reach, whether the shelters are large enough, and where to
//! build next.
//!
//! One direction, one file per step:
//!
//! 1. **Load** ([`load`]): [`population`] reads the population table (and its weight points)
//!    or the population points; [`facilities`] reads each facility layer with its siting
//!    candidates and township polygons. Every input row is kept or rejected with its reason
//!    here, before anything is computed ([`Analysis::inputs`]).
//! 2. **Run** ([`Coverage::compute`]): [`population::spread`] turns the population into
//!    demand units (a per-district table spread over the cells of the population grid with
//!    whole persons that add up exactly to the table, or the points as they are);
//!    [`analyse::analyse`] computes per layer the radius coverage, the nearest-first capacity
//!    assignment, the figures per district, the gap cells, the siting of new facilities and
//!    the townships without one. [`report`] makes the report section, the terminal lines,
//!    the warnings and the problems for `sisetu check`. No file is read or written.
//! 3. **Write** ([`CoverageFindings::write_files`], `outputs`): `<id>s.geojson`,
//!    `<id>_summary.csv`, `<id>_townships.csv`, and the shared `coverage_gaps.geojson` and
//!    `siting.geojson`.
//! 4. **Draw** ([`CoverageFindings::draw_maps`], `map`): `<id>_coverage.png` and the
//!    zoomed maps of `[[facilities.maps]]`.
//!
//! The population written (per district, per cell, covered + without room + uncovered) adds
//! up to the input total.

pub mod analyse;
pub mod facilities;
pub mod input;
mod map;
pub(crate) mod outputs;
pub mod population;
pub mod report;
#[cfg(test)]
mod testkit;

pub use report::{CoverageReport, InputReport, LayerReport, PopulationReport};

use crate::analysis::{Analysis, Context, Findings, InputRows, LoadContext};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::observer::Observer;
use crate::project::Config;
use analyse::LayerResult;
use facilities::FacilityLayer;
use population::{Population, PopulationInput};
use sisetu_i18n::Lang;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use std::sync::Arc;

/// Every input of the analysis, as read by [`load_inputs`].
pub struct CoverageInputs {
    /// `[population]` as read.
    pub population: PopulationInput,
    /// Each `[[facilities]]` layer as read, in project order.
    pub layers: Vec<FacilityLayer>,
}

impl CoverageInputs {
    /// The rows of every input file, in the order their rejects go to rejects.csv: the
    /// population files, then per layer its facilities, candidates and townships.
    pub fn rows(&self) -> Vec<InputRows<'_>> {
        let mut rows: Vec<InputRows<'_>> = self.population.files.iter().map(input::InputFile::rows).collect();
        for l in &self.layers {
            rows.push(l.file.rows());
            if let Some(c) = &l.candidates {
                rows.push(c.file.rows());
            }
            if let Some(t) = &l.townships {
                let r = &t.report;
                rows.push(InputRows {
                    file: &r.file,
                    rows_read: r.rows_read,
                    accepted: r.accepted,
                    rejects: &[],
                    warnings: &r.warnings,
                });
            }
        }
        rows
    }
}

/// Reads every input of the analysis (`None` when the project has no `[[facilities]]`).
pub fn load_inputs(
    cfg: &Config,
    districts: &ZoneLayer,
    work: Crs,
    obs: &dyn Observer,
) -> Result<Option<CoverageInputs>> {
    if cfg.facilities.is_empty() {
        return Ok(None);
    }
    obs.stage("reading population");
    let population = population::read_population(cfg, districts, work)?
        .ok_or_else(|| Error::input("[[facilities]] needs [population]"))?;
    let mut layers = Vec::with_capacity(cfg.facilities.len());
    for fc in &cfg.facilities {
        obs.stage(&format!("reading {}", fc.id));
        layers.push(facilities::read_layer(fc, work)?);
    }
    Ok(Some(CoverageInputs { population, layers }))
}

/// The input files of `[population]` and `[[facilities]]` with the keys that name them (for
/// [`crate::outputs::plan::input_files`]).
pub fn input_files(cfg: &Config) -> Vec<(String, std::path::PathBuf)> {
    use crate::project::facilities::PopulationSource;
    let mut files = Vec::new();
    if let Some(p) = &cfg.population {
        match &p.source {
            PopulationSource::Table { table, weights, .. } => {
                files.push(("[population] path".to_string(), table.path.clone()));
                if let Some((w, _)) = weights {
                    files.push(("[population] weights".to_string(), w.table.path.clone()));
                }
            }
            PopulationSource::Points { source, .. } => {
                files.push(("[population] path".to_string(), source.table.path.clone()));
            }
        }
    }
    for fc in &cfg.facilities {
        let key = |k: &str| format!("[[facilities]] id = \"{}\" {k}", fc.id);
        files.push((key("path"), fc.source.table.path.clone()));
        if let Some((c, _)) = fc.siting.as_ref().and_then(|s| s.candidates.as_ref()) {
            files.push((key("siting candidates"), c.table.path.clone()));
        }
        if let Some(t) = &fc.townships {
            files.push((key("townships"), t.layer.path.clone()));
        }
    }
    files
}

/// Loads the analysis with its inputs ([`crate::analysis::Loader`]); `None` when the project
/// has no `[[facilities]]`.
pub fn load(ctx: &LoadContext, obs: &dyn Observer) -> Result<Option<Box<dyn Analysis>>> {
    let inputs = load_inputs(ctx.cfg, ctx.districts, ctx.work, obs)?;
    Ok(inputs.map(|i| Box::new(Coverage { inputs: Arc::new(i) }) as Box<dyn Analysis>))
}

/// Facility coverage with its inputs loaded.
pub struct Coverage {
    inputs: Arc<CoverageInputs>,
}

impl Coverage {
    /// The analysis of inputs read by [`load_inputs`].
    pub fn new(inputs: CoverageInputs) -> Self {
        Coverage { inputs: Arc::new(inputs) }
    }

    /// Its inputs.
    pub fn loaded(&self) -> &CoverageInputs {
        &self.inputs
    }

    /// Computes the findings: spreads the population, analyses every layer, makes the report
    /// section, lines and warnings. Reads and writes nothing.
    pub fn compute(
        &self,
        districts: &ZoneLayer,
        work: Crs,
        lang: Lang,
        obs: &dyn Observer,
    ) -> Result<CoverageFindings> {
        let inputs = &self.inputs;
        let population = population::spread(&inputs.population, districts)?;
        let mut results = Vec::with_capacity(inputs.layers.len());
        let mut lines = Vec::new();
        let mut layers = Vec::with_capacity(inputs.layers.len());
        for layer in &inputs.layers {
            obs.stage(&format!("coverage: {}", layer.config.id));
            let res = analyse::analyse(layer, &population, districts, work)?;
            lines.extend(report::layer_lines(layer, &res, districts, lang));
            let mut files = outputs::layer_files(&layer.config);
            files.extend(map::map_files(&layer.config, work));
            layers.push(report::layer_report(layer, &res, files));
            results.push(res);
        }
        let report = CoverageReport { population: report::population_report(&inputs.population, &population), layers };
        let warnings = report::warnings(&inputs.population, &population, lang);
        Ok(CoverageFindings { inputs: Arc::clone(inputs), population, results, report, lines, warnings, lang })
    }
}

impl Analysis for Coverage {
    fn name(&self) -> &'static str {
        "coverage"
    }

    fn needs_sites(&self) -> bool {
        false
    }

    fn inputs(&self) -> Vec<InputRows<'_>> {
        self.inputs.rows()
    }

    fn outputs(&self, work: Crs) -> Vec<crate::planned::Planned> {
        use crate::planned::Planned;
        let mut files = Vec::new();
        for l in &self.inputs.layers {
            let by = format!("[[facilities]] id = \"{}\"", l.config.id);
            let layer = outputs::layer_files(&l.config).into_iter().chain(map::map_files(&l.config, work));
            files.extend(layer.map(|f| Planned::new(f, by.clone())));
        }
        let all = "the coverage analysis of [[facilities]]";
        files.extend([outputs::GAPS_FILE, outputs::SITING_FILE].map(|f| Planned::new(f, all)));
        files
    }

    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        Ok(Box::new(self.compute(ctx.districts, ctx.work, ctx.cfg.lang, obs)?))
    }
}

/// What facility coverage found, in memory.
///
/// * [`Findings::section`]: the `coverage` section of report.json ([`CoverageReport`]);
/// * [`Findings::lines`]: per layer its totals, then the targets, townships and siting;
/// * [`Findings::warnings`]: districts without a population figure (counted as 0
///   residents), weight points that weigh nothing, districts spread by area for lack of
///   weight points;
/// * [`Findings::problems`]: see [`report::problems`].
pub struct CoverageFindings {
    inputs: Arc<CoverageInputs>,
    population: Population,
    results: Vec<LayerResult>,
    report: CoverageReport,
    lines: Vec<String>,
    warnings: Vec<String>,
    /// The language of the lines and the tables (the build's).
    lang: Lang,
}

impl CoverageFindings {
    /// The `coverage` section of report.json, typed.
    pub fn report(&self) -> &CoverageReport {
        &self.report
    }

    /// The population as spread into demand units.
    pub fn population(&self) -> &Population {
        &self.population
    }

    /// The result of each layer, in project order.
    pub fn results(&self) -> &[LayerResult] {
        &self.results
    }

    /// Writes the tables and feature files into `stage`; returns their names (as listed in
    /// the report).
    pub fn write_files(&self, districts: &ZoneLayer, work: Crs, stage: &mut Staging) -> Result<Vec<String>> {
        let layers = &self.inputs.layers;
        let written = outputs::write_all(layers, &self.results, &self.population, districts, work, self.lang, stage)?;
        let expected: Vec<String> = layers
            .iter()
            .flat_map(|l| outputs::layer_files(&l.config))
            .chain([outputs::GAPS_FILE.to_string(), outputs::SITING_FILE.to_string()])
            .collect();
        same_files(written, &expected)
    }

    /// Draws the maps into `stage`; returns their files (as listed in the report).
    pub fn draw_maps(
        &self,
        cfg: &Config,
        districts: &ZoneLayer,
        work: Crs,
        stage: &mut Staging,
    ) -> Result<Vec<String>> {
        let m = map::MapInputs {
            cfg,
            districts,
            work,
            grid: &self.population.grid,
            method_zh: &self.inputs.population.method_zh,
        };
        let written = map::draw_all(&m, &self.inputs.layers, &self.results, stage)?;
        let expected: Vec<String> = self.inputs.layers.iter().flat_map(|l| map::map_files(&l.config, work)).collect();
        same_files(written, &expected)
    }
}

/// The files written, checked against those the report lists.
fn same_files(written: Vec<String>, expected: &[String]) -> Result<Vec<String>> {
    if written == expected {
        Ok(written)
    } else {
        Err(Error::internal(format!("coverage wrote {written:?} but its report lists {expected:?}")))
    }
}

impl Findings for CoverageFindings {
    fn section(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.report).ok()
    }

    fn lines(&self) -> Vec<String> {
        self.lines.clone()
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn problems(&self) -> Vec<String> {
        report::problems(&self.report, self.lang)
    }

    fn write(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        self.write_files(ctx.districts, ctx.work, stage)
    }

    fn draw(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        self.draw_maps(ctx.cfg, ctx.districts, ctx.work, stage)
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
