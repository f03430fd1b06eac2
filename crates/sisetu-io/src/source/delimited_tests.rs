use super::*;

/// Every record of `text` as (line, fields joined by `|`) or (line, `!reason`).
fn split(text: &str, width: usize) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for_each_record(text, (0, text.len(), 1), b',', width, |line, rec| {
        out.push((
            line,
            match rec {
                Ok(fields) => fields.iter().map(AsRef::as_ref).collect::<Vec<&str>>().join("|"),
                Err(bad) => format!("!{}", bad.reason),
            },
        ));
    });
    out
}

#[test]
fn cr_lf_and_crlf_in_any_mix_end_lines() {
    let rows = split("a,b\rc,d\r\ne,f\ng,h\r\r\ni,j", 2);
    let want = [(1, "a|b"), (2, "c|d"), (3, "e|f"), (4, "g|h"), (6, "i|j")];
    assert_eq!(rows, want.map(|(l, s)| (l, s.to_string())));
    assert_eq!(count_line_ends(b"a\rb\r\nc\nd\r"), 4);
}

#[test]
fn records_get_physical_lines() {
    let rows = split("a,\"b\nc\"\n\r\nd;e,f\n", 2);
    assert_eq!(rows, [(1, "a|b\nc".to_string()), (4, "d;e|f".to_string())]);
    // Escaped quotes, text after the closing quote, quotes inside unquoted values.
    let rows = split("\"x\"\"y\",\"p\"q\nab\"c,d\n", 2);
    assert_eq!(rows, [(1, "x\"y|pq".to_string()), (2, "ab\"c|d".to_string())]);
}

#[test]
fn a_stray_quote_costs_its_own_line_only() {
    let mut text = String::from("1,a,x\n2,\"b,y\n");
    for i in 3..50 {
        text.push_str(&format!("{i},n{i},z\n"));
    }
    let rows = split(&text, 3);
    assert_eq!(rows.len(), 49);
    assert!(rows[1].1.starts_with("!unbalanced quote in field 2"), "{:?}", rows[1]);
    assert_eq!(rows[1].0, 2);
    assert_eq!(rows[2], (3, "3|n3|z".to_string()));
    // A quote that closes lines later, leaving the wrong number of fields: the first line only.
    let rows = split("1,\"a,x\n2,b\",y,w\n3,c,z\n", 3);
    assert!(rows[0].1.contains("closes only 1 line(s) later, which leaves a row of 4 fields"), "{rows:?}");
    assert_eq!(rows[1..], [(2, "2|b\"|y|w".to_string()), (3, "3|c|z".to_string())]);
    // A legitimate value over two lines is one record.
    let rows = split("1,\"街道\n3号\",x\n2,b,y\n", 3);
    assert_eq!(rows, [(1, "1|街道\n3号|x".to_string()), (3, "2|b|y".to_string())]);
    // An unclosed quote on the last line.
    assert!(split("1,\"a", 2)[0].1.starts_with("!unbalanced quote in field 2"));
}

#[test]
fn two_stray_quotes_that_pair_up_are_read_as_csv_says_and_named() {
    // S2 opens a quote, S3 closes it: valid CSV for one record with a value over two lines,
    // or two rows with a stray quote each. Read as CSV says; the record's line is returned
    // for a warning because its last line reads as a whole row by itself.
    let text = "S1,a,1,2,红\nS2,\"华为,1,2,红\nS3,丙厂\",1,2,黄\nS4,d,1,2,红\n";
    let mut lines = Vec::new();
    let ambiguous = for_each_record(text, (0, text.len(), 1), b',', 5, |line, _| lines.push(line));
    assert_eq!((lines, ambiguous.clone()), (vec![1, 2, 4], vec![2]));
    let warning = ambiguous_warning(&ambiguous).unwrap();
    assert!(warning.to_string().starts_with("line 2: a quoted value runs over several lines"), "{warning}");
    // A legitimate address over two lines whose last line is no row by itself: no warning.
    let text = "S5,\"乌鲁木齐市\n天山区某路1号\",1,2,红\n";
    assert!(for_each_record(text, (0, text.len(), 1), b',', 5, |_, _| {}).is_empty());
    // Written CSV whose last line holds a quoted value that does not close on it: no warning.
    let text = "k0,\"\n\",\",\"\n";
    assert!(for_each_record(text, (0, text.len(), 1), b',', 3, |_, _| {}).is_empty());
    assert_eq!(fields_alone(b"a,\"b,c\",d", b','), Some(3));
    assert_eq!(fields_alone(b"a,\"b", b','), None);
    assert_eq!(fields_alone(b"x\",y,z", b','), Some(3));
}

#[test]
fn a_quote_open_for_too_many_lines_is_unbalanced() {
    let mut text = String::from("1,\"a,x\n");
    for i in 0..MAX_QUOTED_LINE_BREAKS + 5 {
        text.push_str(&format!("{i},b,y\n"));
    }
    text.push_str("q\",r,s\n");
    let rows = split(&text, 3);
    assert!(rows[0].1.starts_with("!unbalanced quote"), "{:?}", rows[0]);
    assert_eq!(rows[1], (2, "0|b|y".to_string()));
}

