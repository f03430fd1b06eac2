//! The order of rows along a Hilbert curve over their extent.
//!
//! The sort holds one `(key, row)` pair of two `u64` per row — 16 bytes a row, 16 MB for a
//! million rows — and none of the rows themselves: the writers then pull the rows in that
//! order. (A census too large for that index in memory would need a sort that spills to
//! disk; at 16 bytes a row that is beyond a billion rows.)

use super::{ColumnarError, Rows};
use rayon::prelude::*;

/// The index on the Hilbert curve of order 32 (a 2³² × 2³² grid) of the cell (`x`, `y`).
pub(crate) fn hilbert_index(x: u32, y: u32) -> u64 {
    const N_MINUS_1: u64 = u32::MAX as u64;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut d: u64 = 0;
    let mut s: u64 = 1 << 31;
    while s > 0 {
        let rx = u64::from(x & s != 0);
        let ry = u64::from(y & s != 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N_MINUS_1 - x;
                y = N_MINUS_1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    d
}

/// `v` in `[min, max]` scaled to `0..=u32::MAX` (0 when the range is empty).
fn scale(v: f64, min: f64, max: f64) -> u32 {
    let span = max - min;
    if span <= 0.0 {
        return 0;
    }
    // `as` saturates: a value outside [min, max] lands on the edge.
    (((v - min) / span) * f64::from(u32::MAX)).round() as u32
}

/// The rows of `rows` in Hilbert order of their [`Rows::position`] over the extent of all
/// positions; rows with the same key keep their input order. A position that is not finite
/// is an error naming the row (`path` names the file).
///
/// Memory: 16 bytes a row (the `(key, row)` pairs), nothing else. The result is the same
/// for any number of threads: the pairs are sorted as a whole, the row breaking ties.
pub fn hilbert_order(rows: &dyn Rows, path: &str) -> Result<Vec<u64>, ColumnarError> {
    hilbert_order_in(rows, 0..rows.len(), None, path)
}

/// The rows `range` of `rows` in Hilbert order over `extent` (`[xmin, ymin, xmax, ymax]`;
/// positions outside it count as on its edge), or over the extent of the range's positions
/// when `None`. Ties keep their input order; a position that is not finite is an error.
pub fn hilbert_order_in(
    rows: &dyn Rows,
    range: std::ops::Range<usize>,
    extent: Option<[f64; 4]>,
    path: &str,
) -> Result<Vec<u64>, ColumnarError> {
    let of_rows = range
        .clone()
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let (x, y) = rows.position(i);
            if x.is_finite() && y.is_finite() {
                Ok([x, y, x, y])
            } else {
                Err(i)
            }
        })
        .try_reduce(
            || [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
            |a, b| Ok([a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]),
        )
        .map_err(|row| ColumnarError::Row {
            path: path.to_string(),
            row,
            msg: format!("position {:?} is not finite", rows.position(row)),
        })?;
    let extent = extent.unwrap_or(of_rows);
    let mut keyed: Vec<(u64, u64)> = range
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let (x, y) = rows.position(i);
            let key = hilbert_index(scale(x, extent[0], extent[2]), scale(y, extent[1], extent[3]));
            (key, i as u64)
        })
        .collect();
    keyed.par_sort_unstable();
    Ok(keyed.into_iter().map(|(_, i)| i).collect())
}
