//! Synthetic safety-risk census data for demos, tests and benchmarks.
//!
//! Everything here is made up, but shaped like the real thing: enterprise sites of
//! 乌鲁木齐市 clustered around the real industrial parks and urban commercial areas, with
//! realistic 行业 (categories), risk grades, names, 统一社会信用代码 and addresses, in GCJ-02
//! (the system geocoded Chinese addresses come in). All output is deterministic for a seed.
//!
//! * [`urumqi_census`] + [`write_census_gbk`]: a small census table as a bureau would export
//!   it from Excel/WPS (GBK, CRLF, Chinese headers), including a fixed set of deliberately bad
//!   rows (see [`BadRow`] and [`census_bad_rows`]).
//! * [`write_bench_csv`]: a large, clean UTF-8 CSV streamed straight to a writer, for benchmarks.
//!
//! The demo files in `geodata/urumqi/` are made by `examples/gen_demo.rs` with
//! [`DEMO_SEED`] and [`DEMO_ROWS`].

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::OnceLock;

/// Seed of the committed demo census `geodata/urumqi/census.csv`.
pub const DEMO_SEED: u64 = 2024;
/// Row count of the committed demo census.
pub const DEMO_ROWS: usize = 3000;
/// Below this row count [`urumqi_census`] injects no bad rows (there is no room for them).
pub const MIN_ROWS_FOR_BAD: usize = 50;

/// Header of [`write_census_gbk`] output, in column order.
pub const CENSUS_HEADERS: [&str; 7] = ["统一社会信用代码", "企业名称", "行业", "经度", "纬度", "风险等级", "地址"];

/// Header of [`write_bench_csv`] output.
pub const BENCH_HEADER: &str = "id,name,lon,lat,grade,category";

/// Grade letters of the census (A = highest risk = red … D = blue).
pub const GRADE_LETTERS: [&str; 4] = ["A", "B", "C", "D"];
/// Grade level names of the benchmark CSV, same order as [`GRADE_LETTERS`].
pub const GRADE_LEVELS: [&str; 4] = ["red", "orange", "yellow", "blue"];

/// One generated census row, as raw text fields (bad rows deliberately carry bad text).
///
/// A row whose `address` is empty is the ragged row: [`write_census_gbk`] writes it with
/// the trailing 地址 field missing altogether (six fields instead of seven).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CensusRow {
    /// 统一社会信用代码 (the enterprise id).
    pub id: String,
    /// 企业名称.
    pub name: String,
    /// 经度, GCJ-02 degrees as written (six decimals in good rows).
    pub lon: String,
    /// 纬度, GCJ-02 degrees as written (six decimals in good rows).
    pub lat: String,
    /// 风险等级, a grade letter A–D in good rows.
    pub grade: String,
    /// 行业类别.
    pub category: String,
    /// 地址; empty in the ragged row (see above).
    pub address: String,
}

/// The deliberately bad rows of [`urumqi_census`]. For `n >= MIN_ROWS_FOR_BAD` there are
/// exactly 13, at row positions drawn from the seed (never row 0):
///
/// | kind | count | what the row carries |
/// |---|---|---|
/// | [`BadRow::EmptyCoords`] | 2 | empty 经度 and 纬度 |
/// | [`BadRow::UnparsableCoord`] | 1 | 经度 `87.6x` |
/// | [`BadRow::SwappedLonLat`] | 2 | latitude in 经度 and longitude in 纬度 |
/// | [`BadRow::LonOutOfRange`] | 1 | 经度 off by 100 (`187.6…`) |
/// | [`BadRow::UnknownGrade`] | 1 | 风险等级 `未评定` |
/// | [`BadRow::EmptyGrade`] | 1 | empty 风险等级 |
/// | [`BadRow::DuplicateId`] | 2 | a different enterprise reusing the id of an earlier good row |
/// | [`BadRow::OutsideCity`] | 2 | valid coordinates outside every district (one in 昌吉市 west of the city, one in 阜康市 north-east) |
/// | [`BadRow::Ragged`] | 1 | the trailing 地址 field is missing (six fields) |
///
/// For the demo (seed [`DEMO_SEED`], [`DEMO_ROWS`] rows) the positions are listed in
/// `geodata/urumqi/SOURCES.md`. Every other row is good: unique id, coordinates with six
/// decimals, grade A–D, a category and an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BadRow {
    /// Empty 经度 and 纬度.
    EmptyCoords,
    /// 经度 `87.6x`.
    UnparsableCoord,
    /// Latitude in 经度 and longitude in 纬度.
    SwappedLonLat,
    /// 经度 off by 100 (`187.6…`).
    LonOutOfRange,
    /// 风险等级 `未评定`.
    UnknownGrade,
    /// Empty 风险等级.
    EmptyGrade,
    /// Reuses the id of the good row at index `original` (0-based row index, < this row's).
    DuplicateId {
        /// The 0-based index of the good row whose id is reused.
        original: usize,
    },
    /// Valid coordinates outside every district.
    OutsideCity,
    /// The trailing 地址 field is missing (six fields).
    Ragged,
}

