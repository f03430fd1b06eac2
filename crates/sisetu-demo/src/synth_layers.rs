//! The layers of the demo's separation rules (`[[layers]]` in `geodata/urumqi/sisetu.toml`),
//! seeded and deterministic, in GCJ-02 like the rest of the demo:
//!
//! * `schools.csv`: 中小学校 and 幼儿园 beside the residential compounds (150–450 m away), and
//!   [`LEGACY_SCHOOLS`] old campuses 60–130 m from a hazardous-chemical site of the census;
//! * `hazchem.csv`: the census's 危险化学品 enterprises (every other one) with the external safety
//!   distance (外部安全防护距离) of their safety assessment, 100–1000 m, and [`HAZCHEM_BAD_ROWS`]
//!   rows whose distance is text or negative (they are rejected);
//! * `gas_pipeline.geojson`: a gas transmission line crossing the city from 头屯河区 to 米东区 and a
//!   branch to the east, as LineStrings.

use crate::synth::CensusRow;
use crate::synth_facilities::{write_utf8_csv, ResidentialRow};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::borrow::Cow;
use std::io::{self, Write};

/// `schools.csv`'s header.
pub const SCHOOL_HEADERS: [&str; 5] = ["编号", "名称", "类型", "经度", "纬度"];
/// `hazchem.csv`'s header.
pub const HAZCHEM_HEADERS: [&str; 5] = ["统一社会信用代码", "企业名称", "经度", "纬度", "外部安全防护距离"];
/// Schools beside residential compounds.
pub const SCHOOL_ROWS: usize = 96;
/// Old campuses next to a hazardous-chemical site.
pub const LEGACY_SCHOOLS: usize = 4;
/// Rows of `hazchem.csv` (0-based) with a distance that is not a number of metres, and what
/// they hold.
pub const HAZCHEM_BAD_ROWS: [(usize, &str); 2] = [(5, "待评估"), (11, "-50")];
/// Metres per degree of latitude, and of longitude at 乌鲁木齐市 (43.8° N).
const M_PER_DEG_LAT: f64 = 111_000.0;
const M_PER_DEG_LON: f64 = 80_100.0;

/// One row of `schools.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolRow {
    /// 编号.
    pub id: String,
    /// 名称.
    pub name: String,
    /// 类型: 幼儿园, 小学 or 中学.
    pub kind: &'static str,
    /// GCJ-02 longitude.
    pub lon: f64,
    /// GCJ-02 latitude.
    pub lat: f64,
}

/// One row of `hazchem.csv` (text as written: the bad rows carry bad distances).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazchemRow {
    /// 统一社会信用代码 (the census id).
    pub id: String,
    /// 企业名称.
    pub name: String,
    /// 经度, as in the census.
    pub lon: String,
    /// 纬度, as in the census.
    pub lat: String,
    /// 外部安全防护距离 (metres), as written.
    pub distance: String,
}

/// A line of `gas_pipeline.geojson`.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRow {
    /// 编号.
    pub id: &'static str,
    /// 名称.
    pub name: &'static str,
    /// Its vertices, GCJ-02 (lon, lat).
    pub coords: Vec<(f64, f64)>,
}

fn offset(lon: f64, lat: f64, metres: f64, angle: f64) -> (f64, f64) {
    (lon + metres * angle.cos() / M_PER_DEG_LON, lat + metres * angle.sin() / M_PER_DEG_LAT)
}

/// The census's hazardous-chemical sites with good coordinates: (row, lon, lat).
fn hazchem_sites(census: &[CensusRow]) -> Vec<(&CensusRow, f64, f64)> {
    census
        .iter()
        .filter(|r| r.category == "危险化学品")
        .filter_map(|r| {
            let (lon, lat) = (r.lon.parse::<f64>().ok()?, r.lat.parse::<f64>().ok()?);
            ((86.5..89.5).contains(&lon) && (42.5..45.0).contains(&lat)).then_some((r, lon, lat))
        })
        .collect()
}

/// The schools: [`SCHOOL_ROWS`] beside residential compounds, then [`LEGACY_SCHOOLS`] old
/// campuses beside hazardous-chemical sites of `census`.
pub fn urumqi_schools(seed: u64, residential: &[ResidentialRow], census: &[CensusRow]) -> Vec<SchoolRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x005c_4001);
    let (mut primary, mut middle) = (0, 0);
    let mut rows = Vec::with_capacity(SCHOOL_ROWS + LEGACY_SCHOOLS);
    for k in 0..SCHOOL_ROWS {
        let r = &residential[rng.gen_range(0..residential.len())];
        let (lon, lat) = offset(r.lon, r.lat, rng.gen_range(150.0..450.0), rng.gen_range(0.0..std::f64::consts::TAU));
        let (kind, name) = match k % 3 {
            0 => ("幼儿园", format!("{}幼儿园", r.name)),
            1 => {
                primary += 1;
                ("小学", format!("乌鲁木齐市第{primary}小学"))
            }
            _ => {
                middle += 1;
                ("中学", format!("乌鲁木齐市第{middle}中学"))
            }
        };
        rows.push(SchoolRow { id: format!("XX{:04}", k + 1), name, kind, lon: round6(lon), lat: round6(lat) });
    }
    let sites = hazchem_sites(census);
    for k in 0..LEGACY_SCHOOLS {
        let (_, slon, slat) = sites[(k * 37 + 11) % sites.len()];
        let (lon, lat) = offset(slon, slat, rng.gen_range(60.0..130.0), rng.gen_range(0.0..std::f64::consts::TAU));
        primary += 1;
        rows.push(SchoolRow {
            id: format!("XX{:04}", SCHOOL_ROWS + k + 1),
            name: format!("乌鲁木齐市第{primary}小学(老校区)"),
            kind: "小学",
            lon: round6(lon),
            lat: round6(lat),
        });
    }
    rows
}

