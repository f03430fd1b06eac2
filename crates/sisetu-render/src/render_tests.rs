use geo::{coord, polygon, MultiPolygon, Rect};

use super::*;
use crate::furniture::nice_length;
use crate::label::{contains, pole_of_inaccessibility};
use crate::layout::{Geo, IRect};

#[test]
fn rgba_parse() {
    assert_eq!(Rgba::parse("#c00000"), Some(Rgba(0xc0, 0, 0, 255)));
    assert_eq!(Rgba::parse("#c00000ff"), Some(Rgba(0xc0, 0, 0, 255)));
    assert_eq!(Rgba::parse("c00000"), Some(Rgba(0xc0, 0, 0, 255)));
    assert_eq!(Rgba::parse(" #E60012 "), Some(Rgba(0xE6, 0, 0x12, 255)));
    assert_eq!(Rgba::parse("#0068b780"), Some(Rgba(0, 0x68, 0xB7, 0x80)));
    for bad in ["", "#", "#c0000", "#c000000", "red", "#gg0000", "#c00000ff00", "＃c00000", "+c0000"] {
        assert_eq!(Rgba::parse(bad), None, "{bad}");
    }
    assert_eq!(Rgba(0xE6, 0, 0x12, 255).to_string(), "#e60012");
    assert_eq!(Rgba(0, 0, 0, 0x80).to_string(), "#00000080");
}

#[test]
fn default_style_and_page() {
    let s = Style::default();
    assert_eq!(s.colors[0], Rgba::parse("#E60012").unwrap());
    assert_eq!(s.colors[1], Rgba::parse("#F39800").unwrap());
    assert_eq!(s.colors[2], Rgba::parse("#FFF100").unwrap());
    assert_eq!(s.colors[3], Rgba::parse("#0068B7").unwrap());
    assert_eq!(s.color(RiskLevel::Blue), s.colors[3]);
    assert_eq!(s.no_data, Rgba(0xf2, 0xf2, 0xf2, 255));
    assert_eq!(s.site_size_pt, [5.0, 4.0, 3.0, 2.5]);
    let p = Page::default();
    assert_eq!((p.size, p.orientation, p.dpi, p.margin_mm), (PageSize::A4, Orientation::Landscape, 300.0, 10.0));
}

#[test]
fn page_pixel_sizes() {
    let a3 = Page { size: PageSize::A3, ..Page::default() };
    assert_eq!(a3.pixel_size(), (4961, 3508));
    assert_eq!(Page { orientation: Orientation::Portrait, ..a3 }.pixel_size(), (3508, 4961));
    assert_eq!(Page::default().pixel_size(), (3508, 2480));
    assert_eq!(Page { dpi: 150.0, ..Page::default() }.pixel_size(), (1754, 1240));
    let px = Page { size: PageSize::Pixels(800, 600), orientation: Orientation::Portrait, ..Page::default() };
    assert_eq!(px.pixel_size(), (800, 600), "orientation does not apply to pixel sizes");
}

#[test]
fn round_scale_bar_lengths() {
    assert_eq!(nice_length(23_000.0, 1e9), 20_000.0);
    assert_eq!(nice_length(38_000.0, 1e9), 50_000.0);
    assert_eq!(nice_length(1_400.0, 1e9), 1_000.0);
    assert_eq!(nice_length(0.9, 1e9), 1.0);
    assert_eq!(nice_length(160.0, 1e9), 200.0);
    // Never longer than the room it has, when a shorter round length exists.
    assert_eq!(nice_length(38_000.0, 45_000.0), 20_000.0);
}

#[test]
fn pole_of_inaccessibility_is_well_inside() {
    let square = polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)];
    let (x, y) = pole_of_inaccessibility(&square, 0.01).unwrap();
    assert!((x - 5.0).abs() < 0.05 && (y - 5.0).abs() < 0.05, "{x} {y}");
    // An L shape: the pole lies in the wide part, not at the (outside) centroid corner.
    let l =
        polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 2.), (x: 2., y: 2.), (x: 2., y: 10.), (x: 0., y: 10.)];
    let (x, y) = pole_of_inaccessibility(&l, 0.01).unwrap();
    let mp = MultiPolygon(vec![l]);
    assert!(contains(&mp, x, y));
    assert!(x.min(y) > 0.9 && x.min(y) < 1.3, "{x} {y}");
    // Degenerate polygons have no pole.
    let flat = polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 5., y: 0.)];
    assert_eq!(pole_of_inaccessibility(&flat, 0.01), None);
}

