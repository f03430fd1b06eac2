//! Workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) as the site and table readers both read
//! them: the file read once (and hashed), checked against the [limits](super::limits),
//! the worksheets chosen, and the rows streamed to the reader with their sheet and row.
//!
//! # Which worksheets are read
//!
//! * With `sheet = "…"` in the project file: that worksheet only, even when it is hidden.
//! * Otherwise: every *visible* worksheet whose header matches the header of the first
//!   visible worksheet that has one (the same column names after trimming, trailing empty
//!   columns ignored), in workbook order, as one layer. Hidden and very hidden sheets,
//!   chart and other non-worksheet sheets, empty worksheets and worksheets with a
//!   different header are skipped, each with a warning naming it.
//!
//! # The header row
//!
//! The header is the first row that has a cell. When that row has exactly one non-blank
//! cell and the next row that has a cell has at least two non-blank cells, the first row
//! is a title (`2024年危险化学品企业普查表`): it is skipped with a warning and the next row
//! is the header. Rows after the header whose cells are all blank are not data rows.
//!
//! # Rows
//!
//! Each data row is a [`SheetRow`]: its sheet, its 1-based sheet row, its cells up to the
//! header's width, and the non-blank cells beyond it (so a stray cell in column `XFD`
//! costs one cell, not sixteen thousand).

use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::note::Note;
use crate::source::delimited::MAX_TITLE_ROWS;
use crate::source::limits::{
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_COMPRESSION_RATIO, MAX_OTHER_PART_BYTES, MAX_ROWS, MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_PART_BYTES, MAX_TOTAL_BYTES, MAX_XML_TOKEN_BYTES, RATIO_FLOOR_BYTES,
};
use calamine::{Data, DataRef, Reader, SheetType, SheetVisible};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

/// A cell as text: numbers without a fractional part are written as integers (an id typed
/// as a number is `12`, not `12.0`), errors as `#…`.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
        #[allow(unreachable_patterns, reason = "calamine may add cell types")]
        other => other.to_string(),
    }
}

/// A streamed cell as text; `None` for an empty cell.
fn cell_ref_text(d: DataRef<'_>) -> Option<String> {
    match d {
        DataRef::Empty => None,
        DataRef::SharedString(s) => Some(s.to_string()),
        DataRef::String(s) => Some(s),
        other => Some(cell_text(&Data::from(other))),
    }
}

/// The column letters of a 0-based column (`0` → `A`, `16383` → `XFD`).
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One data row of a worksheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SheetRow {
    /// The worksheet's name.
    pub(crate) sheet: Arc<str>,
    /// The 1-based sheet row.
    pub(crate) line: u64,
    /// The cells of the header's columns as text (not trimmed), `""` where there is none.
    pub(crate) cells: Vec<String>,
    /// The non-blank cells beyond the header's columns: (0-based column, text).
    pub(crate) beyond: Vec<(u32, String)>,
}

impl SheetRow {
    /// The last non-blank column beyond the header, 1-based.
    pub(crate) fn beyond_column(&self) -> Option<usize> {
        self.beyond.last().map(|&(c, _)| c as usize + 1)
    }

    /// The row as it goes to `rejects.csv`: the header's cells, then each non-blank cell
    /// beyond them as `REF=text` (e.g. `E6=多余`).
    pub(crate) fn raw(&self) -> Vec<String> {
        let mut raw = self.cells.clone();
        raw.extend(self.beyond.iter().map(|(c, t)| format!("{}{}={t}", column_letters(*c), self.line)));
        raw
    }
}

/// What reading a workbook found besides its rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkbookInfo {
    /// SHA-256 of the file's bytes, the bytes that were parsed.
    pub(crate) sha256: String,
    /// The worksheets read, in workbook order.
    pub(crate) sheets: Vec<String>,
    /// Sheets skipped and title rows skipped, one sentence each, naming the file.
    pub(crate) warnings: Vec<Note>,
}

