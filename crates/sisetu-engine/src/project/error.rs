//! [`ProjectError`]: why a project file cannot be used. Every message starts with the
//! project file, names the table and key (`[grid] cell_size_m`, `[[sites]] #2 (b.csv) crs`)
//! and says how to fix it.
//!
//! The messages carry the text of the errors they wrap (a CRS name, a TOML parse error), so
//! [`std::error::Error::source`] is `None`: printing the chain would repeat them.

use sisetu_core::summary::AggregationError;
use sisetu_core::ParseLevelError;
use sisetu_io::crs::CrsError;
use std::fmt;
use std::path::{Path, PathBuf};

/// A project file that cannot be read or used: the file and what is wrong with it.
///
/// Displayed as `<file>: <kind>`, e.g.
/// `sisetu.toml: [grid] cell_size_m = 0: the cell size must be at least 1 metre`.
#[derive(Debug)]
pub struct ProjectError {
    file: PathBuf,
    /// Boxed: the engine's `Error` holds a `ProjectError` and stays small.
    kind: Box<ProjectErrorKind>,
}

impl ProjectError {
    /// The error `kind` in the project file `file`.
    pub fn new(file: impl Into<PathBuf>, kind: ProjectErrorKind) -> Self {
        ProjectError { file: file.into(), kind: Box::new(kind) }
    }

    /// The project file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &ProjectErrorKind {
        &self.kind
    }
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.kind)
    }
}

impl std::error::Error for ProjectError {}

