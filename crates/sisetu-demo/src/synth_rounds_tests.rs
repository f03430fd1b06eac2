use super::*;
use crate::synth::{write_census_gbk, GRADE_LETTERS, MIN_ROWS_FOR_BAD};
use geo::{unary_union, Validation};
use sisetu_core::ZoneIndex;
use sisetu_io::text::TextEncoding;
use sisetu_io::zones::{read_zones, validate_zones, ZoneLayerSpec};
use std::sync::OnceLock;

fn manifest_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn census_bytes(rows: &[CensusRow]) -> Vec<u8> {
    let mut out = Vec::new();
    write_census_gbk(rows, &mut out).unwrap();
    out
}

fn grids_bytes(grids: &[Grid]) -> Vec<u8> {
    let mut out = Vec::new();
    write_grids_geojson(grids, &mut out).unwrap();
    out
}

/// The demo round 2 and grids, built once for all tests.
fn demo() -> &'static (Vec<CensusRow>, RoundChanges, Vec<Grid>, GridDefects) {
    static DEMO: OnceLock<(Vec<CensusRow>, RoundChanges, Vec<Grid>, GridDefects)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let (rows, changes) = demo_census_2025();
        let (grids, defects) = urumqi_grids(round2_seed(DEMO_SEED), &rows);
        (rows, changes, grids, defects)
    })
}

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks round 2 against round 1 and the manifest: every row of round 2 is either an
/// unchanged round-1 row, a change listed in the manifest, or an appended new row.
fn check_round(
    round1: &[CensusRow],
    bad: &[(usize, BadRow)],
    round2: &[CensusRow],
    m: &RoundChanges,
    plan: &RoundPlan,
) {
    assert_eq!(m.removed.len(), plan.removed);
    assert_eq!(m.added.len(), plan.added);
    assert_eq!(m.regraded.len(), plan.regraded);
    assert_eq!(m.moved.len(), plan.moved_within + plan.moved_across);
    assert_eq!(m.moved_across.len(), plan.moved_across);
    assert_eq!(m.id_reused.len(), plan.id_reused);
    assert_eq!(m.renamed_cosmetic.len(), plan.renamed_cosmetic);
    assert_eq!(round2.len(), round1.len() - plan.removed + plan.added);

    // The change lists are disjoint (moved_across is part of moved).
    let mut all: Vec<&str> = Vec::new();
    all.extend(m.removed.iter().map(String::as_str));
    all.extend(m.added.iter().map(String::as_str));
    all.extend(m.regraded.iter().map(|(id, _, _)| id.as_str()));
    all.extend(m.moved.iter().map(|(id, _)| id.as_str()));
    all.extend(m.id_reused.iter().map(String::as_str));
    all.extend(m.renamed_cosmetic.iter().map(String::as_str));
    let distinct: HashSet<&str> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "change lists overlap");
    let moved_ids: HashSet<&str> = m.moved.iter().map(|(id, _)| id.as_str()).collect();
    assert!(m.moved_across.iter().all(|(id, _, _)| moved_ids.contains(id.as_str())));

    let ids1: HashSet<&str> = round1.iter().map(|r| r.id.as_str()).collect();
    let ids2: HashSet<&str> = round2.iter().map(|r| r.id.as_str()).collect();
    for id in &m.removed {
        assert!(ids1.contains(id.as_str()) && !ids2.contains(id.as_str()), "removed {id}");
    }
    for id in &m.added {
        assert!(!ids1.contains(id.as_str()) && ids2.contains(id.as_str()), "added {id}");
    }

    // Walk both rounds in order: round 2 is round 1 minus the removed rows, then the new rows.
    let removed: HashSet<&str> = m.removed.iter().map(String::as_str).collect();
    let bad_at: HashSet<usize> = bad.iter().map(|&(i, _)| i).collect();
    let kept: Vec<(usize, &CensusRow)> =
        round1.iter().enumerate().filter(|(i, r)| bad_at.contains(i) || !removed.contains(r.id.as_str())).collect();
    assert_eq!(kept.len() + plan.added, round2.len());
    let regraded: HashMap<&str, (&str, &str)> =
        m.regraded.iter().map(|(id, a, b)| (id.as_str(), (a.as_str(), b.as_str()))).collect();
    let moved: HashMap<&str, f64> = m.moved.iter().map(|(id, d)| (id.as_str(), *d)).collect();
    let across: HashMap<&str, (&str, &str)> =
        m.moved_across.iter().map(|(id, a, b)| (id.as_str(), (a.as_str(), b.as_str()))).collect();
    let reused: HashSet<&str> = m.id_reused.iter().map(String::as_str).collect();
    let cosmetic: HashSet<&str> = m.renamed_cosmetic.iter().map(String::as_str).collect();
    let name_of = |d: Option<usize>| d.map(|d| districts()[d].name.as_str());
    for ((i, a), b) in kept.iter().zip(round2) {
        assert_eq!(a.id, b.id, "row {i}: order changed");
        if bad_at.contains(i) {
            assert_eq!(*a, b, "bad row {i} changed");
            continue;
        }
        let id = a.id.as_str();
        if let Some(&(old, new)) = regraded.get(id) {
            assert_eq!((a.grade.as_str(), b.grade.as_str()), (old, new));
            let (g1, g2) = (grade_index(old).unwrap(), grade_index(new).unwrap());
            assert_eq!(g1.abs_diff(g2), 1, "{id}: {old} → {new}");
            assert_eq!(CensusRow { grade: a.grade.clone(), ..b.clone() }, **a);
        } else if let Some(&metres) = moved.get(id) {
            let p = |r: &CensusRow| (r.lon.parse::<f64>().unwrap(), r.lat.parse::<f64>().unwrap());
            let ((x1, y1), (x2, y2)) = (p(a), p(b));
            let d = equirectangular_m((x1, y1), (x2, y2));
            assert!((d - metres).abs() < 1e-6, "{id}: {d} vs {metres}");
            assert!((300.0..=3000.0).contains(&d), "{id} moved {d} m");
            let (d1, d2) = (name_of(district_at(x1, y1)), name_of(district_at(x2, y2)));
            assert!(d2.is_some(), "{id} moved outside the city");
            match across.get(id) {
                Some(&(from, to)) => assert_eq!((d1, d2), (Some(from), Some(to)), "{id}"),
                None => assert_eq!(d1, d2, "{id} changed district but is not in moved_across"),
            }
            assert!(b.address.starts_with(&format!("乌鲁木齐市{}", d2.unwrap())), "{}", b.address);
            assert_eq!((&a.name, &a.category, &a.grade), (&b.name, &b.category, &b.grade));
        } else if reused.contains(id) {
            assert_ne!(no_space(&a.name), no_space(&b.name));
            assert_ne!(a.category, b.category);
            assert!(!round1.iter().any(|r| r.name == b.name), "{id}: the new name is a round-1 enterprise");
        } else if cosmetic.contains(id) {
            assert_ne!(a.name, b.name);
            assert_eq!(no_space(&a.name), no_space(&b.name));
            assert_eq!(CensusRow { name: a.name.clone(), ..b.clone() }, **a);
        } else {
            assert_eq!(*a, b, "row {i} changed without a manifest entry");
        }
    }
    // The new rows, in manifest order, look like round 1's good rows.
    let new_rows = &round2[kept.len()..];
    assert_eq!(new_rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), m.added);
    for r in new_rows {
        assert_eq!(r.id.len(), 18);
        assert_eq!(synth::uscc_check_char(&r.id.as_bytes()[..17]), Some(r.id.as_bytes()[17]));
        assert!(grade_index(&r.grade).is_some() && !r.address.is_empty());
        let (x, y) = (r.lon.parse::<f64>().unwrap(), r.lat.parse::<f64>().unwrap());
        assert!(district_at(x, y).is_some(), "{} outside the city", r.id);
        assert!(!round1.iter().any(|o| o.name == r.name));
    }
    // Ids are unique in round 2 but for round 1's deliberate duplicates.
    let dups = bad.iter().filter(|(_, k)| matches!(k, BadRow::DuplicateId { .. })).count();
    assert_eq!(ids2.len(), round2.len() - dups);
}

