//! The demo's second census round (2025-06) and its management-grid layer (网格化管理网格).
//!
//! Both are synthetic and deterministic for a seed, like [`crate::synth`]:
//!
//! * [`urumqi_census_round2`] (→ `geodata/urumqi/census_2025.csv`, written with
//!   [`crate::synth::write_census_gbk`]) derives round 2 from round 1 (the rows of
//!   [`crate::synth::urumqi_census`] with its deliberately bad rows) and returns a
//!   [`RoundChanges`] manifest of every change, so that a diff of the two rounds can be checked
//!   against it. Per [`RoundPlan::for_rows`]: 3 % of the rows removed (closed; deleted in
//!   place), 5 % added (appended; made by the round-1 generator itself with the round-2 seed, so
//!   they look alike), 6 % re-graded one step, 1.5 % moved by 300–3000 m (a quarter of those
//!   across a district boundary), 2 ids reused for a different enterprise (a deliberate data
//!   error) and 3 names with cosmetic changes only (added half-width or full-width spaces).
//!   Round 1's bad rows are kept unchanged.
//! * [`urumqi_grids`] + [`write_grids_geojson`] (→ `geodata/urumqi/grids.geojson`): squares
//!   cut from each district in a local metric frame ([`GRID_SQUARE_M`]: 4 km in the four urban
//!   districts, 6 km in 头屯河区, 25 km in the rural ones), slivers under
//!   [`SLIVER_SHARE`] of a square merged into a neighbour, with 3 gaps, 2 overlaps and 4 grids
//!   without a 负责人 put in on purpose ([`GridDefects`]).
//!
//! [`demo_census_2025`] and [`demo_grids`] give the committed demo files' content.
//!
//! # The metric frame
//!
//! The grid squares are laid out in a local equirectangular frame anchored at
//! [`FRAME_ORIGIN`] (x = (lon − 86.7°) · 111,320 m · cos 43.8°, y = (lat − 42.9°) · 110,574 m).
//! The frame is linear in longitude and latitude, so a square is a longitude/latitude rectangle;
//! its edges are rounded to 1e-6°. Squares are about 4 % narrower on the ground at 45° N than
//! at 43.8° N, which does not matter for management grids.
//!
//! Before cutting, every crossing of a district boundary with a cut line is inserted into the
//! boundary as a vertex (rounded to 1e-6°), so that two neighbouring grids get exactly the same
//! vertices along their common edge, and the grid layer's coordinates are all multiples of 1e-6°.

use crate::synth::{self, census_bad_rows, urumqi_census, BadRow, CensusRow, DEMO_ROWS, DEMO_SEED};
use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Contains, Coord, LineString, MapCoords, MultiPolygon, Orient, Point,
    Polygon, Rect, RemoveRepeatedPoints,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sisetu_core::distance::equirectangular_m;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// Seed of round 2 for a round-1 seed (the demo: 2024 → 2025).
pub fn round2_seed(round1_seed: u64) -> u64 {
    round1_seed.wrapping_add(1)
}

/// Census date of round 2 (round 1 is `2024-06`).
pub const ROUND2_DATE: &str = "2025-06";

// ---------------------------------------------------------------------------------------------
// Round 2 of the census

/// How many rows of each kind of change round 2 gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundPlan {
    /// Sites closed: their rows are deleted in place.
    pub removed: usize,
    /// New sites: rows appended at the end.
    pub added: usize,
    /// Grade changed by one step (A ↔ B ↔ C ↔ D).
    pub regraded: usize,
    /// Sites moved by 300–3000 m (new coordinates and address) and still in their district.
    pub moved_within: usize,
    /// Sites moved by 300–3000 m into another district.
    pub moved_across: usize,
    /// Ids reused for a different enterprise (other name, category, place and grade).
    pub id_reused: usize,
    /// Names changed cosmetically only (added spaces).
    pub renamed_cosmetic: usize,
}

impl RoundPlan {
    /// The plan for a round 1 of `n` rows: 3 % removed, 5 % added, 6 % re-graded, 1.5 % moved
    /// (a quarter of them, rounded up, across a district boundary), 2 ids reused and
    /// 3 cosmetic renames (none of the last two below 50 rows). For the demo's 3,000 rows:
    /// 90, 150, 180, 33 + 12, 2, 3.
    pub fn for_rows(n: usize) -> Self {
        let moved = n * 15 / 1000;
        let across = moved.div_ceil(4);
        let small = n < synth::MIN_ROWS_FOR_BAD;
        RoundPlan {
            removed: n * 3 / 100,
            added: n * 5 / 100,
            regraded: n * 6 / 100,
            moved_within: moved - across,
            moved_across: across,
            id_reused: if small { 0 } else { 2 },
            renamed_cosmetic: if small { 0 } else { 3 },
        }
    }
}

/// What round 2 changed against round 1. Ids are 统一社会信用代码; every list is in round-1 row
/// order (`added` in round-2 row order). The lists are disjoint except that `moved_across` is
/// the part of `moved` that changed district.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoundChanges {
    /// Ids of round-1 rows that are absent from round 2.
    pub removed: Vec<String>,
    /// Ids of the new rows (absent from round 1).
    pub added: Vec<String>,
    /// (id, round-1 grade, round-2 grade), one step apart.
    pub regraded: Vec<(String, String, String)>,
    /// (id, distance in metres between the two positions). The distance is
    /// [`sisetu_core::distance::equirectangular_m`] (110,574 m per degree of latitude,
    /// 111,320 m · cos(mean latitude) per degree of longitude) on the six-decimal coordinates
    /// as written; always 300–3000 m.
    pub moved: Vec<(String, f64)>,
    /// (id, round-1 district, round-2 district) of the moved sites that changed district
    /// (by the polygons of `geodata/urumqi/districts.geojson`).
    pub moved_across: Vec<(String, String, String)>,
    /// Ids that round 2 gives to a different enterprise: same 统一社会信用代码, a different
    /// 企业名称, 行业, place and grade. A deliberate data error a diff must flag.
    pub id_reused: Vec<String>,
    /// Ids whose 企业名称 changed cosmetically only (a half-width and/or full-width space
    /// inserted); the same enterprise, which a diff must not report as different.
    pub renamed_cosmetic: Vec<String>,
}

