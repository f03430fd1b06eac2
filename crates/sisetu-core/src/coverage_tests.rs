use super::*;
use geo::{polygon, MultiPolygon};

/// Small deterministic generator (xorshift64*), so the tests need no extra crates.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]])
}

/// Random facilities (points and squares, some with integer coordinates so that exact ties
/// and points exactly on a circle occur) and demand on a 10 km square.
fn scene(seed: u64, nf: usize, nd: usize) -> (Vec<Facility>, Vec<Demand>) {
    let mut r = Rng::new(seed);
    let mut fs = Vec::new();
    for _ in 0..nf {
        let radius = [300.0, 500.0, 1000.0, 2000.0][r.below(4) as usize];
        let capacity = (r.below(400) * 10) as f64;
        if r.below(5) == 0 {
            let (x, y) = (r.range(0.0, 10_000.0), r.range(0.0, 10_000.0));
            fs.push(Facility { shape: FacilityShape::Area(square(x, y, r.range(10.0, 400.0))), radius, capacity });
        } else if r.below(3) == 0 {
            fs.push(Facility::point((r.below(100) * 100) as f64, (r.below(100) * 100) as f64, radius, capacity));
        } else {
            fs.push(Facility::point(r.range(0.0, 10_000.0), r.range(0.0, 10_000.0), radius, capacity));
        }
    }
    let mut ds = Vec::new();
    for _ in 0..nd {
        let pop = r.below(300) as f64;
        if r.below(3) == 0 {
            ds.push(Demand::new((r.below(100) * 100) as f64, (r.below(100) * 100) as f64, pop));
        } else {
            ds.push(Demand::new(r.range(-500.0, 10_500.0), r.range(-500.0, 10_500.0), pop));
        }
    }
    (fs, ds)
}

/// All pairs, no index: facility j reaches demand i iff distance <= radius.
fn brute_reach(fs: &[Facility], ds: &[Demand]) -> Vec<Vec<(u32, f64)>> {
    ds.iter()
        .map(|d| {
            let mut v: Vec<(u32, f64)> = fs
                .iter()
                .enumerate()
                .filter_map(|(j, f)| {
                    let dist = f.distance(d.x, d.y);
                    let within = match f.shape {
                        FacilityShape::Point(fx, fy) => (d.x - fx).powi(2) + (d.y - fy).powi(2) <= f.radius * f.radius,
                        FacilityShape::Area(_) | FacilityShape::Lines(_) => dist <= f.radius,
                    };
                    within.then_some((j as u32, dist))
                })
                .collect();
            v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            v
        })
        .collect()
}

