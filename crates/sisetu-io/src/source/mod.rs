//! The file types sisetu reads, decided in one place, and the low-level reading that the
//! site, table and zone readers share.
//!
//! [`SourceKind::of`] is the one switch on the file type: it maps the file extension
//! (ignoring case) to a [`SourceKind`], or fails with one message that names the file and
//! lists what the reader accepts. Each reader ([`read_sites`](crate::sites::read_sites),
//! [`read_table`](crate::table::read_table), [`read_zones`](crate::zones::read_zones))
//! matches the kind exhaustively and refuses the kinds it does not read with
//! [`ReadAs::refuse`].
//!
//! The submodules hold what more than one reader does the same way: decoding and parsing
//! delimited text (`delimited`), opening a workbook and walking its rows (`workbook`),
//! and parsing GeoJSON (`features`). [`limits`] holds the limits of the workbook reader.

pub(crate) mod delimited;
mod extent;
pub(crate) mod features;
pub mod limits;
pub(crate) mod workbook;

use crate::error::{Error, Result};
use std::mem::discriminant;
use std::path::Path;

/// The separator of a delimited text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// `,` (`.csv`, `.txt`; a tab when the header line holds tabs and no comma).
    Comma,
    /// A tab (`.tsv`).
    Tab,
}

impl Delimiter {
    /// The separator byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
        }
    }
}

/// The type of an input file, decided from its extension by [`SourceKind::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Delimited text: `.csv`, `.txt` (comma-separated, or tab-separated when the header line
    /// holds tabs and no comma) or `.tsv` (tab-separated), in UTF-8, UTF-8 with BOM, GBK or
    /// UTF-16 with BOM (see `text`).
    Csv(Delimiter),
    /// A spreadsheet workbook: `.xlsx`, `.xlsm`, `.xls`, `.ods`.
    Workbook,
    /// GeoJSON: `.geojson`, `.json`.
    GeoJson,
    /// An ESRI Shapefile: `.shp`, with its `.dbf` (and optionally `.cpg`) beside it.
    Shapefile,
    /// A Parquet table: `.parquet`, `.geoparquet` (GeoParquet: its WKB point geometry gives
    /// the coordinates), read in record batches by [`crate::columnar::read`].
    Parquet,
}

/// Every extension sisetu reads (lower case, without the dot) and its kind, in the order
/// messages list them.
const EXTENSIONS: [(&str, SourceKind); 12] = [
    ("csv", SourceKind::Csv(Delimiter::Comma)),
    ("txt", SourceKind::Csv(Delimiter::Comma)),
    ("tsv", SourceKind::Csv(Delimiter::Tab)),
    ("xlsx", SourceKind::Workbook),
    ("xlsm", SourceKind::Workbook),
    ("xls", SourceKind::Workbook),
    ("ods", SourceKind::Workbook),
    ("geojson", SourceKind::GeoJson),
    ("json", SourceKind::GeoJson),
    ("shp", SourceKind::Shapefile),
    ("parquet", SourceKind::Parquet),
    ("geoparquet", SourceKind::Parquet),
];

/// The extension of `path`, lower case and without the dot; `None` when it has none (or
/// the name ends with the dot).
fn extension(path: &Path) -> Option<String> {
    path.extension().filter(|e| !e.is_empty()).map(|e| e.to_string_lossy().to_ascii_lowercase())
}

impl SourceKind {
    /// One kind of each format (the delimiter aside), in the order messages list them.
    const FORMATS: [SourceKind; 5] = [
        SourceKind::Csv(Delimiter::Comma),
        SourceKind::Workbook,
        SourceKind::GeoJson,
        SourceKind::Shapefile,
        SourceKind::Parquet,
    ];

    /// The kind named by the file extension `ext` (without the dot, any case); `None` for
    /// an extension sisetu does not read.
    pub fn from_extension(ext: &str) -> Option<SourceKind> {
        EXTENSIONS.iter().find(|(e, _)| e.eq_ignore_ascii_case(ext)).map(|&(_, kind)| kind)
    }

    /// The kind of the file `path`, to be read as `read_as`. An extension sisetu does not
    /// read (or none) is an error naming the file (as `display`) and the extensions that
    /// `read_as` accepts. A kind that `read_as` does not accept is returned: the reader
    /// refuses it with [`ReadAs::refuse`].
    pub fn of(path: &Path, display: &str, read_as: ReadAs) -> Result<SourceKind> {
        let ext = extension(path);
        if let Some(kind) = ext.as_deref().and_then(SourceKind::from_extension) {
            return Ok(kind);
        }
        let found = match ext {
            Some(ext) => format!("file type '.{ext}'"),
            None => "file type (no file extension)".to_string(),
        };
        Err(Error::Format {
            path: display.to_string(),
            msg: format!(
                "unknown {found}; {} must be {} (rename the file, or export it in one of these formats)",
                read_as.plural(),
                read_as.accepted()
            ),
        })
    }

