use super::*;

/// The 3-degree Gauss-Krüger zone with EPSG code `code` (which must be one).
fn zone(code: u32) -> Crs {
    Crs::GaussKruger(GkZone::new(code).unwrap())
}

#[test]
fn gk_zones_hold_only_the_3_degree_codes() {
    for code in [0, 4326, 4490, 4491, 4512, 4555, 65_536 + 4538, u32::MAX] {
        let err = GkZone::new(code).unwrap_err();
        assert!(err.to_string().contains("EPSG:4513 to EPSG:4554"), "{err}");
    }
    for code in 4513..=4554 {
        let z = GkZone::new(code).unwrap();
        assert_eq!(u32::from(z.epsg()), code);
        assert_eq!(z.to_string(), format!("EPSG:{code}"));
        assert_eq!(Crs::from_epsg(code), Crs::GaussKruger(z));
    }
    let zoned = GkZone::new(4517).unwrap(); // zone 29
    assert_eq!((zoned.central_meridian(), zoned.zone_number()), (87, Some(29)));
    assert_eq!(zoned.easting_range(), 29e6..30e6);
    let cm = GkZone::new(4538).unwrap();
    assert_eq!((cm.central_meridian(), cm.zone_number()), (87, None));
    assert_eq!(cm.easting_range(), 0.0..1e6);
    assert_eq!(GkZone::try_from(4549).unwrap().central_meridian(), 120);
}

