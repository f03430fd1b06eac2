//! Shared test and bench data: the real 乌鲁木齐市 districts, projected roughly to metres, and
//! synthetic sites and cells. Not every helper is used by every test binary.
#![allow(dead_code, reason = "each test binary and the bench use a different subset of the helpers")]
#![allow(clippy::unwrap_used, reason = "test and bench data: missing geodata should fail loudly")]

use std::collections::BTreeMap;

use geo::{coord, LineString, MultiPolygon, Polygon, Rect};
use sisetu_render::{Area, LevelCounts, RiskLevel, SitePoint};

/// Equirectangular projection around 87.6°E / 43.8°N, offset like a Gauss-Krüger zone
/// (false easting 500 km, northing ≈ 4850 km) so that the renderer sees realistic numbers.
pub fn project(lon: f64, lat: f64) -> (f64, f64) {
    let k = 43.8f64.to_radians().cos();
    (500_000.0 + (lon - 87.6) * 111_320.0 * k, 4_850_000.0 + (lat - 43.8) * 110_574.0)
}

fn ring(v: &serde_json::Value) -> LineString<f64> {
    let pts = v.as_array().expect("ring is an array");
    LineString::from(
        pts.iter()
            .map(|p| {
                let (x, y) = project(p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
                coord! {x: x, y: y}
            })
            .collect::<Vec<_>>(),
    )
}

fn polygon(v: &serde_json::Value) -> Polygon<f64> {
    let rings = v.as_array().expect("polygon is an array of rings");
    Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
}

/// The 8 districts of 乌鲁木齐市 (geodata/urumqi/districts.geojson) with made-up levels
/// (red, orange, yellow, blue, red, orange, yellow, none).
pub fn urumqi_districts() -> Vec<Area> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../geodata/urumqi/districts.geojson");
    let text = std::fs::read_to_string(path).expect("read districts.geojson");
    let json: serde_json::Value = serde_json::from_str(&text).expect("parse districts.geojson");
    let levels = [
        Some(RiskLevel::Red),
        Some(RiskLevel::Orange),
        Some(RiskLevel::Yellow),
        Some(RiskLevel::Blue),
        Some(RiskLevel::Red),
        Some(RiskLevel::Orange),
        Some(RiskLevel::Yellow),
        None,
    ];
    json["features"]
        .as_array()
        .expect("features")
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let g = &f["geometry"];
            let geometry = match g["type"].as_str() {
                Some("MultiPolygon") => {
                    MultiPolygon(g["coordinates"].as_array().unwrap().iter().map(polygon).collect())
                }
                Some("Polygon") => MultiPolygon(vec![polygon(&g["coordinates"])]),
                other => panic!("unexpected geometry {other:?}"),
            };
            let level = levels[i % levels.len()];
            let mut counts = LevelCounts::default();
            if let Some(l) = level {
                counts[l] = 1 + i as u64;
            }
            Area {
                id: f["properties"]["adcode"].as_str().unwrap().to_string(),
                name: f["properties"]["name"].as_str().unwrap().to_string(),
                geometry,
                level,
                counts,
                color: None,
            }
        })
        .collect()
}

/// A small deterministic random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.f64().max(1e-12);
        let v = self.f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `n` sites clustered around the industrial parks and urban districts of 乌鲁木齐市, with
/// about 3 % red, 10 % orange, 35 % yellow and 52 % blue.
pub fn synthetic_sites(n: usize, seed: u64) -> Vec<SitePoint> {
    // (lon, lat, sigma km, weight)
    let clusters = [
        (87.62, 43.82, 3.0, 0.22), // 天山 / 沙依巴克 urban core
        (87.56, 43.86, 2.5, 0.12), // 高新区
        (87.45, 43.86, 3.0, 0.10), // 经开区 / 头屯河
        (87.66, 43.96, 3.5, 0.14), // 米东化工园
        (87.92, 44.15, 4.0, 0.10), // 甘泉堡
        (87.70, 43.84, 2.5, 0.08), // 水磨沟
        (88.28, 43.37, 4.0, 0.05), // 达坂城
        (87.35, 43.55, 6.0, 0.06), // 乌鲁木齐县
    ];
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut r = rng.f64();
        let (x, y) = match clusters.iter().find(|c| {
            r -= c.3;
            r < 0.0
        }) {
            Some(&(lon, lat, sigma, _)) => {
                let (cx, cy) = project(lon, lat);
                (cx + rng.normal() * sigma * 1000.0, cy + rng.normal() * sigma * 1000.0)
            }
            None => {
                // The rest: scattered over the city.
                project(86.9 + rng.f64() * 1.9, 43.0 + rng.f64() * 1.6)
            }
        };
        let l = rng.f64();
        let level = if l < 0.03 {
            RiskLevel::Red
        } else if l < 0.13 {
            RiskLevel::Orange
        } else if l < 0.48 {
            RiskLevel::Yellow
        } else {
            RiskLevel::Blue
        };
        out.push(SitePoint { x, y, level });
    }
    out
}

/// The non-empty `size`-metre cells of `sites`, with the highest level of their sites (就高).
pub fn cells_of(sites: &[SitePoint], size: f64) -> Vec<Area> {
    let mut cells: BTreeMap<(i64, i64), LevelCounts> = BTreeMap::new();
    for s in sites {
        let key = ((s.x / size).floor() as i64, (s.y / size).floor() as i64);
        cells.entry(key).or_default().add(s.level);
    }
    cells
        .into_iter()
        .map(|((c, r), counts)| {
            let level = counts.highest();
            let rect = Rect::new(
                coord! {x: c as f64 * size, y: r as f64 * size},
                coord! {x: (c + 1) as f64 * size, y: (r + 1) as f64 * size},
            );
            Area {
                id: format!("{size}m_{c}_{r}"),
                name: String::new(),
                geometry: MultiPolygon(vec![rect.to_polygon()]),
                level,
                counts,
                color: None,
            }
        })
        .collect()
}

/// Sums the per-level counts.
pub fn level_counts(sites: &[SitePoint]) -> LevelCounts {
    sites.iter().map(|s| s.level).collect()
}

/// Decodes a PNG into (width, height, RGBA8 pixels).
pub fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    // Opaque maps are written as RGB: expand them to RGBA.
    let buf = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, buf)
}

/// The RGB of pixel (x, y).
pub fn rgb_at(img: &(u32, u32, Vec<u8>), x: f32, y: f32) -> [u8; 3] {
    let (xi, yi) = (x.floor() as usize, y.floor() as usize);
    let i = (yi * img.0 as usize + xi) * 4;
    [img.2[i], img.2[i + 1], img.2[i + 2]]
}

pub fn out_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join("sisetu-render-test");
    std::fs::create_dir_all(&d).expect("create the test image folder");
    d
}
