//! The seeded synthetic scene of the facility-coverage benchmark (`benches/coverage.rs`), shared
//! with the `coverage_scene` example, which writes it as CSV for the peer comparison in
//! `benches/peer/`.
//!
//! * [`coverage_bench_scene`]: 1,000,000 population cells (a 1,000 × 1,000 grid of 100 m cells,
//!   100 × 100 km, population 0–400 per cell with denser towns) and 10,000 point shelters
//!   (80 % 紧急 500 m, 18 % 固定 2,000 m, 2 % 中心 3,000 m, capacities from areas).
//! * [`write_coverage_scene_csv`]: the scene as `cells.csv` (`x,y,population`) and
//!   `shelters.csv` (`x,y,radius_m,capacity`). Numbers are written in Rust's shortest
//!   round-trip form, so a reader parsing them as `f64` gets the scene back bit for bit.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sisetu_core::coverage::{Demand, Facility, FacilityShape};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Cells per side of the scene's population grid.
pub const COVERAGE_SCENE_SIDE: usize = 1000;
/// Cell size of the scene's population grid (m); the scene spans
/// `COVERAGE_SCENE_SIDE × COVERAGE_SCENE_CELL` metres each way from the origin.
pub const COVERAGE_SCENE_CELL: f64 = 100.0;

/// The coverage benchmark's scene for `seed` (the bench uses 42): population cells (centroids,
/// row-major from the origin) and point shelters.
pub fn coverage_bench_scene(seed: u64) -> (Vec<Demand>, Vec<Facility>) {
    const SIDE: usize = COVERAGE_SCENE_SIDE;
    const CELL: f64 = COVERAGE_SCENE_CELL;
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    // 40 towns: population density falls off with distance to the nearest town centre.
    let towns: Vec<(f64, f64)> =
        (0..40).map(|_| (r.gen_range(0.0..SIDE as f64 * CELL), r.gen_range(0.0..SIDE as f64 * CELL))).collect();
    let mut demand = Vec::with_capacity(SIDE * SIDE);
    for row in 0..SIDE {
        for col in 0..SIDE {
            let (x, y) = ((col as f64 + 0.5) * CELL, (row as f64 + 0.5) * CELL);
            let near = towns.iter().map(|t| (t.0 - x).hypot(t.1 - y)).fold(f64::INFINITY, f64::min);
            let base = 400.0 * (-near / 3000.0).exp();
            demand.push(Demand::new(x, y, (base + r.gen_range(0.0..5.0)).floor()));
        }
    }
    let mut shelters = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        // Shelters cluster in towns (70 %) or lie anywhere.
        let (x, y) = if r.gen_bool(0.7) {
            let t = towns[r.gen_range(0..towns.len())];
            (t.0 + r.gen_range(-6000.0..6000.0), t.1 + r.gen_range(-6000.0..6000.0))
        } else {
            (r.gen_range(0.0..SIDE as f64 * CELL), r.gen_range(0.0..SIDE as f64 * CELL))
        };
        let class = r.gen_range(0..100);
        let (radius, area, per_person): (f64, f64, f64) = if class < 80 {
            (500.0, r.gen_range(1_000.0..10_000.0), 1.0)
        } else if class < 98 {
            (2000.0, r.gen_range(10_000.0..100_000.0), 2.0)
        } else {
            (3000.0, r.gen_range(200_000.0..500_000.0), 2.0)
        };
        shelters.push(Facility::point(x, y, radius, (area / per_person).floor()));
    }
    (demand, shelters)
}

/// Writes `dir/cells.csv` (`x,y,population`, one row per demand point, in order) and
/// `dir/shelters.csv` (`x,y,radius_m,capacity`, one row per facility, in order). `dir` must
/// exist. Only point facilities can be written (an area facility is an
/// [`io::ErrorKind::InvalidInput`] error).
pub fn write_coverage_scene_csv(demand: &[Demand], shelters: &[Facility], dir: &Path) -> io::Result<()> {
    let mut w = BufWriter::new(File::create(dir.join("cells.csv"))?);
    writeln!(w, "x,y,population")?;
    for d in demand {
        writeln!(w, "{},{},{}", d.x, d.y, d.population)?;
    }
    w.flush()?;

    let mut w = BufWriter::new(File::create(dir.join("shelters.csv"))?);
    writeln!(w, "x,y,radius_m,capacity")?;
    for (i, f) in shelters.iter().enumerate() {
        let FacilityShape::Point(x, y) = f.shape else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("facility {i} is not a point")));
        };
        writeln!(w, "{x},{y},{},{}", f.radius, f.capacity)?;
    }
    w.flush()
}
