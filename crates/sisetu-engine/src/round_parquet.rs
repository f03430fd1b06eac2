//! A round's columnar outputs read back: `sites.parquet` and `cells.parquet` (GeoParquet, as
//! `[outputs]` writes them), into the same values as `sites.geojson` and `cells.geojson`
//! give.
//!
//! The files are Hilbert-sorted; the rounds keep their documented orders, restored here:
//! sites in input order — by layer (the `source` column, ranked by the report's `sites`
//! files) then `line`; rows that tie (two worksheets of one workbook sharing a row number, or
//! two layers with the same file name) keep the file's order — and cells north to south,
//! then west to east. Coordinates are rounded to the 1e-7° of the GeoJSON outputs, so a
//! round reads the same whichever format its build wrote.

use super::{round_coord, RoundArea, RoundSite};
use crate::error::{Error, Result};
use geo::MultiPolygon;
use sisetu_core::{CellId, RiskLevel};
use sisetu_io::columnar::read::ParquetTable;
use sisetu_io::columnar::WkbGeometry;
use std::path::Path;

/// The index of each named column in `t` (`None`: absent).
fn indices<const N: usize>(t: &ParquetTable, names: [&str; N]) -> [Option<usize>; N] {
    names.map(|n| t.columns().iter().position(|c| c == n))
}

fn open(path: &Path) -> Result<ParquetTable> {
    crate::round::require_output(path)?;
    Ok(ParquetTable::open(path, &path.display().to_string())?)
}

/// Reads `sites.parquet` and its SHA-256; `layer_files` are the file names of the round's
/// site layers in project order (from its report), which rank the `source` column.
pub(super) fn read_sites(path: &Path, layer_files: &[String]) -> Result<(Vec<RoundSite>, String)> {
    let t = open(path)?;
    let sha = t.sha256().to_string();
    let [id, name, level, district, grid, dup, source, line] =
        indices(&t, ["id", "name", "level", "district_id", "grid_id", "duplicate_id", "source", "line"]);
    let mut sites: Vec<(usize, RoundSite)> = Vec::with_capacity(usize::try_from(t.rows()).unwrap_or(0));
    let mut failed: Option<Error> = None;
    let shown = path.display().to_string();
    t.for_each_row(|row, cells, g| {
        if failed.is_some() {
            return;
        }
        let text = |k: Option<usize>| k.and_then(|k| cells[k].clone()).unwrap_or_default();
        let level = match text(level).parse::<RiskLevel>() {
            Ok(l) => l,
            Err(e) => {
                failed = Some(Error::input(format!("{shown}: row {row}: level: {e}; rebuild the round")));
                return;
            }
        };
        let (lon, lat) = match g {
            Some(WkbGeometry::Point(x, y)) => (round_coord(x), round_coord(y)),
            _ => (f64::NAN, f64::NAN),
        };
        let source = text(source);
        let rank = layer_files.iter().position(|f| *f == source).unwrap_or(0);
        sites.push((
            rank,
            RoundSite {
                id: text(id),
                name: text(name),
                level,
                district: text(district),
                grid: text(grid),
                duplicate_id: text(dup) == "true",
                lon,
                lat,
                source,
                line: text(line).parse().unwrap_or(0),
            },
        ));
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    // Stable: ties keep the file's order.
    sites.sort_by_key(|(rank, s)| (*rank, s.line));
    Ok((sites.into_iter().map(|(_, s)| s).collect(), sha))
}

/// Reads `cells.parquet`, north to south, then west to east.
pub(super) fn read_cells(path: &Path) -> Result<Vec<RoundArea>> {
    let t = open(path)?;
    let [cell_id, col, row_k, level, red, orange, yellow, blue] =
        indices(&t, ["cell_id", "col", "row", "level", "n_red", "n_orange", "n_yellow", "n_blue"]);
    let shown = path.display().to_string();
    let mut cells = Vec::new();
    let mut failed: Option<Error> = None;
    t.for_each_row(|row, cells_text, _| {
        if failed.is_some() {
            return;
        }
        let text = |k: Option<usize>| k.and_then(|k| cells_text[k].as_deref());
        let int = |k: Option<usize>| text(k).and_then(|v| v.parse::<i64>().ok());
        let count = |k: Option<usize>| text(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let bad = |what: &str| Error::input(format!("{shown}: row {row} {what}; rebuild the round"));
        let (Some(c), Some(r), Some(id)) = (int(col), int(row_k), text(cell_id)) else {
            failed = Some(bad("has no cell_id, col or row"));
            return;
        };
        let level = match text(level).map(str::parse::<RiskLevel>).transpose() {
            Ok(l) => l,
            Err(e) => {
                failed = Some(bad(&format!("has a bad level: {e}")));
                return;
            }
        };
        cells.push(RoundArea {
            id: id.to_string(),
            name: String::new(),
            level,
            counts: [count(red), count(orange), count(yellow), count(blue)],
            geometry: MultiPolygon(Vec::new()),
            cell: Some(CellId { col: c, row: r }),
        });
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    cells.sort_by_key(|a| a.cell.map(|c| (std::cmp::Reverse(c.row), c.col)));
    Ok(cells)
}
