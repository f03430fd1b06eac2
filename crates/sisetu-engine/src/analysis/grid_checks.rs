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

use crate::analysis::{Analysis, Context, Findings, LoadContext};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::observer::Observer;
use geo::{InteriorPoint, MapCoords, MultiPolygon};
use serde::Serialize;
use sisetu_core::gridcheck::{grid_coverage, GridCoverage, Slivers};
use sisetu_core::{RiskLevel, ZoneIdx};
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::{self, Geom, Staging, Value};

/// The file of gaps and overlaps.
const GAPS_FILE: &str = "grid_gaps.geojson";

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

/// Sites in the checks' view.
struct SiteFacts {
    /// Red and orange sites in a grid without a person.
    red_orange_without_person: Vec<SiteRef>,
    /// Sites outside every grid.
    outside: Vec<SiteRef>,
}

fn round(v: f64, unit: f64) -> f64 {
    (v / unit).round() * unit
}

fn km2(m2: f64) -> f64 {
    // `+ 0.0` turns the -0.0 of an empty sum into 0.0.
    (m2 / 1e6 * 1e6).round() / 1e6 + 0.0
}

/// A responsible person as written: trimmed; `None` when blank.
pub fn named_person(v: &str) -> Option<&str> {
    let v = v.trim();
    (!v.is_empty()).then_some(v)
}

/// The responsible person of a grid: its `person` attribute ([`named_person`]).
pub fn person_of(z: &sisetu_core::Zone) -> Option<&str> {
    z.extra.iter().find(|(k, _)| k == "person").and_then(|(_, v)| named_person(v))
}

/// One gap, overlap or outside piece, in the working CRS.
struct Piece {
    kind: &'static str,
    /// 1-based number within its kind.
    n: usize,
    area_m2: f64,
    geometry: MultiPolygon<f64>,
    /// The district the piece lies in (none for outside pieces).
    district: Option<usize>,
    /// The two overlapping grids.
    pair: Option<(usize, usize)>,
}

/// The loaded analysis: runs when the project has a `[management_grid]`.
struct GridChecks {
    has_person_column: bool,
    min_gap_m2: f64,
}

/// What the checks found.
struct Found {
    report: GridChecksReport,
    pieces: Vec<Piece>,
    /// The language of the terminal lines (the build's).
    lang: Lang,
}

/// The [`crate::analysis::Loader`] of the grid checks: `None` without a management-grid layer.
pub fn load(ctx: &LoadContext, _obs: &dyn Observer) -> Result<Option<Box<dyn Analysis>>> {
    let Some((spec, _)) = &ctx.cfg.management_grid else { return Ok(None) };
    Ok(Some(Box::new(GridChecks {
        has_person_column: spec.extra.iter().any(|(k, _)| k == "person"),
        min_gap_m2: ctx.cfg.grid_min_gap_m2,
    })))
}

impl Analysis for GridChecks {
    fn name(&self) -> &'static str {
        "grid_checks"
    }

    fn outputs(&self, _work: Crs) -> Vec<crate::planned::Planned> {
        vec![crate::planned::Planned::new(GAPS_FILE, "the grid checks of [management_grid]")]
    }

    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        let Some(grids) = ctx.grids else { return Err(Error::internal("grid checks without a grid layer")) };
        obs.stage("grid checks");
        let districts = ctx.districts;
        let d_geoms: Vec<MultiPolygon<f64>> = districts.work.iter().map(|z| z.geometry.clone()).collect();
        let g_geoms: Vec<MultiPolygon<f64>> = grids.work.iter().map(|z| z.geometry.clone()).collect();
        let cov = grid_coverage(&d_geoms, &g_geoms, self.min_gap_m2);
        let district_at = |mp: &MultiPolygon<f64>| -> Option<usize> {
            let p = mp.interior_point()?;
            districts.locate_work(p.x(), p.y()).map(ZoneIdx::get)
        };
        let mut pieces = Vec::new();
        for (i, g) in cov.gaps.iter().enumerate() {
            let geometry = MultiPolygon(vec![g.geometry.clone()]);
            let district = district_at(&geometry);
            pieces.push(Piece { kind: "gap", n: i + 1, area_m2: g.area, geometry, district, pair: None });
        }
        for (i, o) in cov.overlaps.iter().enumerate() {
            let district = district_at(&o.geometry);
            let (geometry, pair) = (o.geometry.clone(), Some((o.a.get(), o.b.get())));
            pieces.push(Piece { kind: "overlap", n: i + 1, area_m2: o.area, geometry, district, pair });
        }
        for (i, g) in cov.outside.iter().enumerate() {
            // Outside pieces lie in no district by definition.
            let geometry = MultiPolygon(vec![g.geometry.clone()]);
            pieces.push(Piece { kind: "outside", n: i + 1, area_m2: g.area, geometry, district: None, pair: None });
        }
        let report = self.report(ctx, grids, &cov);
        Ok(Box::new(Found { report, pieces, lang: ctx.cfg.lang }))
    }
}

