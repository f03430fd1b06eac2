//! Output writers: streaming GeoJSON (RFC 7946), CSV with a UTF-8 BOM, and atomic staging.
//!
//! * GeoJSON coordinates are written in WGS84 lon/lat rounded to 1e-7° (about 1 cm), the
//!   precision RFC 7946 recommends, so files stay small and byte-stable.
//! * CSV files start with a UTF-8 BOM so that Excel shows Chinese text as it is; cells that
//!   a spreadsheet would run as a formula are written as text ([`crate::formula`]).
//! * [`Staging`] writes every output of a run into a hidden folder first and renames them
//!   into place only when all were written, so a failed run leaves the previous outputs
//!   untouched.

use crate::error::{Error, Result};
use geo::{LineString, MultiPolygon};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Writes a CSV file with a UTF-8 BOM (for Excel), given a header and rows; formula-like
/// cells get a leading apostrophe ([`crate::formula`]).
pub fn write_csv_bom<I, R, S>(path: &Path, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let werr = |cause| Error::Write { path: path.display().to_string(), cause };
    let f = std::fs::File::create(path).map_err(werr)?;
    let mut bw = std::io::BufWriter::new(f);
    bw.write_all(b"\xEF\xBB\xBF").map_err(werr)?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(bw);
    let cerr = |e: csv::Error| Error::Write { path: path.display().to_string(), cause: std::io::Error::other(e) };
    w.write_record(header).map_err(cerr)?;
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

/// A staging folder for one run's outputs; see the module docs.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    stage: PathBuf,
    files: Vec<String>,
    retired: Vec<String>,
    committed: bool,
    /// Whether `new` created the output folder (removed again if nothing is committed).
    created_out: bool,
}

impl Staging {
    /// Creates `out` (if needed) and a hidden staging folder inside it.
    pub fn new(out: &Path) -> Result<Self> {
        let werr = |cause| Error::Write { path: out.display().to_string(), cause };
        let created_out = !out.exists();
        std::fs::create_dir_all(out).map_err(werr)?;
        let stage = out.join(format!(".sisetu-staging-{}", std::process::id()));
        if stage.exists() {
            std::fs::remove_dir_all(&stage).map_err(werr)?;
        }
        std::fs::create_dir_all(&stage).map_err(werr)?;
        Ok(Staging {
            out: out.to_path_buf(),
            stage,
            files: Vec::new(),
            retired: Vec::new(),
            committed: false,
            created_out,
        })
    }

    /// Where to write output `name` now; it is moved to `out/name` by [`Staging::commit`].
    pub fn path(&mut self, name: &str) -> PathBuf {
        if !self.files.iter().any(|f| f == name) {
            self.files.push(name.to_string());
        }
        self.stage.join(name)
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
        &self.out
    }

    /// Moves every staged file into place. The previous versions are first moved aside
    /// into the staging folder; if any move fails, everything is put back as it was and
    /// the error is returned, so the output folder is either all old or all new.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let backup = self.stage.join(".previous");
        let werr = |p: &Path, cause| Error::Write { path: p.display().to_string(), cause };
        std::fs::create_dir_all(&backup).map_err(|e| werr(&backup, e))?;
        let names: Vec<String> = self.files.iter().filter(|n| self.stage.join(n).exists()).cloned().collect();
        let mut moved_aside: Vec<&str> = Vec::new();
        let mut moved_in: Vec<&str> = Vec::new();
        let mut failure: Option<Error> = None;
        let retired: Vec<String> =
            self.retired.iter().filter(|n| !names.contains(n) && self.out.join(n).is_file()).cloned().collect();
        for name in names.iter().chain(&retired) {
            let target = self.out.join(name);
            if target.is_dir() {
                let e = std::io::Error::other("a folder is in the way of this output file; move it elsewhere");
                failure = Some(werr(&target, e));
                break;
            }
            if target.exists() {
                if let Err(e) = std::fs::rename(&target, backup.join(name)) {
                    failure = Some(werr(&target, e));
                    break;
                }
                moved_aside.push(name);
            }
        }
        if failure.is_none() {
            for name in names.iter() {
                let target = self.out.join(name);
                if let Err(e) = std::fs::rename(self.stage.join(name), &target) {
                    failure = Some(werr(&target, e));
                    break;
                }
                moved_in.push(name);
            }
        }
        if let Some(err) = failure {
            // Roll back: new files back to staging, old ones back into place.
            for name in moved_in {
                let _ = std::fs::rename(self.out.join(name), self.stage.join(name));
            }
            for name in moved_aside {
                let _ = std::fs::rename(backup.join(name), self.out.join(name));
            }
            return Err(err);
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.stage);
        Ok(names.iter().map(|n| self.out.join(n)).collect())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.stage);
            // A failed first run leaves no empty output folder behind (remove_dir only
            // removes an empty folder).
            if self.created_out {
                let _ = std::fs::remove_dir(&self.out);
            }
        }
    }
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
