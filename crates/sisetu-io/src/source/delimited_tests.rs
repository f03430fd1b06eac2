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
fn chunks_end_at_line_ends_and_know_their_first_line() {
    let text = "h\n1\n22\n333\n4444\n";
    let (chunks, first) = line_chunks(text, 2, &text[2..], 3);
    assert_eq!(chunks, [(0, 5), (5, 9), (9, 14)]);
    assert_eq!(first, [2, 4, 5]);
    assert!(chunks.iter().all(|&(_, e)| text.as_bytes()[2 + e - 1] == b'\n'));
    let (one, first) = line_chunks(text, 2, &text[2..], usize::MAX);
    assert_eq!((one, first), (vec![(0, 14)], vec![2]));
}

#[test]
fn records_get_physical_lines() {
    let chunk = "a,\"b\nc\"\n\r\nd;e\n";
    let mut seen = Vec::new();
    for_each_record(chunk, b',', 7, "t.csv", |line, rec| seen.push((line, rec.iter().collect::<Vec<_>>().join("|"))))
        .unwrap();
    assert_eq!(seen, [(7, "a|b\nc".to_string()), (10, "d;e".to_string())]);
}

#[test]
fn decoding_errors_name_the_file() {
    let e = decode_text(b"a\n\xFF\xFE\n", TextEncoding::Utf8, "s.csv").unwrap_err();
    assert!(e.to_string().starts_with("s.csv: line 2: the file is not valid UTF-8"), "{e}");
    let (text, detected) = decode_text("名称\n".as_bytes(), TextEncoding::Auto, "s.csv").unwrap();
    assert_eq!((text.as_ref(), detected), ("名称\n", Detected::Utf8));
}
