//! `[population]`: reading the files ([`read_population`], the load phase) and spreading the
//! persons into demand units ([`spread`], the analysis).
//!
//! A per-district table is spread over the cells of the population grid (uniformly by area,
//! or by weight points) with whole persons per unit that add up exactly to the table;
//! population points are taken as they are.

use super::input::{file_name, num, reject, InputFile, PointReader, CODE_HEADERS, COUNT_HEADERS, WEIGHT_HEADERS};
use crate::error::{Error, Result};
use crate::input_error;
use crate::layers::ZoneLayer;
use crate::project::facilities::{PointSource, PopulationSource};
use crate::project::Config;
use rustc_hash::FxHashMap;
use sisetu_core::surface::{apportion, cell_pieces, Piece};
use sisetu_core::{CellId, RegularGrid, ZoneIdx};
use sisetu_io::crs::Crs;
use sisetu_io::reject::{Reject, RejectReason};
use sisetu_io::table::{parse_quantity, read_table, Record, Table, TableSpec};

/// One unit of demand: the persons of one district in one population cell (table mode) or
/// one population point.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    /// Population grid cell.
    pub cell: CellId,
    /// District, `None` outside every district (points mode only).
    pub district: Option<ZoneIdx>,
    /// Demand point in the working CRS (piece centroid or the point).
    pub x: f64,
    /// Northing.
    pub y: f64,
    /// Persons.
    pub population: f64,
}

/// A district's figure in the population table.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    /// Persons.
    pub persons: u64,
    /// The table line it came from.
    pub line: u64,
}

/// A weight point in the working CRS.
#[derive(Debug, Clone, Copy)]
pub struct WeightPoint {
    /// Easting.
    pub x: f64,
    /// Northing.
    pub y: f64,
    /// Its weight (≥ 0).
    pub weight: f64,
}

/// A population point in the working CRS.
#[derive(Debug, Clone, Copy)]
pub struct PopulationPoint {
    /// Easting.
    pub x: f64,
    /// Northing.
    pub y: f64,
    /// Persons (≥ 0).
    pub persons: f64,
}

/// The rows of `[population]` kept by the readers.
#[derive(Debug, Clone)]
pub enum PopulationRows {
    /// A per-district table, optionally with weight points.
    Table {
        /// The table as named in the project.
        file: String,
        /// Per district (in layer order): its figure, if the table has one.
        figures: Vec<Option<Figure>>,
        /// The weight points and their file, if any.
        weights: Option<(String, Vec<WeightPoint>)>,
    },
    /// Population points, in file order.
    Points(Vec<PopulationPoint>),
}

/// `[population]` as read, before anything is computed.
#[derive(Debug, Clone)]
pub struct PopulationInput {
    /// The population grid.
    pub grid: RegularGrid,
    /// The rows kept.
    pub rows: PopulationRows,
    /// The files read (table then weights, or the points), with their rejects.
    pub files: Vec<InputFile>,
    /// Districts without a population figure (table mode): (id, name).
    pub missing: Vec<(String, String)>,
    /// How the population is spread, for report.json and the terminal.
    pub method: String,
    /// The same in Chinese, for the map footer.
    pub method_zh: String,
}

/// The population spread into demand units, ready for coverage.
#[derive(Debug, Clone)]
pub struct Population {
    /// Demand units with persons > 0, ordered by district, row, column (table mode) or
    /// file order (points mode).
    pub units: Vec<Unit>,
    /// The population grid.
    pub grid: RegularGrid,
    /// Persons per district as read (table) or located (points).
    pub by_district: Vec<f64>,
    /// Persons outside every district (points mode).
    pub outside: f64,
    /// Notes for the terminal and report.json (fallbacks, unused weight points).
    pub notes: Vec<String>,
}

impl Population {
    /// All persons.
    pub fn total(&self) -> f64 {
        self.by_district.iter().sum::<f64>() + self.outside
    }
}

