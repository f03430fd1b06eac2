//! The risk maps of the project's `[[maps]]` entries: districts, cells or management grids
//! filled with their level, and the sites as points, one PNG per entry (or per district).

use super::classes;
use super::common::{cell_area, counts_by_level, footer, load_font, map_files, write_rendered};
use super::{coarsen, MapCell, MapData};
use crate::error::{Error, Result};
use crate::planned::Planned;
use crate::project::{AreaClasses, Config, MapLayer, MapSpec};
use geo::{BoundingRect, Coord, Rect};
use rayon::prelude::*;
use sisetu_core::RegularGrid;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{Area, Fill, Font, LegendItem, MapContent, MapText, Rendered, SitePoint};

/// Renders every map of the project drawn for a census streamed or not (`streamed`, see
/// [`MapSpec::drawn`]) into `stage`; returns the file names written.
pub fn render_maps(
    cfg: &Config,
    data: &MapData,
    work: Crs,
    streamed: bool,
    stage: &mut Staging,
) -> Result<Vec<String>> {
    if !cfg.maps.iter().any(|m| m.drawn(streamed)) {
        return Ok(Vec::new());
    }
    let font = load_font(cfg)?;
    let footer = footer(cfg, work);
    let mut written = Vec::new();
    for spec in cfg.maps.iter().filter(|m| m.drawn(streamed)) {
        let jobs: Vec<(String, Option<usize>)> = if spec.per_district {
            let ids: Vec<&str> = data.districts.iter().map(|d| d.id.as_str()).collect();
            district_files(&spec.file, &ids).into_iter().enumerate().map(|(i, f)| (f, Some(i))).collect()
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

/// Every file the project's maps write (with their world files and `.prj`), for the
/// [`OutputPlan`](crate::outputs::OutputPlan); `district_ids` name the per-district maps,
/// `streamed` says whether the census is streamed ([`MapSpec::drawn`]).
pub fn planned_files(cfg: &Config, district_ids: &[&str], work: Crs, streamed: bool) -> Vec<Planned> {
    let mut files = Vec::new();
    for spec in cfg.maps.iter().filter(|m| m.drawn(streamed)) {
        let by = if spec.standard {
            format!("the standard map {} (no [[maps]] in the project)", spec.file)
        } else {
            format!("[[maps]] file = \"{}\"", spec.file)
        };
        let pngs = if spec.per_district { district_files(&spec.file, district_ids) } else { vec![spec.file.clone()] };
        for png in pngs {
            files.extend(map_files(&png, work).into_iter().map(|f| Planned::new(f, by.clone())));
        }
    }
    files
}

/// The longest district id (in bytes) used as it is in a file name.
const MAX_PLAIN_ID_BYTES: usize = 48;
/// How much of a long or unsafe id is kept before its hash.
const KEPT_ID_BYTES: usize = 32;

/// The file names of a per-district map `file` for districts `ids`, in the same order:
/// `{stem}_{id}.png`.
///
/// An id is used as it is when it is made of letters, digits, `-` and `_`, has at most 48
/// bytes, and no other id gives the same name ignoring case (as Windows compares names).
/// Any other id becomes its safe characters (others replaced by `_`) cut to 32 bytes,
/// then `-` and the first 8 hexadecimal digits of the SHA-256 of the id: `a/b` and `a_b`
/// get different files, and a 100-character Chinese id a name of bounded length. The map
/// itself shows the district's name; report.json lists every file.
pub fn district_files(file: &str, ids: &[&str]) -> Vec<String> {
    let stem = file.trim_end_matches(".png").trim_end_matches(".PNG");
    let safe = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let plain = |id: &str| !id.is_empty() && id.len() <= MAX_PLAIN_ID_BYTES && id.chars().all(safe);
    let mut count: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for id in ids.iter().filter(|id| plain(id)) {
        *count.entry(id.to_lowercase()).or_default() += 1;
    }
    ids.iter()
        .map(|id| {
            if plain(id) && count.get(&id.to_lowercase()) == Some(&1) {
                return format!("{stem}_{id}.png");
            }
            let mut kept = String::new();
            for c in id.chars().map(|c| if safe(c) { c } else { '_' }) {
                if kept.len() + c.len_utf8() > KEPT_ID_BYTES {
                    break;
                }
                kept.push(c);
            }
            let hash = sisetu_io::hash::sha256_hex(id.as_bytes());
            format!("{stem}_{kept}-{}.png", &hash[..8])
        })
        .collect()
}

/// The filled districts or grids of `spec` coloured by its classes, with the legend rows
/// (`None`: the map colours by level: `classes = "highest"`, another layer, or sites drawn).
fn classify(cfg: &Config, spec: &MapSpec, data: &MapData) -> Option<(Vec<Area>, Vec<LegendItem>)> {
    use geo::Area as _;
    let layer = match spec.fill {
        Some(MapLayer::Districts) => &data.districts,
        Some(MapLayer::Grids) => &data.grids,
        _ => return None,
    };
    // With the sites drawn the legend counts them by level, so the areas keep their level.
    if spec.classes == AreaClasses::Highest || spec.sites {
        return None;
    }
    let residents =
        |i: usize| if spec.fill == Some(MapLayer::Districts) { data.residents.get(i).copied().flatten() } else { None };
    let values: Vec<Option<f64>> = layer
        .iter()
        .enumerate()
        .map(|(i, a)| spec.classes.value(&a.counts, a.geometry.unsigned_area() / 1e6, residents(i)))
        .collect();
    let breaks = match &spec.breaks {
        Some(b) => b.clone(),
        None => classes::quantile_breaks(&values.iter().flatten().copied().collect::<Vec<_>>()),
    };
    let colours = classes::colours(breaks.len() + 1);
    let mut counts = vec![0u64; breaks.len() + 1];
    let mut no_data = 0u64;
    let painted = layer
        .iter()
        .zip(&values)
        .map(|(a, v)| {
            let color = match v {
                Some(v) => {
                    let k = classes::class_of(*v, &breaks);
                    counts[k] += 1;
                    colours[k]
                }
                None => {
                    no_data += 1;
                    cfg.style.no_data
                }
            };
            Area { color: Some(color), ..a.clone() }
        })
        .collect();
    Some((painted, classes::legend(spec.classes, &breaks, &counts, (cfg.style.no_data, no_data))))
}

fn render_one(
    cfg: &Config,
    spec: &MapSpec,
    data: &MapData,
    font: &Font,
    footer: &[String],
    district: Option<usize>,
) -> Result<Rendered> {
    let map_err = |e: sisetu_render::RenderError| Error::output(format!("map {}: {e}", spec.file));
    let classified = classify(cfg, spec, data);
    let extent: Option<Rect<f64>> = district.and_then(|i| {
        data.districts[i].geometry.bounding_rect().map(|r| {
            let pad = (r.width().max(r.height())) * 0.04;
            Rect::new(
                Coord { x: r.min().x - pad, y: r.min().y - pad },
                Coord { x: r.max().x + pad, y: r.max().y + pad },
            )
        })
    });
    let title = spec.title.clone().unwrap_or_else(|| cfg.title.clone());
    let subtitle = district.map(|i| format!("{}（{}）", data.districts[i].name, data.districts[i].id));
    let cells = match spec.fill {
        Some(MapLayer::Cells) => {
            let text = MapText { title: &title, subtitle: subtitle.as_deref(), footer };
            let frame = MapContent { extent, ..MapContent::new(&data.districts) };
            Some(cell_layer(cfg, spec, data, font, &text, &frame).map_err(map_err)?)
        }
        _ => None,
    };
    let mut footer = footer.to_vec();
    let (fill, areas, area_title): (Fill, &[Area], String) = match (spec.fill, &cells) {
        (Some(MapLayer::Districts), _) => (Fill::Districts, &[], "区县风险等级（个）".into()),
        (Some(MapLayer::Cells), Some(c)) => {
            footer.extend(c.note.clone());
            (Fill::Areas, &c.areas, c.legend_title.clone())
        }
        (Some(MapLayer::Grids), _) => (Fill::Areas, &data.grids, "管理网格风险等级（个）".into()),
        _ => (Fill::None, &[], String::new()),
    };
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
        (c, area_title.as_str())
    };
    let sites: &[SitePoint] = if spec.sites { &data.sites } else { &[] };
    let (districts, areas, legend_items, legend_title): (&[Area], &[Area], &[LegendItem], &str) = match &classified {
        Some((painted, items)) if spec.fill == Some(MapLayer::Districts) => {
            (painted, areas, items, spec.classes.legend_title(false))
        }
        Some((painted, items)) => (&data.districts, painted, items, spec.classes.legend_title(true)),
        None => (&data.districts, areas, &[], legend_title),
    };
    let content = MapContent {
        districts,
        areas,
        sites,
        fill,
        label_districts: true,
        extent,
        legend_counts: legend_counts.into(),
        legend_title,
        focus: district,
        circles: &[],
        lines: &[],
        markers: &[],
        legend_items,
    };
    let text = MapText { title: &title, subtitle: subtitle.as_deref(), footer: &footer };
    sisetu_render::render(&spec.page, &cfg.style, font, &text, &content).map_err(map_err)
}

/// The cells of a cell map as drawn: merged into blocks when they would be specks at the
/// map's scale ([`coarsen`]), with the legend title and the footer line that say so.
struct CellLayer {
    areas: Vec<Area>,
    legend_title: String,
    note: Option<String>,
}

/// The cell layer of `spec` on the page `text` and `frame` (the districts and the extent)
/// lay out. The scale is measured with the footer one line longer, as the map is drawn
/// when the cells are merged (the frame's height depends only on the number of lines).
fn cell_layer(
    cfg: &Config,
    spec: &MapSpec,
    data: &MapData,
    font: &Font,
    text: &MapText,
    frame: &MapContent,
) -> std::result::Result<CellLayer, sisetu_render::RenderError> {
    let title = "网格单元风险等级（个）".to_string();
    let Some(grid) = data.grid else { return Ok(CellLayer { areas: Vec::new(), legend_title: title, note: None }) };
    let mut longer = text.footer.to_vec();
    longer.push(String::new());
    let measured = MapText { footer: &longer, ..*text };
    let k = coarsen::factor(grid.size(), sisetu_render::metres_per_mm(&spec.page, &cfg.style, font, &measured, frame)?);
    let area = |grid: &RegularGrid, c: &MapCell| cell_area(grid, c.cell, c.level, c.counts);
    if k == 1 {
        let areas = data.cells.iter().map(|c| area(&grid, c)).collect();
        return Ok(CellLayer { areas, legend_title: title, note: None });
    }
    let (blocks, merged) = coarsen::merge(grid, &data.cells, k, &cfg.aggregation);
    let (cell, block) = (coarsen::length_text(grid.size()), coarsen::length_text(blocks.size()));
    Ok(CellLayer {
        areas: merged.iter().map(|c| area(&blocks, c)).collect(),
        legend_title: format!("{block} 方格风险等级（个）"),
        note: Some(format!(
            "{cell} 网格单元在本图比例尺下过小，每 {k} 行 {k} 列合并为一个 {block} 方格显示，方格等级按汇总规则由其中\
             企业确定；逐个单元见输出的 cells 图层"
        )),
    })
}
