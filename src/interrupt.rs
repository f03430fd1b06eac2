//! Ctrl-C, `kill` and console close leave no half-written outputs. On the first SIGINT,
//! SIGTERM or SIGHUP (Windows: Ctrl-C, Ctrl-Break, console close) the handler waits for a
//! commit in progress to finish, removes this run's unfinished staging folders
//! ([`sisetu_io::write::abandon_all`]) and ends the process with 128 + the signal's number:
//! **130** for SIGINT, **143** for SIGTERM, **129** for SIGHUP (Windows: 130 for every console
//! event). An interrupt cannot return through [`crate::main`], so this is the one exit-code
//! site besides it; both are listed in the crate docs.

#![allow(clippy::print_stderr, reason = "the interrupt note is the binary's output, on standard error")]

use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a signal arrived: the handler is cleaning up and will end the process.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Called by `main` before it reports how the command ended: while the handler cleans up
/// (the command may have failed *because* its staging folder was removed), the process
/// must end with the interrupt's exit code, not with an error of its own.
pub fn hold_if_stopping() {
    while STOPPING.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Installs the handler (a thread that waits for the signals, on Unix).
#[cfg(unix)]
pub fn install() -> Result<(), String> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("sisetu-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let name = match sig {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                stop(name, 128 + sig);
            }
        })
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Installs the handler (Ctrl-C, Ctrl-Break and console close).
#[cfg(windows)]
pub fn install() -> Result<(), String> {
    ctrlc::set_handler(|| stop("Ctrl-C", 130)).map_err(|e| e.to_string())
}

/// Installs nothing where there are no signals.
#[cfg(not(any(unix, windows)))]
pub fn install() -> Result<(), String> {
    Ok(())
}

/// Removes the unfinished outputs and ends the process. Later signals are caught (and
/// ignored) meanwhile, so a second Ctrl-C cannot cut the clean-up short.
#[cfg_attr(not(any(unix, windows)), allow(dead_code, reason = "no signals on this platform"))]
fn stop(name: &str, code: i32) -> ! {
    STOPPING.store(true, Ordering::SeqCst);
    let removed = sisetu_io::write::abandon_all();
    let what = if removed > 0 { "the unfinished outputs were removed; " } else { "" };
    eprintln!("interrupted ({name}): {what}the output folder holds the last complete set of outputs");
    std::process::exit(code)
}
