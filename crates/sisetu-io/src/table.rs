//! Generic tables: facility layers (shelters, fire stations), population tables, weight
//! points. CSV (UTF-8, UTF-8 BOM, GBK), XLSX and GeoJSON, read into text cells.
//!
//! [`read_table`] reads a whole file into a [`Table`]: a header and one [`Record`] per data
//! row (or GeoJSON feature), with every value as trimmed text. Interpreting the values
//! (numbers, names, coordinates) is left to the caller: [`Table::column`] and
//! [`Table::require`] find columns and [`parse_quantity`] reads numbers as census exports
//! write them. Rows that cannot be read at all are [`Table::rejects`] with their line and
//! reason (undecodable bytes in a damaged encoding, a value in a column the header does not
//! have, a blank row, an unsupported or malformed GeoJSON geometry), so
//! `rows_read = records + rejects` always. File-level problems (unreadable file, unknown
//! file type, empty file, duplicate headers, malformed GeoJSON) are errors.

use crate::error::{Error, Result};
use crate::hash::sha256_hex;
pub use crate::reject::Reject;
use crate::reject::{clip_raw, RejectReason, RowParts};
use crate::source::delimited::{
    ambiguous_warning, chunk_target, decode_text, for_each_record, head_records, header_at, header_display, header_key,
    record_chunks, sniff_delimiter, title_skipped, HeadRecord, MAX_TITLE_ROWS,
};
use crate::source::features::{geojson_polygon, geojson_polygons, geojson_ring, json_text};
use crate::source::workbook::{read_workbook, SheetRow};
use crate::source::{read_file, Delimiter, ReadAs, SourceKind};
use crate::text::{Detected, TextEncoding};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where and how to read a table.
#[derive(Debug, Clone, Default)]
pub struct TableSpec {
    /// The file: `.csv`/`.txt` (`.tsv`: tab-separated), `.xlsx`/`.xlsm`/`.xls`/`.ods` or
    /// `.geojson`/`.json`.
    pub path: PathBuf,
    /// How the file is named in messages (the path as the user wrote it).
    pub display: String,
    /// Text encoding of CSV files.
    pub encoding: TextEncoding,
    /// Worksheet of a workbook (default: every visible worksheet with the first one's
    /// header, see [`read_table`]).
    pub sheet: Option<String>,
    /// The header's line (CSV) or row (worksheet), counted from 1, everything above it
    /// skipped; `None`: the first, or the first below title rows.
    pub header_row: Option<u32>,
}

/// One data row (or GeoJSON feature).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// CSV: physical line of the row's first line (the header is line 1 when it is the
    /// first line; line breaks inside quoted values count). XLSX: sheet row (1-based).
    /// GeoJSON: feature number (1-based).
    pub line: u64,
    /// One value per header, trimmed; cells missing at the end of the row are `""`.
    pub values: Vec<String>,
    /// GeoJSON only: the Point, MultiPoint, (Multi)LineString, Polygon or MultiPolygon in the file's
    /// coordinates; `None` for a null geometry and for CSV and XLSX rows.
    pub geometry: Option<geo::Geometry<f64>>,
    /// The worksheet of a workbook row (a table may be read from several, see
    /// [`read_table`]); `None` for other files.
    pub sheet: Option<Arc<str>>,
}

/// The format of a table: the [`SourceKind`] of its file (never
/// [`SourceKind::Shapefile`], which [`read_table`] refuses).
pub type TableKind = SourceKind;

/// A table read by [`read_table`].
#[derive(Debug, Clone)]
pub struct Table {
    /// How the file is named in messages ([`TableSpec::display`]).
    pub display: String,
    /// CSV/XLSX: the header row (trimmed, BOM stripped, empty cells at its end dropped).
    /// GeoJSON: the property keys of all features, in order of first appearance.
    pub headers: Vec<String>,
    /// The rows that were read, in file order.
    pub records: Vec<Record>,
    /// The rows that could not be read, in file order; `raw` holds their cells as far as
    /// they are known.
    pub rejects: Vec<Reject>,
    /// Data rows read (header excluded) = records + rejects.
    pub rows_read: u64,
    /// The encoding found (CSV only).
    pub encoding: Option<Detected>,
    /// SHA-256 of the file's bytes (lowercase hex): of the bytes read, the ones parsed.
    pub sha256: String,
    /// Warnings about the file as a whole (not naming it): a title row skipped above the
    /// header, lines in different text encodings, worksheets skipped (hidden, another header,
    /// empty).
    pub warnings: Vec<crate::Note>,
    /// The format.
    pub kind: SourceKind,
}