/// Every other hazardous-chemical site of `census` with its external safety distance; the rows
/// of [`HAZCHEM_BAD_ROWS`] carry a bad distance.
pub fn urumqi_hazchem(seed: u64, census: &[CensusRow]) -> Vec<HazchemRow> {
    const DISTANCES: [(u32, u32); 7] = [(100, 3), (150, 3), (200, 3), (300, 2), (500, 2), (800, 1), (1000, 1)];
    let total: u32 = DISTANCES.iter().map(|d| d.1).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x004a_2c4e);
    let mut rows: Vec<HazchemRow> = hazchem_sites(census)
        .into_iter()
        .step_by(2)
        .map(|(r, _, _)| {
            let mut pick = rng.gen_range(0..total);
            let d = DISTANCES.iter().find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            });
            HazchemRow {
                id: r.id.clone(),
                name: r.name.clone(),
                lon: r.lon.clone(),
                lat: r.lat.clone(),
                distance: d.map_or(1000, |d| d.0).to_string(),
            }
        })
        .collect();
    for (i, bad) in HAZCHEM_BAD_ROWS {
        if let Some(r) = rows.get_mut(i) {
            r.distance = bad.to_string();
        }
    }
    rows
}

/// The gas pipeline: the main line from 头屯河区 to 米东区 and a branch east from its middle.
pub fn urumqi_pipeline(seed: u64) -> Vec<PipelineRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x919e);
    let (phase, phase2) = (rng.gen_range(0.0..std::f64::consts::TAU), rng.gen_range(0.0..std::f64::consts::TAU));
    let (a, b) = ((87.415, 43.785), (87.665, 43.945));
    let n = 48;
    let main: Vec<(f64, f64)> = (0..=n)
        .map(|k| {
            let t = k as f64 / n as f64;
            // A bend perpendicular to the line, at most about 600 m.
            let bend = 0.0055 * (t * 3.0 * std::f64::consts::PI + phase).sin() * (t * (1.0 - t) * 4.0)
                + 0.0012 * (t * 11.0 * std::f64::consts::PI + phase2).sin();
            (round6(a.0 + (b.0 - a.0) * t + bend * 0.55), round6(a.1 + (b.1 - a.1) * t - bend * 0.84))
        })
        .collect();
    let start = main[n / 2];
    let branch: Vec<(f64, f64)> = (0..=16)
        .map(|k| {
            let t = k as f64 / 16.0;
            (round6(start.0 + 0.105 * t), round6(start.1 - 0.035 * t + 0.002 * (t * 5.0 + phase).sin()))
        })
        .collect();
    vec![
        PipelineRow { id: "GD-01", name: "乌鲁木齐天然气输气干线(合成)", coords: main },
        PipelineRow { id: "GD-02", name: "米东支线(合成)", coords: branch },
    ]
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn coord(v: f64) -> Cow<'static, str> {
    format!("{v:.6}").into()
}

/// Writes `schools.csv`: UTF-8 with BOM, CRLF.
pub fn write_schools_csv(rows: &[SchoolRow], w: impl Write) -> io::Result<()> {
    write_utf8_csv(
        w,
        &SCHOOL_HEADERS,
        rows.iter()
            .map(|r| vec![r.id.as_str().into(), r.name.as_str().into(), r.kind.into(), coord(r.lon), coord(r.lat)]),
    )
}

/// Writes `hazchem.csv`: UTF-8 with BOM, CRLF.
pub fn write_hazchem_csv(rows: &[HazchemRow], w: impl Write) -> io::Result<()> {
    write_utf8_csv(
        w,
        &HAZCHEM_HEADERS,
        rows.iter().map(|r| {
            vec![
                r.id.as_str().into(),
                r.name.as_str().into(),
                r.lon.as_str().into(),
                r.lat.as_str().into(),
                r.distance.as_str().into(),
            ]
        }),
    )
}

/// Writes `gas_pipeline.geojson`: a FeatureCollection of LineStrings with 编号 and 名称.
pub fn write_pipeline_geojson(rows: &[PipelineRow], mut w: impl Write) -> io::Result<()> {
    let features: Vec<String> = rows
        .iter()
        .map(|r| {
            let coords: Vec<String> = r.coords.iter().map(|(x, y)| format!("[{x:.6},{y:.6}]")).collect();
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"编号\":\"{}\",\"名称\":\"{}\"}},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":[{}]}}}}",
                r.id,
                r.name,
                coords.join(",")
            )
        })
        .collect();
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"gas_pipeline\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

#[cfg(test)]
#[path = "synth_layers_tests.rs"]
mod tests;
