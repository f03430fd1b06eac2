use super::*;

fn spec(path: &std::path::Path) -> TableSpec {
    TableSpec {
        path: path.to_path_buf(),
        display: path.file_name().unwrap().to_string_lossy().into_owned(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    }
}

/// Writes `bytes` to `name` in a fresh directory and reads it.
fn read_bytes(name: &str, bytes: &[u8]) -> Result<Table> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_table(&spec(&path))
}

fn values(t: &Table) -> Vec<Vec<&str>> {
    t.records.iter().map(|r| r.values.iter().map(String::as_str).collect()).collect()
}

fn lines(t: &Table) -> Vec<u64> {
    t.records.iter().map(|r| r.line).collect()
}

const SHELTERS: &str = "企业名称,经度,纬度,有效面积\n\
第一中学操场, 87.61 ,43.82,\"12,500 ㎡\"\n\
人民公园,87.62,43.83\n\
\n\
红山体育馆,87.63,43.84,3200\n";

#[test]
fn utf8_csv_with_chinese_headers() {
    let t = read_bytes("避难场所.csv", SHELTERS.as_bytes()).unwrap();
    assert_eq!(t.kind, SourceKind::Csv(Delimiter::Comma));
    assert_eq!(t.encoding, Some(Detected::Utf8));
    assert_eq!(t.headers, ["企业名称", "经度", "纬度", "有效面积"]);
    assert_eq!(
        values(&t),
        [
            vec!["第一中学操场", "87.61", "43.82", "12,500 ㎡"],
            vec!["人民公园", "87.62", "43.83", ""],
            vec!["红山体育馆", "87.63", "43.84", "3200"],
        ]
    );
    assert_eq!(lines(&t), [2, 3, 5]);
    assert!(t.records.iter().all(|r| r.geometry.is_none()));
    assert_eq!((t.rows_read, t.rejects.len()), (3, 0));
    assert_eq!(t.sha256, sha256_hex(SHELTERS.as_bytes()));
    assert_eq!(t.sha256.len(), 64);
    assert_eq!(t.display, "避难场所.csv");
    let area = t.require(None, &["有效面积", "面积"], "area (有效面积)", "columns.area").unwrap();
    assert_eq!(parse_quantity(&t.records[0].values[area]), Some(12_500.0));

    // With a BOM and CRLF line ends: the same table.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(SHELTERS.replace('\n', "\r\n").as_bytes());
    let b = read_bytes("bom.txt", &bom).unwrap();
    assert_eq!(b.encoding, Some(Detected::Utf8Bom));
    assert_eq!((b.headers.clone(), values(&b), lines(&b)), (t.headers.clone(), values(&t), lines(&t)));
}

#[test]
fn gbk_csv_with_chinese_headers() {
    let (gbk, _, _) = encoding_rs::GBK.encode(SHELTERS);
    let t = read_bytes("gbk.csv", &gbk).unwrap();
    assert_eq!(t.encoding, Some(Detected::Gbk));
    assert_eq!(t.headers, ["企业名称", "经度", "纬度", "有效面积"]);
    assert_eq!(values(&t)[2], ["红山体育馆", "87.63", "43.84", "3200"]);
    assert_eq!(lines(&t), [2, 3, 5]);

    // Forced encodings: strict, the error names the line.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk.csv");
    std::fs::write(&path, &gbk).unwrap();
    let forced = read_table(&TableSpec { encoding: TextEncoding::Utf8, ..spec(&path) }).unwrap_err().to_string();
    assert!(forced.starts_with("gbk.csv: line 1: the file is not valid UTF-8"), "{forced}");
    let ok = read_table(&TableSpec { encoding: TextEncoding::Gbk, ..spec(&path) }).unwrap();
    assert_eq!(values(&ok), values(&t));
}

