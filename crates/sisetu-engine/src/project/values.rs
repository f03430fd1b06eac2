//! Values every section of the project file parses the same way: paths relative to the
//! project file, coordinate systems, text encodings, risk levels and WGS84 extents.

use super::error::{Parsed, ProjectErrorKind};
use sisetu_core::{Extent, RiskLevel};
use sisetu_io::crs::Crs;
use sisetu_io::text::TextEncoding;
use std::path::{Path, PathBuf};

/// The project file's folder: relative paths in the file are relative to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Base<'a>(pub &'a Path);

impl Base<'_> {
    /// `p` as written when absolute, else joined to the project file's folder.
    pub(crate) fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.0.join(p)
        }
    }
}

/// A CRS name; `key` names it in the error (`[districts] crs`).
pub(crate) fn crs(value: &str, key: &str) -> Parsed<Crs> {
    value.parse::<Crs>().map_err(|error| ProjectErrorKind::Crs { key: key.to_string(), error })
}

/// An optional encoding name (absent: detect); `key` names it in the error.
pub(crate) fn encoding(value: Option<&str>, key: &str) -> Parsed<TextEncoding> {
    match value {
        None => Ok(TextEncoding::Auto),
        Some(v) => TextEncoding::from_label(v)
            .ok_or_else(|| ProjectErrorKind::Encoding { key: key.to_string(), value: v.to_string() }),
    }
}

/// The highest `header_row` a project may give: a header further down is not an export's.
pub(crate) const MAX_HEADER_ROW: i64 = 1000;

/// An optional `header_row` (the header's line or row, counted from 1); `key` names it.
pub(crate) fn header_row(value: Option<i64>, key: &str) -> Parsed<Option<u32>> {
    match value {
        None => Ok(None),
        Some(v) if (1..=MAX_HEADER_ROW).contains(&v) => Ok(u32::try_from(v).ok()),
        Some(v) => Err(ProjectErrorKind::value(
            key,
            v,
            format!(
                "the line (CSV) or row (worksheet) of the header, counted from 1 as the spreadsheet program shows \
                 it: 1 to {MAX_HEADER_ROW}"
            ),
        )),
    }
}

/// A risk level name; `place` names it in the error (`[style] colors`).
pub(crate) fn level(value: &str, place: &str) -> Parsed<RiskLevel> {
    value.parse().map_err(|error| ProjectErrorKind::Level { place: place.to_string(), error })
}

/// `[min longitude, min latitude, max longitude, max latitude]` in degrees (a map's frame);
/// `key` names it in the error, which shows the value and an example.
pub(crate) fn degree_extent(v: [f64; 4], key: &str) -> Parsed<Extent> {
    let lon = -180.0..=180.0;
    let lat = -90.0..=90.0;
    match Extent::from_array(v) {
        Ok(e) if lon.contains(&e.min_x()) && lon.contains(&e.max_x()) && lat.contains(&e.min_y()) && lat.contains(&e.max_y()) => {
            Ok(e)
        }
        _ => Err(ProjectErrorKind::value(
            key,
            format!("{v:?}"),
            "give [min longitude, min latitude, max longitude, max latitude] in degrees, e.g. [87.5, 43.7, 87.7, 43.95]",
        )),
    }
}
