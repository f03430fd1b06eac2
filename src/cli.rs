//! Flags → a validated [`Command`]. Nothing here runs anything.

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};
use sisetu_core::Extent;
use sisetu_engine::analysis::changes::DiffOptions;
use sisetu_engine::pipeline::stream::StreamMode;
use sisetu_i18n::{tr, Lang};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "sisetu", version, about = "四色图: safety-risk census maps and tables", long_about = None)]
#[command(disable_help_flag = true, disable_version_flag = true, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Flags,
    /// Language of messages, tables and headers: zh (中文, the default) or en; also SISETU_LANG.
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    /// Print help.
    #[arg(short = 'h', long, action = ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Print the version.
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand, Debug)]
enum Flags {
    /// Read the census tables and boundaries in a folder, guess columns, encoding and CRS, and
    /// write a commented sisetu.toml.
    Init {
        /// The folder (default: the current one).
        dir: Option<PathBuf>,
        /// Replace an existing sisetu.toml.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
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
    /// `sisetu init`.
    Init {
        /// The folder.
        dir: PathBuf,
        /// `--force`.
        force: bool,
    },
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
    /// `--lang`, else `SISETU_LANG`, else Chinese.
    pub lang: Lang,
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

/// The language asked for before the flags are parsed (the help text depends on it):
/// `--lang X` or `--lang=X` anywhere on the line, else `SISETU_LANG`, else Chinese. An unknown
/// tag is an error, in both languages.
pub fn language(args: &[OsString]) -> Result<Lang, String> {
    let mut asked: Option<(String, &str)> = None;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            asked = it.next().map(|v| (v.into_owned(), "--lang"));
        } else if let Some(v) = a.strip_prefix("--lang=") {
            asked = Some((v.to_string(), "--lang"));
        }
    }
    if asked.is_none() {
        asked = std::env::var("SISETU_LANG").ok().filter(|v| !v.trim().is_empty()).map(|v| (v, "SISETU_LANG"));
    }
    match asked {
        None => Ok(Lang::default()),
        Some((tag, from)) => Lang::parse(&tag)
            .ok_or_else(|| format!("{from} {tag:?}: 请用 zh（中文）或 en（英文） / use zh (Chinese) or en (English)")),
    }
}

/// The flags with their help in `lang`: every text from the catalogue's `cli.*` keys
/// (`cli.<subcommand>.<flag>`), and clap's own headings replaced.
fn localized(lang: Lang) -> clap::Command {
    let cmd = Cli::command();
    localize(cmd, lang, "cli")
}

fn localize(mut cmd: clap::Command, lang: Lang, prefix: &str) -> clap::Command {
    let text = |key: &str| sisetu_i18n::try_text(lang, key);
    if let Some(about) = text(&format!("{prefix}.about")) {
        cmd = cmd.about(about);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        let help = text(&format!("{prefix}.{id}")).or_else(|| text(&format!("cli.{id}")));
        let heading = tr!(lang, "cli.heading.options");
        let args_heading = tr!(lang, "cli.heading.arguments");
        cmd = cmd.mut_arg(id.as_str(), |a| {
            let a = if let Some(h) = help { a.help(h) } else { a };
            // clap writes "[default: …] [possible values: …]" in English: the Chinese help
            // names them itself.
            let a = if lang == Lang::En { a } else { a.hide_default_value(true).hide_possible_values(true) };
            let positional = a.is_positional();
            a.help_heading(if positional { args_heading } else { heading })
        });
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in subs {
        let sub_prefix = format!("cli.{name}");
        cmd = cmd.mut_subcommand(name.as_str(), |c| localize(c, lang, &sub_prefix));
    }
    cmd.subcommand_help_heading(tr!(lang, "cli.heading.commands"))
        .subcommand_value_name(tr!(lang, "cli.heading.command_value"))
        .help_template(tr!(lang, "cli.template"))
}

/// Parses and validates the process's arguments.
pub fn parse() -> Result<Invocation, CliError> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let lang = language(&args).map_err(CliError::Invalid)?;
    let matches = localized(lang).try_get_matches_from(&args).map_err(CliError::Clap)?;
    let cli = Cli::from_arg_matches(&matches).map_err(CliError::Clap)?;
    let (command, threads, quiet) = match cli.command {
        Flags::Init { dir, force, quiet } => {
            (Command::Init { dir: dir.unwrap_or_else(|| PathBuf::from(".")), force }, None, quiet)
        }
        Flags::Build { project, out, strict, stream, threads, quiet } => {
            (Command::Build { project, out, strict, stream: stream.mode() }, threads, quiet)
        }
        Flags::Check { project, stream, threads, quiet } => {
            (Command::Check { project, stream: stream.mode() }, threads, quiet)
        }
        Flags::Diff { old, new, out, move_m, zoom, project, threads, quiet } => {
            if !(move_m.is_finite() && move_m >= 0.0) {
                return Err(CliError::Invalid(tr!(lang, "cli.bad_move_m", value = move_m)));
            }
            let opts = DiffOptions { move_threshold_m: move_m, zoom, ..DiffOptions::default() };
            (Command::Diff { old, new, out, opts, project }, threads, quiet)
        }
        Flags::Render { project, out, threads, quiet } => (Command::Render { project, out }, threads, quiet),
    };
    if let Some(n) = threads {
        if !(1..=MAX_THREADS).contains(&n) {
            return Err(CliError::Invalid(tr!(lang, "cli.bad_threads", n = n, max = MAX_THREADS)));
        }
    }
    Ok(Invocation { lang, command, threads, quiet })
}