impl GridChecks {
    fn report(&self, ctx: &Context, grids: &ZoneLayer, cov: &GridCoverage) -> GridChecksReport {
        let sites = site_facts(ctx, grids, self.has_person_column);
        let grids_without_person: Vec<GridRef> = if self.has_person_column {
            grids
                .work
                .iter()
                .zip(&ctx.tallies.by_grid)
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
        GridChecksReport {
            grids: grids.work.len(),
            invalid_grids: grids.invalid.len(),
            min_gap_m2: self.min_gap_m2,
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
            person_column: self.has_person_column,
            grids_without_person,
            red_orange_without_person: sites.red_orange_without_person.len() as u64,
            red_orange_without_person_sites: sites.red_orange_without_person.into_iter().take(LIST_MAX).collect(),
            sites_outside_grids: sites.outside.len() as u64,
            sites_outside_grids_list: sites.outside.into_iter().take(LIST_MAX).collect(),
        }
    }
}

/// The sites the checks name: red and orange sites in a grid without a person, and sites
/// outside every grid.
fn site_facts(ctx: &Context, grids: &ZoneLayer, has_person: bool) -> SiteFacts {
    let mut facts = SiteFacts { red_orange_without_person: Vec::new(), outside: Vec::new() };
    for (li, s, a) in ctx.census.iter() {
        let site_ref = || SiteRef {
            id: s.id().to_string(),
            name: s.name().to_string(),
            level: s.level.as_str(),
            grid_id: a.grid.map(|i| grids.work[i.get()].id.clone()),
            district_id: a.district.map(|d| ctx.districts.work[d.get()].id.clone()),
            row: format!("{}:{}", ctx.census.files[li], s.line),
        };
        match a.grid {
            None => facts.outside.push(site_ref()),
            Some(gi) => {
                let severe = matches!(s.level, RiskLevel::Red | RiskLevel::Orange);
                if has_person && severe && person_of(&grids.work[gi.get()]).is_none() {
                    facts.red_orange_without_person.push(site_ref());
                }
            }
        }
    }
    facts
}

impl Findings for Found {
    fn section(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.report).ok()
    }

    fn lines(&self) -> Vec<String> {
        self.report.lines(self.lang)
    }

    fn problems(&self) -> Vec<String> {
        self.report.problems(self.lang)
    }

    fn write(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        let Some(grids) = ctx.grids else { return Ok(Vec::new()) };
        let to_wgs = Transformer::new(ctx.work, Crs::Wgs84)?;
        let wgs = |mp: &MultiPolygon<f64>| -> Result<MultiPolygon<f64>> {
            mp.try_map_coords(|c| {
                let (x, y) = to_wgs
                    .transform(c.x, c.y)
                    .map_err(|e| Error::internal(format!("a grid-check piece cannot be projected to WGS84: {e}")))?;
                Ok(geo::Coord { x, y })
            })
        };
        let mut items: Vec<Vec<u8>> = Vec::with_capacity(self.pieces.len());
        for p in &self.pieces {
            let d = p.district.map(|d| &ctx.districts.work[d]);
            let id = format!("{}-{:03}", p.kind, p.n);
            let grid = |g: Option<usize>| g.map(|g| Value::Str(&grids.work[g].id)).unwrap_or(Value::Null);
            let mut buf = Vec::new();
            write::push_feature(
                &mut buf,
                &[
                    ("kind", Value::Str(p.kind)),
                    ("id", Value::Str(&id)),
                    ("area_m2", Value::Num(round(p.area_m2, 1.0))),
                    ("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null)),
                    ("district_name", d.map(|z| Value::Str(&z.name)).unwrap_or(Value::Null)),
                    ("grid_a", grid(p.pair.map(|p| p.0))),
                    ("grid_b", grid(p.pair.map(|p| p.1))),
                ],
                Geom::MultiPolygon(&wgs(&p.geometry)?),
            );
            items.push(buf);
        }
        let chunk = write::render_chunk(&items, |buf, item| buf.extend_from_slice(item));
        write::write_feature_collection(&stage.path(GAPS_FILE), "grid_gaps", &[chunk])?;
        Ok(vec![GAPS_FILE.into()])
    }
}

impl GridChecksReport {
    /// Terminal lines: the coverage share, then one line per kind of problem.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let mut lines = vec![tr!(
            lang,
            "grids.line",
            grids = self.grids,
            share = format!("{:.2}", self.coverage_share * 100.0),
            area = format!("{:.1}", self.jurisdiction_km2),
            gaps = self.gaps,
            gap_km2 = format!("{:.3}", self.gap_km2),
            overlaps = self.overlaps,
            overlap_km2 = format!("{:.3}", self.overlap_km2),
            outside_km2 = format!("{:.3}", self.outside_km2)
        )];
        lines.extend(self.problems(lang));
        lines
    }

    /// One line per problem, for the terminal and `sisetu check`.
    pub fn problems(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if self.gaps > 0 {
            out.push(tr!(
                lang,
                "grids.gaps",
                share = format!("{:.2}", self.coverage_share * 100.0),
                gaps = self.gaps,
                gap_km2 = format!("{:.3}", self.gap_km2)
            ));
        }
        if self.overlaps > 0 {
            out.push(tr!(lang, "grids.overlaps", n = self.overlaps, km2 = format!("{:.3}", self.overlap_km2)));
        }
        if !self.person_column {
            out.push(tr!(lang, "grids.no_person_column"));
        } else if !self.grids_without_person.is_empty() {
            let names: Vec<String> =
                self.grids_without_person.iter().take(5).map(|g| format!("{} {}", g.id, g.name)).collect();
            out.push(tr!(
                lang,
                "grids.without_person",
                n = self.grids_without_person.len(),
                names = format!("{}{}", names.join(", "), if self.grids_without_person.len() > 5 { ", …" } else { "" }),
                severe = self.red_orange_without_person
            ));
        }
        if self.sites_outside_grids > 0 {
            out.push(tr!(lang, "grids.sites_outside", n = self.sites_outside_grids));
        }
        out
    }
}