/// The bad-row kinds in the order they are assigned to the drawn positions.
const BAD_KINDS: [BadRow; 13] = [
    BadRow::EmptyCoords,
    BadRow::EmptyCoords,
    BadRow::UnparsableCoord,
    BadRow::SwappedLonLat,
    BadRow::SwappedLonLat,
    BadRow::LonOutOfRange,
    BadRow::UnknownGrade,
    BadRow::EmptyGrade,
    BadRow::DuplicateId { original: 0 },
    BadRow::DuplicateId { original: 0 },
    BadRow::OutsideCity,
    BadRow::OutsideCity,
    BadRow::Ragged,
];

/// Where the [`BadRow::OutsideCity`] rows are put (lon, lat, address district): just across the
/// city line, as a geocoder that drifted or a plant over the border would place them.
pub const OUTSIDE_SITES: [(f64, f64, &str); 2] = [
    // 昌吉市, west of 头屯河区
    (87.22, 44.04, "头屯河区"),
    // 阜康市, north-east of 米东区
    (87.98, 44.16, "米东区"),
];

// ---------------------------------------------------------------------------------------------
// Categories (行业)

const HC: usize = 0; // 危险化学品
const GM: usize = 1; // 工贸
const FW: usize = 2; // 烟花爆竹
const MINE: usize = 3; // 非煤矿山
const STATION: usize = 4; // 加油站
const GAS: usize = 5; // 燃气
const LOG: usize = 6; // 仓储物流
const CON: usize = 7; // 建筑施工
const CROWD: usize = 8; // 人员密集场所

struct Category {
    label: &'static str,
    /// Industry words put between the 字号 and the legal form.
    suffixes: &'static [&'static str],
    /// Relative weights of grades A, B, C, D.
    grades: [u32; 4],
}

const CATEGORIES: [Category; 9] = [
    Category {
        label: "危险化学品",
        suffixes: &["化工", "化学", "石化", "精细化工", "工业气体", "化学品", "化工新材料"],
        grades: [8, 25, 45, 22],
    },
    Category {
        label: "工贸",
        suffixes: &[
            "机械制造",
            "钢铁",
            "建材",
            "金属制品",
            "塑料制品",
            "食品",
            "木业",
            "铝业",
            "水泥",
            "纺织",
            "电力设备",
            "印务",
        ],
        grades: [2, 10, 40, 48],
    },
    Category {
        label: "烟花爆竹", suffixes: &["烟花爆竹", "烟花爆竹经营", "花炮"], grades: [6, 22, 45, 27]
    },
    Category {
        label: "非煤矿山", suffixes: &["矿业", "砂石", "石料", "采石", "建材矿业"], grades: [5, 20, 45, 30]
    },
    Category { label: "加油站", suffixes: &["石油", "石化", "能源", ""], grades: [2, 10, 48, 40] },
    Category {
        label: "燃气", suffixes: &["燃气", "天然气", "液化气", "燃气供应"], grades: [4, 16, 45, 35]
    },
    Category {
        label: "仓储物流",
        suffixes: &["物流", "仓储", "供应链管理", "冷链物流", "运输"],
        grades: [2, 9, 38, 51],
    },
    Category {
        label: "建筑施工",
        suffixes: &["建筑工程", "建设工程", "建工", "路桥", "安装工程", "市政工程"],
        grades: [3, 12, 40, 45],
    },
    Category {
        label: "人员密集场所",
        suffixes: &["商贸", "购物中心", "酒店管理", "商业管理", "餐饮管理", "百货", "文化娱乐"],
        grades: [1, 7, 35, 57],
    },
];

/// The category labels (行业) used by the generators.
pub fn category_labels() -> impl Iterator<Item = &'static str> {
    CATEGORIES.iter().map(|c| c.label)
}

// ---------------------------------------------------------------------------------------------
// Clusters

/// A cluster of enterprise sites: a real industrial park or commercial area of 乌鲁木齐市.
/// Sites are spread around the centre with a 2-D Gaussian (truncated at 3 sigma).
#[derive(Debug, Clone, Copy)]
pub struct Cluster {
    /// The park or area, as a reader of the map knows it.
    pub name: &'static str,
    /// The district the centre lies in (checked against the cnmaps polygons in the tests).
    /// Addresses name the district the site falls in (by the coarse district grid `DISTRICT_GRID`), or this one
    /// where the grid does not reach.
    pub district: &'static str,
    /// Centre longitude, GCJ-02 degrees.
    pub lon: f64,
    /// Centre latitude, GCJ-02 degrees.
    pub lat: f64,
    /// Standard deviation of the Gaussian spread, km (the same along x and y).
    pub sigma_km: f64,
    /// Share of all sites, per mille (with [`URBAN_SCATTER_WEIGHT`] the weights add up to 1000).
    pub weight: u32,
    /// Category mix: (category index, relative weight).
    mix: &'static [(usize, u32)],
}

