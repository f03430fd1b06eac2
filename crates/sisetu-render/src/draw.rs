//! Map layers: area fills, outlines, district boundaries, circles, site symbols and markers.

use std::collections::HashMap;

use geo::{BoundingRect, LineString, MultiPolygon};
use rayon::prelude::*;
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::layout::{Geo, IRect};
use crate::text::Font;
use crate::{Area, Circle, Fill, MapContent, Marker, MarkerShape, Rgba, RiskLevel, SitePoint, Style};

/// Text colour (near-black).
pub(crate) const INK: Rgba = Rgba(0x1A, 0x1A, 0x1A, 255);
/// District boundaries.
pub(crate) const BOUNDARY: Rgba = Rgba(0x40, 0x40, 0x40, 255);
/// Outlines of cells and management grids.
pub(crate) const CELL_LINE: Rgba = Rgba(0x80, 0x80, 0x80, 255);
/// Outline of site symbols.
pub(crate) const SITE_LINE: Rgba = Rgba(0x33, 0x33, 0x33, 255);
/// Outline width of markers in points.
pub(crate) const MARKER_LINE_PT: f32 = 0.5;
pub(crate) const WHITE: Rgba = Rgba(255, 255, 255, 255);

/// Drawing order of levels: blue first, red last (indices into the palette).
pub(crate) const DRAW_ORDER: [usize; 4] = [3, 2, 1, 0];

pub(crate) fn paint(c: Rgba) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c.0, c.1, c.2, c.3);
    p.anti_alias = true;
    p
}

pub(crate) fn stroke(width: f32) -> Stroke {
    Stroke { width, line_join: LineJoin::Round, line_cap: LineCap::Round, ..Stroke::default() }
}

pub(crate) fn fill_rect(pm: &mut Pixmap, r: [f32; 4], c: Rgba) {
    if let Some(rect) = Rect::from_ltrb(r[0], r[1], r[2], r[3]) {
        pm.fill_rect(rect, &paint(c), Transform::identity(), None);
    }
}

pub(crate) fn stroke_rect(pm: &mut Pixmap, r: [f32; 4], c: Rgba, width: f32) {
    if let Some(rect) = Rect::from_ltrb(r[0], r[1], r[2], r[3]) {
        let path = PathBuilder::from_rect(rect);
        let st = Stroke { width, line_join: LineJoin::Miter, ..Stroke::default() };
        pm.stroke_path(&path, &paint(c), &st, Transform::identity(), None);
    }
}

/// How a text is drawn.
#[derive(Clone, Copy)]
pub(crate) struct TextStyle {
    pub size: f32,
    pub color: Rgba,
    /// Faux bold: the glyphs are also stroked in their own colour, `size × bold` wide.
    pub bold: f32,
    /// White halo width in px (0 = none).
    pub halo: f32,
}

/// Draws `text` with its baseline starting at `(x, y)`.
pub(crate) fn draw_text(pm: &mut Pixmap, font: &Font, text: &str, x: f32, y: f32, ts: TextStyle) {
    let Some(path) = font.path(text, ts.size, x, y) else { return };
    if ts.halo > 0.0 {
        pm.stroke_path(&path, &paint(WHITE), &stroke(ts.halo), Transform::identity(), None);
    }
    pm.fill_path(&path, &paint(ts.color), FillRule::Winding, Transform::identity(), None);
    if ts.bold > 0.0 {
        pm.stroke_path(&path, &paint(ts.color), &stroke(ts.size * ts.bold), Transform::identity(), None);
    }
}

/// Signed area (shoelace) of a ring in world coordinates; > 0 for counter-clockwise.
fn signed_area(ring: &LineString<f64>) -> f64 {
    let c = &ring.0;
    if c.len() < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..c.len() {
        let (a, b) = (c[i], c[(i + 1) % c.len()]);
        s += a.x * b.y - b.x * a.y;
    }
    s / 2.0
}

/// Appends one ring as a closed contour in pixel coordinates. Exterior rings are emitted
/// counter-clockwise and holes clockwise (in world terms), so that the non-zero rule fills
/// every layer correctly whatever the input orientation. Vertices closer than 0.2 px to the
/// previous one are dropped.
fn push_ring(pb: &mut PathBuilder, ring: &LineString<f64>, geo: &Geo, exterior: bool) {
    let c = &ring.0;
    if c.len() < 3 || c.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
        return;
    }
    let area = signed_area(ring);
    if area == 0.0 {
        return;
    }
    let reverse = (area > 0.0) != exterior;
    let mut last = (f32::NAN, f32::NAN);
    let mut n = 0usize;
    let mut emit = |p: &geo::Coord<f64>, force: bool| {
        let (x, y) = geo.px(p.x, p.y);
        let (x, y) = (x as f32, y as f32);
        if n > 0 && !force && (x - last.0).abs() < 0.2 && (y - last.1).abs() < 0.2 {
            return;
        }
        if n == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
        last = (x, y);
        n += 1;
    };
    let len = c.len();
    for i in 0..len {
        let p = if reverse { &c[len - 1 - i] } else { &c[i] };
        emit(p, i + 1 == len);
    }
    pb.close();
}

