#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use super::*;
use sisetu_core::{RiskLevel, ScoreRule};

fn cell(col: i64, row: i64, counts: [u64; 4]) -> MapCell {
    let agg = Aggregation::Highest;
    MapCell { cell: CellId { col, row }, level: agg.level(&LevelCounts::new(counts)), counts }
}

#[test]
fn cells_long_enough_on_paper_are_kept() {
    assert_eq!(factor(500.0, 500.0 / MIN_CELL_MM), 1, "exactly the minimum");
    assert_eq!(factor(500.0, 100.0), 1);
    assert_eq!(factor(5000.0, 3000.0), 1);
}

#[test]
fn the_factor_is_the_first_round_one_that_makes_a_block_long_enough() {
    for (cell_m, m_per_mm) in [(500.0, 400.0), (500.0, 1600.0), (5000.0, 20_000.0), (250.0, 9_000.0), (1.0, 1e9)] {
        let k = factor(cell_m, m_per_mm);
        let block_mm = cell_m * f64::from(k) / m_per_mm;
        let i = FACTORS.iter().position(|f| *f == k).unwrap();
        if i + 1 < FACTORS.len() {
            assert!(block_mm >= MIN_CELL_MM, "{cell_m} m at {m_per_mm} m/mm: ×{k} is {block_mm} mm");
        }
        if i > 0 {
            let smaller = cell_m * f64::from(FACTORS[i - 1]) / m_per_mm;
            assert!(smaller < MIN_CELL_MM, "×{} would do", FACTORS[i - 1]);
        }
    }
    assert_eq!(factor(500.0, 1600.0), 5, "0.31 mm cells: 2.5 km squares");
    assert_eq!(factor(1.0, 1e9), 1000, "the largest factor when none is enough");
    assert_eq!(factor(f64::NAN, 100.0), 1);
    assert_eq!(factor(500.0, 0.0), 1);
}

#[test]
fn blocks_sum_their_cells_exactly_on_both_sides_of_the_origin() {
    let grid = RegularGrid::new(500.0).unwrap();
    let cells = [
        cell(0, 0, [0, 0, 1, 2]),
        cell(4, 4, [1, 0, 0, 0]),
        cell(5, 0, [0, 0, 0, 7]),
        cell(-1, -1, [0, 2, 0, 0]),
        cell(-5, -5, [0, 0, 3, 0]),
        cell(-6, 0, [0, 0, 0, 1]),
    ];
    let (blocks, merged) = merge(grid, &cells, 5, &Aggregation::Highest);
    assert_eq!(blocks.size(), 2500.0);
    let got: Vec<(i64, i64, [u64; 4], Option<RiskLevel>)> =
        merged.iter().map(|b| (b.cell.col, b.cell.row, b.counts, b.level)).collect();
    assert_eq!(
        got,
        vec![
            (-2, 0, [0, 0, 0, 1], Some(RiskLevel::Blue)),
            (-1, -1, [0, 2, 3, 0], Some(RiskLevel::Orange)),
            (0, 0, [1, 0, 1, 2], Some(RiskLevel::Red)),
            (1, 0, [0, 0, 0, 7], Some(RiskLevel::Blue)),
        ]
    );
    // Every block covers exactly its cells.
    for c in &cells {
        let b =
            merged.iter().find(|b| b.cell == CellId { col: c.cell.col.div_euclid(5), row: c.cell.row.div_euclid(5) });
        let (inner, outer) = (grid.bounds(c.cell), blocks.bounds(b.unwrap().cell));
        assert!(outer.min().x <= inner.min().x && inner.max().x <= outer.max().x);
        assert!(outer.min().y <= inner.min().y && inner.max().y <= outer.max().y);
    }
    let total: u64 = merged.iter().flat_map(|b| b.counts).sum();
    assert_eq!(total, cells.iter().flat_map(|c| c.counts).sum::<u64>(), "no site lost or counted twice");
}

#[test]
fn a_block_takes_its_level_from_the_project_rule() {
    // Under a score rule the block's level comes from the summed counts, not from the
    // highest of its cells' levels.
    let rule = Aggregation::Score(ScoreRule::new([10.0, 5.0, 2.0, 1.0], [15.0, 10.0, 4.0]).unwrap());
    let grid = RegularGrid::new(100.0).unwrap();
    let cells = [cell(0, 0, [0, 1, 0, 0]), cell(1, 1, [0, 1, 0, 0]), cell(1, 0, [0, 0, 0, 1])];
    let (_, merged) = merge(grid, &cells, 2, &rule);
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0].counts, [0, 2, 0, 1]);
    // Each cell scores 5 or 1 (yellow or blue), the block 11: orange.
    assert_eq!(rule.level(&LevelCounts::new([0, 1, 0, 0])), Some(RiskLevel::Yellow));
    assert_eq!(merged[0].level, Some(RiskLevel::Orange));
}

#[test]
fn lengths_read_as_a_map_says_them() {
    assert_eq!(length_text(500.0), "500 m");
    assert_eq!(length_text(2500.0), "2.5 km");
    assert_eq!(length_text(1000.0), "1 km");
    assert_eq!(length_text(12.5), "12.5 m");
}