/// Reads a table: CSV, workbook or GeoJSON according to the file extension
/// ([`SourceKind::of`]).
///
/// A workbook is read from the worksheet [`TableSpec::sheet`] names, or else from every
/// visible worksheet whose header matches the first one's, in workbook order; the sheets
/// skipped are named in [`Table::warnings`] and each row keeps its sheet
/// ([`Record::sheet`], [`Reject::sheet`]). Workbooks are read within the limits of
/// [`crate::source::limits`].
pub fn read_table(spec: &TableSpec) -> Result<Table> {
    match SourceKind::of(&spec.path, &spec.display, ReadAs::Table)? {
        SourceKind::Csv(delimiter) => read_csv(spec, delimiter),
        SourceKind::Workbook => read_sheet(spec),
        SourceKind::GeoJson => read_geojson(spec),
        kind @ (SourceKind::Shapefile | SourceKind::Parquet) => {
            Err(ReadAs::Table.refuse(kind, &spec.path, &spec.display))
        }
    }
}

/// Header comparison for default names: blanks (also inside the name, such as a line break
/// typed in a cell) and a BOM ignored ([`header_key`]), ASCII case ignored.
fn same_header(a: &str, b: &str) -> bool {
    header_key(a).eq_ignore_ascii_case(&header_key(b))
}

fn quoted_list(names: &[impl AsRef<str>], sep: &str) -> String {
    names.iter().map(|n| format!("'{}'", n.as_ref())).collect::<Vec<_>>().join(sep)
}

impl Table {
    /// The headers as listed in messages.
    fn found(&self) -> String {
        if self.headers.is_empty() {
            "no columns".to_string()
        } else {
            quoted_list(&self.headers, ", ")
        }
    }

    fn missing(&self, role: &str, wanted: String, key: &str) -> Error {
        Error::MissingColumn {
            path: self.display.clone(),
            role: role.to_string(),
            wanted,
            found: self.found(),
            key: key.to_string(),
        }
    }

    /// Looks up a column; `Err` carries what was looked for when nothing matched.
    fn lookup(&self, wanted: Option<&str>, defaults: &[&str]) -> Result<usize, String> {
        match wanted {
            Some(w) => {
                let w = w.trim();
                self.headers
                    .iter()
                    .position(|h| h == w)
                    .or_else(|| self.headers.iter().position(|h| header_key(h) == header_key(w)))
                    .ok_or_else(|| format!("'{w}'"))
            }
            None => {
                defaults.iter().find_map(|d| self.headers.iter().position(|h| same_header(h, d))).ok_or_else(|| {
                    if defaults.is_empty() {
                        "no name given".to_string()
                    } else {
                        quoted_list(defaults, " or ")
                    }
                })
            }
        }
    }

    /// Index of a column. With `wanted`, the header equal to it (trimmed; an error
    /// [`Error::MissingColumn`] listing the file's headers when there is none). Without,
    /// the first of `defaults` (in their order of preference) that some header equals,
    /// ignoring ASCII case and surrounding blanks; `Ok(None)` when none does. `role` names
    /// the column in messages, e.g. "area (有效面积)".
    ///
    /// The error names the project-file key as the first word of `role` ("area"); use
    /// [`Table::require`] to name it exactly.
    pub fn column(&self, wanted: Option<&str>, defaults: &[&str], role: &str) -> Result<Option<usize>> {
        match self.lookup(wanted, defaults) {
            Ok(i) => Ok(Some(i)),
            Err(_) if wanted.is_none() => Ok(None),
            Err(looked_for) => {
                let key = role.split_whitespace().next().unwrap_or(role);
                Err(self.missing(role, looked_for, key))
            }
        }
    }