pub(crate) fn push_multipolygon(pb: &mut PathBuilder, mp: &MultiPolygon<f64>, geo: &Geo) {
    for poly in &mp.0 {
        push_ring(pb, poly.exterior(), geo, true);
        for hole in poly.interiors() {
            push_ring(pb, hole, geo, false);
        }
    }
}

/// Is the area (bounding box) at least partly inside the visible world rectangle?
fn visible(area: &Area, view: &geo::Rect<f64>) -> bool {
    match area.geometry.bounding_rect() {
        Some(b) => {
            b.min().x <= view.max().x
                && b.max().x >= view.min().x
                && b.min().y <= view.max().y
                && b.max().y >= view.min().y
        }
        None => false,
    }
}

fn path_of<'a>(areas: impl Iterator<Item = &'a Area>, geo: &Geo) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for a in areas {
        push_multipolygon(&mut pb, &a.geometry, geo);
    }
    pb.finish()
}

/// Fills one layer: when `by_level`, its areas without a colour of their own by level, then
/// (always) the areas with a colour of their own, one path per colour in order of first
/// appearance.
fn fill_layer(pm: &mut Pixmap, areas: &[&Area], geo: &Geo, style: &Style, by_level: bool) {
    let (own, plain): (Vec<&Area>, Vec<&Area>) = areas.iter().copied().partition(|a| a.color.is_some());
    if by_level {
        fill_by_level(pm, &plain, geo, style);
    }
    let mut colours: Vec<Rgba> = Vec::new();
    for c in own.iter().filter_map(|a| a.color) {
        if !colours.contains(&c) {
            colours.push(c);
        }
    }
    for c in colours {
        if let Some(p) = path_of(own.iter().copied().filter(|a| a.color == Some(c)), geo) {
            pm.fill_path(
                &p,
                &paint(c.with_opacity(style.fill_opacity)),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }
}

/// Fills `areas` by level: no data first, then blue … red (higher levels on top).
fn fill_by_level(pm: &mut Pixmap, areas: &[&Area], geo: &Geo, style: &Style) {
    if let Some(p) = path_of(areas.iter().copied().filter(|a| a.level.is_none()), geo) {
        pm.fill_path(&p, &paint(style.no_data), FillRule::Winding, Transform::identity(), None);
    }
    for li in DRAW_ORDER {
        if let Some(p) = path_of(areas.iter().copied().filter(|a| a.level.map(RiskLevel::index) == Some(li)), geo) {
            let c = style.colors[li].with_opacity(style.fill_opacity);
            pm.fill_path(&p, &paint(c), FillRule::Winding, Transform::identity(), None);
        }
    }
}

/// Draws the map layers (fills, outlines, boundaries, sites) onto the page. Everything
/// outside `frame` must be cleared by the caller afterwards (sites are clipped here).
/// Returns the path of all districts (for the furniture placement).
pub(crate) fn map_layers(
    pm: &mut Pixmap,
    geo: &Geo,
    style: &Style,
    content: &MapContent,
    frame: IRect,
    s: f32,
) -> Option<Path> {
    let view = geo.view(frame);
    let districts: Vec<&Area> = content.districts.iter().filter(|a| visible(a, &view)).collect();
    let areas: Vec<&Area> = content.areas.iter().filter(|a| visible(a, &view)).collect();

    fill_layer(pm, &districts, geo, style, content.fill == Fill::Districts);
    fill_layer(pm, &areas, geo, style, content.fill == Fill::Areas);
    if style.cell_outline_pt > 0.0 {
        if let Some(p) = path_of(areas.iter().copied(), geo) {
            let st = Stroke { width: style.cell_outline_pt * s, line_join: LineJoin::Miter, ..Stroke::default() };
            pm.stroke_path(&p, &paint(CELL_LINE), &st, Transform::identity(), None);
        }
    }
    let district_path = path_of(districts.iter().copied(), geo);
    if style.boundary_pt > 0.0 {
        if let Some(p) = &district_path {
            pm.stroke_path(p, &paint(BOUNDARY), &stroke(style.boundary_pt * s), Transform::identity(), None);
        }
    }
    draw_circles(pm, geo, content.circles, frame, s);
    draw_lines(pm, geo, content.lines, s);
    draw_sites(pm, geo, style, content.sites, frame, s);
    draw_markers(pm, geo, content.markers, frame, s);
    if let Some(focus) = content.focus.and_then(|i| content.districts.get(i)) {
        veil_outside(pm, geo, style, focus, frame, s);
    }
    district_path
}

/// Draws the lines in slice order (round caps and joins); lines of fewer than two finite
/// vertices or of zero width are skipped.
fn draw_lines(pm: &mut Pixmap, geo: &Geo, lines: &[crate::Polyline], s: f32) {
    for l in lines {
        if l.width_pt <= 0.0 {
            continue;
        }
        let mut pb = PathBuilder::new();
        let mut n = 0;
        for &(x, y) in l.coords.iter().filter(|(x, y)| x.is_finite() && y.is_finite()) {
            let (px, py) = geo.px(x, y);
            if n == 0 {
                pb.move_to(px as f32, py as f32);
            } else {
                pb.line_to(px as f32, py as f32);
            }
            n += 1;
        }
        if n < 2 {
            continue;
        }
        if let Some(p) = pb.finish() {
            let st = Stroke {
                width: (l.width_pt * s).max(0.5),
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                ..Stroke::default()
            };
            pm.stroke_path(&p, &paint(l.stroke), &st, Transform::identity(), None);
        }
    }
}

/// A pre-rendered point symbol (site or marker): premultiplied RGBA rows and, per row, the
/// span of non-transparent columns.
struct Stamp {
    size: i32,
    data: Vec<u8>,
    spans: Vec<(i32, i32)>,
}

impl Stamp {
    /// The stamp of a square pixmap.
    fn of(pm: Pixmap) -> Stamp {
        let n = pm.width() as usize;
        let data = pm.take();
        let spans = (0..n)
            .map(|row| {
                let alpha = |col: usize| data[(row * n + col) * 4 + 3];
                let first = (0..n).find(|&col| alpha(col) != 0);
                match first {
                    Some(f) => {
                        let last = (0..n).rev().find(|&col| alpha(col) != 0).unwrap_or(f);
                        (f as i32, last as i32 + 1)
                    }
                    None => (0, 0),
                }
            })
            .collect();
        Stamp { size: n as i32, data, spans }
    }
}

fn make_stamp(color: Rgba, diameter: f32, outline: f32) -> Option<Stamp> {
    if diameter.is_nan() || diameter < 0.75 {
        return None;
    }
    let size = (diameter + 2.0).ceil() as u32;
    let mut pm = Pixmap::new(size, size)?;
    let c = size as f32 / 2.0;
    let outline = outline.min(diameter / 4.0);
    let r = (diameter - outline) / 2.0;
    let circle = PathBuilder::from_circle(c, c, r)?;
    pm.fill_path(&circle, &paint(Rgba(color.0, color.1, color.2, 255)), FillRule::Winding, Transform::identity(), None);
    if outline > 0.0 {
        pm.stroke_path(&circle, &paint(SITE_LINE), &stroke(outline), Transform::identity(), None);
    }
    Some(Stamp::of(pm))
}

/// Rows per band when stamping sites in parallel.
const BAND: usize = 64;

/// Stamps `stamps[i]` centred at each pixel position `(px, py, i)` of `items`, in that order
/// (non-finite positions and `None` stamps are skipped), clipped to `frame`. The page is cut
/// into row bands stamped in parallel; every band applies its stamps in the same fixed
/// order, so the result does not depend on the thread count.
fn stamp_all(pm: &mut Pixmap, frame: IRect, stamps: &[Option<Stamp>], items: impl Iterator<Item = (f64, f64, usize)>) {
    let height = pm.height() as usize;
    let nbands = height.div_ceil(BAND);
    if nbands == 0 {
        return;
    }
    // Stamp positions (top-left), in drawing order, bucketed by the bands they touch.
    let mut pos: Vec<(i32, i32, u32)> = Vec::new();
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); nbands];
    for (px, py, si) in items {
        let Some(Some(st)) = stamps.get(si) else { continue };
        if !(px.is_finite() && py.is_finite()) {
            continue;
        }
        let half = st.size as f64 / 2.0;
        let (x0, y0) = ((px - half).round(), (py - half).round());
        if x0 >= frame.x1 as f64
            || y0 >= frame.y1 as f64
            || x0 + (st.size as f64) <= frame.x0 as f64
            || y0 + (st.size as f64) <= frame.y0 as f64
        {
            continue;
        }
        let (x0, y0) = (x0 as i32, y0 as i32);
        let idx = pos.len() as u32;
        pos.push((x0, y0, si as u32));
        let b0 = (y0.max(frame.y0) as usize) / BAND;
        let b1 = (((y0 + st.size).min(frame.y1) - 1).max(0) as usize) / BAND;
        for b in buckets.iter_mut().take(b1.min(nbands - 1) + 1).skip(b0) {
            b.push(idx);
        }
    }
    if pos.is_empty() {
        return;
    }
    let stride = pm.width() as usize * 4;
    let data = pm.data_mut();
    data.par_chunks_mut(BAND * stride).zip(buckets.par_iter()).enumerate().for_each(|(bi, (chunk, bucket))| {
        let by0 = (bi * BAND) as i32;
        let by1 = by0 + (chunk.len() / stride) as i32;
        let (cy0, cy1) = (by0.max(frame.y0), by1.min(frame.y1));
        for &i in bucket {
            let (x0, y0, si) = pos[i as usize];
            let Some(st) = &stamps[si as usize] else { continue };
            let n = st.size as usize;
            for y in y0.max(cy0)..(y0 + st.size).min(cy1) {
                let sr = (y - y0) as usize;
                let (s0, s1) = st.spans[sr];
                let xa = (x0 + s0).max(frame.x0);
                let xb = (x0 + s1).min(frame.x1);
                if xa >= xb {
                    continue;
                }
                let drow = &mut chunk[(y - by0) as usize * stride..][..stride];
                let srow = &st.data[sr * n * 4..][..n * 4];
                let src = &srow[(xa - x0) as usize * 4..(xb - x0) as usize * 4];
                let dst = &mut drow[xa as usize * 4..xb as usize * 4];
                for (d, sp) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    let a = sp[3];
                    if a == 255 {
                        d.copy_from_slice(sp);
                    } else if a != 0 {
                        let inv = 255 - a as u32;
                        for c in 0..4 {
                            d[c] = sp[c].saturating_add(div255(d[c] as u32 * inv));
                        }
                    }
                }
            }
        }
    });
}

