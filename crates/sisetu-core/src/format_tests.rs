use super::*;

/// The three functions this module replaces, verbatim: `register.rs::group` (engine),
/// `furniture.rs::group` (render; the same code with other names) and `maps/coverage.rs::grouped`
/// (engine).
fn engine_group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn engine_grouped(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[test]
fn thousands_groups_from_the_right() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(7), "7");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(12_345), "12,345");
    assert_eq!(thousands(123_456), "123,456");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
}

#[test]
fn thousands_equals_the_replaced_functions() {
    let mut n = 1u64;
    let mut values = vec![0, u64::MAX, u64::MAX - 1, i64::MAX as u64];
    // Powers of ten and what wraps around after them: digits in every position.
    for _ in 0..64 {
        values.extend([n - 1, n, n.wrapping_add(1), n.wrapping_mul(3) / 2]);
        n = n.wrapping_mul(10).max(1);
    }
    for p in 0..20u32 {
        let t = 10u64.pow(p);
        values.extend([t - 1, t, t + 1]);
    }
    for v in values {
        assert_eq!(thousands(v), engine_group(v), "{v}");
    }
}

#[test]
fn thousands_rounded_equals_the_replaced_function() {
    let mut values = vec![
        0.0,
        -0.0,
        0.4,
        0.5,
        -0.4,
        -0.5,
        -0.6,
        999.5,
        -999.5,
        1234.4999,
        4_054_369.0,
        -1_000_000.0,
        1e15 + 0.5,
        9.2e18,
        1e19,
        -1e19,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::EPSILON,
    ];
    let mut x = 0.37;
    for _ in 0..300 {
        values.extend([x, -x]);
        x *= 1.37;
    }
    for v in values {
        assert_eq!(thousands_rounded(v), engine_grouped(v), "{v}");
    }
    assert_eq!(thousands_rounded(-0.3), "0");
    assert_eq!(thousands_rounded(f64::NAN), "0");
    assert_eq!(thousands_rounded(-1234.5), "-1,235");
    assert_eq!(thousands_rounded(1e30), "9,223,372,036,854,775,807");
    assert_eq!(thousands_rounded(-1e30), "-9,223,372,036,854,775,808");
}
