//! The commands that are not a build: `sisetu render` and `sisetu diff`.

use crate::analysis::changes::DiffOptions;
use crate::error::{Error, Result};
use crate::observer::Observer;
use crate::project::Config;
use sisetu_i18n::Lang;
use std::path::{Path, PathBuf};

/// `sisetu render`: redraws the project's maps from an earlier build's outputs.
pub fn render(project: &Path, out: Option<PathBuf>, progress: &dyn Observer) -> Result<Vec<String>> {
    let cfg = Config::load(project)?;
    if cfg.maps.is_empty() {
        return Err(Error::input(format!(
            "{}: the project has no [[maps]] entries to render; see docs/project-file.md",
            project.display()
        )));
    }
    let out = out.unwrap_or_else(|| cfg.output.clone());
    // Claimed before reading, so that no build replaces the outputs while they are read; a
    // folder that does not exist is the reader's error to explain.
    let claimed = if out.is_dir() { Some(sisetu_io::write::Staging::new(&out)?) } else { None };
    progress.stage("reading outputs");
    let (data, work) = crate::maps::load_map_data(&cfg, &out)?;
    let mut stage = match claimed {
        Some(s) => s,
        None => sisetu_io::write::Staging::new(&out)?,
    };
    progress.stage("rendering maps");
    // Read back from the outputs, the sites are all at hand: the standard sites map is drawn.
    let files = crate::maps::render_maps(&cfg, &data, work, false, &mut stage)?;
    stage.commit()?;
    Ok(files)
}

/// `sisetu diff`: compares two rounds' output folders and writes the change files
/// (`changes.csv`, `changes.geojson`, `changes.png` with its world file, `changes.json` and,
/// with a zoom extent, `changes_zoom.png`) to `out`; returns the summary lines. `project`
/// gives the map style, page and font.
pub fn diff(
    old: &Path,
    new: &Path,
    out: &Path,
    opts: DiffOptions,
    project: Option<&Path>,
    lang: Lang,
    progress: &dyn Observer,
) -> Result<Vec<String>> {
    use crate::analysis::changes::{compare, map, outputs, Round};
    for (what, dir) in [("OLD", old), ("NEW", new)] {
        if crate::paths::same_folder(out, dir) {
            return Err(Error::output(format!(
                "--out {} is the {what} round's folder: the change files would mix with that build's outputs; write them to a folder of their own",
                out.display()
            )));
        }
    }
    if out.join("report.json").is_file() {
        return Err(Error::output(format!(
            "--out {}: the folder holds a build's outputs (report.json); write the change files to a folder of their own",
            out.display()
        )));
    }
    let cfg = project.map(Config::load).transpose()?;
    progress.stage("reading the old round");
    let old_round = Round::load(old)?;
    progress.stage("reading the new round");
    let new_round = Round::load(new)?;
    progress.stage("comparing");
    let set = compare(&old_round, &new_round, &opts)?;
    drop((old_round, new_round));
    let mut stage = sisetu_io::write::Staging::new(out)?;
    outputs::write(&set, &mut stage, lang)?;
    map::draw(&set, cfg.as_ref(), &mut stage)?;
    let mut json = serde_json::to_vec_pretty(&set.summary)
        .map_err(|e| Error::internal(format!("changes.json cannot be serialised: {e}")))?;
    json.push(b'\n');
    sisetu_io::write::write_bytes(&stage.path("changes.json"), &json)?;
    stage.commit()?;
    Ok(set.summary.lines(lang))
}
