//! Stages 1–2 for a census larger than memory: the site files are read twice, a segment
//! (64 MiB of a file) at a time, and no site is kept.
//!
//! 1. `scan` (stage 1, loading): every site layer is read and validated as in memory —
//!    the same rows accepted, the same rejects (kept for `rejects.csv`), the same errors —
//!    and only what the second pass needs is kept: each file's metadata, its categories, and
//!    a 128-bit hash of every id, sorted in runs of [`RUN_IDS`] that are spilled to a
//!    scratch folder and merged into the ids used more than once (`IdRuns`);
//! 2. `place_and_write` (stage 2): the files are read again (a file that changed in between
//!    is an error: a file read in segments is compared by an XXH3-128 fingerprint of its
//!    bytes, which both readings compute, SHA-256 being left to the first); each segment's sites are placed (district, management grid, cell),
//!    counted, flagged when their id repeats, and written to the site layer: `sites.geojson`
//!    in input order, or `sites.parquet` in blocks of
//!    [`sisetu_io::columnar::geoparquet::SORT_BLOCK`] sites, each Hilbert-sorted — the bytes
//!    the census in memory gives, since both sort the same blocks over the districts' extent.
//!
//! Memory does not grow with the number of sites: one segment and its sites (about 1 M
//! sites, ~250 MB), one block of the site layer (~300 MB), the id runs being sorted
//! (16 bytes × [`RUN_IDS`] = 128 MB), and per area and cell the counts. What grows with the
//! input is kept small: 16 bytes per *repeated* id, the rejected rows (for `rejects.csv`),
//! the categories, and the first 1,000 repeated ids for the report.
//!
//! Ids compare by their 128-bit XXH3 hash of [`sisetu_core::idkey::id_key`]: two different ids collide with a
//! probability of about n² / 2¹²⁹ (10⁻²¹ for 100 million ids).
//!
//! What needs every site at once cannot be streamed (`obstacle`): the register, the
//! changes between rounds, grid checks, `[[maps]]` entries that draw sites (the standard
//! sites map of a project without `[[maps]]` is left out instead: `MapSpec::drawn`), and
//! FlatGeobuf (its index holds every feature). Nor can every file be read in segments: a workbook, GeoJSON, a GBK
//! or mixed-encoding CSV file is read whole (one piece), as in memory.

use super::assign::finish_tallies;
use super::report::REPORTED_IDS;
use crate::analysis::Analysis;
use crate::census::{CellCounts, Census, Duplicates, LayerCounts, PartialTallies, Placed, Tallies};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::observer::Observer;
use crate::outputs::columnar::{site_parquet_options, touch_site};
use crate::outputs::sites::SiteFields;
use crate::project::outputs::LayerFormat;
use crate::project::Config;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sisetu_core::idkey::id_key_cow;
use sisetu_core::{RegularGrid, Summary};
use sisetu_io::columnar::geoparquet::{GeoParquetWriter, SORT_BLOCK};
use sisetu_io::columnar::{ColumnarError, Geometry, Rows, Value};
use sisetu_io::crs::Crs;
use sisetu_io::sites::{read_sites_chunked, Checksum, Piece, Site, SiteLayer, SiteTransforms};
use sisetu_io::write::{self, Staging};
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// Whether a build streams its census (`sisetu build --stream`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StreamMode {
    /// Streams when the site files hold more than [`STREAM_ABOVE_BYTES`] and nothing in the
    /// project needs every site at once.
    #[default]
    Auto,
    /// Always streams (an error when the project needs every site at once).
    Always,
    /// Never streams: the census is held in memory.
    Never,
}

/// Site files larger than this (together) are streamed by [`StreamMode::Auto`]: about
/// 6 million sites of a census export. Below, holding the census is as fast or faster (one
/// read); above, streaming is faster too (10 M national sites: 15.3 s and 1.50 GB streamed,
/// the census in memory slower and 2.6 GB; the README's Speed section has the figures).
pub const STREAM_ABOVE_BYTES: u64 = 512 << 20;

