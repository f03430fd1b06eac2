//! sisetu-render: print-quality 四色图 (four-colour risk maps) rendered to PNG with tiny-skia.
//!
//! [`render`] draws one map page: districts, grid cells or management grids and sites,
//! coloured red / orange / yellow / blue by [`RiskLevel`] (or by colours of their own, see
//! [`Area::color`]), optionally with circles in ground metres and point symbols (a
//! shelter-coverage map, 应急避难场所覆盖图: shelters as [`Marker`]s, their service radii as
//! [`Circle`]s, districts shaded by a class of their own), with the furniture a printed map
//! needs: title and subtitle, a neat line around the map, a legend with counts, a scale bar
//! with round numbers, a north arrow and footer lines (data source, census date, CRS). The
//! map is drawn in the working metric CRS with equal x/y scale, and [`Rendered::world_file`]
//! georeferences the PNG (ESRI world file, `.pgw`).
//!
//! # Default palette
//!
//! No national standard fixes the RGB values of the four colours (安委办〔2016〕11号 only names
//! red, orange, yellow and blue). The defaults are the saturated process colours that most
//! 四色图 templates and emergency-management bureaus print with:
//!
//! | level  | Chinese  | default   | on the map (85 % over white) |
//! |--------|----------|-----------|------------------------------|
//! | red    | 重大风险 | `#E60012` | `#EA2635`                    |
//! | orange | 较大风险 | `#F39800` | `#F5A726`                    |
//! | yellow | 一般风险 | `#FFF100` | `#FFF326`                    |
//! | blue   | 低风险   | `#0068B7` | `#267FC2`                    |
//!
//! Areas without sites are filled light grey (`#F2F2F2`). District boundaries are dark grey
//! (`#404040`), cell outlines mid grey, text near-black (`#1A1A1A`). Every colour can be
//! changed through [`Style`] (e.g. from a project's `[style]` table with [`Rgba::parse`]).
//!
//! # Sizes
//!
//! All sizes in [`Style`] are in points (1/72 inch) and scale with [`Page::dpi`]:
//! `px = pt × dpi / 72`, so the same map at 150 and 300 dpi looks the same, at half and at
//! full resolution. Page sizes are ISO A4 (210 × 297 mm) and A3 (297 × 420 mm), converted
//! with `px = round(mm / 25.4 × dpi)`: A3 landscape at 300 dpi is 4961 × 3508 px.
//!
//! # Layers (bottom to top)
//!
//! 1. area fills: the level colour at [`Style::fill_opacity`], [`Style::no_data`] for areas
//!    with no level (districts or the `areas` layer, see [`Fill`]); an area with a colour of
//!    its own ([`Area::color`]) is filled with it whatever the [`Fill`]. Districts first, then
//!    the `areas` layer; within a layer no data, blue … red, then the own colours;
//! 2. thin grey outlines of the `areas` layer;
//! 3. district boundaries;
//! 4. circles ([`MapContent::circles`]): first the fills of all circles, then their outlines,
//!    each merged per colour so that overlapping translucent circles do not darken where they
//!    overlap; circles outside the map frame are skipped;
//!    then the lines ([`MapContent::lines`]), in slice order;
//! 5. sites, filled circles with a thin dark outline: blue first, red last (higher levels on
//!    top and larger);
//! 6. markers ([`MapContent::markers`]), symbols with a thin dark outline, in slice order;
//! 7. with a [`MapContent::focus`] district, a white veil over everything outside it;
//! 8. district labels with a white halo, never overlapping each other or the map furniture,
//!    and off the markers where they can be;
//! 9. neat line, legend, scale bar, north arrow, title and footer.
//!
//! # Furniture
//!
//! * **Legend**: white box with a thin border in the frame corner that hides the least data
//!   (bottom right, bottom left, top right, top left on ties): the legend title, then one
//!   row per level, swatch + 重大风险 … 低风险 + count (with thousands separators), and a
//!   无数据 row when a filled area has no level. Swatches are the fill colour at
//!   [`Style::fill_opacity`] over white, exactly as on the map, or the site symbols (circles)
//!   when nothing is filled ([`Fill::None`]). Custom rows ([`MapContent::legend_items`])
//!   replace the level and 无数据 rows: a [`Swatch`] (a fill rectangle as above, a marker
//!   symbol as on the map, or a ring for circles), the label and an optional count. The box is
//!   sized from its texts and symbols, so any number of rows and longer labels fit.
//! * **North arrow** ("N" over a split arrowhead) in a free upper corner; grid north is up.
//! * **Scale bar** in a free lower corner: 1, 2 or 5 × 10ⁿ m, about 22 % of the frame width,
//!   alternating black/white segments, labelled in m or km (`0  50  100 km`). Its length
//!   is computed from the same transform as the map, so it is exact.
//! * **District labels** at the pole of inaccessibility of each district's largest part,
//!   with a white halo, larger districts first; a label that collides with one already
//!   placed or with the furniture tries nearby positions and is otherwise left out. Markers
//!   are soft obstacles: of the positions that fit, the one whose box covers the fewest
//!   markers is taken (the first tried on ties), so labels move off the facility symbols
//!   where they can but are never left out because of them.
//!
//! # Text
//!
//! Glyph outlines come from ab_glyph and are filled as tiny-skia paths (no system fonts are
//! used). The vendored Droid Sans Fallback has Chinese but no ASCII glyphs, so a printable
//! ASCII character the font lacks is drawn with its full-width form (U+FF01–FF5E, the same
//! Latin design) at a proportional width, and digits at a fixed width. A few symbols that
//! labels need and the font lacks are built from those full-width forms: superscript digits
//! (m²), hyphens, en and em dashes and the minus sign, ≤ and ≥, the middle dot, the bullet and
//! the degree sign; Roman numerals (Ⅰ类避难场所) are spelt out in Latin capitals and ℃ as °C.
//! A character the font has is always drawn with its own glyph, so a font given with
//! [`Font::from_file`] is used as it is. Droid has one weight: the title is "bold" by also
//! stroking its outline.
//!
//! # Determinism
//!
//! The same inputs give the same PNG bytes: nothing depends on time, hash-map order or the
//! number of threads (sites and markers are stamped, and circles filled, in parallel bands
//! of rows fixed by the page size, each band applying the symbols in the same fixed order).
//!
//! ```no_run
//! use sisetu_render::*;
//! # let districts: Vec<Area> = Vec::new();
//! let content = MapContent { legend_counts: LevelCounts::new([1, 2, 3, 2]), ..MapContent::new(&districts) };
//! let text = MapText { title: "乌鲁木齐市安全风险四色分布图", subtitle: None, footer: &[] };
//! let out = render(&Page::default(), &Style::default(), &Font::vendored(), &text, &content)?;
//! std::fs::write("map.png", &out.png).unwrap();
//! std::fs::write("map.pgw", &out.world_file).unwrap();
//! # Ok::<(), RenderError>(())
//! ```

