//! The name of every file a build writes, known before anything is computed, and the
//! rules those names obey:
//!
//! * **No two outputs share a name.** Names are compared as Windows and macOS compare them,
//!   ignoring case (`Map.png` and `map.png` are one file there), so a project that builds on
//!   Linux builds the same files everywhere. A clash is an [`Error::Output`] naming both
//!   writers (e.g. a `[[maps]] file = "changes.png"` beside `[previous]`, or a facility layer
//!   with `id = "grid_gap"` whose `grid_gaps.geojson` is the grid check's).
//! * **No output is an input.** An output folder may hold the inputs (`output = "."`), but
//!   no output may have the name of an input file in it (with a Shapefile's `.dbf`, `.shx`,
//!   `.prj` and `.cpg` beside its `.shp`).
//! * **Every file written was planned.** After the outputs are written, and before they
//!   replace the previous ones, [`OutputPlan::check_written`] makes sure that nothing outside
//!   the plan was written and nothing twice, so the plan cannot drift from the writers.
//!
//! The plan is the union of the core outputs ([`super::core_files`]), the maps
//! ([`crate::maps::planned_files`]) and each analysis's [`Analysis::outputs`]; a file that a
//! writer may skip (e.g. a zoomed map without its extent) is planned all the same.

use crate::analysis::Analysis;
use crate::error::{Error, Result};
pub use crate::planned::Planned;
use crate::project::Config;
use sisetu_io::crs::Crs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The output files of one build, checked for clashes.
#[derive(Debug, Clone)]
pub struct OutputPlan {
    /// By folded name (see [`fold`]).
    files: BTreeMap<String, Planned>,
}

/// A file name as case-insensitive file systems compare it.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

impl OutputPlan {
    /// The plan of a build of `cfg` whose districts have the ids `district_ids`, running
    /// `analyses`, in the working CRS `work`, with its census streamed or not (`streamed`).
    /// An error names the first two writers that would write one file.
    pub fn new(
        cfg: &Config,
        district_ids: &[&str],
        analyses: &[Box<dyn Analysis>],
        work: Crs,
        streamed: bool,
    ) -> Result<Self> {
        let all = super::core_files(cfg)
            .into_iter()
            .chain(crate::maps::planned_files(cfg, district_ids, work, streamed))
            .chain(analyses.iter().flat_map(|a| a.outputs(work)));
        let mut files: BTreeMap<String, Planned> = BTreeMap::new();
        for p in all {
            match files.get(&fold(&p.file)) {
                Some(first) if first.by == p.by && first.file == p.file => {}
                Some(first) => {
                    let same = if first.file == p.file {
                        format!("'{}'", p.file)
                    } else {
                        format!("'{}' and '{}' (one file where case is ignored, as on Windows)", first.file, p.file)
                    };
                    return Err(Error::output(format!(
                        "two outputs would be written as {same}: by {} and by {}; rename one of them in the project file",
                        first.by, p.by
                    )));
                }
                None => {
                    files.insert(fold(&p.file), p);
                }
            }
        }
        Ok(OutputPlan { files })
    }

    /// The planned files, by name (ignoring case).
    pub fn files(&self) -> impl Iterator<Item = &Planned> {
        self.files.values()
    }

    /// Fails when an output written into `out_dir` would replace one of `inputs` (role and
    /// path, e.g. `("[districts] path", "districts.geojson")`): the message names both and
    /// the fix.
    pub fn check_inputs(&self, out_dir: &Path, inputs: &[(String, PathBuf)]) -> Result<()> {
        for (role, path) in inputs {
            // The input as named, and the file it is (a link into the output folder).
            let real = path.canonicalize().ok();
            let named = [Some(path.as_path()), real.as_deref()];
            let hit = named.into_iter().flatten().find_map(|p| {
                let name = p.file_name().and_then(|n| n.to_str())?;
                let planned = self.files.get(&fold(name))?;
                let parent = p.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
                crate::paths::same_folder(parent, out_dir).then_some(planned)
            });
            if let Some(planned) = hit {
                return Err(Error::output(format!(
                    "the output {} (written by {}) would overwrite the input {} ({role}) in {}; set `output` in the project file (or --out) to another folder, e.g. output = \"out\"",
                    planned.file,
                    planned.by,
                    path.display(),
                    out_dir.display()
                )));
            }
        }
        Ok(())
    }

    /// Fails (an internal error: a writer and the plan disagree) when a file in `written`
    /// was not planned or is listed twice.
    pub fn check_written(&self, written: &[String]) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for w in written {
            if !seen.insert(fold(w)) {
                return Err(Error::internal(format!("the output {w} was written twice")));
            }
            if self.files.get(&fold(w)).is_none_or(|p| &p.file != w) {
                return Err(Error::internal(format!("the output {w} is not in the plan of outputs")));
            }
        }
        Ok(())
    }
}

/// Every input file of `cfg` with the project key that names it, for
/// [`OutputPlan::check_inputs`]: the layers, tables, fonts, and a Shapefile's companion
/// files.
pub fn input_files(cfg: &Config) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = vec![("[districts] path".into(), cfg.districts.0.path.clone())];
    if let Some((g, _)) = &cfg.management_grid {
        files.push(("[management_grid] path".into(), g.path.clone()));
    }
    for s in &cfg.sites {
        files.push(("[[sites]] path".into(), s.path.clone()));
    }
    if let Some(font) = &cfg.font {
        files.push(("[style] font".into(), font.clone()));
    }
    files.extend(crate::analysis::coverage::input_files(cfg));
    files.extend(crate::analysis::rules::input_files(cfg));
    let mut with_companions = Vec::new();
    for (role, path) in files {
        let is_shp = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp"));
        if is_shp {
            for ext in ["dbf", "shx", "prj", "cpg"] {
                with_companions.push((role.clone(), path.with_extension(ext)));
            }
        }
        with_companions.push((role, path));
    }
    with_companions
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
