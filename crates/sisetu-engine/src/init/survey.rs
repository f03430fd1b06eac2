//! What a folder holds, read as a build would read it: the typed result of `sisetu init`.

use crate::error::Result;
use sisetu_core::{GradeError, GradeScheme, RiskLevel, Zone};
use sisetu_io::crs::{Crs, GkZone};
use sisetu_io::sites::{default_column, SiteColumns};
use sisetu_io::text::{Detected, TextEncoding};
use sisetu_io::zones::{
    attribute_names, declared_crs, read_zones, usual_columns, ZoneLayerSpec, USUAL_IDS, USUAL_NAMES, USUAL_PERSONS,
};
use sisetu_io::{read_table, SourceKind, TableSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything `sisetu init` found in a folder.
#[derive(Debug, Clone)]
pub struct Survey {
    /// The folder surveyed.
    pub dir: PathBuf,
    /// The project's title: a census table's title row, else the folder's name.
    pub title: String,
    /// The district layer, when a polygon layer was found.
    pub districts: Option<ZoneDraft>,
    /// A management-grid layer (a polygon layer whose name says 网格 or grid).
    pub grids: Option<ZoneDraft>,
    /// Every site table, by file name.
    pub sites: Vec<SiteDraft>,
    /// The grade labels of all site tables, in label order.
    pub grade_labels: Vec<GradeSeen>,
    /// Files looked at and not used, with why (for the terminal).
    pub skipped: Vec<(String, String)>,
}

impl Survey {
    /// The grade labels of all site tables, in label order.
    pub fn grades(&self) -> impl Iterator<Item = &GradeSeen> {
        self.grade_labels.iter()
    }
}

/// A polygon layer as the project file will name it.
#[derive(Debug, Clone)]
pub struct ZoneDraft {
    /// The file name (relative to the folder).
    pub file: String,
    /// Polygons read (0 when the id and name columns were not found).
    pub features: usize,
    /// Every attribute of the layer.
    pub fields: Vec<String>,
    /// The id column found.
    pub id: Option<String>,
    /// The name column found.
    pub name: Option<String>,
    /// The responsible-person column found (grids).
    pub person: Option<String>,
    /// The residents column found (常住人口 …): for the districts' map per 10,000 residents.
    pub population: Option<String>,
    /// The CRS the file declares (`.prj`, GeoJSON `crs`), when recognised.
    pub crs: Option<Crs>,
    /// The middle longitude of the layer, when it is in longitude/latitude.
    pub mid_lon: Option<f64>,
}

/// A site table as the project file will name it.
#[derive(Debug, Clone)]
pub struct SiteDraft {
    /// The file name (relative to the folder).
    pub file: String,
    /// Data rows read.
    pub rows: u64,
    /// The header.
    pub headers: Vec<String>,
    /// The columns found (`None`: not found under the usual headers).
    pub columns: SiteColumns,
    /// `"gbk"` for a GBK file (written so that the file says it), else `None`.
    pub encoding: Option<String>,
    /// The text of a title row above the header, when there was one.
    pub title_row: Option<String>,
    /// The line or sheet row of the header.
    pub header_row: u64,
    /// The median longitude/easting and latitude/northing of the rows (`None` without a row
    /// with two numbers).
    pub median: Option<(f64, f64)>,
    /// The CRS the coordinate values show.
    pub crs: Option<Crs>,
    /// The catalogue key saying why (`init.crs_*`).
    pub crs_why: String,
}

/// One grade label and how sisetu reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeSeen {
    /// The label as written (trimmed).
    pub label: String,
    /// Rows with it.
    pub count: u64,
    /// What sisetu makes of it without a mapping.
    pub kind: LabelKind,
}

/// What sisetu makes of a grade label without a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// A level (重大风险, 红色, 较大 …).
    Level(RiskLevel),
    /// A letter, numeral or class whose direction differs between schemes: needs a mapping.
    NeedsMapping,
    /// No grade sisetu knows: needs a mapping too.
    Unknown,
}

/// The usual residents columns of a district layer, in the order they are tried.
const USUAL_RESIDENTS: [&str; 8] =
    ["常住人口", "人口数_合计", "人口数", "总人口", "人口", "户籍人口", "population", "pop"];

