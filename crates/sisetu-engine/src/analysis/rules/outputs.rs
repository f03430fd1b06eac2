//! The files of the rules, written from the findings in memory: `rule_violations.geojson`
//! (one feature per violation: the shortest segment, or the feature of A that has nothing in
//! reach) and `rules_summary.csv` / `.xlsx` (per rule and district: features checked,
//! violating, compliance).

use super::check::{compliance, RuleResult, Side, Violation};
use super::layers::{Feature, Geometry84};
use crate::analysis::coverage::input::num;
use crate::analysis::coverage::outputs::write_table;
use crate::error::Result;
use crate::layers::ZoneLayer;
use crate::project::rules::{Required, RuleConfig, RuleKind};
use rayon::prelude::*;
use sisetu_core::proximity::Shape;
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::{self, Geom, Staging, Value};

/// Every violation of every rule.
pub(crate) const VIOLATIONS_FILE: &str = "rule_violations.geojson";
/// The high-consequence stretches of lines (pipelines) of every rule.
pub(crate) const STRETCHES_FILE: &str = "high_consequence.geojson";
/// The table per rule and district.
pub(crate) const SUMMARY_FILE: &str = "rules_summary.csv";
/// Its workbook.
pub(crate) const SUMMARY_XLSX: &str = "rules_summary.xlsx";

/// One rule's features and result, as the writers need them.
pub(crate) struct Checked<'a> {
    pub rule: &'a RuleConfig,
    pub a: &'a [Feature],
    pub b: &'a [Feature],
    pub result: &'a RuleResult,
}