/// Draws the sites as pre-rendered circle stamps, blue first and red last, in input order
/// within a level.
fn draw_sites(pm: &mut Pixmap, geo: &Geo, style: &Style, sites: &[SitePoint], frame: IRect, s: f32) {
    if sites.is_empty() {
        return;
    }
    let outline = 0.3 * s;
    let stamps: Vec<Option<Stamp>> =
        (0..4).map(|li| make_stamp(style.colors[li], style.site_size_pt[li] * s, outline)).collect();
    let items = DRAW_ORDER.into_iter().flat_map(|li| {
        sites.iter().filter(move |p| p.level.index() == li).map(move |site| {
            let (px, py) = geo.px(site.x, site.y);
            (px, py, li)
        })
    });
    stamp_all(pm, frame, &stamps, items);
}

/// The outline of a marker of `shape`, `d` px wide including its outline of width `o`,
/// centred at `(cx, cy)`. Every shape fits in the `d × d` square.
fn marker_path(shape: MarkerShape, cx: f32, cy: f32, d: f32, o: f32) -> Option<Path> {
    // Half the extent of the path itself: its outline reaches d / 2.
    let h = (d - o) / 2.0;
    if !(h.is_finite() && h > 0.0 && cx.is_finite() && cy.is_finite()) {
        return None;
    }
    let mut pb = PathBuilder::new();
    let poly = |pb: &mut PathBuilder, pts: &[(f32, f32)]| {
        pb.move_to(cx + pts[0].0, cy + pts[0].1);
        for p in &pts[1..] {
            pb.line_to(cx + p.0, cy + p.1);
        }
        pb.close();
    };
    match shape {
        MarkerShape::Circle => pb.push_circle(cx, cy, h),
        // The same area as the circle, so that both look the same size.
        MarkerShape::Square => {
            let a = 0.886 * h;
            poly(&mut pb, &[(-a, -a), (a, -a), (a, a), (-a, a)]);
        }
        MarkerShape::Triangle => {
            let t = 0.866 * h;
            poly(&mut pb, &[(0.0, -t), (h, t), (-h, t)]);
        }
        MarkerShape::Diamond => poly(&mut pb, &[(0.0, -h), (h, 0.0), (0.0, h), (-h, 0.0)]),
        MarkerShape::Cross => {
            let a = 0.34 * h;
            poly(
                &mut pb,
                &[
                    (-a, -h),
                    (a, -h),
                    (a, -a),
                    (h, -a),
                    (h, a),
                    (a, a),
                    (a, h),
                    (-a, h),
                    (-a, a),
                    (-h, a),
                    (-h, -a),
                    (-a, -a),
                ],
            );
        }
    }
    pb.finish()
}