/// Reads the folder.
pub fn survey(dir: &Path) -> Result<Survey> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| crate::error::Error::input(format!("{}: {e}", dir.display())))?
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.') && !n.starts_with("~$"))
        .collect();
    names.sort();
    let mut zones: Vec<ZoneDraft> = Vec::new();
    let mut sites: Vec<(SiteDraft, BTreeMap<String, u64>)> = Vec::new();
    let mut skipped = Vec::new();
    let mut title_rows = Vec::new();
    for name in &names {
        let path = dir.join(name);
        let Ok(kind) = SourceKind::of(&path, name, sisetu_io::ReadAs::Table) else {
            if SourceKind::of(&path, name, sisetu_io::ReadAs::Zones).is_ok() {
                match zone_draft(&path, name) {
                    Ok(z) => zones.push(z),
                    Err(why) => skipped.push((name.clone(), why)),
                }
            }
            continue;
        };
        if kind == SourceKind::GeoJson {
            // Polygons whose id and name columns were found; anything else is tried as a table.
            if let Ok(z) = zone_draft(&path, name) {
                if z.features > 0 {
                    zones.push(z);
                    continue;
                }
            }
        }
        if matches!(kind, SourceKind::Parquet) {
            skipped.push((name.clone(), "Parquet: name it in [[sites]] by hand".into()));
            continue;
        }
        match site_draft(&path, name) {
            Ok((d, grades, title)) => {
                title_rows.extend(title);
                sites.push((d, grades));
            }
            Err(why) => skipped.push((name.clone(), why)),
        }
    }
    let (districts, grids) = choose_zones(zones, &mut skipped);
    let mid_lon = districts.as_ref().and_then(|d| d.mid_lon);
    let mut grade_counts: BTreeMap<String, u64> = BTreeMap::new();
    let sites: Vec<SiteDraft> = sites
        .into_iter()
        .map(|(mut d, grades)| {
            let (crs, why) = crs_from_values(d.median, mid_lon);
            (d.crs, d.crs_why) = (crs, why.into());
            for (label, n) in grades {
                *grade_counts.entry(label).or_default() += n;
            }
            d
        })
        .collect();
    let scheme = GradeScheme::builtin();
    let mut grade_labels: Vec<GradeSeen> = grade_counts
        .into_iter()
        .map(|(label, count)| {
            let kind = match scheme.parse(&label) {
                Ok(l) => LabelKind::Level(l),
                Err(GradeError::NeedsMapping(_)) => LabelKind::NeedsMapping,
                Err(_) => LabelKind::Unknown,
            };
            GradeSeen { label, count, kind }
        })
        .collect();
    grade_labels.sort_by(|a, b| a.label.cmp(&b.label));
    let folder = dir.canonicalize().ok().and_then(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string));
    let title =
        title_rows.into_iter().next().map(|t| map_title(&t)).or(folder).unwrap_or_else(|| "安全风险四色图".into());
    Ok(Survey { dir: dir.to_path_buf(), title, districts, grids, sites, grade_labels, skipped })
}

/// A map title from a table's title row: `台州市2024年企业安全风险普查汇总表` →
/// `台州市2024年企业安全风险普查四色图` (the table's own word dropped, the map's added).
pub(crate) fn map_title(title_row: &str) -> String {
    let mut t = title_row.trim();
    for suffix in ["汇总表", "统计表", "一览表", "明细表", "登记表", "清单", "表"] {
        if let Some(stem) = t.strip_suffix(suffix) {
            t = stem;
            break;
        }
    }
    if t.ends_with('图') {
        t.to_string()
    } else {
        format!("{t}四色图")
    }
}

/// The 3° Gauss-Krüger zone (without zone number) whose central meridian is nearest `lon`.
fn gk_zone_of(lon: f64) -> Option<Crs> {
    let cm = (lon / 3.0).round() as i64 * 3;
    let code = 4534 + (cm - 75) / 3;
    GkZone::new(u32::try_from(code).ok()?).ok().map(Crs::GaussKruger)
}

