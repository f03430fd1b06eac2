//! The interface's language: Chinese unless `--lang en` or `SISETU_LANG=en` asks otherwise,
//! for the terminal, `--help` and the tables; the machine-readable outputs and the maps are
//! the same bytes in both languages.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::{copy_demo_inputs, read_text, sisetu_lang};
use std::path::Path;

fn demo(dir: &Path) {
    copy_demo_inputs(dir);
}

/// The rows of a CSV table written by sisetu (BOM removed).
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = read_text(path);
    let mut r =
        csv::ReaderBuilder::new().has_headers(false).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn a_build_speaks_chinese_by_default_and_english_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let zh = sisetu_lang(tmp.path(), &["build", "sisetu.toml", "--out", "zh"], None).expect_code(0).stderr.clone();
    assert!(zh.contains("读入 3000 行，接受 2991 行，剔除 9 行"), "{zh}");
    assert!(zh.contains("未归属区县") && zh.contains("输出目录：zh") && zh.contains("警告："), "{zh}");
    assert!(!zh.contains("rows read") && !zh.contains("warning:"), "English left in the Chinese terminal:\n{zh}");

    let summary = rows(&tmp.path().join("zh/summary.csv"));
    assert_eq!(
        summary[0][..8],
        ["区县代码", "区县名称", "区域风险等级", "重大风险", "较大风险", "一般风险", "低风险", "风险点合计"]
    );
    assert!(summary[1..].iter().any(|r| r[2] == "重大风险"), "{summary:?}");
    // One label and no level for the sites outside every district, in every table.
    let unassigned = summary.iter().find(|r| r[1].starts_with("未归属")).unwrap();
    assert_eq!((unassigned[1].as_str(), unassigned[2].as_str()), ("未归属区县", ""));
    let total = summary.last().unwrap();
    assert_eq!((total[1].as_str(), total[2].as_str()), ("合计", ""));
    let table = rows(&tmp.path().join("zh/table.csv"));
    assert!(table.iter().any(|r| r[1] == "未归属区县" && r[2].is_empty()), "{table:?}");
    let shelters = rows(&tmp.path().join("zh/shelter_summary.csv"));
    assert_eq!(shelters[0][7], "人均面积达标", "{:?}", shelters[0]);
    assert!(shelters[1..].iter().all(|r| r[7] == "是" || r[7] == "否"), "人均面积达标 is 是/否: {shelters:?}");
    let rejects = rows(&tmp.path().join("zh/rejects.csv"));
    assert_eq!(rejects[0], ["文件", "行号", "剔除原因", "原始行"]);
    assert!(rejects.iter().any(|r| r[2].contains("经纬度似乎填反了")), "{rejects:?}");

    let en = sisetu_lang(tmp.path(), &["build", "sisetu.toml", "--out", "en", "--lang", "en"], None)
        .expect_code(0)
        .stderr
        .clone();
    assert!(en.contains("3000 rows read, 2991 accepted, 9 rejected") && en.contains("outputs in en"), "{en}");
    let summary_en = rows(&tmp.path().join("en/summary.csv"));
    assert_eq!(summary_en[0][..4], ["district_id", "district_name", "level", "n_red"]);
    assert!(summary_en.iter().any(|r| r[1] == "unassigned" && r[2].is_empty()), "{summary_en:?}");
    assert!(rows(&tmp.path().join("en/rejects.csv"))
        .iter()
        .any(|r| r[2].contains("latitude and longitude appear swapped")));

    // What scripts and GIS read does not depend on the language.
    for f in
        ["districts.geojson", "sites.geojson", "cells.geojson", "report.json", "map_districts.png", "shelters.geojson"]
    {
        assert!(
            std::fs::read(tmp.path().join("zh").join(f)).unwrap()
                == std::fs::read(tmp.path().join("en").join(f)).unwrap(),
            "{f} differs between the languages"
        );
    }
}

#[test]
fn the_language_comes_from_the_flag_then_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let help = |args: &[&str], env: Option<&str>| sisetu_lang(tmp.path(), args, env).expect_code(0).stdout.clone();
    let zh = help(&["--help"], None);
    assert!(zh.contains("用法：") && zh.contains("命令") && zh.contains("读取普查数据和边界"), "{zh}");
    let build = help(&["build", "--help"], None);
    assert!(build.contains("项目文件（TOML）") && build.contains("参数") && !build.contains("[default:"), "{build}");
    assert!(help(&["--help"], Some("en")).contains("Usage:"));
    assert!(help(&["--help", "--lang", "en"], None).contains("Usage:"));
    assert!(help(&["--lang=zh", "build", "--help"], Some("en")).contains("用法："), "--lang wins over SISETU_LANG");
    assert!(help(&["--help"], Some("zh_CN.UTF-8")).contains("用法："));

    let bad = sisetu_lang(tmp.path(), &["--lang", "fr", "check", "x.toml"], None);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("--lang \"fr\"") && bad.stderr.contains("zh") && bad.stderr.contains("en"),
        "{}",
        bad.stderr
    );
    let bad_env = sisetu_lang(tmp.path(), &["check", "x.toml"], Some("klingon"));
    bad_env.expect_code(2);
    assert!(bad_env.stderr.contains("SISETU_LANG"), "{}", bad_env.stderr);
}

#[test]
fn check_reports_in_chinese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let run = sisetu_lang(tmp.path(), &["check", "sisetu.toml"], None);
    run.expect_code(1);
    assert!(run.stdout.contains("行将被剔除") && run.stdout.contains("退出码 1"), "{}", run.stdout);
}

#[test]
fn first_errors_say_what_was_looked_for_in_the_users_language() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("区县边界.geojson"), "{}").unwrap();
    std::fs::write(
        dir.join("sisetu.toml"),
        "[project]\ntitle = \"t\"\n[districts]\npath = \"区县.geojson\"\ncrs = \"CGCS2000\"\n[[sites]]\npath = \"s.csv\"\ncrs = \"CGCS2000\"\n",
    )
    .unwrap();
    let zh = sisetu_lang(dir, &["build", "sisetu.toml"], None);
    zh.expect_code(2);
    assert!(
        zh.stderr.contains("找不到文件 区县.geojson（查找的是 ")
            && zh.stderr.contains("该文件夹中有：区县边界.geojson"),
        "{}",
        zh.stderr
    );
    let en = sisetu_lang(dir, &["build", "sisetu.toml"], Some("en"));
    assert!(
        en.stderr.contains("区县.geojson: no such file (looked for ")
            && en.stderr.contains("the folder has: 区县边界.geojson"),
        "{}",
        en.stderr
    );

    // Letters without a mapping: the example to paste asks, it does not answer.
    copy_demo_inputs(dir);
    let project = std::fs::read_to_string(dir.join("sisetu.toml")).unwrap();
    let start = project.find("[grades]").unwrap();
    let end = project[start..].find("\n\n").map_or(project.len(), |e| start + e);
    std::fs::write(dir.join("nogrades.toml"), format!("{}{}", &project[..start], &project[end..])).unwrap();
    let run = sisetu_lang(dir, &["build", "nogrades.toml"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("这些等级标签没有对应") && run.stderr.contains("\"A\" = \"?\""), "{}", run.stderr);
    assert!(!run.stderr.contains("= \"red\""), "{}", run.stderr);
}
