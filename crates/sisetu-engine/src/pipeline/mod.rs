//! `sisetu build`: the whole job, from the project's files to every output.
//!
//! 1. read the district (and management-grid) polygons, pick the working CRS;
//! 2. read every site layer (rows → sites or rejects), flag duplicate ids;
//! 3. assign every site to a district, a management grid and a regular cell (parallel);
//! 4. summarise per district, grid and cell;
//! 5. write all outputs into a staging folder, then move them into place together.

use crate::observer::Observer;
use sisetu_core::idkey::id_key_cow;
pub mod commands;

use crate::layers::{load_zone_layer, prepare_zone_layer, ZoneLayer};
use crate::project::Config;
use anyhow::{anyhow, bail, Context, Result};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sisetu_core::{CellId, RegularGrid, RiskLevel, Summary, Zone};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::sites::{read_sites, Reject, Site, SiteTransforms};
use sisetu_io::write::{self, Geom, Staging, Value};
use sisetu_io::zones::{project_zones, read_zones};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Overrides the project's output folder.
    pub out: Option<PathBuf>,
    /// `sisetu check`: run every step, but into a temporary folder that is deleted at the
    /// end; the output folder is not touched.
    pub check: bool,
}

/// A temporary folder removed when dropped (the outputs of `sisetu check`).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Per-file figures of report.json.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as named in the project.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Encoding found (CSV).
    pub encoding: Option<String>,
    /// Which header fed which role.
    pub columns: BTreeMap<String, String>,
    /// Data rows read = accepted + rejected.
    pub rows_read: u64,
    /// Rows that became sites.
    pub accepted: u64,
    /// Rows in rejects.csv.
    pub rejected: u64,
    /// Accepted sites outside every district.
    pub unassigned: u64,
    /// Accepted sites whose id appeared on an earlier row (kept, flagged).
    pub duplicate_ids: u64,
    /// Accepted sites per level.
    pub levels: BTreeMap<&'static str, u64>,
}

/// A polygon layer in report.json.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// The file.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Features read.
    pub features: usize,
    /// Invalid polygons (kept; assignment stays deterministic).
    pub invalid: Vec<BTreeMap<&'static str, String>>,
}

/// report.json.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// sisetu version.
    pub sisetu_version: &'static str,
    /// Project title.
    pub title: String,
    /// Census date from the project.
    pub census_date: Option<String>,
    /// Data source note from the project.
    pub source: Option<String>,
    /// The working CRS of all computations.
    pub working_crs: String,
    /// Regular grid cell size (m).
    pub cell_size_m: f64,
    /// Aggregation rule.
    pub aggregation: String,
    /// District layer.
    pub districts: LayerReport,
    /// Management-grid layer.
    pub management_grid: Option<LayerReport>,
    /// Site files.
    pub sites: Vec<FileReport>,
    /// Totals over all files.
    pub totals: Totals,
    /// Ids used by more than one row (first 1000), with their occurrences as `file:line`.
    pub duplicate_ids: Vec<BTreeMap<&'static str, serde_json::Value>>,
    /// Grid-management checks, when a `[management_grid]` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_checks: Option<crate::analysis::grid_checks::GridChecksReport>,
    /// Changes since the previous census round (`[previous]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::analysis::changes::DiffSummary>,
    /// Facility coverage (`[[facilities]]`), when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::analysis::coverage::CoverageReport>,
    /// Files written.
    pub outputs: Vec<String>,
}

/// Totals over all site files.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Totals {
    /// Data rows read.
    pub rows_read: u64,
    /// Accepted sites.
    pub accepted: u64,
    /// Rejected rows.
    pub rejected: u64,
    /// Sites outside every district.
    pub unassigned: u64,
    /// Sites outside every management grid (when a grid layer is given).
    pub outside_management_grid: Option<u64>,
    /// Sites per level.
    pub levels: BTreeMap<&'static str, u64>,
    /// Non-empty regular cells.
    pub cells: usize,
}

/// What a build produced.
pub struct BuildOutcome {
    /// The report as written.
    pub report: Report,
    /// Final output folder.
    pub out_dir: PathBuf,
    /// Per-district summaries (for the terminal).
    pub district_rows: Vec<(String, String, Summary, Option<RiskLevel>)>,
    /// Coverage lines for the terminal.
    pub coverage_lines: Vec<String>,
    /// Grid-check lines for the terminal.
    pub grid_lines: Vec<String>,
    /// Lines on the changes since the previous round.
    pub change_lines: Vec<String>,
    /// The first rejected rows as `file:line: reason` (at most 20), for `sisetu check`.
    pub reject_preview: Vec<String>,
}

fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read the file", path.display()))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// Working CRS: explicit, or the 3° Gauss-Krüger zone of the districts' centre.
fn choose_working_crs(cfg: &Config, districts_wgs84: &[Zone]) -> Result<Crs> {
    if let Some(c) = cfg.working_crs {
        return Ok(c);
    }
    use geo::BoundingRect;
    let mut lon_min = f64::INFINITY;
    let mut lon_max = f64::NEG_INFINITY;
    for z in districts_wgs84 {
        if let Some(r) = z.geometry.bounding_rect() {
            lon_min = lon_min.min(r.min().x);
            lon_max = lon_max.max(r.max().x);
        }
    }
    let centre = (lon_min + lon_max) / 2.0;
    Crs::gauss_kruger_for_lon(centre).ok_or_else(|| {
        anyhow!(
            "{}: the districts' centre (longitude {centre:.3}) is outside China's Gauss-Krüger zones; set [project] working_crs",
            cfg.project_file.display()
        )
    })
}

/// One accepted site with its assignment.
struct Placed {
    district: Option<u32>,
    grid: Option<u32>,
    cell: CellId,
}

/// Partial per-area counts (see `run`); merged in any order, since counts commute.
#[derive(Default)]
struct Sums {
    by_district: Vec<Summary>,
    unassigned: Summary,
    by_grid: Vec<Summary>,
    outside_grid: u64,
    by_cell: FxHashMap<CellId, Summary>,
    total: Summary,
}

fn merge_sums(mut a: Sums, mut b: Sums) -> Sums {
    if a.by_cell.len() < b.by_cell.len() {
        std::mem::swap(&mut a, &mut b);
    }
    for (x, y) in a.by_district.iter_mut().zip(&b.by_district) {
        x.merge(y);
    }
    for (x, y) in a.by_grid.iter_mut().zip(&b.by_grid) {
        x.merge(y);
    }
    a.unassigned.merge(&b.unassigned);
    a.total.merge(&b.total);
    a.outside_grid += b.outside_grid;
    for (c, s) in b.by_cell {
        a.by_cell.entry(c).or_default().merge(&s);
    }
    a
}

