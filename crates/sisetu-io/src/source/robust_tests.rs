//! Property tests of the CSV and GeoJSON readers (bounded: a few hundred cases each, well
//! under a minute in CI):
//!
//! * arbitrary bytes and arbitrary mutations of valid files never panic, and whatever is read
//!   keeps `rows_read == accepted + rejected`, every rejected CSV row carrying a physical line
//!   of the file;
//! * differential: a valid table written with random CR/LF/CRLF line ends and random quoting
//!   reads back the same values on the same physical lines, in one chunk or in many (the
//!   parallel path, forced with the test knob [`CHUNK_TARGET_OVERRIDE`]).

use crate::crs::Crs;
use crate::sites::{read_sites, SiteColumns, SiteLayerSpec, SiteTransforms};
use crate::source::delimited::{count_line_ends, CHUNK_TARGET_OVERRIDE};
use crate::table::{read_table, TableSpec};
use crate::text::TextEncoding;
use crate::zones::{read_zones_hashed, ZoneLayerSpec};
use proptest::prelude::*;
use sisetu_core::GradeScheme;
use std::path::Path;
use std::sync::atomic::Ordering;

/// Held while a test sets [`crate::sites::SEGMENT_OVERRIDE`]: the tests of this file run on
/// several threads, and one that resets the size would change another's reading.
static SEGMENT_SIZE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Sets the segment size for as long as the guard lives.
fn segment_size(bytes: usize) -> std::sync::MutexGuard<'static, ()> {
    let guard = SEGMENT_SIZE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::sites::SEGMENT_OVERRIDE.store(bytes, Ordering::Relaxed);
    guard
}

const CENSUS: &str = "统一社会信用代码,企业名称,行业,经度,纬度,风险等级\r\n\
91650100A,甲化工有限公司,危险化学品,87.61,43.82,红\n\
91650100B,\"乙加油站\n二部\",加油站,87.62,43.83,橙色\r\
91650100C,\"丙, 物流\",仓储物流,87.63,43.84,一般风险\n\
91650100D,丁厂,工贸,87.64,43.85,4\n";

const ZONES: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"W","name":"西区","等级":"红"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]]]}},{"type":"Feature","properties":{"id":2,"name":null},"geometry":{"type":"Point","coordinates":[87.6,43.7]}}]}"#;

fn site_spec(path: &Path, encoding: TextEncoding) -> SiteLayerSpec {
    SiteLayerSpec {
        path: path.to_path_buf(),
        display: "s".into(),
        crs: Crs::Gcj02,
        columns: SiteColumns::default(),
        encoding,
        sheet: None,
        header_row: None,
    }
}

