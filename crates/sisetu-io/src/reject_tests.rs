use super::*;

fn s(v: &str) -> String {
    v.to_string()
}

/// The texts of the table-record reasons reproduce the ones the coverage analysis writes
/// today (the first two are pinned by the demo's rejects.csv).
#[test]
fn table_record_texts() {
    let cases: Vec<(RejectReason, &str)> = vec![
        (
            RejectReason::NoValue {
                what: "effective area",
                column: Some(s("有效面积")),
                need: "a shelter needs its effective area in m²",
            },
            "no effective area (有效面积 is empty): a shelter needs its effective area in m²",
        ),
        (
            RejectReason::UnknownValue {
                what: "class",
                value: s("临时"),
                column: s("类别"),
                known: vec![s("中心"), s("固定"), s("紧急")],
                fix: Some(s("add [facilities.classes.\"临时\"] with radius_m and m2_per_person")),
            },
            "unknown class '临时' (类别); known classes: 中心, 固定, 紧急; add [facilities.classes.\"临时\"] with radius_m and m2_per_person",
        ),
        (
            RejectReason::NoValue {
                what: "capacity",
                column: None,
                need: "give the capacity column (容纳人数), a class with m2_per_person, or m2_per_person for the layer",
            },
            "no capacity: give the capacity column (容纳人数), a class with m2_per_person, or m2_per_person for the layer",
        ),
        (
            RejectReason::MissingValue { what: "population", column: s("人口数"), known: vec![] },
            "missing population (人口数 is empty)",
        ),
        (
            RejectReason::MissingValue { what: "class", column: s("类别"), known: vec![s("中心"), s("紧急")] },
            "missing class (类别 is empty); known classes: 中心, 紧急",
        ),
        (
            RejectReason::NotANumber { what: "population", column: s("人口数"), value: s("很多") },
            "population '很多' is not a number (人口数)",
        ),
        (
            RejectReason::NotACount { what: "capacity", value: s("-3"), unit: "persons" },
            "capacity '-3' is not a number of persons ≥ 0",
        ),
        (RejectReason::Negative { what: "population", value: s("-1") }, "negative population -1"),
        (
            RejectReason::NotWholeNumber { what: "population", value: s("1.5"), unit: "persons" },
            "population 1.5 is not a whole number of persons",
        ),
        (
            RejectReason::NotPositive { what: "effective area", column: s("有效面积"), value: s("0") },
            "effective area 0 is not positive (有效面积)",
        ),
        (
            RejectReason::UnknownCode {
                what: "district",
                code: s("Z"),
                layer: s("districts.geojson"),
                ids: vec![s("A"), s("B")],
                more: false,
            },
            "district code Z matches no district in districts.geojson (ids: A, B); fix the code or remove the row",
        ),
        (
            RejectReason::UnknownCode { what: "district", code: s("Z"), layer: s("d.shp"), ids: vec![s("A")], more: true },
            "district code Z matches no district in d.shp (ids: A, …); fix the code or remove the row",
        ),
        (
            RejectReason::Duplicate { what: "district", key: s("A"), has: "a population", first_line: 2 },
            "district A already has a population on line 2; keep one row per district",
        ),
        (RejectReason::Geometry { feature: None, problem: s("empty polygon") }, "empty polygon"),
        (
            RejectReason::Geometry { feature: Some(4), problem: s("a polygon with no rings") },
            "feature 4: a polygon with no rings",
        ),
    ];
    for (reason, text) in cases {
        assert_eq!(reason.to_string(), text, "{reason:?}");
        assert!(!reason.fix().is_empty());
    }
}

#[test]
fn conversion_failures_keep_the_crs_message() {
    let cause = CrsError::Transform { x: 1.0, y: 2.0, msg: s("the point lies outside the domain of EPSG:4538") };
    let r = RejectReason::Unconvertible { to: Conversion::ToWorkingCrs, cause: cause.clone() };
    assert_eq!(
        r.to_string(),
        "coordinates could not be projected to the working CRS: cannot transform the point (1, 2): the point lies outside the domain of EPSG:4538"
    );
    let r = RejectReason::Unconvertible { to: Conversion::ToWgs84, cause };
    assert!(r.to_string().starts_with("coordinates could not be converted to WGS84: cannot transform"));
}

#[test]
fn helpers() {
    assert_eq!(
        (plural("class"), plural("grade"), plural("category"), plural("day")),
        (s("classes"), s("grades"), s("categories"), s("days"))
    );
    assert_eq!(shift_decimal(12.14, 1), Some(121.4));
    assert_eq!(shift_decimal(12.14, -1), Some(1.214));
    assert_eq!(shift_decimal(12.14, 2), Some(1214.0));
    assert_eq!(shift_decimal(12.14, -2), Some(0.1214));
    assert_eq!(shift_decimal(-1.2, 1), Some(-12.0));
    assert_eq!(shift_decimal(1e-7, 1), Some(1e-6));
    assert!((longitude_offset(12.14, 120.0) - 107.86).abs() < 1e-9);
    assert_eq!(longitude_offset(-170.0, 120.0), 70.0);
    assert_eq!(longitude_offset(179.0, -179.0), 2.0);
}

#[test]
fn far_reason_for_a_crs_of_the_proj_library() {
    let r = RejectReason::FarFromWorkingCrs {
        x_column: s("x"),
        y_column: s("y"),
        x: 1.5,
        y: 2.5,
        geographic: true,
        lon: 1.5,
        working: Crs::Epsg(32650),
        central_meridian: None,
    };
    assert!(r.to_string().starts_with("(x=1.5, y=2.5) lies at longitude 1.500, where the working CRS (EPSG:32650)"));
}