#[test]
fn round2_is_deterministic() {
    let (a, ma) = urumqi_census_round2(7, 600);
    let (b, mb) = urumqi_census_round2(7, 600);
    assert_eq!(census_bytes(&a), census_bytes(&b));
    assert_eq!(ma, mb);
    let (c, _) = urumqi_census_round2(8, 600);
    assert_ne!(census_bytes(&a), census_bytes(&c));
    let (rows, _, _, _) = demo();
    assert_eq!(census_bytes(rows), census_bytes(&demo_census_2025().0));
}

#[test]
fn manifest_matches_rows() {
    for (seed, n) in [(7, 600), (11, MIN_ROWS_FOR_BAD), (DEMO_SEED, DEMO_ROWS)] {
        let round1 = urumqi_census(seed, n);
        let bad = census_bad_rows(seed, n);
        let (round2, m) = urumqi_census_round2(seed, n);
        check_round(&round1, &bad, &round2, &m, &RoundPlan::for_rows(n));
    }
    assert_eq!(urumqi_census_round2(3, 10).0.len(), 10);
}

#[test]
fn demo_round2_counts() {
    let (rows, m, _, _) = demo();
    let plan = RoundPlan::for_rows(DEMO_ROWS);
    assert_eq!(
        (plan.removed, plan.added, plan.regraded, plan.moved_within, plan.moved_across, plan.id_reused),
        (90, 150, 180, 33, 12, 2)
    );
    assert_eq!(plan.renamed_cosmetic, 3);
    assert_eq!(rows.len(), 3060);
    // Some new sites are red or orange; regrades go both ways.
    let added: HashSet<&str> = m.added.iter().map(String::as_str).collect();
    let red_orange =
        rows.iter().filter(|r| added.contains(r.id.as_str()) && (r.grade == "A" || r.grade == "B")).count();
    assert!(red_orange >= 5, "{red_orange}");
    let up = m.regraded.iter().filter(|(_, a, b)| grade_index(b) < grade_index(a)).count();
    assert!(up > 40 && m.regraded.len() - up > 40, "{up} up of {}", m.regraded.len());
    // Cosmetic renames use both half-width and full-width spaces.
    let names: Vec<&str> =
        rows.iter().filter(|r| m.renamed_cosmetic.contains(&r.id)).map(|r| r.name.as_str()).collect();
    assert!(names.iter().any(|n| n.contains(' ')) && names.iter().any(|n| n.contains('\u{3000}')), "{names:?}");
    // Every cosmetic name is still GBK.
    let (_, _, errors) = encoding_rs::GBK.encode(&names.concat());
    assert!(!errors);
    // Bad rows survive: 13 rows equal to round 1's bad rows.
    let round1 = urumqi_census(DEMO_SEED, DEMO_ROWS);
    for (i, _) in census_bad_rows(DEMO_SEED, DEMO_ROWS) {
        assert!(rows.contains(&round1[i]));
    }
    assert!(GRADE_LETTERS.iter().all(|g| rows.iter().any(|r| r.grade == *g)));
}

