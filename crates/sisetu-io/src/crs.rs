//! Coordinate reference systems used with Chinese census and boundary data, and conversions
//! between them.
//!
//! Supported without any system library:
//!
//! | [`Crs`] | what | units |
//! |---|---|---|
//! | [`Crs::Wgs84`] | EPSG:4326, GPS | degrees |
//! | [`Crs::Cgcs2000`] | EPSG:4490, China Geodetic Coordinate System 2000 (天地图, official data) | degrees |
//! | [`Crs::Gcj02`] | GCJ-02, the offset system of AutoNavi (高德) and Tencent maps | degrees |
//! | [`Crs::Bd09`] | BD-09, Baidu's further offset of GCJ-02 (`bd09ll`) | degrees |
//! | [`Crs::WebMercator`] | EPSG:3857, web map tiles | metres |
//! | [`Crs::GaussKruger`] | EPSG:4513..=4554, CGCS2000 3-degree Gauss-Krüger zones ([`GkZone`]) | metres |
//! | [`Crs::Epsg`] | EPSG:4491..=4512 (CGCS2000 6-degree Gauss-Krüger); any other code with the `proj` feature | |
//!
//! All conversions go through WGS84 longitude/latitude degrees.
//!
//! # Accuracy
//!
//! * **CGCS2000 is treated as equal to WGS84.** The two realisations differ by centimetres to
//!   decimetres, far below what matters at map scale, and PROJ itself converts between them with
//!   a null ("ballpark") transformation.
//! * Gauss-Krüger and Web Mercator projections use the exact (Poder/Engsager) transverse
//!   Mercator of `proj4rs`, which agrees with PROJ 9.5 (pyproj 3.7) to well under a millimetre;
//!   projecting and unprojecting a point returns it to better than 1e-8 degree.
//! * GCJ-02 and BD-09 follow the published formulas (Krasovsky ellipsoid constants, the well-known
//!   `transformLat`/`transformLon` polynomials, BD-09 with `x_pi = π·3000/180`). Their inverses are
//!   solved by fixed-point iteration to below 1e-11 degree: over a 0.5° grid covering China a
//!   WGS84 → GCJ-02 → WGS84 or GCJ-02 → BD-09 → GCJ-02 round trip returns every point to within
//!   0.01 mm. Forward values agree with the independent Python implementation `prcoords` to
//!   1e-9 degree. The map services do not publish their algorithm; these formulas are the
//!   community's reconstruction of it. On real boundaries (AutoNavi GCJ-02 vs Tianditu CGCS2000,
//!   `tests/crs_reference.rs`) converting moves district centroids from 240–600 m to 5–180 m of
//!   each other, the rest being differences between the two surveys' boundaries.
//! * Outside the rough rectangle around China given by [`out_of_china`], GCJ-02 equals WGS84
//!   (no offset). BD-09 always adds its own offset, as the published formula does.
//!
//! # Example
//!
//! ```
//! use sisetu_io::crs::{Crs, Transformer};
//!
//! // A point in Ürümqi taken from an AutoNavi (GCJ-02) map ...
//! let src: Crs = "GCJ-02".parse().unwrap();
//! // ... projected into the local CGCS2000 3-degree Gauss-Krüger zone (EPSG:4538, CM 87°E).
//! let dst = Crs::gauss_kruger_for_lon(87.6).unwrap();
//! assert_eq!(dst.to_string(), "EPSG:4538");
//!
//! let t = Transformer::new(src, dst).unwrap();
//! let (e, n) = t.transform(87.602839, 43.801212).unwrap();
//! // WGS84 (87.6, 43.8) is (548285.115, 4851775.303) in EPSG:4538.
//! assert!((e - 548_285.1).abs() < 1.0 && (n - 4_851_775.3).abs() < 1.0);
//!
//! // And back again.
//! let back = Transformer::new(dst, Crs::Wgs84).unwrap();
//! let (lon, lat) = back.transform(e, n).unwrap();
//! assert!((lon - 87.6).abs() < 1e-5 && (lat - 43.8).abs() < 1e-5);
//! ```

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A coordinate reference system.
///
/// Parse one from a user-supplied name with [`str::parse`] (see [`Crs::from_str`] for the accepted
/// spellings), print it with [`Display`](fmt::Display) (`EPSG:4490`, `GCJ-02`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS84 longitude/latitude degrees (EPSG:4326).
    Wgs84,
    /// CGCS2000 longitude/latitude degrees (EPSG:4490); treated as equal to WGS84.
    Cgcs2000,
    /// GCJ-02, the offset ("Mars") system of AutoNavi/Tencent maps and of most geocoded Chinese
    /// addresses, in degrees.
    Gcj02,
    /// BD-09 (`bd09ll`), Baidu's offset of GCJ-02, in degrees. Baidu's Mercator (`bd09mc`) is not
    /// supported.
    Bd09,
    /// Web ("pseudo") Mercator, EPSG:3857, metres.
    WebMercator,
    /// CGCS2000 3-degree Gauss-Krüger, metres: a [`GkZone`], which holds only the EPSG codes
    /// 4513..=4554.
    ///
    /// 4513..=4533 are zones 25..=45 (central meridian 3·zone) whose false easting carries the zone
    /// number (`zone·1 000 000 + 500 000`); 4534..=4554 are central meridians 75°E..=135°E with a
    /// false easting of 500 000 m.
    GaussKruger(GkZone),
    /// Any other EPSG code. Codes 4491..=4512 (CGCS2000 6-degree Gauss-Krüger) are built in; any
    /// other code needs sisetu to be built with `--features proj` (the system PROJ library).
    Epsg(u32),
    /// Albers equal-area conic on CGCS2000 (GRS80), standard parallels 25°N and 47°N, latitude
    /// of origin 0, no false easting or northing, metres: the working CRS for extents wider
    /// than a Gauss-Krüger zone ([`AlbersCm`] holds the central meridian). It has no EPSG code
    /// and prints as `Albers:105E`.
    Albers(AlbersCm),
}

/// The central meridian of a [`Crs::Albers`] projection: a whole degree in 70..=140 east.
///
/// Areas are exact in the projection everywhere. Lengths are not: along the parallels the
/// scale factor is 1 on 25°N and 47°N, 0.982 between them (36°N) and grows outside them
/// (1.026 at 18°N, 1.038 at 53.5°N, 1.114 at the 南海 islands near 3.5°N), along the
/// meridians its inverse (PROJ's factors);
/// [`Crs::worst_scale_error`] gives the bound over an extent.
///
/// ```
/// use sisetu_io::crs::{AlbersCm, Crs};
/// let crs = Crs::Albers(AlbersCm::new(105).unwrap());
/// assert_eq!(crs.to_string(), "Albers:105E");
/// assert_eq!("albers:105e".parse::<Crs>().unwrap(), crs);
/// assert!(crs.is_metric() && crs.epsg().is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlbersCm(u8);

impl AlbersCm {
    /// The standard parallels (degrees north).
    pub const PARALLELS: (f64, f64) = (25.0, 47.0);