/// Ids hashed before a run is sorted and spilled (16 bytes each: 128 MB).
pub const RUN_IDS: usize = 8 << 20;

/// What in the project needs every site in memory at once, if anything.
pub(crate) fn obstacle(cfg: &Config, analyses: &[Box<dyn Analysis>]) -> Option<String> {
    if let Some(a) = analyses.iter().find(|a| a.needs_sites()) {
        return Some(format!("the {} analysis uses every site at once", a.name()));
    }
    if let Some(m) = cfg.maps.iter().find(|m| m.sites && m.drawn(true)) {
        return Some(format!("the map {} draws every site", m.file));
    }
    let n = usize::MAX;
    if cfg.outputs.sites_format(n) == LayerFormat::FlatGeobuf {
        return Some("[outputs] sites = \"flatgeobuf\": its spatial index holds every site".into());
    }
    None
}

/// Whether this build streams its census.
pub(crate) fn chosen(cfg: &Config, analyses: &[Box<dyn Analysis>], mode: StreamMode) -> Result<bool> {
    let why_not = obstacle(cfg, analyses);
    match mode {
        StreamMode::Never => Ok(false),
        StreamMode::Always => match why_not {
            None => Ok(true),
            Some(why) => Err(Error::input(format!(
                "--stream always: this project cannot be streamed: {why}; run it with --stream auto (it then \
                 holds the census in memory) or leave that out of the project"
            ))),
        },
        StreamMode::Auto => {
            let bytes: u64 = cfg.sites.iter().map(|s| std::fs::metadata(&s.path).map_or(0, |m| m.len())).sum();
            Ok(bytes > STREAM_ABOVE_BYTES && why_not.is_none())
        }
    }
}

/// Stops a read whose sink failed: the engine's error is kept in `failed` (and returned by
/// the caller), the reader gets one that ends it.
fn stop_on(done: Result<()>, failed: &mut Option<Error>, file: &str) -> sisetu_io::Result<()> {
    done.map_err(|e| {
        let msg = e.to_string();
        *failed = Some(e);
        sisetu_io::Error::Format { path: file.to_string(), msg }
    })
}

/// The 128-bit hash ids are compared by.
fn id_hash(id: &str) -> u128 {
    twox_hash::XxHash3_128::oneshot(id_key_cow(id).as_bytes())
}

/// Id hashes, sorted and spilled in runs, merged into the hashes that occur more than once.
struct IdRuns {
    scratch: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
    buf: Vec<u128>,
    /// Hashes held before a run is spilled.
    run: usize,
}

impl IdRuns {
    fn new(run: usize) -> Self {
        IdRuns { scratch: None, runs: Vec::new(), buf: Vec::new(), run: run.max(1) }
    }

    fn push(&mut self, hashes: impl IntoIterator<Item = u128>) -> Result<()> {
        for h in hashes {
            self.buf.push(h);
            if self.buf.len() >= self.run {
                self.spill()?;
            }
        }
        Ok(())
    }

