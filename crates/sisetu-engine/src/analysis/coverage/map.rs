//! The coverage map of each facility layer, `<id>_coverage.png` (with `.pgw`, `.prj` and `.png.aux.xml`),
//! and its `[[facilities.maps]]` zoomed to an extent, drawn from the findings in memory:
//!
//! * districts shaded by m² of shelter per resident against the target (shelters), or by
//!   the covered share against the coverage target (other facilities): green = met,
//!   amber = at least half of it, red = below half, grey = no residents;
//! * population cells outside every service radius (purple) and cells within reach but
//!   left without room (magenta);
//! * every facility's service circle and a symbol per class; suggested new sites as cyan
//!   crosses with their circles;
//! * a Chinese legend with counts, the subtitle with the totals, and the usual scale bar,
//!   north arrow and footer.

use super::analyse::{AreaFigures, LayerResult};
use super::facilities::FacilityLayer;
use crate::error::{Error, Result, ResultExt};
use crate::layers::ZoneLayer;
use crate::project::facilities::{DetailMap, FacilityConfig, FacilityKind};
use crate::project::Config;
use geo::InteriorPoint;
use sisetu_core::coverage::FacilityShape;
use sisetu_core::format::thousands_rounded;
use sisetu_core::{LevelCounts, RegularGrid};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::Staging;
use sisetu_render::{
    Area, Circle, Fill, Font, LegendItem, MapContent, MapText, Marker, MarkerShape, Rendered, Rgba, Swatch,
};

// District classes are drawn at about half the gap cells' strength so that the gaps stand out.
const MET: Rgba = Rgba(0x4D, 0xAF, 0x4A, 120);
const HALF: Rgba = Rgba(0xFD, 0xAE, 0x61, 120);
const LOW: Rgba = Rgba(0xD7, 0x19, 0x1C, 120);
const UNCOVERED: Rgba = Rgba(0x54, 0x27, 0x8F, 255);
const NO_ROOM: Rgba = Rgba(0xE7, 0x29, 0x8A, 255);
const SITING: Rgba = Rgba(0x00, 0xA6, 0xB4, 255);
const OUTLINE: Rgba = Rgba(0x26, 0x26, 0x26, 255);
/// Class symbols in order of service radius, largest first; classes beyond the eighth share
/// the last symbol.
const CLASS_STYLE: [(MarkerShape, f32, Rgba); 8] = [
    (MarkerShape::Diamond, 9.0, Rgba(0x08, 0x30, 0x6B, 255)),
    (MarkerShape::Square, 6.5, Rgba(0x21, 0x71, 0xB5, 255)),
    (MarkerShape::Triangle, 5.5, Rgba(0x41, 0xB6, 0xC4, 255)),
    (MarkerShape::Circle, 5.0, Rgba(0x8C, 0x51, 0x0A, 255)),
    (MarkerShape::Diamond, 6.0, Rgba(0x76, 0x2A, 0x83, 255)),
    (MarkerShape::Square, 5.0, Rgba(0x1B, 0x78, 0x37, 255)),
    (MarkerShape::Triangle, 4.5, Rgba(0xBF, 0x81, 0x2D, 255)),
    (MarkerShape::Circle, 4.0, Rgba(0x7F, 0x7F, 0x7F, 255)),
];

fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The files the maps of one layer write, in order: the coverage map, then its zoomed maps.
pub(crate) fn map_files(fc: &FacilityConfig, work: Crs) -> Vec<String> {
    std::iter::once(fc.map_file())
        .chain(fc.maps.iter().map(|m| m.file.clone()))
        .flat_map(|f| crate::maps::map_files(&f, work))
        .collect()
}

/// One map to draw: its file, extent (`None`: the districts) and title (`None`: the default).
struct Job {
    file: String,
    extent: Option<geo::Rect<f64>>,
    title: Option<String>,
}

