//! Checking one rule: for every feature of layer A, the features of layer B closer than the
//! required distance (`min_m`), or whether one lies within it (`within_m`). Exact distances in
//! the working CRS, by [`sisetu_core::proximity`] (the index facility coverage uses too). No
//! file is read or written.

use super::layers::Feature;
use crate::error::{Error, Result};
use crate::project::rules::{Required, RuleConfig, RuleKind};
use geo::Coord;
use rayon::prelude::*;
use sisetu_core::corridor::{stretches, Stretch};
use sisetu_core::proximity::{Shape, ShapeIndex, Within};

/// One violation of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The feature of A (its position in A).
    pub a: u32,
    /// The feature of B it is too close to (`min_m`), or the nearest one of B when none lies
    /// within reach (`within_m`; `None` when B is empty).
    pub b: Option<u32>,
    /// The distance (metres) between them; `None` when B is empty.
    pub distance_m: Option<f64>,
    /// The distance the rule requires for this feature of A.
    pub required_m: f64,
    /// The shortest segment (working CRS), from A to B; `None` when B is empty.
    pub segment: Option<[Coord<f64>; 2]>,
}

/// What one rule found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleResult {
    /// Features of A checked.
    pub checked: u64,
    /// Features of A with at least one violation.
    pub violating: u64,
    /// Every violation, by feature of A (file order), then feature of B.
    pub violations: Vec<Violation>,
    /// Per district (layer order): features of A checked and violating.
    pub by_district: Vec<(u64, u64)>,
    /// The same for the features of A outside every district.
    pub outside: (u64, u64),
    /// For a `min_m` rule with a layer of lines (a pipeline): the stretches of its lines within
    /// the distance of the other layer (high-consequence segments), line by line.
    pub stretches: Vec<LineStretch>,
}

/// Which side of a rule a line is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Layer A.
    A,
    /// Layer B.
    B,
}

/// A stretch of one line of a feature (a high-consequence segment).
#[derive(Debug, Clone, PartialEq)]
pub struct LineStretch {
    /// The layer of the line.
    pub side: Side,
    /// The feature (its position in its layer).
    pub feature: u32,
    /// The line of the feature (0 for a LineString; the part of a MultiLineString).
    pub part: u32,
    /// The stretch, in the working CRS.
    pub stretch: Stretch,
}

impl RuleResult {
    /// The total length of the high-consequence stretches (metres).
    pub fn stretch_m(&self) -> f64 {
        self.stretches.iter().map(|s| s.stretch.to_m - s.stretch.from_m).sum()
    }
}

/// The required distance of feature `f` of A.
fn required_of(rule: &RuleConfig, f: &Feature) -> f64 {
    match rule.required {
        Required::Metres(m) => m,
        Required::Column => f.required_m.unwrap_or(0.0),
    }
}

