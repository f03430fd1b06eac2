//! Exact distances between points, lines and areas in a metric CRS, and the index that finds
//! every pair of features within a distance: one mechanism for facility reach
//! ([`crate::coverage`]) and separation rules (a school and a hazardous-chemical enterprise,
//! a pipeline and a crowded place).
//!
//! A [`Shape`] is a point, lines (a pipeline: one or more polylines) or an area (polygons with
//! holes). A [`ShapeIndex`] holds a set of shapes, each with its own *reach* in metres (a
//! shelter's service radius; 0 for the protected objects of a rule).
//!
//! # Semantics
//!
//! * **Distance** is the Euclidean distance between the closed shapes, as GEOS and shapely
//!   compute it (`shapely.distance`): an area includes its interior and its boundary, so it is
//!   `0` when the shapes touch, cross, or one lies inside the other. Lines are their segments;
//!   holes are not part of an area.
//! * [`nearest`] gives the distance with a **shortest segment**: a point of each shape at that
//!   distance (the same point twice when they meet).
//! * [`ShapeIndex::near_point`] finds the shapes whose distance to a point is **at most** their
//!   reach plus a margin (closed: a point exactly on the service circle is reached). Between two
//!   points the test is made on squared distances (`dx² + dy² <= r²`), as rstar's
//!   `locate_within_distance` does.
//! * [`ShapeIndex::near`] finds, for a query shape, the shapes within a distance `d` (plus
//!   their reach), with [`Within::Below`] (`distance < d`: "at least d metres apart" is broken)
//!   or [`Within::AtMost`] (`distance <= d`: "something within d metres").
//!
//! Results are sorted by shape index and do not depend on the number of threads.
//!
//! ```
//! use geo::{line_string, polygon, MultiLineString, MultiPolygon};
//! use sisetu_core::proximity::{nearest, Shape, ShapeIndex, Within};
//! let school = Shape::Point(0.0, 0.0);
//! let pipeline = Shape::Lines(MultiLineString(vec![line_string![(x: 100.0, y: -50.0), (x: 100.0, y: 50.0)]]));
//! let park = Shape::Area(MultiPolygon(vec![polygon![(x: -10.0, y: -10.0), (x: 10.0, y: -10.0), (x: 10.0, y: 10.0), (x: -10.0, y: 10.0)]]));
//! let n = nearest(&school, &pipeline);
//! assert_eq!(n.distance, 100.0);
//! assert_eq!((n.b.x, n.b.y), (100.0, 0.0));
//! assert_eq!(nearest(&school, &park).distance, 0.0); // inside the area
//! let others = [pipeline, park];
//! let index = ShapeIndex::new(&others, |_| 0.0).unwrap();
//! // "At least 150 m from anything": both are closer.
//! let found: Vec<u32> = index.near(&school, 150.0, Within::Below).iter().map(|(i, _)| *i).collect();
//! assert_eq!(found, vec![0, 1]);
//! // "At least 100 m": exactly 100 m complies, the park (0 m) does not.
//! let found: Vec<u32> = index.near(&school, 100.0, Within::Below).iter().map(|(i, _)| *i).collect();
//! assert_eq!(found, vec![1]);
//! ```
//!
//! # Performance
//!
//! Lines and area boundaries are cut into pieces of at most [`PIECE_VERTICES`] vertices, each
//! in an rstar R-tree by its bounding box grown by its shape's reach, so a 40 km pipeline costs
//! only the few pieces near a query, never all its vertices. Whether a point lies inside an
//! area is answered by the strip index of [`crate::ZoneIndex`] (exact, robust predicates). A
//! query costs one R-tree search per piece of the query shape plus the exact distances of the
//! candidate pieces (at most 15 × 15 segment pairs each).