/// The cluster model shared by [`urumqi_census`] and [`write_bench_csv`].
pub const URUMQI_CLUSTERS: [Cluster; 11] = [
    Cluster {
        name: "米东化工工业园",
        district: "米东区",
        lon: 87.68,
        lat: 44.00,
        sigma_km: 2.5,
        weight: 120,
        mix: &[(HC, 55), (GM, 25), (LOG, 8), (GAS, 6), (CON, 4), (STATION, 2)],
    },
    Cluster {
        name: "甘泉堡经济技术开发区（工业区）",
        district: "米东区",
        lon: 87.72,
        lat: 44.15,
        sigma_km: 2.0,
        weight: 60,
        mix: &[(GM, 50), (HC, 30), (LOG, 10), (CON, 6), (GAS, 4)],
    },
    Cluster {
        name: "乌鲁木齐经济技术开发区（头屯河区）",
        district: "头屯河区",
        lon: 87.43,
        lat: 43.86,
        sigma_km: 3.0,
        weight: 130,
        mix: &[(GM, 52), (LOG, 15), (HC, 10), (CON, 10), (STATION, 6), (GAS, 3), (CROWD, 4)],
    },
    Cluster {
        name: "乌鲁木齐高新技术产业开发区（新市区）",
        district: "新市区",
        lon: 87.56,
        lat: 43.88,
        sigma_km: 2.5,
        weight: 120,
        mix: &[(GM, 32), (CROWD, 20), (CON, 18), (LOG, 10), (STATION, 10), (GAS, 6), (HC, 4)],
    },
    Cluster {
        name: "地窝堡国际机场临空物流区",
        district: "新市区",
        lon: 87.47,
        lat: 43.90,
        sigma_km: 1.5,
        weight: 50,
        mix: &[(LOG, 60), (GM, 12), (STATION, 10), (CROWD, 8), (HC, 6), (GAS, 4)],
    },
    Cluster {
        name: "天山区商业中心",
        district: "天山区",
        lon: 87.62,
        lat: 43.79,
        sigma_km: 2.0,
        weight: 100,
        mix: &[(CROWD, 45), (STATION, 14), (GAS, 14), (CON, 12), (LOG, 10), (GM, 3), (FW, 2)],
    },
    Cluster {
        name: "沙依巴克区友好商圈",
        district: "沙依巴克区",
        lon: 87.57,
        lat: 43.78,
        sigma_km: 2.0,
        weight: 90,
        mix: &[(CROWD, 40), (STATION, 14), (LOG, 14), (GAS, 12), (CON, 12), (GM, 6), (FW, 2)],
    },
    Cluster {
        name: "水磨沟区南湖—会展片区",
        district: "水磨沟区",
        lon: 87.64,
        lat: 43.83,
        sigma_km: 2.0,
        weight: 80,
        mix: &[(CROWD, 38), (LOG, 16), (STATION, 14), (GAS, 12), (CON, 12), (GM, 6), (FW, 2)],
    },
    Cluster {
        name: "米东区城区",
        district: "米东区",
        lon: 87.65,
        lat: 43.95,
        sigma_km: 2.0,
        weight: 70,
        mix: &[(GM, 30), (CROWD, 18), (STATION, 15), (CON, 12), (GAS, 10), (LOG, 10), (FW, 5)],
    },
    Cluster {
        name: "达坂城区",
        district: "达坂城区",
        lon: 88.31,
        lat: 43.36,
        sigma_km: 3.0,
        weight: 40,
        mix: &[(MINE, 35), (GM, 20), (STATION, 15), (HC, 12), (FW, 8), (LOG, 5), (CROWD, 5)],
    },
    Cluster {
        name: "乌鲁木齐县水西沟—板房沟",
        district: "乌鲁木齐县",
        lon: 87.40,
        lat: 43.54,
        sigma_km: 3.0,
        weight: 40,
        mix: &[(MINE, 35), (CROWD, 20), (STATION, 15), (GM, 15), (FW, 10), (GAS, 5)],
    },
];

