use super::*;

use crate::test_xlsx as xlsx;

#[test]
fn coordinate_checks() {
    let geo = Crs::Cgcs2000;
    let text = |r: Result<(), RejectReason>| r.unwrap_err().to_string();
    assert!(check_coordinates(geo, 87.6, 43.8, "x", "y").is_ok());
    assert_eq!(
        text(check_coordinates(geo, 43.8, 87.6, "经度", "纬度")),
        "latitude and longitude appear swapped (经度=43.8, 纬度=87.6); put the longitude in '经度' and the latitude in '纬度'"
    );
    assert_eq!(
        text(check_coordinates(geo, 187.6, 43.8, "x", "y")),
        "x=187.6 is out of range (longitude must be within -180..180)"
    );
    assert_eq!(
        text(check_coordinates(geo, 87.6, -95.0, "x", "y")),
        "y=-95 is out of range (latitude must be within -90..90)"
    );
    // Outside China but valid: accepted (it will be unassigned).
    assert!(check_coordinates(geo, 2.35, 48.85, "x", "y").is_ok());
    let gk = Crs::from_epsg(4538);
    assert!(check_coordinates(gk, 548_000.0, 4_850_000.0, "x", "y").is_ok());
    assert_eq!(
        text(check_coordinates(gk, 4_850_000.0, 548_000.0, "x", "y")),
        "easting and northing appear swapped (x=4850000, y=548000); put the easting in 'x'"
    );
    let zoned = Crs::from_epsg(4517); // zone 29: easting 29,000,000..30,000,000
    assert!(check_coordinates(zoned, 29_548_000.0, 4_850_000.0, "x", "y").is_ok());
    assert_eq!(
        text(check_coordinates(zoned, 548_000.0, 4_850_000.0, "x", "y")),
        "(x=548000, y=4850000) is outside EPSG:4517 (easting 29000000..30000000, northing 0..10000000); check the coordinate system of the layer"
    );
    assert_eq!(
        text(check_coordinates(Crs::WebMercator, 3e7, 0.0, "x", "y")),
        "(x=30000000, y=0) is outside EPSG:3857's range"
    );
}

#[test]
fn site_text_fields_share_one_allocation() {
    let s = Site::new("91650100X", "乌鲁木齐某公司", "", "A", RiskLevel::Red, (87.6, 43.8), (1.0, 2.0), 7);
    assert_eq!((s.id(), s.name(), s.category(), s.grade()), ("91650100X", "乌鲁木齐某公司", "", "A"));
    assert_eq!(s.line, 7);
}

#[test]
fn a_damaged_row_is_rejected_with_its_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    // GBK text with one row holding bytes that are neither GBK nor UTF-8.
    let (head, _, _) = encoding_rs::GBK.encode("名称,经度,纬度,风险等级\n甲厂,87.6,43.8,红\n");
    let mut bytes = head.into_owned();
    bytes.extend_from_slice(b"\xFF\xFF,87.6,43.8,\xFF\n");
    let (tail, _, _) = encoding_rs::GBK.encode("丙厂,87.7,43.9,蓝\n");
    bytes.extend_from_slice(&tail);
    std::fs::write(&path, &bytes).unwrap();
    let spec = SiteLayerSpec {
        path: path.clone(),
        display: "c.csv".into(),
        crs: Crs::Cgcs2000,
        columns: SiteColumns::default(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    };
    let tf = SiteTransforms::new(Crs::Cgcs2000, Crs::from_epsg(4538)).unwrap();
    let layer = read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).unwrap();
    assert_eq!(layer.encoding, Some(Detected::GbkDamaged));
    assert_eq!(layer.sites.iter().map(Site::name).collect::<Vec<_>>(), ["甲厂", "丙厂"]);
    assert_eq!(layer.rejects.len(), 1);
    assert_eq!(layer.rejects[0].line, 3);
    assert_eq!(layer.rejects[0].reason, RejectReason::Undecodable);
}

