//! `sisetu build` and `sisetu check`, stage by stage:
//!
//! 1. `load`: the polygon layers, every site layer and each analysis's own inputs are
//!    read and validated; rows read = accepted + rejected is checked for every file; the
//!    names of all outputs are planned and checked ([`crate::outputs::plan`]: no clash
//!    between outputs, no output over an input);
//! 2. `assign`: every site gets its district, management grid and regular cell, repeated
//!    ids are flagged, and the sites are counted per area;
//! 3. the analyses of [`crate::analysis::registry`] run on the result (no I/O);
//! 4. `build` only: the outputs ([`crate::outputs`], each analysis's files), then the maps,
//!    then `report.json`, all into a staging folder that replaces the previous outputs at once
//!    (`sisetu_io::write::Staging`, claimed before step 1: a second build into the same
//!    folder stops at once, and a commit an earlier run left unfinished is finished first).
//!
//! `check` stops after step 3: it writes nothing, anywhere.

mod assign;
pub mod commands;
mod load;
mod report;
pub mod stream;

pub use report::{FileReport, LayerReport, Report, Sections, Totals};

use crate::analysis::{Analysis, Context, Findings};
use crate::census::{Census, Tallies};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::observer::Observer;
use crate::outputs::OutputPlan;
use crate::project::Config;
use sisetu_core::{RiskLevel, Summary};
use sisetu_io::crs::Crs;
use sisetu_io::write::{self, Staging};
use std::path::{Path, PathBuf};

/// Options of `sisetu build` from the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Overrides the project's output folder.
    pub out: Option<PathBuf>,
    /// Whether the census is streamed ([`stream`]).
    pub stream: stream::StreamMode,
}

/// One district's line in the terminal summary.
#[derive(Debug, Clone)]
pub struct DistrictRow {
    /// District id (empty for the unassigned row).
    pub id: String,
    /// District name.
    pub name: String,
    /// Counts.
    pub summary: Summary,
    /// Level under the project's aggregation (none for the unassigned row).
    pub level: Option<RiskLevel>,
}

/// What a build or a check found.
pub struct Outcome {
    /// The report (as written by a build; `outputs` empty for a check).
    pub report: Report,
    /// The output folder (written by a build; untouched by a check).
    pub out_dir: PathBuf,
    /// Per-district counts, then the unassigned, for the terminal.
    pub district_rows: Vec<DistrictRow>,
    /// The analyses' summary lines, in registry order.
    pub lines: Vec<String>,
    /// The analyses' warnings.
    pub warnings: Vec<String>,
    /// The analyses' problems, for `sisetu check`.
    pub problems: Vec<String>,
    /// Features that break a `[[rules]]` rule (`build --strict` exits with 1 when any).
    pub violations: u64,
    /// The first rejected rows as `file:line: reason` (at most 20).
    pub reject_preview: Vec<String>,
    /// Files rejected rows came from, with their count, for the terminal.
    pub rejects_by_file: Vec<(String, u64)>,
}

/// Everything computed: the loaded inputs, the assigned census and the findings.
struct Analysed {
    work: Crs,
    districts: ZoneLayer,
    grids: Option<ZoneLayer>,
    census: Census,
    tallies: Tallies,
    analyses: Vec<Box<dyn Analysis>>,
    findings: Vec<Box<dyn Findings>>,
    plan: OutputPlan,
    /// The site layer a streamed census wrote while it was placed.
    sites_written: Vec<String>,
}

impl Analysed {
    fn context<'a>(&'a self, cfg: &'a Config, out_dir: &'a Path) -> Context<'a> {
        Context {
            cfg,
            work: self.work,
            districts: &self.districts,
            grids: self.grids.as_ref(),
            census: &self.census,
            tallies: &self.tallies,
            out_dir,
        }
    }
}

