//! Delimited text (CSV, TSV) as the site and table readers both read it: decoding the
//! bytes, splitting the text into records with their physical line numbers, choosing the
//! delimiter, and cutting large files into chunks that start on record starts.
//!
//! # The record splitter
//!
//! [`Records`] splits text the way the `csv` crate does for well-formed files (RFC 4180
//! quoting: `"` opens a quoted value at the start of a field, `""` inside it is a quote, text
//! after the closing quote is kept as it is; a `"` inside an unquoted value is a character),
//! with these rules for everything else:
//!
//! * **Line ends**: CR, LF and CRLF, in any mix, each end a line; a CRLF is one line end.
//!   Physical line numbers count each line end once. Empty lines are skipped (their numbers
//!   still count).
//! * **Quoted values over several lines** are read as one record when the quote closes within
//!   [`MAX_QUOTED_LINE_BREAKS`] line breaks and [`MAX_RECORD_BYTES`] bytes, the closing quote
//!   ends the value (a delimiter or line end follows it), and the record then has the
//!   header's number of fields. (When the record's last line, read on its own, is a whole row
//!   too, the lines may be two rows with a stray quote each: the record is read as CSV says,
//!   and the file gets a warning naming the line.) Otherwise the quote is unbalanced: only the
//!   physical line where it opens is rejected
//!   ([`RejectReason::UnbalancedQuote`]), and reading goes on at the next physical line. So a
//!   stray quote costs one row, never the rest of the file. A quote that does not close on a
//!   one-line record of the wrong length is handled the same way.
//! * **Size**: a record longer than [`MAX_RECORD_BYTES`] (1 MiB) is rejected
//!   ([`RejectReason::TooLong`]) without being copied: an unquoted line is skipped to its end,
//!   a quoted value stops being read at the limit.
//!
//! The decision at a record start depends only on the bytes from there on, so cutting a file
//! at record starts found by the same splitter ([`record_chunks`]) reads the same rows as
//! reading it whole, whatever the number of threads.
//!
//! # The delimiter
//!
//! `.tsv` files are tab-separated. `.csv` and `.txt` files are comma-separated unless their
//! first line (the header) holds at least one tab and no comma: then they are tab-separated
//! (Excel's "Unicode text" export is a tab-separated `.txt`). See [`sniff_delimiter`].

use crate::error::{Error, Result};
use crate::reject::RejectReason;
use crate::text::{decode_full, Decoded, TextEncoding};
use std::borrow::Cow;

/// Largest record (in bytes of decoded text) that is read; longer records are rejected with
/// [`RejectReason::TooLong`].
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Most line breaks one record may span inside quoted values; a quote still open after that
/// many is unbalanced ([`RejectReason::UnbalancedQuote`]).
pub const MAX_QUOTED_LINE_BREAKS: u64 = 64;

/// Test knob: when set (> 0), files are cut into chunks of about this many bytes whatever
/// their size, so that tests exercise the parallel path on small files. (Global: the rows
/// read never depend on the chunks, which is what the tests check.)
#[cfg(test)]
pub(crate) static CHUNK_TARGET_OVERRIDE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Bytes per chunk when `body_len` bytes are parsed in parallel, or `usize::MAX` for one
/// chunk (files under 1 MiB). `per_thread` chunks are made per rayon thread.
pub(crate) fn chunk_target(body_len: usize, per_thread: usize) -> usize {
    #[cfg(test)]
    {
        let forced = CHUNK_TARGET_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed);
        if forced > 0 {
            return forced;
        }
    }
    if body_len > 1 << 20 {
        (body_len / (rayon::current_num_threads().max(1) * per_thread)).max(1 << 18)
    } else {
        usize::MAX
    }
}

/// The decoded text of a CSV file ([`decode_full`]); the error names the file as `path`.
///
/// A byte-order mark at the start of a later line (two "CSV UTF-8" exports joined into one
/// file) is dropped: it is not part of the first value of that line.
pub(crate) fn decode_text<'a>(bytes: &'a [u8], encoding: TextEncoding, path: &str) -> Result<Decoded<'a>> {
    let mut decoded =
        decode_full(bytes, encoding).map_err(|e| Error::Format { path: path.into(), msg: e.to_string() })?;
    if decoded.text.contains("\n\u{feff}") || decoded.text.contains("\r\u{feff}") {
        let text = decoded.text.replace("\n\u{feff}", "\n").replace("\r\u{feff}", "\r");
        decoded.text = Cow::Owned(text);
    }
    Ok(decoded)
}

