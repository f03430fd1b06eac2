use super::check::{check, compliance};
use super::layers::{Feature, FeatureKey, Geometry84};
use crate::project::rules::{Required, RuleConfig, RuleKind, RuleLayer};
use sisetu_core::proximity::Shape;
use sisetu_core::ZoneIdx;

fn point(k: FeatureKey, x: f64, y: f64, district: Option<u32>, required_m: Option<f64>) -> Feature {
    Feature {
        id: format!("{k:?}"),
        name: String::new(),
        line: 2,
        shape: Shape::Point(x, y),
        wgs84: Geometry84::Point(0.0, 0.0),
        district: district.map(ZoneIdx::new),
        required_m,
        key: k,
    }
}

fn rule(kind: RuleKind, required: Required) -> RuleConfig {
    RuleConfig { name: "r".into(), kind, required, a: RuleLayer::Layer(0), b: RuleLayer::Layer(1), map: true }
}

#[test]
fn separation_lists_every_pair_closer_than_required() {
    let a = [
        point(FeatureKey::Layer(0, 0), 0.0, 0.0, Some(0), Some(100.0)),
        point(FeatureKey::Layer(0, 1), 1000.0, 0.0, Some(1), Some(500.0)),
        point(FeatureKey::Layer(0, 2), 5000.0, 0.0, None, Some(10.0)),
    ];
    let b = [
        point(FeatureKey::Layer(1, 0), 100.0, 0.0, None, None),
        point(FeatureKey::Layer(1, 1), 1300.0, 0.0, None, None),
        point(FeatureKey::Layer(1, 2), 1000.0, 400.0, None, None),
    ];
    // A constant 150 m: a0–b0 (100 m), a1–b2 (400 m is not < 150), a1–b1 (300 m) no.
    let r = check(&rule(RuleKind::Separation, Required::Metres(150.0)), &a, &b, 2).unwrap();
    let pairs: Vec<(u32, Option<u32>)> = r.violations.iter().map(|v| (v.a, v.b)).collect();
    assert_eq!(pairs, [(0, Some(0))]);
    // Each feature's own distance: a0 100 m (exactly 100 m complies), a1 500 m (b1 300 m,
    // b2 400 m), a2 10 m.
    let r = check(&rule(RuleKind::Separation, Required::Column), &a, &b, 2).unwrap();
    let pairs: Vec<(u32, Option<u32>, Option<f64>)> = r.violations.iter().map(|v| (v.a, v.b, v.distance_m)).collect();
    assert_eq!(pairs, [(1, Some(1), Some(300.0)), (1, Some(2), Some(400.0))]);
    assert_eq!((r.checked, r.violating), (3, 1));
    assert_eq!(r.by_district, [(1, 0), (1, 1)]);
    assert_eq!(r.outside, (1, 0));
    assert!((r.compliance() - 2.0 / 3.0).abs() < 1e-12);
    let seg = r.violations[0].segment.unwrap();
    assert_eq!((seg[0].x, seg[1].x), (1000.0, 1300.0));
}

#[test]
fn within_names_the_nearest_when_nothing_is_in_reach() {
    let a =
        [point(FeatureKey::Layer(0, 0), 0.0, 0.0, None, None), point(FeatureKey::Layer(0, 1), 900.0, 0.0, None, None)];
    let b = [
        point(FeatureKey::Layer(1, 0), 1000.0, 0.0, None, None),
        point(FeatureKey::Layer(1, 1), 5000.0, 0.0, None, None),
    ];
    let r = check(&rule(RuleKind::Within, Required::Metres(100.0)), &a, &b, 0).unwrap();
    assert_eq!(r.violations.len(), 1);
    let v = &r.violations[0];
    assert_eq!((v.a, v.b, v.distance_m, v.required_m), (0, Some(0), Some(1000.0), 100.0));
    // Nothing at all in b: the violation names none.
    let r = check(&rule(RuleKind::Within, Required::Metres(100.0)), &a, &[], 0).unwrap();
    assert!(r.violations.iter().all(|v| v.b.is_none() && v.distance_m.is_none()));
    assert_eq!(r.violating, 2);
}

#[test]
fn a_feature_is_never_compared_with_itself() {
    let sites = [
        point(FeatureKey::Site(0), 0.0, 0.0, None, None),
        point(FeatureKey::Site(1), 30.0, 0.0, None, None),
        point(FeatureKey::Site(2), 1000.0, 0.0, None, None),
    ];
    // Sites of one category (the first two) against every site.
    let r = check(&rule(RuleKind::Separation, Required::Metres(50.0)), &sites[..2], &sites, 0).unwrap();
    let pairs: Vec<(u32, Option<u32>)> = r.violations.iter().map(|v| (v.a, v.b)).collect();
    assert_eq!(pairs, [(0, Some(1)), (1, Some(0))]);
    // "Another site within 50 m": the third has none, and is not its own neighbour.
    let r = check(&rule(RuleKind::Within, Required::Metres(50.0)), &sites, &sites, 0).unwrap();
    let v: Vec<(u32, Option<u32>)> = r.violations.iter().map(|v| (v.a, v.b)).collect();
    assert_eq!(v, [(2, Some(1))]);
}

#[test]
fn compliance_of_nothing_checked_is_full() {
    assert_eq!(compliance(0, 0), 1.0);
    assert_eq!(compliance(4, 1), 0.75);
}
