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

#[test]
fn utf16_with_a_bom_is_decoded_and_without_one_refused() {
    let text = "名称\t经度\r\n甲\t87.6\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let d = decode_full(&le, TextEncoding::Auto).unwrap();
    assert_eq!((d.text.as_ref(), d.detected, d.damaged), (text, Detected::Utf16le, false));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(decode_full(&be, TextEncoding::Auto).unwrap().detected, Detected::Utf16be);
    let e = decode_full(&le[2..], TextEncoding::Auto).unwrap_err();
    assert!(matches!(e, DecodeError::Utf16WithoutBom { .. }), "{e}");
    let e = decode_full(&be[2..], TextEncoding::Auto).unwrap_err();
    assert!(matches!(e, DecodeError::Utf16WithoutBom { .. }), "{e}");
    let e = decode_full(b"a,b\nc\0d,e\n", TextEncoding::Auto).unwrap_err();
    assert!(matches!(e, DecodeError::NulBytes { offset: 5, line: 2 }), "{e}");
}

#[test]
fn mixed_files_are_decoded_line_by_line() {
    let mut bytes = b"id,name\r".to_vec();
    bytes.extend_from_slice(&encoding_rs::GBK.encode("1,甲化工厂\r2,乙加油站\r\n").0);
    bytes.extend_from_slice("3,丙物流公司\n4,丁机械厂\n5,戊仓储\n".as_bytes());
    let d = decode_full(&bytes, TextEncoding::Auto).unwrap();
    assert_eq!(d.text, "id,name\r1,甲化工厂\r2,乙加油站\r\n3,丙物流公司\n4,丁机械厂\n5,戊仓储\n");
    assert_eq!((d.detected, d.damaged), (Detected::Mixed, false));
    assert!(d
        .warning
        .unwrap()
        .to_string()
        .starts_with("the file mixes text encodings: lines 2–3 in GBK and the other"));
    // Forced encodings stay strict.
    assert!(matches!(decode_full(&bytes, TextEncoding::Utf8), Err(DecodeError::NotUtf8 { line: 2, .. })));
    // A GBK file stays GBK, even with lines that happen to be valid UTF-8 (decoding to Latin letters).
    let gbk = encoding_rs::GBK.encode("名称\n甲厂\n").0.into_owned();
    let mut odd = gbk.clone();
    odd.extend_from_slice(b"\xC3\xA9t\xC3\xA9\n");
    assert_eq!(decode_full(&odd, TextEncoding::Auto).unwrap().detected, Detected::Gbk);
    assert_eq!(line_ranges(&[2, 3, 4, 7, 9, 10]), "2–4, 7, 9–10");
    let many: Vec<usize> = (1..40).step_by(2).collect();
    assert!(line_ranges(&many).ends_with("… (10 more lines)"), "{}", line_ranges(&many));
}
