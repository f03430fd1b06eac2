//! What every map shares: the font, the footer, writing a PNG with its world file and
//! `.prj`, and regular cells as areas.

use crate::error::{Error, Result, ResultExt};
use crate::project::Config;
use geo::{LineString, MultiPolygon, Polygon};
use sisetu_core::{RegularGrid, RiskLevel};
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{Area, Font, MapContent, MapText, Rendered};

/// Loads the project's font: the file named in `[style] font`, or the vendored one.
pub fn load_font(cfg: &Config) -> Result<Font> {
    match &cfg.font {
        None => Ok(Font::vendored()),
        Some(p) => Font::from_file(p).map_err(|e| Error::input(format!("[style] {e}"))),
    }
}

pub(crate) fn counts_by_level(areas: &[Area]) -> [u64; 4] {
    let mut c = [0u64; 4];
    for a in areas {
        if let Some(l) = a.level {
            c[l.index()] += 1;
        }
    }
    c
}

/// The footer lines of every map: source, census date, CRS, sisetu version, and the
/// project's `map_note` (审图号, 内部用图 …) last.
pub fn footer(cfg: &Config, work: Crs) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(s) = &cfg.source {
        lines.push(format!("数据来源：{s}"));
    }
    if let Some(d) = &cfg.census_date {
        lines.push(format!("普查日期：{d}"));
    }
    lines.push(format!("坐标系：{}（{work}）", work.name_zh()));
    lines.push(format!("制图：sisetu {}", env!("CARGO_PKG_VERSION")));
    lines.extend(cfg.map_note.clone());
    lines
}

/// The files of one map: the PNG, its world file and, when the CRS has an ESRI WKT, its
/// `.prj` and `.png.aux.xml` (as [`write_rendered`] writes them).
pub fn map_files(file: &str, work: Crs) -> Vec<String> {
    let stem = file.trim_end_matches(".png").trim_end_matches(".PNG");
    let mut files = vec![file.to_string(), format!("{stem}.pgw")];
    if work.esri_wkt().is_some() {
        files.push(format!("{stem}.prj"));
        files.push(format!("{file}.aux.xml"));
    }
    files
}

/// The extensions of a map's files after its stem (for retiring a map no longer drawn).
pub const MAP_EXTENSIONS: [&str; 4] = ["png", "pgw", "prj", "png.aux.xml"];

/// GDAL's side-car of a PNG (`.png.aux.xml`, a PAM dataset) naming its CRS: GDAL and QGIS
/// take the pixel grid from the world file but ignore a `.prj` beside a PNG, so without it
/// `gdalinfo` reports no coordinate system.
pub fn aux_xml(wkt: &str) -> String {
    let escaped = wkt.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!("<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping=\"1,2\">{escaped}</SRS>\n</PAMDataset>\n")
}

/// Writes a rendered map as `file` with its world file (`.pgw`) and, when the CRS has an
/// ESRI WKT, its `.prj` and GDAL's `.png.aux.xml`; returns the names written.
pub fn write_rendered(stage: &mut Staging, file: &str, map: &Rendered, work: Crs) -> Result<Vec<String>> {
    let mut written = Vec::new();
    std::fs::write(stage.path(file), &map.png).with_context(|| format!("writing {file}"))?;
    let stem = file.trim_end_matches(".png").trim_end_matches(".PNG");
    let pgw = format!("{stem}.pgw");
    std::fs::write(stage.path(&pgw), &map.world_file).with_context(|| format!("writing {pgw}"))?;
    written.push(file.to_string());
    written.push(pgw);
    if let Some(prj) = work.esri_wkt() {
        let name = format!("{stem}.prj");
        std::fs::write(stage.path(&name), &prj).with_context(|| format!("writing {name}"))?;
        written.push(name);
        let aux = format!("{file}.aux.xml");
        std::fs::write(stage.path(&aux), aux_xml(&prj)).with_context(|| format!("writing {aux}"))?;
        written.push(aux);
    }
    Ok(written)
}

/// The areas of a polygon layer (districts or grids, working CRS) with their level under
/// `agg` and their counts: what every map fills.
pub fn zone_areas(
    zones: &[sisetu_core::Zone],
    sums: &[sisetu_core::Summary],
    agg: &sisetu_core::Aggregation,
) -> Vec<Area> {
    zones
        .iter()
        .zip(sums)
        .map(|(z, s)| Area {
            id: z.id.clone(),
            name: z.name.clone(),
            geometry: z.geometry.clone(),
            level: agg.level(&s.levels),
            counts: s.levels,
            color: None,
        })
        .collect()
}

/// A regular cell as a square area in the working CRS.
pub fn cell_area(grid: &RegularGrid, cell: sisetu_core::CellId, level: Option<RiskLevel>, counts: [u64; 4]) -> Area {
    let b = grid.bounds(cell);
    let ring = LineString::from(vec![
        (b.min().x, b.min().y),
        (b.max().x, b.min().y),
        (b.max().x, b.max().y),
        (b.min().x, b.max().y),
        (b.min().x, b.min().y),
    ]);
    Area {
        id: grid.label(cell),
        name: String::new(),
        geometry: MultiPolygon(vec![Polygon::new(ring, vec![])]),
        level,
        counts: counts.into(),
        color: None,
    }
}

/// Renders a page with a legend of its own (coverage and rule maps, drawn without cell
/// outlines): a long legend that does not fit the frame at the configured size shrinks its
/// text step by step before giving up.
pub fn render_fitting(cfg: &Config, font: &Font, text: &MapText, content: &MapContent) -> Result<Rendered> {
    let mut style = cfg.style.clone();
    style.cell_outline_pt = 0.0;
    let base = style.legend_pt;
    let mut last = None;
    for scale in [1.0, 0.85, 0.7, 0.55] {
        style.legend_pt = base * scale;
        match sisetu_render::render(&cfg.page, &style, font, text, content) {
            Ok(map) => return Ok(map),
            Err(e @ sisetu_render::RenderError::PageTooSmall(_)) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::input(format!(
        "{}; the legend has {} rows: use a larger page ([style] page = \"A3\"), a higher dpi, or a smaller legend_pt",
        last.map(|e| e.to_string()).unwrap_or_default(),
        content.legend_items.len()
    )))
}