#[test]
fn contains_honours_holes() {
    let with_hole = geo::Polygon::new(
        geo::LineString::from(vec![(0., 0.), (10., 0.), (10., 10.), (0., 10.), (0., 0.)]),
        vec![geo::LineString::from(vec![(4., 4.), (6., 4.), (6., 6.), (4., 6.), (4., 4.)])],
    );
    let mp = MultiPolygon(vec![with_hole]);
    assert!(contains(&mp, 2.0, 2.0));
    assert!(!contains(&mp, 5.0, 5.0));
    assert!(!contains(&mp, 12.0, 5.0));
}

#[test]
fn transform_fits_and_round_trips() {
    let ext = Rect::new(coord! {x: 500_000.0, y: 4_800_000.0}, coord! {x: 600_000.0, y: 4_850_000.0});
    let frame = IRect { x0: 100, y0: 200, x1: 1100, y1: 1200 };
    let g = Geo::fit(&ext, frame);
    assert!((g.k - 0.01).abs() < 1e-12);
    // Width-limited: x spans the frame, y is centred.
    let (x0, y0) = g.px(500_000.0, 4_850_000.0);
    let (x1, y1) = g.px(600_000.0, 4_800_000.0);
    assert!((x0 - 100.0).abs() < 1e-9 && (x1 - 1100.0).abs() < 1e-9);
    assert!((y0 - 450.0).abs() < 1e-9 && (y1 - 950.0).abs() < 1e-9);
    let (wx, wy) = g.world(x0 + 12.25, y0 + 3.5);
    let (px, py) = g.px(wx, wy);
    assert!((px - x0 - 12.25).abs() < 1e-6 && (py - y0 - 3.5).abs() < 1e-6);
    let lines: Vec<f64> = g.world_file().lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!((lines[0], lines[1], lines[2], lines[3]), (100.0, 0.0, 0.0, -100.0));
    // C, F: the centre of pixel (0, 0).
    let (cx, cy) = g.world(0.5, 0.5);
    assert_eq!((lines[4], lines[5]), (cx, cy));
}

#[test]
fn vendored_font_draws_chinese_and_ascii() {
    let f = Font::vendored();
    for text in ["重大风险", "较大风险", "一般风险", "低风险", "北", "N", "0 5 10 km", "EPSG:4538"] {
        let p = f.path(text, 40.0, 0.0, 100.0).unwrap_or_else(|| panic!("no outline for {text}"));
        let b = p.bounds();
        assert!(b.width() > 10.0 && b.height() > 10.0, "{text}: {b:?}");
        assert!(b.bottom() <= 112.0 && b.top() >= 60.0, "{text} sits on the baseline: {b:?}");
    }
    // Digits are tabular, proportional letters are narrower than a CJK em.
    assert!((f.width("0000", 100.0) - f.width("1111", 100.0)).abs() < 1e-3);
    assert!(f.width("1", 100.0) < 60.0 && f.width("国", 100.0) > 90.0);
    assert!(f.cjk_top(100.0) > 70.0 && f.cjk_top(100.0) < 100.0);
    // The full-width low line spans a whole em; drawn for `_` it is narrowed.
    assert!(f.width("_", 100.0) < 70.0);
}

