//! Stage 2: assign every site to a district, a management grid and a regular cell, flag
//! repeated ids, and count sites per level and category for every area.
//!
//! Sites are processed in parallel chunks and the counts merged in any order (counts
//! commute), so the result does not depend on the number of threads; this stage never
//! needs the whole census at once beyond the chunk it works on.

use crate::census::{CellCounts, Census, Duplicates, PartialTallies, Placed, Tallies};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::observer::Observer;
use crate::project::Config;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sisetu_core::idkey::id_key_cow;
use sisetu_core::{RegularGrid, Summary};
use sisetu_io::sites::{Site, SiteLayer};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Assigns and tallies the loaded site layers.
pub(crate) fn assign(
    cfg: &Config,
    layers: Vec<SiteLayer>,
    districts: &ZoneLayer,
    grids: Option<&ZoneLayer>,
    obs: &dyn Observer,
) -> Result<(Census, Tallies)> {
    let grid = RegularGrid::new(cfg.cell_size_m).ok_or_else(|| {
        Error::input(format!("[grid] cell_size_m = {}: use a size in metres above 0", cfg.cell_size_m))
    })?;
    let files: Vec<String> = cfg.sites.iter().map(|s| s.display.clone()).collect();
    obs.stage("duplicate ids");
    let duplicates = duplicates(&layers, &files);
    obs.stage("assigning sites");
    let placed: Vec<Vec<Placed>> = layers.iter().map(|l| place(&l.sites, districts, grids, grid)).collect();
    obs.stage("summarising");
    let census = Census { layers, files, placed, duplicates, streamed: None };
    let tallies = tally(&census, districts.work.len(), grids.map_or(0, |g| g.work.len()));
    Ok((census, tallies))
}

/// Where each of `sites` lies: its district, management grid and regular cell (in parallel,
/// in input order).
pub(super) fn place(
    sites: &[Site],
    districts: &ZoneLayer,
    grids: Option<&ZoneLayer>,
    grid: RegularGrid,
) -> Vec<Placed> {
    sites
        .par_iter()
        .with_min_len(2048)
        .map(|s| Placed {
            district: districts.locate(s.lon, s.lat, s.x, s.y),
            grid: grids.and_then(|g| g.locate(s.lon, s.lat, s.x, s.y)),
            cell: grid.cell_of(s.x, s.y),
        })
        .collect()
}

/// Ids used by more than one row across all layers, in input order: every id is hashed in
/// parallel, `(hash, layer, row)` sorted, and only runs of equal hashes compared.
fn duplicates(layers: &[SiteLayer], files: &[String]) -> Duplicates {
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
    let mut rows: Vec<Vec<bool>> = layers.iter().map(|l| vec![false; l.sites.len()]).collect();
    let mut occurrences: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let site_of = |li: u32, si: u32| &layers[li as usize].sites[si as usize];
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // Within a run, group by the actual id key (hash collisions are possible).
        let mut seen: Vec<(Cow<str>, (u32, u32))> = Vec::new();
        for &(_, li, si) in run {
            let id = id_key_cow(site_of(li, si).id());
            match seen.iter().find(|(s, _)| *s == id) {
                None => seen.push((id, (li, si))),
                Some(&(_, (fl, fs))) => {
                    rows[li as usize][si as usize] = true;
                    let occ = occurrences
                        .entry(id.into_owned())
                        .or_insert_with(|| vec![format!("{}:{}", files[fl as usize], site_of(fl, fs).line)]);
                    occ.push(format!("{}:{}", files[li as usize], site_of(li, si).line));
                }
            }
        }
    }
    Duplicates { rows, occurrences }
}

