use super::*;
use crate::source::limits::{MAX_COMPRESSION_RATIO, MAX_XML_TOKEN_BYTES};

use crate::test_xlsx as xlsx;
use xlsx::{rows_xml, s, sheet, table, V};

/// What a read gave: the header, the rows as (sheet, line, cells, beyond) and the info.
struct Read {
    header: Vec<String>,
    rows: Vec<SheetRow>,
    info: WorkbookInfo,
}

fn read(bytes: &[u8], sheet: Option<&str>) -> Result<Read> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let info = read_workbook(
        &path,
        "book.xlsx",
        (sheet, None),
        &mut |_, h| {
            header = normalized(h);
            Ok(header.len())
        },
        &mut |r| rows.push(r),
    )?;
    Ok(Read { header, rows, info })
}

fn census(district: &str, first: u32) -> String {
    table(&[
        vec![s("名称"), s("经度"), s("纬度"), s("风险等级")],
        vec![s(&format!("{district}{first}")), V::N(87.5), V::N(43.8), s("红")],
        vec![s(&format!("{district}{}", first + 1)), V::N(87.6), V::N(43.9), s("蓝")],
    ])
}

#[test]
fn column_letters_match_excel() {
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(16_383), "XFD");
}

#[test]
fn every_visible_sheet_with_the_same_header_is_read_in_order() {
    let mut template = sheet("模板", table(&[vec![s("字段"), s("说明")], vec![s("名称"), s("企业名称")]]));
    template.state = "hidden";
    let mut secret = sheet("内部", census("内", 1));
    secret.state = "veryHidden";
    let mut chart = sheet("图表", String::new());
    chart.chart = true;
    let other = sheet("汇总", table(&[vec![s("区县"), s("企业数")], vec![s("天山区"), V::N(2.0)]]));
    let book = xlsx::xlsx(
        &[
            template,
            sheet("天山区", census("甲", 1)),
            sheet("说明", String::new()),
            chart,
            sheet("沙依巴克区", census("乙", 1)),
            other,
            secret,
        ],
        &[],
    );
    let r = read(&book, None).unwrap();
    assert_eq!(r.header, ["名称", "经度", "纬度", "风险等级"]);
    assert_eq!(r.info.sheets, ["天山区", "沙依巴克区"]);
    let got: Vec<(String, u64, String)> =
        r.rows.iter().map(|row| (row.sheet.to_string(), row.line, row.cells[0].clone())).collect();
    assert_eq!(
        got,
        [
            ("天山区".to_string(), 2, "甲1".to_string()),
            ("天山区".into(), 3, "甲2".into()),
            ("沙依巴克区".into(), 2, "乙1".into()),
            ("沙依巴克区".into(), 3, "乙2".into()),
        ]
    );
    let w = r.info.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    for expected in [
        "worksheet '模板' is hidden: skipped (name it with `sheet = \"模板\"` to read it)",
        "worksheet '内部' is hidden: skipped",
        "sheet '图表' is a chart sheet: skipped",
        "worksheet '汇总' skipped: its header ('区县', '企业数') differs from worksheet '天山区''s ('名称', '经度', '纬度', '风险等级')",
        "worksheet '说明' is empty: skipped",
    ] {
        assert!(w.contains(expected), "missing «{expected}» in:\n{w}");
    }
    assert_eq!(r.info.warnings.len(), 5, "{w}");
    assert_eq!(r.info.sha256, sha256_hex(&book));

    // A named sheet is read alone, hidden or not, without warnings.
    let t = read(&book, Some("模板")).unwrap();
    assert_eq!(
        (t.header.clone(), t.rows.len(), t.info.warnings.len()),
        (vec!["字段".to_string(), "说明".into()], 1, 0)
    );
    let e = read(&book, Some("图表")).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("'图表' is a chart sheet, not a worksheet"), "{e}");
    let e = read(&book, Some("无")).map(|_| ()).unwrap_err().to_string();
    assert!(e.starts_with("book.xlsx: no worksheet '无'; the workbook has: '模板', '天山区'"), "{e}");
}

#[test]
fn an_empty_visible_sheet_before_hidden_data_says_so() {
    let mut data = sheet("数据", census("甲", 1));
    data.state = "hidden";
    let book = xlsx::xlsx(&[sheet("Sheet1", String::new()), data], &[]);
    let e = read(&book, None).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        e,
        "book.xlsx: worksheet 'Sheet1' is empty: there is no header row; the first row must name the columns; \
         the hidden worksheets '数据' were not read: name one with `sheet = \"…\"`"
    );
    assert_eq!(read(&book, Some("数据")).unwrap().rows.len(), 2);
}