#[test]
fn damaged_rows_are_rejected_with_their_line() {
    let (head, _, _) = encoding_rs::GBK.encode("名称,人口\n甲村,120\n");
    let mut bytes = head.into_owned();
    bytes.extend_from_slice(b"\xFF\xFF,30\n");
    let (tail, _, _) = encoding_rs::GBK.encode("丙村,45\n");
    bytes.extend_from_slice(&tail);
    let t = read_bytes("pop.csv", &bytes).unwrap();
    assert_eq!(t.encoding, Some(Detected::GbkDamaged));
    assert_eq!(values(&t), [["甲村", "120"], ["丙村", "45"]]);
    assert_eq!(lines(&t), [2, 4]);
    assert_eq!(t.rejects.len(), 1);
    assert_eq!(t.rejects[0].line, 3);
    assert_eq!(t.rejects[0].reason, RejectReason::Undecodable);
    assert!(t.rejects[0].reason.to_string().contains("neither UTF-8 nor GBK"), "{}", t.rejects[0].reason);
    assert_eq!(t.rejects[0].raw[1], "30");
    assert_eq!(t.rows_read, 3);
}

#[test]
fn quoted_line_breaks_keep_line_numbers() {
    let text = "名称,备注,人口\n甲,\"第一行\n第二行\",10\n乙,普通,20\r\n\n丙,\"a\n\nb\",30\n丁,x,40";
    let t = read_bytes("q.csv", text.as_bytes()).unwrap();
    assert_eq!(lines(&t), [2, 4, 6, 9]);
    assert_eq!(t.records[0].values[1], "第一行\n第二行");
    assert_eq!(t.records[2].values[1], "a\n\nb");
    assert_eq!(t.records[3].values, ["丁", "x", "40"]);
}

#[test]
fn large_files_read_in_parallel_pieces_keep_order_and_lines() {
    // Over 1 MiB without quotes: parsed in pieces cut at line ends. CRLF, blank lines and
    // ragged rows on the way; the same rows after a quote (one piece) must read the same.
    use std::fmt::Write;
    let mut text = String::from("编号,名称,人口\r\n");
    let mut want = Vec::new();
    let mut line = 2;
    for i in 0..60_000u32 {
        if i % 997 == 0 {
            text.push_str("\r\n");
            line += 1;
        }
        if i % 1499 == 0 {
            write!(text, "{i},坏,1,多余\r\n").unwrap();
        } else {
            write!(text, "{i},网格{i},{}\r\n", i % 7).unwrap();
            want.push(line);
        }
        line += 1;
    }
    assert!(text.len() > 1 << 20);
    let t = read_bytes("big.csv", text.as_bytes()).unwrap();
    assert_eq!(lines(&t), want);
    assert_eq!(t.rejects.len(), 60_000 / 1499 + 1);
    assert!(t.records.iter().enumerate().all(|(k, r)| r.values[0].parse::<usize>().unwrap() == k + 1 + k / 1498));
    text.push_str("\"引号\",x,1\r\n");
    let one_piece = read_bytes("big.csv", text.as_bytes()).unwrap();
    assert_eq!(one_piece.records.len(), t.records.len() + 1);
    assert_eq!(one_piece.records[..t.records.len()], t.records[..]);
    assert_eq!(one_piece.rejects, t.rejects);
}