    /// Like [`Table::column`], but the column must exist: the error lists `defaults` (or
    /// `wanted`) and the file's headers, and says that the project-file key `key` (e.g.
    /// "columns.area") names the column.
    pub fn require(&self, wanted: Option<&str>, defaults: &[&str], role: &str, key: &str) -> Result<usize> {
        self.lookup(wanted, defaults).map_err(|looked_for| self.missing(role, looked_for, key))
    }
}

/// Parses a number the way census exports write them: surrounding blanks, thousands
/// separators ("1,234.5"), full-width digits, point and comma ("１，２３４．５") and a
/// trailing unit ("m²", "㎡", "平方米", "人") are accepted; `None` for an empty value, for
/// anything else, and for values that are not finite.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let mut t = s.trim();
    for unit in ["平方米", "m²", "㎡", "人"] {
        if let Some(rest) = t.strip_suffix(unit) {
            t = rest.trim_end();
            break;
        }
    }
    // Half-width copy: full-width digits, point, comma and signs are common in exports.
    let mut ascii = String::with_capacity(t.len());
    for c in t.chars() {
        ascii.push(match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' => '-',
            '＋' => '+',
            '0'..='9' | '.' | ',' | '-' | '+' | 'e' | 'E' => c,
            _ => return None,
        });
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = ascii.strip_prefix(['-', '+']).unwrap_or(&ascii);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() || !digits(frac) {
        return None;
    }
    // Thousands separators: groups of three digits after the first group of one to three.
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || !digits(first) || !groups.all(|g| g.len() == 3 && digits(g)) {
            return None;
        }
    } else if !digits(int) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    let v: f64 = ascii.replace(',', "").parse().ok()?;
    v.is_finite().then_some(v)
}

/// Normalised header cells ([`header_display`]: trimmed, BOM stripped, blanks inside made one
/// space), empty cells at the end dropped.
/// Errors when nothing is left or a name is used twice. `what` is "the file" or the sheet.
fn header_of(cells: impl Iterator<Item = String>, path: &str, what: &str) -> Result<Vec<String>> {
    let mut headers: Vec<String> = cells.map(|h| header_display(&h)).collect();
    let width = headers.iter().rposition(|h| !h.is_empty()).map_or(0, |i| i + 1);
    headers.truncate(width);
    if headers.is_empty() {
        return Err(Error::Format {
            path: path.into(),
            msg: format!("{what} has no header: its first row is blank; the first row must name the columns"),
        });
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(j) = seen.insert(h, i) {
            return Err(Error::Format {
                path: path.into(),
                msg: format!(
                    "the header names column '{h}' twice (columns {} and {}); rename one of them so that every column has its own name",
                    j + 1,
                    i + 1
                ),
            });
        }
    }
    Ok(headers)
}

/// A data row of a CSV file or worksheet: a record, or a reject when its cells cannot be
/// read. `cell(i)` gives the row's `len` cells as found (not trimmed).
#[allow(
    clippy::result_large_err,
    reason = "a reject is about as large as the record it stands for, and each is moved once"
)]
fn row_outcome<'r>(
    cell: impl Fn(usize) -> Option<&'r str>,
    len: usize,
    width: usize,
    line: u64,
    damaged: bool,
) -> std::result::Result<Record, Reject> {
    let cells = || (0..len).map(|i| cell(i).unwrap_or(""));
    let reject = |reason: RejectReason| Reject { line, reason, raw: clip_raw(cells()), sheet: None };
    if damaged && cells().any(|c| c.contains('\u{FFFD}')) {
        return Err(reject(RejectReason::Undecodable));
    }
    match (0..len).rposition(|i| !cell(i).unwrap_or("").trim().is_empty()) {
        Some(last) if last >= width => {
            return Err(reject(RejectReason::ValueBeyondHeader { column: last + 1, width }));
        }
        Some(_) => {}
        None => return Err(reject(RejectReason::EmptyRow { parts: RowParts::Cells })),
    }
    let values = (0..width).map(|i| cell(i).map_or("", str::trim).to_string()).collect();
    Ok(Record { line, values, geometry: None, sheet: None })
}

/// Sorts row outcomes into the table.
fn push_row(table: &mut Table, row: std::result::Result<Record, Reject>) {
    table.rows_read += 1;
    match row {
        Ok(r) => table.records.push(r),
        Err(r) => table.rejects.push(r),
    }
}