/// Round 2 of `urumqi_census(seed, n)`, with the plan [`RoundPlan::for_rows`]`(n)` and the
/// seed [`round2_seed`]`(seed)`.
pub fn urumqi_census_round2(seed: u64, n: usize) -> (Vec<CensusRow>, RoundChanges) {
    let round1 = urumqi_census(seed, n);
    let bad = census_bad_rows(seed, n);
    census_next_round(&round1, &bad, round2_seed(seed), &RoundPlan::for_rows(n))
}

/// Round 2 of the committed demo census: the content of `geodata/urumqi/census_2025.csv`.
pub fn demo_census_2025() -> (Vec<CensusRow>, RoundChanges) {
    urumqi_census_round2(DEMO_SEED, DEMO_ROWS)
}

/// Derives the next census round from `round1` (whose bad rows are `bad`, as from
/// [`census_bad_rows`]), deterministically for `seed`.
///
/// Only good rows change, and never the original row of a deliberate duplicate id; the bad
/// rows stay as they are and where they are. Rows to change are drawn at random; removed rows
/// are deleted in place, and the new rows (the good rows of `urumqi_census(seed, m)` whose id
/// and name round 1 does not use, inside the districts) are appended. Panics if the plan asks
/// for more rows than round 1 has.
pub fn census_next_round(
    round1: &[CensusRow],
    bad: &[(usize, BadRow)],
    seed: u64,
    plan: &RoundPlan,
) -> (Vec<CensusRow>, RoundChanges) {
    let mut rng = rng_for(seed, 11);
    let mut excluded: HashSet<usize> = bad.iter().map(|&(i, _)| i).collect();
    for &(_, kind) in bad {
        if let BadRow::DuplicateId { original } = kind {
            excluded.insert(original);
        }
    }
    let mut pool: Vec<usize> = (0..round1.len()).filter(|i| !excluded.contains(i)).collect();
    pool.shuffle(&mut rng);
    let mut pool = pool.into_iter();
    let mut take = |k: usize| -> Vec<usize> {
        let v: Vec<usize> = pool.by_ref().take(k).collect();
        assert_eq!(v.len(), k, "round 1 has too few good rows for the plan");
        v
    };
    let removed: HashSet<usize> = take(plan.removed).into_iter().collect();
    let regraded = take(plan.regraded);
    let reused = take(plan.id_reused);
    let cosmetic = take(plan.renamed_cosmetic);

    // New enterprises: made by the round-1 generator with this seed.
    let donors = donor_rows(round1, seed, plan.added + plan.id_reused);
    let (added_rows, spare) = donors.split_at(plan.added);
    let mut spare: Vec<&CensusRow> = spare.iter().collect();

    enum Change {
        Regrade(String),
        Reuse(CensusRow),
        Cosmetic(String),
        Move { lon: String, lat: String, address: String },
    }
    let mut changes: HashMap<usize, Change> = HashMap::new();
    let mut regrade_rng = rng_for(seed, 12);
    for &i in &regraded {
        let old = grade_index(&round1[i].grade).expect("good rows have grades A-D");
        let new = match old {
            0 => 1,
            3 => 2,
            g if regrade_rng.gen_bool(0.5) => g - 1,
            g => g + 1,
        };
        changes.insert(i, Change::Regrade(synth::GRADE_LETTERS[new].to_string()));
    }
    for &i in &reused {
        let k = spare
            .iter()
            .position(|d| d.category != round1[i].category && d.name != round1[i].name)
            .expect("a donor of another category");
        let donor = spare.remove(k);
        changes.insert(i, Change::Reuse(CensusRow { id: round1[i].id.clone(), ..donor.clone() }));
    }
    for (k, &i) in cosmetic.iter().enumerate() {
        changes.insert(i, Change::Cosmetic(cosmetic_name(&round1[i].name, k)));
    }

    // Moves: across a district boundary first, then within a district. The rows come from the
    // rest of the shuffled pool; a row that cannot be moved as asked stays unchanged.
    let mut move_rng = rng_for(seed, 13);
    let mut moved_across: Vec<(usize, String, String)> = Vec::new();
    let mut moved: Vec<(usize, f64)> = Vec::new();
    for (count, across) in [(plan.moved_across, true), (plan.moved_within, false)] {
        let mut done = 0;
        while done < count {
            let i = pool.next().expect("round 1 has too few good rows for the moves");
            let row = &round1[i];
            let (Ok(lon), Ok(lat)) = (row.lon.parse::<f64>(), row.lat.parse::<f64>()) else { continue };
            let Some(old) = district_at(lon, lat) else { continue };
            for _ in 0..48 {
                let theta = move_rng.gen_range(0.0..std::f64::consts::TAU);
                let d = move_rng.gen_range(350.0..2900.0);
                let nlon = round6(lon + d * theta.sin() / (111_320.0 * lat.to_radians().cos()));
                let nlat = round6(lat + d * theta.cos() / 110_574.0);
                let Some(new) = district_at(nlon, nlat) else { continue };
                if (new != old) != across || !inside_with_margin(&districts()[new], nlon, nlat) {
                    continue;
                }
                let name = districts()[new].name.as_str();
                let address = address(&mut move_rng, name);
                let (slon, slat) = (format!("{nlon:.6}"), format!("{nlat:.6}"));
                let metres =
                    equirectangular_m((lon, lat), (slon.parse().unwrap_or(nlon), slat.parse().unwrap_or(nlat)));
                changes.insert(i, Change::Move { lon: slon, lat: slat, address });
                moved.push((i, metres));
                if across {
                    moved_across.push((i, districts()[old].name.clone(), name.to_string()));
                }
                done += 1;
                break;
            }
        }
    }

    let mut rows: Vec<CensusRow> = Vec::with_capacity(round1.len() - removed.len() + added_rows.len());
    let mut manifest = RoundChanges::default();
    for (i, row) in round1.iter().enumerate() {
        if removed.contains(&i) {
            manifest.removed.push(row.id.clone());
            continue;
        }
        let mut row = row.clone();
        match changes.remove(&i) {
            None => {}
            Some(Change::Regrade(g)) => {
                manifest.regraded.push((row.id.clone(), row.grade.clone(), g.clone()));
                row.grade = g;
            }
            Some(Change::Reuse(r)) => {
                manifest.id_reused.push(row.id.clone());
                row = r;
            }
            Some(Change::Cosmetic(name)) => {
                manifest.renamed_cosmetic.push(row.id.clone());
                row.name = name;
            }
            Some(Change::Move { lon, lat, address }) => {
                row.lon = lon;
                row.lat = lat;
                row.address = address;
            }
        }
        rows.push(row);
    }
    moved.sort_by_key(|&(i, _)| i);
    manifest.moved = moved.into_iter().map(|(i, m)| (round1[i].id.clone(), m)).collect();
    moved_across.sort_by_key(|(i, _, _)| *i);
    manifest.moved_across = moved_across.into_iter().map(|(i, a, b)| (round1[i].id.clone(), a, b)).collect();
    for r in added_rows {
        manifest.added.push(r.id.clone());
        rows.push(r.clone());
    }
    (rows, manifest)
}

