//! Delimited text (CSV, TSV) as the site and table readers both read it: decoding the
//! bytes, the `csv` parser's settings, physical line numbers, cutting large files into
//! chunks at line ends, and parsing a chunk with the `csv` parser.

use crate::error::{Error, Result};
use crate::text::{decode, Detected, TextEncoding};
use std::borrow::Cow;

/// The text of a CSV file and the encoding found ([`decode`]); the error names the file as
/// `path`.
pub(crate) fn decode_text<'a>(bytes: &'a [u8], encoding: TextEncoding, path: &str) -> Result<(Cow<'a, str>, Detected)> {
    decode(bytes, encoding).map_err(|e| Error::Format { path: path.into(), msg: e.to_string() })
}

/// A `csv` reader over `text`: no header handling (the readers take the first record
/// themselves), rows of any length (ragged rows are the readers' to judge).
pub(crate) fn csv_reader(delimiter: u8, text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes())
}

/// Physical line numbers from byte offsets (csv's own counter is off by one after CRLF
/// headers and blank lines).
pub(crate) struct LineCounter<'a> {
    /// The text counted.
    pub(crate) bytes: &'a [u8],
    /// Offset reached so far.
    pub(crate) pos: usize,
    /// The line at `pos`.
    pub(crate) line: u64,
}

impl LineCounter<'_> {
    /// The line of the first byte of the record starting at `start` (after any line ends
    /// the parser skipped); offsets must not decrease between calls.
    pub(crate) fn line_at(&mut self, start: usize) -> u64 {
        let start = start.clamp(self.pos, self.bytes.len());
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..start]).count() as u64;
        self.pos = start;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
        self.line
    }
}

/// The error for a record the `csv` parser cannot read, with its physical line.
pub(crate) fn unreadable_csv(path: &str, err: &csv::Error, lines: &mut LineCounter) -> Error {
    let line = lines.line_at(err.position().map_or(0, |p| p.byte() as usize));
    Error::Format { path: path.into(), msg: format!("line {line}: unreadable CSV: {err}") }
}

/// Parses `chunk` (which starts on a record start, at physical line `first`) with the `csv`
/// parser and calls `row` with each record and its physical line; the first record the
/// parser cannot read is an error naming its line.
pub(crate) fn for_each_record(
    chunk: &str,
    delimiter: u8,
    first: u64,
    path: &str,
    mut row: impl FnMut(u64, &csv::StringRecord),
) -> Result<()> {
    let mut rdr = csv_reader(delimiter, chunk);
    let mut lines = LineCounter { bytes: chunk.as_bytes(), pos: 0, line: first };
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = lines.line_at(rec.position().map_or(0, |p| p.byte() as usize));
                row(line, &rec);
            }
            Err(err) => return Err(unreadable_csv(path, &err, &mut lines)),
        }
    }
}

/// Cuts `body` (which starts at byte `body_start` of `text`, on a record start) into pieces of
/// about `target` bytes that end at line ends, for parsing in parallel; returns the pieces and
/// the line number of each piece's first byte (1 + the line ends before it). One piece when
/// `target` is at least the body's length.
pub(crate) fn line_chunks(text: &str, body_start: usize, body: &str, target: usize) -> (Vec<(usize, usize)>, Vec<u64>) {
    let mut chunks = Vec::new();
    if target < body.len() {
        let mut start = 0;
        while start < body.len() {
            let mut end = start.saturating_add(target).min(body.len());
            if end < body.len() {
                end = memchr::memchr(b'\n', &body.as_bytes()[end..]).map_or(body.len(), |i| end + i + 1);
            }
            chunks.push((start, end));
            start = end;
        }
    } else {
        chunks.push((0, body.len()));
    }
    let mut first_lines = Vec::with_capacity(chunks.len());
    let mut line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..body_start]).count() as u64;
    for &(s, e) in &chunks {
        first_lines.push(line);
        line += memchr::memchr_iter(b'\n', &body.as_bytes()[s..e]).count() as u64;
    }
    (chunks, first_lines)
}

#[cfg(test)]
#[path = "delimited_tests.rs"]
mod tests;
