//! The census after loading and assignment: every site layer as read, where each site lies
//! (district, management grid, regular cell), which ids repeat, and the counts per area.
//!
//! These are the typed inputs of every analysis ([`crate::context::Context`]); nothing here
//! reads or writes files.

use rustc_hash::FxHashMap;
use sisetu_core::{CellId, Summary, ZoneIdx};
use sisetu_io::sites::SiteLayer;
use std::collections::BTreeMap;

/// Where one accepted site lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Index of the district (into the district layer), `None`: outside every district.
    pub district: Option<ZoneIdx>,
    /// Index of the management grid, `None`: outside every grid or no grid layer.
    pub grid: Option<ZoneIdx>,
    /// The regular cell.
    pub cell: CellId,
}

/// Ids used by more than one row, compared by [`sisetu_core::idkey::id_key`].
#[derive(Debug, Clone, Default)]
pub struct Duplicates {
    /// Per layer, per accepted site: whether its id repeats an earlier row's.
    pub rows: Vec<Vec<bool>>,
    /// Per repeated id key: every occurrence as `file:line`, first one first.
    pub occurrences: BTreeMap<String, Vec<String>>,
}

impl Duplicates {
    /// Whether `id` is used by more than one row.
    pub fn is_repeated(&self, id: &str) -> bool {
        !id.is_empty()
            && !self.occurrences.is_empty()
            && self.occurrences.contains_key(&*sisetu_core::idkey::id_key_cow(id))
    }
}

/// Every site layer of the project as read, with its place.
///
/// A census held in memory has every site in [`SiteLayer::sites`] and its place in
/// [`Census::placed`]; a streamed one ([`Census::streamed`]: too large for memory, see
/// `pipeline/stream.rs`) has neither — its sites went through once, to the site layer and
/// the tallies — only each file's metadata, rejects and counts.
pub struct Census {
    /// The site layers, in project order.
    pub layers: Vec<SiteLayer>,
    /// How each layer's file is named in messages and outputs (as in the project).
    pub files: Vec<String>,
    /// Per layer, per accepted site: where it lies.
    pub placed: Vec<Vec<Placed>>,
    /// Repeated ids.
    pub duplicates: Duplicates,
    /// The counts of a streamed census, per layer (`None`: the sites are in memory).
    pub streamed: Option<Vec<LayerCounts>>,
}

/// What is counted of one site layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerCounts {
    /// Accepted sites.
    pub accepted: u64,
    /// Accepted sites outside every district.
    pub unassigned: u64,
    /// Rows whose id repeats an earlier row's.
    pub duplicate_rows: u64,
    /// Accepted sites per level.
    pub levels: sisetu_core::LevelCounts,
}

impl Census {
    /// Accepted sites over all layers.
    pub fn n_sites(&self) -> usize {
        (0..self.layers.len()).map(|li| self.counts(li).accepted as usize).sum()
    }

    /// The counts of layer `li`.
    pub fn counts(&self, li: usize) -> LayerCounts {
        if let Some(c) = self.streamed.as_ref().and_then(|c| c.get(li)) {
            return *c;
        }
        let l = &self.layers[li];
        let mut levels = sisetu_core::LevelCounts::default();
        for s in &l.sites {
            levels.add(s.level);
        }
        LayerCounts {
            accepted: l.sites.len() as u64,
            unassigned: self.placed.get(li).map_or(0, |p| p.iter().filter(|p| p.district.is_none()).count() as u64),
            duplicate_rows: self.duplicates.rows.get(li).map_or(0, |r| r.iter().filter(|d| **d).count() as u64),
            levels,
        }
    }

    /// Every accepted site with its layer index and place, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &sisetu_io::sites::Site, &Placed)> + '_ {
        self.layers
            .iter()
            .zip(&self.placed)
            .enumerate()
            .flat_map(|(li, (l, p))| l.sites.iter().zip(p).map(move |(s, a)| (li, s, a)))
    }
}

