//! Polygon layers (districts, management grids): read, projected to WGS84 and to the working
//! CRS, validated and indexed for point-in-polygon.

use crate::error::{Result, ResultExt};
use sisetu_core::{Zone, ZoneIndex};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::zones::{project_zones, read_zones_hashed, validate_zones, ZoneLayerSpec, ZoneProblem};

/// A polygon layer ready for assignment and output.
pub struct ZoneLayer {
    /// The file as named in the project.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Zones in the working CRS.
    pub work: Vec<Zone>,
    /// The same zones in WGS84 lon/lat, for GeoJSON.
    pub wgs84: Vec<Zone>,
    /// The index over `work`.
    pub index: ZoneIndex,
    /// Invalid polygons: (id, problem).
    pub invalid: Vec<(String, ZoneProblem)>,
}

/// A layer as read, in its own CRS and in WGS84 (before the working CRS is known).
pub struct RawLayer {
    /// The zones in the file's CRS.
    pub zones: Vec<Zone>,
    /// The same zones in WGS84 lon/lat.
    pub wgs84: Vec<Zone>,
    /// SHA-256 of the bytes parsed, when the reader hashed them (GeoJSON); else the file is
    /// hashed by [`prepare_zone_layer`].
    pub sha256: Option<String>,
}

/// Reads a polygon layer and projects it to WGS84.
pub fn read_layer(spec: &ZoneLayerSpec, crs: Crs) -> Result<RawLayer> {
    let (zones, sha256) = read_zones_hashed(spec)?;
    let to_wgs = Transformer::new(crs, Crs::Wgs84).with_context(|| spec.display.clone())?;
    let wgs84 = project_zones(&zones, &to_wgs, &spec.display)?;
    Ok(RawLayer { zones, wgs84, sha256 })
}

/// Reads, validates and projects a polygon layer.
pub fn load_zone_layer(spec: &ZoneLayerSpec, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let raw = read_layer(spec, crs)?;
    prepare_zone_layer(spec, raw, crs, work)
}

/// Projects a layer read by [`read_layer`] to the working CRS, validates and indexes it.
pub fn prepare_zone_layer(spec: &ZoneLayerSpec, raw: RawLayer, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let display = &spec.display;
    let to_work = Transformer::new(crs, work).with_context(|| display.clone())?;
    let work_zones = project_zones(&raw.zones, &to_work, display)?;
    let wgs84 = raw.wgs84;
    let (invalid, index) = rayon::join(|| validate_zones(&wgs84), || ZoneIndex::new(&work_zones));
    let sha256 = match raw.sha256 {
        Some(hash) => hash,
        None => sisetu_io::hash::sha256_file(&spec.path)?,
    };
    Ok(ZoneLayer { file: display.clone(), sha256, work: work_zones, wgs84, index, invalid })
}
