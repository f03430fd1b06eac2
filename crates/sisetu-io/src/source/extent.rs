//! The extent of the worksheets of `.ods` and `.xls` workbooks, measured before calamine
//! reads them: calamine builds each of their sheets as a dense range of every cell between
//! the first and the last used one, so one stray far cell would cost billions of cells.
//! See [`MAX_DENSE_CELLS`].

use crate::source::limits::{MAX_COLUMNS, MAX_DENSE_CELLS, MAX_ROWS};
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

/// The bounding box of a sheet's used cells (0-based, inclusive), as it grows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extent {
    /// (first row, last row, first column, last column), `None` while no cell is used.
    bounds: Option<(u64, u64, u64, u64)>,
}

impl Extent {
    /// Adds the cells of rows `r0..=r1`, columns `c0..=c1`.
    pub(crate) fn add(&mut self, r0: u64, r1: u64, c0: u64, c1: u64) {
        self.bounds = Some(match self.bounds {
            None => (r0, r1, c0, c1),
            Some((a, b, c, d)) => (a.min(r0), b.max(r1), c.min(c0), d.max(c1)),
        });
    }

    /// Rows and columns of the box; with `capped`, at most the worksheet's limits (as
    /// calamine caps `.ods` sheets).
    fn size(&self, capped: bool) -> (u64, u64) {
        self.bounds.map_or((0, 0), |(r0, r1, c0, c1)| {
            let (rows, cols) = (r1.saturating_sub(r0).saturating_add(1), c1.saturating_sub(c0).saturating_add(1));
            if capped {
                (rows.min(u64::from(MAX_ROWS)), cols.min(u64::from(MAX_COLUMNS)))
            } else {
                (rows, cols)
            }
        })
    }
}

/// The message when worksheet `sheet` spans `rows` × `cols` cells (`what`: "spans" or
/// "declares"), more than [`MAX_DENSE_CELLS`]; `None` when it does not.
fn too_many(sheet: &str, rows: u64, cols: u64, what: &str, format: &str) -> Option<String> {
    let cells = rows.saturating_mul(cols);
    (cells > MAX_DENSE_CELLS).then(|| {
        format!(
            "worksheet '{sheet}' {what} {rows} rows × {cols} columns ({cells} cells from its first to its last used cell, more than the {MAX_DENSE_CELLS} an {format} sheet may span): \
             a stray cell far from the table? Delete what lies outside the table, or save the workbook as .xlsx or the sheet as CSV"
        )
    })
}

/// [`too_many`] for the cells of `extent`.
fn too_wide(sheet: &str, extent: &Extent, format: &str) -> Option<String> {
    let (rows, cols) = extent.size(format == ".ods");
    too_many(sheet, rows, cols, "spans", format)
}

