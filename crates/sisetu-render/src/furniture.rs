//! Map furniture: legend, scale bar, north arrow, and the choice of frame corners for them.

use sisetu_core::format::thousands;
use tiny_skia::{FillRule, Mask, Path, PathBuilder, Pixmap, Transform};

use crate::draw::{self, draw_text, fill_rect, paint, stroke, stroke_rect, TextStyle, INK, SITE_LINE, WHITE};
use crate::layout::IRect;
use crate::text::Font;
use crate::{Fill, MapContent, MarkerShape, Rgba, RiskLevel, Style, Swatch};

/// Legend border and swatch outlines.
const LINE: Rgba = Rgba(0x59, 0x59, 0x59, 255);

/// The symbol of a legend row.
enum Sym {
    /// A rectangle of this colour (area fills), with a thin grey border.
    Rect(Rgba),
    /// A site symbol of this colour and diameter (px).
    Dot(Rgba, f32),
    /// A marker: shape, size (px), fill, outline.
    Marker(MarkerShape, f32, Rgba, Rgba),
    /// A circle outline.
    Ring(Rgba),
    /// A line: colour and width (px).
    Line(Rgba, f32),
}

struct Row {
    sym: Sym,
    name: String,
    count: String,
    /// The row's vertical centre, from the top of the first row.
    mid: f32,
}

/// The legend box: heading, then one row per level (swatch, name, count), or the custom rows
/// of [`MapContent::legend_items`].
pub(crate) struct Legend {
    pub w: f32,
    pub h: f32,
    title: String,
    lp: f32,
    pad: f32,
    title_size: f32,
    title_h: f32,
    sw_w: f32,
    sw_h: f32,
    rows: Vec<Row>,
    line: f32,
}

impl Legend {
    pub(crate) fn measure(style: &Style, font: &Font, content: &MapContent, s: f32) -> Legend {
        let lp = style.legend_pt * s;
        let row_h = 1.75 * lp;
        let sw_w = 1.9 * lp;
        let sw_h = 1.05 * lp;
        let mut rows: Vec<Row>;
        let h_rows;
        let mut sw_col = sw_w;
        if content.legend_items.is_empty() {
            let circles = content.fill == Fill::None;
            rows = RiskLevel::ALL
                .iter()
                .map(|&l| {
                    let c = style.color(l);
                    let diameter = style.site_size_pt[l.index()] * s;
                    let sym = if circles && diameter > 0.0 {
                        Sym::Dot(Rgba(c.0, c.1, c.2, 255), diameter)
                    } else if circles {
                        Sym::Rect(Rgba(c.0, c.1, c.2, 255))
                    } else {
                        Sym::Rect(c.with_opacity(style.fill_opacity))
                    };
                    Row { sym, name: l.zh().to_string(), count: thousands(content.legend_counts[l]), mid: 0.0 }
                })
                .collect();
            let filled = match content.fill {
                Fill::Districts => content.districts,
                Fill::Areas => content.areas,
                Fill::None => &[],
            };
            if filled.iter().any(|a| a.level.is_none() && a.color.is_none()) {
                rows.push(Row {
                    sym: Sym::Rect(style.no_data), name: "无数据".into(), count: String::new(), mid: 0.0
                });
            }
            for (i, row) in rows.iter_mut().enumerate() {
                row.mid = (i as f32 + 0.5) * row_h;
            }
            h_rows = rows.len() as f32 * row_h;
        } else {
            let mut top = 0.0;
            rows = Vec::with_capacity(content.legend_items.len());
            for item in content.legend_items {
                let (sym, extent) = match item.swatch {
                    Swatch::Fill(c) => (Sym::Rect(c.with_opacity(style.fill_opacity)), sw_h),
                    Swatch::Marker { shape, size_pt, fill, stroke } => {
                        let d = size_pt * s;
                        (Sym::Marker(shape, d, fill, stroke), d)
                    }
                    Swatch::Ring(c) => (Sym::Ring(c), RING * sw_h),
                    Swatch::Line(c, w) => (Sym::Line(c, (w * s).max(0.5)), sw_h),
                };
                sw_col = sw_col.max(extent);
                let h = row_h.max(extent + 0.5 * lp);
                let name = item.label.trim().to_string();
                let count = item.count.as_deref().map(str::trim).unwrap_or("").to_string();
                rows.push(Row { sym, name, count, mid: top + h / 2.0 });
                top += h;
            }
            h_rows = top;
        }
        let title = content.legend_title.trim().to_string();
        let pad = 0.8 * lp;
        let title_size = 1.1 * lp;
        let title_h = if title.is_empty() { 0.0 } else { 1.6 * title_size };
        let name_w = rows.iter().map(|r| font.width(&r.name, lp)).fold(0.0, f32::max);
        let count_w = rows.iter().map(|r| font.width(&r.count, lp)).fold(0.0, f32::max);
        let gap = if count_w > 0.0 { 1.6 * lp } else { 0.0 };
        let w = (pad + sw_col + 0.7 * lp + name_w + gap + count_w + pad)
            .max(2.0 * pad + font.width(&title, title_size) * 1.02);
        let h = pad + title_h + h_rows + 0.45 * pad;
        let (w, h) = (w.ceil(), h.ceil());
        Legend { w, h, title, lp, pad, title_size, title_h, sw_w: sw_col, sw_h, rows, line: (0.5 * s).max(1.0) }
    }