fn table_spec(path: &Path) -> TableSpec {
    TableSpec {
        path: path.to_path_buf(),
        display: "t".into(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    }
}

/// Physical lines of `bytes` (CR, LF, CRLF each end one; a last line without a line end
/// counts).
fn physical_lines(bytes: &[u8]) -> u64 {
    count_line_ends(bytes) + 1
}

/// Reads `bytes` as a site layer and as a table (`ext`: csv, txt, geojson) and checks the
/// invariants; never panics unless an invariant fails.
fn check_readers(bytes: &[u8], ext: &str, encoding: TextEncoding) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("f.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let tf = SiteTransforms::new(Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    let mut scheme = GradeScheme::builtin();
    scheme.map("A", sisetu_core::RiskLevel::Red).unwrap();
    let is_csv = ext != "geojson";
    let max_line = physical_lines(bytes);
    if let Ok(layer) = read_sites(&site_spec(&path, encoding), &scheme, &tf, &|_| {}) {
        assert_eq!(layer.rows_read, (layer.sites.len() + layer.rejects.len()) as u64);
        assert_eq!(layer.sha256, crate::hash::sha256_hex(bytes));
        for r in &layer.rejects {
            assert!(r.line >= 1 && (!is_csv || r.line <= max_line), "line {} of {max_line}: {}", r.line, r.reason);
            assert!(r.raw.iter().map(|c| c.chars().count()).sum::<usize>() <= 2 * crate::reject::MAX_REJECT_TEXT);
        }
    }
    if let Ok(table) = read_table(&table_spec(&path)) {
        assert_eq!(table.rows_read, (table.records.len() + table.rejects.len()) as u64);
        for r in &table.rejects {
            assert!(r.line >= 1 && (!is_csv || r.line <= max_line), "line {} of {max_line}: {}", r.line, r.reason);
        }
        for r in &table.records {
            assert!(r.line >= 1 && (!is_csv || r.line <= max_line));
        }
    }
    if !is_csv {
        let spec = ZoneLayerSpec {
            path: path.clone(),
            display: "z".into(),
            id: Some("id".into()),
            name: Some("name".into()),
            extra: vec![],
            encoding: TextEncoding::Auto,
        };
        if let Ok((zones, hash)) = read_zones_hashed(&spec) {
            assert_eq!(hash, crate::hash::sha256_hex(bytes));
            let _ = crate::zones::validate_zones(&zones);
        }
    }
}

/// One edit of a valid file: insert a byte from a set that matters to the readers, delete
/// or duplicate a stretch, or overwrite a byte.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Overwrite(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let special =
        prop::sample::select(vec![b'"', b',', b'\t', b'\r', b'\n', 0xE4, 0xB8, 0xFF, 0, b'{', b'}', b'[', b':']);
    prop_oneof![
        (any::<usize>(), special.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..8).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        (any::<usize>(), special).prop_map(|(i, b)| Edit::Overwrite(i, b)),
    ]
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = base.to_vec();
    for e in edits {
        let at = |i: usize| if v.is_empty() { 0 } else { i % (v.len() + 1) };
        match *e {
            Edit::Insert(i, b) => {
                let i = at(i);
                v.insert(i, b);
            }
            Edit::Delete(i, n) => {
                let i = at(i);
                let end = (i + n).min(v.len());
                v.drain(i..end);
            }
            Edit::Duplicate(i, n) => {
                let i = at(i);
                let end = (i + n).min(v.len());
                let piece = v[i..end].to_vec();
                v.splice(end..end, piece);
            }
            Edit::Overwrite(i, b) => {
                if !v.is_empty() {
                    let i = i % v.len();
                    v[i] = b;
                }
            }
        }
    }
    v
}

/// A cell of the differential test: text with the characters that need care.
fn cell() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "名", "1", ",", "\"", " ", "\n", "\r\n", "\r", "x y", "；"]),
        0..5,
    )
    .prop_map(|parts| parts.concat())
}

/// A table: a header `k,b,c` and rows whose first cell is a plain key (so no row is blank).
fn table_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec((0u32..1000, cell(), cell()).prop_map(|(k, b, c)| vec![format!("k{k}"), b, c]), 0..25)
}

/// Writes `rows` as CSV with the line ends chosen from `ends` (in turn) and each cell quoted
/// when it must be or when `quote_all` says so; returns the text and each row's first
/// physical line.
fn write_csv(rows: &[Vec<String>], ends: &[&str], quote: &[bool]) -> (String, Vec<u64>) {
    let mut out = String::from("k,b,c");
    let mut lines = Vec::new();
    let mut n = 0;
    let mut next_end = |out: &mut String| {
        out.push_str(ends[n % ends.len()]);
        n += 1;
    };
    next_end(&mut out);
    for (r, row) in rows.iter().enumerate() {
        lines.push(count_line_ends(out.as_bytes()) + 1);
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let must = c.contains([',', '"', '\n', '\r']);
            if must || quote[(r * 3 + i) % quote.len()] {
                out.push('"');
                out.push_str(&c.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(c);
            }
        }
        next_end(&mut out);
    }
    (out, lines)
}