/// Share of sites (per mille) scattered uniformly over the urban area [`URBAN_BBOX`].
pub const URBAN_SCATTER_WEIGHT: u32 = 100;
/// The urban area of the scattered sites: (lon_min, lat_min, lon_max, lat_max), GCJ-02.
/// Lies wholly inside the city.
pub const URBAN_BBOX: (f64, f64, f64, f64) = (87.52, 43.76, 87.70, 43.92);
const SCATTER_MIX: &[(usize, u32)] = &[(CROWD, 40), (STATION, 15), (LOG, 13), (GAS, 12), (CON, 12), (GM, 8)];
/// District lookup grid for addresses: 0.01° cells from [`GRID_ORIGIN`] eastwards and
/// northwards, one string per row of cells (south to north), one character per cell naming the
/// unit that contains the cell centre in `geodata/urumqi/districts.geojson` (`.` = none;
/// t 天山区, y 沙依巴克区, x 新市区, s 水磨沟区, h 头屯河区, d 达坂城区, m 米东区,
/// w 乌鲁木齐县). Made from the polygons and checked against them by the tests.
const DISTRICT_GRID: [&str; 55] = [
    "wwwwwwwyyyyyyyyyyyyyyyyyyyyyttttttttdddddddddddddddddddddddddddddddddd",
    "wwwwwwwyyyyyyyyyyyyyyyyyyyyyttttttttdddddddddddddddddddddddddddddddddd",
    "wwwwwwwyyyyyyyyyyyyyyyyyyyyyytttttttdddddddddddddddddddddddddddddddddd",
    "wwwwwwwyyyyyyyyyyyyyyyyyyyyyyttttttttddddddddddddddddddddddddddddddddd",
    "wwwwwwyyyyyyyyyyyyyyyyyyyyyyytttttttttdddddddddddddddddddddddddddddddd",
    "wwwwwwyyyyyyyyyyyyyyyyyyyyyyyytttttttttddddddddddddddddddddddddddddddd",
    "wwwwwwyyyyyyyyyyyyyyyyyyyyyyyyttttttttttdddddddsdddddddddddddddssssdds",
    "wwwwwwyyyyyyyyyyyyyyyyyyyyyyyyytttttttttssssssssssdddddddddddsdsssssss",
    "wwwwwyyyyyyyyyyyyyyyyyyyyyyyyyytttttttttsssssssssssssdsddddsssssssssss",
    "hhhhhhhhhhhhhhhhhhhhyyyyyyyyyyytttttttttsssssssssssssssssssssssssssssm",
    "hhhhhhhhhhhhhhhyhhyyyyyyyyyyyysttttttttsssssssssssssssssssssssssmssmmm",
    "hhhhhhhhhhhhhhhhyyyyyyyyyyyyyyssssstttsssssssssssssssssssssssmmmmmmmmm",
    "hhhhhhhhhhhhhhhyyyyyyyyyyyyyyyssssssssssssssssssssssssssssssmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhyyyyyyyyyyyxxysssssssssssssssssssssssssssssmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhhhyyyyxyyyyxxxssssssssssssssssssssssssssssmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhhyyxxxxxxxxxxxsssssssssssssssssmsssssssssmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhhhyxxxxxxxxxxxsssssssssssssmmmmmsssssssssmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhhhxxxxxxxxxxxxsssssssssssmmmmmmmsssssssmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhhhxxxxxxxxxxxxmmsssssssssmmmmmmmsssssmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhhxxxxxxxxxxxxxxmmmmsssssssmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhxxxxxxxxxxxxxxxxmmmmmmsssmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhxxxxxxxxxxxxxxxxmmmmmmmsmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhxxxxxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhxxxxxxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhxxxxxxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhxxxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "hhhhhhhhhhhhhhhxxxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    ".hhhhhhhhhhhhhhhxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "..hhhhhhhhhhhhhxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.",
    "...hhhhhhhhhhhhxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "....hhhhhhhhhxxxxxxxxxxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.",
    "......hhhhhxxxxxxxx...xxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.....",
    "......hhhhhhxxxxxxxx.xxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.......",
    ".......hhhhhhxxxxxxx.xxxxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.........",
    "..........hhhxxxxxxx.xxxmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm..........",
    "............xxxxxxxx..mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm............",
    "..............xxxxxx..mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm.............",
    "................xxx...mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm..............",
    ".......................mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm..............",
    ".......................mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm..............",
    "............................mmmmmmmmmmmmmmmmmmmmmmmmmm................",
    "............................mmmmmmmmmmmmmmmmmmmmmmmmm.................",
    "...........................mmmmmmmmmmmmmmmmmmmmm......................",
    "..........................mmmmmmmmmmmmmmmmmmmmmm......................",
    "...........................mmmmmmmmmmmmmmmmmmmmmm.....................",
    "...........................mmmmmmmmmmmmmmmmmmmmmm.....................",
    "...........................mmmmmmmmmmmmmmmmmmmmmm.....................",
    "...........................mmmmmmmmmmmmmmmmmmmmmmm....................",
    "...........................mmmmmmmmmmmmmmmmmmmmmmm....................",
    "............................mmmmmmmmmmmmmmmmmmmmmmm...................",
    "............................mmmmmm...mmmmmmmmmmmmmm...................",
    "............................mmmmmm....mmmmmmmmmmmmm...................",
    "............................mmmmmm.....mmmmmmmmmmmmm..................",
    "............................mm.........mmmmmmmmmmmmm..................",
    ".............................m.........mmmmmmmmmmmmm..................",
];
/// South-west corner (lon, lat) of [`DISTRICT_GRID`].
const GRID_ORIGIN: (f64, f64) = (87.30, 43.70);
const GRID_STEP: f64 = 0.01;