    pub(crate) fn draw(&self, pm: &mut Pixmap, font: &Font, x0: f32, y0: f32, s: f32) {
        let r = [x0, y0, x0 + self.w, y0 + self.h];
        fill_rect(pm, r, WHITE);
        stroke_rect(pm, r, LINE, self.line);
        if !self.title.is_empty() {
            let base = y0 + self.pad + font.cjk_top(self.title_size);
            let ts = TextStyle { size: self.title_size, color: INK, bold: 0.03, halo: 0.0 };
            draw_text(pm, font, &self.title, x0 + self.pad, base, ts);
        }
        let text = TextStyle { size: self.lp, color: INK, bold: 0.0, halo: 0.0 };
        for row in &self.rows {
            let cy = y0 + self.pad + self.title_h + row.mid - 0.2 * self.pad;
            let sx = x0 + self.pad;
            let scx = sx + self.sw_w / 2.0;
            match row.sym {
                Sym::Dot(color, diameter) => {
                    if let Some(c) = PathBuilder::from_circle(scx, cy, diameter / 2.0) {
                        pm.fill_path(&c, &paint(color), FillRule::Winding, Transform::identity(), None);
                        pm.stroke_path(&c, &paint(SITE_LINE), &stroke(0.3 * s), Transform::identity(), None);
                    }
                }
                Sym::Rect(color) => {
                    let sw = [sx, cy - self.sw_h / 2.0, sx + self.sw_w, cy + self.sw_h / 2.0];
                    fill_rect(pm, sw, color);
                    stroke_rect(pm, sw, LINE, (0.35 * s).max(0.75));
                }
                Sym::Marker(shape, d, fill, line) => draw::draw_marker(pm, shape, (scx, cy), d, (fill, line), s),
                Sym::Line(color, width) => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(sx, cy);
                    pb.line_to(sx + self.sw_w, cy);
                    if let Some(p) = pb.finish() {
                        let st = tiny_skia::Stroke { width, line_cap: tiny_skia::LineCap::Round, ..Default::default() };
                        pm.stroke_path(&p, &paint(color), &st, Transform::identity(), None);
                    }
                }
                Sym::Ring(color) => {
                    if let Some(c) = PathBuilder::from_circle(scx, cy, RING * self.sw_h / 2.0) {
                        pm.stroke_path(&c, &paint(color), &stroke((0.9 * s).max(1.0)), Transform::identity(), None);
                    }
                }
            }
            let base = cy + font.cjk_mid(self.lp);
            draw_text(pm, font, &row.name, sx + self.sw_w + 0.7 * self.lp, base, text);
            let cw = font.width(&row.count, self.lp);
            draw_text(pm, font, &row.count, x0 + self.w - self.pad - cw, base, text);
        }
    }
}

/// Diameter of a legend ring, in swatch heights.
const RING: f32 = 1.3;

/// The largest "round" length (1, 2 or 5 × 10ⁿ metres) nearest to `target` metres.
pub(crate) fn nice_length(target: f64, max: f64) -> f64 {
    if !(target.is_finite() && target > 0.0) {
        return 1.0;
    }
    let e = target.log10().floor() as i32;
    let mut best = f64::NAN;
    let mut best_err = f64::INFINITY;
    for ee in (e - 2)..=(e + 1) {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powi(ee);
            if v > max && best.is_finite() {
                continue;
            }
            let err = (v / target).ln().abs();
            if err < best_err {
                best_err = err;
                best = v;
            }
        }
    }
    best
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let r = (v * 10.0).round() / 10.0;
        format!("{r}")
    }
}