/// The delimiter of a `.csv`/`.txt` file (`default` = comma) or `.tsv` file (tab): tab when
/// the first line of `text` holds a tab and no comma, `default` otherwise.
pub(crate) fn sniff_delimiter(text: &str, default: u8) -> u8 {
    let first = &text.as_bytes()[..memchr::memchr2(b'\n', b'\r', text.as_bytes()).unwrap_or(text.len())];
    if default == b',' && memchr::memchr(b'\t', first).is_some() && memchr::memchr(b',', first).is_none() {
        b'\t'
    } else {
        default
    }
}

/// Line ends in `bytes`, a CRLF counting once.
pub(crate) fn count_line_ends(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

/// The offset just past the line end at `i` (`bytes[i]` is CR or LF).
fn after_line_end(bytes: &[u8], i: usize) -> usize {
    if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
        i + 2
    } else {
        i + 1
    }
}

/// A record that cannot be read, with the text of its physical line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BadRecord<'a> {
    /// Why.
    pub(crate) reason: RejectReason,
    /// The physical line (without its line end), to show in the reject.
    pub(crate) line_text: &'a str,
}

/// What [`Records::next_record`] found.
#[derive(Debug, PartialEq)]
pub(crate) enum Item<'a> {
    /// A record; its fields are in [`Records::fields`].
    Fields,
    /// A line that cannot be read.
    Bad(BadRecord<'a>),
}

/// How a quoted stretch ended.
enum QuoteEnd {
    /// Closed: the offset of the closing quote.
    Closed(usize),
    /// Still open after the limits, or at the end of the text.
    Open,
}

/// The record splitter (see the [module documentation](self)).
pub(crate) struct Records<'a> {
    /// First lines of records read over several lines whose last line is a whole row by
    /// itself (one row, or two rows with a stray quote each?), for a warning.
    pub(crate) ambiguous: Vec<u64>,
    text: &'a str,
    pos: usize,
    /// No record starts at or after this offset (the end of a chunk; the text after it is
    /// still looked at, so that a record reads the same in a chunk as in the whole file).
    stop: usize,
    line: u64,
    delimiter: u8,
    /// Fields of the header (0: not known yet, no field-count rule for quoted records).
    width: usize,
    /// The fields of the last record read.
    pub(crate) fields: Vec<Cow<'a, str>>,
}

impl<'a> Records<'a> {
    /// A splitter over `text`, whose first byte is on physical line `line`; `width` is the
    /// header's number of fields (0 when reading the header itself).
    pub(crate) fn new(text: &'a str, line: u64, delimiter: u8, width: usize) -> Self {
        Records { text, pos: 0, stop: text.len(), line, delimiter, width, fields: Vec::new(), ambiguous: Vec::new() }
    }

    /// The same splitter reading only the records that start in `start..stop` (`start` is a
    /// record start at physical line `line`).
    fn range(mut self, start: usize, stop: usize, line: u64) -> Self {
        self.pos = start.min(self.text.len());
        self.stop = stop.min(self.text.len());
        self.line = line;
        self
    }

