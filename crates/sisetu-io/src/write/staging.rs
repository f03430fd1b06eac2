//! [`Staging`], the commit journal and the recovery of an interrupted commit. The protocol
//! (states, invariants, why each step is safe) is described in the module docs of
//! [`crate::write`].

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Names of the staging folders start with this: `OUT/.sisetu-staging-<pid>` (or
/// `…-<pid>-<n>` when that name is taken).
pub const STAGING_PREFIX: &str = ".sisetu-staging-";
/// The commit journal, `OUT/.sisetu-commit`: while it exists, the new outputs are being
/// moved into place and the next run in the folder finishes the move.
pub const JOURNAL: &str = ".sisetu-commit";
/// Test hook: `SISETU_TEST_PAUSE_COMMIT=N` makes a commit print
/// `sisetu test hook: paused after commit step N of M` to stderr and sleep (two minutes)
/// after its step N, so that a test can kill the process there. Inert when not set.
pub const PAUSE_ENV: &str = "SISETU_TEST_PAUSE_COMMIT";

/// The lock file inside a staging folder, locked by its owner for the folder's life.
const LOCK: &str = ".lock";
/// Where the old outputs are moved aside during a commit (inside the staging folder).
const PREVIOUS: &str = ".previous";
/// The journal while it is being written (inside the staging folder).
const JOURNAL_TMP: &str = ".journal";

fn werr(path: &Path, cause: std::io::Error) -> Error {
    Error::Write { path: path.display().to_string(), cause }
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

// ── This process's staging folders, for a signal handler ─────────────────────────────────

struct Active {
    stage: PathBuf,
    out: PathBuf,
    created_out: bool,
}

struct Registry {
    active: Vec<Active>,
    abandoned: bool,
}

/// Every staging folder of this process that is not committed yet. A commit holds the
/// lock from its first step to its last, so [`abandon_all`] waits for it.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry { active: Vec::new(), abandoned: false });

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

fn interrupted(out: &Path) -> Error {
    Error::Format { path: out.display().to_string(), msg: "interrupted: no outputs were changed".into() }
}

/// For a signal handler that is about to end the process (Ctrl-C, `kill`): waits until a
/// commit in progress has finished, then removes every staging folder of this process that
/// was not committed (and an output folder that this run created and left empty), and
/// makes every later [`Staging::new`] and [`Staging::commit`] fail. The output folders then
/// hold their last complete set of outputs and no staging folder. Returns how many staging
/// folders were removed.
pub fn abandon_all() -> usize {
    let mut reg = registry();
    reg.abandoned = true;
    let active = std::mem::take(&mut reg.active);
    for a in &active {
        let _ = remove_tree(&a.stage);
        if a.created_out {
            let _ = fs::remove_dir(&a.out);
        }
    }
    active.len()
}

/// `remove_dir_all`, retried a few times (another thread of this process may still be
/// creating files in the folder when a signal handler removes it).
fn remove_tree(p: &Path) -> std::io::Result<()> {
    let mut last = None;
    for _ in 0..5 {
        match fs::remove_dir_all(p) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("cannot remove the folder")))
}

// ── Claiming a folder: a locked staging folder, and the liveness of the others ──────────

/// A staging folder of this process, with its lock file held.
struct Claim {
    out: PathBuf,
    stage: PathBuf,
    /// Held (locked) for the claim's life; the OS releases it when the process dies.
    lock: Option<File>,
    /// Left in place on drop (a journal names it: the next run needs its files).
    keep: bool,
}

impl Claim {
    /// Creates and locks a new staging folder in `out` (which exists).
    fn new(out: &Path, created_out: bool) -> Result<Claim> {
        let pid = std::process::id();
        let mut reg = registry();
        if reg.abandoned {
            return Err(interrupted(out));
        }
        for n in 1..=1000u32 {
            let name = if n == 1 { format!("{STAGING_PREFIX}{pid}") } else { format!("{STAGING_PREFIX}{pid}-{n}") };
            let stage = out.join(name);
            match fs::create_dir(&stage) {
                Ok(()) => {}
                // A folder of a dead process with the same pid, or another staging of this one.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(werr(&stage, e)),
            }
            let lock_path = stage.join(LOCK);
            let lock = match File::options().read(true).write(true).create_new(true).open(&lock_path) {
                Ok(f) => f,
                // Another run removed the folder while it was still empty: take another name.
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => {
                    let _ = fs::remove_dir_all(&stage);
                    return Err(werr(&lock_path, e));
                }
            };
            if let Err(e) = lock.try_lock() {
                let _ = fs::remove_dir_all(&stage);
                return Err(werr(&lock_path, std::io::Error::other(format!("cannot lock the file: {e}"))));
            }
            reg.active.push(Active { stage: stage.clone(), out: out.to_path_buf(), created_out });
            return Ok(Claim { out: out.to_path_buf(), stage, lock: Some(lock), keep: false });
        }
        Err(werr(out, std::io::Error::other("cannot create a staging folder: too many staging folders in it")))
    }

    /// Removes this claim from the registry (it is committed, or it must stay for recovery).
    fn unregister(&self) {
        registry().active.retain(|a| a.stage != self.stage);
    }

    /// Ends the claim: unlocks, and removes the staging folder unless it must stay. Runs
    /// once (later calls do nothing).
    fn release(&mut self) {
        // Closed before the folder is removed: Windows removes a folder only when no file
        // in it is open.
        let Some(lock) = self.lock.take() else { return };
        self.unregister();
        drop(lock);
        if !self.keep {
            let _ = remove_tree(&self.stage);
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.release();
    }
}

/// The other staging folders of a folder, as [`scan`] finds them.
struct Others {
    /// Folders of dead processes (their lock could be taken), or of an older sisetu.
    stale: Vec<PathBuf>,
    /// The process id of a live owner, when there is one.
    live: Option<String>,
}

/// Looks at every staging folder of `out` but `own`: a folder whose lock file can be locked
/// belongs to a dead process (the OS releases a lock when its process dies, whatever its
/// pid is now used for).
fn scan(out: &Path, own: &Path) -> Result<Others> {
    let mut others = Others { stale: Vec::new(), live: None };
    for entry in fs::read_dir(out).map_err(|e| werr(out, e))? {
        let entry = entry.map_err(|e| werr(out, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !name.starts_with(STAGING_PREFIX) || path == own || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        match File::options().read(true).write(true).open(path.join(LOCK)) {
            Ok(f) => match f.try_lock() {
                Ok(()) => others.stale.push(path),
                Err(fs::TryLockError::WouldBlock) => {
                    let pid = name[STAGING_PREFIX.len()..].split('-').next().unwrap_or("").to_string();
                    others.live = Some(pid);
                }
                Err(fs::TryLockError::Error(e)) => return Err(werr(&path.join(LOCK), e)),
            },
            Err(e) if e.kind() == ErrorKind::NotFound => {
                // No lock file: a folder being created this instant (empty; left alone
                // unless it is still empty, then removed), or one of an older sisetu.
                let empty = fs::read_dir(&path).map(|mut d| d.next().is_none()).unwrap_or(false);
                if empty {
                    let _ = fs::remove_dir(&path);
                } else {
                    others.stale.push(path);
                }
            }
            Err(e) => return Err(werr(&path.join(LOCK), e)),
        }
    }
    Ok(others)
}

fn busy(out: &Path, pid: &str) -> Error {
    Error::Format {
        path: out.display().to_string(),
        msg: format!(
            "another sisetu build is writing this output folder (pid {pid}); wait for it to finish, \
             or write to another folder with --out"
        ),
    }
}

/// With a claim on `out`: fails if another live process writes there, else finishes an
/// interrupted commit and removes the staging folders of dead processes.
fn settle(claim: &Claim) -> Result<()> {
    let others = scan(&claim.out, &claim.stage)?;
    if let Some(pid) = &others.live {
        return Err(busy(&claim.out, pid));
    }
    if exists(&claim.out.join(JOURNAL)) {
        finish_interrupted(&claim.out)?;
    }
    for s in &others.stale {
        remove_tree(s).map_err(|e| {
            werr(
                s,
                std::io::Error::other(format!(
                    "cannot remove this staging folder of an earlier run ({e}); remove it by hand"
                )),
            )
        })?;
    }
    Ok(())
}

/// Finishes a commit another process left (its journal exists in `out`): rolls it forward,
/// or back to the old outputs when a file cannot be moved; then deletes the journal.
fn finish_interrupted(out: &Path) -> Result<()> {
    let journal = Journal::read(out)?;
    let stage = out.join(&journal.stage);
    let mut pause = Pause::off();
    if let Err(forward) = roll_forward(out, &stage, &journal, &mut pause) {
        roll_back(out, &stage, &journal).map_err(|back| stuck(out, &forward, &back))?;
    }
    sync_dir(out);
    let j = out.join(JOURNAL);
    fs::remove_file(&j).map_err(|e| werr(&j, e))?;
    sync_dir(out);
    Ok(())
}

fn stuck(out: &Path, forward: &Error, back: &Error) -> Error {
    Error::Format {
        path: out.display().to_string(),
        msg: format!(
            "an interrupted commit can be neither finished ({forward}) nor undone ({back}); \
             fix the cause (a file open in another program, a folder in the way) and run sisetu again: \
             it finishes the commit recorded in {JOURNAL}"
        ),
    }
}

/// Finishes an interrupted commit in the output folder `out` before the folder is read:
/// when a killed run left a journal there, claims the folder, rolls the commit forward
/// (or back) and removes the staging folders of dead processes. Does nothing, and writes
/// nothing, when the folder holds no journal (stale staging folders are left to the next
/// run that writes the folder). A journal of a live process: the error says which
/// process is writing the folder.
pub fn recover(out: &Path) -> Result<()> {
    if !has_journal(out) {
        return Ok(());
    }
    let claim = Claim::new(out, false)?;
    settle(&claim)
}

/// Whether a commit journal is in `out`: a commit is in progress there, or was interrupted.
pub fn has_journal(out: &Path) -> bool {
    exists(&out.join(JOURNAL))
}

// ── The journal ───────────────────────────────────────────────────────────────────────────

/// `OUT/.sisetu-commit`: what a commit moves.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// Format version.
    sisetu_commit: u32,
    /// The staging folder's name (inside the output folder).
    stage: String,
    /// The new outputs: `stage/name` → `out/name`.
    files: Vec<String>,
    /// Outputs of an earlier run to remove: `out/name` → `stage/.previous/name`.
    retire: Vec<String>,
}

/// A plain file name: no folder, not hidden.
fn plain(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.') && name != ".."
}

impl Journal {
    fn read(out: &Path) -> Result<Journal> {
        let path = out.join(JOURNAL);
        let bytes = fs::read(&path).map_err(|cause| Error::Read { path: path.display().to_string(), cause })?;
        let bad = |msg: String| Error::Format {
            path: path.display().to_string(),
            msg: format!(
                "{msg}: not a sisetu commit journal; remove it and the {STAGING_PREFIX}* folders, then build again"
            ),
        };
        let j: Journal = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        let stage_ok = j.stage.starts_with(STAGING_PREFIX) && !j.stage.contains(['/', '\\']);
        if j.sisetu_commit != 1 || !stage_ok || !j.files.iter().chain(&j.retire).all(|n| plain(n)) {
            return Err(bad("unexpected content".into()));
        }
        Ok(j)
    }

    /// Writes the journal atomically and durably: a temporary file in the staging folder,
    /// fsync, rename into `out`, fsync of `out`.
    fn write(&self, out: &Path, stage: &Path) -> Result<()> {
        let tmp = stage.join(JOURNAL_TMP);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| werr(&tmp, std::io::Error::other(e)))?;
        let mut f = File::create(&tmp).map_err(|e| werr(&tmp, e))?;
        f.write_all(&bytes).and_then(|()| f.sync_all()).map_err(|e| werr(&tmp, e))?;
        drop(f);
        let path = out.join(JOURNAL);
        fs::rename(&tmp, &path).map_err(|e| werr(&path, e))?;
        sync_dir(out);
        Ok(())
    }
}

/// Makes the entries of a folder durable (Unix; on Windows a rename is durable when the
/// call returns on NTFS's journal).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

// ── The moves: forward and back, both idempotent ─────────────────────────────────────────

/// Moves the new outputs in. For each new file: if it is still in the staging folder, the
/// old one (if any) goes aside into `.previous`, then the new one into place; a file
/// already moved in (no longer in the staging folder) is left alone. Then the retired
/// outputs go aside. Running it again after an interruption at any point finishes it.
fn roll_forward(out: &Path, stage: &Path, j: &Journal, pause: &mut Pause) -> Result<()> {
    let previous = stage.join(PREVIOUS);
    let aside = || fs::create_dir_all(&previous).map_err(|e| werr(&previous, e));
    for name in &j.files {
        let (new, target) = (stage.join(name), out.join(name));
        if !exists(&new) {
            continue;
        }
        if target.is_dir() {
            return Err(werr(&target, folder_in_the_way()));
        }
        if exists(&target) {
            aside()?;
            fs::rename(&target, previous.join(name)).map_err(|e| werr(&target, e))?;
            pause.step();
        }
        fs::rename(&new, &target).map_err(|e| werr(&target, e))?;
        pause.step();
    }
    for name in &j.retire {
        let target = out.join(name);
        if target.is_file() {
            aside()?;
            fs::rename(&target, previous.join(name)).map_err(|e| werr(&target, e))?;
            pause.step();
        }
    }
    Ok(())
}

/// Puts the old outputs back: every new file that was moved in goes back into the staging
/// folder, every old one back from `.previous`. Idempotent like [`roll_forward`].
fn roll_back(out: &Path, stage: &Path, j: &Journal) -> Result<()> {
    let previous = stage.join(PREVIOUS);
    for name in &j.files {
        let (new, target, old) = (stage.join(name), out.join(name), previous.join(name));
        if !exists(&new) && target.is_file() {
            fs::rename(&target, &new).map_err(|e| werr(&target, e))?;
        }
        if exists(&old) {
            fs::rename(&old, &target).map_err(|e| werr(&target, e))?;
        }
    }
    for name in &j.retire {
        let (target, old) = (out.join(name), previous.join(name));
        if exists(&old) {
            fs::rename(&old, &target).map_err(|e| werr(&target, e))?;
        }
    }
    sync_dir(out);
    Ok(())
}

fn folder_in_the_way() -> std::io::Error {
    std::io::Error::other("a folder is in the way of this output file; move it elsewhere")
}

/// The test hook of [`PAUSE_ENV`].
struct Pause {
    at: Option<u64>,
    step: u64,
    total: u64,
}

impl Pause {
    fn off() -> Pause {
        Pause { at: None, step: 0, total: 0 }
    }

    fn from_env(total: u64) -> Pause {
        let at = std::env::var(PAUSE_ENV).ok().and_then(|v| v.trim().parse().ok());
        Pause { at, step: 0, total }
    }

    /// One step of the commit is done.
    fn step(&mut self) {
        self.step += 1;
        if self.at == Some(self.step) {
            // A test hook, inert unless SISETU_TEST_PAUSE_COMMIT is set: the test waits for
            // this line, then kills the process.
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "sisetu test hook: paused after commit step {} of {}", self.step, self.total);
            let _ = err.flush();
            drop(err);
            std::thread::sleep(std::time::Duration::from_secs(120));
        }
    }
}

// ── Staging ───────────────────────────────────────────────────────────────────────────────

/// A staging folder for one run's outputs; see the module docs of [`crate::write`].
pub struct Staging {
    claim: Claim,
    files: Vec<String>,
    retired: Vec<String>,
    committed: bool,
    /// Whether `new` created the output folder (removed again if nothing is committed).
    created_out: bool,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging").field("out", &self.claim.out).field("stage", &self.claim.stage).finish()
    }
}