/// A scale bar with alternating black and white segments and round labels (`0  5  10 km`).
pub(crate) struct ScaleBar {
    pub w: f32,
    pub h: f32,
    pub len_m: f64,
    pub len_px: f32,
    segs: u32,
    labels: Vec<(u32, String)>,
    unit: &'static str,
    size: f32,
    bar_h: f32,
    pad: f32,
    lead: f32,
    digit_top: f32,
    line: f32,
}

impl ScaleBar {
    /// `k` is pixels per metre; the bar is about 22 % of the frame width.
    pub(crate) fn measure(font: &Font, style: &Style, s: f32, k: f64, frame_w: f32) -> ScaleBar {
        let lp = style.legend_pt * s;
        let target = 0.225 * frame_w as f64 / k;
        let len_m = nice_length(target, 0.3 * frame_w as f64 / k);
        let len_px = (len_m * k) as f32;
        let lead = (len_m / 10f64.powi(len_m.log10().floor() as i32)).round() as u32;
        let (div, unit) = if len_m >= 1000.0 { (1000.0, "km") } else { (1.0, "m") };
        let size = 0.85 * lp;
        let segs = if lead == 5 { 5 } else { 4 };
        let label_at = |i: u32| fmt_num(len_m / div * i as f64 / segs as f64);
        let mut labels: Vec<(u32, String)> = if segs == 5 {
            let widest = font.width(&label_at(segs), size);
            if len_px / 5.0 > 2.0 * widest {
                (0..=5).map(|i| (i, label_at(i))).collect()
            } else {
                vec![(0, label_at(0)), (5, label_at(5))]
            }
        } else {
            vec![(0, label_at(0)), (2, label_at(2)), (4, label_at(4))]
        };
        labels.dedup_by(|a, b| a.1 == b.1);
        let pad = 0.6 * lp;
        let w0 = font.width("0", size);
        let wl = labels.last().map(|l| font.width(&l.1, size)).unwrap_or(0.0);
        let w = pad + w0 / 2.0 + len_px + wl / 2.0 + 0.3 * size + font.width(unit, size) + pad;
        let bar_h = 0.42 * lp;
        let digit_top = font.digit_top(size);
        let h = pad + digit_top + 0.35 * size + bar_h + pad;
        let line = (0.5 * s).max(1.0);
        ScaleBar { w, h, len_m, len_px, segs, labels, unit, size, bar_h, pad, lead: w0 / 2.0, digit_top, line }
    }

    pub(crate) fn draw(&self, pm: &mut Pixmap, font: &Font, x0: f32, y0: f32) {
        fill_rect(pm, [x0, y0, x0 + self.w, y0 + self.h], WHITE.with_opacity(0.85));
        let bx = x0 + self.pad + self.lead;
        let base = y0 + self.pad + self.digit_top;
        let by = base + 0.35 * self.size;
        let seg = self.len_px / self.segs as f32;
        for i in 0..self.segs {
            let r = [bx + i as f32 * seg, by, bx + (i + 1) as f32 * seg, by + self.bar_h];
            fill_rect(pm, r, if i % 2 == 0 { INK } else { WHITE });
        }
        stroke_rect(pm, [bx, by, bx + self.len_px, by + self.bar_h], INK, self.line);
        let ts = TextStyle { size: self.size, color: INK, bold: 0.0, halo: 0.0 };
        for (i, label) in &self.labels {
            let x = bx + *i as f32 * seg - font.width(label, self.size) / 2.0;
            draw_text(pm, font, label, x, base, ts);
        }
        let wl = self.labels.last().map(|l| font.width(&l.1, self.size)).unwrap_or(0.0);
        draw_text(pm, font, self.unit, bx + self.len_px + wl / 2.0 + 0.3 * self.size, base, ts);
    }
}

/// A north arrow: a split arrowhead (half black, half white) under an "N".
pub(crate) struct NorthArrow {
    pub w: f32,
    pub h: f32,
    size: f32,
    aw: f32,
    ah: f32,
    line: f32,
}

impl NorthArrow {
    pub(crate) fn measure(font: &Font, style: &Style, s: f32) -> NorthArrow {
        let lp = style.legend_pt * s;
        let size = 1.3 * lp;
        let aw = 1.6 * lp;
        let ah = 3.0 * lp;
        let w = aw.max(font.width("N", size)) + 0.4 * lp;
        let h = 0.75 * size + 0.35 * lp + ah;
        NorthArrow { w, h, size, aw, ah, line: (0.6 * s).max(1.0) }
    }

