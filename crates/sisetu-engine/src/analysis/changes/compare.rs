//! The comparison of two rounds: sites by id, districts, management grids and regular cells
//! by id, into a typed change set and its [`DiffSummary`]. Nothing is read or written.

use super::DiffOptions;
use crate::error::{Error, Result};
use crate::round::{shown_dir, Round, RoundArea, RoundMeta, RoundSite};
use geo::{Coord, LineString, MultiPolygon};
use rustc_hash::FxHashMap;
use serde::Serialize;
use sisetu_core::idkey::{id_key_cow, normalize_name};
use sisetu_core::{CellId, RegularGrid, RiskLevel};
use sisetu_i18n::{tr, Lang};
use sisetu_io::crs::Crs;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Only in the new round.
    New,
    /// Only in the old round.
    Removed,
    /// Same id, different enterprise.
    IdReused,
    /// Cannot be matched (no id, or an id used by several rows).
    Unmatched,
    /// Level up.
    Raised,
    /// Level down.
    Lowered,
    /// Same level, other counts (areas).
    CountsChanged,
    /// Moved further than the threshold.
    Moved,
    /// In another district.
    DistrictChanged,
    /// In another management grid.
    GridChanged,
}

impl Kind {
    /// The name in `changes.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Removed => "removed",
            Kind::IdReused => "id_reused",
            Kind::Unmatched => "unmatched",
            Kind::Raised => "raised",
            Kind::Lowered => "lowered",
            Kind::CountsChanged => "counts_changed",
            Kind::Moved => "moved",
            Kind::DistrictChanged => "district_changed",
            Kind::GridChanged => "grid_changed",
        }
    }
}

/// What a change is about, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// A site.
    Site,
    /// A district.
    District,
    /// A management grid.
    Grid,
    /// A regular cell.
    Cell,
}

impl Scope {
    /// The name in `changes.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Site => "site",
            Scope::District => "district",
            Scope::Grid => "grid",
            Scope::Cell => "cell",
        }
    }
}

/// Where a change is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeGeom {
    /// A site: WGS84 lon/lat (its new position; a removed site's old one).
    Point(f64, f64),
    /// A district or management grid: its WGS84 polygon (the new round's, else the old one's).
    Area(MultiPolygon<f64>),
    /// A regular cell of the new round's grid.
    Cell(CellId),
}

/// One changed site or area: a row of `changes.csv`, a feature of `changes.geojson`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Site, district, grid or cell.
    pub scope: Scope,
    /// The id (the new round's spelling for matched sites; empty for sites without one).
    pub id: String,
    /// The name (the new round's for matched sites and areas).
    pub name: String,
    /// The kinds of change, in the order they were found.
    pub kinds: Vec<Kind>,
    /// Level in the old round (`None`: not in it, or an area without sites).
    pub level_old: Option<RiskLevel>,
    /// Level in the new round.
    pub level_new: Option<RiskLevel>,
    /// District id in the old and the new round (sites).
    pub district: [String; 2],
    /// Management-grid id in the old and the new round (sites, when grids are compared).
    pub grid: [String; 2],
    /// Distance moved in metres (`moved` sites).
    pub moved_m: Option<f64>,
    /// Sites per level in the old and the new round (areas).
    pub counts: Option<[[u64; 4]; 2]>,
    /// The old round's name when it differs.
    pub name_old: String,
    /// Where it is drawn.
    pub geom: ChangeGeom,
    /// Why it could not be compared (unmatched, id reused).
    pub note: String,
}

impl Change {
    /// The kinds joined with `;`, as in `changes.csv`.
    pub fn change(&self) -> String {
        self.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(";")
    }

    /// Whether it has the kind `k`.
    pub fn has(&self, k: Kind) -> bool {
        self.kinds.contains(&k)
    }
}