#[test]
fn symbols_missing_from_the_vendored_font_are_drawn_from_full_width_forms() {
    let f = Font::vendored();
    let bounds = |t: &str| f.path(t, 100.0, 0.0, 100.0).map(|p| p.bounds()).unwrap_or_else(|| panic!("{t}"));
    // A character the font lacks and has no stand-in for: the missing-glyph box.
    let tofu = bounds("\u{E000}");
    for t in ["²", "³", "¹", "⁴", "–", "—", "−", "‐", "≤", "≥", "·", "•", "°", "Ⅰ", "Ⅻ", "ⅳ", "℃"]
    {
        let b = bounds(t);
        assert!(b != tofu && b.width() > 3.0 && b.height() > 3.0, "{t}: {b:?}");
    }
    // Superscripts: smaller than the digit and raised above the baseline.
    let (two, sup) = (bounds("2"), bounds("²"));
    assert!(sup.height() < 0.7 * two.height() && sup.bottom() < 100.0 - 30.0 && sup.top() < two.top(), "{sup:?}");
    assert!(f.width("m²", 100.0) < f.width("m2", 100.0));
    // Dashes: en < em, both flat and at the height of the hyphen.
    let (hy, en, em) = (bounds("-"), bounds("–"), bounds("—"));
    assert!(hy.width() < en.width() && en.width() < em.width() && em.width() > 85.0, "{hy:?} {en:?} {em:?}");
    assert!((en.top() - hy.top()).abs() < 0.5 && en.height() < 12.0);
    // ≥: the angle over a bar, as tall as >.
    let (gt, ge) = (bounds(">"), bounds("≥"));
    assert!((ge.bottom() - gt.bottom()).abs() < 0.5 && (ge.top() - gt.top()).abs() < 0.5, "{gt:?} {ge:?}");
    // Roman numerals are spelt out: Ⅲ is as wide as III.
    assert!((f.width("Ⅲ类", 100.0) - f.width("III类", 100.0)).abs() < 1e-3);
}

#[test]
fn a_truncated_font_file_is_refused_not_drawn_without_text() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = include_bytes!("../fonts/DroidSansFallback.ttf");
    let whole = dir.path().join("whole.ttf");
    std::fs::write(&whole, bytes).unwrap();
    assert!(Font::from_file(&whole).is_ok());
    for part in [3, 2] {
        let cut = dir.path().join(format!("cut{part}.ttf"));
        std::fs::write(&cut, &bytes[..bytes.len() / part]).unwrap();
        match Font::from_file(&cut) {
            Ok(_) => panic!("a font cut to 1/{part} was accepted"),
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains("cut") && (e.contains("no drawable glyphs") || e.contains("not a TrueType")), "{e}");
            }
        }
    }
}

fn square_area(id: &str, name: &str, x0: f64, y0: f64, size: f64) -> Area {
    let p = polygon![(x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)];
    Area {
        id: id.into(),
        name: name.into(),
        geometry: MultiPolygon(vec![p]),
        level: None,
        counts: LevelCounts::new([0; 4]),
        color: None,
    }
}

#[test]
fn a_district_too_small_for_its_name_is_labelled_outside_with_a_leader() {
    // Two large districts and, between them, one a few hundred metres wide on a 100 km page:
    // its name fits nowhere inside, so it goes outside, joined by a line.
    let districts = vec![
        square_area("1", "西大区", 0.0, 0.0, 50_000.0),
        square_area("2", "东大区", 50_300.0, 0.0, 50_000.0),
        square_area("3", "天山区", 50_000.0, 25_000.0, 300.0),
    ];
    let page = Page { size: PageSize::A4, orientation: Orientation::Landscape, dpi: 100.0, ..Page::default() };
    let text = MapText { title: "t", subtitle: None, footer: &[] };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &MapContent::new(&districts)).unwrap();
    let ids: Vec<&str> = out.labels.iter().map(|(id, ..)| id.as_str()).collect();
    assert!(ids.contains(&"3"), "the small district has no label: {:?}", out.labels);
    assert_eq!(ids.len(), 3, "{:?}", out.labels);
    let &(_, x, _) = out.labels.iter().find(|(id, ..)| id == "3").unwrap();
    let (_, x1, _) = out.labels.iter().find(|(id, ..)| id == "1").unwrap().clone();
    assert!((x - x1).abs() > 1.0, "the labels are apart");
}

