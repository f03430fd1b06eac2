//! What a run tells the person waiting for it: stages, warnings and bytes read. The engine
//! prints nothing itself; the binary implements [`Observer`] with progress bars, tests and
//! benches use [`Silent`].

/// Receives progress and warnings while the pipeline runs.
///
/// Every method has an empty default, so an implementation picks what it shows.
/// Implementations must be `Sync`: readers report bytes from worker threads.
pub trait Observer: Sync {
    /// A stage begins (`"reading sites"`, `"assigning sites"` …).
    fn stage(&self, _name: &str) {}
    /// A warning the user should read (an invalid polygon kept, a file without rows …).
    fn warn(&self, _message: &str) {}
    /// Reading `label` begins; it has `total` bytes.
    fn file_started(&self, _label: &str, _total: u64) {}
    /// `n` more bytes of the current file were read.
    fn file_progress(&self, _n: u64) {}
    /// The current file is read.
    fn file_finished(&self) {}
}

/// Shows nothing (library use, tests, benches).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}
