//! Siting new facilities: greedy maximal covering.
//!
//! Given demand points still uncovered, candidate locations and the service radius a new
//! facility would have, [`greedy_cover`] picks up to `k` candidates one at a time, each time
//! the candidate that newly covers the most population (a demand point is covered by a
//! candidate when `dx² + dy² <= r²`, the same closed rule as [`crate::coverage`]).
//!
//! # Semantics
//!
//! * Ties in gain go to the lower candidate index, so the result is unique.
//! * Picking stops after `k` picks or when no candidate covers any uncovered population
//!   (a pick with gain 0 is never made).
//! * Greedy is the standard heuristic for the maximal covering location problem (Church &
//!   ReVelle 1974); its total is at least `1 − 1/e ≈ 63 %` of the best possible `k` sites.
//!
//! ```
//! use sisetu_core::coverage::Demand;
//! use sisetu_core::siting::greedy_cover;
//! let demand = [Demand::new(0.0, 0.0, 10.0), Demand::new(100.0, 0.0, 5.0), Demand::new(5000.0, 0.0, 8.0)];
//! let candidates = [[50.0, 0.0], [5000.0, 10.0]];
//! let picks = greedy_cover(&demand, &candidates, 500.0, 5);
//! assert_eq!(picks.len(), 2);
//! assert_eq!((picks[0].candidate, picks[0].gain), (0, 15.0));
//! assert_eq!((picks[1].candidate, picks[1].gain), (1, 8.0));
//! ```
//!
//! # Performance
//!
//! Lazy greedy (the gains can only fall as picks are made, so a stale gain is an upper bound):
//! the first gains are computed in parallel with R-tree radius queries, and afterwards only the
//! candidate at the top of the queue is re-evaluated. Thousands of candidates over a million
//! demand points take well under a second.

use crate::coverage::Demand;
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One pick of [`greedy_cover`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Index into the candidates.
    pub candidate: usize,
    /// Population newly covered by this pick.
    pub gain: f64,
    /// Population covered by all picks so far, this one included.
    pub cumulative: f64,
}

struct Queued {
    gain: f64,
    candidate: usize,
    round: usize,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Queued {}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain.total_cmp(&other.gain).then(other.candidate.cmp(&self.candidate))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Picks up to `k` of `candidates` (points in the demand's CRS) by greedy maximal covering of
/// `demand` (the population still uncovered; points with population ≤ 0 or NaN are ignored)
/// with service radius `radius`. See the module docs.
pub fn greedy_cover(demand: &[Demand], candidates: &[[f64; 2]], radius: f64, k: usize) -> Vec<Pick> {
    if k == 0 || !(radius.is_finite() && radius >= 0.0) {
        return Vec::new();
    }
    let points: Vec<GeomWithData<[f64; 2], u32>> = demand
        .iter()
        .enumerate()
        .filter(|(_, d)| d.population > 0.0 && d.x.is_finite() && d.y.is_finite())
        .map(|(i, d)| GeomWithData::new([d.x, d.y], i as u32))
        .collect();
    let tree = RTree::bulk_load(points);
    let r2 = radius * radius;
    let mut covered = vec![false; demand.len()];
    let gain_of = |c: &[f64; 2], covered: &[bool]| -> f64 {
        if !(c[0].is_finite() && c[1].is_finite()) {
            return 0.0;
        }
        let mut ids: Vec<u32> =
            tree.locate_within_distance(*c, r2).map(|p| p.data).filter(|&i| !covered[i as usize]).collect();
        // Sum in index order so the total does not depend on the tree's layout.
        ids.sort_unstable();
        ids.iter().map(|&i| demand[i as usize].population).sum()
    };
    let initial: Vec<f64> = candidates.par_iter().map(|c| gain_of(c, &covered)).collect();
    let mut heap: BinaryHeap<Queued> = initial
        .into_iter()
        .enumerate()
        .filter(|(_, g)| *g > 0.0)
        .map(|(candidate, gain)| Queued { gain, candidate, round: 0 })
        .collect();
    let mut picks = Vec::new();
    let mut cumulative = 0.0;
    let mut taken = vec![false; candidates.len()];
    while picks.len() < k {
        let Some(top) = heap.pop() else { break };
        if taken[top.candidate] {
            continue;
        }
        if top.round != picks.len() {
            let gain = gain_of(&candidates[top.candidate], &covered);
            if gain > 0.0 {
                heap.push(Queued { gain, candidate: top.candidate, round: picks.len() });
            }
            continue;
        }
        let c = candidates[top.candidate];
        for p in tree.locate_within_distance(c, r2) {
            covered[p.data as usize] = true;
        }
        taken[top.candidate] = true;
        cumulative += top.gain;
        picks.push(Pick { candidate: top.candidate, gain: top.gain, cumulative });
    }
    picks
}

#[cfg(test)]
#[path = "siting_tests.rs"]
mod tests;
