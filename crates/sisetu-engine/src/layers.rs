//! Polygon layers (districts, management grids): read, validated, indexed for
//! point-in-polygon in their **own** CRS, and projected to WGS84 (outputs) and to the working
//! CRS (metric work: cells, areas, coverage, maps).
//!
//! # Where point-in-polygon runs
//!
//! A site is located in the zone layer's CRS, never in a projection of it: a straight edge in
//! longitude/latitude is not straight after projection, so a site a few metres from a long
//! edge could change sides (a 100 km edge of a county bulges by tens of metres in a
//! Gauss-Krüger zone). Zones in CGCS2000/WGS84 lon/lat are tested against the sites'
//! lon/lat as given (CGCS2000 and WGS84 sites are not converted at all); zones in the working
//! CRS against the sites' working coordinates; zones in any other CRS (GCJ-02, BD-09, another
//! Gauss-Krüger zone) against the sites converted into it from WGS84 (GCJ-02 and BD-09
//! conversions are exact to 10⁻¹¹ degree, about a micrometre). Edges are straight in the
//! layer's own coordinates, as GeoJSON, GEOS, GeoPandas and QGIS treat them.
//!
//! Metric analyses that combine points with pieces cut in the working CRS (population in
//! district × cell pieces, grid-check pieces) use [`ZoneLayer::locate_work`], an index over the
//! projected zones built on first use, so that a point and the piece it falls in agree.

use crate::error::{Result, ResultExt};
use sisetu_core::{Zone, ZoneIdx, ZoneIndex};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::zones::{project_zones, read_zones_hashed, validate_zones, ZoneLayerSpec, ZoneProblem};
use std::sync::OnceLock;

/// A polygon layer ready for assignment and output.
pub struct ZoneLayer {
    /// The file as named in the project.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The CRS of the file: point-in-polygon runs in it.
    pub crs: Crs,
    /// Zones in the working CRS.
    pub work: Vec<Zone>,
    /// The same zones in WGS84 lon/lat, for GeoJSON (`None`: the file is in lon/lat already;
    /// see [`ZoneLayer::wgs84`]).
    wgs84: Option<Vec<Zone>>,
    /// The zones as read (clipped to [`SITE_DOMAIN`] when in lon/lat).
    native: Vec<Zone>,
    /// The index over the zones as read.
    index: ZoneIndex,
    /// How a site's coordinates reach the layer's CRS.
    place: Place,
    /// The index over `work`, built on the first [`ZoneLayer::locate_work`].
    work_index: OnceLock<ZoneIndex>,
    /// Invalid polygons: (id, problem).
    pub invalid: Vec<(String, ZoneProblem)>,
}

/// Which coordinates of a site [`ZoneLayer::locate`] tests.
enum Place {
    /// The layer is in CGCS2000/WGS84 lon/lat: the site's WGS84 lon/lat.
    LonLat,
    /// The layer is in the working CRS: the site's working coordinates.
    Work,
    /// Any other CRS: WGS84 lon/lat converted into it.
    Convert(Transformer),
}

/// A layer as read, in its own CRS and in WGS84 (before the working CRS is known).
pub struct RawLayer {
    /// The zones in the file's CRS.
    pub zones: Vec<Zone>,
    /// The same zones in WGS84 lon/lat (`None`: the file is in CGCS2000/WGS84 lon/lat).
    wgs84: Option<Vec<Zone>>,
    /// SHA-256 of the bytes parsed (a Shapefile: of its `.shp`).
    pub sha256: String,
}

impl RawLayer {
    /// The zones in WGS84 lon/lat.
    pub fn wgs84(&self) -> &[Zone] {
        self.wgs84.as_deref().unwrap_or(&self.zones)
    }
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

/// `[min lon, min lat, max lon, max lat]` of zones in lon/lat; `None` when they have no
/// coordinates.
pub fn lonlat_extent(zones: &[Zone]) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    let mut e = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for r in zones.iter().filter_map(|z| z.geometry.bounding_rect()) {
        e = [e[0].min(r.min().x), e[1].min(r.min().y), e[2].max(r.max().x), e[3].max(r.max().y)];
    }
    e.iter().all(|v| v.is_finite()).then_some(e)
}

/// Whether `crs` is CGCS2000 or WGS84 lon/lat (the same for maps and outputs).
fn is_wgs84(crs: Crs) -> bool {
    matches!(crs.canonical(), Crs::Wgs84 | Crs::Cgcs2000)
}