/// The output folder of a build: `--out`, else the project's.
pub fn output_folder(cfg: &Config, opts: &BuildOptions) -> PathBuf {
    opts.out.clone().unwrap_or_else(|| cfg.output.clone())
}

/// Stages 1–3: load, assign, analyse. A streamed census writes its site layer into `stage`
/// in stage 2 (none for `check`).
fn analyse(
    cfg: &Config,
    out_dir: &Path,
    mode: stream::StreamMode,
    stage: Option<&mut Staging>,
    obs: &dyn Observer,
) -> Result<Analysed> {
    let inputs = load::load(cfg, out_dir, mode, obs)?;
    let ids: Vec<&str> = inputs.districts.work.iter().map(|z| z.id.as_str()).collect();
    let streamed = matches!(inputs.layers, load::Sites::Streamed(_));
    let plan = OutputPlan::new(cfg, &ids, &inputs.analyses, inputs.work, streamed)?;
    if let Some(m) = cfg.maps.iter().find(|m| !m.drawn(streamed)) {
        obs.warn(&sisetu_i18n::tr!(cfg.lang, "maps.sites_streamed", file = m.file));
    }
    plan.check_inputs(out_dir, &crate::outputs::plan::input_files(cfg))?;
    let (districts, grids) = (&inputs.districts, inputs.grids.as_ref());
    let (census, tallies, sites_written) = match inputs.layers {
        load::Sites::InMemory(layers) => {
            let (census, tallies) = assign::assign(cfg, layers, districts, grids, obs)?;
            (census, tallies, Vec::new())
        }
        load::Sites::Streamed(scanned) => {
            stream::place_and_write(cfg, scanned, inputs.work, districts, grids, stage, obs)?
        }
    };
    let mut a = Analysed {
        work: inputs.work,
        districts: inputs.districts,
        grids: inputs.grids,
        census,
        tallies,
        analyses: inputs.analyses,
        findings: Vec::new(),
        plan,
        sites_written,
    };
    let ctx = a.context(cfg, out_dir);
    let findings = a.analyses.iter().map(|an| an.run(&ctx, obs)).collect::<Result<Vec<_>>>()?;
    a.findings = findings;
    Ok(a)
}

/// `sisetu check`: loads, assigns and analyses; writes nothing at all.
pub fn check(cfg: &Config, opts: &BuildOptions, obs: &dyn Observer) -> Result<Outcome> {
    let out_dir = output_folder(cfg, opts);
    // Reading a round finishes a commit a killed build left there (a write): not for check.
    if let Some(prev) = cfg.previous.as_ref().filter(|p| write::has_journal(&p.output)) {
        return Err(Error::input(format!(
            "{}: [previous] output {}: a build is moving its outputs into that folder, or was killed doing so \
             ({} is there); `sisetu check` writes nothing, so it does not finish the move: wait for that build, \
             or run `sisetu build` (or `sisetu render`) for that round, then check again",
            cfg.project_file.display(),
            prev.output.display(),
            write::JOURNAL
        )));
    }
    let a = analyse(cfg, &out_dir, opts.stream, None, obs)?;
    obs.stage("done");
    Ok(outcome(cfg, &a, &out_dir, Vec::new()))
}