/// Distance in metres between two lon/lat points (haversine on a 6371 km sphere).
fn dist_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// Every 0.5° over the GCJ-02 rectangle (inside it, away from its edges).
fn china_grid() -> impl Iterator<Item = (f64, f64)> {
    (0..=128).flat_map(|i| {
        let lon = 73.0 + 0.5 * f64::from(i);
        (0..=108).map(move |j| (lon, 1.0 + 0.5 * f64::from(j)))
    })
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

#[test]
fn parses_names() {
    let cases: &[(&str, Crs)] = &[
        ("EPSG:4490", Crs::Cgcs2000),
        ("epsg:4326", Crs::Wgs84),
        ("4490", Crs::Cgcs2000),
        ("4326", Crs::Wgs84),
        (" EPSG 4490 ", Crs::Cgcs2000),
        ("EPSG::4490", Crs::Cgcs2000),
        ("urn:ogc:def:crs:EPSG::4490", Crs::Cgcs2000),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", Crs::Wgs84),
        ("CGCS2000", Crs::Cgcs2000),
        ("cgcs_2000", Crs::Cgcs2000),
        ("WGS84", Crs::Wgs84),
        ("WGS 84", Crs::Wgs84),
        ("wgs-84", Crs::Wgs84),
        ("GCJ-02", Crs::Gcj02),
        ("GCJ02", Crs::Gcj02),
        ("gcj_02", Crs::Gcj02),
        ("gaode", Crs::Gcj02),
        ("BD-09", Crs::Bd09),
        ("BD09", Crs::Bd09),
        ("bd09ll", Crs::Bd09),
        ("Baidu", Crs::Bd09),
        ("EPSG:3857", Crs::WebMercator),
        ("EPSG:900913", Crs::WebMercator),
        ("web mercator", Crs::WebMercator),
        ("EPSG:4538", zone(4538)),
        ("epsg:4513", zone(4513)),
        ("4554", zone(4554)),
        ("EPSG:4502", Crs::Epsg(4502)),
        ("EPSG:32650", Crs::Epsg(32650)),
        ("国家2000", Crs::Cgcs2000),
        ("2000国家大地坐标系", Crs::Cgcs2000),
        ("高德", Crs::Gcj02),
        ("火星坐标", Crs::Gcj02),
        ("腾讯地图", Crs::Gcj02),
        ("百度", Crs::Bd09),
        ("百度 经纬度", Crs::Bd09),
        ("GPS", Crs::Wgs84),
    ];
    for (name, want) in cases {
        let got: Crs = name.parse().unwrap_or_else(|e| panic!("{name:?} did not parse: {e}"));
        assert_eq!(got, *want, "{name:?}");
    }
}

#[test]
fn unknown_names_list_what_is_accepted() {
    for name in ["", "EPSG:", "EPSG:0", "Beijing54", "GCJ-03", "EPSG:-1", "EPSG:44x"] {
        let err = name.parse::<Crs>().unwrap_err();
        assert!(matches!(err, CrsError::Unknown(_)), "{name:?}: {err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("{name:?}")), "{msg}");
        assert!(msg.contains("EPSG:4490") && msg.contains("GCJ-02") && msg.contains("BD-09"), "{msg}");
    }
    let msg = "bd09mc".parse::<Crs>().unwrap_err().to_string();
    assert!(msg.contains("bd09ll"), "{msg}");
}

#[test]
fn display_round_trips() {
    let mut all =
        vec![Crs::Wgs84, Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09, Crs::WebMercator, Crs::Epsg(4502), Crs::Epsg(32650)];
    all.extend((4513..=4554).map(zone));
    for crs in all {
        let text = crs.to_string();
        assert_eq!(text.parse::<Crs>().unwrap(), crs, "{text}");
    }
    assert_eq!(Crs::Wgs84.to_string(), "EPSG:4326");
    assert_eq!(Crs::Cgcs2000.to_string(), "EPSG:4490");
    assert_eq!(Crs::Gcj02.to_string(), "GCJ-02");
    assert_eq!(Crs::Bd09.to_string(), "BD-09");
    assert_eq!(Crs::WebMercator.to_string(), "EPSG:3857");
    assert_eq!(zone(4538).to_string(), "EPSG:4538");
    assert_eq!(Crs::Epsg(2385).to_string(), "EPSG:2385");
}

#[test]
fn properties() {
    for crs in [Crs::Wgs84, Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09, Crs::Epsg(4490)] {
        assert!(crs.is_geographic() && !crs.is_metric(), "{crs}");
    }
    for crs in [Crs::WebMercator, zone(4513), zone(4554), Crs::Epsg(4538), Crs::Epsg(4491), Crs::Epsg(4512)] {
        assert!(!crs.is_geographic() && crs.is_metric(), "{crs}");
    }
    assert!(!Crs::Epsg(32650).is_geographic() && !Crs::Epsg(32650).is_metric());
    assert_eq!(Crs::Gcj02.epsg(), None);
    assert_eq!(Crs::Bd09.epsg(), None);
    assert_eq!(Crs::Wgs84.epsg(), Some(4326));
    assert_eq!(Crs::Cgcs2000.epsg(), Some(4490));
    assert_eq!(Crs::WebMercator.epsg(), Some(3857));
    assert_eq!(zone(4548).epsg(), Some(4548));
    assert_eq!(Crs::Epsg(2385).epsg(), Some(2385));
    assert_eq!(Crs::Epsg(4326).canonical(), Crs::Wgs84);
    assert_eq!(Crs::from_epsg(4549), zone(4549));
    assert_eq!(zone(4538).description(), "CGCS2000 / 3-degree Gauss-Kruger CM 87E");
    assert_eq!(zone(4538).name_zh(), "2000国家大地坐标系 高斯-克吕格投影 3度带（中央经线87°E）");
    assert_eq!(zone(4517).name_zh(), "2000国家大地坐标系 高斯-克吕格投影 3度带（第29带，中央经线87°E）");
    assert_eq!(Crs::Epsg(4493).name_zh(), "2000国家大地坐标系 高斯-克吕格投影 6度带（第15带，中央经线87°E）");
    assert_eq!(Crs::Cgcs2000.name_zh(), "2000国家大地坐标系（CGCS2000）经纬度");
    assert_eq!(
        Crs::Albers(AlbersCm::new(105).unwrap()).name_zh(),
        "2000国家大地坐标系 Albers 等积圆锥投影（标准纬线25°N、47°N，中央经线105°E）"
    );
    assert_eq!(zone(4517).description(), "CGCS2000 / 3-degree Gauss-Kruger zone 29");
    assert_eq!(Crs::Epsg(4493).description(), "CGCS2000 / Gauss-Kruger zone 15");
}

#[test]
fn gauss_kruger_zone_for_longitude() {
    // CM = 3·round(lon/3); EPSG = 4534 + (CM − 75)/3.
    assert_eq!(Crs::gauss_kruger_for_lon(87.6), Some(zone(4538))); // Ürümqi, CM 87
    assert_eq!(Crs::gauss_kruger_for_lon(121.4), Some(zone(4549))); // Taizhou, CM 120
    assert_eq!(Crs::gauss_kruger_for_lon(115.9), Some(zone(4548))); // Linqing, CM 117
    assert_eq!(Crs::gauss_kruger_for_lon(73.5), Some(zone(4534)));
    assert_eq!(Crs::gauss_kruger_for_lon(75.0), Some(zone(4534)));
    assert_eq!(Crs::gauss_kruger_for_lon(135.0), Some(zone(4554)));
    assert_eq!(Crs::gauss_kruger_for_lon(136.5), Some(zone(4554)));
    assert_eq!(Crs::gauss_kruger_for_lon(73.4), None);
    assert_eq!(Crs::gauss_kruger_for_lon(136.6), None);
    assert_eq!(Crs::gauss_kruger_for_lon(f64::NAN), None);
    for i in 0..=630 {
        let lon = 73.5 + 0.1 * f64::from(i);
        let Some(Crs::GaussKruger(code)) = Crs::gauss_kruger_for_lon(lon) else {
            panic!("{lon}");
        };
        let cm = f64::from(75 + 3 * (code.epsg() - 4534));
        assert_eq!(f64::from(code.central_meridian()), cm);
        assert!((lon - cm).abs() <= 1.5 + 1e-9, "{lon} → {code}");
    }
}

/// ESRI WKT, compared with pyproj 3.7.2 / PROJ 9.5.1 `CRS.from_epsg(c).to_wkt("WKT1_ESRI")`.
#[test]
fn esri_wkt_matches_proj() {
    const CGCS: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const WGS: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    let gk = |name: &str, fe: &str, cm: &str| {
        format!(
            r#"PROJCS["{name}",{CGCS},PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",{fe}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
        )
    };
    assert_eq!(Crs::Wgs84.esri_wkt().unwrap(), WGS);
    assert_eq!(Crs::Cgcs2000.esri_wkt().unwrap(), CGCS);
    assert_eq!(zone(4538).esri_wkt().unwrap(), gk("CGCS2000_3_Degree_GK_CM_87E", "500000.0", "87.0"));
    assert_eq!(zone(4549).esri_wkt().unwrap(), gk("CGCS2000_3_Degree_GK_CM_120E", "500000.0", "120.0"));
    assert_eq!(zone(4517).esri_wkt().unwrap(), gk("CGCS2000_3_Degree_GK_Zone_29", "29500000.0", "87.0"));
    assert_eq!(Crs::Epsg(4504).esri_wkt().unwrap(), gk("CGCS2000_GK_CM_87E", "500000.0", "87.0"));
    assert_eq!(Crs::Epsg(4493).esri_wkt().unwrap(), gk("CGCS2000_GK_Zone_15", "15500000.0", "87.0"));
    assert_eq!(
        Crs::WebMercator.esri_wkt().unwrap(),
        format!(
            r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{WGS},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#
        )
    );
    assert_eq!(Crs::Gcj02.esri_wkt(), None);
    assert_eq!(Crs::Bd09.esri_wkt(), None);
    assert_eq!(Crs::Epsg(32650).esri_wkt(), None);
}

// ---------------------------------------------------------------------------------------------
// GCJ-02 / BD-09
// ---------------------------------------------------------------------------------------------

/// (wgs lon, wgs lat, gcj lon, gcj lat, bd lon, bd lat), where gcj = wgs84→gcj02(wgs) and
/// bd = gcj02→bd09(wgs) (the BD-09 formula applied to the first pair read as GCJ-02).
/// Generated with the Python package prcoords 1.0.2 (`wgs_gcj`, `gcj_bd`), which implements the
/// same published formulas independently.
const GCJ_REFERENCE: &[(f64, f64, f64, f64, f64, f64)] = &[
    (87.6, 43.8, 87.60283897227161, 43.80121203029208, 87.6063685996058, 43.80626279980289),
    (121.4, 28.7, 121.40444069207379, 28.69708312940386, 121.4065599057518, 28.70582188481743),
    (115.9, 36.4, 115.90553940403623, 36.3999215139998, 115.90646192456605, 36.40617903979603),
    (116.397428, 39.90923, 116.40367162595768, 39.91063350638631, 116.40380056450005, 39.9155730161122),
    (113.9, 22.5, 113.90486389528537, 22.496945031454228, 113.90646624987187, 22.506170849974687),
    (126.6, 45.75, 126.60591024103101, 45.751913682164364, 126.60638155890531, 45.75638659712081),
];

#[test]
fn gcj02_and_bd09_match_reference_implementation() {
    for &(lon, lat, glon, glat, blon, blat) in GCJ_REFERENCE {
        let g = wgs84_to_gcj02(lon, lat);
        assert!(
            (g.0 - glon).abs() < 1e-9 && (g.1 - glat).abs() < 1e-9,
            "wgs84_to_gcj02({lon}, {lat}) = {g:?}, want ({glon}, {glat})"
        );
        let b = gcj02_to_bd09(lon, lat);
        assert!(
            (b.0 - blon).abs() < 1e-9 && (b.1 - blat).abs() < 1e-9,
            "gcj02_to_bd09({lon}, {lat}) = {b:?}, want ({blon}, {blat})"
        );
        // The offset is a few hundred metres here.
        let d = dist_m((lon, lat), g);
        assert!((100.0..1000.0).contains(&d), "offset {d} m at ({lon}, {lat})");
    }
}

#[test]
fn gcj02_round_trip_over_china() {
    let mut worst: f64 = 0.0;
    let mut n = 0;
    for (lon, lat) in china_grid() {
        let g = wgs84_to_gcj02(lon, lat);
        let back = gcj02_to_wgs84(g.0, g.1);
        let d = dist_m((lon, lat), back);
        worst = worst.max(d);
        assert!(d < 0.5, "({lon}, {lat}) → {g:?} → {back:?}: {d} m");
        // The other direction too.
        let w = gcj02_to_wgs84(lon, lat);
        let again = wgs84_to_gcj02(w.0, w.1);
        assert!(dist_m((lon, lat), again) < 0.5, "({lon}, {lat})");
        n += 1;
    }
    assert!(n > 10_000);
    // Much better than required in practice.
    eprintln!("GCJ-02 round trip over {n} grid points: worst {worst:e} m");
    assert!(worst < 1e-4, "worst GCJ-02 round trip {worst} m");
}

#[test]
fn bd09_round_trip_over_china() {
    let mut worst: f64 = 0.0;
    for (lon, lat) in china_grid() {
        let b = gcj02_to_bd09(lon, lat);
        let back = bd09_to_gcj02(b.0, b.1);
        let d = dist_m((lon, lat), back);
        worst = worst.max(d);
        assert!(d < 0.5, "({lon}, {lat}) → {b:?} → {back:?}: {d} m");
        let b = wgs84_to_bd09(lon, lat);
        let back = bd09_to_wgs84(b.0, b.1);
        assert!(dist_m((lon, lat), back) < 0.5, "({lon}, {lat})");
    }
    eprintln!("BD-09 round trip: worst {worst:e} m");
    assert!(worst < 1e-4, "worst BD-09 round trip {worst} m");
}

#[test]
fn no_offset_outside_china() {
    for (lon, lat) in [
        (0.0, 0.0),
        (-70.5, -33.4),
        (139.7, 35.7),  // Tokyo
        (100.5, 0.5),   // south of the rectangle
        (71.9, 40.0),   // west of it
        (105.0, 56.0),  // north of it
        (151.2, -33.9), // Sydney
    ] {
        assert!(out_of_china(lon, lat), "({lon}, {lat})");
        assert_eq!(wgs84_to_gcj02(lon, lat), (lon, lat));
        assert_eq!(gcj02_to_wgs84(lon, lat), (lon, lat));
    }
    for (lon, lat) in [(87.6, 43.8), (121.4, 28.7), (72.1, 0.9), (137.8, 55.8)] {
        assert!(!out_of_china(lon, lat), "({lon}, {lat})");
    }
}

#[test]
fn gcj02_inverse_is_exact_to_1e_9_degree() {
    for (lon, lat) in china_grid().step_by(7) {
        let w = gcj02_to_wgs84(lon, lat);
        let g = wgs84_to_gcj02(w.0, w.1);
        assert!((g.0 - lon).abs() < 1e-9 && (g.1 - lat).abs() < 1e-9, "({lon}, {lat}): {g:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Projections against pyproj
// ---------------------------------------------------------------------------------------------

/// (EPSG code, lon, lat, easting, northing).
///
/// Generated with pyproj 3.7.2 (PROJ 9.5.1):
/// `pyproj.Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True).transform(lon, lat)`
/// (from "EPSG:4326" for EPSG:3857).
const PROJ_REFERENCE: &[(u32, f64, f64, f64, f64)] = &[
    // Ürümqi, CGCS2000 3-degree GK CM 87E
    (4538, 87.6, 43.8, 548285.1150772055, 4851775.302747785),
    (4538, 87.3, 43.6, 524222.92823271005, 4829422.7671611),
    (4538, 87.9, 44.1, 572064.319523695, 4885327.58894888),
    (4538, 86.9, 43.2, 491872.3998642111, 4784943.676164149),
    (4538, 88.4, 44.5, 611341.5983076927, 4930334.470872561),
    // the same in zone 29 (zone-prefixed false easting)
    (4517, 87.6, 43.8, 29548285.115077205, 4851775.302747785),
    (4517, 86.9, 43.2, 29491872.39986421, 4784943.676164149),
    // Liaocheng / Linqing, CM 117E
    (4548, 115.9, 36.4, 401321.407201632, 4030489.909787409),
    (4548, 115.7, 36.85, 384055.09992499463, 4080653.463398765),
    (4548, 116.3, 36.1, 436964.71234770515, 3996865.5459894147),
    // Taizhou / Jiaojiang, CM 120E
    (4549, 121.4, 28.7, 636813.8819558597, 3176822.129834811),
    (4549, 121.45, 28.65, 641767.9678943063, 3171338.0221191742),
    (4549, 121.1, 28.9, 607289.3362410428, 3198683.6032268954),
    (4549, 122.0, 28.4, 696014.4777280813, 3144398.4044334185),
    // zone 37 (CM 111E), zone 25 (CM 75E), zone 45 (CM 135E) and CM 135E
    (4525, 111.2, 34.5, 37518368.009764284, 3819143.0562292193),
    (4525, 110.1, 30.0, 37413160.54873114, 3320454.43329016),
    (4513, 75.5, 39.5, 25543006.8149793, 4374133.476891488),
    (4533, 134.5, 47.5, 45462328.25734657, 5262956.057595766),
    (4554, 134.5, 47.5, 462328.2573465673, 5262956.057595766),
    // CGCS2000 6-degree GK: CM 87E, zone 15 (CM 87E), zone 23 (CM 135E)
    (4504, 87.6, 43.8, 548285.1150772055, 4851775.302747785),
    (4493, 87.6, 43.8, 15548285.115077205, 4851775.302747785),
    (4501, 134.5, 47.5, 23462328.257346567, 5262956.057595766),
    // Web Mercator
    (3857, 87.6, 43.8, 9751587.393490763, 5434543.708480057),
    (3857, 121.4, 28.7, 13514186.182303412, 3337517.887029839),
    (3857, 115.9, 36.4, 12901928.98294041, 4355801.264971882),
    (3857, 0.0, 0.0, 0.0, 0.0),
    (3857, -70.5, -33.4, -7848024.100925787, -3948518.4270993904),
];

#[test]
fn projections_match_pyproj() {
    let mut worst_m: f64 = 0.0;
    let mut worst_deg: f64 = 0.0;
    for &(code, lon, lat, e, n) in PROJ_REFERENCE {
        let crs = Crs::from_epsg(code);
        let src = if code == 3857 { Crs::Wgs84 } else { Crs::Cgcs2000 };
        let fwd = Transformer::new(src, crs).unwrap();
        let (x, y) = fwd.transform(lon, lat).unwrap();
        let dm = (x - e).abs().max((y - n).abs());
        worst_m = worst_m.max(dm);
        assert!(dm < 1e-3, "{crs} ({lon}, {lat}) → ({x}, {y}), want ({e}, {n})");

        let inv = Transformer::new(crs, src).unwrap();
        let (lo, la) = inv.transform(e, n).unwrap();
        let dd = (lo - lon).abs().max((la - lat).abs());
        worst_deg = worst_deg.max(dd);
        assert!(dd < 1e-8, "{crs} ({e}, {n}) → ({lo}, {la}), want ({lon}, {lat})");
    }
    eprintln!("projections vs pyproj: worst {worst_m:e} m forward, {worst_deg:e}° inverse");
}

#[test]
fn projection_round_trip_over_china() {
    for (lon, lat) in china_grid().step_by(3) {
        let mut systems = vec![Crs::WebMercator];
        systems.extend(Crs::gauss_kruger_for_lon(lon));
        for dst in systems {
            let fwd = Transformer::new(Crs::Wgs84, dst).unwrap();
            let inv = Transformer::new(dst, Crs::Wgs84).unwrap();
            let (x, y) = fwd.transform(lon, lat).unwrap();
            let (lo, la) = inv.transform(x, y).unwrap();
            assert!(
                (lo - lon).abs() < 1e-9 && (la - lat).abs() < 1e-9,
                "{dst} ({lon}, {lat}) → ({x}, {y}) → ({lo}, {la})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Transformer
// ---------------------------------------------------------------------------------------------

#[test]
fn identity_transformers() {
    for (a, b) in [
        (Crs::Wgs84, Crs::Wgs84),
        (Crs::Wgs84, Crs::Cgcs2000),
        (Crs::Cgcs2000, Crs::Wgs84),
        (Crs::Gcj02, Crs::Gcj02),
        (zone(4538), zone(4538)),
        (Crs::Epsg(4538), zone(4538)),
        (Crs::Epsg(4326), Crs::Cgcs2000),
    ] {
        let t = Transformer::new(a, b).unwrap();
        assert!(t.is_identity(), "{a} → {b}");
        assert_eq!(t.transform(87.6, 43.8).unwrap(), (87.6, 43.8));
        assert_eq!((t.src(), t.dst()), (a, b));
    }
    assert!(!Transformer::new(Crs::Wgs84, Crs::Gcj02).unwrap().is_identity());
    assert!(!Transformer::new(zone(4538), zone(4517)).unwrap().is_identity());
}

#[test]
fn transformer_chains_match_functions() {
    let (lon, lat) = (121.4, 28.7);
    let t = |a: Crs, b: Crs, x: f64, y: f64| Transformer::new(a, b).unwrap().transform(x, y).unwrap();
    assert_eq!(t(Crs::Wgs84, Crs::Gcj02, lon, lat), wgs84_to_gcj02(lon, lat));
    assert_eq!(t(Crs::Gcj02, Crs::Wgs84, lon, lat), gcj02_to_wgs84(lon, lat));
    assert_eq!(t(Crs::Gcj02, Crs::Bd09, lon, lat), gcj02_to_bd09(lon, lat));
    assert_eq!(t(Crs::Bd09, Crs::Gcj02, lon, lat), bd09_to_gcj02(lon, lat));
    assert_eq!(t(Crs::Cgcs2000, Crs::Bd09, lon, lat), wgs84_to_bd09(lon, lat));
    assert_eq!(t(Crs::Bd09, Crs::Cgcs2000, lon, lat), bd09_to_wgs84(lon, lat));

    // GCJ-02 → GK → BD-09 → WGS84 gets back to the start.
    let gk = Crs::gauss_kruger_for_lon(lon).unwrap();
    let g = wgs84_to_gcj02(lon, lat);
    let (e, n) = t(Crs::Gcj02, gk, g.0, g.1);
    let (direct_e, direct_n) = t(Crs::Wgs84, gk, lon, lat);
    assert!((e - direct_e).abs() < 1e-6 && (n - direct_n).abs() < 1e-6);
    let b = t(gk, Crs::Bd09, e, n);
    let w = t(Crs::Bd09, Crs::Wgs84, b.0, b.1);
    assert!(dist_m(w, (lon, lat)) < 1e-3);

    // Between two projected systems.
    let (x, y) = t(zone(4538), zone(4517), 548285.1150772055, 4851775.302747785);
    assert!((x - 29548285.115077205).abs() < 1e-3 && (y - 4851775.302747785).abs() < 1e-3);
    let (x, y) = t(zone(4538), Crs::WebMercator, 548285.1150772055, 4851775.302747785);
    assert!((x - 9751587.393490763).abs() < 1e-3 && (y - 5434543.708480057).abs() < 1e-3);
}

#[test]
fn transformer_is_send_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
    let t = Transformer::new(Crs::Gcj02, zone(4538)).unwrap();
    assert_send_sync(&t);
    let want = t.transform(87.6, 43.8).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| t.transform(87.6, 43.8).unwrap())).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), want);
        }
    });
    assert!(format!("{t:?}").contains("Gcj02"));
}

#[test]
fn helpful_errors() {
    // Metres declared as degrees.
    let t = Transformer::new(Crs::Cgcs2000, zone(4538)).unwrap();
    let err = t.transform(548285.1, 4851775.3).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CrsError::Transform { .. }));
    assert!(msg.contains("548285.1") && msg.contains("projected"), "{msg}");
    assert!(t.transform(f64::NAN, 43.8).is_err());

    // Zone-prefixed easting given to a CM zone, and the other way round.
    let t = Transformer::new(zone(4538), Crs::Wgs84).unwrap();
    let msg = t.transform(29548285.1, 4851775.3).unwrap_err().to_string();
    assert!(msg.contains("EPSG:4517"), "{msg}");
    let t = Transformer::new(zone(4517), Crs::Wgs84).unwrap();
    let msg = t.transform(548285.1, 4851775.3).unwrap_err().to_string();
    assert!(msg.contains("EPSG:4538"), "{msg}");
    let t = Transformer::new(Crs::Epsg(4493), Crs::Wgs84).unwrap();
    let msg = t.transform(548285.1, 4851775.3).unwrap_err().to_string();
    assert!(msg.contains("EPSG:4504"), "{msg}");

    // Codes that are not GK zones.
    let err = GkZone::new(4490).unwrap_err();
    assert!(matches!(err, CrsError::Unsupported(_)), "{err}");
    assert!(err.to_string().contains("4513"), "{err}");
}

