//! The `[population]` and `[[facilities]]` sections of the project file: raw TOML shapes and
//! their validation (see `docs/project-file.md`, "Facility coverage").

use super::error::{Parsed, ProjectErrorKind};
use super::values::{self, Base};
use serde::Deserialize;
use sisetu_core::Extent;
use sisetu_io::crs::Crs;
use sisetu_io::table::TableSpec;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPopulation {
    table: Option<String>,
    points: Option<String>,
    crs: Option<String>,
    code: Option<String>,
    count: Option<String>,
    x: Option<String>,
    y: Option<String>,
    encoding: Option<String>,
    sheet: Option<String>,
    header_row: Option<i64>,
    cell_size_m: Option<f64>,
    weights: Option<RawWeights>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeights {
    path: String,
    crs: String,
    weight: Option<String>,
    x: Option<String>,
    y: Option<String>,
    encoding: Option<String>,
    sheet: Option<String>,
    header_row: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClass {
    radius_m: f64,
    m2_per_person: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSiting {
    count: usize,
    class: Option<String>,
    radius_m: Option<f64>,
    candidates: Option<String>,
    crs: Option<String>,
    name: Option<String>,
    x: Option<String>,
    y: Option<String>,
    encoding: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTownships {
    path: String,
    crs: String,
    id: Option<String>,
    name: Option<String>,
    encoding: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFacilities {
    id: String,
    kind: Option<String>,
    title: Option<String>,
    path: String,
    crs: String,
    name: Option<String>,
    class: Option<String>,
    area: Option<String>,
    capacity: Option<String>,
    x: Option<String>,
    y: Option<String>,
    encoding: Option<String>,
    sheet: Option<String>,
    header_row: Option<i64>,
    radius_m: Option<f64>,
    m2_per_person: Option<f64>,
    target_m2_per_person: Option<f64>,
    coverage_target: Option<f64>,
    #[serde(default)]
    classes: BTreeMap<String, RawClass>,
    siting: Option<RawSiting>,
    townships: Option<RawTownships>,
    #[serde(default)]
    maps: Vec<RawDetailMap>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDetailMap {
    file: String,
    extent: [f64; 4],
    title: Option<String>,
}

/// An extra coverage map zoomed to an extent (e.g. the urban core), `[[facilities.maps]]`.
#[derive(Debug, Clone)]
pub struct DetailMap {
    /// Output file (`.png`).
    pub file: String,
    /// The frame in CGCS2000/WGS84 degrees (longitude x, latitude y).
    pub extent: Extent,
    /// Title (default: the layer's map title).
    pub title: Option<String>,
}

/// A table or point file with its CRS (for point files) and column choices.
#[derive(Debug, Clone)]
pub struct PointSource {
    /// Where and how to read it.
    pub table: TableSpec,
    /// Its coordinate system.
    pub crs: Crs,
    /// Longitude / easting column (default 经度, lon, lng, x).
    pub x: Option<String>,
    /// Latitude / northing column (default 纬度, lat, y).
    pub y: Option<String>,
}

/// Where the population comes from.
#[derive(Debug, Clone)]
pub enum PopulationSource {
    /// A table of persons per district, joined on the district id, spread over the
    /// population grid (uniformly, or in proportion to `weights`).
    Table {
        /// The table.
        table: TableSpec,
        /// Column with the district code (default 区划代码, code, adcode, 行政区划代码).
        code: Option<String>,
        /// Column with persons (default 人口数_合计, 人口, 常住人口, population).
        count: Option<String>,
        /// Weight points; `None` = uniform over each district's area.
        weights: Option<(PointSource, Option<String>)>,
    },
    /// Population points (or cell centres) with a count each.
    Points {
        /// The points.
        source: PointSource,
        /// Column with persons.
        count: Option<String>,
    },
}

/// `[population]`, validated.
#[derive(Debug, Clone)]
pub struct PopulationConfig {
    /// Where the persons come from.
    pub source: PopulationSource,
    /// Population grid cell size (m).
    pub cell_size_m: f64,
}

/// Whether a facility layer has capacities and per-capita areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacilityKind {
    /// Emergency shelters: effective area, capacity, m² per resident against a target.
    Shelter,
    /// Any other facility (fire stations, reserve depots): service radius, optional capacity.
    Service,
}

/// A facility class: service radius and area per person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacilityClass {
    /// Service radius (m).
    pub radius_m: f64,
    /// Effective area a person needs (m²); capacity = area ÷ this.
    pub m2_per_person: Option<f64>,
}

/// Siting of new facilities.
#[derive(Debug, Clone)]
pub struct SitingConfig {
    /// How many to pick.
    pub count: usize,
    /// Service radius of a new facility (m).
    pub radius_m: f64,
    /// The class it would have (for the output).
    pub class: Option<String>,
    /// Candidate locations; `None` = the centres of populated cells.
    pub candidates: Option<(PointSource, Option<String>)>,
}

/// A polygon layer of townships (乡镇/街道) that must each have a facility.
#[derive(Debug, Clone)]
pub struct TownshipConfig {
    /// The polygons.
    pub layer: sisetu_io::zones::ZoneLayerSpec,
    /// Their CRS.
    pub crs: Crs,
}

/// One `[[facilities]]` entry, validated.
#[derive(Debug, Clone)]
pub struct FacilityConfig {
    /// Layer id (lowercase ASCII, a singular noun: `shelter`, `fire_station`); outputs are
    /// `<id>s.geojson`, `<id>_summary.csv`, `<id>_coverage.png`.
    pub id: String,
    /// Shelter or service.
    pub kind: FacilityKind,
    /// Display name, e.g. 应急避难场所.
    pub title: String,
    /// The facilities.
    pub source: PointSource,
    /// Name column.
    pub name: Option<String>,
    /// Class column.
    pub class: Option<String>,
    /// Effective-area column (m²).
    pub area: Option<String>,
    /// Capacity column (persons).
    pub capacity: Option<String>,
    /// Classes by name (defaults for shelters: GB 50413-2007), merged with the project's.
    pub classes: BTreeMap<String, FacilityClass>,
    /// Radius of every facility when the layer has no class column.
    pub radius_m: Option<f64>,
    /// m² a person for rows without a class (shelters without a class column).
    pub m2_per_person: Option<f64>,
    /// Per-capita area target (m² per resident), shelters only.
    pub target_m2_per_person: Option<f64>,
    /// Share of the population to cover (0–1).
    pub coverage_target: Option<f64>,
    /// New sites to suggest.
    pub siting: Option<SitingConfig>,
    /// Townships that must each have a facility.
    pub townships: Option<TownshipConfig>,
    /// Extra maps zoomed to an extent.
    pub maps: Vec<DetailMap>,
}

impl FacilityConfig {
    /// File name of the facilities with their loads.
    pub fn features_file(&self) -> String {
        format!("{}s.geojson", self.id)
    }
    /// File name of the per-district table.
    pub fn summary_file(&self) -> String {
        format!("{}_summary.csv", self.id)
    }
    /// File name of the coverage map.
    pub fn map_file(&self) -> String {
        format!("{}_coverage.png", self.id)
    }
    /// File name of the township table.
    pub fn townships_file(&self) -> String {
        format!("{}_townships.csv", self.id)
    }

    /// The class a label names: exactly, or after dropping a suffix such as 避难场所,
    /// 避震疏散场所 or 场所 (紧急避难场所 → 紧急).
    pub fn class_of(&self, label: &str) -> Option<(&str, FacilityClass)> {
        let label = label.trim();
        if let Some((k, c)) = self.classes.get_key_value(label) {
            return Some((k.as_str(), *c));
        }
        for suffix in ["应急避难场所", "避难场所", "避震疏散场所", "疏散场所", "场所", "类场所"]
        {
            if let Some(stem) = label.strip_suffix(suffix) {
                if let Some((k, c)) = self.classes.get_key_value(stem.trim()) {
                    return Some((k.as_str(), *c));
                }
            }
        }
        None
    }
}

/// GB 50413-2007 shelter classes: 紧急 500 m and 1 m² a person; 固定 2,000 m (the lower end
/// of its 2–3 km) and 2 m²; 中心 (a large fixed shelter) 3,000 m and 2 m².
pub const GB50413_CLASSES: [(&str, f64, f64); 3] = [("紧急", 500.0, 1.0), ("固定", 2000.0, 2.0), ("中心", 3000.0, 2.0)];

/// `v` when it is a finite number above 0 and at most 1,000 km / 1,000,000 (larger values
/// are typos: metres for millimetres); else an error naming `key` with `hint`.
fn check_positive(v: f64, key: &str, hint: &str) -> Parsed<f64> {
    if v.is_finite() && v > 0.0 && v <= 1e6 {
        Ok(v)
    } else {
        Err(ProjectErrorKind::value(key, v, format!("{hint} (at most 1000000)")))
    }
}

/// A table file; `keys` name its `encoding` and `header_row` keys in errors.
pub(crate) fn table(
    base: Base,
    path: &str,
    encoding: Option<&str>,
    (sheet, header_row): (Option<&String>, Option<i64>),
    [encoding_key, header_row_key]: [&str; 2],
) -> Parsed<TableSpec> {
    let path = base.path(path);
    Ok(TableSpec {
        display: path.display().to_string(),
        path,
        encoding: values::encoding(encoding, encoding_key)?,
        sheet: sheet.cloned(),
        header_row: values::header_row(header_row, header_row_key)?,
    })
}

/// `[population]`; `default_cell` is the `[grid]` cell size.
pub(crate) fn parse_population(raw: &RawPopulation, base: Base, default_cell: f64) -> Parsed<PopulationConfig> {
    let cell_size_m = match raw.cell_size_m {
        None => default_cell,
        Some(v) if v.is_finite() && v >= 10.0 => v,
        Some(v) => {
            return Err(ProjectErrorKind::value(
                "[population] cell_size_m",
                v,
                "use a cell size of at least 10 metres (250 or 500 is usual)",
            ))
        }
    };
    let source = match (&raw.table, &raw.points) {
        (Some(_), Some(_)) | (None, None) => return Err(ProjectErrorKind::invalid(
            "[population]",
            "give either table = \"…\" (persons per district, joined on the district id) or points = \"…\" (population points with a count), not both",
        )),
        (Some(t), None) => population_table(raw, t, base)?,
        (None, Some(p)) => population_points(raw, p, base)?,
    };
    Ok(PopulationConfig { source, cell_size_m })
}

/// `[population] table = "…"` with its optional `[population.weights]`.
fn population_table(raw: &RawPopulation, path: &str, base: Base) -> Parsed<PopulationSource> {
    if raw.crs.is_some() || raw.x.is_some() || raw.y.is_some() {
        return Err(ProjectErrorKind::invalid(
            "[population]",
            "crs, x and y belong to points = \"…\"; a per-district table has no coordinates (put weight points in [population.weights])",
        ));
    }
    let weights = match &raw.weights {
        None => None,
        Some(w) => Some((
            PointSource {
                table: table(
                    base,
                    &w.path,
                    w.encoding.as_deref(),
                    (w.sheet.as_ref(), w.header_row),
                    ["[population.weights] encoding", "[population.weights] header_row"],
                )?,
                crs: values::crs(&w.crs, "[population.weights] crs")?,
                x: w.x.clone(),
                y: w.y.clone(),
            },
            w.weight.clone(),
        )),
    };
    Ok(PopulationSource::Table {
        table: population_file(raw, path, base)?,
        code: raw.code.clone(),
        count: raw.count.clone(),
        weights,
    })
}

/// The file of `[population]` (a per-district table or points).
fn population_file(raw: &RawPopulation, path: &str, base: Base) -> Parsed<TableSpec> {
    table(
        base,
        path,
        raw.encoding.as_deref(),
        (raw.sheet.as_ref(), raw.header_row),
        ["[population] encoding", "[population] header_row"],
    )
}

/// `[population] points = "…"`.
fn population_points(raw: &RawPopulation, path: &str, base: Base) -> Parsed<PopulationSource> {
    if raw.weights.is_some() || raw.code.is_some() {
        return Err(ProjectErrorKind::invalid(
            "[population]",
            "weights and code apply to a per-district table, not to population points",
        ));
    }
    let Some(crs) = raw.crs.as_deref() else {
        return Err(ProjectErrorKind::invalid(
            "[population]",
            format!("points = \"{path}\" needs crs = \"…\" (e.g. \"EPSG:4490\" or \"GCJ-02\")"),
        ));
    };
    Ok(PopulationSource::Points {
        source: PointSource {
            table: population_file(raw, path, base)?,
            crs: values::crs(crs, "[population] crs")?,
            x: raw.x.clone(),
            y: raw.y.clone(),
        },
        count: raw.count.clone(),
    })
}

/// `[[facilities]]`: every layer validated, and no two outputs with one name.
pub(crate) fn parse_facilities(raw: &[RawFacilities], base: Base, has_population: bool) -> Parsed<Vec<FacilityConfig>> {
    let mut out: Vec<FacilityConfig> = Vec::new();
    for (i, f) in raw.iter().enumerate() {
        let place = format!("[[facilities]] #{} ({})", i + 1, f.id);
        check_id(f, &place, &out)?;
        if !has_population {
            return Err(ProjectErrorKind::invalid(
                &place,
                "coverage needs a [population] section (a per-district table or population points)",
            ));
        }
        out.push(parse_facility(f, &place, base)?);
    }
    Ok(out)
}

/// The id names the outputs: lowercase ASCII, not used by an earlier layer.
fn check_id(f: &RawFacilities, place: &str, earlier: &[FacilityConfig]) -> Parsed<()> {
    if f.id.is_empty()
        || !f.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        || !f.id.as_bytes()[0].is_ascii_lowercase()
    {
        return Err(ProjectErrorKind::invalid(
            place,
            "id must be lowercase ASCII letters, digits and _ (a singular noun such as \"shelter\" or \"fire_station\"); it names the output files",
        ));
    }
    if earlier.iter().any(|o| o.id == f.id) {
        return Err(ProjectErrorKind::invalid(
            place,
            format!("id \"{}\" is used by another [[facilities]] entry", f.id),
        ));
    }
    Ok(())
}

/// One `[[facilities]]` entry; `place` names it in errors.
fn parse_facility(f: &RawFacilities, place: &str, base: Base) -> Parsed<FacilityConfig> {
    let kind = match f.kind.as_deref().map(str::trim) {
        None | Some("shelter" | "避难场所") => FacilityKind::Shelter,
        Some("service" | "facility") => FacilityKind::Service,
        Some(k) => return Err(ProjectErrorKind::invalid(
            place,
            format!("kind = \"{k}\": use \"shelter\" (area, capacity, m² per resident) or \"service\" (radius coverage, e.g. fire stations)"),
        )),
    };
    let classes = parse_classes(&f.classes, kind, place)?;
    let radius_m = match f.radius_m {
        Some(r) => Some(check_positive(r, &format!("{place} radius_m"), "a service radius in metres, > 0")?),
        None => None,
    };
    if kind == FacilityKind::Service && classes.is_empty() && radius_m.is_none() {
        return Err(ProjectErrorKind::invalid(
            place,
            "give radius_m (e.g. a 5-minute fire-station response as a radius) or [facilities.classes]",
        ));
    }
    let target_m2_per_person = parse_targets(f, kind, place)?;
    let coverage_target = match f.coverage_target {
        Some(t) if (0.0..=1.0).contains(&t) && t > 0.0 => Some(t),
        Some(t) => {
            return Err(ProjectErrorKind::value(
                format!("{place} coverage_target"),
                t,
                "a share of the population above 0 and at most 1, e.g. 0.7 for 70 %",
            ))
        }
        None => None,
    };
    let siting = f.siting.as_ref().map(|s| parse_siting(s, place, &classes, radius_m, base)).transpose()?;
    let townships = f.townships.as_ref().map(|t| parse_townships(t, place, base)).transpose()?;
    let maps = parse_detail_maps(&f.maps, place)?;
    let source = PointSource {
        table: table(
            base,
            &f.path,
            f.encoding.as_deref(),
            (f.sheet.as_ref(), f.header_row),
            [&format!("{place} encoding"), &format!("{place} header_row")],
        )?,
        crs: values::crs(&f.crs, &format!("{place} crs"))?,
        x: f.x.clone(),
        y: f.y.clone(),
    };
    let m2_per_person = match f.m2_per_person {
        Some(v) => Some(check_positive(v, &format!("{place} m2_per_person"), "square metres a person needs, > 0")?),
        None => None,
    };
    Ok(FacilityConfig {
        maps,
        id: f.id.clone(),
        kind,
        title: f.title.clone().unwrap_or_else(|| match kind {
            FacilityKind::Shelter => "应急避难场所".into(),
            FacilityKind::Service => f.id.clone(),
        }),
        source,
        name: f.name.clone(),
        class: f.class.clone(),
        area: f.area.clone(),
        capacity: f.capacity.clone(),
        classes,
        radius_m,
        m2_per_person,
        target_m2_per_person,
        coverage_target,
        siting,
        townships,
    })
}

/// `[facilities.classes]`, over the GB 50413-2007 classes for shelters.
fn parse_classes(
    raw: &BTreeMap<String, RawClass>,
    kind: FacilityKind,
    place: &str,
) -> Parsed<BTreeMap<String, FacilityClass>> {
    let mut classes = BTreeMap::new();
    if kind == FacilityKind::Shelter {
        for (name, r, m2) in GB50413_CLASSES {
            classes.insert(name.to_string(), FacilityClass { radius_m: r, m2_per_person: Some(m2) });
        }
    }
    for (name, c) in raw {
        let cw = format!("{place} classes.{name}");
        let radius_m = check_positive(c.radius_m, &format!("{cw} radius_m"), "a service radius in metres, > 0")?;
        let m2 = match c.m2_per_person {
            Some(v) => Some(check_positive(v, &format!("{cw} m2_per_person"), "square metres a person needs, > 0")?),
            None if kind == FacilityKind::Shelter => {
                return Err(ProjectErrorKind::invalid(
                    &cw,
                    "a shelter class needs m2_per_person (GB 50413-2007: 紧急 1, 固定 2)",
                ))
            }
            None => None,
        };
        classes.insert(name.trim().to_string(), FacilityClass { radius_m, m2_per_person: m2 });
    }
    Ok(classes)
}

/// `target_m2_per_person`: shelters only, 2 m² a resident by default.
fn parse_targets(f: &RawFacilities, kind: FacilityKind, place: &str) -> Parsed<Option<f64>> {
    match f.target_m2_per_person {
        Some(_) if kind != FacilityKind::Shelter => {
            Err(ProjectErrorKind::invalid(place, "target_m2_per_person applies to kind = \"shelter\""))
        }
        Some(t) => Ok(Some(check_positive(
            t,
            &format!("{place} target_m2_per_person"),
            "the plan's m² of shelter per resident, e.g. 1.5, 2 or 2.5",
        )?)),
        None if kind == FacilityKind::Shelter => Ok(Some(2.0)),
        None => Ok(None),
    }
}

/// `[facilities.siting]`; `radius_m` is the layer's own radius (the default for new sites).
fn parse_siting(
    s: &RawSiting,
    place: &str,
    classes: &BTreeMap<String, FacilityClass>,
    radius_m: Option<f64>,
    base: Base,
) -> Parsed<SitingConfig> {
    let at = format!("{place} siting");
    if s.count == 0 || s.count > 10_000 {
        return Err(ProjectErrorKind::value(format!("{at}.count"), s.count, "pick 1 to 10000 new sites"));
    }
    let (class, radius) = match (&s.class, s.radius_m) {
        (Some(c), None) => {
            let Some(k) = classes.get(c.trim()) else {
                return Err(ProjectErrorKind::UnknownClass {
                    key: format!("{at}.class"),
                    value: c.clone(),
                    classes: classes.keys().cloned().collect(),
                });
            };
            (Some(c.trim().to_string()), k.radius_m)
        }
        (None, Some(r)) => (None, check_positive(r, &format!("{at}.radius_m"), "a radius in metres, > 0")?),
        (None, None) => match radius_m {
            Some(r) => (None, r),
            None => {
                return Err(ProjectErrorKind::invalid(
                    &at,
                    "give class = \"紧急\" (the class new sites would have) or radius_m",
                ))
            }
        },
        (Some(_), Some(_)) => return Err(ProjectErrorKind::invalid(&at, "give class or radius_m, not both")),
    };
    let candidates = match &s.candidates {
        None => {
            if s.crs.is_some() || s.x.is_some() || s.y.is_some() || s.name.is_some() {
                return Err(ProjectErrorKind::invalid(
                    &at,
                    "crs, x, y and name describe the candidates file; add candidates = \"…\"",
                ));
            }
            None
        }
        Some(p) => {
            let Some(crs) = s.crs.as_deref() else {
                return Err(ProjectErrorKind::invalid(&at, format!("candidates = \"{p}\" needs crs = \"…\"")));
            };
            let source = PointSource {
                table: table(base, p, s.encoding.as_deref(), (None, None), [&format!("{at}.encoding"), ""])?,
                crs: values::crs(crs, &format!("{at}.crs"))?,
                x: s.x.clone(),
                y: s.y.clone(),
            };
            Some((source, s.name.clone()))
        }
    };
    Ok(SitingConfig { count: s.count, radius_m: radius, class, candidates })
}

/// `[facilities.townships]`.
fn parse_townships(t: &RawTownships, place: &str, base: Base) -> Parsed<TownshipConfig> {
    let path = base.path(&t.path);
    Ok(TownshipConfig {
        layer: sisetu_io::zones::ZoneLayerSpec {
            display: path.display().to_string(),
            path,
            id: t.id.clone(),
            name: t.name.clone(),
            extra: vec![],
            encoding: values::encoding(t.encoding.as_deref(), &format!("{place} townships encoding"))?,
        },
        crs: values::crs(&t.crs, &format!("{place} townships crs"))?,
    })
}

/// `[[facilities.maps]]`.
fn parse_detail_maps(raw: &[RawDetailMap], place: &str) -> Parsed<Vec<DetailMap>> {
    let mut maps = Vec::new();
    for m in raw {
        if !super::style::is_png_name(&m.file) {
            return Err(ProjectErrorKind::invalid(
                format!("{place} maps"),
                format!("file = \"{}\": use a plain file name ending in .png", m.file),
            ));
        }
        let extent = values::degree_extent(m.extent, &format!("{place} maps: extent"))?;
        maps.push(DetailMap { file: m.file.clone(), extent, title: m.title.clone() });
    }
    Ok(maps)
}