#[test]
fn a_title_row_above_the_header_is_skipped_with_a_warning() {
    let data = table(&[
        vec![s("2024年危险化学品企业普查表")],
        vec![s("名称"), s("经度"), s("纬度")],
        vec![s("甲"), V::N(1.0), V::N(2.0)],
    ]);
    let r = read(&xlsx::xlsx(&[sheet("S", data)], &[]), None).unwrap();
    assert_eq!(r.header, ["名称", "经度", "纬度"]);
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].line, 3);
    assert_eq!(
        r.info.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["worksheet 'S': row 1 ('2024年危险化学品企业普查表') looks like a title above the header and was skipped; the header is row 2"]
    );
    // Several one-cell rows (the title, a 填报单位 line), then the header.
    let data = table(&[
        vec![s("2024年危险化学品企业普查表")],
        vec![s("填报单位：某区应急管理局")],
        vec![s("名称"), s("经度"), s("纬度")],
        vec![s("甲"), V::N(1.0), V::N(2.0)],
    ]);
    let r = read(&xlsx::xlsx(&[sheet("S", data)], &[]), None).unwrap();
    assert_eq!((r.header.len(), r.rows.len(), r.rows[0].line), (3, 1, 4));
    assert_eq!(
        r.info.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["worksheet 'S': rows 1–2 ('2024年危险化学品企业普查表' …) look like titles above the header and were skipped; the header is row 3"]
    );
    // A one-column table is not a title.
    let one = table(&[vec![s("名称")], vec![s("甲")], vec![s("乙")]]);
    let r = read(&xlsx::xlsx(&[sheet("S", one)], &[]), None).unwrap();
    assert_eq!((r.header, r.rows.len(), r.info.warnings.len()), (vec!["名称".to_string()], 2, 0));
    let long: Vec<Vec<V>> =
        std::iter::once(vec![s("名称")]).chain((0..8).map(|i| vec![s(&format!("甲{i}"))])).collect();
    let r = read(&xlsx::xlsx(&[sheet("S", table(&long))], &[]), None).unwrap();
    assert_eq!((r.header, r.rows.len(), r.info.warnings.len()), (vec!["名称".to_string()], 8, 0));
    // A one-cell sheet: its only row is the header.
    let r = read(&xlsx::xlsx(&[sheet("S", table(&[vec![s("名称")]]))], &[]), None).unwrap();
    assert_eq!((r.header, r.rows.len()), (vec!["名称".to_string()], 0));
}

#[test]
fn a_stray_far_cell_costs_one_cell() {
    let data = rows_xml(&[
        (0, vec![(0, s("名称")), (1, s("人口"))]),
        (1, vec![(0, s("甲")), (1, V::N(5.0))]),
        (1_048_575, vec![(16_383, s("备注"))]),
    ]);
    let mut sh = sheet("S", data);
    sh.dimension = Some("A1:XFD1048576".into());
    let r = read(&xlsx::xlsx(&[sh], &[]), None).unwrap();
    assert_eq!(r.rows.len(), 2);
    let stray = &r.rows[1];
    assert_eq!((stray.line, stray.cells.len(), stray.beyond_column()), (1_048_576, 2, Some(16_384)));
    assert_eq!(stray.raw(), ["", "", "XFD1048576=备注"]);
    // Blank cells beyond the header are dropped; blank rows are no data rows.
    let data = rows_xml(&[
        (0, vec![(0, s("名称"))]),
        (4, vec![(0, s(" ")), (9000, s("  "))]),
        (5, vec![(0, s("乙")), (9000, s(" "))]),
    ]);
    let r = read(&xlsx::xlsx(&[sheet("S", data)], &[]), None).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!((r.rows[0].line, r.rows[0].beyond.len()), (6, 0));
}

#[test]
fn cells_beyond_excel_limits_or_out_of_order_are_clear_errors() {
    let beyond = rows_xml(&[(0, vec![(0, s("a"))]), (1_048_576, vec![(0, s("b"))])]);
    let e = read(&xlsx::xlsx(&[sheet("S", beyond)], &[]), None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("worksheet 'S'") && e.contains("beyond the largest worksheet"), "{e}");
    assert!(e.contains("save the sheet as CSV"), "{e}");

    let backwards = rows_xml(&[(5, vec![(0, s("a")), (1, s("b"))]), (2, vec![(0, s("c"))])]);
    let e = read(&xlsx::xlsx(&[sheet("S", backwards)], &[]), None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("row 3 comes after row 6"), "{e}");

    let long = "长".repeat(MAX_CELL_CHARS + 1);
    let data = table(&[vec![s("名称"), s("备注")], vec![s("甲"), s(&long)]]);
    let e = read(&xlsx::xlsx(&[sheet("S", data)], &[]), None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("cell B2 holds 32768 characters, more than the 32767"), "{e}");
}

