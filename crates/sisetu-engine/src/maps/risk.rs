//! The risk maps of the project's `[[maps]]` entries: districts, cells or management grids
//! filled with their level, and the sites as points, one PNG per entry (or per district).

use super::classes;
use super::common::{counts_by_level, footer, load_font, map_files, write_rendered};
use super::MapData;
use crate::error::{Error, Result};
use crate::planned::Planned;
use crate::project::{AreaClasses, Config, MapLayer, MapSpec};
use geo::{BoundingRect, Coord, Rect};
use rayon::prelude::*;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{Area, Fill, Font, LegendItem, MapContent, MapText, Rendered, SitePoint};

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

/// Every file the project's `[[maps]]` write (with their world files and `.prj`), for the
/// [`OutputPlan`](crate::outputs::OutputPlan); `district_ids` name the per-district maps.
pub fn planned_files(cfg: &Config, district_ids: &[&str], work: Crs) -> Vec<Planned> {
    let mut files = Vec::new();
    for spec in &cfg.maps {
        let by = format!("[[maps]] file = \"{}\"", spec.file);
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
    let values: Vec<Option<f64>> =
        layer.iter().map(|a| spec.classes.value(&a.counts, a.geometry.unsigned_area() / 1e6)).collect();
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
    let classified = classify(cfg, spec, data);
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
        markers: &[],
        legend_items,
    };
    let text = MapText { title: &title, subtitle: subtitle.as_deref(), footer };
    sisetu_render::render(&spec.page, &cfg.style, font, &text, &content)
        .map_err(|e| Error::output(format!("map {}: {e}", spec.file)))
}
