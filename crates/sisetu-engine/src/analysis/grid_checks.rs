//! Grid-management checks (网格化管理), run by `build` when a `[management_grid]` is given.
//!
//! * **网格化覆盖率**: the share of the jurisdiction (the union of the districts) covered by
//!   grid polygons, by area in the working CRS ([`sisetu_core::gridcheck`]).
//! * **Gaps and overlaps** as polygons in `grid_gaps.geojson`: `kind` is `gap` (inside the
//!   jurisdiction, in no grid), `overlap` (inside two grids, with both ids) or `outside`
//!   (grid area outside every district). Pieces smaller than `[management_grid] min_gap_m2`
//!   (default 100 m²: digitising slivers) are counted in `report.json`, not listed.
//! * **Responsible persons**: grids whose person is empty (when `[management_grid] person`
//!   names the column), and the red and orange sites that lie in such a grid.
//! * **Sites outside every grid**.
//!
//! Everything lands in `report.json` under `grid_checks` and in a few terminal lines; the
//! lists in the report stop at 1,000 entries (the counts do not).

use crate::layers::ZoneLayer;
use anyhow::{anyhow, Result};
use geo::{InteriorPoint, MapCoords, MultiPolygon};
use serde::Serialize;
use sisetu_core::gridcheck::{grid_coverage, Slivers};
use sisetu_core::{RiskLevel, Summary};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::{self, Geom, Staging, Value};

/// How many entries the lists of the report keep.
const LIST_MAX: usize = 1000;

/// A site named by a check.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRef {
    /// Site id.
    pub id: String,
    /// Site name.
    pub name: String,
    /// Level.
    pub level: &'static str,
    /// Its management grid.
    pub grid_id: Option<String>,
    /// Its district.
    pub district_id: Option<String>,
    /// Input row as `file:line`.
    pub row: String,
}

/// A grid named by a check.
#[derive(Debug, Clone, Serialize)]
pub struct GridRef {
    /// Grid id.
    pub id: String,
    /// Grid name.
    pub name: String,
    /// Red sites in it.
    pub n_red: u64,
    /// Orange sites in it.
    pub n_orange: u64,
    /// All sites in it.
    pub total: u64,
}

/// Count and area of pieces below the listing threshold.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SliverReport {
    /// Pieces.
    pub count: usize,
    /// Their total area (m²).
    pub m2: f64,
}

impl From<Slivers> for SliverReport {
    fn from(s: Slivers) -> Self {
        SliverReport { count: s.count, m2: round(s.area, 1.0) + 0.0 }
    }
}

/// `grid_checks` in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct GridChecksReport {
    /// Grid polygons.
    pub grids: usize,
    /// Grid polygons that are invalid (listed under `management_grid.invalid`).
    pub invalid_grids: usize,
    /// The listing threshold for gaps and overlaps (m²).
    pub min_gap_m2: f64,
    /// Area of the jurisdiction (union of the districts), km².
    pub jurisdiction_km2: f64,
    /// Area of the jurisdiction inside some grid, km².
    pub covered_km2: f64,
    /// 网格化覆盖率: covered / jurisdiction, 0 to 1.
    pub coverage_share: f64,
    /// Gap polygons listed in grid_gaps.geojson.
    pub gaps: usize,
    /// Their area, km².
    pub gap_km2: f64,
    /// Overlapping grid pairs listed in grid_gaps.geojson.
    pub overlaps: usize,
    /// Their area, km².
    pub overlap_km2: f64,
    /// Grid area outside every district, km².
    pub outside_km2: f64,
    /// Pieces below `min_gap_m2`, per kind (gap, overlap, outside).
    pub slivers: std::collections::BTreeMap<&'static str, SliverReport>,
    /// Whether the layer names a responsible-person column (`[management_grid] person`).
    pub person_column: bool,
    /// Grids with no responsible person (empty when there is no person column).
    pub grids_without_person: Vec<GridRef>,
    /// Red and orange sites whose grid has no responsible person.
    pub red_orange_without_person: u64,
    /// The first of them.
    pub red_orange_without_person_sites: Vec<SiteRef>,
    /// Sites outside every grid.
    pub sites_outside_grids: u64,
    /// The first of them.
    pub sites_outside_grids_list: Vec<SiteRef>,
}

