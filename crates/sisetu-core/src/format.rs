//! Numbers as people read them in tables, reports and map legends.
//!
//! * [`thousands`] writes a count in decimal with a comma between groups of three digits,
//!   counted from the right: `0` → `0`, `999` → `999`, `1000` → `1,000`,
//!   `4054369` → `4,054,369`. No sign, no spaces, no locale: the same text on every machine.
//! * [`thousands_rounded`] rounds a real number to the nearest integer first (halves away
//!   from zero, as [`f64::round`]), then writes it the same way, with a leading `-` when the
//!   rounded value is negative. A value that rounds to zero is `0` (never `-0`); values beyond
//!   the `i64` range are clamped to it and NaN is `0` (Rust's saturating `as i64`).
//!
//! ```
//! use sisetu_core::format::{thousands, thousands_rounded};
//! assert_eq!(thousands(1_234_567), "1,234,567");
//! assert_eq!(thousands(999), "999");
//! assert_eq!(thousands_rounded(4_054_368.5), "4,054,369");
//! assert_eq!(thousands_rounded(-1234.4), "-1,234");
//! assert_eq!(thousands_rounded(-0.3), "0");
//! ```
//!
//! # Performance
//! One allocation of the exact length; a few tens of nanoseconds a number.

/// `n` in decimal with a comma between groups of three digits: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + (digits.len() - 1) / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `v` rounded to the nearest integer (halves away from zero), then as [`thousands`], with a
/// leading `-` when negative: `-1234.5` → `-1,235`. NaN is `0`; values beyond `i64` are
/// clamped to its range (see the module docs).
pub fn thousands_rounded(v: f64) -> String {
    let n = v.round() as i64;
    let digits = thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