/// A polygon layer: its attributes, the id/name/person columns, the CRS it declares.
fn zone_draft(path: &Path, name: &str) -> std::result::Result<ZoneDraft, String> {
    let fields = attribute_names(path, name).map_err(|e| e.to_string())?;
    let mut draft = ZoneDraft {
        file: name.to_string(),
        features: 0,
        id: None,
        name: None,
        person: usual_columns(&fields, &USUAL_PERSONS).into_iter().next(),
        population: usual_columns(&fields, &USUAL_RESIDENTS).into_iter().next(),
        crs: declared_crs(path),
        mid_lon: None,
        fields: fields.clone(),
    };
    let mut last_err = String::new();
    for id in usual_columns(&fields, &USUAL_IDS) {
        for nm in usual_columns(&fields, &USUAL_NAMES) {
            if nm == id {
                continue;
            }
            let spec = ZoneLayerSpec {
                path: path.to_path_buf(),
                display: name.to_string(),
                id: Some(id.clone()),
                name: Some(nm.clone()),
                extra: Vec::new(),
                encoding: TextEncoding::Auto,
            };
            match read_zones(&spec) {
                Ok(z) => {
                    draft.features = z.len();
                    draft.mid_lon = lonlat_middle(&z);
                    draft.id = Some(id);
                    draft.name = Some(nm);
                    return Ok(draft);
                }
                Err(e) => last_err = e.to_string(),
            }
        }
    }
    if fields.is_empty() && !last_err.is_empty() {
        return Err(last_err);
    }
    Ok(draft)
}

/// The middle longitude of zones that lie in longitude/latitude (China's box).
fn lonlat_middle(zones: &[Zone]) -> Option<f64> {
    use geo::BoundingRect;
    let rects: Vec<geo::Rect<f64>> = zones.iter().filter_map(|z| z.geometry.bounding_rect()).collect();
    let min = rects.iter().map(|r| r.min().x).fold(f64::INFINITY, f64::min);
    let max = rects.iter().map(|r| r.max().x).fold(f64::NEG_INFINITY, f64::max);
    let ymin = rects.iter().map(|r| r.min().y).fold(f64::INFINITY, f64::min);
    let ymax = rects.iter().map(|r| r.max().y).fold(f64::NEG_INFINITY, f64::max);
    ((70.0..=140.0).contains(&min) && (70.0..=140.0).contains(&max) && (0.0..=60.0).contains(&ymin) && ymax <= 60.0)
        .then_some((min + max) / 2.0)
}

/// The districts (a name saying 区县/区划/district/county, else the fewest polygons) and the
/// grids (a name saying 网格/grid); other polygon layers are listed as skipped.
fn choose_zones(zones: Vec<ZoneDraft>, skipped: &mut Vec<(String, String)>) -> (Option<ZoneDraft>, Option<ZoneDraft>) {
    let says = |z: &ZoneDraft, words: &[&str]| {
        let n = z.file.to_lowercase();
        words.iter().any(|w| n.contains(w))
    };
    let (mut grids, mut rest): (Vec<ZoneDraft>, Vec<ZoneDraft>) =
        zones.into_iter().partition(|z| says(z, &["网格", "grid", "wangge"]));
    rest.sort_by_key(|z| (!says(z, &["区县", "区划", "district", "county", "行政区", "xzq", "边界"]), z.features));
    let districts = if rest.is_empty() { None } else { Some(rest.remove(0)) };
    for z in rest {
        skipped.push((z.file, "another polygon layer".into()));
    }
    let grid = if grids.is_empty() { None } else { Some(grids.remove(0)) };
    for z in grids {
        skipped.push((z.file, "another grid layer".into()));
    }
    (districts, grid)
}

/// A site table read: the draft, its grade labels with their counts, a title row's text.
type SiteRead = (SiteDraft, BTreeMap<String, u64>, Option<String>);

