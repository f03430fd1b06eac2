//! Maps: from summaries (in memory after a build, or read back from the output folder by
//! `sisetu render`) to the PNG maps named in the project's `[[maps]]` entries, each with a
//! world file (`.pgw`) and a `.prj` so that it drops into QGIS in the right place.

use crate::project::{Config, MapLayer, MapSpec};
use anyhow::{anyhow, bail, Context, Result};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;
use sisetu_core::{RegularGrid, RiskLevel};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::Staging;
use sisetu_render::{Area, Fill, Font, MapContent, MapText, Rendered, SitePoint};
use std::path::Path;

/// Everything the maps draw, in the working CRS.
#[derive(Debug, Clone, Default)]
pub struct MapData {
    /// Districts with their level and counts.
    pub districts: Vec<Area>,
    /// Non-empty regular cells.
    pub cells: Vec<Area>,
    /// Management grids (empty without a grid layer).
    pub grids: Vec<Area>,
    /// Accepted sites.
    pub sites: Vec<SitePoint>,
}

/// Loads the project's font: the file named in `[style] font`, or the vendored one.
pub fn load_font(cfg: &Config) -> Result<Font> {
    match &cfg.font {
        None => Ok(Font::vendored()),
        Some(p) => Font::from_file(p).map_err(|e| anyhow!("[style] font: {e}")),
    }
}

fn counts_by_level(areas: &[Area]) -> [u64; 4] {
    let mut c = [0u64; 4];
    for a in areas {
        if let Some(l) = a.level {
            c[l.index()] += 1;
        }
    }
    c
}

pub(crate) fn footer(cfg: &Config, work: Crs) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(s) = &cfg.source {
        lines.push(format!("数据来源：{s}"));
    }
    if let Some(d) = &cfg.census_date {
        lines.push(format!("普查日期：{d}"));
    }
    lines.push(format!("坐标系：{} ({work})", work.description()));
    lines.push(format!("制图：sisetu {}", env!("CARGO_PKG_VERSION")));
    lines
}

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

/// Writes a rendered map as `file` with its world file (`.pgw`) and, when the CRS has an
/// ESRI WKT, its `.prj`; returns the names written.
pub(crate) fn write_rendered(stage: &mut Staging, file: &str, map: &Rendered, work: Crs) -> Result<Vec<String>> {
    let mut written = Vec::new();
    std::fs::write(stage.path(file), &map.png).with_context(|| format!("writing {file}"))?;
    let stem = file.trim_end_matches(".png").trim_end_matches(".PNG");
    let pgw = format!("{stem}.pgw");
    std::fs::write(stage.path(&pgw), &map.world_file).with_context(|| format!("writing {pgw}"))?;
    written.push(file.to_string());
    written.push(pgw);
    if let Some(prj) = work.esri_wkt() {
        let name = format!("{stem}.prj");
        std::fs::write(stage.path(&name), prj).with_context(|| format!("writing {name}"))?;
        written.push(name);
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
            Some(i) => c = data.districts[i].counts,
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
        legend_counts,
        legend_title,
        focus: district,
        circles: &[],
        markers: &[],
        legend_items: &[],
    };
    let text = MapText { title: &title, subtitle: subtitle.as_deref(), footer };
    sisetu_render::render(&spec.page, &cfg.style, font, &text, &content).map_err(|e| anyhow!("map {}: {e}", spec.file))
}

// ---------------------------------------------------------------------------------------
// Reading the outputs back (`sisetu render`).

#[derive(serde::Deserialize)]
struct Fc<G> {
    features: Vec<Feature<G>>,
}

#[derive(serde::Deserialize)]
struct Feature<G> {
    properties: serde_json::Map<String, serde_json::Value>,
    geometry: Option<G>,
}

#[derive(serde::Deserialize)]
struct PointGeom {
    coordinates: Vec<f64>,
}

#[derive(serde::Deserialize)]
struct PolyGeom {
    #[serde(rename = "type")]
    kind: String,
    coordinates: serde_json::Value,
}

fn read_fc<G: serde::de::DeserializeOwned>(path: &Path) -> Result<Fc<G>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read it; run `sisetu build` first to make the outputs", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not a sisetu GeoJSON output", path.display()))
}

fn level_of(p: &serde_json::Map<String, serde_json::Value>) -> Option<RiskLevel> {
    p.get("level").and_then(|v| v.as_str()).and_then(|s| s.parse().ok())
}

fn counts_of(p: &serde_json::Map<String, serde_json::Value>) -> [u64; 4] {
    let n = |k: &str| p.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    [n("n_red"), n("n_orange"), n("n_yellow"), n("n_blue")]
}

