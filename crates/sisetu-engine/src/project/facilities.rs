//! The `[population]` and `[[facilities]]` sections of the project file: raw TOML shapes and
//! their validation (see `docs/project-file.md`, "Facility coverage").

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use sisetu_io::crs::Crs;
use sisetu_io::table::TableSpec;
use sisetu_io::text::TextEncoding;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// `[min lon, min lat, max lon, max lat]` in CGCS2000/WGS84 degrees.
    pub extent: [f64; 4],
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

fn check_positive(v: f64, what: &str, hint: &str) -> Result<f64> {
    // 1,000 km covers any Chinese prefecture; larger values are typos (metres vs millimetres).
    if v.is_finite() && v > 0.0 && v <= 1e6 {
        Ok(v)
    } else {
        bail!("{what} = {v}: {hint} (at most 1000000)")
    }
}

pub(crate) struct Ctx<'a> {
    pub shown: &'a str,
    pub base: &'a Path,
}

impl Ctx<'_> {
    fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }
    fn table(&self, p: &str, encoding: &Option<String>, sheet: &Option<String>, what: &str) -> Result<TableSpec> {
        let path = self.path(p);
        Ok(TableSpec {
            display: path.display().to_string(),
            path,
            encoding: encoding_of(encoding, &format!("{}: {what} encoding", self.shown))?,
            sheet: sheet.clone(),
        })
    }
    fn crs(&self, s: &str, what: &str) -> Result<Crs> {
        s.parse::<Crs>().map_err(|e| anyhow!("{}: {what}: {e}", self.shown))
    }
}

fn encoding_of(s: &Option<String>, what: &str) -> Result<TextEncoding> {
    match s {
        None => Ok(TextEncoding::Auto),
        Some(s) => TextEncoding::from_label(s)
            .ok_or_else(|| anyhow!("{what}: unknown encoding '{s}'; use \"auto\", \"utf-8\" or \"gbk\"")),
    }
}

pub(crate) fn parse_population(raw: &RawPopulation, ctx: &Ctx, default_cell: f64) -> Result<PopulationConfig> {
    let what = format!("{}: [population]", ctx.shown);
    let cell_size_m = match raw.cell_size_m {
        None => default_cell,
        Some(v) => {
            if !(v.is_finite() && v >= 10.0) {
                bail!("{what} cell_size_m = {v}: use a cell size of at least 10 metres (250 or 500 is usual)");
            }
            v
        }
    };
    let source = match (&raw.table, &raw.points) {
        (Some(_), Some(_)) | (None, None) => bail!(
            "{what}: give either table = \"…\" (persons per district, joined on the district id) or points = \"…\" (population points with a count), not both"
        ),
        (Some(t), None) => {
            if raw.crs.is_some() || raw.x.is_some() || raw.y.is_some() {
                bail!("{what}: crs, x and y belong to points = \"…\"; a per-district table has no coordinates (put weight points in [population.weights])");
            }
            let weights = match &raw.weights {
                None => None,
                Some(w) => Some((
                    PointSource {
                        table: ctx.table(&w.path, &w.encoding, &w.sheet, "[population.weights]")?,
                        crs: ctx.crs(&w.crs, "[population.weights] crs")?,
                        x: w.x.clone(),
                        y: w.y.clone(),
                    },
                    w.weight.clone(),
                )),
            };
            PopulationSource::Table {
                table: ctx.table(t, &raw.encoding, &raw.sheet, "[population]")?,
                code: raw.code.clone(),
                count: raw.count.clone(),
                weights,
            }
        }
        (None, Some(p)) => {
            if raw.weights.is_some() || raw.code.is_some() {
                bail!("{what}: weights and code apply to a per-district table, not to population points");
            }
            let crs = raw
                .crs
                .as_deref()
                .ok_or_else(|| anyhow!("{what}: points = \"{p}\" needs crs = \"…\" (e.g. \"EPSG:4490\" or \"GCJ-02\")"))?;
            PopulationSource::Points {
                source: PointSource {
                    table: ctx.table(p, &raw.encoding, &raw.sheet, "[population]")?,
                    crs: ctx.crs(crs, "[population] crs")?,
                    x: raw.x.clone(),
                    y: raw.y.clone(),
                },
                count: raw.count.clone(),
            }
        }
    };
    Ok(PopulationConfig { source, cell_size_m })
}

