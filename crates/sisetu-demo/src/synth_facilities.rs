//! Synthetic inputs for the shelter-coverage analysis (应急避难场所) of the 乌鲁木齐市 demo.
//!
//! Everything here is made up but shaped like the real thing, in GCJ-02 like the census:
//!
//! * [`urumqi_shelters`] + [`write_shelters_csv`] → `geodata/urumqi/shelters.csv`: 160 emergency
//!   shelters (`名称,场所类型,类别,有效面积,容纳人数,经度,纬度`) graded after GB 50413-2007:
//!   紧急 (emergency: squares, small parks, school playgrounds, 0.1–1 ha), 固定 (fixed: large parks,
//!   stadiums, universities, 1–10 ha, 30 of them) and 中心 (central, 2: 红山公园 and 新疆体育中心,
//!   over 20 ha). 容纳人数 is filled for about 15 % of the rows (an official-looking figure of
//!   有效面积 / 1.5–2.5 m² per person) and blank otherwise.
//! * [`urumqi_residential`] + [`write_residential_csv`] → `geodata/urumqi/residential.csv`: 3,035
//!   residential weight points (居住小区 and 村, `名称,户数,经度,纬度`) to spread each district's
//!   2020 census population ([`URUMQI_POPULATION_2020`]) by 户数. The number of points per
//!   district follows its population (the two rural units get about 1.5 times their share so
//!   that their villages show); per district 户数 add up to about the 2020 census 家庭户数
//!   (天山区 217,908 … 达坂城区 12,779, as in `geodata/urumqi/population_2020.csv`).
//! * [`urumqi_candidates`] + [`write_candidates_csv`] → `geodata/urumqi/candidates.csv`: 76
//!   candidate sites for new shelters (`名称,场所类型,经度,纬度`): parks, squares, schools and
//!   stadiums that are not shelters yet, about half of them in the suburban and rural gaps.
//!
//! All three files are UTF-8 with a BOM, CRLF line ends and a Chinese header row; coordinates
//! have six decimals. Output is deterministic for a seed (ChaCha8, one stream per file); the
//! demo uses [`crate::synth::DEMO_SEED`]. Row counts and the order of rows (by district, in
//! adcode order; shelters by class 中心, 固定, 紧急 within a district) do not depend on the seed.
//!
//! # The spatial model
//!
//! Each district has a plan (private table `PLANS`): settlement anchors (named neighbourhoods
//! of the urban core, suburban towns such as 羊毛工镇 or 王家沟, and rectangles of scattered
//! villages), each with a share of the district's residential points, a typical 户数, and how
//! many random emergency shelters, fixed shelters and candidate sites it gets; plus hand-placed
//! landmark shelters (红山公园, 人民广场, 南湖广场, 水上乐园, 鲤鱼山公园 …, positions approximate).
//! Points are drawn around the anchors (2-D Gaussian, or uniform in the village rectangles) and
//! kept only when they lie inside the anchor's district in `geodata/urumqi/districts.geojson`
//! (compiled in), at least about 60 m from its boundary, after rounding to six decimals.
//!
//! The demo is built to show real gaps:
//!
//! * Shelters crowd the urban core (天山区, 沙依巴克区, 新市区, 水磨沟区) and the town centres of
//!   头屯河区 and 米东区; 达坂城区 and 乌鲁木齐县 have four each, all in their seats (达坂城镇,
//!   盐湖; 水西沟镇, 板房沟镇, 永丰镇). Suburban towns (王家沟, 三坪, 地窝堡, 安宁渠镇, 羊毛工镇,
//!   三道坝镇, 甘泉堡, 长山子镇, 柏杨河乡 …) and the scattered villages get no shelter and lie
//!   (nearly all) outside every 500 m emergency radius; most candidate sites of the suburbs and
//!   townships are placed in them. For the demo seed, the share of 户数 within 500 m of some
//!   shelter is 38–52 % in the four core districts, about 20 % in 头屯河区 and 米东区 and under
//!   6 % in 达坂城区 and 乌鲁木齐县.
//! * Effective area per resident stays well below the 2 m² target in the dense districts
//!   (0.3–0.8 m²) while 达坂城区, small and with a big stadium and square, exceeds it
//!   (85,000 m² for 35,540 residents, 2.4 m²).
//!
//! The district polygons are compiled in: after `districts.geojson` changes, rebuild before
//! regenerating the files (`cargo run --release --example gen_demo` does both).
//!
//! # Deliberately bad rows
//!
//! `shelters.csv` carries two bad rows for the bad-input story, at fixed positions for every
//! seed ([`SHELTER_BAD_ROWS`]; line numbers count the header as line 1):
//!
//! | line | row index | problem |
//! |---:|---:|---|
//! | 49 | 47 | a 紧急 shelter of 沙依巴克区 with an empty 有效面积 |
//! | 146 | 144 | a shelter of 米东区 with the unknown 类别 `临时` (not 紧急/固定/中心) |
//!
//! `residential.csv` and `candidates.csv` have no bad rows.