fn ring_of(v: &serde_json::Value, t: &Transformer) -> Result<LineString<f64>> {
    let pts = v.as_array().ok_or_else(|| anyhow!("a ring is not an array"))?;
    pts.iter()
        .map(|p| {
            let (x, y) = (p.get(0).and_then(serde_json::Value::as_f64), p.get(1).and_then(serde_json::Value::as_f64));
            match (x, y) {
                (Some(x), Some(y)) => t.transform(x, y).map(|(x, y)| Coord { x, y }).map_err(|e| anyhow!("{e}")),
                _ => Err(anyhow!("a position is not [lon, lat]")),
            }
        })
        .collect::<Result<Vec<_>>>()
        .map(LineString)
}

fn polygon_of(v: &serde_json::Value, t: &Transformer) -> Result<Polygon<f64>> {
    let rings = v.as_array().ok_or_else(|| anyhow!("a polygon is not an array of rings"))?;
    let (outer, holes) = rings.split_first().ok_or_else(|| anyhow!("a polygon has no ring"))?;
    Ok(Polygon::new(ring_of(outer, t)?, holes.iter().map(|h| ring_of(h, t)).collect::<Result<_>>()?))
}

fn areas_from(path: &Path, t: &Transformer) -> Result<Vec<Area>> {
    let fc: Fc<PolyGeom> = read_fc(path)?;
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let g = f.geometry.ok_or_else(|| anyhow!("{}: feature {} has no geometry", path.display(), i + 1))?;
            let geometry = match g.kind.as_str() {
                "Polygon" => MultiPolygon(vec![polygon_of(&g.coordinates, t)?]),
                "MultiPolygon" => MultiPolygon(
                    g.coordinates
                        .as_array()
                        .ok_or_else(|| anyhow!("bad MultiPolygon"))?
                        .iter()
                        .map(|p| polygon_of(p, t))
                        .collect::<Result<_>>()?,
                ),
                other => bail!("{}: feature {} is a {other}", path.display(), i + 1),
            };
            let text = |k: &str| f.properties.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            Ok(Area {
                id: text(if f.properties.contains_key("cell_id") { "cell_id" } else { "id" }),
                name: text("name"),
                geometry,
                level: level_of(&f.properties),
                counts: counts_of(&f.properties),
                color: None,
            })
        })
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("{}: cannot read the areas back", path.display()))
}

/// Reads what the maps need from a build's output folder.
pub fn load_map_data(cfg: &Config, out: &Path) -> Result<(MapData, Crs)> {
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("report.json"))
            .with_context(|| format!("{}: no report.json; run `sisetu build` first", out.display()))?,
    )
    .with_context(|| format!("{}: report.json is not JSON", out.display()))?;
    let work: Crs = report["working_crs"]
        .as_str()
        .ok_or_else(|| anyhow!("{}: report.json has no working_crs", out.display()))?
        .parse()
        .map_err(|e| anyhow!("report.json working_crs: {e}"))?;
    let cell_size = report["cell_size_m"].as_f64().unwrap_or(cfg.cell_size_m);
    let t = Transformer::new(Crs::Wgs84, work).map_err(|e| anyhow!("{e}"))?;
    let needs = |l: MapLayer| cfg.maps.iter().any(|m| m.fill == Some(l));
    let districts = areas_from(&out.join("districts.geojson"), &t)?;
    let grids = if needs(MapLayer::Grids) { areas_from(&out.join("grids.geojson"), &t)? } else { Vec::new() };
    let cells = if needs(MapLayer::Cells) {
        // Cells are rebuilt exactly from their column and row, not from rounded corners.
        let grid = RegularGrid::new(cell_size).ok_or_else(|| anyhow!("report.json: bad cell_size_m {cell_size}"))?;
        let fc: Fc<serde_json::Value> = read_fc(&out.join("cells.geojson"))?;
        fc.features
            .into_iter()
            .map(|f| {
                let p = &f.properties;
                let (col, row) = (
                    p.get("col").and_then(serde_json::Value::as_i64),
                    p.get("row").and_then(serde_json::Value::as_i64),
                );
                let (Some(col), Some(row)) = (col, row) else { bail!("cells.geojson: a cell has no col/row") };
                let cell = sisetu_core::CellId { col, row };
                Ok(cell_area(&grid, cell, level_of(p), counts_of(p)))
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    let sites = if cfg.maps.iter().any(|m| m.sites) {
        let fc: Fc<PointGeom> = read_fc(&out.join("sites.geojson"))?;
        fc.features
            .par_iter()
            .filter_map(|f| {
                let level = level_of(&f.properties)?;
                let c = &f.geometry.as_ref()?.coordinates;
                let (x, y) = t.transform(*c.first()?, *c.get(1)?).ok()?;
                Some(SitePoint { x, y, level })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((MapData { districts, cells, grids, sites }, work))
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
        counts,
        color: None,
    }
}
