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
