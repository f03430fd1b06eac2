//! Hostile workbooks through the real `sisetu` binary, under an address-space limit of
//! 1 GiB (`prlimit --as`): a stray cell at `XFD1048576`, a note in column `XFD` on every
//! row, a zip bomb and a huge shared string each end as a clean build or a clean error
//! naming the file, never as an aborted process (exit 134) or a runaway allocation.
//!
//! `cargo test --release --test workbooks -- --ignored write_corpus_workbooks` writes the
//! workbooks of the corpus cases `workbook_*` again (see `tests/corpus.rs`).
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed run")]

#[path = "../crates/sisetu-io/tests/common/xlsx.rs"]
mod xlsx;

use std::path::{Path, PathBuf};
use std::process::Command;
use xlsx::{rows_xml, s, sheet, table, V};

/// Address-space limit of the child process.
const LIMIT_BYTES: u64 = 1 << 30;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A project in `dir` with the corpus districts and `book` as its one site layer.
fn project(dir: &Path, book: &[u8]) -> PathBuf {
    std::fs::copy(manifest().join("tests/corpus/reject_ragged_row/districts.geojson"), dir.join("districts.geojson"))
        .unwrap();
    std::fs::write(dir.join("sites.xlsx"), book).unwrap();
    let toml = "[project]\ntitle = \"workbook\"\n\n[districts]\npath = \"districts.geojson\"\ncrs = \"EPSG:4490\"\n\n[[sites]]\npath = \"sites.xlsx\"\ncrs = \"EPSG:4490\"\n";
    std::fs::write(dir.join("sisetu.toml"), toml).unwrap();
    dir.join("sisetu.toml")
}

/// Runs `sisetu build` on `book` under the limit: (exit code, stderr, rejects.csv).
fn build_limited(book: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), book);
    let out = dir.path().join("out");
    let output = Command::new("prlimit")
        .env("SISETU_LANG", "en")
        .arg(format!("--as={LIMIT_BYTES}"))
        .arg(env!("CARGO_BIN_EXE_sisetu"))
        .arg("build")
        .arg(&project)
        .arg("--out")
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .expect("prlimit (util-linux) runs the binary under a memory limit");
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap_or_default();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned(), rejects)
}

fn census_head() -> Vec<(u32, V)> {
    vec![(0, s("id")), (1, s("name")), (2, s("lon")), (3, s("lat")), (4, s("grade"))]
}

fn site(r: u32) -> Vec<(u32, V)> {
    vec![(0, s(&format!("S{r}"))), (1, s("甲厂")), (2, V::N(87.55)), (3, V::N(43.8)), (4, s("红"))]
}

/// A census of two sites and one stray cell at `XFD1048576`, declared as the sheet's
/// dimension: a 2 KB file that made calamine allocate 512 GiB.
fn stray_cell_book() -> Vec<u8> {
    let data = rows_xml(&[(0, census_head()), (1, site(1)), (2, site(2)), (1_048_575, vec![(16_383, s("备注"))])]);
    let mut sh = sheet("Sheet1", data);
    sh.dimension = Some("A1:XFD1048576".into());
    xlsx::xlsx(&[sh], &[])
}

#[test]
fn a_stray_cell_at_xfd1048576_costs_one_cell() {
    let book = stray_cell_book();
    assert!(book.len() < 4096, "{} bytes", book.len());
    let (code, stderr, rejects) = build_limited(&book);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        rejects.contains(
            "sites.xlsx,Sheet1!1048576,the row has a value in column 16384 but the header has only 5 columns"
        ),
        "{rejects}"
    );
    assert!(rejects.contains("XFD1048576=备注"), "{rejects}");
}

#[test]
fn a_note_in_column_xfd_on_every_row_stays_small() {
    let mut rows = vec![(0, census_head())];
    for r in 1..=2000 {
        let mut cells = site(r);
        cells.push((16_383, s("注")));
        rows.push((r, cells));
    }
    // Every row has a value beyond the header: the layer has no usable row, which is an error
    // (read within the memory limit) naming the reason, not outputs with no site.
    let (code, stderr, _) = build_limited(&xlsx::xlsx(&[sheet("Sheet1", rows_xml(&rows))], &[]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("all 2000 data rows were rejected"), "{stderr}");
    assert!(stderr.contains("like line Sheet1!2: the row has a value in column 16384"), "{stderr}");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_expanded() {
    let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
    let bomb = row.repeat((64 << 20) / row.len());
    let book = xlsx::xlsx(&[sheet("Sheet1", bomb)], &[]);
    assert!(book.len() < 1 << 20, "{} bytes", book.len());
    let (code, stderr, _) = build_limited(&book);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("sites.xlsx: the worksheet part 'xl/worksheets/sheet1.xml' expands"), "{stderr}");
    assert!(stderr.contains("zip bomb"), "{stderr}");
}

#[test]
fn a_huge_shared_string_is_refused() {
    // 8 MiB of pseudo-random letters in one shared string.
    let mut x: u32 = 11;
    let huge: String = (0..8 << 20)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + (x >> 16) as u8 % 26)
        })
        .collect();
    let data = table(&[
        vec![s("id"), s("name"), s("lon"), s("lat"), s("grade")],
        vec![s("S1"), V::Shared(0), V::N(87.55), V::N(43.8), s("红")],
    ]);
    let (code, stderr, _) = build_limited(&xlsx::xlsx(&[sheet("Sheet1", data)], &[&huge]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("sites.xlsx: part 'xl/sharedStrings.xml' holds a single text or tag of more than"),
        "{stderr}"
    );
}

/// The workbooks of the corpus cases, written where the cases expect them.
#[test]
#[ignore = "writes the committed corpus workbooks; run by hand after changing them"]
fn write_corpus_workbooks() {
    let corpus = manifest().join("tests/corpus");
    let head = vec![s("id"), s("name"), s("lon"), s("lat"), s("grade")];
    let row = |id: &str, name: &str, lon: f64, grade: &str| vec![s(id), s(name), V::N(lon), V::N(43.8), s(grade)];
    // Two districts on two sheets; the second has a bad row.
    let west = table(&[head.clone(), row("W1", "西一厂", 87.55, "红"), row("W2", "西二厂", 87.56, "蓝")]);
    let east = table(&[
        head.clone(),
        row("E1", "东一厂", 87.65, "橙"),
        vec![s("E2"), s("东二厂"), s("东经87"), V::N(43.8), s("黄")],
    ]);
    let summary = table(&[vec![s("区"), s("企业数")], vec![s("西区"), V::N(2.0)]]);
    let book = xlsx::xlsx(&[sheet("西区", west), sheet("东区", east), sheet("汇总", summary)], &[]);
    std::fs::write(corpus.join("workbook_sheet_per_district/sites.xlsx"), book).unwrap();
    // A hidden template before the data sheet.
    let mut template = sheet("模板", table(&[head.clone(), row("示例", "示例企业", 0.0, "红")]));
    template.state = "hidden";
    let data = table(&[
        vec![s("2024年危险化学品企业普查表")],
        head.clone(),
        row("S1", "甲厂", 87.55, "红"),
        row("S2", "乙厂", 87.65, "蓝"),
    ]);
    let book = xlsx::xlsx(&[template, sheet("普查", data)], &[]);
    std::fs::write(corpus.join("workbook_hidden_template/sites.xlsx"), book).unwrap();
    std::fs::write(corpus.join("workbook_stray_far_cell/sites.xlsx"), stray_cell_book()).unwrap();
}
