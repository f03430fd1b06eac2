//! Grade schemes: from the labels found in census files to [`RiskLevel`].
//!
//! Built in (after trimming, blanks and ideographic spaces removed, full-width → half-width,
//! case-insensitive, and optional trailing `风险`, `等级`, `级别`, `级`, `色` or `点` in any
//! combination, e.g. `重大风险等级`, `蓝色等级`, `较大风险级`, `红色风险点`; a note in brackets
//! after the label is read too, see [`GradeScheme::parse`]: `较大风险(橙)`, `Ⅰ级(重大)`):
//!
//! | level  | labels                                     |
//! |--------|--------------------------------------------|
//! | red    | `红` `红色` `red` `重大` `重大风险` `1` |
//! | orange | `橙` `橙色` `orange` `较大` `较大风险` `2` |
//! | yellow | `黄` `黄色` `yellow` `一般` `一般风险` `3` |
//! | blue   | `蓝` `蓝色` `blue` `低` `低风险` `4` |
//!
//! Letter grades (`A`–`E`, `A+`, `AA` …), Roman numerals (`Ⅰ`, `II`) and ordinal words
//! (`一级`, `I级`) are **ambiguous**: in some provinces A is the highest risk, in others the
//! lowest. They are never guessed: without an explicit mapping they give
//! [`GradeError::NeedsMapping`], which the caller turns into a hard error naming the line to add.
//! Note that the bare digits 1–4 are built in as red…blue (1 = 重大), while `1级` and `一级`
//! are ambiguous and need a mapping.
//!
//! Explicit mappings (the project file's `[grades]` table) take precedence over built-ins.
//!
//! ```
//! use sisetu_core::{GradeScheme, GradeError, RiskLevel};
//! let mut s = GradeScheme::builtin();
//! assert_eq!(s.parse("重大风险"), Ok(RiskLevel::Red));
//! assert_eq!(s.parse(" 蓝 "), Ok(RiskLevel::Blue));
//! assert!(matches!(s.parse("A"), Err(GradeError::NeedsMapping(_))));
//! s.map("A", RiskLevel::Red).unwrap();
//! assert_eq!(s.parse("a"), Ok(RiskLevel::Red));
//! ```

use crate::RiskLevel;
use std::collections::HashMap;

/// Why a grade label could not be turned into a level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    /// The cell is empty.
    #[error("empty grade")]
    Empty,
    /// A letter, numeral or ordinal grade whose meaning differs between schemes.
    #[error("grade '{0}' is ambiguous (A may be the highest or the lowest risk) and has no mapping")]
    NeedsMapping(String),
    /// Text that is no known grade.
    #[error("unknown grade '{0}'")]
    Unknown(String),
}

impl GradeError {
    /// The same error about `label` (as written) instead of the normalised text.
    fn with_label(self, label: &str) -> Self {
        match self {
            GradeError::Empty => GradeError::Empty,
            GradeError::NeedsMapping(_) => GradeError::NeedsMapping(label.to_string()),
            GradeError::Unknown(_) => GradeError::Unknown(label.to_string()),
        }
    }
}

/// Why an explicit mapping cannot be added to a [`GradeScheme`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The label is empty after normalising.
    #[error("an empty grade label cannot be mapped")]
    EmptyLabel,
    /// The label was already mapped to another level.
    #[error("grade label '{label}' is mapped twice (to {first} and to {second})")]
    MappedTwice {
        /// The label as written.
        label: String,
        /// The level it was mapped to first.
        first: RiskLevel,
        /// The other level.
        second: RiskLevel,
    },
}

/// Label → level table: built-in labels plus explicit mappings.
#[derive(Debug, Clone)]
pub struct GradeScheme {
    builtin: HashMap<String, RiskLevel>,
    explicit: HashMap<String, RiskLevel>,
    /// Labels exactly as they appear (trimmed), resolved without normalising: the hot path.
    exact: rustc_hash::FxHashMap<String, RiskLevel>,
}

