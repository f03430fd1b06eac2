//! Rejected input rows and why they were rejected.
//!
//! Every reader sorts each data row into a record (or site) or a [`Reject`]; the reject's
//! [`RejectReason`] says what is wrong with the row. Its [`Display`](fmt::Display) is the
//! text of `rejects.csv`: it names the column and the value where there is one, and most
//! texts say how to fix the row; [`RejectReason::fix`] always does.
//!
//! The variants fall into five groups:
//!
//! * the row as a whole: [`FieldCount`](RejectReason::FieldCount),
//!   [`ValueBeyondHeader`](RejectReason::ValueBeyondHeader),
//!   [`Undecodable`](RejectReason::Undecodable), [`EmptyRow`](RejectReason::EmptyRow),
//!   [`Footer`](RejectReason::Footer),
//!   [`UnbalancedQuote`](RejectReason::UnbalancedQuote), [`TooLong`](RejectReason::TooLong);
//! * GeoJSON features: [`NotAFeature`](RejectReason::NotAFeature),
//!   [`FeatureType`](RejectReason::FeatureType), [`Properties`](RejectReason::Properties),
//!   [`NotAPoint`](RejectReason::NotAPoint), [`Geometry`](RejectReason::Geometry);
//! * coordinates: [`MissingCoordinates`](RejectReason::MissingCoordinates) to
//!   [`FarFromWorkingCrs`](RejectReason::FarFromWorkingCrs);
//! * risk grades: [`MissingGrade`](RejectReason::MissingGrade),
//!   [`UnknownGrade`](RejectReason::UnknownGrade), [`UnmappedGrade`](RejectReason::UnmappedGrade);
//! * values of table records (population, facilities, weights), for the analyses that read
//!   [`crate::Table`]s: [`MissingValue`](RejectReason::MissingValue) to
//!   [`Duplicate`](RejectReason::Duplicate). `what` names the value in the singular, in
//!   English ("population", "effective area", "class").
//!
//! Each variant's documentation shows the text it prints, with `{field}` for its fields.
//!
//! What a reject keeps is bounded: the readers store a rejected row's cells with [`clip_raw`]
//! (at most [`MAX_REJECT_TEXT`] characters in all) and the values quoted in a reason with
//! [`clip`] (at most [`MAX_REJECT_TEXT`] characters each), so that a 1 GiB cell costs no more
//! to reject, store and print than a short one.

use crate::crs::{Crs, CrsError, GkZone, GK_SITE_MAX_OFFSET_DEG};
use std::fmt;
use std::sync::Arc;

/// One rejected input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// Line of the file: CSV physical line, workbook sheet row, GeoJSON feature number.
    pub line: u64,
    /// Why the row was rejected.
    pub reason: RejectReason,
    /// The raw values of the row.
    pub raw: Vec<String>,
    /// The worksheet of a workbook row; `None` for other files.
    pub sheet: Option<Arc<str>>,
}

impl Reject {
    /// Where the row is, as `rejects.csv` writes it in its `line` column: the line
    /// (`12`), or for a workbook row the worksheet and its row, `Sheet1!12` (the row
    /// number follows the last `!`).
    pub fn location(&self) -> String {
        location(self.sheet.as_deref(), self.line)
    }
}

/// `line`, or `sheet!line`: see [`Reject::location`].
pub fn location(sheet: Option<&str>, line: u64) -> String {
    match sheet {
        Some(sheet) => format!("{sheet}!{line}"),
        None => line.to_string(),
    }
}

/// The first words of the lines an export puts below its table (totals, signatures, notes):
/// a row that starts with one of them and has no usable coordinates is a
/// [`RejectReason::Footer`].
pub const FOOTER_WORDS: [&str; 12] =
    ["合计", "总计", "小计", "制表", "填表", "填报", "审核", "负责人", "单位负责人", "统计", "备注", "说明"];