    /// The projection with central meridian `cm` degrees east; [`CrsError::Unsupported`]
    /// outside 70..=140.
    pub fn new(cm: u16) -> Result<AlbersCm, CrsError> {
        match u8::try_from(cm) {
            Ok(v @ 70..=140) => Ok(AlbersCm(v)),
            _ => Err(CrsError::Unsupported(format!(
                "Albers:{cm}E: the central meridian must be a whole degree from 70 to 140 east, \
                 for example Albers:105E for all of China"
            ))),
        }
    }

    /// The projection centred on the whole degree nearest to `lon` (clamped to 70..=140).
    pub fn for_lon(lon: f64) -> AlbersCm {
        let lon = if lon.is_finite() { lon } else { 105.0 };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "clamped to 70..=140")]
        let cm = lon.round().clamp(70.0, 140.0) as u8;
        AlbersCm(cm)
    }

    /// The central meridian, degrees east.
    pub fn central_meridian(self) -> u16 {
        u16::from(self.0)
    }

    fn proj_string(self) -> String {
        let (p1, p2) = Self::PARALLELS;
        format!(
            "+proj=aea +lat_0=0 +lon_0={} +lat_1={p1} +lat_2={p2} +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
            self.0
        )
    }
}

/// A CGCS2000 3-degree Gauss-Krüger zone, by its EPSG code: always one of 4513..=4554.
///
/// * EPSG:4513..=4533 are zones 25..=45 (central meridian 3·zone, 75°E..=135°E) whose false
///   easting carries the zone number (`zone·1 000 000 + 500 000` m);
/// * EPSG:4534..=4554 are central meridians 75°E..=135°E with a false easting of 500 000 m.
///
/// Build one with [`GkZone::new`] (fallible) or [`GkZone::for_lon`]. It prints as its EPSG
/// code (`EPSG:4538`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GkZone(u16);

impl GkZone {
    /// The zone with EPSG code `epsg`; [`CrsError::Unsupported`] (saying which codes exist)
    /// for any code outside 4513..=4554.
    pub fn new(epsg: u32) -> Result<GkZone, CrsError> {
        match u16::try_from(epsg) {
            Ok(code @ 4513..=4554) => Ok(GkZone(code)),
            _ => Err(CrsError::Unsupported(format!(
                "EPSG:{epsg} is not a CGCS2000 3-degree Gauss-Kruger zone: use EPSG:4513 to \
                 EPSG:4554, for example EPSG:4548 for longitude 117"
            ))),
        }
    }

    /// The zone without zone prefix (EPSG:4534..=4554, false easting 500 000 m) whose central
    /// meridian (75°E, 78°E, ..., 135°E) is nearest to `lon`; `None` outside
    /// 73.5°E..=136.5°E, where there is no such zone.
    pub fn for_lon(lon: f64) -> Option<GkZone> {
        if !(73.5..=136.5).contains(&lon) {
            return None;
        }
        // In 75..=135 after the clamp, so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "clamped to 75..=135")]
        let cm = ((lon / 3.0).round() * 3.0).clamp(75.0, 135.0) as u16;
        Some(GkZone(4534 + (cm - 75) / 3))
    }

    /// The EPSG code (4513..=4554).
    pub fn epsg(self) -> u16 {
        self.0
    }

    /// The central meridian, degrees east (75..=135).
    pub fn central_meridian(self) -> u16 {
        self.params().cm
    }

    /// The zone number (25..=45) when the false easting carries it (EPSG:4513..=4533).
    pub fn zone_number(self) -> Option<u16> {
        self.params().zone
    }

    /// The eastings (metres) of the zone, `min..max`: `zone·10⁶ .. zone·10⁶ + 10⁶` for the
    /// zone-prefixed codes, `0 .. 10⁶` otherwise.
    pub fn easting_range(self) -> std::ops::Range<f64> {
        match self.zone_number() {
            Some(z) => {
                let base = f64::from(z) * 1e6;
                base..base + 1e6
            }
            None => 0.0..1e6,
        }
    }

    fn params(self) -> GkParams {
        let code = self.0;
        if code <= 4533 {
            // Zones 25..=45, zone-prefixed false easting; CM = 3·zone.
            let zone = code - 4513 + 25;
            GkParams { cm: 3 * zone, zone: Some(zone), width: 3 }
        } else {
            // CM 75..=135.
            GkParams { cm: 75 + 3 * (code - 4534), zone: None, width: 3 }
        }
    }
}

impl fmt::Display for GkZone {
    /// `EPSG:nnnn`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{}", self.0)
    }
}

impl TryFrom<u32> for GkZone {
    type Error = CrsError;
    fn try_from(epsg: u32) -> Result<Self, CrsError> {
        GkZone::new(epsg)
    }
}

/// Errors from parsing a CRS name, setting up a [`Transformer`] or transforming a point.
///
/// The messages are meant for users: they say what was given and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    /// The CRS name was not recognised.
    #[error("{0}")]
    Unknown(String),
    /// The CRS is known but cannot be used in this build or for this purpose.
    #[error("{0}")]
    Unsupported(String),
    /// A point could not be transformed.
    #[error("cannot transform the point ({x}, {y}): {msg}")]
    Transform {
        /// The x coordinate (longitude or easting) that was given.
        x: f64,
        /// The y coordinate (latitude or northing) that was given.
        y: f64,
        /// What went wrong, and how to fix it.
        msg: String,
    },
}

const ACCEPTED: &str = "accepted: EPSG:4326 (WGS84, \"WGS 84\", GPS), EPSG:4490 (CGCS2000, 国家2000), GCJ-02 \
(GCJ02, AutoNavi/Gaode/Tencent, 高德/火星/腾讯), BD-09 (BD09, Baidu, 百度), EPSG:3857 (Web Mercator), \
EPSG:4513 to EPSG:4554 (CGCS2000 3-degree Gauss-Krueger), EPSG:4491 to EPSG:4512 (CGCS2000 \
6-degree Gauss-Krueger), Albers:105E (CGCS2000 Albers equal-area, standard parallels 25N and 47N, \
central meridian 70E to 140E); a bare number is read as an EPSG code, and other EPSG codes work when \
sisetu is built with `--features proj`";

impl Crs {
    /// The [`Crs`] for an EPSG code, using the specific variant where there is one
    /// (4326 → [`Crs::Wgs84`], 4490 → [`Crs::Cgcs2000`], 3857/900913 → [`Crs::WebMercator`],
    /// 4513..=4554 → [`Crs::GaussKruger`]), [`Crs::Epsg`] otherwise.
    pub fn from_epsg(code: u32) -> Crs {
        match code {
            4326 => Crs::Wgs84,
            4490 => Crs::Cgcs2000,
            3857 | 900913 => Crs::WebMercator,
            4513..=4554 => GkZone::new(code).map_or(Crs::Epsg(code), Crs::GaussKruger),
            _ => Crs::Epsg(code),
        }
    }

    /// The same CRS in its canonical variant (for example `Epsg(4326)` → `Wgs84`,
    /// `Epsg(4538)` → `GaussKruger(GkZone` 4538`)`).
    pub fn canonical(self) -> Crs {
        match self {
            Crs::Epsg(code) => Crs::from_epsg(code),
            other => other,
        }
    }