fn empty_table(spec: &TableSpec, kind: SourceKind, sha256: String) -> Table {
    Table {
        display: spec.display.clone(),
        headers: Vec::new(),
        records: Vec::new(),
        rejects: Vec::new(),
        rows_read: 0,
        encoding: None,
        sha256,
        warnings: Vec::new(),
        kind,
    }
}

fn read_csv(spec: &TableSpec, delimiter: Delimiter) -> Result<Table> {
    let path = spec.display.as_str();
    // One read: the hash is of the very bytes parsed.
    let bytes = read_file(&spec.path, path)?;
    let (sha256, parsed) = rayon::join(|| sha256_hex(&bytes), || parse_csv(&bytes, spec, delimiter.byte()));
    let parsed = parsed?;
    let mut table = empty_table(spec, SourceKind::Csv(delimiter), sha256);
    table.headers = parsed.headers;
    table.encoding = Some(parsed.detected);
    table.warnings = parsed.warnings;
    table.records.reserve_exact(parsed.rows.iter().map(|c| c.records.len()).sum());
    for c in parsed.rows {
        table.records.extend(c.records);
        table.rejects.extend(c.rejects);
    }
    table.rows_read = (table.records.len() + table.rejects.len()) as u64;
    Ok(table)
}

/// Data rows of a stretch of a file, in file order.
#[derive(Default)]
struct Rows {
    records: Vec<Record>,
    rejects: Vec<Reject>,
    /// First lines of records whose last line is a whole row by itself.
    ambiguous: Vec<u64>,
}

/// A CSV file parsed by [`parse_csv`].
struct ParsedCsv {
    headers: Vec<String>,
    detected: Detected,
    warnings: Vec<crate::Note>,
    /// The data rows in chunks, in file order.
    rows: Vec<Rows>,
}

/// The header record of a table: the first record, unless the first is a title row (one
/// non-empty cell). Then up to [`MAX_TITLE_ROWS`] rows are skipped as the export's preamble:
/// rows with at most one filled cell, or (a 填报单位 … 填报日期 line) at most a third as
/// many as the widest of the first rows; the header is the next record with two or more. With
/// the warning for the rows skipped.
fn table_header(
    text: &str,
    delimiter: u8,
    header_row: Option<u32>,
    path: &str,
) -> Result<(Option<HeadRecord>, Option<crate::Note>)> {
    if let Some(n) = header_row {
        return header_at(text, delimiter, n, path).map(|(h, note)| (Some(h), note));
    }
    let head = head_records(text, delimiter, MAX_TITLE_ROWS + 1, path)?;
    let Some(first) = head.first() else { return Ok((None, None)) };
    if !first.looks_like_title() {
        return Ok((Some(first.clone()), None));
    }
    let filled = |h: &HeadRecord| h.cells.iter().filter(|c| !c.is_empty()).count();
    let preamble = (head.iter().map(filled).max().unwrap_or(0) / 3).max(1);
    let titles = head.iter().take(MAX_TITLE_ROWS).take_while(|h| filled(h) <= preamble).count();
    match head.get(titles).filter(|h| filled(h) >= 2) {
        Some(header) => Ok((Some(header.clone()), Some(title_skipped(&head[..titles], header.line)))),
        None => Ok((Some(first.clone()), None)),
    }
}

