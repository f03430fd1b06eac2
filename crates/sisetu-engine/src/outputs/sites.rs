//! The site layer: `sites.geojson` (every accepted site with its level and place, in input
//! order), or `sites.parquet` / `sites.fgb` (the same properties, Hilbert-sorted) or nothing,
//! as `[outputs] sites` says ([`crate::project::outputs`]).
//!
//! [`SiteFields`] says what the layer holds of one site, in every format; the census in
//! memory is written here, a streamed census by `pipeline/stream.rs` with the same fields, so
//! that both give the same bytes.

use crate::census::Placed;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::project::outputs::LayerFormat;
use sisetu_core::{RegularGrid, Zone};
use sisetu_io::columnar::{ColumnarError, Geometry, Value as Col};
use sisetu_io::sites::Site;
use sisetu_io::write::{self, Geom, Staging, Value};
use std::borrow::Cow;
use std::path::Path;

/// What the site layer says of each site: its text fields, level, district, grid, cell,
/// whether its id repeats, its file (with several site layers) and line.
pub(crate) struct SiteFields<'a> {
    districts: &'a [Zone],
    grids: Option<&'a [Zone]>,
    grid: RegularGrid,
    /// Each layer's file name (the `source` property, with several layers).
    sources: Vec<&'a str>,
}

impl<'a> SiteFields<'a> {
    /// The fields of a build with these districts, grids and site files.
    pub(crate) fn new(
        cell_size_m: f64,
        districts: &'a ZoneLayer,
        grids: Option<&'a ZoneLayer>,
        files: &'a [String],
    ) -> Result<Self> {
        let grid =
            RegularGrid::new(cell_size_m).ok_or_else(|| Error::internal(format!("invalid cell size {cell_size_m}")))?;
        let sources =
            files.iter().map(|f| Path::new(f.as_str()).file_name().and_then(|n| n.to_str()).unwrap_or(f)).collect();
        Ok(SiteFields { districts: &districts.work, grids: grids.map(|g| g.work.as_slice()), grid, sources })
    }

    fn multi_layer(&self) -> bool {
        self.sources.len() > 1
    }

    /// The columns of the columnar formats: those of `sites.geojson`, in its order.
    pub(crate) fn schema(&self) -> sisetu_io::columnar::Schema {
        super::columnar::site_schema(self.grids.is_some(), self.multi_layer())
    }

    /// Appends site `s` of layer `layer`, placed at `a`, as a GeoJSON feature.
    pub(crate) fn feature(&self, buf: &mut Vec<u8>, layer: usize, s: &Site, a: &Placed, repeated: bool) {
        let mut label = String::with_capacity(24);
        self.grid.write_label(a.cell, &mut label);
        let mut props: [(&str, Value); 12] = [("", Value::Null); 12];
        let mut n = 0;
        let mut put = |k: &'static str, v| {
            props[n] = (k, v);
            n += 1;
        };
        let zone = |z: Option<&'a Zone>| z.map_or(Value::Null, |z| Value::Str(&z.id));
        put("id", Value::StrOrNull(s.id()));
        put("name", Value::StrOrNull(s.name()));
        put("category", Value::StrOrNull(s.category()));
        put("grade", Value::Str(s.grade()));
        put("level", Value::Str(s.level.as_str()));
        put("district_id", zone(a.district.map(|d| &self.districts[d.get()])));
        if let Some(m) = self.grids {
            put("grid_id", zone(a.grid.map(|g| &m[g.get()])));
        }
        put("cell_id", Value::Str(&label));
        put("duplicate_id", Value::Bool(repeated));
        if self.multi_layer() {
            put("source", Value::Str(self.sources[layer]));
        }
        put("line", Value::Int(s.line as i64));
        write::push_feature(buf, &props[..n], Geom::Point(s.lon, s.lat));
    }

    /// Pushes the columnar values of site `s` of layer `layer`, placed at `a`; returns its
    /// geometry.
    pub(crate) fn values<'v>(
        &'v self,
        v: &mut Vec<Col<'v>>,
        layer: usize,
        s: &'v Site,
        a: &Placed,
        repeated: bool,
    ) -> std::result::Result<Geometry, ColumnarError> {
        let str_or_null = |t: &'v str| if t.is_empty() { Col::Null } else { Col::Str(Cow::Borrowed(t)) };
        let zone = |z: Option<&'v Zone>| z.map_or(Col::Null, |z| Col::Str(Cow::Borrowed(&z.id)));
        v.push(str_or_null(s.id()));
        v.push(str_or_null(s.name()));
        v.push(str_or_null(s.category()));
        v.push(Col::Str(Cow::Borrowed(s.grade())));
        v.push(Col::Str(Cow::Borrowed(s.level.as_str())));
        v.push(zone(a.district.map(|d| &self.districts[d.get()])));
        if let Some(m) = self.grids {
            v.push(zone(a.grid.map(|g| &m[g.get()])));
        }
        let mut label = String::with_capacity(24);
        self.grid.write_label(a.cell, &mut label);
        v.push(Col::Str(Cow::Owned(label)));
        v.push(Col::Bool(repeated));
        if self.multi_layer() {
            v.push(Col::Str(Cow::Borrowed(self.sources[layer])));
        }
        v.push(Col::Int(s.line as i64));
        Ok(Geometry::Point { lon: s.lon, lat: s.lat })
    }
}

/// Writes the site layer in the format of `[outputs] sites` for this census (a streamed
/// census wrote it as it went: nothing is left to write).
pub(super) fn write_sites(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    if ctx.census.streamed.is_some() {
        return Ok(Vec::new());
    }
    match ctx.cfg.outputs.sites_format(ctx.census.n_sites()) {
        LayerFormat::GeoJson => write_geojson(ctx, stage),
        LayerFormat::None => Ok(Vec::new()),
        format => super::columnar::write_sites(ctx, stage, format),
    }
}

/// Writes `sites.geojson`, rendered in parallel batches and streamed in input order.
fn write_geojson(ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
    let census = ctx.census;
    let fields = SiteFields::new(ctx.cfg.cell_size_m, ctx.districts, ctx.grids, &census.files)?;
    let mut out = write::FeatureStream::create(&stage.path("sites.geojson"), "sites")?;
    for (li, (l, p)) in census.layers.iter().zip(&census.placed).enumerate() {
        let idx: Vec<u32> = (0..l.sites.len() as u32).collect();
        write::stream_features(&mut out, &idx, |buf, &i| {
            let (s, a) = (&l.sites[i as usize], &p[i as usize]);
            fields.feature(buf, li, s, a, census.duplicates.is_repeated(s.id()));
        })?;
    }
    out.finish()?;
    Ok(vec!["sites.geojson".into()])
}
