//! The `sisetu` command line. `main` parses flags, validates them into a config, runs,
//! and returns an exit code: 0 ok, 1 finished but rows were rejected under `--strict`,
//! 2 error.

use clap::{Parser, Subcommand};
mod progress;

use progress::Progress;
use sisetu_core::RiskLevel;
use sisetu_engine::analysis::changes::DiffOptions;
use sisetu_engine::pipeline::{self as build, BuildOptions};
use sisetu_engine::project::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "sisetu", version, about = "四色图: safety-risk census maps and tables", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read the census and boundaries, assign, summarise and write all outputs.
    Build {
        /// The project file (TOML).
        project: PathBuf,
        /// Output folder (default: the project's [project] output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit with code 1 when any input row was rejected.
        #[arg(long)]
        strict: bool,
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
        #[arg(long, value_parser = parse_extent, allow_hyphen_values = true)]
        zoom: Option<[f64; 4]>,
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
        /// The build's output folder (default: the project's [project] output).
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
const MAX_THREADS: usize = 1024;

fn set_threads(threads: Option<usize>) -> Result<(), ExitCode> {
    if let Some(n) = threads {
        if !(1..=MAX_THREADS).contains(&n) {
            eprintln!("error: --threads {n}: use 1 to {MAX_THREADS} (default: one per CPU core)");
            return Err(ExitCode::from(2));
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            eprintln!("error: cannot start {n} threads: {e}");
            return Err(ExitCode::from(2));
        }
    }
    Ok(())
}

/// `--zoom 87.5,43.74,87.72,43.93` → the four numbers, checked.
fn parse_extent(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> =
        s.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|e| format!("{e}"))?;
    match v.as_slice() {
        [a, b, c, d] if a < c && b < d && v.iter().all(|x| x.is_finite()) => Ok([*a, *b, *c, *d]),
        _ => Err("give MIN_LON,MIN_LAT,MAX_LON,MAX_LAT in degrees, e.g. 87.5,43.74,87.72,43.93".into()),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Render { project, out, threads, quiet } => {
            if let Err(code) = set_threads(threads) {
                return code;
            }
            let progress = Progress::new(quiet);
            match sisetu_engine::pipeline::commands::render(&project, out, &progress) {
                Ok(files) => {
                    let pngs: Vec<&String> = files.iter().filter(|f| f.ends_with(".png")).collect();
                    progress.info(&format!(
                        "rendered {} maps: {}",
                        pngs.len(),
                        pngs.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    eprintln!("no outputs were changed");
                    ExitCode::from(2)
                }
            }
        }
        Command::Diff { old, new, out, move_m, zoom, project, threads, quiet } => {
            if let Err(code) = set_threads(threads) {
                return code;
            }
            let progress = Progress::new(quiet);
            match sisetu_engine::pipeline::commands::diff(
                &old,
                &new,
                &out,
                DiffOptions { move_threshold_m: move_m, zoom },
                project.as_deref(),
                &progress,
            ) {
                Ok(lines) => {
                    for l in &lines {
                        progress.info(l);
                    }
                    progress.info(&format!("outputs in {}", out.display()));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    eprintln!("no outputs were changed");
                    ExitCode::from(2)
                }
            }
        }
        Command::Check { project, threads, quiet } => {
            if let Err(code) = set_threads(threads) {
                return code;
            }
            let progress = Progress::new(quiet);
            let run = Config::load(&project)
                .map_err(anyhow::Error::from)
                .and_then(|cfg| build::run(&cfg, &BuildOptions { out: None, check: true }, &progress));
            match run {
                Ok(outcome) => check_summary(&project, &outcome),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    eprintln!("check: 1 error; nothing was written");
                    ExitCode::from(2)
                }
            }
        }
        Command::Build { project, out, strict, threads, quiet } => {
            if let Err(code) = set_threads(threads) {
                return code;
            }
            let progress = Progress::new(quiet);
            let cfg = match Config::load(&project) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return ExitCode::from(2);
                }
            };
            match build::run(&cfg, &BuildOptions { out, check: false }, &progress) {
                Ok(outcome) => {
                    print_summary(&outcome, &progress);
                    if strict && outcome.report.rejected_rows() > 0 {
                        progress.info(&format!(
                            "--strict: {} rows were rejected (see rejects.csv); exit code 1",
                            outcome.report.rejected_rows()
                        ));
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    eprintln!("no outputs were changed");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Pads `s` to `width` terminal columns (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn print_summary(o: &build::BuildOutcome, p: &Progress) {
    if !o.report.sites.is_empty() {
        let t = &o.report.totals;
        p.info(&format!(
            "{}: {} rows read, {} accepted, {} rejected, {} outside every district; {} cells; working CRS {}",
            o.report.title, t.rows_read, t.accepted, t.rejected, t.unassigned, t.cells, o.report.working_crs
        ));
        p.info(&format!(
            "{:<10} {:<24} {:>7} {:>7} {:>7} {:>7} {:>8}  level",
            "id", "name", "red", "orange", "yellow", "blue", "total"
        ));
        for (id, name, s, level) in &o.district_rows {
            if id.is_empty() && s.levels.total() == 0 {
                continue;
            }
            let n = |l: RiskLevel| s.levels.get(l);
            p.info(&format!(
                "{} {} {:>7} {:>7} {:>7} {:>7} {:>8}  {}",
                pad(id, 10),
                pad(name, 24),
                n(RiskLevel::Red),
                n(RiskLevel::Orange),
                n(RiskLevel::Yellow),
                n(RiskLevel::Blue),
                s.levels.total(),
                level.map(|l| l.as_str()).unwrap_or("-")
            ));
        }
    }
    for f in &o.report.sites {
        if f.rejected > 0 || f.duplicate_ids > 0 {
            p.warn(&format!(
                "{}: {} rows rejected, {} duplicate ids (see rejects.csv and report.json)",
                f.file, f.rejected, f.duplicate_ids
            ));
        }
    }
    for line in o.grid_lines.iter().chain(&o.change_lines) {
        p.info(line);
    }
    for line in &o.coverage_lines {
        p.info(line);
    }
    if let Some(c) = &o.report.coverage {
        for f in c
            .population
            .inputs
            .iter()
            .chain(c.layers.iter().flat_map(|l| std::iter::once(&l.input).chain(&l.candidates)))
        {
            if f.rejected > 0 {
                p.warn(&format!("{}: {} rows rejected (see rejects.csv)", f.file, f.rejected));
            }
        }
    }
    p.info(&format!("outputs in {}", o.out_dir.display()));
}

/// `sisetu check`: the problems a build would report, then the exit code.
fn check_summary(project: &std::path::Path, o: &build::BuildOutcome) -> ExitCode {
    let r = &o.report;
    let mut problems: Vec<String> = Vec::new();
    let rejected = r.rejected_rows();
    if rejected > 0 {
        problems.push(format!("{rejected} rows would be rejected:"));
        for line in &o.reject_preview {
            problems.push(format!("    {line}"));
        }
        if rejected as usize > o.reject_preview.len() {
            problems.push(format!(
                "    … and {} more (a build lists them all in rejects.csv)",
                rejected as usize - o.reject_preview.len()
            ));
        }
    }
    let dups: u64 = r.sites.iter().map(|f| f.duplicate_ids).sum();
    if dups > 0 {
        problems.push(format!("{dups} sites reuse an id of an earlier row (kept, flagged duplicate_id)"));
    }
    if r.totals.unassigned > 0 {
        problems.push(format!("{} sites lie outside every district (kept as 未归属)", r.totals.unassigned));
    }
    for (what, layer) in
        std::iter::once(("district", &r.districts)).chain(r.management_grid.iter().map(|g| ("grid", g)))
    {
        for inv in &layer.invalid {
            problems.push(format!(
                "{}: {what} {} has an invalid polygon: {}",
                layer.file,
                inv.get("id").map(String::as_str).unwrap_or("?"),
                inv.get("problem").map(String::as_str).unwrap_or("?")
            ));
        }
    }
    for line in r.check_problems() {
        problems.push(line);
    }
    let n = problems.iter().filter(|p| !p.starts_with("    ")).count();
    println!("check {}: {n} problem{}", project.display(), if n == 1 { "" } else { "s" });
    for p in &problems {
        println!("  {p}");
    }
    if rejected > 0 {
        println!("exit code 1: rows would be rejected; nothing was written");
        ExitCode::from(1)
    } else {
        println!("nothing was written");
        ExitCode::SUCCESS
    }
}
