//! Test fixtures shared by the coverage tests: square districts in working-CRS metres and
//! facility configurations.

use crate::layers::ZoneLayer;
use crate::project::facilities::{FacilityConfig, FacilityKind, PointSource};
use geo::{LineString, MultiPolygon, Polygon};
use sisetu_core::Zone;
use sisetu_io::crs::Crs;
use std::collections::BTreeMap;

/// A `w` × `h` rectangle with its south-west corner at (x, y).
pub(crate) fn rect(id: &str, name: &str, x: f64, y: f64, w: f64, h: f64) -> Zone {
    let ring = LineString::from(vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]);
    Zone::new(id, name, MultiPolygon(vec![Polygon::new(ring, vec![])]))
}

/// A layer of zones already in the working CRS.
pub(crate) fn layer(zones: Vec<Zone>) -> ZoneLayer {
    ZoneLayer::in_working_crs("test", zones.clone(), zones, Crs::from_epsg(4538))
}

/// A facility layer's configuration with nothing but its id, kind and radius.
pub(crate) fn facility_config(id: &str, kind: FacilityKind, radius_m: f64) -> FacilityConfig {
    FacilityConfig {
        id: id.into(),
        kind,
        title: format!("{id} title"),
        source: PointSource { table: Default::default(), crs: Crs::Wgs84, x: None, y: None },
        name: None,
        class: None,
        area: None,
        capacity: None,
        classes: BTreeMap::new(),
        radius_m: Some(radius_m),
        m2_per_person: None,
        target_m2_per_person: None,
        coverage_target: None,
        siting: None,
        townships: None,
        maps: Vec::new(),
    }
}
