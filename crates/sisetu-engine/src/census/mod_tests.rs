use super::*;
use sisetu_core::RiskLevel;
use std::collections::BTreeMap;

/// Batches in any order and any split count what counting site by site counts.
#[test]
fn batches_count_every_site_once() {
    let levels = RiskLevel::ALL;
    let items: Vec<(CellId, RiskLevel, Option<u32>)> = (0..5000u64)
        .map(|i| {
            let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let cell = CellId { col: (h % 37) as i64 - 18, row: ((h / 37) % 23) as i64 - 11 };
            let category = (h % 5 != 0).then_some((h % 3) as u32);
            (cell, levels[(h % 4) as usize], category)
        })
        .collect();
    let mut want: BTreeMap<CellId, Summary> = BTreeMap::new();
    for &(cell, level, category) in &items {
        want.entry(cell).or_default().add(level, category);
    }
    let mut counts = CellCounts::new(3);
    let (a, b) = items.split_at(1234);
    counts.add_batch(b.to_vec());
    counts.add_batch(a.iter().rev().copied().collect());
    let mut got = counts.into_summaries();
    got.sort_by_key(|(c, _)| *c);
    let want: Vec<(CellId, Summary)> = want.into_iter().collect();
    assert_eq!(got.len(), want.len());
    for ((gc, gs), (wc, ws)) in got.iter().zip(&want) {
        assert_eq!(gc, wc);
        assert_eq!(gs.levels, ws.levels, "cell {gc:?}");
        assert_eq!(gs.by_category, ws.by_category, "cell {gc:?}");
    }
}