/// Site counts per change kind (a matched site can have several kinds).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SiteCounts {
    /// Sites in the old round.
    pub total_old: u64,
    /// Sites in the new round.
    pub total_new: u64,
    /// Pairs matched by id (including `id_reused`).
    pub matched: u64,
    /// Matched pairs without any change.
    pub unchanged: u64,
    /// Only in the new round.
    pub new: u64,
    /// Only in the old round.
    pub removed: u64,
    /// Level up.
    pub raised: u64,
    /// Level down.
    pub lowered: u64,
    /// Moved further than the threshold.
    pub moved: u64,
    /// In another district.
    pub district_changed: u64,
    /// In another management grid (`None`: not compared).
    pub grid_changed: Option<u64>,
    /// Same id, different enterprise.
    pub id_reused: u64,
    /// Sites without an id in either round matched by name and location (also in `matched`).
    pub matched_by_name: u64,
    /// Rows of either round that cannot be matched.
    pub unmatched: u64,
}

/// Area counts per change kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AreaCounts {
    /// Areas in the old round's layer.
    pub total_old: u64,
    /// Areas in the new round's layer.
    pub total_new: u64,
    /// Level up (including from no sites).
    pub raised: u64,
    /// Level down (including to no sites).
    pub lowered: u64,
    /// Same level, other counts.
    pub counts_changed: u64,
    /// Areas of either round without a change.
    pub unchanged: u64,
}

/// One round in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundInfo {
    /// Its output folder.
    pub dir: String,
    /// Project title.
    pub title: String,
    /// Census date.
    pub census_date: Option<String>,
    /// Working CRS.
    pub working_crs: String,
    /// Cell size (m).
    pub cell_size_m: f64,
    /// Aggregation rule.
    pub aggregation: String,
    /// SHA-256 of its report.json (`None`: the round being built).
    pub report_sha256: Option<String>,
    /// SHA-256 of its sites.geojson (`None`: the round being built).
    pub sites_sha256: Option<String>,
}

impl RoundInfo {
    fn of(r: &Round) -> RoundInfo {
        RoundInfo {
            dir: shown_dir(&r.dir).display().to_string(),
            title: r.meta.title.clone(),
            census_date: r.meta.census_date.clone(),
            working_crs: r.meta.working_crs.clone(),
            cell_size_m: r.meta.cell_size_m,
            aggregation: r.meta.aggregation.clone(),
            report_sha256: r.report_sha256.clone(),
            sites_sha256: r.sites_sha256.clone(),
        }
    }
}

/// What a comparison found: the `changes` section of report.json and `changes.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffSummary {
    /// The old round.
    pub old: RoundInfo,
    /// The new round.
    pub new: RoundInfo,
    /// The `moved` threshold (m).
    pub move_threshold_m: f64,
    /// The distance within which id-less sites of the same name are matched, in metres.
    pub name_match_m: f64,
    /// Sites per change kind.
    pub sites: SiteCounts,
    /// Districts per change kind.
    pub districts: AreaCounts,
    /// Management grids per change kind (`None`: not compared, see the notes).
    pub grids: Option<AreaCounts>,
    /// Regular cells per change kind (`None`: not compared, see the notes).
    pub cells: Option<AreaCounts>,
    /// Remarks: what was not compared and why, re-saved district files, other rules.
    pub notes: Vec<String>,
}

