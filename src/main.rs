//! The `sisetu` command line: flags → a validated command ([`cli`]) → the engine → what the
//! person reads ([`terminal`]) → one exit code, decided in [`main`]:
//! 0 ok, 1 finished but rows were rejected (`--strict`) or problems found (`check`),
//! 2 error (nothing was written). The one exception is an interrupt ([`interrupt`]):
//! 130 for SIGINT (Ctrl-C), 143 for SIGTERM, 129 for SIGHUP, after removing the
//! unfinished outputs; the output folder keeps its last complete set of outputs.

mod cli;
mod interrupt;
mod progress;
mod terminal;

use cli::{CliError, Command, Invocation};
use progress::Progress;
use sisetu_engine::pipeline::{self, commands, BuildOptions};
use sisetu_engine::project::Config;
use sisetu_i18n::tr;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended.
enum Ended {
    /// Everything fine.
    Ok,
    /// Finished, but rows were rejected under `--strict`, or `check` found problems.
    Rejected,
}

fn run(inv: Invocation, progress: &Progress) -> anyhow::Result<Ended> {
    let lang = inv.lang;
    match inv.command {
        Command::Init { dir, force } => {
            let done = sisetu_engine::init::init(&dir, force, lang)?;
            terminal::print_init(&done, progress, lang);
            Ok(Ended::Ok)
        }
        Command::Build { project, out, strict, stream } => {
            let cfg = Config::load(&project)?.with_lang(lang);
            let outcome = pipeline::build(&cfg, &BuildOptions { out, stream }, progress)?;
            terminal::print_build(&outcome, progress, lang);
            let rejected = outcome.report.rejected_rows;
            if strict && rejected > 0 {
                progress.info(&tr!(lang, "term.strict", n = rejected));
                return Ok(Ended::Rejected);
            }
            if strict && outcome.violations > 0 {
                progress.info(&tr!(lang, "term.strict_violations", n = outcome.violations));
                return Ok(Ended::Rejected);
            }
            Ok(Ended::Ok)
        }
        Command::Check { project, stream } => {
            let cfg = Config::load(&project)?.with_lang(lang);
            let outcome = pipeline::check(&cfg, &BuildOptions { out: None, stream }, progress)?;
            let problems = terminal::check_problems(&outcome, lang);
            terminal::print_check(&project, &outcome, &problems, lang);
            Ok(if problems.is_empty() { Ended::Ok } else { Ended::Rejected })
        }
        Command::Diff { old, new, out, opts, project } => {
            let lines = commands::diff(&old, &new, &out, opts, project.as_deref(), lang, progress)?;
            for l in &lines {
                progress.info(&terminal::safe(l));
            }
            progress.info(&tr!(lang, "term.outputs_in", dir = out.display()));
            Ok(Ended::Ok)
        }
        Command::Render { project, out } => {
            let files = commands::render(&project, out, progress)?;
            let pngs: Vec<&str> = files.iter().map(String::as_str).filter(|f| f.ends_with(".png")).collect();
            progress.info(&tr!(lang, "term.rendered", n = pngs.len(), files = pngs.join(", ")));
            Ok(Ended::Ok)
        }
    }
}

fn main() -> ExitCode {
    let inv = match cli::parse() {
        Ok(inv) => inv,
        Err(CliError::Clap(e)) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
        Err(CliError::Invalid(msg)) => {
            let lang = cli::language(&std::env::args_os().collect::<Vec<_>>()).unwrap_or_default();
            Progress::new(false, lang).error(&msg);
            return ExitCode::from(2);
        }
    };
    let lang = inv.lang;
    let progress = Progress::new(inv.quiet, lang);
    if let Err(e) = interrupt::install() {
        progress.warn(&tr!(lang, "term.no_ctrl_c", error = e));
    }
    if let Some(n) = inv.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            progress.error(&tr!(lang, "term.threads_failed", n = n, error = e));
            return ExitCode::from(2);
        }
    }
    let is_check = matches!(inv.command, Command::Check { .. });
    let ended = run(inv, &progress);
    interrupt::hold_if_stopping();
    match ended {
        Ok(Ended::Ok) => ExitCode::SUCCESS,
        Ok(Ended::Rejected) => ExitCode::from(1),
        Err(e) => {
            progress.error(&terminal::error_text(&e, lang));
            progress.error_note(&tr!(lang, if is_check { "term.check_error" } else { "term.no_outputs_changed" }));
            ExitCode::from(2)
        }
    }
}
