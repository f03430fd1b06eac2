//! What a person reads: the summary of a build, the problems of a check. Built from the
//! engine's typed outcomes; every text from the inputs is escaped before it is printed.

use crate::progress::Progress;
use sisetu_core::RiskLevel;
use sisetu_engine::init::Initialised;
use sisetu_engine::pipeline::Outcome;
use sisetu_i18n::{tr, Lang};
use std::fmt::Write as _;
use std::path::Path;

/// Pads `s` to `width` terminal columns (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Text from an input file as it may be shown on a terminal: control characters (escape
/// sequences that could move the cursor or recolour the screen) and the invisible marks that
/// reorder text (bidirectional overrides and isolates) are written as `\u{…}`. Every line
/// sisetu prints goes through it ([`Progress`]); applying it twice changes nothing.
pub fn safe(s: &str) -> String {
    let reorders = |c: char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && c != '\n' && c != '\t') || reorders(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of a level in the table and the terminal (`重大风险`, or `red` in English).
pub fn level_text(lang: Lang, level: Option<RiskLevel>) -> String {
    level.map(|l| tr!(lang, &format!("level.{}", l.as_str()))).unwrap_or_default()
}

/// The district table of a build.
fn district_table(o: &Outcome, p: &Progress, lang: Lang) {
    let t = &o.report.totals;
    let scale = o
        .report
        .working_crs_scale_error
        .map(|e| tr!(lang, "term.scale_error", pct = format!("{:.3}", e * 100.0)))
        .unwrap_or_default();
    p.info(&tr!(
        lang,
        "term.build_head",
        title = safe(&o.report.title),
        read = t.rows_read,
        accepted = t.accepted,
        rejected = t.rejected,
        unassigned = t.unassigned,
        cells = t.cells,
        crs = o.report.working_crs,
        scale = scale
    ));
    let col = |k: &str| tr!(lang, &format!("term.col.{k}"));
    p.info(&format!(
        "{} {} {} {} {} {} {}  {}",
        pad(&col("id"), 10),
        pad(&col("name"), 24),
        lpad(&col("red"), 7),
        lpad(&col("orange"), 7),
        lpad(&col("yellow"), 7),
        lpad(&col("blue"), 7),
        lpad(&col("total"), 8),
        col("level")
    ));
    for row in &o.district_rows {
        let s = &row.summary;
        if row.id.is_empty() && s.levels.total() == 0 {
            continue;
        }
        let n = |l: RiskLevel| s.levels.get(l);
        p.info(
            format!(
                "{} {} {:>7} {:>7} {:>7} {:>7} {:>8}  {}",
                pad(&safe(&row.id), 10),
                pad(&safe(&row.name), 24),
                n(RiskLevel::Red),
                n(RiskLevel::Orange),
                n(RiskLevel::Yellow),
                n(RiskLevel::Blue),
                s.levels.total(),
                level_text(lang, row.level)
            )
            .trim_end(),
        );
    }
}

/// Pads `s` on the left to `width` terminal columns.
fn lpad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// Prints the summary of a finished build.
pub fn print_build(o: &Outcome, p: &Progress, lang: Lang) {
    if !o.report.sites.is_empty() {
        district_table(o, p, lang);
    }
    for f in &o.report.sites {
        if f.rejected > 0 || f.duplicate_ids > 0 {
            p.warn(&tr!(
                lang,
                "term.file_rejected_dups",
                file = safe(&f.file),
                rejected = f.rejected,
                dups = f.duplicate_ids
            ));
        }
    }
    for line in &o.lines {
        p.info(&safe(line));
    }
    for (file, n) in &o.rejects_by_file {
        if !o.report.sites.iter().any(|f| &f.file == file) {
            p.warn(&tr!(lang, "term.file_rejected", file = safe(file), rejected = n));
        }
    }
    for w in &o.warnings {
        p.warn(&safe(w));
    }
    p.info(&tr!(lang, "term.outputs_in", dir = o.out_dir.display()));
}

/// The problems `sisetu check` reports, one line each (continuation lines indented).
pub fn check_problems(o: &Outcome, lang: Lang) -> Vec<String> {
    let r = &o.report;
    let mut problems: Vec<String> = Vec::new();
    let rejected = r.rejected_rows;
    if rejected > 0 {
        problems.push(tr!(lang, "check.rejected", n = rejected));
        problems.extend(o.reject_preview.iter().map(|line| format!("    {}", safe(line))));
        if rejected as usize > o.reject_preview.len() {
            problems.push(format!(
                "    {}",
                tr!(lang, "check.more_rejected", n = rejected as usize - o.reject_preview.len())
            ));
        }
    }
    let dups: u64 = r.sites.iter().map(|f| f.duplicate_ids).sum();
    if dups > 0 {
        problems.push(tr!(lang, "check.duplicates", n = dups));
    }
    if r.totals.unassigned > 0 {
        problems.push(tr!(lang, "check.unassigned", n = r.totals.unassigned));
    }
    for (what, layer) in
        std::iter::once(("check.district", &r.districts)).chain(r.management_grid.iter().map(|g| ("check.grid", g)))
    {
        for inv in &layer.invalid {
            problems.push(tr!(
                lang,
                "check.invalid_polygon",
                file = safe(&layer.file),
                what = tr!(lang, what),
                id = safe(inv.get("id").map_or("?", String::as_str)),
                problem = inv.get("problem").map_or("?", String::as_str)
            ));
        }
    }
    problems.extend(o.problems.iter().map(|p| safe(p)));
    problems
}

/// An error as the person reads it, in `lang` where the error has a Chinese text (a missing
/// file, a column not found, grade labels without a mapping), else as the engine wrote it.
pub fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    use sisetu_engine::error::Error as E;
    let text = match e.downcast_ref::<E>() {
        Some(E::Io(io)) => io.text(lang),
        Some(E::Context { context, cause }) => match cause.downcast_ref::<sisetu_io::Error>() {
            Some(io) => format!("{context}: {}", io.text(lang)),
            None => format!("{e:#}"),
        },
        _ => match e.downcast_ref::<sisetu_io::Error>() {
            Some(io) => io.text(lang),
            None => format!("{e:#}"),
        },
    };
    safe(&text)
}