impl DiffSummary {
    /// The totals for the terminal: sites, districts, grids, cells, then the notes.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let s = &self.sites;
        let mut lines = vec![tr!(
            lang,
            "changes.sites",
            old = s.total_old,
            new_total = s.total_new,
            added = s.new,
            removed = s.removed,
            raised = s.raised,
            lowered = s.lowered,
            moved = s.moved,
            threshold = num(self.move_threshold_m),
            district_changed = s.district_changed,
            grid_changed = s.grid_changed.map(|g| tr!(lang, "changes.grid_changed", n = g)).unwrap_or_default(),
            id_reused = s.id_reused,
            unmatched = s.unmatched
        )];
        if s.matched_by_name > 0 {
            lines.push(tr!(lang, "changes.matched_by_name", n = s.matched_by_name, m = num(self.name_match_m)));
        }
        let area_line = |what: &str, c: &AreaCounts| {
            tr!(
                lang,
                "changes.areas",
                what = tr!(lang, what),
                raised = c.raised,
                lowered = c.lowered,
                counts_changed = c.counts_changed
            )
        };
        lines.push(area_line("changes.districts", &self.districts));
        if let Some(g) = &self.grids {
            lines.push(area_line("changes.grids", g));
        }
        if let Some(c) = &self.cells {
            lines.push(area_line("changes.cells", c));
        }
        lines.extend(self.notes.iter().map(|n| tr!(lang, "changes.note", note = n)));
        lines
    }

    /// What `sisetu check` reports: reused ids, unmatched sites and the notes, one line each.
    pub fn problems(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if self.sites.id_reused > 0 {
            out.push(tr!(lang, "changes.problem_id_reused", n = self.sites.id_reused));
        }
        if self.sites.unmatched > 0 {
            out.push(tr!(lang, "changes.problem_unmatched", n = self.sites.unmatched));
        }
        out.extend(self.notes.iter().cloned());
        out
    }
}

/// Two rounds compared: every change, the summary, and what the outputs and the map need.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// The changes sorted by scope (site, district, grid, cell), then sites by id key (old
    /// before new, then file and line), districts and grids by id, cells north first, then
    /// west first. Unchanged sites and areas are not listed.
    pub changes: Vec<Change>,
    /// The counts and notes.
    pub summary: DiffSummary,
    /// The new round's districts (the base of the change map).
    pub districts: Vec<RoundArea>,
    /// The new round's working CRS.
    pub work: Crs,
    /// The new round's regular grid.
    pub grid: RegularGrid,
    /// The options compared with.
    pub options: DiffOptions,
}

/// Compares `old` with `new`. Errors: a negative or non-finite move threshold, rounds built
/// from different district boundaries, a new round whose working CRS or cell size is unusable.
pub fn compare(old: &Round, new: &Round, opts: &DiffOptions) -> Result<ChangeSet> {
    if !(opts.move_threshold_m.is_finite() && opts.move_threshold_m >= 0.0) {
        crate::input_error!(
            "move threshold {} m: use a distance in metres of 0 or more (default 100)",
            opts.move_threshold_m
        );
    }
    if let Err(first) = same_districts(&old.districts, &new.districts) {
        crate::input_error!(
            "the two rounds were built from different district layers ({} and {}): {first}. A diff needs the same \
             boundaries: rebuild the old round with the new district file (set [districts] path in its project to \
             the new file and run `sisetu build` for it), then run the diff again",
            shown_dir(&old.dir).join("districts.geojson").display(),
            shown_dir(&new.dir).join("districts.geojson").display()
        );
    }
    let work: Crs = new
        .meta
        .working_crs
        .parse()
        .map_err(|e| Error::input(format!("{}: report.json working_crs: {e}", new.dir.display())))?;
    let grid = RegularGrid::new(new.meta.cell_size_m).ok_or_else(|| {
        Error::input(format!("{}: report.json: bad cell_size_m {}", new.dir.display(), new.meta.cell_size_m))
    })?;

    let mut notes = round_notes(old, new);
    let grids_compared = old.grids.is_some() && new.grids.is_some();
    let cells_compared = same_cells(&old.meta, &new.meta);
    let (site_rows, sites) = compare_sites(&old.sites, &new.sites, opts, grids_compared);
    let (district_rows, districts) = compare_areas(Scope::District, &old.districts, &new.districts);
    let (grid_rows, grids) = match (&old.grids, &new.grids) {
        (Some(o), Some(n)) => {
            notes.extend(grid_layer_note(o, n));
            let (r, c) = compare_areas(Scope::Grid, o, n);
            (r, Some(c))
        }
        _ => (Vec::new(), None),
    };
    let (cell_rows, cells) = if cells_compared {
        let (r, c) = compare_areas(Scope::Cell, &old.cells, &new.cells);
        (r, Some(c))
    } else {
        (Vec::new(), None)
    };
    let summary = DiffSummary {
        old: RoundInfo::of(old),
        new: RoundInfo::of(new),
        move_threshold_m: opts.move_threshold_m,
        name_match_m: opts.name_match_m,
        sites,
        districts,
        grids,
        cells,
        notes,
    };
    Ok(ChangeSet {
        changes: site_rows.into_iter().chain(district_rows).chain(grid_rows).chain(cell_rows).collect(),
        summary,
        districts: new.districts.clone(),
        work,
        grid,
        options: *opts,
    })
}