mod draw;
mod furniture;
mod label;
mod layout;
mod text;

use std::fmt;

pub use label::MAX_LEADER_DISTRICTS;
pub use sisetu_core::{LevelCounts, RiskLevel};
pub use text::Font;

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    /// Parses `#rrggbb`, `#rrggbbaa`, or the same without `#` (case-insensitive, surrounding
    /// whitespace ignored). `None` for anything else.
    ///
    /// ```
    /// use sisetu_render::Rgba;
    /// assert_eq!(Rgba::parse("#c00000"), Some(Rgba(0xc0, 0, 0, 255)));
    /// assert_eq!(Rgba::parse("c0000080"), Some(Rgba(0xc0, 0, 0, 0x80)));
    /// assert_eq!(Rgba::parse("red"), None);
    /// ```
    pub fn parse(hex: &str) -> Option<Rgba> {
        let h = hex.trim();
        let h = h.strip_prefix('#').unwrap_or(h);
        if !(h.len() == 6 || h.len() == 8) || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        let a = if h.len() == 8 { byte(6)? } else { 255 };
        Some(Rgba(byte(0)?, byte(2)?, byte(4)?, a))
    }

    /// This colour with its alpha multiplied by `opacity` (0..1).
    pub(crate) fn with_opacity(self, opacity: f32) -> Rgba {
        Rgba(self.0, self.1, self.2, (self.3 as f32 * opacity.clamp(0.0, 1.0)).round() as u8)
    }
}

