//! Error type of the readers and writers. Every message names the file, and the line
//! where there is one, and says how to fix the input.

use crate::crs::CrsError;

/// A reader or writer error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        cause: std::io::Error,
    },
    /// The file could not be written.
    #[error("{path}: cannot write: {cause}")]
    Write {
        /// The file.
        path: String,
        /// The OS error.
        cause: std::io::Error,
    },
    /// The file's content is wrong as a whole.
    #[error("{path}: {msg}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong and how to fix it.
        msg: String,
    },
    /// A wanted column is not in the header.
    #[error("{path}: no column for {role} ({wanted}); the header has: {found}. Name the column with `{key} = \"…\"` in the project file")]
    MissingColumn {
        /// The file.
        path: String,
        /// What the column is for (x / longitude, grade, …).
        role: String,
        /// The names looked for.
        wanted: String,
        /// The headers that were found.
        found: String,
        /// The project-file key that names this column.
        key: String,
    },
    /// Grade labels that need an explicit mapping.
    #[error("{path}: column '{column}' has grade labels with no mapping: {}. Their meaning differs between provinces (A may be the highest or the lowest risk), so sisetu does not guess. Add to the [grades] table of the project file, for example:\n{}",
        .labels.iter().map(|(l, line, n)| format!("'{l}' ({n} {}, first at line {line})", if *n == 1 { "row" } else { "rows" })).collect::<Vec<_>>().join(", "),
        .labels.iter().map(|(l, _, _)| format!("    \"{l}\" = \"red\"   # or orange / yellow / blue")).collect::<Vec<_>>().join("\n"))]
    UnmappedGrades {
        /// The file.
        path: String,
        /// The grade column.
        column: String,
        /// (label, first line, count).
        labels: Vec<(String, u64, u64)>,
    },
    /// A coordinate-system problem.
    #[error("{path}: {cause}")]
    Crs {
        /// The file.
        path: String,
        /// The CRS error.
        cause: CrsError,
    },
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
