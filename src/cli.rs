//! Flags → a validated [`Command`]. Nothing here runs anything.

use clap::{Parser, Subcommand};
use sisetu_core::Extent;
use sisetu_engine::analysis::changes::DiffOptions;
use sisetu_engine::pipeline::stream::StreamMode;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "sisetu", version, about = "四色图: safety-risk census maps and tables", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Flags,
}

#[derive(Subcommand, Debug)]
enum Flags {
    /// Read the census and boundaries, assign, summarise and write all outputs.
    Build {
        /// The project file (TOML).
        project: PathBuf,
        /// Output folder (default: the project's `[project] output`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit with code 1 when any input row was rejected.
        #[arg(long)]
        strict: bool,
        /// Stream the census (read the site files twice, a segment at a time, holding no
        /// site): `auto` above 512 MiB of site files when the project allows it, `always`, `never`.
        #[arg(long, value_enum, default_value_t = Stream::Auto)]
        stream: Stream,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Validate every input of a project as a build would, without writing any output:
    /// exit 0 when clean, 1 when rows would be rejected, 2 on errors.
    Check {
        /// The project file (TOML).
        project: PathBuf,
        /// Stream the census, as `build --stream`.
        #[arg(long, value_enum, default_value_t = Stream::Auto)]
        stream: Stream,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors and the problem summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compare the outputs of two census rounds: changes.csv, changes.geojson, changes.png.
    Diff {
        /// The previous round's output folder.
        old: PathBuf,
        /// The new round's output folder.
        new: PathBuf,
        /// Where to write the change outputs.
        #[arg(long)]
        out: PathBuf,
        /// Sites that moved more than this many metres are reported as moved.
        #[arg(long, default_value_t = 100.0)]
        move_m: f64,
        /// Also draw changes_zoom.png of this extent: MIN_LON,MIN_LAT,MAX_LON,MAX_LAT (WGS84 degrees).
        #[arg(long, allow_hyphen_values = true)]
        zoom: Option<Extent>,
        /// Take the map style (colours, page, font) from this project file.
        #[arg(long)]
        project: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Re-render the project's maps from the outputs of an earlier build, without recomputing.
    Render {
        /// The project file (TOML).
        project: PathBuf,
        /// The build's output folder (default: the project's `[project] output`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
}

/// More threads than this only costs memory and start-up time (each has its own stack).
pub const MAX_THREADS: usize = 1024;

/// What to run.
#[derive(Debug)]
pub enum Command {
    /// `sisetu build`.
    Build {
        /// The project file.
        project: PathBuf,
        /// `--out`.
        out: Option<PathBuf>,
        /// `--strict`.
        strict: bool,
        /// `--stream`.
        stream: StreamMode,
    },
    /// `sisetu check`.
    Check {
        /// The project file.
        project: PathBuf,
        /// `--stream`.
        stream: StreamMode,
    },
    /// `sisetu diff`.
    Diff {
        /// The previous round's outputs.
        old: PathBuf,
        /// The new round's outputs.
        new: PathBuf,
        /// Where the change files go.
        out: PathBuf,
        /// Thresholds and the zoomed map.
        opts: DiffOptions,
        /// The project whose map style to use.
        project: Option<PathBuf>,
    },
    /// `sisetu render`.
    Render {
        /// The project file.
        project: PathBuf,
        /// The build's output folder.
        out: Option<PathBuf>,
    },
}

/// `--stream`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Stream {
    Auto,
    Always,
    Never,
}

impl Stream {
    fn mode(self) -> StreamMode {
        match self {
            Stream::Auto => StreamMode::Auto,
            Stream::Always => StreamMode::Always,
            Stream::Never => StreamMode::Never,
        }
    }
}

/// A validated command line.
#[derive(Debug)]
pub struct Invocation {
    /// What to run.
    pub command: Command,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// `--quiet`.
    pub quiet: bool,
}

/// Why the command line cannot run.
pub enum CliError {
    /// `--help` or `--version` (printed by clap; exit 0) or a usage error (exit 2).
    Clap(clap::Error),
    /// A flag's value is out of range.
    Invalid(String),
}

/// Parses and validates the process's arguments.
pub fn parse() -> Result<Invocation, CliError> {
    let cli = Cli::try_parse().map_err(CliError::Clap)?;
    let (command, threads, quiet) = match cli.command {
        Flags::Build { project, out, strict, stream, threads, quiet } => {
            (Command::Build { project, out, strict, stream: stream.mode() }, threads, quiet)
        }
        Flags::Check { project, stream, threads, quiet } => {
            (Command::Check { project, stream: stream.mode() }, threads, quiet)
        }
        Flags::Diff { old, new, out, move_m, zoom, project, threads, quiet } => {
            if !(move_m.is_finite() && move_m >= 0.0) {
                return Err(CliError::Invalid(format!("--move-m {move_m}: give a distance in metres, 0 or more")));
            }
            let opts = DiffOptions { move_threshold_m: move_m, zoom };
            (Command::Diff { old, new, out, opts, project }, threads, quiet)
        }
        Flags::Render { project, out, threads, quiet } => (Command::Render { project, out }, threads, quiet),
    };
    if let Some(n) = threads {
        if !(1..=MAX_THREADS).contains(&n) {
            return Err(CliError::Invalid(format!(
                "--threads {n}: use 1 to {MAX_THREADS} (default: one per CPU core)"
            )));
        }
    }
    Ok(Invocation { command, threads, quiet })
}