/// Counts per district, grid and cell, by level and category.
fn tally(census: &Census, n_districts: usize, n_grids: usize) -> Tallies {
    let cat_set: FxHashSet<&str> = census
        .layers
        .iter()
        .map(|l| {
            l.sites
                .par_iter()
                .with_min_len(16384)
                .fold(FxHashSet::default, |mut set, s| {
                    if !s.category().is_empty() {
                        set.insert(s.category());
                    }
                    set
                })
                .reduce(FxHashSet::default, |mut a, b| {
                    a.extend(b);
                    a
                })
        })
        .fold(FxHashSet::default(), |mut a, b| {
            a.extend(b);
            a
        });
    let mut categories: Vec<&str> = cat_set.into_iter().collect();
    categories.sort_unstable();
    let cat_id: FxHashMap<&str, u32> = categories.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
    let has_categories = census.layers.iter().any(|l| l.columns_used.contains_key("category"));
    let n_categories = if has_categories { categories.len() } else { 0 };
    let mut sums = PartialTallies {
        by_district: vec![Summary::default(); n_districts],
        by_grid: vec![Summary::default(); n_grids],
        by_cell: CellCounts::new(n_categories),
        ..Default::default()
    };
    // A million sites at a time: `count` sorts a copy of their cells.
    const BATCH: usize = 1 << 20;
    for (l, p) in census.layers.iter().zip(&census.placed) {
        for (sites, placed) in l.sites.chunks(BATCH).zip(p.chunks(BATCH)) {
            sums.count(sites, placed, |s| if has_categories { cat_id.get(s.category()).copied() } else { None });
        }
    }
    finish_tallies(sums, categories.into_iter().map(String::from).collect(), has_categories)
}

/// The tallies from the merged counts: cells north to south, then west to east.
pub(super) fn finish_tallies(sums: PartialTallies, categories: Vec<String>, has_categories: bool) -> Tallies {
    let PartialTallies { by_district, unassigned, by_grid, outside_grid, by_cell, total } = sums;
    let mut cells = by_cell.into_summaries();
    cells.sort_unstable_by_key(|(c, _)| (std::cmp::Reverse(c.row), c.col));
    Tallies { by_district, unassigned, by_grid, outside_grid, cells, total, categories, has_categories }
}

impl PartialTallies {
    /// Counts `sites`, placed at `placed`, `category` giving each one's category id: the
    /// districts, grids and total in a few parallel chunks per thread, the cells in one batch
    /// sorted by cell ([`CellCounts::add_batch`]).
    pub(super) fn count(&mut self, sites: &[Site], placed: &[Placed], category: impl Fn(&Site) -> Option<u32> + Sync) {
        let cells: Vec<_> =
            sites.par_iter().zip(placed).with_min_len(4096).map(|(s, a)| (a.cell, s.level, category(s))).collect();
        let (n_districts, n_grids) = (self.by_district.len(), self.by_grid.len());
        let empty = || PartialTallies {
            by_district: vec![Summary::default(); n_districts],
            by_grid: vec![Summary::default(); n_grids],
            ..Default::default()
        };
        // A few chunks per thread: merging the district tables costs more than filling them.
        let chunk = (sites.len() / (4 * rayon::current_num_threads())).max(16384);
        let part = sites
            .par_iter()
            .zip(placed)
            .zip(&cells)
            .with_min_len(chunk)
            .fold(empty, |mut acc, ((s, a), c)| {
                acc.add(s, a, c.2);
                acc
            })
            .reduce(empty, PartialTallies::merge);
        let mut sums = PartialTallies::merge(std::mem::take(self), part);
        sums.by_cell.add_batch(cells);
        *self = sums;
    }

    /// Counts one site in its district, grid and the total (not its cell: [`PartialTallies::count`]).
    fn add(&mut self, s: &Site, a: &Placed, cat: Option<u32>) {
        self.total.add(s.level, cat);
        match a.district {
            Some(d) => self.by_district[d.get()].add(s.level, cat),
            None => self.unassigned.add(s.level, cat),
        }
        match a.grid {
            Some(g) => self.by_grid[g.get()].add(s.level, cat),
            None => self.outside_grid += 1,
        }
    }

    pub(super) fn merge(mut a: PartialTallies, mut b: PartialTallies) -> PartialTallies {
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
        a.by_cell.merge(&b.by_cell);
        a
    }
}
