//! A table written twice in one pass: as CSV (UTF-8 with a BOM, formula-like text behind an
//! apostrophe, [`super::write_csv_bom`]'s rules) and as an Excel workbook (`.xlsx`, through
//! `rust_xlsxwriter`) that Excel, WPS and LibreOffice open with the right cell types:
//!
//! * [`CellKind::Text`] columns are text cells, always: an 18-digit 统一社会信用代码 or a
//!   district code such as `650102` stays exactly as written (a spreadsheet opening the CSV
//!   would turn `916501004635304xxx` into `9.16501E+17`), and formula-like text is text, never
//!   evaluated;
//! * [`CellKind::Number`] columns are numbers (empty cells stay empty; a value that is not a
//!   number is written as text);
//! * [`CellKind::Level`] columns are text filled with the level's colour (重大风险/red …).
//!
//! The header is bold and frozen, the columns as wide as their widest cell (up to 60
//! characters), the sheet named in Chinese. The workbook holds no time stamp (its creation time
//! is fixed), so the same table gives the same bytes. Rows are streamed to the workbook
//! (`rust_xlsxwriter`'s constant-memory mode): memory does not grow with the rows.
//!
//! A table of more rows than a worksheet holds ([`MAX_XLSX_ROWS`]) is written as CSV only:
//! [`Written::xlsx`] is then false.

use crate::error::{Error, Result};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook};
use std::path::Path;

/// What a column holds, for the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text, kept as written (ids, codes, names, reasons).
    Text,
    /// A number (counts, areas, shares); empty stays empty.
    Number,
    /// A risk level (`red`/`重大风险` …), filled with its colour.
    Level,
}

/// The kinds of a table's `n` columns: `first`, then `rest` for every other column.
pub fn kinds(first: &[CellKind], rest: CellKind, n: usize) -> Vec<CellKind> {
    (0..n).map(|i| first.get(i).copied().unwrap_or(rest)).collect()
}

/// Data rows a worksheet holds (1,048,576 rows less the header).
pub const MAX_XLSX_ROWS: u64 = 1_048_575;

/// Widest column, in characters.
const MAX_WIDTH: f64 = 60.0;

/// What [`write_csv_and_xlsx`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Data rows.
    pub rows: u64,
    /// Whether the workbook was written (false: more rows than a worksheet holds).
    pub xlsx: bool,
}

/// The fill and font of a level cell, by the level's English or Chinese name.
fn level_colours(value: &str) -> Option<(u32, u32)> {
    match value {
        "red" | "重大风险" | "红" | "红色" => Some((0xE5_3935, 0xFF_FFFF)),
        "orange" | "较大风险" | "橙" | "橙色" => Some((0xFB_8C00, 0x00_0000)),
        "yellow" | "一般风险" | "黄" | "黄色" => Some((0xFD_D835, 0x00_0000)),
        "blue" | "低风险" | "蓝" | "蓝色" => Some((0x1E_88E5, 0xFF_FFFF)),
        _ => None,
    }
}

/// `name` as a worksheet may be named: at most 31 characters, none of `[]:*?/\\`, not
/// starting or ending with `'`, not empty.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c })
        .take(31)
        .collect();
    let clean = clean.trim_matches('\'');
    if clean.is_empty() {
        "Sheet1".to_string()
    } else {
        clean.to_string()
    }
}

/// Display width of `s` in characters, counting CJK characters as two.
fn width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 }).sum()
}

/// Writes `rows` under `header` as the CSV `csv` and the workbook `xlsx` (one worksheet named
/// `sheet`); `kinds` gives each column's [`CellKind`] (missing ones are text). Both files are
/// created or replaced; on error either may be incomplete (write into a staging folder).
pub fn write_csv_and_xlsx<I, R, S>(
    csv: &Path,
    xlsx: &Path,
    sheet: &str,
    header: &[&str],
    kinds: &[CellKind],
    rows: I,
) -> Result<Written>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let xerr = |e: rust_xlsxwriter::XlsxError| Error::Write {
        path: xlsx.display().to_string(),
        cause: std::io::Error::other(e.to_string()),
    };
    let werr = |cause| Error::Write { path: csv.display().to_string(), cause };
    let cerr = |e: csv::Error| Error::Write { path: csv.display().to_string(), cause: std::io::Error::other(e) };
    let mut w = super::bom_csv(csv, header)?;

    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xerr)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    let ws = book.add_worksheet_with_constant_memory().map_err(xerr)?;
    ws.set_name(sheet_name(sheet)).map_err(xerr)?;
    let bold =
        Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_background_color(Color::RGB(0xF2_F2F2));
    let level_formats: Vec<(&str, Format)> = ["red", "orange", "yellow", "blue"]
        .iter()
        .filter_map(|l| {
            let (fill, font) = level_colours(l)?;
            Some((*l, Format::new().set_background_color(Color::RGB(fill)).set_font_color(Color::RGB(font))))
        })
        .collect();
    let level_format = |v: &str| {
        let (fill, _) = level_colours(v)?;
        level_formats.iter().find(|(l, _)| level_colours(l).is_some_and(|(f, _)| f == fill)).map(|(_, f)| f)
    };
    let mut widths: Vec<f64> = header.iter().map(|h| width(h) + 2.0).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(xerr)?;
    }
    let mut rows_written = 0u64;
    let mut in_xlsx = true;
    for r in rows {
        rows_written += 1;
        in_xlsx &= rows_written <= MAX_XLSX_ROWS;
        for (c, cell) in r.into_iter().enumerate() {
            let bytes = cell.as_ref();
            let text = String::from_utf8_lossy(bytes);
            let text = text.as_ref();
            w.write_field(crate::formula::csv_cell(text).as_bytes()).map_err(cerr)?;
            if !in_xlsx || text.is_empty() {
                continue;
            }
            let (row, col) = (rows_written as u32, c as u16);
            let kind = kinds.get(c).copied().unwrap_or(CellKind::Text);
            let number = text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
            match (kind, number) {
                (CellKind::Number, Some(n)) => ws.write_number(row, col, n).map(|_| ()),
                (CellKind::Level, _) => match level_format(text) {
                    Some(f) => ws.write_string_with_format(row, col, text, f).map(|_| ()),
                    None => ws.write_string(row, col, text).map(|_| ()),
                },
                _ => ws.write_string(row, col, text).map(|_| ()),
            }
            .map_err(xerr)?;
            if c >= widths.len() {
                widths.resize(c + 1, 8.0);
            }
            widths[c] = widths[c].max(width(text) + 2.0);
        }
        w.write_record(None::<&[u8]>).map_err(cerr)?;
    }
    w.flush().map_err(werr)?;
    if !in_xlsx {
        return Ok(Written { rows: rows_written, xlsx: false });
    }
    for (c, wd) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, wd.min(MAX_WIDTH)).map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    book.save(xlsx).map_err(xerr)?;
    Ok(Written { rows: rows_written, xlsx: true })
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tests;