impl fmt::Display for Rgba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.3 == 255 {
            write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
        } else {
            write!(f, "#{:02x}{:02x}{:02x}{:02x}", self.0, self.1, self.2, self.3)
        }
    }
}

/// Colours and sizes of a map. Sizes are in points (see the crate docs); the defaults are a
/// tested print style for A4/A3.
#[derive(Debug, Clone)]
pub struct Style {
    /// Fill colours of red, orange, yellow and blue (index = [`RiskLevel::index`]).
    pub colors: [Rgba; 4],
    /// Opacity of area fills, 0..1 (default 0.85). Sites are always drawn opaque.
    pub fill_opacity: f32,
    /// Fill of areas with no sites (level `None`), default light grey `#f2f2f2`.
    pub no_data: Rgba,
    /// District boundary width in points (default 1.0).
    pub boundary_pt: f32,
    /// Outline width of cells / management grids in points (default 0.25).
    pub cell_outline_pt: f32,
    /// Site symbol diameter per level, red first (default 5, 4, 3, 2.5 pt).
    pub site_size_pt: [f32; 4],
    /// Title font size (default 20 pt).
    pub title_pt: f32,
    /// District label font size (default 9 pt).
    pub label_pt: f32,
    /// Legend font size (default 10 pt); the scale bar and north arrow scale with it.
    pub legend_pt: f32,
    /// Footer font size (default 7 pt).
    pub footer_pt: f32,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            colors: [
                Rgba(0xE6, 0x00, 0x12, 255),
                Rgba(0xF3, 0x98, 0x00, 255),
                Rgba(0xFF, 0xF1, 0x00, 255),
                Rgba(0x00, 0x68, 0xB7, 255),
            ],
            fill_opacity: 0.85,
            no_data: Rgba(0xF2, 0xF2, 0xF2, 255),
            boundary_pt: 1.0,
            cell_outline_pt: 0.25,
            site_size_pt: [5.0, 4.0, 3.0, 2.5],
            title_pt: 20.0,
            label_pt: 9.0,
            legend_pt: 10.0,
            footer_pt: 7.0,
        }
    }
}

impl Style {
    /// The fill colour of `level`.
    pub fn color(&self, level: RiskLevel) -> Rgba {
        self.colors[level.index()]
    }
}

/// Paper size. `Pixels` gives the image size directly (orientation is then ignored).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageSize {
    /// ISO A4, 210 × 297 mm.
    A4,
    /// ISO A3, 297 × 420 mm.
    A3,
    /// An exact image size in pixels (width, height); [`Page::dpi`] still scales the points.
    Pixels(u32, u32),
}

/// Page orientation of A4/A3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Orientation {
    /// Taller than wide.
    Portrait,
    /// Wider than tall.
    Landscape,
}

/// The page: size, orientation, resolution and margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Paper size.
    pub size: PageSize,
    /// Orientation (A4/A3 only).
    pub orientation: Orientation,
    /// Dots per inch: converts millimetres and points to pixels.
    pub dpi: f32,
    /// Margin around everything, in millimetres.
    pub margin_mm: f32,
}

impl Default for Page {
    /// A4 landscape, 300 dpi, 10 mm margins.
    fn default() -> Self {
        Page { size: PageSize::A4, orientation: Orientation::Landscape, dpi: 300.0, margin_mm: 10.0 }
    }
}