use crate::zone::{Zone, ZoneIdx, ZoneIndex};
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{BoundingRect, Coord, Distance, Euclidean, Line, MultiLineString, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// The most vertices in one indexed piece of a line or an area boundary.
pub const PIECE_VERTICES: usize = 16;

/// A point, lines or an area, in a metric CRS.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A point `(x, y)`.
    Point(f64, f64),
    /// One or more polylines (a pipeline, a road, a river).
    Lines(MultiLineString<f64>),
    /// Polygons with holes; distances are measured to the nearest point of the area (0 inside).
    Area(MultiPolygon<f64>),
}

/// Why a shape cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// A coordinate is NaN or infinite.
    #[error("a coordinate is not a finite number")]
    NotFinite,
    /// A line with fewer than two distinct points.
    #[error("a line needs two different points")]
    ShortLine,
    /// An area without a ring of three different points.
    #[error("an area needs a ring of at least three different points")]
    EmptyArea,
    /// A reach that is negative or not finite.
    #[error("reach {0} is not a finite number ≥ 0")]
    Reach(String),
}

/// The shortest segment between two shapes: `a` on the first, `b` on the second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Euclidean distance (metres), `0.0` when the shapes meet.
    pub distance: f64,
    /// The point of the first shape.
    pub a: Coord<f64>,
    /// The point of the second shape.
    pub b: Coord<f64>,
}

/// How [`ShapeIndex::near`] compares a distance with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// `distance < d` (a minimum separation is broken).
    Below,
    /// `distance <= d` (something lies within reach).
    AtMost,
}

impl Within {
    #[inline]
    fn holds(self, distance: f64, d: f64) -> bool {
        match self {
            Within::Below => distance < d,
            Within::AtMost => distance <= d,
        }
    }

    /// The same test on squared distances (two points).
    #[inline]
    fn holds_squared(self, d2: f64, d: f64) -> bool {
        match self {
            Within::Below => d2 < d * d,
            Within::AtMost => d2 <= d * d,
        }
    }
}

impl Shape {
    /// Checks coordinates and sizes: finite coordinates, lines of two different points, areas
    /// with a ring of three different points.
    pub fn validate(&self) -> Result<(), ShapeError> {
        let finite = |c: &Coord<f64>| c.x.is_finite() && c.y.is_finite();
        match self {
            Shape::Point(x, y) => (x.is_finite() && y.is_finite()).then_some(()).ok_or(ShapeError::NotFinite),
            Shape::Lines(ml) => {
                if ml.0.is_empty() {
                    return Err(ShapeError::ShortLine);
                }
                for l in &ml.0 {
                    if !l.0.iter().all(finite) {
                        return Err(ShapeError::NotFinite);
                    }
                    if !l.0.windows(2).any(|w| w[0] != w[1]) {
                        return Err(ShapeError::ShortLine);
                    }
                }
                Ok(())
            }
            Shape::Area(mp) => {
                let mut rings = mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
                if !rings.all(|r| r.0.iter().all(finite)) {
                    return Err(ShapeError::NotFinite);
                }
                let has_area = mp.0.iter().any(|p| {
                    let mut distinct: Vec<Coord<f64>> = Vec::new();
                    for c in &p.exterior().0 {
                        if !distinct.contains(c) {
                            distinct.push(*c);
                            if distinct.len() >= 3 {
                                return true;
                            }
                        }
                    }
                    false
                });
                has_area.then_some(()).ok_or(ShapeError::EmptyArea)
            }
        }
    }

    /// The bounding box `[xmin, ymin, xmax, ymax]`; `None` when empty.
    pub fn envelope(&self) -> Option<[f64; 4]> {
        match self {
            Shape::Point(x, y) => Some([*x, *y, *x, *y]),
            Shape::Lines(ml) => ml.bounding_rect().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
            Shape::Area(mp) => mp.bounding_rect().map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        }
    }

    /// The distance from `(x, y)` to the shape (0 inside an area or on a line).
    pub fn distance_to_point(&self, x: f64, y: f64) -> f64 {
        let p = Point::new(x, y);
        match self {
            Shape::Point(sx, sy) => ((x - sx) * (x - sx) + (y - sy) * (y - sy)).sqrt(),
            Shape::Lines(ml) => Euclidean.distance(&p, ml),
            Shape::Area(mp) => Euclidean.distance(&p, mp),
        }
    }