/// The header callback of [`read_workbook`]: gets the first read worksheet's name and its
/// header cells (not trimmed, up to its last cell), returns the number of columns.
pub(crate) type OnHeader<'a> = dyn FnMut(&str, &[String]) -> Result<usize> + 'a;

/// Reads the workbook `file` (named `path` in messages): worksheet `sheet`, or every
/// visible worksheet with the first one's header (see the module documentation), the header
/// on row `header_row` of each (counted from 1; `None`: found below title rows). The header
/// goes to `on_header` once, each data row to `on_row` in workbook and sheet order.
pub(crate) fn read_workbook(
    file: &Path,
    path: &str,
    (sheet, header_row): (Option<&str>, Option<u32>),
    on_header: &mut OnHeader<'_>,
    on_row: &mut dyn FnMut(SheetRow),
) -> Result<WorkbookInfo> {
    let bytes = crate::source::read_file(file, path)?;
    let (sha256, format) = rayon::join(|| sha256_hex(&bytes), || check_archive(&bytes, path));
    let mut book = open_book(bytes, format?, path)?;
    let mut info = WorkbookInfo { sha256, ..WorkbookInfo::default() };
    let metadata: Vec<calamine::Sheet> = book.sheets_metadata();
    let chosen: Vec<&calamine::Sheet> = match sheet {
        Some(wanted) => match metadata.iter().find(|s| s.name == wanted) {
            Some(s) if s.typ == SheetType::WorkSheet => vec![s],
            Some(s) => {
                return Err(format_error(
                    path,
                    format!("'{}' is {}, not a worksheet; set `sheet` to a worksheet", s.name, sheet_kind(s.typ)),
                ))
            }
            None => {
                let list: Vec<String> = metadata.iter().map(|s| format!("'{}'", s.name)).collect();
                return Err(format_error(
                    path,
                    format!(
                        "no worksheet '{wanted}'; the workbook has: {}. Set `sheet` to one of them",
                        list.join(", ")
                    ),
                ));
            }
        },
        None => {
            let mut chosen = Vec::new();
            for s in &metadata {
                if s.typ != SheetType::WorkSheet {
                    info.warnings.push(Note::new(
                        "note.sheet_kind",
                        vec![("sheet", s.name.clone()), ("kind", sheet_kind(s.typ).to_string())],
                    ));
                } else if s.visible != SheetVisible::Visible {
                    info.warnings.push(Note::new("note.sheet_hidden", vec![("sheet", s.name.clone())]));
                } else {
                    chosen.push(s);
                }
            }
            chosen
        }
    };
    let skip_refused = chosen.len() > 1;
    let mut state =
        Reading { path, on_header, on_row, header: None, empty: Vec::new(), skip_refused, refused: None, header_row };
    for s in &chosen {
        let name: Arc<str> = Arc::from(s.name.as_str());
        let mut scan = SheetScan::new(name.clone());
        book.for_each_cell(&s.name, path, &mut |row, col, text| scan.push(row, col, text, &mut state))?;
        scan.finish(&mut state)?;
        match scan.outcome {
            Outcome::Read => info.sheets.push(s.name.clone()),
            Outcome::Empty => {
                info.warnings.push(Note::new("note.sheet_empty", vec![("sheet", s.name.clone())]));
                state.empty.push(s.name.clone());
            }
            Outcome::NoColumns => {
                info.warnings.push(Note::new("note.sheet_no_columns", vec![("sheet", s.name.clone())]));
            }
            Outcome::OtherHeader(found) => {
                let (first, header) =
                    state.header.as_ref().map(|(n, h, _)| (n.as_str(), h.as_slice())).unwrap_or_default();
                info.warnings.push(Note::new(
                    "note.sheet_other_header",
                    vec![
                        ("sheet", s.name.clone()),
                        ("found", quoted(&found)),
                        ("first", first.to_string()),
                        ("header", quoted(header)),
                    ],
                ));
            }
        }
        info.warnings.extend(scan.warnings);
    }
    if state.header.is_none() {
        return Err(state.refused.unwrap_or_else(|| no_header(path, &chosen, &state.empty, &metadata)));
    }
    Ok(info)
}