/// Counts per level and category for every area.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    /// Per district, in layer order.
    pub by_district: Vec<Summary>,
    /// Sites outside every district.
    pub unassigned: Summary,
    /// Per management grid, in layer order (empty without a grid layer).
    pub by_grid: Vec<Summary>,
    /// Sites outside every management grid.
    pub outside_grid: u64,
    /// Non-empty regular cells, north to south, then west to east.
    pub cells: Vec<(CellId, Summary)>,
    /// All sites.
    pub total: Summary,
    /// Category names, sorted; a summary's category `i` is `categories[i]`.
    pub categories: Vec<String>,
    /// Whether any site layer has a category column.
    pub has_categories: bool,
}

/// Partial counts merged in any order (counts commute).
#[derive(Default)]
pub(crate) struct PartialTallies {
    pub(crate) by_district: Vec<Summary>,
    pub(crate) unassigned: Summary,
    pub(crate) by_grid: Vec<Summary>,
    pub(crate) outside_grid: u64,
    pub(crate) by_cell: CellCounts,
    pub(crate) total: Summary,
}

/// Counts per regular cell in flat tables: a slot per cell met, its level counts and its
/// category counts (`n_categories` a slot). No allocation per cell, and a tenth of the memory
/// of a map of [`Summary`]s, so the tally of 10 million sites stays in the caches.
#[derive(Default)]
pub(crate) struct CellCounts {
    n_categories: usize,
    slot: FxHashMap<CellId, u32>,
    cells: Vec<CellId>,
    levels: Vec<sisetu_core::LevelCounts>,
    categories: Vec<u64>,
}

impl CellCounts {
    /// Empty counts for `n_categories` categories.
    pub(crate) fn new(n_categories: usize) -> Self {
        CellCounts { n_categories, ..Default::default() }
    }

    fn slot(&mut self, cell: CellId) -> usize {
        let next = self.cells.len() as u32;
        let s = *self.slot.entry(cell).or_insert(next) as usize;
        if s == self.cells.len() {
            self.cells.push(cell);
            self.levels.push(sisetu_core::LevelCounts::default());
            self.categories.resize(self.categories.len() + self.n_categories, 0);
        }
        s
    }

    /// Counts many sites at once, given as `(cell, level, category)`: sorted by cell first,
    /// so that each cell is looked up once per batch. (A lookup per site costs a cache miss
    /// each in a national table of hundreds of thousands of cells: this is several times
    /// faster for a segment of a million sites.)
    pub(crate) fn add_batch(&mut self, mut items: Vec<(CellId, sisetu_core::RiskLevel, Option<u32>)>) {
        use rayon::slice::ParallelSliceMut;
        items.par_sort_unstable_by_key(|t| t.0);
        let n = self.n_categories;
        for run in items.chunk_by(|a, b| a.0 == b.0) {
            let s = self.slot(run[0].0);
            let levels = &mut self.levels[s];
            for &(_, level, _) in run {
                levels.add(level);
            }
            if n > 0 {
                let cats = &mut self.categories[s * n..(s + 1) * n];
                for c in run.iter().filter_map(|t| t.2) {
                    cats[c as usize] += 1;
                }
            }
        }
    }

    /// Adds `other`'s counts (made with the same categories).
    pub(crate) fn merge(&mut self, other: &CellCounts) {
        for (i, &cell) in other.cells.iter().enumerate() {
            let s = self.slot(cell);
            self.levels[s].merge(&other.levels[i]);
            let n = self.n_categories;
            for (a, b) in self.categories[s * n..(s + 1) * n].iter_mut().zip(&other.categories[i * n..(i + 1) * n]) {
                *a += b;
            }
        }
    }

    /// Cells met.
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Every cell met with its summary, in no particular order.
    pub(crate) fn into_summaries(self) -> Vec<(CellId, Summary)> {
        let n = self.n_categories;
        self.cells
            .into_iter()
            .zip(self.levels)
            .enumerate()
            .map(|(i, (cell, levels))| {
                let mut by_category = self.categories[i * n..(i + 1) * n].to_vec();
                // As `Summary::add` leaves it: no longer than the last category counted.
                while by_category.last() == Some(&0) {
                    by_category.pop();
                }
                (cell, Summary { levels, by_category })
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