/// `Some(first non-blank cell)` when a row whose cells are `cells` starts like a footer line.
pub fn footer_text<'a>(mut cells: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let first = cells.find(|c| !c.trim().is_empty())?.trim();
    FOOTER_WORDS.iter().any(|w| first.starts_with(w)).then_some(first)
}

/// What a row is made of, as named in [`RejectReason::EmptyRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowParts {
    /// "field" (site layers).
    Fields,
    /// "cell" (tables).
    Cells,
}

/// Which of the two coordinate columns are empty, in [`RejectReason::MissingCoordinates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyAxes {
    /// Only x (longitude or easting).
    X,
    /// Only y (latitude or northing).
    Y,
    /// Both.
    Both,
}

/// The conversion that failed, in [`RejectReason::Unconvertible`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// From the layer's CRS to WGS84 longitude/latitude.
    ToWgs84,
    /// Into the working CRS.
    ToWorkingCrs,
}

/// Why a row was rejected. `Display` gives the text of `rejects.csv` (shown below for each
/// variant); [`RejectReason::fix`] says how to fix the row.
#[derive(Debug, Clone, PartialEq)]
pub enum RejectReason {
    // --- the row as a whole ---
    /// `the row has {found} fields but the header has {header}: an unquoted comma in a value?`
    /// (more fields) or `…: the row is cut short` (fewer).
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Columns in the header.
        header: usize,
    },
    /// `the row has a value in column {column} but the header has only {width} columns: a
    /// value outside the table (in a CSV file: an unquoted comma?); remove the extra cell or
    /// quote the value`
    ValueBeyondHeader {
        /// The last non-empty column (1-based).
        column: usize,
        /// Columns in the header.
        width: usize,
    },
    /// `the row has bytes that are neither UTF-8 nor GBK (shown as �); fix the row, or
    /// re-export the file as UTF-8 CSV`
    Undecodable,
    /// `empty row: every field is blank` ([`RowParts::Fields`]) or `empty row: every cell is
    /// blank` ([`RowParts::Cells`]).
    EmptyRow {
        /// How the reader names the row's parts.
        parts: RowParts,
    },
    /// `a total or signature line of the export ('{text}'), not a site; nothing to fix (delete
    /// it from the file to silence this)`: a row without usable coordinates nor a grade whose first
    /// non-blank cell starts with 合计, 总计, 小计, 制表, 填表, 填报, 审核, 负责人, 单位负责人,
    /// 统计, 备注 or 说明 ([`FOOTER_WORDS`]).
    Footer {
        /// The row's first non-blank cell, clipped.
        text: String,
    },
    /// `unbalanced quote in field {field}: the quote that opens it does not close on its line;
    /// remove the quote or close it (quote the whole value: "…")`, or, when it closed
    /// `{lines}` lines later but the record then did not have the header's number of fields:
    /// `unbalanced quote in field {field}: the quote that opens it closes only {lines} line(s)
    /// later, which leaves a row of {found} fields for a header of {header}; remove the quote
    /// or close it`. Only the line with the opening quote is rejected; reading goes on at the
    /// next line (see [`crate::source`]'s `delimited` limits).
    UnbalancedQuote {
        /// The field that opens with the quote (1-based).
        field: usize,
        /// When the quote did close on a later line: (lines later, fields found, header fields).
        closed: Option<(u64, usize, usize)>,
    },
    /// `the row is longer than {limit} bytes ({len} bytes): a missing line break or a damaged
    /// export? Split or shorten the row`: a record over the reader's size limit, rejected
    /// without being held in memory.
    TooLong {
        /// The limit in bytes.
        limit: usize,
        /// The length found, in bytes (of the physical line, or as far as it was read).
        len: usize,
    },

    // --- GeoJSON features ---
    /// `feature {feature} is {found}, not a GeoJSON Feature object`
    NotAFeature {
        /// Feature number (1-based).
        feature: u64,
        /// The JSON type found ("an array", "a number", …).
        found: &'static str,
    },
    /// `feature {feature} has type '{kind}'; the features of a FeatureCollection must have
    /// type 'Feature'`
    FeatureType {
        /// Feature number (1-based).
        feature: u64,
        /// The `type` found.
        kind: String,
    },
    /// `feature {feature}: 'properties' must be an object or null, found {found}`
    Properties {
        /// Feature number (1-based).
        feature: u64,
        /// The JSON type found.
        found: &'static str,
    },
    /// `feature {feature} has no geometry; site layers need Point features` (`found: None`)
    /// or `feature {feature} has a {found} geometry; site layers need Point features`.
    NotAPoint {
        /// Feature number (1-based).
        feature: u64,
        /// The geometry type found, `None` for a missing or null geometry.
        found: Option<String>,
    },
    /// `feature {feature}: {problem}`, or `{problem}` without a feature number: a geometry that
    /// is malformed or of the wrong kind ("a polygon with no rings", "empty polygon", …).
    Geometry {
        /// Feature number (1-based), when the message should name it.
        feature: Option<u64>,
        /// What is wrong with the geometry, and how to fix it where that is not obvious.
        problem: String,
    },

    // --- coordinates ---
    /// `missing coordinates: '{x}' is empty`, `… '{y}' is empty` or `… '{x}' and '{y}' are
    /// empty`.
    MissingCoordinates {
        /// The x column.
        x: String,
        /// The y column.
        y: String,
        /// Which of them are empty.
        empty: EmptyAxes,
    },
    /// `'{column}' value '{value}' is not a number`
    CoordinateNotANumber {
        /// The column.
        column: String,
        /// The value as found (trimmed).
        value: String,
    },
    /// `latitude and longitude appear swapped ({x_column}={x}, {y_column}={y}); put the
    /// longitude in '{x_column}' and the latitude in '{y_column}'`
    LatLonSwapped {
        /// The x (longitude) column.
        x_column: String,
        /// The y (latitude) column.
        y_column: String,
        /// The x value.
        x: f64,
        /// The y value.
        y: f64,
    },
    /// `{column}={value} is out of range (longitude must be within -180..180)`
    LongitudeOutOfRange {
        /// The column.
        column: String,
        /// The value.
        value: f64,
    },
    /// `{column}={value} is out of range (latitude must be within -90..90)`
    LatitudeOutOfRange {
        /// The column.
        column: String,
        /// The value.
        value: f64,
    },
    /// `easting and northing appear swapped ({x_column}={x}, {y_column}={y}); put the easting
    /// in '{x_column}'`
    EastingNorthingSwapped {
        /// The x (easting) column.
        x_column: String,
        /// The y (northing) column.
        y_column: String,
        /// The x value.
        x: f64,
        /// The y value.
        y: f64,
    },
    /// `({x_column}={x}, {y_column}={y}) is outside {zone} (easting {min}..{max}, northing
    /// 0..10000000); check the coordinate system of the layer`, with the zone's
    /// [`GkZone::easting_range`].
    OutsideZone {
        /// The x (easting) column.
        x_column: String,
        /// The y (northing) column.
        y_column: String,
        /// The x value.
        x: f64,
        /// The y value.
        y: f64,
        /// The layer's Gauss-Krüger zone.
        zone: GkZone,
    },
    /// `({x_column}={x}, {y_column}={y}) is outside EPSG:3857's range`
    OutsideWebMercator {
        /// The x column.
        x_column: String,
        /// The y column.
        y_column: String,
        /// The x value.
        x: f64,
        /// The y value.
        y: f64,
    },
    /// `coordinates could not be converted to WGS84: {cause}` or `coordinates could not be
    /// projected to the working CRS: {cause}`.
    Unconvertible {
        /// Which conversion failed.
        to: Conversion,
        /// The conversion's error.
        cause: CrsError,
    },
    /// A position the working CRS cannot represent faithfully: farther than
    /// [`GK_SITE_MAX_OFFSET_DEG`] (19°) from the central meridian of its Gauss-Krüger zone (or, for a CRS
    /// of the system PROJ library, one that does not convert back to where it was). For a
    /// geographic layer: `longitude {x_column}={x} is {d}° from the central meridian of the
    /// working CRS ({working}, {cm}°E), farther than the 19° within which sisetu places sites: a
    /// typo, e.g. a misplaced decimal point ({x_column}={suggestion}?)? Fix the value, or
    /// remove the row if the site lies outside the project's area` (the suggestion only when
    /// moving the decimal point gives a longitude within 19°); for a projected layer:
    /// `({x_column}={x}, {y_column}={y}) lies at longitude {lon}, {d}° from the central
    /// meridian of the working CRS …: check the values and the coordinate system of the
    /// layer; remove the row if the site lies outside the project's area`.
    FarFromWorkingCrs {
        /// The x column.
        x_column: String,
        /// The y column.
        y_column: String,
        /// The x value.
        x: f64,
        /// The y value.
        y: f64,
        /// Whether x and y are longitude/latitude degrees.
        geographic: bool,
        /// WGS84 longitude of the position.
        lon: f64,
        /// The working CRS.
        working: Crs,
        /// Its central meridian (degrees east), `None` for a CRS of the system PROJ library.
        central_meridian: Option<f64>,
    },

    // --- risk grades ---
    /// `missing grade: '{column}' is empty`
    MissingGrade {
        /// The grade column.
        column: String,
    },
    /// `unknown grade '{label}' in column '{column}': fix the row, or map the label in the
    /// [grades] table of the project file`
    UnknownGrade {
        /// The label as found.
        label: String,
        /// The grade column.
        column: String,
    },
    /// `grade '{label}' in column '{column}' has no mapping in [grades]` (a letter or number
    /// grade whose meaning differs between provinces; the layer then fails, listing them).
    UnmappedGrade {
        /// The label as found.
        label: String,
        /// The grade column.
        column: String,
    },

    // --- values of table records ---
    /// `missing {what} ({column} is empty)`, followed by `; known {whats}: {known}` when
    /// `known` is not empty.
    MissingValue {
        /// The value, e.g. "population", "class".
        what: &'static str,
        /// The column.
        column: String,
        /// The values the column may hold, if it is a fixed list.
        known: Vec<String>,
    },
    /// `no {what} ({column} is empty): {need}`, or `no {what}: {need}` without a column: a
    /// value that is required here, with why or where to give it.
    NoValue {
        /// The value, e.g. "effective area".
        what: &'static str,
        /// The empty column, if there is one.
        column: Option<String>,
        /// Why the value is needed or how to give it.
        need: &'static str,
    },
    /// `{what} '{value}' is not a number ({column})`
    NotANumber {
        /// The value, e.g. "population".
        what: &'static str,
        /// The column.
        column: String,
        /// The value as found.
        value: String,
    },
    /// `{what} '{value}' is not a number of {unit} ≥ 0`
    NotACount {
        /// The value, e.g. "capacity".
        what: &'static str,
        /// The value as found.
        value: String,
        /// What is counted, e.g. "persons".
        unit: &'static str,
    },
    /// `negative {what} {value}`
    Negative {
        /// The value, e.g. "weight".
        what: &'static str,
        /// The value as found (or as read).
        value: String,
    },
    /// `{what} {value} is not a whole number of {unit}`
    NotWholeNumber {
        /// The value, e.g. "population".
        what: &'static str,
        /// The value as found.
        value: String,
        /// What is counted, e.g. "persons".
        unit: &'static str,
    },
    /// `{what} {value} is not positive ({column})`
    NotPositive {
        /// The value, e.g. "effective area".
        what: &'static str,
        /// The column.
        column: String,
        /// The value as found.
        value: String,
    },
    /// `unknown {what} '{value}' ({column}); known {whats}: {known}`, followed by `; {fix}`
    /// when there is one.
    UnknownValue {
        /// The value, e.g. "class".
        what: &'static str,
        /// The value as found.
        value: String,
        /// The column.
        column: String,
        /// The values the column may hold.
        known: Vec<String>,
        /// How to make the value known, e.g. `add [facilities.classes."临时"] with radius_m
        /// and m2_per_person`.
        fix: Option<String>,
    },
    /// `{what} code {code} matches no {what} in {layer} (ids: {ids}); fix the code or remove
    /// the row`, with `, …` after the ids when `more`.
    UnknownCode {
        /// What the code names, e.g. "district".
        what: &'static str,
        /// The code as found.
        code: String,
        /// The layer searched (as named in messages).
        layer: String,
        /// Some of the layer's ids, to show what codes look like.
        ids: Vec<String>,
        /// The layer has more ids than `ids`.
        more: bool,
    },
    /// `{what} {key} already has {has} on line {first_line}; keep one row per {what}`
    Duplicate {
        /// What the key names, e.g. "district".
        what: &'static str,
        /// The key, e.g. the district code.
        key: String,
        /// What it already has, e.g. "a population".
        has: &'static str,
        /// The line of the first row for the key.
        first_line: u64,
    },
}

