//! Census-round changes: what changed since the previous census round (`[previous]` in the
//! project, or `sisetu diff OLD NEW`).
//!
//! * [`crate::round`]: a [`Round`], read from a finished build's output folder ([`Round::load`]: the
//!   previous round, and both rounds of `sisetu diff`) or taken from the census being built
//!   ([`Round::from_context`], with the values its written files would give).
//! * [`mod@compare`]: the comparison, a [`ChangeSet`] with its [`DiffSummary`]; no I/O.
//! * [`outputs`]: `changes.csv` (UTF-8 with a BOM, header [`CSV_HEADER`]; `change` lists the
//!   change kinds of the row joined with `;`) and `changes.geojson` (the same rows as features:
//!   sites as points at their new position, removed sites at their old one; areas as their
//!   polygons; WGS84 lon/lat at 1e-7°).
//! * [`map`]: `changes.png` with `.pgw`, `.prj` and `.png.aux.xml` (and `changes_zoom.png` of
//!   [`DiffOptions::zoom`]) in the new round's working CRS.
//!
//! In a build, [`load`] reads the previous round with the other inputs, the [`Analysis`] takes
//! the new round from the [`Context`] and compares, and its [`Findings`] give the `changes`
//! section of report.json, the terminal lines, the problems for `sisetu check`, the files and
//! the maps.
//!
//! # Sites
//!
//! Sites are matched by `id` (the 统一社会信用代码), compared after
//! [`sisetu_core::idkey::id_key`] (full-width ASCII folded, whitespace dropped, upper case: a
//! credit code is case-insensitive). Per matched site the change kinds are `raised` /
//! `lowered` (red > orange > yellow > blue), `moved` (geodesic distance on the WGS84 ellipsoid
//! above [`DiffOptions::move_threshold_m`]), `district_changed` and `grid_changed` (only when
//! both rounds have management grids). A matched pair whose names differ after
//! [`sisetu_core::idkey::normalize_name`] is a different enterprise under a reused id: one
//! `id_reused` row carrying both names, not compared for level or position. Sites only in
//! the new round are `new`, only in the old round `removed`. Sites without an id, or whose id
//! is used by more than one row in either round, cannot be matched: each is an `unmatched`
//! row with the reason in `note`, so that no site disappears silently.
//!
//! # Areas
//!
//! Districts by `id`, management grids by `id` (when both rounds have them) and regular cells
//! by `cell_id` (when both rounds use the same cell size and working CRS). An area is `raised`
//! or `lowered` when its level changes (an area without sites ranks below blue), and
//! `counts_changed` when its level is the same but its counts per level differ. Unchanged
//! areas are not written.
//!
//! The two rounds must have been built from the same district boundaries (same ids and
//! geometries; a re-saved district file is fine), else the comparison is an error. A
//! different aggregation rule is only a note.
//!
//! Rows are sorted by scope (site, district, grid, cell), then sites by id, districts and
//! grids by id, and cells by row (north first) and column. The outputs are byte-identical
//! whatever the number of threads.

pub mod compare;
pub mod map;
pub mod outputs;

pub use crate::round::{Round, RoundArea, RoundMeta, RoundSite};
pub use compare::{
    compare, AreaCounts, Change, ChangeGeom, ChangeSet, DiffSummary, Kind, RoundInfo, Scope, SiteCounts,
};
pub use outputs::CSV_HEADER;

use crate::analysis::{Analysis, Context, Findings, LoadContext};
use crate::error::{Result, ResultExt};
use crate::observer::Observer;
use sisetu_core::Extent;
use sisetu_i18n::{tr, Lang};
use sisetu_io::write::Staging;

/// Options of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffOptions {
    /// A matched site further than this (metres) from its old position is `moved`.
    pub move_threshold_m: f64,
    /// A second change map, `changes_zoom.png`, of this WGS84 extent (e.g. the urban core,
    /// where 500 m cells are specks on the whole-city map).
    pub zoom: Option<Extent>,
    /// Sites without an id in both rounds are matched when their names are the same (after
    /// [`sisetu_core::idkey::normalize_name`]) and they lie within this many metres, the name
    /// being used by one such site on each side.
    pub name_match_m: f64,
}

