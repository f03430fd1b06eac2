//! Robustness of the project-file parser: the demo projects with random edits (bytes, lines
//! and values replaced, sections repeated, text cut) never make `Config::parse` panic; an
//! error always names the project file and is text for a person, not a debug dump.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use proptest::prelude::*;
use sisetu_engine::project::Config;
use std::path::Path;

const PROJECTS: [&str; 2] =
    [include_str!("../../../geodata/urumqi/sisetu.toml"), include_str!("../../../geodata/urumqi/sisetu_2025.toml")];

/// Values that are wrong in interesting ways somewhere in a project file.
const VALUES: [&str; 16] = [
    "nan",
    "inf",
    "-1",
    "0",
    "1e308",
    "\"\"",
    "\"../../etc/passwd\"",
    "\"C:\\\\x\"",
    "[]",
    "{}",
    "true",
    "\"\u{1b}[31m\"",
    "\"a/b.png\"",
    "\"国家2000\"",
    "[1, 2, 3, 4, 5]",
    "99999999999999999999",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value of the n-th `key = value` line.
    Value(usize, usize),
    /// Delete the n-th line.
    DeleteLine(usize),
    /// Repeat the n-th line (a key or a section twice).
    RepeatLine(usize),
    /// Overwrite a byte (the text may stop being UTF-8 or TOML).
    Byte(usize, u8),
    /// Cut the text.
    Cut(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..VALUES.len()).prop_map(|(l, v)| Edit::Value(l, v)),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::RepeatLine),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Byte(p, b)),
        any::<usize>().prop_map(Edit::Cut),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let n = lines.len().max(1);
    match e {
        Edit::Value(l, v) => {
            let with_values: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
            if let Some(&i) = with_values.get(l % with_values.len().max(1)) {
                let key = lines[i].split(" = ").next().unwrap_or_default().to_string();
                lines[i] = format!("{key} = {}", VALUES[*v]);
            }
        }
        Edit::DeleteLine(l) => {
            if !lines.is_empty() {
                lines.remove(l % n);
            }
        }
        Edit::RepeatLine(l) => {
            if let Some(line) = lines.get(l % n).cloned() {
                lines.insert(l % n, line);
            }
        }
        Edit::Byte(p, b) => {
            let mut bytes = lines.join("\n").into_bytes();
            if !bytes.is_empty() {
                let i = p % bytes.len();
                bytes[i] = *b;
            }
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        Edit::Cut(p) => {
            let joined = lines.join("\n");
            let mut at = p % joined.len().max(1);
            while !joined.is_char_boundary(at) {
                at -= 1;
            }
            return joined[..at].to_string();
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn edited_projects_parse_or_fail_with_a_message(which in 0usize..2, edits in proptest::collection::vec(edit(), 1..5)) {
        let mut text = PROJECTS[which].to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        if let Err(e) = Config::parse(&text, Path::new("geodata/urumqi/p.toml")) {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("geodata/urumqi/p.toml"), "{msg}");
            prop_assert!(!msg.contains("Error {") && !msg.contains("kind:"), "a debug dump: {msg}");
        }
    }
}

#[test]
fn the_demo_projects_parse() {
    for p in PROJECTS {
        Config::parse(p, Path::new("geodata/urumqi/p.toml")).unwrap();
    }
}