/// `k` good rows of the round-1 generator run with `seed`, whose ids and names round 1 does
/// not use and whose sites lie inside a district, in generation order.
fn donor_rows(round1: &[CensusRow], seed: u64, k: usize) -> Vec<CensusRow> {
    let ids: HashSet<&str> = round1.iter().map(|r| r.id.as_str()).collect();
    let names: HashSet<&str> = round1.iter().map(|r| r.name.as_str()).collect();
    let mut m = 2 * k + 64;
    loop {
        let rows = urumqi_census(seed, m);
        let bad: HashSet<usize> = census_bad_rows(seed, m).into_iter().map(|(i, _)| i).collect();
        let mut seen_names: HashSet<&str> = HashSet::new();
        let picked: Vec<CensusRow> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                !bad.contains(i)
                    && !ids.contains(r.id.as_str())
                    && !names.contains(r.name.as_str())
                    && seen_names.insert(r.name.as_str())
                    && matches!((r.lon.parse::<f64>(), r.lat.parse::<f64>()), (Ok(x), Ok(y)) if district_at(x, y).is_some())
            })
            .map(|(_, r)| r.clone())
            .take(k)
            .collect();
        if picked.len() == k {
            return picked;
        }
        m *= 2;
    }
}

/// The cosmetic variant `k` of a name: a half-width space after the 乌鲁木齐 prefix, a
/// full-width space (U+3000) before the legal form, or both swapped.
fn cosmetic_name(name: &str, k: usize) -> String {
    let prefix = "乌鲁木齐";
    let form = ["有限责任公司", "有限公司", "加油站"].into_iter().find(|f| name.ends_with(f)).unwrap_or("");
    let (head, tail) = name.split_at(name.len() - form.len());
    match (k % 3, head.strip_prefix(prefix)) {
        (0, Some(rest)) => format!("{prefix} {rest}{tail}"),
        (2, Some(rest)) if !tail.is_empty() => format!("{prefix}\u{3000}{rest} {tail}"),
        _ if !tail.is_empty() => format!("{head}\u{3000}{tail}"),
        _ => format!("{name} "),
    }
}

fn grade_index(grade: &str) -> Option<usize> {
    synth::GRADE_LETTERS.iter().position(|&g| g == grade)
}

fn address<R: Rng>(rng: &mut R, district: &str) -> String {
    let road = synth::roads(district);
    let road = road[rng.gen_range(0..road.len())];
    let no = if rng.gen_range(0..4) == 0 { rng.gen_range(1..1200) } else { rng.gen_range(1..400) };
    format!("乌鲁木齐市{district}{road}{no}号")
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

// ---------------------------------------------------------------------------------------------
// Districts (compiled in)

use crate::synth::{demo_districts as districts, DemoDistrict as District};

fn in_bbox(b: &Rect<f64>, lon: f64, lat: f64) -> bool {
    lon >= b.min().x && lon <= b.max().x && lat >= b.min().y && lat <= b.max().y
}

/// Index of the district whose interior holds (lon, lat).
fn district_at(lon: f64, lat: f64) -> Option<usize> {
    let p = Point::new(lon, lat);
    districts().iter().position(|d| in_bbox(&d.bbox, lon, lat) && d.geometry.contains(&p))
}

/// Whether (lon, lat) and four points about 100 m around it lie inside the district.
fn inside_with_margin(d: &District, lon: f64, lat: f64) -> bool {
    const DLAT: f64 = 0.0009;
    const DLON: f64 = 0.00125;
    [(0.0, 0.0), (DLON, 0.0), (-DLON, 0.0), (0.0, DLAT), (0.0, -DLAT)]
        .iter()
        .all(|&(dx, dy)| in_bbox(&d.bbox, lon + dx, lat + dy) && d.geometry.contains(&Point::new(lon + dx, lat + dy)))
}

// ---------------------------------------------------------------------------------------------
// Management grids

/// South-west anchor (lon, lat) of the metric frame the grid squares are laid out in.
pub const FRAME_ORIGIN: (f64, f64) = (86.7, 42.9);
/// Latitude whose scale the frame uses for longitude.
pub const FRAME_LAT: f64 = 43.8;
const M_PER_DEG_LAT: f64 = 110_574.0;

fn m_per_deg_lon() -> f64 {
    111_320.0 * FRAME_LAT.to_radians().cos()
}

/// Side of the grid squares per district, metres.
pub const GRID_SQUARE_M: [(&str, f64); 8] = [
    ("天山区", 4000.0),
    ("沙依巴克区", 4000.0),
    ("新市区", 4000.0),
    ("水磨沟区", 4000.0),
    ("头屯河区", 6000.0),
    ("达坂城区", 25000.0),
    ("米东区", 25000.0),
    ("乌鲁木齐县", 25000.0),
];

/// The four urban districts (4 km grids).
pub const URBAN_DISTRICTS: [&str; 4] = ["天山区", "沙依巴克区", "新市区", "水磨沟区"];

/// A piece of a square smaller than this share of the square is merged into a neighbour.
pub const SLIVER_SHARE: f64 = 0.15;

/// One management grid (网格).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// 网格编码: `<adcode>-<nnn>`, numbered per district from the north-west.
    pub code: String,
    /// 网格名称: `<district>第<nnn>网格`.
    pub name: String,
    /// 所属区县.
    pub district: String,
    /// 负责人 (empty for the grids of [`GridDefects::empty_person`]).
    pub person: String,
    /// 联系电话, masked (`139****1234`; empty where 负责人 is).
    pub phone: String,
    /// GCJ-02 longitude/latitude, every coordinate a multiple of 1e-6°.
    pub geometry: MultiPolygon<f64>,
}