impl Page {
    /// The image size in pixels: `round(mm / 25.4 × dpi)` for A4/A3, as given for `Pixels`.
    pub fn pixel_size(&self) -> (u32, u32) {
        let mm = |v: f32| (v as f64 / 25.4 * self.dpi as f64).round().max(0.0) as u32;
        let (short, long) = match self.size {
            PageSize::A4 => (mm(210.0), mm(297.0)),
            PageSize::A3 => (mm(297.0), mm(420.0)),
            PageSize::Pixels(w, h) => return (w, h),
        };
        match self.orientation {
            Orientation::Portrait => (short, long),
            Orientation::Landscape => (long, short),
        }
    }
}

/// An area to fill and/or outline, in the working metric CRS (metres, x east, y north).
#[derive(Debug, Clone)]
pub struct Area {
    /// Stable id (adcode, grid code, cell id).
    pub id: String,
    /// Display name (district labels).
    pub name: String,
    /// The area in the working CRS.
    pub geometry: geo::MultiPolygon<f64>,
    /// The area's level; `None` = no sites (drawn in [`Style::no_data`]).
    pub level: Option<RiskLevel>,
    /// Site counts per level.
    pub counts: LevelCounts,
    /// A colour of its own: `Some` fills the area with it at [`Style::fill_opacity`] whatever
    /// [`MapContent::fill`] says (e.g. districts shaded by a class of their own, or gap cells
    /// of the `areas` layer over them); `None` = the level colour of the filled layer.
    pub color: Option<Rgba>,
}

/// One site in the working CRS.
#[derive(Debug, Clone, Copy)]
pub struct SitePoint {
    /// Easting in metres.
    pub x: f64,
    /// Northing in metres.
    pub y: f64,
    /// The site's level.
    pub level: RiskLevel,
}

/// A circle in the working CRS, e.g. the service radius of a facility.
#[derive(Debug, Clone, Copy)]
pub struct Circle {
    /// Easting of the centre in metres.
    pub x: f64,
    /// Northing of the centre in metres.
    pub y: f64,
    /// Radius in metres (ground distance, drawn to the scale of the map).
    pub radius_m: f64,
    /// Outline colour (drawn with its own alpha).
    pub stroke: Rgba,
    /// Fill colour (drawn with its own alpha: use a translucent one, e.g. `#0068b733`, so
    /// the area fills stay readable), or `None` for an outline only.
    pub fill: Option<Rgba>,
    /// Outline width in points, 0 to 1000, centred on the circle; 0 = no outline.
    pub width_pt: f32,
}

/// A line in the working CRS (a pipeline, the shortest segment between two features),
/// drawn above the circles and below the sites, with round ends and joins.
#[derive(Debug, Clone)]
pub struct Polyline {
    /// Its vertices, metres; a line of fewer than two finite vertices is skipped.
    pub coords: Vec<(f64, f64)>,
    /// Colour (drawn with its own alpha).
    pub stroke: Rgba,
    /// Width in points, 0 to 1000; 0 = not drawn.
    pub width_pt: f32,
}

/// The shape of a [`Marker`] (or of a legend [`Swatch::Marker`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerShape {
    /// A disc, `size_pt` across.
    Circle,
    /// A square, a little smaller than the disc so that both look the same size.
    Square,
    /// An equilateral triangle pointing up, `size_pt` wide.
    Triangle,
    /// A square standing on a corner, `size_pt` across its diagonals.
    Diamond,
    /// A Greek cross (plus sign, as for medical facilities), `size_pt` across.
    Cross,
}

/// A point symbol in the working CRS (a facility such as a shelter), drawn on top of the
/// sites with a thin (0.5 pt) outline. Markers outside the map frame are clipped, and markers
/// with a non-finite position are skipped.
#[derive(Debug, Clone, Copy)]
pub struct Marker {
    /// Easting in metres.
    pub x: f64,
    /// Northing in metres.
    pub y: f64,
    /// The symbol's shape.
    pub shape: MarkerShape,
    /// Size in points (the width of the shape, outline included, see [`MarkerShape`]), 0 to
    /// 1000; 0 = not drawn.
    pub size_pt: f32,
    /// Fill colour (usually opaque, so that the symbol reads over everything under it).
    pub fill: Rgba,
    /// Outline colour (usually dark grey).
    pub stroke: Rgba,
}