    pub(crate) fn draw(&self, pm: &mut Pixmap, font: &Font, x0: f32, y0: f32) {
        let cx = x0 + self.w / 2.0;
        let ts = TextStyle { size: self.size, color: INK, bold: 0.04, halo: self.line * 3.0 };
        if let Some(b) = font.path("N", self.size, 0.0, 0.0).map(|p| p.bounds()) {
            let x = cx - (b.left() + b.right()) / 2.0;
            draw_text(pm, font, "N", x, y0 - b.top(), ts);
        }
        let top = y0 + 0.75 * self.size + 0.35 * self.size / 1.3;
        let bottom = top + self.ah;
        let notch = bottom - 0.3 * self.ah;
        let half = self.aw / 2.0;
        let tri = |pts: &[(f32, f32)]| -> Option<Path> {
            let mut pb = PathBuilder::new();
            pb.move_to(pts[0].0, pts[0].1);
            for p in &pts[1..] {
                pb.line_to(p.0, p.1);
            }
            pb.close();
            pb.finish()
        };
        let whole = tri(&[(cx, top), (cx - half, bottom), (cx, notch), (cx + half, bottom)]);
        if let Some(p) = &whole {
            pm.stroke_path(p, &paint(WHITE), &stroke(self.line * 4.0), Transform::identity(), None);
            pm.fill_path(p, &paint(WHITE), FillRule::Winding, Transform::identity(), None);
        }
        if let Some(p) = tri(&[(cx, top), (cx - half, bottom), (cx, notch)]) {
            pm.fill_path(&p, &paint(INK), FillRule::Winding, Transform::identity(), None);
        }
        if let Some(p) = &whole {
            pm.stroke_path(p, &paint(INK), &stroke(self.line), Transform::identity(), None);
        }
    }
}

/// A corner of the map frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl Corner {
    pub(crate) fn is_top(self) -> bool {
        matches!(self, Corner::TopLeft | Corner::TopRight)
    }
}

/// The box of size `w × h` in `corner` of `frame`, `inset` px from its edges.
pub(crate) fn corner_box(frame: IRect, inset: f32, w: f32, h: f32, corner: Corner) -> [f32; 4] {
    let (fx0, fy0, fx1, fy1) = (frame.x0 as f32, frame.y0 as f32, frame.x1 as f32, frame.y1 as f32);
    let x0 = match corner {
        Corner::TopLeft | Corner::BottomLeft => fx0 + inset,
        _ => fx1 - inset - w,
    };
    let y0 = if corner.is_top() { fy0 + inset } else { fy1 - inset - h };
    // Whole pixels keep the thin lines crisp.
    let (x0, y0) = (x0.round(), y0.round());
    [x0, y0, x0 + w.round(), y0 + h.round()]
}

/// How much map data a box would hide: sampled pixels that are drawn on (not white) or
/// inside a district.
pub(crate) struct Occupancy<'a> {
    pub pm: &'a Pixmap,
    /// District coverage at 1/`scale` of the page resolution.
    pub mask: Option<(Mask, f32)>,
}

impl Occupancy<'_> {
    pub(crate) fn score(&self, r: [f32; 4]) -> u64 {
        if !r.iter().all(|v| v.is_finite()) {
            return u64::MAX;
        }
        let (w, h) = (self.pm.width() as i64, self.pm.height() as i64);
        let step = ((r[2] - r[0]).min(r[3] - r[1]) / 40.0).max(1.0);
        let data = self.pm.data();
        let mut n = 0u64;
        let mut y = r[1] + step / 2.0;
        while y < r[3] {
            let mut x = r[0] + step / 2.0;
            while x < r[2] {
                let (xi, yi) = (x as i64, y as i64);
                if xi >= 0 && yi >= 0 && xi < w && yi < h {
                    let i = ((yi * w + xi) * 4) as usize;
                    if data[i] < 248 || data[i + 1] < 248 || data[i + 2] < 248 {
                        n += 1;
                    }
                    if let Some((m, sc)) = &self.mask {
                        let (mx, my) = ((x / sc) as i64, (y / sc) as i64);
                        let (mw, mh) = (m.width() as i64, m.height() as i64);
                        if mx < mw && my < mh && m.data()[(my * mw + mx) as usize] > 127 {
                            n += 1;
                        }
                    }
                }
                x += step;
            }
            y += step;
        }
        n
    }

    /// The candidate with the least data under its box (the first one on ties).
    pub(crate) fn best(&self, candidates: &[Corner], box_of: impl Fn(Corner) -> [f32; 4]) -> Corner {
        let mut best = candidates[0];
        let mut best_score = u64::MAX;
        for &c in candidates {
            let sc = self.score(box_of(c));
            if sc < best_score {
                best = c;
                best_score = sc;
            }
        }
        best
    }
}
