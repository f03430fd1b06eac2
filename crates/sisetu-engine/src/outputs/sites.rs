//! The site layer: `sites.geojson` (every accepted site with its level and place, in input
//! order), or `sites.parquet` / `sites.fgb` (the same properties, Hilbert-sorted) or nothing,
//! as `[outputs] sites` says ([`crate::project::outputs`]).

use crate::context::Context;
use crate::error::{Error, Result};
use crate::project::outputs::LayerFormat;
use sisetu_io::write::{self, Geom, Staging, Value};
use std::path::Path;

/// Writes the site layer in the format of `[outputs] sites` for this census.
pub(super) fn write_sites(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    match ctx.cfg.outputs.sites_format(ctx.census.n_sites()) {
        LayerFormat::GeoJson => write_geojson(ctx, stage),
        LayerFormat::None => Ok(Vec::new()),
        format => super::columnar::write_sites(ctx, stage, format),
    }
}

/// Writes `sites.geojson`, rendered in parallel batches and streamed in input order.
fn write_geojson(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let grid = sisetu_core::RegularGrid::new(ctx.cfg.cell_size_m)
        .ok_or_else(|| Error::internal(format!("invalid cell size {}", ctx.cfg.cell_size_m)))?;
    let census = ctx.census;
    let multi_layer = census.layers.len() > 1;
    let mut out = write::FeatureStream::create(&stage.path("sites.geojson"), "sites")?;
    for (li, (l, p)) in census.layers.iter().zip(&census.placed).enumerate() {
        let file = census.files[li].as_str();
        let file_name = Path::new(file).file_name().and_then(|f| f.to_str()).unwrap_or(file);
        let idx: Vec<u32> = (0..l.sites.len() as u32).collect();
        write::stream_features(&mut out, &idx, |buf, &i| {
            let (s, a) = (&l.sites[i as usize], &p[i as usize]);
            let d = a.district.map(|d| &ctx.districts.work[d.get()]);
            let mut label = String::with_capacity(24);
            grid.write_label(a.cell, &mut label);
            let mut props: [(&str, Value); 12] = [("", Value::Null); 12];
            let mut n = 0;
            let mut put = |k: &'static str, v| {
                props[n] = (k, v);
                n += 1;
            };
            put("id", Value::StrOrNull(s.id()));
            put("name", Value::StrOrNull(s.name()));
            put("category", Value::StrOrNull(s.category()));
            put("grade", Value::Str(s.grade()));
            put("level", Value::Str(s.level.as_str()));
            put("district_id", d.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null));
            if let Some(m) = ctx.grids {
                let g = a.grid.map(|g| &m.work[g.get()]);
                put("grid_id", g.map(|z| Value::Str(&z.id)).unwrap_or(Value::Null));
            }
            put("cell_id", Value::Str(&label));
            put("duplicate_id", Value::Bool(census.duplicates.is_repeated(s.id())));
            if multi_layer {
                put("source", Value::Str(file_name));
            }
            put("line", Value::Int(s.line as i64));
            write::push_feature(buf, &props[..n], Geom::Point(s.lon, s.lat));
        })?;
    }
    out.finish()?;
    Ok(vec!["sites.geojson".into()])
}