    /// Sorts the hashes in memory and writes them as a run.
    fn spill(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let scratch = match &self.scratch {
            Some(d) => d,
            None => self.scratch.insert(tempfile::Builder::new().prefix("sisetu-ids-").tempdir().map_err(|cause| {
                Error::Io(sisetu_io::Error::Write { path: std::env::temp_dir().display().to_string(), cause })
            })?),
        };
        let path = scratch.path().join(format!("run{}", self.runs.len()));
        self.buf.par_sort_unstable();
        let io = |cause| Error::Io(sisetu_io::Error::Write { path: path.display().to_string(), cause });
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).map_err(io)?);
        for h in &self.buf {
            w.write_all(&h.to_le_bytes()).map_err(io)?;
        }
        w.flush().map_err(io)?;
        self.buf.clear();
        self.runs.push(path);
        Ok(())
    }

    /// A mark to come back to ([`IdRuns::back_to`]): everything pushed so far is in runs.
    fn mark(&mut self) -> Result<usize> {
        if !self.runs.is_empty() {
            self.spill()?;
        }
        Ok(self.runs.len())
    }

    /// Forgets what was pushed since `mark`.
    fn back_to(&mut self, mark: usize, buf_len: usize) {
        for r in self.runs.drain(mark..) {
            let _ = std::fs::remove_file(r);
        }
        self.buf.truncate(buf_len);
    }

    /// The hashes pushed more than once, sorted.
    fn repeated(mut self) -> Result<Vec<u128>> {
        let mut out = Vec::new();
        let mut emit = |prev: Option<(u128, u64)>| {
            if let Some((h, n)) = prev {
                if n > 1 {
                    out.push(h);
                }
            }
        };
        if self.runs.is_empty() {
            self.buf.par_sort_unstable();
            let mut prev: Option<(u128, u64)> = None;
            for &h in &self.buf {
                prev = match prev {
                    Some((p, n)) if p == h => Some((p, n + 1)),
                    other => {
                        emit(other);
                        Some((h, 1))
                    }
                };
            }
            emit(prev);
            return Ok(out);
        }
        self.spill()?;
        // A k-way merge of the sorted runs.
        let mut readers = Vec::with_capacity(self.runs.len());
        for path in &self.runs {
            let f = std::fs::File::open(path)
                .map_err(|cause| Error::Io(sisetu_io::Error::Read { path: path.display().to_string(), cause }))?;
            readers.push(BufReader::with_capacity(1 << 16, f));
        }
        let next = |r: &mut BufReader<std::fs::File>, path: &PathBuf| -> Result<Option<u128>> {
            let mut b = [0u8; 16];
            match r.read_exact(&mut b) {
                Ok(()) => Ok(Some(u128::from_le_bytes(b))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(cause) => Err(Error::Io(sisetu_io::Error::Read { path: path.display().to_string(), cause })),
            }
        };
        let mut heap = std::collections::BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(h) = next(r, &self.runs[i])? {
                heap.push(std::cmp::Reverse((h, i)));
            }
        }
        let mut prev: Option<(u128, u64)> = None;
        while let Some(std::cmp::Reverse((h, i))) = heap.pop() {
            prev = match prev {
                Some((p, n)) if p == h => Some((p, n + 1)),
                other => {
                    emit(other);
                    Some((h, 1))
                }
            };
            if let Some(h) = next(&mut readers[i], &self.runs[i])? {
                heap.push(std::cmp::Reverse((h, i)));
            }
        }
        emit(prev);
        Ok(out)
    }
}

/// What the first pass keeps.
pub(crate) struct Scanned {
    /// Each layer's metadata and rejects (no sites).
    pub layers: Vec<SiteLayer>,
    /// Accepted sites per layer.
    pub accepted: Vec<u64>,
    /// Whether each layer was read in segments.
    segmented: Vec<bool>,
    /// Each layer's fingerprint, when it was read in segments ([`sisetu_io::sites::ChunkedRead::fingerprint`]).
    fingerprints: Vec<Option<u128>>,
    /// Hashes of the ids used more than once, sorted.
    repeated: Vec<u128>,
    /// Every category, sorted.
    categories: Vec<String>,
}

