//! What the analysis tells: the `coverage` section of report.json ([`CoverageReport`]), the
//! terminal lines, the warnings, and the problems for `sisetu check` (read from the report,
//! so that they say what report.json says).

use super::analyse::{AreaFigures, LayerResult};
use super::facilities::FacilityLayer;
use super::input::num;
use super::population::{Population, PopulationInput};
use crate::layers::ZoneLayer;
use serde::Serialize;
use sisetu_i18n::{tr, Lang};
use std::collections::BTreeMap;

/// An input file in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The file.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Encoding found (CSV).
    pub encoding: Option<String>,
    /// Data rows read = accepted + rejected.
    pub rows_read: u64,
    /// Rows used.
    pub accepted: u64,
    /// Rows in rejects.csv.
    pub rejected: u64,
    /// Warnings about the file as a whole (CSV: a title row skipped, lines in different text
    /// encodings); left out of report.json when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The `coverage` section of report.json.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// Population source and method.
    pub population: PopulationReport,
    /// One entry per facility layer.
    pub layers: Vec<LayerReport>,
}

/// Population in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationReport {
    /// How it was spread.
    pub method: String,
    /// Files read.
    pub inputs: Vec<InputReport>,
    /// Persons read (= the sum of every output's population).
    pub total: f64,
    /// Persons outside every district (points mode).
    pub outside_districts: f64,
    /// Demand units (district × cell pieces or points).
    pub units: usize,
    /// Population cell size (m).
    pub cell_size_m: f64,
    /// Districts without a population figure (id name).
    pub districts_without_population: Vec<String>,
    /// Notes (fallbacks).
    pub notes: Vec<String>,
}

/// One facility layer in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Layer id.
    pub id: String,
    /// Display name.
    pub title: String,
    /// The facility file.
    pub input: InputReport,
    /// The siting candidates file, if any.
    pub candidates: Option<InputReport>,
    /// The township polygons, if any.
    pub townships: Option<InputReport>,
    /// Classes used: name → (radius, m² a person).
    pub classes: BTreeMap<String, (f64, Option<f64>)>,
    /// Target m² per resident.
    pub target_m2_per_person: Option<f64>,
    /// Target coverage share.
    pub coverage_target: Option<f64>,
    /// Totals.
    pub total: AreaFigures,
    /// Covered share of the population.
    pub coverage: Option<f64>,
    /// m² per resident overall.
    pub m2_per_resident: Option<f64>,
    /// Districts meeting the per-capita target / all districts with residents.
    pub districts_meeting_target: Option<(usize, usize)>,
    /// Facilities filled to capacity.
    pub facilities_full: usize,
    /// Suggested sites with gains.
    pub siting: Vec<BTreeMap<&'static str, serde_json::Value>>,
    /// Townships without any facility (id name), when township polygons are given.
    pub townships_without: Option<Vec<String>>,
    /// Files written for this layer (tables, then maps).
    pub outputs: Vec<String>,
}

/// The population part of the report.
pub(crate) fn population_report(input: &PopulationInput, pop: &Population) -> PopulationReport {
    PopulationReport {
        method: input.method.clone(),
        inputs: input.files.iter().map(|f| f.report.clone()).collect(),
        total: pop.total(),
        outside_districts: pop.outside,
        units: pop.units.len(),
        cell_size_m: pop.grid.size(),
        districts_without_population: input.missing.iter().map(|(i, n)| format!("{i} {n}")).collect(),
        notes: pop.notes.clone(),
    }
}

/// (districts meeting the m² target, districts with residents), with a target.
fn districts_meeting(res: &LayerResult, target: f64) -> (usize, usize) {
    let with: Vec<f64> = res.districts.iter().filter_map(AreaFigures::m2_per_resident).collect();
    (with.iter().filter(|v| **v >= target).count(), with.len())
}

/// "id name" of the townships without a facility.
fn townships_without(res: &LayerResult) -> Option<Vec<String>> {
    res.townships
        .as_ref()
        .map(|ts| ts.iter().filter(|t| t.facilities == 0).map(|t| format!("{} {}", t.id, t.name)).collect())
}

/// One layer's part of the report; `outputs` are the files its outputs and maps write.
pub(crate) fn layer_report(layer: &FacilityLayer, res: &LayerResult, outputs: Vec<String>) -> LayerReport {
    let fc = &layer.config;
    LayerReport {
        id: fc.id.clone(),
        title: fc.title.clone(),
        input: layer.file.report.clone(),
        candidates: layer.candidates.as_ref().map(|c| c.file.report.clone()),
        townships: layer.townships.as_ref().map(|t| t.report.clone()),
        classes: fc.classes.iter().map(|(k, c)| (k.clone(), (c.radius_m, c.m2_per_person))).collect(),
        target_m2_per_person: fc.target_m2_per_person,
        coverage_target: fc.coverage_target,
        total: res.total.clone(),
        coverage: res.total.coverage(),
        m2_per_resident: res.total.m2_per_resident(),
        districts_meeting_target: fc.target_m2_per_person.map(|t| districts_meeting(res, t)),
        facilities_full: res.facilities_full(layer),
        siting: res
            .siting
            .iter()
            .enumerate()
            .map(|(k, s)| {
                BTreeMap::from([
                    ("rank", serde_json::json!(k + 1)),
                    ("name", serde_json::json!(s.name)),
                    ("gain", serde_json::json!(s.pick.gain)),
                    ("cumulative_gain", serde_json::json!(s.pick.cumulative)),
                ])
            })
            .collect(),
        townships_without: townships_without(res),
        outputs,
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |s| format!("{:.1} %", s * 100.0))
}