/// The symbol of a legend row ([`LegendItem`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A rectangle in this colour at [`Style::fill_opacity`] over white, exactly as an area
    /// fill (the level swatches of the default legend).
    Fill(Rgba),
    /// A marker symbol as on the map (see [`Marker`]).
    Marker {
        /// The symbol's shape.
        shape: MarkerShape,
        /// Size in points.
        size_pt: f32,
        /// Fill colour.
        fill: Rgba,
        /// Outline colour.
        stroke: Rgba,
    },
    /// An unfilled circle outline in this colour (a [`Circle`], e.g. a service radius).
    Ring(Rgba),
    /// A short horizontal line in this colour and width (points), as a [`Polyline`].
    Line(Rgba, f32),
}

/// One row of a custom legend ([`MapContent::legend_items`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// The symbol at the left of the row.
    pub swatch: Swatch,
    /// The text, e.g. "人均避难面积 < 1.0 m²（未达标）".
    pub label: String,
    /// Right-aligned text, usually a count ("1,234"); `None` = nothing.
    pub count: Option<String>,
}

/// What is filled with level colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The districts.
    Districts,
    /// The `areas` layer (cells or management grids).
    Areas,
    /// Nothing: outlines and sites only (legend swatches become circles).
    None,
}

/// What the map shows.
pub struct MapContent<'a> {
    /// Always drawn as boundaries (on top of fills), labelled when `label_districts`.
    pub districts: &'a [Area],
    /// Cells or management grids (may be empty).
    pub areas: &'a [Area],
    /// Sites (may be empty).
    pub sites: &'a [SitePoint],
    /// Which layer gets the level colours.
    pub fill: Fill,
    /// Label districts with their names.
    pub label_districts: bool,
    /// Map extent in the working CRS; `None` = the districts' bounding box padded by 3 % on
    /// each side. The extent is fitted and centred in the map frame.
    pub extent: Option<geo::Rect<f64>>,
    /// Counts shown in the legend next to each level.
    pub legend_counts: LevelCounts,
    /// Legend heading, e.g. "风险等级" or "网格风险等级".
    pub legend_title: &'a str,
    /// The district (index into `districts`) this map is about, e.g. for the per-district maps
    /// of the district teams: everything outside it is veiled in white and its boundary is
    /// drawn heavier, so the neighbours stay visible as context without competing with it.
    pub focus: Option<usize>,
    /// Circles in world metres (e.g. service radii), drawn above the area fills, outlines and
    /// district boundaries and below the sites (may be empty).
    pub circles: &'a [Circle],
    /// Lines in world metres, drawn above the circles and below the sites, in slice order
    /// (may be empty).
    pub lines: &'a [Polyline],
    /// Point symbols (e.g. shelters) drawn on top of the sites, in slice order (may be empty).
    pub markers: &'a [Marker],
    /// A legend of its own: when not empty, these rows replace the level rows (and the 无数据
    /// row) under `legend_title`, and `legend_counts` is not used.
    pub legend_items: &'a [LegendItem],
}

impl<'a> MapContent<'a> {
    /// A district map with everything else empty or at its default: no areas, sites,
    /// circles, markers or legend items, [`Fill::Districts`], districts labelled, the
    /// districts' extent, zero counts, the legend title "风险等级" and no focus. Change fields
    /// with struct-update syntax: `MapContent { fill: Fill::None, ..MapContent::new(&districts) }`.
    pub fn new(districts: &'a [Area]) -> Self {
        MapContent {
            districts,
            areas: &[],
            sites: &[],
            fill: Fill::Districts,
            label_districts: true,
            extent: None,
            legend_counts: LevelCounts::new([0; 4]),
            legend_title: "风险等级",
            focus: None,
            circles: &[],
            lines: &[],
            markers: &[],
            legend_items: &[],
        }
    }
}

/// The texts around the map.
pub struct MapText<'a> {
    /// Title at the top centre (may be empty).
    pub title: &'a str,
    /// Optional subtitle below the title.
    pub subtitle: Option<&'a str>,
    /// Footer lines below the map frame: data source, census date, coordinate system…
    pub footer: &'a [String],
}

