//! Pixel tests on rendered maps of the real 乌鲁木齐市 districts.
#![allow(clippy::unwrap_used, reason = "tests: a failed decode or render should fail the test loudly")]

mod common;

use common::*;
use geo::{coord, Centroid, Contains, InteriorPoint, Point, Rect};
use sisetu_render::*;

type Img = (u32, u32, Vec<u8>);

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

fn content<'a>(districts: &'a [Area], areas: &'a [Area], sites: &'a [SitePoint], fill: Fill) -> MapContent<'a> {
    MapContent {
        areas,
        sites,
        fill,
        label_districts: false,
        legend_counts: level_counts(sites),
        ..MapContent::new(districts)
    }
}

const TEXT: MapText = MapText { title: "乌鲁木齐市安全风险四色分布图", subtitle: None, footer: &[] };

fn render_ok(page: &Page, c: &MapContent) -> (Rendered, Img) {
    let out = render(page, &Style::default(), &Font::vendored(), &TEXT, c).expect("render");
    let img = decode(&out.png);
    assert_eq!((img.0, img.1), (out.width, out.height));
    (out, img)
}

fn world_file(out: &Rendered) -> [f64; 6] {
    let v: Vec<f64> = out.world_file.lines().map(|l| l.trim().parse().expect("world file number")).collect();
    assert_eq!(v.len(), 6, "{}", out.world_file);
    [v[0], v[1], v[2], v[3], v[4], v[5]]
}

#[test]
fn district_interiors_have_their_level_colour() {
    let districts = urumqi_districts();
    let style = Style::default();
    let (out, img) = render_ok(&Page::default(), &content(&districts, &[], &[], Fill::Districts));
    let mut checked = 0;
    for d in &districts {
        let p = d.geometry.interior_point().expect("interior point");
        let (x, y) = out.pixel_of(p.x(), p.y());
        assert!(in_box(out.map_frame, x, y));
        if in_box(out.legend_box, x, y) {
            continue;
        }
        let expected = match d.level {
            Some(l) => blend(style.color(l), style.fill_opacity),
            None => [style.no_data.0, style.no_data.1, style.no_data.2],
        };
        let got = rgb_at(&img, x, y);
        assert!(near(got, expected, 3), "{} ({}) at ({x}, {y}): {got:?}, expected {expected:?}", d.name, d.id);
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} districts checked");
    // Outside every district (a frame corner far from the data and the furniture) is white.
    let f = out.map_frame;
    let mid_left = rgb_at(&img, f.0 + 30.0, (f.1 + f.3) / 2.0);
    assert_eq!(mid_left, [255, 255, 255]);
}

#[test]
fn cells_are_filled_with_their_level_colour() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(5000, 3);
    let cells = cells_of(&sites, 2000.0);
    let style = Style::default();
    let (out, img) = render_ok(&Page::default(), &content(&districts, &cells, &[], Fill::Areas));
    let mut checked = 0;
    for cell in cells.iter().step_by(7) {
        let c = cell.geometry.centroid().unwrap();
        let (x, y) = out.pixel_of(c.x(), c.y());
        if in_box(out.legend_box, x, y) || !in_box(out.map_frame, x, y) {
            continue;
        }
        // Skip cells crossed by a district boundary.
        let near_boundary = districts.iter().any(|d| {
            let (wx, wy) = out.world_of(x + 8.0, y + 8.0);
            let (vx, vy) = out.world_of(x - 8.0, y - 8.0);
            d.geometry.contains(&Point::new(wx, wy)) != d.geometry.contains(&Point::new(vx, vy))
                || d.geometry.contains(&Point::new(wx, vy)) != d.geometry.contains(&Point::new(vx, wy))
        });
        if near_boundary {
            continue;
        }
        let expected = blend(style.color(cell.level.unwrap()), style.fill_opacity);
        let got = rgb_at(&img, x, y);
        assert!(near(got, expected, 3), "cell {} at ({x}, {y}): {got:?}, expected {expected:?}", cell.id);
        checked += 1;
    }
    assert!(checked > 50, "only {checked} cells checked");
}

