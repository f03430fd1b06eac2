use super::*;
use geo::Polygon;
use sisetu_core::idkey::id_key;
use sisetu_core::RiskLevel::{Blue, Orange, Red, Yellow};

fn site(id: &str, name: &str, level: RiskLevel, district: &str, lon: f64, lat: f64, line: u64) -> RoundSite {
    RoundSite {
        id: id.into(),
        name: name.into(),
        level,
        district: district.into(),
        grid: String::new(),
        duplicate_id: false,
        lon,
        lat,
        source: String::new(),
        line,
    }
}

fn area(id: &str, level: Option<RiskLevel>, counts: [u64; 4]) -> RoundArea {
    RoundArea { id: id.into(), name: format!("{id}区"), level, counts, geometry: square(0.0), cell: None }
}

fn square(dx: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![(dx, 0.0), (dx + 1.0, 0.0), (dx + 1.0, 1.0), (dx, 1.0), (dx, 0.0)]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

/// The rows of a comparison as (id, change) pairs.
fn changes(rows: &[Change]) -> Vec<(String, String)> {
    rows.iter().map(|r| (r.id.clone(), r.change())).collect()
}

#[test]
fn names_fold_full_width_ascii_and_whitespace() {
    assert_eq!(normalize_name("（乌鲁木齐）甲化工 有限公司"), "(乌鲁木齐)甲化工有限公司");
    assert_eq!(normalize_name("ＡＢＣ１２３\u{3000}公司"), "ABC123公司");
    assert_eq!(normalize_name(" 甲\t乙\u{200B}丙\u{FEFF} "), "甲乙丙");
    assert_eq!(normalize_name("～！"), "~!");
    // Only compatibility forms are folded: case and other punctuation stay.
    assert_ne!(normalize_name("abc"), normalize_name("ABC"));
    assert_ne!(normalize_name("【甲】"), normalize_name("[甲]"));
    assert_eq!(normalize_name(""), "");
}

#[test]
fn ids_match_case_and_width_insensitively() {
    assert_eq!(id_key("91650100ma77ｘｙ0１2B"), "91650100MA77XY012B");
    assert_eq!(id_key(" 9165 0100 "), "91650100");
    assert_eq!(id_key(""), "");
}

#[test]
fn level_changes_rank_no_sites_below_blue() {
    assert_eq!(level_change(Some(Orange), Some(Red)), Some(Kind::Raised));
    assert_eq!(level_change(Some(Red), Some(Blue)), Some(Kind::Lowered));
    assert_eq!(level_change(None, Some(Blue)), Some(Kind::Raised));
    assert_eq!(level_change(Some(Red), None), Some(Kind::Lowered));
    assert_eq!(level_change(Some(Yellow), Some(Yellow)), None);
    assert_eq!(level_change(None, None), None);
}

#[test]
fn site_kinds() {
    // 0.001° of latitude is about 111 m; 0.0005° about 56 m.
    let old = vec![
        site("A", "甲厂", Orange, "D1", 87.0, 43.0, 2),
        site("B", "乙厂", Red, "D1", 87.0, 43.0, 3),
        site("C", "丙厂", Blue, "D1", 87.0, 43.0, 4),
        site("E", "戊厂", Yellow, "D1", 87.0, 43.0, 5),
        site("F", "（新疆）己厂", Yellow, "D1", 87.0, 43.0, 6),
        site("G", "庚厂", Blue, "D1", 87.0, 43.0, 7),
        site("R", "辛厂", Red, "D2", 87.0, 43.0, 8),
        site("", "无码厂", Blue, "D2", 87.0, 43.0, 9),
    ];
    let new = vec![
        site("A", "甲厂", Red, "D1", 87.0, 43.002, 2),     // raised + moved ~222 m
        site("B", "乙厂", Yellow, "D2", 87.0, 43.0005, 3), // lowered + district, not moved
        site("C", "另一家公司", Red, "D2", 87.5, 43.5, 4), // id reused: not compared
        site("e", "戊厂", Yellow, "D1", 87.0, 43.0, 5),    // lower-case id, unchanged
        site("F", "(新疆)己厂 ", Yellow, "D1", 87.0, 43.0, 6), // cosmetic rename
        site("N", "新厂", Orange, "D2", 87.1, 43.1, 7),    // new
        site("G", "", Blue, "D1", 87.0, 43.0, 9),          // no name: same enterprise
    ];
    let (rows, c) = compare_sites(&old, &new, &DiffOptions::default(), false);
    // The row without an id sorts first (its key is empty).
    assert_eq!(
        changes(&rows),
        [
            ("", "unmatched"),
            ("A", "raised;moved"),
            ("B", "lowered;district_changed"),
            ("C", "id_reused"),
            ("N", "new"),
            ("R", "removed"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec()
    );
    assert_eq!(
        c,
        SiteCounts {
            total_old: 8,
            total_new: 7,
            matched: 6,
            unchanged: 3,
            new: 1,
            removed: 1,
            raised: 1,
            lowered: 1,
            moved: 1,
            district_changed: 1,
            grid_changed: None,
            id_reused: 1,
            matched_by_name: 0,
            unmatched: 1,
        }
    );
    let a = rows.iter().find(|r| r.id == "A").unwrap();
    let d = a.moved_m.unwrap();
    assert!((d - 222.2).abs() < 1.0, "{d}");
    let reused = rows.iter().find(|r| r.id == "C").unwrap();
    assert_eq!((reused.name.as_str(), reused.name_old.as_str()), ("另一家公司", "丙厂"));
    assert_eq!((reused.level_old, reused.level_new), (Some(Blue), Some(Red)));
    let removed = rows.iter().find(|r| r.id == "R").unwrap();
    assert_eq!((removed.level_old, removed.level_new), (Some(Red), None));
    assert_eq!(removed.district, ["D2", ""]);
    let lone = &rows[0];
    assert!(lone.note.contains("no id in the old round") && lone.note.contains("line 9"), "{}", lone.note);

    // A lower threshold also counts B (about 56 m) as moved.
    let (_, c) = compare_sites(&old, &new, &DiffOptions { move_threshold_m: 50.0, ..Default::default() }, false);
    assert_eq!(c.moved, 2);
}

#[test]
fn duplicate_ids_in_either_round_are_unmatched() {
    let old = vec![site("D", "丑厂", Blue, "D1", 87.0, 43.0, 2), site("K", "卯厂", Blue, "D1", 87.0, 43.0, 3)];
    let mut new = vec![
        site("D", "丑厂", Blue, "D1", 87.0, 43.0, 2),
        site("d", "寅厂", Red, "D1", 87.0, 43.0, 3),
        site("K", "卯厂", Blue, "D1", 87.0, 43.0, 4),
    ];
    // The build's flag counts too, even when this round has the id only once.
    let mut flagged = old.clone();
    flagged[1].duplicate_id = true;
    let (rows, c) = compare_sites(&flagged, &new, &DiffOptions::default(), false);
    assert_eq!(c.unmatched, 5);
    assert_eq!((c.new, c.removed, c.matched), (0, 0, 0));
    assert!(rows.iter().all(|r| r.change() == "unmatched"));
    assert!(rows[0].note.contains("id used by 1 rows in the old round and 2 in the new round"), "{}", rows[0].note);
    // Sorted by id, old before new, then by line.
    let order: Vec<(Option<RiskLevel>, u64)> =
        rows.iter().map(|r| (r.level_old, if r.level_old.is_some() { 0 } else { 1 })).collect();
    assert_eq!(order[0], (Some(Blue), 0));
    assert_eq!(order[1].1, 1);

    new[1].id = "D2".into();
    let (_, c) = compare_sites(&old, &new, &DiffOptions::default(), false);
    assert_eq!((c.unmatched, c.unchanged, c.new), (0, 2, 1));
}

#[test]
fn grid_changes_only_when_compared() {
    let mut o = site("A", "甲", Red, "D1", 87.0, 43.0, 2);
    let mut n = o.clone();
    o.grid = "G1".into();
    n.grid = "G2".into();
    let (rows, c) = compare_sites(std::slice::from_ref(&o), std::slice::from_ref(&n), &DiffOptions::default(), true);
    assert_eq!(changes(&rows), vec![("A".to_string(), "grid_changed".to_string())]);
    assert_eq!(rows[0].grid, ["G1", "G2"]);
    assert_eq!(c.grid_changed, Some(1));
    let (o, n) = ([o], [n]);
    let (rows, c) = compare_sites(&o, &n, &DiffOptions::default(), false);
    assert!(rows.is_empty());
    assert_eq!((c.grid_changed, c.unchanged), (None, 1));
}

#[test]
fn area_kinds() {
    let old = vec![
        area("A", Some(Red), [1, 0, 0, 0]),
        area("B", Some(Yellow), [0, 0, 2, 0]),
        area("C", Some(Blue), [0, 0, 0, 1]),
        area("D", Some(Orange), [0, 1, 0, 0]),
        area("E", Some(Orange), [0, 1, 0, 0]),
    ];
    let new = vec![
        area("A", Some(Red), [1, 0, 0, 3]),    // counts changed
        area("B", Some(Orange), [0, 1, 2, 0]), // raised
        area("C", None, [0; 4]),               // lowered to no sites
        area("D", Some(Orange), [0, 1, 0, 0]), // unchanged
        area("F", Some(Blue), [0, 0, 0, 1]),   // raised from nothing (only in new)
    ];
    let (rows, c) = compare_areas(Scope::Grid, &old, &new);
    assert_eq!(
        changes(&rows),
        [("A", "counts_changed"), ("B", "raised"), ("C", "lowered"), ("E", "lowered"), ("F", "raised")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec()
    );
    assert_eq!(c, AreaCounts { total_old: 5, total_new: 5, raised: 2, lowered: 2, counts_changed: 1, unchanged: 1 });
    let e = rows.iter().find(|r| r.id == "E").unwrap();
    assert_eq!(e.counts, Some([[0, 1, 0, 0], [0; 4]]));
    assert_eq!((e.level_old, e.level_new), (Some(Orange), None));
}

#[test]
fn cells_sort_north_first_then_west() {
    let cell = |col, row, level| RoundArea {
        id: format!("500m_{col}_{row}"),
        name: String::new(),
        level: Some(level),
        counts: [0, 0, 0, 1],
        geometry: MultiPolygon(vec![]),
        cell: Some(CellId { col, row }),
    };
    let old = vec![cell(2, 1, Blue), cell(10, 1, Blue), cell(1, 5, Blue)];
    let new = vec![cell(2, 1, Red), cell(10, 1, Red), cell(1, 5, Red)];
    let (rows, _) = compare_areas(Scope::Cell, &old, &new);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["500m_1_5", "500m_2_1", "500m_10_1"]);
}

#[test]
fn district_layers_must_match() {
    let a = vec![area("1", None, [0; 4]), RoundArea { geometry: square(1.0), ..area("2", None, [0; 4]) }];
    assert_eq!(same_districts(&a, &a), Ok(()));
    // Other order, and coordinates within the tolerance: the same layer.
    let mut b: Vec<RoundArea> = a.iter().rev().cloned().collect();
    b[0].geometry.0[0].exterior_mut(|r| r.0[1].x += 5e-7);
    assert_eq!(same_districts(&a, &b), Ok(()));
    // A moved boundary.
    b[0].geometry.0[0].exterior_mut(|r| r.0[1].x += 1e-4);
    let err = same_districts(&a, &b).unwrap_err();
    assert!(err.contains("district 2") && err.contains("different boundary"), "{err}");
    // Missing and extra districts.
    let err = same_districts(&a, &a[..1]).unwrap_err();
    assert!(err.contains("district 2") && err.contains("only in the old round"), "{err}");
    let err = same_districts(&a[..1], &a).unwrap_err();
    assert!(err.contains("only in the new round"), "{err}");
}

#[test]
fn id_keys_borrow_only_when_already_keys() {
    for id in ["91650100MA77XY012B", "91650100ma77xy012b", "9165 0100", "ＡＢ１", "", "A-B_C"] {
        let cow = id_key_cow(id);
        assert_eq!(cow, id_key(id), "{id}");
        assert_eq!(matches!(cow, Cow::Borrowed(_)), id_key(id) == id, "{id}");
    }
}

#[test]
fn rings_rotated_or_reversed_are_the_same_boundary() {
    let a = square(1.0);
    let ring = a.0[0].exterior().0.clone(); // closed: first == last
    let open = &ring[..ring.len() - 1];
    let n = open.len();
    for k in 0..n {
        let mut rotated: Vec<_> = (0..n).map(|i| open[(k + i) % n]).collect();
        rotated.push(rotated[0]);
        let b = MultiPolygon(vec![Polygon::new(LineString(rotated.clone()), vec![])]);
        assert!(same_geometry(&a, &b), "rotated by {k}");
        let reversed: Vec<_> = rotated.iter().rev().copied().collect();
        let b = MultiPolygon(vec![Polygon::new(LineString(reversed), vec![])]);
        assert!(same_geometry(&a, &b), "rotated by {k} and reversed");
    }
    // The same vertices in another order are another polygon.
    let mut shuffled = open.to_vec();
    shuffled.swap(0, 1);
    shuffled.push(shuffled[0]);
    assert!(!same_geometry(&a, &MultiPolygon(vec![Polygon::new(LineString(shuffled), vec![])])));
}

#[test]
fn sites_without_ids_are_matched_by_name_and_location() {
    // 甲厂 moved 50 m and was raised: one site. 乙厂 moved 2 km: two sites (too far).
    // 丙厂 twice in the new round: unmatched. 丁厂 has an id in the new round: not by name.
    let old = vec![
        site("", "甲厂", Blue, "D1", 87.0, 43.0, 2),
        site("", "乙厂", Blue, "D1", 87.1, 43.0, 3),
        site("", "丙厂", Blue, "D1", 87.2, 43.0, 4),
        site("", "丁厂", Blue, "D1", 87.3, 43.0, 5),
    ];
    let new = vec![
        site("", "甲 厂", Red, "D1", 87.0, 43.00045, 2),
        site("", "乙厂", Blue, "D1", 87.1, 43.018, 3),
        site("", "丙厂", Blue, "D1", 87.2, 43.0, 4),
        site("", "丙厂", Blue, "D1", 87.2, 43.0, 5),
        site("X1", "丁厂", Blue, "D1", 87.3, 43.0, 6),
    ];
    let (rows, c) = compare_sites(&old, &new, &DiffOptions::default(), false);
    assert_eq!(c.matched_by_name, 1, "{rows:#?}");
    assert_eq!((c.matched, c.raised), (1, 1));
    let jia = rows.iter().find(|r| r.name == "甲 厂").unwrap();
    assert_eq!(jia.change(), "raised");
    assert!(jia.note.contains("matched by name and location"), "{}", jia.note);
    // 乙 ×2, 丙 ×3 and 丁 (old, no id) unmatched; 丁 with its new id is new.
    assert_eq!((c.unmatched, c.new), (6, 1), "{rows:#?}");
    // Wider: 乙厂 (2 km) is matched too, as moved.
    let wide = DiffOptions { name_match_m: 5000.0, ..Default::default() };
    let (_, c) = compare_sites(&old, &new, &wide, false);
    assert_eq!((c.matched_by_name, c.moved), (2, 1));
}
