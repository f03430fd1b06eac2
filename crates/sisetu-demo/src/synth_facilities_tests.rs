use super::*;
use crate::synth::DEMO_SEED;
use sisetu_core::ZoneIndex;
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::{read_zones, ZoneLayerSpec};
use std::collections::HashMap;

fn manifest_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// The districts as sisetu itself reads and assigns them (degrees, no projection).
fn district_index() -> (Vec<String>, ZoneIndex) {
    let spec = ZoneLayerSpec {
        path: manifest_path("geodata/urumqi/districts.geojson"),
        display: "districts.geojson".into(),
        id: Some("adcode".into()),
        name: Some("name".into()),
        extra: Vec::new(),
        encoding: TextEncoding::Auto,
    };
    let zones = read_zones(&spec).expect("districts.geojson");
    assert_eq!(zones.len(), 8);
    let names = zones.iter().map(|z| z.name.clone()).collect();
    (names, ZoneIndex::new(&zones))
}

fn locate<'a>(names: &'a [String], index: &ZoneIndex, lon: f64, lat: f64) -> Option<&'a str> {
    index.locate(lon, lat).map(|z| names[z.get()].as_str())
}

fn bytes<T>(rows: &[T], write: fn(&[T], &mut Vec<u8>) -> io::Result<()>) -> Vec<u8> {
    let mut out = Vec::new();
    write(rows, &mut out).unwrap();
    out
}

fn shelters_bytes(seed: u64) -> Vec<u8> {
    bytes(&urumqi_shelters(seed), |r, w| write_shelters_csv(r, w))
}
fn residential_bytes(seed: u64) -> Vec<u8> {
    bytes(&urumqi_residential(seed), |r, w| write_residential_csv(r, w))
}
fn candidates_bytes(seed: u64) -> Vec<u8> {
    bytes(&urumqi_candidates(seed), |r, w| write_candidates_csv(r, w))
}

/// Header and records (split at commas; no field of these files is quoted).
fn records(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("BOM");
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count(), "CRLF only");
    assert!(!text.contains('"'));
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header = lines.next().unwrap().to_string();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

fn population(name: &str) -> f64 {
    f64::from(URUMQI_POPULATION_2020.iter().find(|p| p.1 == name).unwrap().2)
}

#[test]
fn same_seed_same_bytes() {
    for f in [shelters_bytes, residential_bytes, candidates_bytes] {
        assert_eq!(f(DEMO_SEED), f(DEMO_SEED));
        assert_ne!(f(DEMO_SEED), f(DEMO_SEED + 1));
    }
    // Row counts do not depend on the seed.
    for seed in [1, 99] {
        assert_eq!(urumqi_shelters(seed).len(), SHELTER_ROWS);
        assert_eq!(urumqi_residential(seed).len(), RESIDENTIAL_ROWS);
        assert_eq!(urumqi_candidates(seed).len(), CANDIDATE_ROWS);
    }
}

#[test]
fn files_are_utf8_bom_crlf_with_chinese_headers() {
    let (h, recs) = records(&shelters_bytes(DEMO_SEED));
    assert_eq!(h, "名称,场所类型,类别,有效面积,容纳人数,经度,纬度");
    assert_eq!(recs.len(), SHELTER_ROWS);
    let rows = urumqi_shelters(DEMO_SEED);
    for (rec, r) in recs.iter().zip(&rows) {
        assert_eq!(rec.len(), 7);
        assert_eq!(rec[0], r.name);
        assert_eq!(rec[3], r.area.map(|a| a.to_string()).unwrap_or_default());
        assert_eq!(rec[4], r.capacity.map(|a| a.to_string()).unwrap_or_default());
        for c in &rec[5..7] {
            assert_eq!(c.split_once('.').unwrap().1.len(), 6, "{c}");
        }
        assert_eq!(rec[5].parse::<f64>().unwrap(), r.lon);
    }
    let (h, recs) = records(&residential_bytes(DEMO_SEED));
    assert_eq!(h, "名称,户数,经度,纬度");
    assert_eq!(recs.len(), RESIDENTIAL_ROWS);
    assert!(recs.iter().all(|r| r.len() == 4 && r[2].split_once('.').unwrap().1.len() == 6));
    let (h, recs) = records(&candidates_bytes(DEMO_SEED));
    assert_eq!(h, "名称,场所类型,经度,纬度");
    assert_eq!(recs.len(), CANDIDATE_ROWS);
    assert!(recs.iter().all(|r| r.len() == 4 && r[3].split_once('.').unwrap().1.len() == 6));
}

