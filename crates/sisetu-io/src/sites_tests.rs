use super::*;

#[test]
fn line_counter_skips_crlf_and_blank_lines() {
    let text = b"a,b\r\n\r\nc,d\r\ne,f\n";
    let mut lc = LineCounter { bytes: text, pos: 0, line: 1 };
    assert_eq!(lc.line_at(0), 1);
    // csv reports the record after the blank line at the blank line's offset (5).
    assert_eq!(lc.line_at(5), 3);
    assert_eq!(lc.line_at(12), 4);
}

#[test]
fn coordinate_checks() {
    let geo = Crs::Cgcs2000;
    assert!(check_coordinates(geo, 87.6, 43.8, "x", "y").is_ok());
    let swapped = check_coordinates(geo, 43.8, 87.6, "经度", "纬度").unwrap_err();
    assert!(swapped.contains("swapped"), "{swapped}");
    assert!(check_coordinates(geo, 187.6, 43.8, "x", "y").unwrap_err().contains("out of range"));
    assert!(check_coordinates(geo, 87.6, -95.0, "x", "y").unwrap_err().contains("out of range"));
    // Outside China but valid: accepted (it will be unassigned).
    assert!(check_coordinates(geo, 2.35, 48.85, "x", "y").is_ok());
    let gk = Crs::GaussKruger(4538);
    assert!(check_coordinates(gk, 548_000.0, 4_850_000.0, "x", "y").is_ok());
    assert!(check_coordinates(gk, 4_850_000.0, 548_000.0, "x", "y").unwrap_err().contains("swapped"));
    let zoned = Crs::GaussKruger(4517); // zone 29: easting 29,000,000..30,000,000
    assert!(check_coordinates(zoned, 29_548_000.0, 4_850_000.0, "x", "y").is_ok());
    assert!(check_coordinates(zoned, 548_000.0, 4_850_000.0, "x", "y").is_err());
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
    };
    let tf = SiteTransforms::new(Crs::Cgcs2000, Crs::GaussKruger(4538)).unwrap();
    let layer = read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).unwrap();
    assert_eq!(layer.encoding, Some(Detected::GbkDamaged));
    assert_eq!(layer.sites.iter().map(|s| s.name()).collect::<Vec<_>>(), ["甲厂", "丙厂"]);
    assert_eq!(layer.rejects.len(), 1);
    assert_eq!(layer.rejects[0].line, 3);
    assert!(layer.rejects[0].reason.contains("neither UTF-8 nor GBK"), "{}", layer.rejects[0].reason);
}
