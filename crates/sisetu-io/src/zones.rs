//! Zone layers (districts, management grids, townships): GeoJSON and Shapefile polygons.
//!
//! Each feature becomes a [`sisetu_core::Zone`] with an id, a name, optional extra
//! attributes (e.g. the responsible person of a grid) and a multipolygon, still in the
//! layer's own CRS: [`project_zones`] moves them to another CRS vertex by vertex.
//! Features whose geometry is not a (multi)polygon are errors naming the feature; invalid
//! polygons are kept (assignment stays deterministic) and listed by [`validate_zones`].

use crate::crs::{Crs, Transformer};
use crate::error::{Error, Result};
use crate::source::features::{feature_collection, geojson_polygons, json_text};
use crate::source::{read_file, ReadAs, SourceKind};
use crate::text::TextEncoding;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use sisetu_core::Zone;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where and how to read a zone layer.
#[derive(Debug, Clone)]
pub struct ZoneLayerSpec {
    /// `.geojson`/`.json` or `.shp`.
    pub path: PathBuf,
    /// How the file is named in messages.
    pub display: String,
    /// Property holding the id; `None`: the first of [`USUAL_IDS`] the layer has.
    pub id: Option<String>,
    /// Property holding the name; `None`: the first of [`USUAL_NAMES`] the layer has.
    pub name: Option<String>,
    /// Further properties to carry (e.g. `("person", "负责人")`: output key, property).
    pub extra: Vec<(String, String)>,
    /// Shapefile attribute encoding (`Auto`: the `.cpg`, else UTF-8 when valid, else GBK).
    pub encoding: TextEncoding,
}

/// The usual id columns of district, grid and township layers, in the order a layer without
/// an `id` in the project tries them (compared ignoring case and blanks): `id` first, then
/// the codes of the usual exports (`adcode` of AutoNavi and cnmaps, 区划代码 …).
pub const USUAL_IDS: [&str; 17] = [
    "id",
    "adcode",
    "区划代码",
    "行政区划代码",
    "区县代码",
    "区划编码",
    "网格编码",
    "网格代码",
    "网格编号",
    "xzqdm",
    "qxdm",
    "gb",
    "code",
    "pac",
    "编码",
    "代码",
    "编号",
];

/// The usual name columns, in the order they are tried.
pub const USUAL_NAMES: [&str; 11] =
    ["name", "名称", "区县名称", "区划名称", "网格名称", "xzqmc", "qxmc", "区县", "网格名", "mc", "名字"];

/// The usual responsible-person columns of a management grid layer.
pub const USUAL_PERSONS: [&str; 5] = ["负责人", "网格员", "网格长", "person", "责任人"];

/// A column name as the usual names are compared: without blanks, in lower case.
fn column_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Every one of `usual` that `fields` has, in the order of `usual`, as the field is written.
pub fn usual_columns(fields: &[String], usual: &[&str]) -> Vec<String> {
    usual.iter().filter_map(|w| fields.iter().find(|f| column_key(f) == column_key(w))).cloned().collect()
}

/// The column a layer's `role` (`id`, `name`) is read from: the one the project names, else
/// the first usual one among `fields` (`what` says what they are: properties, fields).
fn column_for(
    named: Option<&String>,
    fields: &[String],
    usual: &[&str],
    role: &str,
    what: &str,
) -> Result<String, String> {
    if let Some(n) = named {
        return Ok(n.clone());
    }
    usual_columns(fields, usual).into_iter().next().ok_or_else(|| {
        let listed = |v: &mut dyn Iterator<Item = &str>| v.map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
        format!(
            "no {role} column: none of the usual names ({}) is among the {what} ({}); name it with {role} = \"…\" in \
             this layer's table of the project file",
            listed(&mut usual.iter().copied()),
            listed(&mut fields.iter().map(String::as_str)),
        )
    })
}

/// Reads a zone layer in its own CRS.
pub fn read_zones(spec: &ZoneLayerSpec) -> Result<Vec<Zone>> {
    read_zones_hashed(spec).map(|(zones, _)| zones)
}

