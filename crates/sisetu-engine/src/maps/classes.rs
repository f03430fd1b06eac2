//! Area classes that inform, for district and management-grid maps (`[[maps]] classes`).
//!
//! Under 就高 (the highest level present) a district with one red site among hundreds is red,
//! so on a realistic census every district is red. These classes show how the districts
//! differ instead:
//!
//! * [`AreaClasses::Share`]: the share of 重大 and 较大 (red and orange) sites among the
//!   area's sites, in percent;
//! * [`AreaClasses::Density`]: sites per km² of the area (its area in the working CRS);
//! * [`AreaClasses::PerCapita`]: sites per 10,000 residents, for districts whose residents
//!   the project gives (`[districts] population`); a district without a figure, or with 0
//!   residents, has no value;
//! * [`AreaClasses::Highest`]: the level under the project's aggregation rule (the old map).
//!
//! Class breaks are the project's `breaks` (ascending), or quantiles of the areas' values:
//! up to five classes, each break rounded to two significant digits, equal breaks merged. A
//! value `v` is in class `i` when `breaks[i-1] <= v < breaks[i]` (the first class below the
//! first break, the last at or above the last). An area without sites has no value: it is
//! drawn in the style's no-data colour and counted as 无企业.
//!
//! Colours are the ColorBrewer YlOrRd sequential ramp (light yellow to dark red), readable
//! for the common colour-vision deficiencies and in greyscale print.

pub use crate::project::AreaClasses;
use sisetu_core::LevelCounts;
use sisetu_render::{LegendItem, Rgba, Swatch};

impl AreaClasses {
    /// The value of an area with `counts`, `km2` square kilometres and `residents` (`None`:
    /// no sites, or no residents for [`AreaClasses::PerCapita`]).
    pub fn value(self, counts: &LevelCounts, km2: f64, residents: Option<f64>) -> Option<f64> {
        let total = counts.total();
        if total == 0 {
            return None;
        }
        let [red, orange, _, _] = counts.as_array();
        match self {
            AreaClasses::Highest => None,
            AreaClasses::Share => Some(100.0 * (red + orange) as f64 / total as f64),
            AreaClasses::Density => (km2 > 0.0).then(|| total as f64 / km2),
            AreaClasses::PerCapita => residents.filter(|r| *r > 0.0).map(|r| total as f64 * 10_000.0 / r),
        }
    }

    /// The legend's title for a map of districts (`grids` false) or management grids.
    pub fn legend_title(self, grids: bool) -> &'static str {
        match (self, grids) {
            (AreaClasses::Highest, _) => "区域风险等级（个）",
            (AreaClasses::Share, false) => "重大、较大风险企业占比（区县数）",
            (AreaClasses::Share, true) => "重大、较大风险企业占比（网格数）",
            (AreaClasses::Density, false) => "企业密度 家/km²（区县数）",
            (AreaClasses::Density, true) => "企业密度 家/km²（网格数）",
            (AreaClasses::PerCapita, false) => "每万人企业数（区县数）",
            (AreaClasses::PerCapita, true) => "每万人企业数（网格数）",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            AreaClasses::Share => " %",
            _ => "",
        }
    }
}

/// The YlOrRd ramp, light to dark.
const RAMP: [Rgba; 5] = [
    Rgba(0xFF, 0xFF, 0xB2, 0xFF),
    Rgba(0xFE, 0xCC, 0x5C, 0xFF),
    Rgba(0xFD, 0x8D, 0x3C, 0xFF),
    Rgba(0xF0, 0x3B, 0x20, 0xFF),
    Rgba(0xBD, 0x00, 0x26, 0xFF),
];

/// The colours of `k` classes (1 to 5), spread over the ramp.
pub fn colours(k: usize) -> Vec<Rgba> {
    let pick: &[usize] = match k {
        0 | 1 => &[3],
        2 => &[1, 4],
        3 => &[0, 2, 4],
        4 => &[0, 1, 3, 4],
        _ => &[0, 1, 2, 3, 4],
    };
    pick.iter().map(|&i| RAMP[i]).collect()
}

/// `v` rounded to two significant digits.
fn round2(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(v.abs().log10().floor() as i32 - 1);
    (v / mag).round() * mag
}

/// Quantile breaks of `values` into at most five classes (see the module documentation).
pub fn quantile_breaks(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mut distinct = v.clone();
    distinct.dedup();
    let k = distinct.len().min(5);
    let mut breaks: Vec<f64> = (1..k).map(|i| round2(v[i * v.len() / k])).collect();
    breaks.dedup();
    // A break at or below the smallest value leaves the first class empty.
    breaks.retain(|b| *b > v[0]);
    breaks
}

/// The class of `v` under `breaks`.
pub fn class_of(v: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|b| v >= **b).count()
}

/// A number as the legend shows it.
fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The legend rows of `breaks` with the number of areas in each class (`counts`, one per
/// class) and those without sites.
pub fn legend(classes: AreaClasses, breaks: &[f64], counts: &[u64], no_data: (Rgba, u64)) -> Vec<LegendItem> {
    let colours = colours(breaks.len() + 1);
    let unit = classes.unit();
    let mut items: Vec<LegendItem> = (0..=breaks.len())
        .map(|i| {
            let label = match (i.checked_sub(1).map(|j| breaks[j]), breaks.get(i)) {
                (None, Some(hi)) => format!("< {}{unit}", show(*hi)),
                (Some(lo), Some(hi)) => format!("{} – {}{unit}", show(lo), show(*hi)),
                (Some(lo), None) => format!("≥ {}{unit}", show(lo)),
                (None, None) => "全部".to_string(),
            };
            LegendItem {
                swatch: Swatch::Fill(colours[i]),
                label,
                count: Some(counts.get(i).copied().unwrap_or(0).to_string()),
            }
        })
        .collect();
    if no_data.1 > 0 {
        items.push(LegendItem {
            swatch: Swatch::Fill(no_data.0),
            label: "无企业".into(),
            count: Some(no_data.1.to_string()),
        });
    }
    items
}

#[cfg(test)]
#[path = "classes_tests.rs"]
mod tests;
