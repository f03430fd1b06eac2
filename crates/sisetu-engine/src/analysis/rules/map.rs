//! One map per rule, `rule_<n>.png` (with `.pgw`, `.prj` and `.png.aux.xml`), drawn from the
//! findings in memory: the district boundaries; the features of B (blue); the features of A
//! that comply (grey) and those that violate (red) with a ring of the required distance around
//! each; for `min_m` rules the shortest segment of every violating pair (red); a legend with
//! the counts and a subtitle with the compliance rate.

use super::check::RuleResult;
use super::layers::Feature;
use crate::error::{Result, ResultExt};
use crate::layers::ZoneLayer;
use crate::project::rules::{Required, RuleConfig, RuleKind};
use crate::project::Config;
use sisetu_core::format::thousands;
use sisetu_core::proximity::Shape;
use sisetu_core::LevelCounts;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{Area, Circle, Fill, LegendItem, MapContent, MapText, Marker, MarkerShape, Polyline, Rgba, Swatch};

const VIOLATING: Rgba = Rgba(0xD7, 0x19, 0x1C, 255);
const RING: Rgba = Rgba(0xD7, 0x19, 0x1C, 150);
const COMPLIANT: Rgba = Rgba(0x96, 0x96, 0x96, 255);
const OTHER: Rgba = Rgba(0x21, 0x66, 0xAC, 255);
const OTHER_AREA: Rgba = Rgba(0x67, 0xA9, 0xCF, 255);
const OUTLINE: Rgba = Rgba(0x26, 0x26, 0x26, 255);
const STRETCH: Rgba = Rgba(0xF4, 0x6D, 0x43, 170);

/// The map file of the `n`-th rule (0-based).
pub(crate) fn map_file(n: usize) -> String {
    format!("rule_{}.png", n + 1)
}

/// One rule as the map needs it.
pub(crate) struct RuleMap<'a> {
    pub n: usize,
    pub rule: &'a RuleConfig,
    pub a_title: String,
    /// A's distance column (for `"column"` rules).
    pub distance_column: Option<String>,
    pub b_title: String,
    pub a: &'a [Feature],
    pub b: &'a [Feature],
    pub result: &'a RuleResult,
}

/// What is drawn of a set of features in one colour.
#[derive(Default)]
struct Drawn {
    areas: Vec<Area>,
    lines: Vec<Polyline>,
    markers: Vec<Marker>,
}

impl Drawn {
    fn add(&mut self, f: &Feature, color: Rgba, area_color: Rgba, marker: (MarkerShape, f32), line_pt: f32) {
        match &f.shape {
            Shape::Point(x, y) => self.markers.push(Marker {
                x: *x,
                y: *y,
                shape: marker.0,
                size_pt: marker.1,
                fill: color,
                stroke: OUTLINE,
            }),
            Shape::Lines(ml) => self.lines.extend(ml.0.iter().map(|l| Polyline {
                coords: l.0.iter().map(|c| (c.x, c.y)).collect(),
                stroke: color,
                width_pt: line_pt,
            })),
            Shape::Area(mp) => self.areas.push(Area {
                id: String::new(),
                name: String::new(),
                geometry: mp.clone(),
                level: None,
                counts: LevelCounts::default(),
                color: Some(area_color),
            }),
        }
    }
}