/// A site table: its columns, CRS from the values, grade labels, and a title row's text.
fn site_draft(path: &Path, name: &str) -> std::result::Result<SiteRead, String> {
    let table = read_table(&TableSpec {
        path: path.to_path_buf(),
        display: name.to_string(),
        encoding: TextEncoding::Auto,
        sheet: None,
        header_row: None,
    })
    .map_err(|e| e.to_string())?;
    let h = &table.headers;
    let col = |role: &str| default_column(h, role);
    let (Some(xi), Some(yi)) = (col("x"), col("y")) else {
        return Err(format!(
            "no longitude/latitude columns (经度/纬度, lon/lat, x/y); its header: {}",
            h.iter().take(12).cloned().collect::<Vec<_>>().join(", ")
        ));
    };
    // Found once, not per row.
    let grade_col = col("grade");
    let columns = SiteColumns {
        x: Some(h[xi].clone()),
        y: Some(h[yi].clone()),
        grade: grade_col.map(|i| h[i].clone()),
        id: col("id").map(|i| h[i].clone()),
        name: col("name").map(|i| h[i].clone()),
        category: col("category").map(|i| h[i].clone()),
    };
    let mut grades: BTreeMap<String, u64> = BTreeMap::new();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for r in &table.records {
        if let Some(g) = grade_col.and_then(|i| r.values.get(i)) {
            let g = g.trim();
            if !g.is_empty() {
                *grades.entry(g.to_string()).or_default() += 1;
            }
        }
        let num = |i: usize| r.values.get(i).and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite());
        if let (Some(x), Some(y)) = (num(xi), num(yi)) {
            xs.push(x);
            ys.push(y);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let median = (!xs.is_empty()).then(|| (median(&mut xs), median(&mut ys)));
    let (title, header_row) = title_row(&table.warnings);
    let draft = SiteDraft {
        file: name.to_string(),
        rows: table.rows_read,
        headers: h.clone(),
        columns,
        encoding: matches!(table.encoding, Some(Detected::Gbk | Detected::GbkDamaged)).then(|| "gbk".to_string()),
        title_row: title.clone(),
        header_row,
        median,
        crs: None,
        crs_why: "init.crs_unknown".into(),
    };
    Ok((draft, grades, title))
}

/// The title text and the header's row from a reader's note of a title row it skipped.
fn title_row(notes: &[sisetu_io::Note]) -> (Option<String>, u64) {
    match notes
        .iter()
        .find(|n| matches!(n.key(), "note.title_line" | "note.title_lines" | "note.title_row" | "note.title_rows"))
    {
        Some(n) => {
            (n.arg("title").map(|t| t.trim().to_string()), n.arg("header").and_then(|h| h.parse().ok()).unwrap_or(2))
        }
        None => (None, 1),
    }
}

/// The CRS the coordinate values show at their median point `(x, y)` (so that a few bad rows
/// do not decide), and the catalogue key saying why. `mid_lon` is the districts' middle
/// longitude when they are in longitude/latitude: it gives the zone of Gauss-Krüger metres
/// written without their zone number, and tells Web Mercator from a numbered 6° zone (the
/// same range of eastings); without it those stay unknown rather than guessed.
pub(crate) fn crs_from_values(median: Option<(f64, f64)>, mid_lon: Option<f64>) -> (Option<Crs>, &'static str) {
    let Some((x, y)) = median else { return (None, "init.crs_unknown") };
    if (73.0..=136.0).contains(&x) && (3.0..=54.0).contains(&y) {
        return (Some(Crs::Cgcs2000), "init.crs_lonlat");
    }
    if (3.0..=54.0).contains(&x) && (73.0..=136.0).contains(&y) {
        return (None, "init.crs_swapped");
    }
    if !(300_000.0..=6_100_000.0).contains(&y) {
        return (None, "init.crs_unknown");
    }
    let web_lon = x / 6_378_137.0 * 180.0 / std::f64::consts::PI;
    let web = (73.0..=136.0).contains(&web_lon).then_some(web_lon);
    let zone = (x / 1_000_000.0).floor() as i64;
    let within = x - zone as f64 * 1_000_000.0;
    let numbered = (100_000.0..=900_000.0).contains(&within);
    let gk = |code: i64| {
        u32::try_from(code).ok().map(|c| match GkZone::new(c) {
            Ok(z) => Crs::GaussKruger(z),
            Err(_) => Crs::Epsg(c),
        })
    };
    match zone {
        0 if numbered => match mid_lon.and_then(gk_zone_of) {
            Some(crs) => (Some(crs), "init.crs_gk_no_zone"),
            None => (None, "init.crs_unknown"),
        },
        25..=45 if numbered => (gk(4513 + zone - 25), "init.crs_gk_zone"),
        13..=23 if numbered => {
            let cm = (6 * zone - 3) as f64;
            match (web, mid_lon) {
                (Some(w), Some(mid)) if (w - mid).abs() < (cm - mid).abs() => {
                    (Some(Crs::WebMercator), "init.crs_web_mercator")
                }
                (Some(_), None) => (None, "init.crs_unknown"),
                _ => (gk(4491 + zone - 13), "init.crs_gk_zone"),
            }
        }
        _ if web.is_some() => (Some(Crs::WebMercator), "init.crs_web_mercator"),
        _ => (None, "init.crs_unknown"),
    }
}
