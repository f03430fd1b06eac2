//! The input corpus: every folder under `tests/corpus/` is one case, run through the real
//! `sisetu` binary.
//!
//! A case folder holds `sisetu.toml`, its input files and `expect.toml`:
//!
//! ```toml
//! exit = 0                                   # expected exit code (0 ok, 1 --strict with rejects, 2 error)
//! args = ["--strict"]                        # extra arguments after `build PROJECT --out DIR` (optional)
//! stderr_contains = ["…"]                    # substrings of stderr (optional)
//! rejects_contain = ["…"]                    # substrings of out/rejects.csv (optional)
//! [report]                                   # JSON pointer into out/report.json → expected value (optional)
//! "/totals/unassigned" = 1
//! [files]                                    # output file → substrings it must contain (optional)
//! "sites.geojson" = ['"duplicate_id":true']
//! ```
//!
//! A case may also carry `known_bug = "…"`: it documents a bug in sisetu that the case
//! exposes. Such a case is run and its failure is printed but does not fail the test; once
//! sisetu is fixed the case passes and the test fails until the `known_bug` line is removed.
//!
//! Every case is copied to a temporary folder and built with `--out <tmp>/out`. Besides the
//! expectations, every run is checked for the invariants of the outputs: a successful run
//! (exit 0 or 1) writes report.json with `rows_read == accepted + rejected` for every file and
//! a rejects.csv (BOM, `file,line,reason,raw`) with one row per rejected row and a reason on
//! each (the line of a workbook row is `Sheet!row`); a failed run (exit 2) writes no outputs and leaves no staging folder.
//!
//! Run one case: `CORPUS_CASE=reject_missing_xy cargo test --test corpus`.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    known_bug: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    rejects_contain: Vec<String>,
    #[serde(default)]
    report: BTreeMap<String, toml::Value>,
    #[serde(default)]
    files: BTreeMap<String, Vec<String>>,
}

const OUTPUTS: [&str; 6] =
    ["districts.geojson", "cells.geojson", "sites.geojson", "summary.csv", "rejects.csv", "report.json"];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "expect.toml" {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn read_lossy(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn truncated(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &s[..end], s.len() - end)
}

/// Checks the invariants of a successful run's outputs; returns the problems found.
fn check_outputs(out: &Path, problems: &mut Vec<String>) {
    for name in OUTPUTS {
        if !out.join(name).is_file() {
            problems.push(format!("output {name} was not written"));
        }
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".sisetu-staging") {
                problems.push(format!("the staging folder {name} was left behind"));
            }
        }
    }
    let Some(report_text) = read_lossy(&out.join("report.json")) else { return };
    let report: serde_json::Value = match serde_json::from_str(&report_text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("report.json is not JSON: {e}"));
            return;
        }
    };
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_u64);
    let mut sum_read = 0;
    for f in report["sites"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let (Some(read), Some(acc), Some(rej)) = (num(f, "rows_read"), num(f, "accepted"), num(f, "rejected")) else {
            problems.push(format!("report.json: site file entry without rows_read/accepted/rejected: {f}"));
            continue;
        };
        if read != acc + rej {
            problems.push(format!(
                "report.json: {}: rows_read {read} != accepted {acc} + rejected {rej}",
                f["file"].as_str().unwrap_or("?")
            ));
        }
        sum_read += read;
    }
    let t = &report["totals"];
    match (num(t, "rows_read"), num(t, "accepted"), num(t, "rejected")) {
        (Some(read), Some(acc), Some(rej)) => {
            if read != acc + rej {
                problems.push(format!("report.json totals: rows_read {read} != accepted {acc} + rejected {rej}"));
            }
            if read != sum_read {
                problems.push(format!("report.json totals: rows_read {read} != sum over files {sum_read}"));
            }
            check_rejects(out, rej, problems);
        }
        _ => problems.push("report.json: totals without rows_read/accepted/rejected".into()),
    }
}

/// rejects.csv: BOM, the fixed header, one row per rejected row, a reason on every row.
fn check_rejects(out: &Path, rejected: u64, problems: &mut Vec<String>) {
    let Ok(bytes) = std::fs::read(out.join("rejects.csv")) else { return };
    let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") else {
        problems.push("rejects.csv does not start with a UTF-8 BOM".into());
        return;
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body);
    let header: Vec<String> = rdr.headers().map(|h| h.iter().map(String::from).collect()).unwrap_or_default();
    if header != ["file", "line", "reason", "raw"] {
        problems.push(format!("rejects.csv header is {header:?}, expected [file, line, reason, raw]"));
    }
    let mut rows = 0u64;
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                rows += 1;
                if r.get(2).is_none_or(|s| s.trim().is_empty()) {
                    problems.push(format!("rejects.csv row {rows} has no reason: {r:?}"));
                }
                // A line number, or for a workbook row `Sheet!row` (the row after the last `!`).
                let line = r.get(1).map(|s| s.rsplit('!').next().unwrap_or(s));
                if line.and_then(|s| s.parse::<u64>().ok()).is_none() {
                    problems.push(format!("rejects.csv row {rows} has no line number: {r:?}"));
                }
            }
            Err(e) => problems.push(format!("rejects.csv is not valid CSV: {e}")),
        }
    }
    if rows != rejected {
        problems.push(format!("rejects.csv has {rows} rows but report.json says {rejected} rejected"));
    }
}

