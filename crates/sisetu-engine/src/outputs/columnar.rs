//! `sites.parquet` / `sites.fgb` and `cells.parquet` / `cells.fgb`: the site and cell layers
//! in the columnar formats of `[outputs]`, with the properties of `sites.geojson` and
//! `cells.geojson`, pulled from the census in memory by the writers of
//! [`sisetu_io::columnar`] (no second copy of the census is made).

use super::sites::SiteFields;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::project::outputs::LayerFormat;
use sisetu_core::{RegularGrid, RiskLevel};
use sisetu_io::columnar::flatgeobuf::{write_flatgeobuf, FlatGeobufOptions};
use sisetu_io::columnar::geoparquet::{write_geoparquet, GeoParquetOptions};
use sisetu_io::columnar::{ColumnType, ColumnarError, GeoCrs, Geometry, GeometryKind, Rows, Schema, Value};
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::write::Staging;
use std::borrow::Cow;

/// Writes `rows` as the layer `stem` (`sites`, `cells`) in `format` into `stage`; returns
/// the file written (none for [`LayerFormat::None`]). GeoJSON is written by the callers.
fn write_layer(
    stage: &mut Staging,
    stem: &str,
    format: LayerFormat,
    schema: &Schema,
    rows: &dyn Rows,
    geometry: GeometryKind,
) -> Result<Vec<String>> {
    let Some(file) = format.file(stem) else { return Ok(Vec::new()) };
    let path = stage.path(&file);
    match format {
        LayerFormat::GeoParquet => {
            let options = GeoParquetOptions { crs: GeoCrs::Wgs84, geometry, ..Default::default() };
            write_geoparquet(&path, schema, rows, &options)?;
        }
        LayerFormat::FlatGeobuf => {
            let options = FlatGeobufOptions { name: stem.to_string(), crs: GeoCrs::Wgs84, geometry };
            write_flatgeobuf(&path, schema, rows, &options)?;
        }
        LayerFormat::GeoJson | LayerFormat::None => {
            return Err(Error::internal(format!("{file} is not a columnar layer")));
        }
    }
    Ok(vec![file])
}

/// Every accepted site, indexed over all layers in input order.
struct SiteRows<'a> {
    ctx: &'a Context<'a>,
    fields: SiteFields<'a>,
    /// Index of each layer's first site, then the number of sites.
    offsets: Vec<usize>,
}

impl SiteRows<'_> {
    fn at(&self, i: usize) -> (usize, usize) {
        let layer = self.offsets.partition_point(|&o| o <= i).saturating_sub(1);
        (layer, i - self.offsets[layer])
    }
}

impl Rows for SiteRows<'_> {
    fn len(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    fn position(&self, i: usize) -> (f64, f64) {
        let (l, k) = self.at(i);
        let s = &self.ctx.census.layers[l].sites[k];
        (s.lon, s.lat)
    }

    fn touch(&self, i: usize) -> u64 {
        let (l, k) = self.at(i);
        touch_site(&self.ctx.census.layers[l].sites[k], &self.ctx.census.placed[l][k])
    }

    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> std::result::Result<Geometry, ColumnarError> {
        let (l, k) = self.at(i);
        let census = self.ctx.census;
        let s = &census.layers[l].sites[k];
        self.fields.values(v, l, s, &census.placed[l][k], census.duplicates.is_repeated(s.id()))
    }
}

/// A few bytes of a site and its place ([`Rows::touch`]).
pub(crate) fn touch_site(s: &sisetu_io::sites::Site, a: &crate::census::Placed) -> u64 {
    let first = s.id().bytes().next().or_else(|| s.grade().bytes().next()).unwrap_or(0);
    u64::from(first) ^ u64::from(a.district.map_or(0, sisetu_core::ZoneIdx::as_u32))
}

/// The GeoParquet options of the site layer: points in WGS84, Hilbert keys over the
/// districts' extent (known before any site is read, so that a streamed census is sorted
/// the same).
pub(crate) fn site_parquet_options(districts: &crate::layers::ZoneLayer) -> GeoParquetOptions {
    GeoParquetOptions {
        crs: GeoCrs::Wgs84,
        geometry: GeometryKind::Point,
        extent: crate::layers::lonlat_extent(districts.wgs84()),
        ..Default::default()
    }
}

/// The columns of the site layer: those of `sites.geojson`, in its order.
pub(crate) fn site_schema(grids: bool, multi_layer: bool) -> Schema {
    let mut s = Schema::new().with_distinct("id", ColumnType::Utf8).with_distinct("name", ColumnType::Utf8);
    s = ["category", "grade", "level", "district_id"].iter().fold(s, |s, n| s.with(*n, ColumnType::Utf8));
    if grids {
        s = s.with("grid_id", ColumnType::Utf8);
    }
    s = s.with("cell_id", ColumnType::Utf8).with("duplicate_id", ColumnType::Bool);
    if multi_layer {
        s = s.with("source", ColumnType::Utf8);
    }
    s.with_distinct("line", ColumnType::Int64)
}