/// Cells are compared when both rounds use the same cell size in the same working CRS.
fn same_cells(old: &RoundMeta, new: &RoundMeta) -> bool {
    old.cell_size_m == new.cell_size_m && old.working_crs == new.working_crs
}

/// The notes on the two rounds themselves: the same folder, re-saved district files, other
/// aggregation rules, what is not compared.
fn round_notes(old: &Round, new: &Round) -> Vec<String> {
    let mut notes = Vec::new();
    if shown_dir(&old.dir) == shown_dir(&new.dir) {
        notes.push(format!("the old and the new round are the same folder ({})", shown_dir(&old.dir).display()));
    }
    if old.meta.districts_sha256 != new.meta.districts_sha256 {
        notes.push(
            "the district files differ by SHA-256 but have the same ids and boundaries (a re-saved file)".to_string(),
        );
    }
    if old.meta.aggregation != new.meta.aggregation {
        notes.push(format!(
            "the rounds use different aggregation rules (old: {}; new: {}): area levels are not comparable one to one",
            old.meta.aggregation, new.meta.aggregation
        ));
    }
    match (&old.grids, &new.grids) {
        (Some(_), Some(_)) | (None, None) => {}
        (Some(_), None) => notes.push(
            "management grids are not compared: only the old round has a management-grid layer (grids.geojson)".into(),
        ),
        (None, Some(_)) => notes.push(
            "management grids are not compared: only the new round has a management-grid layer (grids.geojson)".into(),
        ),
    }
    if !same_cells(&old.meta, &new.meta) {
        notes.push(format!(
            "regular cells are not compared: the rounds use different grids (old: {} m cells in {}; new: {} m \
             cells in {})",
            num(old.meta.cell_size_m),
            old.meta.working_crs,
            num(new.meta.cell_size_m),
            new.meta.working_crs
        ));
    }
    notes
}

/// A note when the two management-grid layers do not have the same ids.
fn grid_layer_note(old: &[RoundArea], new: &[RoundArea]) -> Option<String> {
    let only = |a: &[RoundArea], b: &[RoundArea]| {
        let ids: BTreeSet<&str> = b.iter().map(|x| x.id.as_str()).collect();
        a.iter().filter(|x| !ids.contains(x.id.as_str())).count()
    };
    let (oo, on) = (only(old, new), only(new, old));
    (oo + on > 0).then(|| {
        format!("the management-grid layers differ: {oo} grids only in the old round, {on} only in the new round")
    })
}

/// `100` for 100.0, `12.5` for 12.5.
pub(crate) fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Rank of an area level: no sites lowest, then blue … red.
fn rank(l: Option<RiskLevel>) -> u8 {
    l.map_or(0, |l| 4 - l.index() as u8)
}

/// `raised` / `lowered` for a change of level, `None` when it is the same.
fn level_change(old: Option<RiskLevel>, new: Option<RiskLevel>) -> Option<Kind> {
    match rank(new).cmp(&rank(old)) {
        std::cmp::Ordering::Greater => Some(Kind::Raised),
        std::cmp::Ordering::Less => Some(Kind::Lowered),
        std::cmp::Ordering::Equal => None,
    }
}