/// Writes `csv` to a temporary file and reads it as a site layer in `layer` with working
/// CRS `work`.
fn read_csv_layer(csv: &str, layer: Crs, work: Crs) -> SiteLayer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    std::fs::write(&path, csv).unwrap();
    let spec = SiteLayerSpec {
        path,
        display: "sites.csv".into(),
        crs: layer,
        columns: SiteColumns::default(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    };
    let tf = SiteTransforms::new(layer, work).unwrap();
    read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).unwrap()
}

/// A site whose longitude lost its decimal point (12.14 for 121.4) in a project in Taizhou
/// (working CRS EPSG:4549, CM 120°E) is rejected, naming the column, the value, the likely
/// fix; sites of the neighbouring zones stay.
#[test]
fn a_longitude_far_from_the_working_zone_is_rejected() {
    let csv = "名称,经度,纬度,风险等级\n\
               台州甲厂,121.4,28.7,红\n\
               台州乙厂,12.14,28.7,橙\n\
               邻县丙厂,117.9,29.1,黄\n\
               远方丁厂,-170.2,28.7,蓝\n\
               远方戊厂,138.9,28.7,蓝\n";
    let layer = read_csv_layer(csv, Crs::Gcj02, Crs::from_epsg(4549));
    assert_eq!(layer.sites.iter().map(Site::name).collect::<Vec<_>>(), ["台州甲厂", "邻县丙厂", "远方戊厂"]);
    assert_eq!(layer.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5]);
    let r = &layer.rejects[0];
    assert!(
        matches!(&r.reason, RejectReason::FarFromWorkingCrs { x_column, x, central_meridian: Some(cm), .. }
            if x_column == "经度" && *x == 12.14 && *cm == 120.0),
        "{:?}",
        r.reason
    );
    assert_eq!(
        r.reason.to_string(),
        "longitude 经度=12.14 is 108° from the central meridian of the working CRS (EPSG:4549, 120°E), farther \
         than the 19° within which sisetu places sites: a typo, e.g. a misplaced decimal point (经度=121.4?)? Fix the \
         value, or remove the row if the site lies outside the project's area"
    );
    assert_eq!(r.raw, ["台州乙厂", "12.14", "28.7", "橙"]);
    // Across the antimeridian: 70° away, no decimal-point fix brings it near.
    let far = layer.rejects[1].reason.to_string();
    assert!(far.starts_with("longitude 经度=-170.2 is 70° from") && far.contains("a typo?"), "{far}");
    // Every accepted site converts back from the working CRS to where it was.
    let back = Transformer::new(Crs::from_epsg(4549), Crs::Wgs84).unwrap();
    for s in &layer.sites {
        let (lon, lat) = back.transform(s.x, s.y).unwrap();
        assert!((lon - s.lon).abs() < 1e-8 && (lat - s.lat).abs() < 1e-8, "{}", s.name());
    }
}