/// Reads a polygon layer and projects it to WGS84.
pub fn read_layer(spec: &ZoneLayerSpec, crs: Crs) -> Result<RawLayer> {
    let (mut zones, sha256) = read_zones_hashed(spec)?;
    clip_to_site_domain(&mut zones, crs);
    let wgs84 = if is_wgs84(crs) {
        None
    } else {
        let to_wgs = Transformer::new(crs, Crs::Wgs84).with_context(|| spec.display.clone())?;
        Some(project_zones(&zones, &to_wgs, &spec.display)?)
    };
    Ok(RawLayer { zones, wgs84, sha256 })
}

/// Reads, validates and projects a polygon layer.
pub fn load_zone_layer(spec: &ZoneLayerSpec, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let raw = read_layer(spec, crs)?;
    prepare_zone_layer(spec, raw, crs, work)
}

/// Projects a layer read by [`read_layer`] to the working CRS, validates it and indexes it
/// in its own CRS; the three run in parallel.
pub fn prepare_zone_layer(spec: &ZoneLayerSpec, raw: RawLayer, crs: Crs, work: Crs) -> Result<ZoneLayer> {
    let display = &spec.display;
    let to_work = Transformer::new(crs, work).with_context(|| display.clone())?;
    let place = if is_wgs84(crs) {
        Place::LonLat
    } else if to_work.is_identity() {
        Place::Work
    } else {
        Place::Convert(Transformer::new(Crs::Wgs84, crs).with_context(|| display.clone())?)
    };
    let RawLayer { zones: native, wgs84, sha256 } = raw;
    let wgs84_view = wgs84.as_deref().unwrap_or(&native);
    let (work_zones, (invalid, index)) = rayon::join(
        || project_zones(&native, &to_work, display),
        || rayon::join(|| validate_zones(wgs84_view), || ZoneIndex::new(&native)),
    );
    Ok(ZoneLayer {
        file: display.clone(),
        sha256,
        crs,
        work: work_zones?,
        wgs84,
        native,
        index,
        place,
        work_index: OnceLock::new(),
        invalid,
    })
}

impl ZoneLayer {
    /// A layer of `zones` given in the working CRS `work`, with `wgs84` their lon/lat copies
    /// (test fixtures).
    #[cfg(test)]
    pub(crate) fn in_working_crs(file: &str, zones: Vec<Zone>, wgs84: Vec<Zone>, work: Crs) -> ZoneLayer {
        ZoneLayer {
            file: file.into(),
            sha256: String::new(),
            crs: work,
            index: ZoneIndex::new(&zones),
            native: zones.clone(),
            work: zones,
            wgs84: Some(wgs84),
            place: Place::Work,
            work_index: OnceLock::new(),
            invalid: Vec::new(),
        }
    }

    /// The zones in WGS84 lon/lat (GeoJSON outputs), in layer order.
    pub fn wgs84(&self) -> &[Zone] {
        self.wgs84.as_deref().unwrap_or(&self.native)
    }

    /// The zones as read from the file (in [`ZoneLayer::crs`]), in layer order.
    pub fn native(&self) -> &[Zone] {
        &self.native
    }

    /// The zone a site lies in, tested in the layer's own CRS (see the module docs); `lon`,
    /// `lat` are its WGS84 degrees and `x`, `y` its working coordinates. The boundary rule
    /// is [`ZoneIndex::locate`]'s. `None`: in no zone (or not convertible into the layer's
    /// CRS).
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64, x: f64, y: f64) -> Option<ZoneIdx> {
        match &self.place {
            Place::LonLat => self.index.locate(lon, lat),
            Place::Work => self.index.locate(x, y),
            Place::Convert(t) => t.transform(lon, lat).ok().and_then(|(a, b)| self.index.locate(a, b)),
        }
    }

    /// The zone a point given in the working CRS lies in, tested against the zones projected
    /// to the working CRS (metric work: pieces cut in that CRS). The index is built on the
    /// first call.
    pub fn locate_work(&self, x: f64, y: f64) -> Option<ZoneIdx> {
        if matches!(self.place, Place::Work) {
            return self.index.locate(x, y);
        }
        self.work_index.get_or_init(|| ZoneIndex::new(&self.work)).locate(x, y)
    }
}