/// `sisetu build`: [`check`]'s stages, then every output, replacing the previous outputs
/// only when all of them are written.
pub fn build(cfg: &Config, opts: &BuildOptions, obs: &dyn Observer) -> Result<Outcome> {
    let out_dir = output_folder(cfg, opts);
    // First: claim the folder (another live build there stops this one at once), finish a
    // commit an earlier run left unfinished and remove dead runs' staging folders.
    let mut stage = Staging::new(&out_dir)?;
    let a = analyse(cfg, &out_dir, opts.stream, Some(&mut stage), obs)?;
    let ctx = a.context(cfg, &out_dir);
    let mut written = a.sites_written.clone();
    written.extend(crate::outputs::write_core(&ctx, &a.analyses, &mut stage, obs)?);
    for f in &a.findings {
        written.extend(f.write(&ctx, &mut stage)?);
    }
    if !cfg.maps.is_empty() {
        obs.stage("rendering maps");
        let data = crate::maps::MapData::from_context(&ctx);
        let streamed = a.census.streamed.is_some();
        written.extend(crate::maps::render_maps(cfg, &data, a.work, streamed, &mut stage)?);
    }
    for f in &a.findings {
        written.extend(f.draw(&ctx, &mut stage)?);
    }
    written.push("report.json".into());
    a.plan.check_written(&written)?;
    retire_stale(&out_dir, &written, &mut stage);
    let outcome = outcome(cfg, &a, &out_dir, written);
    let mut json = serde_json::to_vec_pretty(&outcome.report).map_err(|e| Error::internal(e.to_string()))?;
    json.push(b'\n');
    write::write_bytes(&stage.path("report.json"), &json)?;
    stage.commit()?;
    obs.stage("done");
    Ok(outcome)
}

/// Outputs of the previous run that this run does not write (a layer or map removed from
/// the project) are removed on commit, so the folder never mixes two runs.
fn retire_stale(out_dir: &Path, written: &[String], stage: &mut Staging) {
    let Ok(old) = sisetu_io::output::ReportHead::read(out_dir) else { return };
    for name in &old.outputs {
        let plain = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
        if plain && !written.iter().any(|o| o == name) {
            stage.retire(name);
        }
    }
}

fn outcome(cfg: &Config, a: &Analysed, out_dir: &Path, mut written: Vec<String>) -> Outcome {
    let ctx = a.context(cfg, out_dir);
    let sections = Sections(
        a.analyses.iter().zip(&a.findings).filter_map(|(an, f)| f.section().map(|s| (an.name(), s))).collect(),
    );
    let rejects = crate::outputs::reject_rows(&ctx, &a.analyses);
    let analysis_rejects = a.analyses.iter().flat_map(|an| an.inputs()).map(|i| i.rejects.len() as u64).sum();
    let mut report = report::assemble(report::ReportInputs {
        cfg,
        work: a.work,
        districts: &a.districts,
        grids: a.grids.as_ref(),
        census: &a.census,
        tallies: &a.tallies,
        sections,
        analysis_rejects,
    });
    written.sort_unstable();
    written.dedup();
    report.outputs = written;
    let mut district_rows: Vec<DistrictRow> = a
        .districts
        .work
        .iter()
        .zip(&a.tallies.by_district)
        .map(|(z, s)| DistrictRow {
            id: z.id.clone(),
            name: z.name.clone(),
            summary: s.clone(),
            level: cfg.aggregation.level(&s.levels),
        })
        .collect();
    district_rows.push(DistrictRow {
        id: String::new(),
        name: sisetu_i18n::tr!(cfg.lang, "value.unassigned"),
        summary: a.tallies.unassigned.clone(),
        level: None,
    });
    let mut rejects_by_file: Vec<(String, u64)> = Vec::new();
    for (file, _) in &rejects {
        match rejects_by_file.iter_mut().find(|(f, _)| f == file) {
            Some((_, n)) => *n += 1,
            None => rejects_by_file.push(((*file).to_string(), 1)),
        }
    }
    Outcome {
        reject_preview: rejects
            .iter()
            .take(20)
            .map(|(f, r)| format!("{f}:{}: {}", r.location(), r.reason.text(cfg.lang)))
            .collect(),
        rejects_by_file,
        report,
        out_dir: out_dir.to_path_buf(),
        district_rows,
        lines: a.findings.iter().flat_map(|f| f.lines()).collect(),
        warnings: a.findings.iter().flat_map(|f| f.warnings()).collect(),
        problems: a.findings.iter().flat_map(|f| f.problems()).collect(),
        violations: a.findings.iter().map(|f| f.violations()).sum(),
    }
}