/// What the checks produced.
pub struct GridChecksOutcome {
    /// For report.json.
    pub report: GridChecksReport,
    /// For the terminal.
    pub lines: Vec<String>,
    /// Files written.
    pub outputs: Vec<String>,
}

/// Sites in the checks' view.
pub struct SiteFacts {
    /// Red and orange sites in a grid without a person.
    pub red_orange_without_person: Vec<SiteRef>,
    /// Sites outside every grid.
    pub outside: Vec<SiteRef>,
}

fn round(v: f64, unit: f64) -> f64 {
    (v / unit).round() * unit
}

fn km2(m2: f64) -> f64 {
    // `+ 0.0` turns the -0.0 of an empty sum into 0.0.
    (m2 / 1e6 * 1e6).round() / 1e6 + 0.0
}

/// The responsible person of a grid: its `person` attribute, trimmed; `None` when empty.
pub fn person_of(z: &sisetu_core::Zone) -> Option<&str> {
    z.extra.iter().find(|(k, _)| k == "person").map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// Settings of the checks.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether the layer names a responsible-person column.
    pub has_person_column: bool,
    /// Pieces below this area (m²) are slivers: counted, not listed.
    pub min_gap_m2: f64,
}

/// Runs the polygon checks, writes `grid_gaps.geojson` and assembles the report.
pub fn run(
    districts: &ZoneLayer,
    grids: &ZoneLayer,
    grid_sums: &[Summary],
    sites: SiteFacts,
    opts: Options,
    work: Crs,
    stage: &mut Staging,
) -> Result<GridChecksOutcome> {
    let Options { has_person_column, min_gap_m2 } = opts;
    let d_geoms: Vec<MultiPolygon<f64>> = districts.work.iter().map(|z| z.geometry.clone()).collect();
    let g_geoms: Vec<MultiPolygon<f64>> = grids.work.iter().map(|z| z.geometry.clone()).collect();
    let cov = grid_coverage(&d_geoms, &g_geoms, min_gap_m2);

    let to_wgs = Transformer::new(work, Crs::Wgs84).map_err(|e| anyhow!("{e}"))?;
    let wgs = |mp: &MultiPolygon<f64>| -> MultiPolygon<f64> {
        mp.map_coords(|c| {
            let (x, y) = to_wgs.transform(c.x, c.y).unwrap_or((f64::NAN, f64::NAN));
            geo::Coord { x, y }
        })
    };
    let district_at = |mp: &MultiPolygon<f64>| -> Option<&sisetu_core::Zone> {
        let p = mp.interior_point()?;
        districts.index.locate(p.x(), p.y()).map(|d| &districts.work[d as usize])
    };
    // One feature per piece: (kind, number, area, geometry, district, the two overlapping grids).
    let mut buf_items: Vec<Vec<u8>> = Vec::new();
    let mut feature = |kind: &str, n: usize, area: f64, mp: &MultiPolygon<f64>, pair: Option<(usize, usize)>| {
        // Outside pieces lie in no district by definition.
        let d = if kind == "outside" { None } else { district_at(mp) };
        let id = format!("{kind}-{n:03}");
        let grid = |g: Option<usize>| g.map(|g| Value::Str(&grids.work[g].id)).unwrap_or(Value::Null);
        let mut buf = Vec::new();
        write::push_feature(
            &mut buf,
            &[
                ("kind", Value::Str(kind)),
                ("id", Value::Str(&id)),
                ("area_m2", Value::Num(round(area, 1.0))),
                ("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null)),
                ("district_name", d.map(|z| Value::Str(&z.name)).unwrap_or(Value::Null)),
                ("grid_a", grid(pair.map(|p| p.0))),
                ("grid_b", grid(pair.map(|p| p.1))),
            ],
            Geom::MultiPolygon(&wgs(mp)),
        );
        buf_items.push(buf);
    };
    for (i, g) in cov.gaps.iter().enumerate() {
        feature("gap", i + 1, g.area, &MultiPolygon(vec![g.geometry.clone()]), None);
    }
    for (i, o) in cov.overlaps.iter().enumerate() {
        feature("overlap", i + 1, o.area, &o.geometry, Some((o.a, o.b)));
    }
    for (i, g) in cov.outside.iter().enumerate() {
        feature("outside", i + 1, g.area, &MultiPolygon(vec![g.geometry.clone()]), None);
    }
    let chunk = write::render_chunk(&buf_items, |buf, item| buf.extend_from_slice(item));
    write::write_feature_collection(&stage.path("grid_gaps.geojson"), "grid_gaps", &[chunk])?;

    let grids_without_person: Vec<GridRef> = if has_person_column {
        grids
            .work
            .iter()
            .zip(grid_sums)
            .filter(|(z, _)| person_of(z).is_none())
            .map(|(z, s)| GridRef {
                id: z.id.clone(),
                name: z.name.clone(),
                n_red: s.levels.get(RiskLevel::Red),
                n_orange: s.levels.get(RiskLevel::Orange),
                total: s.levels.total(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let gap_m2: f64 = cov.gaps.iter().map(|g| g.area).sum();
    let overlap_m2: f64 = cov.overlaps.iter().map(|o| o.area).sum();
    let report = GridChecksReport {
        grids: grids.work.len(),
        invalid_grids: grids.invalid.len(),
        min_gap_m2,
        jurisdiction_km2: km2(cov.jurisdiction_area),
        covered_km2: km2(cov.covered_area),
        coverage_share: (cov.share * 1e6).round() / 1e6,
        gaps: cov.gaps.len(),
        gap_km2: km2(gap_m2),
        overlaps: cov.overlaps.len(),
        overlap_km2: km2(overlap_m2),
        outside_km2: km2(cov.outside_area),
        slivers: [
            ("gap", cov.gap_slivers.into()),
            ("overlap", cov.overlap_slivers.into()),
            ("outside", cov.outside_slivers.into()),
        ]
        .into_iter()
        .collect(),
        person_column: has_person_column,
        grids_without_person,
        red_orange_without_person: sites.red_orange_without_person.len() as u64,
        red_orange_without_person_sites: sites.red_orange_without_person.into_iter().take(LIST_MAX).collect(),
        sites_outside_grids: sites.outside.len() as u64,
        sites_outside_grids_list: sites.outside.into_iter().take(LIST_MAX).collect(),
    };
    let lines = report.lines();
    Ok(GridChecksOutcome { report, lines, outputs: vec!["grid_gaps.geojson".into()] })
}

impl GridChecksReport {
    /// Terminal lines: the coverage share, then one line per kind of problem.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "management grids: {} grids, 网格化覆盖率 {:.2} % of {:.1} km²; {} gaps ({:.3} km²), {} overlaps ({:.3} km²), {:.3} km² outside the districts (grid_gaps.geojson)",
            self.grids,
            self.coverage_share * 100.0,
            self.jurisdiction_km2,
            self.gaps,
            self.gap_km2,
            self.overlaps,
            self.overlap_km2,
            self.outside_km2
        )];
        lines.extend(self.problems());
        lines
    }

    /// One line per problem, for the terminal and `sisetu check`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.gaps > 0 {
            out.push(format!(
                "grid coverage {:.2} %: {} gaps of {:.3} km² are in no management grid (grid_gaps.geojson)",
                self.coverage_share * 100.0,
                self.gaps,
                self.gap_km2
            ));
        }
        if self.overlaps > 0 {
            out.push(format!("{} pairs of management grids overlap ({:.3} km²)", self.overlaps, self.overlap_km2));
        }
        if !self.person_column {
            out.push("the grid layer names no responsible person: set [management_grid] person to check it".into());
        } else if !self.grids_without_person.is_empty() {
            let names: Vec<String> =
                self.grids_without_person.iter().take(5).map(|g| format!("{} {}", g.id, g.name)).collect();
            out.push(format!(
                "{} grids have no responsible person ({}{}); {} red/orange sites lie in them",
                self.grids_without_person.len(),
                names.join(", "),
                if self.grids_without_person.len() > 5 { ", …" } else { "" },
                self.red_orange_without_person
            ));
        }
        if self.sites_outside_grids > 0 {
            out.push(format!("{} sites lie outside every management grid", self.sites_outside_grids));
        }
        out
    }
}
