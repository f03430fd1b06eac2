//! Shelter-coverage maps (应急避难场所覆盖图): areas with colours of their own, circles in
//! ground metres, markers and custom legends, on the real 乌鲁木齐市 districts.
#![allow(clippy::unwrap_used, reason = "tests: a failed decode or render should fail the test loudly")]

mod common;

use common::*;
use geo::InteriorPoint;
use sisetu_render::*;

type Img = (u32, u32, Vec<u8>);

const TEXT: MapText = MapText { title: "应急避难场所覆盖图", subtitle: None, footer: &[] };
const GREEN: Rgba = Rgba(0x1A, 0x98, 0x50, 255);
const MAGENTA: Rgba = Rgba(0xFF, 0x00, 0xFF, 255);
const DARK: Rgba = Rgba(0x33, 0x33, 0x33, 255);

fn blend(c: Rgba, opacity: f32) -> [u8; 3] {
    let m = |v: u8| (v as f32 * opacity + 255.0 * (1.0 - opacity)).round() as u8;
    [m(c.0), m(c.1), m(c.2)]
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter().zip(b.iter()).all(|(x, y)| (*x as i32 - *y as i32).abs() <= tol)
}

fn in_box(b: (f32, f32, f32, f32), x: f32, y: f32) -> bool {
    x >= b.0 && x <= b.2 && y >= b.1 && y <= b.3
}

fn rgb(c: Rgba) -> [u8; 3] {
    [c.0, c.1, c.2]
}

fn count_colour(img: &Img, b: (f32, f32, f32, f32), c: [u8; 3]) -> usize {
    let mut n = 0;
    for y in b.1 as u32..b.3 as u32 {
        for x in b.0 as u32..b.2 as u32 {
            if near(rgb_at(img, x as f32, y as f32), c, 3) {
                n += 1;
            }
        }
    }
    n
}

fn render_ok(page: &Page, c: &MapContent) -> (Rendered, Img) {
    let out = render(page, &Style::default(), &Font::vendored(), &TEXT, c).expect("render");
    let img = decode(&out.png);
    (out, img)
}

fn centre_of(a: &Area) -> (f64, f64) {
    let p = a.geometry.interior_point().expect("interior point");
    (p.x(), p.y())
}

#[test]
fn new_gives_the_documented_defaults() {
    let districts = urumqi_districts();
    let c = MapContent::new(&districts);
    assert_eq!(c.districts.len(), districts.len());
    assert!(c.areas.is_empty() && c.sites.is_empty() && c.circles.is_empty() && c.markers.is_empty());
    assert!(c.legend_items.is_empty());
    assert_eq!(c.fill, Fill::Districts);
    assert!(c.label_districts);
    assert!(c.extent.is_none() && c.focus.is_none());
    assert_eq!((c.legend_counts, c.legend_title), (LevelCounts::default(), "风险等级"));
}

#[test]
fn an_area_with_its_own_colour_is_filled_with_it_whatever_the_fill() {
    let style = Style::default();
    let mut districts = urumqi_districts();
    districts[2].color = Some(GREEN);
    // 乌鲁木齐县 has no level: with a colour of its own it is no "no data" area any more.
    districts[7].color = Some(MAGENTA);
    for fill in [Fill::Districts, Fill::Areas, Fill::None] {
        let c = MapContent { fill, label_districts: false, ..MapContent::new(&districts) };
        let (out, img) = render_ok(&Page { dpi: 150.0, ..Page::default() }, &c);
        for (i, col) in [(2, GREEN), (7, MAGENTA)] {
            let (x, y) = centre_of(&districts[i]);
            let (px, py) = out.pixel_of(x, y);
            assert!(!in_box(out.legend_box, px, py));
            let got = rgb_at(&img, px, py);
            assert!(near(got, blend(col, style.fill_opacity), 3), "{fill:?} {}: {got:?}", districts[i].name);
        }
        // The other districts keep the level colour only when districts are filled.
        let (x, y) = centre_of(&districts[3]);
        let (px, py) = out.pixel_of(x, y);
        let blue = blend(style.colors[3], style.fill_opacity);
        assert_eq!(near(rgb_at(&img, px, py), blue, 3), fill == Fill::Districts, "{fill:?}");
        if fill == Fill::Districts {
            // Four level rows: no 无数据 row (1.75 em) as without the colour.
            let plain = urumqi_districts();
            let c = MapContent { label_districts: false, ..MapContent::new(&plain) };
            let (with_no_data, _) = render_ok(&Page { dpi: 150.0, ..Page::default() }, &c);
            let h = |b: (f32, f32, f32, f32)| b.3 - b.1;
            let row = 1.75 * 10.0 * 150.0 / 72.0;
            assert!((h(with_no_data.legend_box) - h(out.legend_box) - row).abs() <= 1.0, "{out:?}");
        }
    }
    // A gap cell of the areas layer, with its own colour, over districts filled by level.
    let (x, y) = centre_of(&districts[0]);
    let cell = Area {
        id: "gap".into(),
        name: String::new(),
        geometry: geo::Rect::new(
            geo::coord! {x: x - 2000.0, y: y - 2000.0},
            geo::coord! {x: x + 2000.0, y: y + 2000.0},
        )
        .to_polygon()
        .into(),
        level: None,
        counts: LevelCounts::default(),
        color: Some(MAGENTA),
    };
    let cells = [cell];
    let c = MapContent { areas: &cells, label_districts: false, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page { dpi: 150.0, ..Page::default() }, &c);
    let (px, py) = out.pixel_of(x, y);
    // The translucent cell over the translucent district fill.
    let under = blend(style.colors[0], style.fill_opacity);
    let a = style.fill_opacity;
    let expected = [0, 1, 2].map(|i| (rgb(MAGENTA)[i] as f32 * a + under[i] as f32 * (1.0 - a)).round() as u8);
    assert!(near(rgb_at(&img, px, py), expected, 3), "{:?} vs {expected:?}", rgb_at(&img, px, py));
}

