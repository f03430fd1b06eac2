//! Output writers: streaming GeoJSON (RFC 7946), CSV with a UTF-8 BOM, and atomic staging.
//!
//! * GeoJSON coordinates are written in WGS84 lon/lat rounded to 1e-7° (about 1 cm), the
//!   precision RFC 7946 recommends, so files stay small and byte-stable.
//! * CSV files start with a UTF-8 BOM so that Excel shows Chinese text as it is; cells that
//!   a spreadsheet would run as a formula are written as text ([`crate::formula`]).
//! * [`Staging`] writes every output of a run into a hidden folder first and moves them
//!   into place only when all were written, so a failed, interrupted or killed run leaves
//!   the previous outputs untouched, and a run killed while moving them leaves a journal
//!   from which the next run finishes the move.
//!
//! # The commit protocol
//!
//! Names, inside the output folder `OUT`:
//!
//! * `OUT/.sisetu-staging-<pid>[-<n>]/` — a run's staging folder. Its first entry is `.lock`,
//!   a lock file ([`std::fs::File::try_lock`]) its process holds for the folder's whole life;
//!   the OS releases the lock when the process ends, however it ends. The new outputs are
//!   written here, the old ones are moved aside into its `.previous/` during a commit.
//! * `OUT/.sisetu-commit` — the journal (JSON): the staging folder's name, the files to move
//!   in and the files to retire (outputs of an earlier run this run does not write).
//!
//! A run that writes `OUT` ([`Staging::new`]: `build`, `render`, `diff`) first *claims* the
//! folder: it creates and locks its own staging folder, then looks at every other one. A
//! folder whose lock is held belongs to a live process: the run stops with "another sisetu
//! build is writing OUT (pid N)" (it does not wait). A folder whose lock can be taken belongs
//! to a dead process, whatever its pid is used for now; a folder without a lock file is an
//! empty one being created this instant (left alone) or one of an older sisetu (stale).
//! Because every run locks its own folder *before* it looks, two runs can never both find
//! the folder free: the later one to look always sees the earlier one's lock. Then the run
//! recovers (below) and removes the stale staging folders. A reader of an output folder
//! ([`recover`], called by `Round::load`) does the same when it finds a journal, and
//! otherwise writes nothing; `sisetu check` refuses to read a folder with a journal, as it
//! writes nothing at all.
//!
//! [`Staging::commit`], step by step:
//!
//! 1. Every staged file is fsynced and nothing is in the way (a folder named like an
//!    output: the error is returned, nothing was moved). `OUT` is untouched so far.
//! 2. The journal is written to `.journal` in the staging folder, fsynced, renamed to
//!    `OUT/.sisetu-commit`, and `OUT` is fsynced. **This rename is the commit point**: before
//!    it no file in `OUT` has changed, after it the new set is decided and complete (every
//!    new file is either in the staging folder or already in `OUT`).
//! 3. For each new file still in the staging folder: the old file of that name (if any) is
//!    renamed into `.previous/`, then the new one into `OUT`. Then each retired file goes
//!    into `.previous/`.
//! 4. `OUT` is fsynced, the journal deleted, `OUT` fsynced again.
//! 5. The staging folder (with the old files in `.previous/`) is removed.
//!
//! The state on disk after a kill at any instant, and what the next run does:
//!
//! * Before step 2 (no journal): `OUT` holds the complete old set; the staging folder is
//!   stale and is removed. A half-written `.journal` inside it goes with it.
//! * Between steps 2 and 4 (the journal exists): recovery *rolls forward*: it runs step 3
//!   again. Step 3 is idempotent because the file system says how far it got, name by
//!   name: a new file still in the staging folder has not been moved in, so whatever is in
//!   `OUT` under its name is the old one (moved aside first); a new file no longer in the
//!   staging folder is already in place and is left alone; a retired file still in `OUT`
//!   is moved aside. Then steps 4 and 5. `OUT` then holds exactly the new set.
//! * After step 4 (no journal, the staging folder remains): `OUT` holds the complete new
//!   set; the staging folder is stale and is removed.
//!
//! When a rename of step 3 fails (a file open in another program on Windows, a folder in
//! the way), the commit *rolls back*: every new file already in `OUT` goes back into the
//! staging folder, every old one back from `.previous/`, and only then is the journal
//! deleted, so the folder holds the old set and the error is returned. The roll-back is
//! idempotent by the same reasoning; a kill during it leaves the journal, and the next run
//! rolls forward (or, failing again, back). Recovery itself rolls back in the same way when
//! it cannot roll forward. If even the roll-back fails, the journal and the staging folder
//! stay and the error says so; the next run tries again.
//!
//! Invariants: no file in `OUT` is renamed unless a durable journal exists; the journal is
//! deleted only when `OUT` holds a complete set (new after rolling forward, old after
//! rolling back); a staging folder named by a journal is removed only after that journal
//! is. So after recovery `OUT` holds exactly the complete new set, or the complete old one
//! when the kill came before the journal was durable, and no staging folder or journal.
//!
//! Interrupts: the binary's handler of SIGINT/SIGTERM (Ctrl-C, console close on Windows)
//! calls [`abandon_all`], which waits for a commit in progress to finish, then removes this
//! process's uncommitted staging folders before the process exits.
//!
//! Test hook: with `SISETU_TEST_PAUSE_COMMIT=N` in the environment ([`PAUSE_ENV`]), a
//! commit prints `sisetu test hook: paused after commit step N of M` to stderr after its
//! step N (1: the journal is durable; 2 to M-1: one rename each; M: the journal is
//! deleted) and sleeps for two minutes, so that `tests/kill.rs` can kill the process at
//! exactly that point. It is compiled in always and does nothing unless the variable is set.

