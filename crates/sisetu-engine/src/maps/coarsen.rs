//! Regular cells merged into larger squares when they would be specks on paper.
//!
//! A 500 m cell on a whole-city A4 page is about a third of a millimetre: the map shows
//! coloured dust. When a cell's side on the page would be shorter than [`MIN_CELL_MM`], the
//! map draws blocks of `k × k` cells instead, `k` the first of [`FACTORS`] that makes a block
//! at least that long (500 m cells → 2 km, 2.5 km or 5 km squares). The blocks are squares of
//! the regular grid with `k` times the cell size (the grid is anchored at the CRS origin, so
//! block `(c, r)` holds cells `k·c … k·c + k − 1` by `k·r … k·r + k − 1` exactly).
//!
//! A block's counts are the sums of its cells' counts, and its level is the project's
//! aggregation rule applied to them (就高: the highest level of any of its sites). Only the
//! map changes: `cells.geojson`, the tables and `report.json` keep the cells at their size.
//!
//! ```
//! use sisetu_engine::maps::coarsen::factor;
//! assert_eq!(factor(500.0, 45.0), 1); // 1:45,000: a 500 m cell is 11 mm, drawn as it is
//! assert_eq!(factor(500.0, 1600.0), 5); // 1:1,600,000: 0.31 mm, drawn as 2.5 km squares
//! ```

use super::MapCell;
use sisetu_core::{Aggregation, CellId, LevelCounts, RegularGrid};
use std::collections::BTreeMap;

/// The shortest side (millimetres of paper) a cell is drawn with before cells are merged.
pub const MIN_CELL_MM: f64 = 1.5;

/// The merge factors tried, smallest first: block sides of 2, 4, 5, 10 … cells keep the
/// block size a round number of metres (500 m cells: 1, 2, 2.5, 5 … km).
pub const FACTORS: [u32; 12] = [2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];

/// How many cells a side of a drawn block spans: 1 when a cell of `cell_m` metres is at
/// least [`MIN_CELL_MM`] long on a map at `metres_per_mm`, else the first of [`FACTORS`]
/// that makes a block that long (the largest when none does).
pub fn factor(cell_m: f64, metres_per_mm: f64) -> u32 {
    if !(cell_m > 0.0 && metres_per_mm > 0.0) || cell_m / metres_per_mm >= MIN_CELL_MM {
        return 1;
    }
    let needed = MIN_CELL_MM * metres_per_mm / cell_m;
    FACTORS.into_iter().find(|k| f64::from(*k) >= needed).unwrap_or(FACTORS[FACTORS.len() - 1])
}

/// The cells `cells` of `grid` merged into blocks of `k × k`: the grid of the blocks and
/// the blocks (as cells of that grid) with their counts and level, in column-then-row order.
pub fn merge(grid: RegularGrid, cells: &[MapCell], k: u32, agg: &Aggregation) -> (RegularGrid, Vec<MapCell>) {
    let k64 = i64::from(k.max(1));
    let mut sums: BTreeMap<CellId, [u64; 4]> = BTreeMap::new();
    for &MapCell { cell: c, counts, .. } in cells {
        let block = CellId { col: c.col.div_euclid(k64), row: c.row.div_euclid(k64) };
        let sum = sums.entry(block).or_default();
        for (s, n) in sum.iter_mut().zip(counts) {
            *s += n;
        }
    }
    let blocks = sums
        .into_iter()
        .map(|(cell, counts)| MapCell { cell, level: agg.level(&LevelCounts::new(counts)), counts })
        .collect();
    // The size is finite and positive (the grid's); times a factor ≤ 1000 it stays so.
    let size = grid.size() * k64 as f64;
    (RegularGrid::new(size).unwrap_or(grid), blocks)
}

/// A length in metres as a map says it: `800 m`, `2.5 km`.
pub fn length_text(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", trim_number(m / 1000.0))
    } else {
        format!("{} m", trim_number(m))
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
#[path = "coarsen_tests.rs"]
mod tests;