fn repeats(e: &BytesStart<'_>, attr: &str) -> u64 {
    e.try_get_attribute(attr).ok().flatten().and_then(|a| a.value.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

fn table_name(e: &BytesStart<'_>) -> String {
    e.try_get_attribute("table:name").ok().flatten().map(|a| a.value.into_owned()).unwrap_or_default()
}

/// The first sheet of an `.ods` `content.xml` (read from `xml`) that spans more than
/// [`MAX_DENSE_CELLS`], as the message saying so; `Err` for XML that cannot be read.
pub(crate) fn ods_too_wide(xml: impl BufRead) -> Result<Option<String>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut sheet, mut extent) = (String::new(), Extent::default());
    let (mut row, mut row_repeats, mut col) = (0u64, 1u64, 0u64);
    loop {
        buf.clear();
        let (e, start) = match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table" => {
                        if let Some(msg) = too_wide(&sheet, &extent, ".ods") {
                            return Ok(Some(msg));
                        }
                    }
                    "table:table-row" => row = row.saturating_add(row_repeats),
                    _ => {}
                }
                continue;
            }
            Event::Eof => return Ok(None),
            _ => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                (sheet, extent, row) = (table_name(&e), Extent::default(), 0);
            }
            "table:table-row" => {
                (row_repeats, col) = (repeats(&e, "table:number-rows-repeated"), 0);
                if !start {
                    row = row.saturating_add(row_repeats);
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let n = repeats(&e, "table:number-columns-repeated");
                let valued = start
                    || e.try_get_attribute("office:value-type").ok().flatten().is_some()
                    || e.try_get_attribute("table:formula").ok().flatten().is_some();
                if valued {
                    extent.add(row, row.saturating_add(row_repeats - 1), col, col.saturating_add(n - 1));
                }
                col = col.saturating_add(n);
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// .xls: the Workbook stream of the compound file, then its BIFF records.

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|x| u16::from_le_bytes([x[0], x[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

/// The sectors of a compound file (`.xls`), enough to read one stream.
struct Cfb<'a> {
    bytes: &'a [u8],
    shift: u32,
    fat: Vec<u32>,
}

/// Sector numbers at or above this are markers (end of chain, free, FAT, DIFAT).
const MAX_REG_SECT: u32 = 0xFFFF_FFFA;

impl<'a> Cfb<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let shift = u32::from(u16_at(bytes, 0x1E)?);
        if !(7..=16).contains(&shift) {
            return None;
        }
        let mut cfb = Cfb { bytes, shift, fat: Vec::new() };
        let n_fat = u32_at(bytes, 0x2C)? as usize;
        let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 0x4C + 4 * i)).collect();
        let per = (1usize << shift) / 4;
        let mut difat = u32_at(bytes, 0x44)?;
        let mut guard = 0;
        while difat < MAX_REG_SECT && guard <= bytes.len() >> shift {
            let sector = cfb.sector(difat)?;
            fat_sectors.extend((0..per - 1).filter_map(|i| u32_at(sector, 4 * i)));
            difat = u32_at(sector, 4 * (per - 1))?;
            guard += 1;
        }
        for &s in fat_sectors.iter().take(n_fat) {
            if s >= MAX_REG_SECT {
                continue;
            }
            let sector = cfb.sector(s)?;
            cfb.fat.extend((0..per).filter_map(|i| u32_at(sector, 4 * i)));
        }
        Some(cfb)
    }

    fn sector(&self, n: u32) -> Option<&'a [u8]> {
        let size = 1usize << self.shift;
        let start = (n as usize + 1).checked_mul(size)?;
        self.bytes.get(start..start.checked_add(size)?)
    }

    /// The bytes of the chain starting at `first`, at most `len` of them.
    fn chain(&self, first: u32, len: usize) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(len.min(self.bytes.len()));
        let mut s = first;
        let mut steps = 0;
        while s < MAX_REG_SECT && out.len() < len {
            out.extend_from_slice(self.sector(s)?);
            s = *self.fat.get(s as usize)?;
            steps += 1;
            if steps > self.fat.len() {
                return None;
            }
        }
        out.truncate(len);
        Some(out)
    }

    /// The stream named `Workbook` (or `Book`), `None` when it cannot be found or read.
    fn workbook(&self) -> Option<Vec<u8>> {
        let dir = self.chain(u32_at(self.bytes, 0x30)?, self.bytes.len())?;
        let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
        let name = |e: &[u8]| {
            let n = (u16_at(e, 64).unwrap_or(0) as usize).min(64);
            let units: Vec<u16> = e[..n].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units).trim_end_matches('\0').to_string()
        };
        let root = entries.iter().find(|e| e[66] == 5)?;
        let entry = entries.iter().find(|e| e[66] == 2 && matches!(name(e).as_str(), "Workbook" | "Book"))?;
        let (start, size) = (u32_at(entry, 116)?, u32_at(entry, 120)? as usize);
        if size >= u32_at(self.bytes, 0x38)? as usize {
            return self.chain(start, size);
        }
        // A small stream lives in the mini stream, in 64-byte sectors.
        let mini = self.chain(u32_at(root, 116)?, u32_at(root, 120)? as usize)?;
        let mini_fat_bytes = self.chain(u32_at(self.bytes, 0x3C)?, self.bytes.len())?;
        let mini_fat: Vec<u32> =
            mini_fat_bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let mut out = Vec::with_capacity(size);
        let mut s = start;
        while s < MAX_REG_SECT && out.len() < size {
            let at = s as usize * 64;
            out.extend_from_slice(mini.get(at..at + 64)?);
            s = *mini_fat.get(s as usize)?;
            if out.len() > mini.len() {
                return None;
            }
        }
        out.truncate(size);
        Some(out)
    }
}