/// The outline width of a marker `d` px wide: 0.5 pt, at most a quarter of its size.
fn marker_outline(d: f32, s: f32) -> f32 {
    (MARKER_LINE_PT * s).min(d / 4.0)
}

/// Draws one marker `d` px wide centred at `at` with tiny-skia paths, filled and outlined in
/// `colours` (the legend, the stamps, and markers too large to stamp).
pub(crate) fn draw_marker(pm: &mut Pixmap, shape: MarkerShape, at: (f32, f32), d: f32, colours: (Rgba, Rgba), s: f32) {
    let (cx, cy) = at;
    let (fill, line) = colours;
    let o = marker_outline(d, s);
    if let Some(p) = marker_path(shape, cx, cy, d, o) {
        pm.fill_path(&p, &paint(fill), FillRule::Winding, Transform::identity(), None);
        if o > 0.0 {
            pm.stroke_path(&p, &paint(line), &stroke(o), Transform::identity(), None);
        }
    }
}

/// Markers are stamped at sizes rounded to 1/`MARKER_STEPS` px.
const MARKER_STEPS: f32 = 4.0;
/// Most stamp pixels pre-rendered for the markers; beyond it (huge or very many different
/// markers) they are drawn one by one as paths.
const MARKER_STAMP_BUDGET: u64 = 1 << 24;