/// A distance rounded to the millimetre, as the outputs give it.
pub(crate) fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Writes the files into `stage`; returns their names.
pub(crate) fn write_all(
    rules: &[Checked<'_>],
    districts: &ZoneLayer,
    work: Crs,
    lang: Lang,
    stage: &mut Staging,
) -> Result<Vec<String>> {
    let to_wgs = Transformer::new(work, Crs::Wgs84)?;
    let mut chunks = Vec::new();
    for c in rules {
        chunks.extend(
            c.result
                .violations
                .par_chunks(2048)
                .map(|chunk| violation_features(c, chunk, districts, &to_wgs))
                .collect::<Vec<_>>(),
        );
    }
    write::write_feature_collection(&stage.path(VIOLATIONS_FILE), "rule_violations", &chunks)?;
    let stretch_chunks: Vec<Vec<u8>> = rules.iter().map(|c| stretch_features(c, &to_wgs)).collect();
    write::write_feature_collection(&stage.path(STRETCHES_FILE), "high_consequence", &stretch_chunks)?;
    let keys = ["rule", "district_id", "district_name", "checked", "violating", "compliance", "required_m"];
    let text = ["rule", "district_id", "district_name", "required_m"];
    let rows = summary_rows(rules, districts, lang);
    let sheet = tr!(lang, "sheet.rules_summary");
    let mut files = vec![VIOLATIONS_FILE.to_string(), STRETCHES_FILE.to_string()];
    files.extend(write_table(stage, SUMMARY_FILE, &sheet, &keys, &text, rows, lang)?);
    Ok(files)
}

/// The text of a rule's required distance in the tables: metres, or each feature's own.
pub(crate) fn required_text(rule: &RuleConfig, lang: Lang) -> String {
    match rule.required {
        Required::Metres(m) => num(m),
        Required::Column => tr!(lang, "rules.per_feature"),
    }
}

/// Per rule: a row per district with features of A, one for those outside, and the total.
fn summary_rows(rules: &[Checked<'_>], districts: &ZoneLayer, lang: Lang) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for c in rules {
        let r = c.result;
        let required = required_text(c.rule, lang);
        let row = |id: &str, name: &str, (checked, violating): (u64, u64)| {
            vec![
                c.rule.name.clone(),
                id.to_string(),
                name.to_string(),
                checked.to_string(),
                violating.to_string(),
                format!("{:.4}", compliance(checked, violating)),
                required.clone(),
            ]
        };
        for (d, counts) in districts.work.iter().zip(&r.by_district) {
            if counts.0 > 0 {
                rows.push(row(&d.id, &d.name, *counts));
            }
        }
        if r.outside.0 > 0 {
            rows.push(row("", &tr!(lang, "value.unassigned"), r.outside));
        }
        rows.push(row("", &tr!(lang, "value.total"), (r.checked, r.violating)));
    }
    rows
}

/// The stretches of one rule's lines: rule, the line (its layer, id, name, part), chainage and
/// length (millimetres), the stretch as a LineString.
fn stretch_features(c: &Checked<'_>, to_wgs: &Transformer) -> Vec<u8> {
    write::render_chunk(&c.result.stretches, |buf, s| {
        let f = match s.side {
            Side::A => &c.a[s.feature as usize],
            Side::B => &c.b[s.feature as usize],
        };
        let props: Vec<(&str, Value)> = vec![
            ("rule", Value::Str(&c.rule.name)),
            ("layer", Value::Str(if s.side == Side::A { "a" } else { "b" })),
            ("line_id", Value::StrOrNull(&f.id)),
            ("line_name", Value::StrOrNull(&f.name)),
            ("part", Value::Int(i64::from(s.part))),
            ("from_m", Value::Num(mm(s.stretch.from_m))),
            ("to_m", Value::Num(mm(s.stretch.to_m))),
            ("length_m", Value::Num(mm(s.stretch.to_m - s.stretch.from_m))),
        ];
        let pts: Vec<(f64, f64)> =
            s.stretch.coords.iter().map(|p| to_wgs.transform(p.x, p.y).unwrap_or((f64::NAN, f64::NAN))).collect();
        write::push_feature(buf, &props, Geom::Line(&pts));
    })
}

fn violation_features(c: &Checked<'_>, chunk: &[Violation], districts: &ZoneLayer, to_wgs: &Transformer) -> Vec<u8> {
    write::render_chunk(chunk, |buf, v| {
        let a = &c.a[v.a as usize];
        let b = v.b.map(|j| &c.b[j as usize]);
        let d = a.district.map(|z| &districts.work[z.get()]);
        let props: Vec<(&str, Value)> = vec![
            ("rule", Value::Str(&c.rule.name)),
            ("a_id", Value::StrOrNull(&a.id)),
            ("a_name", Value::StrOrNull(&a.name)),
            ("a_line", Value::Int(a.line as i64)),
            ("b_id", b.map_or(Value::Null, |b| Value::StrOrNull(&b.id))),
            ("b_name", b.map_or(Value::Null, |b| Value::StrOrNull(&b.name))),
            ("b_line", b.map_or(Value::Null, |b| Value::Int(b.line as i64))),
            ("distance_m", v.distance_m.map_or(Value::Null, |x| Value::Num(mm(x)))),
            ("required_m", Value::Num(v.required_m)),
            ("district_id", d.map_or(Value::Null, |z| Value::Str(&z.id))),
            ("district_name", d.map_or(Value::Null, |z| Value::Str(&z.name))),
        ];
        // A pair too close: the shortest segment; a feature of A with nothing in reach: itself.
        // An end that is a point feature itself takes that feature's WGS84 position (no
        // inverse projection, and the same digits as the layer's).
        let end = |p: geo::Coord<f64>, f: Option<&Feature>| -> Option<(f64, f64)> {
            match f.map(|f| (&f.shape, &f.wgs84)) {
                Some((Shape::Point(x, y), Geometry84::Point(lon, lat))) if *x == p.x && *y == p.y => Some((*lon, *lat)),
                _ => to_wgs.transform(p.x, p.y).ok(),
            }
        };
        let segment = v
            .segment
            .filter(|_| c.rule.kind == RuleKind::Separation)
            .and_then(|[p, q]| Some([end(p, Some(a))?, end(q, b)?]));
        match (&segment, &a.wgs84) {
            (Some(s), _) => write::push_feature(buf, &props, Geom::Line(s)),
            (None, Geometry84::Point(x, y)) => write::push_feature(buf, &props, Geom::Point(*x, *y)),
            (None, Geometry84::Lines(ml)) => write::push_feature(buf, &props, Geom::MultiLine(ml)),
            (None, Geometry84::Area(mp)) => write::push_feature(buf, &props, Geom::MultiPolygon(mp)),
        }
    })
}
