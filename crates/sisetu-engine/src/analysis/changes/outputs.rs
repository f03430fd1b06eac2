//! `changes.csv` and `changes.geojson`: one row / feature per change, in the change set's order.

use super::compare::{Change, ChangeGeom, ChangeSet};
use crate::error::Result;
use sisetu_core::{CellId, RegularGrid, RiskLevel};
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::tables::CellKind;
use sisetu_io::write::{self, Geom, Staging, Value};

/// The header of `changes.csv`.
pub const CSV_HEADER: [&str; 25] = [
    "scope",
    "id",
    "name",
    "change",
    "level_old",
    "level_new",
    "district_old",
    "district_new",
    "grid_old",
    "grid_new",
    "moved_m",
    "red_old",
    "red_new",
    "orange_old",
    "orange_new",
    "yellow_old",
    "yellow_new",
    "blue_old",
    "blue_new",
    "total_old",
    "total_new",
    "name_old",
    "lon",
    "lat",
    "note",
];

/// Writes `changes.csv` (UTF-8 with a BOM) and `changes.geojson` into `stage`; returns their names.
/// The header and the values of the table (scope, change, levels) are in `lang`; those of
/// the GeoJSON file are the keys, whatever the language.
pub fn write(set: &ChangeSet, stage: &mut Staging, lang: Lang) -> Result<Vec<String>> {
    let (csv, xlsx) = (stage.path("changes.csv"), stage.path("changes.xlsx"));
    let header = CSV_HEADER.map(|k| sisetu_i18n::column(lang, &format!("changes.{k}")));
    let header = header.each_ref().map(String::as_str);
    let wrote = write::tables::write_csv_and_xlsx(
        &csv,
        &xlsx,
        &tr!(lang, "sheet.changes"),
        &header,
        &CSV_KINDS,
        set.changes.iter().map(|r| csv_row(r, lang)),
    )?;
    let to_wgs = Transformer::new(set.work, Crs::Wgs84)?;
    let features = write::render_chunk(&set.changes, |buf, r| {
        let change = r.change();
        let props = feature_props(r, &change);
        match &r.geom {
            ChangeGeom::Point(x, y) => write::push_feature(buf, &props, Geom::Point(*x, *y)),
            ChangeGeom::Area(mp) => write::push_feature(buf, &props, Geom::MultiPolygon(mp)),
            ChangeGeom::Cell(c) => write::push_feature(buf, &props, Geom::Ring(&cell_ring(&set.grid, &to_wgs, *c))),
        }
    });
    write::write_feature_collection(&stage.path("changes.geojson"), "changes", &[features])?;
    let mut files = vec!["changes.csv".to_string(), "changes.geojson".to_string()];
    if wrote.xlsx {
        files.push("changes.xlsx".to_string());
    }
    Ok(files)
}

/// A moved distance rounded to 0.1 m.
fn round_dm(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

/// A coordinate as the GeoJSON outputs write it.
fn coord_text(v: f64) -> String {
    let mut b = Vec::new();
    write::push_coord(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

/// A regular cell's ring in WGS84 lon/lat (NaN corners when they cannot be projected).
fn cell_ring(grid: &RegularGrid, to_wgs: &Transformer, c: CellId) -> Vec<(f64, f64)> {
    let b = grid.bounds(c);
    let corners = [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
    let mut ring: Vec<(f64, f64)> =
        corners.iter().map(|&(x, y)| to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN))).collect();
    ring.push(ring[0]);
    ring
}

/// What each column of [`CSV_HEADER`] holds, for `changes.xlsx`.
const CSV_KINDS: [CellKind; 25] = {
    use CellKind::{Level as L, Number as N, Text as T};
    [T, T, T, T, L, L, T, T, T, T, N, N, N, N, N, N, N, N, N, N, N, T, N, N, T]
};

/// One row of `changes.csv`, in [`CSV_HEADER`] order.
fn csv_row(r: &Change, lang: Lang) -> Vec<String> {
    let lv = |l: Option<RiskLevel>| l.map(|l| tr!(lang, &format!("level.{}", l.as_str()))).unwrap_or_default();
    let change: Vec<String> = r.kinds.iter().map(|k| tr!(lang, &format!("change.{}", k.as_str()))).collect();
    let mut v: Vec<String> = vec![
        tr!(lang, &format!("scope.{}", r.scope.as_str())),
        r.id.clone(),
        r.name.clone(),
        change.join(";"),
        lv(r.level_old),
        lv(r.level_new),
        r.district[0].clone(),
        r.district[1].clone(),
        r.grid[0].clone(),
        r.grid[1].clone(),
        r.moved_m.map(|d| format!("{:.1}", round_dm(d))).unwrap_or_default(),
    ];
    for i in 0..4 {
        for side in 0..2 {
            v.push(r.counts.map(|c| c[side][i].to_string()).unwrap_or_default());
        }
    }
    for side in 0..2 {
        v.push(r.counts.map(|c| c[side].iter().sum::<u64>().to_string()).unwrap_or_default());
    }
    v.push(r.name_old.clone());
    match r.geom {
        ChangeGeom::Point(x, y) if x.is_finite() && y.is_finite() => {
            v.push(coord_text(x));
            v.push(coord_text(y));
        }
        _ => v.extend([String::new(), String::new()]),
    }
    v.push(r.note.clone());
    v
}

/// The properties of one feature of `changes.geojson` (`change` is `r.change()`).
fn feature_props<'a>(r: &'a Change, change: &'a str) -> Vec<(&'static str, Value<'a>)> {
    let lvs = |l: Option<RiskLevel>| l.map(|l| Value::Str(l.as_str())).unwrap_or(Value::Null);
    let count = |side: usize, i: usize| r.counts.map(|c| Value::Int(c[side][i] as i64)).unwrap_or(Value::Null);
    let total = |side: usize| r.counts.map(|c| Value::Int(c[side].iter().sum::<u64>() as i64)).unwrap_or(Value::Null);
    vec![
        ("scope", Value::Str(r.scope.as_str())),
        ("id", Value::StrOrNull(&r.id)),
        ("name", Value::StrOrNull(&r.name)),
        ("change", Value::Str(change)),
        ("level_old", lvs(r.level_old)),
        ("level_new", lvs(r.level_new)),
        ("district_old", Value::StrOrNull(&r.district[0])),
        ("district_new", Value::StrOrNull(&r.district[1])),
        ("grid_old", Value::StrOrNull(&r.grid[0])),
        ("grid_new", Value::StrOrNull(&r.grid[1])),
        ("moved_m", r.moved_m.map(|d| Value::Num(round_dm(d))).unwrap_or(Value::Null)),
        ("red_old", count(0, 0)),
        ("red_new", count(1, 0)),
        ("orange_old", count(0, 1)),
        ("orange_new", count(1, 1)),
        ("yellow_old", count(0, 2)),
        ("yellow_new", count(1, 2)),
        ("blue_old", count(0, 3)),
        ("blue_new", count(1, 3)),
        ("total_old", total(0)),
        ("total_new", total(1)),
        ("name_old", Value::StrOrNull(&r.name_old)),
        ("note", Value::StrOrNull(&r.note)),
    ]
}
