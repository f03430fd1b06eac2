//! Stage 1: load and validate every input — the polygon layers, every site layer and each
//! analysis's own inputs — before anything is computed.

use crate::analysis::{registry, Analysis, LoadContext};
use crate::error::{Error, Result};
use crate::layers::{load_zone_layer, prepare_zone_layer, read_layer, ZoneLayer};
use crate::observer::Observer;
use crate::project::Config;
use sisetu_core::Zone;
use sisetu_io::crs::Crs;
use sisetu_io::sites::{read_sites, SiteLayer, SiteTransforms};
use std::path::Path;

/// Every input of a build, read and validated.
pub(crate) struct Inputs {
    /// The working CRS of all computations.
    pub work: Crs,
    /// The districts.
    pub districts: ZoneLayer,
    /// The management grids.
    pub grids: Option<ZoneLayer>,
    /// Every site layer, in project order.
    pub layers: Sites,
    /// The analyses the project asks for, with their own inputs read.
    pub analyses: Vec<Box<dyn Analysis>>,
}

/// The site layers as loaded.
pub(crate) enum Sites {
    /// Read whole, in memory.
    InMemory(Vec<SiteLayer>),
    /// Read and validated by the first pass of a streamed census (no site kept).
    Streamed(super::stream::Scanned),
}

/// Reads every input of the project; the site layers in memory, or streamed as `mode` and
/// the project decide ([`super::stream::chosen`]). The analyses' inputs are read before the
/// sites: whether the census can be streamed depends on the analyses.
pub(crate) fn load(
    cfg: &Config,
    out_dir: &Path,
    mode: super::stream::StreamMode,
    obs: &dyn Observer,
) -> Result<Inputs> {
    // A project font is checked first (readable, with drawable Chinese glyphs and digits), so
    // that `check` finds a bad font and `build` fails before any work, not at its maps.
    if cfg.font.is_some() {
        crate::maps::load_font(cfg)?;
    }
    let (districts, work) = load_districts(cfg, obs)?;
    let grids = load_grids(cfg, work, obs)?;
    let lctx = LoadContext { cfg, work, districts: &districts, grids: grids.as_ref(), out_dir };
    let mut analyses = Vec::new();
    for (_, loader) in registry() {
        if let Some(a) = loader(&lctx, obs)? {
            analyses.push(a);
        }
    }
    for input in analyses.iter().flat_map(|a| a.inputs()) {
        for warning in input.warnings {
            obs.warn(&format!("{}: {warning}", input.file));
        }
    }
    let layers = if super::stream::chosen(cfg, &analyses, mode)? {
        Sites::Streamed(super::stream::scan(cfg, work, obs)?)
    } else {
        Sites::InMemory(load_sites(cfg, work, obs)?)
    };
    let inputs = Inputs { work, districts, grids, layers, analyses };
    check_rows(cfg, &inputs)?;
    Ok(inputs)
}

fn load_districts(cfg: &Config, obs: &dyn Observer) -> Result<(ZoneLayer, Crs)> {
    let (spec, crs) = &cfg.districts;
    obs.stage("reading districts");
    let raw = read_layer(spec, *crs)?;
    obs.stage("projecting districts");
    let work = choose_working_crs(cfg, raw.wgs84())?;
    let districts = prepare_zone_layer(spec, raw, *crs, work)?;
    for (id, why) in &districts.invalid {
        obs.warn(&format!("{}: district {id} has an invalid polygon ({why}); kept as it is", spec.display));
    }
    for z in &districts.work {
        crate::maps::residents_of(z).map_err(|why| Error::input(format!("{}: {why}", spec.display)))?;
    }
    Ok((districts, work))
}

fn load_grids(cfg: &Config, work: Crs, obs: &dyn Observer) -> Result<Option<ZoneLayer>> {
    let Some((spec, crs)) = &cfg.management_grid else { return Ok(None) };
    obs.stage("reading management grids");
    let layer = load_zone_layer(spec, *crs, work)?;
    for (id, why) in &layer.invalid {
        obs.warn(&format!("{}: grid {id} has an invalid polygon ({why}); kept as it is", spec.display));
    }
    Ok(Some(layer))
}

fn load_sites(cfg: &Config, work: Crs, obs: &dyn Observer) -> Result<Vec<SiteLayer>> {
    obs.stage("reading sites");
    let mut layers = Vec::with_capacity(cfg.sites.len());
    for spec in &cfg.sites {
        let tf = SiteTransforms::new(spec.crs, work).map_err(|e| Error::input(format!("{}: {e}", spec.display)))?;
        let size = std::fs::metadata(&spec.path).map(|m| m.len()).unwrap_or(0);
        obs.file_started(&format!("reading {}", spec.display), size);
        let layer = read_sites(spec, &cfg.grades, &tf, &|n| obs.file_progress(n));
        obs.file_finished();
        let layer = layer?;
        for warning in &layer.warnings {
            obs.warn(&format!("{}: {}", spec.display, warning.text(cfg.lang)));
        }
        if layer.rows_read == 0 {
            obs.warn(&format!("{}: the file has a header but no data rows", spec.display));
        }
        if let Some(e) = nothing_accepted(&spec.display, &layer, layer.sites.len() as u64) {
            return Err(e);
        }
        layers.push(layer);
    }
    Ok(layers)
}

