//! `changes.png` (and `changes_zoom.png`): the change map, in the new round's working CRS.
//!
//! Changed cells (or, without cell rows, districts) are filled red when their level rose,
//! blue when it fell (colour-blind safe) and light grey when only the counts changed; district boundaries with
//! their names; new red and orange sites as triangles in their level colour, raised sites as
//! diamonds in their new level colour (smaller for the lower levels), removed red and orange
//! sites as dark crosses; a legend with counts, the title `<new title>变化图`, the subtitle
//! `<old date> 至 <new date>` with the site totals, and a footer naming both rounds. The
//! style, page and font are the project's when a build draws it, else A4 landscape at 200 dpi
//! with the vendored font.

use super::compare::{num, Change, ChangeGeom, ChangeSet, Kind, RoundInfo, Scope};
use crate::error::{Error, Result, ResultExt};
use crate::project::Config;
use geo::{Coord, MultiPolygon};
use sisetu_core::{Extent, RiskLevel};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::Staging;
use sisetu_render::{
    Area, Fill, Font, LegendItem, MapContent, MapText, Marker, MarkerShape, Page, Rendered, Rgba, Style, Swatch,
};

// Raised red, lowered blue: the two ends of ColorBrewer's RdYlBu, told apart by readers with
// red-green colour blindness (the red/green pair of before was not) and in greyscale.
const RAISED: Rgba = Rgba(0xD7, 0x30, 0x27, 255);
const LOWERED: Rgba = Rgba(0x45, 0x75, 0xB4, 255);
const COUNTS: Rgba = Rgba(0xC8, 0xC8, 0xC8, 255);
const REMOVED: Rgba = Rgba(0x40, 0x40, 0x40, 255);
const OUTLINE: Rgba = Rgba(0x26, 0x26, 0x26, 255);
const WHITE: Rgba = Rgba(0xFF, 0xFF, 0xFF, 255);
const NEW_PT: f32 = 6.5;
/// Raised sites by their new level, red first: the lower levels smaller, so that a city's
/// many sites raised to yellow do not hide the cells.
const RAISED_PT: [f32; 4] = [5.5, 5.0, 4.0, 3.5];
const REMOVED_PT: f32 = 6.0;

/// How the map looks: the project's style, page, font and data source, or the defaults.
struct Look {
    style: Style,
    page: Page,
    font: Font,
    source: Option<String>,
    /// The project's `map_note` (审图号, 内部用图 …), the last footer line.
    note: Option<String>,
}

impl Look {
    fn of(cfg: Option<&Config>) -> Result<Look> {
        Ok(match cfg {
            Some(c) => Look {
                style: c.style.clone(),
                page: c.page,
                font: crate::maps::load_font(c)?,
                source: c.source.clone(),
                note: c.map_note.clone(),
            },
            None => Look {
                style: Style::default(),
                page: Page { dpi: 200.0, ..Default::default() },
                font: Font::vendored(),
                source: None,
                note: None,
            },
        })
    }
}

/// Draws `changes.png` (with `.pgw` and `.prj`) and, with a zoom extent, `changes_zoom.png`
/// into `stage` (without one, an old `changes_zoom.*` is retired); returns the file names.
/// `cfg` gives the style, page and font (a build); `None` uses the defaults.
pub fn draw(set: &ChangeSet, cfg: Option<&Config>, stage: &mut Staging) -> Result<Vec<String>> {
    let look = Look::of(cfg)?;
    let map = render_map(set, &look, None)?;
    let mut outputs = crate::maps::write_rendered(stage, "changes.png", &map, set.work)?;
    match set.options.zoom {
        Some(z) => {
            let map = render_map(set, &look, Some(zoom_rect(z, set.work)?))?;
            outputs.extend(crate::maps::write_rendered(stage, "changes_zoom.png", &map, set.work)?);
        }
        None => {
            for ext in crate::maps::MAP_EXTENSIONS {
                stage.retire(&format!("changes_zoom.{ext}"));
            }
        }
    }
    Ok(outputs)
}

/// The working-CRS rectangle around a WGS84 zoom extent's four corners.
fn zoom_rect(z: Extent, work: Crs) -> Result<geo::Rect<f64>> {
    let to_work = Transformer::new(Crs::Wgs84, work)?;
    let corner = |x: f64, y: f64| {
        to_work.transform(x, y).map_err(|e| {
            let [a, b, c, d] = z.to_array();
            Error::input(format!("zoom extent [{a}, {b}, {c}, {d}]: {e}"))
        })
    };
    let (a, b) = (corner(z.min_x(), z.min_y())?, corner(z.max_x(), z.min_y())?);
    let (c, d) = (corner(z.max_x(), z.max_y())?, corner(z.min_x(), z.max_y())?);
    Ok(geo::Rect::new(Coord { x: a.0.min(d.0), y: a.1.min(b.1) }, Coord { x: b.0.max(c.0), y: c.1.max(d.1) }))
}