/// The default of [`DiffOptions::name_match_m`]: a site re-surveyed at the same gate, or
/// geocoded from its address again, lies well within it.
pub const NAME_MATCH_M: f64 = 200.0;

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { move_threshold_m: 100.0, zoom: None, name_match_m: NAME_MATCH_M }
    }
}

/// Loads the changes analysis when the project has a `[previous]` round: reads that round's
/// output folder now, with the other inputs. An output folder that is the previous round's
/// is an error (the build would replace the round it compares with).
pub fn load(ctx: &LoadContext, obs: &dyn Observer) -> Result<Option<Box<dyn Analysis>>> {
    Ok(load_previous(ctx, obs)?.map(|a| Box::new(a) as Box<dyn Analysis>))
}

fn load_previous(ctx: &LoadContext, obs: &dyn Observer) -> Result<Option<Changes>> {
    let cfg = ctx.cfg;
    let Some(prev) = &cfg.previous else { return Ok(None) };
    if crate::paths::same_folder(ctx.out_dir, &prev.output) {
        crate::input_error!(
            "{}: the output folder {} is the [previous] round's folder: this build would replace the round it compares with; write to another folder",
            cfg.project_file.display(),
            ctx.out_dir.display()
        );
    }
    obs.stage("reading the previous round");
    let previous =
        Round::load(&prev.output).with_context(|| format!("{}: [previous] output", cfg.project_file.display()))?;
    let options = DiffOptions { move_threshold_m: prev.move_m, zoom: prev.zoom, ..DiffOptions::default() };
    Ok(Some(Changes { previous, options }))
}

/// The changes analysis: the previous round, read; the new one comes from the context.
pub struct Changes {
    previous: Round,
    options: DiffOptions,
}

impl Changes {
    /// The analysis of `previous` against the round being built, with `options`.
    pub fn new(previous: Round, options: DiffOptions) -> Changes {
        Changes { previous, options }
    }

    /// Compares the previous round with the round being built.
    pub fn findings(&self, ctx: &Context) -> Result<ChangeFindings> {
        let new = Round::from_context(ctx)?;
        let set = compare(&self.previous, &new, &self.options).with_context(|| self.doing())?;
        Ok(ChangeFindings { set, doing: self.doing(), lang: ctx.cfg.lang })
    }

    fn doing(&self) -> String {
        format!("comparing with the previous round in {}", self.previous.dir.display())
    }
}

impl Analysis for Changes {
    fn name(&self) -> &'static str {
        "changes"
    }

    fn outputs(&self, work: sisetu_io::crs::Crs) -> Vec<crate::planned::Planned> {
        let maps = ["changes.png", "changes_zoom.png"].into_iter().flat_map(|m| crate::maps::map_files(m, work));
        ["changes.csv".to_string(), "changes.xlsx".to_string(), "changes.geojson".to_string()]
            .into_iter()
            .chain(maps)
            .map(|f| crate::planned::Planned::new(f, "the census-round changes of [previous]"))
            .collect()
    }

    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>> {
        for (file, layer) in ctx.census.files.iter().zip(&ctx.census.layers) {
            if !layer.columns_used.contains_key("id") {
                obs.warn(&tr!(
                    ctx.cfg.lang,
                    "changes.no_id_column",
                    file = file,
                    m = compare::num(self.options.name_match_m)
                ));
            }
        }
        Ok(Box::new(self.findings(ctx)?))
    }
}

/// What the changes analysis found.
pub struct ChangeFindings {
    /// The changes and their summary.
    pub set: ChangeSet,
    /// What the analysis was doing, for errors while writing and drawing.
    doing: String,
    /// The language of the terminal lines (the build's).
    lang: Lang,
}

impl Findings for ChangeFindings {
    fn section(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.set.summary).ok()
    }

    fn lines(&self) -> Vec<String> {
        self.set.summary.lines(self.lang)
    }

    fn problems(&self) -> Vec<String> {
        self.set.summary.problems(self.lang)
    }

    fn write(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        outputs::write(&self.set, stage, ctx.cfg.lang).context(&self.doing)
    }

    fn draw(&self, ctx: &Context, stage: &mut Staging) -> Result<Vec<String>> {
        map::draw(&self.set, Some(ctx.cfg), stage).context(&self.doing)
    }
}
