//! Per-area summaries: counts per level and per category, and the area's level.
//!
//! Two aggregation rules ([`Aggregation`]):
//! * `Highest` (就高, the default): the area takes the highest level present.
//! * `Score`: `score = Σ weight[level] × count[level]`; the area is red when
//!   `score ≥ thresholds.red`, else orange when `≥ thresholds.orange`, else yellow when
//!   `≥ thresholds.yellow`, else blue. Weights and thresholds come from the project file.
//!
//! Either way an area with no sites has no level (`None`).
//!
//! [`LevelCounts`] is indexed by [`RiskLevel`], never by a bare number; its array form
//! ([`LevelCounts::as_array`], [`LevelCounts::new`]) is red, orange, yellow, blue, the order of
//! [`RiskLevel::ALL`] and of the `n_red … n_blue` columns of the outputs.
//!
//! ```
//! use sisetu_core::{Aggregation, LevelCounts, RiskLevel};
//! let mut c = LevelCounts::default();
//! c.add(RiskLevel::Yellow);
//! c.add(RiskLevel::Orange);
//! c[RiskLevel::Blue] += 2;
//! assert_eq!(c[RiskLevel::Orange], 1);
//! assert_eq!(c.as_array(), [0, 1, 1, 2]);
//! assert_eq!(Aggregation::Highest.level(&c), Some(RiskLevel::Orange));
//! assert_eq!(Aggregation::Highest.level(&LevelCounts::default()), None);
//! let from_sites: LevelCounts = [RiskLevel::Red, RiskLevel::Blue, RiskLevel::Blue].into_iter().collect();
//! assert_eq!(from_sites, LevelCounts::new([1, 0, 0, 2]));
//! ```

use std::ops::{Index, IndexMut};

use crate::RiskLevel;

/// Number of sites per level. Index it with a [`RiskLevel`]: `counts[RiskLevel::Red]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LevelCounts([u64; 4]);

impl LevelCounts {
    /// Counts from an array in the order red, orange, yellow, blue.
    #[inline]
    pub const fn new(red_orange_yellow_blue: [u64; 4]) -> Self {
        LevelCounts(red_orange_yellow_blue)
    }

    /// The counts as an array: red, orange, yellow, blue.
    #[inline]
    pub const fn as_array(&self) -> [u64; 4] {
        self.0
    }

    /// Counts one site.
    #[inline]
    pub fn add(&mut self, level: RiskLevel) {
        self[level] += 1;
    }

    /// The count for `level` (the same as `self[level]`).
    #[inline]
    pub fn get(&self, level: RiskLevel) -> u64 {
        self[level]
    }

    /// Each level with its count, red first.
    pub fn iter(&self) -> impl Iterator<Item = (RiskLevel, u64)> + '_ {
        RiskLevel::ALL.into_iter().map(|l| (l, self[l]))
    }

    /// All sites.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The highest level with at least one site.
    pub fn highest(&self) -> Option<RiskLevel> {
        RiskLevel::ALL.into_iter().find(|&l| self[l] > 0)
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: &LevelCounts) {
        for l in RiskLevel::ALL {
            self[l] += other[l];
        }
    }
}

impl Index<RiskLevel> for LevelCounts {
    type Output = u64;
    #[inline]
    fn index(&self, level: RiskLevel) -> &u64 {
        &self.0[level.index()]
    }
}

impl IndexMut<RiskLevel> for LevelCounts {
    #[inline]
    fn index_mut(&mut self, level: RiskLevel) -> &mut u64 {
        &mut self.0[level.index()]
    }
}

impl From<[u64; 4]> for LevelCounts {
    /// From an array in the order red, orange, yellow, blue.
    fn from(red_orange_yellow_blue: [u64; 4]) -> Self {
        LevelCounts(red_orange_yellow_blue)
    }
}

impl From<LevelCounts> for [u64; 4] {
    /// Red, orange, yellow, blue.
    fn from(counts: LevelCounts) -> Self {
        counts.0
    }
}

impl FromIterator<RiskLevel> for LevelCounts {
    /// Counts the levels of some sites.
    fn from_iter<I: IntoIterator<Item = RiskLevel>>(levels: I) -> Self {
        let mut counts = LevelCounts::default();
        counts.extend(levels);
        counts
    }
}

impl Extend<RiskLevel> for LevelCounts {
    /// Counts more sites.
    fn extend<I: IntoIterator<Item = RiskLevel>>(&mut self, levels: I) {
        for l in levels {
            self.add(l);
        }
    }
}

/// How an area's level is derived from the sites in it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Aggregation {
    /// 就高: the highest level present.
    #[default]
    Highest,
    /// Weighted score against thresholds (see module docs).
    Score {
        /// Weight per level, red first.
        weights: [f64; 4],
        /// Minimum score for red, orange, yellow (descending).
        thresholds: [f64; 3],
    },
}

impl Aggregation {
    /// Default weights of the score rule: red 10, orange 5, yellow 2, blue 1.
    pub const DEFAULT_WEIGHTS: [f64; 4] = [10.0, 5.0, 2.0, 1.0];
    /// Default thresholds of the score rule: red ≥ 50, orange ≥ 20, yellow ≥ 5.
    pub const DEFAULT_THRESHOLDS: [f64; 3] = [50.0, 20.0, 5.0];

    /// The score of a set of counts under this rule (0 for `Highest`).
    pub fn score(&self, c: &LevelCounts) -> f64 {
        match self {
            Aggregation::Highest => 0.0,
            Aggregation::Score { weights, .. } => {
                RiskLevel::ALL.iter().map(|&l| weights[l.index()] * c[l] as f64).sum()
            }
        }
    }

    /// The area's level, `None` when it has no sites.
    pub fn level(&self, c: &LevelCounts) -> Option<RiskLevel> {
        if c.total() == 0 {
            return None;
        }
        match self {
            Aggregation::Highest => c.highest(),
            Aggregation::Score { thresholds, .. } => {
                let s = self.score(c);
                Some(if s >= thresholds[0] {
                    RiskLevel::Red
                } else if s >= thresholds[1] {
                    RiskLevel::Orange
                } else if s >= thresholds[2] {
                    RiskLevel::Yellow
                } else {
                    RiskLevel::Blue
                })
            }
        }
    }
}

/// Counts of one area: per level and per category (category ids index `by_category`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per level.
    pub levels: LevelCounts,
    /// Per category id (see the caller's category table); may be shorter than the table.
    pub by_category: Vec<u64>,
}

impl Summary {
    /// Counts one site of `level` in category `category` (`None`: no category).
    #[inline]
    pub fn add(&mut self, level: RiskLevel, category: Option<u32>) {
        self.levels.add(level);
        if let Some(c) = category {
            let c = c as usize;
            if self.by_category.len() <= c {
                self.by_category.resize(c + 1, 0);
            }
            self.by_category[c] += 1;
        }
    }

    /// Adds another summary.
    pub fn merge(&mut self, other: &Summary) {
        self.levels.merge(&other.levels);
        if self.by_category.len() < other.by_category.len() {
            self.by_category.resize(other.by_category.len(), 0);
        }
        for (i, n) in other.by_category.iter().enumerate() {
            self.by_category[i] += n;
        }
    }

    /// Count for a category id.
    pub fn category(&self, id: u32) -> u64 {
        self.by_category.get(id as usize).copied().unwrap_or(0)
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
