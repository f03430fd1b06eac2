//! Terminal progress and messages: bars on a terminal, nothing when piped or `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Where progress and warnings go.
#[derive(Debug, Clone)]
pub struct Progress {
    bars: bool,
    quiet: bool,
    /// `SISETU_PROFILE=1`: print each stage's wall time to stderr.
    profile: Option<std::sync::Arc<std::sync::Mutex<(std::time::Instant, String)>>>,
}

fn profile_from_env() -> Option<std::sync::Arc<std::sync::Mutex<(std::time::Instant, String)>>> {
    std::env::var_os("SISETU_PROFILE")
        .filter(|v| v != "0")
        .map(|_| std::sync::Arc::new(std::sync::Mutex::new((std::time::Instant::now(), "start".to_string()))))
}

impl Progress {
    /// Bars only when stderr is a terminal and not quiet; warnings unless quiet.
    pub fn new(quiet: bool) -> Self {
        Progress { bars: !quiet && std::io::stderr().is_terminal(), quiet, profile: profile_from_env() }
    }

    /// No output at all (library use, benches).
    pub fn silent() -> Self {
        Progress { bars: false, quiet: true, profile: None }
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
        pb.set_message(msg.to_string());
        pb
    }

    /// Announces a stage (only on a terminal).
    pub fn stage(&self, msg: &str) {
        if let Some(p) = &self.profile {
            if let Ok(mut g) = p.lock() {
                eprintln!("[profile] {:<28} {:>8.1} ms", g.1, g.0.elapsed().as_secs_f64() * 1e3);
                *g = (std::time::Instant::now(), msg.to_string());
            }
        }
        if self.bars {
            eprintln!("· {msg}");
        }
    }

    /// A warning (always, unless quiet).
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("warning: {msg}");
        }
    }

    /// An informational line (unless quiet).
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}