/// Normalises a label: trim, full-width ASCII → half-width, ASCII lowercase,
/// ideographic space removed.
pub fn normalize_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.trim().chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => continue,
            c => c,
        };
        if c.is_whitespace() {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The suffixes a built-in label may carry, in any combination and order (`重大风险等级`,
/// `蓝色等级`, `较大风险级`).
const LABEL_SUFFIXES: [&str; 6] = ["等级", "级别", "级", "风险", "色", "点"];

/// `s` without its trailing [`LABEL_SUFFIXES`] (all of them, one after another).
fn strip_suffixes(mut s: &str) -> &str {
    while let Some(rest) = LABEL_SUFFIXES.iter().find_map(|x| s.strip_suffix(x)) {
        s = rest;
    }
    s
}

/// `base(note)` (brackets already half-width after [`normalize_label`]) split in its two
/// parts, both non-empty; `None` for any other label.
fn bracketed(norm: &str) -> Option<(&str, &str)> {
    let inner = norm.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let (base, note) = (&inner[..open], &inner[open + 1..]);
    (!base.is_empty() && !note.is_empty()).then_some((base, note))
}

/// True for labels whose meaning depends on the province's scheme.
fn is_ambiguous(norm: &str) -> bool {
    let s = norm.strip_suffix("级").or_else(|| norm.strip_suffix("类")).unwrap_or(norm);
    if s.is_empty() {
        return false;
    }
    // Letter grades with optional +/-: one or two letters (a, b+, ab) or a repeated letter
    // (aaa). Longer words (`none`, `high`) are unknown labels, not letter grades.
    let letters: Vec<char> = s.chars().filter(char::is_ascii_alphabetic).collect();
    if !letters.is_empty()
        && s.chars().all(|c| c.is_ascii_alphabetic() || c == '+' || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && (letters.len() <= 2 || (letters.len() <= 3 && letters.iter().all(|c| *c == letters[0])))
    {
        return true;
    }
    // Roman numerals, ASCII or the Unicode forms Ⅰ–Ⅻ / ⅰ–ⅻ.
    if s.chars().all(|c| matches!(c, 'i' | 'v' | 'x') || ('\u{2160}'..='\u{217F}').contains(&c)) {
        return true;
    }
    // 一级 … 五级, 1级 … 5级 (the suffix was present).
    if s.len() != norm.len() && s.chars().all(|c| "一二三四五12345".contains(c)) {
        return true;
    }
    false
}

impl GradeScheme {
    /// The built-in labels only.
    pub fn builtin() -> Self {
        let mut builtin = HashMap::new();
        let table: [(RiskLevel, &[&str]); 4] = [
            (RiskLevel::Red, &["红", "red", "重大", "1"]),
            (RiskLevel::Orange, &["橙", "orange", "较大", "2"]),
            (RiskLevel::Yellow, &["黄", "yellow", "一般", "3"]),
            (RiskLevel::Blue, &["蓝", "blue", "低", "4"]),
        ];
        for (level, labels) in table {
            for l in labels {
                builtin.insert((*l).to_string(), level);
            }
        }
        let mut exact = rustc_hash::FxHashMap::default();
        for (k, v) in &builtin {
            exact.insert(k.clone(), *v);
            exact.insert(k.to_uppercase(), *v);
        }
        for l in RiskLevel::ALL {
            exact.insert(format!("{}风险", l.zh().trim_end_matches("风险")), l);
        }
        for (k, v) in [
            ("红色", RiskLevel::Red),
            ("橙色", RiskLevel::Orange),
            ("黄色", RiskLevel::Yellow),
            ("蓝色", RiskLevel::Blue),
        ] {
            exact.insert(k.to_string(), v);
        }
        GradeScheme { builtin, explicit: HashMap::new(), exact }
    }

    /// Adds an explicit mapping `label → level`. Fails when the label is empty or
    /// was already mapped to another level.
    pub fn map(&mut self, label: &str, level: RiskLevel) -> Result<(), MappingError> {
        let norm = normalize_label(label);
        if norm.is_empty() {
            return Err(MappingError::EmptyLabel);
        }
        match self.explicit.get(&norm) {
            Some(prev) if *prev != level => {
                Err(MappingError::MappedTwice { label: label.to_string(), first: *prev, second: level })
            }
            _ => {
                self.explicit.insert(norm, level);
                // The label as written (and upper/lower case) resolves without normalising.
                for v in [label.trim().to_string(), label.trim().to_uppercase(), label.trim().to_lowercase()] {
                    self.exact.insert(v, level);
                }
                Ok(())
            }
        }
    }

    /// The level of a label. Explicit mappings first, then built-ins.
    ///
    /// A label with a note in brackets (`较大风险(橙)`, `红色（重大风险）`, `Ⅰ级(重大)`) is
    /// read as its two parts: when both name a level they must agree (else the label is
    /// unknown); when only one does, that one counts (a note that names no level is a note;
    /// a note that names the level settles an ambiguous grade).
    pub fn parse(&self, label: &str) -> Result<RiskLevel, GradeError> {
        if let Some(l) = self.exact.get(label.trim()) {
            return Ok(*l);
        }
        let norm = normalize_label(label);
        if norm.is_empty() {
            return Err(GradeError::Empty);
        }
        match self.parse_norm(&norm) {
            Ok(l) => Ok(l),
            Err(e) => match bracketed(&norm) {
                Some((base, note)) => match (self.parse_norm(base), self.parse_norm(note)) {
                    (Ok(a), Ok(b)) if a == b => Ok(a),
                    (Ok(_), Ok(_)) => Err(GradeError::Unknown(label.trim().to_string())),
                    (Ok(a), Err(_)) | (Err(GradeError::NeedsMapping(_)), Ok(a)) => Ok(a),
                    (Err(GradeError::NeedsMapping(_)), Err(_)) => {
                        Err(GradeError::NeedsMapping(label.trim().to_string()))
                    }
                    _ => Err(e.with_label(label.trim())),
                },
                None => Err(e.with_label(label.trim())),
            },
        }
    }

    /// The level of a normalised label without brackets (the error carries `norm`).
    fn parse_norm(&self, norm: &str) -> Result<RiskLevel, GradeError> {
        if norm.is_empty() {
            return Err(GradeError::Empty);
        }
        // Explicit mappings, with the suffixes a label may carry taken off one by one
        // (`A级风险` when `A` is mapped, `一级风险` when `一级` is), and `A类`, `D等`.
        let mut s = norm;
        loop {
            if let Some(l) = self.explicit.get(s) {
                return Ok(*l);
            }
            match LABEL_SUFFIXES.iter().chain(&["类", "等"]).find_map(|x| s.strip_suffix(x)) {
                Some(rest) if !rest.is_empty() => s = rest,
                _ => break,
            }
        }
        if let Some(l) = self.builtin.get(norm) {
            return Ok(*l);
        }
        // Before the suffixes go: `1级` and `一级` are ambiguous, while `1` is built in; so
        // are they with more suffixes (`一级风险`, `A级风险`).
        let mut s = norm;
        loop {
            if is_ambiguous(s) {
                return Err(GradeError::NeedsMapping(norm.to_string()));
            }
            match ["风险", "等级", "级别", "点", "色"].iter().find_map(|x| s.strip_suffix(x)) {
                Some(rest) if !rest.is_empty() => s = rest,
                _ => break,
            }
        }
        if let Some(l) = self.builtin.get(strip_suffixes(norm)) {
            return Ok(*l);
        }
        Err(GradeError::Unknown(norm.to_string()))
    }
}

impl Default for GradeScheme {
    fn default() -> Self {
        Self::builtin()
    }
}

#[cfg(test)]
#[path = "grade_tests.rs"]
mod tests;