/// Draws every rule's map into `stage`; returns the files written.
pub(crate) fn draw_all(
    cfg: &Config,
    districts: &ZoneLayer,
    work: Crs,
    rules: &[RuleMap<'_>],
    stage: &mut Staging,
) -> Result<Vec<String>> {
    let font = crate::maps::load_font(cfg)?;
    let boundaries: Vec<Area> = districts
        .work
        .iter()
        .map(|z| Area {
            id: z.id.clone(),
            name: z.name.clone(),
            geometry: z.geometry.clone(),
            level: None,
            counts: LevelCounts::default(),
            color: None,
        })
        .collect();
    let mut written = Vec::new();
    for m in rules {
        let file = map_file(m.n);
        let map = render(cfg, work, &font, &boundaries, m).with_context(|| format!("rendering {file}"))?;
        written.extend(crate::maps::write_rendered(stage, &file, &map, work)?);
    }
    Ok(written)
}

fn render(
    cfg: &Config,
    work: Crs,
    font: &sisetu_render::Font,
    boundaries: &[Area],
    m: &RuleMap<'_>,
) -> Result<sisetu_render::Rendered> {
    let res = m.result;
    let mut violating = vec![false; m.a.len()];
    for v in &res.violations {
        violating[v.a as usize] = true;
    }
    let mut drawn = Drawn::default();
    for f in m.b {
        drawn.add(f, OTHER, OTHER_AREA, (MarkerShape::Diamond, 5.0), 1.6);
    }
    for (f, _) in m.a.iter().zip(&violating).filter(|(_, v)| !**v) {
        drawn.add(f, COMPLIANT, COMPLIANT, (MarkerShape::Circle, 3.0), 1.0);
    }
    // High-consequence stretches under the features of A, over the lines of B.
    drawn.lines.extend(res.stretches.iter().map(|st| Polyline {
        coords: st.stretch.coords.iter().map(|c| (c.x, c.y)).collect(),
        stroke: STRETCH,
        width_pt: 4.0,
    }));
    let mut circles = Vec::new();
    for (f, _) in m.a.iter().zip(&violating).filter(|(_, v)| **v) {
        drawn.add(f, VIOLATING, VIOLATING, (MarkerShape::Circle, 6.0), 2.0);
        if let Shape::Point(x, y) = f.shape {
            let r = match m.rule.required {
                Required::Metres(d) => d,
                Required::Column => f.required_m.unwrap_or(0.0),
            };
            circles.push(Circle { x, y, radius_m: r, stroke: RING, fill: None, width_pt: 0.8 });
        }
    }
    if m.rule.kind == RuleKind::Separation {
        drawn.lines.extend(res.violations.iter().filter_map(|v| {
            let [p, q] = v.segment?;
            Some(Polyline { coords: vec![(p.x, p.y), (q.x, q.y)], stroke: VIOLATING, width_pt: 1.2 })
        }));
    }
    let required = match m.rule.required {
        Required::Metres(d) => format!("{} m", crate::analysis::coverage::input::num(d)),
        Required::Column => m.distance_column.clone().unwrap_or_else(|| "各自的距离".to_string()),
    };
    let what = match m.rule.kind {
        RuleKind::Separation if m.rule.required == Required::Column => format!("与{}的距离小于其{required}", m.b_title),
        RuleKind::Separation => format!("与{}的距离不足 {required}", m.b_title),
        RuleKind::Within => format!("{required} 内没有{}", m.b_title),
    };
    let items = vec![
        LegendItem {
            swatch: swatch_of(m.a, VIOLATING, (MarkerShape::Circle, 6.0), 2.0),
            label: format!("{}：{what}", m.a_title),
            count: Some(format!("{} 处", thousands(res.violating))),
        },
        LegendItem {
            swatch: swatch_of(m.a, COMPLIANT, (MarkerShape::Circle, 3.0), 1.0),
            label: format!("{}：达标", m.a_title),
            count: Some(format!("{} 处", thousands(res.checked - res.violating))),
        },
        LegendItem {
            swatch: swatch_of(m.b, OTHER, (MarkerShape::Diamond, 5.0), 1.6),
            label: m.b_title.clone(),
            count: Some(format!("{} 处", thousands(m.b.len() as u64))),
        },
        LegendItem { swatch: Swatch::Ring(RING), label: format!("要求距离（{required}）"), count: None },
    ];
    let mut items = items;
    if m.rule.kind == RuleKind::Separation {
        items
            .push(LegendItem { swatch: Swatch::Line(VIOLATING, 1.2), label: "最近距离连线".into(), count: None });
    }
    if !res.stretches.is_empty() {
        items.push(LegendItem {
            swatch: Swatch::Line(STRETCH, 4.0),
            label: "高后果区管段（距离不足的线段）".into(),
            count: Some(format!("{:.2} km", res.stretch_m() / 1000.0)),
        });
    }
    let subtitle = format!(
        "检查 {} 处，不达标 {} 处，达标率 {:.1} %",
        thousands(res.checked),
        thousands(res.violating),
        res.compliance() * 100.0
    );
    let footer = crate::maps::footer(cfg, work);
    let extent = extent_of(m.a.iter().chain(m.b));
    let text = MapText { title: &m.rule.name, subtitle: Some(&subtitle), footer: &footer };
    let content = MapContent {
        areas: &drawn.areas,
        fill: Fill::None,
        circles: &circles,
        lines: &drawn.lines,
        markers: &drawn.markers,
        legend_items: &items,
        legend_title: "图例",
        extent,
        ..MapContent::new(boundaries)
    };
    crate::maps::render_fitting(cfg, font, &text, &content)
}

/// The features' bounding box, padded by 5 % and at least 1 km on each side (`None`: no
/// feature, the districts' extent).
fn extent_of<'a>(features: impl Iterator<Item = &'a Feature>) -> Option<geo::Rect<f64>> {
    let b = features
        .filter_map(|f| f.shape.envelope())
        .fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, e| {
            [b[0].min(e[0]), b[1].min(e[1]), b[2].max(e[2]), b[3].max(e[3])]
        });
    if !b.iter().all(|v| v.is_finite()) {
        return None;
    }
    let pad = ((b[2] - b[0]).max(b[3] - b[1]) * 0.05).max(1000.0);
    Some(geo::Rect::new(geo::Coord { x: b[0] - pad, y: b[1] - pad }, geo::Coord { x: b[2] + pad, y: b[3] + pad }))
}

/// The legend symbol of a layer: its marker, a line for lines, a fill for areas (by its first
/// feature: a layer is usually of one kind).
fn swatch_of(features: &[Feature], color: Rgba, (shape, size_pt): (MarkerShape, f32), line_pt: f32) -> Swatch {
    match features.first().map(|f| &f.shape) {
        Some(Shape::Lines(_)) => Swatch::Line(color, line_pt),
        Some(Shape::Area(_)) => Swatch::Fill(color),
        _ => Swatch::Marker { shape, size_pt, fill: color, stroke: OUTLINE },
    }
}