impl Staging {
    /// Creates `out` (if needed) and a locked staging folder inside it; first finishes a
    /// commit that an earlier run left unfinished and removes the staging folders of dead
    /// processes. Fails when another live sisetu process is writing the folder.
    pub fn new(out: &Path) -> Result<Self> {
        let created_out = !out.exists();
        fs::create_dir_all(out).map_err(|e| werr(out, e))?;
        let claim = match Claim::new(out, created_out) {
            Ok(c) => c,
            Err(e) => {
                if created_out {
                    let _ = fs::remove_dir(out);
                }
                return Err(e);
            }
        };
        let staging = Staging { claim, files: Vec::new(), retired: Vec::new(), committed: false, created_out };
        settle(&staging.claim)?;
        Ok(staging)
    }

    /// Where to write output `name` now; it is moved to `out/name` by [`Staging::commit`].
    pub fn path(&mut self, name: &str) -> PathBuf {
        if !self.files.iter().any(|f| f == name) {
            self.files.push(name.to_string());
        }
        self.claim.stage.join(name)
    }

    /// Marks an output of earlier runs that this run does not produce (e.g. `grids.geojson`
    /// after the grid layer was removed from the project): it is removed on commit, so the
    /// folder never mixes outputs of two runs.
    pub fn retire(&mut self, name: &str) {
        if !self.retired.iter().any(|f| f == name) {
            self.retired.push(name.to_string());
        }
    }

