//! The engine's error type. Every message names the file (and the line where there is one)
//! and says how to fix the input; the binary prints it as it is and exits with code 2.

use std::fmt::Display;

/// Why a build, check, render or diff could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A reader or writer of `sisetu-io` failed.
    #[error(transparent)]
    Io(#[from] sisetu_io::Error),
    /// A columnar output (GeoParquet, FlatGeobuf) or a Parquet output read back failed.
    #[error(transparent)]
    Columnar(#[from] sisetu_io::columnar::ColumnarError),
    /// A coordinate transformation cannot be set up.
    #[error(transparent)]
    Crs(#[from] sisetu_io::crs::CrsError),
    /// A map cannot be drawn (font, page size …).
    #[error(transparent)]
    Render(#[from] sisetu_render::RenderError),
    /// The operating system refused a read or write (the context names the file).
    #[error(transparent)]
    Os(#[from] std::io::Error),
    /// The project file cannot be read or used.
    #[error(transparent)]
    Project(#[from] crate::project::ProjectError),
    /// An input cannot be used as it is; the message names it and says how to fix it.
    #[error("{0}")]
    Input(String),
    /// An output cannot be written or would clash with another file.
    #[error("{0}")]
    Output(String),
    /// An invariant of sisetu does not hold: a bug to report.
    #[error("internal error: {0}; please report it")]
    Internal(String),
    /// Another error, with what sisetu was doing when it happened.
    /// (The cause is part of the message, not a `source()`, so that it is printed once.)
    #[error("{context}: {cause}")]
    Context {
        /// What sisetu was doing (`comparing with the previous round in out_2024` …).
        context: String,
        /// The error.
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Result alias of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An input error with its message (name the file, the line and the fix).
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input(message.into())
    }

    /// An output error with its message.
    pub fn output(message: impl Into<String>) -> Self {
        Error::Output(message.into())
    }

    /// A broken invariant.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }
}

/// Adds what sisetu was doing to an error, as `anyhow::Context` does.
pub trait ResultExt<T> {
    /// Wraps the error with `context`.
    fn context(self, context: impl Display) -> Result<T>;
    /// Wraps the error with the context `f` makes (only on error).
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> ResultExt<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.map_err(|e| Error::Context { context: context.to_string(), cause: Box::new(e) })
    }

    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| Error::Context { context: f().to_string(), cause: Box::new(e) })
    }
}

/// Returns early with an [`Error::Input`] made from a format string.
#[macro_export]
macro_rules! input_error {
    ($($arg:tt)*) => {
        return Err($crate::error::Error::Input(format!($($arg)*)))
    };
}
