//! The coverage map of each facility layer, `<id>_coverage.png` (with `.pgw` and `.prj`):
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

use crate::analysis::coverage::{FacilityLayer, LayerResult, Population};
use crate::layers::ZoneLayer;
use crate::project::facilities::{FacilityConfig, FacilityKind};
use crate::project::Config;
use anyhow::{anyhow, Context, Result};
use geo::InteriorPoint;
use sisetu_core::coverage::FacilityShape;
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::Staging;
use sisetu_render::{Area, Circle, Fill, LegendItem, MapContent, MapText, Marker, MarkerShape, Rgba, Swatch};

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

/// Thousands separators: 4054369 → "4,054,369".
pub fn grouped(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Renders the coverage map of every facility layer into `stage`; returns the files written.
pub fn render_all(
    cfg: &Config,
    districts: &ZoneLayer,
    work: Crs,
    pop: &Population,
    layers: &[(FacilityLayer, LayerResult)],
    stage: &mut Staging,
) -> Result<Vec<String>> {
    let font = crate::maps::load_font(cfg)?;
    let mut written = Vec::new();
    for (fc, (layer, res)) in cfg.facilities.iter().zip(layers) {
        let mut jobs: Vec<(String, Option<geo::Rect<f64>>, Option<String>)> = vec![(fc.map_file(), None, None)];
        if !fc.maps.is_empty() {
            let t = Transformer::new(Crs::Wgs84, work).map_err(|e| anyhow!("{e}"))?;
            for m in &fc.maps {
                let e = m.extent.to_array();
                let mut pts = Vec::new();
                for (x, y) in [(e[0], e[1]), (e[2], e[1]), (e[2], e[3]), (e[0], e[3])] {
                    pts.push(t.transform(x, y).map_err(|err| anyhow!("{} extent: {err}", m.file))?);
                }
                let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
                let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
                let rect = geo::Rect::new(geo::Coord { x: x0, y: y0 }, geo::Coord { x: x1, y: y1 });
                jobs.push((m.file.clone(), Some(rect), m.title.clone()));
            }
        }
        for (file, extent, title) in jobs {
            let map = render_one(cfg, fc, districts, work, pop, layer, res, &font, extent, title.as_deref())
                .with_context(|| format!("rendering {file}"))?;
            written.extend(crate::maps::write_rendered(stage, &file, &map, work)?);
        }
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
fn render_one(
    cfg: &Config,
    fc: &FacilityConfig,
    districts: &ZoneLayer,
    work: Crs,
    pop: &Population,
    layer: &FacilityLayer,
    res: &LayerResult,
    font: &sisetu_render::Font,
    extent: Option<geo::Rect<f64>>,
    title: Option<&str>,
) -> Result<sisetu_render::Rendered> {
    // District classes.
    let (per_capita, target) = match (fc.kind, fc.target_m2_per_person) {
        (FacilityKind::Shelter, Some(t)) => (true, t),
        _ => (false, fc.coverage_target.unwrap_or(0.9)),
    };
    let measure =
        |f: &crate::analysis::coverage::AreaFigures| if per_capita { f.m2_per_resident() } else { f.coverage() };
    let mut class_count = [0u64; 4];
    let areas: Vec<Area> = districts
        .work
        .iter()
        .zip(&res.districts)
        .map(|(z, f)| {
            let (k, color) = match measure(f) {
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
                counts: [0; 4],
                color: Some(color),
            }
        })
        .collect();

    // Gap cells: uncovered first (purple), else without room (magenta).
    let mut gaps: Vec<Area> = res
        .gap_cells
        .iter()
        .map(|g| {
            let mut a = crate::maps::cell_area(&pop.grid, g.cell, None, [0; 4]);
            a.color = Some(if g.uncovered > 0.0 { UNCOVERED } else { NO_ROOM });
            a
        })
        .collect();

    // Facilities: one symbol per class, largest radius first.
    let mut classes: Vec<(String, f64)> = Vec::new();
    for r in &layer.rows {
        if !classes.iter().any(|(c, _)| *c == r.class) {
            classes.push((r.class.clone(), r.radius_m));
        }
    }
    classes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let style_of = |class: &str| {
        let last = CLASS_STYLE.len() - 1;
        let k = classes.iter().position(|(c, _)| c == class).unwrap_or(last).min(last);
        CLASS_STYLE[k]
    };
    let mut circles = Vec::new();
    let mut markers = Vec::new();
    // Draw the small classes last (on top).
    let mut order: Vec<usize> = (0..layer.rows.len()).collect();
    order.sort_by(|&a, &b| layer.rows[b].radius_m.total_cmp(&layer.rows[a].radius_m).then(a.cmp(&b)));
    for &i in &order {
        let (r, f) = (&layer.rows[i], &layer.facilities[i]);
        let (shape, size, color) = style_of(&r.class);
        let (x, y) = match &f.shape {
            FacilityShape::Point(x, y) => (*x, *y),
            FacilityShape::Area(mp) => {
                // An area facility: its polygon in the class colour and its symbol at an
                // interior point. Its reach (the polygon grown by the radius) is not a circle
                // and is not drawn.
                let Some(p) = mp.interior_point() else { continue };
                gaps.push(Area {
                    id: String::new(),
                    name: String::new(),
                    geometry: mp.clone(),
                    level: None,
                    counts: [0; 4],
                    color: Some(color),
                });
                markers.push(Marker { x: p.x(), y: p.y(), shape, size_pt: size, fill: color, stroke: OUTLINE });
                continue;
            }
        };
        circles.push(Circle {
            x,
            y,
            radius_m: r.radius_m,
            stroke: Rgba(color.0, color.1, color.2, 170),
            fill: Some(Rgba(color.0, color.1, color.2, 22)),
            width_pt: 0.5,
        });
        markers.push(Marker { x, y, shape, size_pt: size, fill: color, stroke: OUTLINE });
    }
    let siting_radius = fc.siting.as_ref().map(|s| s.radius_m).unwrap_or(0.0);
    for s in &res.siting {
        circles.push(Circle {
            x: s.xy.0,
            y: s.xy.1,
            radius_m: siting_radius,
            stroke: SITING,
            fill: None,
            width_pt: 0.9,
        });
        markers.push(Marker {
            x: s.xy.0,
            y: s.xy.1,
            shape: MarkerShape::Cross,
            size_pt: 8.0,
            fill: SITING,
            stroke: OUTLINE,
        });
    }

    // Legend.
    let unit = if fc.kind == FacilityKind::Shelter && fc.target_m2_per_person.is_some() { "m²" } else { "%" };
    let show = |v: f64| if unit == "%" { format!("{:.0} %", v * 100.0) } else { format!("{} ㎡", trim_num(v)) };
    let what = if unit == "%" { "覆盖率" } else { "人均有效避难面积" };
    let mut items = vec![
        LegendItem {
            swatch: Swatch::Fill(MET),
            label: format!("{what}达到 {}（达标）", show(target)),
            count: Some(format!("{} 个区县", class_count[0])),
        },
        LegendItem {
            swatch: Swatch::Fill(HALF),
            label: format!("{what} {}～{}", show(target / 2.0), show(target)),
            count: Some(format!("{} 个区县", class_count[1])),
        },
        LegendItem {
            swatch: Swatch::Fill(LOW),
            label: format!("{what}不足 {}", show(target / 2.0)),
            count: Some(format!("{} 个区县", class_count[2])),
        },
    ];
    if class_count[3] > 0 {
        items.push(LegendItem {
            swatch: Swatch::Fill(cfg.style.no_data),
            label: "无常住人口（或无数据）".into(),
            count: Some(format!("{} 个区县", class_count[3])),
        });
    }
    items.push(LegendItem {
        swatch: Swatch::Fill(UNCOVERED),
        label: "服务半径外的人口网格".into(),
        count: Some(format!("{} 人", grouped(res.total.uncovered))),
    });
    if fc.kind == FacilityKind::Shelter || res.total.without_room > 0.0 {
        items.push(LegendItem {
            swatch: Swatch::Fill(NO_ROOM),
            label: "在半径内但容量不足".into(),
            count: Some(format!("{} 人", grouped(res.total.without_room))),
        });
    }
    for (class, radius) in &classes {
        let (shape, size, color) = style_of(class);
        let n = layer.rows.iter().filter(|r| r.class == *class).count();
        let name =
            if class.is_empty() { fc.title.clone() } else { format!("{class}（半径 {} m）", trim_num(*radius)) };
        items.push(LegendItem {
            swatch: Swatch::Marker { shape, size_pt: size, fill: color, stroke: OUTLINE },
            label: name,
            count: Some(format!("{n} 处")),
        });
    }
    let ring = style_of(classes.first().map_or("", |c| c.0.as_str())).2;
    items.push(LegendItem { swatch: Swatch::Ring(ring), label: "服务半径".into(), count: None });
    if !res.siting.is_empty() {
        items.push(LegendItem {
            swatch: Swatch::Marker { shape: MarkerShape::Cross, size_pt: 8.0, fill: SITING, stroke: OUTLINE },
            label: format!("建议新增（半径 {} m）", trim_num(siting_radius)),
            count: Some(format!(
                "{} 处 +{} 人",
                res.siting.len(),
                grouped(res.siting.last().map_or(0.0, |s| s.pick.cumulative))
            )),
        });
    }

    let t = &res.total;
    let mut subtitle = format!(
        "全市常住人口 {} 人，服务半径覆盖 {}，",
        grouped(t.population),
        t.coverage().map(|c| format!("{:.1} %", c * 100.0)).unwrap_or_else(|| "–".into())
    );
    if fc.kind == FacilityKind::Shelter {
        subtitle.push_str(&format!(
            "人均有效避难面积 {} ㎡（目标 {} ㎡）",
            t.m2_per_resident().map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()),
            trim_num(fc.target_m2_per_person.unwrap_or(0.0))
        ));
    } else {
        subtitle.push_str(&format!("{} {} 处", fc.title, layer.rows.len()));
    }
    let mut footer = crate::maps::footer(cfg, work);
    footer.insert(0, format!("人口：{}", pop.method_zh));
    let title = title.map(String::from).unwrap_or_else(|| format!("{}覆盖分析图", fc.title));
    let text = MapText { title: &title, subtitle: Some(&subtitle), footer: &footer };
    let content = MapContent {
        areas: &gaps,
        fill: Fill::Districts,
        circles: &circles,
        markers: &markers,
        legend_items: &items,
        legend_title: "图例",
        extent,
        ..MapContent::new(&areas)
    };
    let mut style = cfg.style.clone();
    style.cell_outline_pt = 0.0;
    // A long legend (many classes) may not fit the frame at the configured size: shrink the
    // legend text step by step before giving up.
    let base = style.legend_pt;
    let mut last = None;
    for scale in [1.0, 0.85, 0.7, 0.55] {
        style.legend_pt = base * scale;
        match sisetu_render::render(&cfg.page, &style, font, &text, &content) {
            Ok(map) => return Ok(map),
            Err(e @ sisetu_render::RenderError::PageTooSmall(_)) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(anyhow!(
        "{}; the legend has {} rows: use a larger page ([style] page = \"A3\"), a higher dpi, or a smaller legend_pt",
        last.map(|e| e.to_string()).unwrap_or_default(),
        items.len()
    ))
}