fn project(mp: &MultiPolygon<f64>, t: &Transformer) -> Result<MultiPolygon<f64>> {
    use geo::MapCoords;
    Ok(mp.try_map_coords(|c| t.transform(c.x, c.y).map(|(x, y)| Coord { x, y }))?)
}

fn colour_of(r: &Change) -> Rgba {
    if r.has(Kind::Raised) {
        RAISED
    } else if r.has(Kind::Lowered) {
        LOWERED
    } else {
        COUNTS
    }
}

/// What the areas of the map show: changed cells, or (without cell rows) changed districts.
struct AreaLayer {
    /// The districts, coloured when they are the changed areas.
    districts: Vec<Area>,
    /// The changed cells (empty when the districts are coloured).
    cells: Vec<Area>,
    /// Whether cells are shown.
    by_cells: bool,
    /// Areas raised, lowered, with other counts.
    classes: [u64; 3],
}

fn area_layer(set: &ChangeSet, to_work: &Transformer) -> Result<AreaLayer> {
    let mut districts: Vec<Area> = set
        .districts
        .iter()
        .map(|d| {
            Ok(Area {
                id: d.id.clone(),
                name: d.name.clone(),
                geometry: project(&d.geometry, to_work)
                    .with_context(|| format!("district {}: cannot project it to {}", d.id, set.work))?,
                level: None,
                counts: d.counts.into(),
                color: None,
            })
        })
        .collect::<Result<_>>()?;
    let mut classes = [0u64; 3];
    let mut count_class = |c: Rgba| classes[[RAISED, LOWERED, COUNTS].iter().position(|x| *x == c).unwrap_or(2)] += 1;
    let cell_rows: Vec<&Change> = set.changes.iter().filter(|r| r.scope == Scope::Cell).collect();
    let by_cells = !cell_rows.is_empty();
    let mut cells = Vec::new();
    if by_cells {
        for r in cell_rows {
            if let ChangeGeom::Cell(c) = r.geom {
                let mut a = crate::maps::cell_area(&set.grid, c, None, [0; 4]);
                a.color = Some(colour_of(r));
                count_class(colour_of(r));
                cells.push(a);
            }
        }
    } else {
        for r in set.changes.iter().filter(|r| r.scope == Scope::District) {
            if let Some(d) = districts.iter_mut().find(|d| d.id == r.id) {
                d.color = Some(colour_of(r));
                count_class(colour_of(r));
            }
        }
    }
    Ok(AreaLayer { districts, cells, by_cells, classes })
}

/// The site markers and how many of each kind the legend counts.
struct SiteMarkers {
    markers: Vec<Marker>,
    removed: u64,
    raised: u64,
    /// New red, new orange.
    new: [u64; 2],
}

/// Removed red/orange sites, raised sites, new red/orange sites (on top, red last).
fn site_markers(set: &ChangeSet, style: &Style, to_work: &Transformer) -> SiteMarkers {
    let point = |r: &Change| match r.geom {
        ChangeGeom::Point(x, y) => to_work.transform(x, y).ok(),
        _ => None,
    };
    let high = |l: Option<RiskLevel>| matches!(l, Some(RiskLevel::Red | RiskLevel::Orange));
    let sites: Vec<&Change> = set.changes.iter().filter(|r| r.scope == Scope::Site).collect();
    let mut m = SiteMarkers { markers: Vec::new(), removed: 0, raised: 0, new: [0; 2] };
    let mut push = |r: &Change, shape: MarkerShape, size_pt: f32, fill: Rgba| {
        if let Some((x, y)) = point(r) {
            m.markers.push(Marker { x, y, shape, size_pt, fill, stroke: OUTLINE });
        }
    };
    let mut removed = 0;
    for r in sites.iter().filter(|r| r.has(Kind::Removed) && high(r.level_old)) {
        removed += 1;
        push(r, MarkerShape::Cross, REMOVED_PT, REMOVED);
    }
    let mut raised = 0;
    for level in [RiskLevel::Blue, RiskLevel::Yellow, RiskLevel::Orange, RiskLevel::Red] {
        for r in sites.iter().filter(|r| r.has(Kind::Raised) && r.level_new == Some(level)) {
            raised += 1;
            push(r, MarkerShape::Diamond, RAISED_PT[level.index()], style.color(level));
        }
    }
    let mut new = [0u64; 2];
    for level in [RiskLevel::Orange, RiskLevel::Red] {
        for r in sites.iter().filter(|r| r.has(Kind::New) && r.level_new == Some(level)) {
            new[level.index()] += 1;
            push(r, MarkerShape::Triangle, NEW_PT, style.color(level));
        }
    }
    SiteMarkers { removed, raised, new, ..m }
}