/// The district whose name the address of a site at (lon, lat) carries, if the grid knows it.
fn grid_district(lon: f64, lat: f64) -> Option<&'static str> {
    let i = ((lon - GRID_ORIGIN.0) / GRID_STEP).floor();
    let j = ((lat - GRID_ORIGIN.1) / GRID_STEP).floor();
    if i < 0.0 || j < 0.0 {
        return None;
    }
    let row = DISTRICT_GRID.get(j as usize)?;
    Some(match *row.as_bytes().get(i as usize)? {
        b't' => "天山区",
        b'y' => "沙依巴克区",
        b'x' => "新市区",
        b's' => "水磨沟区",
        b'h' => "头屯河区",
        b'd' => "达坂城区",
        b'm' => "米东区",
        b'w' => "乌鲁木齐县",
        _ => return None,
    })
}

const TOTAL_WEIGHT: u32 = {
    let mut sum = URBAN_SCATTER_WEIGHT;
    let mut i = 0;
    while i < URUMQI_CLUSTERS.len() {
        sum += URUMQI_CLUSTERS[i].weight;
        i += 1;
    }
    sum
};

/// Roads used in addresses (and facility names), per district.
pub(crate) fn roads(district: &str) -> &'static [&'static str] {
    match district {
        "天山区" => &[
            "解放南路",
            "解放北路",
            "新华南路",
            "中山路",
            "人民路",
            "团结路",
            "延安路",
            "光明路",
            "和平南路",
            "建设路",
        ],
        "沙依巴克区" => &[
            "友好南路",
            "友好北路",
            "西虹东路",
            "西虹西路",
            "扬子江路",
            "黄河路",
            "西北路",
            "仓房沟路",
            "奇台路",
            "西山路",
        ],
        "新市区" => &[
            "北京南路",
            "北京北路",
            "长春南路",
            "长春中路",
            "苏州东路",
            "河北东路",
            "天津南路",
            "银川路",
            "喀什东路",
            "迎宾路",
            "高新街",
            "鲤鱼山路",
        ],
        "水磨沟区" => {
            &["南湖东路", "南湖南路", "七道湾路", "会展大道", "温泉东路", "昆明路", "五星北路", "水磨沟路", "安居北路"]
        }
        "头屯河区" => &[
            "维泰南路",
            "维泰北路",
            "嵩山街",
            "卫星路",
            "阿里山街",
            "大连街",
            "玄武湖路",
            "头屯河路",
            "泰山街",
            "燕山街",
        ],
        "达坂城区" => &["建设路", "解放路", "迎宾路", "东风路", "达坂城路", "柴窝堡路"],
        "米东区" => &[
            "米东南路",
            "米东北路",
            "米东中路",
            "府前中路",
            "振兴街",
            "古牧地东路",
            "古牧地西路",
            "化工路",
            "甘泉堡大道",
        ],
        _ => &["南山路", "板房沟路", "水西沟路", "永丰路", "托里路", "甘沟路"],
    }
}

/// 字号 building blocks.
const WORDS2: &[&str] = &[
    "天山", "红山", "雪莲", "昆仑", "金石", "宏达", "华泰", "鑫源", "恒通", "盛世", "瑞丰", "新天", "金桥", "西域",
    "丝路", "亚欧", "天润", "万隆", "泰和", "中亚", "九鼎", "金盛", "兴业", "西部", "北方", "晨光", "金海", "鼎盛",
    "安达", "顺通", "宝利", "瀚海", "丰源", "昌隆", "荣达", "天元", "华宇", "恒信", "永盛", "远航", "鸿运", "聚源",
    "嘉禾", "博远", "润通", "天佑", "祥和", "凯达", "新源", "利民", "永安", "鑫达", "富达", "阳光", "绿洲", "胡杨",
    "天马", "雪峰", "五湖", "龙腾", "腾飞", "宏源", "锦程", "金泰", "众鑫", "合力", "广源", "正通",
];
const WORDS3: &[&str] =
    &["博格达", "天池源", "红光山", "雅玛里", "亚心源", "西山泉", "金天山", "新丝路", "昆仑山", "天山北"];

// ---------------------------------------------------------------------------------------------
// Sampling

/// One sampled site (shared by the census and the benchmark generator).
struct Site {
    district: &'static str,
    lon: f64,
    lat: f64,
    cat: usize,
    grade: usize,
}

