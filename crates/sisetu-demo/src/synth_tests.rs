use super::*;
use geo::{Contains, MultiPolygon, Point};
use std::collections::HashMap;

/// (name, polygon) of each district of geodata/urumqi/districts.geojson.
fn load_districts() -> Vec<(String, MultiPolygon<f64>)> {
    demo_districts().iter().map(|d| (d.name.clone(), d.geometry.clone())).collect()
}

fn district_of(districts: &[(String, MultiPolygon<f64>)], lon: f64, lat: f64) -> Option<&str> {
    let p = Point::new(lon, lat);
    districts.iter().find(|(_, mp)| mp.contains(&p)).map(|(n, _)| n.as_str())
}

fn census_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    write_census_gbk(&urumqi_census(seed, n), &mut out).unwrap();
    out
}

/// Decoded census lines split into fields (header excluded).
fn decoded_records(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    assert!(!had_errors);
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap().to_string();
    let records = lines.filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_string).collect()).collect();
    (header, records)
}

#[test]
fn same_seed_same_bytes() {
    assert_eq!(census_bytes(7, 500), census_bytes(7, 500));
    assert_ne!(census_bytes(7, 500), census_bytes(8, 500));
    let bench = |seed| {
        let mut v = Vec::new();
        write_bench_csv(2000, seed, &mut v).unwrap();
        v
    };
    assert_eq!(bench(3), bench(3));
    assert_ne!(bench(3), bench(4));
}

#[test]
fn produces_n_rows() {
    for n in [0, 1, 10, MIN_ROWS_FOR_BAD - 1, MIN_ROWS_FOR_BAD, 1234] {
        assert_eq!(urumqi_census(1, n).len(), n);
        let expected_bad = if n >= MIN_ROWS_FOR_BAD { 13 } else { 0 };
        assert_eq!(census_bad_rows(1, n).len(), expected_bad);
    }
    let (_, records) = decoded_records(&census_bytes(DEMO_SEED, DEMO_ROWS));
    assert_eq!(records.len(), DEMO_ROWS);
}

#[test]
fn gbk_round_trip_has_chinese_headers_and_crlf() {
    let bytes = census_bytes(DEMO_SEED, 200);
    // No BOM, not UTF-8 (GBK), every line ends with CRLF.
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(std::str::from_utf8(&bytes).is_err());
    assert!(bytes.ends_with(b"\r\n"));
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    assert_eq!(lf, crlf);
    assert_eq!(lf, 201);

    let (header, records) = decoded_records(&bytes);
    assert_eq!(header, "统一社会信用代码,企业名称,行业,经度,纬度,风险等级,地址");
    assert_eq!(header.split(',').collect::<Vec<_>>(), CENSUS_HEADERS);
    let rows = urumqi_census(DEMO_SEED, 200);
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec[0], row.id);
        assert_eq!(rec[1], row.name);
        assert_eq!(rec[2], row.category);
        assert_eq!(rec[3], row.lon);
        assert_eq!(rec[4], row.lat);
        assert_eq!(rec[5], row.grade);
        if !row.address.is_empty() {
            assert_eq!(rec[6], row.address);
        }
    }
}