/// The first worksheet of an `.xls` workbook (`bytes`) that spans more than
/// [`MAX_DENSE_CELLS`], or declares so in its DIMENSIONS record, as the message saying so.
/// A file whose records cannot be found is left to calamine.
pub(crate) fn xls_too_wide(bytes: &[u8]) -> Option<String> {
    let stream = Cfb::new(bytes)?.workbook()?;
    // Sheet names by the position of their BOF record (BoundSheet8 records).
    let mut names: Vec<(u32, String)> = Vec::new();
    let mut pos = 0usize;
    let mut sheet: Option<(String, Extent)> = None;
    let mut depth = 0u32;
    while let (Some(typ), Some(len)) = (u16_at(&stream, pos), u16_at(&stream, pos + 2)) {
        let start = pos;
        let data = stream.get(pos + 4..pos + 4 + len as usize).unwrap_or(&[]);
        pos += 4 + len as usize;
        match typ {
            0x0085 => {
                let n = data.get(6).copied().unwrap_or(0) as usize;
                let wide = data.get(7).is_some_and(|f| f & 1 == 1);
                let name = if wide {
                    let units: Vec<u16> = data
                        .get(8..8 + 2 * n)
                        .unwrap_or(&[])
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16_lossy(&units)
                } else {
                    data.get(8..8 + n).unwrap_or(&[]).iter().map(|&b| char::from(b)).collect()
                };
                names.push((u32_at(data, 0).unwrap_or(0), name));
            }
            0x0809 if sheet.is_some() => depth += 1,
            0x0809 if u16_at(data, 2) == Some(0x0010) => {
                let name =
                    names.iter().find(|(p, _)| *p as usize == start).map_or_else(String::new, |(_, n)| n.clone());
                sheet = Some((name, Extent::default()));
                depth = 0;
            }
            0x000A if depth > 0 => depth -= 1,
            0x000A => {
                if let Some((name, cells)) = sheet.take() {
                    if let Some(msg) = too_wide(&name, &cells, ".xls") {
                        return Some(msg);
                    }
                }
            }
            _ if depth > 0 => {}
            0x0200 => {
                if let Some((name, _)) = sheet.as_ref() {
                    // As calamine reads the record: rows first..last-1, columns likewise.
                    let (rf, rl, cf, cl) = match data.len() {
                        10 => (
                            u16_at(data, 0).map(u32::from),
                            u16_at(data, 2).map(u32::from),
                            u16_at(data, 4),
                            u16_at(data, 6),
                        ),
                        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
                        _ => (None, None, None, None),
                    };
                    if let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) {
                        let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                        if rl >= 1 && cl >= 1 {
                            // calamine reserves room for rows × columns cells at once.
                            let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
                            let cols = u64::from((u32::from(cl) - 1).wrapping_sub(u32::from(cf)).wrapping_add(1));
                            if let Some(msg) = too_many(name, rows, cols, "declares", ".xls") {
                                return Some(msg);
                            }
                        }
                    }
                }
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x00BD => {
                if let (Some((_, cells)), Some(row), Some(col)) = (sheet.as_mut(), u16_at(data, 0), u16_at(data, 2)) {
                    let last =
                        if typ == 0x00BD { u16_at(data, data.len().saturating_sub(2)).unwrap_or(col) } else { col };
                    cells.add(u64::from(row), u64::from(row), u64::from(col), u64::from(last.max(col)));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "extent_tests.rs"]
mod tests;