// ---------------------------------------------------------------------------------------
// Sites.

/// Per non-empty id key: the first row with it, the number of rows, and whether the build
/// flagged any of them as a duplicate id.
#[derive(Clone, Copy)]
struct KeyUse {
    first: usize,
    rows: u32,
    flagged: bool,
}

/// The id key of every site (borrowed when the id already is its key).
fn id_keys(sites: &[RoundSite]) -> Vec<Cow<'_, str>> {
    use rayon::prelude::*;
    sites.par_iter().with_min_len(4096).map(|s| id_key_cow(&s.id)).collect()
}

fn key_index<'k>(keys: &'k [Cow<'k, str>], sites: &[RoundSite]) -> FxHashMap<&'k str, KeyUse> {
    let mut m: FxHashMap<&str, KeyUse> = FxHashMap::default();
    m.reserve(keys.len());
    for (i, k) in keys.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
        let e = m.entry(k.as_ref()).or_insert(KeyUse { first: i, rows: 0, flagged: false });
        e.rows += 1;
        e.flagged |= sites[i].duplicate_id;
    }
    m
}

/// Site rows sort by (id key, side: 0 = old or matched, 1 = new, source, line).
type SiteSortKey<'a> = (String, u8, &'a str, u64);

/// The id keys of both rounds and where each is used.
struct Matcher<'a> {
    new: &'a [RoundSite],
    old_ix: FxHashMap<&'a str, KeyUse>,
    new_ix: FxHashMap<&'a str, KeyUse>,
    grids: bool,
}

fn place(s: &RoundSite) -> String {
    let at = if s.source.is_empty() { String::new() } else { format!("{} ", s.source) };
    format!("{at}line {}", s.line)
}

impl<'a> Matcher<'a> {
    fn uses(ix: &FxHashMap<&str, KeyUse>, k: &str) -> u32 {
        ix.get(k).map_or(0, |u| u.rows)
    }

    /// Whether a site with key `k` can be matched: a non-empty id that neither round has on
    /// several rows (or flagged as repeated by its build).
    fn usable(&self, k: &str) -> bool {
        let bad = |u: Option<&KeyUse>| u.is_some_and(|u| u.rows > 1 || u.flagged);
        !k.is_empty() && !bad(self.old_ix.get(k)) && !bad(self.new_ix.get(k))
    }

    /// A site on one side only: new, removed or unmatched.
    fn lone(&self, s: &RoundSite, old_side: bool, kind: Kind, note: String) -> Change {
        let side = |v: &str| if old_side { [v.to_string(), String::new()] } else { [String::new(), v.to_string()] };
        Change {
            scope: Scope::Site,
            id: s.id.clone(),
            name: s.name.clone(),
            kinds: vec![kind],
            level_old: old_side.then_some(s.level),
            level_new: (!old_side).then_some(s.level),
            district: side(&s.district),
            grid: if self.grids { side(&s.grid) } else { Default::default() },
            moved_m: None,
            counts: None,
            name_old: String::new(),
            geom: ChangeGeom::Point(s.lon, s.lat),
            note,
        }
    }

    fn unmatched_note(&self, s: &RoundSite, k: &str, old_side: bool) -> String {
        let round = if old_side { "old" } else { "new" };
        if k.is_empty() {
            format!("no id in the {round} round ({}): cannot be matched", place(s))
        } else {
            format!(
                "id used by {} rows in the old round and {} in the new round ({round} round, {}): cannot be matched",
                Self::uses(&self.old_ix, k),
                Self::uses(&self.new_ix, k),
                place(s)
            )
        }
    }