use geo::{Contains, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sisetu_core::distance::equirectangular_m;
use std::collections::HashSet;
use std::io::{self, Write};

/// Header of `shelters.csv`, in column order.
pub const SHELTER_HEADERS: [&str; 7] = ["名称", "场所类型", "类别", "有效面积", "容纳人数", "经度", "纬度"];
/// Header of `residential.csv`, in column order.
pub const RESIDENTIAL_HEADERS: [&str; 4] = ["名称", "户数", "经度", "纬度"];
/// Header of `candidates.csv`, in column order.
pub const CANDIDATE_HEADERS: [&str; 4] = ["名称", "场所类型", "经度", "纬度"];

/// The 场所类型 values.
pub const PLACE_TYPES: [&str; 5] = ["公园", "广场", "学校", "体育场", "绿地"];
/// The shelter classes of GB 50413-2007, from the smallest: 紧急 (emergency), 固定 (fixed),
/// 中心 (central).
pub const SHELTER_CLASSES: [&str; 3] = ["紧急", "固定", "中心"];
/// The class written in the [`ShelterBadRow::UnknownClass`] row.
pub const UNKNOWN_CLASS: &str = "临时";

/// 2020 census (七普) resident population of the eight units: (adcode, name, persons).
pub const URUMQI_POPULATION_2020: [(&str, &str, u32); 8] = [
    ("650102", "天山区", 652_792),
    ("650103", "沙依巴克区", 799_539),
    ("650104", "新市区", 1_011_440),
    ("650105", "水磨沟区", 549_576),
    ("650106", "头屯河区", 419_022),
    ("650107", "达坂城区", 35_540),
    ("650109", "米东区", 512_870),
    ("650121", "乌鲁木齐县", 73_590),
];

/// Rows of [`urumqi_shelters`] (the same for every seed).
pub const SHELTER_ROWS: usize = 160;
/// Rows of [`urumqi_residential`] (the same for every seed).
pub const RESIDENTIAL_ROWS: usize = 3035;
/// Rows of [`urumqi_candidates`] (the same for every seed).
pub const CANDIDATE_ROWS: usize = 76;

/// What is wrong with a deliberately bad row of `shelters.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShelterBadRow {
    /// 有效面积 is empty.
    EmptyArea,
    /// 类别 is [`UNKNOWN_CLASS`] (`临时`).
    UnknownClass,
}

/// The bad rows of [`urumqi_shelters`]: (0-based row index, kind). The file line is the index
/// plus 2 (the header is line 1): lines 49 and 146. Both rows were 紧急 shelters before they
/// were spoilt.
pub const SHELTER_BAD_ROWS: [(usize, ShelterBadRow); 2] =
    [(47, ShelterBadRow::EmptyArea), (144, ShelterBadRow::UnknownClass)];

/// One row of `shelters.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShelterRow {
    /// 名称, unique over the shelters and the candidates.
    pub name: String,
    /// 场所类型, one of [`PLACE_TYPES`].
    pub kind: &'static str,
    /// 类别, one of [`SHELTER_CLASSES`], or [`UNKNOWN_CLASS`] in the bad row.
    pub class: &'static str,
    /// 有效面积 in m²; `None` (an empty field) only in the bad row.
    pub area: Option<u32>,
    /// 容纳人数 in persons, when the record gives it (about 15 % of the rows).
    pub capacity: Option<u32>,
    /// Longitude, GCJ-02 degrees, rounded to six decimals.
    pub lon: f64,
    /// Latitude, GCJ-02 degrees, rounded to six decimals.
    pub lat: f64,
    /// The district the site lies in (not written to the file).
    pub district: &'static str,
}

/// One row of `residential.csv`: a 居住小区 or a village.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentialRow {
    /// 名称, unique.
    pub name: String,
    /// 户数 (households), 50–3000.
    pub households: u32,
    /// Longitude, GCJ-02 degrees, rounded to six decimals.
    pub lon: f64,
    /// Latitude, GCJ-02 degrees, rounded to six decimals.
    pub lat: f64,
    /// The district the point lies in (not written to the file).
    pub district: &'static str,
}

/// One row of `candidates.csv`: a site that could become a shelter.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    /// 名称, unique and distinct from every shelter name.
    pub name: String,
    /// 场所类型, one of [`PLACE_TYPES`].
    pub kind: &'static str,
    /// Longitude, GCJ-02 degrees, rounded to six decimals.
    pub lon: f64,
    /// Latitude, GCJ-02 degrees, rounded to six decimals.
    pub lat: f64,
    /// The district the site lies in (not written to the file).
    pub district: &'static str,
}

// ---------------------------------------------------------------------------------------------
// Plans

/// How the points of an anchor are spread.
#[derive(Debug, Clone, Copy)]
enum Spread {
    /// 2-D Gaussian around (lon, lat) with sigma in km (truncated at 3 sigma).
    Gauss(f64, f64, f64),
    /// Uniform in (lon_min, lat_min, lon_max, lat_max) (scattered villages).
    Box(f64, f64, f64, f64),
}

/// A settlement: a neighbourhood of the core, a town, or an area of scattered villages.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    /// Place name; towns and village areas lend it to the names of their sites.
    place: &'static str,
    spread: Spread,
    /// Relative share of the district's residential points.
    weight: u32,
    /// Typical (median) 户数 of a point before scaling to the district total.
    households: u32,
    /// Percentage of the points that are villages (村) rather than 小区.
    villages: u32,
    /// Random 紧急 shelters, random 固定 shelters and candidate sites around the anchor.
    emergency: u8,
    fixed: u8,
    candidates: u8,
    /// Sites here are named after the place (`羊毛工镇文化广场`) rather than from the city pools.
    named: bool,
}

const fn urban(place: &'static str, lon: f64, lat: f64, sigma_km: f64, weight: u32, households: u32) -> Anchor {
    Anchor {
        place,
        spread: Spread::Gauss(lon, lat, sigma_km),
        weight,
        households,
        villages: 0,
        emergency: 0,
        fixed: 0,
        candidates: 0,
        named: false,
    }
}

const fn town(place: &'static str, lon: f64, lat: f64, sigma_km: f64, weight: u32, households: u32) -> Anchor {
    Anchor {
        place,
        spread: Spread::Gauss(lon, lat, sigma_km),
        weight,
        households,
        villages: 40,
        emergency: 0,
        fixed: 0,
        candidates: 0,
        named: true,
    }
}

const fn villages(place: &'static str, bbox: (f64, f64, f64, f64), weight: u32, households: u32) -> Anchor {
    Anchor {
        place,
        spread: Spread::Box(bbox.0, bbox.1, bbox.2, bbox.3),
        weight,
        households,
        villages: 100,
        emergency: 0,
        fixed: 0,
        candidates: 0,
        named: true,
    }
}

impl Anchor {
    const fn sites(mut self, emergency: u8, fixed: u8, candidates: u8) -> Anchor {
        self.emergency = emergency;
        self.fixed = fixed;
        self.candidates = candidates;
        self
    }
}

