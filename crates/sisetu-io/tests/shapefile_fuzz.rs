//! Robustness of the Shapefile reader: a valid layer with bytes of its `.shp`, `.shx` and
//! `.dbf` overwritten, cut or extended at random never makes the reader panic or abort; it
//! reads zones or returns an error that names the file.
#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use proptest::prelude::*;
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::{read_zones, ZoneLayerSpec};
use std::path::Path;

/// The files of a valid three-district layer (GBK attributes).
fn valid_layer() -> [(&'static str, Vec<u8>); 3] {
    use std::convert::TryInto;
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("d.shp");
    let table = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
        .add_character_field("code".try_into().unwrap(), 12)
        .add_character_field("name".try_into().unwrap(), 40)
        .add_numeric_field("pop".try_into().unwrap(), 10, 0);
    {
        let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
        for (i, name) in ["天山区", "沙依巴克区", "新市区"].iter().enumerate() {
            let x0 = 87.0 + i as f64 * 0.1;
            let ring = [(x0, 43.0), (x0, 43.1), (x0 + 0.1, 43.1), (x0 + 0.1, 43.0), (x0, 43.0)]
                .map(|(x, y)| shapefile::Point::new(x, y))
                .to_vec();
            let hole = [(x0 + 0.02, 43.02), (x0 + 0.04, 43.02), (x0 + 0.04, 43.04), (x0 + 0.02, 43.02)]
                .map(|(x, y)| shapefile::Point::new(x, y))
                .to_vec();
            let poly = shapefile::Polygon::with_rings(vec![
                shapefile::PolygonRing::Outer(ring),
                shapefile::PolygonRing::Inner(hole),
            ]);
            let mut rec = dbase::Record::default();
            rec.insert("code".into(), dbase::FieldValue::Character(Some(format!("65010{i}"))));
            rec.insert("name".into(), dbase::FieldValue::Character(Some(name.to_string())));
            rec.insert("pop".into(), dbase::FieldValue::Numeric(Some(1000.0 * i as f64)));
            w.write_shape_and_record(&poly, &rec).unwrap();
        }
    }
    ["shp", "shx", "dbf"].map(|ext| (ext, std::fs::read(shp.with_extension(ext)).unwrap()))
}

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    /// Overwrite the byte at (position modulo length) with a value.
    Set(usize, u8),
    /// Cut the file at (position modulo length).
    Cut(usize),
    /// Append bytes.
    Append(Vec<u8>),
    /// Write a little-endian or big-endian 32-bit value at a position (lengths, counts,
    /// offsets of the formats live there).
    Int(usize, u32, bool),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        any::<usize>().prop_map(Edit::Cut),
        proptest::collection::vec(any::<u8>(), 1..64).prop_map(Edit::Append),
        (any::<usize>(), prop_oneof![Just(0u32), Just(u32::MAX), Just(0x7fff_ffff), any::<u32>()], any::<bool>())
            .prop_map(|(p, v, le)| Edit::Int(p, v, le)),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match e {
        Edit::Set(p, b) => {
            let i = p % bytes.len();
            bytes[i] = *b;
        }
        Edit::Cut(p) => bytes.truncate(p % bytes.len()),
        Edit::Append(more) => bytes.extend_from_slice(more),
        Edit::Int(p, v, le) => {
            let i = p % bytes.len();
            let b = if *le { v.to_le_bytes() } else { v.to_be_bytes() };
            for (k, x) in b.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(i + k) {
                    *slot = *x;
                }
            }
        }
    }
}

fn read(dir: &Path, encoding: TextEncoding) -> Result<usize, String> {
    let path = dir.join("d.shp");
    let spec = ZoneLayerSpec {
        display: "d.shp".into(),
        path,
        id: Some("code".into()),
        name: Some("name".into()),
        extra: vec![("pop".into(), "pop".into())],
        encoding,
    };
    read_zones(&spec).map(|z| z.len()).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_shapefiles_never_panic(file in 0usize..3, edits in proptest::collection::vec(edit(), 1..6), gbk in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let mut files = valid_layer();
        for e in &edits {
            apply(&mut files[file].1, e);
        }
        for (ext, bytes) in &files {
            std::fs::write(dir.path().join(format!("d.{ext}")), bytes).unwrap();
        }
        let encoding = if gbk { TextEncoding::Gbk } else { TextEncoding::Auto };
        match read(dir.path(), encoding) {
            Ok(n) => prop_assert!(n <= 3, "{n} zones from a three-zone layer"),
            Err(e) => prop_assert!(e.starts_with("d.shp") || e.contains("d.dbf"), "{e}"),
        }
    }
}

#[test]
fn the_valid_layer_reads() {
    let dir = tempfile::tempdir().unwrap();
    for (ext, bytes) in valid_layer() {
        std::fs::write(dir.path().join(format!("d.{ext}")), bytes).unwrap();
    }
    assert_eq!(read(dir.path(), TextEncoding::Auto), Ok(3));
}