fn load_expect(dir: &Path) -> Result<Expect, String> {
    let path = dir.join("expect.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run_case(dir: &Path, expect: &Expect) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join(&name);
    copy_dir(dir, &work);
    let out = work.join("out");
    let project = work.join("sisetu.toml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sisetu"));
    cmd.env("SISETU_LANG", "en")
        .arg("build")
        .arg(&project)
        .arg("--out")
        .arg(&out)
        .args(&expect.args)
        .current_dir(&work);
    let output = cmd.output().map_err(|e| format!("cannot run sisetu: {e}"))?;
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();

    let mut problems = Vec::new();
    if code != expect.exit {
        problems.push(format!("exit code {code}, expected {}", expect.exit));
    }
    for s in &expect.stderr_contains {
        if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr does not contain {s:?}"));
        }
    }
    let rejects = read_lossy(&out.join("rejects.csv"));
    for s in &expect.rejects_contain {
        match &rejects {
            None => problems.push(format!("rejects.csv was not written (wanted {s:?})")),
            Some(r) if !r.contains(s.as_str()) => problems.push(format!("rejects.csv does not contain {s:?}")),
            _ => {}
        }
    }
    let report: Option<serde_json::Value> =
        read_lossy(&out.join("report.json")).and_then(|t| serde_json::from_str(&t).ok());
    for (pointer, want) in &expect.report {
        let want = serde_json::to_value(want).unwrap();
        match report.as_ref().map(|r| r.pointer(pointer)) {
            None => problems.push(format!("report.json missing or not JSON (wanted {pointer} = {want})")),
            Some(None) => problems.push(format!("report.json has no {pointer} (wanted {want})")),
            Some(Some(got)) if *got != want => problems.push(format!("report.json {pointer} = {got}, expected {want}")),
            _ => {}
        }
    }
    for (file, wanted) in &expect.files {
        let text = read_lossy(&out.join(file));
        for s in wanted {
            match &text {
                None => problems.push(format!("{file} was not written (wanted {s:?})")),
                Some(t) if !t.contains(s.as_str()) => problems.push(format!("{file} does not contain {s:?}")),
                _ => {}
            }
        }
    }
    match code {
        0 | 1 => check_outputs(&out, &mut problems),
        _ => {
            if !stderr.contains("error") {
                problems.push("a failed run printed no 'error' on stderr".into());
            }
            let left: Vec<String> = std::fs::read_dir(&out)
                .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            if !left.is_empty() {
                problems.push(format!("a failed run left files in the output folder: {left:?}"));
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = String::new();
    writeln!(msg, "case {name}:").unwrap();
    for p in &problems {
        writeln!(msg, "  - {p}").unwrap();
    }
    writeln!(msg, "  command: {cmd:?}").unwrap();
    writeln!(msg, "  exit code: {code}").unwrap();
    writeln!(msg, "  --- stderr ---\n{}", truncated(&stderr, 4000)).unwrap();
    if !stdout.is_empty() {
        writeln!(msg, "  --- stdout ---\n{}", truncated(&stdout, 2000)).unwrap();
    }
    if let Some(r) = &rejects {
        writeln!(msg, "  --- out/rejects.csv ---\n{}", truncated(r, 3000)).unwrap();
    }
    if !expect.report.is_empty() || code != 2 {
        if let Some(r) = read_lossy(&out.join("report.json")) {
            writeln!(msg, "  --- out/report.json ---\n{}", truncated(&r, 3000)).unwrap();
        }
    }
    Err(msg)
}

fn case_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn corpus() {
    let only = std::env::var("CORPUS_CASE").ok();
    let dirs: Vec<PathBuf> = case_dirs()
        .into_iter()
        .filter(|d| only.as_deref().is_none_or(|o| d.file_name().is_some_and(|n| n == o)))
        .collect();
    assert!(!dirs.is_empty(), "no corpus cases found (CORPUS_CASE = {only:?})");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(dir.join("sisetu.toml").is_file(), "{}: missing sisetu.toml", dir.display());
        let expect = match load_expect(dir) {
            Ok(e) => e,
            Err(msg) => {
                eprintln!("FAIL {name}");
                failures.push(format!("case {name}: {msg}"));
                continue;
            }
        };
        match (run_case(dir, &expect), &expect.known_bug) {
            (Ok(()), None) => eprintln!("ok   {name}"),
            (Err(msg), None) => {
                eprintln!("FAIL {name}");
                failures.push(msg);
            }
            (Err(msg), Some(bug)) => eprintln!("BUG  {name} (known bug, not counted: {bug})\n{msg}"),
            (Ok(()), Some(bug)) => {
                eprintln!("FIXED {name}");
                failures.push(format!(
                    "case {name} passes now although expect.toml says known_bug = {bug:?}: remove the known_bug line"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}