/// The terminal lines of one layer: its totals, then the targets, townships and siting.
pub(crate) fn layer_lines(layer: &FacilityLayer, res: &LayerResult, districts: &ZoneLayer, lang: Lang) -> Vec<String> {
    let fc = &layer.config;
    let t = &res.total;
    let mut lines = vec![tr!(
        lang,
        "coverage.line",
        id = fc.id,
        title = fc.title,
        facilities = layer.rows.len(),
        rejected = layer.file.rejects.len(),
        population = num(t.population),
        covered = num(t.covered),
        share = pct(t.coverage()),
        served = num(t.served),
        without_room = num(t.without_room),
        uncovered = num(t.uncovered)
    )];
    if let Some(target) = fc.target_m2_per_person {
        let (ok, with) = districts_meeting(res, target);
        let below: Vec<String> = res
            .districts
            .iter()
            .zip(&districts.work)
            .filter_map(|(f, z)| f.m2_per_resident().filter(|v| *v < target).map(|v| format!("{} {v:.2}", z.name)))
            .collect();
        let below = if below.is_empty() { String::new() } else { tr!(lang, "coverage.below", list = below.join(", ")) };
        lines.push(tr!(
            lang,
            "coverage.m2_line",
            overall = t.m2_per_resident().map_or_else(|| "–".into(), |v| format!("{v:.2}")),
            target = target,
            ok = ok,
            with = with,
            below = below
        ));
    }
    if let Some(ct) = fc.coverage_target {
        let met = match t.coverage() {
            Some(c) if c >= ct => tr!(lang, "coverage.target_met"),
            Some(c) => tr!(lang, "coverage.target_not_met", pct = format!("{:.1}", c * 100.0)),
            None => tr!(lang, "coverage.no_residents"),
        };
        lines.push(tr!(lang, "coverage.target_line", target = format!("{:.0}", ct * 100.0), met = met));
    }
    if let Some(w) = townships_without(res) {
        let all = res.townships.as_ref().map_or(0, Vec::len);
        let list = if w.is_empty() { String::new() } else { format!(" ({})", w[..w.len().min(10)].join(", ")) };
        lines.push(tr!(lang, "coverage.townships_without", n = w.len(), all = all, list = list));
    }
    lines.extend(siting_lines(layer, res, lang));
    lines
}

fn siting_lines(layer: &FacilityLayer, res: &LayerResult, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sc) = &layer.config.siting {
        if res.siting.len() < sc.count {
            lines.push(tr!(lang, "coverage.siting_short", found = res.siting.len(), asked = sc.count));
        }
    }
    if let (Some(first), Some(last)) = (res.siting.first(), res.siting.last()) {
        lines.push(tr!(
            lang,
            "coverage.siting",
            n = res.siting.len(),
            gain = num(last.pick.cumulative),
            first = first.name,
            first_gain = num(first.pick.gain)
        ));
    }
    lines
}

/// Warnings on the population: districts counted as 0 residents, then the notes.
pub(crate) fn warnings(input: &PopulationInput, pop: &Population, lang: Lang) -> Vec<String> {
    input
        .missing
        .iter()
        .map(|(id, name)| tr!(lang, "coverage.no_population_row", id = id, name = name))
        .chain(pop.notes.iter().cloned())
        .collect()
}

/// Problems for `sisetu check`, from the report: districts without a population figure,
/// layers below their m² per resident target (overall or in some district) or below their
/// coverage target, and townships without a facility.
pub fn problems(report: &CoverageReport, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let pop = &report.population;
    if !pop.districts_without_population.is_empty() {
        let file = pop.inputs.first().map_or("[population]", |i| i.file.as_str());
        out.push(tr!(
            lang,
            "coverage.problem_no_population",
            file = file,
            n = pop.districts_without_population.len(),
            list = pop.districts_without_population.join(", ")
        ));
    }
    for l in &report.layers {
        let what = format!("{} ({})", l.id, l.title);
        if let (Some(target), Some(v), Some((ok, with))) =
            (l.target_m2_per_person, l.m2_per_resident, l.districts_meeting_target)
        {
            if v < target || ok < with {
                out.push(tr!(
                    lang,
                    "coverage.problem_m2",
                    what = what,
                    value = format!("{v:.2}"),
                    target = target,
                    below = with - ok,
                    with = with
                ));
            }
        }
        if let (Some(target), Some(c)) = (l.coverage_target, l.coverage) {
            if c < target {
                out.push(tr!(
                    lang,
                    "coverage.problem_coverage",
                    what = what,
                    share = pct(Some(c)),
                    target = format!("{:.0}", target * 100.0)
                ));
            }
        }
        if let (Some(w), Some(t)) = (&l.townships_without, &l.townships) {
            if !w.is_empty() {
                let list = w[..w.len().min(10)].join(", ");
                let more = if w.len() > 10 { ", …" } else { "" };
                out.push(tr!(
                    lang,
                    "coverage.problem_townships",
                    what = what,
                    n = w.len(),
                    all = t.rows_read,
                    list = format!("{list}{more}"),
                    id = l.id
                ));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