/// Reads `text` as a table with the chunk target `target` (0: the default).
fn read_with_chunks(text: &str, target: usize) -> crate::table::Table {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, text).unwrap();
    CHUNK_TARGET_OVERRIDE.store(target, Ordering::Relaxed);
    let table = read_table(&table_spec(&path));
    CHUNK_TARGET_OVERRIDE.store(0, Ordering::Relaxed);
    table.unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300), header in any::<bool>()) {
        let mut input = if header { CENSUS.lines().next().unwrap().as_bytes().to_vec() } else { Vec::new() };
        if header {
            input.push(b'\n');
        }
        input.extend_from_slice(&bytes);
        check_readers(&input, "csv", TextEncoding::Auto);
        check_readers(&input, "geojson", TextEncoding::Auto);
    }

    #[test]
    fn mutated_csv_never_panics(edits in prop::collection::vec(edit(), 1..6), enc in 0usize..3) {
        let bytes = apply(CENSUS.as_bytes(), &edits);
        let encoding = [TextEncoding::Auto, TextEncoding::Utf8, TextEncoding::Gbk][enc];
        check_readers(&bytes, "csv", encoding);
    }

    #[test]
    fn mutated_geojson_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        check_readers(&apply(ZONES.as_bytes(), &edits), "geojson", TextEncoding::Auto);
    }

    #[test]
    fn written_tables_read_back_the_same_in_any_chunks(
        rows in table_rows(),
        ends in prop::collection::vec(prop::sample::select(vec!["\n", "\r\n", "\r"]), 1..4),
        quote in prop::collection::vec(any::<bool>(), 1..7),
        target in 1usize..64,
    ) {
        let (text, lines) = write_csv(&rows, &ends, &quote);
        let whole = read_with_chunks(&text, 0);
        prop_assert!(whole.rejects.is_empty(), "{:?}", whole.rejects);
        let want: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| c.trim().to_string()).collect()).collect();
        let got: Vec<Vec<String>> = whole.records.iter().map(|r| r.values.clone()).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(whole.records.iter().map(|r| r.line).collect::<Vec<_>>(), lines);
        let chunked = read_with_chunks(&text, target);
        prop_assert_eq!(chunked.records, whole.records);
        prop_assert_eq!(chunked.rejects, whole.rejects);
    }

    #[test]
    fn mutated_files_read_the_same_in_any_chunks(edits in prop::collection::vec(edit(), 1..8), target in 1usize..80) {
        let bytes = apply(CENSUS.as_bytes(), &edits);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let whole = read_table(&table_spec(&path));
        CHUNK_TARGET_OVERRIDE.store(target, Ordering::Relaxed);
        let chunked = read_table(&table_spec(&path));
        CHUNK_TARGET_OVERRIDE.store(0, Ordering::Relaxed);
        match (whole, chunked) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.records, b.records);
                prop_assert_eq!(a.rejects, b.rejects);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|t| t.rows_read), b.map(|t| t.rows_read)),
        }
    }
}

/// Reads `bytes` as a site layer with the segment size `segment` (0: the whole file at once).
fn sites_in_segments(bytes: &[u8], segment: usize) -> crate::error::Result<crate::sites::SiteLayer> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    std::fs::write(&path, bytes).unwrap();
    let tf = SiteTransforms::new(Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    let guard = segment_size(segment);
    let layer = read_sites(&site_spec(&path, TextEncoding::Auto), &GradeScheme::builtin(), &tf, &|_| ());
    crate::sites::SEGMENT_OVERRIDE.store(0, Ordering::Relaxed);
    drop(guard);
    layer
}

