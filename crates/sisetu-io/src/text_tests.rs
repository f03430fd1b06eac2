use super::*;

#[test]
fn detects_bom_utf8_and_gbk() {
    let (t, d) = decode("经度,纬度".as_bytes(), TextEncoding::Auto).unwrap();
    assert_eq!((t.as_ref(), d), ("经度,纬度", Detected::Utf8));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("名称".as_bytes());
    let (t, d) = decode(&bom, TextEncoding::Auto).unwrap();
    assert_eq!((t.as_ref(), d), ("名称", Detected::Utf8Bom));
    let (gbk, _, _) = encoding_rs::GBK.encode("企业名称,风险等级");
    let (t, d) = decode(&gbk, TextEncoding::Auto).unwrap();
    assert_eq!((t.as_ref(), d), ("企业名称,风险等级", Detected::Gbk));
    assert!(matches!(decode(&gbk, TextEncoding::Utf8), Err(DecodeError::NotUtf8 { offset: 0, line: 1 })));
    let e = decode(b"a,b\n\xFF\xFF\n", TextEncoding::Gbk).unwrap_err();
    assert!(matches!(e, DecodeError::NotGbk { line: 2, .. }), "{e:?}");
    // Neither encoding: decoded with replacements, reported as damaged.
    let damaged: Vec<u8> = "名称\n".as_bytes().iter().chain(b"\xFF\xFF\n").copied().collect();
    let (t, d) = decode(&damaged, TextEncoding::Auto).unwrap();
    assert_eq!(d, Detected::Utf8Damaged);
    assert!(t.starts_with("名称\n") && t.contains('\u{FFFD}'));
    assert!(d.is_damaged() && !Detected::Gbk.is_damaged());
    assert_eq!(TextEncoding::from_label("CP936"), Some(TextEncoding::Gbk));
    assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
    assert_eq!(TextEncoding::from_label("latin1"), None);
}
