//! The files of the coverage analysis, written from the findings in memory: per layer
//! `<id>s.geojson` (facilities with their load), `<id>_summary.csv` (per district) and
//! `<id>_townships.csv`; for all layers `coverage_gaps.geojson` and `siting.geojson`.

use super::analyse::{AreaFigures, GapCell, LayerResult, SitingPick};
use super::facilities::{FacilityLayer, Geometry84};
use super::input::num;
use super::population::Population;
use crate::error::Result;
use crate::layers::ZoneLayer;
use crate::project::facilities::{FacilityConfig, FacilityKind};
use rayon::prelude::*;
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::tables::CellKind;
use sisetu_io::write::{self, Geom, Staging, Value};

/// The file of all layers' gap cells.
pub(crate) const GAPS_FILE: &str = "coverage_gaps.geojson";
/// The file of all layers' suggested sites.
pub(crate) const SITING_FILE: &str = "siting.geojson";

/// The files one layer writes, in order (its tables; the maps come from `map`).
pub(crate) fn layer_files(fc: &FacilityConfig) -> Vec<String> {
    let mut files = vec![fc.features_file(), fc.summary_file(), xlsx_of(&fc.summary_file())];
    if fc.townships.is_some() {
        files.push(fc.townships_file());
        files.push(xlsx_of(&fc.townships_file()));
    }
    files
}

/// The workbook beside a CSV table: `x.csv` → `x.xlsx`.
fn xlsx_of(csv: &str) -> String {
    format!("{}.xlsx", csv.trim_end_matches(".csv"))
}

/// Writes a table as CSV and workbook (columns whose key is in `text` are text, the others
/// numbers), its header the columns' names in `lang`; returns the files written.
pub(crate) fn write_table(
    stage: &mut Staging,
    csv: &str,
    sheet: &str,
    keys: &[&str],
    text: &[&str],
    rows: Vec<Vec<String>>,
    lang: Lang,
) -> Result<Vec<String>> {
    let kinds: Vec<CellKind> = keys
        .iter()
        .map(|h| if text.contains(h) || h.ends_with("_met") { CellKind::Text } else { CellKind::Number })
        .collect();
    let header: Vec<String> = keys.iter().map(|k| sisetu_i18n::column(lang, k)).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let xlsx = xlsx_of(csv);
    let (csv_path, xlsx_path) = (stage.path(csv), stage.path(&xlsx));
    let wrote = write::tables::write_csv_and_xlsx(&csv_path, &xlsx_path, sheet, &header, &kinds, rows)?;
    let mut files = vec![csv.to_string()];
    if wrote.xlsx {
        files.push(xlsx);
    }
    Ok(files)
}

/// Writes every output into `stage`; returns the file names: each layer's tables, then
/// the gap cells and the suggested sites.
pub(crate) fn write_all(
    layers: &[FacilityLayer],
    results: &[LayerResult],
    pop: &Population,
    districts: &ZoneLayer,
    work: Crs,
    lang: Lang,
    stage: &mut Staging,
) -> Result<Vec<String>> {
    let to_wgs = Transformer::new(work, Crs::Wgs84)?;
    let mut written = Vec::new();
    let mut gap_chunks: Vec<Vec<u8>> = Vec::new();
    for (layer, res) in layers.iter().zip(results) {
        let fc = &layer.config;
        let file = fc.features_file();
        write::write_feature_collection(&stage.path(&file), &fc.id, &[facility_features(layer, res, districts)])?;
        written.push(file);
        let (header, rows) = summary_table(layer, res, districts, lang);
        let text = ["district_id", "district_name"];
        let sheet = tr!(lang, "sheet.facility_summary", id = fc.id);
        written.extend(write_table(stage, &fc.summary_file(), &sheet, &header, &text, rows, lang)?);
        if res.townships.is_some() {
            written.extend(write_townships(fc, res, stage, lang)?);
        } else {
            stage.retire(&fc.townships_file());
            stage.retire(&xlsx_of(&fc.townships_file()));
        }
        gap_chunks.extend(
            res.gap_cells
                .par_chunks(4096)
                .map(|chunk| gap_features(chunk, fc, pop, districts, &to_wgs))
                .collect::<Vec<_>>(),
        );
    }
    write::write_feature_collection(&stage.path(GAPS_FILE), "coverage_gaps", &gap_chunks)?;
    written.push(GAPS_FILE.into());
    write_siting(layers, results, districts, stage)?;
    written.push(SITING_FILE.into());
    Ok(written)
}