/// Decodes and parses a CSV file: its header, the encoding found, warnings and the data rows
/// in chunks (in file order).
///
/// Large files are cut at record starts ([`record_chunks`]) and the pieces parsed in
/// parallel; the rows are the same for any number of pieces.
fn parse_csv(bytes: &[u8], spec: &TableSpec, delimiter: u8) -> Result<ParsedCsv> {
    use rayon::prelude::*;
    let path = spec.display.as_str();
    let decoded = decode_text(bytes, spec.encoding, path)?;
    let text: &str = decoded.text.as_ref();
    let delimiter = sniff_delimiter(text, delimiter);
    let (header, title) = table_header(text, delimiter, spec.header_row, path)?;
    let Some(header) = header else {
        return Err(Error::Format {
            path: path.into(),
            msg: "the file is empty: there is no header row; the first line must name the columns".into(),
        });
    };
    let headers = header_of(header.cells.iter().cloned(), path, "the file")?;
    let width = headers.len();
    let damaged = decoded.damaged;
    let body = text.get(header.next..).unwrap_or("");
    let raw_width = header.cells.len();
    let chunks = record_chunks(body, header.next_line, delimiter, raw_width, chunk_target(body.len(), 4));
    let parse_chunk = |chunk: (usize, usize, u64)| -> Rows {
        let mut rows = Rows::default();
        rows.ambiguous = for_each_record(body, chunk, delimiter, raw_width, |line, rec| {
            let outcome = match rec {
                Ok(fields) => row_outcome(|i| fields.get(i).map(AsRef::as_ref), fields.len(), width, line, damaged),
                Err(bad) => {
                    Err(Reject { line, reason: bad.reason, raw: clip_raw(std::iter::once(bad.line_text)), sheet: None })
                }
            };
            match outcome {
                Ok(r) => rows.records.push(r),
                Err(r) => rows.rejects.push(r),
            }
        });
        rows
    };
    let rows = if chunks.len() == 1 {
        vec![parse_chunk(chunks[0])]
    } else {
        chunks.par_iter().map(|&c| parse_chunk(c)).collect()
    };
    let ambiguous: Vec<u64> = rows.iter().flat_map(|r| r.ambiguous.iter().copied()).collect();
    let warnings = title.into_iter().chain(decoded.warning).chain(ambiguous_warning(&ambiguous)).collect();
    Ok(ParsedCsv { headers, detected: decoded.detected, warnings, rows })
}

/// Reads a workbook: the worksheet named in the spec, or every visible worksheet with the
/// first one's header ([`read_workbook`]). Records and rejects carry their sheet; sheets
/// skipped are named in [`Table::warnings`].
fn read_sheet(spec: &TableSpec) -> Result<Table> {
    let path = spec.display.as_str();
    let mut headers = Vec::new();
    let mut rows: Vec<std::result::Result<Record, Reject>> = Vec::new();
    let mut on_header = |sheet: &str, cells: &[String]| -> Result<usize> {
        headers = header_of(cells.iter().cloned(), path, &format!("worksheet '{sheet}'"))?;
        Ok(headers.len())
    };
    let mut on_row = |row: SheetRow| {
        let width = row.cells.len();
        let outcome = match row.beyond_column() {
            Some(column) => Err(Reject {
                line: row.line,
                reason: RejectReason::ValueBeyondHeader { column, width },
                raw: row.raw(),
                sheet: None,
            }),
            None => row_outcome(|k| row.cells.get(k).map(String::as_str), width, width, row.line, false),
        };
        rows.push(match outcome {
            Ok(r) => Ok(Record { sheet: Some(row.sheet), ..r }),
            Err(r) => Err(Reject { sheet: Some(row.sheet), ..r }),
        });
    };
    let info = read_workbook(&spec.path, path, (spec.sheet.as_deref(), spec.header_row), &mut on_header, &mut on_row)?;
    let mut table = empty_table(spec, SourceKind::Workbook, info.sha256);
    table.headers = headers;
    table.warnings = info.warnings;
    for row in rows {
        push_row(&mut table, row);
    }
    Ok(table)
}

// ---------------------------------------------------------------------------------------
// GeoJSON, read feature by feature: a million points never exist as JSON values at once,
// property keys keep the file's order, and a feature with a malformed geometry is a reject
// instead of failing the file.

