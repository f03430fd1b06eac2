//! JTS XML predicate tests (`../shared/geodata/jts_xml`) for every point/polygon case:
//! intersects, disjoint, contains, covers, within, coveredBy, touches, crosses, overlaps,
//! equalsTopo and the DE-9IM `relate` matrix, derived from [`ZoneIndex::position`].
#![allow(
    clippy::unwrap_used,
    reason = "test data from the JTS XML files: a malformed case should fail the test loudly"
)]

use geo::{Geometry, MultiPolygon};
use sisetu_core::{Position, Zone, ZoneIdx, ZoneIndex};
use std::str::FromStr;

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

fn parse(wkt_text: &str) -> Geometry<f64> {
    let w = wkt::Wkt::<f64>::from_str(wkt_text.trim()).unwrap_or_else(|e| panic!("{wkt_text}: {e}"));
    Geometry::try_from(w).unwrap()
}

fn polygons(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

fn points(g: &Geometry<f64>) -> Option<Vec<(f64, f64)>> {
    match g {
        Geometry::Point(p) => Some(vec![(p.x(), p.y())]),
        Geometry::MultiPoint(m) => Some(m.0.iter().map(|p| (p.x(), p.y())).collect()),
        _ => None,
    }
}

/// DE-9IM of a point set (rows) against a polygon (columns).
fn matrix(pos: &[Position]) -> [char; 9] {
    let any = |p: Position| if pos.contains(&p) { '0' } else { 'F' };
    [any(Position::Inside), any(Position::Boundary), any(Position::Outside), 'F', 'F', 'F', '2', '1', '2']
}

fn transpose(m: [char; 9]) -> [char; 9] {
    [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
}

fn matches(m: &[char; 9], pattern: &str) -> bool {
    m.iter().zip(pattern.chars()).all(|(&c, p)| match p {
        '*' => true,
        'T' | 't' => c != 'F',
        'F' | 'f' => c == 'F',
        d => c == d,
    })
}

#[test]
fn jts_point_polygon_predicates() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geodata/jts_xml");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for case in text.split("<case>").skip(1) {
            let desc = between(case, "<desc>", "</desc>").unwrap_or("").trim();
            let (Some(a), Some(b)) = (between(case, "<a>", "</a>"), between(case, "<b>", "</b>")) else { continue };
            let (ga, gb) = (parse(a), parse(b));
            // Orient as (points, polygon); remember whether A is the point side.
            let (pts, poly, a_is_points) = match (points(&ga), polygons(&gb), points(&gb), polygons(&ga)) {
                (Some(p), Some(m), _, _) => (p, m, true),
                (_, _, Some(p), Some(m)) => (p, m, false),
                _ => continue,
            };
            let index = ZoneIndex::new(&[Zone::new("z", "z", poly)]);
            let pos: Vec<Position> = pts.iter().map(|&(x, y)| index.position(ZoneIdx::new(0), x, y)).collect();
            let any = |p: Position| pos.contains(&p);
            let intersects = any(Position::Inside) || any(Position::Boundary);
            let covered = !any(Position::Outside);
            let contained = covered && any(Position::Inside);
            let m = if a_is_points { matrix(&pos) } else { transpose(matrix(&pos)) };
            for op in case.split("<op ").skip(1) {
                let name = between(op, "name=\"", "\"").unwrap();
                let expected = between(op, ">", "</op>").unwrap().trim() == "true";
                let got = match name {
                    "intersects" => intersects,
                    "disjoint" => !intersects,
                    "contains" if !a_is_points => contained,
                    "covers" if !a_is_points => covered,
                    "within" if a_is_points => contained,
                    "coveredBy" if a_is_points => covered,
                    "contains" | "covers" | "within" | "coveredBy" => false, // points cannot contain a polygon
                    "touches" => intersects && !any(Position::Inside),
                    "crosses" => any(Position::Inside) && any(Position::Outside),
                    "overlaps" | "equalsTopo" => false,
                    "relate" => matches(&m, between(op, "arg3=\"", "\"").unwrap()),
                    other => panic!("unhandled op {other} in {desc}"),
                };
                assert_eq!(got, expected, "{}: {desc}: {name} (positions {pos:?})", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "only {checked} predicate checks ran");
    eprintln!("{checked} JTS point/polygon predicate checks agree");
}