/// Distance in pixels from `(cx, cy)` to the magenta pixels along rays in 16 directions.
fn magenta_radii(out: &Rendered, img: &Img, cx: f32, cy: f32, max: f32) -> Vec<f32> {
    let mut radii = Vec::new();
    for k in 0..16 {
        let a = k as f32 * std::f32::consts::TAU / 16.0;
        let (dx, dy) = (a.cos(), a.sin());
        let mut hits = Vec::new();
        let mut t = 0.0;
        while t < max {
            let (x, y) = (cx + t * dx, cy + t * dy);
            if in_box(out.map_frame, x, y) && !in_box(out.legend_box, x, y) {
                let p = rgb_at(img, x, y);
                // Strongly magenta: red and blue high, green low.
                if p[0] > 200 && p[2] > 200 && p[1] < 60 {
                    hits.push(t);
                }
            }
            t += 0.25;
        }
        if !hits.is_empty() {
            radii.push(hits.iter().sum::<f32>() / hits.len() as f32);
        }
    }
    radii
}

#[test]
fn circle_outlines_lie_at_their_radius_in_ground_metres() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    let circles = [Circle { x, y, radius_m: 4000.0, stroke: MAGENTA, fill: None, width_pt: 1.0 }];
    let c = MapContent { fill: Fill::None, label_districts: false, circles: &circles, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let (cx, cy) = out.pixel_of(x, y);
    let (ex, _) = out.pixel_of(x + 4000.0, y);
    let r_px = ex - cx;
    assert!(r_px > 30.0, "{r_px}");
    let radii = magenta_radii(&out, &img, cx, cy, 2.0 * r_px);
    assert!(radii.len() >= 12, "{radii:?}");
    for r in &radii {
        assert!((r - r_px).abs() < 1.0, "outline at {r} px, expected {r_px} px");
    }
    // Inside and outside the ring the map shows through (outline only).
    assert!(!near(rgb_at(&img, cx, cy), rgb(MAGENTA), 60));
}

#[test]
fn circle_fills_are_translucent_and_merged() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    let fill = Rgba(0, 0, 255, 64);
    // Two overlapping circles with the same fill: the overlap is not darker.
    let circles = [
        Circle { x, y, radius_m: 3000.0, stroke: DARK, fill: Some(fill), width_pt: 0.5 },
        Circle { x: x + 1000.0, y, radius_m: 3000.0, stroke: DARK, fill: Some(fill), width_pt: 0.5 },
    ];
    let c = MapContent { fill: Fill::None, label_districts: false, circles: &circles, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let (p0x, p0y) = out.pixel_of(x + 500.0, y);
    let (p1x, p1y) = out.pixel_of(x - 2500.0, y + 500.0);
    let overlap = rgb_at(&img, p0x, p0y);
    let single = rgb_at(&img, p1x, p1y);
    assert!(near(overlap, single, 2), "{overlap:?} vs {single:?}");
    assert!(near(single, blend(Rgba(0, 0, 255, 255), 64.0 / 255.0), 3), "{single:?}");
}