/// How a gap of the grid layer was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapKind {
    /// The whole grid is missing from the layer (its code is skipped).
    Removed,
    /// The grid was shrunk by a strip along its edge with a neighbour of the same district.
    Shrunk,
}

/// A deliberate gap: land of a district that no grid covers.
#[derive(Debug, Clone, PartialEq)]
pub struct GridGap {
    /// How the gap was made.
    pub kind: GapKind,
    /// The grid removed or shrunk.
    pub code: String,
    /// For [`GapKind::Shrunk`], the grid on the other side of the strip.
    pub neighbour: Option<String>,
    /// Strip width in metres (0 for [`GapKind::Removed`]).
    pub width_m: f64,
    /// The uncovered area, lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Its area, m² in the metric frame.
    pub area_m2: f64,
    /// Ids of the round-2 sites (valid rows) strictly inside the gap.
    pub sites: Vec<String>,
}

/// A deliberate overlap: grid `code` enlarged by a strip of `width_m` into `neighbour`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridOverlap {
    /// The grid enlarged.
    pub code: String,
    /// The grid it was enlarged into.
    pub neighbour: String,
    /// Strip width in metres.
    pub width_m: f64,
    /// The strip covered by both grids, lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Its area, m² in the metric frame.
    pub area_m2: f64,
    /// Ids of the round-2 sites strictly inside the strip.
    pub sites: Vec<String>,
}

/// The deliberate defects of [`urumqi_grids`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridDefects {
    /// 3 gaps: one grid removed, two shrunk.
    pub gaps: Vec<GridGap>,
    /// 2 overlaps.
    pub overlaps: Vec<GridOverlap>,
    /// Codes of the 4 grids whose 负责人 (and 联系电话) are empty.
    pub empty_person: Vec<String>,
    /// Of `empty_person`, the urban grids that hold red or orange (A/B) round-2 sites.
    pub empty_person_with_red_orange: Vec<String>,
}

/// The management grids of the committed demo: the content of `geodata/urumqi/grids.geojson`
/// (defects chosen against [`demo_census_2025`]).
pub fn demo_grids() -> (Vec<Grid>, GridDefects) {
    let (rows, _) = demo_census_2025();
    urumqi_grids(round2_seed(DEMO_SEED), &rows)
}

/// A piece of a district's grid while it is being built.
struct Piece {
    /// Column and row of the square it belongs to (of the larger part after merges).
    col: i64,
    row: i64,
    /// That square.
    square: Rect<f64>,
    geometry: MultiPolygon<f64>,
    area: f64,
    /// No other piece was merged into it.
    plain: bool,
}

/// A valid round-2 site.
struct Site<'a> {
    id: &'a str,
    lon: f64,
    lat: f64,
    red_orange: bool,
}

fn valid_sites(rows: &[CensusRow]) -> Vec<Site<'_>> {
    rows.iter()
        .filter_map(|r| {
            let (lon, lat) = (r.lon.parse::<f64>().ok()?, r.lat.parse::<f64>().ok()?);
            let g = grade_index(&r.grade)?;
            district_at(lon, lat)?;
            Some(Site { id: &r.id, lon, lat, red_orange: g <= 1 })
        })
        .collect()
}

fn sites_inside<'a>(sites: &[Site<'a>], geometry: &MultiPolygon<f64>) -> Vec<&'a str> {
    let Some(b) = geometry.bounding_rect() else { return Vec::new() };
    sites
        .iter()
        .filter(|s| in_bbox(&b, s.lon, s.lat) && geometry.contains(&Point::new(s.lon, s.lat)))
        .map(|s| s.id)
        .collect()
}

/// Cut lines of a district: longitudes and latitudes of the square edges over its bbox, and
/// the column/row index of the first.
fn cut_lines(b: &Rect<f64>, side: f64) -> (Vec<f64>, Vec<f64>, i64, i64) {
    let (lon0, lat0) = FRAME_ORIGIN;
    let kx = m_per_deg_lon() / side;
    let ky = M_PER_DEG_LAT / side;
    let c0 = ((b.min().x - lon0) * kx).floor() as i64;
    let c1 = ((b.max().x - lon0) * kx).ceil() as i64;
    let r0 = ((b.min().y - lat0) * ky).floor() as i64;
    let r1 = ((b.max().y - lat0) * ky).ceil() as i64;
    let xs = (c0..=c1).map(|c| round6(lon0 + c as f64 / kx)).collect();
    let ys = (r0..=r1).map(|r| round6(lat0 + r as f64 / ky)).collect();
    (xs, ys, c0, r0)
}

/// The district with a vertex (rounded to 1e-6°) inserted wherever its boundary crosses a cut line.
fn densify(mp: &MultiPolygon<f64>, xs: &[f64], ys: &[f64]) -> MultiPolygon<f64> {
    let ring = |r: &LineString<f64>| -> LineString<f64> {
        let mut out: Vec<Coord<f64>> = Vec::with_capacity(r.0.len() * 2);
        let mut cross: Vec<(f64, Coord<f64>)> = Vec::new();
        for w in r.0.windows(2) {
            let (p, q) = (w[0], w[1]);
            out.push(p);
            cross.clear();
            let (lo, hi) = (p.x.min(q.x), p.x.max(q.x));
            for &x in &xs[xs.partition_point(|&x| x <= lo)..xs.partition_point(|&x| x < hi)] {
                let t = (x - p.x) / (q.x - p.x);
                cross.push((t, Coord { x, y: round6(p.y + t * (q.y - p.y)) }));
            }
            let (lo, hi) = (p.y.min(q.y), p.y.max(q.y));
            for &y in &ys[ys.partition_point(|&y| y <= lo)..ys.partition_point(|&y| y < hi)] {
                let t = (y - p.y) / (q.y - p.y);
                cross.push((t, Coord { x: round6(p.x + t * (q.x - p.x)), y }));
            }
            cross.sort_by(|a, b| a.0.total_cmp(&b.0));
            out.extend(cross.iter().map(|&(_, c)| c));
        }
        if let Some(&last) = r.0.last() {
            out.push(last);
        }
        let mut ls = LineString(out);
        ls.remove_repeated_points_mut();
        ls
    };
    MultiPolygon(
        mp.0.iter().map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())).collect(),
    )
}

/// Rounds every coordinate to 1e-6°, drops repeated points and empty parts.
fn snap(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut mp = mp.map_coords(|c| Coord { x: round6(c.x), y: round6(c.y) });
    mp.remove_repeated_points_mut();
    MultiPolygon(mp.0.into_iter().filter(|p| p.exterior().0.len() >= 4 && p.unsigned_area() > 0.0).collect())
}

fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.unsigned_area() * m_per_deg_lon() * M_PER_DEG_LAT
}

/// Edges of `mp` lying on cut lines: vertical (x, y0, y1) and horizontal (y, x0, x1).
fn cut_edges(mp: &MultiPolygon<f64>, xs: &[f64], ys: &[f64]) -> CutEdges {
    let (mut v, mut h) = (Vec::new(), Vec::new());
    for p in &mp.0 {
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in r.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                if a.x == b.x && xs.binary_search_by(|x| x.total_cmp(&a.x)).is_ok() {
                    v.push((a.x, a.y.min(b.y), a.y.max(b.y)));
                } else if a.y == b.y && ys.binary_search_by(|y| y.total_cmp(&a.y)).is_ok() {
                    h.push((a.y, a.x.min(b.x), a.x.max(b.x)));
                }
            }
        }
    }
    (v, h)
}

type CutEdges = (Vec<(f64, f64, f64)>, Vec<(f64, f64, f64)>);

/// Lengths (degrees of latitude, degrees of longitude) of the vertical and horizontal
/// cut-line edges two pieces share.
fn shared_lengths(a: &CutEdges, b: &CutEdges) -> (f64, f64) {
    let overlap = |p: &[(f64, f64, f64)], q: &[(f64, f64, f64)]| -> f64 {
        let mut sum = 0.0;
        for &(c, lo, hi) in p {
            for &(d, lo2, hi2) in q {
                if c == d {
                    sum += (hi.min(hi2) - lo.max(lo2)).max(0.0);
                }
            }
        }
        sum
    };
    (overlap(&a.0, &b.0), overlap(&a.1, &b.1))
}

/// Shared cut-line length of two pieces, metres.
fn shared_m(a: &CutEdges, b: &CutEdges) -> f64 {
    let (v, h) = shared_lengths(a, b);
    v * M_PER_DEG_LAT + h * m_per_deg_lon()
}

/// The pieces of one district (squares ∩ district, slivers merged into neighbours) and its
/// cut lines.
fn district_pieces(d: &District, side: f64) -> (Vec<Piece>, Vec<f64>, Vec<f64>) {
    let (xs, ys, c0, r0) = cut_lines(&d.bbox, side);
    let dense = densify(&d.geometry, &xs, &ys);
    let square_area = side * side;
    let mut pieces: Vec<Piece> = Vec::new();
    for (j, yw) in ys.windows(2).enumerate() {
        for (i, xw) in xs.windows(2).enumerate() {
            let square = Rect::new(Coord { x: xw[0], y: yw[0] }, Coord { x: xw[1], y: yw[1] });
            if square.max().x <= d.bbox.min().x
                || square.min().x >= d.bbox.max().x
                || square.max().y <= d.bbox.min().y
                || square.min().y >= d.bbox.max().y
            {
                continue;
            }
            let cut = snap(&square.to_polygon().intersection(&dense));
            for p in cut.0 {
                let geometry = MultiPolygon(vec![p]);
                let area = area_m2(&geometry);
                pieces.push(Piece { col: c0 + i as i64, row: r0 + j as i64, square, geometry, area, plain: true });
            }
        }
    }

    // Merge slivers, smallest first, into the neighbour they share the longest edge with.
    let min_area = SLIVER_SHARE * square_area;
    loop {
        let edges: Vec<_> = pieces.iter().map(|p| cut_edges(&p.geometry, &xs, &ys)).collect();
        let mut small: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].area < min_area).collect();
        small.sort_by(|&a, &b| pieces[a].area.total_cmp(&pieces[b].area).then(a.cmp(&b)));
        let mut pair = None;
        for &p in &small {
            let best = (0..pieces.len())
                .filter(|&q| q != p)
                .map(|q| (shared_m(&edges[p], &edges[q]), q))
                .filter(|&(len, _)| len > 0.0)
                .max_by(|a, b| {
                    a.0.total_cmp(&b.0).then(pieces[a.1].area.total_cmp(&pieces[b.1].area)).then(b.1.cmp(&a.1))
                });
            if let Some((_, q)) = best {
                pair = Some((p, q));
                break;
            }
        }
        let Some((p, q)) = pair.or_else(|| {
            // A sliver touching no other piece (an exclave): joined to the nearest piece.
            let &p = small.first()?;
            let c = pieces[p].geometry.centroid()?;
            let q = (0..pieces.len()).filter(|&q| q != p).min_by(|&a, &b| {
                let da = pieces[a].geometry.centroid().map_or(f64::MAX, |x| dist2(x, c));
                let db = pieces[b].geometry.centroid().map_or(f64::MAX, |x| dist2(x, c));
                da.total_cmp(&db).then(a.cmp(&b))
            })?;
            Some((p, q))
        }) else {
            break;
        };
        let sliver = pieces.remove(p);
        let q = if q > p { q - 1 } else { q };
        let target = &mut pieces[q];
        target.geometry = snap(&target.geometry.union(&sliver.geometry));
        if sliver.area > target.area {
            target.col = sliver.col;
            target.row = sliver.row;
            target.square = sliver.square;
        }
        target.area = area_m2(&target.geometry);
        target.plain = false;
    }

    // North to south, west to east.
    let key = |p: &Piece| {
        let c = p.geometry.centroid().map_or((0.0, 0.0), |c| (c.x(), c.y()));
        (p.row, p.col, c)
    };
    pieces.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then(ka.1.cmp(&kb.1)).then(kb.2 .1.total_cmp(&ka.2 .1)).then(ka.2 .0.total_cmp(&kb.2 .0))
    });
    (pieces, xs, ys)
}

fn dist2(a: Point<f64>, b: Point<f64>) -> f64 {
    (a.x() - b.x()).powi(2) + (a.y() - b.y()).powi(2)
}