/// The error when no chosen worksheet has a header row.
fn no_header(path: &str, chosen: &[&calamine::Sheet], empty: &[String], all: &[calamine::Sheet]) -> Error {
    let msg = match (chosen, all) {
        ([only], _) => {
            format!("worksheet '{}' is empty: there is no header row; the first row must name the columns", only.name)
        }
        ([], []) => "the workbook has no worksheet".to_string(),
        ([], _) => format!(
            "the workbook has no visible worksheet ({}); name the one to read with `sheet = \"…\"`",
            all.iter().map(|s| format!("'{}'", s.name)).collect::<Vec<_>>().join(", ")
        ),
        _ => format!(
            "every visible worksheet is empty ({}): there is no header row; the first row must name the columns",
            empty.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
        ),
    };
    // Hidden worksheets were not read: say so when one of them may hold the data.
    let hidden: Vec<String> = all
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible != SheetVisible::Visible)
        .map(|s| format!("'{}'", s.name))
        .collect();
    let msg = if hidden.is_empty() || chosen.is_empty() {
        msg
    } else {
        format!("{msg}; the hidden worksheets {} were not read: name one with `sheet = \"…\"`", hidden.join(", "))
    };
    format_error(path, msg)
}

fn format_error(path: &str, msg: String) -> Error {
    Error::Format { path: path.to_string(), msg }
}

fn sheet_kind(t: SheetType) -> &'static str {
    match t {
        SheetType::WorkSheet => "a worksheet",
        SheetType::ChartSheet => "a chart sheet",
        SheetType::DialogSheet => "a dialog sheet",
        SheetType::MacroSheet => "a macro sheet",
        SheetType::Vba => "a VBA module",
    }
}