#[test]
fn cosmetic_names_differ_only_in_spaces() {
    for name in ["乌鲁木齐天山化工有限公司", "乌鲁木齐红山石油加油站", "乌鲁木齐雪莲建材有限责任公司"]
    {
        for k in 0..3 {
            let v = cosmetic_name(name, k);
            assert_ne!(v, name);
            assert_eq!(no_space(&v), name, "{v}");
        }
    }
}

#[test]
fn grids_are_valid_unique_and_cover_the_city() {
    let (_, _, grids, defects) = demo();
    assert!((80..=150).contains(&grids.len()), "{} grids", grids.len());
    let codes: HashSet<&str> = grids.iter().map(|g| g.code.as_str()).collect();
    assert_eq!(codes.len(), grids.len(), "grid codes are not unique");
    for g in grids {
        assert!(g.geometry.is_valid(), "{} invalid: {:?}", g.code, g.geometry.validation_errors());
        let d = districts().iter().find(|d| d.name == g.district).expect("district");
        assert!(g.code.starts_with(&format!("{}-", d.adcode)) && g.code.len() == 10, "{}", g.code);
        assert_eq!(g.name, format!("{}第{}网格", g.district, &g.code[7..]));
        // Coordinates are multiples of 1e-6°.
        for p in &g.geometry.0 {
            for c in p.exterior().0.iter().chain(p.interiors().iter().flat_map(|r| r.0.iter())) {
                assert_eq!((round6(c.x), round6(c.y)), (c.x, c.y));
            }
        }
        // Each grid lies in its district (the overlap strips too: they stay in the district), but
        // for slivers a few centimetres wide where a cut line crosses the district boundary (the
        // crossing is rounded to 1e-6°).
        let outside = area_m2(&g.geometry.difference(&d.geometry));
        assert!(outside < 50.0 + 1e-5 * area_m2(&g.geometry), "{} has {outside} m² outside {}", g.code, g.district);
    }
    for d in districts() {
        assert!(grids.iter().any(|g| g.district == d.name), "{} has no grid", d.name);
    }

    // Union covers ≥ 98 % of the districts; what is missing is the three gaps, and what is
    // counted twice is the two overlaps (plus rounding slivers of a few m²).
    let city = unary_union(districts().iter().map(|d| &d.geometry));
    let layer = unary_union(grids.iter().map(|g| &g.geometry));
    let (city_area, layer_area) = (area_m2(&city), area_m2(&layer));
    let covered = area_m2(&city.intersection(&layer));
    assert!(covered / city_area >= 0.98, "covered {:.4}", covered / city_area);
    let gaps: f64 = defects.gaps.iter().map(|g| g.area_m2).sum();
    let overlaps: f64 = defects.overlaps.iter().map(|o| o.area_m2).sum();
    eprintln!("uncovered {:.1} m² (gaps {gaps:.1})", city_area - covered);
    assert!((city_area - covered - gaps).abs() < 5000.0, "uncovered {} vs gaps {gaps}", city_area - covered);
    let sum: f64 = grids.iter().map(|g| area_m2(&g.geometry)).sum();
    eprintln!("counted twice {:.1} m² (overlaps {overlaps:.1})", sum - layer_area);
    assert!((sum - layer_area - overlaps).abs() < 5000.0, "counted twice {} vs overlaps {overlaps}", sum - layer_area);
}

