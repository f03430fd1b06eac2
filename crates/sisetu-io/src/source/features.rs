//! GeoJSON as more than one reader reads it: a whole FeatureCollection (sites, zones),
//! property values as text (sites, tables, zones) and polygon coordinates checked before
//! they become geo geometries (tables, zones).

use crate::error::{Error, Result};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Parses `bytes` as a GeoJSON FeatureCollection; the error names the file as `path`.
pub(crate) fn feature_collection(bytes: &[u8], path: &str) -> Result<geojson::FeatureCollection> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::Format { path: path.into(), msg: format!("not a GeoJSON FeatureCollection: {e}") })
}

/// A property value as text: strings as they are, `null` as empty, anything else as JSON.
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A GeoJSON ring as a line string; every position needs two finite numbers.
pub(crate) fn geojson_ring(ring: &[geojson::Position]) -> Result<LineString<f64>, String> {
    ring.iter()
        .map(|p| match p.as_slice() {
            [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord { x: *x, y: *y }),
            other => Err(format!("a position needs longitude and latitude, found {other:?}")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
}

/// A GeoJSON polygon (exterior ring, then holes); an error when it has no ring or a
/// position is malformed.
pub(crate) fn geojson_polygon(rings: &[Vec<geojson::Position>]) -> Result<Polygon<f64>, String> {
    let Some((outer, holes)) = rings.split_first() else {
        return Err("a polygon with no rings".into());
    };
    Ok(Polygon::new(geojson_ring(outer)?, holes.iter().map(|h| geojson_ring(h)).collect::<Result<_, _>>()?))
}

/// The (multi)polygons of a geometry, `Ok(None)` for other geometry types, `Err` for
/// malformed coordinates (checked here: the geojson crate's conversion would panic on them).
pub(crate) fn geojson_polygons(g: &geojson::GeometryValue) -> Result<Option<MultiPolygon<f64>>, String> {
    use geojson::GeometryValue as G;
    Ok(Some(match g {
        G::Polygon { coordinates } => MultiPolygon(vec![geojson_polygon(coordinates)?]),
        G::MultiPolygon { coordinates } => {
            MultiPolygon(coordinates.iter().map(|p| geojson_polygon(p)).collect::<Result<_, _>>()?)
        }
        G::GeometryCollection { geometries } => {
            let mut polys = Vec::new();
            for g in geometries {
                match geojson_polygons(&g.value)? {
                    Some(mp) => polys.extend(mp.0),
                    None => return Ok(None),
                }
            }
            MultiPolygon(polys)
        }
        _ => return Ok(None),
    }))
}
