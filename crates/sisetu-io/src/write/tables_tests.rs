#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use super::*;
use calamine::{open_workbook, Data, Reader, Xlsx};

fn table() -> Vec<Vec<String>> {
    [
        ["916501004635304187", "0101", "重大风险", "12", "=HYPERLINK(\"x\")", ""],
        ["91650100MA78XYZ12K", "650102", "blue", "3.5", "+86 138", "7"],
        ["", "", "未知", "not a number", "-", "-2"],
    ]
    .iter()
    .map(|r| r.iter().map(ToString::to_string).collect())
    .collect()
}

const KINDS: [CellKind; 6] =
    [CellKind::Text, CellKind::Text, CellKind::Level, CellKind::Number, CellKind::Text, CellKind::Number];

fn write(dir: &Path, stem: &str) -> Written {
    let header = ["统一社会信用代码", "区县代码", "风险等级", "数量", "备注", "n"];
    write_csv_and_xlsx(
        &dir.join(format!("{stem}.csv")),
        &dir.join(format!("{stem}.xlsx")),
        "汇总",
        &header,
        &KINDS,
        table(),
    )
    .unwrap()
}

#[test]
fn ids_stay_text_numbers_are_numbers_and_formulas_are_never_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(write(dir.path(), "t"), Written { rows: 3, xlsx: true });
    let mut book: Xlsx<_> = open_workbook(dir.path().join("t.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["汇总"]);
    let range = book.worksheet_range("汇总").unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("统一社会信用代码".into()));
    assert_eq!(cell(1, 0), Data::String("916501004635304187".into()), "an 18-digit id stays text");
    assert_eq!(cell(1, 1), Data::String("0101".into()), "a leading zero is kept");
    assert_eq!(cell(2, 1), Data::String("650102".into()));
    assert_eq!(cell(1, 3), Data::Float(12.0));
    assert_eq!(cell(2, 3), Data::Float(3.5));
    assert_eq!(cell(3, 3), Data::String("not a number".into()), "a number column keeps what is not a number");
    assert_eq!(cell(3, 5), Data::Float(-2.0));
    assert_eq!(cell(1, 5), Data::Empty, "empty stays empty");
    assert_eq!(cell(1, 4), Data::String("=HYPERLINK(\"x\")".into()), "text, not a formula");
    assert!(book.worksheet_formula("汇总").unwrap().used_cells().next().is_none(), "no formula anywhere");
    // The CSV has the same rows, formula-like text behind an apostrophe.
    let csv = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}统一社会信用代码,区县代码,"));
    assert!(csv.contains("916501004635304187,0101,重大风险,12,\"'=HYPERLINK(\"\"x\"\")\",\r\n"), "{csv}");
    assert!(csv.contains(",'+86 138,7\r\n"), "{csv}");
}

#[test]
fn the_same_table_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(dir.path(), "b");
    assert_eq!(std::fs::read(dir.path().join("a.xlsx")).unwrap(), std::fs::read(dir.path().join("b.xlsx")).unwrap());
}

#[test]
fn level_cells_are_filled_with_their_colour() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t");
    // The styles of the workbook hold the level fills (red and blue are used).
    let f = std::fs::File::open(dir.path().join("t.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(f).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("FFE53935") && styles.contains("FF1E88E5"), "{styles}");
}

#[test]
fn sheet_names_are_made_valid() {
    assert_eq!(sheet_name("汇总"), "汇总");
    assert_eq!(sheet_name("a/b[c]:d*e?f\\g"), "a_b_c__d_e_f_g");
    assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    assert_eq!(sheet_name("'x'"), "x");
    assert_eq!(sheet_name("''"), "Sheet1");
}
