//! `districts.geojson`, `grids.geojson` and `cells.geojson`: every area with its level and
//! counts per level and category.

use crate::context::Context;
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::project::outputs::LayerFormat;
use rayon::prelude::*;
use sisetu_core::{Aggregation, RiskLevel, Summary};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::{self, Geom, Staging, Value};

/// The level and count properties of an area.
pub(super) fn level_props(agg: &Aggregation, s: &Summary) -> Vec<(&'static str, Value<'static>)> {
    vec![
        ("level", agg.level(&s.levels).map(|l| Value::Str(l.as_str())).unwrap_or(Value::Null)),
        ("n_red", Value::Int(s.levels[RiskLevel::Red] as i64)),
        ("n_orange", Value::Int(s.levels[RiskLevel::Orange] as i64)),
        ("n_yellow", Value::Int(s.levels[RiskLevel::Yellow] as i64)),
        ("n_blue", Value::Int(s.levels[RiskLevel::Blue] as i64)),
        ("total", Value::Int(s.levels.total() as i64)),
    ]
}

/// The `cat_<name>` property keys, in category order.
fn category_keys(ctx: &Context) -> Vec<String> {
    ctx.tallies.categories.iter().map(|c| format!("cat_{c}")).collect()
}

fn push_categories<'a>(ctx: &Context, keys: &'a [String], s: &Summary, props: &mut Vec<(&'a str, Value<'a>)>) {
    if ctx.tallies.has_categories {
        for (ci, k) in keys.iter().enumerate() {
            props.push((k, Value::Int(s.category(ci as u32) as i64)));
        }
    }
}

/// The features of `layer`, rendered in parallel chunks of a few zones (a national layer's
/// 2,875 counties are 96 MB of text: one buffer grown by doubling would copy it again and
/// again, on one thread).
fn zone_features(ctx: &Context, layer: &ZoneLayer, sums: &[Summary], extra_keys: bool) -> Vec<Vec<u8>> {
    let keys = category_keys(ctx);
    let items: Vec<usize> = (0..layer.work.len()).collect();
    items.par_chunks(16).map(|chunk| zone_chunk(ctx, layer, sums, extra_keys, &keys, chunk)).collect()
}

fn zone_chunk(
    ctx: &Context,
    layer: &ZoneLayer,
    sums: &[Summary],
    extra_keys: bool,
    keys: &[String],
    items: &[usize],
) -> Vec<u8> {
    write::render_chunk(items, |buf, &i| {
        let z = &layer.wgs84()[i];
        let s = &sums[i];
        let mut props: Vec<(&str, Value)> = vec![("id", Value::Str(&z.id)), ("name", Value::Str(&z.name))];
        if extra_keys {
            for (k, v) in &z.extra {
                props.push((k, Value::StrOrNull(v)));
            }
        }
        // Residents (`[districts] population`) as a number, checked when the layer was read.
        if let Ok(Some(n)) = crate::maps::residents_of(&layer.work[i]) {
            props.push((crate::project::POPULATION_KEY, Value::Num(n)));
        }
        props.extend(level_props(&ctx.cfg.aggregation, s));
        push_categories(ctx, keys, s, &mut props);
        write::push_feature(buf, &props, Geom::MultiPolygon(&z.geometry));
    })
}

/// `districts.geojson`, and `grids.geojson` when the project has management grids.
pub(super) fn write_zone_layers(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let chunks = zone_features(ctx, ctx.districts, &ctx.tallies.by_district, false);
    write::write_feature_collection(&stage.path("districts.geojson"), "districts", &chunks)?;
    let mut written = vec!["districts.geojson".to_string()];
    match ctx.grids {
        Some(g) => {
            let chunks = zone_features(ctx, g, &ctx.tallies.by_grid, true);
            write::write_feature_collection(&stage.path("grids.geojson"), "grids", &chunks)?;
            written.push("grids.geojson".into());
        }
        None => stage.retire("grids.geojson"),
    }
    Ok(written)
}

/// The cell layer in the format of `[outputs] cells`: `cells.geojson`, `cells.parquet`,
/// `cells.fgb` or nothing.
pub(super) fn write_cells(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    match ctx.cfg.outputs.cells_format() {
        LayerFormat::GeoJson => write_cells_geojson(ctx, stage),
        LayerFormat::None => Ok(Vec::new()),
        format => super::columnar::write_cells(ctx, stage, format),
    }
}

/// `cells.geojson`: every non-empty regular cell as a WGS84 polygon. A cell whose corners
/// cannot be projected back to WGS84 is an error (never a polygon of null coordinates).
fn write_cells_geojson(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let grid = sisetu_core::RegularGrid::new(ctx.cfg.cell_size_m)
        .ok_or_else(|| Error::internal(format!("invalid cell size {}", ctx.cfg.cell_size_m)))?;
    let work_to_wgs = Transformer::new(ctx.work, Crs::Wgs84)?;
    let keys = category_keys(ctx);
    let agg = &ctx.cfg.aggregation;
    let chunks: Vec<Result<Vec<u8>>> = ctx
        .tallies
        .cells
        .par_chunks(4096)
        .map(|chunk| {
            let mut failed = None;
            let bytes = write::render_chunk(chunk, |buf, (c, s)| {
                let b = grid.bounds(*c);
                let corners =
                    [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
                let mut ring: Vec<(f64, f64)> = Vec::with_capacity(5);
                for (x, y) in corners {
                    match work_to_wgs.transform(x, y) {
                        Ok(p) if p.0.is_finite() && p.1.is_finite() => ring.push(p),
                        _ => {
                            failed.get_or_insert_with(|| grid.label(*c));
                            ring.push((0.0, 0.0));
                        }
                    }
                }
                ring.push(ring[0]);
                let label = grid.label(*c);
                let mut props: Vec<(&str, Value)> =
                    vec![("cell_id", Value::Str(&label)), ("col", Value::Int(c.col)), ("row", Value::Int(c.row))];
                props.extend(level_props(agg, s));
                push_categories(ctx, &keys, s, &mut props);
                write::push_feature(buf, &props, Geom::Ring(&ring));
            });
            match failed {
                None => Ok(bytes),
                Some(cell) => Err(Error::internal(format!(
                    "cell {cell} cannot be projected from {} back to WGS84: a site far outside the working CRS's zone was accepted",
                    ctx.work
                ))),
            }
        })
        .collect();
    let chunks = chunks.into_iter().collect::<Result<Vec<_>>>()?;
    write::write_feature_collection(&stage.path("cells.geojson"), "cells", &chunks)?;
    Ok(vec!["cells.geojson".into()])
}