/// The bound is the one the inverse projection enforces: a site is accepted exactly when its
/// position in the working CRS converts back to WGS84, and then to where it was.
#[test]
fn accepted_sites_are_exactly_those_the_working_crs_converts_back() {
    for work in [Crs::from_epsg(4549), Crs::from_epsg(4517), Crs::Epsg(4504)] {
        let tf = SiteTransforms::new(Crs::Wgs84, work).unwrap();
        let back = Transformer::new(work, Crs::Wgs84).unwrap();
        let cm = work.central_meridian().unwrap();
        for i in -360..=360 {
            let lon = f64::from(i) * 0.5;
            for lat in [0.0, 28.7, 45.0, 70.0] {
                let got = tf.locate(lon, lat, "x", "y");
                let returns = |(x, y): (f64, f64)| {
                    back.transform(x, y).is_ok_and(|(l, b)| (l - lon).abs() < 1e-7 && (b - lat).abs() < 1e-7)
                };
                let near = longitude_offset(lon, cm) <= GK_SITE_MAX_OFFSET_DEG;
                match got {
                    Ok((_, xy)) => assert!(near && returns(xy), "{work} {lon} {lat}"),
                    Err(why) => {
                        assert!(!near, "{work} {lon} {lat}: {why}");
                        // Beyond 90° at the equator the projection itself fails first.
                        let projection_fails = matches!(why, RejectReason::Unconvertible { .. }) && lat == 0.0;
                        assert!(matches!(why, RejectReason::FarFromWorkingCrs { .. }) || projection_fails, "{why}");
                    }
                }
            }
        }
        // A cell's width beyond the farthest site still converts back.
        let to_work = Transformer::new(Crs::Wgs84, work).unwrap();
        for lon in [cm - GK_SITE_MAX_OFFSET_DEG - 0.99, cm + GK_SITE_MAX_OFFSET_DEG + 0.99] {
            let (x, y) = to_work.transform(lon, 80.0).unwrap();
            assert!(back.transform(x, y).is_ok(), "{work} {lon}");
        }
    }
}

/// A projected layer in another zone: the reason gives the position's longitude.
#[test]
fn a_projected_site_far_from_the_working_zone_names_its_longitude() {
    // EPSG:4538 is CM 87°E; the working CRS EPSG:4549 is CM 120°E.
    let csv = "id,x,y,grade\nA,548285.115,4851775.303,red\n";
    let layer = read_csv_layer(csv, Crs::from_epsg(4538), Crs::from_epsg(4549));
    assert!(layer.sites.is_empty());
    assert_eq!(
        layer.rejects[0].reason.to_string(),
        "(x=548285.115, y=4851775.303) lies at longitude 87.600, 32° from the central meridian of the working CRS \
         (EPSG:4549, 120°E), farther than the 19° within which sisetu places sites: check the values and the coordinate \
         system of the layer; remove the row if the site lies outside the project's area"
    );
}

/// Every row-level reason of a CSV site layer, with its exact text (as pinned by the demo's
/// rejects.csv and the corpus).
#[test]
fn row_reasons_and_their_texts() {
    let csv = "id,lon,lat,grade\n\
               A,87.6,43.8,red\n\
               B,87.6,43.8\n\
               C,87.6,43.8,red,x\n\
               ,,,\n\
               E,,43.8,red\n\
               F,87.6,,red\n\
               G,,,red\n\
               H,87.6x,43.8,red\n\
               I,87.6,北纬43.8,red\n\
               J,43.8,87.55,red\n\
               K,187.55,43.8,red\n\
               L,87.6,43.8,\n\
               M,87.6,43.8,未评定\n";
    let layer = read_csv_layer(csv, Crs::Cgcs2000, Crs::from_epsg(4538));
    assert_eq!(layer.sites.len(), 1);
    assert_eq!(layer.rows_read, 13);
    let texts: Vec<(u64, String)> = layer.rejects.iter().map(|r| (r.line, r.reason.to_string())).collect();
    let want = [
        (3, "the row has 3 fields but the header has 4: the row is cut short"),
        (4, "the row has 5 fields but the header has 4: an unquoted comma in a value?"),
        (5, "empty row: every field is blank"),
        (6, "missing coordinates: 'lon' is empty"),
        (7, "missing coordinates: 'lat' is empty"),
        (8, "missing coordinates: 'lon' and 'lat' are empty"),
        (9, "'lon' value '87.6x' is not a number"),
        (10, "'lat' value '北纬43.8' is not a number"),
        (11, "latitude and longitude appear swapped (lon=43.8, lat=87.55); put the longitude in 'lon' and the latitude in 'lat'"),
        (12, "lon=187.55 is out of range (longitude must be within -180..180)"),
        (13, "missing grade: 'grade' is empty"),
        (14, "unknown grade '未评定' in column 'grade': fix the row, or map the label in the [grades] table of the project file"),
    ];
    assert_eq!(texts, want.map(|(l, t)| (l, t.to_string())));
    for r in &layer.rejects {
        assert!(!r.reason.fix().is_empty());
    }
}