fn legend(set: &ChangeSet, style: &Style, areas: &AreaLayer, sites: &SiteMarkers) -> Vec<LegendItem> {
    let (unit, measure) = if areas.by_cells {
        (format!("{} m 网格单元", num(set.grid.size())), "个")
    } else {
        ("区县".to_string(), "个区县")
    };
    let fill = |colour: Rgba, label: String, n: u64| LegendItem {
        swatch: Swatch::Fill(colour),
        label,
        count: Some(format!("{n} {measure}")),
    };
    let marker = |shape: MarkerShape, size_pt: f32, fill: Rgba, label: &str, n: u64| LegendItem {
        swatch: Swatch::Marker { shape, size_pt, fill, stroke: OUTLINE },
        label: label.to_string(),
        count: Some(format!("{n} 家")),
    };
    let c = areas.classes;
    vec![
        fill(RAISED, format!("风险等级上升的{unit}"), c[0]),
        fill(LOWERED, format!("风险等级下降的{unit}"), c[1]),
        fill(COUNTS, "等级未变、企业数有变化".to_string(), c[2]),
        marker(MarkerShape::Triangle, NEW_PT, style.color(RiskLevel::Red), "新增重大风险企业", sites.new[0]),
        marker(MarkerShape::Triangle, NEW_PT, style.color(RiskLevel::Orange), "新增较大风险企业", sites.new[1]),
        marker(MarkerShape::Diamond, RAISED_PT[1], WHITE, "风险等级上升的企业（填色为本轮等级）", sites.raised),
        marker(MarkerShape::Cross, REMOVED_PT, REMOVED, "已移除的重大、较大风险企业", sites.removed),
    ]
}

/// Title, subtitle and footer lines.
fn texts(set: &ChangeSet, look: &Look, zoomed: bool) -> (String, String, Vec<String>) {
    let source = look.source.as_deref();
    let (old, new, s) = (&set.summary.old, &set.summary.new, &set.summary.sites);
    let date = |r: &RoundInfo| r.census_date.clone().unwrap_or_else(|| r.title.clone());
    // The vendored font has no arrow (→): "至" reads as well in a subtitle.
    let subtitle = format!(
        "{} 至 {}　新增 {} 家 · 移除 {} 家 · 等级上升 {} 家 · 下降 {} 家",
        date(old),
        date(new),
        s.new,
        s.removed,
        s.raised,
        s.lowered
    );
    let title = if zoomed { format!("{}变化图（局部）", new.title) } else { format!("{}变化图", new.title) };
    let round_line = |what: &str, r: &RoundInfo| match &r.census_date {
        Some(d) => format!("{what}：{}（普查日期：{d}）", r.title),
        None => format!("{what}：{}", r.title),
    };
    let mut footer = Vec::new();
    if let Some(s) = source {
        footer.push(format!("数据来源：{s}"));
    }
    footer.push(round_line("上轮", old));
    footer.push(round_line("本轮", new));
    footer.push(format!(
        "企业按统一社会信用代码匹配；位置变化超过 {} m 计为迁移；共 {} 家无法匹配（见 changes.csv）",
        num(set.summary.move_threshold_m),
        s.unmatched
    ));
    footer.push(format!("坐标系：{}（{}）", set.work.name_zh(), set.work));
    footer.push(format!("制图：sisetu {}", env!("CARGO_PKG_VERSION")));
    footer.extend(look.note.clone());
    (title, subtitle, footer)
}

/// Renders one change map (`zoom`: the extent in the working CRS; `None`: the districts').
fn render_map(set: &ChangeSet, look: &Look, zoom: Option<geo::Rect<f64>>) -> Result<Rendered> {
    let to_work = Transformer::new(Crs::Wgs84, set.work)?;
    let areas = area_layer(set, &to_work)?;
    let sites = site_markers(set, &look.style, &to_work);
    let items = legend(set, &look.style, &areas, &sites);
    let (title, subtitle, footer) = texts(set, look, zoom.is_some());
    let text = MapText { title: &title, subtitle: Some(&subtitle), footer: &footer };
    let content = MapContent {
        areas: &areas.cells,
        fill: Fill::None,
        markers: &sites.markers,
        legend_items: &items,
        legend_title: "图例",
        extent: zoom,
        ..MapContent::new(&areas.districts)
    };
    // A small page may not hold the legend at the configured size: shrink it step by step.
    let mut style = look.style.clone();
    let base = style.legend_pt;
    let mut last = None;
    for scale in [1.0, 0.85, 0.7, 0.55] {
        style.legend_pt = base * scale;
        match sisetu_render::render(&look.page, &style, &look.font, &text, &content) {
            Ok(map) => return Ok(map),
            Err(e @ sisetu_render::RenderError::PageTooSmall(_)) => last = Some(e),
            Err(e) => return Err(Error::from(e)).context("changes.png"),
        }
    }
    Err(Error::input(format!(
        "changes.png: {}; use a larger page ([style] page = \"A3\"), a higher dpi, or a smaller legend_pt",
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}