/// [`crate::sites::read_sites_chunked`]'s pieces put together (a restart forgets the pieces
/// before it), with segments of `segment` bytes; and how many restarts there were.
fn sites_in_pieces(bytes: &[u8], segment: usize) -> (crate::error::Result<crate::sites::SiteLayer>, usize) {
    use crate::sites::{read_sites_chunked, Piece};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    std::fs::write(&path, bytes).unwrap();
    let tf = SiteTransforms::new(Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    let (mut sites, mut rejects, mut restarts) = (Vec::new(), Vec::new(), 0);
    let guard = segment_size(segment);
    let spec = site_spec(&path, TextEncoding::Auto);
    let read = read_sites_chunked(
        &spec,
        &GradeScheme::builtin(),
        &tf,
        &|_| (),
        true,
        crate::sites::Checksum::Sha256,
        &mut |piece| {
            match piece {
                Piece::Rows { sites: s, rejects: r } => {
                    sites.extend(s);
                    rejects.extend(r);
                }
                Piece::Restart => {
                    restarts += 1;
                    sites.clear();
                    rejects.clear();
                }
            }
            Ok(())
        },
    );
    crate::sites::SEGMENT_OVERRIDE.store(0, Ordering::Relaxed);
    drop(guard);
    let layer = read.map(|r| {
        assert_eq!((r.accepted, r.rejected), (sites.len() as u64, rejects.len() as u64));
        crate::sites::SiteLayer { sites, rejects, ..r.layer }
    });
    (layer, restarts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Reading in pieces for a streamed census gives what reading whole gives, whatever the
    /// segment size and damage; a file that turns out not to be plain UTF-8 restarts once.
    #[test]
    fn site_files_read_the_same_in_pieces(
        edits in prop::collection::vec(edit(), 0..4),
        copies in 1usize..40,
        segment in 8usize..300,
    ) {
        let mut body = CENSUS.as_bytes().to_vec();
        let data = CENSUS.split_once('\n').unwrap().1;
        for _ in 1..copies {
            body.extend_from_slice(data.as_bytes());
        }
        let bytes = apply(&body, &edits);
        let whole = sites_in_segments(&bytes, 0);
        let (pieces, restarts) = sites_in_pieces(&bytes, segment);
        prop_assert!(restarts <= 1);
        match (whole, pieces) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.sites, b.sites);
                prop_assert_eq!(a.rejects, b.rejects);
                prop_assert_eq!(a.rows_read, b.rows_read);
                prop_assert_eq!(a.warnings, b.warnings);
                prop_assert_eq!(a.sha256, b.sha256);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|l| l.rows_read), b.map(|l| l.rows_read)),
        }
    }

    /// A large file read in segments gives exactly what reading it whole gives: the same
    /// sites, rejects (lines, reasons), warnings, encoding and SHA-256, or the same error,
    /// whatever the segment size, quoting, line ends, BOMs, GBK bytes or damage.
    #[test]
    fn site_files_read_the_same_in_any_segments(
        edits in prop::collection::vec(edit(), 0..4),
        copies in 1usize..60,
        segment in 8usize..300,
        bom in any::<bool>(),
    ) {
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        let mut body = CENSUS.as_bytes().to_vec();
        let data = CENSUS.split_once('\n').unwrap().1;
        for _ in 1..copies {
            body.extend_from_slice(data.as_bytes());
        }
        bytes.extend_from_slice(&apply(&body, &edits));
        let whole = sites_in_segments(&bytes, 0);
        let segmented = sites_in_segments(&bytes, segment);
        match (whole, segmented) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.sites, b.sites);
                prop_assert_eq!(a.rejects, b.rejects);
                prop_assert_eq!(a.rows_read, b.rows_read);
                prop_assert_eq!(a.warnings, b.warnings);
                prop_assert_eq!(a.encoding, b.encoding);
                prop_assert_eq!(a.headers, b.headers);
                prop_assert_eq!(a.sha256, b.sha256);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|l| l.rows_read), b.map(|l| l.rows_read)),
        }
    }
}

/// The second reading of a streamed census proves the file unchanged by its fingerprint alone:
/// the same bytes read in segments give the same fingerprint (and no SHA-256, which the first
/// reading computed), one byte more gives another.
#[test]
fn a_second_reading_compares_fingerprints() {
    use crate::sites::{read_sites_chunked, Checksum, ChunkedRead};
    use sha2::Digest;
    let mut body = CENSUS.as_bytes().to_vec();
    let data = CENSUS.split_once('\n').unwrap().1;
    for _ in 1..40 {
        body.extend_from_slice(data.as_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let tf = SiteTransforms::new(Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    let read = |bytes: &[u8], checksum: Checksum| -> ChunkedRead {
        let path = dir.path().join("s.csv");
        std::fs::write(&path, bytes).unwrap();
        let guard = segment_size(256);
        let spec = site_spec(&path, TextEncoding::Auto);
        let read = read_sites_chunked(&spec, &GradeScheme::builtin(), &tf, &|_| (), true, checksum, &mut |_| Ok(()));
        crate::sites::SEGMENT_OVERRIDE.store(0, Ordering::Relaxed);
        drop(guard);
        read.unwrap()
    };
    let first = read(&body, Checksum::Sha256);
    let again = read(&body, Checksum::Fingerprint);
    assert!(first.segmented && again.segmented);
    let sha: String = sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(first.layer.sha256, sha);
    assert_eq!(again.layer.sha256, "");
    assert!(first.fingerprint.is_some());
    assert_eq!(again.fingerprint, first.fingerprint);
    assert_eq!(again.accepted, first.accepted);
    let mut changed = body.clone();
    changed.extend_from_slice(b"\n");
    assert_ne!(read(&changed, Checksum::Fingerprint).fingerprint, first.fingerprint);
}