pub(crate) fn parse_facilities(raw: &[RawFacilities], ctx: &Ctx, has_population: bool) -> Result<Vec<FacilityConfig>> {
    let mut out: Vec<FacilityConfig> = Vec::new();
    for (i, f) in raw.iter().enumerate() {
        let what = format!("{}: [[facilities]] #{} ({})", ctx.shown, i + 1, f.id);
        if f.id.is_empty()
            || !f.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            || !f.id.as_bytes()[0].is_ascii_lowercase()
        {
            bail!("{what}: id must be lowercase ASCII letters, digits and _ (a singular noun such as \"shelter\" or \"fire_station\"); it names the output files");
        }
        if out.iter().any(|o| o.id == f.id) {
            bail!("{what}: id \"{}\" is used by another [[facilities]] entry", f.id);
        }
        if !has_population {
            bail!("{what}: coverage needs a [population] section (a per-district table or population points)");
        }
        let kind = match f.kind.as_deref().map(str::trim) {
            None | Some("shelter") | Some("避难场所") => FacilityKind::Shelter,
            Some("service") | Some("facility") => FacilityKind::Service,
            Some(k) => bail!("{what}: kind = \"{k}\": use \"shelter\" (area, capacity, m² per resident) or \"service\" (radius coverage, e.g. fire stations)"),
        };
        let mut classes = BTreeMap::new();
        if kind == FacilityKind::Shelter {
            for (name, r, m2) in GB50413_CLASSES {
                classes.insert(name.to_string(), FacilityClass { radius_m: r, m2_per_person: Some(m2) });
            }
        }
        for (name, c) in &f.classes {
            let cw = format!("{what} classes.{name}");
            let radius_m = check_positive(c.radius_m, &format!("{cw} radius_m"), "a service radius in metres, > 0")?;
            let m2 = match c.m2_per_person {
                Some(v) => {
                    Some(check_positive(v, &format!("{cw} m2_per_person"), "square metres a person needs, > 0")?)
                }
                None if kind == FacilityKind::Shelter => {
                    bail!("{cw}: a shelter class needs m2_per_person (GB 50413-2007: 紧急 1, 固定 2)")
                }
                None => None,
            };
            classes.insert(name.trim().to_string(), FacilityClass { radius_m, m2_per_person: m2 });
        }
        let radius_m = match f.radius_m {
            Some(r) => Some(check_positive(r, &format!("{what} radius_m"), "a service radius in metres, > 0")?),
            None => None,
        };
        if kind == FacilityKind::Service && classes.is_empty() && radius_m.is_none() {
            bail!("{what}: give radius_m (e.g. a 5-minute fire-station response as a radius) or [facilities.classes]");
        }
        let target = match f.target_m2_per_person {
            Some(t) => {
                if kind != FacilityKind::Shelter {
                    bail!("{what}: target_m2_per_person applies to kind = \"shelter\"");
                }
                Some(check_positive(
                    t,
                    &format!("{what} target_m2_per_person"),
                    "the plan's m² of shelter per resident, e.g. 1.5, 2 or 2.5",
                )?)
            }
            None if kind == FacilityKind::Shelter => Some(2.0),
            None => None,
        };
        let coverage_target = match f.coverage_target {
            Some(t) if (0.0..=1.0).contains(&t) && t > 0.0 => Some(t),
            Some(t) => bail!(
                "{what} coverage_target = {t}: a share of the population above 0 and at most 1, e.g. 0.7 for 70 %"
            ),
            None => None,
        };
        let siting = match &f.siting {
            None => None,
            Some(s) => {
                if s.count == 0 || s.count > 10_000 {
                    bail!("{what} siting.count = {}: pick 1 to 10000 new sites", s.count);
                }
                let (class, radius) = match (&s.class, s.radius_m) {
                    (Some(c), None) => {
                        let k = classes.get(c.trim()).ok_or_else(|| {
                            anyhow!(
                                "{what} siting.class = \"{c}\" is not a class of this layer ({})",
                                classes.keys().cloned().collect::<Vec<_>>().join(", ")
                            )
                        })?;
                        (Some(c.trim().to_string()), k.radius_m)
                    }
                    (None, Some(r)) => {
                        (None, check_positive(r, &format!("{what} siting.radius_m"), "a radius in metres, > 0")?)
                    }
                    (None, None) => match radius_m {
                        Some(r) => (None, r),
                        None => {
                            bail!("{what} siting: give class = \"紧急\" (the class new sites would have) or radius_m")
                        }
                    },
                    (Some(_), Some(_)) => bail!("{what} siting: give class or radius_m, not both"),
                };
                let candidates = match &s.candidates {
                    None => {
                        if s.crs.is_some() || s.x.is_some() || s.y.is_some() || s.name.is_some() {
                            bail!("{what} siting: crs, x, y and name describe the candidates file; add candidates = \"…\"");
                        }
                        None
                    }
                    Some(p) => {
                        let crs = s
                            .crs
                            .as_deref()
                            .ok_or_else(|| anyhow!("{what} siting: candidates = \"{p}\" needs crs = \"…\""))?;
                        Some((
                            PointSource {
                                table: ctx.table(p, &s.encoding, &None, "siting candidates")?,
                                crs: ctx.crs(crs, "siting crs")?,
                                x: s.x.clone(),
                                y: s.y.clone(),
                            },
                            s.name.clone(),
                        ))
                    }
                };
                Some(SitingConfig { count: s.count, radius_m: radius, class, candidates })
            }
        };
        let townships = match &f.townships {
            None => None,
            Some(t) => {
                let path = ctx.path(&t.path);
                Some(TownshipConfig {
                    layer: sisetu_io::zones::ZoneLayerSpec {
                        display: path.display().to_string(),
                        path,
                        id: t.id.clone().unwrap_or_else(|| "id".into()),
                        name: t.name.clone().unwrap_or_else(|| "name".into()),
                        extra: vec![],
                        encoding: encoding_of(&t.encoding, &format!("{what} townships encoding"))?,
                    },
                    crs: ctx.crs(&t.crs, "townships crs")?,
                })
            }
        };
        let mut maps = Vec::new();
        for m in &f.maps {
            let e = m.extent;
            if !m.file.to_ascii_lowercase().ends_with(".png") || m.file.contains(['/', '\\']) || m.file.starts_with('.')
            {
                bail!("{what} maps: file = \"{}\": use a plain file name ending in .png", m.file);
            }
            if !valid_extent(&e) {
                bail!("{what} maps: extent = {e:?}: give [min longitude, min latitude, max longitude, max latitude] in degrees, e.g. [87.5, 43.7, 87.7, 43.95]");
            }
            maps.push(DetailMap { file: m.file.clone(), extent: e, title: m.title.clone() });
        }
        out.push(FacilityConfig {
            maps,
            id: f.id.clone(),
            kind,
            title: f.title.clone().unwrap_or_else(|| match kind {
                FacilityKind::Shelter => "应急避难场所".into(),
                FacilityKind::Service => f.id.clone(),
            }),
            source: PointSource {
                table: ctx.table(&f.path, &f.encoding, &f.sheet, "[[facilities]]")?,
                crs: ctx.crs(&f.crs, &format!("[[facilities]] #{} crs", i + 1))?,
                x: f.x.clone(),
                y: f.y.clone(),
            },
            name: f.name.clone(),
            class: f.class.clone(),
            area: f.area.clone(),
            capacity: f.capacity.clone(),
            classes,
            radius_m,
            m2_per_person: match f.m2_per_person {
                Some(v) => {
                    Some(check_positive(v, &format!("{what} m2_per_person"), "square metres a person needs, > 0")?)
                }
                None => None,
            },
            target_m2_per_person: target,
            coverage_target,
            siting,
            townships,
        });
    }
    // Output names must not collide across layers.
    let mut names: std::collections::BTreeSet<String> = [
        "districts.geojson",
        "grids.geojson",
        "cells.geojson",
        "sites.geojson",
        "summary.csv",
        "rejects.csv",
        "report.json",
        "coverage_gaps.geojson",
        "siting.geojson",
    ]
    .map(String::from)
    .into();
    for f in &out {
        let extra = f.maps.iter().map(|m| m.file.clone());
        for n in [f.features_file(), f.summary_file(), f.map_file(), f.townships_file()].into_iter().chain(extra) {
            if !names.insert(n.clone()) {
                bail!(
                    "{}: [[facilities]] id \"{}\" would write {n}, which another output uses; rename it",
                    ctx.shown,
                    f.id
                );
            }
        }
    }
    Ok(out)
}

/// Whether `e` is `[min longitude, min latitude, max longitude, max latitude]` in degrees.
pub(crate) fn valid_extent(e: &[f64; 4]) -> bool {
    e.iter().all(|v| v.is_finite())
        && e[0] < e[2]
        && e[1] < e[3]
        && (-180.0..=180.0).contains(&e[0])
        && (-180.0..=180.0).contains(&e[2])
        && (-90.0..=90.0).contains(&e[1])
        && (-90.0..=90.0).contains(&e[3])
}