/// Pass 1: reads and validates every site layer, keeping no site.
pub(crate) fn scan(cfg: &Config, work: Crs, obs: &dyn Observer) -> Result<Scanned> {
    obs.stage("reading sites");
    let mut ids = IdRuns::new(RUN_IDS);
    let mut categories: FxHashSet<String> = FxHashSet::default();
    let mut out = Scanned {
        layers: Vec::new(),
        accepted: Vec::new(),
        segmented: Vec::new(),
        fingerprints: Vec::new(),
        repeated: Vec::new(),
        categories: Vec::new(),
    };
    for spec in &cfg.sites {
        let tf = SiteTransforms::new(spec.crs, work).map_err(|e| Error::input(format!("{}: {e}", spec.display)))?;
        let size = std::fs::metadata(&spec.path).map(|m| m.len()).unwrap_or(0);
        let mark = (ids.mark()?, ids.buf.len());
        let mut layer_categories: FxHashSet<String> = FxHashSet::default();
        let mut rejects = Vec::new();
        obs.file_started(&format!("reading {}", spec.display), size);
        let mut failed = None;
        let progress = |n| obs.file_progress(n);
        let read = read_sites_chunked(spec, &cfg.grades, &tf, &progress, true, Checksum::Sha256, &mut |piece| {
            let kept = match piece {
                Piece::Rows { sites, rejects: r } => {
                    rejects.extend(r);
                    let hashes: Vec<u128> =
                        sites.par_iter().filter(|s| !s.id().is_empty()).map(|s| id_hash(s.id())).collect();
                    for s in &sites {
                        if !s.category().is_empty() && !layer_categories.contains(s.category()) {
                            layer_categories.insert(s.category().to_string());
                        }
                    }
                    ids.push(hashes)
                }
                Piece::Restart => {
                    ids.back_to(mark.0, mark.1);
                    layer_categories.clear();
                    rejects.clear();
                    Ok(())
                }
            };
            stop_on(kept, &mut failed, &spec.display)
        });
        obs.file_finished();
        if let Some(e) = failed {
            return Err(e);
        }
        let mut read = read?;
        read.layer.rejects = rejects;
        for warning in &read.layer.warnings {
            obs.warn(&format!("{}: {}", spec.display, warning.text(cfg.lang)));
        }
        if read.layer.rows_read == 0 {
            obs.warn(&format!("{}: the file has a header but no data rows", spec.display));
        }
        if let Some(e) = super::load::nothing_accepted(&spec.display, &read.layer, read.accepted) {
            return Err(e);
        }
        categories.extend(layer_categories);
        out.layers.push(read.layer);
        out.accepted.push(read.accepted);
        out.segmented.push(read.segmented);
        out.fingerprints.push(read.fingerprint);
    }
    obs.stage("duplicate ids");
    out.repeated = ids.repeated()?;
    out.categories = categories.into_iter().collect();
    out.categories.sort_unstable();
    Ok(out)
}

/// Sites of one layer, placed and flagged, in input order: a piece of the site layer. The
/// vectors the reader made go to the writer as they are (no copy per site).
struct Held {
    layer: usize,
    sites: Vec<Site>,
    placed: Vec<Placed>,
    repeated: Vec<bool>,
}

impl Held {
    fn len(&self) -> usize {
        self.sites.len()
    }

    /// The rows from `at` on, taken off this piece.
    fn split_off(&mut self, at: usize) -> Held {
        Held {
            layer: self.layer,
            sites: self.sites.split_off(at),
            placed: self.placed.split_off(at),
            repeated: self.repeated.split_off(at),
        }
    }
}

/// A block of the site layer (its pieces in input order), as the GeoParquet writer pulls it.
struct Block<'a> {
    pieces: &'a [Held],
    /// Where each piece starts among the block's rows, and the number of rows at the end.
    starts: Vec<usize>,
    fields: &'a SiteFields<'a>,
}

impl<'a> Block<'a> {
    fn new(pieces: &'a [Held], fields: &'a SiteFields<'a>) -> Self {
        let mut starts = Vec::with_capacity(pieces.len() + 1);
        let mut n = 0;
        for p in pieces {
            starts.push(n);
            n += p.len();
        }
        starts.push(n);
        Block { pieces, starts, fields }
    }

    /// The piece of row `i` and the row's position in it.
    #[inline]
    fn at(&self, i: usize) -> (&'a Held, usize) {
        let p = self.starts.partition_point(|&s| s <= i) - 1;
        (&self.pieces[p], i - self.starts[p])
    }
}