/// A rendered map page.
pub struct Rendered {
    /// The PNG file.
    pub png: Vec<u8>,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// World file (.pgw) text: 6 lines A, D, B, E, C, F mapping pixel (col,row) → working CRS (x,y) of the pixel centre, as ESRI world files define.
    pub world_file: String,
    /// Pixel geometry of the map frame (neat line), for tests: (x0, y0, x1, y1) in pixels.
    pub map_frame: (f32, f32, f32, f32),
    /// Pixel geometry of the legend box, for tests: (x0, y0, x1, y1) in pixels.
    pub legend_box: (f32, f32, f32, f32),
    /// The scale bar as drawn: its length in pixels.
    pub scale_bar_px: f32,
    /// The ground distance in metres the scale bar is labelled with.
    pub scale_bar_m: f64,
    /// Where each district label was placed (id, pixel x, y of the label's centre); skipped
    /// labels are not in the list.
    pub labels: Vec<(String, f32, f32)>,
    transform: layout::Geo,
}

impl Rendered {
    /// The pixel position of world point `(x, y)`. Pixel coordinates are continuous: pixel
    /// (col, row) covers `[col, col+1) × [row, row+1)`, so its centre is `(col+0.5, row+0.5)`.
    pub fn pixel_of(&self, x: f64, y: f64) -> (f32, f32) {
        let (px, py) = self.transform.px(x, y);
        (px as f32, py as f32)
    }

    /// The world point at continuous pixel position `(px, py)` (inverse of [`Rendered::pixel_of`]).
    pub fn world_of(&self, px: f32, py: f32) -> (f64, f64) {
        self.transform.world(px as f64, py as f64)
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("png", &format_args!("<{} bytes>", self.png.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("world_file", &self.world_file)
            .field("map_frame", &self.map_frame)
            .field("legend_box", &self.legend_box)
            .field("scale_bar_px", &self.scale_bar_px)
            .field("scale_bar_m", &self.scale_bar_m)
            .field("labels", &self.labels)
            .finish()
    }
}

/// Why a map could not be rendered. Every message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The font file cannot be read, does not parse, or has no Chinese glyphs.
    #[error("font: {0}")]
    Font(String),
    /// The page cannot hold the title, map frame, legend and footer.
    #[error("page too small: {0}")]
    PageTooSmall(String),
    /// Nothing to draw, or no extent to draw it in.
    #[error("empty map: {0}")]
    Empty(String),
    /// A page or style value is out of range (dpi, sizes, opacity, image too large).
    #[error("invalid map settings: {0}")]
    Invalid(String),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

/// Renders one map page to PNG. See the crate docs for the layers and the furniture.
///
/// Errors (never panics): [`RenderError::Empty`] when there are no districts and no extent,
/// [`RenderError::PageTooSmall`] when the page cannot hold the title, legend, footer and a
/// map frame (the message gives the minimum size), [`RenderError::Invalid`] for
/// non-finite or negative sizes (of the style, of [`Circle::width_pt`], [`Marker::size_pt`]
/// and marker swatches), and [`RenderError::Encode`]. Circles and markers with non-finite
/// coordinates, and circles with a non-finite, zero or negative radius, are skipped.
pub fn render(
    page: &Page,
    style: &Style,
    font: &Font,
    text: &MapText,
    content: &MapContent,
) -> Result<Rendered, RenderError> {
    layout::render(page, style, font, text, content)
}

/// The scale [`render`] draws `content` at on `page` with `text`: metres of the working CRS
/// per millimetre of paper (the extent fitted into the map frame that the title, subtitle
/// and footer leave). A caller decides with it what is legible before drawing, e.g. whether
/// 500 m cells would be specks. Errors as [`render`] (except those of drawing and encoding).
pub fn metres_per_mm(
    page: &Page,
    style: &Style,
    font: &Font,
    text: &MapText,
    content: &MapContent,
) -> Result<f64, RenderError> {
    layout::metres_per_mm(page, style, font, text, content)
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
