//! The demo, end to end: both census rounds built by the real binary in a copy of
//! `geodata/urumqi/`, every output compared byte for byte with the checksums pinned in
//! `tests/golden/` (made before the engine was restructured: the restructuring changed no
//! output but `report.json`, whose deliberate changes are in CHANGELOG.md); and `sisetu check`
//! on the demo creates no file or folder anywhere.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::{copy_demo_inputs, sisetu, sisetu_lang, snapshot};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// `sha256sum` lines → file name → hex digest.
fn pinned(name: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)).unwrap();
    text.lines().filter_map(|l| l.split_once("  ")).map(|(h, f)| (f.to_string(), h.to_string())).collect()
}

fn compare(dir: &Path, pins: &BTreeMap<String, String>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (file, want) in pins {
        match std::fs::read(dir.join(file)) {
            Ok(bytes) => {
                let got = format!("{:x}", Sha256::digest(&bytes));
                if &got != want {
                    wrong.push(format!("{file}: sha256 {got}, pinned {want}"));
                }
            }
            Err(e) => wrong.push(format!("{file}: {e}")),
        }
    }
    wrong
}

#[test]
fn demo_outputs_match_the_pinned_checksums() {
    // Run as the README does, from a folder holding geodata/urumqi/ (report.json names the
    // inputs as the command line reaches them).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("geodata/urumqi");
    std::fs::create_dir_all(&dir).unwrap();
    copy_demo_inputs(&dir);
    // In the default language, Chinese, as a user runs it.
    sisetu_lang(tmp.path(), &["build", "geodata/urumqi/sisetu.toml", "--quiet"], None).expect_code(0);
    sisetu_lang(tmp.path(), &["build", "geodata/urumqi/sisetu_2025.toml", "--quiet"], None).expect_code(0);
    let mut wrong = compare(&dir.join("out"), &pinned("demo_out.sha256"));
    wrong.extend(
        compare(&dir.join("out_2025"), &pinned("demo_out_2025.sha256")).into_iter().map(|w| format!("out_2025/{w}")),
    );
    assert!(wrong.is_empty(), "demo outputs differ from tests/golden:\n{}", wrong.join("\n"));
}

/// Every path under `dir` (files and folders).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_on_the_demo_creates_nothing_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("project");
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&scratch).unwrap();
    copy_demo_inputs(&dir);
    // The 2025 round compares with the 2024 one: build that first.
    sisetu(&dir, &["build", "sisetu.toml", "--quiet"]).expect_code(0);
    let before = tree(tmp.path());
    let outputs = snapshot(&dir.join("out"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sisetu"));
    let out = cmd
        .env("SISETU_LANG", "en")
        .args(["check", "sisetu_2025.toml"])
        .current_dir(&dir)
        .env("TMPDIR", &scratch)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the demo census has rejected rows\n{stdout}");
    assert!(stdout.contains("rows would be rejected"), "{stdout}");
    assert_eq!(tree(tmp.path()), before, "check created or removed files");
    assert!(snapshot(&dir.join("out")) == outputs, "check changed the previous round's outputs");
}
