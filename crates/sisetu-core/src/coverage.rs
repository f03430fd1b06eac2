//! Facility coverage: which demand lies within a facility's service radius, and how much of
//! it fits (capacity assignment).
//!
//! A [`Facility`] is a point or an area (a park polygon) with a service radius in metres and a
//! capacity in persons. [`Demand`] is population at a point (a cell centroid, a population
//! point). Everything is in one metric CRS.
//!
//! # Semantics
//!
//! * **Distance** is Euclidean in the working CRS. From a demand point to an area facility it
//!   is the distance to the nearest point of the area: `0` inside it or on its boundary.
//! * **Reach is closed**: a facility reaches a demand point when `distance <= radius`. A point
//!   exactly on the service circle is covered. For point facilities the test is done on squared
//!   distances (`dx² + dy² <= r²`), the same predicate as rstar's `locate_within_distance`.
//! * **Radius coverage** ([`Reach::is_covered`]): a demand point is covered when at least one
//!   facility reaches it, whatever the facilities' capacities.
//! * **Capacity assignment** ([`allocate`]): the classic nearest-first rule "send people to the
//!   nearest shelter within reach until it is full". All (demand, facility) pairs within reach
//!   are taken in ascending order of `(distance, demand index, facility index)`; each pair moves
//!   `min(demand left, room left)` persons. The result is unique (no dependence on thread
//!   count or hash order) and equals the brute-force loop over the sorted pair list, which the
//!   tests check. The pairs are packed into integer keys and sorted in parallel.
//!
//! ```
//! use sisetu_core::coverage::{allocate, Demand, Facility, FacilityIndex};
//! let shelters = [Facility::point(0.0, 0.0, 500.0, 100.0), Facility::point(900.0, 0.0, 500.0, 1000.0)];
//! let people = [Demand::new(100.0, 0.0, 150.0), Demand::new(450.0, 0.0, 50.0), Demand::new(3000.0, 0.0, 7.0)];
//! let index = FacilityIndex::new(&shelters).unwrap();
//! let reach = index.reach_all(&people);
//! assert!(reach.is_covered(0) && reach.is_covered(1) && !reach.is_covered(2));
//! let a = allocate(&reach, &people, &shelters);
//! // The first shelter fills up with 100 of the 150 people 100 m away; the other 50 are left
//! // without room (the second shelter is 800 m away, out of reach). The 50 people 450 m from
//! // the first shelter reach both, find the first full and go to the second (450 m away).
//! assert_eq!(a.load, vec![100.0, 50.0]);
//! assert_eq!(a.served, vec![100.0, 50.0, 0.0]);
//! ```
//!
//! # Performance
//!
//! Facilities go into a [`ShapeIndex`] (the mechanism separation rules use too): an rstar
//! R-tree of their pieces' bounding boxes grown by the radius, so [`FacilityIndex::reach_all`]
//! costs one envelope query per demand point plus the exact distances of the pieces found, and
//! runs in parallel over demand chunks. 1,000,000 demand points against 10,000 shelters, with
//! coverage and assignment, take well under a second on two cores (`benches/coverage.rs`).

use crate::proximity::{Shape, ShapeIndex};
use geo::BoundingRect;
use rayon::prelude::*;

/// Where a facility is: a point, or an area (distances are measured to its nearest point, 0
/// inside); lines are possible too. The shapes and distances of [`crate::proximity`].
pub type FacilityShape = Shape;

/// A facility: shape, service radius (m) and capacity (persons; `f64::INFINITY` = unlimited).
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Location.
    pub shape: FacilityShape,
    /// Service radius in metres (finite, ≥ 0).
    pub radius: f64,
    /// How many persons it takes (≥ 0; may be infinite for facilities without capacity).
    pub capacity: f64,
}

impl Facility {
    /// A point facility.
    pub fn point(x: f64, y: f64, radius: f64, capacity: f64) -> Self {
        Facility { shape: FacilityShape::Point(x, y), radius, capacity }
    }

