use super::*;

/// The demo generators' former `distance_m` (synth_rounds.rs and synth_facilities.rs), verbatim.
fn demo_distance_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let dy = (lat2 - lat1) * 110_574.0;
    let dx = (lon2 - lon1) * 111_320.0 * ((lat1 + lat2) / 2.0).to_radians().cos();
    (dx * dx + dy * dy).sqrt()
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn equirectangular_is_bit_identical_to_the_demo_formula() {
    let mut r = Lcg(7);
    for _ in 0..10_000 {
        let (a, b) = ((70.0 + 65.0 * r.next(), 15.0 + 40.0 * r.next()), (87.0 + r.next(), 43.0 + r.next()));
        assert_eq!(equirectangular_m(a, b).to_bits(), demo_distance_m(a.0, a.1, b.0, b.1).to_bits());
    }
}

#[test]
fn equirectangular_is_a_little_short_of_the_geodesic() {
    let mut r = Lcg(11);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for _ in 0..5_000 {
        let a = (73.0 + 62.0 * r.next(), 20.0 + 30.0 * r.next());
        // Up to about 30 km away in any direction.
        let b = (a.0 + (r.next() - 0.5) * 0.6, a.1 + (r.next() - 0.5) * 0.5);
        let ratio = equirectangular_m(a, b) / geodesic_m(a, b);
        lo = lo.min(ratio);
        hi = hi.max(ratio);
    }
    assert!(lo > 0.993 && hi < 1.0, "{lo} … {hi}");
}

#[test]
fn geodesic_known_values() {
    // One degree of latitude at the equator and of longitude along it (WGS 84).
    assert!((geodesic_m((0.0, 0.0), (0.0, 1.0)) - 110_574.389).abs() < 0.01);
    assert!((geodesic_m((0.0, 0.0), (1.0, 0.0)) - 111_319.491).abs() < 0.01);
    // Symmetric, zero for one point, NaN for non-finite input.
    let (a, b) = ((87.6, 43.8), (87.7, 43.9));
    assert_eq!(geodesic_m(a, b), geodesic_m(b, a));
    assert_eq!(geodesic_m(a, a), 0.0);
    assert!(geodesic_m((f64::INFINITY, 0.0), b).is_nan());
    assert!(geodesic_m(a, (0.0, f64::NAN)).is_nan());
}

#[test]
fn equirectangular_propagates_non_finite_input() {
    assert!(equirectangular_m((f64::NAN, 0.0), (0.0, 0.0)).is_nan());
    assert_eq!(equirectangular_m((0.0, 0.0), (f64::INFINITY, 0.0)), f64::INFINITY);
    assert_eq!(equirectangular_m((87.6, 43.8), (87.6, 43.8)), 0.0);
}
