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
use sisetu_i18n::{tr, Lang};
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
    /// How to fix the row, in a few words, in English (the text says more for most reasons).
    pub fn fix(&self) -> String {
        self.fix_text(Lang::En)
    }

    /// How to fix the row, in a few words, in `lang`.
    pub fn fix_text(&self, lang: Lang) -> String {
        use RejectReason as R;
        let key = match self {
            R::FieldCount { .. } => "fix.field_count",
            R::ValueBeyondHeader { .. } => "fix.value_beyond_header",
            R::Undecodable => "fix.undecodable",
            R::UnbalancedQuote { .. } => "fix.unbalanced_quote",
            R::TooLong { .. } => "fix.too_long",
            R::EmptyRow { .. } => "fix.empty_row",
            R::Footer { .. } => "fix.footer",
            R::NotAFeature { .. } | R::FeatureType { .. } | R::Properties { .. } => "fix.feature",
            R::NotAPoint { .. } => "fix.not_a_point",
            R::Geometry { .. } => "fix.geometry",
            R::MissingCoordinates { .. } | R::CoordinateNotANumber { .. } => "fix.coordinates",
            R::LatLonSwapped { .. } | R::EastingNorthingSwapped { .. } => "fix.swapped",
            R::LongitudeOutOfRange { .. } | R::LatitudeOutOfRange { .. } => "fix.out_of_range",
            R::OutsideZone { .. } | R::OutsideWebMercator { .. } | R::Unconvertible { .. } => "fix.crs",
            R::FarFromWorkingCrs { .. } => "fix.far",
            R::MissingGrade { .. } => "fix.missing_grade",
            R::UnknownGrade { .. } | R::UnmappedGrade { .. } => "fix.grade",
            R::MissingValue { .. } | R::NoValue { .. } => "fix.fill_in",
            R::NotANumber { .. } | R::NotACount { .. } | R::Negative { .. } => "fix.number",
            R::NotWholeNumber { .. } => "fix.whole_number",
            R::NotPositive { .. } => "fix.positive",
            R::UnknownValue { .. } => "fix.known_value",
            R::UnknownCode { .. } => "fix.code",
            R::Duplicate { .. } => "fix.duplicate",
        };
        tr!(lang, key)
    }

    /// The text of `rejects.csv` in `lang` (`Display` gives the English one).
    pub fn text(&self, lang: Lang) -> String {
        use RejectReason as R;
        match self {
            R::FieldCount { found, header } => {
                let why = tr!(lang, if found > header { "reject.more_fields" } else { "reject.fewer_fields" });
                tr!(lang, "reject.field_count", found = found, header = header, why = why)
            }
            R::ValueBeyondHeader { column, width } => {
                tr!(lang, "reject.value_beyond_header", column = column, width = width)
            }
            R::Undecodable => tr!(lang, "reject.undecodable"),
            R::UnbalancedQuote { field, closed: None } => tr!(lang, "reject.unbalanced_quote", field = field),
            R::UnbalancedQuote { field, closed: Some((lines, found, header)) } => tr!(
                lang,
                "reject.unbalanced_quote_closed",
                field = field,
                lines = lines,
                found = found,
                header = header
            ),
            R::TooLong { limit, len } => tr!(lang, "reject.too_long", limit = limit, len = len),
            R::Footer { text } => tr!(lang, "reject.footer", text = text),
            R::EmptyRow { parts: RowParts::Fields } => tr!(lang, "reject.empty_fields"),
            R::EmptyRow { parts: RowParts::Cells } => tr!(lang, "reject.empty_cells"),
            R::NotAFeature { feature, found } => {
                tr!(lang, "reject.not_a_feature", feature = feature, found = fragment(lang, found))
            }
            R::FeatureType { feature, kind } => tr!(lang, "reject.feature_type", feature = feature, kind = kind),
            R::Properties { feature, found } => {
                tr!(lang, "reject.properties", feature = feature, found = fragment(lang, found))
            }
            R::NotAPoint { feature, found: None } => tr!(lang, "reject.no_geometry", feature = feature),
            R::NotAPoint { feature, found: Some(kind) } => {
                tr!(lang, "reject.not_a_point", feature = feature, kind = kind)
            }
            R::Geometry { feature: Some(n), problem } => tr!(lang, "reject.geometry", feature = n, problem = problem),
            R::Geometry { feature: None, problem } => problem.clone(),
            R::MissingCoordinates { x, y, empty } => match empty {
                EmptyAxes::X => tr!(lang, "reject.missing_coordinate", column = x),
                EmptyAxes::Y => tr!(lang, "reject.missing_coordinate", column = y),
                EmptyAxes::Both => tr!(lang, "reject.missing_coordinates", x = x, y = y),
            },
            R::CoordinateNotANumber { column, value } => {
                tr!(lang, "reject.coordinate_not_a_number", column = column, value = value)
            }
            R::LatLonSwapped { x_column: xh, y_column: yh, x, y } => {
                tr!(lang, "reject.lat_lon_swapped", xh = xh, yh = yh, x = x, y = y)
            }
            R::LongitudeOutOfRange { column, value } => {
                tr!(lang, "reject.longitude_out_of_range", column = column, value = value)
            }
            R::LatitudeOutOfRange { column, value } => {
                tr!(lang, "reject.latitude_out_of_range", column = column, value = value)
            }
            R::EastingNorthingSwapped { x_column: xh, y_column: yh, x, y } => {
                tr!(lang, "reject.easting_northing_swapped", xh = xh, yh = yh, x = x, y = y)
            }
            R::OutsideZone { x_column: xh, y_column: yh, x, y, zone } => {
                let r = zone.easting_range();
                tr!(
                    lang,
                    "reject.outside_zone",
                    xh = xh,
                    yh = yh,
                    x = x,
                    y = y,
                    zone = zone,
                    min = r.start,
                    max = r.end
                )
            }
            R::OutsideWebMercator { x_column: xh, y_column: yh, x, y } => {
                tr!(lang, "reject.outside_web_mercator", xh = xh, yh = yh, x = x, y = y)
            }
            R::Unconvertible { to: Conversion::ToWgs84, cause } => tr!(lang, "reject.to_wgs84", cause = cause),
            R::Unconvertible { to: Conversion::ToWorkingCrs, cause } => {
                tr!(lang, "reject.to_working_crs", cause = cause)
            }
            R::FarFromWorkingCrs { .. } => self.far_text(lang),
            R::MissingGrade { column } => tr!(lang, "reject.missing_grade", column = column),
            R::UnknownGrade { label, column } => tr!(lang, "reject.unknown_grade", label = label, column = column),
            R::UnmappedGrade { label, column } => tr!(lang, "reject.unmapped_grade", label = label, column = column),
            _ => self.value_text(lang),
        }
    }

    /// The text of [`RejectReason::FarFromWorkingCrs`] (empty for other reasons).
    fn far_text(&self, lang: Lang) -> String {
        let RejectReason::FarFromWorkingCrs { x_column, y_column, x, y, geographic, lon, working, central_meridian } =
            self
        else {
            return String::new();
        };
        let lon3 = format!("{lon:.3}");
        let Some(cm) = central_meridian else {
            return tr!(
                lang,
                "reject.far_no_meridian",
                xh = x_column,
                yh = y_column,
                x = x,
                y = y,
                lon = lon3,
                working = working
            );
        };
        let d = longitude_offset(*lon, *cm);
        let from = tr!(
            lang,
            "reject.far_from",
            d = format!("{d:.0}"),
            working = working,
            cm = cm,
            max = GK_SITE_MAX_OFFSET_DEG
        );
        if *geographic {
            let suggestion = [1, -1, 2, -2]
                .into_iter()
                .filter_map(|k| shift_decimal(*x, k))
                .find(|v| (-180.0..=180.0).contains(v) && longitude_offset(*v, *cm) <= GK_SITE_MAX_OFFSET_DEG)
                .map(|v| tr!(lang, "reject.far_suggestion", xh = x_column, v = v))
                .unwrap_or_default();
            tr!(lang, "reject.far_longitude", xh = x_column, x = x, from = from, suggestion = suggestion)
        } else {
            tr!(lang, "reject.far_point", xh = x_column, yh = y_column, x = x, y = y, lon = lon3, from = from)
        }
    }

    /// The text of the table-record reasons, `MissingValue` to `Duplicate` (empty for other
    /// reasons).
    fn value_text(&self, lang: Lang) -> String {
        use RejectReason as R;
        let whats = |what: &str| if lang == Lang::En { plural(what) } else { fragment(lang, what) };
        match self {
            R::MissingValue { what, column, known } => {
                let mut t = tr!(lang, "reject.missing_value", what = fragment(lang, what), column = column);
                if !known.is_empty() {
                    t.push_str(&tr!(lang, "reject.known", whats = whats(what), list = known.join(", ")));
                }
                t
            }
            R::NoValue { what, column: Some(c), need } => {
                tr!(
                    lang,
                    "reject.no_value_column",
                    what = fragment(lang, what),
                    column = c,
                    need = fragment(lang, need)
                )
            }
            R::NoValue { what, column: None, need } => {
                tr!(lang, "reject.no_value", what = fragment(lang, what), need = fragment(lang, need))
            }
            R::NotANumber { what, column, value } => {
                tr!(lang, "reject.not_a_number", what = fragment(lang, what), value = value, column = column)
            }
            R::NotACount { what, value, unit } => {
                tr!(lang, "reject.not_a_count", what = fragment(lang, what), value = value, unit = fragment(lang, unit))
            }
            R::Negative { what, value } => tr!(lang, "reject.negative", what = fragment(lang, what), value = value),
            R::NotWholeNumber { what, value, unit } => tr!(
                lang,
                "reject.not_whole_number",
                what = fragment(lang, what),
                value = value,
                unit = fragment(lang, unit)
            ),
            R::NotPositive { what, column, value } => {
                tr!(lang, "reject.not_positive", what = fragment(lang, what), value = value, column = column)
            }
            R::UnknownValue { what, value, column, known, fix } => {
                let mut t = tr!(
                    lang,
                    "reject.unknown_value",
                    what = fragment(lang, what),
                    value = value,
                    column = column,
                    whats = whats(what),
                    list = known.join(", ")
                );
                if let Some(fix) = fix {
                    t.push_str("; ");
                    t.push_str(fix);
                }
                t
            }
            R::UnknownCode { what, code, layer, ids, more } => tr!(
                lang,
                "reject.unknown_code",
                what = fragment(lang, what),
                code = code,
                layer = layer,
                ids = format!("{}{}", ids.join(", "), if *more { ", …" } else { "" })
            ),
            R::Duplicate { what, key, has, first_line } => tr!(
                lang,
                "reject.duplicate",
                what = fragment(lang, what),
                key = key,
                has = fragment(lang, has),
                line = first_line
            ),
            _ => String::new(),
        }
    }
}

/// A fixed English fragment of a reason (`population`, `a string`, `persons` …) in `lang`:
/// the catalogue's `frag.<words joined by _>`, or the fragment itself.
fn fragment(lang: Lang, english: &str) -> String {
    if lang == Lang::En {
        return english.to_string();
    }
    let key: String =
        english.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    sisetu_i18n::try_text(lang, &format!("frag.{key}")).unwrap_or_else(|| english.to_string())
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

#[cfg(test)]
#[path = "reject_tests.rs"]
mod tests;