    /// The representative point: the point itself, or the centre of the area's bounding box
    /// for areas (only used for display and district assignment, never for distances).
    pub fn anchor(&self) -> Option<(f64, f64)> {
        match &self.shape {
            FacilityShape::Point(x, y) => Some((*x, *y)),
            FacilityShape::Area(mp) => mp.bounding_rect().map(|r| (r.center().x, r.center().y)),
            FacilityShape::Lines(ml) => ml.bounding_rect().map(|r| (r.center().x, r.center().y)),
        }
    }

    /// Distance from `(x, y)` to the facility (0 inside an area facility).
    pub fn distance(&self, x: f64, y: f64) -> f64 {
        self.shape.distance_to_point(x, y)
    }

    /// Whether the facility reaches `(x, y)`; returns the distance when it does (a point
    /// facility is tested on squared distances, see the module docs).
    pub fn reaches(&self, x: f64, y: f64) -> Option<f64> {
        match &self.shape {
            FacilityShape::Point(fx, fy) => {
                let d2 = (x - fx) * (x - fx) + (y - fy) * (y - fy);
                (d2 <= self.radius * self.radius).then(|| d2.sqrt())
            }
            _ => {
                let d = self.distance(x, y);
                (d <= self.radius).then_some(d)
            }
        }
    }
}

/// Population at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Easting (m).
    pub x: f64,
    /// Northing (m).
    pub y: f64,
    /// Persons (≥ 0).
    pub population: f64,
}

impl Demand {
    /// Population `population` at `(x, y)`.
    pub fn new(x: f64, y: f64, population: f64) -> Self {
        Demand { x, y, population }
    }
}

/// Why a facility cannot be indexed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    /// The radius is negative or not finite.
    #[error("facility {index}: service radius {radius} is not a finite number ≥ 0")]
    Radius {
        /// Facility index.
        index: usize,
        /// The radius given.
        radius: f64,
    },
    /// The capacity is negative or NaN.
    #[error("facility {index}: capacity {capacity} is negative or not a number")]
    Capacity {
        /// Facility index.
        index: usize,
        /// The capacity given.
        capacity: f64,
    },
    /// The location is not finite or the area is empty.
    #[error("facility {index}: location is empty or not finite")]
    Location {
        /// Facility index.
        index: usize,
    },
}

/// The facilities in a [`ShapeIndex`], each with its service radius as its reach.
pub struct FacilityIndex<'a> {
    facilities: &'a [Facility],
    index: ShapeIndex,
}

/// Which facilities reach each demand point: for demand `i`, the facilities and distances in
/// ascending `(distance, facility index)` order (compressed rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    offsets: Vec<usize>,
    entries: Vec<(u32, f64)>,
}