    /// True for longitude/latitude systems in degrees (WGS84, CGCS2000, GCJ-02, BD-09).
    ///
    /// For an arbitrary [`Crs::Epsg`] code sisetu does not know the answer and returns false
    /// (except for the codes it maps to a specific variant, see [`Crs::from_epsg`]).
    pub fn is_geographic(&self) -> bool {
        matches!(self.canonical(), Crs::Wgs84 | Crs::Cgcs2000 | Crs::Gcj02 | Crs::Bd09)
    }

    /// True for projected systems in metres (Web Mercator and the CGCS2000 Gauss-Krüger zones).
    ///
    /// For an arbitrary [`Crs::Epsg`] code sisetu does not know the answer and returns false.
    pub fn is_metric(&self) -> bool {
        match self.canonical() {
            Crs::WebMercator | Crs::GaussKruger(_) | Crs::Albers(_) => true,
            Crs::Epsg(code) => gk_params(code).is_some(),
            _ => false,
        }
    }

    /// The CGCS2000 3-degree Gauss-Krüger zone with central meridian (75°E, 78°E, ..., 135°E)
    /// nearest to `lon`, as EPSG:4534..=4554 (false easting 500 000 m, no zone prefix).
    ///
    /// Returns `None` outside 73.5°E..=136.5°E, where there is no such zone.
    /// See [`GkZone::for_lon`].
    pub fn gauss_kruger_for_lon(lon: f64) -> Option<Crs> {
        GkZone::for_lon(lon).map(Crs::GaussKruger)
    }

    /// The central meridian (degrees east) of a CGCS2000 Gauss-Krüger zone, 3-degree
    /// ([`Crs::GaussKruger`]) or 6-degree (EPSG:4491..=4512); `None` for every other CRS.
    pub fn central_meridian(&self) -> Option<f64> {
        match self.canonical() {
            Crs::GaussKruger(zone) => Some(f64::from(zone.central_meridian())),
            Crs::Epsg(code) => gk_params(code).map(|p| f64::from(p.cm)),
            _ => None,
        }
    }

    /// The EPSG code; `None` for GCJ-02, BD-09 and [`Crs::Albers`], which have none.
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Wgs84 => Some(4326),
            Crs::Cgcs2000 => Some(4490),
            Crs::Gcj02 | Crs::Bd09 | Crs::Albers(_) => None,
            Crs::WebMercator => Some(3857),
            Crs::GaussKruger(zone) => Some(u32::from(zone.epsg())),
            Crs::Epsg(code) => Some(*code),
        }
    }

    /// An ESRI-style WKT definition for a shapefile's `.prj` file: `GEOGCS[...]` for EPSG:4326 and
    /// EPSG:4490, `PROJCS[...]` for the Gauss-Krüger zones and EPSG:3857, the same text that
    /// PROJ/GDAL write.
    ///
    /// `None` for GCJ-02 and BD-09 (they have no definition that GIS software understands) and for
    /// EPSG codes sisetu does not define itself.
    pub fn esri_wkt(&self) -> Option<String> {
        const WGS84_GEOGCS: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",\
SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],\
UNIT[\"Degree\",0.0174532925199433]]";
        const CGCS2000_GEOGCS: &str = "GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",\
DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],\
PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
        match self.canonical() {
            Crs::Wgs84 => Some(WGS84_GEOGCS.to_string()),
            Crs::Cgcs2000 => Some(CGCS2000_GEOGCS.to_string()),
            Crs::Gcj02 | Crs::Bd09 => None,
            Crs::WebMercator => Some(format!(
                "PROJCS[\"WGS_1984_Web_Mercator_Auxiliary_Sphere\",{WGS84_GEOGCS},\
PROJECTION[\"Mercator_Auxiliary_Sphere\"],PARAMETER[\"False_Easting\",0.0],\
PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",0.0],\
PARAMETER[\"Standard_Parallel_1\",0.0],PARAMETER[\"Auxiliary_Sphere_Type\",0.0],\
UNIT[\"Meter\",1.0]]"
            )),
            Crs::GaussKruger(zone) => Some(zone.params().esri_wkt(CGCS2000_GEOGCS)),
            Crs::Epsg(code) => gk_params(code).map(|p| p.esri_wkt(CGCS2000_GEOGCS)),
            Crs::Albers(cm) => {
                let (p1, p2) = AlbersCm::PARALLELS;
                Some(format!(
                    "PROJCS[\"CGCS2000_Albers_CM_{cm}E\",{CGCS2000_GEOGCS},PROJECTION[\"Albers\"],\
PARAMETER[\"False_Easting\",0.0],PARAMETER[\"False_Northing\",0.0],\
PARAMETER[\"Central_Meridian\",{cm:.1}],PARAMETER[\"Standard_Parallel_1\",{p1:.1}],\
PARAMETER[\"Standard_Parallel_2\",{p2:.1}],PARAMETER[\"Latitude_Of_Origin\",0.0],\
UNIT[\"Meter\",1.0]]",
                    cm = f64::from(cm.central_meridian())
                ))
            }
        }
    }

    /// A human-readable name, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 87E".
    pub fn description(&self) -> String {
        match self.canonical() {
            Crs::Wgs84 => "WGS 84".to_string(),
            Crs::Cgcs2000 => "CGCS2000".to_string(),
            Crs::Gcj02 => "GCJ-02 (AutoNavi/Tencent offset)".to_string(),
            Crs::Bd09 => "BD-09 (Baidu offset)".to_string(),
            Crs::WebMercator => "WGS 84 / Pseudo-Mercator".to_string(),
            Crs::GaussKruger(zone) => zone.params().name(),
            Crs::Epsg(code) => match gk_params(code) {
                Some(p) => p.name(),
                None => format!("EPSG:{code}"),
            },
            Crs::Albers(cm) => {
                let (p1, p2) = AlbersCm::PARALLELS;
                format!("CGCS2000 / Albers equal-area ({p1}N, {p2}N) CM {}E", cm.central_meridian())
            }
        }
    }
}

