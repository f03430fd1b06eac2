#![allow(clippy::unwrap_used, reason = "tests unwrap what they have just parsed")]

use super::*;

fn parse(text: &str) -> Parsed<Outputs> {
    let raw: RawOutputs = toml::from_str(text).unwrap();
    parse_outputs(Some(&raw))
}

#[test]
fn formats_are_named_in_any_case_and_left_out_means_the_default() {
    let o = parse("sites = \"GeoParquet\"\ncells = \"flatgeobuf\"\n").unwrap();
    assert_eq!(o, Outputs { sites: Some(LayerFormat::GeoParquet), cells: Some(LayerFormat::FlatGeobuf) });
    assert_eq!(parse_outputs(None).unwrap(), Outputs::default());
    assert_eq!(parse("sites = \"none\"\n").unwrap().sites, Some(LayerFormat::None));
    for (f, file) in [
        (LayerFormat::GeoJson, Some("sites.geojson")),
        (LayerFormat::GeoParquet, Some("sites.parquet")),
        (LayerFormat::FlatGeobuf, Some("sites.fgb")),
        (LayerFormat::None, None),
    ] {
        assert_eq!(f.file("sites").as_deref(), file);
        assert_eq!(parse(&format!("sites = \"{}\"\n", f.name())).unwrap().sites, Some(f));
    }
    let e = parse("cells = \"csv\"\n").unwrap_err().to_string();
    assert!(e.starts_with("[outputs] cells = \"csv\": use \"geojson\""), "{e}");
}

#[test]
fn a_large_census_without_a_choice_is_written_as_geoparquet_with_a_warning() {
    let auto = Outputs::default();
    assert_eq!(auto.sites_format(AUTO_GEOPARQUET_SITES), LayerFormat::GeoJson);
    assert_eq!(auto.auto_warning(AUTO_GEOPARQUET_SITES), None);
    assert_eq!(auto.sites_format(AUTO_GEOPARQUET_SITES + 1), LayerFormat::GeoParquet);
    let w = auto.auto_warning(AUTO_GEOPARQUET_SITES + 1).unwrap();
    assert!(w.contains("sites.parquet") && w.contains("[outputs] sites = \"geojson\""), "{w}");
    assert_eq!(auto.planned_sites(), ["sites.geojson", "sites.parquet"]);
    assert_eq!(auto.cells_format(), LayerFormat::GeoJson);

    let chosen = Outputs { sites: Some(LayerFormat::GeoJson), cells: None };
    assert_eq!(chosen.sites_format(5_000_000), LayerFormat::GeoJson);
    assert_eq!(chosen.auto_warning(5_000_000), None);
    assert_eq!(chosen.planned_sites(), ["sites.geojson"]);
    assert!(Outputs { sites: Some(LayerFormat::None), cells: None }.planned_sites().is_empty());
}