use crate::error::{Error, Result};
use geo::{LineString, MultiPolygon};
use std::io::Write;
use std::path::{Path, PathBuf};

mod staging;
pub mod tables;
pub use staging::{abandon_all, has_journal, recover, Staging, JOURNAL, PAUSE_ENV, STAGING_PREFIX};

/// A property value of a feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A JSON string.
    Str(&'a str),
    /// A string, or null when empty.
    StrOrNull(&'a str),
    /// An integer.
    Int(i64),
    /// A number (non-finite values become null).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// null.
    Null,
}

/// Appends a coordinate value rounded to 1e-7.
#[inline]
pub fn push_coord(buf: &mut Vec<u8>, v: f64) {
    let scaled = (v * 1e7).round();
    if scaled.is_nan() || scaled.abs() >= 9e18 {
        // Not finite, or too large for fixed point: the shortest form (or null).
        if v.is_finite() {
            buf.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            buf.extend_from_slice(b"null");
        }
        return;
    }
    // Fixed point with 7 decimals, trailing zeros dropped: exact and cheap.
    let n = scaled as i64;
    if n < 0 {
        buf.push(b'-');
    }
    let m = n.unsigned_abs();
    let (int, mut frac) = (m / 10_000_000, m % 10_000_000);
    buf.extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
    if frac != 0 {
        let mut digits = [b'0'; 7];
        for d in digits.iter_mut().rev() {
            *d = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        let len = 7 - digits.iter().rev().take_while(|&&d| d == b'0').count();
        buf.push(b'.');
        buf.extend_from_slice(&digits[..len]);
    }
}

/// Appends a JSON string.
#[inline]
pub fn push_str(buf: &mut Vec<u8>, s: &str) {
    // No early exit, so the check vectorises.
    let needs_escape = s.as_bytes().iter().fold(false, |acc, &b| acc | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !needs_escape {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        serde_json::to_writer(&mut *buf, s).expect("writing to a Vec cannot fail");
    }
}

fn push_value(buf: &mut Vec<u8>, v: &Value<'_>) {
    match *v {
        Value::Str(s) => push_str(buf, s),
        Value::StrOrNull("") => buf.extend_from_slice(b"null"),
        Value::StrOrNull(s) => push_str(buf, s),
        Value::Int(i) => buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        Value::Num(x) if x.is_finite() => {
            let mut b = ryu::Buffer::new();
            let s = b.format_finite(x);
            buf.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
        }
        Value::Num(_) | Value::Null => buf.extend_from_slice(b"null"),
        Value::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
    }
}

fn push_ring(buf: &mut Vec<u8>, ring: &LineString<f64>) {
    buf.push(b'[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.push(b'[');
        push_coord(buf, c.x);
        buf.push(b',');
        push_coord(buf, c.y);
        buf.push(b']');
    }
    buf.push(b']');
}

/// A feature geometry to write (already in WGS84 lon/lat).
#[derive(Debug, Clone, Copy)]
pub enum Geom<'a> {
    /// A point.
    Point(f64, f64),
    /// A multipolygon.
    MultiPolygon(&'a MultiPolygon<f64>),
    /// An axis-aligned ring given by its closed vertex list (e.g. a grid cell).
    Ring(&'a [(f64, f64)]),
    /// A line through the given vertices (e.g. a shortest segment).
    Line(&'a [(f64, f64)]),
    /// Lines (a pipeline of several parts).
    MultiLine(&'a geo::MultiLineString<f64>),
    /// No geometry (null).
    None,
}

/// Appends one feature (no separator) to `buf`. Exterior rings are written
/// counter-clockwise and holes clockwise, as RFC 7946 asks.
pub fn push_feature(buf: &mut Vec<u8>, props: &[(&str, Value<'_>)], geom: Geom<'_>) {
    use geo::orient::{Direction, Orient};
    buf.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_str(buf, k);
        buf.push(b':');
        push_value(buf, v);
    }
    buf.extend_from_slice(b"},\"geometry\":");
    match geom {
        Geom::Point(x, y) => {
            buf.extend_from_slice(b"{\"type\":\"Point\",\"coordinates\":[");
            push_coord(buf, x);
            buf.push(b',');
            push_coord(buf, y);
            buf.extend_from_slice(b"]}");
        }
        Geom::MultiPolygon(mp) => {
            let mp = mp.orient(Direction::Default);
            buf.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.push(b'[');
                push_ring(buf, p.exterior());
                for h in p.interiors() {
                    buf.push(b',');
                    push_ring(buf, h);
                }
                buf.push(b']');
            }
            buf.extend_from_slice(b"]}");
        }
        Geom::Ring(pts) => {
            buf.extend_from_slice(b"{\"type\":\"Polygon\",\"coordinates\":[");
            push_ring(buf, &LineString::from(pts.to_vec()));
            buf.extend_from_slice(b"]}");
        }
        Geom::Line(pts) => {
            buf.extend_from_slice(b"{\"type\":\"LineString\",\"coordinates\":");
            push_ring(buf, &LineString::from(pts.to_vec()));
            buf.push(b'}');
        }
        Geom::MultiLine(ml) => {
            buf.extend_from_slice(b"{\"type\":\"MultiLineString\",\"coordinates\":[");
            for (i, l) in ml.0.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                push_ring(buf, l);
            }
            buf.extend_from_slice(b"]}");
        }
        Geom::None => buf.extend_from_slice(b"null"),
    }
    buf.push(b'}');
}

/// Writes a FeatureCollection from pre-rendered feature chunks (each a comma-free run of
/// features separated by `,\n` inside the chunk), in order.
pub fn write_feature_collection(path: &Path, name: &str, chunks: &[Vec<u8>]) -> Result<()> {
    let mut s = FeatureStream::create(path, name)?;
    for c in chunks {
        s.write_chunk(c)?;
    }
    s.finish()
}

/// A FeatureCollection written chunk by chunk (each chunk: features separated by `,\n`).
pub struct FeatureStream {
    path: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
    first: bool,
}

impl FeatureStream {
    /// Creates the file and writes the collection's head.
    pub fn create(path: &Path, name: &str) -> Result<Self> {
        let f =
            std::fs::File::create(path).map_err(|cause| Error::Write { path: path.display().to_string(), cause })?;
        let mut s =
            FeatureStream { path: path.to_path_buf(), w: std::io::BufWriter::with_capacity(1 << 20, f), first: true };
        let mut head = Vec::new();
        head.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"name\":");
        push_str(&mut head, name);
        head.extend_from_slice(b",\"features\":[\n");
        s.put(&head)?;
        Ok(s)
    }

    fn put(&mut self, b: &[u8]) -> Result<()> {
        self.w.write_all(b).map_err(|cause| Error::Write { path: self.path.display().to_string(), cause })
    }

    /// Appends a chunk of rendered features (empty chunks are skipped).
    pub fn write_chunk(&mut self, chunk: &[u8]) -> Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        if !self.first {
            self.put(b",\n")?;
        }
        self.first = false;
        self.put(chunk)
    }

    /// Closes the collection and flushes.
    pub fn finish(mut self) -> Result<()> {
        self.put(b"\n]}\n")?;
        self.w.flush().map_err(|cause| Error::Write { path: self.path.display().to_string(), cause })
    }
}

/// Renders `items` as features in parallel and streams them into `out` in input order.
///
/// Rendering (rayon) and writing (one scoped thread) overlap: while one batch of chunks is
/// written, the next is rendered into the buffers of the batch before, so the buffers are
/// reused instead of freshly allocated. The bytes are the same whatever the thread count.
pub fn stream_features<T: Sync>(
    out: &mut FeatureStream,
    items: &[T],
    render: impl Fn(&mut Vec<u8>, &T) + Sync,
) -> Result<()> {
    use rayon::prelude::*;
    use std::sync::mpsc::sync_channel;
    const CHUNK: usize = 4096;
    const CHUNKS_PER_BATCH: usize = 16;
    let (full_tx, full_rx) = sync_channel::<Vec<Vec<u8>>>(1);
    let (empty_tx, empty_rx) = sync_channel::<Vec<Vec<u8>>>(3);
    for _ in 0..2 {
        empty_tx.send(Vec::new()).expect("channel has room");
    }
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<()> {
            for set in full_rx {
                for c in &set {
                    out.write_chunk(c)?;
                }
                let _ = empty_tx.send(set);
            }
            Ok(())
        });
        for batch in items.chunks(CHUNK * CHUNKS_PER_BATCH) {
            let Ok(mut set) = empty_rx.recv() else { break };
            let n = batch.len().div_ceil(CHUNK);
            set.resize_with(n, Vec::new);
            set.truncate(n);
            set.par_iter_mut().zip(batch.par_chunks(CHUNK)).for_each(|(buf, chunk)| {
                buf.clear();
                for (i, it) in chunk.iter().enumerate() {
                    if i > 0 {
                        buf.extend_from_slice(b",\n");
                    }
                    render(buf, it);
                }
            });
            if full_tx.send(set).is_err() {
                break; // the writer failed; its error is returned below
            }
        }
        drop(full_tx);
        writer
            .join()
            .unwrap_or_else(|_| Err(Error::Format { path: "output".into(), msg: "the writer thread panicked".into() }))
    })
}

/// Renders features into a chunk: calls `f` for every item, separated by `,\n`.
pub fn render_chunk<T>(items: &[T], mut f: impl FnMut(&mut Vec<u8>, &T)) -> Vec<u8> {
    let mut buf = Vec::with_capacity(items.len() * 200);
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(b",\n");
        }
        f(&mut buf, it);
    }
    buf
}