/// A zoomed map's extent (lon/lat degrees) as a rectangle in the working CRS.
fn detail_extent(m: &DetailMap, to_work: &Transformer) -> Result<geo::Rect<f64>> {
    let e = m.extent.to_array();
    let mut pts = Vec::new();
    for (x, y) in [(e[0], e[1]), (e[2], e[1]), (e[2], e[3]), (e[0], e[3])] {
        pts.push(to_work.transform(x, y).map_err(|err| Error::input(format!("{} extent: {err}", m.file)))?);
    }
    let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    Ok(geo::Rect::new(geo::Coord { x: x0, y: y0 }, geo::Coord { x: x1, y: y1 }))
}

fn jobs(fc: &FacilityConfig, work: Crs) -> Result<Vec<Job>> {
    let mut jobs = vec![Job { file: fc.map_file(), extent: None, title: None }];
    if !fc.maps.is_empty() {
        let to_work = Transformer::new(Crs::Wgs84, work)?;
        for m in &fc.maps {
            jobs.push(Job { file: m.file.clone(), extent: Some(detail_extent(m, &to_work)?), title: m.title.clone() });
        }
    }
    Ok(jobs)
}

/// What every map of the analysis shares.
pub(crate) struct MapInputs<'a> {
    /// The project (style, page, font, footer).
    pub cfg: &'a Config,
    /// The districts.
    pub districts: &'a ZoneLayer,
    /// The working CRS.
    pub work: Crs,
    /// The population grid (gap cells).
    pub grid: &'a RegularGrid,
    /// How the population was spread, in Chinese (footer).
    pub method_zh: &'a str,
}

/// Draws the coverage maps of every layer into `stage`; returns the files written.
pub(crate) fn draw_all(
    m: &MapInputs,
    layers: &[FacilityLayer],
    results: &[LayerResult],
    stage: &mut Staging,
) -> Result<Vec<String>> {
    let font = crate::maps::load_font(m.cfg)?;
    let mut written = Vec::new();
    for (layer, res) in layers.iter().zip(results) {
        for job in jobs(&layer.config, m.work)? {
            let map = render_one(m, layer, res, &font, &job).with_context(|| format!("rendering {}", job.file))?;
            written.extend(crate::maps::write_rendered(stage, &job.file, &map, m.work)?);
        }
    }
    Ok(written)
}

/// How districts are classed: by m² per resident (shelters with a target) or by the covered
/// share, against this target.
#[derive(Clone, Copy)]
struct Measure {
    per_capita: bool,
    target: f64,
}

impl Measure {
    fn of(fc: &FacilityConfig) -> Self {
        match (fc.kind, fc.target_m2_per_person) {
            (FacilityKind::Shelter, Some(t)) => Measure { per_capita: true, target: t },
            _ => Measure { per_capita: false, target: fc.coverage_target.unwrap_or(0.9) },
        }
    }

    fn value(self, f: &AreaFigures) -> Option<f64> {
        if self.per_capita {
            f.m2_per_resident()
        } else {
            f.coverage()
        }
    }

    fn show(self, v: f64) -> String {
        if self.per_capita {
            format!("{} ㎡", trim_num(v))
        } else {
            format!("{:.0} %", v * 100.0)
        }
    }
}

/// The districts coloured by class, and how many fall in each (met, half, low, no data).
fn district_areas(cfg: &Config, districts: &ZoneLayer, res: &LayerResult, measure: Measure) -> (Vec<Area>, [u64; 4]) {
    let mut class_count = [0u64; 4];
    let target = measure.target;
    let areas = districts
        .work
        .iter()
        .zip(&res.districts)
        .map(|(z, f)| {
            let (k, color) = match measure.value(f) {
                Some(v) if v >= target => (0, MET),
                Some(v) if v >= target / 2.0 => (1, HALF),
                Some(_) => (2, LOW),
                None => (3, cfg.style.no_data),
            };
            class_count[k] += 1;
            Area {
                id: z.id.clone(),
                name: z.name.clone(),
                geometry: z.geometry.clone(),
                level: None,
                counts: LevelCounts::default(),
                color: Some(color),
            }
        })
        .collect();
    (areas, class_count)
}

/// The classes of the layer with their radius, largest radius first.
fn class_order(layer: &FacilityLayer) -> Vec<(String, f64)> {
    let mut classes: Vec<(String, f64)> = Vec::new();
    for r in &layer.rows {
        if !classes.iter().any(|(c, _)| *c == r.class) {
            classes.push((r.class.clone(), r.radius_m));
        }
    }
    classes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    classes
}