#[test]
fn zip_bombs_and_huge_strings_are_refused_before_parsing() {
    // Rows without references compress about a thousand times.
    let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
    let bomb = row.repeat((4 << 20) / row.len());
    let e = read(&xlsx::xlsx(&[sheet("S", bomb)], &[]), None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("the worksheet part 'xl/worksheets/sheet1.xml' expands"), "{e}");
    assert!(e.contains(&format!("more than the {MAX_COMPRESSION_RATIO} times")) && e.contains("zip bomb"), "{e}");

    // One shared string longer than any XML token sisetu accepts (pseudo-random letters,
    // which do not compress much).
    let mut x: u32 = 7;
    let huge: String = (0..MAX_XML_TOKEN_BYTES + 10)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + (x >> 16) as u8 % 26)
        })
        .collect();
    let data = table(&[vec![s("名称")], vec![V::Shared(0)]]);
    let e = read(&xlsx::xlsx(&[sheet("S", data)], &[&huge]), None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("part 'xl/sharedStrings.xml' holds a single text or tag of more than"), "{e}");
}

/// Sets the declared uncompressed size of every zip entry named `name` (local header and
/// central directory) to `size`.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let n = name.len();
    for i in 0..zip.len().saturating_sub(46 + n) {
        let sig: [u8; 4] = [zip[i], zip[i + 1], zip[i + 2], zip[i + 3]];
        if &sig == b"PK\x03\x04" && &zip[i + 30..i + 30 + n] == name.as_bytes() {
            zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        }
        if &sig == b"PK\x01\x02" && &zip[i + 46..i + 46 + n] == name.as_bytes() {
            zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
    }
}

#[test]
fn declared_sizes_that_lie_do_not_let_a_bomb_through() {
    let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
    let mut book = xlsx::xlsx(&[sheet("S", row.repeat((4 << 20) / row.len()))], &[]);
    lie_about_size(&mut book, "xl/worksheets/sheet1.xml", 1000);
    let e = read(&book, None).map(|_| ()).unwrap_err().to_string();
    assert!(e.starts_with("book.xlsx: "), "{e}");
    assert!(e.contains("zip bomb") || e.contains("damaged") || e.contains("cannot open"), "{e}");
}

#[test]
fn files_that_are_no_workbook_are_clear_errors() {
    let e = read(b"not a zip", None).map(|_| ()).unwrap_err().to_string();
    assert!(e.starts_with("book.xlsx: cannot open the workbook"), "{e}");
    let other = xlsx::zip_parts(&[("a.txt".into(), b"hello".to_vec())]);
    let e = read(&other, None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("holds no workbook"), "{e}");
    let xlsb = xlsx::zip_parts(&[("xl/workbook.bin".into(), vec![0; 10])]);
    let e = read(&xlsb, None).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains(".xlsb") && e.contains("save it as .xlsx or CSV"), "{e}");
}

#[test]
fn token_counter_spans_chunks() {
    let mut c = TokenCounter::default();
    c.feed(b"<a>12345");
    c.feed(b"678</a><b x='1'>");
    assert_eq!((c.bytes, c.longest), (24, 8));
}

#[test]
fn sheets_whose_headers_differ_only_in_blanks_or_case_are_read_together() {
    let other = table(&[
        vec![s("名称"), s("经\n度"), s("纬　度"), s("风险等级")],
        vec![s("乙1"), V::N(87.5), V::N(43.8), s("红")],
    ]);
    let book = xlsx::xlsx(&[sheet("甲", census("甲", 1)), sheet("乙", other)], &[]);
    let r = read(&book, None).unwrap();
    assert_eq!(r.rows.len(), 3, "{:?}", r.info.warnings);
    assert!(r.info.warnings.is_empty(), "{:?}", r.info.warnings);
    assert!(same_columns(&["ID".into(), "Name".into()], &["id".into(), "name ".into()]));
    assert!(!same_columns(&["id".into()], &["id".into(), "备注".into()]));
}
