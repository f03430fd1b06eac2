//! Terminal progress and messages: bars on a terminal, nothing when piped or `--quiet`.
#![allow(clippy::print_stderr, reason = "progress, warnings and errors are this module's output, on standard error")]

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sisetu_i18n::{tr, Lang};
use std::io::IsTerminal;

/// Where progress and warnings go.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The bar of the file being read.
    bar: std::sync::Arc<std::sync::Mutex<Option<ProgressBar>>>,
    bars: bool,
    quiet: bool,
    /// The language of the `warning`/`error` prefixes.
    lang: Lang,
    /// `SISETU_PROFILE=1`: print each stage's wall time (and the peak memory so far) to stderr.
    profile: Option<std::sync::Arc<std::sync::Mutex<(std::time::Instant, String)>>>,
}

fn profile_from_env() -> Option<std::sync::Arc<std::sync::Mutex<(std::time::Instant, String)>>> {
    std::env::var_os("SISETU_PROFILE")
        .filter(|v| v != "0")
        .map(|_| std::sync::Arc::new(std::sync::Mutex::new((std::time::Instant::now(), "start".to_string()))))
}

/// The process's peak resident memory so far (`VmHWM`, Linux only), for `SISETU_PROFILE`.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

impl Progress {
    /// Bars only when stderr is a terminal and not quiet; warnings unless quiet.
    pub fn new(quiet: bool, lang: Lang) -> Self {
        Progress {
            lang,
            bar: Default::default(),
            bars: !quiet && std::io::stderr().is_terminal(),
            quiet,
            profile: profile_from_env(),
        }
    }

    /// A byte-counting bar (hidden when bars are off).
    pub fn bytes(&self, msg: &str, total: u64) -> ProgressBar {
        if !self.bars {
            return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        }
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        pb.set_message(crate::terminal::safe(msg));
        pb
    }

    /// Announces a stage (only on a terminal).
    pub fn stage(&self, msg: &str) {
        if let Some(p) = &self.profile {
            if let Ok(mut g) = p.lock() {
                let peak = peak_memory_mb().map(|mb| format!("  (peak {mb} MB)")).unwrap_or_default();
                eprintln!("[profile] {:<28} {:>8.1} ms{peak}", g.1, g.0.elapsed().as_secs_f64() * 1e3);
                *g = (std::time::Instant::now(), crate::terminal::safe(msg));
            }
        }
        if self.bars {
            eprintln!("· {}", crate::terminal::safe(msg));
        }
    }

    /// A warning (always, unless quiet).
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}{}", tr!(self.lang, "term.warning"), crate::terminal::safe(msg));
        }
    }

    /// An error (always, even when quiet).
    pub fn error(&self, msg: &str) {
        eprintln!("{}{}", tr!(self.lang, "term.error"), crate::terminal::safe(msg));
    }

    /// A line after an error (always).
    pub fn error_note(&self, msg: &str) {
        eprintln!("{}", crate::terminal::safe(msg));
    }

    /// An informational line (unless quiet).
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}", crate::terminal::safe(msg));
        }
    }
}

impl sisetu_engine::observer::Observer for Progress {
    fn stage(&self, name: &str) {
        Progress::stage(self, name);
    }

    fn warn(&self, message: &str) {
        Progress::warn(self, message);
    }

    fn file_started(&self, label: &str, total: u64) {
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(self.bytes(label, total));
        }
    }

    fn file_progress(&self, n: u64) {
        if let Ok(b) = self.bar.lock() {
            if let Some(b) = b.as_ref() {
                b.inc(n);
            }
        }
    }

    fn file_finished(&self) {
        if let Ok(mut b) = self.bar.lock() {
            if let Some(b) = b.take() {
                b.finish_and_clear();
            }
        }
    }
}