/// The high-consequence stretches of a `min_m` rule: the lines of A within their distance of
/// B, or else the lines of B within the distance of each feature of A.
fn line_stretches(rule: &RuleConfig, a: &[Feature], b: &[Feature], b_index: &ShapeIndex) -> Result<Vec<LineStretch>> {
    let lines = |features: &[Feature]| features.iter().any(|f| matches!(f.shape, Shape::Lines(_)));
    let of_lines = |side: Side, features: &[Feature], index: &ShapeIndex, margin: &(dyn Fn(&Feature) -> f64 + Sync)| {
        features
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, f)| {
                let parts: Vec<&geo::LineString<f64>> = match &f.shape {
                    Shape::Lines(ml) => ml.0.iter().collect(),
                    _ => Vec::new(),
                };
                let m = margin(f);
                let keep = |s: &Stretch| s.to_m > s.from_m || s.coords.len() > 1;
                parts
                    .into_iter()
                    .enumerate()
                    .flat_map(move |(k, l)| {
                        stretches(&l.0, index, m).into_iter().filter(keep).map(move |stretch| LineStretch {
                            side,
                            feature: i as u32,
                            part: k as u32,
                            stretch,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    if lines(a) {
        let shared = a.iter().any(|f| b.iter().any(|g| g.key == f.key));
        if !shared {
            return Ok(of_lines(Side::A, a, b_index, &|f| required_of(rule, f)));
        }
        // A layer against itself ("pipelines at least 100 m apart"): each line against the
        // others only.
        let mut out = Vec::new();
        for (i, f) in a.iter().enumerate() {
            let others: Vec<&Feature> = b.iter().filter(|g| g.key != f.key).collect();
            let index = ShapeIndex::new(others.iter().map(|g| &g.shape), |_| 0.0)
                .map_err(|(j, e)| Error::internal(format!("rule {}: feature {j} of b: {e}", rule.name)))?;
            let one = of_lines(Side::A, std::slice::from_ref(f), &index, &|f| required_of(rule, f));
            out.extend(one.into_iter().map(|s| LineStretch { feature: i as u32, ..s }));
        }
        return Ok(out);
    }
    if lines(b) {
        let a_index = ShapeIndex::new(a.iter().map(|f| &f.shape), |i| required_of(rule, &a[i]))
            .map_err(|(i, e)| Error::internal(format!("rule {}: feature {i} of a: {e}", rule.name)))?;
        return Ok(of_lines(Side::B, b, &a_index, &|_| 0.0));
    }
    Ok(Vec::new())
}

impl RuleResult {
    /// The share of features of A that comply (1 when none is checked).
    pub fn compliance(&self) -> f64 {
        compliance(self.checked, self.violating)
    }
}

/// The share of `checked` that do not violate (1 when nothing is checked).
pub fn compliance(checked: u64, violating: u64) -> f64 {
    if checked == 0 {
        1.0
    } else {
        (checked - violating) as f64 / checked as f64
    }
}

/// Checks `rule` on features `a` against features `b` (a feature is never compared with
/// itself: [`Feature::key`]), counting per district of `n_districts`.
pub fn check(rule: &RuleConfig, a: &[Feature], b: &[Feature], n_districts: usize) -> Result<RuleResult> {
    let index = ShapeIndex::new(b.iter().map(|f| &f.shape), |_| 0.0)
        .map_err(|(i, e)| Error::internal(format!("rule {}: feature {i} of b: {e}", rule.name)))?;
    let span = span(a.iter().chain(b));
    let per_feature: Vec<Vec<Violation>> = a
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(i, f)| {
            let required = required_of(rule, f);
            let not_self = |j: u32| b[j as usize].key != f.key;
            match rule.kind {
                RuleKind::Separation => index
                    .near(&f.shape, required, Within::Below)
                    .into_iter()
                    .filter(|(j, _)| not_self(*j))
                    .map(|(j, n)| Violation {
                        a: i as u32,
                        b: Some(j),
                        distance_m: Some(n.distance),
                        required_m: required,
                        segment: Some([n.a, n.b]),
                    })
                    .collect(),
                RuleKind::Within => {
                    let found = index.near(&f.shape, required, Within::AtMost).into_iter().any(|(j, _)| not_self(j));
                    if found {
                        return Vec::new();
                    }
                    let nearest = nearest_other(&index, &f.shape, required, span, not_self);
                    vec![Violation {
                        a: i as u32,
                        b: nearest.map(|(j, _)| j),
                        distance_m: nearest.map(|(_, n)| n.distance),
                        required_m: required,
                        segment: nearest.map(|(_, n)| [n.a, n.b]),
                    }]
                }
            }
        })
        .collect();
    let mut res = RuleResult { by_district: vec![(0, 0); n_districts], ..RuleResult::default() };
    for (f, v) in a.iter().zip(&per_feature) {
        let slot = match f.district {
            Some(d) => &mut res.by_district[d.get()],
            None => &mut res.outside,
        };
        slot.0 += 1;
        res.checked += 1;
        if !v.is_empty() {
            slot.1 += 1;
            res.violating += 1;
        }
    }
    res.violations = per_feature.into_iter().flatten().collect();
    if rule.kind == RuleKind::Separation {
        res.stretches = line_stretches(rule, a, b, &index)?;
    }
    Ok(res)
}

/// The nearest feature of the index other than the ones `keep` refuses, searching ever wider
/// from `start` metres up to `span`.
fn nearest_other(
    index: &ShapeIndex,
    shape: &Shape,
    start: f64,
    span: f64,
    keep: impl Fn(u32) -> bool,
) -> Option<(u32, sisetu_core::proximity::Nearest)> {
    let mut d = start.max(1.0) * 2.0;
    loop {
        let best = index
            .near(shape, d, Within::AtMost)
            .into_iter()
            .filter(|(j, _)| keep(*j))
            .min_by(|x, y| x.1.distance.total_cmp(&y.1.distance).then(x.0.cmp(&y.0)));
        if best.is_some() || d > span {
            return best;
        }
        d *= 4.0;
    }
}

/// The diagonal of the features' common bounding box (metres), at least 1.
fn span<'a>(features: impl Iterator<Item = &'a Feature>) -> f64 {
    let b = features
        .filter_map(|f| f.shape.envelope())
        .fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, e| {
            [b[0].min(e[0]), b[1].min(e[1]), b[2].max(e[2]), b[3].max(e[3])]
        });
    let d = (b[2] - b[0]).hypot(b[3] - b[1]);
    if d.is_finite() {
        d.max(1.0) * 2.0
    } else {
        1.0
    }
}
