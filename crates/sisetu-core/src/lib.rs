//! sisetu-core: the I/O-free heart of sisetu (四色图).
//!
//! * [`level`]: the four risk levels, red/orange/yellow/blue.
//! * [`format`](mod@format): numbers with thousands separators, as tables, reports and legends print them.
//! * [`distance`]: geodesic and equirectangular distances between longitude/latitude points.
//! * [`grade`]: grade schemes, census labels → levels (ambiguous letters are never guessed).
//! * [`zone`]: zones, their positions in a layer ([`ZoneIdx`]) and the indexed, exact,
//!   deterministic point-in-polygon assignment.
//! * [`grid`]: the regular grid anchored at the CRS origin.
//! * [`summary`]: counts per level and category, and the area level rules.
//! * [`surface`]: zones cut into grid-cell pieces; population spread without rounding loss.
//! * [`proximity`]: exact distances between points, lines and areas, and the index of the
//!   pairs within a distance (facility reach, separation rules).
//! * [`corridor`]: the stretches of a line within a distance of other shapes (pipelines'
//!   high-consequence segments).
//! * [`coverage`]: facility service radii, coverage and nearest-first capacity assignment.
//! * [`siting`]: greedy maximal covering for new facility sites.
//! * [`gridcheck`]: management-grid (网格化) coverage share, gaps, overlaps and spill-over.

pub mod corridor;
pub mod coverage;
pub mod distance;
pub mod extent;
pub mod format;
pub mod grade;
pub mod grid;
pub mod gridcheck;
pub mod idkey;
pub mod level;
pub mod proximity;
pub mod siting;
pub mod summary;
pub mod surface;
pub mod zone;

#[cfg(test)]
mod test_data;

pub use extent::{Extent, ExtentError};
pub use grade::{GradeError, GradeScheme, MappingError};
pub use grid::{CellId, RegularGrid};
pub use level::{ParseLevelError, RiskLevel};
pub use summary::{Aggregation, AggregationError, LevelCounts, ScoreRule, Summary};
pub use zone::{Position, Zone, ZoneIdx, ZoneIndex};