impl Crs {
    /// The CRS an ESRI `.prj` (WKT1) names, when it is one sisetu knows for sure: WGS84 and
    /// CGCS2000 longitude/latitude, Web Mercator, and CGCS2000 3° and 6° Gauss-Krüger zones
    /// (recognised by their central meridian and false easting, whatever the zone's name).
    /// `None` for anything else (another datum such as Xian 1980 or Beijing 1954, another
    /// projection, text that is no WKT): the caller asks for `crs` instead of guessing.
    ///
    /// ```
    /// use sisetu_io::crs::Crs;
    /// let prj = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    /// assert_eq!(Crs::from_prj(prj), Some(Crs::Cgcs2000));
    /// let gk = Crs::GaussKruger(sisetu_io::crs::GkZone::new(4538).unwrap());
    /// assert_eq!(Crs::from_prj(&gk.esri_wkt().unwrap()), Some(gk));
    /// ```
    pub fn from_prj(wkt: &str) -> Option<Crs> {
        let up: String = wkt.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let cgcs = up.contains("CHINA_2000")
            || up.contains("CGCS2000")
            || up.contains("CHINA_GEODETIC_COORDINATE_SYSTEM_2000");
        let wgs = up.contains("WGS_1984") || up.contains("WGS84") || up.contains("WGS1984");
        let param = |name: &str| -> Option<f64> {
            let at = up.find(&format!("PARAMETER[\"{name}\","))?;
            let rest = &up[at..];
            let start = rest.find(',')? + 1;
            let end = rest[start..].find(']')? + start;
            rest[start..end].trim().parse().ok()
        };
        if !up.starts_with("PROJCS[") {
            if !up.starts_with("GEOGCS[") {
                return None;
            }
            return if cgcs {
                Some(Crs::Cgcs2000)
            } else if wgs {
                Some(Crs::Wgs84)
            } else {
                None
            };
        }
        if up.contains("MERCATOR_AUXILIARY_SPHERE") || up.contains("PSEUDO_MERCATOR") || up.contains("WEB_MERCATOR") {
            return wgs.then_some(Crs::WebMercator);
        }
        let tm = up.contains("TRANSVERSE_MERCATOR") || up.contains("GAUSS_KRUGER");
        if !(cgcs && tm) {
            return None;
        }
        let cm = param("CENTRAL_MERIDIAN")?;
        let fe = param("FALSE_EASTING")?;
        let (k, lat0, fnorth) = (
            param("SCALE_FACTOR").unwrap_or(1.0),
            param("LATITUDE_OF_ORIGIN").unwrap_or(0.0),
            param("FALSE_NORTHING").unwrap_or(0.0),
        );
        if (k - 1.0).abs() > 1e-12 || lat0 != 0.0 || fnorth != 0.0 || cm.fract() != 0.0 {
            return None;
        }
        let cm = cm as i64;
        let code: i64 = if fe == 500_000.0 {
            match cm {
                // 3° zones without their number: 75°E..135°E.
                75..=135 if cm % 3 == 0 => 4534 + (cm - 75) / 3,
                _ => return None,
            }
        } else {
            let zone = ((fe - 500_000.0) / 1_000_000.0).round() as i64;
            if fe != zone as f64 * 1_000_000.0 + 500_000.0 {
                return None;
            }
            match zone {
                // 3° zones 25..45 (cm = 3·zone), numbered.
                25..=45 if cm == 3 * zone => 4513 + zone - 25,
                // 6° zones 13..23 (cm = 6·zone − 3), numbered.
                13..=23 if cm == 6 * zone - 3 => 4491 + zone - 13,
                _ => return None,
            }
        };
        let code = u32::try_from(code).ok()?;
        Some(match GkZone::new(code) {
            Ok(z) => Crs::GaussKruger(z),
            Err(_) => Crs::Epsg(code),
        })
    }
}

impl Crs {
    /// The CRS named in Chinese, as a map's footer names it: `2000国家大地坐标系 高斯-克吕格投影
    /// 3度带（中央经线87°E）` for EPSG:4538, `2000国家大地坐标系（CGCS2000）经纬度` for EPSG:4490.
    ///
    /// ```
    /// use sisetu_io::crs::Crs;
    /// assert_eq!(Crs::from_epsg(4538).name_zh(), "2000国家大地坐标系 高斯-克吕格投影 3度带（中央经线87°E）");
    /// ```
    pub fn name_zh(&self) -> String {
        match self.canonical() {
            Crs::Wgs84 => "WGS84 经纬度".to_string(),
            Crs::Cgcs2000 => "2000国家大地坐标系（CGCS2000）经纬度".to_string(),
            Crs::Gcj02 => "GCJ-02（高德/腾讯）经纬度".to_string(),
            Crs::Bd09 => "BD-09（百度）经纬度".to_string(),
            Crs::WebMercator => "Web 墨卡托投影（WGS84）".to_string(),
            Crs::GaussKruger(zone) => zone.params().name_zh(),
            Crs::Epsg(code) => match gk_params(code) {
                Some(p) => p.name_zh(),
                None => format!("EPSG:{code}"),
            },
            Crs::Albers(cm) => {
                let (p1, p2) = AlbersCm::PARALLELS;
                format!(
                    "2000国家大地坐标系 Albers 等积圆锥投影（标准纬线{p1}°N、{p2}°N，中央经线{}°E）",
                    cm.central_meridian()
                )
            }
        }
    }

    /// The largest relative scale error (|scale factor − 1|, along parallels or meridians) of
    /// this metric CRS over the longitude/latitude `extent` `[min lon, min lat, max lon,
    /// max lat]` (degrees), sampled on a 33 × 33 grid of points: 0.0006 means a nominal
    /// 1,000 m is between 999.4 m and 1,000.6 m on the ground somewhere in the extent.
    /// Measured against the GRS80 ellipsoid's parallel and meridian arcs, by converting points
    /// 10⁻⁴ degree apart. `None` for CRSs in degrees and where a point cannot be converted.
    ///
    /// ```
    /// use sisetu_io::crs::{AlbersCm, Crs};
    /// let gk = Crs::gauss_kruger_for_lon(87.0).unwrap();
    /// // 1.5 degrees either side of the central meridian at 43°N: about 0.02 %.
    /// let e = gk.worst_scale_error([85.5, 43.0, 88.5, 44.0]).unwrap();
    /// assert!(e > 1.5e-4 && e < 2.5e-4, "{e}");
    /// // All of China in Albers: a few per cent in lengths (areas are exact).
    /// let e = Crs::Albers(AlbersCm::new(105).unwrap()).worst_scale_error([73.0, 18.0, 135.0, 53.5]).unwrap();
    /// assert!(e > 0.02 && e < 0.06, "{e}");
    /// ```
    pub fn worst_scale_error(&self, extent: [f64; 4]) -> Option<f64> {
        if !self.is_metric() {
            return None;
        }
        let t = Transformer::new(Crs::Wgs84, *self).ok()?;
        let [lon0, lat0, lon1, lat1] = extent;
        const A: f64 = 6_378_137.0;
        const F: f64 = 1.0 / 298.257_222_101;
        const N: usize = 32;
        const D: f64 = 1e-4;
        let e2 = F * (2.0 - F);
        let mut worst = 0.0_f64;
        for i in 0..=N {
            for j in 0..=N {
                let lon = lon0 + (lon1 - lon0) * i as f64 / N as f64;
                let lat = (lat0 + (lat1 - lat0) * j as f64 / N as f64).clamp(-89.0, 89.0);
                let w = 1.0 - e2 * lat.to_radians().sin().powi(2);
                let parallel = A / w.sqrt() * lat.to_radians().cos() * D.to_radians();
                let meridian = A * (1.0 - e2) / w.powf(1.5) * D.to_radians();
                let p = t.transform(lon, lat).ok()?;
                let east = t.transform(lon + D, lat).ok()?;
                let north = t.transform(lon, lat + D).ok()?;
                let k = (east.0 - p.0).hypot(east.1 - p.1) / parallel;
                let h = (north.0 - p.0).hypot(north.1 - p.1) / meridian;
                worst = worst.max((k - 1.0).abs()).max((h - 1.0).abs());
            }
        }
        worst.is_finite().then_some(worst)
    }
}

