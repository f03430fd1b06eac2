//! Rendering speed: 1,000,000 sites, the 8 real 乌鲁木齐市 districts and ~40,000 500 m cells
//! on an A3 landscape page at 300 dpi (4961 × 3508 px), PNG encoding included; and what
//! 10,000 service circles and 10,000 markers add to the districts alone.
//!
//! `cargo bench -p sisetu-render --bench render`
#![allow(clippy::unwrap_used, reason = "bench set-up: missing data or a failed render should stop the bench")]
#![allow(clippy::print_stderr, reason = "the bench reports the size of its scene and its PNG on stderr")]
#![allow(missing_docs, reason = "criterion_main! generates an undocumented main")]

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
        areas: &cells,
        sites: &sites,
        fill: Fill::Areas,
        legend_counts: common::level_counts(&sites),
        ..MapContent::new(&districts)
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
        b.iter(|| render(&page, &style, &font, &text, &content).expect("render"));
    });
    // A shelter-coverage map: 10,000 service circles and 10,000 markers over the districts.
    let shelters = common::synthetic_sites(10_000, 8);
    let circles: Vec<Circle> = shelters
        .iter()
        .enumerate()
        .map(|(i, s)| Circle {
            x: s.x,
            y: s.y,
            radius_m: [3000.0, 1500.0, 800.0][i % 3],
            stroke: Rgba(0x08, 0x45, 0x94, 200),
            fill: Some(Rgba(0x21, 0x66, 0xAC, 20)),
            width_pt: 0.6,
        })
        .collect();
    let markers: Vec<Marker> = shelters
        .iter()
        .enumerate()
        .map(|(i, s)| Marker {
            x: s.x,
            y: s.y,
            shape: [MarkerShape::Square, MarkerShape::Diamond, MarkerShape::Triangle][i % 3],
            size_pt: 6.0,
            fill: Rgba(255, 255, 255, 255),
            stroke: Rgba(0x26, 0x26, 0x26, 255),
        })
        .collect();
    let coverage = MapContent { circles: &circles, markers: &markers, ..MapContent::new(&districts) };
    let plain = MapContent::new(&districts);
    g.bench_function("a3_300dpi_districts", |b| {
        b.iter(|| render(&page, &style, &font, &text, &plain).expect("render"));
    });
    g.bench_function("a3_300dpi_10k_circles_10k_markers", |b| {
        b.iter(|| render(&page, &style, &font, &text, &coverage).expect("render"));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