#[test]
fn good_rows_look_real() {
    let rows = urumqi_census(DEMO_SEED, DEMO_ROWS);
    let bad: HashMap<usize, BadRow> = census_bad_rows(DEMO_SEED, DEMO_ROWS).into_iter().collect();
    let categories: Vec<&str> = category_labels().collect();
    let mut grade_counts = [0usize; 4];
    let mut good = 0usize;
    for (i, r) in rows.iter().enumerate() {
        // Ids: 18 characters, 91650100 prefix, valid GB 32100 check character.
        assert_eq!(r.id.len(), 18, "{}", r.id);
        assert!(r.id.starts_with("91650100"));
        assert!(r.id.bytes().all(|b| USCC_ALPHABET.contains(&b)), "{}", r.id);
        assert_eq!(uscc_check_char(&r.id.as_bytes()[..17]), Some(r.id.as_bytes()[17]));
        assert!(r.name.starts_with("乌鲁木齐"), "{}", r.name);
        assert!(
            r.name.ends_with("有限公司") || r.name.ends_with("有限责任公司") || r.name.ends_with("加油站"),
            "{}",
            r.name
        );
        assert_eq!(r.name.ends_with("加油站"), r.category == "加油站");
        assert!(categories.contains(&r.category.as_str()));
        if bad.contains_key(&i) {
            continue;
        }
        good += 1;
        assert!(r.address.starts_with("乌鲁木齐市") && r.address.ends_with('号'), "{}", r.address);
        for c in [&r.lon, &r.lat] {
            let (_, frac) = c.split_once('.').expect("decimal point");
            assert_eq!(frac.len(), 6, "{c}");
        }
        let lon: f64 = r.lon.parse().unwrap();
        let lat: f64 = r.lat.parse().unwrap();
        assert!((86.8..89.0).contains(&lon) && (42.9..45.1).contains(&lat));
        let g = GRADE_LETTERS.iter().position(|&l| l == r.grade).expect("grade A-D");
        grade_counts[g] += 1;
    }
    assert_eq!(good, DEMO_ROWS - 13);
    // Roughly 3 % A, 12 % B, 40 % C, 45 % D.
    let pct = |k: usize| grade_counts[k] as f64 * 100.0 / good as f64;
    assert!((1.5..5.0).contains(&pct(0)), "A {:.1}%", pct(0));
    assert!((8.0..16.0).contains(&pct(1)), "B {:.1}%", pct(1));
    assert!((34.0..46.0).contains(&pct(2)), "C {:.1}%", pct(2));
    assert!((39.0..51.0).contains(&pct(3)), "D {:.1}%", pct(3));
    // Names are unique.
    let names: HashSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), rows.len());
}

#[test]
fn chemical_parks_carry_heavier_grades() {
    // In the chemical categories the share of A+B grades is well above the overall share.
    let rows = urumqi_census(5, 20_000);
    let heavy = |f: &dyn Fn(&CensusRow) -> bool| {
        let sel: Vec<&CensusRow> = rows.iter().filter(|r| f(r)).collect();
        let ab = sel.iter().filter(|r| r.grade == "A" || r.grade == "B").count();
        ab as f64 / sel.len() as f64
    };
    let chem = heavy(&|r| r.category == "危险化学品");
    let all = heavy(&|_| true);
    assert!(chem > all * 1.8, "chem {chem:.3} all {all:.3}");
}