#[test]
fn metres_per_mm_is_the_scale_the_map_is_drawn_at() {
    // The scale bar of the drawn map gives the same metres per millimetre, whatever the
    // page, footer and extent.
    let districts =
        vec![square_area("1", "甲区", 0.0, 0.0, 120_000.0), square_area("2", "乙区", 120_000.0, 0.0, 30_000.0)];
    let footer = vec!["坐标系：测试".to_string(), "制图：sisetu".to_string()];
    for (page, extent) in [
        (Page::default(), None),
        (Page { dpi: 100.0, orientation: Orientation::Portrait, ..Page::default() }, None),
        (
            Page { size: PageSize::A3, dpi: 150.0, ..Page::default() },
            Some(Rect::new(coord! {x: 1000.0, y: 1000.0}, coord! {x: 6000.0, y: 4000.0})),
        ),
    ] {
        let text = MapText { title: "比例尺", subtitle: Some("副标题"), footer: &footer };
        let content = MapContent { extent, ..MapContent::new(&districts) };
        let scale = metres_per_mm(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
        let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
        let drawn = out.scale_bar_m / (out.scale_bar_px as f64 / page.dpi as f64 * 25.4);
        assert!((scale - drawn).abs() < 1e-3 * drawn, "{scale} m/mm against {drawn} drawn ({page:?})");
    }
    let none = MapContent::new(&[]);
    let text = MapText { title: "t", subtitle: None, footer: &[] };
    assert!(metres_per_mm(&Page::default(), &Style::default(), &Font::vendored(), &text, &none).is_err());
}

#[test]
fn a_district_the_frame_cuts_is_labelled_on_the_part_the_map_shows() {
    // A zoom onto district 1: district 2 reaches into the view from the south, its bulk (and
    // its pole) far outside; district 3 lies wholly outside the view.
    let districts = vec![
        square_area("1", "甲区", 0.0, 0.0, 10_000.0),
        square_area("2", "乙区", -20_000.0, -49_000.0, 48_000.0),
        square_area("3", "丙区", 500_000.0, 0.0, 10_000.0),
    ];
    let extent = Rect::new(coord! {x: -1000.0, y: -6000.0}, coord! {x: 11_000.0, y: 11_000.0});
    let page = Page { dpi: 100.0, ..Page::default() };
    let text = MapText { title: "t", subtitle: None, footer: &[] };
    let content = MapContent { extent: Some(extent), ..MapContent::new(&districts) };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &content).unwrap();
    let ids: Vec<&str> = out.labels.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{:?}", out.labels);
    assert!(!ids.contains(&"3"), "a district off the map gets no label: {:?}", out.labels);
    let &(_, x, y) = out.labels.iter().find(|(id, ..)| id == "2").unwrap();
    let (f0x, f0y, f1x, f1y) = out.map_frame;
    assert!(x > f0x && x < f1x && y > f0y && y < f1y, "label at ({x}, {y}) outside the frame {:?}", out.map_frame);
    // On the strip of district 2 the map shows (y from -6 km to -1 km), not at its pole (-25 km).
    let (wx, wy) = out.world_of(x, y);
    assert!((-20_000.0..28_000.0).contains(&wx) && (-6000.0..-1000.0).contains(&wy), "({wx}, {wy})");
}

#[test]
fn with_many_districts_labels_lie_inside_them_and_no_leader_is_drawn() {
    // One large district and more small ones than MAX_LEADER_DISTRICTS, each far too small for
    // its name: only the large one is labelled (inside it), the others are left out.
    let mut districts = vec![square_area("big", "大县", 0.0, 0.0, 60_000.0)];
    for i in 0..MAX_LEADER_DISTRICTS {
        let (col, row) = ((i % 10) as f64, (i / 10) as f64);
        districts.push(square_area(&format!("s{i}"), "小区", 61_000.0 + col * 400.0, row * 400.0, 300.0));
    }
    let page = Page { dpi: 100.0, ..Page::default() };
    let text = MapText { title: "t", subtitle: None, footer: &[] };
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &MapContent::new(&districts)).unwrap();
    let ids: Vec<&str> = out.labels.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(ids, ["big"], "{:?}", out.labels);
    let (wx, wy) = out.world_of(out.labels[0].1, out.labels[0].2);
    assert!((0.0..60_000.0).contains(&wx) && (0.0..60_000.0).contains(&wy));
    // With one small district fewer (MAX_LEADER_DISTRICTS in all) every one gets a label.
    districts.pop();
    let out = render(&page, &Style::default(), &Font::vendored(), &text, &MapContent::new(&districts)).unwrap();
    assert!(out.labels.len() > 1, "{:?}", out.labels);
}
