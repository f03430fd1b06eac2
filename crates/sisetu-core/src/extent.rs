//! [`Extent`]: an axis-aligned box (a map's zoom, a detail map's frame), always finite and
//! with min < max on both axes, so that code holding one never checks again.
//!
//! ```
//! use sisetu_core::Extent;
//! let e: Extent = "87.5,43.74,87.72,43.93".parse().unwrap();
//! assert_eq!(e.min_x(), 87.5);
//! assert!("87.7,43.74,87.5,43.93".parse::<Extent>().is_err()); // min > max
//! ```

use std::fmt;
use std::str::FromStr;

/// An axis-aligned box `min_x, min_y, max_x, max_y` (degrees or metres, as its user says).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

/// Why four numbers are not an [`Extent`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtentError {
    /// Not four comma-separated numbers.
    #[error("'{0}' is not four numbers MIN_X,MIN_Y,MAX_X,MAX_Y (e.g. 87.5,43.74,87.72,43.93)")]
    Syntax(String),
    /// A value is NaN or infinite.
    #[error("the extent has a value that is not a finite number")]
    NotFinite,
    /// A minimum is not below its maximum.
    #[error("the extent's minimum must be below its maximum on both axes (MIN_X,MIN_Y,MAX_X,MAX_Y)")]
    Empty,
}

impl Extent {
    /// The box, when all four values are finite and `min < max` on both axes.
    pub fn new(min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Result<Extent, ExtentError> {
        if ![min_x, min_y, max_x, max_y].iter().all(|v| v.is_finite()) {
            return Err(ExtentError::NotFinite);
        }
        if !(min_x < max_x && min_y < max_y) {
            return Err(ExtentError::Empty);
        }
        Ok(Extent { min_x, min_y, max_x, max_y })
    }

    /// From `[min_x, min_y, max_x, max_y]`.
    pub fn from_array(v: [f64; 4]) -> Result<Extent, ExtentError> {
        Extent::new(v[0], v[1], v[2], v[3])
    }

    /// `[min_x, min_y, max_x, max_y]`.
    pub fn to_array(self) -> [f64; 4] {
        [self.min_x, self.min_y, self.max_x, self.max_y]
    }

    /// Western (smallest x) edge.
    pub fn min_x(&self) -> f64 {
        self.min_x
    }

    /// Southern (smallest y) edge.
    pub fn min_y(&self) -> f64 {
        self.min_y
    }

    /// Eastern (largest x) edge.
    pub fn max_x(&self) -> f64 {
        self.max_x
    }

    /// Northern (largest y) edge.
    pub fn max_y(&self) -> f64 {
        self.max_y
    }

    /// As a `geo` rectangle.
    pub fn to_rect(self) -> geo::Rect<f64> {
        geo::Rect::new(geo::coord! { x: self.min_x, y: self.min_y }, geo::coord! { x: self.max_x, y: self.max_y })
    }

    /// Whether `(x, y)` lies in the box (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.min_x..=self.max_x).contains(&x) && (self.min_y..=self.max_y).contains(&y)
    }
}

impl FromStr for Extent {
    type Err = ExtentError;

    fn from_str(s: &str) -> Result<Extent, ExtentError> {
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| ExtentError::Syntax(s.to_string()))?;
        match v.as_slice() {
            [a, b, c, d] => Extent::new(*a, *b, *c, *d),
            _ => Err(ExtentError::Syntax(s.to_string())),
        }
    }
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{},{}", self.min_x, self.min_y, self.max_x, self.max_y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_nan_reversed_and_short() {
        assert_eq!(Extent::new(f64::NAN, 0.0, 1.0, 1.0), Err(ExtentError::NotFinite));
        assert_eq!(Extent::new(1.0, 0.0, 1.0, 1.0), Err(ExtentError::Empty));
        assert!(matches!("1,2,3".parse::<Extent>(), Err(ExtentError::Syntax(_))));
        assert!(matches!("a,2,3,4".parse::<Extent>(), Err(ExtentError::Syntax(_))));
        let e: Extent = " 87.5, 43.74 ,87.72,43.93".parse().unwrap();
        assert_eq!(e.to_array(), [87.5, 43.74, 87.72, 43.93]);
        assert!(e.contains(87.5, 43.93) && !e.contains(87.4, 43.8));
    }
}
