//! `report.json`: what was read, what was found, what was written.

use crate::census::{Census, Tallies};
use crate::layers::ZoneLayer;
use crate::project::Config;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use sisetu_core::RiskLevel;
use sisetu_io::crs::Crs;
use std::collections::BTreeMap;

/// Per-file figures of report.json.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as named in the project.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Encoding found (CSV).
    pub encoding: Option<String>,
    /// Which header fed which role.
    pub columns: BTreeMap<String, String>,
    /// Data rows read = accepted + rejected.
    pub rows_read: u64,
    /// Rows that became sites.
    pub accepted: u64,
    /// Rows in rejects.csv.
    pub rejected: u64,
    /// Accepted sites outside every district.
    pub unassigned: u64,
    /// Accepted sites whose id appeared on an earlier row (kept, flagged).
    pub duplicate_ids: u64,
    /// Accepted sites per level.
    pub levels: BTreeMap<&'static str, u64>,
    /// Warnings about the file as a whole (a title row skipped, lines in different text
    /// encodings, worksheets skipped); left out of report.json when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A polygon layer in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// The file.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Features read.
    pub features: usize,
    /// Invalid polygons (kept; assignment stays deterministic).
    pub invalid: Vec<BTreeMap<&'static str, String>>,
}

/// Totals over all site files.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Totals {
    /// Data rows read.
    pub rows_read: u64,
    /// Accepted sites.
    pub accepted: u64,
    /// Rejected rows.
    pub rejected: u64,
    /// Sites outside every district.
    pub unassigned: u64,
    /// Sites outside every management grid (when a grid layer is given).
    pub outside_management_grid: Option<u64>,
    /// Sites per level.
    pub levels: BTreeMap<&'static str, u64>,
    /// Non-empty regular cells.
    pub cells: usize,
}

/// The analyses' sections of report.json, in the order the analyses ran.
#[derive(Debug, Clone, Default)]
pub struct Sections(pub Vec<(&'static str, serde_json::Value)>);

impl Serialize for Sections {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Sections {
    /// The section of the analysis `name`.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

/// report.json.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// sisetu version.
    pub sisetu_version: &'static str,
    /// Project title.
    pub title: String,
    /// Census date from the project.
    pub census_date: Option<String>,
    /// Data source note from the project.
    pub source: Option<String>,
    /// The working CRS of all computations.
    pub working_crs: String,
    /// Its largest relative scale error over the districts' extent
    /// ([`sisetu_io::crs::Crs::worst_scale_error`]); areas in an Albers working CRS are exact.
    pub working_crs_scale_error: Option<f64>,
    /// Regular grid cell size (m).
    pub cell_size_m: f64,
    /// Aggregation rule.
    pub aggregation: String,
    /// District layer.
    pub districts: LayerReport,
    /// Management-grid layer.
    pub management_grid: Option<LayerReport>,
    /// Site files.
    pub sites: Vec<FileReport>,
    /// Totals over all files.
    pub totals: Totals,
    /// Ids used by more than one row (the first 1000 in id order), with their occurrences as
    /// `file:line` (the first 1000).
    pub duplicate_ids: Vec<BTreeMap<&'static str, serde_json::Value>>,
    /// The analyses' sections (`grid_checks`, `changes`, `coverage` …).
    #[serde(flatten)]
    pub sections: Sections,
    /// Files written, sorted by name (empty for `sisetu check`).
    pub outputs: Vec<String>,
    /// Every rejected input row: sites and the analyses' inputs (for `--strict`).
    #[serde(skip)]
    pub rejected_rows: u64,
}

fn layer_report(l: &ZoneLayer) -> LayerReport {
    LayerReport {
        file: l.file.clone(),
        sha256: l.sha256.clone(),
        features: l.work.len(),
        invalid: l
            .invalid
            .iter()
            .map(|(id, why)| BTreeMap::from([("id", id.clone()), ("problem", why.to_string())]))
            .collect(),
    }
}

fn file_report(census: &Census, li: usize) -> FileReport {
    let l = &census.layers[li];
    let counts = census.counts(li);
    let levels: BTreeMap<&'static str, u64> =
        RiskLevel::ALL.iter().map(|lv| (lv.as_str(), counts.levels[*lv])).collect();
    FileReport {
        file: census.files[li].clone(),
        sha256: l.sha256.clone(),
        encoding: l
            .encoding
            .map(|e| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
        columns: l.columns_used.clone(),
        rows_read: l.rows_read,
        accepted: counts.accepted,
        rejected: l.rejects.len() as u64,
        unassigned: counts.unassigned,
        duplicate_ids: counts.duplicate_rows,
        levels,
        warnings: l.warnings.iter().map(ToString::to_string).collect(),
    }
}

/// What the report is assembled from.
pub(crate) struct ReportInputs<'a> {
    pub cfg: &'a Config,
    pub work: Crs,
    pub districts: &'a ZoneLayer,
    pub grids: Option<&'a ZoneLayer>,
    pub census: &'a Census,
    pub tallies: &'a Tallies,
    pub sections: Sections,
    pub analysis_rejects: u64,
}

/// Repeated ids listed in the report (the first, in id order), and rows listed for each (the
/// first, in input order).
pub(crate) const REPORTED_IDS: usize = 1000;

/// Assembles the report (without the list of outputs).
pub(crate) fn assemble(r: ReportInputs) -> Report {
    let sites: Vec<FileReport> = (0..r.census.layers.len()).map(|li| file_report(r.census, li)).collect();
    let mut totals = Totals::default();
    for fr in &sites {
        totals.rows_read += fr.rows_read;
        totals.accepted += fr.accepted;
        totals.rejected += fr.rejected;
        totals.unassigned += fr.unassigned;
        for (k, v) in &fr.levels {
            *totals.levels.entry(k).or_default() += v;
        }
    }
    totals.cells = r.tallies.cells.len();
    totals.outside_management_grid = r.grids.map(|_| r.tallies.outside_grid);
    let cfg = r.cfg;
    Report {
        sisetu_version: env!("CARGO_PKG_VERSION"),
        title: cfg.title.clone(),
        census_date: cfg.census_date.clone(),
        source: cfg.source.clone(),
        working_crs: r.work.to_string(),
        working_crs_scale_error: crate::layers::lonlat_extent(r.districts.wgs84())
            .and_then(|e| r.work.worst_scale_error(e))
            .map(|e| (e * 1e6).round() / 1e6),
        cell_size_m: cfg.cell_size_m,
        aggregation: cfg.aggregation.to_string(),
        districts: layer_report(r.districts),
        management_grid: r.grids.map(layer_report),
        rejected_rows: totals.rejected + r.analysis_rejects,
        sites,
        totals,
        duplicate_ids: r
            .census
            .duplicates
            .occurrences
            .iter()
            .take(REPORTED_IDS)
            .map(|(id, occ)| {
                let rows = &occ[..occ.len().min(REPORTED_IDS)];
                BTreeMap::from([("id", serde_json::json!(id)), ("rows", serde_json::json!(rows))])
            })
            .collect(),
        sections: r.sections,
        outputs: Vec::new(),
    }
}