#[test]
fn grid_defects_are_as_documented() {
    let (rows, _, grids, defects) = demo();
    let by_code: HashMap<&str, &Grid> = grids.iter().map(|g| (g.code.as_str(), g)).collect();
    let kinds: Vec<GapKind> = defects.gaps.iter().map(|g| g.kind).collect();
    assert_eq!(kinds, [GapKind::Removed, GapKind::Shrunk, GapKind::Shrunk]);
    assert_eq!(defects.overlaps.len(), 2);

    let removed = &defects.gaps[0];
    assert!(!by_code.contains_key(removed.code.as_str()));
    assert!(URBAN_DISTRICTS
        .iter()
        .any(|d| removed.code.starts_with(&districts().iter().find(|x| x.name == *d).unwrap().adcode)));
    // The strips are at most a square side (4 km) long and at least 2 km (the shared edge).
    let strip_area = |w: f64, a: f64| (w * 2000.0 * 0.99..=w * 4000.0 * 1.01).contains(&a);
    for gap in &defects.gaps[1..] {
        let g = by_code[gap.code.as_str()];
        let n = by_code[gap.neighbour.as_deref().unwrap()];
        assert!(strip_area(gap.width_m, gap.area_m2), "{} m wide, {} m²", gap.width_m, gap.area_m2);
        assert!(area_m2(&g.geometry.intersection(&gap.geometry)) < 1.0);
        assert!(area_m2(&n.geometry.intersection(&gap.geometry)) < 1.0);
        // The strip lies in the district.
        let d = districts().iter().find(|d| d.name == g.district).unwrap();
        assert!(area_m2(&gap.geometry.difference(&d.geometry)) < 1.0);
    }
    for o in &defects.overlaps {
        let (a, b) = (by_code[o.code.as_str()], by_code[o.neighbour.as_str()]);
        let both = area_m2(&a.geometry.intersection(&b.geometry));
        assert!((both - o.area_m2).abs() < 1.0 && strip_area(o.width_m, both), "{} m wide, {both} m²", o.width_m);
        assert_eq!(a.geometry.0.len(), 1);
    }
    // Gaps hold sites, and those sites are in no grid.
    let gap_sites: Vec<&str> = defects.gaps.iter().flat_map(|g| g.sites.iter().map(String::as_str)).collect();
    assert!(gap_sites.len() >= 4, "{gap_sites:?}");
    assert!(defects.gaps.iter().all(|g| !g.sites.is_empty()));
    for s in valid_sites(rows).iter().filter(|s| gap_sites.contains(&s.id)) {
        let p = Point::new(s.lon, s.lat);
        assert!(grids.iter().all(|g| !g.geometry.contains(&p)), "{} is in a grid", s.id);
    }

    // Exactly 4 empty 负责人, at least one in an urban grid with red/orange sites.
    let empty: Vec<&str> = grids.iter().filter(|g| g.person.is_empty()).map(|g| g.code.as_str()).collect();
    assert_eq!(empty.len(), 4);
    assert_eq!(empty, defects.empty_person);
    assert!(!defects.empty_person_with_red_orange.is_empty());
    assert!(grids.iter().all(|g| g.person.is_empty() == g.phone.is_empty()));
    for g in grids.iter().filter(|g| !g.phone.is_empty()) {
        let b = g.phone.as_bytes();
        assert!(b.len() == 11 && &b[3..7] == b"****" && b[..3].iter().chain(&b[7..]).all(u8::is_ascii_digit));
    }
    let persons: HashSet<&str> = grids.iter().filter(|g| !g.person.is_empty()).map(|g| g.person.as_str()).collect();
    assert_eq!(persons.len(), grids.len() - 4);
}

