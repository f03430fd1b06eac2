//! The risk maps of the project's `[[maps]]` entries: districts, cells or management grids
//! filled with their level, and the sites as points, one PNG per entry (or per district).

use super::common::{counts_by_level, footer, load_font, write_rendered};
use super::MapData;
use crate::error::{Error, Result};
use crate::project::{Config, MapLayer, MapSpec};
use geo::{BoundingRect, Coord, Rect};
use rayon::prelude::*;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{Area, Fill, Font, MapContent, MapText, Rendered, SitePoint};

/// Renders every map of the project into `stage`; returns the file names written.
pub fn render_maps(cfg: &Config, data: &MapData, work: Crs, stage: &mut Staging) -> Result<Vec<String>> {
    if cfg.maps.is_empty() {
        return Ok(Vec::new());
    }
    let font = load_font(cfg)?;
    let footer = footer(cfg, work);
    let mut written = Vec::new();
    for spec in &cfg.maps {
        let jobs: Vec<(String, Option<usize>)> = if spec.per_district {
            let stem = spec.file.trim_end_matches(".png").trim_end_matches(".PNG");
            data.districts
                .iter()
                .enumerate()
                .map(|(i, d)| (format!("{stem}_{}.png", safe_name(&d.id)), Some(i)))
                .collect()
        } else {
            vec![(spec.file.clone(), None)]
        };
        let rendered: Vec<Result<(String, Rendered)>> = jobs
            .par_iter()
            .map(|(file, district)| render_one(cfg, spec, data, &font, &footer, *district).map(|r| (file.clone(), r)))
            .collect();
        for r in rendered {
            let (file, map) = r?;
            written.extend(write_rendered(stage, &file, &map, work)?);
        }
    }
    Ok(written)
}

/// District ids as file-name parts: anything but letters, digits, `-` and `_` becomes `_`.
fn safe_name(id: &str) -> String {
    id.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

fn render_one(
    cfg: &Config,
    spec: &MapSpec,
    data: &MapData,
    font: &Font,
    footer: &[String],
    district: Option<usize>,
) -> Result<Rendered> {
    let (fill, areas, area_title): (Fill, &[Area], &str) = match spec.fill {
        Some(MapLayer::Districts) => (Fill::Districts, &[], "区县风险等级（个）"),
        Some(MapLayer::Cells) => (Fill::Areas, &data.cells, "网格单元风险等级（个）"),
        Some(MapLayer::Grids) => (Fill::Areas, &data.grids, "管理网格风险等级（个）"),
        Some(MapLayer::Sites) | None => (Fill::None, &[], ""),
    };
    let extent: Option<Rect<f64>> = district.and_then(|i| {
        data.districts[i].geometry.bounding_rect().map(|r| {
            let pad = (r.width().max(r.height())) * 0.04;
            Rect::new(
                Coord { x: r.min().x - pad, y: r.min().y - pad },
                Coord { x: r.max().x + pad, y: r.max().y + pad },
            )
        })
    });
    // The legend counts what the map shows: sites when sites are drawn, else the areas.
    let (legend_counts, legend_title) = if spec.sites {
        let mut c = [0u64; 4];
        match district {
            Some(i) => c = data.districts[i].counts.as_array(),
            None => {
                for s in &data.sites {
                    c[s.level.index()] += 1;
                }
            }
        }
        (c, "企业风险等级（家）")
    } else {
        let counted: Vec<Area> = match (fill, district) {
            (Fill::Districts, Some(i)) => vec![data.districts[i].clone()],
            (Fill::Districts, None) => data.districts.clone(),
            _ => Vec::new(),
        };
        let c = if fill == Fill::Districts { counts_by_level(&counted) } else { counts_by_level(areas) };
        (c, area_title)
    };
    let title = spec.title.clone().unwrap_or_else(|| cfg.title.clone());
    let subtitle = district.map(|i| format!("{}（{}）", data.districts[i].name, data.districts[i].id));
    let sites: &[SitePoint] = if spec.sites { &data.sites } else { &[] };
    let content = MapContent {
        districts: &data.districts,
        areas,
        sites,
        fill,
        label_districts: true,
        extent,
        legend_counts: legend_counts.into(),
        legend_title,
        focus: district,
        circles: &[],
        markers: &[],
        legend_items: &[],
    };
    let text = MapText { title: &title, subtitle: subtitle.as_deref(), footer };
    sisetu_render::render(&spec.page, &cfg.style, font, &text, &content)
        .map_err(|e| Error::output(format!("map {}: {e}", spec.file)))
}
