//! `[outputs]`: the format of the per-site and per-cell layers.
//!
//! ```toml
//! [outputs]
//! sites = "geoparquet"   # geojson | geoparquet | flatgeobuf | none
//! cells = "geojson"      # the same values
//! ```
//!
//! `sites` left out: `geojson`, or `geoparquet` when the census has more than
//! [`AUTO_GEOPARQUET_SITES`] accepted sites (a GeoJSON of millions of points is slow to
//! open in a GIS and ~4.5 times the size; the build says so in a warning). `cells` left
//! out: `geojson`.

use super::error::{Parsed, ProjectErrorKind};
use serde::Deserialize;

/// Accepted sites above which `sites` left out means `geoparquet` instead of `geojson`.
pub const AUTO_GEOPARQUET_SITES: usize = 1_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutputs {
    sites: Option<String>,
    cells: Option<String>,
}

/// The file format of a per-feature output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerFormat {
    /// `<layer>.geojson` (RFC 7946, input order, coordinates at 1e-7°).
    GeoJson,
    /// `<layer>.parquet`: GeoParquet 1.1, Hilbert-sorted, with a `bbox` covering column.
    GeoParquet,
    /// `<layer>.fgb`: FlatGeobuf with a packed Hilbert R-tree index.
    FlatGeobuf,
    /// Not written.
    None,
}

impl LayerFormat {
    /// Every format with its name in the project file.
    const NAMES: [(&'static str, LayerFormat); 4] = [
        ("geojson", LayerFormat::GeoJson),
        ("geoparquet", LayerFormat::GeoParquet),
        ("flatgeobuf", LayerFormat::FlatGeobuf),
        ("none", LayerFormat::None),
    ];

    /// The name in the project file (`geojson`, `geoparquet`, `flatgeobuf`, `none`).
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(_, f)| *f == self).map_or("none", |(n, _)| n)
    }

    /// The file of layer `stem` (`sites`, `cells`) in this format; `None` for
    /// [`LayerFormat::None`].
    pub fn file(self, stem: &str) -> Option<String> {
        let ext = match self {
            LayerFormat::GeoJson => "geojson",
            LayerFormat::GeoParquet => "parquet",
            LayerFormat::FlatGeobuf => "fgb",
            LayerFormat::None => return None,
        };
        Some(format!("{stem}.{ext}"))
    }
}

/// `[outputs]`, validated: `None` = the key was left out (the default applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outputs {
    /// `[outputs] sites`.
    pub sites: Option<LayerFormat>,
    /// `[outputs] cells`.
    pub cells: Option<LayerFormat>,
}

impl Outputs {
    /// The format of the site layer for a census of `n_sites` accepted sites.
    pub fn sites_format(&self, n_sites: usize) -> LayerFormat {
        self.sites.unwrap_or(if n_sites > AUTO_GEOPARQUET_SITES {
            LayerFormat::GeoParquet
        } else {
            LayerFormat::GeoJson
        })
    }

    /// The format of the cell layer.
    pub fn cells_format(&self) -> LayerFormat {
        self.cells.unwrap_or(LayerFormat::GeoJson)
    }

    /// The files the site layer may be written as, before the census is counted: the one
    /// set, or `sites.geojson` and `sites.parquet` when `sites` was left out.
    pub fn planned_sites(&self) -> Vec<String> {
        match self.sites {
            Some(f) => f.file("sites").into_iter().collect(),
            None => [LayerFormat::GeoJson, LayerFormat::GeoParquet].iter().filter_map(|f| f.file("sites")).collect(),
        }
    }

    /// The warning of a build whose `sites` was left out and whose census is large enough
    /// to be written as GeoParquet; `None` otherwise.
    pub fn auto_warning(&self, n_sites: usize) -> Option<String> {
        (self.sites.is_none() && self.sites_format(n_sites) == LayerFormat::GeoParquet).then(|| {
            format!(
                "the census has {n_sites} accepted sites (more than {AUTO_GEOPARQUET_SITES}): the sites are written as \
                 sites.parquet (GeoParquet) instead of sites.geojson; to choose, set [outputs] sites = \"geojson\" \
                 (or \"geoparquet\", \"flatgeobuf\", \"none\") in the project file"
            )
        })
    }
}

/// One `[outputs]` value.
fn format(value: Option<&str>, key: &str) -> Parsed<Option<LayerFormat>> {
    let Some(v) = value else { return Ok(None) };
    let found = LayerFormat::NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(v.trim())).map(|(_, f)| *f);
    found.map(Some).ok_or_else(|| {
        ProjectErrorKind::value(
            format!("[outputs] {key}"),
            format!("\"{v}\""),
            "use \"geojson\", \"geoparquet\" (sites.parquet / cells.parquet), \"flatgeobuf\" (.fgb) or \"none\" \
             (not written)",
        )
    })
}

/// `[outputs]` (absent: every default).
pub(super) fn parse_outputs(raw: Option<&RawOutputs>) -> Parsed<Outputs> {
    let Some(raw) = raw else { return Ok(Outputs::default()) };
    Ok(Outputs { sites: format(raw.sites.as_deref(), "sites")?, cells: format(raw.cells.as_deref(), "cells")? })
}

#[cfg(test)]
#[path = "outputs_tests.rs"]
mod tests;
