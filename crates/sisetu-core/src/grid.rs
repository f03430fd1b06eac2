//! The regular grid (规则网格) of square cells in the working metric CRS.
//!
//! Cells are anchored at the CRS origin: the cell of a point `(x, y)` is
//! `col = floor(x / size)`, `row = floor(y / size)`. A cell therefore covers the half-open
//! square `[col·size, (col+1)·size) × [row·size, (row+1)·size)`: a point on a cell edge
//! belongs to the cell to its right / above it. Because the anchor is the CRS origin and
//! not the data's extent, the same place gets the same [`CellId`] in every rebuild.
//!
//! ```
//! use sisetu_core::{CellId, RegularGrid};
//! let g = RegularGrid::new(500.0).unwrap();
//! assert_eq!(g.cell_of(1250.0, -1.0), CellId { col: 2, row: -1 });
//! assert_eq!(g.label(CellId { col: 2, row: -1 }), "500m_2_-1");
//! ```

use geo::{coord, Rect};

/// A square grid with cells of `size` metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegularGrid {
    size: f64,
}

/// The column and row of a cell (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellId {
    /// `floor(x / size)`.
    pub col: i64,
    /// `floor(y / size)`.
    pub row: i64,
}

impl RegularGrid {
    /// A grid of `size`-metre cells; `None` unless `size` is finite and positive.
    pub fn new(size: f64) -> Option<Self> {
        (size.is_finite() && size > 0.0).then_some(RegularGrid { size })
    }

    /// Cell edge length in CRS units (metres).
    pub fn size(&self) -> f64 {
        self.size
    }

    /// The cell containing `(x, y)` (half-open, see module docs).
    #[inline]
    pub fn cell_of(&self, x: f64, y: f64) -> CellId {
        CellId { col: (x / self.size).floor() as i64, row: (y / self.size).floor() as i64 }
    }

    /// The square covered by `cell`.
    pub fn bounds(&self, cell: CellId) -> Rect<f64> {
        let (x0, y0) = (cell.col as f64 * self.size, cell.row as f64 * self.size);
        Rect::new(coord! {x: x0, y: y0}, coord! {x: x0 + self.size, y: y0 + self.size})
    }

    /// The centre of `cell`.
    pub fn centre(&self, cell: CellId) -> (f64, f64) {
        ((cell.col as f64 + 0.5) * self.size, (cell.row as f64 + 0.5) * self.size)
    }

    /// The stable text id of a cell: `"{size}m_{col}_{row}"`, e.g. `500m_1012_9712`.
    pub fn label(&self, cell: CellId) -> String {
        let mut s = String::with_capacity(20);
        self.write_label(cell, &mut s);
        s
    }

    /// Writes [`RegularGrid::label`] into `out` (cleared first), without allocating when
    /// `out` has room: the hot path when writing a million sites.
    pub fn write_label(&self, cell: CellId, out: &mut String) {
        use std::fmt::Write;
        out.clear();
        if self.size.fract() == 0.0 && self.size < 1e15 {
            let _ = write!(out, "{}", self.size as i64);
        } else {
            let _ = write!(out, "{}", self.size);
        }
        out.push_str("m_");
        push_int(out, cell.col);
        out.push('_');
        push_int(out, cell.row);
    }
}

fn push_int(out: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

#[cfg(test)]
#[path = "grid_tests.rs"]
mod tests;