/// Draws the markers in slice order: pre-rendered stamps for each distinct symbol, stamped
/// in parallel row bands like the sites.
fn draw_markers(pm: &mut Pixmap, geo: &Geo, markers: &[Marker], frame: IRect, s: f32) {
    if markers.is_empty() {
        return;
    }
    type Key = (MarkerShape, u32, Rgba, Rgba);
    let key = |m: &Marker| -> Option<Key> {
        let q = (m.size_pt * s * MARKER_STEPS).round();
        (1.0..1e9).contains(&q).then_some((m.shape, q as u32, m.fill, m.stroke))
    };
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut budget = 0u64;
    let items: Vec<(f64, f64, usize)> = markers
        .iter()
        .filter_map(|m| {
            let k = key(m)?;
            let si = *index.entry(k).or_insert_with(|| {
                let side = (k.1 as f64 / MARKER_STEPS as f64 + 2.0).ceil() as u64;
                budget = budget.saturating_add(side * side);
                keys.push(k);
                keys.len() - 1
            });
            let (px, py) = geo.px(m.x, m.y);
            Some((px, py, si))
        })
        .collect();
    if budget <= MARKER_STAMP_BUDGET {
        let stamps: Vec<Option<Stamp>> = keys
            .iter()
            .map(|&(shape, q, fill, line)| {
                let d = q as f32 / MARKER_STEPS;
                let size = (d + 2.0).ceil() as u32;
                let mut sp = Pixmap::new(size, size)?;
                let c = size as f32 / 2.0;
                draw_marker(&mut sp, shape, (c, c), d, (fill, line), s);
                Some(Stamp::of(sp))
            })
            .collect();
        stamp_all(pm, frame, &stamps, items.into_iter());
        return;
    }
    let (fx0, fy0, fx1, fy1) = (frame.x0 as f64, frame.y0 as f64, frame.x1 as f64, frame.y1 as f64);
    for (px, py, si) in items {
        let (shape, q, fill, line) = keys[si];
        let d = q as f32 / MARKER_STEPS;
        let h = d as f64 / 2.0 + 1.0;
        if !(px.is_finite() && py.is_finite()) || px + h < fx0 || px - h > fx1 || py + h < fy0 || py - h > fy1 {
            continue;
        }
        draw_marker(pm, shape, (px as f32, py as f32), d, (fill, line), s);
    }
}

/// Beyond this radius in pixels, a circle that crosses the frame is drawn as a polyline of
/// its visible arc: tiny-skia's f32 curves lose precision at such sizes.
const BIG_RADIUS: f64 = 16384.0;

/// What one circle adds to the coverage of its colour, in page pixels.
enum CircleOp {
    /// A disc: centre and radius.
    Disc(f64, f64, f64),
    /// An outline as a ring: centre, outer and inner radius (inner ≤ 0: a disc).
    Ring(f64, f64, f64, f64),
    /// A closed polygon (the frame, or the part of a huge circle near it).
    Polygon(Vec<(f64, f64)>),
}