#[test]
fn geojson_features_that_are_not_points_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"grade":"red"},"geometry":{"type":"Point","coordinates":[87.6,43.8]}},
{"type":"Feature","properties":{"grade":"red"},"geometry":{"type":"Polygon","coordinates":[[[87,43],[88,43],[88,44],[87,43]]]}},
{"type":"Feature","properties":{"grade":"red"},"geometry":null}]}"#,
    )
    .unwrap();
    let spec = SiteLayerSpec {
        path,
        display: "s.geojson".into(),
        crs: Crs::Wgs84,
        columns: SiteColumns::default(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    };
    let tf = SiteTransforms::new(Crs::Wgs84, Crs::from_epsg(4538)).unwrap();
    let layer = read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).unwrap();
    assert_eq!(layer.sites.len(), 1);
    let texts: Vec<String> = layer.rejects.iter().map(|r| r.reason.to_string()).collect();
    assert_eq!(
        texts,
        [
            "feature 2 has a Polygon geometry; site layers need Point features",
            "feature 3 has no geometry; site layers need Point features"
        ]
    );
}

/// Reads `bytes` (as file `name`) as a site layer in CGCS2000; the error as text.
fn read_bytes_layer(name: &str, bytes: &[u8]) -> std::result::Result<SiteLayer, String> {
    read_layer_with(name, bytes, None)
}

/// A stray quote in a large file costs its own line, in the serial and the parallel path.
#[test]
fn a_stray_quote_in_a_large_file_costs_one_row() {
    let mut csv = String::from("编号,名称,经度,纬度,风险等级\n");
    for i in 0..100_000 {
        let name = if i == 9 { "\"华为技术服务部".to_string() } else { format!("企业{i}") };
        csv.push_str(&format!("S{i},{name},87.{:04},43.8,红\n", i % 10_000));
    }
    let layer = read_bytes_layer("big.csv", csv.as_bytes()).unwrap();
    assert_eq!((layer.rows_read, layer.sites.len(), layer.rejects.len()), (100_000, 99_999, 1));
    assert_eq!(layer.rejects[0].line, 11);
    assert!(layer.rejects[0].reason.to_string().starts_with("unbalanced quote in field 2"));
    assert_eq!(layer.rejects[0].raw, ["S9,\"华为技术服务部,87.0009,43.8,红"]);
    assert_eq!(layer.sites[9].line, 12);
    assert_eq!(layer.sites.last().map(|s| s.line), Some(100_001));
}