/// The error for a site layer whose every data row was rejected: a whole file with its
/// columns swapped, in another CRS than declared, with its grades unmapped … would otherwise
/// replace the previous outputs with empty ones. It names the most common reason, its first
/// line and the fix.
pub(super) fn nothing_accepted(file: &str, layer: &SiteLayer, accepted: u64) -> Option<Error> {
    if layer.rows_read == 0 || accepted > 0 {
        return None;
    }
    let mut by_fix: Vec<(String, u64, &sisetu_io::Reject)> = Vec::new();
    for r in &layer.rejects {
        let fix = r.reason.fix();
        match by_fix.iter_mut().find(|(f, _, _)| *f == fix) {
            Some(entry) => entry.1 += 1,
            None => by_fix.push((fix, 1, r)),
        }
    }
    let (fix, n, first) = by_fix.iter().max_by_key(|(_, n, r)| (*n, std::cmp::Reverse(r.line)))?;
    Some(Error::input(format!(
        "{file}: all {} data rows were rejected, so no site is left to map (the previous outputs are kept); {n} of them like line {}: {}; fix: {fix}",
        layer.rows_read, first.location(), first.reason
    )))
}

/// The largest scale error a Gauss-Krüger working CRS may have over the districts: that of a
/// 3° zone at its edge on the equator (1.5° from the central meridian: k = 1.000343). A city
/// or a prefecture fits (乌鲁木齐市, 2.2° wide at 43°N: 0.00032); a province or the nation gets
/// Albers equal-area.
pub const GK_MAX_SCALE_ERROR: f64 = 3.5e-4;

/// Working CRS: as set in the project, or chosen from the districts' extent: the 3°
/// Gauss-Krüger zone of their centre when its worst scale error over them is at most
/// [`GK_MAX_SCALE_ERROR`] or smaller than Albers' over them, Albers equal-area centred on
/// them otherwise (a province, the nation).
fn choose_working_crs(cfg: &Config, districts_wgs84: &[Zone]) -> Result<Crs> {
    use crate::project::WorkingCrs;
    use sisetu_io::crs::AlbersCm;
    if let WorkingCrs::Fixed(c) = cfg.working_crs {
        return Ok(c);
    }
    let extent = crate::layers::lonlat_extent(districts_wgs84).ok_or_else(|| {
        Error::input(format!(
            "{}: the districts have no coordinates to choose a working CRS from",
            cfg.districts.0.display
        ))
    })?;
    let centre = (extent[0] + extent[2]) / 2.0;
    let albers = Crs::Albers(AlbersCm::for_lon(centre));
    if cfg.working_crs == WorkingCrs::Albers {
        return Ok(albers);
    }
    // Gauss-Krüger while it is as good as a 3° zone at its edge, or better than Albers over
    // these districts (a city just wider than a zone, far from Albers' standard parallels:
    // 台州市 gets 0.06 % in its GK zone against 1.1 % in Albers).
    let albers_error = albers.worst_scale_error(extent);
    match Crs::gauss_kruger_for_lon(centre) {
        Some(gk)
            if gk.worst_scale_error(extent).is_some_and(|e| {
                e <= GK_MAX_SCALE_ERROR || albers_error.is_some_and(|a| e < a)
            }) =>
        {
            Ok(gk)
        }
        _ if (70.0..=140.0).contains(&centre) => Ok(albers),
        _ => Err(Error::input(format!(
            "{}: the districts' centre (longitude {centre:.3}) is outside China's Gauss-Krüger zones; set [project] working_crs",
            cfg.project_file.display()
        ))),
    }
}

/// Nothing lost: every input file's rows read = accepted + rejected, checked before any
/// computation.
fn check_rows(cfg: &Config, inputs: &Inputs) -> Result<()> {
    let layers: Vec<(&SiteLayer, u64)> = match &inputs.layers {
        Sites::InMemory(layers) => layers.iter().map(|l| (l, l.sites.len() as u64)).collect(),
        Sites::Streamed(s) => s.layers.iter().zip(s.accepted.iter().copied()).collect(),
    };
    let sites = cfg
        .sites
        .iter()
        .zip(layers)
        .map(|(spec, (l, accepted))| (spec.display.as_str(), l.rows_read, accepted, l.rejects.len() as u64));
    let others = inputs
        .analyses
        .iter()
        .flat_map(|a| a.inputs())
        .map(|i| (i.file, i.rows_read, i.accepted, i.rejects.len() as u64));
    for (file, read, accepted, rejected) in sites.chain(others) {
        if read != accepted + rejected {
            return Err(Error::internal(format!(
                "{file}: {read} rows read but {accepted} accepted and {rejected} rejected"
            )));
        }
    }
    Ok(())
}