/// A CSV writer on a new file at `path`: a UTF-8 BOM, CRLF line ends, and `header` written
/// (formula-like cells behind an apostrophe).
pub(crate) fn bom_csv(path: &Path, header: &[&str]) -> Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    let werr = |cause| Error::Write { path: path.display().to_string(), cause };
    let f = std::fs::File::create(path).map_err(werr)?;
    let mut bw = std::io::BufWriter::new(f);
    bw.write_all(b"\xEF\xBB\xBF").map_err(werr)?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(bw);
    let cerr = |e: csv::Error| Error::Write { path: path.display().to_string(), cause: std::io::Error::other(e) };
    w.write_record(header.iter().map(|h| crate::formula::csv_cell(h).into_owned())).map_err(cerr)?;
    Ok(w)
}

/// Writes a CSV file with a UTF-8 BOM (for Excel), given a header and rows; formula-like
/// cells get a leading apostrophe ([`crate::formula`]).
pub fn write_csv_bom<I, R, S>(path: &Path, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let werr = |cause| Error::Write { path: path.display().to_string(), cause };
    let cerr = |e: csv::Error| Error::Write { path: path.display().to_string(), cause: std::io::Error::other(e) };
    let mut w = bom_csv(path, header)?;
    for r in rows {
        for cell in r {
            let cell = cell.as_ref();
            match std::str::from_utf8(cell) {
                Ok(text) => w.write_field(crate::formula::csv_cell(text).as_bytes()),
                Err(_) => w.write_field(cell),
            }
            .map_err(cerr)?;
        }
        w.write_record(None::<&[u8]>).map_err(cerr)?;
    }
    w.flush().map_err(werr)?;
    Ok(())
}