/// Runs the build. Nothing in the output folder changes unless every output was written.
pub fn run(cfg: &Config, opts: &BuildOptions, progress: &dyn Observer) -> Result<BuildOutcome> {
    let out_dir = opts.out.clone().unwrap_or_else(|| cfg.output.clone());
    if let Some(prev) = &cfg.previous {
        if crate::paths::same_folder(&out_dir, &prev.output) {
            bail!(
                "{}: the output folder {} is the [previous] round's folder: this build would replace the round it compares with; write to another folder",
                cfg.project_file.display(),
                out_dir.display()
            );
        }
    }

    // 1. Polygons.
    let (dspec, dcrs) = &cfg.districts;
    progress.stage("reading districts");
    let raw_districts = crate::layers::read_layer(dspec, *dcrs)?;
    progress.stage("projecting districts");
    let work = choose_working_crs(cfg, &raw_districts.wgs84)?;
    let districts = prepare_zone_layer(dspec, raw_districts, *dcrs, work)?;
    for (id, why) in &districts.invalid {
        progress.warn(&format!("{}: district {id} has an invalid polygon ({why}); kept as it is", dspec.display));
    }
    let mgrid = match &cfg.management_grid {
        Some((spec, crs)) => {
            progress.stage("reading management grids");
            let layer = load_zone_layer(spec, *crs, work)?;
            for (id, why) in &layer.invalid {
                progress.warn(&format!("{}: grid {id} has an invalid polygon ({why}); kept as it is", spec.display));
            }
            Some(layer)
        }
        None => None,
    };
    let grid = RegularGrid::new(cfg.cell_size_m).ok_or_else(|| anyhow!("invalid cell size {}", cfg.cell_size_m))?;

    // 2. Sites.
    progress.stage("reading sites");
    let mut layers = Vec::new();
    for spec in &cfg.sites {
        let tf = SiteTransforms::new(spec.crs, work).map_err(|e| anyhow!("{}: {e}", spec.display))?;
        let size = std::fs::metadata(&spec.path).map(|m| m.len()).unwrap_or(0);
        progress.file_started(&format!("reading {}", spec.display), size);
        let layer = read_sites(spec, &cfg.grades, &tf, &|n| progress.file_progress(n))?;
        progress.file_finished();
        if layer.rows_read == 0 {
            progress.warn(&format!("{}: the file has a header but no data rows", spec.display));
        }
        layers.push(layer);
    }

    // Duplicate ids across all layers, in input order.
    progress.stage("duplicate ids");
    // Hash every id in parallel, sort (hash, layer, row) and look at equal-hash runs only.
    let mut keyed: Vec<(u64, u32, u32)> = layers
        .iter()
        .enumerate()
        .flat_map(|(li, l)| {
            l.sites
                .par_iter()
                .enumerate()
                .filter(|(_, s)| !s.id().is_empty())
                .map(move |(si, s)| {
                    use std::hash::BuildHasher;
                    (rustc_hash::FxBuildHasher.hash_one(&*id_key_cow(s.id())), li as u32, si as u32)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    keyed.par_sort_unstable();
    let mut dup_rows: Vec<Vec<bool>> = layers.iter().map(|l| vec![false; l.sites.len()]).collect();
    let mut dup_occ: BTreeMap<std::borrow::Cow<str>, Vec<String>> = BTreeMap::new();
    let site_of = |li: u32, si: u32| &layers[li as usize].sites[si as usize];
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // Within a run, group by the actual id key (hash collisions are possible).
        let mut seen: Vec<(std::borrow::Cow<str>, (u32, u32))> = Vec::new();
        for &(_, li, si) in run {
            let id = id_key_cow(site_of(li, si).id());
            match seen.iter().find(|(s, _)| *s == id) {
                None => seen.push((id, (li, si))),
                Some(&(_, (fl, fs))) => {
                    dup_rows[li as usize][si as usize] = true;
                    let occ = dup_occ.entry(id).or_insert_with(|| {
                        vec![format!("{}:{}", cfg.sites[fl as usize].display, site_of(fl, fs).line)]
                    });
                    occ.push(format!("{}:{}", cfg.sites[li as usize].display, site_of(li, si).line));
                }
            }
        }
    }
    let is_dup_id = |id: &str| !id.is_empty() && !dup_occ.is_empty() && dup_occ.contains_key(&*id_key_cow(id));

    // Categories: sorted names → ids.
    let cat_set: FxHashSet<&str> = layers
        .iter()
        .flat_map(|l| l.sites.iter().map(sisetu_io::sites::Site::category))
        .filter(|c| !c.is_empty())
        .collect();
    let mut cat_names: Vec<&str> = cat_set.into_iter().collect();
    cat_names.sort_unstable();
    let cat_id: FxHashMap<&str, u32> = cat_names.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
    let has_categories = cfg.sites.iter().zip(&layers).any(|(_, l)| l.columns_used.contains_key("category"));

    // 3. Assignment.
    progress.stage("assigning sites");
    let placed: Vec<Vec<Placed>> = layers
        .iter()
        .map(|l| {
            l.sites
                .par_iter()
                .with_min_len(2048)
                .map(|s| Placed {
                    district: districts.index.locate(s.x, s.y),
                    grid: mgrid.as_ref().and_then(|g| g.index.locate(s.x, s.y)),
                    cell: grid.cell_of(s.x, s.y),
                })
                .collect()
        })
        .collect();

    // 4. Summaries.
    progress.stage("summarising");
    let (n_districts, n_grids) = (districts.work.len(), mgrid.as_ref().map_or(0, |g| g.work.len()));
    let empty = || Sums {
        by_district: vec![Summary::default(); n_districts],
        by_grid: vec![Summary::default(); n_grids],
        ..Default::default()
    };
    let sums = layers
        .iter()
        .zip(&placed)
        .map(|(l, p)| {
            l.sites
                .par_iter()
                .zip(p.par_iter())
                .with_min_len(16384)
                .fold(empty, |mut acc, (s, a)| {
                    let cat = if has_categories { cat_id.get(s.category()).copied() } else { None };
                    acc.total.add(s.level, cat);
                    match a.district {
                        Some(d) => acc.by_district[d as usize].add(s.level, cat),
                        None => acc.unassigned.add(s.level, cat),
                    }
                    match a.grid {
                        Some(g) => acc.by_grid[g as usize].add(s.level, cat),
                        None => acc.outside_grid += 1,
                    }
                    acc.by_cell.entry(a.cell).or_default().add(s.level, cat);
                    acc
                })
                .reduce(empty, merge_sums)
        })
        .fold(empty(), merge_sums);
    let Sums { by_district, unassigned, by_grid, outside_grid, by_cell, total } = sums;
    let mut cells: Vec<(CellId, Summary)> = by_cell.into_iter().collect();
    cells.sort_unstable_by_key(|(c, _)| (std::cmp::Reverse(c.row), c.col));

    // 5. Outputs.
    progress.stage("writing outputs");
    let check_dir = if opts.check {
        let dir = std::env::temp_dir().join(format!("sisetu-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Some(TempDir(dir))
    } else {
        None
    };
    let mut stage = Staging::new(check_dir.as_ref().map_or(out_dir.as_path(), |d| d.0.as_path()))?;
    if mgrid.is_none() {
        stage.retire("grids.geojson");
    }
    let agg = cfg.aggregation;
    let level_props = |s: &Summary| -> Vec<(&'static str, Value<'static>)> {
        vec![
            ("level", agg.level(&s.levels).map(|l| Value::Str(l.as_str())).unwrap_or(Value::Null)),
            ("n_red", Value::Int(s.levels.n[0] as i64)),
            ("n_orange", Value::Int(s.levels.n[1] as i64)),
            ("n_yellow", Value::Int(s.levels.n[2] as i64)),
            ("n_blue", Value::Int(s.levels.n[3] as i64)),
            ("total", Value::Int(s.levels.total() as i64)),
        ]
    };
    let cat_keys: Vec<String> = cat_names.iter().map(|c| format!("cat_{c}")).collect();
    let zone_features = |layer: &ZoneLayer, sums: &[Summary], extra_keys: bool| -> Vec<u8> {
        let items: Vec<usize> = (0..layer.work.len()).collect();
        write::render_chunk(&items, |buf, &i| {
            let z = &layer.wgs84[i];
            let s = &sums[i];
            let mut props: Vec<(&str, Value)> = vec![("id", Value::Str(&z.id)), ("name", Value::Str(&z.name))];
            if extra_keys {
                for (k, v) in &z.extra {
                    props.push((k, Value::StrOrNull(v)));
                }
            }
            props.extend(level_props(s));
            if has_categories {
                for (ci, k) in cat_keys.iter().enumerate() {
                    props.push((k, Value::Int(s.category(ci as u32) as i64)));
                }
            }
            write::push_feature(buf, &props, Geom::MultiPolygon(&z.geometry));
        })
    };
    write::write_feature_collection(
        &stage.path("districts.geojson"),
        "districts",
        &[zone_features(&districts, &by_district, false)],
    )?;
    if let Some(g) = &mgrid {
        write::write_feature_collection(&stage.path("grids.geojson"), "grids", &[zone_features(g, &by_grid, true)])?;
    }
    let grid_checks = match (&mgrid, &cfg.management_grid) {
        (Some(g), Some((gspec, _))) => {
            progress.stage("grid checks");
            let has_person = gspec.extra.iter().any(|(k, _)| k == "person");
            let mut facts =
                crate::analysis::grid_checks::SiteFacts { red_orange_without_person: Vec::new(), outside: Vec::new() };
            for (li, (l, p)) in layers.iter().zip(&placed).enumerate() {
                for (s, a) in l.sites.iter().zip(p) {
                    let site_ref = || crate::analysis::grid_checks::SiteRef {
                        id: s.id().to_string(),
                        name: s.name().to_string(),
                        level: s.level.as_str(),
                        grid_id: a.grid.map(|i| g.work[i as usize].id.clone()),
                        district_id: a.district.map(|d| districts.work[d as usize].id.clone()),
                        row: format!("{}:{}", cfg.sites[li].display, s.line),
                    };
                    match a.grid {
                        None => facts.outside.push(site_ref()),
                        Some(gi) => {
                            let severe = matches!(s.level, RiskLevel::Red | RiskLevel::Orange);
                            if has_person
                                && severe
                                && crate::analysis::grid_checks::person_of(&g.work[gi as usize]).is_none()
                            {
                                facts.red_orange_without_person.push(site_ref());
                            }
                        }
                    }
                }
            }
            let opts = crate::analysis::grid_checks::Options {
                has_person_column: has_person,
                min_gap_m2: cfg.grid_min_gap_m2,
            };
            let o = crate::analysis::grid_checks::run(&districts, g, &by_grid, facts, opts, work, &mut stage)?;
            Some(o)
        }
        _ => {
            stage.retire("grid_gaps.geojson");
            None
        }
    };

    progress.stage("writing cells");
    // Cells as polygons in WGS84.
    let work_to_wgs = Transformer::new(work, Crs::Wgs84).map_err(|e| anyhow!("{e}"))?;
    let cell_chunks: Vec<Vec<u8>> = cells
        .par_chunks(4096)
        .map(|chunk| {
            write::render_chunk(chunk, |buf, (c, s)| {
                let b = grid.bounds(*c);
                let corners =
                    [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
                let mut ring: Vec<(f64, f64)> =
                    corners.iter().map(|&(x, y)| work_to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN))).collect();
                ring.push(ring[0]);
                let label = grid.label(*c);
                let mut props: Vec<(&str, Value)> =
                    vec![("cell_id", Value::Str(&label)), ("col", Value::Int(c.col)), ("row", Value::Int(c.row))];
                props.extend(level_props(s));
                if has_categories {
                    for (ci, k) in cat_keys.iter().enumerate() {
                        props.push((k, Value::Int(s.category(ci as u32) as i64)));
                    }
                }
                write::push_feature(buf, &props, Geom::Ring(&ring));
            })
        })
        .collect();
    write::write_feature_collection(&stage.path("cells.geojson"), "cells", &cell_chunks)?;

    // Sites, rendered in parallel batches and streamed to the file in input order.
    progress.stage("writing sites");
    let multi_layer = layers.len() > 1;
    let sites_path = stage.path("sites.geojson");
    let mut sites_out = write::FeatureStream::create(&sites_path, "sites")?;
    for (li, (l, p)) in layers.iter().zip(&placed).enumerate() {
        let file = cfg.sites[li].display.as_str();
        let file_name = Path::new(file).file_name().and_then(|f| f.to_str()).unwrap_or(file);
        let idx: Vec<u32> = (0..l.sites.len() as u32).collect();
        write::stream_features(&mut sites_out, &idx, |buf, &i| {
            let (s, a): (&Site, &Placed) = (&l.sites[i as usize], &p[i as usize]);
            let d = a.district.map(|d| &districts.work[d as usize]);
            let mut label = String::with_capacity(24);
            grid.write_label(a.cell, &mut label);
            let mut props: [(&str, Value); 12] = [("", Value::Null); 12];
            let mut n = 0;
            let mut put = |k: &'static str, v| {
                props[n] = (k, v);
                n += 1;
            };
            put("id", Value::StrOrNull(s.id()));
            put("name", Value::StrOrNull(s.name()));
            put("category", Value::StrOrNull(s.category()));
            put("grade", Value::Str(s.grade()));
            put("level", Value::Str(s.level.as_str()));
            put("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null));
            if let Some(m) = &mgrid {
                let g = a.grid.map(|g| &m.work[g as usize]);
                put("grid_id", g.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null));
            }
            put("cell_id", Value::Str(&label));
            put("duplicate_id", Value::Bool(is_dup_id(s.id())));
            if multi_layer {
                put("source", Value::Str(file_name));
            }
            put("line", Value::Int(s.line as i64));
            write::push_feature(buf, &props[..n], Geom::Point(s.lon, s.lat));
        })?;
    }
    sites_out.finish()?;

    progress.stage("writing tables");
    // summary.csv
    let mut header: Vec<String> =
        ["district_id", "district_name", "level", "n_red", "n_orange", "n_yellow", "n_blue", "total"]
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
    if has_categories {
        // Category columns by name; prefixed only when a name would clash with a fixed column.
        let fixed: Vec<String> = header.clone();
        header.extend(cat_names.iter().map(|c| {
            if fixed.iter().any(|f| f == c) {
                format!("cat_{c}")
            } else {
                c.to_string()
            }
        }));
    }
    let row_of = |id: &str, name: &str, s: &Summary| -> Vec<String> {
        let mut r = vec![
            id.to_string(),
            name.to_string(),
            agg.level(&s.levels).map(|l| l.as_str().to_string()).unwrap_or_default(),
        ];
        r.extend(s.levels.n.iter().map(std::string::ToString::to_string));
        r.push(s.levels.total().to_string());
        if has_categories {
            r.extend((0..cat_names.len()).map(|ci| s.category(ci as u32).to_string()));
        }
        r
    };
    let mut rows: Vec<Vec<String>> =
        districts.work.iter().zip(&by_district).map(|(z, s)| row_of(&z.id, &z.name, s)).collect();
    if unassigned.levels.total() > 0 {
        rows.push(row_of("", "未归属 (outside every district)", &unassigned));
    }
    rows.push(row_of("", "合计 (total)", &total));
    let header_refs: Vec<&str> = header.iter().map(std::string::String::as_str).collect();
    write::write_csv_bom(&stage.path("summary.csv"), &header_refs, rows)?;
    // table.csv (一表)
    let table_rows: Vec<crate::analysis::table::TableRow> = districts
        .work
        .iter()
        .zip(&by_district)
        .map(|(z, s)| crate::analysis::table::TableRow { id: &z.id, name: &z.name, summary: s })
        .collect();
    let table_cats: &[&str] = if has_categories { &cat_names } else { &[] };
    crate::analysis::table::write_table(&stage.path("table.csv"), &table_rows, &unassigned, &total, &agg, table_cats)?;

    // Facility coverage.
    let coverage = crate::analysis::coverage::run(cfg, &districts, work, &mut stage, progress)?;

    // rejects.csv
    let mut reject_rows = Vec::new();
    for (spec, l) in cfg.sites.iter().zip(&layers) {
        for r in &l.rejects {
            reject_rows.push(reject_row(&spec.display, r));
        }
    }
    if let Some(c) = &coverage {
        for (file, r) in &c.rejects {
            reject_rows.push(reject_row(file, r));
        }
    }
    let reject_preview: Vec<String> =
        reject_rows.iter().take(20).map(|r| format!("{}:{}: {}", r[0], r[1], r[2])).collect();
    write::write_csv_bom(&stage.path("rejects.csv"), &["file", "line", "reason", "raw"], reject_rows)?;

    // report.json
    let mut file_reports = Vec::new();
    let mut totals = Totals::default();
    for (li, (spec, l)) in cfg.sites.iter().zip(&layers).enumerate() {
        let mut levels = BTreeMap::new();
        for lv in RiskLevel::ALL {
            levels.insert(lv.as_str(), 0u64);
        }
        for s in &l.sites {
            *levels.get_mut(s.level.as_str()).unwrap() += 1;
        }
        let fr = FileReport {
            file: spec.display.clone(),
            sha256: l.sha256.clone(),
            encoding: l
                .encoding
                .map(|e| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
            columns: l.columns_used.clone(),
            rows_read: l.rows_read,
            accepted: l.sites.len() as u64,
            rejected: l.rejects.len() as u64,
            unassigned: placed[li].iter().filter(|p| p.district.is_none()).count() as u64,
            duplicate_ids: dup_rows[li].iter().filter(|d| **d).count() as u64,
            levels,
        };
        if fr.rows_read != fr.accepted + fr.rejected {
            bail!(
                "internal error: {} rows read but {} accepted and {} rejected",
                fr.rows_read,
                fr.accepted,
                fr.rejected
            );
        }
        totals.rows_read += fr.rows_read;
        totals.accepted += fr.accepted;
        totals.rejected += fr.rejected;
        totals.unassigned += fr.unassigned;
        for (k, v) in &fr.levels {
            *totals.levels.entry(k).or_default() += v;
        }
        file_reports.push(fr);
    }
    totals.cells = cells.len();
    totals.outside_management_grid = mgrid.as_ref().map(|_| outside_grid);
    let layer_report = |spec: &sisetu_io::zones::ZoneLayerSpec, l: &ZoneLayer| -> Result<LayerReport> {
        Ok(LayerReport {
            file: spec.display.clone(),
            sha256: sha256_file(&spec.path)?,
            features: l.work.len(),
            invalid: l
                .invalid
                .iter()
                .map(|(id, why)| BTreeMap::from([("id", id.clone()), ("problem", why.clone())]))
                .collect(),
        })
    };
    let mut outputs: Vec<String> = [
        "districts.geojson",
        "cells.geojson",
        "sites.geojson",
        "summary.csv",
        "table.csv",
        "rejects.csv",
        "report.json",
    ]
    .map(String::from)
    .to_vec();
    if mgrid.is_some() {
        outputs.insert(1, "grids.geojson".into());
    }
    let (grid_checks, grid_lines) = match grid_checks {
        Some(o) => {
            outputs.extend(o.outputs);
            (Some(o.report), o.lines)
        }
        None => (None, Vec::new()),
    };
    let (coverage_report, coverage_lines) = match coverage {
        Some(c) => {
            outputs.extend(c.outputs);
            (Some(c.report), c.lines)
        }
        None => (None, Vec::new()),
    };

    // Maps, from the summaries in memory.
    let area = |z: &Zone, s: &Summary| sisetu_render::Area {
        id: z.id.clone(),
        name: z.name.clone(),
        geometry: z.geometry.clone(),
        level: agg.level(&s.levels),
        counts: s.levels.n,
        color: None,
    };
    if !cfg.maps.is_empty() {
        progress.stage("rendering maps");
        let data = crate::maps::MapData {
            districts: districts.work.iter().zip(&by_district).map(|(z, s)| area(z, s)).collect(),
            cells: cells
                .iter()
                .map(|(c, s)| crate::maps::cell_area(&grid, *c, agg.level(&s.levels), s.levels.n))
                .collect(),
            grids: mgrid
                .as_ref()
                .map(|g| g.work.iter().zip(&by_grid).map(|(z, s)| area(z, s)).collect())
                .unwrap_or_default(),
            sites: if cfg.maps.iter().any(|m| m.sites) {
                layers
                    .iter()
                    .flat_map(|l| l.sites.iter().map(|s| sisetu_render::SitePoint { x: s.x, y: s.y, level: s.level }))
                    .collect()
            } else {
                Vec::new()
            },
        };
        outputs.extend(crate::maps::render_maps(cfg, &data, work, &mut stage)?);
    }
    // The register (一册): one section per management grid, or per district.
    progress.stage("writing the register");
    let n_sites: usize = layers.iter().map(|l| l.sites.len()).sum();
    if !cfg.register {
        stage.retire("register.csv");
        stage.retire("register.html");
    } else {
        use crate::analysis::register::{RegisterInput, RegisterSite, RegisterUnit, UnitKind};
        let mut reg_sites: Vec<RegisterSite> = Vec::with_capacity(layers.iter().map(|l| l.sites.len()).sum());
        let mut unit_of: Vec<Option<u32>> = Vec::with_capacity(reg_sites.capacity());
        for (li, (l, p)) in layers.iter().zip(&placed).enumerate() {
            for (s, a) in l.sites.iter().zip(p) {
                let d = a.district.map(|d| &districts.work[d as usize]);
                reg_sites.push(RegisterSite {
                    id: s.id().to_string(),
                    name: s.name().to_string(),
                    category: s.category().to_string(),
                    grade: s.grade().to_string(),
                    level: s.level,
                    district_id: d.map(|z| z.id.clone()),
                    district_name: d.map(|z| z.name.clone()),
                    grid_id: mgrid.as_ref().and_then(|m| a.grid.map(|g| m.work[g as usize].id.clone())),
                    x: s.x,
                    y: s.y,
                    lon: s.lon,
                    lat: s.lat,
                    // The file name only, so that the register does not depend on where
                    // sisetu was started from (as the `source` of sites.geojson).
                    source: Path::new(&cfg.sites[li].display)
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_else(|| cfg.sites[li].display.clone()),
                    line: s.line,
                });
                unit_of.push(if mgrid.is_some() { a.grid } else { a.district });
            }
        }
        let (kind, unit_zones, unit_sums): (UnitKind, &[Zone], &[Summary]) = match &mgrid {
            Some(m) => (UnitKind::Grid, &m.work, &by_grid),
            None => (UnitKind::District, &districts.work, &by_district),
        };
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); unit_zones.len()];
        let mut outside = Vec::new();
        for (i, u) in unit_of.iter().enumerate() {
            match u {
                Some(u) => members[*u as usize].push(i as u32),
                None => outside.push(i as u32),
            }
        }
        use geo::InteriorPoint;
        let units: Vec<RegisterUnit> = unit_zones
            .iter()
            .zip(unit_sums)
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
                        .and_then(|p| districts.index.locate(p.x(), p.y()))
                        .map(|d| districts.work[d as usize].name.clone())
                        .unwrap_or_default(),
                },
                geometry: z.geometry.clone(),
                level: agg.level(&s.levels),
                counts: s.levels.n,
                sites,
            })
            .collect();
        let context: Vec<sisetu_render::Area> =
            districts.work.iter().zip(&by_district).map(|(z, s)| area(z, s)).collect();
        let html = cfg.register_html.unwrap_or(n_sites <= crate::analysis::register::HTML_AUTO_MAX_SITES);
        if cfg.register_html.is_none() && !html {
            progress.warn(&format!(
                "register.html is not written for {n_sites} sites (a printed register of over {} rows is not read); \
                 set [register] html = true to write it anyway. register.csv lists every site.",
                crate::analysis::register::HTML_AUTO_MAX_SITES
            ));
        }
        let input = RegisterInput { kind, units: &units, outside, sites: &reg_sites, districts: &context, html };
        let written = crate::analysis::register::write_register(cfg, &input, work, &mut stage)?;
        outputs.extend(written);
    }

    let aggregation_text = match agg {
        sisetu_core::Aggregation::Highest => "highest".to_string(),
        sisetu_core::Aggregation::Score(rule) => {
            let (w, t) = (rule.weights(), rule.thresholds());
            format!(
                "score (weights red {} orange {} yellow {} blue {}; thresholds red {} orange {} yellow {})",
                w[0], w[1], w[2], w[3], t[0], t[1], t[2]
            )
        }
    };
    // Changes since the previous census round (`[previous]`).
    let (changes, change_lines) = match &cfg.previous {
        None => (None, Vec::new()),
        Some(prev) => {
            progress.stage("comparing with the previous round");
            let old = crate::analysis::changes::Round::load(&prev.output, None)
                .with_context(|| format!("{}: [previous] output", cfg.project_file.display()))?;
            let meta = crate::analysis::changes::RoundMeta {
                title: cfg.title.clone(),
                census_date: cfg.census_date.clone(),
                working_crs: work.to_string(),
                cell_size_m: cfg.cell_size_m,
                aggregation: aggregation_text.clone(),
                districts_sha256: sha256_file(&dspec.path)?,
            };
            let staged = stage.path("sites.geojson");
            let new_dir = staged.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut new = crate::analysis::changes::Round::load(&new_dir, Some(meta))?;
            // Named as the output folder (also by `sisetu check`, whose staging is elsewhere).
            new.dir = out_dir.clone();
            let opts = crate::analysis::changes::DiffOptions {
                move_threshold_m: prev.move_m,
                zoom: prev.zoom.map(sisetu_core::Extent::to_array),
            };
            let o = crate::analysis::changes::run_diff(&old, &new, &opts, Some(cfg), &mut stage)
                .with_context(|| format!("comparing with the previous round in {}", prev.output.display()))?;
            outputs.extend(o.outputs);
            (Some(o.summary), o.lines)
        }
    };

    // Outputs of the previous run that this run does not write (a layer or map removed from
    // the project) are removed on commit, so the folder never mixes two runs.
    if let Ok(bytes) = std::fs::read(out_dir.join("report.json")) {
        if let Ok(old) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            for name in old["outputs"].as_array().into_iter().flatten().filter_map(|v| v.as_str()) {
                let plain = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
                if plain && !outputs.iter().any(|o| o == name) {
                    stage.retire(name);
                }
            }
        }
    }
    let report = Report {
        sisetu_version: env!("CARGO_PKG_VERSION"),
        title: cfg.title.clone(),
        census_date: cfg.census_date.clone(),
        source: cfg.source.clone(),
        working_crs: work.to_string(),
        cell_size_m: cfg.cell_size_m,
        aggregation: aggregation_text.clone(),
        districts: layer_report(dspec, &districts)?,
        management_grid: match (&cfg.management_grid, &mgrid) {
            (Some((spec, _)), Some(l)) => Some(layer_report(spec, l)?),
            _ => None,
        },
        sites: file_reports,
        totals,
        duplicate_ids: dup_occ
            .iter()
            .take(1000)
            .map(|(id, occ)| BTreeMap::from([("id", serde_json::json!(id)), ("rows", serde_json::json!(occ))]))
            .collect(),
        grid_checks,
        changes,
        coverage: coverage_report,
        outputs,
    };
    let mut json = serde_json::to_vec_pretty(&report)?;
    json.push(b'\n');
    write::write_bytes(&stage.path("report.json"), &json)?;
    if check_dir.is_none() {
        stage.commit()?;
    } else {
        drop(stage);
    }
    drop(check_dir);
    progress.stage("done");

    let mut district_rows: Vec<_> = districts
        .work
        .iter()
        .zip(&by_district)
        .map(|(z, s)| (z.id.clone(), z.name.clone(), s.clone(), agg.level(&s.levels)))
        .collect();
    district_rows.push((String::new(), "未归属 (unassigned)".into(), unassigned.clone(), None));
    Ok(BuildOutcome { report, out_dir, district_rows, coverage_lines, grid_lines, change_lines, reject_preview })
}