    /// Offset of the next record start (or of the blank lines before it).
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The physical line at [`Records::position`].
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Skips empty lines; true when a record starts at `pos`.
    fn skip_blank_lines(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if b != b'\r' && b != b'\n' {
                return self.pos < self.stop;
            }
            self.pos = after_line_end(bytes, self.pos);
            self.line += 1;
        }
        false
    }

    /// The next record: `None` at the end of the text, else its physical line and whether
    /// it could be read (its fields are then in [`Records::fields`]).
    pub(crate) fn next_record(&mut self) -> Option<(u64, Item<'a>)> {
        self.fields.clear();
        if self.pos >= self.stop || !self.skip_blank_lines() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let line = self.line;
        let eol = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let next_line = if eol < bytes.len() { after_line_end(bytes, eol) } else { eol };
        let line_text = &self.text[start..eol];
        if eol - start > MAX_RECORD_BYTES {
            let reason = RejectReason::TooLong { limit: MAX_RECORD_BYTES, len: eol - start };
            return Some((line, self.bad_line(next_line, reason, line_text)));
        }
        if memchr::memchr(b'"', line_text.as_bytes()).is_none() {
            // No quote: one record per physical line, fields borrowed.
            let mut field_start = start;
            for d in memchr::memchr_iter(self.delimiter, line_text.as_bytes()) {
                self.fields.push(Cow::Borrowed(&self.text[field_start..start + d]));
                field_start = start + d + 1;
            }
            self.fields.push(Cow::Borrowed(&self.text[field_start..eol]));
            self.pos = next_line;
            self.line += 1;
            return Some((line, Item::Fields));
        }
        Some((line, self.quoted_record(start, eol, next_line)))
    }

    /// Rejects the physical line ending at `next_line` and moves past it.
    fn bad_line(&mut self, next_line: usize, reason: RejectReason, line_text: &'a str) -> Item<'a> {
        self.fields.clear();
        self.pos = next_line;
        self.line += 1;
        Item::Bad(BadRecord { reason, line_text })
    }

    /// The record at `start`, which holds a quote on its first line (which ends at `eol`;
    /// the next line starts at `next_line`).
    fn quoted_record(&mut self, start: usize, eol: usize, next_line: usize) -> Item<'a> {
        let bytes = self.text.as_bytes();
        let line_text = &self.text[start..eol];
        let mut p = start;
        let mut breaks = 0u64;
        let mut first_multiline_field = None;
        // No field end is looked for past the record limit.
        let window = (start + MAX_RECORD_BYTES + 1).min(bytes.len());
        loop {
            let field_no = self.fields.len() + 1;
            let field_end;
            if bytes.get(p) == Some(&b'"') {
                let mut value = String::new();
                let mut q = p + 1;
                let breaks_before = breaks;
                loop {
                    let before = breaks;
                    match self.close_quote(q, start, &mut breaks) {
                        QuoteEnd::Open => {
                            let reason = RejectReason::UnbalancedQuote { field: field_no, closed: None };
                            return self.bad_line(next_line, reason, line_text);
                        }
                        QuoteEnd::Closed(c) => {
                            if breaks > before && first_multiline_field.is_none() {
                                first_multiline_field = Some(field_no);
                            }
                            value.push_str(&self.text[q..c]);
                            if bytes.get(c + 1) == Some(&b'"') {
                                value.push('"');
                                q = c + 2;
                            } else {
                                q = c + 1;
                                break;
                            }
                        }
                    }
                }
                // A value over several lines must end at its closing quote: a "closing" quote
                // followed by more text is the opening quote of a later value, which a stray
                // quote has swallowed the lines up to.
                let ends_here =
                    matches!(bytes.get(q), None | Some(b'\n' | b'\r')) || bytes.get(q) == Some(&self.delimiter);
                if breaks > breaks_before && !ends_here {
                    return self.bad_line(
                        next_line,
                        RejectReason::UnbalancedQuote { field: field_no, closed: None },
                        line_text,
                    );
                }
                // Text after the closing quote is kept, up to the delimiter or line end.
                field_end = self.field_end(q, window);
                if field_end - start > MAX_RECORD_BYTES {
                    return self.too_far(first_multiline_field.unwrap_or(field_no), next_line, line_text);
                }
                value.push_str(&self.text[q..field_end]);
                self.fields.push(Cow::Owned(value));
            } else {
                field_end = self.field_end(p, window);
                if field_end - start > MAX_RECORD_BYTES {
                    return self.too_far(first_multiline_field.unwrap_or(field_no), next_line, line_text);
                }
                self.fields.push(Cow::Borrowed(&self.text[p..field_end]));
            }
            match bytes.get(field_end) {
                Some(&b) if b == self.delimiter => p = field_end + 1,
                _ => {
                    // The record ends here (line end or end of text).
                    let end = if field_end < bytes.len() { after_line_end(bytes, field_end) } else { field_end };
                    if let Some(field) = first_multiline_field {
                        if self.width > 0 && self.fields.len() != self.width {
                            let closed = Some((breaks, self.fields.len(), self.width));
                            return self.bad_line(
                                next_line,
                                RejectReason::UnbalancedQuote { field, closed },
                                line_text,
                            );
                        }
                        // Its last physical line read on its own is a whole row: one row with a
                        // value over several lines (valid CSV, read as such), or two rows with a
                        // stray quote each? Not guessed: read as CSV says, and named in a warning.
                        let last_line =
                            memchr::memrchr2(b'\n', b'\r', &bytes[start..field_end]).map_or(start, |i| start + i + 1);
                        if self.width > 0
                            && fields_alone(&bytes[last_line..field_end], self.delimiter) == Some(self.width)
                        {
                            self.ambiguous.push(self.line);
                        }
                    }
                    self.pos = end;
                    self.line += 1 + breaks;
                    return Item::Fields;
                }
            }
        }
    }

    /// The end of the field at `from`: the next delimiter or line end before `window`, else
    /// `window` (the end of the text, or past the record limit).
    fn field_end(&self, from: usize, window: usize) -> usize {
        let bytes = self.text.as_bytes();
        let from = from.min(window);
        memchr::memchr3(self.delimiter, b'\n', b'\r', &bytes[from..window]).map_or(window, |i| from + i)
    }

    /// Rejects the first line of a record that runs past [`MAX_RECORD_BYTES`]: only a record
    /// over several lines gets there (its first line is within the limit), so a quote that
    /// closed far away, in field `field`.
    fn too_far(&mut self, field: usize, next_line: usize, line_text: &'a str) -> Item<'a> {
        self.bad_line(next_line, RejectReason::UnbalancedQuote { field, closed: None }, line_text)
    }

    /// The closing quote of a quoted value whose content starts at `from` (in a record that
    /// starts at `record_start`), counting the line breaks passed in `breaks`; open when the
    /// text ends first or a limit is passed.
    fn close_quote(&self, from: usize, record_start: usize, breaks: &mut u64) -> QuoteEnd {
        let bytes = self.text.as_bytes();
        let limit = (record_start + MAX_RECORD_BYTES + 1).min(bytes.len());
        let mut i = from.min(limit);
        while let Some(k) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..limit]) {
            let at = i + k;
            if bytes[at] == b'"' {
                return QuoteEnd::Closed(at);
            }
            *breaks += 1;
            if *breaks > MAX_QUOTED_LINE_BREAKS {
                return QuoteEnd::Open;
            }
            i = after_line_end(bytes, at);
            if i > limit {
                break;
            }
        }
        QuoteEnd::Open
    }
}