    /// The old round's site `s` with key `k`: unmatched, removed, or compared with its match.
    fn old_site(
        &self,
        s: &'a RoundSite,
        k: &str,
        opts: &DiffOptions,
        c: &mut SiteCounts,
    ) -> Option<(SiteSortKey<'a>, Change)> {
        if !self.usable(k) {
            c.unmatched += 1;
            let row = self.lone(s, true, Kind::Unmatched, self.unmatched_note(s, k, true));
            return Some(((k.to_string(), 0, &s.source, s.line), row));
        }
        let Some(j) = self.new_ix.get(k).map(|u| u.first) else {
            c.removed += 1;
            return Some(((k.to_string(), 0, &s.source, s.line), self.lone(s, true, Kind::Removed, String::new())));
        };
        let n = &self.new[j];
        compare_pair(s, n, opts, self.grids, c).map(|row| ((k.to_string(), 0, n.source.as_str(), n.line), row))
    }

    /// The new round's site `s` with key `k`: unmatched or new (matched ones were compared
    /// from the old side).
    fn new_site(&self, s: &'a RoundSite, k: &str, c: &mut SiteCounts) -> Option<(SiteSortKey<'a>, Change)> {
        let key = || (k.to_string(), 1, s.source.as_str(), s.line);
        if !self.usable(k) {
            c.unmatched += 1;
            Some((key(), self.lone(s, false, Kind::Unmatched, self.unmatched_note(s, k, false))))
        } else if !self.old_ix.contains_key(k) {
            c.new += 1;
            Some((key(), self.lone(s, false, Kind::New, String::new())))
        } else {
            None
        }
    }
}

/// Compares a matched pair; `None` when nothing changed. A pair whose names differ after
/// [`normalize_name`] is one `id_reused` row, not compared further.
fn compare_pair(s: &RoundSite, n: &RoundSite, opts: &DiffOptions, grids: bool, c: &mut SiteCounts) -> Option<Change> {
    c.matched += 1;
    let (a, b) = (normalize_name(&s.name), normalize_name(&n.name));
    let mut row = Change {
        scope: Scope::Site,
        id: n.id.clone(),
        name: n.name.clone(),
        kinds: Vec::new(),
        level_old: Some(s.level),
        level_new: Some(n.level),
        district: [s.district.clone(), n.district.clone()],
        grid: if grids { [s.grid.clone(), n.grid.clone()] } else { Default::default() },
        moved_m: None,
        counts: None,
        name_old: if s.name != n.name { s.name.clone() } else { String::new() },
        geom: ChangeGeom::Point(n.lon, n.lat),
        note: String::new(),
    };
    if !a.is_empty() && !b.is_empty() && a != b {
        c.id_reused += 1;
        row.kinds.push(Kind::IdReused);
        row.note = "same id, different name: a different enterprise; not compared".into();
        return Some(row);
    }
    if let Some(kind) = level_change(Some(s.level), Some(n.level)) {
        row.kinds.push(kind);
        if kind == Kind::Raised {
            c.raised += 1;
        } else {
            c.lowered += 1;
        }
    }
    let d = sisetu_core::distance::geodesic_m((s.lon, s.lat), (n.lon, n.lat));
    if d > opts.move_threshold_m {
        row.kinds.push(Kind::Moved);
        row.moved_m = Some(d);
        c.moved += 1;
    }
    if s.district != n.district {
        row.kinds.push(Kind::DistrictChanged);
        c.district_changed += 1;
    }
    if grids && s.grid != n.grid {
        row.kinds.push(Kind::GridChanged);
        if let Some(g) = c.grid_changed.as_mut() {
            *g += 1;
        }
    }
    if row.kinds.is_empty() {
        c.unchanged += 1;
        return None;
    }
    Some(row)
}

