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
    /// SHA-256 of the bytes parsed (a Shapefile: of its `.shp`).
    pub sha256: String,
}

/// The longitudes and latitudes (degrees) a site can have: China with a margin of a few
/// degrees (sites are checked against 73–136° E, 3–54° N). Polygons in lon/lat are clipped to
/// it before anything else, so that a zone reaching far beyond China (a catch-all district
/// covering the whole world) is not projected where the working CRS is undefined: it keeps
/// every site it contains.
/// As `[min lon, min lat, max lon, max lat]`.
pub const SITE_DOMAIN: [f64; 4] = [70.0, 0.0, 140.0, 60.0];

/// `zones` (in a lon/lat `crs`) clipped to [`SITE_DOMAIN`]; zones inside it are left as
/// they are, bit for bit.
fn clip_to_site_domain(zones: &mut [Zone], crs: Crs) {
    use geo::{BooleanOps, BoundingRect};
    if !crs.is_geographic() {
        return;
    }
    let [x0, y0, x1, y1] = SITE_DOMAIN;
    let domain = geo::Rect::new(geo::Coord { x: x0, y: y0 }, geo::Coord { x: x1, y: y1 }).to_polygon();
    for z in zones {
        let inside = z
            .geometry
            .bounding_rect()
            .is_none_or(|b| b.min().x >= x0 && b.min().y >= y0 && b.max().x <= x1 && b.max().y <= y1);
        if !inside {
            z.geometry = z.geometry.intersection(&geo::MultiPolygon(vec![domain.clone()]));
        }
    }
}

/// Reads a polygon layer and projects it to WGS84.
pub fn read_layer(spec: &ZoneLayerSpec, crs: Crs) -> Result<RawLayer> {
    let (mut zones, sha256) = read_zones_hashed(spec)?;
    clip_to_site_domain(&mut zones, crs);
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
    Ok(ZoneLayer { file: display.clone(), sha256: raw.sha256, work: work_zones, wgs84, index, invalid })
}