/// A header cell as matched against column names: a BOM and every blank (spaces, tabs,
/// line breaks, the ideographic space U+3000) removed, so that `风险\n分级` matches `风险分级`.
pub fn header_key(cell: &str) -> String {
    cell.chars().filter(|c| !c.is_whitespace() && *c != '\u{feff}').collect()
}

/// A header cell as shown: trimmed, a BOM removed, and each run of blanks inside it (a line
/// break typed in a spreadsheet cell, say) made one space, so that no message prints a raw
/// line break.
pub fn header_display(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for word in cell.split(|c: char| c.is_whitespace() || c == '\u{feff}').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// One of the first records of a CSV file, a header candidate.
#[derive(Debug, Clone)]
pub(crate) struct HeadRecord {
    /// Its physical line.
    pub(crate) line: u64,
    /// Its cells as [`header_display`] shows them (not yet trimmed of empty cells at the end).
    pub(crate) cells: Vec<String>,
    /// Offset of the text after it.
    pub(crate) next: usize,
    /// The physical line at `next`.
    pub(crate) next_line: u64,
}

impl HeadRecord {
    /// True when the record has exactly one non-empty cell: a title above the header
    /// (`台州市2024年企业安全风险普查汇总表`) rather than a header.
    pub(crate) fn looks_like_title(&self) -> bool {
        self.cells.iter().filter(|c| !c.is_empty()).count() == 1
    }

    /// The non-empty cell of a title, as messages quote it.
    pub(crate) fn title(&self) -> String {
        crate::reject::clip(self.cells.iter().find(|c| !c.is_empty()).map_or("", String::as_str))
    }
}

/// The first `n` records of `text` (fewer when the file is shorter or a later one cannot be
/// read), for the header and the detection of a title row above it. A first line that
/// cannot be read is an error naming it.
pub(crate) fn head_records(text: &str, delimiter: u8, n: usize, path: &str) -> Result<Vec<HeadRecord>> {
    let mut records = Records::new(text, 1, delimiter, 0);
    let mut out = Vec::new();
    while out.len() < n {
        let Some((line, item)) = records.next_record() else { break };
        if let Item::Bad(bad) = item {
            if !out.is_empty() {
                // A bad data row is the readers' to reject.
                break;
            }
            return Err(Error::Format {
                path: path.into(),
                msg: format!(
                    "line {line}: the header cannot be read: {}; {} ('{}')",
                    bad.reason,
                    bad.reason.fix(),
                    crate::reject::clip(bad.line_text)
                ),
            });
        }
        let cells = records.fields.iter().map(|c| header_display(c)).collect();
        out.push(HeadRecord { line, cells, next: records.position(), next_line: records.line() });
    }
    Ok(out)
}

/// Title rows (one non-empty cell each, or none) that may stand above the header: an export's
/// title, its 填报单位/日期 line, a blank line.
pub(crate) const MAX_TITLE_ROWS: usize = 5;

/// The header a project names with `header_row = n`: the record that starts on physical
/// line `n` (lines above it are skipped, with a note when there are any). An error when no
/// record starts there (the file is shorter, or line `n` is inside a quoted value).
pub(crate) fn header_at(text: &str, delimiter: u8, n: u32, path: &str) -> Result<(HeadRecord, Option<crate::Note>)> {
    let head = head_records(text, delimiter, n as usize, path)?;
    let Some(i) = head.iter().position(|h| h.line == u64::from(n)) else {
        let last = head.last().map_or(0, |h| h.line);
        let why = if head.iter().any(|h| h.line > u64::from(n)) || last == u64::from(n) {
            format!("line {n} is inside a quoted value that starts on an earlier line")
        } else {
            format!("the file has no line {n}")
        };
        return Err(Error::Format {
            path: path.into(),
            msg: format!("header_row = {n}: {why}; give the line the header starts on, or leave header_row out"),
        });
    };
    let note = (n > 1).then(|| header_row_skipped(None, n));
    Ok((head[i].clone(), note))
}

/// The note for the lines (or a worksheet's rows) above a header the project placed with
/// `header_row = n`.
pub(crate) fn header_row_skipped(sheet: Option<&str>, n: u32) -> crate::Note {
    let mut args = vec![("header", n.to_string()), ("last", (n - 1).to_string())];
    let key = match sheet {
        None if n == 2 => "note.header_row_line",
        None => "note.header_row_lines",
        Some(s) => {
            args.push(("sheet", s.to_string()));
            if n == 2 {
                "note.header_row_row"
            } else {
                "note.header_row_rows"
            }
        }
    };
    crate::Note::new(key, args)
}

/// The note for the title rows `titles` skipped above the header at `header_line`.
pub(crate) fn title_skipped(titles: &[HeadRecord], header_line: u64) -> crate::Note {
    let first = titles.iter().find(|t| t.looks_like_title()).or(titles.first());
    let line = first.map_or(1, |t| t.line);
    let title = first.map(HeadRecord::title).unwrap_or_default();
    if titles.len() <= 1 {
        crate::Note::new(
            "note.title_line",
            vec![("line", line.to_string()), ("title", title), ("header", header_line.to_string())],
        )
    } else {
        crate::Note::new(
            "note.title_lines",
            vec![
                ("line", titles[0].line.to_string()),
                ("last", titles[titles.len() - 1].line.to_string()),
                ("title", title),
                ("header", header_line.to_string()),
            ],
        )
    }
}

/// Calls `row` with every record of `body` that starts in the chunk `(start, end, first)`
/// ([`record_chunks`]: `start` is a record start at physical line `first`) and its physical
/// line: `Ok(fields)` for a record, `Err` for a line that cannot be read. The text after
/// `end` is looked at as the whole file's reading would, so a chunk reads as it would whole.
pub(crate) fn for_each_record<'a>(
    body: &'a str,
    (start, end, first): (usize, usize, u64),
    delimiter: u8,
    width: usize,
    mut row: impl FnMut(u64, std::result::Result<&[Cow<'a, str>], BadRecord<'a>>),
) -> Vec<u64> {
    let mut records = Records::new(body, first, delimiter, width).range(start, end, first);
    while let Some((line, item)) = records.next_record() {
        match item {
            Item::Fields => row(line, Ok(&records.fields)),
            Item::Bad(bad) => row(line, Err(bad)),
        }
    }
    records.ambiguous
}

/// The number of fields of one physical line read on its own as CSV (a quote at a field
/// start opens a value that must close on the line), `None` when a quote does not close.
fn fields_alone(line: &[u8], delimiter: u8) -> Option<usize> {
    let (mut n, mut i, mut field_start) = (1, 0, true);
    while i < line.len() {
        if field_start && line[i] == b'"' {
            let mut j = i + 1;
            loop {
                let q = j + memchr::memchr(b'"', line.get(j..)?)?;
                if line.get(q + 1) == Some(&b'"') {
                    j = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            field_start = false;
            continue;
        }
        field_start = line[i] == delimiter;
        n += usize::from(field_start);
        i += 1;
    }
    Some(n)
}

/// The warning for records whose last line is a whole row by itself (first lines in
/// `lines`), or `None` when there are none.
pub(crate) fn ambiguous_warning(lines: &[u64]) -> Option<crate::Note> {
    let (first, rest) = lines.split_first()?;
    let key = if rest.is_empty() { "note.quoted_row" } else { "note.quoted_rows" };
    Some(crate::Note::new(key, vec![("line", first.to_string()), ("more", rest.len().to_string())]))
}

/// Cuts `body` (which starts on a record start, at physical line `first_line`) into pieces of
/// about `target` bytes that start on record starts, for parsing in parallel; returns each
/// piece's byte range in `body` and the physical line of its first byte. One piece when
/// `target` is at least the body's length.
///
/// Without a quote in the body every line is a record, and the pieces end at line ends
/// (never between the CR and LF of a CRLF). With quotes the record starts are found by
/// running the splitter over the body, so that the pieces are the records of a serial read.
pub(crate) fn record_chunks(
    body: &str,
    first_line: u64,
    delimiter: u8,
    width: usize,
    target: usize,
) -> Vec<(usize, usize, u64)> {
    let bytes = body.as_bytes();
    if target >= body.len() {
        return vec![(0, body.len(), first_line)];
    }
    let mut chunks = Vec::new();
    if memchr::memchr(b'"', bytes).is_none() {
        let (mut start, mut line) = (0, first_line);
        while start < bytes.len() {
            let mut end = start.saturating_add(target).min(bytes.len());
            if end < bytes.len() {
                // Never cut between the CR and LF of a CRLF.
                let from = if end > 0 && bytes[end - 1] == b'\r' { end - 1 } else { end };
                end = memchr::memchr2(b'\n', b'\r', &bytes[from..])
                    .map_or(bytes.len(), |i| after_line_end(bytes, from + i));
            }
            chunks.push((start, end, line));
            line += count_line_ends(&bytes[start..end]);
            start = end;
        }
        return chunks;
    }
    let mut records = Records::new(body, first_line, delimiter, width);
    let (mut start, mut line) = (0, first_line);
    loop {
        let (pos, at) = (records.position(), records.line());
        if pos - start >= target {
            chunks.push((start, pos, line));
            (start, line) = (pos, at);
        }
        if records.next_record().is_none() {
            break;
        }
    }
    if start < body.len() || chunks.is_empty() {
        chunks.push((start, body.len(), line));
    }
    chunks
}

#[cfg(test)]
#[path = "delimited_tests.rs"]
mod tests;
