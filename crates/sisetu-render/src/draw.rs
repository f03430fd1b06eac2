//! Map layers: area fills, outlines, district boundaries and site symbols.

use geo::{BoundingRect, LineString, MultiPolygon};
use rayon::prelude::*;
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::layout::{Geo, IRect};
use crate::text::Font;
use crate::{Area, Fill, MapContent, Rgba, SitePoint, Style};

/// Text colour (near-black).
pub(crate) const INK: Rgba = Rgba(0x1A, 0x1A, 0x1A, 255);
/// District boundaries.
pub(crate) const BOUNDARY: Rgba = Rgba(0x40, 0x40, 0x40, 255);
/// Outlines of cells and management grids.
pub(crate) const CELL_LINE: Rgba = Rgba(0x80, 0x80, 0x80, 255);
/// Outline of site symbols.
pub(crate) const SITE_LINE: Rgba = Rgba(0x33, 0x33, 0x33, 255);
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

/// Fills `areas` by level: no data first, then blue … red (higher levels on top).
fn fill_by_level(pm: &mut Pixmap, areas: &[&Area], geo: &Geo, style: &Style) {
    if let Some(p) = path_of(areas.iter().copied().filter(|a| a.level.is_none()), geo) {
        pm.fill_path(&p, &paint(style.no_data), FillRule::Winding, Transform::identity(), None);
    }
    for li in DRAW_ORDER {
        if let Some(p) = path_of(areas.iter().copied().filter(|a| a.level.map(|l| l.index()) == Some(li)), geo) {
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

    match content.fill {
        Fill::Districts => fill_by_level(pm, &districts, geo, style),
        Fill::Areas => fill_by_level(pm, &areas, geo, style),
        Fill::None => {}
    }
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
    draw_sites(pm, geo, style, content.sites, frame, s);
    if let Some(focus) = content.focus.and_then(|i| content.districts.get(i)) {
        veil_outside(pm, geo, style, focus, frame, s);
    }
    district_path
}

/// A pre-rendered site symbol: premultiplied RGBA rows and, per row, the span of
/// non-transparent columns.
struct Stamp {
    size: i32,
    data: Vec<u8>,
    spans: Vec<(i32, i32)>,
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
    let n = size as usize;
    let data = pm.data().to_vec();
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
    Some(Stamp { size: size as i32, data, spans })
}

/// Rows per band when stamping sites in parallel.
const BAND: usize = 64;

/// Draws the sites as pre-rendered circle stamps, blue first and red last, in input order
/// within a level. The page is cut into row bands stamped in parallel; every band applies
/// its sites in that same fixed order, so the result does not depend on the thread count.
fn draw_sites(pm: &mut Pixmap, geo: &Geo, style: &Style, sites: &[SitePoint], frame: IRect, s: f32) {
    if sites.is_empty() {
        return;
    }
    let outline = 0.3 * s;
    let stamps: Vec<Option<Stamp>> =
        (0..4).map(|li| make_stamp(style.colors[li], style.site_size_pt[li] * s, outline)).collect();
    let height = pm.height() as usize;
    let nbands = height.div_ceil(BAND);
    // Stamp positions (top-left), in drawing order, bucketed by the bands they touch.
    let mut pos: Vec<(i32, i32, u8)> = Vec::new();
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); nbands];
    for li in DRAW_ORDER {
        let Some(st) = &stamps[li] else { continue };
        let half = st.size as f64 / 2.0;
        for site in sites.iter().filter(|p| p.level.index() == li) {
            let (px, py) = geo.px(site.x, site.y);
            if !(px.is_finite() && py.is_finite()) {
                continue;
            }
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
            pos.push((x0, y0, li as u8));
            let b0 = (y0.max(frame.y0) as usize) / BAND;
            let b1 = (((y0 + st.size).min(frame.y1) - 1).max(0) as usize) / BAND;
            for b in buckets.iter_mut().take(b1.min(nbands - 1) + 1).skip(b0) {
                b.push(idx);
            }
        }
    }
    let stride = pm.width() as usize * 4;
    let data = pm.data_mut();
    data.par_chunks_mut(BAND * stride).zip(buckets.par_iter()).enumerate().for_each(|(bi, (chunk, bucket))| {
        let by0 = (bi * BAND) as i32;
        let by1 = by0 + (chunk.len() / stride) as i32;
        let (cy0, cy1) = (by0.max(frame.y0), by1.min(frame.y1));
        for &i in bucket {
            let (x0, y0, li) = pos[i as usize];
            let Some(st) = &stamps[li as usize] else { continue };
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

#[inline]
fn div255(v: u32) -> u8 {
    ((v + 128 + ((v + 128) >> 8)) >> 8) as u8
}

/// Veils the frame outside `focus` in translucent white and draws its boundary heavier.
fn veil_outside(pm: &mut Pixmap, geo: &Geo, style: &Style, focus: &Area, frame: IRect, s: f32) {
    let mut pb = PathBuilder::new();
    if let Some(r) = tiny_skia::Rect::from_ltrb(frame.x0 as f32, frame.y0 as f32, frame.x1 as f32, frame.y1 as f32) {
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
