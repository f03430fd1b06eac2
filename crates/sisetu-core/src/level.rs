//! The four risk levels of the 四色图 (安委办〔2016〕11号).
//!
//! | level    | Chinese   | meaning                         |
//! |----------|-----------|---------------------------------|
//! | `red`    | 重大风险  | major risk (the highest)        |
//! | `orange` | 较大风险  | considerable risk               |
//! | `yellow` | 一般风险  | general risk                    |
//! | `blue`   | 低风险    | low risk (the lowest)           |
//!
//! [`RiskLevel`] orders from the highest to the lowest: `Red < Orange` in `Ord`
//! terms means "comes first", and [`RiskLevel::max_risk`] picks the more severe.
//!
//! ```
//! use sisetu_core::RiskLevel;
//! let l: RiskLevel = "orange".parse().unwrap();
//! assert_eq!(l.zh(), "较大风险");
//! assert_eq!(RiskLevel::max_risk(l, RiskLevel::Blue), RiskLevel::Orange);
//! ```

use std::fmt;
use std::str::FromStr;

/// One of the four risk levels. Parsed once from text, then carried as this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// 重大风险
    Red = 0,
    /// 较大风险
    Orange = 1,
    /// 一般风险
    Yellow = 2,
    /// 低风险
    Blue = 3,
}

impl RiskLevel {
    /// All levels, from the highest risk to the lowest.
    pub const ALL: [RiskLevel; 4] = [RiskLevel::Red, RiskLevel::Orange, RiskLevel::Yellow, RiskLevel::Blue];

    /// Index 0..4, highest risk first (red = 0).
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The level at `index` (0 = red … 3 = blue).
    pub fn from_index(index: usize) -> Option<RiskLevel> {
        Self::ALL.get(index).copied()
    }

    /// The file and code name: `red`, `orange`, `yellow`, `blue`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Red => "red",
            RiskLevel::Orange => "orange",
            RiskLevel::Yellow => "yellow",
            RiskLevel::Blue => "blue",
        }
    }

    /// The Chinese name used on maps: 重大风险, 较大风险, 一般风险, 低风险.
    pub fn zh(self) -> &'static str {
        match self {
            RiskLevel::Red => "重大风险",
            RiskLevel::Orange => "较大风险",
            RiskLevel::Yellow => "一般风险",
            RiskLevel::Blue => "低风险",
        }
    }

    /// The more severe of two levels (就高).
    #[inline]
    pub fn max_risk(a: RiskLevel, b: RiskLevel) -> RiskLevel {
        if a.index() <= b.index() {
            a
        } else {
            b
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for text that is not one of `red`, `orange`, `yellow`, `blue`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a risk level; use red, orange, yellow or blue")]
pub struct ParseLevelError(pub String);

impl FromStr for RiskLevel {
    type Err = ParseLevelError;
    /// Parses the level names `red`, `orange`, `yellow`, `blue` (case-insensitive).
    /// Grade labels from census files (红, 重大风险, A …) go through [`crate::GradeScheme`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "red" => Ok(RiskLevel::Red),
            "orange" => Ok(RiskLevel::Orange),
            "yellow" => Ok(RiskLevel::Yellow),
            "blue" => Ok(RiskLevel::Blue),
            _ => Err(ParseLevelError(s.to_string())),
        }
    }
}

#[cfg(test)]
#[path = "level_tests.rs"]
mod tests;
