//! Per-area summaries: counts per level and per category, and the area's level.
//!
//! Two aggregation rules ([`Aggregation`]):
//! * `Highest` (就高, the default): the area takes the highest level present.
//! * `Score`: `score = Σ weight[level] × count[level]`; the area is red when
//!   `score ≥ thresholds.red`, else orange when `≥ thresholds.orange`, else yellow when
//!   `≥ thresholds.yellow`, else blue. Weights and thresholds come from the project file
//!   and are checked once, by [`ScoreRule::new`]: a [`ScoreRule`] is always valid.
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
    /// Weighted score against thresholds (see module docs and [`ScoreRule`]).
    Score(ScoreRule),
}

/// The rule as `report.json` states it: `highest`, or `score (weights red 10 orange 5 …;
/// thresholds red … orange … yellow …)`.
impl std::fmt::Display for Aggregation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Aggregation::Highest => f.write_str("highest"),
            Aggregation::Score(rule) => {
                let (w, t) = (rule.weights(), rule.thresholds());
                write!(
                    f,
                    "score (weights red {} orange {} yellow {} blue {}; thresholds red {} orange {} yellow {})",
                    w[0], w[1], w[2], w[3], t[0], t[1], t[2]
                )
            }
        }
    }
}

impl Aggregation {
    /// The score of a set of counts under this rule (0 for `Highest`).
    pub fn score(&self, c: &LevelCounts) -> f64 {
        match self {
            Aggregation::Highest => 0.0,
            Aggregation::Score(rule) => rule.score(c),
        }
    }

    /// The area's level, `None` when it has no sites.
    pub fn level(&self, c: &LevelCounts) -> Option<RiskLevel> {
        if c.total() == 0 {
            return None;
        }
        match self {
            Aggregation::Highest => c.highest(),
            Aggregation::Score(rule) => Some(rule.level_of_score(rule.score(c))),
        }
    }
}

/// The weights and thresholds of the score rule, valid by construction:
///
/// * every weight is a finite number ≥ 0, and at least one is above 0 (a weight of 0 leaves
///   that level out of the score; weights need not be ordered, though red ≥ orange ≥ yellow
///   ≥ blue is the usual choice);
/// * every threshold is a finite number ≥ 0 (scores are never negative, so a threshold of 0
///   means "every area with sites"), ordered red ≥ orange ≥ yellow. Equal thresholds are
///   allowed: the lower of the two levels is then never given.
///
/// ```
/// use sisetu_core::summary::{AggregationError, ScoreRule};
/// use sisetu_core::RiskLevel;
/// let rule = ScoreRule::new([10.0, 5.0, 2.0, 1.0], [50.0, 20.0, 5.0]).unwrap();
/// assert_eq!(rule.weights(), ScoreRule::DEFAULT_WEIGHTS);
/// let nan = ScoreRule::new([f64::NAN, 5.0, 2.0, 1.0], [50.0, 20.0, 5.0]);
/// assert!(matches!(nan, Err(AggregationError::Weight { level: RiskLevel::Red, .. })));
/// let unordered = ScoreRule::new([10.0, 5.0, 2.0, 1.0], [5.0, 20.0, 50.0]);
/// assert!(matches!(unordered, Err(AggregationError::Unordered { .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRule {
    weights: [f64; 4],
    thresholds: [f64; 3],
}

/// Why weights and thresholds do not make a [`ScoreRule`]. The messages name the key of
/// the project file's `[aggregation]` table (`weights.red`, `thresholds`) and the fix.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum AggregationError {
    /// A weight is NaN, infinite or negative.
    #[error("weights.{level} = {value}: a weight must be a finite number, 0 or more (e.g. {level} = {default})", default = ScoreRule::DEFAULT_WEIGHTS[level.index()])]
    Weight {
        /// The level whose weight it is.
        level: RiskLevel,
        /// The weight given.
        value: f64,
    },
    /// Every weight is 0, so every score would be 0.
    #[error("weights are all 0: give at least one level a weight above 0 (e.g. red = 10)")]
    ZeroWeights,
    /// A threshold is NaN, infinite or negative.
    #[error("thresholds.{level} = {value}: a threshold must be a finite score, 0 or more (e.g. {level} = {default})", default = ScoreRule::DEFAULT_THRESHOLDS[level.index()])]
    Threshold {
        /// The level whose threshold it is (red, orange or yellow).
        level: RiskLevel,
        /// The threshold given.
        value: f64,
    },
    /// The thresholds are not ordered red ≥ orange ≥ yellow.
    #[error("thresholds must satisfy red ≥ orange ≥ yellow, got {thresholds:?}")]
    Unordered {
        /// The thresholds given, red first.
        thresholds: [f64; 3],
    },
}

impl ScoreRule {
    /// Default weights: red 10, orange 5, yellow 2, blue 1.
    pub const DEFAULT_WEIGHTS: [f64; 4] = [10.0, 5.0, 2.0, 1.0];
    /// Default thresholds: red ≥ 50, orange ≥ 20, yellow ≥ 5.
    pub const DEFAULT_THRESHOLDS: [f64; 3] = [50.0, 20.0, 5.0];

    /// The rule with `weights` (red, orange, yellow, blue) and `thresholds` (minimum score
    /// for red, orange, yellow), when they satisfy the rules of [`ScoreRule`]. The first
    /// problem found is returned, weights first, red first.
    pub fn new(weights: [f64; 4], thresholds: [f64; 3]) -> Result<ScoreRule, AggregationError> {
        for (level, value) in RiskLevel::ALL.into_iter().zip(weights) {
            if !(value.is_finite() && value >= 0.0) {
                return Err(AggregationError::Weight { level, value });
            }
        }
        if weights.iter().all(|w| *w == 0.0) {
            return Err(AggregationError::ZeroWeights);
        }
        for (level, value) in RiskLevel::ALL.into_iter().zip(thresholds) {
            if !(value.is_finite() && value >= 0.0) {
                return Err(AggregationError::Threshold { level, value });
            }
        }
        if !(thresholds[0] >= thresholds[1] && thresholds[1] >= thresholds[2]) {
            return Err(AggregationError::Unordered { thresholds });
        }
        Ok(ScoreRule { weights, thresholds })
    }

    /// Weight per level, red first.
    pub fn weights(&self) -> [f64; 4] {
        self.weights
    }

    /// Minimum score for red, orange, yellow.
    pub fn thresholds(&self) -> [f64; 3] {
        self.thresholds
    }

    /// `Σ weight[level] × count[level]`.
    pub fn score(&self, c: &LevelCounts) -> f64 {
        RiskLevel::ALL.iter().map(|&l| self.weights[l.index()] * c[l] as f64).sum()
    }

    /// The level a score reaches: red at `thresholds[0]` or more, else orange at
    /// `thresholds[1]`, else yellow at `thresholds[2]`, else blue.
    pub fn level_of_score(&self, score: f64) -> RiskLevel {
        if score >= self.thresholds[0] {
            RiskLevel::Red
        } else if score >= self.thresholds[1] {
            RiskLevel::Orange
        } else if score >= self.thresholds[2] {
            RiskLevel::Yellow
        } else {
            RiskLevel::Blue
        }
    }
}

impl Default for ScoreRule {
    /// The default weights and thresholds.
    fn default() -> Self {
        ScoreRule { weights: ScoreRule::DEFAULT_WEIGHTS, thresholds: ScoreRule::DEFAULT_THRESHOLDS }
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