/// The `properties` member of a feature.
enum Props {
    /// Key-value pairs in file order.
    Object(Vec<(String, serde_json::Value)>),
    /// `null`.
    Null,
    /// Anything else: the JSON type found.
    Invalid(&'static str),
}

impl<'de> de::Deserialize<'de> for Props {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Props;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Props, A::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    pairs.push((k, v));
                }
                Ok(Props::Object(pairs))
            }
            fn visit_unit<E>(self) -> std::result::Result<Props, E> {
                Ok(Props::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Props, E> {
                Ok(Props::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Props, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Props::Invalid("an array"))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Props, E> {
                Ok(Props::Invalid("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Props, E> {
                Ok(Props::Invalid("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Props, E> {
                Ok(Props::Invalid("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Props, E> {
                Ok(Props::Invalid("a number"))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Props, E> {
                Ok(Props::Invalid("a string"))
            }
        }
        d.deserialize_any(V)
    }
}

/// One element of `features` (or the top-level object of a single-Feature file).
#[derive(Default)]
struct RawFeature {
    /// The `type` member when it is a string; `Some("(not a string)")` otherwise.
    kind: Option<String>,
    props: Option<Props>,
    geometry: Option<serde_json::Value>,
    /// The element is not a JSON object: the type found.
    not_object: Option<&'static str>,
}

/// Reads the members of an object that matter for a feature. At the top level of a file
/// (`collection` given), the elements of a `features` array go to `collection` as they
/// are read; the `bool` says whether there was one.
fn visit_feature_members<'de, A: MapAccess<'de>>(
    mut map: A,
    mut collection: Option<&mut Features>,
) -> std::result::Result<(RawFeature, bool), A::Error> {
    let mut f = RawFeature::default();
    let mut had_features = false;
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "type" => {
                f.kind = Some(match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::String(s) => s,
                    _ => "(not a string)".to_string(),
                });
            }
            "properties" => f.props = Some(map.next_value::<Props>()?),
            "geometry" => f.geometry = Some(map.next_value::<serde_json::Value>()?),
            "features" if collection.is_some() => {
                if let Some(acc) = collection.as_deref_mut() {
                    map.next_value_seed(FeatureSeq(acc))?;
                }
                had_features = true;
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok((f, had_features))
}

impl<'de> de::Deserialize<'de> for RawFeature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFeature;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<RawFeature, A::Error> {
                Ok(visit_feature_members(map, None)?.0)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<RawFeature, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawFeature { not_object: Some("an array"), ..Default::default() })
            }
            fn visit_unit<E>(self) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("null"), ..Default::default() })
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("a boolean"), ..Default::default() })
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("a number"), ..Default::default() })
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("a number"), ..Default::default() })
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("a number"), ..Default::default() })
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<RawFeature, E> {
                Ok(RawFeature { not_object: Some("a string"), ..Default::default() })
            }
        }
        d.deserialize_any(V)
    }
}

/// Features as they are read: header union, records, rejects.
struct Features {
    headers: Vec<String>,
    index: HashMap<String, usize>,
    records: Vec<Record>,
    rejects: Vec<Reject>,
    count: u64,
}

impl Features {
    fn push(&mut self, f: RawFeature) {
        self.count += 1;
        let n = self.count;
        let mut values: Vec<String> = vec![String::new(); self.headers.len()];
        let mut reason = None;
        match f.props {
            Some(Props::Object(pairs)) => {
                for (k, v) in pairs {
                    let i = match self.index.get(&k) {
                        Some(&i) => i,
                        None => {
                            self.headers.push(k.clone());
                            self.index.insert(k, self.headers.len() - 1);
                            values.push(String::new());
                            self.headers.len() - 1
                        }
                    };
                    values[i] = json_text(&v).trim().to_string();
                }
            }
            Some(Props::Invalid(found)) => reason = Some(RejectReason::Properties { feature: n, found }),
            Some(Props::Null) | None => {}
        }
        if let Some(found) = f.not_object {
            reason = Some(RejectReason::NotAFeature { feature: n, found });
        } else if let Some(kind) = f.kind.filter(|k| k != "Feature") {
            reason = Some(RejectReason::FeatureType { feature: n, kind });
        }
        let geometry = match (reason.is_some(), f.geometry) {
            (true, _) | (false, None | Some(serde_json::Value::Null)) => None,
            (false, Some(g)) => match feature_geometry(g) {
                Ok(g) => Some(g),
                Err(problem) => {
                    reason = Some(RejectReason::Geometry { feature: Some(n), problem });
                    None
                }
            },
        };
        match reason {
            Some(reason) => self.rejects.push(Reject { line: n, reason, raw: values, sheet: None }),
            None => self.records.push(Record { line: n, values, geometry, sheet: None }),
        }
    }
}

