//! The output folder of a build, as other commands read it back: the names of the files
//! the build writes itself, and the typed head of its `report.json`.
//!
//! The writers (sisetu-engine's `outputs`) and the readers (`sisetu render`, `sisetu diff`,
//! `[previous]`, stale-file removal) use these names and this type, so a field renamed on
//! one side cannot be missed on the other.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::Path;

/// `districts.geojson`: every district with its level and counts.
pub const DISTRICTS: &str = "districts.geojson";
/// `grids.geojson`: every management grid with its level and counts.
pub const GRIDS: &str = "grids.geojson";
/// `cells.geojson`: every non-empty regular cell.
pub const CELLS: &str = "cells.geojson";
/// `sites.geojson`: every accepted site.
pub const SITES: &str = "sites.geojson";
/// `report.json`.
pub const REPORT: &str = "report.json";

/// A polygon layer as `report.json` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LayerHead {
    /// The file as named in the project.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// What other commands read from a build's `report.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReportHead {
    /// Project title.
    pub title: String,
    /// Census date (free text).
    #[serde(default)]
    pub census_date: Option<String>,
    /// The working CRS of the build, e.g. `EPSG:4538`.
    pub working_crs: String,
    /// Regular cell size in metres.
    pub cell_size_m: f64,
    /// The aggregation rule as text.
    pub aggregation: String,
    /// The district layer.
    pub districts: LayerHead,
    /// Every file the build wrote.
    #[serde(default)]
    pub outputs: Vec<String>,
}

impl ReportHead {
    /// Reads `dir/report.json`. The error names the file and says what to do.
    pub fn read(dir: &Path) -> Result<ReportHead> {
        let path = dir.join(REPORT);
        let shown = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|cause| Error::Read { path: shown.clone(), cause })?;
        ReportHead::parse(&bytes, &shown)
    }

    /// Parses the bytes of a `report.json` (`shown` names it in errors).
    pub fn parse(bytes: &[u8], shown: &str) -> Result<ReportHead> {
        serde_json::from_slice(bytes).map_err(|e| Error::Format {
            path: shown.to_string(),
            msg: format!(
                "not a sisetu report.json, or one written by another version ({e}): rebuild the round with `sisetu build`"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_head_and_names_the_file_when_it_is_not_a_report() {
        let json = br#"{"sisetu_version":"0.1.0","title":"t","census_date":null,"working_crs":"EPSG:4538",
            "cell_size_m":500.0,"aggregation":"highest","districts":{"file":"d.geojson","sha256":"ab","features":1,"invalid":[]},
            "outputs":["a","report.json"],"extra":1}"#;
        let h = ReportHead::parse(json, "x/report.json").unwrap();
        assert_eq!(h.working_crs, "EPSG:4538");
        assert_eq!(h.districts.sha256, "ab");
        assert_eq!(h.outputs, ["a", "report.json"]);
        let e = ReportHead::parse(b"{\"title\":1}", "x/report.json").unwrap_err().to_string();
        assert!(e.starts_with("x/report.json: not a sisetu report.json"), "{e}");
    }
}
