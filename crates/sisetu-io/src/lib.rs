//! sisetu-io: census readers, boundary readers, output writers and coordinate systems.
//!
//! * [`crs`]: EPSG:4326/4490/3857/4491–4554, GCJ-02 and BD-09.
//! * [`source`]: the file types read ([`SourceKind`], decided from the extension in one
//!   place) and the reading shared by the readers below.
//! * [`text`]: UTF-8 / UTF-8 BOM / GBK detection.
//! * [`sites`]: census tables (CSV, XLSX, GeoJSON points, Parquet/GeoParquet) → validated sites + rejects.
//! * [`reject`]: rejected rows and their [`RejectReason`]s, shared by every reader.
//! * [`zones`]: district and grid polygons (GeoJSON, Shapefile), and their validity.
//! * [`table`]: generic tables (facilities, population, weight points) as text cells.
//! * [`write`](mod@write): GeoJSON and CSV writers, and atomic output staging.
//! * [`columnar`]: GeoParquet 1.1 and FlatGeobuf writers (Hilbert-sorted, spatially indexed)
//!   and the Parquet table reader.
//! * [`hash`]: SHA-256 fingerprints of files.
//! * [`formula`]: cells a spreadsheet would run as a formula, made safe in CSV outputs.

pub mod columnar;
pub mod crs;
pub mod error;
pub mod formula;
pub mod hash;
pub mod note;
pub mod output;
pub mod reject;
pub mod sites;
pub mod source;
pub mod table;
pub mod text;
pub mod write;
pub mod zones;

pub use error::{Error, Result};
pub use note::Note;
pub use reject::{Reject, RejectReason};
pub use source::{Delimiter, ReadAs, SourceKind};
pub use table::{parse_quantity, read_table, Record, Table, TableKind, TableSpec};

/// Workbooks written cell by cell for the readers' tests (shared with `tests/`).
#[cfg(test)]
#[path = "../tests/common/xlsx.rs"]
pub(crate) mod test_xlsx;