/// Counts the pixels of `img` inside `b` within ±3 of `c`.
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

#[test]
fn legend_shows_the_four_level_colours() {
    let districts = urumqi_districts();
    let style = Style::default();
    let (out, img) = render_ok(&Page::default(), &content(&districts, &[], &[], Fill::Districts));
    let lb = out.legend_box;
    let f = out.map_frame;
    assert!(lb.0 >= f.0 && lb.1 >= f.1 && lb.2 <= f.2 && lb.3 <= f.3, "legend {lb:?} inside frame {f:?}");
    for l in RiskLevel::ALL {
        let n = count_colour(&img, lb, blend(style.color(l), style.fill_opacity));
        assert!(n > 500, "{l}: {n} pixels of its colour in the legend");
    }
    // 乌鲁木齐县 has no level: the legend has a 无数据 swatch too.
    assert!(count_colour(&img, lb, [0xf2, 0xf2, 0xf2]) > 500);
}

#[test]
fn legend_swatches_are_circles_for_site_maps() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(2000, 5);
    let style = Style::default();
    let (filled, img_filled) = render_ok(&Page::default(), &content(&districts, &[], &sites, Fill::Districts));
    let (dots, img_dots) = render_ok(&Page::default(), &content(&districts, &[], &sites, Fill::None));
    let red = style.colors[0];
    let rect = count_colour(&img_filled, filled.legend_box, blend(red, style.fill_opacity));
    let circle = count_colour(&img_dots, dots.legend_box, [red.0, red.1, red.2]);
    assert!(circle > 100, "{circle}");
    assert!((circle as f64) < rect as f64 * 0.6, "circle {circle} vs rectangle {rect}");
}

#[test]
fn sites_are_opaque_and_red_is_on_top() {
    let districts = urumqi_districts();
    let p = districts[7].geometry.interior_point().unwrap();
    let q = districts[6].geometry.interior_point().unwrap();
    let sites = [
        SitePoint { x: p.x(), y: p.y(), level: RiskLevel::Red },
        SitePoint { x: p.x(), y: p.y(), level: RiskLevel::Blue },
        SitePoint { x: q.x(), y: q.y(), level: RiskLevel::Yellow },
        SitePoint { x: f64::NAN, y: 0.0, level: RiskLevel::Red },
        SitePoint { x: 1e12, y: -1e12, level: RiskLevel::Red },
    ];
    let style = Style::default();
    let (out, img) = render_ok(&Page::default(), &content(&districts, &[], &sites, Fill::Districts));
    let (x, y) = out.pixel_of(p.x(), p.y());
    let c = style.colors[0];
    assert_eq!(rgb_at(&img, x, y), [c.0, c.1, c.2], "red is drawn after (on top of) blue");
    let (x, y) = out.pixel_of(q.x(), q.y());
    let c = style.colors[2];
    assert_eq!(rgb_at(&img, x, y), [c.0, c.1, c.2]);
    // The symbol is about 5 pt across: 3 pt from its centre the district fill shows again.
    let r = 3.0 * 300.0 / 72.0;
    let (x, y) = out.pixel_of(p.x(), p.y());
    let fill = [0xf2, 0xf2, 0xf2];
    assert!(near(rgb_at(&img, x + r + 2.0, y), fill, 3));
}

#[test]
fn scale_bar_length_matches_its_label() {
    let districts = urumqi_districts();
    for page in [Page::default(), Page { size: PageSize::A3, orientation: Orientation::Portrait, ..Page::default() }] {
        let (out, _) = render_ok(&page, &content(&districts, &[], &[], Fill::Districts));
        let wf = world_file(&out);
        let metres_per_px = wf[0];
        let expected_px = out.scale_bar_m / metres_per_px;
        assert!(
            (out.scale_bar_px as f64 / expected_px - 1.0).abs() < 0.01,
            "{} px for {} m",
            out.scale_bar_px,
            out.scale_bar_m
        );
        let lead = out.scale_bar_m / 10f64.powf(out.scale_bar_m.log10().floor());
        assert!([1.0, 2.0, 5.0].iter().any(|m| (lead - m).abs() < 1e-9), "{} m is not round", out.scale_bar_m);
        let frac = out.scale_bar_px / (out.map_frame.2 - out.map_frame.0);
        assert!((0.12..=0.3).contains(&frac), "scale bar is {frac} of the frame width");
    }
}