fn quoted(cells: &[String]) -> String {
    cells.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

/// A header as compared between worksheets: trimmed, BOM stripped, trailing empty cells
/// dropped.
fn normalized(header: &[String]) -> Vec<String> {
    let mut h: Vec<String> =
        header.iter().map(|c| c.trim().trim_start_matches('\u{feff}').trim().to_string()).collect();
    let width = h.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
    h.truncate(width);
    h
}

/// Whether two normalised headers name the same columns as the column lookup matches them:
/// ignoring blanks (a line break typed in a cell, a full-width space) and case.
fn same_columns(a: &[String], b: &[String]) -> bool {
    let key = |c: &String| crate::source::delimited::header_key(c).to_lowercase();
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

/// What every sheet of one read shares.
struct Reading<'a, 'b> {
    path: &'a str,
    on_header: &'a mut OnHeader<'b>,
    on_row: &'a mut dyn FnMut(SheetRow),
    /// The first read sheet's name, normalised header and width (as `on_header` returned it).
    header: Option<(String, Vec<String>, usize)>,
    /// The chosen worksheets found empty.
    empty: Vec<String>,
    /// Whether a worksheet whose first row the header callback refuses is skipped (several
    /// worksheets are read) rather than an error (one is).
    skip_refused: bool,
    /// The first refusal of a skipped worksheet: the error when no worksheet has a header.
    refused: Option<Error>,
    /// The header's row as the project gives it (`header_row`, counted from 1).
    header_row: Option<u32>,
}

/// How a sheet ended.
enum Outcome {
    /// Its rows were read.
    Read,
    /// It has no cell.
    Empty,
    /// Its header (normalised) differs from the first sheet's.
    OtherHeader(Vec<String>),
    /// Its first row is not a census header (a notes sheet before the data), and other
    /// worksheets may hold the data.
    NoColumns,
}

/// Where a sheet's scan is.
enum Stage {
    /// No row yet.
    Start,
    /// The first row does not name the columns (a title: one non-blank cell, or a 填报单位/
    /// 填报日期 line): the header is a later row, among the first [`MAX_TITLE_ROWS`] + 1, that
    /// names them and has more filled cells than every row above it (`more`: the rows after
    /// the first, kept to be read as data when no header follows).
    Title { row: u32, cells: Vec<(u32, String)>, more: Vec<(u32, Vec<(u32, String)>)> },
    /// Reading data rows `width` columns wide.
    Data { width: usize },
    /// The rest of the sheet is not read.
    Done,
}

/// Whether to go on reading a sheet.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// The cells of one sheet, assembled into rows as they come.
struct SheetScan {
    sheet: Arc<str>,
    /// The row being assembled and its cells (0-based).
    row: Option<u32>,
    cells: Vec<(u32, String)>,
    stage: Stage,
    outcome: Outcome,
    warnings: Vec<Note>,
}

fn nonblank(cells: &[(u32, String)]) -> usize {
    cells.iter().filter(|(_, t)| !t.trim().is_empty()).count()
}

/// Cells from column 0 to the last one, `""` where there is none.
fn dense(cells: &[(u32, String)]) -> Vec<String> {
    let width = cells.last().map_or(0, |&(c, _)| c as usize + 1);
    let mut out = vec![String::new(); width];
    for (c, t) in cells {
        out[*c as usize].clone_from(t);
    }
    out
}

impl SheetScan {
    fn new(sheet: Arc<str>) -> Self {
        SheetScan {
            sheet,
            row: None,
            cells: Vec::new(),
            stage: Stage::Start,
            outcome: Outcome::Empty,
            warnings: Vec::new(),
        }
    }

    /// One cell (0-based row and column, its text); cells of a row come together, rows in
    /// ascending order.
    fn push(&mut self, row: u32, col: u32, text: String, st: &mut Reading<'_, '_>) -> Result<Flow> {
        let at = || format!("{}{}", column_letters(col.min(MAX_COLUMNS - 1)), u64::from(row) + 1);
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(self.limit(
                st.path,
                &format!(
                    "a cell at row {}, column {} lies beyond the largest worksheet ({MAX_ROWS} rows, {MAX_COLUMNS} columns)",
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
            ));
        }
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(self.limit(
                st.path,
                &format!(
                    "cell {} holds {} characters, more than the {MAX_CELL_CHARS} a spreadsheet cell can hold; shorten it",
                    at(),
                    text.chars().count()
                ),
            ));
        }
        match self.row {
            Some(r) if r == row => {}
            Some(r) if row < r => {
                return Err(self.limit(
                    st.path,
                    &format!(
                        "row {} comes after row {} in the file; open the workbook in a spreadsheet program and save it again",
                        u64::from(row) + 1,
                        u64::from(r) + 1
                    ),
                ));
            }
            Some(_) => {
                if self.flush(st)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
                self.row = Some(row);
            }
            None => self.row = Some(row),
        }
        if self.cells.len() >= MAX_COLUMNS as usize {
            return Err(self.limit(st.path, &format!("row {} has more than {MAX_COLUMNS} cells", u64::from(row) + 1)));
        }
        self.cells.push((col, text));
        Ok(Flow::Go)
    }

    /// A limit error for this sheet.
    fn limit(&self, path: &str, what: &str) -> Error {
        format_error(
            path,
            format!(
                "worksheet '{}': {what}. Delete what lies outside the table, or save the sheet as CSV and read that",
                self.sheet
            ),
        )
    }

    /// The sheet's last row, after its last cell.
    fn finish(&mut self, st: &mut Reading<'_, '_>) -> Result<()> {
        if self.row.is_some() {
            self.flush(st)?;
        }
        if let Stage::Title { row, cells, more } = std::mem::replace(&mut self.stage, Stage::Done) {
            self.no_header_below(row, cells, more, st)?;
        }
        Ok(())
    }

    /// Whether `cells` name the columns: the first sheet's header as the caller accepts it,
    /// or a later sheet's header with the first one's columns. Changes nothing.
    fn names_columns(&self, cells: &[(u32, String)], st: &mut Reading<'_, '_>) -> bool {
        let found = dense(cells);
        match &st.header {
            Some((_, first, _)) => same_columns(first, &normalized(&found)),
            None => (st.on_header)(&self.sheet, &found).is_ok(),
        }
    }

    /// The rows of a sheet's head (`first`, then `more`) with no row naming the columns below
    /// the first: as before title rows were looked for, the first row with two or more cells
    /// after one-cell rows is the header (one-cell title rows above it), else the first row;
    /// the rows after the header are data. A header that does not name the columns is the
    /// caller's error (or the sheet is skipped).
    fn no_header_below(
        &mut self,
        row: u32,
        first: Vec<(u32, String)>,
        more: Vec<(u32, Vec<(u32, String)>)>,
        st: &mut Reading<'_, '_>,
    ) -> Result<Flow> {
        let mut rows = std::iter::once((row, first)).chain(more).collect::<Vec<_>>().into_iter();
        let titles = rows.as_slice().iter().take_while(|(_, c)| nonblank(c) <= 1).count();
        let at = if titles > 0 && titles < rows.len() { titles } else { 0 };
        for _ in 0..at {
            rows.next();
        }
        let Some((r, cells)) = rows.next() else { return Ok(Flow::Go) };
        if self.header(r, &cells, st)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        for (r, c) in rows {
            if self.row(r, c, st)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Go)
    }

    /// Hands on the assembled row.
    fn flush(&mut self, st: &mut Reading<'_, '_>) -> Result<Flow> {
        let row = self.row.take().unwrap_or(0);
        let mut cells = std::mem::take(&mut self.cells);
        // Cells normally come in column order; a later duplicate replaces an earlier one.
        cells.sort_by_key(|&(c, _)| c);
        cells.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(&mut later.1, &mut earlier.1);
                true
            } else {
                false
            }
        });
        self.row(row, cells, st)
    }

    fn row(&mut self, row: u32, cells: Vec<(u32, String)>, st: &mut Reading<'_, '_>) -> Result<Flow> {
        if let (Some(n), Stage::Start) = (st.header_row, &self.stage) {
            // The project names the header's row: the rows above it are skipped unread.
            let at = n.saturating_sub(1);
            if row < at {
                return Ok(Flow::Go);
            }
            if row > at {
                return Err(format_error(
                    st.path,
                    format!(
                        "worksheet '{}': header_row = {n}, but row {n} is empty; give the row the header is on, or \
                         leave header_row out",
                        self.sheet
                    ),
                ));
            }
            if n > 1 {
                self.warnings.push(crate::source::delimited::header_row_skipped(Some(&self.sheet), n));
            }
            return self.header(row, &cells, st);
        }
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Start if nonblank(&cells) >= 2 && self.names_columns(&cells, st) => self.header(row, &cells, st),
            Stage::Start if nonblank(&cells) >= 1 => {
                self.stage = Stage::Title { row, cells, more: Vec::new() };
                Ok(Flow::Go)
            }
            Stage::Start => self.header(row, &cells, st),
            Stage::Title { row: title_row, cells: title, mut more } => {
                let filled = nonblank(&cells);
                let above = more.iter().map(|(_, c)| nonblank(c)).fold(nonblank(&title), usize::max);
                if filled >= 2 && filled > above && self.names_columns(&cells, st) {
                    let text = title.iter().map(|(_, t)| t.trim()).find(|t| !t.is_empty()).unwrap_or("");
                    let mut args = vec![
                        ("sheet", self.sheet.to_string()),
                        ("line", (u64::from(title_row) + 1).to_string()),
                        ("title", crate::reject::clip(text)),
                        ("header", (u64::from(row) + 1).to_string()),
                    ];
                    let key = match more.last() {
                        None => "note.title_row",
                        Some((last, _)) => {
                            args.push(("last", (u64::from(*last) + 1).to_string()));
                            "note.title_rows"
                        }
                    };
                    self.warnings.push(Note::new(key, args));
                    self.header(row, &cells, st)
                } else if more.len() + 1 < MAX_TITLE_ROWS {
                    more.push((row, cells));
                    self.stage = Stage::Title { row: title_row, cells: title, more };
                    Ok(Flow::Go)
                } else {
                    // No header below the first rows: read them as they were written.
                    more.push((row, cells));
                    self.no_header_below(title_row, title, more, st)
                }
            }
            Stage::Data { width } => {
                self.stage = Stage::Data { width };
                if nonblank(&cells) == 0 {
                    return Ok(Flow::Go);
                }
                let split = cells.partition_point(|&(c, _)| (c as usize) < width);
                let mut beyond = cells;
                let inside: Vec<(u32, String)> = beyond.drain(..split).collect();
                beyond.retain(|(_, t)| !t.trim().is_empty());
                let mut dense_cells = dense(&inside);
                dense_cells.resize(width, String::new());
                (st.on_row)(SheetRow {
                    sheet: self.sheet.clone(),
                    line: u64::from(row) + 1,
                    cells: dense_cells,
                    beyond,
                });
                Ok(Flow::Go)
            }
            Stage::Done => Ok(Flow::Stop),
        }
    }

    /// `cells` of sheet row `row` are this sheet's header.
    fn header(&mut self, _row: u32, cells: &[(u32, String)], st: &mut Reading<'_, '_>) -> Result<Flow> {
        let found = dense(cells);
        let norm = normalized(&found);
        match &st.header {
            Some((_, first, _)) if !same_columns(first, &norm) => {
                self.outcome = Outcome::OtherHeader(norm);
                self.stage = Stage::Done;
                Ok(Flow::Stop)
            }
            Some((_, _, width)) => {
                let width = *width;
                self.outcome = Outcome::Read;
                self.stage = Stage::Data { width };
                Ok(Flow::Go)
            }
            None => {
                let width = match (st.on_header)(&self.sheet, &found) {
                    Ok(width) => width,
                    Err(e) if st.skip_refused => {
                        st.refused.get_or_insert(e);
                        self.outcome = Outcome::NoColumns;
                        self.stage = Stage::Done;
                        return Ok(Flow::Stop);
                    }
                    Err(e) => return Err(e),
                };
                st.header = Some((self.sheet.to_string(), norm, width));
                self.outcome = Outcome::Read;
                self.stage = Stage::Data { width };
                Ok(Flow::Go)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Opening the workbook.

/// The format of a workbook, from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xls,
    Ods,
}

/// An open workbook.
enum Book {
    Xlsx(calamine::Xlsx<Cursor<Vec<u8>>>),
    Xls(calamine::Xls<Cursor<Vec<u8>>>),
    Ods(calamine::Ods<Cursor<Vec<u8>>>),
}

fn open_error(path: &str, e: impl std::fmt::Display) -> Error {
    format_error(
        path,
        format!("cannot open the workbook: {e}; save it again from the spreadsheet program, or export it as CSV"),
    )
}

fn open_book(bytes: Vec<u8>, format: Format, path: &str) -> Result<Book> {
    let rs = Cursor::new(bytes);
    Ok(match format {
        Format::Xlsx => Book::Xlsx(calamine::Xlsx::new(rs).map_err(|e| open_error(path, e))?),
        Format::Xls => Book::Xls(calamine::Xls::new(rs).map_err(|e| open_error(path, e))?),
        Format::Ods => Book::Ods(calamine::Ods::new(rs).map_err(|e| open_error(path, e))?),
    })
}

impl Book {
    fn sheets_metadata(&self) -> Vec<calamine::Sheet> {
        match self {
            Book::Xlsx(b) => b.sheets_metadata().to_vec(),
            Book::Xls(b) => b.sheets_metadata().to_vec(),
            Book::Ods(b) => b.sheets_metadata().to_vec(),
        }
    }

    /// Calls `f` with each non-empty cell of worksheet `name` (0-based row and column,
    /// text), in file order, until it returns [`Flow::Stop`].
    fn for_each_cell(
        &mut self,
        name: &str,
        path: &str,
        f: &mut dyn FnMut(u32, u32, String) -> Result<Flow>,
    ) -> Result<()> {
        let unreadable = |e: &dyn std::fmt::Display| {
            format_error(path, format!("cannot read worksheet '{name}': {e}; save the sheet as CSV and read that"))
        };
        let range = match self {
            Book::Xlsx(b) => {
                let mut cells = b.worksheet_cells_reader(name).map_err(|e| unreadable(&e))?;
                while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
                    let (row, col) = cell.get_position();
                    if let Some(text) = cell_ref_text(cell.get_value().clone()) {
                        if f(row, col, text)? == Flow::Stop {
                            break;
                        }
                    }
                }
                return Ok(());
            }
            Book::Xls(b) => b.worksheet_range(name).map_err(|e| unreadable(&e))?,
            Book::Ods(b) => b.worksheet_range(name).map_err(|e| unreadable(&e))?,
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, d) in range.used_cells() {
            if f(r0 + r as u32, c0 + c as u32, cell_text(d))? == Flow::Stop {
                break;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Checking the archive before calamine parses it.

/// The compound-file signature of `.xls` workbooks.
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes` and, for a zip archive, its check against the limits.
fn check_archive(bytes: &[u8], path: &str) -> Result<Format> {
    if bytes.starts_with(&CFB_MAGIC) {
        if let Some(msg) = super::extent::xls_too_wide(bytes) {
            return Err(format_error(path, msg));
        }
        return Ok(Format::Xls);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        open_error(path, format!("it is neither a zip archive (.xlsx, .ods) nor an .xls workbook ({e})"))
    })?;
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).collect();
    let has = |n: &str| names.iter().any(|m| m.eq_ignore_ascii_case(n));
    let format = if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("content.xml") && has("mimetype") {
        Format::Ods
    } else if has("xl/workbook.bin") {
        return Err(format_error(
            path,
            "the workbook is a binary Excel workbook (.xlsb); save it as .xlsx or CSV".to_string(),
        ));
    } else {
        return Err(open_error(path, "the archive holds no workbook (no xl/workbook.xml or content.xml)"));
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| open_error(path, format!("part {} is unreadable: {e}", i + 1)))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let part = Part::of(&name, format);
        let limit = part.limit();
        let declared = entry.size();
        let compressed = entry.compressed_size();
        check_part_size(path, &name, part, declared, compressed)?;
        if !part.parsed() {
            total = total.saturating_add(declared);
            continue;
        }
        // Declared sizes may lie: decompress, counting bytes and measuring XML tokens.
        let mut counter = TokenCounter::default();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = entry.read(&mut buf).map_err(|e| open_error(path, format!("part '{name}' is damaged: {e}")))?;
            if n == 0 {
                break;
            }
            counter.feed(&buf[..n]);
            if counter.bytes > limit {
                break;
            }
            if part.xml() && counter.longest > MAX_XML_TOKEN_BYTES {
                return Err(format_error(
                    path,
                    format!(
                        "part '{name}' holds a single text or tag of more than {MAX_XML_TOKEN_BYTES} bytes (a cell holds at most {MAX_CELL_CHARS} characters); \
                         shorten the long cell, or save the sheet as CSV and read that"
                    ),
                ));
            }
        }
        check_part_size(path, &name, part, counter.bytes, compressed)?;
        drop(entry);
        if format == Format::Ods && part == Part::Sheet {
            let entry = zip.by_index(i).map_err(|e| open_error(path, format!("part '{name}' is unreadable: {e}")))?;
            match super::extent::ods_too_wide(std::io::BufReader::new(entry)) {
                Ok(None) => {}
                Ok(Some(msg)) => return Err(format_error(path, msg)),
                Err(e) => return Err(open_error(path, format!("part '{name}' is not valid XML: {e}"))),
            }
        }
        total = total.saturating_add(counter.bytes);
        if total > MAX_TOTAL_BYTES {
            return Err(format_error(
                path,
                format!(
                    "the workbook expands to more than {} once decompressed; save the sheet as CSV and read that",
                    bytes_text(MAX_TOTAL_BYTES)
                ),
            ));
        }
    }
    Ok(format)
}

/// The size checks of one part: `size` (declared or measured) against its limit and its
/// compression ratio.
fn check_part_size(path: &str, name: &str, part: Part, size: u64, compressed: u64) -> Result<()> {
    let limit = part.limit();
    if size > limit {
        return Err(format_error(
            path,
            format!(
                "{} '{name}' expands to more than {} (limit {}); split the data over several files, or save the sheet as CSV and read that",
                part.describe(),
                bytes_text(size.min(limit.saturating_add(1))),
                bytes_text(limit)
            ),
        ));
    }
    if size > RATIO_FLOOR_BYTES && size / compressed.max(1) > MAX_COMPRESSION_RATIO {
        return Err(format_error(
            path,
            format!(
                "{} '{name}' expands {} times ({} from {} bytes), more than the {MAX_COMPRESSION_RATIO} times of any real workbook: \
                 the file looks like a zip bomb. Save the sheet again from the spreadsheet program, or as CSV",
                part.describe(),
                size / compressed.max(1),
                bytes_text(size),
                compressed
            ),
        ));
    }
    Ok(())
}

fn bytes_text(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// What a part of the archive is, for its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A worksheet (`xl/worksheets/*.xml`) or an `.ods` file's `content.xml`.
    Sheet,
    /// `xl/sharedStrings.xml`.
    SharedStrings,
    /// Another XML part calamine reads (workbook, relationships, styles, metadata).
    Other,
    /// A part calamine does not read (images, macros, custom XML).
    Unread,
}

impl Part {
    fn of(name: &str, format: Format) -> Part {
        let lower = name.to_ascii_lowercase();
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        match format {
            Format::Ods if lower == "content.xml" => Part::Sheet,
            Format::Ods if xml && !lower.contains('/') => Part::Other,
            Format::Xlsx if lower.ends_with("sharedstrings.xml") => Part::SharedStrings,
            Format::Xlsx if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") => Part::Sheet,
            Format::Xlsx
                if xml && (lower.starts_with("xl/") || !lower.contains('/') || lower.starts_with("_rels/")) =>
            {
                Part::Other
            }
            _ => Part::Unread,
        }
    }

    fn limit(self) -> u64 {
        match self {
            Part::Sheet => MAX_SHEET_PART_BYTES,
            Part::SharedStrings => MAX_SHARED_STRINGS_BYTES,
            Part::Other => MAX_OTHER_PART_BYTES,
            Part::Unread => MAX_SHEET_PART_BYTES,
        }
    }

    /// Whether calamine parses the part (and it is decompressed to check it).
    fn parsed(self) -> bool {
        self != Part::Unread
    }

    fn xml(self) -> bool {
        self.parsed()
    }

    fn describe(self) -> &'static str {
        match self {
            Part::Sheet => "the worksheet part",
            Part::SharedStrings => "the shared strings part",
            Part::Other | Part::Unread => "the part",
        }
    }
}

/// Counts bytes and the longest run between `<` and `>` characters.
#[derive(Default)]
struct TokenCounter {
    bytes: u64,
    run: u64,
    longest: u64,
}

impl TokenCounter {
    fn feed(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        let mut start = 0;
        for pos in memchr::memchr2_iter(b'<', b'>', chunk) {
            self.run += (pos - start) as u64;
            self.longest = self.longest.max(self.run);
            self.run = 0;
            start = pos + 1;
        }
        self.run += (chunk.len() - start) as u64;
        self.longest = self.longest.max(self.run);
    }
}

#[cfg(test)]
#[path = "workbook_tests.rs"]
mod tests;