    /// Every path of the shape's linework (a point is a path of one vertex; rings are closed).
    fn paths(&self) -> Vec<&[Coord<f64>]> {
        match self {
            Shape::Point(..) => Vec::new(),
            Shape::Lines(ml) => ml.0.iter().map(|l| l.0.as_slice()).collect(),
            Shape::Area(mp) => {
                mp.0.iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .map(|r| r.0.as_slice())
                    .collect()
            }
        }
    }

    /// One vertex of the shape (to test whether it lies inside another area).
    fn probe(&self) -> Option<Coord<f64>> {
        match self {
            Shape::Point(x, y) => Some(Coord { x: *x, y: *y }),
            Shape::Lines(ml) => ml.0.iter().find_map(|l| l.0.first().copied()),
            Shape::Area(mp) => mp.0.iter().find_map(|p| p.exterior().0.first().copied()),
        }
    }

    /// The shape's pieces: runs of at most [`PIECE_VERTICES`] vertices of its paths (each
    /// sharing its last vertex with the next), or the point.
    fn pieces(&self) -> Vec<Vec<Coord<f64>>> {
        if let Shape::Point(x, y) = self {
            return vec![vec![Coord { x: *x, y: *y }]];
        }
        let mut out = Vec::new();
        for path in self.paths() {
            if path.len() == 1 {
                out.push(path.to_vec());
                continue;
            }
            let mut start = 0;
            while start + 1 < path.len() {
                let end = (start + PIECE_VERTICES).min(path.len());
                out.push(path[start..end].to_vec());
                start = end - 1;
            }
        }
        out
    }
}

/// The exact nearest points of two vertex runs (a point is a run of one vertex).
fn run_nearest(a: &[Coord<f64>], b: &[Coord<f64>]) -> Nearest {
    let mut best = Nearest { distance: f64::INFINITY, a: a[0], b: b[0] };
    let mut take = |n: Nearest| {
        if n.distance < best.distance {
            best = n;
        }
    };
    match (a.len(), b.len()) {
        (1, 1) => take(point_point(a[0], b[0])),
        (1, _) => b.windows(2).for_each(|s| take(point_segment(a[0], s[0], s[1]))),
        (_, 1) => a.windows(2).for_each(|s| take(swap(point_segment(b[0], s[0], s[1])))),
        _ => {
            for sa in a.windows(2) {
                for sb in b.windows(2) {
                    take(segment_segment(sa[0], sa[1], sb[0], sb[1]));
                }
            }
        }
    }
    best
}

fn swap(n: Nearest) -> Nearest {
    Nearest { distance: n.distance, a: n.b, b: n.a }
}

fn point_point(a: Coord<f64>, b: Coord<f64>) -> Nearest {
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    Nearest { distance: (dx * dx + dy * dy).sqrt(), a, b }
}

