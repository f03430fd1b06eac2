//! Workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) as the site and table readers both read
//! them: opening the file and choosing the worksheet, cells as text, and the data rows with
//! their sheet row numbers.

use crate::error::{Error, Result};
use calamine::{Data, Range, Reader};
use std::path::Path;

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

/// One worksheet of a workbook: its name and its cells.
pub(crate) struct Sheet {
    /// The worksheet's name.
    pub(crate) name: String,
    /// Its used cells.
    range: Range<Data>,
}

/// Opens a workbook and its worksheet `sheet` (default: the first one). Errors name the
/// file as `path` and, for a missing sheet, the sheets it has.
pub(crate) fn open_sheet(file: &Path, path: &str, sheet: Option<&str>) -> Result<Sheet> {
    let mut wb = calamine::open_workbook_auto(file).map_err(|e| Error::Format {
        path: path.into(),
        msg: format!("cannot open the workbook: {e}; save it again from the spreadsheet program, or export it as CSV"),
    })?;
    let names = wb.sheet_names().clone();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            return Err(Error::Format {
                path: path.into(),
                msg: format!("no worksheet '{s}'; the workbook has: {}. Set `sheet` to one of them", list.join(", ")),
            });
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::Format { path: path.into(), msg: "the workbook has no worksheet".into() })?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::Format { path: path.into(), msg: format!("cannot read worksheet '{name}': {e}") })?;
    Ok(Sheet { name, range })
}

impl Sheet {
    /// The first used row as text (not trimmed), or `None` when the sheet is empty.
    pub(crate) fn header(&self) -> Option<Vec<String>> {
        self.range.rows().next().map(|row| row.iter().map(cell_text).collect())
    }

    /// The rows after the header that have a non-blank cell, as text (not trimmed), with
    /// their 1-based sheet row (the header's row + 1 for the first).
    pub(crate) fn data_rows(&self) -> impl Iterator<Item = (u64, Vec<String>)> + '_ {
        let first_row = self.range.start().map_or(0, |(r, _)| u64::from(r));
        self.range.rows().skip(1).enumerate().filter_map(move |(i, row)| {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            // A blank spreadsheet row is not a data row.
            let blank = cells.iter().all(|c| c.trim().is_empty());
            // The header is sheet row first_row + 1.
            (!blank).then(|| (first_row + 2 + i as u64, cells))
        })
    }
}