fn pick_weighted<R: Rng>(rng: &mut R, items: &[(usize, u32)]) -> usize {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for &(v, w) in items {
        if r < w {
            return v;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

fn pick_grade<R: Rng>(rng: &mut R, weights: &[u32; 4]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut r = rng.gen_range(0..total);
    for (g, &w) in weights.iter().enumerate() {
        if r < w {
            return g;
        }
        r -= w;
    }
    3
}

/// A standard 2-D normal pair, truncated at radius 3 (Box–Muller).
fn gauss2<R: Rng>(rng: &mut R) -> (f64, f64) {
    loop {
        let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
        let u2: f64 = rng.gen();
        let r = (-2.0 * u1.ln()).sqrt();
        if r <= 3.0 {
            let t = std::f64::consts::TAU * u2;
            return (r * t.cos(), r * t.sin());
        }
    }
}

fn sample_site<R: Rng>(rng: &mut R) -> Site {
    let mut r = rng.gen_range(0..TOTAL_WEIGHT);
    for c in &URUMQI_CLUSTERS {
        if r < c.weight {
            let (zx, zy) = gauss2(rng);
            let km_per_deg_lat = 110.57;
            let km_per_deg_lon = 111.32 * c.lat.to_radians().cos();
            let lon = c.lon + zx * c.sigma_km / km_per_deg_lon;
            let lat = c.lat + zy * c.sigma_km / km_per_deg_lat;
            let cat = pick_weighted(rng, c.mix);
            let grade = pick_grade(rng, &CATEGORIES[cat].grades);
            return Site { district: grid_district(lon, lat).unwrap_or(c.district), lon, lat, cat, grade };
        }
        r -= c.weight;
    }
    // Scattered over the urban area.
    let (x0, y0, x1, y1) = URBAN_BBOX;
    let lon = rng.gen_range(x0..x1);
    let lat = rng.gen_range(y0..y1);
    let district = grid_district(lon, lat).unwrap_or("天山区");
    let cat = pick_weighted(rng, SCATTER_MIX);
    let grade = pick_grade(rng, &CATEGORIES[cat].grades);
    Site { district, lon, lat, cat, grade }
}

fn pick<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Appends a realistic enterprise name: 乌鲁木齐 + 字号 (2–4 characters) + industry word +
/// 有限公司 / 有限责任公司, or … + 加油站 for filling stations.
fn push_name<R: Rng>(rng: &mut R, cat: usize, out: &mut String) {
    out.push_str("乌鲁木齐");
    match rng.gen_range(0..10) {
        0..=6 => out.push_str(pick(rng, WORDS2)),
        7 => out.push_str(pick(rng, WORDS3)),
        _ => {
            out.push_str(pick(rng, WORDS2));
            out.push_str(pick(rng, WORDS2));
        }
    }
    out.push_str(pick(rng, CATEGORIES[cat].suffixes));
    if cat == STATION {
        out.push_str("加油站");
    } else if rng.gen_range(0..100) < 65 {
        out.push_str("有限公司");
    } else {
        out.push_str("有限责任公司");
    }
}

/// Characters of the 统一社会信用代码 (GB 32100-2015): digits and capitals without I O Z S V.
pub const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码, or
/// `None` if one of them is not in [`USCC_ALPHABET`].
pub fn uscc_check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, &w) in first17.iter().zip(USCC_WEIGHTS.iter()) {
        let v = USCC_ALPHABET.iter().position(|&a| a == c)? as u32;
        sum += v * w;
    }
    Some(USCC_ALPHABET[((31 - sum % 31) % 31) as usize])
}

/// An 18-character 统一社会信用代码 of a 乌鲁木齐市 enterprise: `91650100`, a 9-character
/// organisation code (new-style `MA…` or old-style digits, with its GB 11714 check character)
/// and the GB 32100 check character.
fn gen_uscc<R: Rng>(rng: &mut R) -> String {
    let mut code: Vec<u8> = b"91650100".to_vec();
    if rng.gen_range(0..100) < 70 {
        code.extend_from_slice(b"MA");
        for _ in 0..6 {
            code.push(USCC_ALPHABET[rng.gen_range(0..31)]);
        }
    } else {
        for _ in 0..8 {
            code.push(b'0' + rng.gen_range(0..10u8));
        }
    }
    // GB 11714 organisation-code check character.
    const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = code[8..16]
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, w)| {
            let v = if c.is_ascii_digit() { (c - b'0') as u32 } else { (c - b'A') as u32 + 10 };
            v * w
        })
        .sum();
    code.push(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    });
    let check = uscc_check_char(&code).expect("alphabet characters only");
    code.push(check);
    String::from_utf8(code).expect("ASCII")
}

fn gen_address<R: Rng>(rng: &mut R, district: &str) -> String {
    let road = pick(rng, roads(district));
    let no = if rng.gen_range(0..4) == 0 { rng.gen_range(1..1200) } else { rng.gen_range(1..400) };
    format!("乌鲁木齐市{district}{road}{no}号")
}

fn fmt6(v: f64) -> String {
    format!("{v:.6}")
}