/// The coverage (0–255) of one colour in a band of rows, and per row the columns touched.
struct Coverage {
    w: usize,
    rows: usize,
    /// The page row of the band's first row.
    y0: f64,
    cov: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Coverage {
    fn new(w: usize, rows: usize, y0: f64) -> Coverage {
        Coverage { w, rows, y0, cov: vec![0; w * rows], spans: vec![(usize::MAX, 0); rows] }
    }

    /// The pixel rows (band-relative) and their centres' offsets from `cy` within `reach`.
    fn rows_near(&self, cy: f64, reach: f64) -> impl Iterator<Item = (usize, f64)> {
        let a = (cy - reach - self.y0).floor().clamp(0.0, self.rows as f64) as usize;
        let b = (cy + reach - self.y0).ceil().clamp(0.0, self.rows as f64) as usize;
        let (y0, cy) = (self.y0, cy);
        (a..b).map(move |row| (row, y0 + row as f64 + 0.5 - cy))
    }

    /// The columns whose centres lie in `[x0, x1]`.
    fn cols(&self, x0: f64, x1: f64) -> std::ops::Range<usize> {
        let a = (x0 - 0.5).ceil().clamp(0.0, self.w as f64) as usize;
        let b = ((x1 - 0.5).floor() + 1.0).clamp(0.0, self.w as f64) as usize;
        a..b.max(a)
    }

    fn touch(&mut self, row: usize, cols: &std::ops::Range<usize>) {
        let s = &mut self.spans[row];
        *s = (s.0.min(cols.start), s.1.max(cols.end));
    }

    /// Adds a ring (outer radius `ro`, inner `ri`; `ri` ≤ 0: a disc) centred at `(cx, cy)`:
    /// each pixel is covered by the part of a 1 px ramp across each edge its centre lies in,
    /// and keeps the largest coverage of all shapes (their union).
    fn ring(&mut self, cx: f64, cy: f64, ro: f64, ri: f64) {
        let disc = ri <= 0.0;
        let (outer, hole, full) = (ro + 0.5, ri - 0.5, ro - 0.5);
        // A shape smaller than a pixel covers no more than its area.
        let cap = (std::f64::consts::PI * (ro * ro - ri.max(0.0).powi(2))).min(1.0);
        for (row, dy) in self.rows_near(cy, outer) {
            let reach = outer * outer - dy * dy;
            if reach <= 0.0 {
                continue;
            }
            let xo = reach.sqrt();
            let all = self.cols(cx - xo, cx + xo);
            if all.is_empty() {
                continue;
            }
            self.touch(row, &all);
            // The middle of the row: fully covered (a disc) or not at all (a ring's hole).
            let (r_mid, value) = if disc { (full, 255) } else { (hole, 0) };
            let mid = if r_mid > dy.abs() {
                let xm = (r_mid * r_mid - dy * dy).sqrt();
                let m = self.cols(cx - xm, cx + xm);
                m.start.clamp(all.start, all.end)
                    ..m.end.clamp(all.start, all.end).max(m.start.clamp(all.start, all.end))
            } else {
                all.start..all.start
            };
            let line = &mut self.cov[row * self.w..][..self.w];
            if value == 255 {
                line[mid.clone()].fill(255);
            }
            let (mid_start, mid_end) = if mid.is_empty() { (all.end, all.end) } else { (mid.start, mid.end) };
            let dy2 = dy * dy;
            for x in (all.start..mid_start).chain(mid_end..all.end) {
                let dx = x as f64 + 0.5 - cx;
                let d = (dx * dx + dy2).sqrt();
                let inner = if disc { 0.0 } else { (ri + 0.5 - d).clamp(0.0, 1.0) };
                let c = ((ro + 0.5 - d).clamp(0.0, 1.0) - inner).min(cap);
                let v = (c * 255.0 + 0.5) as u8;
                if v > line[x] {
                    line[x] = v;
                }
            }
        }
    }

    /// Adds a polygon, rasterized by tiny-skia.
    fn polygon(&mut self, pts: &[(f64, f64)]) {
        let mut pb = PathBuilder::new();
        let shifted: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x, y - self.y0)).collect();
        push_polygon(&mut pb, &shifted);
        let (Some(path), Some(mut mask)) = (pb.finish(), tiny_skia::Mask::new(self.w as u32, self.rows as u32)) else {
            return;
        };
        mask.fill_path(&path, FillRule::Winding, true, Transform::identity());
        for (row, line) in mask.data().chunks_exact(self.w).enumerate() {
            let Some(a) = line.iter().position(|&v| v != 0) else { continue };
            let b = line.iter().rposition(|&v| v != 0).map_or(a, |b| b + 1);
            self.touch(row, &(a..b));
            for (c, &v) in self.cov[row * self.w..][a..b].iter_mut().zip(&line[a..b]) {
                *c = (*c).max(v);
            }
        }
    }

    /// Paints `colour` through the coverage onto `band` (premultiplied RGBA rows) and clears
    /// the coverage.
    fn paint_onto(&mut self, band: &mut [u8], colour: Rgba) {
        let a = colour.3 as u32;
        let pre = [div255(colour.0 as u32 * a), div255(colour.1 as u32 * a), div255(colour.2 as u32 * a), colour.3];
        for row in 0..self.rows {
            let (x0, x1) = std::mem::replace(&mut self.spans[row], (usize::MAX, 0));
            if x0 >= x1 {
                continue;
            }
            let cov = &mut self.cov[row * self.w..][x0..x1];
            let dst = &mut band[(row * self.w + x0) * 4..(row * self.w + x1) * 4];
            // Eight pixels at a time: most of a span between circles is not covered.
            for (d8, k8) in dst.chunks_mut(32).zip(cov.chunks_mut(8)) {
                if k8.iter().all(|&k| k == 0) {
                    continue;
                }
                for (d, k) in d8.chunks_exact_mut(4).zip(k8.iter_mut()) {
                    let kk = *k as u32;
                    if kk == 0 {
                        continue;
                    }
                    *k = 0;
                    let s = pre.map(|v| if kk == 255 { v } else { div255(v as u32 * kk) });
                    let inv = 255 - s[3] as u32;
                    for c in 0..4 {
                        d[c] = s[c].saturating_add(div255(d[c] as u32 * inv));
                    }
                }
            }
        }
    }
}

/// Rows per band when filling circles in parallel.
const CIRCLE_BAND: usize = 256;

