use super::*;
use crate::synth::{urumqi_census, DEMO_ROWS, DEMO_SEED};
use crate::synth_facilities::urumqi_residential;

#[test]
fn layers_are_deterministic_and_shaped_as_documented() {
    let census = urumqi_census(DEMO_SEED, DEMO_ROWS);
    let residential = urumqi_residential(DEMO_SEED);
    let schools = urumqi_schools(DEMO_SEED, &residential, &census);
    assert_eq!(schools, urumqi_schools(DEMO_SEED, &residential, &census));
    assert_eq!(schools.len(), SCHOOL_ROWS + LEGACY_SCHOOLS);
    let ids: std::collections::BTreeSet<&str> = schools.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), schools.len(), "school ids are unique");
    // The old campuses lie 60–130 m from a hazardous-chemical site.
    let sites = hazchem_sites(&census);
    for s in &schools[SCHOOL_ROWS..] {
        let near = sites.iter().any(|(_, lon, lat)| {
            let d = ((lon - s.lon) * M_PER_DEG_LON).hypot((lat - s.lat) * M_PER_DEG_LAT);
            (55.0..135.0).contains(&d)
        });
        assert!(near, "{s:?}");
    }
    let hazchem = urumqi_hazchem(DEMO_SEED, &census);
    assert_eq!(hazchem.len(), sites.len().div_ceil(2));
    for (i, bad) in HAZCHEM_BAD_ROWS {
        assert_eq!(hazchem[i].distance, bad);
    }
    let good = hazchem.iter().filter(|r| r.distance.parse::<u32>().is_ok_and(|d| (100..=1000).contains(&d))).count();
    assert_eq!(good, hazchem.len() - HAZCHEM_BAD_ROWS.len());
    let pipeline = urumqi_pipeline(DEMO_SEED);
    assert_eq!(pipeline.len(), 2);
    let mut out = Vec::new();
    write_pipeline_geojson(&pipeline, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["features"][0]["geometry"]["type"], "LineString");
}
