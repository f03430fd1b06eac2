//! `summary.csv`, `table.csv` and `rejects.csv`.

use super::table::{write_table as write_table_csv, TableRow};
use crate::analysis::Analysis;
use crate::context::Context;
use crate::error::Result;
use sisetu_core::{RiskLevel, Summary};
use sisetu_i18n::{tr, Lang};
use sisetu_io::sites::Reject;
use sisetu_io::write::tables::{
    self,
    CellKind::{Level, Number, Text},
};
use sisetu_io::write::Staging;

/// `summary.csv`: one row per district, the unassigned (when any) and the total.
pub(super) fn write_summary(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let t = ctx.tallies;
    let agg = &ctx.cfg.aggregation;
    let lang = ctx.cfg.lang;
    let mut header: Vec<String> =
        ["district_id", "district_name", "level", "n_red", "n_orange", "n_yellow", "n_blue", "total"]
            .iter()
            .map(|key| sisetu_i18n::column(lang, key))
            .collect();
    if t.has_categories {
        // Category columns by name; prefixed only when a name would clash with a fixed column.
        let fixed: Vec<String> = header.clone();
        header.extend(t.categories.iter().map(|c| if fixed.contains(c) { format!("cat_{c}") } else { c.clone() }));
    }
    // The unassigned and total rows are not areas: no level.
    let row_of = |id: &str, name: &str, s: &Summary, area: bool| -> Vec<String> {
        let level = agg.level(&s.levels).filter(|_| area);
        let mut r = vec![id.to_string(), name.to_string(), level_value(lang, level)];
        r.extend(s.levels.as_array().iter().map(ToString::to_string));
        r.push(s.levels.total().to_string());
        if t.has_categories {
            r.extend((0..t.categories.len()).map(|ci| s.category(ci as u32).to_string()));
        }
        r
    };
    let mut rows: Vec<Vec<String>> =
        ctx.districts.work.iter().zip(&t.by_district).map(|(z, s)| row_of(&z.id, &z.name, s, true)).collect();
    if t.unassigned.levels.total() > 0 {
        rows.push(row_of("", &tr!(lang, "value.unassigned"), &t.unassigned, false));
    }
    rows.push(row_of("", &tr!(lang, "value.total"), &t.total, false));
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let kinds = tables::kinds(&[Text, Text, Level], Number, header_refs.len());
    let (csv, xlsx) = (stage.path("summary.csv"), stage.path("summary.xlsx"));
    let written = tables::write_csv_and_xlsx(&csv, &xlsx, &tr!(lang, "sheet.summary"), &header_refs, &kinds, rows)?;
    Ok(pair("summary", written.xlsx))
}

/// `table.csv` (一表).
pub(super) fn write_table(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let t = ctx.tallies;
    let rows: Vec<TableRow> = ctx
        .districts
        .work
        .iter()
        .zip(&t.by_district)
        .map(|(z, s)| TableRow { id: &z.id, name: &z.name, summary: s })
        .collect();
    let cats: Vec<&str> = if t.has_categories { t.categories.iter().map(String::as_str).collect() } else { Vec::new() };
    let (csv, xlsx) = (stage.path("table.csv"), stage.path("table.xlsx"));
    let with_xlsx =
        write_table_csv(&csv, &xlsx, &rows, (&t.unassigned, &t.total), &ctx.cfg.aggregation, &cats, ctx.cfg.lang)?;
    Ok(pair("table", with_xlsx))
}

/// One row of `rejects.csv`: the file, the reject.
pub type RejectRow<'a> = (&'a str, &'a Reject);

/// Every rejected row of the build: the site layers' first, then each analysis's inputs', in
/// input order.
pub fn reject_rows<'a>(ctx: &'a Context, analyses: &'a [Box<dyn Analysis>]) -> Vec<RejectRow<'a>> {
    let sites = ctx
        .census
        .files
        .iter()
        .zip(&ctx.census.layers)
        .flat_map(|(f, l)| l.rejects.iter().map(move |r| (f.as_str(), r)));
    let others = analyses.iter().flat_map(|a| a.inputs()).flat_map(|i| i.rejects.iter().map(move |r| (i.file, r)));
    sites.chain(others).collect()
}

/// `rejects.csv`: file, line, reason and the raw row (as CSV). The line of a workbook row is
/// its worksheet and sheet row, `Sheet1!12` ([`Reject::location`]).
pub(super) fn write_rejects(ctx: &Context, analyses: &[Box<dyn Analysis>], stage: &mut Staging) -> Result<Vec<String>> {
    let lang = ctx.cfg.lang;
    let rows = reject_rows(ctx, analyses).into_iter().map(|(file, r)| reject_record(file, r, lang));
    let (csv, xlsx) = (stage.path("rejects.csv"), stage.path("rejects.xlsx"));
    let header = ["file", "line", "reason", "raw"].map(|key| sisetu_i18n::column(lang, key));
    let header = header.each_ref().map(String::as_str);
    let written = tables::write_csv_and_xlsx(&csv, &xlsx, &tr!(lang, "sheet.rejects"), &header, &[Text; 4], rows)?;
    Ok(pair("rejects", written.xlsx))
}

/// `stem.csv`, and `stem.xlsx` when it was written.
pub(crate) fn pair(stem: &str, xlsx: bool) -> Vec<String> {
    let mut files = vec![format!("{stem}.csv")];
    if xlsx {
        files.push(format!("{stem}.xlsx"));
    }
    files
}

/// The level of an area as the tables write it: `重大风险` or `red`; empty for no level (the
/// unassigned and total rows, an area without sites under a rule that gives none).
pub(crate) fn level_value(lang: Lang, level: Option<RiskLevel>) -> String {
    level.map(|l| tr!(lang, &format!("level.{}", l.as_str()))).unwrap_or_default()
}

fn reject_record(file: &str, r: &Reject, lang: Lang) -> Vec<String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(&r.raw);
    let raw = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    vec![file.to_string(), r.location(), r.reason.text(lang), raw.trim_end_matches('\n').to_string()]
}
