//! The `[style]` table, the page keys (`page`, `orientation`, `dpi`, `margin_mm`) of
//! `[style]` and `[[maps]]`, and the `[[maps]]` entries.

use super::error::{Parsed, ProjectErrorKind};
use super::{values, AreaClasses, MapLayer, MapSpec};
use serde::Deserialize;
use sisetu_render::{Orientation, Page, PageSize, Rgba, Style};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPageKeys {
    page: Option<String>,
    orientation: Option<String>,
    dpi: Option<f32>,
    margin_mm: Option<f32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStyle {
    font: Option<String>,
    colors: Option<BTreeMap<String, String>>,
    no_data_color: Option<String>,
    fill_opacity: Option<f32>,
    boundary_pt: Option<f32>,
    cell_outline_pt: Option<f32>,
    site_size_pt: Option<BTreeMap<String, f32>>,
    title_pt: Option<f32>,
    label_pt: Option<f32>,
    legend_pt: Option<f32>,
    footer_pt: Option<f32>,
    #[serde(flatten)]
    page: RawPageKeys,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMap {
    pub(crate) file: String,
    layers: Vec<String>,
    title: Option<String>,
    #[serde(default)]
    per_district: bool,
    classes: Option<String>,
    breaks: Option<Vec<f64>>,
    #[serde(flatten)]
    page: RawPageKeys,
}

/// `base` with the page keys of `raw` applied; `place` (`[style]`, `[[maps]] #1 (a.png)`)
/// names the table in errors.
fn parse_page(base: &Page, raw: &RawPageKeys, place: &str) -> Parsed<Page> {
    let invalid = |message: String| ProjectErrorKind::invalid(place, message);
    let mut page = *base;
    if let Some(p) = &raw.page {
        page.size = match p.trim().to_ascii_uppercase().as_str() {
            "A4" => PageSize::A4,
            "A3" => PageSize::A3,
            other => {
                let dims: Vec<&str> = other.split(['X', '×', '*']).map(str::trim).collect();
                let [w, h] = dims.as_slice() else {
                    return Err(invalid(format!(
                        "page = \"{p}\": use \"A4\", \"A3\" or a pixel size such as \"3000x2000\""
                    )));
                };
                match (w.parse::<u32>(), h.parse::<u32>()) {
                    (Ok(w), Ok(h)) if (100..=20_000).contains(&w) && (100..=20_000).contains(&h) => {
                        PageSize::Pixels(w, h)
                    }
                    _ => {
                        return Err(invalid(format!(
                        "page = \"{p}\": width and height must be whole pixels from 100 to 20000, as in \"3000x2000\""
                    )))
                    }
                }
            }
        };
    }
    if let Some(o) = &raw.orientation {
        page.orientation = match o.trim().to_ascii_lowercase().as_str() {
            "landscape" | "横向" => Orientation::Landscape,
            "portrait" | "纵向" => Orientation::Portrait,
            _ => return Err(invalid(format!("orientation = \"{o}\": use \"landscape\" or \"portrait\""))),
        };
    }
    if let Some(d) = raw.dpi {
        if !(d.is_finite() && (30.0..=1200.0).contains(&d)) {
            return Err(invalid(format!("dpi = {d}: use a resolution from 30 to 1200 (300 for print)")));
        }
        page.dpi = d;
    }
    if let Some(m) = raw.margin_mm {
        if !(m.is_finite() && (0.0..=100.0).contains(&m)) {
            return Err(invalid(format!("margin_mm = {m}: use 0 to 100 millimetres")));
        }
        page.margin_mm = m;
    }
    Ok(page)
}

/// `[style]`: the map style, the page of maps without a page of their own, and the font
/// file as written (not yet resolved).
pub(crate) fn parse_style(raw: Option<&RawStyle>) -> Parsed<(Style, Page, Option<String>)> {
    let mut style = Style::default();
    let page = Page::default();
    let Some(r) = raw else { return Ok((style, page, None)) };
    let color = |s: &str, key: &str| {
        Rgba::parse(s).ok_or_else(|| {
            ProjectErrorKind::value(
                format!("[style] {key}"),
                format!("\"{s}\""),
                "use a hex colour such as \"#E60012\"",
            )
        })
    };
    for (k, v) in r.colors.iter().flatten() {
        let l = values::level(k, "[style] colors")?;
        style.colors[l.index()] = color(v, &format!("colors.{k}"))?;
    }
    if let Some(c) = &r.no_data_color {
        style.no_data = color(c, "no_data_color")?;
    }
    if let Some(o) = r.fill_opacity {
        if !(0.0..=1.0).contains(&o) {
            return Err(ProjectErrorKind::value("[style] fill_opacity", o, "use 0 (transparent) to 1 (opaque)"));
        }
        style.fill_opacity = o;
    }
    for (k, v) in r.site_size_pt.iter().flatten() {
        let l = values::level(k, "[style] site_size_pt")?;
        style.site_size_pt[l.index()] = *v;
    }
    let sizes = [
        ("boundary_pt", r.boundary_pt, &mut style.boundary_pt),
        ("cell_outline_pt", r.cell_outline_pt, &mut style.cell_outline_pt),
        ("title_pt", r.title_pt, &mut style.title_pt),
        ("label_pt", r.label_pt, &mut style.label_pt),
        ("legend_pt", r.legend_pt, &mut style.legend_pt),
        ("footer_pt", r.footer_pt, &mut style.footer_pt),
    ];
    for (key, value, slot) in sizes {
        if let Some(v) = value {
            if !(v.is_finite() && (0.0..=200.0).contains(&v)) {
                return Err(ProjectErrorKind::value(format!("[style] {key}"), v, "sizes are in points, from 0 to 200"));
            }
            *slot = v;
        }
    }
    for v in style.site_size_pt {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return Err(ProjectErrorKind::invalid(
                "[style] site_size_pt",
                format!("{v} is not a size in points from 0 to 100"),
            ));
        }
    }
    let page = parse_page(&page, &r.page, "[style]")?;
    Ok((style, page, r.font.clone()))
}

/// `[[maps]]`: each entry validated, file names unique; `base_page` is the `[style]` page
/// and `has_grid` whether the project has a `[management_grid]`.
pub(crate) fn parse_maps(
    raw: &[RawMap],
    base_page: &Page,
    has_grid: bool,
    has_residents: bool,
) -> Parsed<Vec<MapSpec>> {
    let mut maps = Vec::new();
    let mut files = BTreeSet::new();
    for (i, m) in raw.iter().enumerate() {
        let place = format!("[[maps]] #{} ({})", i + 1, m.file);
        let invalid = |message: &str| ProjectErrorKind::invalid(&place, message);
        if !is_png_name(&m.file) {
            return Err(invalid("file must be a plain file name ending in .png, such as \"districts.png\""));
        }
        if !files.insert(m.file.to_ascii_lowercase()) {
            return Err(invalid("the file name is used by another map"));
        }
        let (fill, sites) = parse_layers(&m.layers).map_err(|message| invalid(&message))?;
        if fill == Some(MapLayer::Grids) && !has_grid {
            return Err(invalid("layer \"grids\" needs a [management_grid] table"));
        }
        let (classes, breaks) = parse_classes(m, fill, has_residents).map_err(|message| invalid(&message))?;
        maps.push(MapSpec {
            file: m.file.clone(),
            fill,
            sites,
            title: m.title.clone(),
            per_district: m.per_district,
            classes,
            breaks,
            page: parse_page(base_page, &m.page, &place)?,
            standard: false,
        });
    }
    Ok(maps)
}

/// The maps of a project without `[[maps]]`: districts by the share of 重大/较大 sites
/// (`map_districts.png`) and by 就高 (`map_districts_highest.png`), the sites
/// (`map_sites.png`, not for a streamed census), the cells (`map_cells.png`) and, with a
/// `[management_grid]`, the grids by share (`map_grids.png`). `maps = []` draws none.
pub(crate) fn standard_maps(page: &Page, has_grid: bool) -> Vec<MapSpec> {
    let map = |file: &str, fill: Option<MapLayer>, sites: bool, classes: AreaClasses| MapSpec {
        file: file.into(),
        fill,
        sites,
        title: None,
        per_district: false,
        classes,
        breaks: None,
        page: *page,
        standard: true,
    };
    let mut maps = vec![
        map("map_districts.png", Some(MapLayer::Districts), false, AreaClasses::Share),
        map("map_districts_highest.png", Some(MapLayer::Districts), false, AreaClasses::Highest),
        map("map_sites.png", None, true, AreaClasses::default()),
        map("map_cells.png", Some(MapLayer::Cells), false, AreaClasses::default()),
    ];
    if has_grid {
        maps.push(map("map_grids.png", Some(MapLayer::Grids), false, AreaClasses::Share));
    }
    maps
}

/// A map's `classes` and `breaks`: only for a map that fills districts or grids.
fn parse_classes(
    m: &RawMap,
    fill: Option<MapLayer>,
    has_residents: bool,
) -> Result<(AreaClasses, Option<Vec<f64>>), String> {
    let areas = matches!(fill, Some(MapLayer::Districts | MapLayer::Grids));
    let classes = match m.classes.as_deref() {
        None => AreaClasses::default(),
        Some(_) if !areas => return Err("classes is for maps that fill \"districts\" or \"grids\"".into()),
        Some(c) => AreaClasses::parse(c).ok_or_else(|| {
            format!(
                "classes = \"{c}\": use \"share\" (重大、较大风险企业占比), \"density\" (企业密度), \"per_10k\" \
                 (每万人企业数) or \"highest\" (就高)"
            )
        })?,
    };
    if classes == AreaClasses::PerCapita {
        if fill != Some(MapLayer::Districts) {
            return Err(
                "classes = \"per_10k\" is for maps that fill \"districts\" (residents are known per district)".into()
            );
        }
        if !has_residents {
            return Err("classes = \"per_10k\" needs the residents of each district: name their column with \
                        population = \"…\" in [districts] (e.g. population = \"常住人口\")"
                .into());
        }
    }
    let Some(breaks) = &m.breaks else { return Ok((classes, None)) };
    if classes == AreaClasses::Highest || !areas {
        return Err("breaks is for classes = \"share\", \"density\" or \"per_10k\"".into());
    }
    let ascending = breaks.windows(2).all(|w| w[0] < w[1]);
    if breaks.is_empty() || breaks.len() > 4 || !ascending || breaks.iter().any(|b| !b.is_finite() || *b <= 0.0) {
        return Err(format!(
            "breaks = {breaks:?}: give 1 to 4 ascending numbers above 0 (percent for share, per km² for density, per 10,000 residents for per_10k), e.g. [10, 20, 30]"
        ));
    }
    Ok((classes, Some(breaks.clone())))
}

/// A map's `layers`: the filled layer (at most one) and whether sites are drawn.
fn parse_layers(layers: &[String]) -> Result<(Option<MapLayer>, bool), String> {
    if layers.is_empty() {
        return Err("layers is empty; use one or more of \"districts\", \"cells\", \"grids\", \"sites\"".into());
    }
    let mut fill = None;
    let mut sites = false;
    for l in layers {
        let layer = match l.trim() {
            "districts" => MapLayer::Districts,
            "cells" => MapLayer::Cells,
            "grids" => MapLayer::Grids,
            "sites" => MapLayer::Sites,
            other => {
                return Err(format!("unknown layer \"{other}\"; use \"districts\", \"cells\", \"grids\" or \"sites\""))
            }
        };
        if layer == MapLayer::Sites {
            sites = true;
        } else if let Some(prev) = fill.replace(layer) {
            if prev != layer {
                return Err(format!("only one filled layer per map (got {prev:?} and {layer:?}); make two maps"));
            }
        }
    }
    Ok((fill, sites))
}

/// Whether `file` is a plain file name (no folder, not hidden) ending in `.png`.
pub(crate) fn is_png_name(file: &str) -> bool {
    // Windows device names (`CON.png` is the console there, `NUL.png` nothing at all) and
    // `:` (an NTFS alternate data stream) cannot be output files anywhere.
    const DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];
    let lower = file.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    let numbered_device =
        (stem.starts_with("com") || stem.starts_with("lpt")) && stem.len() == 4 && stem.as_bytes()[3].is_ascii_digit();
    lower.ends_with(".png")
        && !file.contains(['/', '\\', ':'])
        && !file.starts_with('.')
        && !DEVICES.contains(&stem)
        && !numbered_device
}