/// `<id>s.geojson`: every facility with its capacity, load and the residents in its reach.
fn facility_features(layer: &FacilityLayer, res: &LayerResult, districts: &ZoneLayer) -> Vec<u8> {
    let items: Vec<usize> = (0..layer.rows.len()).collect();
    write::render_chunk(&items, |buf, &i| {
        let r = &layer.rows[i];
        let d = res.facility_district[i].map(|d| &districts.work[d.get()]);
        let cap = r.capacity.is_finite().then_some(r.capacity);
        let source = if r.capacity_given {
            "column"
        } else if cap.is_some() {
            "area"
        } else {
            "unlimited"
        };
        let load = res.load[i];
        let props: Vec<(&str, Value)> = vec![
            ("name", Value::StrOrNull(&r.name)),
            ("class", Value::StrOrNull(&r.class)),
            ("district_id", d.map_or(Value::Null, |z| Value::Str(&z.id))),
            ("district_name", d.map_or(Value::Null, |z| Value::Str(&z.name))),
            ("radius_m", Value::Num(r.radius_m)),
            ("area_m2", r.area_m2.map_or(Value::Null, Value::Num)),
            ("capacity", cap.map_or(Value::Null, Value::Num)),
            ("capacity_source", Value::Str(source)),
            ("load", Value::Num(load)),
            (
                "load_share",
                cap.filter(|c| *c > 0.0).map_or(Value::Null, |c| Value::Num((load / c * 1e4).round() / 1e4)),
            ),
            ("full", Value::Bool(cap.is_some_and(|c| load >= c))),
            ("population_in_reach", Value::Num(res.in_reach[i])),
            ("line", Value::Int(r.line as i64)),
        ];
        match &r.wgs84 {
            Geometry84::Point(x, y) => write::push_feature(buf, &props, Geom::Point(*x, *y)),
            Geometry84::Area(mp) => write::push_feature(buf, &props, Geom::MultiPolygon(mp)),
        }
    })
}

fn share(v: Option<f64>) -> String {
    v.map(|s| format!("{s:.4}")).unwrap_or_default()
}

fn yes_no(v: Option<f64>, target: f64, lang: Lang) -> String {
    v.map(|v| sisetu_i18n::yes_no(lang, v >= target)).unwrap_or_default()
}

/// `<id>_summary.csv`: the header and a row per district, outside (if any) and the total.
/// Area, capacity and target columns appear only when the layer has them.
fn summary_table(
    layer: &FacilityLayer,
    res: &LayerResult,
    districts: &ZoneLayer,
    lang: Lang,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let fc = &layer.config;
    let with_area = fc.kind == FacilityKind::Shelter || layer.has_area;
    let with_capacity = layer.has_capacity;
    let mut header = vec!["district_id", "district_name", "population", "facilities"];
    if with_area {
        header.extend(["area_m2", "m2_per_resident"]);
    }
    if fc.target_m2_per_person.is_some() {
        header.extend(["target_m2_per_resident", "target_met"]);
    }
    if with_capacity {
        header.push("capacity");
    }
    header.extend(["covered", "coverage"]);
    if fc.coverage_target.is_some() {
        header.extend(["coverage_target", "coverage_target_met"]);
    }
    if with_capacity {
        header.extend(["served", "without_room"]);
    }
    header.push("uncovered");
    let row = |id: &str, name: &str, f: &AreaFigures| -> Vec<String> {
        let mut r = vec![id.to_string(), name.to_string(), num(f.population), f.facilities.to_string()];
        if with_area {
            r.push(num(f.area_m2));
            r.push(f.m2_per_resident().map(|v| format!("{v:.3}")).unwrap_or_default());
        }
        if let Some(t) = fc.target_m2_per_person {
            r.extend([format!("{t}"), yes_no(f.m2_per_resident(), t, lang)]);
        }
        if with_capacity {
            r.push(num(f.capacity));
        }
        r.extend([num(f.covered), share(f.coverage())]);
        if let Some(t) = fc.coverage_target {
            r.extend([format!("{t}"), yes_no(f.coverage(), t, lang)]);
        }
        if with_capacity {
            r.extend([num(f.served), num(f.without_room)]);
        }
        r.push(num(f.uncovered));
        r
    };
    let mut rows: Vec<Vec<String>> =
        districts.work.iter().zip(&res.districts).map(|(z, f)| row(&z.id, &z.name, f)).collect();
    if res.outside.population > 0.0 || res.outside.facilities > 0 {
        rows.push(row("", &tr!(lang, "value.unassigned"), &res.outside));
    }
    rows.push(row("", &tr!(lang, "value.total"), &res.total));
    (header, rows)
}