/// A hand-placed shelter: (名称, 场所类型, 类别, lon, lat, 有效面积 m²).
type Landmark = (&'static str, &'static str, &'static str, f64, f64, u32);

struct Plan {
    name: &'static str,
    /// 家庭户数 of the 2020 census: the 户数 of the district's points add up to about this.
    households: u32,
    /// Residential points.
    points: usize,
    anchors: &'static [Anchor],
    landmarks: &'static [Landmark],
}

const PLANS: [Plan; 8] = [
    Plan {
        name: "天山区",
        households: 217_908,
        points: 480,
        anchors: &[
            urban("天山区老城", 87.620, 43.795, 1.5, 30, 620).sites(9, 0, 2),
            urban("东门—碱泉街", 87.640, 43.800, 1.2, 14, 580).sites(5, 0, 1),
            urban("延安路—大湾", 87.630, 43.772, 1.4, 18, 540).sites(6, 0, 2),
            urban("东山—六道湾", 87.662, 43.812, 1.3, 12, 480).sites(4, 0, 2),
            urban("燕儿窝", 87.625, 43.748, 1.5, 9, 400).sites(2, 0, 2),
            villages("乌拉泊", (87.56, 43.62, 87.70, 43.73), 5, 150),
        ],
        landmarks: &[
            ("红山公园", "公园", "中心", 87.6080, 43.8020, 260_000),
            ("人民广场", "广场", "固定", 87.6237, 43.7934, 32_000),
            ("人民公园", "公园", "固定", 87.6090, 43.7920, 56_000),
            ("儿童公园", "公园", "固定", 87.6230, 43.7800, 14_000),
            ("新疆大学", "学校", "固定", 87.6220, 43.7720, 28_000),
            ("天山区全民健身中心", "体育场", "固定", 87.6400, 43.7900, 16_000),
        ],
    },
    Plan {
        name: "沙依巴克区",
        households: 291_339,
        points: 590,
        anchors: &[
            urban("友好—西大桥", 87.590, 43.805, 1.4, 24, 620).sites(8, 1, 2),
            urban("西北路—铁路局", 87.560, 43.825, 1.5, 20, 580).sites(7, 1, 2),
            urban("雅山—红庙子", 87.565, 43.785, 1.4, 16, 540).sites(5, 0, 1),
            urban("西山", 87.525, 43.795, 1.5, 10, 420).sites(3, 0, 2),
            urban("平顶山—仓房沟", 87.578, 43.762, 1.2, 10, 450).sites(3, 0, 1),
            urban("火车西站", 87.480, 43.840, 1.5, 12, 420).sites(2, 0, 2),
            villages("西山农牧场", (87.40, 43.60, 87.58, 43.75), 8, 150).sites(0, 0, 1),
        ],
        landmarks: &[
            ("雅玛里克山公园", "公园", "固定", 87.5670, 43.7850, 85_000),
            ("乌鲁木齐植物园", "公园", "固定", 87.5750, 43.8260, 62_000),
            ("沙依巴克区体育馆", "体育场", "固定", 87.5850, 43.8120, 15_000),
            ("新疆农业大学", "学校", "固定", 87.5600, 43.8300, 30_000),
        ],
    },
    Plan {
        name: "新市区",
        households: 356_877,
        points: 750,
        anchors: &[
            urban("北京路—鲤鱼山", 87.575, 43.860, 1.5, 22, 620).sites(9, 1, 2),
            urban("高新区—长春路", 87.553, 43.880, 1.7, 20, 580).sites(8, 0, 2),
            urban("二工—北站", 87.575, 43.840, 1.2, 14, 580).sites(5, 0, 1),
            urban("迎宾路", 87.515, 43.895, 1.7, 12, 450).sites(4, 1, 2),
            town("地窝堡乡", 87.470, 43.905, 1.5, 8, 300).sites(0, 0, 2),
            town("安宁渠镇", 87.520, 44.000, 2.0, 10, 280).sites(0, 0, 2),
            villages("青格达湖乡", (87.45, 43.92, 87.60, 44.07), 14, 180).sites(0, 0, 1),
        ],
        landmarks: &[
            ("鲤鱼山公园", "公园", "固定", 87.5750, 43.8550, 72_000),
            ("新疆医科大学", "学校", "固定", 87.5750, 43.8450, 26_000),
            ("新市区体育场", "体育场", "固定", 87.5700, 43.8700, 21_000),
            ("高新区体育公园", "公园", "固定", 87.5550, 43.8850, 38_000),
        ],
    },
    Plan {
        name: "水磨沟区",
        households: 218_309,
        points: 405,
        anchors: &[
            urban("南湖", 87.640, 43.830, 1.3, 30, 620).sites(7, 0, 1),
            urban("七道湾—红光山", 87.640, 43.860, 1.5, 22, 540).sites(5, 0, 2),
            urban("水磨沟—温泉", 87.670, 43.830, 1.3, 18, 500).sites(4, 0, 1),
            urban("会展片区", 87.620, 43.880, 1.5, 12, 480).sites(2, 0, 1),
            town("八道湾", 87.690, 43.865, 1.3, 10, 420).sites(0, 0, 2),
            villages("石人子沟", (87.70, 43.80, 87.95, 43.90), 8, 150).sites(0, 0, 1),
        ],
        landmarks: &[
            ("南湖广场", "广场", "固定", 87.6380, 43.8250, 45_000),
            ("水上乐园", "公园", "固定", 87.6420, 43.8370, 92_000),
            ("水磨沟公园", "公园", "固定", 87.6700, 43.8300, 48_000),
            ("红光山公园", "公园", "固定", 87.6300, 43.8600, 55_000),
            ("新疆国际会展中心广场", "广场", "固定", 87.6200, 43.8800, 60_000),
        ],
    },
    Plan {
        name: "头屯河区",
        households: 138_932,
        points: 310,
        anchors: &[
            urban("经开区城区", 87.430, 43.865, 1.8, 40, 560).sites(9, 0, 2),
            urban("高铁站片区", 87.465, 43.870, 1.3, 14, 480).sites(3, 0, 1),
            town("王家沟", 87.430, 43.830, 1.2, 14, 420).sites(0, 0, 2),
            town("三坪", 87.380, 43.880, 1.4, 12, 320).sites(0, 0, 1),
            villages("头屯河农场", (87.30, 43.90, 87.48, 44.05), 20, 180).sites(0, 0, 2),
        ],
        landmarks: &[
            ("新疆体育中心", "体育场", "中心", 87.4780, 43.8650, 210_000),
            ("头屯河公园", "公园", "固定", 87.4300, 43.8700, 42_000),
            ("经开区全民健身中心", "体育场", "固定", 87.4450, 43.8580, 18_000),
        ],
    },
    Plan {
        name: "达坂城区",
        households: 12_779,
        points: 40,
        anchors: &[
            town("达坂城镇", 88.310, 43.360, 1.5, 30, 450).sites(0, 0, 1),
            town("盐湖", 88.040, 43.450, 1.2, 10, 300).sites(0, 0, 1),
            town("柴窝堡", 87.910, 43.500, 1.5, 12, 260).sites(0, 0, 2),
            town("西沟乡", 88.100, 43.400, 1.5, 10, 220).sites(0, 0, 1),
            town("东沟乡", 88.450, 43.350, 1.5, 10, 220).sites(0, 0, 1),
            town("阿克苏乡", 88.450, 43.270, 1.5, 8, 200).sites(0, 0, 1),
            town("艾维尔沟", 88.550, 43.400, 1.2, 5, 200).sites(0, 0, 1),
            villages("达坂城", (87.90, 43.25, 88.60, 43.55), 15, 150),
        ],
        landmarks: &[
            ("达坂城区全民健身中心", "体育场", "固定", 88.3110, 43.3580, 42_000),
            ("达坂城区文化广场", "广场", "固定", 88.3060, 43.3620, 30_000),
            ("达坂城镇中心学校操场", "学校", "紧急", 88.3180, 43.3650, 8_500),
            ("盐湖社区广场", "广场", "紧急", 88.0410, 43.4510, 4_500),
        ],
    },
    Plan {
        name: "米东区",
        households: 184_487,
        points: 380,
        anchors: &[
            urban("古牧地城区", 87.650, 43.960, 1.7, 38, 560).sites(8, 1, 2),
            urban("米东新城—卡子湾", 87.635, 43.925, 1.4, 18, 500).sites(4, 0, 1),
            town("铁厂沟镇", 87.780, 43.960, 1.1, 8, 300).sites(1, 0, 1),
            town("羊毛工镇", 87.760, 44.080, 1.1, 6, 260).sites(0, 0, 2),
            town("三道坝镇", 87.720, 44.180, 1.1, 5, 260).sites(0, 0, 2),
            town("芦草沟乡", 87.580, 44.030, 1.1, 5, 240).sites(0, 0, 1),
            town("甘泉堡", 87.720, 44.150, 1.0, 5, 300).sites(0, 0, 1),
            town("长山子镇", 87.900, 44.000, 1.1, 5, 240).sites(0, 0, 2),
            town("柏杨河乡", 87.850, 43.880, 1.2, 4, 160).sites(0, 0, 1),
            villages("米东", (87.55, 43.90, 87.95, 44.25), 6, 150),
        ],
        landmarks: &[
            ("米东区体育中心", "体育场", "固定", 87.6500, 43.9550, 24_000),
            ("古牧地公园", "公园", "固定", 87.6450, 43.9650, 40_000),
        ],
    },
    Plan {
        name: "乌鲁木齐县",
        households: 23_055,
        points: 80,
        anchors: &[
            town("水西沟镇", 87.410, 43.560, 1.3, 25, 380).sites(0, 0, 1),
            town("板房沟镇", 87.370, 43.600, 1.3, 15, 300).sites(0, 0, 1),
            town("永丰镇", 87.250, 43.550, 1.3, 15, 280).sites(0, 0, 1),
            town("萨尔达坂乡", 87.300, 43.650, 1.3, 10, 220).sites(0, 0, 1),
            town("甘沟乡", 87.550, 43.520, 1.3, 10, 200).sites(0, 0, 1),
            town("托里乡", 87.600, 43.470, 1.3, 10, 200).sites(0, 0, 1),
            villages("南山", (87.15, 43.42, 87.65, 43.72), 15, 150).sites(0, 0, 1),
        ],
        landmarks: &[
            ("水西沟镇文化广场", "广场", "固定", 87.4100, 43.5600, 22_000),
            ("乌鲁木齐县第一中学操场", "学校", "紧急", 87.4150, 43.5650, 9_000),
            ("板房沟镇中心广场", "广场", "紧急", 87.3700, 43.6000, 5_000),
            ("永丰镇中心学校操场", "学校", "紧急", 87.2500, 43.5500, 6_000),
        ],
    },
];

// ---------------------------------------------------------------------------------------------
// Name pools

/// Words for 小区, community squares, small parks and green spaces.
const WORDS: &[&str] = &[
    "幸福",
    "和平",
    "团结",
    "友谊",
    "光明",
    "建设",
    "红旗",
    "胜利",
    "东风",
    "青年",
    "长江",
    "黄河",
    "昆仑",
    "天山",
    "雪莲",
    "博格达",
    "明珠",
    "金色",
    "阳光",
    "锦绣",
    "丽景",
    "翠园",
    "绿城",
    "华源",
    "鑫苑",
    "金湾",
    "都市",
    "春天",
    "雅居",
    "世纪",
    "新城",
    "枫林",
    "紫金",
    "御园",
    "银都",
    "帝景",
    "龙庭",
    "康乐",
    "安居",
    "温泉",
    "北园",
    "西域",
    "丝路",
    "亚欧",
    "中亚",
    "天润",
    "泰和",
    "瑞丰",
    "盛世",
    "金桥",
    "兴业",
    "晨光",
    "嘉禾",
    "润泽",
    "祥和",
    "美丽",
    "书香",
    "文苑",
    "绿洲",
    "胡杨",
    "天马",
    "雪峰",
    "五湖",
    "腾飞",
    "宏源",
    "锦程",
    "广源",
    "永安",
    "利民",
    "富康",
    "惠民",
    "碧水",
    "蓝天",
    "白桦",
    "银杏",
    "紫藤",
    "海棠",
    "丁香",
    "玫瑰",
    "牡丹",
    "桂花",
    "梧桐",
    "香榭",
    "凯旋",
    "景园",
    "怡和",
    "宏福",
    "顺和",
    "丰泽",
    "国际",
    "时代",
    "中央",
    "滨河",
    "碱泉",
    "大湾",
    "新华",
    "民主",
    "文化",
    "八一",
    "友好",
    "长春",
    "喀什",
    "伊犁",
    "和田",
    "阿勒泰",
    "塔城",
    "哈密",
    "吐鲁番",
    "石油",
    "铁路",
    "电力",
    "邮政",
    "南梁",
    "东林",
    "西岭",
    "北辰",
    "南苑",
    "星光",
    "彩云",
    "紫荆",
    "清泉",
    "汇嘉",
    "天汇",
    "华凌",
    "雅园",
    "景苑",
];
/// 小区 name endings.
const COMPOUND_SUFFIXES: &[&str] =
    &["小区", "花园", "家园", "苑", "公寓", "新村", "佳园", "嘉苑", "雅居", "华庭", "名苑", "城", "里", "家属院"];
/// 小区 name endings in the towns.
const TOWN_SUFFIXES: &[&str] = &["小区", "新村", "家园", "花园", "公寓"];
/// Village name words (followed by 村).
const VILLAGE_WORDS: &[&str] = &[
    "东沟",
    "西沟",
    "南沟",
    "北沟",
    "上庄子",
    "下庄子",
    "大庄子",
    "小庄子",
    "头工",
    "二工",
    "三工",
    "四工",
    "五工",
    "六工",
    "七工",
    "八家户",
    "红星",
    "前进",
    "胜利",
    "团结",
    "光明",
    "新湖",
    "白杨",
    "柳树",
    "榆树",
    "杨家",
    "李家",
    "王家",
    "张家",
    "马家",
    "韩家",
    "沙梁子",
    "黄渠",
    "芦草",
    "泉水",
    "清水",
    "双河",
    "新地",
    "联合",
    "和平",
    "东湾",
    "西湾",
    "花园",
    "高崖子",
    "破城子",
    "羊圈",
    "黑沟",
    "大草滩",
    "平西梁",
    "上寺",
    "下寺",
    "白杨沟",
    "照壁山",
    "庙尔沟",
    "涝坝湾",
    "河坝",
    "新光",
    "永红",
    "红光",
    "跃进",
    "东升",
    "向阳",
    "金桥",
    "滨湖",
    "三个庄子",
    "葛家",
    "沙河",
    "十七户",
    "东戈壁",
    "西戈壁",
    "小东沟",
    "大西沟",
    "柳沟",
    "榆树沟",
    "南台子",
    "北台子",
    "东梁",
    "西梁",
    "中梁",
    "牛圈子",
    "四十户",
    "五十户",
    "六十户",
    "新户",
    "五星",
    "胜利湾",
    "红沟",
    "水泉",
    "干沟",
    "旱田",
    "园艺",
];
/// Phases appended when a 小区 name is taken.
const PHASES: &[&str] = &["二期", "三期", "四期", "五期", "六期"];

/// Chinese numeral for 1..=99 (十三, 二十, 九十九).
fn cn_number(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    assert!((1..=99).contains(&n));
    let (t, u) = ((n / 10) as usize, (n % 10) as usize);
    match t {
        0 => D[u].to_string(),
        1 => format!("十{}", D[u]),
        _ => format!("{}十{}", D[t], D[u]),
    }
}

fn pick<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Shelter and candidate names in use, and school numbers in use (中学, 小学).
struct NameBook {
    names: HashSet<String>,
    middle: HashSet<u32>,
    primary: HashSet<u32>,
}

impl NameBook {
    fn new() -> Self {
        NameBook { names: HashSet::new(), middle: HashSet::new(), primary: HashSet::new() }
    }

    /// Records `name`; false if it was taken.
    fn take(&mut self, name: &str) -> bool {
        self.names.insert(name.to_string())
    }

    /// An unused school number: `middle` for 中学, else 小学.
    fn school<R: Rng>(&mut self, rng: &mut R, middle: bool) -> u32 {
        let used = if middle { &mut self.middle } else { &mut self.primary };
        loop {
            let n = rng.gen_range(1..=99);
            if used.insert(n) {
                return n;
            }
        }
    }

    /// Draws names with `make` until one is free.
    fn fresh<R: Rng>(&mut self, rng: &mut R, mut make: impl FnMut(&mut R, &mut Self) -> String) -> String {
        for _ in 0..1000 {
            let name = make(rng, self);
            if self.take(&name) {
                return name;
            }
        }
        panic!("no free name");
    }
}

/// What a randomly placed site is: shelter (emergency or fixed) or candidate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SiteRole {
    Emergency,
    Fixed,
    Candidate,
}