    /// True when `self` and `other` are the same format (CSV files of either delimiter
    /// are the same format).
    fn same_format(self, other: SourceKind) -> bool {
        discriminant(&self) == discriminant(&other)
    }

    /// The extensions of this format as messages list them, e.g. `.csv/.txt/.tsv`.
    pub fn extensions(self) -> String {
        EXTENSIONS
            .iter()
            .filter(|(_, kind)| kind.same_format(self))
            .map(|(e, _)| format!(".{e}"))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The format in words, with an article: "a CSV file", "a workbook", "a GeoJSON file",
    /// "a Shapefile", "a Parquet file".
    pub fn describe(self) -> &'static str {
        match self {
            SourceKind::Csv(_) => "a CSV file",
            SourceKind::Workbook => "a workbook",
            SourceKind::GeoJson => "a GeoJSON file",
            SourceKind::Shapefile => "a Shapefile",
            SourceKind::Parquet => "a Parquet file",
        }
    }
}

/// What a file is read as; each reader accepts some [`SourceKind`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// A census layer of sites ([`read_sites`](crate::sites::read_sites)): CSV, workbook,
    /// GeoJSON points or Parquet / GeoParquet.
    Sites,
    /// A table of facilities, population or weights
    /// ([`read_table`](crate::table::read_table)): CSV, workbook or GeoJSON.
    Table,
    /// A polygon layer of districts or grids ([`read_zones`](crate::zones::read_zones)):
    /// GeoJSON or Shapefile.
    Zones,
}

impl ReadAs {
    /// Every use, in the order messages list them.
    const ALL: [ReadAs; 3] = [ReadAs::Sites, ReadAs::Table, ReadAs::Zones];

    /// Whether files of `kind` can be read as `self` (the readers' matches agree; a test
    /// checks that they do).
    pub fn accepts(self, kind: SourceKind) -> bool {
        match self {
            ReadAs::Sites => !matches!(kind, SourceKind::Shapefile),
            ReadAs::Table => !matches!(kind, SourceKind::Shapefile | SourceKind::Parquet),
            ReadAs::Zones => matches!(kind, SourceKind::GeoJson | SourceKind::Shapefile),
        }
    }

    /// The use in the plural, as messages say it: "site layers", "tables", "polygon layers".
    pub fn plural(self) -> &'static str {
        match self {
            ReadAs::Sites => "site layers",
            ReadAs::Table => "tables",
            ReadAs::Zones => "polygon layers",
        }
    }

    /// The use in the singular, with an article: "a site layer", "a table", "a polygon layer".
    fn singular(self) -> &'static str {
        match self {
            ReadAs::Sites => "a site layer",
            ReadAs::Table => "a table",
            ReadAs::Zones => "a polygon layer",
        }
    }

    /// The extensions accepted, as messages list them, e.g.
    /// `.csv/.txt/.tsv, .xlsx/.xlsm/.xls/.ods or .geojson/.json`.
    pub fn accepted(self) -> String {
        or_list(SourceKind::FORMATS.iter().filter(|&&k| self.accepts(k)).map(|k| k.extensions()).collect())
    }

    /// The error for a file of `kind` (at `path`, named `display`), which `self` does not
    /// read: it names the file, says what the file is read as instead and lists the
    /// extensions `self` accepts.
    pub fn refuse(self, kind: SourceKind, path: &Path, display: &str) -> Error {
        let ext = extension(path).unwrap_or_default();
        let others: Vec<String> =
            ReadAs::ALL.iter().filter(|r| r.accepts(kind)).map(|r| r.singular().to_string()).collect();
        Error::Format {
            path: display.to_string(),
            msg: format!(
                "unknown file type '.{ext}' for {plural}: {} is read only as {}; {plural} must be {} (rename the file, or export it in one of these formats)",
                kind.describe(),
                or_list(others),
                self.accepted(),
                plural = self.plural(),
            ),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(mut items: Vec<String>) -> String {
    match items.pop() {
        None => String::new(),
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{} or {last}", items.join(", ")),
    }
}

/// The bytes of the file `path`; the error names it as `display`.
pub(crate) fn read_file(path: &Path, display: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|cause| Error::reading(path, display, cause))
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "robust_tests.rs"]
mod robust_tests;
