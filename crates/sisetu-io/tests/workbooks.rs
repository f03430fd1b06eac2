//! Hostile workbooks: seeded mutations of generated `.xlsx` files (of their sheet XML
//! before zipping, and of the zip bytes after) must each end as a clean `Ok` with
//! rows read = accepted + rejected, or a clean `Err` naming the file; never a panic.
//! (A bounded, seeded loop in the spirit of a property test: reproducible by seed, well
//! under a minute.)
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use sisetu_core::GradeScheme;
use sisetu_io::crs::Crs;
use sisetu_io::sites::{read_sites, SiteColumns, SiteLayerSpec, SiteTransforms};
use sisetu_io::text::TextEncoding;
use sisetu_io::{read_table, TableSpec};

mod common {
    pub mod mutate;
    pub mod xlsx;
}
use common::mutate::{mutate, Rng};
use common::xlsx::{rows_xml, s, sheet, xlsx, Sheet, V};

/// A census sheet with `n` rows, some of them bad.
fn census_rows(rng: &mut Rng, n: u32) -> String {
    let mut rows = vec![(0, vec![(0, s("企业名称")), (1, s("经度")), (2, s("纬度")), (3, s("风险等级"))])];
    for r in 1..=n {
        let lon = 87.5 + rng.below(300) as f64 / 1000.0;
        let mut cells = vec![
            (0, s(&format!("厂{r}"))),
            (1, V::N(lon)),
            (2, V::N(43.8)),
            (3, s(["红", "橙", "黄", "蓝", "紫"][rng.below(5)])),
        ];
        match rng.below(6) {
            0 => cells.push((4 + rng.below(20_000) as u32 % 16_000, s("备注"))),
            1 => cells.truncate(2),
            _ => {}
        }
        rows.push((r, cells));
    }
    rows_xml(&rows)
}

fn book(rng: &mut Rng) -> Vec<Sheet> {
    let n = 1 + rng.below(8) as u32;
    let mut sheets = vec![sheet("甲区", census_rows(rng, n))];
    for k in 0..rng.below(3) {
        let n = rng.below(5) as u32;
        let mut sh = sheet(&format!("区{k}"), census_rows(rng, n));
        sh.state = ["visible", "hidden", "veryHidden"][rng.below(3)];
        sheets.push(sh);
    }
    sheets
}

#[test]
fn mutated_workbooks_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let tf = SiteTransforms::new(Crs::Wgs84, Crs::from_epsg(4517)).unwrap();
    let scheme = GradeScheme::builtin();
    let mut rng = Rng(0x0B0C_5EED);
    let (mut ok, mut err) = (0, 0);
    for case in 0..600 {
        let mut sheets = book(&mut rng);
        let bytes = if case % 2 == 0 {
            // Mutate the first sheet's XML, then zip it: the archive is valid, the XML not.
            let data = mutate(&mut rng, sheets[0].data.as_bytes());
            sheets[0].data = String::from_utf8_lossy(&data).into_owned();
            xlsx(&sheets, &[])
        } else {
            mutate(&mut rng, &xlsx(&sheets, &["红"]))
        };
        let path = dir.path().join(format!("w{case}.xlsx"));
        std::fs::write(&path, &bytes).unwrap();
        let display = format!("w{case}.xlsx");
        let spec = SiteLayerSpec {
            path: path.clone(),
            display: display.clone(),
            crs: Crs::Wgs84,
            columns: SiteColumns::default(),
            encoding: TextEncoding::Auto,
            sheet: None,
            header_row: None,
        };
        let sites = std::panic::catch_unwind(|| read_sites(&spec, &scheme, &tf, &|_| {}))
            .unwrap_or_else(|_| panic!("case {case} panicked reading sites"));
        match sites {
            Ok(layer) => {
                assert_eq!(layer.rows_read, (layer.sites.len() + layer.rejects.len()) as u64, "case {case}");
                assert!(layer.rejects.iter().all(|r| r.sheet.is_some()), "case {case}: a reject without its sheet");
                ok += 1;
            }
            Err(e) => {
                assert!(e.to_string().starts_with(&display), "case {case}: {e}");
                err += 1;
            }
        }
        let tspec = TableSpec { path: path.clone(), display: display.clone(), ..TableSpec::default() };
        let table = std::panic::catch_unwind(|| read_table(&tspec))
            .unwrap_or_else(|_| panic!("case {case} panicked reading a table"));
        if let Ok(t) = table {
            assert_eq!(t.rows_read, (t.records.len() + t.rejects.len()) as u64, "case {case}");
        }
    }
    assert!(ok > 50 && err > 50, "{ok} read, {err} refused: the mutations should produce both");
}

