//! The engine's modules import each other in one direction only: this test reads the
//! sources, builds the graph of `crate::…` paths between modules (top-level modules, and the
//! children of `analysis`, `maps`, `outputs` and `pipeline`), and fails on any cycle. Test
//! files (`*_tests.rs`, `tests.rs`, `testkit.rs`) and doc comments are left out.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const NESTED: [&str; 4] = ["analysis", "maps", "outputs", "pipeline"];

/// The module a source file belongs to, at the granularity of the graph.
fn module_of(rel: &str) -> Option<String> {
    let stem = rel.strip_suffix(".rs")?;
    let mut parts: Vec<&str> = stem.split('/').collect();
    let last = *parts.last()?;
    if last.ends_with("_tests") || last == "tests" || last == "testkit" || stem == "lib" {
        return None;
    }
    if last == "mod" {
        parts.pop();
    }
    let depth = if NESTED.contains(&parts[0]) { 2 } else { 1 };
    Some(parts[..parts.len().min(depth)].join("::"))
}

/// The module a `crate::a::b` path names, at the same granularity.
fn target_of(a: &str, b: Option<&str>, src: &Path) -> String {
    match b {
        Some(b)
            if NESTED.contains(&a)
                && (src.join(a).join(format!("{b}.rs")).is_file() || src.join(a).join(b).is_dir()) =>
        {
            format!("{a}::{b}")
        }
        _ => a.to_string(),
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        let Some(from) = module_of(&rel) else { continue };
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
                let a = ident(rest);
                let b = rest[a.len()..].strip_prefix("::").map(ident).filter(|b| !b.is_empty());
                if a.is_empty() || a == "error" || a == "input_error" {
                    continue;
                }
                let to = target_of(&a, b.as_deref(), src);
                let related =
                    to == from || from.starts_with(&format!("{to}::")) || to.starts_with(&format!("{from}::"));
                if !related {
                    edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    edges
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn dfs(
        u: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(u.to_string(), 1);
        stack.push(u.to_string());
        for v in edges.get(u).into_iter().flatten() {
            match state.get(v.as_str()) {
                Some(1) => {
                    let i = stack.iter().position(|s| s == v).unwrap();
                    let mut cycle = stack[i..].to_vec();
                    cycle.push(v.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = dfs(v, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(u.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for u in edges.keys() {
        if !state.contains_key(u.as_str()) {
            if let Some(c) = dfs(u, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn engine_modules_import_each_other_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(
        edges.contains_key("pipeline") && edges["pipeline"].contains("analysis"),
        "the graph was not read: {edges:?}"
    );
    if let Some(c) = find_cycle(&edges) {
        panic!("import cycle: {}\nall edges: {edges:#?}", c.join(" → "));
    }
}

#[test]
fn a_cycle_is_found() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    assert!(find_cycle(&edges).is_none());
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
}