impl Rows for Block<'_> {
    fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    fn position(&self, i: usize) -> (f64, f64) {
        let (h, j) = self.at(i);
        (h.sites[j].lon, h.sites[j].lat)
    }

    fn touch(&self, i: usize) -> u64 {
        let (h, j) = self.at(i);
        touch_site(&h.sites[j], &h.placed[j])
    }

    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> std::result::Result<Geometry, ColumnarError> {
        let (h, j) = self.at(i);
        self.fields.values(v, h.layer, &h.sites[j], &h.placed[j], h.repeated[j])
    }
}

/// Where the site layer goes.
enum Sink<'a> {
    None,
    GeoJson {
        out: write::FeatureStream,
        fields: &'a SiteFields<'a>,
    },
    GeoParquet {
        writer: Box<GeoParquetWriter>,
        /// The pieces of the block being filled, and their rows.
        block: Vec<Held>,
        held: usize,
        fields: &'a SiteFields<'a>,
    },
}

impl Sink<'_> {
    /// Writes the next sites of the census (in input order): GeoJSON features at once,
    /// GeoParquet a block each time one is full.
    fn take(&mut self, mut piece: Held) -> Result<()> {
        match self {
            Sink::None => {}
            Sink::GeoJson { out, fields } => {
                let rows: Vec<u32> = (0..piece.len() as u32).collect();
                write::stream_features(out, &rows, |buf, &i| {
                    let i = i as usize;
                    fields.feature(buf, piece.layer, &piece.sites[i], &piece.placed[i], piece.repeated[i]);
                })?;
            }
            Sink::GeoParquet { writer, block, held, fields } => {
                while *held + piece.len() >= SORT_BLOCK {
                    let rest = piece.split_off(SORT_BLOCK - *held);
                    block.push(piece);
                    writer.write(&Block::new(block, fields))?;
                    block.clear();
                    *held = 0;
                    piece = rest;
                }
                if piece.len() > 0 {
                    *held += piece.len();
                    block.push(piece);
                }
            }
        }
        Ok(())
    }

    /// Writes what is left and closes the file.
    fn finish(self) -> Result<()> {
        match self {
            Sink::None => {}
            Sink::GeoJson { out, .. } => out.finish()?,
            Sink::GeoParquet { mut writer, block, fields, .. } => {
                if !block.is_empty() {
                    writer.write(&Block::new(&block, fields))?;
                }
                writer.finish()?;
            }
        }
        Ok(())
    }
}

/// The repeated-id bookkeeping of the second pass.
struct Repeats {
    /// Hashes of the ids used more than once, sorted.
    hashes: Vec<u128>,
    /// Whether each of them was met already.
    seen: Vec<bool>,
    /// The first [`REPORTED_IDS`] repeated ids (in id order), with their rows.
    occurrences: BTreeMap<String, Vec<String>>,
}

impl Repeats {
    /// Counts one row whose id is repeated (in input order); true when an earlier row had it.
    fn met(&mut self, hash: u128, id: &str, file: &str, line: u64) -> bool {
        let Ok(k) = self.hashes.binary_search(&hash) else { return false };
        let again = std::mem::replace(&mut self.seen[k], true);
        let key = id_key_cow(id);
        match self.occurrences.get_mut(&*key) {
            Some(rows) => {
                if rows.len() < REPORTED_IDS {
                    rows.push(format!("{file}:{line}"));
                }
            }
            None => {
                let full = self.occurrences.len() >= REPORTED_IDS;
                // An id after the last one listed can never be listed: the ids before it
                // only grow in number.
                if !full || self.occurrences.last_key_value().is_some_and(|(last, _)| **last > *key) {
                    self.occurrences.insert(key.into_owned(), vec![format!("{file}:{line}")]);
                    if full {
                        self.occurrences.pop_last();
                    }
                }
            }
        }
        again
    }
}

/// The second pass's placing and counting, a piece of a layer at a time.
struct Placer<'a> {
    districts: &'a ZoneLayer,
    grids: Option<&'a ZoneLayer>,
    grid: RegularGrid,
    /// Category → its index among the sorted categories (empty without a category column).
    cat_id: FxHashMap<&'a str, u32>,
    n_categories: usize,
    sums: PartialTallies,
    repeats: Repeats,
    counts: Vec<LayerCounts>,
}

