//! The table (一表): `table.csv`, districts × levels and districts × categories with totals.
//!
//! One row per district in layer order, then `未归属区县` (only when some sites lie outside
//! every district) and `合计`. The columns are the district code and name, the district's
//! level under the project's aggregation rule (the level the district map shows), the site
//! counts per level and their total, then one column per category (sorted by name, as in
//! `summary.csv`), `未填行业` for sites without a category, and the category total. Both
//! totals are the same number: every site is counted once per group of columns. The
//! numbers are those of `districts.geojson` and of the maps' legends.
//!
//! Headers and levels are in the build's language, Chinese by default (the table is printed
//! and pasted into reports); the file is UTF-8 with a BOM so that Excel opens it as it is.

use crate::error::Result;
use sisetu_core::{Aggregation, RiskLevel, Summary};
use sisetu_i18n::{tr, Lang};
use sisetu_io::write;
use sisetu_io::write::tables::CellKind::{Level, Number, Text};
use std::path::Path;

/// One row of the table: district code, name and counts.
pub struct TableRow<'a> {
    /// District code (empty for the unassigned and total rows).
    pub id: &'a str,
    /// District name.
    pub name: &'a str,
    /// Counts.
    pub summary: &'a Summary,
}

/// The header of `table.csv`.
pub fn header(agg: &Aggregation, categories: &[&str], lang: Lang) -> Vec<String> {
    let rule = match agg {
        Aggregation::Highest => "table.level_highest",
        Aggregation::Score(_) => "table.level_score",
    };
    let mut h: Vec<String> = vec![tr!(lang, "table.district_id"), tr!(lang, "table.district_name"), tr!(lang, rule)];
    h.extend(RiskLevel::ALL.iter().map(|l| tr!(lang, &format!("table.{}", l.as_str()))));
    h.push(tr!(lang, "table.total"));
    if !categories.is_empty() {
        h.extend(categories.iter().map(ToString::to_string));
        h.push(tr!(lang, "table.no_category"));
        h.push(tr!(lang, "table.category_total"));
    }
    h
}

/// The cells of one row.
pub fn row(r: &TableRow, agg: &Aggregation, n_categories: usize, level: bool, lang: Lang) -> Vec<String> {
    let s = r.summary;
    let mut v = vec![
        r.id.to_string(),
        r.name.to_string(),
        if level {
            agg.level(&s.levels)
                .map(|l| tr!(lang, &format!("level.{}", l.as_str())))
                .unwrap_or_else(|| tr!(lang, "table.no_level"))
        } else {
            String::new()
        },
    ];
    v.extend(s.levels.as_array().iter().map(ToString::to_string));
    v.push(s.levels.total().to_string());
    if n_categories > 0 {
        let with: u64 = (0..n_categories).map(|c| s.category(c as u32)).sum();
        v.extend((0..n_categories).map(|c| s.category(c as u32).to_string()));
        v.push(s.levels.total().saturating_sub(with).to_string());
        v.push(s.levels.total().to_string());
    }
    v
}

/// Writes `table.csv` and `table.xlsx` (codes as text, counts as numbers, levels filled with
/// their colour): `districts` in order, then the unassigned row when it is not empty, then the
/// total. The unassigned and total rows get no level (they are not areas). Returns whether the
/// workbook was written.
pub fn write_table(
    path: &Path,
    xlsx: &Path,
    districts: &[TableRow],
    (unassigned, total): (&Summary, &Summary),
    agg: &Aggregation,
    categories: &[&str],
    lang: Lang,
) -> Result<bool> {
    let n = categories.len();
    let mut rows: Vec<Vec<String>> = districts.iter().map(|r| row(r, agg, n, true, lang)).collect();
    let unassigned_name = tr!(lang, "value.unassigned");
    if unassigned.levels.total() > 0 {
        rows.push(row(&TableRow { id: "", name: &unassigned_name, summary: unassigned }, agg, n, false, lang));
    }
    let total_name = tr!(lang, "value.total");
    rows.push(row(&TableRow { id: "", name: &total_name, summary: total }, agg, n, false, lang));
    let h = header(agg, categories, lang);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let kinds = write::tables::kinds(&[Text, Text, Level], Number, h.len());
    Ok(write::tables::write_csv_and_xlsx(path, xlsx, &tr!(lang, "sheet.table"), &h, &kinds, rows)?.xlsx)
}