#[test]
fn a_huge_circle_crossing_the_frame_is_drawn_at_its_radius() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    // Centred 100,000 km to the west: its outline passes (x, y) as a straight vertical line.
    let r = 1e8;
    let circles = [
        Circle { x: x - r, y, radius_m: r, stroke: MAGENTA, fill: Some(Rgba(0, 0, 255, 64)), width_pt: 1.0 },
        // One containing the whole frame: only its fill shows.
        Circle { x, y, radius_m: 1e9, stroke: MAGENTA, fill: Some(Rgba(0, 255, 0, 32)), width_pt: 1.0 },
    ];
    let c = MapContent { fill: Fill::None, label_districts: false, circles: &circles, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let (px, py) = out.pixel_of(x, y);
    assert!(near(rgb_at(&img, px, py), rgb(MAGENTA), 40), "{:?}", rgb_at(&img, px, py));
    assert!(near(rgb_at(&img, px, py - 200.0), rgb(MAGENTA), 40));
    // Inside: the blue fill, then the green one over it (fills in order of first appearance).
    let green = |under: [u8; 3]| under.map(|v| v as f32 * (1.0 - 32.0 / 255.0));
    let mut inside = green(blend(Rgba(0, 0, 255, 255), 64.0 / 255.0));
    inside[1] += 32.0;
    let mut outside = green([255, 255, 255]);
    outside[1] += 32.0;
    let (west, east) = (rgb_at(&img, px - 20.0, py), rgb_at(&img, px + 20.0, py));
    assert!(near(west, inside.map(|v| v.round() as u8), 3), "{west:?} vs {inside:?}");
    assert!(near(east, outside.map(|v| v.round() as u8), 3), "{east:?} vs {outside:?}");
    // The frame corner far from everything is tinted by the frame-covering circle.
    let f = out.map_frame;
    let corner = rgb_at(&img, f.2 - 5.0, (f.1 + f.3) / 2.0);
    assert!(corner[1] > corner[0], "{corner:?}");
}

#[test]
fn bad_circles_and_markers_are_skipped_and_bad_sizes_are_errors() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    let circle =
        |x: f64, y: f64, radius_m: f64| Circle { x, y, radius_m, stroke: MAGENTA, fill: Some(GREEN), width_pt: 1.0 };
    let circles = [
        circle(f64::NAN, y, 1000.0),
        circle(x, f64::INFINITY, 1000.0),
        circle(x, y, f64::NAN),
        circle(x, y, f64::INFINITY),
        circle(x, y, -5.0),
        circle(x, y, 0.0),
        circle(1e300, -1e300, 1e300),
        circle(-f64::MAX, f64::MAX, f64::MAX),
        circle(x + 5000.0, y, 1e-300),
        circle(x + 1e12, y, 1e12 - 3000.0),
    ];
    let marker = |x: f64, y: f64, size_pt: f32| Marker {
        x,
        y,
        shape: MarkerShape::Triangle,
        size_pt,
        fill: GREEN,
        stroke: DARK,
    };
    let markers =
        [marker(f64::NAN, y, 8.0), marker(x, f64::NEG_INFINITY, 8.0), marker(x, y, 0.0), marker(1e300, 1e300, 8.0)];
    let c = MapContent { circles: &circles, markers: &markers, label_districts: false, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page { dpi: 100.0, ..Page::default() }, &c);
    let (px, py) = out.pixel_of(x, y);
    let style = Style::default();
    assert!(near(rgb_at(&img, px, py), blend(style.colors[3], style.fill_opacity), 3), "nothing drawn at the centre");

    let font = Font::vendored();
    let page = Page { dpi: 100.0, ..Page::default() };
    for w in [f32::NAN, -1.0, f32::INFINITY, 5000.0] {
        let bad = [Circle { width_pt: w, ..circle(x, y, 1000.0) }];
        let c = MapContent { circles: &bad, ..MapContent::new(&districts) };
        let r = render(&page, &style, &font, &TEXT, &c);
        assert!(matches!(&r, Err(RenderError::Invalid(m)) if m.contains("circle 0")), "{w}: {r:?}");
    }
    for size in [f32::NAN, -2.0, f32::INFINITY] {
        let bad = [marker(x, y, size)];
        let c = MapContent { markers: &bad, ..MapContent::new(&districts) };
        let r = render(&page, &style, &font, &TEXT, &c);
        assert!(matches!(&r, Err(RenderError::Invalid(m)) if m.contains("marker 0")), "{size}: {r:?}");
        let items = [LegendItem {
            swatch: Swatch::Marker { shape: MarkerShape::Circle, size_pt: size, fill: GREEN, stroke: DARK },
            label: "x".into(),
            count: None,
        }];
        let c = MapContent { legend_items: &items, ..MapContent::new(&districts) };
        assert!(matches!(render(&page, &style, &font, &TEXT, &c), Err(RenderError::Invalid(_))));
    }
}