/// (场所类型, 名称) of a random site of the city pools.
fn city_site_name<R: Rng>(rng: &mut R, book: &mut NameBook, role: SiteRole, roads: &[&str]) -> (&'static str, String) {
    let kinds: &[(&'static str, u32)] = match role {
        SiteRole::Emergency => &[("学校", 30), ("广场", 35), ("公园", 15), ("绿地", 20)],
        SiteRole::Fixed => &[("学校", 40), ("公园", 40), ("绿地", 20)],
        SiteRole::Candidate => &[("学校", 35), ("广场", 20), ("公园", 25), ("绿地", 12), ("体育场", 8)],
    };
    let total: u32 = kinds.iter().map(|k| k.1).sum();
    let mut r = rng.gen_range(0..total);
    let mut kind = kinds[0].0;
    for &(k, w) in kinds {
        if r < w {
            kind = k;
            break;
        }
        r -= w;
    }
    let name = book.fresh(rng, |rng, book| match (role, kind) {
        (SiteRole::Emergency, "学校") => {
            let middle = rng.gen_bool(0.5);
            let n = cn_number(book.school(rng, middle));
            if middle {
                format!("第{n}中学操场")
            } else {
                format!("第{n}小学操场")
            }
        }
        (SiteRole::Fixed, "学校") => format!("第{}中学", cn_number(book.school(rng, true))),
        (SiteRole::Candidate, "学校") => {
            let middle = rng.gen_bool(0.4);
            let n = cn_number(book.school(rng, middle));
            if middle {
                format!("第{n}中学")
            } else {
                format!("第{n}小学")
            }
        }
        (SiteRole::Emergency, "广场") => match rng.gen_range(0..3) {
            0 | 1 => format!("{}社区广场", pick(rng, WORDS)),
            _ => format!("{}文化广场", pick(rng, WORDS)),
        },
        (_, "广场") => format!("{}广场", pick(rng, WORDS)),
        (SiteRole::Emergency, "公园") => match rng.gen_range(0..3) {
            0 => format!("{}游园", pick(rng, WORDS)),
            1 => format!("{}街心公园", pick(rng, roads)),
            _ => format!("{}公园", pick(rng, WORDS)),
        },
        (SiteRole::Fixed, "公园") => format!("{}公园", pick(rng, WORDS)),
        (_, "公园") => match rng.gen_range(0..2) {
            0 => format!("{}公园", pick(rng, WORDS)),
            _ => format!("{}休闲公园", pick(rng, WORDS)),
        },
        (SiteRole::Emergency, "绿地") => match rng.gen_range(0..3) {
            0 => format!("{}带状绿地", pick(rng, roads)),
            1 => format!("{}小区中心绿地", pick(rng, WORDS)),
            _ => format!("{}绿地", pick(rng, WORDS)),
        },
        (SiteRole::Fixed, "绿地") => format!("{}生态绿地", pick(rng, WORDS)),
        (_, "绿地") => format!("{}游憩绿地", pick(rng, WORDS)),
        (_, _) => format!("{}全民健身中心", pick(rng, WORDS)),
    });
    (kind, name)
}

/// (场所类型, 名称) of a site of a town or village area, named after the place.
fn place_site_name(book: &mut NameBook, role: SiteRole, place: &str) -> (&'static str, String) {
    let patterns: &[(&'static str, &str)] = match role {
        SiteRole::Candidate => &[
            ("广场", "文化广场"),
            ("学校", "中心小学"),
            ("公园", "公园"),
            ("体育场", "全民健身场"),
            ("绿地", "休闲绿地"),
        ],
        _ => &[("学校", "中学操场"), ("广场", "文体广场"), ("公园", "游园")],
    };
    for &(kind, suffix) in patterns {
        let name = format!("{place}{suffix}");
        if book.take(&name) {
            return (kind, name);
        }
    }
    panic!("out of site names for {place}");
}

// ---------------------------------------------------------------------------------------------
// Geometry

use crate::synth::{demo_districts as shapes, DemoDistrict as Shape};

fn shape(name: &str) -> &'static Shape {
    shapes().iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{name} is not in districts.geojson"))
}

/// Margin kept from the district boundary, degrees of latitude / longitude (about 60 m).
const MARGIN_LAT: f64 = 0.00055;
const MARGIN_LON: f64 = 0.00075;

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Whether (lon, lat) lies inside the district and at least the margin from its boundary
/// (checked at the point and at four points around it).
fn inside(s: &Shape, lon: f64, lat: f64) -> bool {
    let (min, max) = (s.bbox.min(), s.bbox.max());
    if lon < min.x || lon > max.x || lat < min.y || lat > max.y {
        return false;
    }
    [(0.0, 0.0), (MARGIN_LON, 0.0), (-MARGIN_LON, 0.0), (0.0, MARGIN_LAT), (0.0, -MARGIN_LAT)]
        .iter()
        .all(|&(dx, dy)| s.geometry.contains(&Point::new(lon + dx, lat + dy)))
}

/// A standard 2-D normal pair, truncated at radius 3 (Box–Muller).
fn gauss2<R: Rng>(rng: &mut R) -> (f64, f64) {
    loop {
        let u1: f64 = 1.0 - rng.gen::<f64>();
        let u2: f64 = rng.gen();
        let r = (-2.0 * u1.ln()).sqrt();
        if r <= 3.0 {
            let t = std::f64::consts::TAU * u2;
            return (r * t.cos(), r * t.sin());
        }
    }
}

/// A point of the anchor's spread (times `scale` for Gaussians) inside the district,
/// rounded to six decimals, at least `spacing` metres from every point in `avoid`.
fn sample<R: Rng>(
    rng: &mut R,
    s: &Shape,
    spread: Spread,
    scale: f64,
    avoid: &[(f64, f64)],
    spacing: f64,
) -> (f64, f64) {
    for _ in 0..100_000 {
        let (lon, lat) = match spread {
            Spread::Gauss(lon, lat, sigma_km) => {
                let (zx, zy) = gauss2(rng);
                let sigma = sigma_km * scale;
                (lon + zx * sigma / (111.32 * lat.to_radians().cos()), lat + zy * sigma / 110.57)
            }
            Spread::Box(x0, y0, x1, y1) => (rng.gen_range(x0..x1), rng.gen_range(y0..y1)),
        };
        let (lon, lat) = (round6(lon), round6(lat));
        if inside(s, lon, lat) && avoid.iter().all(|&(x, y)| equirectangular_m((lon, lat), (x, y)) >= spacing) {
            return (lon, lat);
        }
    }
    panic!("cannot place a point in {} around {spread:?}", s.name);
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Minimum distance between two shelters or candidate sites, metres.
const SITE_SPACING: f64 = 250.0;

// ---------------------------------------------------------------------------------------------
// Shelters

fn class_rank(class: &str) -> usize {
    match class {
        "中心" => 0,
        "固定" => 1,
        _ => 2,
    }
}

/// Random 有效面积 (m²) of a site of the given class and type.
fn random_area<R: Rng>(rng: &mut R, role: SiteRole, kind: &str) -> u32 {
    match role {
        SiteRole::Emergency => {
            let (lo, hi) = match kind {
                "学校" => (2_500, 9_000),
                "广场" => (1_200, 6_000),
                "公园" => (3_000, 10_000),
                _ => (1_500, 8_000),
            };
            rng.gen_range(lo / 10..=hi / 10) * 10
        }
        _ => {
            let (lo, hi) = match kind {
                "学校" => (12_000, 30_000),
                "公园" => (20_000, 80_000),
                _ => (15_000, 60_000),
            };
            rng.gen_range(lo / 100..=hi / 100) * 100
        }
    }
}

/// The shelters and the name book (shared with the candidates so that names stay distinct).
fn shelters_with_book(seed: u64) -> (Vec<ShelterRow>, NameBook) {
    let mut rng = rng_for(seed, 11);
    let mut book = NameBook::new();
    let mut rows: Vec<ShelterRow> = Vec::with_capacity(SHELTER_ROWS);
    for plan in &PLANS {
        let s = shape(plan.name);
        let mut district: Vec<ShelterRow> = Vec::new();
        let mut placed: Vec<(f64, f64)> = Vec::new();
        for &(name, kind, class, lon, lat, area) in plan.landmarks {
            assert!(book.take(name), "landmark {name} twice");
            // As geocoded: a few tens of metres off the round reference position.
            let (lon, lat) = sample(&mut rng, s, Spread::Gauss(lon, lat, 0.03), 1.0, &placed, SITE_SPACING);
            district.push(ShelterRow {
                name: name.to_string(),
                kind,
                class,
                area: Some(area),
                capacity: None,
                lon,
                lat,
                district: plan.name,
            });
            placed.push((lon, lat));
        }
        for a in plan.anchors {
            for k in 0..(a.fixed + a.emergency) {
                let role = if k < a.fixed { SiteRole::Fixed } else { SiteRole::Emergency };
                let (kind, name) = if a.named {
                    place_site_name(&mut book, role, a.place)
                } else {
                    city_site_name(&mut rng, &mut book, role, crate::synth::roads(plan.name))
                };
                let area = random_area(&mut rng, role, kind);
                let (lon, lat) = sample(&mut rng, s, a.spread, 0.8, &placed, SITE_SPACING);
                placed.push((lon, lat));
                let class = if role == SiteRole::Fixed { "固定" } else { "紧急" };
                district.push(ShelterRow {
                    name,
                    kind,
                    class,
                    area: Some(area),
                    capacity: None,
                    lon,
                    lat,
                    district: plan.name,
                });
            }
        }
        district.sort_by_key(|r| class_rank(r.class));
        rows.extend(district);
    }
    // 容纳人数 for about 15 % of the rows (always for the central shelters): 有效面积 divided by
    // 1.5–2.5 m² per person, rounded as an official table would.
    for r in &mut rows {
        if r.class == "中心" || rng.gen_range(0..100) < 12 {
            let per_person = [1.5, 2.0, 2.0, 2.5][rng.gen_range(0..4)];
            let area = f64::from(r.area.expect("all areas set"));
            let step = if r.class == "紧急" { 10.0 } else { 100.0 };
            r.capacity = Some(((area / per_person / step).round() * step) as u32);
        }
    }
    for &(i, kind) in &SHELTER_BAD_ROWS {
        let r = &mut rows[i];
        match kind {
            ShelterBadRow::EmptyArea => r.area = None,
            ShelterBadRow::UnknownClass => r.class = UNKNOWN_CLASS,
        }
        r.capacity = None;
    }
    (rows, book)
}

/// The synthetic emergency shelters of 乌鲁木齐市 ([`SHELTER_ROWS`] rows, including the two
/// [`SHELTER_BAD_ROWS`]), deterministic for a seed. See the module docs.
pub fn urumqi_shelters(seed: u64) -> Vec<ShelterRow> {
    shelters_with_book(seed).0
}

// ---------------------------------------------------------------------------------------------
// Residential points

/// The synthetic residential weight points ([`RESIDENTIAL_ROWS`] 小区 and villages),
/// deterministic for a seed. See the module docs.
pub fn urumqi_residential(seed: u64) -> Vec<ResidentialRow> {
    let mut rng = rng_for(seed, 12);
    let mut names: HashSet<String> = HashSet::new();
    let mut rows: Vec<ResidentialRow> = Vec::with_capacity(RESIDENTIAL_ROWS);
    for plan in &PLANS {
        let s = shape(plan.name);
        let total_weight: u32 = plan.anchors.iter().map(|a| a.weight).sum();
        // Points per anchor: largest remainders of the weights, so the counts are fixed.
        let mut counts: Vec<(usize, f64)> = plan
            .anchors
            .iter()
            .map(|a| {
                let exact = plan.points as f64 * f64::from(a.weight) / f64::from(total_weight);
                (exact.floor() as usize, exact - exact.floor())
            })
            .collect();
        let mut left = plan.points - counts.iter().map(|c| c.0).sum::<usize>();
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by(|&a, &b| counts[b].1.total_cmp(&counts[a].1).then(a.cmp(&b)));
        for &i in order.iter().cycle() {
            if left == 0 {
                break;
            }
            counts[i].0 += 1;
            left -= 1;
        }

        let start = rows.len();
        let mut raw: Vec<f64> = Vec::with_capacity(plan.points);
        for (a, &(n, _)) in plan.anchors.iter().zip(&counts) {
            for _ in 0..n {
                let (lon, lat) = sample(&mut rng, s, a.spread, 1.0, &[], 0.0);
                let village = rng.gen_range(0..100) < a.villages;
                let name = residential_name(&mut rng, &mut names, a, village, crate::synth::roads(plan.name));
                // Log-normal 户数 around the anchor's median; villages are smaller.
                let (z, _) = gauss2(&mut rng);
                let median = f64::from(if village { a.households.min(260) } else { a.households });
                raw.push(median * (0.55 * z).exp());
                rows.push(ResidentialRow { name, households: 0, lon, lat, district: plan.name });
            }
        }
        // Scale 户数 so that the district adds up to about its 家庭户数.
        let factor = f64::from(plan.households) / raw.iter().sum::<f64>();
        for (r, h) in rows[start..].iter_mut().zip(&raw) {
            r.households = ((h * factor).round() as u32).clamp(50, 3000);
        }
    }
    rows
}

fn residential_name<R: Rng>(
    rng: &mut R,
    names: &mut HashSet<String>,
    a: &Anchor,
    village: bool,
    roads: &[&str],
) -> String {
    for attempt in 0..200 {
        let name = if village {
            // Village names repeat over the city; then the place qualifies them, then a 组 of
            // the village stands for it.
            let w = pick(rng, VILLAGE_WORDS);
            if attempt < 15 {
                format!("{w}村")
            } else if attempt < 40 {
                format!("{}{w}村", a.place)
            } else {
                format!("{w}村{}组", cn_number(rng.gen_range(1..=12)))
            }
        } else if a.named {
            // Town compounds: plain names, qualified by the town when taken.
            let base = format!("{}{}", pick(rng, WORDS), pick(rng, TOWN_SUFFIXES));
            if attempt < 10 {
                base
            } else {
                format!("{}{base}", a.place)
            }
        } else if rng.gen_range(0..100) < 8 {
            format!("{}{}号院", pick(rng, roads), rng.gen_range(1..=400))
        } else {
            let base = format!("{}{}", pick(rng, WORDS), pick(rng, COMPOUND_SUFFIXES));
            if attempt < 10 {
                base
            } else {
                format!("{base}{}", pick(rng, PHASES))
            }
        };
        if names.insert(name.clone()) {
            return name;
        }
    }
    panic!("no free residential name in {}", a.place);
}

// ---------------------------------------------------------------------------------------------
// Candidates

/// The synthetic candidate sites for new shelters ([`CANDIDATE_ROWS`] rows), deterministic for
/// a seed; names differ from every name of [`urumqi_shelters`] for the same seed.
pub fn urumqi_candidates(seed: u64) -> Vec<CandidateRow> {
    let (shelters, mut book) = shelters_with_book(seed);
    let mut rng = rng_for(seed, 13);
    let mut rows: Vec<CandidateRow> = Vec::with_capacity(CANDIDATE_ROWS);
    for plan in &PLANS {
        let s = shape(plan.name);
        let mut placed: Vec<(f64, f64)> =
            shelters.iter().filter(|r| r.district == plan.name).map(|r| (r.lon, r.lat)).collect();
        for a in plan.anchors {
            for _ in 0..a.candidates {
                let (kind, name) = if a.named {
                    place_site_name(&mut book, SiteRole::Candidate, a.place)
                } else {
                    city_site_name(&mut rng, &mut book, SiteRole::Candidate, crate::synth::roads(plan.name))
                };
                // Town sites near the town centre, city sites anywhere in the neighbourhood.
                let scale = if a.named { 0.5 } else { 1.0 };
                let (lon, lat) = sample(&mut rng, s, a.spread, scale, &placed, SITE_SPACING);
                placed.push((lon, lat));
                rows.push(CandidateRow { name, kind, lon, lat, district: plan.name });
            }
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Writers

use crate::synth::push_csv_field as push_field;

/// Writes a UTF-8 CSV with BOM and CRLF line ends.
pub(crate) fn write_utf8_csv<'a>(
    w: impl Write,
    header: &[&str],
    records: impl Iterator<Item = Vec<std::borrow::Cow<'a, str>>>,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    w.write_all("\u{feff}".as_bytes())?;
    w.write_all(header.join(",").as_bytes())?;
    w.write_all(b"\r\n")?;
    let mut line = String::new();
    for fields in records {
        line.clear();
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            push_field(&mut line, f);
        }
        line.push_str("\r\n");
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

fn opt(v: Option<u32>) -> std::borrow::Cow<'static, str> {
    v.map_or(std::borrow::Cow::Borrowed(""), |v| v.to_string().into())
}

fn coord(v: f64) -> std::borrow::Cow<'static, str> {
    format!("{v:.6}").into()
}

/// Writes `shelters.csv`: UTF-8 with BOM, CRLF, header `名称,场所类型,类别,有效面积,容纳人数,经度,纬度`;
/// empty fields for a missing 有效面积 or 容纳人数.
pub fn write_shelters_csv(rows: &[ShelterRow], w: impl Write) -> io::Result<()> {
    write_utf8_csv(
        w,
        &SHELTER_HEADERS,
        rows.iter().map(|r| {
            vec![
                r.name.as_str().into(),
                r.kind.into(),
                r.class.into(),
                opt(r.area),
                opt(r.capacity),
                coord(r.lon),
                coord(r.lat),
            ]
        }),
    )
}

/// Writes `residential.csv`: UTF-8 with BOM, CRLF, header `名称,户数,经度,纬度`.
pub fn write_residential_csv(rows: &[ResidentialRow], w: impl Write) -> io::Result<()> {
    write_utf8_csv(
        w,
        &RESIDENTIAL_HEADERS,
        rows.iter().map(|r| vec![r.name.as_str().into(), r.households.to_string().into(), coord(r.lon), coord(r.lat)]),
    )
}

/// Writes `candidates.csv`: UTF-8 with BOM, CRLF, header `名称,场所类型,经度,纬度`.
pub fn write_candidates_csv(rows: &[CandidateRow], w: impl Write) -> io::Result<()> {
    write_utf8_csv(
        w,
        &CANDIDATE_HEADERS,
        rows.iter().map(|r| vec![r.name.as_str().into(), r.kind.into(), coord(r.lon), coord(r.lat)]),
    )
}

#[cfg(test)]
#[path = "synth_facilities_tests.rs"]
mod tests;