    /// The final folder.
    pub fn out_dir(&self) -> &Path {
        &self.claim.out
    }

    /// Moves every staged file into place, as the module docs of [`crate::write`] describe:
    /// after the journal is durable the new set is committed, and a kill at any later
    /// instant is finished by the next run. If a file cannot be moved, everything is put
    /// back as it was and the error is returned, so the output folder is either all old or
    /// all new. Returns the paths of the new outputs.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let reg = registry();
        let (out, stage) = (self.claim.out.clone(), self.claim.stage.clone());
        if reg.abandoned {
            return Err(interrupted(&out));
        }
        let journal = self.prepare()?;
        let moves = journal.files.iter().map(|n| if exists(&out.join(n)) { 2 } else { 1 }).sum::<u64>()
            + journal.retire.len() as u64;
        let mut pause = Pause::from_env(moves + 2);
        journal.write(&out, &stage)?;
        pause.step();
        if let Err(err) = roll_forward(&out, &stage, &journal, &mut pause) {
            if let Err(back) = roll_back(&out, &stage, &journal) {
                // The journal stays, and the staging folder with it: the next run finishes.
                self.claim.keep = true;
                return Err(stuck(&out, &err, &back));
            }
            self.remove_journal()?;
            return Err(err);
        }
        sync_dir(&out);
        self.remove_journal()?;
        pause.step();
        self.committed = true;
        drop(reg);
        Ok(journal.files.iter().map(|n| out.join(n)).collect())
    }

    /// Deletes the journal (the folder holds a complete set). If that fails, the journal
    /// and the staging folder stay for the next run, which finishes from them.
    fn remove_journal(&mut self) -> Result<()> {
        let j = self.claim.out.join(JOURNAL);
        if let Err(e) = fs::remove_file(&j) {
            self.claim.keep = true;
            return Err(werr(&j, e));
        }
        sync_dir(&self.claim.out);
        Ok(())
    }

    /// Before the journal: checks that nothing is in the way and makes every staged file
    /// durable. Nothing in the output folder has changed yet.
    fn prepare(&self) -> Result<Journal> {
        let (out, stage) = (&self.claim.out, &self.claim.stage);
        let files: Vec<String> = self.files.iter().filter(|n| stage.join(n).is_file()).cloned().collect();
        let retire: Vec<String> =
            self.retired.iter().filter(|n| !files.contains(n) && out.join(n).is_file()).cloned().collect();
        for name in &files {
            let target = out.join(name);
            if target.is_dir() {
                return Err(werr(&target, folder_in_the_way()));
            }
        }
        // The files are flushed to disk in parallel (the device overlaps the writes); the
        // first failure in file order is the error, whatever the thread count.
        use rayon::prelude::*;
        let synced: Vec<Result<()>> = files
            .par_iter()
            .map(|name| {
                let staged = stage.join(name);
                File::options().write(true).open(&staged).and_then(|f| f.sync_data()).map_err(|e| werr(&staged, e))
            })
            .collect();
        synced.into_iter().collect::<Result<()>>()?;
        let previous = stage.join(PREVIOUS);
        fs::create_dir_all(&previous).map_err(|e| werr(&previous, e))?;
        sync_dir(stage);
        let name = stage.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Journal { sisetu_commit: 1, stage: name, files, retire })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // The staging folder goes (with the old outputs in `.previous/` after a commit),
        // unless a journal needs it.
        self.claim.release();
        // A failed first run leaves no empty output folder behind (remove_dir only removes
        // an empty folder).
        if !self.committed && self.created_out {
            let _ = fs::remove_dir(&self.claim.out);
        }
    }
}

#[cfg(test)]
#[path = "staging_tests.rs"]
mod tests;