/// Draws the circles: all fills, then all outlines, each merged into one path per colour in
/// order of first appearance, so overlapping translucent circles are even. An outline is
/// filled as a ring (the circle `width` wide: outer edge clockwise, inner edge
/// counter-clockwise), so that the non-zero rule fills the union of the rings. Circles with
/// a non-finite position or radius, or a radius ≤ 0, are skipped, as are circles that do not
/// reach the frame; the outline of a circle containing the whole frame is not drawn and its
/// fill is the frame. The page is filled in fixed bands of rows, in parallel, each band with
/// the circles that reach it, so the result does not depend on the thread count.
fn draw_circles(pm: &mut Pixmap, geo: &Geo, circles: &[Circle], frame: IRect, s: f32) {
    if circles.is_empty() {
        return;
    }
    let (fx0, fy0, fx1, fy1) = (frame.x0 as f64, frame.y0 as f64, frame.x1 as f64, frame.y1 as f64);
    let diag = (fx1 - fx0).hypot(fy1 - fy0);
    let big = BIG_RADIUS.max(4.0 * diag);
    // Colours of fills and of outlines in order of first appearance, and the shapes drawn
    // in each (group, top row, bottom row, shape).
    let mut fills: Vec<Rgba> = Vec::new();
    let mut lines: Vec<Rgba> = Vec::new();
    let mut index: HashMap<(bool, Rgba), usize> = HashMap::new();
    let mut ops: Vec<(bool, usize, f64, f64, CircleOp)> = Vec::new();
    let mut group = |line: bool, c: Rgba| {
        let list = if line { &mut lines } else { &mut fills };
        *index.entry((line, c)).or_insert_with(|| {
            list.push(c);
            list.len() - 1
        })
    };
    for c in circles {
        let (cx, cy) = geo.px(c.x, c.y);
        let r = c.radius_m * geo.k;
        if !(cx.is_finite() && cy.is_finite() && r.is_finite() && r > 0.0) {
            continue;
        }
        let w = (c.width_pt * s) as f64;
        let hw = if c.stroke.3 > 0 && w.is_finite() && w > 0.0 { w / 2.0 } else { 0.0 };
        // Distances from the centre to the nearest and the farthest point of the frame.
        let near = (fx0 - cx).max(cx - fx1).max(0.0).hypot((fy0 - cy).max(cy - fy1).max(0.0));
        let far = (cx - fx0).abs().max((cx - fx1).abs()).hypot((cy - fy0).abs().max((cy - fy1).abs()));
        if near > r + hw + 1.0 {
            continue;
        }
        let covers = far < r - hw - 1.0;
        // Rows reached, clamped to the frame (the huge shapes span it).
        let (top, bottom) = ((cy - r - hw - 2.0).max(fy0 - 2.0), (cy + r + hw + 2.0).min(fy1 + 2.0));
        if let Some(f) = c.fill.filter(|f| f.3 > 0) {
            let op = if covers {
                CircleOp::Polygon(vec![
                    (fx0 - 1.0, fy0 - 1.0),
                    (fx1 + 1.0, fy0 - 1.0),
                    (fx1 + 1.0, fy1 + 1.0),
                    (fx0 - 1.0, fy1 + 1.0),
                ])
            } else if r > big {
                let outer = big_arc(cx, cy, r, frame, diag, 2.0);
                let inner = big_arc(cx, cy, r - 3.0 * diag, frame, diag, 2.0);
                CircleOp::Polygon(outer.into_iter().chain(inner.into_iter().rev()).collect())
            } else {
                CircleOp::Disc(cx, cy, r)
            };
            ops.push((false, group(false, f), top, bottom, op));
        }
        if hw > 0.0 && !covers {
            let (ro, ri) = (r + hw, r - hw);
            let op = if r > big {
                let outer = big_arc(cx, cy, ro, frame, diag, hw + 2.0);
                let inner = big_arc(cx, cy, ri, frame, diag, hw + 2.0);
                CircleOp::Polygon(outer.into_iter().chain(inner.into_iter().rev()).collect())
            } else {
                CircleOp::Ring(cx, cy, ro, ri)
            };
            ops.push((true, group(true, c.stroke), top, bottom, op));
        }
    }
    if ops.is_empty() {
        return;
    }
    // Fills first, then outlines; within each, by colour; within a colour, in slice order.
    ops.sort_by_key(|o| (o.0, o.1));
    let (width, stride) = (pm.width() as usize, pm.width() as usize * 4);
    let data = pm.data_mut();
    data.par_chunks_mut(CIRCLE_BAND * stride).enumerate().for_each(|(bi, band)| {
        let rows = band.len() / stride;
        let (y0, y1) = ((bi * CIRCLE_BAND) as f64, (bi * CIRCLE_BAND + rows) as f64);
        if y1 <= fy0 || y0 >= fy1 {
            return;
        }
        let mut cov = Coverage::new(width, rows, y0);
        let mut i = 0;
        while i < ops.len() {
            let (line, g) = (ops[i].0, ops[i].1);
            while i < ops.len() && (ops[i].0, ops[i].1) == (line, g) {
                let (_, _, top, bottom, op) = &ops[i];
                if *bottom >= y0 && *top <= y1 {
                    match op {
                        CircleOp::Disc(cx, cy, r) => cov.ring(*cx, *cy, *r, 0.0),
                        CircleOp::Ring(cx, cy, ro, ri) => cov.ring(*cx, *cy, *ro, *ri),
                        CircleOp::Polygon(pts) => cov.polygon(pts),
                    }
                }
                i += 1;
            }
            cov.paint_onto(band, if line { lines[g] } else { fills[g] });
        }
    });
}