#[test]
fn all_points_lie_in_their_districts() {
    let (names, index) = district_index();
    for seed in [DEMO_SEED, 7] {
        let mut points: Vec<(&str, f64, f64, String)> = Vec::new();
        for r in urumqi_shelters(seed) {
            points.push((r.district, r.lon, r.lat, r.name));
        }
        for r in urumqi_residential(seed) {
            points.push((r.district, r.lon, r.lat, r.name));
        }
        for r in urumqi_candidates(seed) {
            points.push((r.district, r.lon, r.lat, r.name));
        }
        for (district, lon, lat, name) in &points {
            // Also 60 m away in every direction: robust to any boundary rule and projection.
            for (dx, dy) in [(0.0, 0.0), (0.0007, 0.0), (-0.0007, 0.0), (0.0, 0.0005), (0.0, -0.0005)] {
                assert_eq!(locate(&names, &index, lon + dx, lat + dy), Some(*district), "{name} ({lon}, {lat})");
            }
        }
    }
}

#[test]
fn plans_match_the_constants() {
    let shelters: usize = PLANS
        .iter()
        .map(|p| p.landmarks.len() + p.anchors.iter().map(|a| usize::from(a.emergency + a.fixed)).sum::<usize>())
        .sum();
    assert_eq!(shelters, SHELTER_ROWS);
    assert_eq!(PLANS.iter().map(|p| p.points).sum::<usize>(), RESIDENTIAL_ROWS);
    let candidates: usize = PLANS.iter().flat_map(|p| p.anchors).map(|a| usize::from(a.candidates)).sum();
    assert_eq!(candidates, CANDIDATE_ROWS);
    let plan_names: Vec<&str> = PLANS.iter().map(|p| p.name).collect();
    let census_names: Vec<&str> = URUMQI_POPULATION_2020.iter().map(|p| p.1).collect();
    let mut a = plan_names.clone();
    let mut b = census_names.clone();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    // Anchor centres lie inside their districts.
    let (names, index) = district_index();
    for p in &PLANS {
        for a in p.anchors {
            if let Spread::Gauss(lon, lat, _) = a.spread {
                assert_eq!(locate(&names, &index, lon, lat), Some(p.name), "{}", a.place);
            }
        }
    }
}

#[test]
fn bad_rows_are_where_the_docs_say() {
    let rows = urumqi_shelters(DEMO_SEED);
    let (_, recs) = records(&shelters_bytes(DEMO_SEED));
    assert_eq!(SHELTER_BAD_ROWS, [(47, ShelterBadRow::EmptyArea), (144, ShelterBadRow::UnknownClass)]);
    // Lines 49 and 146 of the file (the header is line 1).
    let text = String::from_utf8(shelters_bytes(DEMO_SEED)).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    let field = |line: usize, k: usize| lines[line - 1].split(',').nth(k).unwrap().to_string();
    assert_eq!(field(49, 3), "");
    assert_eq!(field(49, 2), "紧急");
    assert_eq!(field(146, 2), "临时");
    assert!(!field(146, 3).is_empty());
    assert_eq!((rows[47].district, rows[144].district), ("沙依巴克区", "米东区"));
    for seed in [DEMO_SEED, 3, 11] {
        let rows = urumqi_shelters(seed);
        let empty: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].area.is_none()).collect();
        let unknown: Vec<usize> = (0..rows.len()).filter(|&i| !SHELTER_CLASSES.contains(&rows[i].class)).collect();
        assert_eq!(empty, [47]);
        assert_eq!(unknown, [144]);
        assert_eq!(rows[144].class, UNKNOWN_CLASS);
        // Before it was spoilt, the 临时 row was an emergency shelter like its neighbours.
        assert_eq!((rows[143].class, rows[145].class), ("紧急", "紧急"));
    }
    assert_eq!(recs[47][3], "");
}

