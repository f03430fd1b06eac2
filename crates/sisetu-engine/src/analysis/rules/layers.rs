//! Reading the features rules check: one `[[layers]]` entry (a point from x/y columns or a
//! GeoJSON point, line or area per row, with its id, name and, when the layer has a distance
//! column, its own distance), or the census's sites. Every row is kept or rejected with its
//! line and reason here, before anything is computed.

use crate::analysis::coverage::input::{geometry, reject, InputFile, PointReader};
use crate::census::Census;
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use crate::project::rules::LayerConfig;
use geo::{Coord, Geometry, InteriorPoint, MapCoords, MultiLineString, MultiPolygon};
use sisetu_core::proximity::Shape;
use sisetu_core::ZoneIdx;
use sisetu_io::crs::{Crs, Transformer};
use sisetu_io::reject::{Reject, RejectReason};
use sisetu_io::table::{parse_quantity, read_table, Record, Table, TableKind};

/// Id headers of a layer, in order of preference.
pub(crate) const ID_HEADERS: &[&str] = &["id", "编号", "统一社会信用代码", "代码"];
/// Name headers of a layer.
pub(crate) const NAME_HEADERS: &[&str] = &["name", "名称", "企业名称", "单位名称", "学校名称", "场所名称"];

/// A feature's geometry in WGS84, for the outputs.
#[derive(Debug, Clone)]
pub enum Geometry84 {
    /// lon, lat.
    Point(f64, f64),
    /// Lines.
    Lines(MultiLineString<f64>),
    /// An area.
    Area(MultiPolygon<f64>),
}

/// One feature a rule checks: a row of a layer, or a site.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Its id (may be empty).
    pub id: String,
    /// Its name (may be empty).
    pub name: String,
    /// The row's line (CSV), sheet row (workbook) or feature number (GeoJSON).
    pub line: u64,
    /// The shape in the working CRS.
    pub shape: Shape,
    /// The geometry in WGS84.
    pub wgs84: Geometry84,
    /// The district of its anchor (the point, the middle vertex of its first line, an
    /// interior point of its area).
    pub district: Option<ZoneIdx>,
    /// Its own distance (metres), from the layer's distance column.
    pub required_m: Option<f64>,
    /// Who it is, across layers: a rule never compares a feature with itself (a site checked
    /// against the sites, a layer against itself).
    pub key: FeatureKey,
}

/// A feature's identity: the `n`-th site of the census, or row `n` of layer `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeatureKey {
    /// The `n`-th accepted site, in census order.
    Site(u64),
    /// The `n`-th feature of `[[layers]]` entry `k`.
    Layer(u32, u64),
}

/// A `[[layers]]` entry as read.
pub struct FeatureLayer {
    /// Its entry.
    pub config: LayerConfig,
    /// The features, in file order.
    pub features: Vec<Feature>,
    /// The file with its rejects.
    pub file: InputFile,
}

