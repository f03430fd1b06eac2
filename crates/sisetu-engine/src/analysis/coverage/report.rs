//! What the analysis tells: the `coverage` section of report.json ([`CoverageReport`]), the
//! terminal lines, the warnings, and the problems for `sisetu check` (read from the report,
//! so that they say what report.json says).

use super::analyse::{AreaFigures, LayerResult};
use super::facilities::FacilityLayer;
use super::input::num;
use super::population::{Population, PopulationInput};
use crate::layers::ZoneLayer;
use serde::Serialize;
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
pub(crate) fn layer_lines(layer: &FacilityLayer, res: &LayerResult, districts: &ZoneLayer) -> Vec<String> {
    let fc = &layer.config;
    let t = &res.total;
    let mut lines = vec![format!(
        "{} ({}): {} facilities ({} rejected), {} residents; covered {} ({}), placed {}, without room {}, uncovered {}",
        fc.id,
        fc.title,
        layer.rows.len(),
        layer.file.rejects.len(),
        num(t.population),
        num(t.covered),
        pct(t.coverage()),
        num(t.served),
        num(t.without_room),
        num(t.uncovered)
    )];
    if let Some(target) = fc.target_m2_per_person {
        let (ok, with) = districts_meeting(res, target);
        let below: Vec<String> = res
            .districts
            .iter()
            .zip(&districts.work)
            .filter_map(|(f, z)| f.m2_per_resident().filter(|v| *v < target).map(|v| format!("{} {v:.2}", z.name)))
            .collect();
        lines.push(format!(
            "  m² per resident: {} overall against a target of {target}; {ok} of {with} districts meet it{}",
            t.m2_per_resident().map_or_else(|| "–".into(), |v| format!("{v:.2}")),
            if below.is_empty() { String::new() } else { format!(" (below: {})", below.join(", ")) }
        ));
    }
    if let Some(ct) = fc.coverage_target {
        let met = match t.coverage() {
            Some(c) if c >= ct => "met".to_string(),
            Some(c) => format!("not met ({:.1} %)", c * 100.0),
            None => "no residents".into(),
        };
        lines.push(format!("  coverage target {:.0} %: {met}", ct * 100.0));
    }
    if let Some(w) = townships_without(res) {
        let all = res.townships.as_ref().map_or(0, Vec::len);
        let list = if w.is_empty() { String::new() } else { format!(" ({})", w[..w.len().min(10)].join(", ")) };
        lines.push(format!("  townships without any: {} of {all}{list}", w.len()));
    }
    lines.extend(siting_lines(layer, res));
    lines
}

fn siting_lines(layer: &FacilityLayer, res: &LayerResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(sc) = &layer.config.siting {
        if res.siting.len() < sc.count {
            lines.push(format!(
                "  siting: {} of the {} new sites asked for; no other candidate covers anyone still uncovered",
                res.siting.len(),
                sc.count
            ));
        }
    }
    if let (Some(first), Some(last)) = (res.siting.first(), res.siting.last()) {
        lines.push(format!(
            "  siting: {} new sites would cover {} more residents (first: {} +{})",
            res.siting.len(),
            num(last.pick.cumulative),
            first.name,
            num(first.pick.gain)
        ));
    }
    lines
}

/// Warnings on the population: districts counted as 0 residents, then the notes.
pub(crate) fn warnings(input: &PopulationInput, pop: &Population) -> Vec<String> {
    input
        .missing
        .iter()
        .map(|(id, name)| {
            format!(
                "district {id} {name} has no row in the population table: it counts 0 residents (add its figure to cover it)"
            )
        })
        .chain(pop.notes.iter().cloned())
        .collect()
}

/// Problems for `sisetu check`, from the report: districts without a population figure,
/// layers below their m² per resident target (overall or in some district) or below their
/// coverage target, and townships without a facility.
pub fn problems(report: &CoverageReport) -> Vec<String> {
    let mut out = Vec::new();
    let pop = &report.population;
    if !pop.districts_without_population.is_empty() {
        let file = pop.inputs.first().map_or("[population]", |i| i.file.as_str());
        out.push(format!(
            "{file}: {} districts have no population figure and count 0 residents ({})",
            pop.districts_without_population.len(),
            pop.districts_without_population.join(", ")
        ));
    }
    for l in &report.layers {
        let what = format!("{} ({})", l.id, l.title);
        if let (Some(target), Some(v), Some((ok, with))) =
            (l.target_m2_per_person, l.m2_per_resident, l.districts_meeting_target)
        {
            if v < target || ok < with {
                out.push(format!(
                    "{what}: {v:.2} m² per resident against a target of {target}; {} of {with} districts below it",
                    with - ok
                ));
            }
        }
        if let (Some(target), Some(c)) = (l.coverage_target, l.coverage) {
            if c < target {
                out.push(format!(
                    "{what}: {} of the residents within reach, below the coverage target of {:.0} %",
                    pct(Some(c)),
                    target * 100.0
                ));
            }
        }
        if let (Some(w), Some(t)) = (&l.townships_without, &l.townships) {
            if !w.is_empty() {
                let list = w[..w.len().min(10)].join(", ");
                let more = if w.len() > 10 { ", …" } else { "" };
                out.push(format!(
                    "{what}: {} of {} townships have none ({list}{more}; {}_townships.csv)",
                    w.len(),
                    t.rows_read,
                    l.id
                ));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