#[test]
fn names_are_unique_and_distinct() {
    for seed in [DEMO_SEED, 5] {
        let shelters = urumqi_shelters(seed);
        let candidates = urumqi_candidates(seed);
        let residential = urumqi_residential(seed);
        let mut seen: HashSet<&str> = HashSet::new();
        for n in shelters.iter().map(|r| r.name.as_str()).chain(candidates.iter().map(|r| r.name.as_str())) {
            assert!(seen.insert(n), "{n} twice");
            assert!(!n.is_empty() && !n.contains(','));
        }
        let res: HashSet<&str> = residential.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(res.len(), residential.len());
        assert!(shelters.iter().all(|r| PLACE_TYPES.contains(&r.kind)));
        assert!(candidates.iter().all(|r| PLACE_TYPES.contains(&r.kind)));
    }
}

#[test]
fn class_mix_and_areas() {
    let rows = urumqi_shelters(DEMO_SEED);
    let count = |c: &str| rows.iter().filter(|r| r.class == c).count();
    let (emergency, fixed, central) = (count("紧急"), count("固定"), count("中心"));
    assert_eq!(emergency + fixed + central + 1, rows.len());
    assert!((1..=2).contains(&central), "{central}");
    let share = fixed as f64 / rows.len() as f64;
    assert!((0.15..0.25).contains(&share), "固定 {share:.2}");
    assert!(emergency as f64 > 0.7 * rows.len() as f64);
    for r in &rows {
        let Some(a) = r.area else { continue };
        let ok = match r.class {
            "紧急" => (1_000..=10_000).contains(&a),
            "固定" => (10_000..=100_000).contains(&a),
            "中心" => a >= 200_000,
            _ => (1_000..=10_000).contains(&a),
        };
        assert!(ok, "{} {} {a}", r.name, r.class);
    }
    // 容纳人数 for about 15 %, area / 1.5–2.5 m² a person.
    let with_capacity: Vec<&ShelterRow> = rows.iter().filter(|r| r.capacity.is_some()).collect();
    let share = with_capacity.len() as f64 / rows.len() as f64;
    assert!((0.08..0.25).contains(&share), "容纳人数 {share:.2}");
    for r in with_capacity {
        let per = f64::from(r.area.unwrap()) / f64::from(r.capacity.unwrap());
        assert!((1.45..2.6).contains(&per), "{} {per}", r.name);
    }
}

#[test]
fn residential_points_follow_population() {
    let rows = urumqi_residential(DEMO_SEED);
    let total_pop: f64 = URUMQI_POPULATION_2020.iter().map(|p| f64::from(p.2)).sum();
    let mut points: HashMap<&str, usize> = HashMap::new();
    let mut households: HashMap<&str, u64> = HashMap::new();
    for r in &rows {
        assert!((50..=3000).contains(&r.households), "{} {}", r.name, r.households);
        *points.entry(r.district).or_default() += 1;
        *households.entry(r.district).or_default() += u64::from(r.households);
    }
    for &(_, name, pop) in &URUMQI_POPULATION_2020 {
        let n = points[name];
        assert!(n >= 20, "{name}: {n}");
        let ratio = (n as f64 / rows.len() as f64) / (f64::from(pop) / total_pop);
        let rural = name == "达坂城区" || name == "乌鲁木齐县";
        let range = if rural { 0.9..2.0 } else { 0.85..1.2 };
        assert!(range.contains(&ratio), "{name}: {n} points, ratio {ratio:.2}");
        // 户数 add up to about the census 家庭户数.
        let plan = PLANS.iter().find(|p| p.name == name).unwrap();
        let off = households[name] as f64 / f64::from(plan.households) - 1.0;
        assert!(off.abs() < 0.03, "{name}: {} 户 for {} 家庭户", households[name], plan.households);
    }
    // Bigger compounds in the core than in the rural units.
    let mean = |d: &str| households[d] as f64 / points[d] as f64;
    assert!(mean("天山区") > 1.3 * mean("达坂城区"));
    assert!(mean("天山区") > 1.3 * mean("乌鲁木齐县"));
}