#[test]
fn markers_are_drawn_above_sites_in_slice_order() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[7]);
    let (qx, qy) = centre_of(&districts[6]);
    let sites = [SitePoint { x, y, level: RiskLevel::Red }, SitePoint { x: qx, y: qy, level: RiskLevel::Red }];
    let markers = [
        Marker { x, y, shape: MarkerShape::Square, size_pt: 8.0, fill: MAGENTA, stroke: DARK },
        Marker { x, y, shape: MarkerShape::Diamond, size_pt: 6.0, fill: GREEN, stroke: DARK },
    ];
    let c = MapContent { sites: &sites, markers: &markers, label_districts: false, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let style = Style::default();
    let (px, py) = out.pixel_of(x, y);
    assert_eq!(rgb_at(&img, px, py), rgb(GREEN), "the later marker is on top");
    // The square shows around the smaller diamond, where the 5 pt site would be.
    let d = 3.4 * 300.0 / 72.0 / 2.0 + 2.0;
    assert_eq!(rgb_at(&img, px + d, py + d), rgb(MAGENTA));
    // The other site has no marker on it.
    let (qx, qy) = out.pixel_of(qx, qy);
    assert_eq!(rgb_at(&img, qx, qy), rgb(style.colors[0]));
    // A dark outline around the square, and the district fill beyond it.
    let half = 4.0 * 300.0 / 72.0;
    let edge = (0..6).map(|i| rgb_at(&img, px + half - 2.5 + i as f32 * 0.5, py)).any(|p| p[0] < 100);
    assert!(edge, "no outline at the square's edge");
    assert!(near(rgb_at(&img, px + half + 3.0, py), [0xf2, 0xf2, 0xf2], 3));
}

#[test]
fn every_marker_shape_is_drawn() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    let shapes =
        [MarkerShape::Circle, MarkerShape::Square, MarkerShape::Triangle, MarkerShape::Diamond, MarkerShape::Cross];
    let markers: Vec<Marker> = shapes
        .iter()
        .enumerate()
        .map(|(i, &shape)| Marker { x: x + i as f64 * 10_000.0, y, shape, size_pt: 10.0, fill: MAGENTA, stroke: DARK })
        .collect();
    let c = MapContent { fill: Fill::None, label_districts: false, markers: &markers, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let mut areas = Vec::new();
    for m in &markers {
        let (px, py) = out.pixel_of(m.x, m.y);
        let b = (px - 30.0, py - 30.0, px + 30.0, py + 30.0);
        let n = count_colour(&img, b, rgb(MAGENTA));
        areas.push(n);
        assert_eq!(rgb_at(&img, px, py), rgb(MAGENTA), "{:?}", m.shape);
    }
    // 10 pt at 300 dpi is 41.7 px: a disc of about 1,300 px², the square as large, the
    // others smaller but clearly there.
    let disc = areas[0] as f32;
    assert!((1000.0..1500.0).contains(&disc), "{areas:?}");
    assert!((areas[1] as f32 / disc - 1.0).abs() < 0.1, "{areas:?}");
    assert!(areas[2..].iter().all(|&n| n as f32 > 0.4 * disc), "{areas:?}");
}

fn items(n: usize) -> Vec<LegendItem> {
    let classes = [
        (Swatch::Fill(Rgba(0xD7, 0x30, 0x27, 255)), "人均避难面积 < 1.0 m²（未达标）", Some("3")),
        (Swatch::Fill(Rgba(0xFE, 0xE0, 0x8B, 255)), "人均避难面积 1.0 – 1.5 m²", Some("2")),
        (Swatch::Fill(GREEN), "人均避难面积 ≥ 1.5 m²", Some("3")),
        (
            Swatch::Marker { shape: MarkerShape::Square, size_pt: 8.0, fill: MAGENTA, stroke: DARK },
            "Ⅰ类避难场所",
            Some("12"),
        ),
        (Swatch::Ring(Rgba(0x00, 0x68, 0xB7, 255)), "服务半径 2 km", None),
        (
            Swatch::Marker { shape: MarkerShape::Cross, size_pt: 14.0, fill: GREEN, stroke: DARK },
            "建议新建",
            Some("1,204"),
        ),
    ];
    classes[..n]
        .iter()
        .map(|(swatch, label, count)| LegendItem {
            swatch: *swatch,
            label: label.to_string(),
            count: count.map(str::to_string),
        })
        .collect()
}