impl Report {
    /// Problems found by the grid checks and the comparison with the previous round, one
    /// line each, for `sisetu check`.
    pub fn check_problems(&self) -> Vec<String> {
        let mut out =
            self.grid_checks.as_ref().map(super::analysis::grid_checks::GridChecksReport::problems).unwrap_or_default();
        if let Some(c) = &self.changes {
            if c.sites.id_reused > 0 {
                out.push(format!(
                    "{} site ids of the previous round now name a different enterprise (changes.csv: change = id_reused)",
                    c.sites.id_reused
                ));
            }
            if c.sites.unmatched > 0 {
                out.push(format!(
                    "{} sites cannot be matched with the previous round: empty or repeated ids (changes.csv: change = unmatched)",
                    c.sites.unmatched
                ));
            }
            out.extend(c.notes.iter().cloned());
        }
        out
    }

    /// Every rejected input row: sites, population, facilities and siting candidates.
    pub fn rejected_rows(&self) -> u64 {
        let coverage = self.coverage.as_ref().map_or(0, |c| {
            c.population.inputs.iter().map(|i| i.rejected).sum::<u64>()
                + c.layers
                    .iter()
                    .map(|l| l.input.rejected + l.candidates.as_ref().map_or(0, |i| i.rejected))
                    .sum::<u64>()
        });
        self.totals.rejected + coverage
    }
}

fn reject_row(file: &str, r: &Reject) -> Vec<String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(&r.raw);
    let raw = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    vec![file.to_string(), r.line.to_string(), r.reason.clone(), raw.trim_end_matches('\n').to_string()]
}