/// Reads one layer; its features are placed in `districts`.
pub fn read_layer(k: usize, lc: &LayerConfig, work: Crs, districts: &ZoneLayer) -> Result<FeatureLayer> {
    let t = read_table(&lc.source.table)?;
    let reader = RowReader::new(lc, &t, work)?;
    let mut features = Vec::with_capacity(t.records.len());
    let mut rejects: Vec<Reject> = t.rejects.clone();
    for rec in &t.records {
        match reader.row(rec, districts, FeatureKey::Layer(k as u32, features.len() as u64)) {
            Ok(f) => features.push(f),
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    rejects.sort_by_key(|r| r.line);
    if features.is_empty() && t.rows_read > 0 {
        let first: Vec<String> = rejects.iter().take(3).map(|r| format!("line {}: {}", r.line, r.reason)).collect();
        return Err(Error::input(format!(
            "{}: no usable feature in layer \"{}\" ({} read, {} rejected); first problems: {}",
            t.display,
            lc.name,
            t.rows_read,
            rejects.len(),
            first.join("; ")
        )));
    }
    let file = InputFile::new(&t, rejects);
    Ok(FeatureLayer { config: lc.clone(), features, file })
}

/// The census's sites as features (only the categories named, when some are).
pub fn site_features(census: &Census, categories: &[String]) -> Vec<Feature> {
    census
        .iter()
        .enumerate()
        .filter(|(_, (_, s, _))| categories.is_empty() || categories.iter().any(|c| c == s.category()))
        .map(|(n, (_, s, p))| Feature {
            key: FeatureKey::Site(n as u64),
            id: s.id().to_string(),
            name: s.name().to_string(),
            line: s.line,
            shape: Shape::Point(s.x, s.y),
            wgs84: Geometry84::Point(s.lon, s.lat),
            district: p.district,
            required_m: None,
        })
        .collect()
}

/// How a layer's rows are read.
struct RowReader {
    id: Option<usize>,
    name: Option<usize>,
    distance: Option<usize>,
    distance_header: String,
    points: Option<PointReader>,
    to_wgs: Transformer,
    to_work: Transformer,
}

impl RowReader {
    fn new(lc: &LayerConfig, t: &Table, work: Crs) -> Result<Self> {
        let key = format!("[[layers]] name = \"{}\" ", lc.name);
        let geo_layer = t.kind == TableKind::GeoJson && lc.source.x.is_none() && lc.source.y.is_none();
        let points = if geo_layer { None } else { Some(PointReader::new(t, &lc.source, work, &key)?) };
        let id = t.column(lc.id.as_deref(), ID_HEADERS, "id (编号)")?;
        let name = t.column(lc.label.as_deref(), NAME_HEADERS, "name (名称)")?;
        let distance = match &lc.distance {
            Some(col) => Some(t.require(Some(col), &[], "distance (距离, m)", &format!("{key}distance"))?),
            None => None,
        };
        let distance_header = distance.map(|i| t.headers[i].clone()).unwrap_or_default();
        let transformer =
            |to: Crs| Transformer::new(lc.source.crs, to).map_err(|e| Error::input(format!("{}: {e}", t.display)));
        Ok(RowReader {
            id,
            name,
            distance,
            distance_header,
            points,
            to_wgs: transformer(Crs::Wgs84)?,
            to_work: transformer(work)?,
        })
    }

    fn row(&self, rec: &Record, districts: &ZoneLayer, key: FeatureKey) -> std::result::Result<Feature, RejectReason> {
        let text = |c: Option<usize>| c.map(|i| rec.values[i].trim().to_string()).unwrap_or_default();
        let required_m = self.distance(rec)?;
        let (shape, wgs84, anchor) = match &self.points {
            Some(points) => {
                let (ll, xy) = points.locate(rec)?;
                (Shape::Point(xy.0, xy.1), Geometry84::Point(ll.0, ll.1), (ll, xy))
            }
            None => self.geometry(rec.geometry.as_ref())?,
        };
        shape.validate().map_err(|e| geometry(e.to_string()))?;
        let district = districts.locate(anchor.0 .0, anchor.0 .1, anchor.1 .0, anchor.1 .1);
        Ok(Feature {
            id: text(self.id),
            name: text(self.name),
            line: rec.line,
            shape,
            wgs84,
            district,
            required_m,
            key,
        })
    }

    /// The feature's own distance, when the layer has a distance column.
    fn distance(&self, rec: &Record) -> std::result::Result<Option<f64>, RejectReason> {
        const WHAT: &str = "distance";
        let Some(i) = self.distance else { return Ok(None) };
        let raw = rec.values[i].trim();
        let column = self.distance_header.clone();
        match parse_quantity(raw) {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            Some(_) => Err(RejectReason::Negative { what: WHAT, value: raw.to_string() }),
            None if raw.is_empty() => Err(RejectReason::NoValue {
                what: WHAT,
                column: Some(column),
                need: "each feature needs its own distance in metres",
            }),
            None => Err(RejectReason::NotANumber { what: WHAT, column, value: raw.to_string() }),
        }
    }

    /// A GeoJSON feature's shape (working CRS), WGS84 geometry and anchor.
    #[allow(clippy::type_complexity, reason = "three values of one feature, used once")]
    fn geometry(
        &self,
        g: Option<&Geometry<f64>>,
    ) -> std::result::Result<(Shape, Geometry84, ((f64, f64), (f64, f64))), RejectReason> {
        let Some(g) = g else { return Err(geometry("feature has no geometry")) };
        let native_anchor = match g {
            Geometry::Point(p) => p.0,
            Geometry::MultiPoint(mp) if mp.0.len() == 1 => mp.0[0].0,
            Geometry::MultiPoint(mp) => {
                return Err(geometry(format!("a MultiPoint of {} points; give one point per feature", mp.0.len())))
            }
            Geometry::LineString(l) => middle(&l.0)?,
            Geometry::MultiLineString(ml) => middle(ml.0.first().map_or(&[][..], |l| &l.0[..]))?,
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
                g.interior_point().ok_or_else(|| geometry("an area without a ring of three points"))?.0
            }
            _ => return Err(geometry("a layer takes points, lines and polygons")),
        };
        let convert = |t: &Transformer| -> std::result::Result<Geometry<f64>, RejectReason> {
            g.try_map_coords(|c| t.transform(c.x, c.y).map(|(x, y)| Coord { x, y }))
                .map_err(|e| geometry(format!("a vertex cannot be converted: {e}")))
        };
        let (w, ll) = (convert(&self.to_work)?, convert(&self.to_wgs)?);
        let at = |t: &Transformer| t.transform(native_anchor.x, native_anchor.y).map_err(|e| geometry(e.to_string()));
        let anchor = (at(&self.to_wgs)?, at(&self.to_work)?);
        let shape = match w {
            Geometry::Point(p) => Shape::Point(p.x(), p.y()),
            Geometry::MultiPoint(mp) => Shape::Point(mp.0[0].x(), mp.0[0].y()),
            Geometry::LineString(l) => Shape::Lines(MultiLineString(vec![l])),
            Geometry::MultiLineString(ml) => Shape::Lines(ml),
            Geometry::Polygon(p) => Shape::Area(MultiPolygon(vec![p])),
            Geometry::MultiPolygon(mp) => Shape::Area(mp),
            _ => return Err(geometry("a layer takes points, lines and polygons")),
        };
        let wgs84 = match ll {
            Geometry::Point(p) => Geometry84::Point(p.x(), p.y()),
            Geometry::MultiPoint(mp) => Geometry84::Point(mp.0[0].x(), mp.0[0].y()),
            Geometry::LineString(l) => Geometry84::Lines(MultiLineString(vec![l])),
            Geometry::MultiLineString(ml) => Geometry84::Lines(ml),
            Geometry::Polygon(p) => Geometry84::Area(MultiPolygon(vec![p])),
            Geometry::MultiPolygon(mp) => Geometry84::Area(mp),
            _ => return Err(geometry("a layer takes points, lines and polygons")),
        };
        Ok((shape, wgs84, anchor))
    }
}

/// The middle vertex of a line (its anchor); a line of fewer than two points is rejected.
fn middle(coords: &[Coord<f64>]) -> std::result::Result<Coord<f64>, RejectReason> {
    if coords.len() < 2 {
        return Err(geometry("a line needs two different points"));
    }
    Ok(coords[coords.len() / 2])
}
