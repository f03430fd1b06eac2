//! Shapefile zone layers: Natural Earth countries against the independent city → country
//! answers (`../shared/geodata/oracle/naturalearth_cities_in_lowres_countries.csv`), and a
//! GBK-encoded attribute table declared by its `.cpg`.

#![allow(clippy::unwrap_used, reason = "test and bench code: a failed unwrap is a failed run")]

use sisetu_core::ZoneIndex;
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::{read_zones, ZoneLayerSpec};
use std::path::{Path, PathBuf};

fn geodata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geodata"))
}

fn spec(path: &Path, id: &str, name: &str, encoding: TextEncoding) -> ZoneLayerSpec {
    ZoneLayerSpec {
        path: path.to_path_buf(),
        display: path.display().to_string(),
        id: Some(id.into()),
        name: Some(name.into()),
        extra: vec![],
        encoding,
    }
}

#[test]
fn natural_earth_countries_agree_with_the_oracle() {
    let root = geodata();
    let zones =
        read_zones(&spec(&root.join("natural_earth/naturalearth_lowres.shp"), "name", "name", TextEncoding::Auto))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(zones.len(), 177);
    let index = ZoneIndex::new(&zones);
    let mut rdr = csv::Reader::from_path(root.join("oracle/naturalearth_cities_in_lowres_countries.csv")).unwrap();
    let (mut checked, mut inside) = (0, 0);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (city, lon, lat) = (&rec[0], rec[1].parse::<f64>().unwrap(), rec[2].parse::<f64>().unwrap());
        let mut want: Vec<&str> = rec[3].split(';').filter(|s| !s.is_empty()).collect();
        want.sort_unstable();
        let mut got: Vec<&str> = index.covering(lon, lat).iter().map(|z| zones[z.get()].id.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, want, "{city} ({lon}, {lat})");
        let located = index.locate(lon, lat).map(|z| zones[z.get()].id.as_str());
        assert_eq!(located, want.first().copied(), "{city}");
        checked += 1;
        inside += (!want.is_empty()) as usize;
    }
    assert!(checked > 200 && inside > 100, "{checked} cities, {inside} inside a country");
}

#[test]
fn gbk_attributes_are_read_through_the_cpg() {
    use std::convert::TryInto;
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("districts.shp");
    let table = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
        .add_character_field("code".try_into().unwrap(), 12)
        .add_character_field("name".try_into().unwrap(), 40);
    {
        let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
        for (i, (code, name)) in [("650102", "天山区"), ("650103", "沙依巴克区")].iter().enumerate() {
            let x0 = i as f64;
            let ring = vec![
                shapefile::Point::new(x0, 0.0),
                shapefile::Point::new(x0, 1.0),
                shapefile::Point::new(x0 + 1.0, 1.0),
                shapefile::Point::new(x0 + 1.0, 0.0),
                shapefile::Point::new(x0, 0.0),
            ];
            let poly = shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring));
            let mut rec = dbase::Record::default();
            rec.insert("code".into(), dbase::FieldValue::Character(Some(code.to_string())));
            rec.insert("name".into(), dbase::FieldValue::Character(Some(name.to_string())));
            w.write_shape_and_record(&poly, &rec).unwrap();
        }
    }
    // The raw .dbf holds GBK bytes, not UTF-8.
    let dbf = std::fs::read(shp.with_extension("dbf")).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("沙依巴克区");
    assert!(dbf.windows(gbk.len()).any(|w| w == &gbk[..]));
    std::fs::write(shp.with_extension("cpg"), "GBK").unwrap();
    let zones = read_zones(&spec(&shp, "code", "name", TextEncoding::Auto)).unwrap();
    let names: Vec<(&str, &str)> = zones.iter().map(|z| (z.id.as_str(), z.name.as_str())).collect();
    assert_eq!(names, [("650102", "天山区"), ("650103", "沙依巴克区")]);
    let index = ZoneIndex::new(&zones);
    assert_eq!(index.locate(1.5, 0.5), Some(sisetu_core::ZoneIdx::new(1)));
    // Without the .cpg, detection falls back from UTF-8 to GBK.
    std::fs::remove_file(shp.with_extension("cpg")).unwrap();
    let zones = read_zones(&spec(&shp, "code", "name", TextEncoding::Auto)).unwrap();
    assert_eq!(zones[1].name, "沙依巴克区");
    // A wrong forced encoding is an error, not mojibake... or at least not a panic.
    let forced = read_zones(&spec(&shp, "code", "name", TextEncoding::Utf8));
    assert!(forced.is_err() || forced.unwrap()[1].name != "沙依巴克区");
}

/// Writes `districts.shp` (+ .shx, .dbf) with one unit square per (code, name), the
/// attributes in `encoding`.
fn write_districts(dir: &Path, encoding: &'static encoding_rs::Encoding, rows: &[(&str, &str)]) -> PathBuf {
    use std::convert::TryInto;
    let shp = dir.join("districts.shp");
    let table = dbase::TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding))
        .add_character_field("code".try_into().unwrap(), 12)
        .add_character_field("name".try_into().unwrap(), 40);
    let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
    for (i, (code, name)) in rows.iter().enumerate() {
        let x0 = i as f64;
        let ring = [(x0, 0.0), (x0, 1.0), (x0 + 1.0, 1.0), (x0 + 1.0, 0.0), (x0, 0.0)]
            .map(|(x, y)| shapefile::Point::new(x, y))
            .to_vec();
        let poly = shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring));
        let mut rec = dbase::Record::default();
        rec.insert("code".into(), dbase::FieldValue::Character(Some(code.to_string())));
        rec.insert("name".into(), dbase::FieldValue::Character(Some(name.to_string())));
        w.write_shape_and_record(&poly, &rec).unwrap();
    }
    shp
}

#[test]
fn a_dbf_with_fewer_records_than_the_shp_is_an_error_not_a_lost_district() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [("1", "甲"), ("2", "乙"), ("3", "丙")];
    let shp = write_districts(dir.path(), encoding_rs::UTF_8, &rows);
    // The attribute table of a two-district export beside the three-district .shp.
    let other = tempfile::tempdir().unwrap();
    let two = write_districts(other.path(), encoding_rs::UTF_8, &rows[..2]);
    std::fs::copy(two.with_extension("dbf"), shp.with_extension("dbf")).unwrap();
    let e = read_zones(&spec(&shp, "code", "name", TextEncoding::Auto)).unwrap_err().to_string();
    assert!(e.contains("3 shapes") && e.contains("2 records"), "{e}");
    // And the other way round.
    let shp2 = write_districts(other.path(), encoding_rs::UTF_8, &rows[..2]);
    let three = write_districts(dir.path(), encoding_rs::UTF_8, &rows);
    std::fs::copy(three.with_extension("dbf"), shp2.with_extension("dbf")).unwrap();
    let e = read_zones(&spec(&shp2, "code", "name", TextEncoding::Auto)).unwrap_err().to_string();
    assert!(e.contains("2 shapes") && e.contains("3 records"), "{e}");
}

#[test]
fn a_gbk_dbf_whose_cpg_says_utf8_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let shp = write_districts(dir.path(), encoding_rs::GBK, &[("650102", "天山区")]);
    std::fs::write(shp.with_extension("cpg"), "UTF-8").unwrap();
    let e = read_zones(&spec(&shp, "code", "name", TextEncoding::Auto)).unwrap_err().to_string();
    assert!(e.contains("not valid UTF-8") && e.contains("encoding = \"gbk\""), "{e}");
    assert!(!e.contains("Error {") && !e.contains("FromUtf8Error"), "a debug dump: {e}");
}
