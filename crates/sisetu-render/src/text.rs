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
        let missing: String = REQUIRED.chars().filter(|&c| inner.glyph_id(c) == GlyphId(0)).collect();
        if !missing.is_empty() {
            return Err(RenderError::Font(format!(
                "{} has no glyphs for the Chinese characters {missing}; use a font with Simplified Chinese \
                 (e.g. Noto Sans CJK SC, Source Han Sans, SimHei), or remove `font` from [style] to use the \
                 vendored Droid Sans Fallback",
                path.display()
            )));
        }
        Ok(Font { inner })
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
        let native = Glyph { id, sx: 1.0, dx: 0.0, advance: self.inner.h_advance_unscaled(id), native: true };
        if id != GlyphId(0) || !('!'..='~').contains(&c) {
            return native;
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
        Glyph { id: fid, sx, dx: left - x0 * sx, advance, native: false }
    }

    /// The advance width of `text` at `size` px per em.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let sc = size / self.upem();
        let mut w = 0.0;
        let mut prev: Option<Glyph> = None;
        for c in text.chars() {
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
        for c in text.chars() {
            let g = self.glyph(c);
            pen += self.kern(prev, g) * sc;
            if let Some(outline) = self.inner.outline(g.id) {
                let pt = |p: ab_glyph::Point| (pen + (p.x * g.sx + g.dx) * sc, y - p.y * sc);
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