/// `bytes` written as `dir/普查.xlsx`, as a site layer in lon/lat read with the default columns.
fn census_spec(dir: &std::path::Path, bytes: &[u8]) -> SiteLayerSpec {
    let path = dir.join("普查.xlsx");
    std::fs::write(&path, bytes).unwrap();
    SiteLayerSpec {
        path,
        display: "普查.xlsx".into(),
        crs: Crs::Wgs84,
        columns: SiteColumns::default(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    }
}

#[test]
fn a_census_over_several_sheets_is_one_layer_and_rejects_name_their_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let head = vec![s("企业名称"), s("经度"), s("纬度"), s("风险等级")];
    let rows = |name: &str, bad: bool| {
        common::xlsx::table(&[
            head.clone(),
            vec![s(&format!("{name}一厂")), V::N(87.55), V::N(43.8), s("红")],
            vec![s(&format!("{name}二厂")), if bad { s("东经87") } else { V::N(87.65) }, V::N(43.8), s("蓝")],
        ])
    };
    let mut template =
        sheet("模板", common::xlsx::table(&[head.clone(), vec![s("示例"), V::N(0.0), V::N(0.0), s("红")]]));
    template.state = "hidden";
    let bytes = xlsx(&[template, sheet("天山区", rows("天山", false)), sheet("沙依巴克区", rows("沙区", true))], &[]);
    let tf = SiteTransforms::new(Crs::Wgs84, Crs::from_epsg(4517)).unwrap();
    let layer = read_sites(&census_spec(dir.path(), &bytes), &GradeScheme::builtin(), &tf, &|_| {}).unwrap();
    let names: Vec<&str> = layer.sites.iter().map(sisetu_io::sites::Site::name).collect();
    assert_eq!(names, ["天山一厂", "天山二厂", "沙区一厂"]);
    assert_eq!(layer.rejects.len(), 1);
    assert_eq!(layer.rejects[0].location(), "沙依巴克区!3");
    assert_eq!(layer.warnings.len(), 1);
    assert!(layer.warnings[0].to_string().starts_with("worksheet '模板' is hidden: skipped"), "{:?}", layer.warnings);
    assert_eq!(layer.sha256, sisetu_io::hash::sha256_hex(&bytes));
}

#[test]
fn a_notes_sheet_before_the_census_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let head = vec![s("名称"), s("经度"), s("纬度"), s("风险等级")];
    let notes = sheet(
        "填表说明",
        common::xlsx::table(&[vec![s("1. 经纬度填写 CGCS2000 坐标")], vec![s("2. 风险等级填写四级")]]),
    );
    let data = sheet("普查", common::xlsx::table(&[head, vec![s("一厂"), V::N(87.55), V::N(43.8), s("红")]]));
    let spec_of = |bytes: &[u8]| census_spec(dir.path(), bytes);
    let tf = SiteTransforms::new(Crs::Wgs84, Crs::from_epsg(4517)).unwrap();
    let layer =
        read_sites(&spec_of(&xlsx(&[notes.clone(), data], &[])), &GradeScheme::builtin(), &tf, &|_| {}).unwrap();
    assert_eq!(layer.sites.len(), 1);
    assert!(
        layer
            .warnings
            .iter()
            .any(|w| w.to_string().starts_with("worksheet '填表说明' skipped: its first row does not name")),
        "{:?}",
        layer.warnings
    );
    // With the notes alone, the error is the missing column's.
    let e = read_sites(&spec_of(&xlsx(&[notes], &[])), &GradeScheme::builtin(), &tf, &|_| {}).unwrap_err().to_string();
    assert!(e.starts_with("普查.xlsx"), "{e}");
}
