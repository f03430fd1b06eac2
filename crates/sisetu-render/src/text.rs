//! Fonts and text: glyph outlines from ab_glyph turned into tiny-skia paths.

use std::path::Path as FsPath;

use ab_glyph::{Font as _, FontArc, GlyphId, OutlineCurve};
use tiny_skia::{Path, PathBuilder};

use crate::RenderError;

static VENDORED: &[u8] = include_bytes!("../fonts/DroidSansFallback.ttf");

/// Characters every map needs (legend rows); a font without them cannot draw a 四色图.
const REQUIRED: &str = "重大较一般低风险";

/// A glyph as drawn: its id, a horizontal shift of its outline and its advance (font units).
#[derive(Clone, Copy)]
struct Glyph {
    id: GlyphId,
    /// Horizontal scale of the outline (full-width forms drawn narrower, e.g. `_`).
    sx: f32,
    dx: f32,
    advance: f32,
    /// From the font's own cmap entry for the character (kerning applies).
    native: bool,
    /// Vertical scale and shift of the outline (1 and 0 but for the symbols of
    /// [`Font::symbol`], e.g. superscripts).
    sy: f32,
    dy: f32,
    /// A second outline drawn with the first (the bar of ≤ and ≥).
    extra: Option<Part>,
}

/// An outline placed with a scale and a shift (font units, y up).
#[derive(Clone, Copy)]
struct Part {
    id: GlyphId,
    sx: f32,
    sy: f32,
    dx: f32,
    dy: f32,
}

impl Glyph {
    /// A glyph drawn as it is in the font, or scaled and shifted.
    fn plain(id: GlyphId, advance: f32, native: bool) -> Glyph {
        Glyph { id, sx: 1.0, dx: 0.0, advance, native, sy: 1.0, dy: 0.0, extra: None }
    }

    fn part(id: GlyphId, sx: f32, sy: f32, dx: f32, dy: f32, advance: f32) -> Glyph {
        Glyph { id, sx, dx, advance, native: false, sy, dy, extra: None }
    }

    /// The outlines drawn for this glyph.
    fn parts(&self) -> impl Iterator<Item = Part> {
        let main = Part { id: self.id, sx: self.sx, sy: self.sy, dx: self.dx, dy: self.dy };
        std::iter::once(main).chain(self.extra)
    }
}

/// A TrueType/OpenType font used for every text on the map.
#[derive(Clone)]
pub struct Font {
    inner: FontArc,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font").field("glyphs", &self.inner.glyph_count()).finish()
    }
}

impl Font {
    /// The vendored Droid Sans Fallback (Apache-2.0, see `fonts/README.md`): Simplified and
    /// Traditional Chinese plus Latin, so maps render on a machine with no fonts installed.
    pub fn vendored() -> Font {
        // The vendored file is a fixed asset, parsed by a test: this cannot fail at run time.
        Font { inner: FontArc::try_from_slice(VENDORED).expect("the vendored DroidSansFallback.ttf parses") }
    }

    /// Loads a TrueType/OpenType font file (the first face of a collection). The font must
    /// have Chinese glyphs (the legend's 重大风险 … 低风险).
    pub fn from_file(path: &FsPath) -> Result<Font, RenderError> {
        let bytes = std::fs::read(path).map_err(|e| {
            RenderError::Font(format!(
                "cannot read font file {}: {e}; check the `font` path in [style], or remove it to use the \
                 vendored Droid Sans Fallback",
                path.display()
            ))
        })?;
        let inner = FontArc::try_from_vec(bytes).map_err(|_| {
            RenderError::Font(format!(
                "{} is not a TrueType/OpenType font (.ttf, .otf, .ttc); use such a font file, or remove `font` \
                 from [style] to use the vendored Droid Sans Fallback",
                path.display()
            ))
        })?;
        let font = Font { inner };
        // A glyph counts only when it can be drawn: a damaged or truncated file may still map
        // the characters to glyphs whose outlines are gone. Digits may come from their
        // full-width forms, as `glyph` draws them.
        let missing: String = REQUIRED
            .chars()
            .chain('0'..='9')
            .filter(|&c| {
                let id = font.glyph(c).id;
                id == GlyphId(0) || font.inner.outline(id).is_none()
            })
            .collect();
        if !missing.is_empty() {
            return Err(RenderError::Font(format!(
                "{} has no drawable glyphs for the characters {missing} (a font without Chinese, or a damaged \
                 or truncated file); use a font with Simplified Chinese (e.g. Noto Sans CJK SC, Source Han Sans, \
                 SimHei), or remove `font` from [style] to use the vendored Droid Sans Fallback",
                path.display()
            )));
        }
        Ok(font)
    }