#[test]
fn legend_items_replace_the_level_rows() {
    let districts = urumqi_districts();
    let style = Style::default();
    let page = Page::default();
    let plain = MapContent { label_districts: false, ..MapContent::new(&districts) };
    let (levels, _) = render_ok(&page, &plain);
    let three = items(3);
    let six = items(6);
    let c3 = MapContent { legend_items: &three, legend_counts: LevelCounts::new([9, 9, 9, 9]), ..plain };
    let c6 = MapContent { legend_items: &six, ..MapContent::new(&districts) };
    let (o3, img3) = render_ok(&page, &c3);
    let (o6, img6) = render_ok(&page, &c6);
    let h = |b: (f32, f32, f32, f32)| b.3 - b.1;
    let lp = 10.0 * 300.0 / 72.0;
    // Five level rows (with 无数据) vs three and six custom rows of 1.75 em (the cross is taller).
    assert!((h(levels.legend_box) - h(o3.legend_box) - 2.0 * 1.75 * lp).abs() <= 1.0, "{levels:?} {o3:?}");
    assert!(h(o6.legend_box) - h(o3.legend_box) > 3.0 * 1.75 * lp - 2.0);
    // The longer labels widen the box.
    assert!(o3.legend_box.2 - o3.legend_box.0 > levels.legend_box.2 - levels.legend_box.0 + 2.0 * lp);
    for (out, img) in [(&o3, &img3), (&o6, &img6)] {
        let lb = out.legend_box;
        let f = out.map_frame;
        assert!(lb.0 >= f.0 && lb.1 >= f.1 && lb.2 <= f.2 && lb.3 <= f.3, "legend {lb:?} inside frame {f:?}");
        assert!(count_colour(img, lb, blend(GREEN, style.fill_opacity)) > 500, "the Fill swatch at fill opacity");
        assert!(count_colour(img, lb, blend(Rgba(0xD7, 0x30, 0x27, 255), style.fill_opacity)) > 500);
        // No level swatches and no 无数据 swatch.
        for l in RiskLevel::ALL {
            assert_eq!(count_colour(img, lb, blend(style.color(l), style.fill_opacity)), 0, "{l}");
        }
    }
    // The marker and ring swatches.
    assert!(count_colour(&img6, o6.legend_box, rgb(MAGENTA)) > 300);
    assert!(count_colour(&img6, o6.legend_box, rgb(GREEN)) > 300);
    assert!(count_colour(&img6, o6.legend_box, [0x00, 0x68, 0xB7]) > 50);
    assert_eq!(count_colour(&img3, o3.legend_box, rgb(MAGENTA)), 0);
}

#[test]
fn coverage_maps_are_deterministic_at_any_thread_count() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(20_000, 4);
    let mut rng = Rng::new(17);
    let mut circles = Vec::new();
    let mut markers = Vec::new();
    for i in 0..3000 {
        let s = sites[(rng.next_u64() % sites.len() as u64) as usize];
        let fill = if i % 3 == 0 { None } else { Some(Rgba(0, 0x68, 0xB7, 40)) };
        circles.push(Circle {
            x: s.x,
            y: s.y,
            radius_m: 500.0 + rng.f64() * 3000.0,
            stroke: Rgba(0, 0x68, 0xB7, 200),
            fill,
            width_pt: 0.6,
        });
        let shape = [MarkerShape::Square, MarkerShape::Triangle, MarkerShape::Cross][i % 3];
        markers.push(Marker {
            x: s.x,
            y: s.y,
            shape,
            size_pt: 4.0 + rng.f64() as f32 * 6.0,
            fill: GREEN,
            stroke: DARK,
        });
    }
    let its = items(6);
    let c = MapContent {
        sites: &sites,
        circles: &circles,
        markers: &markers,
        legend_items: &its,
        fill: Fill::None,
        ..MapContent::new(&districts)
    };
    let page = Page { dpi: 150.0, ..Page::default() };
    let run = || render(&page, &Style::default(), &Font::vendored(), &TEXT, &c).unwrap();
    let a = run();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(run);
    assert!(a.png == one.png, "1 thread differs from the default pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(run);
    assert!(a.png == three.png, "3 threads differ from the default pool");
    // Nothing is drawn outside the frame.
    let img = decode(&a.png);
    let f = a.map_frame;
    for y in (f.1 as u32 - 3..f.3 as u32 + 3).step_by(7) {
        for x in [f.0 - 3.0, f.2 + 3.0] {
            assert_eq!(rgb_at(&img, x, y as f32), [255, 255, 255], "({x}, {y})");
        }
    }
}

