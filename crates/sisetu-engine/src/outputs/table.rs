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
//! Headers and levels are in Chinese (the table is printed and pasted into reports); the
//! file is UTF-8 with a BOM so that Excel opens it as it is.

use crate::error::Result;
use sisetu_core::{Aggregation, RiskLevel, Summary};
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
pub fn header(agg: &Aggregation, categories: &[&str]) -> Vec<String> {
    let rule = match agg {
        Aggregation::Highest => "区域风险等级(就高)",
        Aggregation::Score(_) => "区域风险等级(加权)",
    };
    let mut h: Vec<String> = vec!["区县代码".into(), "区县名称".into(), rule.into()];
    h.extend(RiskLevel::ALL.iter().map(|l| format!("{}({})", l.zh(), level_colour_zh(*l))));
    h.push("风险点合计".into());
    if !categories.is_empty() {
        h.extend(categories.iter().map(ToString::to_string));
        h.push("未填行业".into());
        h.push("行业合计".into());
    }
    h
}

fn level_colour_zh(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Red => "红",
        RiskLevel::Orange => "橙",
        RiskLevel::Yellow => "黄",
        RiskLevel::Blue => "蓝",
    }
}

/// The cells of one row.
pub fn row(r: &TableRow, agg: &Aggregation, n_categories: usize, level: bool) -> Vec<String> {
    let s = r.summary;
    let mut v = vec![
        r.id.to_string(),
        r.name.to_string(),
        if level {
            agg.level(&s.levels).map(|l| l.zh().to_string()).unwrap_or_else(|| "无".into())
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
    unassigned: &Summary,
    total: &Summary,
    agg: &Aggregation,
    categories: &[&str],
) -> Result<bool> {
    let n = categories.len();
    let mut rows: Vec<Vec<String>> = districts.iter().map(|r| row(r, agg, n, true)).collect();
    if unassigned.levels.total() > 0 {
        rows.push(row(&TableRow { id: "", name: "未归属区县", summary: unassigned }, agg, n, false));
    }
    rows.push(row(&TableRow { id: "", name: "合计", summary: total }, agg, n, false));
    let h = header(agg, categories);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let kinds = write::tables::kinds(&[Text, Text, Level], Number, h.len());
    Ok(write::tables::write_csv_and_xlsx(path, xlsx, "一表", &h, &kinds, rows)?.xlsx)
}