    fn upem(&self) -> f32 {
        self.inner.units_per_em().filter(|u| *u > 0.0).unwrap_or(1000.0)
    }

    /// Top and bottom of the glyph of `c` relative to the baseline (y up), px at `size`.
    fn glyph_extent(&self, c: char, size: f32) -> Option<(f32, f32)> {
        let o = self.inner.outline(self.glyph(c).id)?;
        let sc = size / self.upem();
        // Outline bounds: `min.y` holds the top (y up), `max.y` the bottom.
        Some((o.bounds.min.y * sc, o.bounds.max.y * sc))
    }

    /// Distance from the baseline up to the top of a Chinese ideograph (国).
    pub(crate) fn cjk_top(&self, size: f32) -> f32 {
        self.glyph_extent('国', size).map(|(top, _)| top).unwrap_or(0.86 * size)
    }

    /// Distance from the baseline up to the vertical centre of a Chinese ideograph (国):
    /// text centred on `y` has its baseline at `y + cjk_mid`.
    pub(crate) fn cjk_mid(&self, size: f32) -> f32 {
        self.glyph_extent('国', size).map(|(top, bottom)| (top + bottom) / 2.0).unwrap_or(0.37 * size)
    }

    /// Distance from the baseline up to the top of the digits (0).
    pub(crate) fn digit_top(&self, size: f32) -> f32 {
        self.glyph_extent('0', size).map(|(top, _)| top).unwrap_or(0.72 * size)
    }

    /// The glyph that draws `c`. Droid Sans Fallback has no ASCII glyphs (it was Android's
    /// fallback behind Droid Sans), so a printable ASCII character missing from the font is
    /// drawn with its full-width form (U+FF01–FF5E, the same Latin design centred in a full
    /// em) re-spaced proportionally; digits get a fixed (tabular) width.
    fn glyph(&self, c: char) -> Glyph {
        let id = self.inner.glyph_id(c);
        let native = Glyph::plain(id, self.inner.h_advance_unscaled(id), true);
        if id != GlyphId(0) {
            return native;
        }
        if !('!'..='~').contains(&c) {
            return self.symbol(c).unwrap_or(native);
        }
        let Some(fw) = char::from_u32(c as u32 + 0xFEE0) else { return native };
        let fid = self.inner.glyph_id(fw);
        let Some(outline) = (fid != GlyphId(0)).then(|| self.inner.outline(fid)).flatten() else { return native };
        let upem = self.upem();
        let (x0, x1) = (outline.bounds.min.x, outline.bounds.max.x);
        // A glyph spanning the whole em (the low line `_`) is narrowed to half an em.
        let sx = if x1 - x0 > 0.9 * upem { 0.5 * upem / (x1 - x0) } else { 1.0 };
        let w = (x1 - x0) * sx;
        let (advance, left) = if c.is_ascii_digit() {
            let advance = 0.56 * upem;
            (advance, (advance - w) / 2.0)
        } else {
            let side = if c.is_ascii_alphanumeric() { 0.06 } else { 0.08 } * upem;
            (w + 2.0 * side, side)
        };
        Glyph { id: fid, sx, dx: left - x0 * sx, advance, native: false, sy: 1.0, dy: 0.0, extra: None }
    }