#[test]
fn bad_rows_are_present_as_documented() {
    let bad = census_bad_rows(DEMO_SEED, DEMO_ROWS);
    assert_eq!(bad.len(), 13);
    let count = |f: fn(&BadRow) -> bool| bad.iter().filter(|(_, k)| f(k)).count();
    assert_eq!(count(|k| *k == BadRow::EmptyCoords), 2);
    assert_eq!(count(|k| *k == BadRow::UnparsableCoord), 1);
    assert_eq!(count(|k| *k == BadRow::SwappedLonLat), 2);
    assert_eq!(count(|k| *k == BadRow::LonOutOfRange), 1);
    assert_eq!(count(|k| *k == BadRow::UnknownGrade), 1);
    assert_eq!(count(|k| *k == BadRow::EmptyGrade), 1);
    assert_eq!(count(|k| matches!(k, BadRow::DuplicateId { .. })), 2);
    assert_eq!(count(|k| *k == BadRow::OutsideCity), 2);
    assert_eq!(count(|k| *k == BadRow::Ragged), 1);
    let positions: HashSet<usize> = bad.iter().map(|&(i, _)| i).collect();
    assert_eq!(positions.len(), 13);
    assert!(!positions.contains(&0));

    let (_, records) = decoded_records(&census_bytes(DEMO_SEED, DEMO_ROWS));
    let districts = load_districts();
    let bad_map: HashMap<usize, BadRow> = bad.iter().copied().collect();
    for (i, rec) in records.iter().enumerate() {
        let Some(&kind) = bad_map.get(&i) else {
            assert_eq!(rec.len(), 7, "row {i}: {rec:?}");
            continue;
        };
        let (lon, lat, grade) = (&rec[3], &rec[4], &rec[5]);
        match kind {
            BadRow::EmptyCoords => assert!(lon.is_empty() && lat.is_empty()),
            BadRow::UnparsableCoord => {
                assert_eq!(lon, "87.6x");
                assert!(lon.parse::<f64>().is_err());
            }
            BadRow::SwappedLonLat => {
                let (x, y): (f64, f64) = (lon.parse().unwrap(), lat.parse().unwrap());
                assert!((42.0..46.0).contains(&x) && (86.0..90.0).contains(&y));
            }
            BadRow::LonOutOfRange => {
                assert!(lon.starts_with("18"));
                assert!(lon.parse::<f64>().unwrap() > 180.0);
            }
            BadRow::UnknownGrade => assert_eq!(grade, "未评定"),
            BadRow::EmptyGrade => assert!(grade.is_empty()),
            BadRow::DuplicateId { original } => {
                assert!(original < i);
                assert!(!bad_map.contains_key(&original));
                assert_eq!(rec[0], records[original][0]);
                assert_ne!(rec[1], records[original][1]);
            }
            BadRow::OutsideCity => {
                let (x, y): (f64, f64) = (lon.parse().unwrap(), lat.parse().unwrap());
                assert_eq!(district_of(&districts, x, y), None, "({x}, {y})");
            }
            BadRow::Ragged => {
                assert_eq!(rec.len(), 6, "{rec:?}");
                continue;
            }
        }
        assert_eq!(rec.len(), 7, "row {i}: {rec:?}");
        if !matches!(kind, BadRow::UnknownGrade | BadRow::EmptyGrade) {
            assert!(GRADE_LETTERS.contains(&grade.as_str()));
        }
    }
    // Exactly two ids occur twice; all others once.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for rec in &records {
        *seen.entry(rec[0].as_str()).or_default() += 1;
    }
    assert_eq!(seen.values().filter(|&&c| c == 2).count(), 2);
    assert_eq!(seen.values().filter(|&&c| c > 2).count(), 0);
    // Every non-bad row has a unique id.
    assert_eq!(seen.len(), records.len() - 2);
}

#[test]
fn cluster_centres_lie_in_their_districts() {
    let districts = load_districts();
    assert_eq!(districts.len(), 8);
    for c in &URUMQI_CLUSTERS {
        assert_eq!(district_of(&districts, c.lon, c.lat), Some(c.district), "{}", c.name);
    }
    let (x0, y0, x1, y1) = URBAN_BBOX;
    for (x, y) in [(x0, y0), (x0, y1), (x1, y0), (x1, y1)] {
        assert!(district_of(&districts, x, y).is_some(), "({x}, {y})");
    }
    for &(x, y, _) in &OUTSIDE_SITES {
        for (dx, dy) in [(-0.005, -0.005), (-0.005, 0.005), (0.005, -0.005), (0.005, 0.005)] {
            assert_eq!(district_of(&districts, x + dx, y + dy), None);
        }
    }
    let total: u32 = URUMQI_CLUSTERS.iter().map(|c| c.weight).sum::<u32>() + URBAN_SCATTER_WEIGHT;
    assert_eq!(total, 1000);
}

#[test]
fn good_demo_points_fall_inside_the_city() {
    let districts = load_districts();
    let rows = urumqi_census(DEMO_SEED, DEMO_ROWS);
    let bad: HashSet<usize> = census_bad_rows(DEMO_SEED, DEMO_ROWS).into_iter().map(|(i, _)| i).collect();
    let mut inside = 0usize;
    let mut good = 0usize;
    let mut per_district: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if bad.contains(&i) {
            continue;
        }
        good += 1;
        let (x, y) = (r.lon.parse().unwrap(), r.lat.parse().unwrap());
        if let Some(d) = district_of(&districts, x, y) {
            inside += 1;
            *per_district.entry(d).or_default() += 1;
        }
    }
    let share = inside as f64 / good as f64;
    assert!(share >= 0.95, "only {:.1}% inside", share * 100.0);
    // Every one of the 8 units gets some sites.
    assert_eq!(per_district.len(), 8, "{per_district:?}");
}