/// The bad rows of `urumqi_census(seed, n)`: (0-based row index, kind), sorted by index.
/// Empty when `n < MIN_ROWS_FOR_BAD`. See [`BadRow`] for the list.
pub fn census_bad_rows(seed: u64, n: usize) -> Vec<(usize, BadRow)> {
    if n < MIN_ROWS_FOR_BAD {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    // Positions 1..n, so that the first row is always good.
    let positions: Vec<usize> =
        rand::seq::index::sample(&mut rng, n - 1, BAD_KINDS.len()).into_iter().map(|i| i + 1).collect();
    let taken: HashSet<usize> = positions.iter().copied().collect();
    let mut originals: HashSet<usize> = HashSet::new();
    let mut out: Vec<(usize, BadRow)> = Vec::with_capacity(BAD_KINDS.len());
    for (&pos, &kind) in positions.iter().zip(BAD_KINDS.iter()) {
        let kind = match kind {
            BadRow::DuplicateId { .. } => loop {
                let o = rng.gen_range(0..pos);
                if !taken.contains(&o) && originals.insert(o) {
                    break BadRow::DuplicateId { original: o };
                }
            },
            k => k,
        };
        out.push((pos, kind));
    }
    out.sort_by_key(|&(i, _)| i);
    out
}

/// Realistic synthetic census of 乌鲁木齐市 enterprise sites in GCJ-02, deterministic for a seed.
///
/// Sites cluster around the parks of [`URUMQI_CLUSTERS`] (Gaussian spread) and 10 % are
/// scattered over the urban area ([`URBAN_BBOX`]); coordinates have six decimals. Grades are
/// letters A–D (about 3 % A, 12 % B, 40 % C, 45 % D, heavier in the chemical parks).
/// Ids are unique valid-looking 统一社会信用代码 except for the deliberate duplicates. The
/// bad rows of [`census_bad_rows`] are injected when `n >= MIN_ROWS_FOR_BAD`:
/// 2 empty 经度/纬度, 1 unparsable `87.6x`, 2 swapped lon/lat, 1 longitude 187.6…, 1 grade
/// `未评定`, 1 empty grade, 2 duplicated ids, 2 sites outside every district, 1 ragged row.
pub fn urumqi_census(seed: u64, n: usize) -> Vec<CensusRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ids: HashSet<String> = HashSet::with_capacity(n);
    let mut names: HashSet<String> = HashSet::with_capacity(n);
    let mut rows: Vec<CensusRow> = Vec::with_capacity(n);
    for _ in 0..n {
        let site = sample_site(&mut rng);
        let id = loop {
            let id = gen_uscc(&mut rng);
            if ids.insert(id.clone()) {
                break id;
            }
        };
        let mut name = String::new();
        for attempt in 0.. {
            name.clear();
            push_name(&mut rng, site.cat, &mut name);
            if names.insert(name.clone()) || attempt >= 20 {
                break;
            }
        }
        let address = gen_address(&mut rng, site.district);
        rows.push(CensusRow {
            id,
            name,
            lon: fmt6(site.lon),
            lat: fmt6(site.lat),
            grade: GRADE_LETTERS[site.grade].to_string(),
            category: CATEGORIES[site.cat].label.to_string(),
            address,
        });
    }

    let bad = census_bad_rows(seed, n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    let mut outside = OUTSIDE_SITES.iter();
    for &(i, kind) in &bad {
        match kind {
            BadRow::EmptyCoords => {
                rows[i].lon.clear();
                rows[i].lat.clear();
            }
            BadRow::UnparsableCoord => rows[i].lon = "87.6x".to_string(),
            BadRow::SwappedLonLat => {
                let row = &mut rows[i];
                std::mem::swap(&mut row.lon, &mut row.lat);
            }
            BadRow::LonOutOfRange => {
                let lon: f64 = rows[i].lon.parse().expect("good row");
                rows[i].lon = fmt6(lon + 100.0);
            }
            BadRow::UnknownGrade => rows[i].grade = "未评定".to_string(),
            BadRow::EmptyGrade => rows[i].grade.clear(),
            BadRow::DuplicateId { original } => rows[i].id = rows[original].id.clone(),
            BadRow::OutsideCity => {
                let &(lon, lat, district) = outside.next().expect("two outside sites");
                let row = &mut rows[i];
                row.lon = fmt6(lon + rng.gen_range(-0.005..0.005));
                row.lat = fmt6(lat + rng.gen_range(-0.005..0.005));
                row.address = gen_address(&mut rng, district);
            }
            BadRow::Ragged => rows[i].address.clear(),
        }
    }
    rows
}

/// Appends `field` to a CSV line, quoted when it holds a comma, a quote or a line break.
pub(crate) fn push_csv_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

fn write_gbk_line(w: &mut impl Write, line: &str) -> io::Result<()> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(line);
    if had_errors {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("not encodable in GBK: {line}")));
    }
    w.write_all(&bytes)
}