#[test]
fn ragged_and_blank_rows() {
    // A trailing comma on the header is not a column; empty cells past the header are
    // ignored, values past it are rejects, all-blank rows are rejects.
    let text = "名称,人口,\n甲,1,,\n乙,2,3\n,,\n丙\n";
    let t = read_bytes("r.csv", text.as_bytes()).unwrap();
    assert_eq!(t.headers, ["名称", "人口"]);
    assert_eq!(values(&t), [vec!["甲", "1"], vec!["丙", ""]]);
    assert_eq!(t.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(t.rejects[0].reason, RejectReason::ValueBeyondHeader { column: 3, width: 2 });
    assert_eq!(
        t.rejects[0].reason.to_string(),
        "the row has a value in column 3 but the header has only 2 columns: a value outside the table (in a CSV file: an unquoted comma?); remove the extra cell or quote the value"
    );
    assert_eq!(t.rejects[0].raw, ["乙", "2", "3"]);
    assert_eq!(t.rejects[1].reason, RejectReason::EmptyRow { parts: RowParts::Cells });
    assert_eq!(t.rejects[1].reason.to_string(), "empty row: every cell is blank");
    assert_eq!(t.rows_read, 4);
}

#[test]
fn file_level_errors() {
    let msg = |name: &str, bytes: &[u8]| read_bytes(name, bytes).unwrap_err().to_string();
    for empty in [&b""[..], b"\n\n", b"\xEF\xBB\xBF"] {
        let m = msg("e.csv", empty);
        assert_eq!(m, "e.csv: the file is empty: there is no header row; the first line must name the columns");
    }
    let m = msg("e.csv", b" , ,,\n1,2,3\n");
    assert_eq!(m, "e.csv: the file has no header: its first row is blank; the first row must name the columns");
    let m = msg("d.csv", "名称,人口,名称\n甲,1,2\n".as_bytes());
    assert!(m.contains("'名称' twice (columns 1 and 3)"), "{m}");
    let m = msg("f.shp", b"x");
    assert!(m.starts_with("f.shp: unknown file type '.shp'") && m.contains(".csv") && m.contains(".geojson"), "{m}");
    assert!(msg("noext", b"a,b\n").contains("no file extension"));
    let m = read_table(&spec(std::path::Path::new("/nonexistent/dir/t.csv"))).unwrap_err().to_string();
    assert!(
        m.starts_with("t.csv: no such file (looked for /nonexistent/dir/t.csv); the folder does not exist either"),
        "{m}"
    );
    // A header and no data: an empty table, not an error.
    let t = read_bytes("h.csv", "名称,人口\n".as_bytes()).unwrap();
    assert_eq!((t.headers.len(), t.rows_read), (2, 0));
}

#[test]
fn column_and_require() {
    let t = read_bytes("s.csv", "ID, Name ,经度,纬度,有效面积\n1,a,87,43,5\n".as_bytes()).unwrap();
    assert_eq!(t.headers, ["ID", "Name", "经度", "纬度", "有效面积"]);
    // Defaults: ASCII case ignored, in the order of preference given.
    assert_eq!(t.column(None, &["name", "名称"], "name").unwrap(), Some(1));
    assert_eq!(t.column(None, &["id"], "id").unwrap(), Some(0));
    assert_eq!(t.column(None, &["面积", "有效面积"], "area").unwrap(), Some(4));
    assert_eq!(t.column(None, &["人口"], "population").unwrap(), None);
    // Named: the exact header.
    assert_eq!(t.column(Some(" 纬度 "), &["lat"], "y / latitude").unwrap(), Some(3));
    let e = t.column(Some("面积"), &["有效面积"], "area (有效面积)").unwrap_err();
    assert!(matches!(e, Error::MissingColumn { .. }));
    assert_eq!(
        e.to_string(),
        "s.csv: no column for area (有效面积) ('面积'); the header has: 'ID', 'Name', '经度', '纬度', '有效面积'. \
         Name the column with `area = \"…\"` in the project file"
    );
    assert_eq!(t.require(None, &["经度", "lon"], "x / longitude", "columns.x").unwrap(), 2);
    assert_eq!(t.require(Some("Name"), &[], "name", "columns.name").unwrap(), 1);
    let e = t.require(None, &["人口", "population"], "population (人口)", "columns.population").unwrap_err();
    assert_eq!(
        e.to_string(),
        "s.csv: no column for population (人口) ('人口' or 'population'); the header has: 'ID', 'Name', '经度', '纬度', '有效面积'. \
         Name the column with `columns.population = \"…\"` in the project file"
    );
    let e = t.require(Some("name"), &[], "name", "columns.name").unwrap_err().to_string();
    assert!(e.contains("('name')") && e.contains("`columns.name = "), "{e}");
}

#[test]
fn quantities() {
    for (s, v) in [
        ("1,234.5", Some(1234.5)),
        (" 42 ", Some(42.0)),
        ("1,234,567", Some(1_234_567.0)),
        ("３２００", Some(3200.0)),
        ("１，２３４．５", Some(1234.5)),
        ("120m²", Some(120.0)),
        ("120 ㎡", Some(120.0)),
        ("85.5平方米", Some(85.5)),
        ("1,500人", Some(1500.0)),
        ("0", Some(0.0)),
        ("-3.5", Some(-3.5)),
        (".5", Some(0.5)),
        ("1.2E+05", Some(120_000.0)),
        ("", None),
        ("   ", None),
        ("㎡", None),
        ("NaN", None),
        ("inf", None),
        ("-infinity", None),
        ("1e400", None),
        ("12,34", None),
        ("1,2345", None),
        (",123", None),
        ("1.2.3", None),
        ("约100", None),
        ("100人次", None),
        ("100 km", None),
        ("0x10", None),
        ("1e", None),
        ("-", None),
        (".", None),
        ("1 000", None),
    ] {
        assert_eq!(parse_quantity(s), v, "{s:?}");
    }
}

// --- XLSX -------------------------------------------------------------------------------

enum Cell<'a> {
    S(&'a str),
    N(f64),
    Empty,
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A ZIP archive with stored (uncompressed) entries.
fn zip(entries: &[(String, String)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    let u16le = |v: usize| (v as u16).to_le_bytes();
    let u32le = |v: usize| (v as u32).to_le_bytes();
    for (name, data) in entries {
        let (name, data) = (name.as_bytes(), data.as_bytes());
        let crc = crc32(data).to_le_bytes();
        let offset = out.len();
        // version, flags, method (stored), time, date (1980-01-01)
        let common = [
            &u16le(20)[..],
            &u16le(0),
            &u16le(0),
            &u16le(0),
            &u16le(0x21),
            &crc,
            &u32le(data.len()),
            &u32le(data.len()),
            &u16le(name.len()),
            &u16le(0),
        ]
        .concat();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&u16le(20));
        central.extend_from_slice(&common);
        // comment length, disk, internal and external attributes, local header offset
        central.extend_from_slice(&[&u16le(0)[..], &u16le(0), &u16le(0), &u32le(0), &u32le(offset)].concat());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let n = entries.len();
    out.extend_from_slice(
        &[&u16le(0)[..], &u16le(0), &u16le(n), &u16le(n), &u32le(central.len()), &u32le(cd_offset), &u16le(0)].concat(),
    );
    out
}

/// A minimal XLSX workbook (inline strings and numbers); `rows` of `None` are left out,
/// so that sheet rows can be skipped.
fn xlsx(sheets: &[(&str, Vec<Option<Vec<Cell>>>)]) -> Vec<u8> {
    let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut entries = Vec::new();
    let mut overrides = String::new();
    let (mut list, mut rels) = (String::new(), String::new());
    for (k, (name, rows)) in sheets.iter().enumerate() {
        let n = k + 1;
        overrides += &format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
        list += &format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#);
        rels += &format!(r#"<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>"#);
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            let Some(row) = row else { continue };
            let r = r + 1;
            data += &format!(r#"<row r="{r}">"#);
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{r}", char::from(b'A' + c as u8));
                data += &match cell {
                    Cell::S(s) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{s}</t></is></c>"#),
                    Cell::N(v) => format!(r#"<c r="{at}"><v>{v}</v></c>"#),
                    Cell::Empty => String::new(),
                };
            }
            data += "</row>";
        }
        entries.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!("{xml}<worksheet {ns}><sheetData>{data}</sheetData></worksheet>"),
        ));
    }
    entries.insert(0, ("[Content_Types].xml".into(), format!(r#"{xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#)));
    entries.insert(1, ("_rels/.rels".into(), format!(r#"{xml}<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)));
    entries.insert(
        2,
        (
            "xl/workbook.xml".into(),
            format!(r#"{xml}<workbook {ns} xmlns:r="{rel}"><sheets>{list}</sheets></workbook>"#),
        ),
    );
    entries.insert(
        3,
        ("xl/_rels/workbook.xml.rels".into(), format!(r#"{xml}<Relationships xmlns="{pkg}">{rels}</Relationships>"#)),
    );
    zip(&entries)
}

#[test]
fn xlsx_sheets() {
    use Cell::{Empty, N, S};
    let book = xlsx(&[
        (
            "消防站",
            vec![
                Some(vec![S(" 名称 "), S("经度"), S("纬度"), S("人数"), Empty]),
                Some(vec![S("一中队"), N(87.55), N(43.8), N(25.0)]),
                Some(vec![Empty, Empty, Empty]),
                None,
                Some(vec![S("二中队"), N(87.65), N(43.85)]),
                Some(vec![S("三中队"), N(87.7), N(43.9), N(12.0), S("多余")]),
            ],
        ),
        ("人口", vec![None, None, Some(vec![S("村"), S("人口")]), Some(vec![S("甲村"), N(1200.0)])]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("站点.xlsx");
    std::fs::write(&path, &book).unwrap();
    let t = read_table(&spec(&path)).unwrap();
    assert_eq!(t.kind, SourceKind::Workbook);
    assert_eq!(t.encoding, None);
    assert_eq!(t.sha256, sha256_hex(&book));
    assert_eq!(t.headers, ["名称", "经度", "纬度", "人数"]);
    assert_eq!(values(&t), [vec!["一中队", "87.55", "43.8", "25"], vec!["二中队", "87.65", "43.85", ""]]);
    assert_eq!(lines(&t), [2, 5]);
    assert_eq!(t.rejects.len(), 1);
    assert_eq!(t.rejects[0].line, 6);
    assert!(t.rejects[0].reason.to_string().contains("column 5"), "{}", t.rejects[0].reason);
    assert_eq!(t.rows_read, 3);
    // Each row keeps its sheet; the sheet with another header is named in a warning.
    assert_eq!(t.records[0].sheet.as_deref(), Some("消防站"));
    assert_eq!(t.rejects[0].location(), "消防站!6");
    assert_eq!(t.warnings.len(), 1);
    assert!(
        t.warnings[0].to_string().starts_with("worksheet '人口' skipped: its header ('村', '人口') differs"),
        "{:?}",
        t.warnings
    );

    // Another sheet; its header is sheet row 3.
    let p = read_table(&TableSpec { sheet: Some("人口".into()), ..spec(&path) }).unwrap();
    assert_eq!(
        (p.headers.clone(), values(&p), lines(&p)),
        (vec!["村".to_string(), "人口".into()], vec![vec!["甲村", "1200"]], vec![4])
    );
    let e = read_table(&TableSpec { sheet: Some("Sheet1".into()), ..spec(&path) }).unwrap_err().to_string();
    assert!(e.starts_with("站点.xlsx: no worksheet 'Sheet1'; the workbook has: '消防站', '人口'"), "{e}");

    let dup = xlsx(&[("s", vec![Some(vec![S("名称"), S("名称")])])]);
    let e = read_bytes("dup.xlsx", &dup).unwrap_err().to_string();
    assert!(e.contains("'名称' twice"), "{e}");
    let empty = xlsx(&[("空", vec![])]);
    let e = read_bytes("empty.xlsx", &empty).unwrap_err().to_string();
    assert!(e.contains("worksheet '空' is empty"), "{e}");
    let blank = xlsx(&[("s", vec![Some(vec![S(" "), Empty]), Some(vec![S("a")])])]);
    let e = read_bytes("blank.xlsx", &blank).unwrap_err().to_string();
    assert!(e.contains("worksheet 's' has no header: its first row is blank"), "{e}");
    let e = read_bytes("bad.xlsx", b"not a zip").unwrap_err().to_string();
    assert!(e.starts_with("bad.xlsx: cannot open the workbook"), "{e}");
}

// --- GeoJSON ----------------------------------------------------------------------------

const FACILITIES: &str = r#"{"type":"FeatureCollection","name":"shelters","features":[
{"type":"Feature","properties":{"名称":"一中","容量":1200,"开放":true},"geometry":{"type":"Point","coordinates":[87.61,43.82]}},
{"type":"Feature","properties":{"名称":" 公园 ","备注":null,"面积":{"值":3}},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.8],[87.5,43.7]]]}},
{"type":"Feature","properties":{"名称":"线"},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[87.5,43.7]}]}},
{"type":"Feature","properties":null,"geometry":null},
{"type":"Feature","properties":{"容量":5},"geometry":{"type":"MultiPoint","coordinates":[[87.1,43.1],[87.2,43.2,900]]}},
{"type":"Feature","properties":{"名称":"短"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6],[87.6,43.8],[87.5,43.7]]]}},
{"type":"Feature","properties":{"名称":"多"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}},
{"type":"Feature","properties":{"名称":"怪"},"geometry":{"type":"Circle","coordinates":[1,2]}},
[1,2],
{"type":"Point","coordinates":[1,2]}
]}"#;

#[test]
fn geojson_features() {
    let t = read_bytes("f.geojson", FACILITIES.as_bytes()).unwrap();
    assert_eq!(t.kind, TableKind::GeoJson);
    assert_eq!(t.headers, ["名称", "容量", "开放", "备注", "面积"]);
    assert_eq!(
        values(&t),
        [
            vec!["一中", "1200", "true", "", ""],
            vec!["公园", "", "", "", r#"{"值":3}"#],
            vec!["", "", "", "", ""],
            vec!["", "5", "", "", ""],
            vec!["多", "", "", "", ""],
        ]
    );
    assert_eq!(lines(&t), [1, 2, 4, 5, 7]);
    let g: Vec<_> = t.records.iter().map(|r| r.geometry.clone()).collect();
    assert_eq!(g[0], Some(geo::Geometry::Point(geo::Point::new(87.61, 43.82))));
    assert!(matches!(&g[1], Some(geo::Geometry::Polygon(p)) if p.exterior().0.len() == 4));
    assert_eq!(g[2], None);
    assert_eq!(
        g[3],
        Some(geo::Geometry::MultiPoint(vec![geo::Point::new(87.1, 43.1), geo::Point::new(87.2, 43.2)].into()))
    );
    assert!(matches!(&g[4], Some(geo::Geometry::MultiPolygon(mp)) if mp.0.len() == 2));
    let rejects: Vec<_> = t.rejects.iter().map(|r| (r.line, r.reason.to_string())).collect();
    assert_eq!(rejects.len(), 5, "{rejects:?}");
    assert_eq!(rejects.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 6, 8, 9, 10]);
    assert!(rejects[0].1.contains("feature 3: the geometry is a GeometryCollection"), "{}", rejects[0].1);
    assert!(rejects[1].1.contains("feature 6") && rejects[1].1.contains("position"), "{}", rejects[1].1);
    assert!(rejects[2].1.contains("feature 8: unreadable geometry"), "{}", rejects[2].1);
    assert!(rejects[3].1.contains("feature 9 is an array"), "{}", rejects[3].1);
    assert_eq!(
        rejects[4].1,
        "feature 10 has type 'Point'; the features of a FeatureCollection must have type 'Feature'"
    );
    assert_eq!(rejects[3].1, "feature 9 is an array, not a GeoJSON Feature object");
    assert_eq!(
        rejects[0].1,
        "feature 3: the geometry is a GeometryCollection; tables take Point, MultiPoint, LineString, \
         MultiLineString, Polygon or MultiPolygon features"
    );
    assert!(matches!(t.rejects[2].reason, RejectReason::Geometry { feature: Some(8), .. }));
    assert_eq!(t.rejects[0].raw, ["线", "", "", "", ""]);
    assert_eq!(t.rows_read, 10);
    assert_eq!(t.sha256, sha256_hex(FACILITIES.as_bytes()));

    // A single Feature.
    let one = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2]},"properties":{"b":1,"a":"x"}}"#;
    let t = read_bytes("one.json", one.as_bytes()).unwrap();
    assert_eq!(t.headers, ["b", "a"]);
    assert_eq!(values(&t), [["1", "x"]]);
    assert_eq!(t.records[0].geometry, Some(geo::Geometry::Point(geo::Point::new(1.5, 2.0))));

    // File-level problems.
    let msg = |s: &str| read_bytes("g.geojson", s.as_bytes()).unwrap_err().to_string();
    assert!(msg("").contains("the file is empty"));
    assert!(msg(r#"{"type":"Polygon","coordinates":[]}"#).contains("is a GeoJSON 'Polygon'"));
    assert!(msg(r#"{"type":"FeatureCollection"}"#).contains("no 'features' array"));
    assert!(msg(r#"{"type":"FeatureCollection","features":[}"#).starts_with("g.geojson: not valid GeoJSON"));
    assert!(msg(r#"{"features":[]}"#).contains("no 'type'"));
    assert!(msg("[]").starts_with("g.geojson: not valid GeoJSON"));
    let empty = read_bytes("e.geojson", br#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    assert_eq!((empty.headers.len(), empty.rows_read), (0, 0));
    let e = empty.require(None, &["名称"], "name", "columns.name").unwrap_err().to_string();
    assert!(e.contains("the header has: no columns"), "{e}");
}

// --- No panics --------------------------------------------------------------------------

#[path = "../tests/common/mutate.rs"]
mod mutate;
use mutate::{mutate, Rng};

#[test]
fn mutated_tables_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "名称,经度,纬度,有效面积\n甲,87.61,43.82,\"1,200\"\n\"乙\n丙\",87.62,43.83,300㎡\n丁,87.63,43.84,\n";
    use Cell::{N, S};
    let book = xlsx(&[("s", vec![Some(vec![S("名称"), S("人口")]), Some(vec![S("甲"), N(1.5)]), Some(vec![N(2.0)])])]);
    let mut rng = Rng(0x7AB1_E5ED);
    let (mut ok, mut err) = (0, 0);
    for case in 0..2400 {
        let (base, ext) = match case % 3 {
            0 => (csv.as_bytes(), "csv"),
            1 => (FACILITIES.as_bytes(), "geojson"),
            _ => (&book[..], "xlsx"),
        };
        let bytes = mutate(&mut rng, base);
        let path = dir.path().join(format!("t{case}.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        let spec = TableSpec {
            encoding: [TextEncoding::Auto, TextEncoding::Auto, TextEncoding::Utf8, TextEncoding::Gbk][case % 4],
            ..spec(&path)
        };
        let result = std::panic::catch_unwind(|| {
            let t = read_table(&spec)?;
            let _ = t.column(None, &["名称"], "name");
            let _ = t.require(Some("经度"), &[], "x", "columns.x");
            for r in &t.records {
                assert_eq!(r.values.len(), t.headers.len());
                r.values.iter().for_each(|v| {
                    let _ = parse_quantity(v);
                });
            }
            Ok::<_, Error>(t)
        });
        match result {
            Err(_) => panic!("case {case} panicked on input {:?}", String::from_utf8_lossy(&bytes)),
            Ok(Ok(t)) => {
                assert_eq!(t.rows_read, (t.records.len() + t.rejects.len()) as u64, "case {case}");
                ok += 1;
            }
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                err += 1;
            }
        }
    }
    assert!(ok > 300 && err > 300, "{ok} read, {err} refused: the mutations should produce both");
}

#[test]
fn csv_tables_survive_stray_quotes_titles_line_ends_and_utf16() {
    let csv = "某区避难场所汇总表\r名称,\"有效\n面积\",备注\r\n甲,\"100\",\"东门\r\n北侧\"\r乙,\"200,备注\n丙,300,\r";
    let t = read_bytes("f.csv", csv.as_bytes()).unwrap();
    assert_eq!(t.headers, ["名称", "有效 面积", "备注"]);
    assert_eq!(t.warnings.len(), 1);
    assert!(
        t.warnings[0].to_string().starts_with("line 1 ('某区避难场所汇总表') looks like a title"),
        "{:?}",
        t.warnings
    );
    assert_eq!(values(&t), [vec!["甲", "100", "东门\r\n北侧"], vec!["丙", "300", ""]]);
    assert_eq!(lines(&t), [4, 7]);
    assert_eq!(t.rejects.len(), 1);
    assert_eq!(t.rejects[0].line, 6);
    assert!(t.rejects[0].reason.to_string().starts_with("unbalanced quote in field 2"));
    assert_eq!(t.require(Some("有效面积"), &[], "area", "columns.area").unwrap(), 1);
    assert_eq!(t.require(None, &["有效面积"], "area", "columns.area").unwrap(), 1);
    // A 填报单位 … 填报日期 line under the title is skipped too; a header with blank cells
    // is still the header.
    let csv = "某区避难场所汇总表,,,,,\n填报单位：应急管理局,,,填报日期：2024-06,,\n名称,类别,面积,经度,纬度,备注\n甲,紧急,100,87.6,43.8,\n";
    let t = read_bytes("f.csv", csv.as_bytes()).unwrap();
    assert_eq!((t.headers[0].as_str(), lines(&t)), ("名称", vec![4]));
    assert!(t.warnings[0].to_string().starts_with("lines 1–2 ('某区避难场所汇总表' …)"), "{:?}", t.warnings);
    let csv = "汇总表,,,,\n名称,,面积,经度,纬度\n甲,紧急,100,87.6,43.8\n";
    let t = read_bytes("f.csv", csv.as_bytes()).unwrap();
    assert_eq!((t.headers[0].as_str(), lines(&t)), ("名称", vec![3]));
    let text = "名称\t人口\r\n甲\t100\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let t = read_bytes("pop.txt", &le).unwrap();
    assert_eq!((values(&t), t.encoding), (vec![vec!["甲", "100"]], Some(Detected::Utf16le)));
    assert_eq!(t.sha256, sha256_hex(&le));
}