/// What is wrong with a project file. Each message names the table and key (the *place*,
/// such as `[[facilities]] #1 (shelter) siting`) and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ProjectErrorKind {
    /// The file cannot be read (missing, unreadable, not UTF-8).
    #[error("cannot read the project file: {error}")]
    Read {
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is neither UTF-8, GBK nor UTF-16 (or mixes them).
    #[error(
        "the project file is not text sisetu can read (UTF-8, GBK or UTF-16): save it as UTF-8 (记事本/Notepad: \
         另存为 → 编码 UTF-8; WPS/VS Code: UTF-8)"
    )]
    FileEncoding,
    /// The text is not TOML, or a value has the wrong type or a required key is missing.
    #[error("{message}")]
    Syntax {
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column (in characters) of the problem, when known.
        column: Option<usize>,
        /// The TOML parser's message, with the line quoted.
        message: String,
    },
    /// A key sisetu does not know (usually a typo).
    #[error("{message}")]
    UnknownKey {
        /// The key as written.
        key: String,
        /// 1-based line of the key, when known.
        line: Option<usize>,
        /// 1-based column (in characters) of the key, when known.
        column: Option<usize>,
        /// The TOML parser's message, with the line quoted and the keys allowed there.
        message: String,
    },
    /// A key in a table it does not belong to.
    #[error("[{table}] has no key '{key}' (it belongs to [{belongs_to}])")]
    MisplacedKey {
        /// The table it was found in.
        table: &'static str,
        /// The key.
        key: &'static str,
        /// The table it belongs to.
        belongs_to: &'static str,
    },
    /// A value that cannot be used.
    #[error("{key} = {value}: {hint}")]
    InvalidValue {
        /// The key with its table (`[grid] cell_size_m`).
        key: String,
        /// The value as given (strings in quotes).
        value: String,
        /// What to give instead.
        hint: String,
    },
    /// `[aggregation]` weights or thresholds with a rule other than `score`.
    #[error("[aggregation] weights and thresholds only apply to rule = \"score\"")]
    ScoreKeysWithoutScore,
    /// `[project] title` is empty.
    #[error("[project] title is empty; give the map a title")]
    EmptyTitle,
    /// A project with neither `[[sites]]` nor `[[facilities]]`.
    #[error("no [[sites]] layer; add at least one [[sites]] entry with path and crs")]
    NoSites,
    /// A coordinate system name that is not known.
    #[error("{key}: {error}")]
    Crs {
        /// The key with its table (`[districts] crs`).
        key: String,
        /// Why the name is not a CRS (with the accepted names).
        error: CrsError,
    },
    /// `[project] working_crs` names a CRS in degrees.
    #[error("[project] working_crs = \"{value}\" is not a metric CRS; use a Gauss-Krüger zone such as \"EPSG:4538\", \"albers\" (equal-area, for a province or the nation) or leave it out")]
    WorkingCrsNotMetric {
        /// The CRS as given.
        value: String,
    },
    /// A text encoding that is not known.
    #[error("{key}: unknown encoding '{value}'; use \"auto\", \"utf-8\" or \"gbk\"")]
    Encoding {
        /// The key with its table (`[[sites]] #1 (census.csv) encoding`).
        key: String,
        /// The encoding as given.
        value: String,
    },
    /// A risk level name that is not red, orange, yellow or blue.
    #[error("{place}: {error}")]
    Level {
        /// Where (`[grades] "A"`, `[style] colors`, `[aggregation] weights`).
        place: String,
        /// The name and the accepted ones.
        error: ParseLevelError,
    },
    /// A `[grades]` mapping that cannot be added (an empty label, a label mapped twice).
    #[error("[grades]: {message}")]
    GradeMapping {
        /// Why.
        message: String,
    },
    /// `[aggregation]` weights or thresholds that do not make a score rule.
    #[error("[aggregation] {0}")]
    Aggregation(AggregationError),
    /// One input file (and worksheet) listed twice: its rows would be counted twice.
    #[error("{second} names the same file as {first} ({path}): its rows would be counted twice; list each file once (or give different `sheet`s of one workbook)")]
    SameInputTwice {
        /// The first listing (e.g. `[[sites]] #1`).
        first: String,
        /// The second listing.
        second: String,
        /// The file as written in the project.
        path: String,
    },
    /// `[population]` without a `[[facilities]]` layer to use it.
    #[error("[population] is only used by [[facilities]] layers; add one (e.g. shelters) or remove it")]
    PopulationUnused,
    /// `[previous] output` is this project's own output folder.
    #[error("[previous] output = \"{value}\" is this project's own output folder; point it at the previous census round's output folder")]
    PreviousIsOwnOutput {
        /// The folder as given.
        value: String,
    },
    /// A siting class that the facility layer does not have.
    #[error("{key} = \"{value}\" is not a class of this layer ({})", classes.join(", "))]
    UnknownClass {
        /// The key with its table.
        key: String,
        /// The class as given.
        value: String,
        /// The layer's classes.
        classes: Vec<String>,
    },
    /// A table or entry whose keys do not fit together (missing, conflicting, out of
    /// place), or a value checked against others.
    #[error("{place}: {message}")]
    Invalid {
        /// The table or entry (`[population]`, `[[maps]] #2 (a.png)`).
        place: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl ProjectErrorKind {
    /// An [`ProjectErrorKind::InvalidValue`].
    pub(crate) fn value(key: impl Into<String>, value: impl fmt::Display, hint: impl Into<String>) -> Self {
        ProjectErrorKind::InvalidValue { key: key.into(), value: value.to_string(), hint: hint.into() }
    }

    /// An [`ProjectErrorKind::Invalid`].
    pub(crate) fn invalid(place: impl Into<String>, message: impl Into<String>) -> Self {
        ProjectErrorKind::Invalid { place: place.into(), message: message.into() }
    }

    /// The error of `toml` parsing `text`, with its line and column.
    pub(crate) fn toml(error: &toml::de::Error, text: &str) -> Self {
        let (line, column) = match error.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        let mut message = error.to_string();
        let line_text = line.and_then(|l| text.lines().nth(l - 1)).unwrap_or("");
        if line_text.contains('\\') && line_text.contains('"') {
            message.push_str(
                "\nIn a TOML text between double quotes a backslash starts an escape (\\n, \\t …), so a Windows \
                 path like \"D:\\普查\\sites.csv\" cannot be written that way: put it between single quotes \
                 ('D:\\普查\\sites.csv'), or use forward slashes (\"D:/普查/sites.csv\")",
            );
        }
        // serde's wording for a key that no field takes: "unknown field `key`, expected …".
        let unknown = error.message().strip_prefix("unknown field `").and_then(|rest| rest.split_once('`'));
        match unknown {
            Some((key, _)) => ProjectErrorKind::UnknownKey { key: key.to_string(), line, column, message },
            None => ProjectErrorKind::Syntax { line, column, message },
        }
    }
}

/// Result of the project file's section parsers: the file is added by [`super::Config::parse`].
pub(crate) type Parsed<T> = Result<T, ProjectErrorKind>;