#[test]
fn cr_only_and_utf16_tab_text_are_read() {
    let cr = "名称,经度,纬度,风险等级\r甲,87.6,43.8,红\r乙,87.7,43.8,蓝\r\r丙,,43.8,蓝\r";
    let layer = read_bytes_layer("mac.csv", cr.as_bytes()).unwrap();
    assert_eq!(layer.sites.iter().map(|s| s.line).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(layer.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [5]);
    let text = "名称\t经度\t纬度\t风险等级\r\n甲\t87.6\t43.8\t红\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let layer = read_bytes_layer("unicode.txt", &le).unwrap();
    assert_eq!((layer.encoding, layer.sites.len()), (Some(Detected::Utf16le), 1));
    assert_eq!(layer.sha256, sha256_hex(&le));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(read_bytes_layer("unicode.txt", &be).unwrap().encoding, Some(Detected::Utf16be));
    let e = read_bytes_layer("unicode.txt", &le[2..]).unwrap_err();
    assert!(e.contains("looks like UTF-16 text without a byte-order mark") && e.contains("re-save"), "{e}");
}

#[test]
fn gbk_and_utf8_lines_are_each_decoded_in_their_own_encoding() {
    let (gbk, _, _) = encoding_rs::GBK.encode("甲化工厂,87.6,43.8,红色\n乙加油站,87.6,43.8,橙色\n");
    let mut bytes = "名称,经度,纬度,风险等级\n".as_bytes().to_vec();
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice("丙物流公司,87.6,43.8,黄色\n丁机械厂,87.6,43.8,蓝色\n戊仓储,87.6,43.8,一般\n".as_bytes());
    let layer = read_bytes_layer("joined.csv", &bytes).unwrap();
    assert_eq!(layer.encoding, Some(Detected::Mixed));
    assert_eq!(
        layer.sites.iter().map(Site::name).collect::<Vec<_>>(),
        ["甲化工厂", "乙加油站", "丙物流公司", "丁机械厂", "戊仓储"]
    );
    assert_eq!(layer.warnings.len(), 1);
    assert!(
        layer.warnings[0].to_string().starts_with("the file mixes text encodings: lines 2–3 in GBK"),
        "{:?}",
        layer.warnings
    );
}

#[test]
fn a_title_row_is_skipped_or_named() {
    let csv = "台州市2024年企业安全风险普查汇总表,,,\n名称,经度,纬度,\"风险\n等级\"\n甲,87.6,43.8,重大风险等级\n";
    let layer = read_bytes_layer("t.csv", csv.as_bytes()).unwrap();
    assert_eq!(layer.sites.iter().map(|s| (s.line, s.level)).collect::<Vec<_>>(), [(4, RiskLevel::Red)]);
    assert_eq!(layer.headers[3], "风险 等级");
    assert_eq!(
        layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["line 1 ('台州市2024年企业安全风险普查汇总表') looks like a title above the header and was skipped; the header is line 2"]
    );
    // Several title rows (the title, a 填报单位 line, a blank line), then the header.
    let csv = "台州市2024年企业安全风险普查汇总表,,,\n填报单位：台州市应急管理局,,,\n,,,\n名称,经度,纬度,风险等级\n甲,87.6,43.8,重大风险\n";
    let layer = read_bytes_layer("t.csv", csv.as_bytes()).unwrap();
    assert_eq!(layer.sites.iter().map(|s| (s.line, s.level)).collect::<Vec<_>>(), [(5, RiskLevel::Red)]);
    assert_eq!(
        layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["lines 1–3 ('台州市2024年企业安全风险普查汇总表' …) look like titles above the header and were skipped; the header is line 4"]
    );
    let e = read_bytes_layer("t.csv", "台州市汇总表\n名称,东,北\n".as_bytes()).unwrap_err();
    assert!(
        e.contains("line 1 ('台州市汇总表') looks like a title, not the header") && e.contains("delete the title row"),
        "{e}"
    );
}

#[test]
fn a_preamble_of_several_cells_above_the_header_is_skipped() {
    // The title, then a 填报单位 … 填报日期 line with two cells, then the header.
    let csv = "台州市2024年企业安全风险普查汇总表,,,,\n填报单位：台州市应急管理局,,填报日期：2024-06-30,,\n\
               名称,经度,纬度,风险等级,备注\n甲,87.6,43.8,重大风险,\n";
    let expected = ["lines 1–2 ('台州市2024年企业安全风险普查汇总表' …) look like titles above the header and were \
                     skipped; the header is line 3"];
    let layer = read_bytes_layer("t.csv", csv.as_bytes()).unwrap();
    assert_eq!(layer.sites.iter().map(|s| (s.line, s.level)).collect::<Vec<_>>(), [(4, RiskLevel::Red)]);
    assert_eq!(layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(), expected);
    // The same rows in a workbook.
    use xlsx::{s, sheet, table, V};
    let book = xlsx::xlsx(
        &[sheet(
            "汇总",
            table(&[
                vec![s("台州市2024年企业安全风险普查汇总表")],
                vec![s("填报单位：台州市应急管理局"), s(""), s("填报日期：2024-06-30")],
                vec![s("名称"), s("经度"), s("纬度"), s("风险等级"), s("备注")],
                vec![s("甲"), V::N(87.6), V::N(43.8), s("重大风险")],
            ]),
        )],
        &[],
    );
    let layer = read_bytes_layer("t.xlsx", &book).unwrap();
    assert_eq!(layer.sites.iter().map(|s| (s.line, s.level)).collect::<Vec<_>>(), [(4, RiskLevel::Red)]);
    assert_eq!(
        layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["worksheet '汇总': rows 1–2 ('台州市2024年企业安全风险普查汇总表' …) look like titles above the header and were \
          skipped; the header is row 3"]
    );
    // A row above with as many cells as the header is not a preamble: the first line's error
    // stands, as does a misspelt header above its data.
    for (csv, header) in [
        ("编号,类别,备注,说明\n名称,经度,纬度,风险等级\n甲,87.6,43.8,红\n", "编号"),
        ("名称,东经度,纬度,风险等级\n甲,87.6,43.8,红\n", "名称"),
    ] {
        let e = read_bytes_layer("t.csv", csv.as_bytes()).unwrap_err();
        assert!(e.contains("no column for") && e.contains(&format!("the header has: '{header}'")), "{e}");
    }
}

/// `bytes` written as `name`, read as a CGCS2000 site layer with the default columns and
/// `header_row` (working CRS EPSG:4538).
fn read_layer_with(name: &str, bytes: &[u8], header_row: Option<u32>) -> std::result::Result<SiteLayer, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let spec = SiteLayerSpec {
        path,
        display: name.into(),
        crs: Crs::Cgcs2000,
        columns: SiteColumns::default(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row,
    };
    let tf = SiteTransforms::new(Crs::Cgcs2000, Crs::from_epsg(4538)).unwrap();
    read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).map_err(|e| e.to_string())
}