/// Prints what `sisetu init` found and what is left to fill in.
pub fn print_init(done: &Initialised, p: &Progress, lang: Lang) {
    let s = &done.survey;
    if let Some(d) = &s.districts {
        p.info(&tr!(
            lang,
            "init.found_districts",
            file = safe(&d.file),
            n = d.features,
            crs = d.crs.map_or_else(|| "?".to_string(), |c| c.to_string())
        ));
    }
    if let Some(g) = &s.grids {
        p.info(&tr!(lang, "init.found_grids", file = safe(&g.file), n = g.features));
    }
    for site in &s.sites {
        let cols = &site.columns;
        let found: Vec<String> = [&cols.id, &cols.name, &cols.category, &cols.x, &cols.y, &cols.grade]
            .into_iter()
            .flatten()
            .map(|c| safe(c))
            .collect();
        p.info(&tr!(
            lang,
            "init.found_sites",
            file = safe(&site.file),
            n = site.rows,
            columns = found.join(", "),
            crs = site.crs.map_or_else(|| "?".to_string(), |c| c.to_string())
        ));
        if let Some(title) = &site.title_row {
            p.info(&format!("  {}", tr!(lang, "init.title_row", title = safe(title), row = site.header_row)));
        }
    }
    let grades: Vec<String> = s.grades().map(|g| format!("{} × {}", safe(&g.label), g.count)).collect();
    if !grades.is_empty() {
        p.info(&tr!(lang, "init.found_grades", grades = grades.join(", ")));
    }
    for (file, why) in &s.skipped {
        p.info(&tr!(lang, "init.skipped", file = safe(file), why = safe(why)));
    }
    p.info(&tr!(lang, "init.written", file = done.file.display()));
    if done.to_do.is_empty() {
        p.info(&tr!(lang, "init.ready", file = done.file.display()));
    } else {
        p.info(&tr!(lang, "init.fill_in", file = done.file.display()));
        for t in &done.to_do {
            p.info(&format!("  - {}", safe(t)));
        }
        p.info(&tr!(lang, "init.then", file = done.file.display()));
    }
}

/// Prints what `sisetu check` found.
#[allow(clippy::print_stdout, reason = "the problem list is check's output, on standard output")]
pub fn print_check(project: &Path, o: &Outcome, problems: &[String], lang: Lang) {
    let n = problems.iter().filter(|p| !p.starts_with("    ")).count();
    let key = if n == 1 { "check.head_one" } else { "check.head" };
    println!("{}", tr!(lang, key, project = project.display(), n = n));
    for p in problems {
        println!("  {p}");
    }
    if o.report.rejected_rows > 0 {
        println!("{}", tr!(lang, "check.exit_rejected"));
    } else if n > 0 {
        println!("{}", tr!(lang, "check.exit_problems"));
    } else {
        println!("{}", tr!(lang, "check.nothing_written"));
    }
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