impl<'a> Placer<'a> {
    fn new(
        districts: &'a ZoneLayer,
        grids: Option<&'a ZoneLayer>,
        grid: RegularGrid,
        categories: &'a [String],
        has_categories: bool,
        repeated: Vec<u128>,
        n_layers: usize,
    ) -> Self {
        let cat_id = if has_categories {
            categories.iter().enumerate().map(|(i, c)| (c.as_str(), i as u32)).collect()
        } else {
            FxHashMap::default()
        };
        let mut p = Placer {
            districts,
            grids,
            grid,
            n_categories: cat_id.len(),
            cat_id,
            sums: PartialTallies::default(),
            repeats: Repeats { seen: vec![false; repeated.len()], hashes: repeated, occurrences: BTreeMap::new() },
            counts: vec![LayerCounts::default(); n_layers],
        };
        p.sums = p.empty();
        p
    }

    fn empty(&self) -> PartialTallies {
        PartialTallies {
            by_district: vec![Summary::default(); self.districts.work.len()],
            by_grid: vec![Summary::default(); self.grids.map_or(0, |g| g.work.len())],
            by_cell: CellCounts::new(self.n_categories),
            ..Default::default()
        }
    }

    /// Places, counts and flags the next sites of layer `li` (named `file`), in input order.
    fn place(&mut self, li: usize, file: &str, sites: Vec<Site>) -> Held {
        let placed = super::assign::place(&sites, self.districts, self.grids, self.grid);
        let cat_id = &self.cat_id;
        self.sums.count(&sites, &placed, |s| cat_id.get(s.category()).copied());
        let mut flags = vec![false; sites.len()];
        if !self.repeats.hashes.is_empty() {
            let hashes = &self.repeats.hashes;
            let hits: Vec<(usize, u128)> = sites
                .par_iter()
                .enumerate()
                .filter(|(_, s)| !s.id().is_empty())
                .map(|(i, s)| (i, id_hash(s.id())))
                .filter(|(_, h)| hashes.binary_search(h).is_ok())
                .collect();
            for (i, h) in hits {
                flags[i] = true;
                if self.repeats.met(h, sites[i].id(), file, sites[i].line) {
                    self.counts[li].duplicate_rows += 1;
                }
            }
        }
        let c = &mut self.counts[li];
        c.accepted += sites.len() as u64;
        c.unassigned += placed.iter().filter(|p| p.district.is_none()).count() as u64;
        for s in &sites {
            c.levels.add(s.level);
        }
        Held { layer: li, sites, placed, repeated: flags }
    }
}

