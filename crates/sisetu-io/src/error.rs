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
    /// The file does not exist: where it was looked for, and what the folder has instead.
    #[error("{path}: no such file (looked for {looked}){}", missing_hint(.nearby, *.folder_exists))]
    Missing {
        /// The file as the project names it.
        path: String,
        /// The full path looked at.
        looked: String,
        /// Files of the folder with the same extension (or, without any, other files), at
        /// most 8, the most alike first.
        nearby: Vec<String>,
        /// Whether the folder itself exists.
        folder_exists: bool,
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
        .labels.iter().map(|(l, _, _)| format!("    \"{l}\" = \"?\"   # red, orange, yellow or blue")).collect::<Vec<_>>().join("\n"))]
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

fn missing_hint(nearby: &[String], folder_exists: bool) -> String {
    if !folder_exists {
        "; the folder does not exist either: check the path in the project file (relative paths start at the project file's folder)".into()
    } else if nearby.is_empty() {
        "; the folder is empty".into()
    } else {
        format!("; the folder has: {}", nearby.join(", "))
    }
}

impl Error {
    /// The error for reading `path` (named `display` in messages): [`Error::Missing`] with what
    /// the folder has when the file does not exist, else [`Error::Read`].
    pub fn reading(path: &std::path::Path, display: &str, cause: std::io::Error) -> Error {
        if cause.kind() != std::io::ErrorKind::NotFound {
            return Error::Read { path: display.to_string(), cause };
        }
        let looked = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let folder = looked.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_lowercase();
        let mut files: Vec<String> = std::fs::read_dir(&folder)
            .map(|rd| {
                rd.filter_map(std::result::Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        let same_ext: Vec<String> = files
            .iter()
            .filter(|n| std::path::Path::new(n).extension().and_then(|e| e.to_str()).map(str::to_lowercase) == ext)
            .cloned()
            .collect();
        if !same_ext.is_empty() {
            files = same_ext;
        }
        // The most alike first: most characters in common with the name looked for.
        files.sort_by_key(|n| {
            let common = n.to_lowercase().chars().filter(|c| stem.contains(*c)).count();
            (std::cmp::Reverse(common), n.clone())
        });
        files.truncate(8);
        Error::Missing {
            path: display.to_string(),
            looked: looked.display().to_string(),
            nearby: files,
            folder_exists: folder.is_dir(),
        }
    }

    /// The message in `lang`: the errors a new user meets first (a missing file, a column
    /// not found, grade labels without a mapping) in Chinese too; the others in English.
    pub fn text(&self, lang: sisetu_i18n::Lang) -> String {
        use sisetu_i18n::{tr, Lang};
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Missing { path, looked, nearby, folder_exists } => {
                let hint = if !folder_exists {
                    tr!(lang, "error.missing_folder")
                } else if nearby.is_empty() {
                    tr!(lang, "error.empty_folder")
                } else {
                    tr!(lang, "error.folder_has", files = nearby.join("、"))
                };
                tr!(lang, "error.missing", path = path, looked = looked, hint = hint)
            }
            Error::Read { path, cause } => tr!(lang, "error.read", path = path, cause = cause),
            Error::MissingColumn { path, role, wanted, found, key } => {
                tr!(lang, "error.missing_column", path = path, role = role, wanted = wanted, found = found, key = key)
            }
            Error::UnmappedGrades { path, column, labels } => {
                let list: Vec<String> = labels
                    .iter()
                    .map(|(l, line, n)| tr!(lang, "error.grade_label", label = l, n = n, line = line))
                    .collect();
                let example: Vec<String> = labels.iter().map(|(l, _, _)| format!("    \"{l}\" = \"?\"")).collect();
                tr!(
                    lang,
                    "error.unmapped_grades",
                    path = path,
                    column = column,
                    labels = list.join("、"),
                    example = example.join("\n")
                )
            }
            other => other.to_string(),
        }
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
