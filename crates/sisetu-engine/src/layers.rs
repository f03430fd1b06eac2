//! Polygon layers (districts, management grids): read, projected to WGS84 and to the working
//! CRS, validated and indexed for point-in-polygon.

use anyhow::{anyhow, Result};
use sisetu_core::{Zone, ZoneIndex};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::zones::{project_zones, read_zones, validate_zones, ZoneLayerSpec};

/// A polygon layer ready for assignment and output.
pub struct ZoneLayer {
    /// Zones in the working CRS.
    pub work: Vec<Zone>,
    /// The same zones in WGS84 lon/lat, for GeoJSON.
    pub wgs84: Vec<Zone>,
    /// The index over `work`.
    pub index: ZoneIndex,
    /// Invalid polygons: (id, problem).
    pub invalid: Vec<(String, String)>,
}

/// Reads, validates and projects a polygon layer.
pub fn load_zone_layer(spec: &ZoneLayerSpec, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let zones = read_zones(spec)?;
    let to_wgs = Transformer::new(crs, Crs::Wgs84).map_err(|e| anyhow!("{}: {e}", spec.display))?;
    let wgs84 = project_zones(&zones, &to_wgs, &spec.display)?;
    prepare_zone_layer(&zones, wgs84, &spec.display, crs, work)
}

pub fn prepare_zone_layer(zones: &[Zone], wgs84: Vec<Zone>, display: &str, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let to_work = Transformer::new(crs, work).map_err(|e| anyhow!("{display}: {e}"))?;
    let work_zones = project_zones(zones, &to_work, display)?;
    let (invalid, index) = rayon::join(|| validate_zones(&wgs84), || ZoneIndex::new(&work_zones));
    Ok(ZoneLayer { work: work_zones, wgs84, index, invalid })
}