/// The symbol of a class: by its rank in `classes` (the last one for later classes).
fn style_of(classes: &[(String, f64)], class: &str) -> (MarkerShape, f32, Rgba) {
    let last = CLASS_STYLE.len() - 1;
    let k = classes.iter().position(|(c, _)| c == class).unwrap_or(last).min(last);
    CLASS_STYLE[k]
}

/// What is drawn over the districts: gap cells and area facilities, circles, symbols.
struct Overlay {
    areas: Vec<Area>,
    circles: Vec<Circle>,
    markers: Vec<Marker>,
}

/// Gap cells (uncovered purple, else without room magenta), facilities (small classes on
/// top) and the suggested sites.
fn overlay(
    fc: &FacilityConfig,
    layer: &FacilityLayer,
    res: &LayerResult,
    grid: &RegularGrid,
    classes: &[(String, f64)],
) -> Overlay {
    let gaps = res
        .gap_cells
        .iter()
        .map(|g| {
            let mut a = crate::maps::cell_area(grid, g.cell, None, Default::default());
            a.color = Some(if g.uncovered > 0.0 { UNCOVERED } else { NO_ROOM });
            a
        })
        .collect();
    let mut o = Overlay { areas: gaps, circles: Vec::new(), markers: Vec::new() };
    let mut order: Vec<usize> = (0..layer.rows.len()).collect();
    order.sort_by(|&a, &b| layer.rows[b].radius_m.total_cmp(&layer.rows[a].radius_m).then(a.cmp(&b)));
    for &i in &order {
        let (r, f) = (&layer.rows[i], &layer.facilities[i]);
        let (shape, size, color) = style_of(classes, &r.class);
        let (x, y) = match &f.shape {
            FacilityShape::Point(x, y) => (*x, *y),
            FacilityShape::Area(mp) => {
                // An area facility: its polygon in the class colour and its symbol at an
                // interior point. Its reach (the polygon grown by the radius) is not a circle
                // and is not drawn.
                let Some(p) = mp.interior_point() else { continue };
                o.areas.push(Area {
                    id: String::new(),
                    name: String::new(),
                    geometry: mp.clone(),
                    level: None,
                    counts: LevelCounts::default(),
                    color: Some(color),
                });
                o.markers.push(Marker { x: p.x(), y: p.y(), shape, size_pt: size, fill: color, stroke: OUTLINE });
                continue;
            }
            // Facility layers are read as points or areas (a line facility has no marker).
            FacilityShape::Lines(_) => continue,
        };
        o.circles.push(Circle {
            x,
            y,
            radius_m: r.radius_m,
            stroke: Rgba(color.0, color.1, color.2, 170),
            fill: Some(Rgba(color.0, color.1, color.2, 22)),
            width_pt: 0.5,
        });
        o.markers.push(Marker { x, y, shape, size_pt: size, fill: color, stroke: OUTLINE });
    }
    let radius_m = fc.siting.as_ref().map_or(0.0, |s| s.radius_m);
    for s in &res.siting {
        let (x, y) = s.xy;
        o.circles.push(Circle { x, y, radius_m, stroke: SITING, fill: None, width_pt: 0.9 });
        o.markers.push(Marker { x, y, shape: MarkerShape::Cross, size_pt: 8.0, fill: SITING, stroke: OUTLINE });
    }
    o
}