impl fmt::Display for Crs {
    /// `EPSG:nnnn` for every system with an EPSG code, `GCJ-02` and `BD-09` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Gcj02 => f.write_str("GCJ-02"),
            Crs::Bd09 => f.write_str("BD-09"),
            Crs::Albers(cm) => write!(f, "Albers:{}E", cm.central_meridian()),
            other => match other.epsg() {
                Some(code) => write!(f, "EPSG:{code}"),
                None => unreachable!("only GCJ-02, BD-09 and Albers lack an EPSG code"),
            },
        }
    }
}

impl FromStr for Crs {
    type Err = CrsError;

    /// Parses a CRS name, ignoring case, spaces, underscores and hyphens.
    ///
    /// Accepted: `EPSG:4326`, `epsg:4326`, `EPSG 4326`, `4326`, `WGS84`, `WGS 84`, `WGS1984`,
    /// `CRS84`, `OGC:CRS84`, `urn:ogc:def:crs:EPSG::4490`, `CGCS2000`, `GCJ-02`, `GCJ02`, `GCJ`,
    /// `AutoNavi`, `Gaode`, `Amap`, `Tencent`, `BD-09`, `BD09`, `BD09LL`, `Baidu`, `EPSG:3857`,
    /// the Chinese names `国家2000`/`2000国家大地坐标系` (CGCS2000), `高德`/`火星`/`国测局`/`腾讯`
    /// (GCJ-02), `百度` (BD-09), `GPS` (WGS84),
    /// `WebMercator`, `PseudoMercator`, `EPSG:4513` ... `EPSG:4554`, `Albers:105E` (also
    /// `Albers 105`, `CGCS2000 Albers 105E`: [`Crs::Albers`]), and any other EPSG code as
    /// [`Crs::Epsg`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(char::to_uppercase)
            .collect();
        let named = match key.as_str() {
            "WGS84"
            | "WGS1984"
            | "CRS84"
            | "OGC:CRS84"
            | "URN:OGC:DEF:CRS:OGC:1.3:CRS84"
            | "URN:OGC:DEF:CRS:OGC::CRS84"
            | "GPS"
            | "GPS坐标"
            | "WGS84坐标"
            | "WGS84经纬度" => Some(Crs::Wgs84),
            "CGCS2000"
            | "CGCS"
            | "CHINA2000"
            | "国家2000"
            | "2000国家大地坐标系"
            | "国家2000坐标系"
            | "2000坐标系"
            | "国家大地坐标系2000"
            | "CGCS2000坐标系"
            | "CGCS2000经纬度" => Some(Crs::Cgcs2000),
            "GCJ02" | "GCJ" | "MARS" | "AUTONAVI" | "GAODE" | "AMAP" | "TENCENT" | "QQ" | "高德" | "高德地图"
            | "高德坐标" | "火星" | "火星坐标" | "火星坐标系" | "国测局" | "国测局坐标" | "腾讯" | "腾讯地图" => {
                Some(Crs::Gcj02)
            }
            "BD09" | "BD09LL" | "BAIDU" | "百度" | "百度地图" | "百度坐标" | "百度经纬度" => {
                Some(Crs::Bd09)
            }
            "WEBMERCATOR" | "PSEUDOMERCATOR" | "GOOGLEMERCATOR" => Some(Crs::WebMercator),
            _ => None,
        };
        if let Some(crs) = named {
            return Ok(crs);
        }
        // Codes: only spaces are ignored, so that "EPSG:-1" stays invalid.
        let code_key: String = s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let digits = ["URN:OGC:DEF:CRS:EPSG::", "EPSG::", "EPSG:", "EPSG"]
            .iter()
            .find_map(|prefix| code_key.strip_prefix(prefix))
            .unwrap_or(&code_key);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(code) = digits.parse::<u32>() {
                if code > 0 {
                    return Ok(Crs::from_epsg(code));
                }
            }
        }
        if let Some(rest) = key.strip_prefix("CGCS2000").unwrap_or(&key).strip_prefix("ALBERS") {
            let digits = rest.trim_start_matches(':').trim_end_matches('E');
            if let Ok(cm) = digits.parse::<u16>() {
                return AlbersCm::new(cm).map(Crs::Albers);
            }
        }
        if key == "BD09MC" {
            return Err(CrsError::Unknown(format!(
                "unsupported coordinate system {s:?}: Baidu Mercator (bd09mc) is not supported; \
                 convert to BD-09 longitude/latitude (bd09ll) first. {ACCEPTED}"
            )));
        }
        Err(CrsError::Unknown(format!("unknown coordinate system {s:?}; {ACCEPTED}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Gauss-Krüger parameters
// ---------------------------------------------------------------------------------------------

/// Parameters of a CGCS2000 Gauss-Krüger zone.
#[derive(Debug, Clone, Copy, PartialEq)]
struct GkParams {
    /// Central meridian, degrees east.
    cm: u16,
    /// Zone number when the false easting carries it, else None.
    zone: Option<u16>,
    /// 3 or 6 degree zones.
    width: u16,
}

impl GkParams {
    fn false_easting(&self) -> f64 {
        match self.zone {
            Some(z) => f64::from(z) * 1_000_000.0 + 500_000.0,
            None => 500_000.0,
        }
    }

    /// The EPSG code of this zone with (`zoned`) or without the zone-prefixed false easting.
    fn code_with_zone(&self, zoned: bool) -> u16 {
        match (self.width, zoned) {
            (3, false) => 4534 + (self.cm - 75) / 3,
            (3, true) => 4513 + self.cm / 3 - 25,
            (_, false) => 4502 + (self.cm - 75) / 6,
            (_, true) => 4491 + (self.cm + 3) / 6 - 13,
        }
    }

    /// Advice for coordinates that do not fit this zone.
    fn hint(&self, crs: Crs) -> String {
        let advice = match self.zone {
            Some(z) => format!(
                "eastings in {crs} start with the zone number {z} (e.g. {z}500000); without that \
                 prefix use EPSG:{}",
                self.code_with_zone(false)
            ),
            None => format!(
                "eastings in {crs} are around 500000 m; eastings of 8 digits carry a zone number \
                 and need a zone CRS such as EPSG:{}",
                self.code_with_zone(true)
            ),
        };
        format!("the coordinates are probably not in {crs}: {advice}")
    }

    fn proj_string(&self) -> String {
        format!(
            "+proj=tmerc +lat_0=0 +lon_0={} +k=1 +x_0={} +y_0=0 +ellps=GRS80 +units=m +no_defs",
            self.cm,
            self.false_easting()
        )
    }

    fn name_zh(&self) -> String {
        let width = if self.width == 3 { "3度带" } else { "6度带" };
        let zone = self.zone.map(|z| format!("第{z}带，")).unwrap_or_default();
        format!("2000国家大地坐标系 高斯-克吕格投影 {width}（{zone}中央经线{}°E）", self.cm)
    }

    fn name(&self) -> String {
        let prefix = if self.width == 3 { "CGCS2000 / 3-degree Gauss-Kruger" } else { "CGCS2000 / Gauss-Kruger" };
        match self.zone {
            Some(z) => format!("{prefix} zone {z}"),
            None => format!("{prefix} CM {}E", self.cm),
        }
    }

    fn esri_wkt(&self, geogcs: &str) -> String {
        let prefix = if self.width == 3 { "CGCS2000_3_Degree_GK" } else { "CGCS2000_GK" };
        let name = match self.zone {
            Some(z) => format!("{prefix}_Zone_{z}"),
            None => format!("{prefix}_CM_{}E", self.cm),
        };
        format!(
            "PROJCS[\"{name}\",{geogcs},PROJECTION[\"Gauss_Kruger\"],\
PARAMETER[\"False_Easting\",{:.1}],PARAMETER[\"False_Northing\",0.0],\
PARAMETER[\"Central_Meridian\",{:.1}],PARAMETER[\"Scale_Factor\",1.0],\
PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]",
            self.false_easting(),
            f64::from(self.cm)
        )
    }
}

/// The CGCS2000 Gauss-Krüger zone for an EPSG code, if it is one.
fn gk_params(code: u32) -> Option<GkParams> {
    let code = u16::try_from(code).ok()?;
    match code {
        // 6-degree, zones 13..=23, zone-prefixed false easting; CM = 6·zone − 3.
        4491..=4501 => {
            let zone = code - 4491 + 13;
            Some(GkParams { cm: 6 * zone - 3, zone: Some(zone), width: 6 })
        }
        // 6-degree, CM 75..=135.
        4502..=4512 => Some(GkParams { cm: 75 + 6 * (code - 4502), zone: None, width: 6 }),
        // 3-degree zones.
        4513..=4554 => Some(GkZone(code).params()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// GCJ-02 and BD-09
// ---------------------------------------------------------------------------------------------

/// Semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02.
const GCJ_A: f64 = 6_378_245.0;
/// Eccentricity squared of the Krasovsky 1940 ellipsoid.
#[allow(clippy::excessive_precision, reason = "published constants, kept digit for digit")]
const GCJ_EE: f64 = 0.006_693_421_622_965_943_23;
/// BD-09's angular constant.
const X_PI: f64 = PI * 3000.0 / 180.0;
/// Inverses stop when the forward image of the estimate is this close (degrees; 1e-11 degree is
/// about a micrometre).
const INVERSE_TOLERANCE: f64 = 1e-11;
/// Bound on how much the GCJ-02 and BD-09 offsets change per unit change of position (the largest
/// is about 0.0075, for the GCJ-02 longitude offset at 55°N).
const INVERSE_CONTRACTION: f64 = 0.01;
/// Inverses give up refining after this many steps (they converge in 3 or 4).
const INVERSE_MAX_ITER: usize = 30;

/// True outside the rough rectangle around China (longitude 72.004..=137.8347, latitude
/// 0.8293..=55.8271) within which GCJ-02 applies its offset; outside it GCJ-02 equals WGS84.
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !((72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat))
}

/// The published `transformLat`/`transformLon` polynomials (offsets in metres, for
/// x = lon − 105, y = lat − 35), written to share their common terms.
fn transform_lat_lon(x: f64, y: f64) -> (f64, f64) {
    let common = 20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin();
    let sqrt_abs_x = x.abs().sqrt();
    let mut lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x;
    lat += common * 2.0 / 3.0;
    lat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    lat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x;
    lon += common * 2.0 / 3.0;
    lon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    lon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    (lat, lon)
}

/// The GCJ-02 offset (degrees) at a WGS84 point inside China.
fn gcj_delta(lon: f64, lat: f64) -> (f64, f64) {
    let (dlat, dlon) = transform_lat_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let (s, c) = rad_lat.sin_cos();
    let magic = 1.0 - GCJ_EE * s * s;
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * c * PI);
    (dlon, dlat)
}

/// WGS84 → GCJ-02 (degrees). Points outside China ([`out_of_china`]) are returned unchanged.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = gcj_delta(lon, lat);
    (lon + dlon, lat + dlat)
}

/// Inverts `forward` at `target` by fixed-point iteration, starting from `start`.
///
/// `forward` must be the identity plus a small, slowly varying offset: the GCJ-02 and BD-09
/// offsets change by less than 1 % of a change in position ([`INVERSE_CONTRACTION`]), so each
/// step shrinks the error at least a hundredfold.
fn invert(forward: impl Fn(f64, f64) -> (f64, f64), target: (f64, f64), start: (f64, f64)) -> (f64, f64) {
    let (mut x, mut y) = start;
    let mut best = (x, y);
    let mut best_err = f64::INFINITY;
    for _ in 0..INVERSE_MAX_ITER {
        let (fx, fy) = forward(x, y);
        let (ex, ey) = (fx - target.0, fy - target.1);
        let err = ex.abs().max(ey.abs());
        if !err.is_finite() || err >= best_err {
            // Not converging (cannot happen with the offsets here); keep the best estimate.
            break;
        }
        best_err = err;
        best = (x, y);
        if err < INVERSE_TOLERANCE {
            break;
        }
        x -= ex;
        y -= ey;
        if err * INVERSE_CONTRACTION < INVERSE_TOLERANCE {
            // This step brought the error below the tolerance; skip checking it.
            return (x, y);
        }
    }
    best
}

/// GCJ-02 → WGS84 (degrees), the exact inverse of [`wgs84_to_gcj02`] found by iteration
/// (converges to below 1e-11 degree, about a micrometre, in three or four steps; at most 30). Points outside China are
/// returned unchanged.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = gcj_delta(lon, lat);
    invert(wgs84_to_gcj02, (lon, lat), (lon - dlon, lat - dlat))
}

/// GCJ-02 → BD-09 (degrees), the published formula.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon, lat);
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02 (degrees): the published closed form, refined by iteration into the exact
/// inverse of [`gcj02_to_bd09`] (round trip well under 1 mm).
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    let start = (z * theta.cos(), z * theta.sin());
    invert(gcj02_to_bd09, (lon, lat), start)
}

/// WGS84 → BD-09 (degrees), via GCJ-02.
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

/// BD-09 → WGS84 (degrees), via GCJ-02.
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(x, y)
}