/// Common surnames (Han, roughly by frequency) for the synthetic 负责人.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪",
    "田", "任", "姜", "范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康", "毛",
];
/// Given-name characters.
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "玉", "兰", "红", "志", "新", "海", "春", "晓", "燕", "鹏",
    "宏", "亮", "斌", "婷", "雪", "梅", "琳", "欣", "宇", "浩", "凯", "鑫", "瑞", "佳", "庆", "东", "峰", "德", "荣",
];
/// Uyghur and Kazakh names as written in Chinese (given name·father's name).
const MINORITY_GIVEN: &[&str] = &[
    "艾尔肯",
    "买买提",
    "阿不都热依木",
    "吐尔逊",
    "艾力",
    "古丽娜尔",
    "热依拉",
    "迪丽努尔",
    "阿依古丽",
    "努尔兰",
    "帕尔哈提",
    "米热古丽",
    "阿迪力",
    "再努尔",
    "巴合提亚尔",
    "热合曼",
    "阿曼古丽",
    "叶尔兰",
];
const MINORITY_FATHER: &[&str] =
    &["吐尔洪", "艾买提", "阿不都", "买买提", "依明", "吾斯曼", "卡德尔", "沙吾提", "哈力克", "努尔别克", "玉素甫"];
const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "158", "159",
    "177", "180", "181", "186", "187", "189", "199",
];

fn person_name<R: Rng>(rng: &mut R) -> String {
    if rng.gen_range(0..100) < 15 {
        let g = MINORITY_GIVEN[rng.gen_range(0..MINORITY_GIVEN.len())];
        let f = MINORITY_FATHER[rng.gen_range(0..MINORITY_FATHER.len())];
        return format!("{g}·{f}");
    }
    // Earlier surnames are more common.
    let i = rng.gen_range(0..SURNAMES.len()).min(rng.gen_range(0..SURNAMES.len()));
    let mut name = SURNAMES[i].to_string();
    let given = if rng.gen_range(0..100) < 25 { 1 } else { 2 };
    for _ in 0..given {
        name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
    }
    name
}

fn phone<R: Rng>(rng: &mut R) -> String {
    let p = PHONE_PREFIXES[rng.gen_range(0..PHONE_PREFIXES.len())];
    format!("{p}****{:04}", rng.gen_range(0..10_000))
}

/// Offsets (dcol, drow) of the four neighbours: east, west, north, south.
const DIRS: [(i64, i64); 4] = [(1, 0), (-1, 0), (0, 1), (0, -1)];

/// Strip of `w_m` metres along edge `dir` of `r`: inside `r` (`inward`) or outside it. The
/// second value is the strip's edge away from `r`'s edge: a longitude for east/west, a
/// latitude for north/south.
fn strip(r: &Rect<f64>, dir: (i64, i64), w_m: f64, inward: bool) -> (Rect<f64>, f64) {
    let wx = w_m / m_per_deg_lon();
    let wy = w_m / M_PER_DEG_LAT;
    let (x0, y0, x1, y1) = (r.min().x, r.min().y, r.max().x, r.max().y);
    let s = if inward { -1.0 } else { 1.0 };
    let (a, b, line) = match dir {
        (1, 0) => ((x1, y0), (round6(x1 + s * wx), y1), round6(x1 + s * wx)),
        (-1, 0) => ((round6(x0 - s * wx), y0), (x0, y1), round6(x0 - s * wx)),
        (0, 1) => ((x0, y1), (x1, round6(y1 + s * wy)), round6(y1 + s * wy)),
        _ => ((x0, round6(y0 - s * wy)), (x1, y0), round6(y0 - s * wy)),
    };
    (Rect::new(Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 }), line)
}

/// `mp` with a vertex wherever it crosses the strip line (so that both sides of a cut along the
/// line get the same vertices).
fn densify_line(mp: &MultiPolygon<f64>, dir: (i64, i64), line: f64) -> MultiPolygon<f64> {
    if dir.0 != 0 {
        densify(mp, &[line], &[])
    } else {
        densify(mp, &[], &[line])
    }
}

/// Where a grid came from.
struct Cell {
    district: usize,
    col: i64,
    row: i64,
    /// Its square.
    square: Rect<f64>,
    /// No sliver was merged into it (it lies within its square).
    plain: bool,
}

/// Management grids covering the 8 districts, with the deliberate defects of [`GridDefects`]
/// chosen (seeded) against the valid rows of `census` (the census round the grids go with):
///
/// * gap 1: an urban grid under half a square holding 2–8 sites, removed (its code is skipped);
/// * gaps 2 and 3: two urban grids (of two districts) shrunk by a strip of 300 m and 500 m along
///   the square edge they share (over at least 2 km) with a neighbouring grid of the same
///   district, each strip holding 1–8 sites;
/// * overlaps 1 and 2: two urban grids (of two districts) enlarged by a strip of 200 m and
///   400 m into a neighbouring grid of the same district (the strip is the part of the
///   neighbour within that distance of the common square edge);
/// * 4 grids with an empty 负责人 and 联系电话: two urban grids holding red or orange sites,
///   one of 头屯河区 and one of the rural districts.
///
/// Grids touched by one defect are not touched by another. The grids come in district (adcode)
/// order, each district's numbered from the north-west.
pub fn urumqi_grids(seed: u64, census: &[CensusRow]) -> (Vec<Grid>, GridDefects) {
    let sites = valid_sites(census);
    let Layout { mut grids, cells, lines } = plain_grids();
    let mut rng = rng_for(seed, 21);
    let mut defects = GridDefects::default();
    let removed = remove_small_grid(&mut rng, &grids, &sites, &mut defects);
    let pairs = neighbour_pairs(&grids, &cells, &lines);
    let mut picker = PairPicker { pairs: &pairs, cells: &cells, used: HashSet::from([removed]) };
    shrink_grids(&mut rng, &mut picker, &mut grids, &sites, &mut defects);
    enlarge_grids(&mut rng, &mut picker, &mut grids, &sites, &mut defects);
    let empty = empty_persons(&mut rng, &grids, &sites, removed, &mut defects);
    assign_persons(seed, &mut grids, &empty);
    grids.remove(removed);
    (grids, defects)
}

/// The grids of the 8 districts before any defect, where each came from, and per district the
/// vertical and horizontal cut lines.
struct Layout {
    grids: Vec<Grid>,
    cells: Vec<Cell>,
    lines: Vec<(Vec<f64>, Vec<f64>)>,
}