/// `bytes` as `name` with its header on line or row `n`.
fn read_with_header_row(name: &str, bytes: &[u8], n: u32) -> std::result::Result<SiteLayer, String> {
    read_layer_with(name, bytes, Some(n))
}

#[test]
fn header_row_names_the_header_whatever_lies_above_it() {
    // Seven lines above the header, one as wide as the header: more than sisetu looks for.
    let above: String = (1..=6).map(|i| format!("说明{i},,,\n")).collect::<String>() + "序号,单位,东经,北纬\n";
    let csv = format!("{above}名称,经度,纬度,风险等级\n甲,87.6,43.8,重大风险\n乙,87.6,43.8,低风险\n");
    assert!(read_bytes_layer("t.csv", csv.as_bytes()).is_err(), "not found without header_row");
    let layer = read_with_header_row("t.csv", csv.as_bytes(), 8).unwrap();
    assert_eq!(layer.sites.iter().map(|s| s.line).collect::<Vec<_>>(), [9, 10]);
    assert_eq!(
        layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["lines 1–7 above the header (header_row = 8) were skipped"]
    );
    // header_row = 1 is the plain first line, without a note.
    let plain = read_with_header_row("t.csv", "名称,经度,纬度,风险等级\n甲,87.6,43.8,红\n".as_bytes(), 1).unwrap();
    assert_eq!((plain.sites.len(), plain.warnings.len()), (1, 0));
    // A line that is not a header, a line inside a quoted value, a file too short.
    let e = read_with_header_row("t.csv", csv.as_bytes(), 7).unwrap_err();
    assert!(e.contains("no column for") && e.contains("'序号'"), "{e}");
    let quoted = "说明,\"两行\n的值\"\n名称,经度,纬度,风险等级\n甲,87.6,43.8,红\n";
    let e = read_with_header_row("t.csv", quoted.as_bytes(), 2).unwrap_err();
    assert!(e.contains("header_row = 2: line 2 is inside a quoted value"), "{e}");
    let e = read_with_header_row("t.csv", csv.as_bytes(), 40).unwrap_err();
    assert!(e.contains("header_row = 40: the file has no line 40"), "{e}");
    // The same in a workbook: rows above skipped unread, an empty header row named.
    use xlsx::{s, sheet, table, V};
    let book = xlsx::xlsx(
        &[sheet(
            "汇总",
            table(&[
                vec![s("填报单位：某区"), s("日期"), s("审核"), s("备注")],
                vec![s("序号"), s("单位"), s("东经"), s("北纬")],
                vec![s("名称"), s("经度"), s("纬度"), s("风险等级")],
                vec![s("甲"), V::N(87.6), V::N(43.8), s("重大风险")],
            ]),
        )],
        &[],
    );
    let layer = read_with_header_row("t.xlsx", &book, 3).unwrap();
    assert_eq!(layer.sites.iter().map(|s| s.line).collect::<Vec<_>>(), [4]);
    assert_eq!(
        layer.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["worksheet '汇总': rows 1–2 above the header (header_row = 3) were skipped"]
    );
    let e = read_with_header_row("t.xlsx", &book, 2).unwrap_err();
    assert!(e.contains("no column for") && e.contains("'序号'"), "{e}");
}