/// Writes rows as CSV with Chinese headers 统一社会信用代码,企业名称,行业,经度,纬度,风险等级,地址
/// encoded in GBK (no BOM), CRLF line ends (as Excel/WPS exports do).
///
/// Fields containing a comma, quote or line break are quoted. A row with an empty `address`
/// is written without its trailing field (the ragged row of the census).
pub fn write_census_gbk(rows: &[CensusRow], w: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    write_gbk_line(&mut w, &format!("{}\r\n", CENSUS_HEADERS.join(",")))?;
    let mut line = String::new();
    for r in rows {
        line.clear();
        let fields = [&r.id, &r.name, &r.category, &r.lon, &r.lat, &r.grade, &r.address];
        let used = if r.address.is_empty() { 6 } else { 7 };
        for (k, f) in fields[..used].iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            push_csv_field(&mut line, f);
        }
        line.push_str("\r\n");
        write_gbk_line(&mut w, &line)?;
    }
    w.flush()
}

/// Appends `v` with exactly six decimals (rounded), without going through `format!`.
fn push_fixed6(out: &mut Vec<u8>, v: f64) {
    let mut m = (v * 1e6).round() as i64;
    if m < 0 {
        out.push(b'-');
        m = -m;
    }
    push_uint(out, (m / 1_000_000) as u64, 1);
    out.push(b'.');
    push_uint(out, (m % 1_000_000) as u64, 6);
}

/// Appends `v` in decimal, zero-padded to at least `width` digits.
fn push_uint(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v > 0 || buf.len() - i < width {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Large benchmark input: n sites, UTF-8 CSV with header `id,name,lon,lat,grade,category`,
/// lon/lat EPSG:4490 degrees (6 decimals), grade one of red/orange/yellow/blue, clustered like
/// urumqi_census; deterministic for the seed.
///
/// Rows are streamed (one reused line buffer behind a 1 MiB `BufWriter`); ids are `S0000001`,
/// `S0000002`, … (at least seven digits); lines end with LF; there are no bad rows. The
/// coordinates come from the same cluster model as [`urumqi_census`] and are simply labelled
/// EPSG:4490.
pub fn write_bench_csv(n: usize, seed: u64, w: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 20, w);
    w.write_all(BENCH_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let mut name = String::with_capacity(128);
    for i in 1..=n {
        let site = sample_site(&mut rng);
        name.clear();
        push_name(&mut rng, site.cat, &mut name);
        line.clear();
        line.push(b'S');
        push_uint(&mut line, i as u64, 7);
        line.push(b',');
        line.extend_from_slice(name.as_bytes());
        line.push(b',');
        push_fixed6(&mut line, site.lon);
        line.push(b',');
        push_fixed6(&mut line, site.lat);
        line.push(b',');
        line.extend_from_slice(GRADE_LEVELS[site.grade].as_bytes());
        line.push(b',');
        line.extend_from_slice(CATEGORIES[site.cat].label.as_bytes());
        line.push(b'\n');
        w.write_all(&line)?;
    }
    w.flush()
}

#[cfg(test)]
#[path = "synth_tests.rs"]
mod tests;

// ---------------------------------------------------------------------------------------------
// The demo districts, compiled in (for the generators of the other demo files and tests).

/// A district of the compiled-in demo layer `geodata/urumqi/districts.geojson` (GCJ-02).
pub struct DemoDistrict {
    /// 行政区划代码.
    pub adcode: String,
    /// Name.
    pub name: String,
    /// Polygon(s), lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Bounding box.
    pub bbox: Rect<f64>,
}

/// The districts of `geodata/urumqi/districts.geojson`, in file (adcode) order.
pub fn demo_districts() -> &'static [DemoDistrict] {
    static DISTRICTS: OnceLock<Vec<DemoDistrict>> = OnceLock::new();
    DISTRICTS.get_or_init(|| {
        let text = include_str!("../../../geodata/urumqi/districts.geojson");
        let v: serde_json::Value = serde_json::from_str(text).expect("districts.geojson is JSON");
        let ring = |r: &serde_json::Value| -> LineString<f64> {
            r.as_array()
                .expect("ring")
                .iter()
                .map(|p| Coord { x: p[0].as_f64().expect("x"), y: p[1].as_f64().expect("y") })
                .collect()
        };
        let polygon = |p: &serde_json::Value| -> Polygon<f64> {
            let rings = p.as_array().expect("polygon");
            Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
        };
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| {
                let g = &f["geometry"];
                let geometry = match g["type"].as_str() {
                    Some("Polygon") => MultiPolygon(vec![polygon(&g["coordinates"])]),
                    Some("MultiPolygon") => {
                        MultiPolygon(g["coordinates"].as_array().expect("polygons").iter().map(polygon).collect())
                    }
                    t => panic!("unexpected geometry {t:?}"),
                };
                let bbox = geometry.bounding_rect().expect("non-empty district");
                let prop = |k: &str| f["properties"][k].as_str().expect("district property").to_string();
                DemoDistrict { adcode: prop("adcode"), name: prop("name"), geometry, bbox }
            })
            .collect()
    })
}