/// Most characters a reject keeps of a row's cells ([`clip_raw`]) and of one value quoted in
/// a reason ([`clip`]).
pub const MAX_REJECT_TEXT: usize = 1000;

/// `s`, or its first [`MAX_REJECT_TEXT`] characters followed by `… (+N bytes)` when it is
/// longer.
pub fn clip(s: &str) -> String {
    clip_to(s, MAX_REJECT_TEXT)
}

/// `s`, or its first `max` characters followed by `… (+N bytes)`.
fn clip_to(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((end, _)) => format!("{}… (+{} bytes)", &s[..end], s.len() - end),
    }
}

/// The cells of a rejected row as a reject keeps them: in order, [`MAX_REJECT_TEXT`]
/// characters in all; the cell that reaches the limit is cut (`… (+N bytes)`) and the cells
/// after it are replaced by one `… (+N more cells)`.
pub fn clip_raw<'a>(cells: impl ExactSizeIterator<Item = &'a str>) -> Vec<String> {
    let total = cells.len();
    let mut budget = MAX_REJECT_TEXT;
    let mut out = Vec::with_capacity(total.min(64));
    for cell in cells {
        if budget == 0 {
            out.push(format!("… (+{} more cells)", total - out.len()));
            break;
        }
        let kept = clip_to(cell, budget);
        budget = budget.saturating_sub(kept.chars().count());
        out.push(kept);
    }
    out
}