/// A huge invalid cell costs linear time, and what the reject keeps is bounded.
#[test]
fn huge_cells_are_rejected_cheaply_and_kept_short() {
    let big = "1".repeat(8 << 20);
    let csv =
        format!("名称,经度,纬度,风险等级\n甲,{big}x,43.8,红\n乙,87.6,43.8,蓝\n丙,1{},43.8,红\n", "2".repeat(5000));
    let start = std::time::Instant::now();
    let layer = read_bytes_layer("huge.csv", csv.as_bytes()).unwrap();
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!((layer.sites.len(), layer.rejects.len()), (1, 2));
    assert!(matches!(layer.rejects[0].reason, RejectReason::TooLong { len, .. } if len > 8 << 20));
    let kept: usize = layer.rejects[0].raw.iter().map(|c| c.chars().count()).sum();
    assert!(kept < 1100, "{kept}");
    let reason = layer.rejects[1].reason.to_string();
    assert!(reason.len() < 1200 && reason.contains("… (+"), "{}", reason.len());
}

/// The lines an export puts below its table (合计, 制表人 …) are rejected as such, not as
/// rows with bad coordinates; a site whose name starts like one is still a site.
#[test]
fn total_and_signature_lines_below_the_table_are_named_as_such() {
    let csv = "企业名称,经度,纬度,风险等级\n合计厂,87.6,43.8,重大风险\n合计,,,\n,制表人：张三,,\n备注：坐标为CGCS2000,abc,,\n甲厂,87.5,,低风险\n统计局宿舍,,,一般风险\n";
    let layer = read_csv_layer(csv, Crs::Cgcs2000, Crs::from_epsg(4538));
    assert_eq!(layer.sites.len(), 1, "合计厂 has coordinates: a site");
    let reasons: Vec<(u64, String)> = layer.rejects.iter().map(|r| (r.line, r.reason.to_string())).collect();
    assert!(matches!(&layer.rejects[0].reason, RejectReason::Footer { text } if text == "合计"), "{reasons:?}");
    assert!(matches!(&layer.rejects[1].reason, RejectReason::Footer { text } if text == "制表人：张三"), "{reasons:?}");
    assert!(matches!(&layer.rejects[2].reason, RejectReason::Footer { .. }), "{reasons:?}");
    assert!(reasons[0].1.contains("total or signature line") && reasons[0].1.contains("'合计'"), "{reasons:?}");
    assert!(
        matches!(layer.rejects[3].reason, RejectReason::MissingCoordinates { .. }),
        "甲厂 is a site without a latitude"
    );
    assert!(
        matches!(layer.rejects[4].reason, RejectReason::MissingCoordinates { .. }),
        "a site named like a footer word but with a grade keeps the coordinate reason: {reasons:?}"
    );
    assert_eq!(reasons.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 4, 5, 6, 7]);
}
