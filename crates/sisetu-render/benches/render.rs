//! Rendering speed: 1,000,000 sites, the 8 real 乌鲁木齐市 districts and ~40,000 500 m cells
//! on an A3 landscape page at 300 dpi (4961 × 3508 px), PNG encoding included.
//!
//! `cargo bench -p sisetu-render --bench render`

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use sisetu_render::*;

fn bench(c: &mut Criterion) {
    let districts = common::urumqi_districts();
    let sites = common::synthetic_sites(1_000_000, 42);
    // The non-empty 500 m cells of the first 300,000 sites: about 40,000 cells.
    let cells = common::cells_of(&sites[..300_000], 500.0);
    let footer =
        vec!["数据来源：合成数据 (benchmark)".to_string(), "坐标系：equirectangular around 87.6E 43.8N".to_string()];
    let content = MapContent {
        districts: &districts,
        areas: &cells,
        sites: &sites,
        fill: Fill::Areas,
        label_districts: true,
        extent: None,
        legend_counts: common::level_counts(&sites),
        legend_title: "风险等级",
        focus: None,
    };
    let text = MapText {
        title: "乌鲁木齐市安全风险四色分布图", subtitle: Some("1,000,000 sites"), footer: &footer
    };
    let page = Page { size: PageSize::A3, ..Page::default() };
    let style = Style::default();
    let font = Font::vendored();
    eprintln!("{} districts, {} cells, {} sites", districts.len(), cells.len(), sites.len());
    let out = render(&page, &style, &font, &text, &content).expect("render");
    eprintln!("{} × {} px, PNG {} bytes", out.width, out.height, out.png.len());
    let mut g = c.benchmark_group("render");
    g.sample_size(10);
    g.bench_function("a3_300dpi_1m_sites_40k_cells", |b| {
        b.iter(|| render(&page, &style, &font, &text, &content).expect("render"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
