//! The stretches of a line that lie within a distance of other shapes: the high-consequence
//! segments (高后果区管段) of a pipeline that passes crowded places, schools or hazard zones.
//!
//! Given a polyline and a [`ShapeIndex`] whose shapes carry their reach (each crowded place's
//! required distance), [`stretches`] returns the parts of the line at distance **at most**
//! `reach + margin` from some shape, as intervals of chainage (metres along the line from its
//! first vertex), merged where they touch or overlap, with their vertices.
//!
//! # Semantics
//! The set of points of a segment within `r` of a convex shape is one interval of the segment,
//! computed in closed form: within `r` of a point, a quadratic in the segment's parameter; within
//! `r` of a segment, the union of the intervals of its two end discs and of the rectangle
//! between them (linear constraints). An area is its boundary edges (each a segment) plus the
//! parts of the line inside it (between the crossings with its edges, decided by the exact
//! point-in-polygon test at their midpoints). Distances are those of [`crate::proximity`]
//! (closed shapes, Euclidean, metric CRS); the intervals' ends are rounded floating point
//! (sub-micrometre), not exact.
//!
//! ```
//! use geo::Coord;
//! use sisetu_core::corridor::stretches;
//! use sisetu_core::proximity::{Shape, ShapeIndex};
//! // A 1 km pipeline along the x axis and a school 30 m north of its middle, 50 m required.
//! let line = [Coord { x: 0.0, y: 0.0 }, Coord { x: 1000.0, y: 0.0 }];
//! let schools = [Shape::Point(500.0, 30.0)];
//! let index = ShapeIndex::new(&schools, |_| 50.0).unwrap();
//! let s = stretches(&line, &index, 0.0);
//! assert_eq!(s.len(), 1);
//! assert!((s[0].from_m - 460.0).abs() < 1e-9 && (s[0].to_m - 540.0).abs() < 1e-9);
//! ```
//!
//! # Performance
//! One R-tree query per segment of the line (the index's pieces of at most 16 vertices), and a
//! constant amount of arithmetic per candidate piece segment.

use crate::proximity::ShapeIndex;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Line};

/// A stretch of a line: chainage from and to (metres), and its vertices.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    /// Metres along the line where it starts.
    pub from_m: f64,
    /// Metres along the line where it ends.
    pub to_m: f64,
    /// Its vertices: the start, the line's vertices inside, the end.
    pub coords: Vec<Coord<f64>>,
}