#[test]
fn district_grid_matches_polygons() {
    let districts = load_districts();
    assert!(DISTRICT_GRID.iter().all(|r| r.len() == DISTRICT_GRID[0].len()));
    let (x0, y0) = GRID_ORIGIN;
    let mut cells = 0;
    for (j, row) in DISTRICT_GRID.iter().enumerate() {
        for i in 0..row.len() {
            let x = x0 + (i as f64 + 0.5) * GRID_STEP;
            let y = y0 + (j as f64 + 0.5) * GRID_STEP;
            assert_eq!(grid_district(x, y), district_of(&districts, x, y), "cell ({i}, {j}) at ({x:.3}, {y:.3})");
            cells += 1;
        }
    }
    assert_eq!(cells, 55 * 70);
    assert_eq!(grid_district(87.0, 43.8), None);
    assert_eq!(grid_district(87.5, 45.0), None);
}

#[test]
fn addresses_name_the_district_of_the_site() {
    let districts = load_districts();
    let rows = urumqi_census(DEMO_SEED, DEMO_ROWS);
    let bad: HashSet<usize> = census_bad_rows(DEMO_SEED, DEMO_ROWS).into_iter().map(|(i, _)| i).collect();
    let (mut good, mut same) = (0usize, 0usize);
    for (i, r) in rows.iter().enumerate() {
        if bad.contains(&i) {
            continue;
        }
        good += 1;
        let (x, y) = (r.lon.parse().unwrap(), r.lat.parse().unwrap());
        if let Some(d) = district_of(&districts, x, y) {
            if r.address.starts_with(&format!("乌鲁木齐市{d}")) {
                same += 1;
            }
        }
    }
    // Only sites within a cell of a district line may name the neighbour.
    assert!(same as f64 >= 0.95 * good as f64, "{same} of {good}");
}

#[test]
fn committed_demo_census_is_up_to_date() {
    let path = format!("{}/../../geodata/urumqi/census.csv", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read(&path).expect("geodata/urumqi/census.csv");
    assert!(
        committed == census_bytes(DEMO_SEED, DEMO_ROWS),
        "geodata/urumqi/census.csv is stale: run `cargo run --release --example gen_demo`"
    );
}

#[test]
fn bench_csv_rows() {
    let mut out = Vec::new();
    write_bench_csv(10_000, 42, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_001);
    assert_eq!(lines[0], BENCH_HEADER);
    assert!(!text.contains('\r'));
    let categories: Vec<&str> = category_labels().collect();
    let mut levels = [0usize; 4];
    for (k, line) in lines[1..].iter().enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        assert_eq!(f[0], format!("S{:07}", k + 1));
        assert!(f[1].starts_with("乌鲁木齐"));
        for c in [f[2], f[3]] {
            assert_eq!(c.split_once('.').unwrap().1.len(), 6, "{c}");
        }
        let lon: f64 = f[2].parse().unwrap();
        let lat: f64 = f[3].parse().unwrap();
        assert!((86.8..89.0).contains(&lon) && (42.9..45.1).contains(&lat));
        levels[GRADE_LEVELS.iter().position(|&g| g == f[4]).unwrap()] += 1;
        assert!(categories.contains(&f[5]));
    }
    assert!(levels.iter().all(|&c| c > 0));
    assert_eq!(lines[1].split(',').next(), Some("S0000001"));

    let mut empty = Vec::new();
    write_bench_csv(0, 1, &mut empty).unwrap();
    assert_eq!(empty, format!("{BENCH_HEADER}\n").into_bytes());
}

#[test]
fn fixed6_formatting_matches_format() {
    for v in [0.0, 1.5, 87.6, 43.123_456_4, 43.999_999_7, -12.000_000_4, 187.612_345] {
        let mut b = Vec::new();
        push_fixed6(&mut b, v);
        assert_eq!(String::from_utf8(b).unwrap(), format!("{v:.6}"));
    }
}
