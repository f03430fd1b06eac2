//! Well-known binary (ISO WKB, little-endian, 2D) of the two geometry types the writers
//! write, and of points read back.

use super::Geometry;

/// WKB type codes.
const POINT: u32 = 1;
const POLYGON: u32 = 3;

/// Appends the WKB of `g` to `buf`: 21 bytes for a point, 13 + 16 per vertex for a polygon.
pub(crate) fn push(buf: &mut Vec<u8>, g: &Geometry) {
    buf.push(1); // little-endian
    match g {
        Geometry::Point { lon, lat } => {
            buf.extend_from_slice(&POINT.to_le_bytes());
            buf.extend_from_slice(&lon.to_le_bytes());
            buf.extend_from_slice(&lat.to_le_bytes());
        }
        Geometry::Polygon(ring) => {
            buf.extend_from_slice(&POLYGON.to_le_bytes());
            buf.extend_from_slice(&1u32.to_le_bytes());
            buf.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for (x, y) in ring {
                buf.extend_from_slice(&x.to_le_bytes());
                buf.extend_from_slice(&y.to_le_bytes());
            }
        }
    }
}

/// What a WKB value holds, as far as the readers need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WkbGeometry {
    /// A 2D point (or the x/y of a point with Z and/or M).
    Point(f64, f64),
    /// An empty point (NaN coordinates, as GEOS writes `POINT EMPTY`).
    EmptyPoint,
    /// Another geometry type: its name.
    Other(&'static str),
    /// Not WKB (too short, unknown byte order or type).
    Invalid,
}

fn type_name(code: u32) -> &'static str {
    match code % 1000 {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        _ => "an unknown geometry type",
    }
}

/// Reads the head of a WKB value: a point's coordinates, or the type of anything else.
/// ISO (1001, 2001, 3001) and EWKB (flag bits) point types with Z or M are read as 2D.
pub fn read(bytes: &[u8]) -> WkbGeometry {
    let Some((&order, rest)) = bytes.split_first() else { return WkbGeometry::Invalid };
    let le = match order {
        0 => false,
        1 => true,
        _ => return WkbGeometry::Invalid,
    };
    let u32_at = |b: &[u8]| -> Option<u32> {
        let a: [u8; 4] = b.get(..4)?.try_into().ok()?;
        Some(if le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    };
    let f64_at = |b: &[u8]| -> Option<f64> {
        let a: [u8; 8] = b.get(..8)?.try_into().ok()?;
        Some(if le { f64::from_le_bytes(a) } else { f64::from_be_bytes(a) })
    };
    let Some(raw) = u32_at(rest) else { return WkbGeometry::Invalid };
    // EWKB: the high bits flag Z, M and an SRID (4 more bytes before the coordinates).
    let has_srid = raw & 0x2000_0000 != 0;
    let code = raw & 0x0FFF_FFFF;
    if code % 1000 != POINT {
        return match code % 1000 {
            2..=7 => WkbGeometry::Other(type_name(code)),
            _ => WkbGeometry::Invalid,
        };
    }
    let Some(coords) = rest.get(if has_srid { 8 } else { 4 }..) else { return WkbGeometry::Invalid };
    match (f64_at(coords), coords.get(8..).and_then(f64_at)) {
        (Some(x), Some(y)) if x.is_nan() && y.is_nan() => WkbGeometry::EmptyPoint,
        (Some(x), Some(y)) => WkbGeometry::Point(x, y),
        _ => WkbGeometry::Invalid,
    }
}