/// Pass 2: reads the site layers again; places, counts and flags every site and writes the
/// site layer into `stage` (nothing is written without one: `sisetu check`). Returns the
/// census (no sites), the tallies and the files written.
pub(crate) fn place_and_write(
    cfg: &Config,
    scanned: Scanned,
    work: Crs,
    districts: &ZoneLayer,
    grids: Option<&ZoneLayer>,
    stage: Option<&mut Staging>,
    obs: &dyn Observer,
) -> Result<(Census, Tallies, Vec<String>)> {
    let Scanned { layers, accepted, segmented, fingerprints, repeated, categories } = scanned;
    let grid = RegularGrid::new(cfg.cell_size_m).ok_or_else(|| {
        Error::input(format!("[grid] cell_size_m = {}: use a size in metres above 0", cfg.cell_size_m))
    })?;
    let files: Vec<String> = cfg.sites.iter().map(|s| s.display.clone()).collect();
    let fields = SiteFields::new(cfg.cell_size_m, districts, grids, &files)?;
    let n_sites: u64 = accepted.iter().sum();
    let format = cfg.outputs.sites_format(n_sites as usize);
    if let Some(warning) = cfg.outputs.auto_warning(n_sites as usize) {
        obs.warn(&warning);
    }
    let mut written = Vec::new();
    let sink = match (stage, format) {
        (None, _) | (_, LayerFormat::None) => Sink::None,
        (Some(stage), LayerFormat::GeoJson) => {
            written.push("sites.geojson".to_string());
            Sink::GeoJson { out: write::FeatureStream::create(&stage.path("sites.geojson"), "sites")?, fields: &fields }
        }
        (Some(stage), LayerFormat::GeoParquet) => {
            written.push("sites.parquet".to_string());
            let options = site_parquet_options(districts);
            let writer = GeoParquetWriter::create(&stage.path("sites.parquet"), &fields.schema(), &options)?;
            Sink::GeoParquet { writer: Box::new(writer), block: Vec::new(), held: 0, fields: &fields }
        }
        (Some(_), LayerFormat::FlatGeobuf) => {
            return Err(Error::internal("a streamed census cannot be written as FlatGeobuf"));
        }
    };
    let has_categories = layers.iter().any(|l| l.columns_used.contains_key("category"));
    let mut placer = Placer::new(districts, grids, grid, &categories, has_categories, repeated, layers.len());
    obs.stage("assigning sites");
    let writes = !matches!(sink, Sink::None);
    // The site layer is written by its own thread while the next segment is read and
    // placed; one piece waits between them.
    std::thread::scope(|scope| -> Result<()> {
        let (to_writer, pieces) = std::sync::mpsc::sync_channel::<Held>(1);
        let writer = scope.spawn(move || -> Result<()> {
            let mut sink = sink;
            for piece in pieces {
                sink.take(piece)?;
            }
            sink.finish()
        });
        let placed = (|| -> Result<()> {
            for (li, spec) in cfg.sites.iter().enumerate() {
                let tf =
                    SiteTransforms::new(spec.crs, work).map_err(|e| Error::input(format!("{}: {e}", spec.display)))?;
                let size = std::fs::metadata(&spec.path).map(|m| m.len()).unwrap_or(0);
                obs.file_started(&format!("placing {}", spec.display), size);
                let file = files[li].as_str();
                let mut failed = None;
                let mut place = |piece: Piece| -> Result<()> {
                    let Piece::Rows { sites, .. } = piece else {
                        return Err(Error::input(format!("{file} changed while it was read: run the build again")));
                    };
                    let held = placer.place(li, file, sites);
                    // An error of the writer ends it: it is reported when it is joined.
                    if writes && to_writer.send(held).is_err() {
                        return Err(Error::internal("the site layer's writer stopped"));
                    }
                    Ok(())
                };
                let read = read_sites_chunked(
                    spec,
                    &cfg.grades,
                    &tf,
                    &|n| obs.file_progress(n),
                    segmented[li],
                    Checksum::Fingerprint,
                    &mut |piece| {
                        let done = place(piece);
                        stop_on(done, &mut failed, file)
                    },
                );
                obs.file_finished();
                if let Some(e) = failed {
                    return Err(e);
                }
                let read = read?;
                // A file read in segments both times is compared by its fingerprint, one read
                // whole by its SHA-256.
                let same = match (read.fingerprint, fingerprints[li]) {
                    (Some(a), Some(b)) => a == b,
                    _ => read.layer.sha256 == layers[li].sha256,
                };
                if !same || read.accepted != accepted[li] {
                    return Err(Error::input(format!(
                        "{file} changed while it was read (its bytes or its rows differ between the two readings): run \
                         the build again"
                    )));
                }
            }
            Ok(())
        })();
        drop(to_writer);
        let wrote = writer.join().map_err(|_| Error::internal("the site layer's writer panicked"))?;
        // The writer's own error explains a reader that stopped because the writer did.
        wrote.and(placed)
    })?;
    obs.stage("summarising");
    let Placer { sums, repeats, counts, .. } = placer;
    let tallies = finish_tallies(sums, categories, has_categories);
    let census = Census {
        layers,
        files,
        placed: Vec::new(),
        duplicates: Duplicates { rows: Vec::new(), occurrences: repeats.occurrences },
        streamed: Some(counts),
    };
    Ok((census, tallies, written))
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