/// Writes bytes to a file.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|cause| Error::Write { path: path.display().to_string(), cause })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coords_are_rounded_and_compact() {
        let mut b = Vec::new();
        push_coord(&mut b, 87.123456789);
        b.push(b' ');
        push_coord(&mut b, 43.0);
        b.push(b' ');
        push_coord(&mut b, -0.00000001);
        b.push(b' ');
        push_coord(&mut b, -87.00000051);
        b.push(b' ');
        push_coord(&mut b, 121.5);
        b.push(b' ');
        push_coord(&mut b, f64::NAN);
        assert_eq!(String::from_utf8(b).unwrap(), "87.1234568 43 0 -87.0000005 121.5 null");
    }

    #[test]
    fn features_are_valid_json() {
        let mut b = Vec::new();
        push_feature(
            &mut b,
            &[
                ("name", Value::Str("天山区 \"A\"")),
                ("n", Value::Int(3)),
                ("x", Value::Null),
                ("e", Value::StrOrNull("")),
            ],
            Geom::Point(87.6, 43.8),
        );
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["properties"]["name"], "天山区 \"A\"");
        assert_eq!(v["properties"]["e"], serde_json::Value::Null);
        assert_eq!(v["geometry"]["coordinates"][0], 87.6);
    }

    #[test]
    fn staging_commits_or_leaves_previous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.txt"), "old").unwrap();
        {
            let mut s = Staging::new(&out).unwrap();
            std::fs::write(s.path("a.txt"), "new").unwrap();
            // dropped without commit: a failed run
        }
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old");
        let mut s = Staging::new(&out).unwrap();
        std::fs::write(s.path("a.txt"), "new").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
        // An output of an earlier run that this run does not write is retired.
        std::fs::write(out.join("grids.geojson"), "old grid").unwrap();
        let mut s = Staging::new(&out).unwrap();
        std::fs::write(s.path("a.txt"), "newer").unwrap();
        s.retire("grids.geojson");
        s.commit().unwrap();
        assert!(!out.join("grids.geojson").exists());
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "newer");
    }
}