/// The legend rows of the district classes, the gap cells, the classes and the new sites.
fn legend(
    cfg: &Config,
    fc: &FacilityConfig,
    layer: &FacilityLayer,
    res: &LayerResult,
    classes: &[(String, f64)],
    (measure, class_count): (Measure, [u64; 4]),
) -> Vec<LegendItem> {
    let what = if measure.per_capita { "人均有效避难面积" } else { "覆盖率" };
    let (target, show) = (measure.target, |v| measure.show(v));
    let fill =
        |color, label: String, count: String| LegendItem { swatch: Swatch::Fill(color), label, count: Some(count) };
    let districts = |k: usize| format!("{} 个区县", class_count[k]);
    let mut items = vec![
        fill(MET, format!("{what}达到 {}（达标）", show(target)), districts(0)),
        fill(HALF, format!("{what} {}～{}", show(target / 2.0), show(target)), districts(1)),
        fill(LOW, format!("{what}不足 {}", show(target / 2.0)), districts(2)),
    ];
    if class_count[3] > 0 {
        items.push(fill(cfg.style.no_data, "无常住人口（或无数据）".into(), districts(3)));
    }
    items.push(fill(
        UNCOVERED,
        "服务半径外的人口网格".into(),
        format!("{} 人", thousands_rounded(res.total.uncovered)),
    ));
    if fc.kind == FacilityKind::Shelter || res.total.without_room > 0.0 {
        items.push(fill(
            NO_ROOM,
            "在半径内但容量不足".into(),
            format!("{} 人", thousands_rounded(res.total.without_room)),
        ));
    }
    for (class, radius) in classes {
        let (shape, size_pt, color) = style_of(classes, class);
        let n = layer.rows.iter().filter(|r| r.class == *class).count();
        let label =
            if class.is_empty() { fc.title.clone() } else { format!("{class}（半径 {} m）", trim_num(*radius)) };
        items.push(LegendItem {
            swatch: Swatch::Marker { shape, size_pt, fill: color, stroke: OUTLINE },
            label,
            count: Some(format!("{n} 处")),
        });
    }
    let ring = style_of(classes, classes.first().map_or("", |c| c.0.as_str())).2;
    items.push(LegendItem { swatch: Swatch::Ring(ring), label: "服务半径".into(), count: None });
    if let Some(last) = res.siting.last() {
        let radius = fc.siting.as_ref().map_or(0.0, |s| s.radius_m);
        items.push(LegendItem {
            swatch: Swatch::Marker { shape: MarkerShape::Cross, size_pt: 8.0, fill: SITING, stroke: OUTLINE },
            label: format!("建议新增（半径 {} m）", trim_num(radius)),
            count: Some(format!("{} 处 +{} 人", res.siting.len(), thousands_rounded(last.pick.cumulative))),
        });
    }
    items
}

/// The subtitle: residents and covered share, then m² per resident (shelters) or the count.
fn subtitle(fc: &FacilityConfig, layer: &FacilityLayer, res: &LayerResult) -> String {
    let t = &res.total;
    let covered = t.coverage().map_or_else(|| "–".into(), |c| format!("{:.1} %", c * 100.0));
    let mut s = format!("全市常住人口 {} 人，服务半径覆盖 {covered}，", thousands_rounded(t.population));
    if fc.kind == FacilityKind::Shelter {
        s.push_str(&format!(
            "人均有效避难面积 {} ㎡（目标 {} ㎡）",
            t.m2_per_resident().map_or_else(|| "–".into(), |v| format!("{v:.2}")),
            trim_num(fc.target_m2_per_person.unwrap_or(0.0))
        ));
    } else {
        s.push_str(&format!("{} {} 处", fc.title, layer.rows.len()));
    }
    s
}

fn render_one(m: &MapInputs, layer: &FacilityLayer, res: &LayerResult, font: &Font, job: &Job) -> Result<Rendered> {
    let (cfg, fc) = (m.cfg, &layer.config);
    let measure = Measure::of(fc);
    let (areas, class_count) = district_areas(cfg, m.districts, res, measure);
    let classes = class_order(layer);
    let o = overlay(fc, layer, res, m.grid, &classes);
    let items = legend(cfg, fc, layer, res, &classes, (measure, class_count));
    let subtitle = subtitle(fc, layer, res);
    let mut footer = crate::maps::footer(cfg, m.work);
    footer.insert(0, format!("人口：{}", m.method_zh));
    let title = job.title.clone().unwrap_or_else(|| format!("{}覆盖分析图", fc.title));
    let text = MapText { title: &title, subtitle: Some(&subtitle), footer: &footer };
    let content = MapContent {
        areas: &o.areas,
        fill: Fill::Districts,
        circles: &o.circles,
        markers: &o.markers,
        legend_items: &items,
        legend_title: "图例",
        extent: job.extent,
        ..MapContent::new(&areas)
    };
    crate::maps::render_fitting(cfg, font, &text, &content)
}
