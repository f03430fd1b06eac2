//! What a person reads: the summary of a build, the problems of a check. Built from the
//! engine's typed outcomes; every text from the inputs is escaped before it is printed.

use crate::progress::Progress;
use sisetu_core::RiskLevel;
use sisetu_engine::pipeline::Outcome;
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

/// The district table of a build.
fn district_table(o: &Outcome, p: &Progress) {
    let t = &o.report.totals;
    p.info(&format!(
        "{}: {} rows read, {} accepted, {} rejected, {} outside every district; {} cells; working CRS {}{}",
        safe(&o.report.title),
        t.rows_read,
        t.accepted,
        t.rejected,
        t.unassigned,
        t.cells,
        o.report.working_crs,
        o.report
            .working_crs_scale_error
            .map(|e| format!(" (scale error up to {:.3} %)", e * 100.0))
            .unwrap_or_default()
    ));
    p.info(&format!(
        "{:<10} {:<24} {:>7} {:>7} {:>7} {:>7} {:>8}  level",
        "id", "name", "red", "orange", "yellow", "blue", "total"
    ));
    for row in &o.district_rows {
        let s = &row.summary;
        if row.id.is_empty() && s.levels.total() == 0 {
            continue;
        }
        let n = |l: RiskLevel| s.levels.get(l);
        p.info(&format!(
            "{} {} {:>7} {:>7} {:>7} {:>7} {:>8}  {}",
            pad(&safe(&row.id), 10),
            pad(&safe(&row.name), 24),
            n(RiskLevel::Red),
            n(RiskLevel::Orange),
            n(RiskLevel::Yellow),
            n(RiskLevel::Blue),
            s.levels.total(),
            row.level.map_or("-", RiskLevel::as_str)
        ));
    }
}

/// Prints the summary of a finished build.
pub fn print_build(o: &Outcome, p: &Progress) {
    if !o.report.sites.is_empty() {
        district_table(o, p);
    }
    for f in &o.report.sites {
        if f.rejected > 0 || f.duplicate_ids > 0 {
            p.warn(&format!(
                "{}: {} rows rejected, {} duplicate ids (see rejects.csv and report.json)",
                safe(&f.file),
                f.rejected,
                f.duplicate_ids
            ));
        }
    }
    for line in &o.lines {
        p.info(&safe(line));
    }
    for (file, n) in &o.rejects_by_file {
        if !o.report.sites.iter().any(|f| &f.file == file) {
            p.warn(&format!("{}: {n} rows rejected (see rejects.csv)", safe(file)));
        }
    }
    for w in &o.warnings {
        p.warn(&safe(w));
    }
    p.info(&format!("outputs in {}", o.out_dir.display()));
}

/// The problems `sisetu check` reports, one line each (continuation lines indented).
pub fn check_problems(o: &Outcome) -> Vec<String> {
    let r = &o.report;
    let mut problems: Vec<String> = Vec::new();
    let rejected = r.rejected_rows;
    if rejected > 0 {
        problems.push(format!("{rejected} rows would be rejected:"));
        problems.extend(o.reject_preview.iter().map(|line| format!("    {}", safe(line))));
        if rejected as usize > o.reject_preview.len() {
            problems.push(format!(
                "    … and {} more (a build lists them all in rejects.csv)",
                rejected as usize - o.reject_preview.len()
            ));
        }
    }
    let dups: u64 = r.sites.iter().map(|f| f.duplicate_ids).sum();
    if dups > 0 {
        problems.push(format!("{dups} sites reuse an id of an earlier row (kept, flagged duplicate_id)"));
    }
    if r.totals.unassigned > 0 {
        problems.push(format!("{} sites lie outside every district (kept as 未归属)", r.totals.unassigned));
    }
    for (what, layer) in
        std::iter::once(("district", &r.districts)).chain(r.management_grid.iter().map(|g| ("grid", g)))
    {
        for inv in &layer.invalid {
            problems.push(format!(
                "{}: {what} {} has an invalid polygon: {}",
                safe(&layer.file),
                safe(inv.get("id").map_or("?", String::as_str)),
                inv.get("problem").map_or("?", String::as_str)
            ));
        }
    }
    problems.extend(o.problems.iter().map(|p| safe(p)));
    problems
}

/// Prints what `sisetu check` found.
#[allow(clippy::print_stdout, reason = "the problem list is check's output, on standard output")]
pub fn print_check(project: &Path, o: &Outcome, problems: &[String]) {
    let n = problems.iter().filter(|p| !p.starts_with("    ")).count();
    println!("check {}: {n} problem{}", project.display(), if n == 1 { "" } else { "s" });
    for p in problems {
        println!("  {p}");
    }
    if o.report.rejected_rows > 0 {
        println!("exit code 1: rows would be rejected; nothing was written");
    } else if n > 0 {
        println!("exit code 1: problems found; nothing was written");
    } else {
        println!("nothing was written");
    }
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
