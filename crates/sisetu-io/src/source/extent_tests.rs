use super::*;

#[test]
fn ods_extent_counts_repeated_rows_and_columns() {
    let xml = |rows: &str| {
        format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="表1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    };
    let small = xml(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
    );
    assert_eq!(ods_too_wide(small.as_bytes()).unwrap(), None);
    let stray = xml(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#,
    );
    let msg = ods_too_wide(stray.as_bytes()).unwrap().unwrap();
    assert!(msg.starts_with("worksheet '表1' spans 1048576 rows × 16384 columns"), "{msg}");
    assert!(ods_too_wide(&b"<a><b></a>"[..]).is_err());
}

#[test]
fn xls_scan_leaves_what_is_no_compound_file_to_calamine() {
    assert_eq!(xls_too_wide(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 too short"), None);
    assert_eq!(xls_too_wide(&[0u8; 4096]), None);
}

#[test]
fn extent_sizes() {
    let mut e = Extent::default();
    assert_eq!(e.size(false), (0, 0));
    e.add(5, 5, 2, 3);
    e.add(1, 1, 0, 0);
    assert_eq!(e.size(false), (5, 4));
    e.add(0, u64::MAX, 0, u64::MAX);
    assert_eq!(e.size(true), (u64::from(MAX_ROWS), u64::from(MAX_COLUMNS)));
    assert!(too_wide("s", &e, ".ods").is_some());
}