/// Appends a closed polygon turning the same way as tiny-skia's circles (clockwise on the
/// page), so that the non-zero rule fills the union of everything in the path.
fn push_polygon(pb: &mut PathBuilder, pts: &[(f64, f64)]) {
    if pts.len() < 3 {
        return;
    }
    let mut area = 0.0;
    for i in 0..pts.len() {
        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
        area += a.0 * b.1 - b.0 * a.1;
    }
    let at = |i: usize| if area >= 0.0 { pts[i] } else { pts[pts.len() - 1 - i] };
    pb.move_to(at(0).0 as f32, at(0).1 as f32);
    for i in 1..pts.len() {
        pb.line_to(at(i).0 as f32, at(i).1 as f32);
    }
    pb.close();
}

/// The part of a very large circle (centre `(cx, cy)`, radius `r` px, crossing the frame)
/// that is near the frame: points on it every ≤ 0.05 px of deviation, over the frame
/// widened by `pad`. Computed relative to the frame centre, so it stays exact for any radius.
fn big_arc(cx: f64, cy: f64, r: f64, frame: IRect, diag: f64, pad: f64) -> Vec<(f64, f64)> {
    let (mx, my) = ((frame.x0 + frame.x1) as f64 / 2.0, (frame.y0 + frame.y1) as f64 / 2.0);
    let dist = (mx - cx).hypot(my - cy);
    if !(dist > 0.0 && dist.is_finite() && r > 0.0) {
        return Vec::new();
    }
    // u: from the centre towards the frame centre; v: across.
    let (ux, uy) = ((mx - cx) / dist, (my - cy) / dist);
    let (vx, vy) = (-uy, ux);
    let half = diag / 2.0 + pad;
    let dt = (0.4 * r).sqrt().max(1e-3);
    let n = (((2.0 * half) / dt).ceil() as usize).clamp(2, 1 << 16);
    (0..=n)
        .map(|i| {
            let t = -half + 2.0 * half * i as f64 / n as f64;
            // Offset along u of the circle's point at t across, from the frame centre.
            let ou = (r - dist) - t * t / (r + (r * r - t * t).max(0.0).sqrt());
            (mx + ou * ux + t * vx, my + ou * uy + t * vy)
        })
        .collect()
}

#[inline]
fn div255(v: u32) -> u8 {
    ((v + 128 + ((v + 128) >> 8)) >> 8) as u8
}

/// Veils the frame outside `focus` in translucent white and draws its boundary heavier.
fn veil_outside(pm: &mut Pixmap, geo: &Geo, style: &Style, focus: &Area, frame: IRect, s: f32) {
    let mut pb = PathBuilder::new();
    if let Some(r) = Rect::from_ltrb(frame.x0 as f32, frame.y0 as f32, frame.x1 as f32, frame.y1 as f32) {
        pb.push_rect(r);
    }
    push_multipolygon(&mut pb, &focus.geometry, geo);
    if let Some(p) = pb.finish() {
        pm.fill_path(&p, &paint(WHITE.with_opacity(0.62)), FillRule::EvenOdd, Transform::identity(), None);
    }
    let mut pb = PathBuilder::new();
    push_multipolygon(&mut pb, &focus.geometry, geo);
    if let (Some(p), true) = (pb.finish(), style.boundary_pt > 0.0) {
        pm.stroke_path(&p, &paint(BOUNDARY), &stroke(2.2 * style.boundary_pt * s), Transform::identity(), None);
    }
}

/// Paints everything outside `frame` white (clips the map layers to the frame).
pub(crate) fn clear_outside(pm: &mut Pixmap, frame: IRect) {
    let (w, h) = (pm.width() as f32, pm.height() as f32);
    let f = [frame.x0 as f32, frame.y0 as f32, frame.x1 as f32, frame.y1 as f32];
    fill_rect(pm, [0.0, 0.0, w, f[1]], WHITE);
    fill_rect(pm, [0.0, f[3], w, h], WHITE);
    fill_rect(pm, [0.0, f[1], f[0], f[3]], WHITE);
    fill_rect(pm, [f[2], f[1], w, f[3]], WHITE);
}