/// `<id>_townships.csv` and `.xlsx`; returns their names.
fn write_townships(fc: &FacilityConfig, res: &LayerResult, stage: &mut Staging, lang: Lang) -> Result<Vec<String>> {
    let rows = res.townships.iter().flatten().map(|t| {
        let has = sisetu_i18n::yes_no(lang, t.facilities > 0);
        vec![t.id.clone(), t.name.clone(), t.district.clone(), t.facilities.to_string(), has]
    });
    let header = ["township_id", "township_name", "district_id", "facilities", "has_facility"];
    let text = ["township_id", "township_name", "district_id", "has_facility"];
    let sheet = tr!(lang, "sheet.facility_townships", id = fc.id);
    write_table(stage, &fc.townships_file(), &sheet, &header, &text, rows.collect(), lang)
}

/// Gap cells as WGS84 squares with their residents uncovered and without room.
fn gap_features(
    chunk: &[GapCell],
    fc: &FacilityConfig,
    pop: &Population,
    districts: &ZoneLayer,
    to_wgs: &Transformer,
) -> Vec<u8> {
    write::render_chunk(chunk, |buf, g| {
        let b = pop.grid.bounds(g.cell);
        let corners = [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
        let mut ring: Vec<(f64, f64)> =
            corners.iter().map(|&(x, y)| to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN))).collect();
        ring.push(ring[0]);
        let label = pop.grid.label(g.cell);
        let dist: Vec<&str> = g.districts.iter().map(|&d| districts.work[d.get()].id.as_str()).collect();
        let dist = dist.join(";");
        let status = match (g.uncovered > 0.0, g.without_room > 0.0) {
            (true, true) => "uncovered+over_capacity",
            (true, false) => "uncovered",
            _ => "over_capacity",
        };
        let props: Vec<(&str, Value)> = vec![
            ("facility", Value::Str(&fc.id)),
            ("cell_id", Value::Str(&label)),
            ("district_id", Value::StrOrNull(&dist)),
            ("status", Value::Str(status)),
            ("population", Value::Num(g.population)),
            ("uncovered", Value::Num(g.uncovered)),
            ("without_room", Value::Num(g.without_room)),
        ];
        write::push_feature(buf, &props, Geom::Ring(&ring));
    })
}

/// `siting.geojson`: every layer's suggested sites, ranked, with the coverage after each.
fn write_siting(
    layers: &[FacilityLayer],
    results: &[LayerResult],
    districts: &ZoneLayer,
    stage: &mut Staging,
) -> Result<()> {
    let mut chunks = Vec::new();
    for (layer, res) in layers.iter().zip(results) {
        let fc = &layer.config;
        let class = fc.siting.as_ref().and_then(|c| c.class.clone()).unwrap_or_default();
        let radius = fc.siting.as_ref().map_or(0.0, |c| c.radius_m);
        let ranked: Vec<(usize, &SitingPick)> = res.siting.iter().enumerate().collect();
        chunks.push(write::render_chunk(&ranked, |buf, (k, s)| {
            let d = s.district.map(|d| &districts.work[d.get()]);
            let after = res.total.covered + s.pick.cumulative;
            let coverage_after = if res.total.population > 0.0 {
                Value::Num(((after / res.total.population) * 1e4).round() / 1e4)
            } else {
                Value::Null
            };
            let props: Vec<(&str, Value)> = vec![
                ("facility", Value::Str(&fc.id)),
                ("rank", Value::Int(*k as i64 + 1)),
                ("name", Value::StrOrNull(&s.name)),
                ("class", Value::StrOrNull(&class)),
                ("radius_m", Value::Num(radius)),
                ("district_id", d.map_or(Value::Null, |z| Value::Str(&z.id))),
                ("district_name", d.map_or(Value::Null, |z| Value::Str(&z.name))),
                ("gain", Value::Num(s.pick.gain)),
                ("cumulative_gain", Value::Num(s.pick.cumulative)),
                ("coverage_after", coverage_after),
                ("line", if s.line > 0 { Value::Int(s.line as i64) } else { Value::Null }),
            ];
            write::push_feature(buf, &props, Geom::Point(s.lonlat.0, s.lonlat.1));
        }));
    }
    write::write_feature_collection(&stage.path(SITING_FILE), "siting", &chunks)?;
    Ok(())
}