/// The rule as the docs state it: sort every pair by (distance, demand, facility), move
/// min(left, room) for each.
fn brute_allocate(fs: &[Facility], ds: &[Demand]) -> (Vec<f64>, Vec<f64>) {
    let reach = brute_reach(fs, ds);
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, list) in reach.iter().enumerate() {
        for &(j, d) in list {
            pairs.push((d, i, j as usize));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut room: Vec<f64> = fs.iter().map(|f| f.capacity).collect();
    let mut left: Vec<f64> = ds.iter().map(|d| d.population).collect();
    let mut load = vec![0.0; fs.len()];
    let mut served = vec![0.0; ds.len()];
    for (_, i, j) in pairs {
        let m = left[i].min(room[j]);
        left[i] -= m;
        room[j] -= m;
        load[j] += m;
        served[i] += m;
    }
    (load, served)
}

#[test]
fn reach_equals_all_pairs() {
    for seed in 0..20 {
        let (fs, ds) = scene(seed, 60, 700);
        let index = FacilityIndex::new(&fs).unwrap();
        let reach = index.reach_all(&ds);
        let brute = brute_reach(&fs, &ds);
        assert_eq!(reach.len(), ds.len());
        for (i, b) in brute.iter().enumerate() {
            assert_eq!(reach.of(i), &b[..], "seed {seed} demand {i}");
            assert_eq!(reach.is_covered(i), !b.is_empty());
        }
    }
}

#[test]
fn allocation_equals_sorted_pair_loop() {
    for seed in 0..20 {
        let (fs, ds) = scene(seed, 40, 600);
        let index = FacilityIndex::new(&fs).unwrap();
        let reach = index.reach_all(&ds);
        let a = allocate(&reach, &ds, &fs);
        let (load, served) = brute_allocate(&fs, &ds);
        assert_eq!(a.load, load, "seed {seed}");
        assert_eq!(a.served, served, "seed {seed}");
    }
}

#[test]
fn allocation_conserves_population_and_respects_capacity() {
    for seed in 0..10 {
        let (fs, ds) = scene(seed + 100, 50, 800);
        let reach = FacilityIndex::new(&fs).unwrap().reach_all(&ds);
        let a = allocate(&reach, &ds, &fs);
        let total: f64 = ds.iter().map(|d| d.population).sum();
        let uncovered: f64 = (0..ds.len()).filter(|&i| !reach.is_covered(i)).map(|i| ds[i].population).sum();
        let no_room: f64 = (0..ds.len()).map(|i| a.without_room(&reach, &ds, i)).sum();
        let served: f64 = a.served.iter().sum();
        assert_eq!(served + no_room + uncovered, total, "seed {seed}");
        assert_eq!(a.load.iter().sum::<f64>(), served);
        for (j, f) in fs.iter().enumerate() {
            assert!(a.load[j] <= f.capacity, "facility {j} over capacity");
        }
        // Nobody is served by a facility out of reach: uncovered demand gets nothing.
        for i in 0..ds.len() {
            if !reach.is_covered(i) {
                assert_eq!(a.served[i], 0.0);
            }
        }
    }
}

#[test]
fn adding_a_facility_never_lowers_coverage() {
    let mut r = Rng::new(7);
    for seed in 0..15 {
        let (mut fs, ds) = scene(seed + 200, 30, 500);
        let covered = |fs: &[Facility]| -> f64 {
            let reach = FacilityIndex::new(fs).unwrap().reach_all(&ds);
            (0..ds.len()).filter(|&i| reach.is_covered(i)).map(|i| ds[i].population).sum()
        };
        let served = |fs: &[Facility]| -> f64 {
            let reach = FacilityIndex::new(fs).unwrap().reach_all(&ds);
            allocate(&reach, &ds, fs).served.iter().sum()
        };
        let before = (covered(&fs), served(&fs));
        fs.push(Facility::point(r.range(0.0, 10_000.0), r.range(0.0, 10_000.0), 800.0, 500.0));
        let after = (covered(&fs), served(&fs));
        assert!(after.0 >= before.0, "coverage fell: {before:?} -> {after:?}");
        // Radius coverage is monotone; so is the total served under nearest-first? Not in
        // general for every demand, but the total cannot fall below the old total minus
        // nothing: check the weaker, always-true bound that the served total never exceeds
        // the covered population.
        assert!(after.1 <= after.0 + 1e-9);
    }
}

#[test]
fn boundary_of_the_circle_is_covered() {
    let fs = [Facility::point(0.0, 0.0, 500.0, 10.0)];
    let ds = [Demand::new(300.0, 400.0, 1.0), Demand::new(300.0, 400.000_001, 1.0), Demand::new(-500.0, 0.0, 1.0)];
    let reach = FacilityIndex::new(&fs).unwrap().reach_all(&ds);
    assert!(reach.is_covered(0), "exactly 500 m away is within reach");
    assert!(!reach.is_covered(1));
    assert!(reach.is_covered(2));
}

#[test]
fn area_facility_distance_is_to_its_edge() {
    let f = Facility { shape: FacilityShape::Area(square(0.0, 0.0, 100.0)), radius: 50.0, capacity: 1.0 };
    assert_eq!(f.distance(50.0, 50.0), 0.0);
    assert_eq!(f.distance(150.0, 50.0), 50.0);
    assert!(f.reaches(150.0, 50.0).is_some());
    assert!(f.reaches(150.1, 50.0).is_none());
}

#[test]
fn invalid_facilities_are_errors_not_panics() {
    let bad = [Facility::point(0.0, 0.0, -1.0, 1.0)];
    assert!(matches!(FacilityIndex::new(&bad), Err(CoverageError::Radius { index: 0, .. })));
    let bad = [Facility::point(0.0, 0.0, f64::NAN, 1.0)];
    assert!(FacilityIndex::new(&bad).is_err());
    let bad = [Facility::point(0.0, 0.0, 1.0, -5.0)];
    assert!(matches!(FacilityIndex::new(&bad), Err(CoverageError::Capacity { .. })));
    let bad = [Facility::point(f64::INFINITY, 0.0, 1.0, 5.0)];
    assert!(matches!(FacilityIndex::new(&bad), Err(CoverageError::Location { .. })));
    let bad = [Facility { shape: FacilityShape::Area(MultiPolygon(vec![])), radius: 1.0, capacity: 1.0 }];
    assert!(matches!(FacilityIndex::new(&bad), Err(CoverageError::Location { .. })));
    // Unlimited capacity is fine; NaN demand is ignored.
    let ok = [Facility::point(0.0, 0.0, 10.0, f64::INFINITY)];
    let ds = [Demand::new(1.0, 1.0, 5.0), Demand::new(f64::NAN, 0.0, 3.0), Demand::new(2.0, 2.0, f64::NAN)];
    let reach = FacilityIndex::new(&ok).unwrap().reach_all(&ds);
    let a = allocate(&reach, &ds, &ok);
    assert_eq!(a.served, vec![5.0, 0.0, 0.0]);
}

#[test]
fn reach_does_not_depend_on_thread_count() {
    let (fs, ds) = scene(99, 80, 30_000);
    let index = FacilityIndex::new(&fs).unwrap();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| index.reach_all(&ds));
    let many = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| index.reach_all(&ds));
    assert_eq!(one, many);
}