#[cfg(not(feature = "proj"))]
#[test]
fn other_epsg_codes_need_the_proj_feature() {
    for (a, b) in [(Crs::Epsg(32650), Crs::Wgs84), (Crs::Wgs84, Crs::Epsg(2385)), (Crs::Epsg(2385), Crs::Epsg(2385))] {
        let err = Transformer::new(a, b).unwrap_err();
        assert!(matches!(err, CrsError::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("--features proj"), "{err}");
    }
}

#[cfg(feature = "proj")]
#[test]
fn other_epsg_codes_use_system_proj() {
    // WGS 84 / UTM zone 51N; pyproj 3.7.2 (PROJ 9.5.1), always_xy: (121.4, 28.7) →
    // (343701.2373459148, 3175797.114539397).
    let t = Transformer::new(Crs::Wgs84, Crs::Epsg(32651)).unwrap();
    let (x, y) = t.transform(121.4, 28.7).unwrap();
    assert!((x - 343701.2373459148).abs() < 1e-3 && (y - 3175797.114539397).abs() < 1e-3, "({x}, {y})");
    let inv = Transformer::new(Crs::Epsg(32651), Crs::Wgs84).unwrap();
    let (lon, lat) = inv.transform(x, y).unwrap();
    assert!((lon - 121.4).abs() < 1e-8 && (lat - 28.7).abs() < 1e-8);
    // Used from other threads, each with its own PROJ context.
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(t.transform(121.4, 28.7).unwrap(), (x, y)));
    });
    let err = Transformer::new(Crs::Wgs84, Crs::Epsg(1)).unwrap_err();
    assert!(matches!(err, CrsError::Unsupported(_)), "{err}");
}