/// Reads a zone layer in its own CRS, with the SHA-256 (hex) of the bytes parsed: the
/// fingerprint is of exactly what was read, even if the file is replaced during the run. For
/// a Shapefile it is the hash of the `.shp` bytes parsed (its `.dbf` is read once too, from
/// memory).
pub fn read_zones_hashed(spec: &ZoneLayerSpec) -> Result<(Vec<Zone>, String)> {
    let (zones, sha256) = match SourceKind::of(&spec.path, &spec.display, ReadAs::Zones)? {
        SourceKind::GeoJson => {
            let bytes = read_file(&spec.path, &spec.display)?;
            let (zones, sha256) = rayon::join(|| read_geojson(spec, &bytes), || crate::hash::sha256_hex(&bytes));
            (zones?, sha256)
        }
        SourceKind::Shapefile => read_shapefile(spec)?,
        kind @ (SourceKind::Csv(_) | SourceKind::Workbook | SourceKind::Parquet) => {
            return Err(ReadAs::Zones.refuse(kind, &spec.path, &spec.display))
        }
    };
    check_ids(&zones, spec)?;
    Ok((zones, sha256))
}

/// The attribute names of a polygon layer, for `sisetu init` to find its id and name columns:
/// a GeoJSON file's property keys in order of first appearance, a Shapefile's `.dbf` fields
/// (read in the encoding its `.cpg` names, else UTF-8, else GBK). Reads no geometry.
pub fn attribute_names(path: &Path, display: &str) -> Result<Vec<String>> {
    let fmt = |msg: String| Error::Format { path: display.to_string(), msg };
    match SourceKind::of(path, display, ReadAs::Zones)? {
        SourceKind::GeoJson => {
            let bytes = read_file(path, display)?;
            let fc = feature_collection(&bytes, display)?;
            let mut names: Vec<String> = Vec::new();
            for f in &fc.features {
                for k in f.properties.iter().flat_map(|p| p.keys()) {
                    if !names.contains(k) {
                        names.push(k.clone());
                    }
                }
            }
            Ok(names)
        }
        SourceKind::Shapefile => {
            let dbf_path = companion(path, "dbf");
            let dbf = read_file(&dbf_path, &companion(Path::new(display), "dbf").display().to_string())?;
            let attempts = match cpg_encoding(path) {
                Some(e) => vec![e],
                None => vec![DbfEncoding::Utf8Strict, DbfEncoding::Other(encoding_rs::GB18030)],
            };
            let mut last = String::new();
            for enc in attempts {
                let builder = dbase::ReaderBuilder::new();
                let builder = match enc {
                    DbfEncoding::Other(e) => builder.with_encoding(dbase::encoding::EncodingRs::from(e)),
                    DbfEncoding::Utf8Strict => builder.with_encoding(dbase::Unicode),
                };
                match builder.build(std::io::Cursor::new(&dbf)) {
                    Ok(r) => return Ok(r.fields().iter().map(|f| f.name().to_string()).collect()),
                    Err(e) => last = e.to_string(),
                }
            }
            Err(fmt(format!("cannot read the .dbf: {last}")))
        }
        kind @ (SourceKind::Csv(_) | SourceKind::Workbook | SourceKind::Parquet) => {
            Err(ReadAs::Zones.refuse(kind, path, display))
        }
    }
}