/// The parts of `line` within `reach + margin` of the shapes of `index` (see the module docs).
pub fn stretches(line: &[Coord<f64>], index: &ShapeIndex, margin: f64) -> Vec<Stretch> {
    let mut chain = Vec::with_capacity(line.len());
    let mut at = 0.0;
    for (i, c) in line.iter().enumerate() {
        if i > 0 {
            at += dist(line[i - 1], *c);
        }
        chain.push(at);
    }
    // Intervals in chainage.
    let mut found: Vec<(f64, f64)> = Vec::new();
    for (i, w) in line.windows(2).enumerate() {
        let (p0, p1) = (w[0], w[1]);
        let len = dist(p0, p1);
        if len == 0.0 {
            continue;
        }
        let env = [p0.x.min(p1.x), p0.y.min(p1.y), p0.x.max(p1.x), p0.y.max(p1.y)];
        let mut ts: Vec<(f64, f64)> = Vec::new();
        let mut areas: Vec<(u32, f64)> = Vec::new();
        for (shape, reach, run) in index.pieces_near(env, margin) {
            let r = reach + margin;
            if run.len() == 1 {
                ts.extend(near_point(p0, p1, run[0], r));
            } else {
                for s in run.windows(2) {
                    ts.extend(near_segment(p0, p1, s[0], s[1], r));
                }
                if index.is_area(shape) && !areas.iter().any(|a| a.0 == shape) {
                    areas.push((shape, r));
                }
            }
        }
        // The parts inside an area: between the crossings with any edge, where the middle is
        // inside (the areas' own crossings are among the pieces near the segment).
        if !areas.is_empty() {
            let mut cuts = vec![0.0, 1.0];
            for (_, _, run) in index.pieces_near(env, 0.0) {
                for s in run.windows(2) {
                    if let Some(t) = crossing(p0, p1, s[0], s[1]) {
                        cuts.push(t);
                    }
                }
            }
            cuts.sort_by(f64::total_cmp);
            cuts.dedup();
            for c in cuts.windows(2) {
                let t = (c[0] + c[1]) / 2.0;
                let m = Coord { x: p0.x + t * (p1.x - p0.x), y: p0.y + t * (p1.y - p0.y) };
                if index.areas_at(m.x, m.y).iter().any(|(s, _)| areas.iter().any(|a| a.0 == *s)) {
                    ts.push((c[0], c[1]));
                }
            }
        }
        found.extend(ts.into_iter().map(|(a, b)| (chain[i] + a * len, chain[i] + b * len)));
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in found {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged.into_iter().map(|(a, b)| Stretch { from_m: a, to_m: b, coords: cut(line, &chain, a, b) }).collect()
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// The point at chainage `m`.
fn point_at(line: &[Coord<f64>], chain: &[f64], m: f64) -> Coord<f64> {
    let i = chain.partition_point(|&c| c <= m).clamp(1, line.len() - 1);
    let (a, b) = (line[i - 1], line[i]);
    let len = chain[i] - chain[i - 1];
    let t = if len > 0.0 { ((m - chain[i - 1]) / len).clamp(0.0, 1.0) } else { 0.0 };
    Coord { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) }
}

/// The vertices of the line between chainages `a` and `b`.
fn cut(line: &[Coord<f64>], chain: &[f64], a: f64, b: f64) -> Vec<Coord<f64>> {
    let mut out = vec![point_at(line, chain, a)];
    out.extend(line.iter().zip(chain).filter(|(_, &c)| c > a && c < b).map(|(p, _)| *p));
    out.push(point_at(line, chain, b));
    out
}

/// The parameters `t` in `[0, 1]` where `p0 + t (p1 − p0)` is within `r` of `q`.
fn near_point(p0: Coord<f64>, p1: Coord<f64>, q: Coord<f64>, r: f64) -> Option<(f64, f64)> {
    let (vx, vy) = (p1.x - p0.x, p1.y - p0.y);
    let (wx, wy) = (p0.x - q.x, p0.y - q.y);
    let a = vx * vx + vy * vy;
    let b = 2.0 * (vx * wx + vy * wy);
    let c = wx * wx + wy * wy - r * r;
    let disc = b * b - 4.0 * a * c;
    if a == 0.0 || disc < 0.0 {
        return None;
    }
    let sq = disc.sqrt();
    clamp01((-b - sq) / (2.0 * a), (-b + sq) / (2.0 * a))
}

/// The parameters where the segment `p0–p1` is within `r` of the segment `q0–q1`: the end
/// discs and the rectangle between them.
fn near_segment(p0: Coord<f64>, p1: Coord<f64>, q0: Coord<f64>, q1: Coord<f64>, r: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> =
        [near_point(p0, p1, q0, r), near_point(p0, p1, q1, r)].into_iter().flatten().collect();
    let (ux, uy) = (q1.x - q0.x, q1.y - q0.y);
    let ul2 = ux * ux + uy * uy;
    if ul2 > 0.0 {
        let ul = ul2.sqrt();
        let (vx, vy) = (p1.x - p0.x, p1.y - p0.y);
        let (wx, wy) = (p0.x - q0.x, p0.y - q0.y);
        // Along q: 0 <= ((w + t v)·u) / |u|² <= 1; across: |(w + t v) × u| / |u| <= r.
        let along = (((wx * ux + wy * uy) / ul2), ((vx * ux + vy * uy) / ul2));
        let across = (((wx * uy - wy * ux) / ul), ((vx * uy - vy * ux) / ul));
        let mut lo: f64 = 0.0;
        let mut hi: f64 = 1.0;
        for (c0, c1, min, max) in [(along.0, along.1, 0.0, 1.0), (across.0, across.1, -r, r)] {
            // min <= c0 + t c1 <= max.
            if c1 == 0.0 {
                if c0 < min || c0 > max {
                    return out;
                }
            } else {
                let (t1, t2) = ((min - c0) / c1, (max - c0) / c1);
                lo = lo.max(t1.min(t2));
                hi = hi.min(t1.max(t2));
            }
        }
        if lo <= hi {
            out.push((lo, hi));
        }
    }
    out
}

/// Where `p0–p1` crosses `q0–q1`, as the parameter along `p0–p1`.
fn crossing(p0: Coord<f64>, p1: Coord<f64>, q0: Coord<f64>, q1: Coord<f64>) -> Option<f64> {
    let point = match line_intersection(Line::new(p0, p1), Line::new(q0, q1))? {
        LineIntersection::SinglePoint { intersection, .. } => intersection,
        LineIntersection::Collinear { intersection } => intersection.start,
    };
    let (vx, vy) = (p1.x - p0.x, p1.y - p0.y);
    let l2 = vx * vx + vy * vy;
    (l2 > 0.0).then(|| (((point.x - p0.x) * vx + (point.y - p0.y) * vy) / l2).clamp(0.0, 1.0))
}

fn clamp01(a: f64, b: f64) -> Option<(f64, f64)> {
    let (a, b) = (a.max(0.0), b.min(1.0));
    (a <= b).then_some((a, b))
}

#[cfg(test)]
#[path = "corridor_tests.rs"]
mod tests;