/// Reads `[population]` (`None` when the project has none).
pub fn read_population(cfg: &Config, districts: &ZoneLayer, work: Crs) -> Result<Option<PopulationInput>> {
    let Some(pc) = &cfg.population else { return Ok(None) };
    let grid = RegularGrid::new(pc.cell_size_m).ok_or_else(|| Error::input("invalid population cell size"))?;
    let input = match &pc.source {
        PopulationSource::Table { table, code, count, weights } => {
            let (t, figures, file) = read_figures(cfg, table, code.as_deref(), count.as_deref(), districts)?;
            let missing = figures
                .iter()
                .zip(&districts.work)
                .filter(|(f, _)| f.is_none())
                .map(|(_, z)| (z.id.clone(), z.name.clone()))
                .collect();
            let mut files = vec![file];
            let mut method = format!("per-district table spread uniformly over {} m cells by area", pc.cell_size_m);
            let mut method_zh =
                format!("{} 按区县人口，以 {} 米网格按面积均匀分布", file_name(&t.display), num(pc.cell_size_m));
            let weights = match weights {
                None => None,
                Some((src, wcol)) => {
                    let (wt, header, points, file) = read_weights(src, wcol.as_deref(), work)?;
                    let col = |open: &str, close: &str| header.as_ref().map(|h| format!("{open}{h}{close}"));
                    method = format!(
                        "per-district table spread over {} m cells in proportion to {}{}",
                        pc.cell_size_m,
                        wt.display,
                        col(" (", ")").unwrap_or_default()
                    );
                    method_zh = format!(
                        "{} 按区县人口，以 {} 米网格按 {}{} 加权分布",
                        file_name(&t.display),
                        num(pc.cell_size_m),
                        file_name(&wt.display),
                        col("（", "）").unwrap_or_default()
                    );
                    files.push(file);
                    Some((wt.display, points))
                }
            };
            let rows = PopulationRows::Table { file: t.display, figures, weights };
            PopulationInput { grid, rows, files, missing, method, method_zh }
        }
        PopulationSource::Points { source, count } => {
            let (t, points, file) = read_points(source, count.as_deref(), work)?;
            PopulationInput {
                grid,
                rows: PopulationRows::Points(points),
                files: vec![file],
                missing: Vec::new(),
                method: format!("population points {}", t.display),
                method_zh: format!("人口点 {}", file_name(&t.display)),
            }
        }
    };
    Ok(Some(input))
}