#[test]
fn grids_are_deterministic() {
    let (rows, _, grids, _) = demo();
    let again = urumqi_grids(round2_seed(DEMO_SEED), rows).0;
    assert_eq!(grids_bytes(grids), grids_bytes(&again));
}

#[test]
fn committed_demo_files_are_up_to_date() {
    let (rows, _, grids, _) = demo();
    for (file, made) in [("census_2025.csv", census_bytes(rows)), ("grids.geojson", grids_bytes(grids))] {
        let committed = std::fs::read(manifest_path("geodata/urumqi").join(file)).unwrap_or_default();
        assert!(committed == made, "geodata/urumqi/{file} is stale: run `cargo run --release --example gen_demo`");
    }
}

/// sisetu reads the committed layer as a management grid: unique ids, valid zones, and the
/// sites of the gaps located in no grid.
#[test]
fn sisetu_reads_the_committed_grids() {
    let spec = ZoneLayerSpec {
        path: manifest_path("geodata/urumqi/grids.geojson"),
        display: "grids.geojson".into(),
        id: Some("网格编码".into()),
        name: Some("网格名称".into()),
        extra: vec![("person".into(), "负责人".into())],
        encoding: TextEncoding::Auto,
    };
    let zones = read_zones(&spec).expect("grids.geojson");
    let (rows, _, grids, defects) = demo();
    assert_eq!(zones.len(), grids.len());
    assert!(validate_zones(&zones).is_empty(), "{:?}", validate_zones(&zones));
    let index = ZoneIndex::new(&zones);
    let gap_sites: HashSet<&str> = defects.gaps.iter().flat_map(|g| g.sites.iter().map(String::as_str)).collect();
    for s in valid_sites(rows) {
        let located = index.locate(s.lon, s.lat);
        assert_eq!(located.is_none(), gap_sites.contains(s.id), "site {} ({}, {})", s.id, s.lon, s.lat);
    }
}