/// A feature's geometry as a geo geometry; the error says what is wrong with it.
fn feature_geometry(g: serde_json::Value) -> std::result::Result<geo::Geometry<f64>, String> {
    use geojson::GeometryValue as G;
    let g: geojson::Geometry = serde_json::from_value(g).map_err(|e| format!("unreadable geometry: {e}"))?;
    Ok(match &g.value {
        G::Point { coordinates } => {
            let ring = geojson_ring(std::slice::from_ref(coordinates))?;
            match ring.0.first() {
                Some(&c) => geo::Geometry::Point(geo::Point(c)),
                None => return Err("a Point with no position".into()),
            }
        }
        G::MultiPoint { coordinates } => {
            geo::Geometry::MultiPoint(geojson_ring(coordinates)?.0.into_iter().map(geo::Point).collect())
        }
        G::LineString { coordinates } => geo::Geometry::LineString(geojson_ring(coordinates)?),
        G::MultiLineString { coordinates } => geo::Geometry::MultiLineString(geo::MultiLineString(
            coordinates.iter().map(|l| geojson_ring(l)).collect::<std::result::Result<_, _>>()?,
        )),
        G::Polygon { coordinates } => geo::Geometry::Polygon(geojson_polygon(coordinates)?),
        G::MultiPolygon { .. } => match geojson_polygons(&g.value)? {
            Some(mp) => geo::Geometry::MultiPolygon(mp),
            None => return Err("unreadable MultiPolygon".into()),
        },
        other => {
            return Err(format!(
                "the geometry is a {}; tables take Point, MultiPoint, LineString, MultiLineString, Polygon or \
                 MultiPolygon features",
                other.type_name()
            ))
        }
    })
}

/// `features`: a JSON array, each element pushed as it is read.
struct FeatureSeq<'a>(&'a mut Features);

impl<'de> DeserializeSeed<'de> for FeatureSeq<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeq<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(f) = seq.next_element::<RawFeature>()? {
            self.0.push(f);
        }
        Ok(())
    }
}

/// The top-level object: `type`, then `features` streamed, or a single Feature's members.
struct TopLevel<'a>(&'a mut Features);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = (RawFeature, bool);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = (RawFeature, bool);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
        visit_feature_members(map, Some(self.0))
    }
}

fn read_geojson(spec: &TableSpec) -> Result<Table> {
    let path = spec.display.as_str();
    let bytes = read_file(&spec.path, path)?;
    let format = |msg: String| Error::Format { path: path.into(), msg };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(format("the file is empty; a table in GeoJSON must be a FeatureCollection".into()));
    }
    let mut features =
        Features { headers: Vec::new(), index: HashMap::new(), records: Vec::new(), rejects: Vec::new(), count: 0 };
    let mut de = serde_json::Deserializer::from_slice(body);
    let (top, had_features) = TopLevel(&mut features)
        .deserialize(&mut de)
        .and_then(|top| de.end().map(|()| top))
        .map_err(|e| format(format!("not valid GeoJSON: {e}")))?;
    match top.kind.as_deref() {
        Some("FeatureCollection") if had_features => {}
        Some("FeatureCollection") => return Err(format("the FeatureCollection has no 'features' array".into())),
        Some("Feature") if !had_features => features.push(top),
        Some("Feature") => {
            return Err(format(
                "the file is a single Feature with a 'features' member; make it a FeatureCollection".into(),
            ))
        }
        Some(kind) => {
            return Err(format(format!(
                "the file is a GeoJSON '{kind}'; a table in GeoJSON must be a FeatureCollection (or a single Feature)"
            )))
        }
        None => return Err(format(
            "the top-level object has no 'type'; a table in GeoJSON must be a FeatureCollection (or a single Feature)"
                .into(),
        )),
    }
    let Features { headers, records, rejects, count, .. } = features;
    let mut table = empty_table(spec, SourceKind::GeoJson, sha256_hex(&bytes));
    let width = headers.len();
    table.records = records;
    table.rejects = rejects;
    for r in &mut table.records {
        r.values.resize(width, String::new());
    }
    for r in &mut table.rejects {
        r.raw.resize(width, String::new());
    }
    table.headers = headers;
    table.rows_read = count;
    Ok(table)
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