/// Writes the site layer as `sites.parquet` or `sites.fgb`.
pub(super) fn write_sites(ctx: &Context, stage: &mut Staging, format: LayerFormat) -> Result<Vec<String>> {
    let census = ctx.census;
    let mut offsets = vec![0];
    for l in &census.layers {
        offsets.push(offsets.last().copied().unwrap_or(0) + l.sites.len());
    }
    let fields = SiteFields::new(ctx.cfg.cell_size_m, ctx.districts, ctx.grids, &census.files)?;
    let schema = fields.schema();
    let rows = SiteRows { ctx, fields, offsets };
    if format == LayerFormat::GeoParquet {
        let file = "sites.parquet";
        write_geoparquet(&stage.path(file), &schema, &rows, &site_parquet_options(ctx.districts))?;
        return Ok(vec![file.into()]);
    }
    write_layer(stage, "sites", format, &schema, &rows, GeometryKind::Point)
}

/// Every non-empty regular cell, as a WGS84 polygon.
struct CellRows<'a> {
    ctx: &'a Context<'a>,
    grid: RegularGrid,
    to_wgs84: Transformer,
    /// The `cat_<name>` keys, when the census has categories.
    categories: Vec<String>,
    path: String,
}

impl Rows for CellRows<'_> {
    fn len(&self) -> usize {
        self.ctx.tallies.cells.len()
    }

    fn position(&self, i: usize) -> (f64, f64) {
        let b = self.grid.bounds(self.ctx.tallies.cells[i].0);
        let (x, y) = ((b.min().x + b.max().x) / 2.0, (b.min().y + b.max().y) / 2.0);
        self.to_wgs84.transform(x, y).unwrap_or((f64::NAN, f64::NAN))
    }

    fn row<'a>(&'a self, i: usize, v: &mut Vec<Value<'a>>) -> std::result::Result<Geometry, ColumnarError> {
        let (c, s) = &self.ctx.tallies.cells[i];
        let b = self.grid.bounds(*c);
        let corners = [(b.min().x, b.min().y), (b.max().x, b.min().y), (b.max().x, b.max().y), (b.min().x, b.max().y)];
        let mut ring = Vec::with_capacity(5);
        for (x, y) in corners {
            match self.to_wgs84.transform(x, y) {
                Ok(p) if p.0.is_finite() && p.1.is_finite() => ring.push(p),
                _ => {
                    return Err(ColumnarError::Row {
                        path: self.path.clone(),
                        row: i,
                        msg: format!(
                            "cell {} cannot be projected from {} back to WGS84: a site far outside the working \
                             CRS's zone was accepted",
                            self.grid.label(*c),
                            self.ctx.work
                        ),
                    })
                }
            }
        }
        ring.push(ring[0]);
        v.push(Value::Str(Cow::Owned(self.grid.label(*c))));
        v.push(Value::Int(c.col));
        v.push(Value::Int(c.row));
        let level = self.ctx.cfg.aggregation.level(&s.levels);
        v.push(level.map_or(Value::Null, |l| Value::Str(Cow::Borrowed(l.as_str()))));
        for l in RiskLevel::ALL {
            v.push(Value::Int(s.levels[l] as i64));
        }
        v.push(Value::Int(s.levels.total() as i64));
        for ci in 0..self.categories.len() {
            v.push(Value::Int(s.category(ci as u32) as i64));
        }
        Ok(Geometry::Polygon(ring))
    }
}

/// Writes the cell layer as `cells.parquet` or `cells.fgb`.
pub(super) fn write_cells(ctx: &Context, stage: &mut Staging, format: LayerFormat) -> Result<Vec<String>> {
    let grid = RegularGrid::new(ctx.cfg.cell_size_m)
        .ok_or_else(|| Error::internal(format!("invalid cell size {}", ctx.cfg.cell_size_m)))?;
    let categories: Vec<String> = if ctx.tallies.has_categories {
        ctx.tallies.categories.iter().map(|c| format!("cat_{c}")).collect()
    } else {
        Vec::new()
    };
    let mut schema = ["cell_id"].iter().fold(Schema::new(), |s, n| s.with(*n, ColumnType::Utf8));
    schema = schema.with("col", ColumnType::Int64).with("row", ColumnType::Int64).with("level", ColumnType::Utf8);
    for n in ["n_red", "n_orange", "n_yellow", "n_blue", "total"] {
        schema = schema.with(n, ColumnType::Int64);
    }
    for c in &categories {
        schema = schema.with(c.as_str(), ColumnType::Int64);
    }
    let path = format.file("cells").unwrap_or_default();
    let rows = CellRows { ctx, grid, to_wgs84: Transformer::new(ctx.work, Crs::Wgs84)?, categories, path };
    write_layer(stage, "cells", format, &schema, &rows, GeometryKind::Polygon)
}