/// `word` in the plural (class → classes, category → categories, grade → grades).
fn plural(word: &str) -> String {
    if word.ends_with(['s', 'x']) || word.ends_with("sh") || word.ends_with("ch") {
        format!("{word}es")
    } else if let Some(stem) = word.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'i', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}

/// `value` (a decimal number as printed) with its decimal point moved `shift` places to the
/// right (to the left when negative), printed without superfluous zeros: "12.14" by 1 is
/// "121.4".
fn shift_decimal(value: f64, shift: i32) -> Option<f64> {
    let text = format!("{}", value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits = format!("{int}{frac}");
    let point = i64::try_from(int.len()).ok()? + i64::from(shift);
    let moved = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-point).ok()?))
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= digits.len() {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    let v: f64 = moved.parse().ok()?;
    Some(if value < 0.0 { -v } else { v })
}

/// Degrees of longitude between `lon` and `cm`, across the antimeridian where that is shorter.
#[inline]
pub(crate) fn longitude_offset(lon: f64, cm: f64) -> f64 {
    let d = (lon - cm).abs();
    if d <= 180.0 {
        // Always so for longitudes within ±180 and a central meridian east of 0.
        d
    } else {
        let d = d.rem_euclid(360.0);
        d.min(360.0 - d)
    }
}

