//! The computation for one facility layer, on the population spread into demand units:
//! radius coverage and nearest-first capacity assignment (`sisetu_core::coverage`), the
//! figures per district, the cells with a gap, siting of new facilities
//! (`sisetu_core::siting`) and townships without a facility. No file is read or written.

use super::facilities::{Candidate, FacilityLayer};
use super::population::{Population, Unit};
use crate::error::{Error, Result};
use crate::layers::ZoneLayer;
use geo::InteriorPoint;
use rustc_hash::FxHashMap;
use serde::Serialize;
use sisetu_core::coverage::{allocate, Allocation, Demand, FacilityIndex, Reach};
use sisetu_core::siting::{greedy_cover, Pick};
use sisetu_core::{CellId, ZoneIdx};
use sisetu_io::crs::{Crs, Transformer};

/// Per-district figures of one facility layer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AreaFigures {
    /// Residents.
    pub population: f64,
    /// Facilities located in the district.
    pub facilities: u64,
    /// Their effective area (m²).
    pub area_m2: f64,
    /// Their capacity (persons; infinite capacities are left out).
    pub capacity: f64,
    /// Residents within the service radius of at least one facility.
    pub covered: f64,
    /// Residents given a place by the capacity assignment.
    pub served: f64,
    /// Residents within reach but left without room.
    pub without_room: f64,
    /// Residents outside every service radius.
    pub uncovered: f64,
}

impl AreaFigures {
    /// m² of shelter area per resident (`None` without residents).
    pub fn m2_per_resident(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.area_m2 / self.population)
    }
    /// Share of residents covered.
    pub fn coverage(&self) -> Option<f64> {
        (self.population > 0.0).then(|| self.covered / self.population)
    }

    fn add_unit(&mut self, u: &Unit, covered: bool, served: f64, without_room: f64) {
        self.population += u.population;
        if covered {
            self.covered += u.population;
        } else {
            self.uncovered += u.population;
        }
        self.served += served;
        self.without_room += without_room;
    }
}

/// Township check for a facility layer.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipRow {
    /// Township id.
    pub id: String,
    /// Name.
    pub name: String,
    /// District id of its interior point.
    pub district: String,
    /// Facilities inside it.
    pub facilities: u64,
}

/// A population cell with residents outside every radius or left without room.
#[derive(Debug, Clone)]
pub struct GapCell {
    /// The cell.
    pub cell: CellId,
    /// Its residents.
    pub population: f64,
    /// Outside every service radius.
    pub uncovered: f64,
    /// Within reach but without room.
    pub without_room: f64,
    /// The districts of its pieces.
    pub districts: Vec<ZoneIdx>,
}

/// One suggested site.
#[derive(Debug, Clone)]
pub struct SitingPick {
    /// Candidate name (or the cell id).
    pub name: String,
    /// Source line of the candidate (0 for cell centres).
    pub line: u64,
    /// Working CRS position.
    pub xy: (f64, f64),
    /// WGS84.
    pub lonlat: (f64, f64),
    /// Its district, `None` outside every district.
    pub district: Option<ZoneIdx>,
    /// Rank, gain, cumulative.
    pub pick: Pick,
}

/// The analysis of one facility layer.
#[derive(Debug, Clone)]
pub struct LayerResult {
    /// Per district (same order as the districts).
    pub districts: Vec<AreaFigures>,
    /// Population and facilities outside every district.
    pub outside: AreaFigures,
    /// All.
    pub total: AreaFigures,
    /// Per facility: its district.
    pub facility_district: Vec<Option<ZoneIdx>>,
    /// Per facility: load (persons assigned).
    pub load: Vec<f64>,
    /// Per facility: residents within its radius.
    pub in_reach: Vec<f64>,
    /// Per demand unit: covered?
    pub covered: Vec<bool>,
    /// Per demand unit: residents without room.
    pub without_room: Vec<f64>,
    /// Suggested new sites, best first.
    pub siting: Vec<SitingPick>,
    /// Townships (when configured).
    pub townships: Option<Vec<TownshipRow>>,
    /// (demand, facility) pairs within reach.
    pub pairs: usize,
    /// Gap cells, north to south, west to east.
    pub gap_cells: Vec<GapCell>,
}

impl LayerResult {
    /// Facilities filled to their (finite, positive) capacity.
    pub fn facilities_full(&self, layer: &FacilityLayer) -> usize {
        layer
            .facilities
            .iter()
            .zip(&self.load)
            .filter(|(f, l)| f.capacity.is_finite() && **l >= f.capacity && f.capacity > 0.0)
            .count()
    }
}