#[test]
fn world_file_maps_pixels_back_to_the_working_crs() {
    let districts = urumqi_districts();
    let (out, _) = render_ok(&Page::default(), &content(&districts, &[], &[], Fill::Districts));
    let [a, d, b, e, c, f] = world_file(&out);
    assert_eq!((d, b), (0.0, 0.0));
    assert!(a > 0.0 && (a + e).abs() < 1e-9, "equal x/y scale, north up: {a} {e}");
    for dist in &districts {
        let p = dist.geometry.centroid().unwrap();
        let (px, py) = out.pixel_of(p.x(), p.y());
        // The world file maps pixel (col, row) to the centre of that pixel.
        let (col, row) = ((px - 0.5).round() as f64, (py - 0.5).round() as f64);
        let (x, y) = (a * col + b * row + c, d * col + e * row + f);
        assert!(
            (x - p.x()).abs() <= a && (y - p.y()).abs() <= a,
            "{}: ({x}, {y}) vs ({}, {})",
            dist.name,
            p.x(),
            p.y()
        );
        let (wx, wy) = out.world_of(px, py);
        assert!((wx - p.x()).abs() < 0.1 * a && (wy - p.y()).abs() < 0.1 * a);
    }
}

#[test]
fn extent_is_fitted_and_centred() {
    let districts = urumqi_districts();
    let mut c = content(&districts, &[], &[], Fill::Districts);
    let ext = Rect::new(coord! {x: 450_000.0, y: 4_800_000.0}, coord! {x: 560_000.0, y: 4_840_000.0});
    c.extent = Some(ext);
    let (out, _) = render_ok(&Page::default(), &c);
    let (x0, y0) = out.pixel_of(ext.min().x, ext.max().y);
    let (x1, y1) = out.pixel_of(ext.max().x, ext.min().y);
    let fr = out.map_frame;
    // Width-limited on A4 landscape (110 km × 40 km): spans the frame width, centred vertically.
    assert!((x0 - fr.0).abs() < 0.01 && (x1 - fr.2).abs() < 0.01, "{x0} {x1} {fr:?}");
    assert!(((y0 - fr.1) - (fr.3 - y1)).abs() < 0.01, "{y0} {y1} {fr:?}");
    assert!(((x1 - x0) / (y1 - y0) - 110.0 / 40.0).abs() < 1e-3);
}

#[test]
fn same_inputs_give_the_same_png_bytes_at_any_thread_count() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(50_000, 9);
    let cells = cells_of(&sites, 1000.0);
    let footer = vec!["数据来源：测试".to_string(), "坐标系：EPSG:4538".to_string()];
    let text = MapText { title: "确定性", subtitle: Some("同样的输入，同样的字节"), footer: &footer };
    let mut c = content(&districts, &cells, &sites, Fill::Areas);
    c.label_districts = true;
    let page = Page { dpi: 150.0, ..Page::default() };
    let run = || render(&page, &Style::default(), &Font::vendored(), &text, &c).unwrap();
    let a = run();
    let b = run();
    assert!(a.png == b.png, "two renders differ");
    assert_eq!(a.labels, b.labels);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(run);
    assert!(a.png == one.png, "1 thread differs from the default pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(run);
    assert!(a.png == three.png, "3 threads differ from the default pool");
}

/// Rows and columns of dark pixels above the map frame (the title).
fn title_extent(out: &Rendered, img: &Img) -> (u32, u32) {
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0, u32::MAX, 0);
    for y in 0..out.map_frame.1 as u32 - 2 {
        for x in 0..img.0 {
            if rgb_at(img, x as f32, y as f32)[0] < 128 {
                (top, bottom, left, right) = (top.min(y), bottom.max(y), left.min(x), right.max(x));
            }
        }
    }
    assert!(bottom > top, "no title pixels");
    (bottom - top + 1, right - left + 1)
}