/// Households (of residential points) more than 500 m from every shelter, per district, as a
/// share of the district's households.
fn uncovered_share(shelters: &[ShelterRow], residential: &[ResidentialRow]) -> HashMap<&'static str, f64> {
    let mut out: HashMap<&'static str, (u64, u64)> = HashMap::new();
    for r in residential {
        let covered = shelters.iter().any(|s| equirectangular_m((s.lon, s.lat), (r.lon, r.lat)) <= 500.0);
        let e = out.entry(r.district).or_default();
        e.1 += u64::from(r.households);
        if !covered {
            e.0 += u64::from(r.households);
        }
    }
    out.into_iter().map(|(d, (u, t))| (d, u as f64 / t as f64)).collect()
}

#[test]
fn the_demo_shows_real_gaps() {
    let shelters = urumqi_shelters(DEMO_SEED);
    let residential = urumqi_residential(DEMO_SEED);
    // Effective area per resident: the dense districts below the 2 m² target, 达坂城区 above.
    let mut area: HashMap<&str, f64> = HashMap::new();
    for s in &shelters {
        *area.entry(s.district).or_default() += f64::from(s.area.unwrap_or(0));
    }
    for d in ["天山区", "沙依巴克区", "新市区", "水磨沟区", "头屯河区", "米东区", "乌鲁木齐县"]
    {
        let m2 = area[d] / population(d);
        assert!(m2 < 1.6, "{d}: {m2:.2} m² a resident");
    }
    let m2 = area["达坂城区"] / population("达坂城区");
    assert!(m2 > 2.0, "达坂城区: {m2:.2}");
    // Handful of shelters in the rural units, many in the core.
    let n = |d: &str| shelters.iter().filter(|s| s.district == d).count();
    assert!(n("达坂城区") <= 5 && n("乌鲁木齐县") <= 5);
    assert!(n("天山区") + n("沙依巴克区") + n("新市区") + n("水磨沟区") >= 100);
    // Outside every 500 m radius: most rural households, a good part of the suburbs, but the
    // core is better served.
    let un = uncovered_share(&shelters, &residential);
    assert!(un["达坂城区"] > 0.5 && un["乌鲁木齐县"] > 0.5, "{un:?}");
    assert!(un["米东区"] > 0.4 && un["头屯河区"] > 0.4, "{un:?}");
    assert!(un["天山区"] < un["米东区"] && un["天山区"] < un["乌鲁木齐县"], "{un:?}");
    // Several candidate sites lie in those gaps (> 500 m from every shelter, outside the core).
    let candidates = urumqi_candidates(DEMO_SEED);
    let core = ["天山区", "沙依巴克区", "新市区", "水磨沟区"];
    let in_gaps = candidates
        .iter()
        .filter(|c| !core.contains(&c.district))
        .filter(|c| shelters.iter().all(|s| equirectangular_m((s.lon, s.lat), (c.lon, c.lat)) > 500.0))
        .count();
    assert!(in_gaps >= 20, "{in_gaps}");
}

#[test]
fn committed_demo_files_are_up_to_date() {
    for (file, made) in [
        ("shelters.csv", shelters_bytes(DEMO_SEED)),
        ("residential.csv", residential_bytes(DEMO_SEED)),
        ("candidates.csv", candidates_bytes(DEMO_SEED)),
    ] {
        let committed = std::fs::read(manifest_path("geodata/urumqi").join(file)).unwrap_or_default();
        assert!(committed == made, "geodata/urumqi/{file} is stale: run `cargo run --release --example gen_demo`");
    }
}

#[test]
fn chinese_numbers() {
    assert_eq!(cn_number(1), "一");
    assert_eq!(cn_number(10), "十");
    assert_eq!(cn_number(13), "十三");
    assert_eq!(cn_number(20), "二十");
    assert_eq!(cn_number(99), "九十九");
}