#[test]
fn over_long_records_are_rejected_without_copying() {
    let long = "9".repeat(MAX_RECORD_BYTES + 10);
    let text = format!("1,{long},x\n2,\"{long}\",y\n3,c,z\n");
    let rows = split(&text, 3);
    assert_eq!(rows.len(), 3);
    assert!(rows[0].1.starts_with("!the row is longer than 1048576 bytes"), "{}", &rows[0].1[..80]);
    assert!(rows[1].1.starts_with("!the row is longer than"), "{}", &rows[1].1[..80]);
    assert_eq!(rows[2], (3, "3|c|z".to_string()));
}

#[test]
fn chunks_start_on_record_starts() {
    let text = "1,\"a\nb\",c\r\n2,d,e\r3,\"f\",g\n4,h,i\r\n5,\"j,k\n6,l,m\n";
    let serial = split(text, 3);
    for target in 1..text.len() {
        let chunks = record_chunks(text, 1, b',', 3, target);
        let mut rows = Vec::new();
        for &chunk in &chunks {
            for_each_record(text, chunk, b',', 3, |line, rec| {
                rows.push((line, rec.map(|f| f.join("|")).unwrap_or_else(|b| format!("!{}", b.reason))));
            });
        }
        assert_eq!(rows, serial, "target {target}: {chunks:?}");
        assert_eq!(chunks.last().map(|c| c.1), Some(text.len()));
    }
    // Without quotes, chunks end at line ends and never split a CRLF.
    let plain = "1,a\r\n2,b\r3,c\n4,d\r\n";
    for target in 1..plain.len() {
        let chunks = record_chunks(plain, 5, b',', 2, target);
        assert!(chunks.iter().all(|&(_, e, _)| e == plain.len() || matches!(plain.as_bytes()[e - 1], b'\n' | b'\r')));
        assert!(chunks.iter().all(|&(s, _, _)| s == 0 || !plain[s..].starts_with('\n')), "{chunks:?}");
    }
    assert_eq!(record_chunks(plain, 5, b',', 2, 2)[1].2, 6);
}

#[test]
fn the_delimiter_is_sniffed_from_the_header() {
    assert_eq!(sniff_delimiter("名称\t经度\t纬度\r\n", b','), b'\t');
    assert_eq!(sniff_delimiter("名称,经度\t备注\n", b','), b',');
    assert_eq!(sniff_delimiter("名称,经度\n", b','), b',');
    assert_eq!(sniff_delimiter("a\tb", b'\t'), b'\t');
}

#[test]
fn header_cells_match_without_blanks_and_print_without_line_breaks() {
    assert_eq!(header_key("\u{feff} 风险\n分级 "), "风险分级");
    assert_eq!(header_display(" 风险\r\n分级\u{3000}"), "风险 分级");
    let head = head_records("台州市2024年企业安全风险普查汇总表,,\n名称,经度,纬度\n", b',', 2, "s.csv").unwrap();
    assert!(head[0].looks_like_title() && !head[1].looks_like_title());
    assert_eq!((head[1].line, head[1].next_line), (2, 3));
    let e = head_records("\"名称,经度\n", b',', 2, "s.csv").unwrap_err().to_string();
    assert!(e.starts_with("s.csv: line 1: the header cannot be read: unbalanced quote in field 1"), "{e}");
}

#[test]
fn decoding_errors_name_the_file() {
    let e = decode_text(b"a\n\xFF\xFE\n", TextEncoding::Utf8, "s.csv").unwrap_err();
    assert!(e.to_string().starts_with("s.csv: line 2: the file is not valid UTF-8"), "{e}");
    let d = decode_text("名称\n".as_bytes(), TextEncoding::Auto, "s.csv").unwrap();
    assert_eq!((d.text.as_ref(), d.detected), ("名称\n", crate::text::Detected::Utf8));
}

#[test]
fn a_quote_closing_before_a_huge_line_is_not_copied() {
    let huge = "名".repeat(MAX_RECORD_BYTES / 2);
    let text = format!("1,\"a\nb\",{huge}\n2,c,d\n");
    let rows = split(&text, 3);
    assert!(rows[0].1.starts_with("!unbalanced quote in field 2"), "{}", &rows[0].1[..60]);
    assert!(rows[1].1.starts_with("!the row is longer than"));
    assert_eq!(rows[2], (3, "2|c|d".to_string()));
}

/// A stray quote that "closes" at the opening quote of a later value, with the field count
/// matching by chance, still costs its own line only.
#[test]
fn a_stray_quote_closed_by_a_later_opening_quote_is_unbalanced() {
    let rows = split("S1,\"华为,x,y,g\nS2,n,x,y,g\nS3,\"丁\",x,y,g\n", 5);
    assert!(rows[0].1.starts_with("!unbalanced quote in field 2: the quote that opens it does not close"), "{rows:?}");
    assert_eq!(rows[1..], [(2, "S2|n|x|y|g".to_string()), (3, "S3|丁|x|y|g".to_string())]);
}

#[test]
fn a_byte_order_mark_starting_a_later_line_is_dropped() {
    // Two "CSV UTF-8" exports joined: the second BOM is not part of its first value.
    let text = "\u{feff}id,lon\n1,2\n\u{feff}3,4\r\u{feff}5,6\n";
    let decoded = decode_text(text.as_bytes(), TextEncoding::Auto, "s.csv").unwrap();
    assert_eq!(decoded.text, "id,lon\n1,2\n3,4\r5,6\n");
}
