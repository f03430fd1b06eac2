#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every key of a catalogue with its text, dotted as rust-i18n flattens them.
fn catalogue(locale: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(format!("{locale}.toml"));
    let value: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    fn walk(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                other => panic!("{key} is {other:?}, not text"),
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", &value, &mut out);
    out
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.match_indices("%{").filter_map(|(i, _)| text[i + 2..].split_once('}').map(|(name, _)| name)).collect()
}

#[test]
fn both_catalogues_have_the_same_keys_and_placeholders() {
    let zh = catalogue("zh-CN");
    let en = catalogue("en");
    let only_zh: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(only_zh.is_empty() && only_en.is_empty(), "only in zh-CN: {only_zh:?}; only in en: {only_en:?}");
    for (key, z) in &zh {
        assert_eq!(placeholders(z), placeholders(&en[key]), "{key}: the two texts fill different placeholders");
    }
    assert!(zh.len() > 200, "{} keys", zh.len());
}

#[test]
fn every_key_the_code_names_is_in_the_catalogues() {
    // The literal keys of tr!(lang, "…") across the workspace's sources.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let zh = catalogue("zh-CN");
    let mut missing = Vec::new();
    let mut seen = 0;
    let mut stack = vec![root.join("src"), root.join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("sisetu-i18n") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices("tr!(") {
                    if text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[i + 4..];
                    let Some((_, after_lang)) = rest.split_once(',') else { continue };
                    let after_lang = after_lang.trim_start();
                    let Some(lit) = after_lang.strip_prefix('"') else { continue };
                    let key = lit.split('"').next().unwrap();
                    seen += 1;
                    if !zh.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} keys found: is the scan broken?");
    assert!(missing.is_empty(), "keys missing from the catalogues:\n{}", missing.join("\n"));
}

#[test]
fn texts_are_looked_up_by_language_and_filled_by_name() {
    assert_eq!(tr!(Lang::Zh, "level.orange"), "较大风险");
    assert_eq!(tr!(Lang::En, "level.orange"), "orange");
    assert_eq!(tr!(Lang::En, "term.outputs_in", dir = "out/x"), "outputs in out/x");
    // A value holding a placeholder is written as it is, not filled in again.
    assert_eq!(
        tr!(Lang::En, "term.file_rejected", file = "%{rejected}.csv", rejected = 3),
        "%{rejected}.csv: 3 rows rejected (see rejects.csv)"
    );
    assert_eq!(column(Lang::Zh, "district_name"), "区县名称");
    assert_eq!(column(Lang::En, "district_name"), "district_name");
    assert_eq!(column(Lang::Zh, "加油站"), "加油站", "a column without a catalogue entry keeps its name");
    assert_eq!(yes_no(Lang::Zh, true), "是");
    assert_eq!(text(Lang::Zh, "no.such.key"), "no.such.key");
}

#[test]
fn language_tags_as_people_write_them() {
    for t in ["zh", "zh-CN", "zh_CN.UTF-8", "ZH", "中文", "cn"] {
        assert_eq!(Lang::parse(t), Some(Lang::Zh), "{t}");
    }
    for t in ["en", "en-US", "en_GB.UTF-8", "English", "英文"] {
        assert_eq!(Lang::parse(t), Some(Lang::En), "{t}");
    }
    for t in ["", "fr", "de-DE", "zhx"] {
        assert_eq!(Lang::parse(t), None, "{t}");
    }
    assert_eq!(Lang::default(), Lang::Zh);
}