#[test]
fn resolution_scales_everything() {
    let districts = urumqi_districts();
    let c = content(&districts, &[], &[], Fill::Districts);
    let (lo, img_lo) = render_ok(&Page { dpi: 150.0, ..Page::default() }, &c);
    let (hi, img_hi) = render_ok(&Page::default(), &c);
    assert_eq!((lo.width * 2, lo.height * 2), (hi.width, hi.height));
    let (h_lo, w_lo) = title_extent(&lo, &img_lo);
    let (h_hi, w_hi) = title_extent(&hi, &img_hi);
    let (rh, rw) = (h_hi as f32 / h_lo as f32, w_hi as f32 / w_lo as f32);
    assert!((rh - 2.0).abs() < 0.1 && (rw - 2.0).abs() < 0.05, "title {h_lo}×{w_lo} vs {h_hi}×{w_hi}");
    assert!(h_hi > 60, "a 20 pt title at 300 dpi is about 70 px tall, got {h_hi}");
    let ratio =
        |a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)| ((b.2 - b.0) / (a.2 - a.0), (b.3 - b.1) / (a.3 - a.1));
    for (rx, ry) in [ratio(lo.map_frame, hi.map_frame), ratio(lo.legend_box, hi.legend_box)] {
        assert!((rx - 2.0).abs() < 0.02 && (ry - 2.0).abs() < 0.02, "{rx} {ry}");
    }
    assert!((hi.scale_bar_px / lo.scale_bar_px - 2.0).abs() < 0.02);
    assert_eq!(lo.scale_bar_m, hi.scale_bar_m);
}

#[test]
fn a_page_too_small_is_an_error_with_the_minimum() {
    let districts = urumqi_districts();
    let page = Page { size: PageSize::Pixels(200, 150), ..Page::default() };
    let err =
        render(&page, &Style::default(), &Font::vendored(), &TEXT, &content(&districts, &[], &[], Fill::Districts))
            .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RenderError::PageTooSmall(_)), "{err:?}");
    assert!(msg.contains("200 × 150") && msg.contains("at least"), "{msg}");
    // The minimum it names is enough.
    let digits: Vec<u32> = msg
        .split("at least ")
        .nth(1)
        .unwrap()
        .split(" px")
        .next()
        .unwrap()
        .split(" × ")
        .map(|v| v.parse().unwrap())
        .collect();
    let page = Page { size: PageSize::Pixels(digits[0], digits[1]), ..Page::default() };
    render(&page, &Style::default(), &Font::vendored(), &TEXT, &content(&districts, &[], &[], Fill::Districts))
        .expect("the named minimum renders");
}

#[test]
fn no_districts_and_no_extent_is_empty() {
    let err =
        render(&Page::default(), &Style::default(), &Font::vendored(), &TEXT, &content(&[], &[], &[], Fill::Districts))
            .unwrap_err();
    assert!(matches!(err, RenderError::Empty(_)), "{err:?}");
    assert!(err.to_string().contains("extent"), "{err}");
    let mut c = content(&[], &[], &[], Fill::Districts);
    c.extent = Some(Rect::new(coord! {x: 1.0, y: 1.0}, coord! {x: 1.0, y: 5.0}));
    let err = render(&Page::default(), &Style::default(), &Font::vendored(), &TEXT, &c).unwrap_err();
    assert!(matches!(err, RenderError::Empty(_)), "{err:?}");
}

#[test]
fn a_site_map_with_an_extent_needs_no_districts() {
    let sites = synthetic_sites(1000, 1);
    let mut c = content(&[], &[], &sites, Fill::None);
    let (x0, y0) = project(86.9, 43.0);
    let (x1, y1) = project(88.8, 44.6);
    c.extent = Some(Rect::new(coord! {x: x0, y: y0}, coord! {x: x1, y: y1}));
    let (out, img) = render_ok(&Page { dpi: 100.0, ..Page::default() }, &c);
    assert!(out.labels.is_empty());
    let n: usize = Style::default().colors.iter().map(|c| count_colour(&img, out.map_frame, [c.0, c.1, c.2])).sum();
    assert!(n > 1000, "{n} pixels of site colours");
}