// ---------------------------------------------------------------------------------------------
// Transformer
// ---------------------------------------------------------------------------------------------

/// How far (degrees of longitude) from a Gauss-Krüger zone's central meridian an unprojected
/// point may fall: farther out, unprojecting fails, taking the point as a sign of a wrong CRS
/// (usually a missing or extra zone prefix on the easting). The projection itself (exact
/// transverse Mercator) returns points to within 1e-13 degree at this distance.
pub const GK_MAX_OFFSET_DEG: f64 = 20.0;

/// How far (degrees of longitude) from the central meridian of a Gauss-Krüger working CRS a
/// site (or another point read from a table) may lie: the site readers reject positions
/// farther out ([`RejectReason::FarFromWorkingCrs`](crate::reject::RejectReason::FarFromWorkingCrs)).
/// The 1° left to [`GK_MAX_OFFSET_DEG`] (at least 19 km, even at 80°N) keeps the cells and
/// margins drawn around a site convertible back to longitude/latitude.
pub const GK_SITE_MAX_OFFSET_DEG: f64 = GK_MAX_OFFSET_DEG - 1.0;

/// One side of a transformation: from the CRS to WGS84 lon/lat, or back.
#[derive(Clone)]
enum Side {
    /// WGS84 or CGCS2000 longitude/latitude.
    LonLat,
    Gcj02,
    Bd09,
    /// A projection computed with proj4rs.
    Projected(Box<Projected>),
    /// A CRS handled by the system PROJ library.
    #[cfg(feature = "proj")]
    System(system::SystemCrs),
}