/// The distance from `p` to the segment `s0–s1` (geo's point–segment distance), with the
/// nearest point of the segment.
fn point_segment(p: Coord<f64>, s0: Coord<f64>, s1: Coord<f64>) -> Nearest {
    let distance = Euclidean.distance(&Point(p), &Line::new(s0, s1));
    let (dx, dy) = (s1.x - s0.x, s1.y - s0.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.x - s0.x) * dx + (p.y - s0.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let b = if t <= 0.0 {
        s0
    } else if t >= 1.0 {
        s1
    } else {
        Coord { x: s0.x + t * dx, y: s0.y + t * dy }
    };
    Nearest { distance, a: p, b }
}

/// The nearest points of two segments: where they meet (robust test), or the nearest of the
/// four endpoint–segment distances.
fn segment_segment(a0: Coord<f64>, a1: Coord<f64>, b0: Coord<f64>, b1: Coord<f64>) -> Nearest {
    let overlap = a0.x.min(a1.x) <= b0.x.max(b1.x)
        && b0.x.min(b1.x) <= a0.x.max(a1.x)
        && a0.y.min(a1.y) <= b0.y.max(b1.y)
        && b0.y.min(b1.y) <= a0.y.max(a1.y);
    if overlap {
        match line_intersection(Line::new(a0, a1), Line::new(b0, b1)) {
            Some(LineIntersection::SinglePoint { intersection, .. }) => {
                return Nearest { distance: 0.0, a: intersection, b: intersection }
            }
            Some(LineIntersection::Collinear { intersection }) => {
                return Nearest { distance: 0.0, a: intersection.start, b: intersection.start }
            }
            None => {}
        }
    }
    let mut best = point_segment(a0, b0, b1);
    for n in [point_segment(a1, b0, b1), swap(point_segment(b0, a0, a1)), swap(point_segment(b1, a0, a1))] {
        if n.distance < best.distance {
            best = n;
        }
    }
    best
}

/// The exact distance between two shapes with a shortest segment (see the module docs).
/// Shapes that fail [`Shape::validate`] give an infinite distance.
pub fn nearest(a: &Shape, b: &Shape) -> Nearest {
    if a.validate().is_err() || b.validate().is_err() {
        let o = Coord { x: f64::NAN, y: f64::NAN };
        return Nearest { distance: f64::INFINITY, a: o, b: o };
    }
    let index = ShapeIndex::new([b], |_| 0.0).expect("a valid shape is indexed");
    index.nearest_any(a).expect("one shape").1
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One indexed run of vertices.
#[derive(Debug, Clone, Copy)]
struct Piece {
    shape: u32,
    start: u32,
    len: u32,
}

/// Shapes with their reach, indexed by pieces (see the module docs). It keeps no reference to
/// the shapes: shape `i` is the `i`-th one given to [`ShapeIndex::new`].
#[derive(Debug)]
pub struct ShapeIndex {
    reach: Vec<f64>,
    /// Whether each shape is a point, and one of its vertices.
    point: Vec<bool>,
    probe: Vec<Coord<f64>>,
    coords: Vec<Coord<f64>>,
    pieces: Vec<Piece>,
    tree: RTree<Entry>,
    /// The areas, for "inside": zone `i` is shape `area_shape[i]`.
    areas: Option<ZoneIndex>,
    area_shape: Vec<u32>,
}

impl ShapeIndex {
    /// Indexes `shapes`, shape `i` with reach `reach(i)` (metres, finite, ≥ 0). The error
    /// names the first shape that fails [`Shape::validate`] or has a bad reach.
    pub fn new<'s>(
        shapes: impl IntoIterator<Item = &'s Shape>,
        reach: impl Fn(usize) -> f64,
    ) -> Result<Self, (usize, ShapeError)> {
        let mut coords = Vec::new();
        let mut pieces = Vec::new();
        let mut entries = Vec::new();
        let mut reaches = Vec::new();
        let (mut point, mut probe) = (Vec::new(), Vec::new());
        let mut zones = Vec::new();
        let mut area_shape = Vec::new();
        for (i, s) in shapes.into_iter().enumerate() {
            s.validate().map_err(|e| (i, e))?;
            point.push(matches!(s, Shape::Point(..)));
            probe.push(s.probe().expect("a valid shape has a vertex"));
            let r = reach(i);
            if !(r.is_finite() && r >= 0.0) {
                return Err((i, ShapeError::Reach(r.to_string())));
            }
            reaches.push(r);
            for run in s.pieces() {
                let env = grown(bounds(&run), r);
                entries.push(Entry::new(Rectangle::from_aabb(env), pieces.len() as u32));
                pieces.push(Piece { shape: i as u32, start: coords.len() as u32, len: run.len() as u32 });
                coords.extend_from_slice(&run);
            }
            if let Shape::Area(mp) = s {
                zones.push(Zone::new(i.to_string(), "", mp.clone()));
                area_shape.push(i as u32);
            }
        }
        let areas = (!zones.is_empty()).then(|| ZoneIndex::new(&zones));
        Ok(ShapeIndex {
            reach: reaches,
            point,
            probe,
            coords,
            pieces,
            tree: RTree::bulk_load(entries),
            areas,
            area_shape,
        })
    }

    /// The number of shapes.
    pub fn len(&self) -> usize {
        self.reach.len()
    }

    /// Whether no shape was given.
    pub fn is_empty(&self) -> bool {
        self.reach.is_empty()
    }

    fn run(&self, p: &Piece) -> &[Coord<f64>] {
        &self.coords[p.start as usize..(p.start + p.len) as usize]
    }

    /// Every indexed piece whose box grown by its shape's reach meets `env` grown by `margin`:
    /// (shape, the shape's reach, the piece's vertices). For [`crate::corridor`].
    pub(crate) fn pieces_near(
        &self,
        env: [f64; 4],
        margin: f64,
    ) -> impl Iterator<Item = (u32, f64, &[Coord<f64>])> + '_ {
        self.tree.locate_in_envelope_intersecting(&grown(env, margin)).map(move |e| {
            let piece = self.pieces[e.data as usize];
            (piece.shape, self.reach[piece.shape as usize], self.run(&piece))
        })
    }

    /// The areas whose closure holds `(x, y)`, as shape indices, with their reach.
    pub(crate) fn areas_at(&self, x: f64, y: f64) -> Vec<(u32, f64)> {
        if self.areas.is_none() {
            return Vec::new();
        }
        self.areas_covering(x, y).map(|s| (s, self.reach[s as usize])).collect()
    }

    /// Whether shape `s` is an area.
    pub(crate) fn is_area(&self, s: u32) -> bool {
        self.area_shape.binary_search(&s).is_ok()
    }

    /// The areas whose closure holds `(x, y)`, as shape indices.
    fn areas_covering(&self, x: f64, y: f64) -> impl Iterator<Item = u32> + '_ {
        let zones = self.areas.as_ref().map(|z| z.covering(x, y)).unwrap_or_default();
        zones.into_iter().map(|z: ZoneIdx| self.area_shape[z.get()])
    }

    /// Appends to `out` (cleared first) every shape whose distance to `(x, y)` is at most its
    /// reach plus `margin`, with that distance, in ascending `(distance, index)` order.
    pub fn near_point(&self, x: f64, y: f64, margin: f64, out: &mut Vec<(u32, f64)>) {
        out.clear();
        if !(x.is_finite() && y.is_finite()) {
            return;
        }
        let p = Coord { x, y };
        // Everything goes into `out` (the caller's buffer: no allocation per point), then one
        // entry per shape is kept, its smallest distance.
        if self.areas.is_some() {
            out.extend(self.areas_covering(x, y).map(|s| (s, 0.0)));
        }
        let query = AABB::from_corners([x - margin, y - margin], [x + margin, y + margin]);
        for e in self.tree.locate_in_envelope_intersecting(&query) {
            let piece = self.pieces[e.data as usize];
            let r = self.reach[piece.shape as usize] + margin;
            let run = self.run(&piece);
            let d = if run.len() == 1 {
                let (dx, dy) = (x - run[0].x, y - run[0].y);
                let d2 = dx * dx + dy * dy;
                if !Within::AtMost.holds_squared(d2, r) {
                    continue;
                }
                d2.sqrt()
            } else {
                let n = run_nearest(&[p], run).distance;
                if !Within::AtMost.holds(n, r) {
                    continue;
                }
                n
            };
            out.push((piece.shape, d));
        }
        if out.len() > 1 {
            out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            out.dedup_by_key(|e| e.0);
            out.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        }
    }

    /// Every shape within `d` of `query` (plus the shape's reach), compared by `within`, with
    /// its shortest segment (`a` on `query`), sorted by shape index. A query that fails
    /// [`Shape::validate`] finds nothing.
    pub fn near(&self, query: &Shape, d: f64, within: Within) -> Vec<(u32, Nearest)> {
        if query.validate().is_err() || !(d.is_finite() && d >= 0.0) {
            return Vec::new();
        }
        let mut best = self.candidates(query, d);
        best.retain(|(s, n)| {
            let s = *s;
            let limit = d + self.reach[s as usize];
            match (query, self.point[s as usize]) {
                (Shape::Point(..), true) => {
                    let (dx, dy) = (n.a.x - n.b.x, n.a.y - n.b.y);
                    within.holds_squared(dx * dx + dy * dy, limit)
                }
                _ => within.holds(n.distance, limit),
            }
        });
        best
    }

    /// The nearest shape to `query`, searching ever wider (for "nothing within d": how far the
    /// nearest one is); `None` for an empty index or a query that fails validation.
    pub fn nearest_any(&self, query: &Shape) -> Option<(u32, Nearest)> {
        if self.is_empty() || query.validate().is_err() {
            return None;
        }
        let env = query.envelope()?;
        let root = self.tree.root().envelope();
        let (lo, hi) = (root.lower(), root.upper());
        // Far enough to reach every piece from anywhere in the query's box.
        let span = (hi[0].max(env[2]) - lo[0].min(env[0])).hypot(hi[1].max(env[3]) - lo[1].min(env[1]));
        let mut d = 1.0_f64;
        loop {
            let found = self.candidates(query, d);
            if let Some((s, n)) =
                found.into_iter().min_by(|a, b| a.1.distance.total_cmp(&b.1.distance).then(a.0.cmp(&b.0)))
            {
                // Anything nearer is within this search radius too, so this is the nearest.
                if n.distance <= d {
                    return Some((s, n));
                }
            }
            if d > span * 2.0 + 1.0 {
                return None;
            }
            d *= 4.0;
        }
    }

    /// Every shape with a piece within `d` (plus reach) of a piece of `query`, or meeting it,
    /// with the exact nearest segment over the pieces found, sorted by shape (on a tie in
    /// distance, the piece found first).
    fn candidates(&self, query: &Shape, d: f64) -> Vec<(u32, Nearest)> {
        let mut found: Vec<(u32, Nearest)> = Vec::new();
        let mut visit = |run: &[Coord<f64>]| {
            for e in self.tree.locate_in_envelope_intersecting(&grown(bounds(run), d)) {
                let piece = self.pieces[e.data as usize];
                found.push((piece.shape, run_nearest(run, self.run(&piece))));
            }
        };
        match query {
            // A point is one run: no pieces to allocate.
            Shape::Point(x, y) => visit(&[Coord { x: *x, y: *y }]),
            _ => query.pieces().iter().for_each(|run| visit(run)),
        }
        // The query inside an area: its probe vertex is covered.
        if let Some(p) = query.probe() {
            if self.areas.is_some() {
                found.extend(self.areas_covering(p.x, p.y).map(|s| (s, Nearest { distance: 0.0, a: p, b: p })));
            }
        }
        // A shape inside the query area: one of its vertices is covered by the query.
        if let Shape::Area(mp) = query {
            let own = ZoneIndex::new(&[Zone::new("q", "", mp.clone())]);
            let env = query.envelope().expect("a valid area has an envelope");
            let aabb = AABB::from_corners([env[0], env[1]], [env[2], env[3]]);
            let mut seen = std::collections::BTreeSet::new();
            for e in self.tree.locate_in_envelope_intersecting(&aabb) {
                let piece = self.pieces[e.data as usize];
                if !seen.insert(piece.shape) {
                    continue;
                }
                let p = self.probe[piece.shape as usize];
                if !own.covering(p.x, p.y).is_empty() {
                    found.push((piece.shape, Nearest { distance: 0.0, a: p, b: p }));
                }
            }
        }
        // Stable: among equal distances of one shape the first found stays first.
        found.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.distance.total_cmp(&y.1.distance)));
        found.dedup_by_key(|f| f.0);
        found
    }
}

fn bounds(run: &[Coord<f64>]) -> [f64; 4] {
    run.iter().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, c| {
        [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
    })
}

fn grown(b: [f64; 4], r: f64) -> AABB<[f64; 2]> {
    AABB::from_corners([b[0] - r, b[1] - r], [b[2] + r, b[3] + r])
}

#[cfg(test)]
#[path = "proximity_tests.rs"]
mod tests;