/// The sites without an id on both sides that are one site: (old index → new index) for every
/// name (after [`normalize_name`]) that one id-less site has on each side, the two within
/// `max_m` metres of each other.
fn name_pairs(
    old: &[RoundSite],
    old_keys: &[Cow<'_, str>],
    new: &[RoundSite],
    new_keys: &[Cow<'_, str>],
    max_m: f64,
) -> FxHashMap<usize, usize> {
    fn by_name(sites: &[RoundSite], keys: &[Cow<'_, str>]) -> FxHashMap<String, Vec<usize>> {
        let mut m: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, (s, k)) in sites.iter().zip(keys).enumerate() {
            let name = normalize_name(&s.name);
            if k.is_empty() && !name.is_empty() {
                m.entry(name).or_default().push(i);
            }
        }
        m
    }
    let (old_names, new_names) = (by_name(old, old_keys), by_name(new, new_keys));
    let mut pairs = FxHashMap::default();
    for (name, o) in &old_names {
        if let (&[i], Some(&[j])) = (o.as_slice(), new_names.get(name).map(Vec::as_slice)) {
            let d = sisetu_core::distance::geodesic_m((old[i].lon, old[i].lat), (new[j].lon, new[j].lat));
            if d <= max_m {
                pairs.insert(i, j);
            }
        }
    }
    pairs
}

/// Compares the sites of two rounds; rows sorted by id key, then old before new, source, line.
fn compare_sites(old: &[RoundSite], new: &[RoundSite], opts: &DiffOptions, grids: bool) -> (Vec<Change>, SiteCounts) {
    let (old_keys, new_keys) = rayon::join(|| id_keys(old), || id_keys(new));
    let (old_ix, new_ix) = rayon::join(|| key_index(&old_keys, old), || key_index(&new_keys, new));
    let m = Matcher { new, old_ix, new_ix, grids };
    let mut c = SiteCounts {
        total_old: old.len() as u64,
        total_new: new.len() as u64,
        grid_changed: grids.then_some(0),
        ..Default::default()
    };
    let by_name = name_pairs(old, &old_keys, new, &new_keys, opts.name_match_m);
    let mut paired_new = vec![false; new.len()];
    let mut keyed: Vec<(SiteSortKey, Change)> = Vec::new();
    for (i, (s, k)) in old.iter().zip(&old_keys).enumerate() {
        if let Some(&j) = by_name.get(&i) {
            paired_new[j] = true;
            c.matched_by_name += 1;
            let n = &new[j];
            let key = (format!("\u{10FFFF}{}", normalize_name(&n.name)), 0, n.source.as_str(), n.line);
            keyed.extend(compare_pair(s, n, opts, grids, &mut c).map(|mut row| {
                row.note = "matched by name and location (no id)".into();
                (key, row)
            }));
            continue;
        }
        keyed.extend(m.old_site(s, k, opts, &mut c));
    }
    for ((s, k), paired) in new.iter().zip(&new_keys).zip(&paired_new) {
        if !paired {
            keyed.extend(m.new_site(s, k, &mut c));
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    (keyed.into_iter().map(|(_, r)| r).collect(), c)
}

// ---------------------------------------------------------------------------------------
// Areas.

/// Compares two area layers by id; rows sorted by id (cells: row descending, column).
fn compare_areas(scope: Scope, old: &[RoundArea], new: &[RoundArea]) -> (Vec<Change>, AreaCounts) {
    let mut pairs: BTreeMap<&str, (Option<&RoundArea>, Option<&RoundArea>)> = BTreeMap::new();
    for a in old {
        pairs.entry(&a.id).or_default().0 = Some(a);
    }
    for a in new {
        pairs.entry(&a.id).or_default().1 = Some(a);
    }
    let mut c = AreaCounts { total_old: old.len() as u64, total_new: new.len() as u64, ..Default::default() };
    let mut rows = Vec::new();
    for (id, (o, n)) in pairs {
        let (lo, ln) = (o.and_then(|a| a.level), n.and_then(|a| a.level));
        let (co, cn) = (o.map_or([0; 4], |a| a.counts), n.map_or([0; 4], |a| a.counts));
        let kind = match level_change(lo, ln) {
            Some(k) => k,
            None if co != cn => Kind::CountsChanged,
            None => {
                c.unchanged += 1;
                continue;
            }
        };
        match kind {
            Kind::Raised => c.raised += 1,
            Kind::Lowered => c.lowered += 1,
            _ => c.counts_changed += 1,
        }
        let Some(area) = n.or(o) else { continue };
        let name_old = match (o, n) {
            (Some(o), Some(n)) if o.name != n.name => o.name.clone(),
            _ => String::new(),
        };
        rows.push(Change {
            scope,
            id: id.to_string(),
            name: area.name.clone(),
            kinds: vec![kind],
            level_old: lo,
            level_new: ln,
            district: Default::default(),
            grid: Default::default(),
            moved_m: None,
            counts: Some([co, cn]),
            name_old,
            geom: match area.cell {
                Some(cell) => ChangeGeom::Cell(cell),
                None => ChangeGeom::Area(area.geometry.clone()),
            },
            note: String::new(),
        });
    }
    if scope == Scope::Cell {
        rows.sort_by_key(|r| match r.geom {
            ChangeGeom::Cell(c) => (std::cmp::Reverse(c.row), c.col),
            _ => (std::cmp::Reverse(i64::MIN), i64::MIN),
        });
    }
    (rows, c)
}

/// Largest coordinate difference (degrees) between boundaries treated as the same: about
/// 10 cm, so that a re-saved file with other rounding still compares equal.
const SAME_BOUNDARY_DEG: f64 = 1e-6;

/// A ring's vertices without the closing one.
fn open_ring(r: &LineString<f64>) -> &[Coord<f64>] {
    let v = &r.0;
    if v.len() > 1 && v[0] == v[v.len() - 1] {
        &v[..v.len() - 1]
    } else {
        v
    }
}

/// Rings are the same when they have the same vertices in the same cyclic order, in either
/// direction and from any starting vertex (a re-saved file may rotate or reverse them).
fn same_ring(r: &LineString<f64>, s: &LineString<f64>) -> bool {
    let near = |p: &Coord<f64>, q: &Coord<f64>| {
        (p.x - q.x).abs() <= SAME_BOUNDARY_DEG && (p.y - q.y).abs() <= SAME_BOUNDARY_DEG
    };
    let (a, b) = (open_ring(r), open_ring(s));
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n == 0 {
        return true;
    }
    (0..n)
        .filter(|&k| near(&a[0], &b[k]))
        .any(|k| (0..n).all(|i| near(&a[i], &b[(k + i) % n])) || (0..n).all(|i| near(&a[i], &b[(k + n - i) % n])))
}

fn same_geometry(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    a.0.len() == b.0.len()
        && a.0.iter().zip(&b.0).all(|(p, q)| {
            same_ring(p.exterior(), q.exterior())
                && p.interiors().len() == q.interiors().len()
                && p.interiors().iter().zip(q.interiors()).all(|(r, s)| same_ring(r, s))
        })
}

/// `Err(description of the first district that differs)` unless both layers have the same
/// ids and boundaries (in the new layer's order, then the old-only ids).
fn same_districts(old: &[RoundArea], new: &[RoundArea]) -> std::result::Result<(), String> {
    let old_by_id: BTreeMap<&str, &RoundArea> = old.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|a| a.id.as_str()).collect();
    for n in new {
        match old_by_id.get(n.id.as_str()) {
            None => return Err(format!("district {} ({}) is only in the new round", n.id, n.name)),
            Some(o) if !same_geometry(&o.geometry, &n.geometry) => {
                return Err(format!("district {} ({}) has a different boundary", n.id, n.name))
            }
            Some(_) => {}
        }
    }
    match old.iter().find(|o| !new_ids.contains(o.id.as_str())) {
        Some(o) => Err(format!("district {} ({}) is only in the old round", o.id, o.name)),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