#[derive(Clone)]
struct Projected {
    /// Longitude/latitude on GRS80 without a datum (so proj4rs applies no datum shift).
    geo: proj4rs::Proj,
    proj: proj4rs::Proj,
    /// Central meridian of a Gauss-Krüger zone, for plausibility checks.
    gk: Option<GkParams>,
}

#[derive(Clone)]
enum Route {
    Identity,
    GcjToBd,
    BdToGcj,
    Via(Side, Side),
}

/// Converts coordinates from one [`Crs`] to another, via WGS84 longitude/latitude degrees.
///
/// Geographic coordinates are degrees (x = longitude, y = latitude); projected ones are metres
/// (x = easting, y = northing). A `Transformer` is `Send + Sync` and cheap to call per point; build
/// it once and share it (for example across rayon threads).
#[derive(Clone)]
pub struct Transformer {
    src: Crs,
    dst: Crs,
    route: Route,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transformer")
            .field("src", &self.src)
            .field("dst", &self.dst)
            .field("identity", &self.is_identity())
            .finish()
    }
}

fn proj4(def: &str, crs: Crs) -> Result<proj4rs::Proj, CrsError> {
    proj4rs::Proj::from_proj_string(def)
        .map_err(|e| CrsError::Unsupported(format!("cannot set up {crs} ({def}): {e}; this is a bug in sisetu")))
}

impl Side {
    fn new(crs: Crs) -> Result<Side, CrsError> {
        const GEO: &str = "+proj=longlat +ellps=GRS80 +no_defs";
        let projected = |def: &str, gk: Option<GkParams>| -> Result<Side, CrsError> {
            Ok(Side::Projected(Box::new(Projected { geo: proj4(GEO, crs)?, proj: proj4(def, crs)?, gk })))
        };
        match crs.canonical() {
            Crs::Wgs84 | Crs::Cgcs2000 => Ok(Side::LonLat),
            Crs::Gcj02 => Ok(Side::Gcj02),
            Crs::Bd09 => Ok(Side::Bd09),
            // EPSG:3857's definition carries +nadgrids=@null to stop a datum shift; here the
            // longitude/latitude side has no datum, so there is none to stop.
            Crs::WebMercator => projected(
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +no_defs",
                None,
            ),
            Crs::GaussKruger(zone) => {
                let p = zone.params();
                projected(&p.proj_string(), Some(p))
            }
            Crs::Epsg(code) => {
                if let Some(p) = gk_params(code) {
                    return projected(&p.proj_string(), Some(p));
                }
                Side::system(code)
            }
            Crs::Albers(cm) => projected(&cm.proj_string(), None),
        }
    }

    #[cfg(feature = "proj")]
    fn system(code: u32) -> Result<Side, CrsError> {
        Ok(Side::System(system::SystemCrs::new(code)?))
    }

    #[cfg(not(feature = "proj"))]
    fn system(code: u32) -> Result<Side, CrsError> {
        Err(CrsError::Unsupported(format!(
            "EPSG:{code} is not built into sisetu; rebuild it with `--features proj` (needs the \
             system PROJ library, e.g. `apt-get install libproj-dev`) to use any EPSG code, or \
             convert the data to one of the built-in systems ({ACCEPTED})"
        )))
    }

    fn is_lonlat(&self) -> bool {
        matches!(self, Side::LonLat)
    }
}

fn check_lonlat(x: f64, y: f64, crs: Crs) -> Result<(), CrsError> {
    if !x.is_finite() || !y.is_finite() {
        return Err(CrsError::Transform {
            x,
            y,
            msg: format!("the coordinates are not finite numbers (expected {crs} degrees)"),
        });
    }
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(CrsError::Transform {
            x,
            y,
            msg: format!(
                "not a longitude/latitude in degrees as {crs} requires (longitude must be within \
                 -180..180, latitude within -90..90); if these are projected metres, declare \
                 their projected CRS instead (for example EPSG:4538 for Gauss-Kruger CM 87E), and \
                 check that x is the longitude and y the latitude"
            ),
        });
    }
    Ok(())
}

fn proj4_error(x: f64, y: f64, crs: Crs, e: &proj4rs::errors::Error) -> CrsError {
    CrsError::Transform { x, y, msg: format!("{crs} ({}): {e}", crs.description()) }
}

impl Projected {
    fn unproject(&self, x: f64, y: f64, crs: Crs) -> Result<(f64, f64), CrsError> {
        if !x.is_finite() || !y.is_finite() {
            return Err(CrsError::Transform {
                x,
                y,
                msg: format!("the coordinates are not finite numbers (expected {crs} metres)"),
            });
        }
        let mut p = (x, y, 0.0);
        if let Err(e) = proj4rs::transform::transform(&self.proj, &self.geo, &mut p) {
            let mut err = proj4_error(x, y, crs, &e);
            if let (Some(gk), CrsError::Transform { msg, .. }) = (&self.gk, &mut err) {
                msg.push_str("; ");
                msg.push_str(&gk.hint(crs));
            }
            return Err(err);
        }
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        if !lon.is_finite() || !lat.is_finite() {
            return Err(CrsError::Transform { x, y, msg: format!("the point lies outside the domain of {crs}") });
        }
        if let Some(gk) = &self.gk {
            if (lon - f64::from(gk.cm)).abs() > GK_MAX_OFFSET_DEG {
                return Err(CrsError::Transform {
                    x,
                    y,
                    msg: format!(
                        "the point falls at longitude {lon:.3}, far from the central meridian \
                         {}E of {crs} ({}); {}",
                        gk.cm,
                        crs.description(),
                        gk.hint(crs)
                    ),
                });
            }
        }
        Ok((lon, lat))
    }

    fn project(&self, lon: f64, lat: f64, crs: Crs) -> Result<(f64, f64), CrsError> {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.geo, &self.proj, &mut p).map_err(|e| proj4_error(lon, lat, crs, &e))?;
        if !p.0.is_finite() || !p.1.is_finite() {
            return Err(CrsError::Transform {
                x: lon,
                y: lat,
                msg: format!("the point lies outside the domain of {crs}"),
            });
        }
        Ok((p.0, p.1))
    }
}

