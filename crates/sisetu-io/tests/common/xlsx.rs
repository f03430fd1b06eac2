//! Builds `.xlsx` workbooks for tests: sheets of any visibility, chart sheets, inline and
//! shared strings, cells anywhere, and raw sheet XML for hostile cases. Parts are deflated
//! with the `zip` crate, as spreadsheet programs do.
#![allow(dead_code, reason = "each test file uses part of the builder")]
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use std::io::Write;

/// One cell value.
#[derive(Debug, Clone)]
pub enum V {
    /// An inline string.
    S(String),
    /// A shared string (index into the workbook's shared strings).
    Shared(usize),
    /// A number.
    N(f64),
}

/// A string cell.
pub fn s(text: &str) -> V {
    V::S(text.to_string())
}

/// One sheet of a test workbook.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Its name.
    pub name: String,
    /// `visible`, `hidden` or `veryHidden`.
    pub state: &'static str,
    /// A chart sheet (no cells).
    pub chart: bool,
    /// The XML inside `<sheetData>`.
    pub data: String,
    /// A `<dimension ref="…"/>` to declare, if any.
    pub dimension: Option<String>,
}

/// The reference of a 0-based cell, e.g. (0, 0) → `A1`.
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).unwrap(), row + 1)
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `<sheetData>` content for rows given as (0-based row, cells as (0-based column, value)).
pub fn rows_xml(rows: &[(u32, Vec<(u32, V)>)]) -> String {
    let mut out = String::new();
    for (r, cells) in rows {
        out += &format!(r#"<row r="{}">"#, r + 1);
        for (c, v) in cells {
            let at = cell_ref(*r, *c);
            out += &match v {
                V::S(t) => format!(r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#, escape(t)),
                V::Shared(i) => format!(r#"<c r="{at}" t="s"><v>{i}</v></c>"#),
                V::N(x) => format!(r#"<c r="{at}"><v>{x}</v></c>"#),
            };
        }
        out += "</row>";
    }
    out
}

/// Rows given as lists of values from column A, the first row being sheet row 1.
pub fn table(rows: &[Vec<V>]) -> String {
    let rows: Vec<(u32, Vec<(u32, V)>)> = rows
        .iter()
        .enumerate()
        .map(|(r, cells)| (r as u32, cells.iter().cloned().enumerate().map(|(c, v)| (c as u32, v)).collect()))
        .collect();
    rows_xml(&rows)
}

/// A visible worksheet.
pub fn sheet(name: &str, data: String) -> Sheet {
    Sheet { name: name.to_string(), state: "visible", chart: false, data, dimension: None }
}

/// Builds the workbook; `shared` are its shared strings (none: no shared-strings part).
pub fn xlsx(sheets: &[Sheet], shared: &[&str]) -> Vec<u8> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let (mut overrides, mut list, mut rels) = (String::new(), String::new(), String::new());
    for (k, sh) in sheets.iter().enumerate() {
        let n = k + 1;
        let state = if sh.state == "visible" { String::new() } else { format!(r#" state="{}""#, sh.state) };
        list += &format!(r#"<sheet name="{}" sheetId="{n}"{state} r:id="rId{n}"/>"#, escape(&sh.name));
        if sh.chart {
            overrides += &format!(
                r#"<Override PartName="/xl/chartsheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml"/>"#
            );
            rels +=
                &format!(r#"<Relationship Id="rId{n}" Type="{rel}/chartsheet" Target="chartsheets/sheet{n}.xml"/>"#);
            parts.push((
                format!("xl/chartsheets/sheet{n}.xml"),
                format!(
                    r#"{xml}<chartsheet {ns}><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>"#
                )
                .into_bytes(),
            ));
        } else {
            overrides += &format!(
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            );
            rels += &format!(r#"<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>"#);
            let dim = sh.dimension.as_ref().map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
            parts.push((
                format!("xl/worksheets/sheet{n}.xml"),
                format!("{xml}<worksheet {ns}>{dim}<sheetData>{}</sheetData></worksheet>", sh.data).into_bytes(),
            ));
        }
    }
    if !shared.is_empty() {
        let n = sheets.len() + 1;
        overrides += r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#;
        rels += &format!(r#"<Relationship Id="rId{n}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>"#);
        let items: String = shared.iter().map(|t| format!("<si><t>{}</t></si>", escape(t))).collect();
        parts.push((
            "xl/sharedStrings.xml".into(),
            format!(r#"{xml}<sst {ns} count="{0}" uniqueCount="{0}">{items}</sst>"#, shared.len()).into_bytes(),
        ));
    }
    let mut all: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), format!(r#"{xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#).into_bytes()),
        ("_rels/.rels".into(), format!(r#"{xml}<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes()),
        ("xl/workbook.xml".into(), format!(r#"{xml}<workbook {ns} xmlns:r="{rel}"><sheets>{list}</sheets></workbook>"#).into_bytes()),
        ("xl/_rels/workbook.xml.rels".into(), format!(r#"{xml}<Relationships xmlns="{pkg}">{rels}</Relationships>"#).into_bytes()),
    ];
    all.extend(parts);
    zip_parts(&all)
}

/// A zip archive of `parts`, deflated.
pub fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(parts.iter().any(|(_, b)| b.len() > u32::MAX as usize / 2));
    for (name, bytes) in parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