/// Albers:105E against PROJ 9 (pyproj 3.7, `+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47
/// +ellps=GRS80`) to a millimetre, both ways.
#[test]
fn albers_matches_proj() {
    let albers = Crs::Albers(AlbersCm::new(105).unwrap());
    let to = Transformer::new(Crs::Cgcs2000, albers).unwrap();
    let back = Transformer::new(albers, Crs::Cgcs2000).unwrap();
    for ((lon, lat), (x, y)) in [
        ((87.6, 43.8), (-1378963.7648, 4849019.8635)),
        ((121.4, 31.2), (1534197.1303, 3433429.3429)),
        ((126.6, 45.75), (1659942.3719, 5127491.6328)),
        ((80.0, 30.0), (-2358217.8603, 3470132.2314)),
        ((110.3, 20.0), (564082.6759, 2079895.1583)),
    ] {
        let (px, py) = to.transform(lon, lat).unwrap();
        assert!((px - x).abs() < 1e-3 && (py - y).abs() < 1e-3, "({lon}, {lat}) → ({px}, {py}), PROJ ({x}, {y})");
        let (blon, blat) = back.transform(px, py).unwrap();
        assert!((blon - lon).abs() < 1e-9 && (blat - lat).abs() < 1e-9, "back: ({blon}, {blat})");
    }
    assert!(albers.esri_wkt().unwrap().contains("PROJECTION[\"Albers\"]"));
    assert_eq!("CGCS2000 Albers 105E".parse::<Crs>().unwrap(), albers);
    assert!("Albers:200E".parse::<Crs>().is_err());
}