/// The CRS a layer's own file declares, when sisetu recognises it for sure: a Shapefile's
/// `.prj` ([`Crs::from_prj`]), a GeoJSON file's (non-standard but common) `crs` member naming
/// an EPSG code or CRS84. `None` when there is none or it is not recognised.
pub fn declared_crs(path: &Path) -> Option<Crs> {
    let is_shp = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if is_shp {
        let bytes = std::fs::read(companion(path, "prj")).ok()?;
        return Crs::from_prj(&String::from_utf8_lossy(&bytes));
    }
    // A GeoJSON crs member sits near the start: read a little, not the whole file.
    let mut head = vec![0u8; 4096];
    let mut f = std::fs::File::open(path).ok()?;
    let n = std::io::Read::read(&mut f, &mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let at = text.find("\"crs\"")?;
    // {"type":"name","properties":{"name":"EPSG:4490"}}: the name inside properties.
    let props = text[at..].find("\"properties\"")? + at;
    let name_at = text[props..].find("\"name\"")? + props;
    let rest = &text[name_at + 6..];
    let start = rest.find('"')? + 1;
    let end = rest[start..].find('"')? + start;
    rest[start..end].parse::<Crs>().ok()
}

/// A layer with features must give each an id of its own.
fn check_ids(zones: &[Zone], spec: &ZoneLayerSpec) -> Result<()> {
    if zones.is_empty() {
        return Err(Error::Format { path: spec.display.clone(), msg: "the layer has no features".into() });
    }
    let mut seen = std::collections::HashMap::new();
    for (i, z) in zones.iter().enumerate() {
        if z.id.is_empty() {
            return Err(Error::Format {
                path: spec.display.clone(),
                msg: format!("feature {} has an empty id; every zone needs an id", i + 1),
            });
        }
        if let Some(j) = seen.insert(z.id.clone(), i) {
            return Err(Error::Format {
                path: spec.display.clone(),
                msg: format!("id '{}' is used by features {} and {}; zone ids must be unique", z.id, j + 1, i + 1),
            });
        }
    }
    Ok(())
}

/// A property as text, trimmed; `None` when it is missing or `null`.
fn prop_text(v: Option<&serde_json::Value>) -> Option<String> {
    v.filter(|v| !v.is_null()).map(|v| json_text(v).trim().to_string())
}

fn keys_of(f: &geojson::Feature) -> String {
    f.properties.as_ref().map(|p| p.keys().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ")).unwrap_or_default()
}

fn read_geojson(spec: &ZoneLayerSpec, bytes: &[u8]) -> Result<Vec<Zone>> {
    let path = &spec.display;
    let fc = feature_collection(bytes, path)?;
    let mut zones = Vec::with_capacity(fc.features.len());
    // An extra property (e.g. the responsible person) may be empty on some features, but a
    // property that no feature has is a misspelt or dropped column.
    let mut extra_seen = vec![false; spec.extra.len()];
    let mut first_keys = String::new();
    let mut fields: Vec<String> = Vec::new();
    for k in fc.features.iter().flat_map(|f| f.properties.iter().flat_map(|p| p.keys())) {
        if !fields.contains(k) {
            fields.push(k.clone());
        }
    }
    let resolve = |named: Option<&String>, usual: &[&str], role: &str| {
        column_for(named, &fields, usual, role, "properties").map_err(|msg| Error::Format { path: path.clone(), msg })
    };
    let id_key = resolve(spec.id.as_ref(), &USUAL_IDS, "id")?;
    let name_key = resolve(spec.name.as_ref(), &USUAL_NAMES, "name")?;
    for (i, f) in fc.features.into_iter().enumerate() {
        let n = i + 1;
        if i == 0 {
            first_keys = keys_of(&f);
        }
        for (seen, (_, p)) in extra_seen.iter_mut().zip(&spec.extra) {
            *seen |= f.properties.as_ref().is_some_and(|props| props.contains_key(p));
        }
        let prop = |key: &str| prop_text(f.properties.as_ref().and_then(|p| p.get(key)));
        let id = prop(&id_key).ok_or_else(|| Error::Format {
            path: path.clone(),
            msg: format!("feature {n} has no property '{id_key}' for the id; its properties are: {}", keys_of(&f)),
        })?;
        let name = prop(&name_key).ok_or_else(|| Error::Format {
            path: path.clone(),
            msg: format!(
                "feature {n} (id {id}) has no property '{name_key}' for the name; its properties are: {}",
                keys_of(&f)
            ),
        })?;
        let extra = spec.extra.iter().map(|(k, p)| (k.clone(), prop(p).unwrap_or_default())).collect();
        let Some(geom) = f.geometry else {
            return Err(Error::Format { path: path.clone(), msg: format!("feature {n} (id {id}) has no geometry") });
        };
        let kind = geom.value.type_name();
        let geometry = geojson_polygons(&geom.value)
            .map_err(|why| Error::Format { path: path.clone(), msg: format!("feature {n} (id {id}): {why}") })?
            .ok_or_else(|| Error::Format {
                path: path.clone(),
                msg: format!("feature {n} (id {id}) is a {kind}; zone layers need Polygon or MultiPolygon features"),
            })?;
        zones.push(Zone { id, name, extra, geometry });
    }
    if let Some((_, (k, p))) = extra_seen.iter().zip(&spec.extra).find(|(seen, _)| !**seen) {
        if !zones.is_empty() {
            return Err(Error::Format {
                path: path.clone(),
                msg: format!(
                    "no feature has the property '{p}' named for '{k}'; the first feature's properties are: {first_keys}"
                ),
            });
        }
    }
    Ok(zones)
}

/// How to decode the `.dbf` strings.
#[derive(Clone, Copy)]
enum DbfEncoding {
    /// UTF-8, failing on invalid bytes (so that auto-detection can fall back to GBK).
    Utf8Strict,
    /// Any encoding `encoding_rs` knows (GBK as GB18030, Latin-1 as windows-1252 …).
    Other(&'static encoding_rs::Encoding),
}

/// The encoding named by the `.cpg` beside the `.shp`, if any and known.
fn cpg_encoding(shp: &Path) -> Option<DbfEncoding> {
    let text = std::fs::read_to_string(companion(shp, "cpg")).ok()?;
    let label = text.trim().trim_start_matches('\u{feff}');
    match TextEncoding::from_label(label) {
        Some(TextEncoding::Utf8) => return Some(DbfEncoding::Utf8Strict),
        Some(TextEncoding::Gbk) => return Some(DbfEncoding::Other(encoding_rs::GB18030)),
        _ => {}
    }
    let enc = encoding_rs::Encoding::for_label(label.as_bytes())?;
    Some(if enc == encoding_rs::UTF_8 { DbfEncoding::Utf8Strict } else { DbfEncoding::Other(enc) })
}

/// Reads a Shapefile: its `.shp` and `.dbf` are read into memory once (the `.shp` hashed
/// from those bytes), then parsed.
fn read_shapefile(spec: &ZoneLayerSpec) -> Result<(Vec<Zone>, String)> {
    let path = &spec.display;
    let fmt = |msg: String| Error::Format { path: path.clone(), msg };
    let shp = read_file(&spec.path, &spec.display)?;
    let shapes = read_shapes(&shp, fmt)?;
    let dbf_path = companion(&spec.path, "dbf");
    let dbf = read_file(&dbf_path, &companion(Path::new(&spec.display), "dbf").display().to_string())?;
    // The project's encoding wins, then the .cpg; without either: strict UTF-8, then GBK.
    let attempts: Vec<DbfEncoding> = match spec.encoding {
        TextEncoding::Utf8 => vec![DbfEncoding::Utf8Strict],
        TextEncoding::Gbk => vec![DbfEncoding::Other(encoding_rs::GB18030)],
        TextEncoding::Auto => match cpg_encoding(&spec.path) {
            Some(e) => vec![e],
            None => vec![DbfEncoding::Utf8Strict, DbfEncoding::Other(encoding_rs::GB18030)],
        },
    };
    let mut last_err = None;
    for (k, e) in attempts.iter().enumerate() {
        match read_shp_records(spec, &shapes, &dbf, *e) {
            Ok(z) => return Ok((z, crate::hash::sha256_hex(&shp))),
            Err(err) if k + 1 < attempts.len() => last_err = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last_err.unwrap_or_else(|| fmt("no encoding could be tried".into())))
}

/// The file beside the Shapefile `shp` with extension `ext` (lower case): in upper case when
/// the `.shp`'s extension is and only that file exists (`LAYER.SHP` beside `LAYER.DBF`).
fn companion(shp: &Path, ext: &str) -> PathBuf {
    let lower = shp.with_extension(ext);
    let shp_upper = shp.extension().and_then(|e| e.to_str()).is_some_and(|e| e == e.to_ascii_uppercase());
    let upper = shp.with_extension(ext.to_ascii_uppercase());
    if shp_upper && !lower.exists() && upper.exists() {
        upper
    } else {
        lower
    }
}

/// Every shape of the `.shp` bytes `shp`, parsed once (a file cut short is an error naming
/// the shape).
fn read_shapes(shp: &[u8], fmt: impl Fn(String) -> Error) -> Result<Vec<shapefile::Shape>> {
    let mut reader = shapefile::ShapeReader::new(std::io::Cursor::new(shp))
        .map_err(|e| fmt(format!("cannot read the .shp: {e}")))?;
    let mut shapes = Vec::new();
    for shape in reader.iter_shapes() {
        shapes.push(shape.map_err(|e| {
            fmt(format!("shape {}: {e}; the .shp is damaged or cut short: export the layer again", shapes.len() + 1))
        })?);
    }
    Ok(shapes)
}

/// A `.dbf` read error as a person reads it: the record and field, and the fix for text in
/// another encoding (never the parser's debug dump).
fn dbf_error(err: &shapefile::Error, n: usize, enc: DbfEncoding, fields: &[String]) -> String {
    let dbase_err = match err {
        shapefile::Error::DbaseError(e) => e,
        other => return format!("record {n}: {other}"),
    };
    let field = match dbase_err.field_index().and_then(|i| fields.get(i.0)) {
        Some(name) => format!(", field '{name}'"),
        None => String::new(),
    };
    match (dbase_err.kind(), enc) {
        (dbase::ErrorKind::StringDecodeError(_), DbfEncoding::Utf8Strict) => format!(
            "record {n}{field}: the text is not valid UTF-8 (the .cpg or the project says UTF-8); if the .dbf is GBK, set encoding = \"gbk\" for this layer (or write GBK in the .cpg)"
        ),
        (dbase::ErrorKind::StringDecodeError(_), DbfEncoding::Other(e)) => format!(
            "record {n}{field}: the text is not valid {}; set encoding = \"utf-8\" or \"gbk\" for this layer to the encoding the .dbf was written in",
            e.name()
        ),
        (kind, _) => format!("record {n}{field}: the .dbf cannot be read ({kind}); export the layer again"),
    }
}

/// The zones of `shapes` with the attributes of the `.dbf` bytes `dbf` decoded as `enc`
/// (one record per shape, in order).
fn read_shp_records(
    spec: &ZoneLayerSpec,
    shapes: &[shapefile::Shape],
    dbf: &[u8],
    enc: DbfEncoding,
) -> Result<Vec<Zone>> {
    let path = &spec.display;
    let fmt = |msg: String| Error::Format { path: path.clone(), msg };
    let builder = dbase::ReaderBuilder::new();
    let builder = match enc {
        DbfEncoding::Other(e) => builder.with_encoding(dbase::encoding::EncodingRs::from(e)),
        DbfEncoding::Utf8Strict => builder.with_encoding(dbase::Unicode),
    };
    let mut dbase_reader =
        builder.build(std::io::Cursor::new(dbf)).map_err(|e| fmt(format!("cannot read the .dbf: {e}")))?;
    let records = dbase_reader.header().num_records as usize;
    let fields: Vec<String> = dbase_reader.fields().iter().map(|f| f.name().to_string()).collect();
    let shape_count = shapes.len();
    if records != shape_count {
        return Err(fmt(format!(
            "the .shp has {shape_count} shapes but the .dbf has {records} records: the two files do not belong together (or one was cut short); export the layer again so that every shape has its attributes"
        )));
    }
    let id_key = column_for(spec.id.as_ref(), &fields, &USUAL_IDS, "id", "fields").map_err(fmt)?;
    let name_key = column_for(spec.name.as_ref(), &fields, &USUAL_NAMES, "name", "fields").map_err(fmt)?;
    let mut zones = Vec::with_capacity(shape_count);
    for (i, (shape, record)) in shapes.iter().zip(dbase_reader.iter_records()).enumerate() {
        let n = i + 1;
        let record = record.map_err(|e| fmt(dbf_error(&shapefile::Error::DbaseError(e), n, enc, &fields)))?;
        let field_names = || record.clone().into_iter().map(|(k, _)| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let text = |key: &str| -> Option<String> {
            record.get(key).map(|v| match v {
                dbase::FieldValue::Character(Some(s)) => s.trim().to_string(),
                dbase::FieldValue::Character(None) => String::new(),
                dbase::FieldValue::Numeric(Some(x)) | dbase::FieldValue::Double(x) if x.fract() == 0.0 => {
                    format!("{}", *x as i64)
                }
                dbase::FieldValue::Numeric(Some(x)) => format!("{x}"),
                dbase::FieldValue::Integer(x) => x.to_string(),
                other => other.to_string().trim().to_string(),
            })
        };
        let id = text(&id_key).ok_or_else(|| {
            fmt(format!("record {n} has no field '{id_key}' for the id; the fields are: {}", field_names()))
        })?;
        let name = text(&name_key).ok_or_else(|| {
            fmt(format!(
                "record {n} (id {id}) has no field '{name_key}' for the name; the fields are: {}",
                field_names()
            ))
        })?;
        let mut extra = Vec::with_capacity(spec.extra.len());
        for (k, p) in &spec.extra {
            match text(p) {
                Some(v) => extra.push((k.clone(), v)),
                None => {
                    return Err(fmt(format!(
                        "there is no field '{p}' named for '{k}'; the fields are: {}",
                        field_names()
                    )))
                }
            }
        }
        let geometry = match shape {
            shapefile::Shape::Polygon(p) => shp_polygon(p.rings().iter().map(|r| {
                (r.points().iter().map(|pt| (pt.x, pt.y)).collect(), matches!(r, shapefile::PolygonRing::Outer(_)))
            })),
            shapefile::Shape::PolygonZ(p) => shp_polygon(p.rings().iter().map(|r| {
                (r.points().iter().map(|pt| (pt.x, pt.y)).collect(), matches!(r, shapefile::PolygonRing::Outer(_)))
            })),
            shapefile::Shape::PolygonM(p) => shp_polygon(p.rings().iter().map(|r| {
                (r.points().iter().map(|pt| (pt.x, pt.y)).collect(), matches!(r, shapefile::PolygonRing::Outer(_)))
            })),
            other => {
                return Err(fmt(format!("record {n} (id {id}) is a {}; zone layers need polygons", other.shapetype())))
            }
        };
        zones.push(Zone { id, name, extra, geometry });
    }
    Ok(zones)
}

/// Builds polygons from shapefile rings: each outer ring starts a polygon, inner rings
/// attach to the outer ring that contains them (or the preceding one).
fn shp_polygon(rings: impl Iterator<Item = (Vec<(f64, f64)>, bool)>) -> MultiPolygon<f64> {
    use geo::Contains;
    let mut polys: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    let mut holes = Vec::new();
    for (pts, outer) in rings {
        let ls = LineString::from(pts);
        if outer {
            polys.push((ls, Vec::new()));
        } else {
            holes.push((polys.len().saturating_sub(1), ls));
        }
    }
    for (fallback, hole) in holes {
        let target = hole
            .0
            .first()
            .and_then(|c| polys.iter().position(|(ext, _)| Polygon::new(ext.clone(), vec![]).contains(c)))
            .unwrap_or(fallback);
        if let Some(p) = polys.get_mut(target) {
            p.1.push(hole);
        }
    }
    MultiPolygon(polys.into_iter().map(|(e, h)| Polygon::new(e, h)).collect())
}

/// Transforms every vertex of every zone. Fails on the first vertex that cannot be
/// converted, naming the zone.
pub fn project_zones(zones: &[Zone], t: &Transformer, display: &str) -> Result<Vec<Zone>> {
    // The GCJ-02 and BD-09 offsets are wavy (periods of a fraction of a degree), so a long
    // straight edge in those systems is not straight in any other: converting only its two
    // ends would cut tens of metres off (or add them to) a 25 km edge, and two polygons
    // that share the edge with different vertices (a T-junction) would get slivers between
    // them. Such edges are first cut into pieces of at most DENSIFY_DEG.
    let wavy = matches!(t.src().canonical(), Crs::Gcj02 | Crs::Bd09) && !t.is_identity();
    let map_ring = |ring: &LineString<f64>, id: &str| -> Result<LineString<f64>> {
        let dense;
        let ring = if wavy {
            dense = densify(ring, DENSIFY_DEG);
            &dense
        } else {
            ring
        };
        ring.0
            .iter()
            .map(|c| {
                t.transform(c.x, c.y)
                    .map(|(x, y)| Coord { x, y })
                    .map_err(|e| Error::Format { path: display.to_string(), msg: format!("zone {id}: {e}") })
            })
            .collect::<Result<Vec<_>>>()
            .map(LineString)
    };
    use rayon::prelude::*;
    zones
        .par_iter()
        .map(|z| {
            let polys = z
                .geometry
                .0
                .iter()
                .map(|p| {
                    Ok(Polygon::new(
                        map_ring(p.exterior(), &z.id)?,
                        p.interiors().iter().map(|r| map_ring(r, &z.id)).collect::<Result<Vec<_>>>()?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Zone { id: z.id.clone(), name: z.name.clone(), extra: z.extra.clone(), geometry: MultiPolygon(polys) })
        })
        .collect()
}

/// Longest edge (degrees) converted from GCJ-02 or BD-09 as a straight line: 0.0005° is
/// about 50 m, over which the offsets bend by well under a millimetre.
pub const DENSIFY_DEG: f64 = 0.0005;

/// `ring` with every edge longer than `max` (in its own units) cut into equal pieces no
/// longer than `max`; the original vertices are kept, so shared vertices stay shared.
pub fn densify(ring: &LineString<f64>, max: f64) -> LineString<f64> {
    let mut out = Vec::with_capacity(ring.0.len());
    for w in ring.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        out.push(a);
        let len = (b.x - a.x).hypot(b.y - a.y);
        if len.is_finite() && len > max {
            let n = (len / max).ceil().min(1e6) as usize;
            for k in 1..n {
                let f = k as f64 / n as f64;
                out.push(Coord { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f });
            }
        }
    }
    if let Some(last) = ring.0.last() {
        out.push(*last);
    }
    LineString(out)
}

/// One ring of a zone's multipolygon, numbered from 1 as in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    /// The polygon (part) of the multipolygon, from 1.
    pub part: usize,
    /// The hole within the part, from 1; `None` for the exterior ring.
    pub hole: Option<usize>,
}

impl fmt::Display for Ring {
    /// `part {part} exterior ring` or `part {part} hole {hole}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hole {
            None => write!(f, "part {} exterior ring", self.part),
            Some(h) => write!(f, "part {} hole {h}", self.part),
        }
    }
}

/// Why a zone's polygon is invalid, as found by [`validate_zones`]. `Display` gives the
/// text of warnings and of `report.json` (shown for each variant); locations are in the
/// layer's coordinates, printed with six decimals.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneProblem {
    /// `{ring} has a non-finite coordinate`
    NonFinite {
        /// The ring.
        ring: Ring,
    },
    /// `{ring} has fewer than 3 distinct points`
    TooFewPoints {
        /// The ring.
        ring: Ring,
    },
    /// `{ring} has zero area (all its points lie on one line)`
    ZeroArea {
        /// The ring.
        ring: Ring,
    },
    /// `edges cross (self-intersection) at ({x}, {y})`: two edges of the zone (of one ring,
    /// of a hole and its shell, or of two parts) cross.
    SelfIntersection {
        /// Where they cross.
        at: Coord<f64>,
    },
    /// `edges overlap along a line near ({x}, {y})`: two edges run along each other.
    OverlappingEdges {
        /// The start of the shared stretch.
        near: Coord<f64>,
    },
    /// `part {part} hole {hole} lies outside its exterior ring near ({x}, {y})`
    HoleOutsideShell {
        /// The hole (always with `hole` set).
        ring: Ring,
        /// The hole's first vertex.
        near: Coord<f64>,
    },
}

impl fmt::Display for ZoneProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoneProblem::NonFinite { ring } => write!(f, "{ring} has a non-finite coordinate"),
            ZoneProblem::TooFewPoints { ring } => write!(f, "{ring} has fewer than 3 distinct points"),
            ZoneProblem::ZeroArea { ring } => write!(f, "{ring} has zero area (all its points lie on one line)"),
            ZoneProblem::SelfIntersection { at } => {
                write!(f, "edges cross (self-intersection) at ({:.6}, {:.6})", at.x, at.y)
            }
            ZoneProblem::OverlappingEdges { near } => {
                write!(f, "edges overlap along a line near ({:.6}, {:.6})", near.x, near.y)
            }
            ZoneProblem::HoleOutsideShell { ring, near } => {
                write!(f, "{ring} lies outside its exterior ring near ({:.6}, {:.6})", near.x, near.y)
            }
        }
    }
}