    /// The characters of `text` as drawn: those missing from the font that stand for several
    /// (Roman numerals Ⅰ–Ⅻ and ⅰ–ⅻ, as in Ⅰ类避难场所, and ℃) replaced by them.
    fn chars<'t>(&'t self, text: &'t str) -> impl Iterator<Item = char> + 't {
        const UPPER: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];
        const LOWER: [&str; 12] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"];
        text.chars().flat_map(move |c| {
            let sub = match c {
                'Ⅰ'..='Ⅻ' => Some(UPPER[(c as u32 - 'Ⅰ' as u32) as usize]),
                'ⅰ'..='ⅻ' => Some(LOWER[(c as u32 - 'ⅰ' as u32) as usize]),
                '℃' => Some("°C"),
                _ => None,
            }
            .filter(|_| self.inner.glyph_id(c) == GlyphId(0));
            let one = if sub.is_none() { Some(c) } else { None };
            one.into_iter().chain(sub.into_iter().flat_map(str::chars))
        })
    }

    /// The full-width form of ASCII `c` and its outline bounds (x0, x1, bottom, top) in font
    /// units, y up.
    fn full_width(&self, c: char) -> Option<(GlyphId, [f32; 4])> {
        let id = self.inner.glyph_id(char::from_u32(c as u32 + 0xFEE0)?);
        let b = (id != GlyphId(0)).then(|| self.inner.outline(id)).flatten()?.bounds;
        Some((id, [b.min.x, b.max.x, b.max.y, b.min.y]))
    }

    /// Symbols that labels need and Droid Sans Fallback lacks (they were in Droid Sans), drawn
    /// from the full-width forms it has: superscript digits (m²), hyphens, en and em dashes
    /// and the minus sign, ≤ and ≥, the middle dot, the bullet and the degree sign. `None`
    /// for any other character (drawn as the font's missing-glyph box).
    fn symbol(&self, c: char) -> Option<Glyph> {
        let u = self.upem();
        let sup = match c {
            '⁰' => Some('0'),
            '¹' => Some('1'),
            '²' => Some('2'),
            '³' => Some('3'),
            '⁴'..='⁹' => char::from_u32(c as u32 - 0x2074 + '4' as u32),
            _ => None,
        };
        if let Some(d) = sup {
            // 60 % digits raised by 0.38 em.
            let (id, [x0, x1, b, _]) = self.full_width(d)?;
            let (k, side) = (0.6, 0.04 * u);
            return Some(Glyph::part(id, k, k, side - x0 * k, b + 0.38 * u - b * k, (x1 - x0) * k + 2.0 * side));
        }
        match c {
            '‐' | '‑' => Some(self.glyph('-')),
            '–' | '—' | '―' | '−' => {
                let (id, [x0, x1, b, t]) = self.full_width('-')?;
                let (len, advance, dy) = match c {
                    '–' => (0.48 * u, 0.56 * u, 0.0),
                    '−' => {
                        // As wide as +, on its axis.
                        let (_, [px0, px1, pb, pt]) = self.full_width('+')?;
                        (px1 - px0, px1 - px0 + 0.16 * u, (pb + pt) / 2.0 - (b + t) / 2.0)
                    }
                    _ => (0.94 * u, u, 0.0),
                };
                let sx = len / (x1 - x0).max(1.0);
                Some(Glyph::part(id, sx, 1.0, (advance - len) / 2.0 - x0 * sx, dy, advance))
            }
            '≤' | '≥' => {
                let (id, [x0, x1, b, t]) = self.full_width(if c == '≤' { '<' } else { '>' })?;
                let (bar, [hx0, hx1, hb, ht]) = self.full_width('-')?;
                // The angle squeezed up to make room for a bar under it.
                let lift = (ht - hb) + 0.06 * u;
                let ky = ((t - b - lift) / (t - b).max(1.0)).max(0.3);
                let side = 0.08 * u;
                let mut g = Glyph::part(id, 1.0, ky, side - x0, b + lift - b * ky, (x1 - x0) + 2.0 * side);
                let bx = (x1 - x0) / (hx1 - hx0).max(1.0);
                g.extra = Some(Part { id: bar, sx: bx, sy: 1.0, dx: side - hx0 * bx, dy: b - hb });
                Some(g)
            }
            '·' | '•' => {
                let (id, [x0, x1, b, t]) = self.full_width('.')?;
                let k = if c == '•' { 1.6 } else { 1.0 };
                let mid = self.glyph_extent('国', u).map(|(top, bottom)| (top + bottom) / 2.0).unwrap_or(0.37 * u);
                let side = 0.08 * u;
                Some(Glyph::part(id, k, k, side - x0 * k, mid - (b + t) / 2.0 * k, (x1 - x0) * k + 2.0 * side))
            }
            '°' => {
                let (id, [x0, x1, _, t]) = self.full_width('o')?;
                let (_, [_, _, _, digit_top]) = self.full_width('0')?;
                let (k, side) = (0.5, 0.04 * u);
                Some(Glyph::part(id, k, k, side - x0 * k, digit_top - t * k, (x1 - x0) * k + 2.0 * side))
            }
            _ => None,
        }
    }

    /// The advance width of `text` at `size` px per em.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let sc = size / self.upem();
        let mut w = 0.0;
        let mut prev: Option<Glyph> = None;
        for c in self.chars(text) {
            let g = self.glyph(c);
            w += (self.kern(prev, g) + g.advance) * sc;
            prev = Some(g);
        }
        w
    }

    fn kern(&self, prev: Option<Glyph>, g: Glyph) -> f32 {
        match prev {
            Some(p) if p.native && g.native => self.inner.kern_unscaled(p.id, g.id),
            _ => 0.0,
        }
    }

    /// The outline of `text` at `size` px per em with its baseline starting at `(x, y)`
    /// (pixel coordinates, y down). `None` when the text has no visible glyph.
    pub(crate) fn path(&self, text: &str, size: f32, x: f32, y: f32) -> Option<Path> {
        let sc = size / self.upem();
        let mut pb = PathBuilder::new();
        let mut pen = x;
        let mut prev: Option<Glyph> = None;
        for c in self.chars(text) {
            let g = self.glyph(c);
            pen += self.kern(prev, g) * sc;
            for part in g.parts() {
                let Some(outline) = self.inner.outline(part.id) else { continue };
                let pt =
                    |p: ab_glyph::Point| (pen + (p.x * part.sx + part.dx) * sc, y - (p.y * part.sy + part.dy) * sc);
                let mut last: Option<ab_glyph::Point> = None;
                for curve in &outline.curves {
                    let start = match curve {
                        OutlineCurve::Line(a, _) | OutlineCurve::Quad(a, _, _) | OutlineCurve::Cubic(a, _, _, _) => *a,
                    };
                    if last != Some(start) {
                        if last.is_some() {
                            pb.close();
                        }
                        let (sx, sy) = pt(start);
                        pb.move_to(sx, sy);
                    }
                    let end = match curve {
                        OutlineCurve::Line(_, b) => {
                            let (bx, by) = pt(*b);
                            pb.line_to(bx, by);
                            *b
                        }
                        OutlineCurve::Quad(_, c1, b) => {
                            let ((cx, cy), (bx, by)) = (pt(*c1), pt(*b));
                            pb.quad_to(cx, cy, bx, by);
                            *b
                        }
                        OutlineCurve::Cubic(_, c1, c2, b) => {
                            let ((c1x, c1y), (c2x, c2y), (bx, by)) = (pt(*c1), pt(*c2), pt(*b));
                            pb.cubic_to(c1x, c1y, c2x, c2y, bx, by);
                            *b
                        }
                    };
                    last = Some(end);
                }
                if last.is_some() {
                    pb.close();
                }
            }
            pen += g.advance * sc;
            prev = Some(g);
        }
        pb.finish()
    }
}
