//! Text that a spreadsheet would take for a formula ("CSV injection").
//!
//! Excel, WPS and LibreOffice evaluate a CSV cell that starts with `=`, `+`, `-` or `@` (and,
//! in some versions, a tab or a carriage return) as a formula: a census name typed as
//! `=cmd|' /C calc'!A0` or `+SUM(A1:A9)` would run when the file is opened. Every CSV that
//! sisetu writes passes its cells through [`csv_cell`]:
//!
//! * a cell that starts with one of those characters gets a leading apostrophe `'`, as the
//!   OWASP advice for CSV files says; Excel and WPS then show the text, apostrophe included,
//!   and never run it (remove the apostrophe when copying such a value elsewhere);
//! * numbers (`-12.5`, `+3`, `-1e3`) and a lone `-` or `+` are left as they are: they are
//!   values, not formulas, and stay numbers in the spreadsheet.
//!
//! Workbook outputs write such text as a string cell, never as a formula.

use std::borrow::Cow;

/// True when a spreadsheet would evaluate `cell` as a formula (see the module docs).
pub fn is_formula_like(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else { return false };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let lone_sign = cell.len() == 1 && matches!(first, '-' | '+');
    let number = matches!(first, '-' | '+') && cell.trim().parse::<f64>().is_ok_and(f64::is_finite);
    !(lone_sign || number)
}

/// `cell` as it is safe to write into a CSV file: with a leading `'` when it is formula-like.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
#[path = "formula_tests.rs"]
mod tests;
