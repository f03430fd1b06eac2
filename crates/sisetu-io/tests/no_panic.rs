//! No input may panic the readers: seeded mutations of a valid census (bytes flipped,
//! deleted, duplicated; quotes, delimiters, line breaks and multi-byte characters inserted)
//! must each end as a clean `Ok` (with rows read = accepted + rejected) or a clean `Err`.

use sisetu_core::GradeScheme;
use sisetu_io::crs::Crs;
use sisetu_io::sites::{read_sites, SiteColumns, SiteLayerSpec, SiteTransforms};
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::{read_zones, ZoneLayerSpec};

const CENSUS: &str = "统一社会信用代码,企业名称,行业,经度,纬度,风险等级\n\
91650100A,甲化工有限公司,危险化学品,87.61,43.82,红\n\
91650100B,乙加油站,加油站,87.62,43.83,橙色\n\
91650100C,\"丙, 物流\",仓储物流,87.63,43.84,一般风险\n\
91650100D,丁厂,工贸,87.64,43.85,4\n";

mod common {
    pub mod mutate;
}
use common::mutate::{mutate, Rng};

#[test]
fn mutated_census_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let tf = SiteTransforms::new(Crs::Gcj02, Crs::from_epsg(4538)).unwrap();
    let mut scheme = GradeScheme::builtin();
    scheme.map("A", sisetu_core::RiskLevel::Red).unwrap();
    let mut rng = Rng(0x5157_3E70);
    let (mut ok, mut err) = (0, 0);
    for case in 0..1500 {
        let bytes = mutate(&mut rng, CENSUS.as_bytes());
        let ext = ["csv", "csv", "csv", "csv", "geojson", "xlsx"][case % 6];
        let path = dir.path().join(format!("c{case}.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        let spec = SiteLayerSpec {
            path: path.clone(),
            display: path.display().to_string(),
            crs: Crs::Gcj02,
            columns: SiteColumns::default(),
            encoding: [TextEncoding::Auto, TextEncoding::Auto, TextEncoding::Utf8, TextEncoding::Gbk][case % 4],
            sheet: None,
            header_row: None,
        };
        let result = std::panic::catch_unwind(|| read_sites(&spec, &scheme, &tf, &|_| {}));
        match result {
            Err(_) => panic!("case {case} panicked on input {:?}", String::from_utf8_lossy(&bytes)),
            Ok(Ok(layer)) => {
                assert_eq!(layer.rows_read, (layer.sites.len() + layer.rejects.len()) as u64, "case {case}");
                ok += 1;
            }
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                err += 1;
            }
        }
    }
    assert!(ok > 100 && err > 100, "{ok} read, {err} refused: the mutations should produce both");
}

#[test]
fn mutated_boundary_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let base = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"W","name":"西区"},"geometry":{"type":"Polygon","coordinates":[[[87.5,43.7],[87.6,43.7],[87.6,43.9],[87.5,43.9],[87.5,43.7]],[[87.52,43.72],[87.53,43.72],[87.53,43.73],[87.52,43.72]]]}},{"type":"Feature","properties":{"id":2,"name":null},"geometry":{"type":"MultiPolygon","coordinates":[[[[87.6,43.7],[87.7,43.7],[87.7,43.9],[87.6,43.7]]]]}}]}"#.as_bytes();
    let mut rng = Rng(0xD157_41C7);
    for case in 0..800 {
        let bytes = mutate(&mut rng, base);
        let path = dir.path().join(format!("z{case}.geojson"));
        std::fs::write(&path, &bytes).unwrap();
        let spec = ZoneLayerSpec {
            path: path.clone(),
            display: path.display().to_string(),
            id: Some("id".into()),
            name: Some("name".into()),
            extra: vec![],
            encoding: TextEncoding::Auto,
        };
        let r = std::panic::catch_unwind(|| {
            if let Ok(zones) = read_zones(&spec) {
                let _ = sisetu_io::zones::validate_zones(&zones);
                let index = sisetu_core::ZoneIndex::new(&zones);
                let _ = index.locate(87.55, 43.8);
            }
        });
        assert!(r.is_ok(), "case {case} panicked on {:?}", String::from_utf8_lossy(&bytes));
    }
}