impl serde::Serialize for ZoneProblem {
    /// As its `Display` text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Validity problems per zone: `(zone id, problem)` for every invalid zone, in layer order.
///
/// Checks each zone's rings for too few points and non-finite coordinates, and all of the
/// zone's edges together for crossings and overlapping collinear edges (self-intersecting
/// rings, holes crossing their shell, parts crossing each other), with a sweep over the
/// edges so that detailed boundaries take milliseconds (China's 2,875 counties, 4.2 million
/// vertices: about a second on one core). One problem is returned per zone, with its
/// location: the crossing of the two edges that come first in ring order.
pub fn validate_zones(zones: &[Zone]) -> Vec<(String, ZoneProblem)> {
    use rayon::prelude::*;
    zones.par_iter().filter_map(|z| zone_problem(z).map(|p| (z.id.clone(), p))).collect()
}

/// (ring number, index within ring, ring length) of an edge.
type EdgeKey = (u32, u32, u32);
type Edge = rstar::primitives::GeomWithData<rstar::primitives::Line<[f64; 2]>, EdgeKey>;

/// The edges of every ring of `z`, or the first ring problem found (non-finite coordinates,
/// too few points) and, separately, the first ring with zero area.
fn zone_edges(z: &Zone) -> std::result::Result<(Vec<Edge>, Option<ZoneProblem>), ZoneProblem> {
    use geo::Area;
    use rstar::primitives::GeomWithData;
    let mut edges: Vec<Edge> = Vec::new();
    let mut ring_no = 0u32;
    let mut flat = None;
    for (pi, poly) in z.geometry.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            let which = Ring { part: pi + 1, hole: (ri > 0).then_some(ri) };
            let mut pts: Vec<Coord<f64>> = ring.0.clone();
            pts.dedup();
            if pts.iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
                return Err(ZoneProblem::NonFinite { ring: which });
            }
            if pts.len() < 4 {
                return Err(ZoneProblem::TooFewPoints { ring: which });
            }
            // Reported after the crossings: a bow-tie's two halves cancel out too.
            if flat.is_none() && Polygon::new(LineString(pts.clone()), vec![]).signed_area() == 0.0 {
                flat = Some(ZoneProblem::ZeroArea { ring: which });
            }
            let n = u32::try_from(pts.len() - 1).unwrap_or(u32::MAX);
            for (k, w) in pts.windows(2).enumerate() {
                let k = u32::try_from(k).unwrap_or(u32::MAX);
                edges.push(GeomWithData::new(
                    rstar::primitives::Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]),
                    (ring_no, k, n),
                ));
            }
            ring_no += 1;
        }
    }
    Ok((edges, flat))
}