impl Reach {
    /// Number of demand points.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are no demand points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The facilities reaching demand `i` with their distances, nearest first.
    pub fn of(&self, i: usize) -> &[(u32, f64)] {
        &self.entries[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Whether at least one facility reaches demand `i`.
    pub fn is_covered(&self, i: usize) -> bool {
        self.offsets[i + 1] > self.offsets[i]
    }

    /// Total number of (demand, facility) pairs within reach.
    pub fn pairs(&self) -> usize {
        self.entries.len()
    }
}

impl<'a> FacilityIndex<'a> {
    /// Indexes `facilities`. Errors on a negative/non-finite radius, a negative or NaN
    /// capacity, or a non-finite / empty location.
    pub fn new(facilities: &'a [Facility]) -> Result<Self, CoverageError> {
        for (index, f) in facilities.iter().enumerate() {
            if !(f.radius.is_finite() && f.radius >= 0.0) {
                return Err(CoverageError::Radius { index, radius: f.radius });
            }
            if f.capacity.is_nan() || f.capacity < 0.0 {
                return Err(CoverageError::Capacity { index, capacity: f.capacity });
            }
        }
        let index = ShapeIndex::new(facilities.iter().map(|f| &f.shape), |i| facilities[i].radius)
            .map_err(|(index, _)| CoverageError::Location { index })?;
        Ok(FacilityIndex { facilities, index })
    }

    /// The facilities.
    pub fn facilities(&self) -> &'a [Facility] {
        self.facilities
    }

    /// Appends to `out` (cleared first) every facility reaching `(x, y)` with its distance,
    /// in ascending `(distance, index)` order.
    pub fn reach(&self, x: f64, y: f64, out: &mut Vec<(u32, f64)>) {
        self.index.near_point(x, y, 0.0, out);
    }

    /// [`FacilityIndex::reach`] for every demand point, in parallel. The result does not
    /// depend on the number of threads.
    pub fn reach_all(&self, demands: &[Demand]) -> Reach {
        const CHUNK: usize = 8192;
        // Per chunk: how many facilities reach each point, and those facilities.
        type Part = (Vec<u32>, Vec<(u32, f64)>);
        let parts: Vec<Part> = demands
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut counts = Vec::with_capacity(chunk.len());
                let mut entries = Vec::new();
                let mut buf = Vec::new();
                for d in chunk {
                    self.reach(d.x, d.y, &mut buf);
                    counts.push(buf.len() as u32);
                    entries.extend_from_slice(&buf);
                }
                (counts, entries)
            })
            .collect();
        let total: usize = parts.iter().map(|p| p.1.len()).sum();
        let mut offsets = Vec::with_capacity(demands.len() + 1);
        let mut entries = Vec::with_capacity(total);
        offsets.push(0);
        for (counts, part) in parts {
            let mut at = entries.len();
            for c in counts {
                at += c as usize;
                offsets.push(at);
            }
            entries.extend_from_slice(&part);
        }
        Reach { offsets, entries }
    }
}

/// The result of [`allocate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Persons assigned to each facility.
    pub load: Vec<f64>,
    /// Persons of each demand point assigned to some facility.
    pub served: Vec<f64>,
}

impl Allocation {
    /// Persons of demand `i` within reach of a facility but left without room.
    pub fn without_room(&self, reach: &Reach, demands: &[Demand], i: usize) -> f64 {
        if reach.is_covered(i) {
            (demands[i].population - self.served[i]).max(0.0)
        } else {
            0.0
        }
    }
}

/// Nearest-first capacity assignment (see the module docs for the exact rule).
///
/// `reach` must come from [`FacilityIndex::reach_all`] over the same `demands` and
/// `facilities`. Negative or NaN populations count as 0.
pub fn allocate(reach: &Reach, demands: &[Demand], facilities: &[Facility]) -> Allocation {
    let mut room: Vec<f64> = facilities.iter().map(|f| f.capacity.max(0.0)).collect();
    let mut load = vec![0.0; facilities.len()];
    let mut served = vec![0.0; demands.len()];
    let mut left: Vec<f64> = demands.iter().map(|d| if d.population > 0.0 { d.population } else { 0.0 }).collect();
    // Every pair within reach as one sortable key: distances are ≥ 0, so their IEEE bits
    // order like the numbers; then the demand index, then the facility index.
    let n = demands.len().min(reach.len());
    let mut pairs: Vec<(u64, u64)> = (0..n)
        .into_par_iter()
        .with_min_len(4096)
        .flat_map_iter(|i| {
            let live = left[i] > 0.0;
            reach
                .of(i)
                .iter()
                .filter(move |_| live)
                .map(move |&(f, d)| (if d > 0.0 { d.to_bits() } else { 0 }, ((i as u64) << 32) | f as u64))
        })
        .collect();
    pairs.par_sort_unstable();
    for (_, key) in pairs {
        let (i, f) = ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
        let moved = left[i].min(room[f]);
        if moved > 0.0 {
            left[i] -= moved;
            room[f] -= moved;
            load[f] += moved;
            served[i] += moved;
        }
    }
    Allocation { load, served }
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
pub(crate) mod tests;