impl RejectReason {
    /// How to fix the row, in a few words (the `Display` text says more for most reasons).
    pub fn fix(&self) -> &'static str {
        use RejectReason as R;
        match self {
            R::FieldCount { .. } => "quote values that hold the delimiter, and give every row one value per column",
            R::ValueBeyondHeader { .. } => {
                "remove the cells to the right of the table, or name their column in the header (CSV: quote values that hold the delimiter)"
            }
            R::Undecodable => "fix the row, or re-export the file as UTF-8 CSV",
            R::UnbalancedQuote { .. } => "remove the quote, or close it so that the value is quoted as a whole",
            R::TooLong { .. } => "split or shorten the row, or re-export the file",
            R::EmptyRow { .. } => "remove the row",
            R::Footer { .. } => "nothing to fix: delete the line from the export to silence this",
            R::NotAFeature { .. } | R::FeatureType { .. } | R::Properties { .. } => {
                "make each element of 'features' a GeoJSON Feature object with 'properties' and 'geometry'"
            }
            R::NotAPoint { .. } => "give the feature a Point geometry, or remove it from the site layer",
            R::Geometry { .. } => "fix or remove the feature's geometry",
            R::MissingCoordinates { .. } | R::CoordinateNotANumber { .. } => {
                "give both coordinates as plain decimal numbers"
            }
            R::LatLonSwapped { .. } | R::EastingNorthingSwapped { .. } => "swap the two values (or the two columns)",
            R::LongitudeOutOfRange { .. } | R::LatitudeOutOfRange { .. } => {
                "fix the value; if the layer holds metres, declare its projected CRS"
            }
            R::OutsideZone { .. } | R::OutsideWebMercator { .. } | R::Unconvertible { .. } => {
                "check the values and the coordinate system declared for the layer"
            }
            R::FarFromWorkingCrs { .. } => {
                "fix the value (often a misplaced decimal point), or remove the row if the site lies outside the project's area"
            }
            R::MissingGrade { .. } => "give the row its risk grade",
            R::UnknownGrade { .. } | R::UnmappedGrade { .. } => {
                "fix the grade, or map the label in the [grades] table of the project file"
            }
            R::MissingValue { .. } | R::NoValue { .. } => "fill in the value",
            R::NotANumber { .. } | R::NotACount { .. } | R::Negative { .. } => {
                "give the value as a plain number, zero or more"
            }
            R::NotWholeNumber { .. } => "give the value as a whole number",
            R::NotPositive { .. } => "give the value as a number above zero",
            R::UnknownValue { .. } => "use one of the known values, or add the value to the project file",
            R::UnknownCode { .. } => "fix the code, or remove the row",
            R::Duplicate { .. } => "keep one row per key",
        }
    }

    /// The text of [`RejectReason::FarFromWorkingCrs`] (nothing for other reasons).
    fn fmt_far(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RejectReason::FarFromWorkingCrs { x_column, y_column, x, y, geographic, lon, working, central_meridian } =
            self
        else {
            return Ok(());
        };
        let Some(cm) = central_meridian else {
            return write!(
                f,
                "({x_column}={x}, {y_column}={y}) lies at longitude {lon:.3}, where the working CRS ({working}) \
                 cannot represent it faithfully (projecting it there and back does not return it): check the \
                 values and the coordinate system of the layer; remove the row if the site lies outside the \
                 project's area"
            );
        };
        let d = longitude_offset(*lon, *cm);
        let from = format!(
            "{d:.0}° from the central meridian of the working CRS ({working}, {cm}°E), farther than the \
             {GK_SITE_MAX_OFFSET_DEG}° within which sisetu places sites"
        );
        if *geographic {
            let suggestion = [1, -1, 2, -2]
                .into_iter()
                .filter_map(|k| shift_decimal(*x, k))
                .find(|v| (-180.0..=180.0).contains(v) && longitude_offset(*v, *cm) <= GK_SITE_MAX_OFFSET_DEG)
                .map(|v| format!(", e.g. a misplaced decimal point ({x_column}={v}?)"))
                .unwrap_or_default();
            write!(
                f,
                "longitude {x_column}={x} is {from}: a typo{suggestion}? Fix the value, or remove the row if \
                 the site lies outside the project's area"
            )
        } else {
            write!(
                f,
                "({x_column}={x}, {y_column}={y}) lies at longitude {lon:.3}, {from}: check the values and the \
                 coordinate system of the layer; remove the row if the site lies outside the project's area"
            )
        }
    }

    /// The text of the table-record reasons, `MissingValue` to `Duplicate` (nothing for
    /// other reasons, which `Display` writes itself).
    fn fmt_values(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RejectReason as R;
        match self {
            R::MissingValue { what, column, known } => {
                write!(f, "missing {what} ({column} is empty)")?;
                if !known.is_empty() {
                    write!(f, "; known {}: {}", plural(what), known.join(", "))?;
                }
                Ok(())
            }
            R::NoValue { what, column: Some(c), need } => write!(f, "no {what} ({c} is empty): {need}"),
            R::NoValue { what, column: None, need } => write!(f, "no {what}: {need}"),
            R::NotANumber { what, column, value } => write!(f, "{what} '{value}' is not a number ({column})"),
            R::NotACount { what, value, unit } => write!(f, "{what} '{value}' is not a number of {unit} ≥ 0"),
            R::Negative { what, value } => write!(f, "negative {what} {value}"),
            R::NotWholeNumber { what, value, unit } => write!(f, "{what} {value} is not a whole number of {unit}"),
            R::NotPositive { what, column, value } => write!(f, "{what} {value} is not positive ({column})"),
            R::UnknownValue { what, value, column, known, fix } => {
                write!(f, "unknown {what} '{value}' ({column}); known {}: {}", plural(what), known.join(", "))?;
                match fix {
                    Some(fix) => write!(f, "; {fix}"),
                    None => Ok(()),
                }
            }
            R::UnknownCode { what, code, layer, ids, more } => write!(
                f,
                "{what} code {code} matches no {what} in {layer} (ids: {}{}); fix the code or remove the row",
                ids.join(", "),
                if *more { ", …" } else { "" }
            ),
            R::Duplicate { what, key, has, first_line } => {
                write!(f, "{what} {key} already has {has} on line {first_line}; keep one row per {what}")
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RejectReason as R;
        match self {
            R::FieldCount { found, header } => {
                let why = if found > header { "an unquoted comma in a value?" } else { "the row is cut short" };
                write!(f, "the row has {found} fields but the header has {header}: {why}")
            }
            R::ValueBeyondHeader { column, width } => write!(
                f,
                "the row has a value in column {column} but the header has only {width} columns: a value \
                 outside the table (in a CSV file: an unquoted comma?); remove the extra cell or quote the value"
            ),
            R::Undecodable => f.write_str(
                "the row has bytes that are neither UTF-8 nor GBK (shown as \u{FFFD}); fix the row, or re-export \
                 the file as UTF-8 CSV",
            ),
            R::UnbalancedQuote { field, closed: None } => write!(
                f,
                "unbalanced quote in field {field}: the quote that opens it does not close on its line; remove \
                 the quote or close it (quote the whole value: \"…\")"
            ),
            R::UnbalancedQuote { field, closed: Some((lines, found, header)) } => write!(
                f,
                "unbalanced quote in field {field}: the quote that opens it closes only {lines} line(s) later, \
                 which leaves a row of {found} fields for a header of {header}; remove the quote or close it"
            ),
            R::TooLong { limit, len } => write!(
                f,
                "the row is longer than {limit} bytes ({len} bytes): a missing line break or a damaged export? \
                 Split or shorten the row"
            ),
            R::Footer { text } => write!(
                f,
                "a total or signature line of the export ('{text}'), not a site; nothing to fix (delete it from the \
                 file to silence this)"
            ),
            R::EmptyRow { parts: RowParts::Fields } => f.write_str("empty row: every field is blank"),
            R::EmptyRow { parts: RowParts::Cells } => f.write_str("empty row: every cell is blank"),
            R::NotAFeature { feature, found } => {
                write!(f, "feature {feature} is {found}, not a GeoJSON Feature object")
            }
            R::FeatureType { feature, kind } => write!(
                f,
                "feature {feature} has type '{kind}'; the features of a FeatureCollection must have type 'Feature'"
            ),
            R::Properties { feature, found } => {
                write!(f, "feature {feature}: 'properties' must be an object or null, found {found}")
            }
            R::NotAPoint { feature, found: None } => {
                write!(f, "feature {feature} has no geometry; site layers need Point features")
            }
            R::NotAPoint { feature, found: Some(kind) } => {
                write!(f, "feature {feature} has a {kind} geometry; site layers need Point features")
            }
            R::Geometry { feature: Some(n), problem } => write!(f, "feature {n}: {problem}"),
            R::Geometry { feature: None, problem } => f.write_str(problem),
            R::MissingCoordinates { x, y, empty } => match empty {
                EmptyAxes::X => write!(f, "missing coordinates: '{x}' is empty"),
                EmptyAxes::Y => write!(f, "missing coordinates: '{y}' is empty"),
                EmptyAxes::Both => write!(f, "missing coordinates: '{x}' and '{y}' are empty"),
            },
            R::CoordinateNotANumber { column, value } => write!(f, "'{column}' value '{value}' is not a number"),
            R::LatLonSwapped { x_column: xh, y_column: yh, x, y } => write!(
                f,
                "latitude and longitude appear swapped ({xh}={x}, {yh}={y}); put the longitude in '{xh}' and the \
                 latitude in '{yh}'"
            ),
            R::LongitudeOutOfRange { column, value } => {
                write!(f, "{column}={value} is out of range (longitude must be within -180..180)")
            }
            R::LatitudeOutOfRange { column, value } => {
                write!(f, "{column}={value} is out of range (latitude must be within -90..90)")
            }
            R::EastingNorthingSwapped { x_column: xh, y_column: yh, x, y } => {
                write!(f, "easting and northing appear swapped ({xh}={x}, {yh}={y}); put the easting in '{xh}'")
            }
            R::OutsideZone { x_column: xh, y_column: yh, x, y, zone } => {
                let r = zone.easting_range();
                write!(
                    f,
                    "({xh}={x}, {yh}={y}) is outside {zone} (easting {}..{}, northing 0..10000000); check the \
                     coordinate system of the layer",
                    r.start, r.end
                )
            }
            R::OutsideWebMercator { x_column: xh, y_column: yh, x, y } => {
                write!(f, "({xh}={x}, {yh}={y}) is outside EPSG:3857's range")
            }
            R::Unconvertible { to: Conversion::ToWgs84, cause } => {
                write!(f, "coordinates could not be converted to WGS84: {cause}")
            }
            R::Unconvertible { to: Conversion::ToWorkingCrs, cause } => {
                write!(f, "coordinates could not be projected to the working CRS: {cause}")
            }
            R::FarFromWorkingCrs { .. } => self.fmt_far(f),
            R::MissingGrade { column } => write!(f, "missing grade: '{column}' is empty"),
            R::UnknownGrade { label, column } => write!(
                f,
                "unknown grade '{label}' in column '{column}': fix the row, or map the label in the [grades] table \
                 of the project file"
            ),
            R::UnmappedGrade { label, column } => {
                write!(f, "grade '{label}' in column '{column}' has no mapping in [grades]")
            }
            R::MissingValue { .. }
            | R::NoValue { .. }
            | R::NotANumber { .. }
            | R::NotACount { .. }
            | R::Negative { .. }
            | R::NotWholeNumber { .. }
            | R::NotPositive { .. }
            | R::UnknownValue { .. }
            | R::UnknownCode { .. }
            | R::Duplicate { .. } => self.fmt_values(f),
        }
    }
}

#[cfg(test)]
#[path = "reject_tests.rs"]
mod tests;