/// Coverage, capacity, siting and township checks for one layer.
pub fn analyse(layer: &FacilityLayer, pop: &Population, districts: &ZoneLayer, work: Crs) -> Result<LayerResult> {
    let demand: Vec<Demand> = pop.units.iter().map(|u| Demand::new(u.x, u.y, u.population)).collect();
    let index =
        FacilityIndex::new(&layer.facilities).map_err(|e| Error::input(format!("{}: {e}", layer.file.report.file)))?;
    let reach: Reach = index.reach_all(&demand);
    let alloc: Allocation = allocate(&reach, &demand, &layer.facilities);
    let facility_district: Vec<Option<ZoneIdx>> =
        layer.rows.iter().map(|r| districts.locate_work(r.anchor.0, r.anchor.1)).collect();
    let n = districts.work.len();
    let mut figs = vec![AreaFigures::default(); n];
    let mut outside = AreaFigures::default();
    let mut total = AreaFigures::default();
    let mut covered = Vec::with_capacity(demand.len());
    let mut without_room = Vec::with_capacity(demand.len());
    let mut in_reach = vec![0.0; layer.facilities.len()];
    for (i, u) in pop.units.iter().enumerate() {
        let c = reach.is_covered(i);
        let wr = alloc.without_room(&reach, &demand, i);
        covered.push(c);
        without_room.push(wr);
        for &(f, _) in reach.of(i) {
            in_reach[f as usize] += u.population;
        }
        let slot = u.district.map_or(&mut outside, |d| &mut figs[d.get()]);
        slot.add_unit(u, c, alloc.served[i], wr);
        total.add_unit(u, c, alloc.served[i], wr);
    }
    for ((r, f), d) in layer.rows.iter().zip(&layer.facilities).zip(&facility_district) {
        let slot = d.map_or(&mut outside, |d| &mut figs[d.get()]);
        for s in [slot, &mut total] {
            s.facilities += 1;
            s.area_m2 += r.area_m2.unwrap_or(0.0);
            if f.capacity.is_finite() {
                s.capacity += f.capacity;
            }
        }
    }
    // Conservation: what was spread must be what was read.
    let read = pop.total();
    if (total.population - read).abs() > 1e-6 * read.max(1.0) {
        return Err(Error::internal(format!("population {} in units but {} read", total.population, read)));
    }
    let siting = site(layer, pop, &demand, &covered, districts, work)?;
    let townships = layer.townships.as_ref().map(|t| township_rows(layer, &t.layer, districts));
    let gap_cells = gap_cells(pop, &covered, &without_room);
    Ok(LayerResult {
        districts: figs,
        outside,
        total,
        facility_district,
        load: alloc.load,
        in_reach,
        covered,
        without_room,
        siting,
        townships,
        pairs: reach.pairs(),
        gap_cells,
    })
}

/// Picks the new sites that cover most of the residents still uncovered: among the
/// candidates of the file, or the centres of the populated cells.
fn site(
    layer: &FacilityLayer,
    pop: &Population,
    demand: &[Demand],
    covered: &[bool],
    districts: &ZoneLayer,
    work: Crs,
) -> Result<Vec<SitingPick>> {
    let Some(s) = &layer.config.siting else { return Ok(Vec::new()) };
    let gap: Vec<Demand> =
        demand.iter().zip(covered).map(|(d, &c)| if c { Demand::new(d.x, d.y, 0.0) } else { *d }).collect();
    let centres;
    let cands: &[Candidate] = match &layer.candidates {
        Some(c) => &c.points,
        None => {
            centres = cell_centres(pop, work)?;
            &centres
        }
    };
    let pts: Vec<[f64; 2]> = cands.iter().map(|c| [c.xy.0, c.xy.1]).collect();
    Ok(greedy_cover(&gap, &pts, s.radius_m, s.count)
        .into_iter()
        .map(|pick| {
            let c = &cands[pick.candidate];
            SitingPick {
                name: c.name.clone(),
                line: c.line,
                xy: c.xy,
                lonlat: c.lonlat,
                district: districts.locate_work(c.xy.0, c.xy.1),
                pick,
            }
        })
        .collect())
}

/// The centres of the populated cells, each once, north to south and west to east.
fn cell_centres(pop: &Population, work: Crs) -> Result<Vec<Candidate>> {
    let to_wgs = Transformer::new(work, Crs::Wgs84)?;
    let mut cells: Vec<CellId> = pop.units.iter().map(|u| u.cell).collect();
    cells.sort_unstable_by_key(|c| (std::cmp::Reverse(c.row), c.col));
    cells.dedup();
    Ok(cells
        .into_iter()
        .map(|c| {
            let (x, y) = pop.grid.centre(c);
            let lonlat = to_wgs.transform(x, y).unwrap_or((f64::NAN, f64::NAN));
            Candidate { name: format!("网格中心 {}", pop.grid.label(c)), line: 0, xy: (x, y), lonlat }
        })
        .collect())
}

/// Facilities per township, and the district of each township's interior point.
fn township_rows(layer: &FacilityLayer, towns: &ZoneLayer, districts: &ZoneLayer) -> Vec<TownshipRow> {
    let mut count = vec![0u64; towns.work.len()];
    for r in &layer.rows {
        if let Some(t) = towns.locate_work(r.anchor.0, r.anchor.1) {
            count[t.get()] += 1;
        }
    }
    towns
        .work
        .iter()
        .zip(&count)
        .map(|(z, &c)| {
            let d = z
                .geometry
                .interior_point()
                .and_then(|p| districts.locate_work(p.x(), p.y()))
                .map(|d| districts.work[d.get()].id.clone())
                .unwrap_or_default();
            TownshipRow { id: z.id.clone(), name: z.name.clone(), district: d, facilities: c }
        })
        .collect()
}

/// The cells with residents outside every radius or without room, north to south and west
/// to east.
fn gap_cells(pop: &Population, covered: &[bool], without_room: &[f64]) -> Vec<GapCell> {
    let mut cells: FxHashMap<CellId, GapCell> = FxHashMap::default();
    for (i, u) in pop.units.iter().enumerate() {
        let e = cells.entry(u.cell).or_insert_with(|| GapCell {
            cell: u.cell,
            population: 0.0,
            uncovered: 0.0,
            without_room: 0.0,
            districts: Vec::new(),
        });
        e.population += u.population;
        if !covered[i] {
            e.uncovered += u.population;
        }
        e.without_room += without_room[i];
        if let Some(d) = u.district {
            if !e.districts.contains(&d) {
                e.districts.push(d);
            }
        }
    }
    let mut gaps: Vec<GapCell> = cells.into_values().filter(|g| g.uncovered > 0.0 || g.without_room > 0.0).collect();
    gaps.sort_unstable_by_key(|g| (std::cmp::Reverse(g.cell.row), g.cell.col));
    gaps
}

#[cfg(test)]
#[path = "analyse_tests.rs"]
mod tests;
