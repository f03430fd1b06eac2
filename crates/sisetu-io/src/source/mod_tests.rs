use super::*;
use crate::crs::Crs;
use crate::sites::{read_sites, SiteColumns, SiteLayerSpec, SiteTransforms};
use crate::table::{read_table, TableSpec};
use crate::text::TextEncoding;
use crate::zones::{read_zones, ZoneLayerSpec};
use sisetu_core::GradeScheme;
use std::path::PathBuf;

const TABLE_LIST: &str = ".csv/.txt/.tsv, .xlsx/.xlsm/.xls/.ods or .geojson/.json";
const SITE_LIST: &str = ".csv/.txt/.tsv, .xlsx/.xlsm/.xls/.ods, .geojson/.json or .parquet/.geoparquet";
const HINT: &str = "(rename the file, or export it in one of these formats)";

#[test]
fn every_extension_has_its_kind_in_any_case() {
    let comma = SourceKind::Csv(Delimiter::Comma);
    for (name, kind) in [
        ("a.csv", comma),
        ("a.txt", comma),
        ("a.tsv", SourceKind::Csv(Delimiter::Tab)),
        ("a.xlsx", SourceKind::Workbook),
        ("a.xlsm", SourceKind::Workbook),
        ("a.xls", SourceKind::Workbook),
        ("a.ods", SourceKind::Workbook),
        ("a.geojson", SourceKind::GeoJson),
        ("a.json", SourceKind::GeoJson),
        ("a.shp", SourceKind::Shapefile),
        ("a.parquet", SourceKind::Parquet),
        ("a.geoparquet", SourceKind::Parquet),
    ] {
        let upper = name.to_uppercase();
        let mixed = name.replacen('a', "Data", 1).replacen(".c", ".C", 1).replacen(".g", ".G", 1);
        for n in [name.to_string(), upper, mixed, format!("dir.v2/{name}")] {
            assert_eq!(SourceKind::of(Path::new(&n), &n, ReadAs::Table).unwrap(), kind, "{n}");
        }
        let ext = name.trim_start_matches("a.");
        assert_eq!(SourceKind::from_extension(ext), Some(kind));
        assert_eq!(SourceKind::from_extension(&ext.to_uppercase()), Some(kind));
    }
    assert_eq!(SourceKind::Csv(Delimiter::Tab).extensions(), ".csv/.txt/.tsv");
    assert_eq!((Delimiter::Comma.byte(), Delimiter::Tab.byte()), (b',', b'\t'));
}

#[test]
fn an_unknown_extension_names_the_file_and_what_is_accepted() {
    let msg = |name: &str, read_as: ReadAs| SourceKind::of(Path::new(name), name, read_as).unwrap_err().to_string();
    assert_eq!(
        msg("census/sites.DAT", ReadAs::Sites),
        format!("census/sites.DAT: unknown file type '.dat'; site layers must be {SITE_LIST} {HINT}")
    );
    assert_eq!(
        msg("pop.dbf", ReadAs::Table),
        format!("pop.dbf: unknown file type '.dbf'; tables must be {TABLE_LIST} {HINT}")
    );
    assert_eq!(
        msg("districts.kml", ReadAs::Zones),
        format!("districts.kml: unknown file type '.kml'; polygon layers must be .geojson/.json or .shp {HINT}")
    );
    assert_eq!(
        msg("README", ReadAs::Table),
        format!("README: unknown file type (no file extension); tables must be {TABLE_LIST} {HINT}")
    );
    // A name ending with a dot has no extension either.
    assert!(msg("sites.", ReadAs::Sites).starts_with("sites.: unknown file type (no file extension); site layers"));
}

#[test]
fn a_kind_a_reader_does_not_take_says_what_it_is_read_as() {
    let refuse = |read_as: ReadAs, name: &str| {
        let kind = SourceKind::of(Path::new(name), name, read_as).unwrap();
        read_as.refuse(kind, Path::new(name), name).to_string()
    };
    assert_eq!(
        refuse(ReadAs::Sites, "sites.SHP"),
        format!(
            "sites.SHP: unknown file type '.shp' for site layers: a Shapefile is read only as a polygon layer; site layers must be {SITE_LIST} {HINT}"
        )
    );
    assert_eq!(
        refuse(ReadAs::Zones, "grid.xlsx"),
        format!(
            "grid.xlsx: unknown file type '.xlsx' for polygon layers: a workbook is read only as a site layer or a table; polygon layers must be .geojson/.json or .shp {HINT}"
        )
    );
    assert!(refuse(ReadAs::Zones, "grid.tsv").contains(": a CSV file is read only as a site layer or a table;"));
}

/// Reads `path` as `read_as`: the error text, or "" when it was read.
fn read_as(read_as: ReadAs, path: &Path) -> String {
    let display = path.file_name().unwrap().to_string_lossy().into_owned();
    let err = match read_as {
        ReadAs::Sites => {
            let spec = SiteLayerSpec {
                path: path.to_path_buf(),
                display,
                crs: Crs::Wgs84,
                columns: SiteColumns::default(),
                encoding: TextEncoding::Auto,
                sheet: None,
                header_row: None,
            };
            let tf = SiteTransforms::new(Crs::Wgs84, Crs::WebMercator).unwrap();
            read_sites(&spec, &GradeScheme::builtin(), &tf, &|_| {}).err()
        }
        ReadAs::Table => {
            let spec = TableSpec {
                path: path.to_path_buf(),
                display,
                encoding: TextEncoding::Auto,
                sheet: None,
                header_row: None,
            };
            read_table(&spec).err()
        }
        ReadAs::Zones => {
            let spec = ZoneLayerSpec {
                path: path.to_path_buf(),
                display,
                id: Some("id".into()),
                name: Some("name".into()),
                extra: Vec::new(),
                encoding: TextEncoding::Auto,
            };
            read_zones(&spec).err()
        }
    };
    err.map(|e| e.to_string()).unwrap_or_default()
}

/// Each reader refuses exactly the kinds that [`ReadAs::accepts`] says it does not take, with
/// [`ReadAs::refuse`]'s message, and rejects unknown extensions with [`SourceKind::of`]'s.
#[test]
fn the_readers_take_the_kinds_they_are_said_to_accept() {
    let dir = tempfile::tempdir().unwrap();
    for read_as_what in ReadAs::ALL {
        for (ext, kind) in EXTENSIONS {
            let path: PathBuf = dir.path().join(format!("layer.{}", ext.to_uppercase()));
            std::fs::write(&path, "not what the extension says").unwrap();
            let err = read_as(read_as_what, &path);
            let refused = read_as_what.refuse(kind, &path, "layer").to_string();
            let refused = refused.trim_start_matches("layer: ");
            assert_eq!(err.contains(refused), !read_as_what.accepts(kind), "{read_as_what:?} .{ext}: {err}");
            // Accepted kinds fail on the content (or read it as a one-column table).
            assert!(err.is_empty() || err.starts_with(&format!("layer.{}: ", ext.to_uppercase())), "{err}");
        }
        let path = dir.path().join("layer.dat");
        std::fs::write(&path, "x").unwrap();
        let expected = SourceKind::of(&path, "layer.dat", read_as_what).unwrap_err().to_string();
        assert_eq!(read_as(read_as_what, &path), expected);
    }
}