#[test]
fn markers_too_large_to_stamp_are_drawn_as_paths_in_slice_order() {
    let districts = urumqi_districts();
    let (x, y) = centre_of(&districts[3]);
    // Two 700 pt symbols (2,900 px at 300 dpi) are more than the stamps may take: drawn one
    // by one, still in slice order, with a small one on top.
    let markers = [
        Marker { x, y, shape: MarkerShape::Circle, size_pt: 700.0, fill: GREEN, stroke: DARK },
        Marker { x, y, shape: MarkerShape::Square, size_pt: 700.0, fill: MAGENTA, stroke: DARK },
        Marker { x, y, shape: MarkerShape::Diamond, size_pt: 8.0, fill: GREEN, stroke: DARK },
    ];
    let c = MapContent { markers: &markers, label_districts: false, ..MapContent::new(&districts) };
    let (out, img) = render_ok(&Page::default(), &c);
    let (px, py) = out.pixel_of(x, y);
    assert_eq!(rgb_at(&img, px, py), rgb(GREEN));
    assert_eq!(rgb_at(&img, px + 100.0, py + 100.0), rgb(MAGENTA));
}

#[test]
fn labels_move_off_a_marker_at_their_label_point() {
    let districts = urumqi_districts();
    let page = Page::default();
    let plain = MapContent { fill: Fill::None, ..MapContent::new(&districts) };
    let (before, _) = render_ok(&page, &plain);
    let id = &districts[7].id;
    let &(_, lx, ly) = before.labels.iter().find(|l| &l.0 == id).expect("乌鲁木齐县 is labelled");
    let (x, y) = before.world_of(lx, ly);
    let markers = [Marker { x, y, shape: MarkerShape::Square, size_pt: 8.0, fill: MAGENTA, stroke: DARK }];
    let c = MapContent { markers: &markers, ..plain };
    let (out, img) = render_ok(&page, &c);
    let &(_, nx, ny) = out.labels.iter().find(|l| &l.0 == id).expect("still labelled");
    assert!((nx - lx).abs() > 1.0 || (ny - ly).abs() > 1.0, "the label stayed on the marker at ({lx}, {ly})");
    // Nothing of the label is drawn over the marker: it shows as fully as on a map without labels.
    let (_, bare) = render_ok(&page, &MapContent { label_districts: false, ..c });
    let (px, py) = out.pixel_of(x, y);
    let b = (px - 25.0, py - 25.0, px + 25.0, py + 25.0);
    let full = count_colour(&bare, b, rgb(MAGENTA));
    assert!(full > 400, "{full}");
    assert_eq!(count_colour(&img, b, rgb(MAGENTA)), full);
    // The other labels did not move.
    for l in before.labels.iter().filter(|l| &l.0 != id) {
        assert!(out.labels.contains(l), "{l:?} moved");
    }
}

#[test]
fn markers_never_leave_a_label_out() {
    let districts = urumqi_districts();
    let page = Page { dpi: 150.0, ..Page::default() };
    let plain = MapContent { fill: Fill::None, ..MapContent::new(&districts) };
    let (before, _) = render_ok(&page, &plain);
    // A marker every 10 px over the whole frame: every position a label tries covers some.
    let f = before.map_frame;
    let mut markers = Vec::new();
    for j in 0..((f.3 - f.1) / 10.0) as usize {
        for i in 0..((f.2 - f.0) / 10.0) as usize {
            let (x, y) = before.world_of(f.0 + 5.0 + i as f32 * 10.0, f.1 + 5.0 + j as f32 * 10.0);
            markers.push(Marker { x, y, shape: MarkerShape::Circle, size_pt: 4.0, fill: GREEN, stroke: DARK });
        }
    }
    assert!(markers.len() > 10_000, "{}", markers.len());
    let (out, _) = render_ok(&page, &MapContent { markers: &markers, ..plain });
    let ids = |r: &Rendered| r.labels.iter().map(|l| l.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&out), ids(&before));
}