#[test]
fn zero_sites_is_a_correct_map() {
    let districts = urumqi_districts();
    let mut c = content(&districts, &[], &[], Fill::None);
    c.label_districts = true;
    let (out, img) = render_ok(&Page::default(), &c);
    assert_eq!(out.labels.len(), districts.len());
    let style = Style::default();
    for l in RiskLevel::ALL {
        let col = style.color(l);
        assert!(count_colour(&img, out.legend_box, [col.0, col.1, col.2]) > 50, "{l} swatch");
    }
}

#[test]
fn labels_sit_inside_their_districts_without_overlapping() {
    let districts = urumqi_districts();
    let sites = synthetic_sites(3000, 2);
    let mut c = content(&districts, &[], &sites, Fill::Districts);
    c.label_districts = true;
    for page in [Page::default(), Page { dpi: 96.0, size: PageSize::Pixels(1000, 800), ..Page::default() }] {
        let (out, _) = render_ok(&page, &c);
        assert!(!out.labels.is_empty());
        let em = 9.0 * page.dpi / 72.0;
        let boxes: Vec<(f32, f32, f32, f32)> = out
            .labels
            .iter()
            .map(|(id, x, y)| {
                let d = districts.iter().find(|d| &d.id == id).unwrap();
                let (wx, wy) = out.world_of(*x, *y);
                assert!(d.geometry.contains(&Point::new(wx, wy)), "label of {} outside it", d.name);
                let half = d.name.chars().count() as f32 * em / 2.0 * 0.95;
                (x - half, y - em * 0.45, x + half, y + em * 0.45)
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(!in_box(out.legend_box, a.0, a.1) && !in_box(out.legend_box, a.2, a.3));
            for b in &boxes[i + 1..] {
                let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
                assert!(!overlap, "labels {a:?} and {b:?} overlap on {page:?}");
            }
        }
    }
}

#[test]
fn font_files_that_do_not_parse_are_named() {
    let dir = out_dir();
    let bad = dir.join("not-a-font.ttf");
    std::fs::write(&bad, "this is not a font").unwrap();
    let err = Font::from_file(&bad).unwrap_err();
    assert!(matches!(err, RenderError::Font(_)));
    assert!(err.to_string().contains("not-a-font.ttf"), "{err}");
    let missing = dir.join("missing-font.ttf");
    let err = Font::from_file(&missing).unwrap_err();
    assert!(matches!(err, RenderError::Font(_)) && err.to_string().contains("missing-font.ttf"), "{err}");
    let vendored = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/DroidSansFallback.ttf");
    Font::from_file(std::path::Path::new(vendored)).expect("the vendored font loads from its file");
}

#[test]
fn invalid_settings_are_errors() {
    let districts = urumqi_districts();
    let c = content(&districts, &[], &[], Fill::Districts);
    let font = Font::vendored();
    let bad_dpi = Page { dpi: 0.0, ..Page::default() };
    assert!(matches!(render(&bad_dpi, &Style::default(), &font, &TEXT, &c), Err(RenderError::Invalid(_))));
    let bad_opacity = Style { fill_opacity: 1.5, ..Style::default() };
    assert!(matches!(render(&Page::default(), &bad_opacity, &font, &TEXT, &c), Err(RenderError::Invalid(_))));
    let bad_size = Style { legend_pt: f32::NAN, ..Style::default() };
    assert!(matches!(render(&Page::default(), &bad_size, &font, &TEXT, &c), Err(RenderError::Invalid(_))));
    let huge = Page { size: PageSize::Pixels(100_000, 100_000), ..Page::default() };
    assert!(matches!(render(&huge, &Style::default(), &font, &TEXT, &c), Err(RenderError::Invalid(_))));
    // An extent too small to scale to the frame is an error, not a hang or a panic.
    let mut tiny = content(&districts, &[], &[], Fill::Districts);
    tiny.extent = Some(Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 1e-310, y: 1e-310}));
    let r = render(&Page { dpi: 72.0, ..Page::default() }, &Style::default(), &font, &TEXT, &tiny);
    assert!(matches!(r, Err(RenderError::Invalid(_))), "{r:?}");
}