impl Side {
    /// From this side's CRS to WGS84 degrees.
    fn to_wgs84(&self, x: f64, y: f64, crs: Crs) -> Result<(f64, f64), CrsError> {
        match self {
            Side::LonLat => {
                check_lonlat(x, y, crs)?;
                Ok((x, y))
            }
            Side::Gcj02 => {
                check_lonlat(x, y, crs)?;
                Ok(gcj02_to_wgs84(x, y))
            }
            Side::Bd09 => {
                check_lonlat(x, y, crs)?;
                Ok(bd09_to_wgs84(x, y))
            }
            Side::Projected(p) => p.unproject(x, y, crs),
            #[cfg(feature = "proj")]
            Side::System(s) => s.to_wgs84(x, y),
        }
    }

    /// From WGS84 degrees (already checked) to this side's CRS.
    fn wgs84_into(&self, lon: f64, lat: f64, crs: Crs) -> Result<(f64, f64), CrsError> {
        match self {
            Side::LonLat => Ok((lon, lat)),
            Side::Gcj02 => Ok(wgs84_to_gcj02(lon, lat)),
            Side::Bd09 => Ok(wgs84_to_bd09(lon, lat)),
            Side::Projected(p) => p.project(lon, lat, crs),
            #[cfg(feature = "proj")]
            Side::System(s) => s.wgs84_into(lon, lat),
        }
    }
}

impl Transformer {
    /// A transformer from `src` to `dst`.
    ///
    /// Fails with [`CrsError::Unsupported`] for a [`Crs::Epsg`] code sisetu does not define
    /// itself when it was built without the `proj` feature (or PROJ does not know the code).
    pub fn new(src: Crs, dst: Crs) -> Result<Self, CrsError> {
        let (s, d) = (src.canonical(), dst.canonical());
        let same_datum = |c: Crs| matches!(c, Crs::Wgs84 | Crs::Cgcs2000);
        let route = if s == d || (same_datum(s) && same_datum(d)) {
            // Still validate the CRS (e.g. an unknown EPSG code).
            Side::new(s)?;
            Route::Identity
        } else if s == Crs::Gcj02 && d == Crs::Bd09 {
            Route::GcjToBd
        } else if s == Crs::Bd09 && d == Crs::Gcj02 {
            Route::BdToGcj
        } else {
            Route::Via(Side::new(s)?, Side::new(d)?)
        };
        Ok(Transformer { src, dst, route })
    }

    /// The source CRS, as given to [`Transformer::new`].
    pub fn src(&self) -> Crs {
        self.src
    }

    /// The destination CRS, as given to [`Transformer::new`].
    pub fn dst(&self) -> Crs {
        self.dst
    }

    /// True when points come out as they went in (same CRS, or WGS84 ↔ CGCS2000).
    pub fn is_identity(&self) -> bool {
        matches!(self.route, Route::Identity)
    }

    /// Transforms one point. Geographic coordinates are degrees (x = longitude, y = latitude),
    /// projected ones metres (x = easting, y = northing).
    ///
    /// Fails with [`CrsError::Transform`] for non-finite input, longitude/latitude out of range
    /// (often a sign that projected metres were declared as degrees), and points that do not
    /// belong in a Gauss-Krüger zone (often a missing or extra zone prefix on the easting).
    /// An identity transformer returns its input unchanged and never fails.
    #[inline]
    pub fn transform(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        match &self.route {
            Route::Identity => Ok((x, y)),
            Route::GcjToBd => {
                check_lonlat(x, y, self.src)?;
                Ok(gcj02_to_bd09(x, y))
            }
            Route::BdToGcj => {
                check_lonlat(x, y, self.src)?;
                Ok(bd09_to_gcj02(x, y))
            }
            Route::Via(from, to) => {
                let (lon, lat) = from.to_wgs84(x, y, self.src)?;
                if !to.is_lonlat() && !from.is_lonlat() {
                    // Projected input was checked by unprojecting; make sure the result is sane.
                    check_lonlat(lon, lat, Crs::Wgs84)?;
                }
                to.wgs84_into(lon, lat, self.dst)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// System PROJ (feature "proj")
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "proj")]
mod system {
    //! EPSG codes handled by the system PROJ library. A `proj::Proj` is neither `Send` nor
    //! `Sync` (it owns a PROJ context, which must stay on one thread), so each thread builds its
    //! own, cached in a thread-local map; `SystemCrs` itself holds only the code.

    use super::CrsError;
    use std::cell::RefCell;
    use std::collections::HashMap;

    thread_local! {
        /// (EPSG code, true = code → WGS84 / false = WGS84 → code) → PROJ transformation.
        static CACHE: RefCell<HashMap<(u32, bool), proj::Proj>> = RefCell::new(HashMap::new());
    }

    #[derive(Clone, Debug)]
    pub(super) struct SystemCrs {
        code: u32,
    }

    fn with_proj<R>(code: u32, to_wgs: bool, f: impl FnOnce(&proj::Proj) -> R) -> Result<R, CrsError> {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let std::collections::hash_map::Entry::Vacant(e) = cache.entry((code, to_wgs)) {
                let this = format!("EPSG:{code}");
                let (from, to) = if to_wgs { (this.as_str(), "EPSG:4326") } else { ("EPSG:4326", this.as_str()) };
                let p = proj::Proj::new_known_crs(from, to, None).map_err(|err| {
                    CrsError::Unsupported(format!(
                        "the PROJ library cannot convert between {from} and {to}: {err}; check \
                         the EPSG code"
                    ))
                })?;
                e.insert(p);
            }
            Ok(f(&cache[&(code, to_wgs)]))
        })
    }

    impl SystemCrs {
        pub(super) fn new(code: u32) -> Result<Self, CrsError> {
            // Build both directions once now so that an unknown code fails here, not per point.
            with_proj(code, true, |_| ())?;
            with_proj(code, false, |_| ())?;
            Ok(SystemCrs { code })
        }

        fn run(&self, x: f64, y: f64, to_wgs: bool) -> Result<(f64, f64), CrsError> {
            let code = self.code;
            let out = with_proj(code, to_wgs, |p| p.convert((x, y)))?;
            match out {
                Ok((a, b)) if a.is_finite() && b.is_finite() => Ok((a, b)),
                Ok(_) => {
                    Err(CrsError::Transform { x, y, msg: format!("the point lies outside the domain of EPSG:{code}") })
                }
                Err(e) => Err(CrsError::Transform { x, y, msg: format!("PROJ failed for EPSG:{code}: {e}") }),
            }
        }

        pub(super) fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
            if !x.is_finite() || !y.is_finite() {
                return Err(CrsError::Transform { x, y, msg: "the coordinates are not finite numbers".to_string() });
            }
            self.run(x, y, true)
        }

        pub(super) fn wgs84_into(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
            self.run(lon, lat, false)
        }
    }
}

/// Compile-time check that a [`Transformer`] can be shared across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Transformer>();
    assert_send_sync::<Crs>();
    assert_send_sync::<CrsError>();
};

#[cfg(test)]
#[path = "crs_tests.rs"]
mod tests;