/// The crossing or overlap between two edges that are not neighbours on one ring with the
/// smallest pair of edge keys (so the answer does not depend on any search order).
///
/// A sweep in x: edges sorted by their smallest x, each compared with the edges that start
/// within its x-range and overlap it in y. On real boundaries a vertical line meets a few
/// dozen edges, so this is close to O(E log E) for E edges, and it allocates one array.
fn edge_crossing(edges: &[Edge]) -> Option<ZoneProblem> {
    use geo::line_intersection::{line_intersection, LineIntersection};
    use geo::Line;
    let adjacent = |a: EdgeKey, b: EdgeKey| {
        a.0 == b.0 && (a.1.abs_diff(b.1) == 1 || (a.1 == 0 && b.1 == a.2 - 1) || (b.1 == 0 && a.1 == a.2 - 1))
    };
    let line = |e: &Edge| {
        Line::new(Coord { x: e.geom().from[0], y: e.geom().from[1] }, Coord { x: e.geom().to[0], y: e.geom().to[1] })
    };
    // (min x, max x, min y, max y, position in `edges`), by min x.
    let mut order: Vec<(f64, f64, f64, f64, u32)> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (a, b) = (e.geom().from, e.geom().to);
            (a[0].min(b[0]), a[0].max(b[0]), a[1].min(b[1]), a[1].max(b[1]), i as u32)
        })
        .collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.4.cmp(&b.4)));
    let mut best: Option<(EdgeKey, EdgeKey, ZoneProblem)> = None;
    for (i, a) in order.iter().enumerate() {
        for b in &order[i + 1..] {
            if b.0 > a.1 {
                break;
            }
            if b.2 > a.3 || a.2 > b.3 {
                continue;
            }
            let (s, t) = (&edges[a.4 as usize], &edges[b.4 as usize]);
            let (s, t) = if s.data < t.data { (s, t) } else { (t, s) };
            if adjacent(s.data, t.data) || best.as_ref().is_some_and(|(bs, bt, _)| (s.data, t.data) >= (*bs, *bt)) {
                continue;
            }
            let found = match line_intersection(line(s), line(t)) {
                Some(LineIntersection::SinglePoint { intersection: at, is_proper: true }) => {
                    Some(ZoneProblem::SelfIntersection { at })
                }
                Some(LineIntersection::Collinear { intersection }) if intersection.start != intersection.end => {
                    Some(ZoneProblem::OverlappingEdges { near: intersection.start })
                }
                _ => None,
            };
            if let Some(p) = found {
                best = Some((s.data, t.data, p));
            }
        }
    }
    best.map(|(_, _, p)| p)
}

fn zone_problem(z: &Zone) -> Option<ZoneProblem> {
    let (edges, flat) = match zone_edges(z) {
        Ok(found) => found,
        Err(problem) => return Some(problem),
    };
    if let Some(crossing) = edge_crossing(&edges) {
        return Some(crossing);
    }
    if flat.is_some() {
        return flat;
    }
    // No edges cross, so a hole is either wholly inside its exterior ring or wholly outside.
    use geo::Intersects;
    for (pi, poly) in z.geometry.0.iter().enumerate() {
        let shell = Polygon::new(poly.exterior().clone(), vec![]);
        for (hi, hole) in poly.interiors().iter().enumerate() {
            if let Some(&near) = hole.0.first() {
                if !shell.intersects(&geo::Point::from(near)) {
                    return Some(ZoneProblem::HoleOutsideShell {
                        ring: Ring { part: pi + 1, hole: Some(hi + 1) },
                        near,
                    });
                }
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "zones_tests.rs"]
mod tests;