/// Every district cut into squares ([`GRID_SQUARE_M`]), slivers merged, numbered per
/// district from the north-west; persons and phones still empty.
fn plain_grids() -> Layout {
    let mut layout = Layout { grids: Vec::new(), cells: Vec::new(), lines: Vec::new() };
    for (di, d) in districts().iter().enumerate() {
        let side = GRID_SQUARE_M.iter().find(|(n, _)| *n == d.name).map_or(25000.0, |&(_, s)| s);
        let (pieces, xs, ys) = district_pieces(d, side);
        for (k, p) in pieces.into_iter().enumerate() {
            let no = format!("{:03}", k + 1);
            layout.cells.push(Cell { district: di, col: p.col, row: p.row, square: p.square, plain: p.plain });
            layout.grids.push(Grid {
                code: format!("{}-{no}", d.adcode),
                name: format!("{}第{no}网格", d.name),
                district: d.name.clone(),
                person: String::new(),
                phone: String::new(),
                geometry: p.geometry,
            });
        }
        layout.lines.push((xs, ys));
    }
    layout
}

fn is_urban(g: &Grid) -> bool {
    URBAN_DISTRICTS.contains(&g.district.as_str())
}

/// Gap 1: picks a small urban grid (under half a 4 km square) holding 2–8 sites and records
/// it as removed; returns its index (the caller removes it at the end).
fn remove_small_grid(rng: &mut ChaCha8Rng, grids: &[Grid], sites: &[Site<'_>], defects: &mut GridDefects) -> usize {
    let side_urban = 4000.0 * 4000.0;
    let candidates: Vec<usize> = (0..grids.len())
        .filter(|&g| is_urban(&grids[g]) && area_m2(&grids[g].geometry) < 0.5 * side_urban)
        .filter(|&g| (2..=8).contains(&sites_inside(sites, &grids[g].geometry).len()))
        .collect();
    let removed = *candidates.choose(rng).expect("a small urban grid with a few sites");
    defects.gaps.push(GridGap {
        kind: GapKind::Removed,
        code: grids[removed].code.clone(),
        neighbour: None,
        width_m: 0.0,
        geometry: grids[removed].geometry.clone(),
        area_m2: area_m2(&grids[removed].geometry),
        sites: sites_inside(sites, &grids[removed].geometry).into_iter().map(str::to_string).collect(),
    });
    removed
}

/// Two grids `(a, b)` in neighbouring squares and the direction from `a` to `b`.
type Pair = (usize, usize, (i64, i64));

/// Pairs of plain urban grids in neighbouring squares of one district sharing at least 2 km
/// of square edge, in grid order.
fn neighbour_pairs(grids: &[Grid], cells: &[Cell], lines: &[(Vec<f64>, Vec<f64>)]) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = Vec::new();
    let edges: Vec<_> = grids
        .iter()
        .zip(cells)
        .map(|(g, c)| cut_edges(&g.geometry, &lines[c.district].0, &lines[c.district].1))
        .collect();
    for a in 0..grids.len() {
        if !is_urban(&grids[a]) || !cells[a].plain {
            continue;
        }
        for dir in DIRS {
            for b in 0..grids.len() {
                let (ca, cb) = (&cells[a], &cells[b]);
                if cb.plain && cb.district == ca.district && (cb.col, cb.row) == (ca.col + dir.0, ca.row + dir.1) {
                    let (v, h) = shared_lengths(&edges[a], &edges[b]);
                    if v * M_PER_DEG_LAT + h * m_per_deg_lon() >= 2000.0 {
                        pairs.push((a, b, dir));
                    }
                }
            }
        }
    }
    pairs
}

/// Draws pairs of neighbouring grids for the defects, never reusing a grid.
struct PairPicker<'a> {
    pairs: &'a [Pair],
    cells: &'a [Cell],
    /// Grids already touched by a defect.
    used: HashSet<usize>,
}

impl PairPicker<'_> {
    /// A free pair that passes `ok`, preferably with `a` outside `other_district`; marks both
    /// grids used.
    fn pick(
        &mut self,
        rng: &mut ChaCha8Rng,
        ok: &dyn Fn(usize, usize, (i64, i64)) -> bool,
        other_district: Option<usize>,
    ) -> Pair {
        let used = &self.used;
        let free = |&&(a, b, _): &&Pair| !used.contains(&a) && !used.contains(&b);
        let mut c: Vec<Pair> = self
            .pairs
            .iter()
            .filter(free)
            .filter(|&&(a, _, _)| other_district.is_none_or(|d| self.cells[a].district != d))
            .filter(|&&(a, b, dir)| ok(a, b, dir))
            .copied()
            .collect();
        if c.is_empty() {
            c = self.pairs.iter().filter(free).filter(|&&(a, b, dir)| ok(a, b, dir)).copied().collect();
        }
        let &(a, b, dir) = c.choose(rng).expect("a pair of neighbouring urban grids");
        self.used.insert(a);
        self.used.insert(b);
        (a, b, dir)
    }
}