/// A per-district table: each district's figure (one row each), the table and its file.
fn read_figures(
    cfg: &Config,
    spec: &TableSpec,
    code: Option<&str>,
    count: Option<&str>,
    districts: &ZoneLayer,
) -> Result<(Table, Vec<Option<Figure>>, InputFile)> {
    let t = read_table(spec)?;
    let ci = t.require(code, CODE_HEADERS, "code (区划代码)", "[population] code")?;
    let ni = t.require(count, COUNT_HEADERS, "count (人口数)", "[population] count")?;
    let mut rejects: Vec<Reject> = t.rejects.clone();
    let mut figures: Vec<Option<Figure>> = vec![None; districts.work.len()];
    for rec in &t.records {
        let parsed = figure_of(rec, &t, (ci, ni), districts, &cfg.districts.0.display).and_then(|(d, persons)| {
            match figures[d] {
                Some(first) => Err(RejectReason::Duplicate {
                    what: "district",
                    key: rec.values[ci].trim().to_string(),
                    has: "a population",
                    first_line: first.line,
                }),
                None => Ok((d, persons)),
            }
        });
        match parsed {
            Ok((d, persons)) => figures[d] = Some(Figure { persons, line: rec.line }),
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    if figures.iter().all(Option::is_none) {
        input_error!(
            "{}: no usable population row ({} read, {} rejected{}); every district would count 0 residents",
            t.display,
            t.rows_read,
            rejects.len(),
            rejects.first().map(|r| format!("; line {}: {}", r.line, r.reason)).unwrap_or_default()
        );
    }
    rejects.sort_by_key(|r| r.line);
    let file = InputFile::new(&t, rejects);
    Ok((t, figures, file))
}

/// One row of a population table: (district index, persons), or why it is rejected.
fn figure_of(
    rec: &Record,
    t: &Table,
    (ci, ni): (usize, usize),
    districts: &ZoneLayer,
    districts_file: &str,
) -> Result<(usize, u64), RejectReason> {
    let code = rec.values[ci].trim();
    let raw = rec.values[ni].trim();
    if code.is_empty() {
        return Err(RejectReason::MissingValue { what: "district code", column: t.headers[ci].clone(), known: vec![] });
    }
    let persons = match parse_quantity(raw) {
        None => return Err(population_not_given(&t.headers[ni], raw)),
        Some(v) if v < 0.0 => return Err(RejectReason::Negative { what: "population", value: raw.to_string() }),
        Some(v) if v.fract() != 0.0 || v > 1e12 => {
            return Err(RejectReason::NotWholeNumber { what: "population", value: raw.to_string(), unit: "persons" })
        }
        Some(v) => v as u64,
    };
    let Some(d) = find_district(districts, code) else {
        return Err(RejectReason::UnknownCode {
            what: "district",
            code: code.to_string(),
            layer: districts_file.to_string(),
            ids: districts.work.iter().take(12).map(|z| z.id.clone()).collect(),
            more: districts.work.len() > 12,
        });
    };
    Ok((d, persons))
}

/// Why a population value that is not a number is rejected: empty, or not a number.
fn population_not_given(column: &str, raw: &str) -> RejectReason {
    let column = column.to_string();
    if raw.is_empty() {
        RejectReason::MissingValue { what: "population", column, known: vec![] }
    } else {
        RejectReason::NotANumber { what: "population", column, value: raw.to_string() }
    }
}

/// The district a code names: its id, or a 9- or 12-digit statistical code of it
/// (650102000000 → 650102).
fn find_district(zones: &ZoneLayer, code: &str) -> Option<usize> {
    let code = code.trim();
    if let Some(i) = zones.work.iter().position(|z| z.id == code) {
        return Some(i);
    }
    zones.work.iter().position(|z| {
        !z.id.is_empty()
            && code.len() > z.id.len()
            && code.starts_with(z.id.as_str())
            && code[z.id.len()..].bytes().all(|b| b == b'0')
    })
}

/// Weight points: the table, the weight column's header (if any), the points, the file.
fn read_weights(
    src: &PointSource,
    wcol: Option<&str>,
    work: Crs,
) -> Result<(Table, Option<String>, Vec<WeightPoint>, InputFile)> {
    let wt = read_table(&src.table)?;
    let reader = PointReader::new(&wt, src, work, "[population.weights] ")?;
    let wi = wt.column(wcol, WEIGHT_HEADERS, "weight (户数)")?;
    let mut rejects: Vec<Reject> = wt.rejects.clone();
    let mut points = Vec::new();
    for rec in &wt.records {
        let weight = match wi {
            None => Ok(1.0),
            Some(i) => match parse_quantity(&rec.values[i]) {
                Some(v) if v >= 0.0 => Ok(v),
                Some(v) => Err(RejectReason::Negative { what: "weight", value: v.to_string() }),
                None if rec.values[i].is_empty() => {
                    Err(RejectReason::MissingValue { what: "weight", column: wt.headers[i].clone(), known: vec![] })
                }
                None => Err(RejectReason::NotANumber {
                    what: "weight",
                    column: wt.headers[i].clone(),
                    value: rec.values[i].clone(),
                }),
            },
        };
        match weight.and_then(|w| reader.locate(rec).map(|(_, (x, y))| WeightPoint { x, y, weight: w })) {
            Ok(p) => points.push(p),
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    let header = wi.map(|i| wt.headers[i].clone());
    let file = InputFile::new(&wt, rejects);
    Ok((wt, header, points, file))
}

/// Population points: the table, the points in file order, the file.
fn read_points(
    source: &PointSource,
    count: Option<&str>,
    work: Crs,
) -> Result<(Table, Vec<PopulationPoint>, InputFile)> {
    let t = read_table(&source.table)?;
    let reader = PointReader::new(&t, source, work, "[population] ")?;
    let ni = t.require(count, COUNT_HEADERS, "count (人口)", "[population] count")?;
    let mut rejects: Vec<Reject> = t.rejects.clone();
    let mut points = Vec::new();
    for rec in &t.records {
        let raw = rec.values[ni].trim();
        let persons = match parse_quantity(raw) {
            None => Err(population_not_given(&t.headers[ni], raw)),
            Some(v) if v < 0.0 => Err(RejectReason::Negative { what: "population", value: v.to_string() }),
            Some(v) => Ok(v),
        };
        match persons.and_then(|p| reader.locate(rec).map(|(_, (x, y))| PopulationPoint { x, y, persons: p })) {
            Ok(p) => points.push(p),
            Err(why) => rejects.push(reject(rec, why)),
        }
    }
    let file = InputFile::new(&t, rejects);
    Ok((t, points, file))
}

/// Spreads the population into demand units.
pub fn spread(input: &PopulationInput, districts: &ZoneLayer) -> Result<Population> {
    let grid = input.grid;
    let mut pop = Population {
        units: Vec::new(),
        grid,
        by_district: vec![0.0; districts.work.len()],
        outside: 0.0,
        notes: Vec::new(),
    };
    match &input.rows {
        PopulationRows::Table { file, figures, weights } => {
            for (d, f) in figures.iter().enumerate() {
                if let Some(f) = f {
                    pop.by_district[d] = f.persons as f64;
                }
            }
            let pieces = cell_pieces(&districts.work, &grid);
            let weight_of = weights
                .as_ref()
                .map(|(wfile, points)| piece_weights(&pieces, points, districts, &grid, wfile, &mut pop.notes));
            spread_pieces(&pieces, figures, weight_of.as_deref(), districts, &mut pop);
            // A district with a figure but no area (empty geometry) would lose persons.
            for (d, f) in figures.iter().enumerate() {
                if let Some(f) = f {
                    if f.persons > 0 && !pieces.iter().any(|q| q.zone.get() == d) {
                        input_error!(
                            "{file}: line {}: district {} has {} persons but no area to spread them over; check its polygon",
                            f.line,
                            districts.work[d].id,
                            f.persons
                        );
                    }
                }
            }
        }
        PopulationRows::Points(points) => {
            for p in points {
                let district = districts.locate_work(p.x, p.y);
                match district {
                    Some(d) => pop.by_district[d.get()] += p.persons,
                    None => pop.outside += p.persons,
                }
                if p.persons > 0.0 {
                    let cell = grid.cell_of(p.x, p.y);
                    pop.units.push(Unit { cell, district, x: p.x, y: p.y, population: p.persons });
                }
            }
        }
    }
    Ok(pop)
}

/// The weight of every (district × cell) piece: the sum of the weight points in it, in file
/// order. Points outside every district, or in slivers without a piece, weigh nothing (noted).
fn piece_weights(
    pieces: &[Piece],
    points: &[WeightPoint],
    districts: &ZoneLayer,
    grid: &RegularGrid,
    file: &str,
    notes: &mut Vec<String>,
) -> Vec<f64> {
    let slot: FxHashMap<(ZoneIdx, CellId), usize> =
        pieces.iter().enumerate().map(|(i, p)| ((p.zone, p.cell), i)).collect();
    let mut w = vec![0.0; pieces.len()];
    let (mut outside, mut unplaced) = (0u64, 0u64);
    for p in points {
        match districts.locate_work(p.x, p.y) {
            None => outside += 1,
            Some(d) => match slot.get(&(d, grid.cell_of(p.x, p.y))) {
                Some(&i) => w[i] += p.weight,
                None => unplaced += 1,
            },
        }
    }
    if outside > 0 {
        notes.push(format!("{file}: {outside} weight points lie outside every district and weigh nothing"));
    }
    if unplaced > 0 {
        notes.push(format!("{file}: {unplaced} weight points fell in slivers below 1e-9 of a cell and weigh nothing"));
    }
    w
}

/// Spreads each district's figure over its pieces (ordered by district) in whole persons:
/// by weight when there are weights and the district has some, else by area.
fn spread_pieces(
    pieces: &[Piece],
    figures: &[Option<Figure>],
    weights: Option<&[f64]>,
    districts: &ZoneLayer,
    pop: &mut Population,
) {
    let mut start = 0;
    while start < pieces.len() {
        let d = pieces[start].zone;
        let end = start + pieces[start..].iter().take_while(|p| p.zone == d).count();
        let own = &pieces[start..end];
        let total = figures[d.get()].map_or(0, |f| f.persons);
        let area_w: Vec<f64> = own.iter().map(|p| p.area).collect();
        let by_area = || apportion(total, &area_w).unwrap_or_else(|| vec![0; own.len()]);
        let persons = match weights {
            Some(w) => apportion(total, &w[start..end]).unwrap_or_else(|| {
                if total > 0 {
                    let z = &districts.work[d.get()];
                    pop.notes.push(format!(
                        "district {} {} has no weight (no weight points, or all weigh 0): its {total} persons are spread uniformly by area",
                        z.id, z.name
                    ));
                }
                by_area()
            }),
            None => by_area(),
        };
        for (p, &k) in own.iter().zip(&persons) {
            if k > 0 {
                let (x, y) = p.centroid;
                pop.units.push(Unit { cell: p.cell, district: Some(d), x, y, population: k as f64 });
            }
        }
        start = end;
    }
}

#[cfg(test)]
#[path = "population_tests.rs"]
mod tests;
