//! The register (一册): every risk site listed under the unit that is responsible for it.
//!
//! A unit is a management grid (网格) or, without a grid layer, a district (区县). The
//! register has one section per unit, sorted by unit id, and a last section for the sites in
//! no unit (未划入网格 / 未归属区县). It is written as
//!
//! * `register.csv`: UTF-8 with a BOM, one row per site, sections in order and, within a
//!   section, the sites by level (red first), then name, id, source file and line (byte order
//!   of the strings). Columns: `unit_id, unit_name, person, no, id, name, category, grade,
//!   level, level_zh, district_id, district_name, lon, lat, source, line` (`no` counts from 1
//!   in each section; lon/lat in WGS84 with 7 decimals). The rows are streamed, so a census of
//!   millions of sites needs no more memory than the sort order of its indices;
//! * `register.html` (optional): a printable, self-contained A4 document in Chinese: a cover
//!   with the title, census date, source and a summary table of all sections, then one
//!   `<section>` per unit (one printed page break each) with the district(s), the responsible
//!   person (a red warning when none is named), the counts per level, a small four-colour map
//!   of the unit (PNG embedded as a `data:` URI) and the site table. No network resource is
//!   referenced: the CSS is inline and the browser's own CJK font is used.
//!
//! Every site must be in exactly one unit's list or in the outside list; anything else is a
//! programming error and is reported (naming the site) before anything is written.
//!
//! The section maps are rendered in parallel (rayon, collected in order) in batches of
//! [`MAP_BATCH`] sections, so memory stays bounded however many units there are, and the
//! bytes do not depend on the number of threads (the renderer is deterministic).

mod document;

pub use document::{
    write_register, RegisterInput, RegisterSite, RegisterUnit, UnitKind, CSV_HEADER, HTML_AUTO_MAX_SITES, MAP_BATCH,
    MAP_DPI, MAP_HEIGHT_MM, MAP_WIDTH_MM, MIN_EXTENT_M,
};

use crate::analysis::{Analysis, Context, Findings, LoadContext};
use crate::error::Result;
use crate::observer::Observer;
use geo::InteriorPoint;
use sisetu_core::ZoneIdx;
use sisetu_io::write::Staging;
use std::path::Path;

/// The register as configured (`[register]`).
struct Register {
    /// `[register] html`: `None` = only up to [`HTML_AUTO_MAX_SITES`] sites.
    html: Option<bool>,
}

/// The register's content: every site under its unit.
struct Found {
    kind: UnitKind,
    units: Vec<RegisterUnit>,
    outside: Vec<u32>,
    sites: Vec<RegisterSite>,
    districts: Vec<sisetu_render::Area>,
    html: bool,
    warnings: Vec<String>,
}

/// The [`crate::analysis::Loader`] of the register: `None` when `[register] enabled = false`.
pub fn load(ctx: &LoadContext, _obs: &dyn Observer) -> Result<Option<Box<dyn Analysis>>> {
    if !ctx.cfg.register {
        return Ok(None);
    }
    Ok(Some(Box::new(Register { html: ctx.cfg.register_html })))
}

impl Analysis for Register {
    fn name(&self) -> &'static str {
        "register"
    }

    fn outputs(&self, _work: sisetu_io::crs::Crs) -> Vec<crate::planned::Planned> {
        ["register.csv", "register.xlsx", "register.html"]
            .map(|f| crate::planned::Planned::new(f, "the register ([register])"))
            .into()
    }

    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        obs.stage("the register");
        let (sites, unit_of) = register_sites(ctx);
        let n_sites = sites.len();
        let (kind, units, outside) = units(ctx, &unit_of);
        let districts = crate::maps::zone_areas(&ctx.districts.work, &ctx.tallies.by_district, &ctx.cfg.aggregation);
        let html = self.html.unwrap_or(n_sites <= HTML_AUTO_MAX_SITES);
        let mut warnings = Vec::new();
        if self.html.is_none() && !html {
            warnings.push(sisetu_i18n::tr!(ctx.cfg.lang, "register.no_html", n = n_sites, max = HTML_AUTO_MAX_SITES));
        }
        Ok(Box::new(Found { kind, units, outside, sites, districts, html, warnings }))
    }
}

/// Every accepted site as the register lists it, and the unit (grid, else district) of each.
fn register_sites(ctx: &Context) -> (Vec<RegisterSite>, Vec<Option<u32>>) {
    let mut sites: Vec<RegisterSite> = Vec::with_capacity(ctx.census.n_sites());
    let mut unit_of: Vec<Option<u32>> = Vec::with_capacity(sites.capacity());
    for (li, s, a) in ctx.census.iter() {
        let d = a.district.map(|d| &ctx.districts.work[d.get()]);
        let file = &ctx.census.files[li];
        sites.push(RegisterSite {
            id: s.id().to_string(),
            name: s.name().to_string(),
            category: s.category().to_string(),
            grade: s.grade().to_string(),
            level: s.level,
            district_id: d.map(|z| z.id.clone()),
            district_name: d.map(|z| z.name.clone()),
            grid_id: ctx.grids.and_then(|m| a.grid.map(|g| m.work[g.get()].id.clone())),
            x: s.x,
            y: s.y,
            lon: s.lon,
            lat: s.lat,
            // The file name only, so that the register does not depend on where sisetu was
            // started from (as the `source` of sites.geojson).
            source: Path::new(file).file_name().map_or_else(|| file.clone(), |f| f.to_string_lossy().into_owned()),
            line: s.line,
        });
        unit_of.push(if ctx.grids.is_some() { a.grid } else { a.district }.map(ZoneIdx::as_u32));
    }
    (sites, unit_of)
}

/// The units (management grids, else districts) with their sites, and the sites in none.
fn units(ctx: &Context, unit_of: &[Option<u32>]) -> (UnitKind, Vec<RegisterUnit>, Vec<u32>) {
    let (kind, zones, sums) = match ctx.grids {
        Some(m) => (UnitKind::Grid, &m.work, &ctx.tallies.by_grid),
        None => (UnitKind::District, &ctx.districts.work, &ctx.tallies.by_district),
    };
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); zones.len()];
    let mut outside = Vec::new();
    for (i, u) in unit_of.iter().enumerate() {
        match u {
            Some(u) => members[*u as usize].push(i as u32),
            None => outside.push(i as u32),
        }
    }
    let districts = ctx.districts;
    let units = zones
        .iter()
        .zip(sums)
        .zip(members)
        .map(|((z, s), sites)| RegisterUnit {
            id: z.id.clone(),
            name: z.name.clone(),
            person: crate::analysis::grid_checks::person_of(z).map(String::from),
            district: match kind {
                UnitKind::District => z.name.clone(),
                UnitKind::Grid => z
                    .geometry
                    .interior_point()
                    .and_then(|p| districts.locate_work(p.x(), p.y()))
                    .map(|d| districts.work[d.get()].name.clone())
                    .unwrap_or_default(),
            },
            geometry: z.geometry.clone(),
            level: ctx.cfg.aggregation.level(&s.levels),
            counts: s.levels.as_array(),
            sites,
        })
        .collect();
    (kind, units, outside)
}

impl Findings for Found {
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn write(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        let input = RegisterInput {
            kind: self.kind,
            units: &self.units,
            outside: self.outside.clone(),
            sites: &self.sites,
            districts: &self.districts,
            html: self.html,
        };
        write_register(ctx.cfg, &input, ctx.work, stage)
    }
}