/// Gaps 2 and 3: two grids (of two districts where possible) shrunk by a strip of 300 m and
/// 500 m along the edge shared with a neighbour, each strip holding 1–8 sites.
fn shrink_grids(
    rng: &mut ChaCha8Rng,
    picker: &mut PairPicker<'_>,
    grids: &mut [Grid],
    sites: &[Site<'_>],
    defects: &mut GridDefects,
) {
    let cells = picker.cells;
    let mut first_district = None;
    for width in [300.0, 500.0] {
        let cut = |grids: &[Grid], a: usize, dir: (i64, i64)| -> (MultiPolygon<f64>, MultiPolygon<f64>) {
            let (s, line) = strip(&cells[a].square, dir, width, true);
            let dense = densify_line(&grids[a].geometry, dir, line);
            let s = MultiPolygon(vec![s.to_polygon()]);
            (snap(&dense.difference(&s)), snap(&dense.intersection(&s)))
        };
        let ok = |a: usize, _: usize, dir: (i64, i64)| {
            let (rest, gap) = cut(grids, a, dir);
            let n = sites_inside(sites, &gap).len();
            let (s, _) = strip(&cells[a].square, dir, width, true);
            rest.0.len() == 1 && (1..=8).contains(&n) && !sites.iter().any(|p| on_rect_boundary(&s, p.lon, p.lat))
        };
        let (a, b, dir) = picker.pick(rng, &ok, first_district);
        first_district = Some(cells[a].district);
        let (rest, gap) = cut(grids, a, dir);
        grids[a].geometry = rest;
        defects.gaps.push(GridGap {
            kind: GapKind::Shrunk,
            code: grids[a].code.clone(),
            neighbour: Some(grids[b].code.clone()),
            width_m: width,
            area_m2: area_m2(&gap),
            sites: sites_inside(sites, &gap).into_iter().map(str::to_string).collect(),
            geometry: gap,
        });
    }
}

/// Overlaps 1 and 2: two grids (of two districts where possible) enlarged by a strip of 200 m
/// and 400 m into a neighbour.
fn enlarge_grids(
    rng: &mut ChaCha8Rng,
    picker: &mut PairPicker<'_>,
    grids: &mut [Grid],
    sites: &[Site<'_>],
    defects: &mut GridDefects,
) {
    let cells = picker.cells;
    let mut first_district = None;
    for width in [200.0, 400.0] {
        let grow = |grids: &[Grid], a: usize, b: usize, dir: (i64, i64)| -> (MultiPolygon<f64>, MultiPolygon<f64>) {
            let (s, line) = strip(&cells[a].square, dir, width, false);
            let dense = densify_line(&grids[b].geometry, dir, line);
            let part = snap(&dense.intersection(&MultiPolygon(vec![s.to_polygon()])));
            (snap(&grids[a].geometry.union(&part)), part)
        };
        let ok = |a: usize, b: usize, dir: (i64, i64)| grow(grids, a, b, dir).0 .0.len() == 1;
        let (a, b, dir) = picker.pick(rng, &ok, first_district);
        first_district = Some(cells[a].district);
        let (grown, overlap) = grow(grids, a, b, dir);
        grids[a].geometry = grown;
        defects.overlaps.push(GridOverlap {
            code: grids[a].code.clone(),
            neighbour: grids[b].code.clone(),
            width_m: width,
            area_m2: area_m2(&overlap),
            sites: sites_inside(sites, &overlap).into_iter().map(str::to_string).collect(),
            geometry: overlap,
        });
    }
}

/// Empty 负责人: two urban grids with red/orange sites, one of 头屯河区, one rural (never the
/// removed grid). Records them in `defects`; returns their indices, sorted.
fn empty_persons(
    rng: &mut ChaCha8Rng,
    grids: &[Grid],
    sites: &[Site<'_>],
    removed: usize,
    defects: &mut GridDefects,
) -> Vec<usize> {
    let red_orange = |g: &Grid| {
        let ids: HashSet<&str> = sites_inside(sites, &g.geometry).into_iter().collect();
        sites.iter().any(|s| s.red_orange && ids.contains(s.id))
    };
    let mut empty: Vec<usize> = Vec::new();
    for (k, want) in [(2, "urban"), (1, "头屯河区"), (1, "rural")] {
        let c: Vec<usize> = (0..grids.len())
            .filter(|&g| g != removed && !empty.contains(&g))
            .filter(|&g| match want {
                "urban" => is_urban(&grids[g]) && red_orange(&grids[g]),
                "rural" => ["达坂城区", "米东区", "乌鲁木齐县"].contains(&grids[g].district.as_str()),
                d => grids[g].district == d,
            })
            .collect();
        empty.extend(c.choose_multiple(rng, k).copied());
    }
    empty.sort_unstable();
    defects.empty_person = empty.iter().map(|&g| grids[g].code.clone()).collect();
    defects.empty_person_with_red_orange = empty
        .iter()
        .filter(|&&g| is_urban(&grids[g]) && red_orange(&grids[g]))
        .map(|&g| grids[g].code.clone())
        .collect();
    empty
}

/// Persons and phones (unique names) for every grid but the `empty` ones; a name and a phone
/// are drawn for those too, so that the others do not depend on which grids are empty.
fn assign_persons(seed: u64, grids: &mut [Grid], empty: &[usize]) {
    let mut rng = rng_for(seed, 22);
    let mut names: HashSet<String> = HashSet::new();
    for (g, grid) in grids.iter_mut().enumerate() {
        let name = loop {
            let n = person_name(&mut rng);
            if names.insert(n.clone()) {
                break n;
            }
        };
        let tel = phone(&mut rng);
        if !empty.contains(&g) {
            grid.person = name;
            grid.phone = tel;
        }
    }
}

fn on_rect_boundary(r: &Rect<f64>, lon: f64, lat: f64) -> bool {
    let (x0, y0, x1, y1) = (r.min().x, r.min().y, r.max().x, r.max().y);
    ((lon == x0 || lon == x1) && (y0..=y1).contains(&lat)) || ((lat == y0 || lat == y1) && (x0..=x1).contains(&lon))
}

/// Writes the grids as an RFC 7946 GeoJSON FeatureCollection (UTF-8, no BOM, one feature per
/// line, LF), properties `网格编码`, `网格名称`, `所属区县`, `负责人`, `联系电话`; a `Polygon`
/// for a grid of one part and a `MultiPolygon` otherwise, exterior rings counter-clockwise.
pub fn write_grids_geojson(grids: &[Grid], w: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"")?;
    w.write_all("乌鲁木齐市网格化管理网格 (synthetic, GCJ-02)".as_bytes())?;
    w.write_all(b"\",\"features\":[\n")?;
    let text = |s: &str| serde_json::to_string(s).expect("string");
    for (k, g) in grids.iter().enumerate() {
        let mut line = String::with_capacity(4096);
        line.push_str("{\"type\":\"Feature\",\"properties\":{");
        for (i, (key, value)) in [
            ("网格编码", &g.code),
            ("网格名称", &g.name),
            ("所属区县", &g.district),
            ("负责人", &g.person),
            ("联系电话", &g.phone),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&text(key));
            line.push(':');
            line.push_str(&text(value));
        }
        line.push_str("},\"geometry\":");
        let mp = g.geometry.orient(geo::orient::Direction::Default);
        let polygon = |line: &mut String, p: &Polygon<f64>| {
            line.push('[');
            for (i, r) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push('[');
                for (j, c) in r.0.iter().enumerate() {
                    if j > 0 {
                        line.push(',');
                    }
                    line.push_str(&format!("[{},{}]", round6(c.x), round6(c.y)));
                }
                line.push(']');
            }
            line.push(']');
        };
        if let [p] = mp.0.as_slice() {
            line.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            polygon(&mut line, p);
        } else {
            line.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                polygon(&mut line, p);
            }
            line.push(']');
        }
        line.push_str("}}");
        if k + 1 < grids.len() {
            line.push(',');
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.write_all(b"]}\n")?;
    w.flush()
}

#[cfg(test)]
#[path = "synth_rounds_tests.rs"]
mod tests;
