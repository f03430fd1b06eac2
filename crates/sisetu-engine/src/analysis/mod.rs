//! The analyses run on the assigned census.
//!
//! An analysis is one module here with one [`Analysis`] implementation. The pipeline knows
//! them only through [`registry`]: it loads each one's own inputs with the other inputs
//! (before anything is computed), runs it on the [`Context`] of the assigned census, and
//! takes from its [`Findings`] the report section, the terminal lines, the problems for
//! `sisetu check`, the rejected rows, the output files and the maps. Adding an analysis
//! means: its module, its project-file section, and one line in [`registry`].
//!
//! Analyses compute; they never write. [`Findings::write`] and [`Findings::draw`] are called
//! only by `sisetu build`, never by `sisetu check`.

pub mod changes;
pub mod coverage;
pub mod grid_checks;
pub mod register;
pub mod rules;

pub use crate::context::{Context, LoadContext};
use crate::error::Result;
use crate::observer::Observer;
use sisetu_io::sites::Reject;
use sisetu_io::write::Staging;

/// The rows one input file of an analysis gave (population tables, facility lists …).
#[derive(Debug, Clone, Copy)]
pub struct InputRows<'a> {
    /// The file as named in the project.
    pub file: &'a str,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows that were kept.
    pub accepted: u64,
    /// Rows rejected, in file order (they go to `rejects.csv`).
    pub rejects: &'a [Reject],
    /// What the reader noticed about the file as a whole (a title row skipped, mixed
    /// encodings, worksheets skipped), not naming the file; printed when it is read.
    pub warnings: &'a [String],
}

/// One analysis with its own inputs loaded, ready to run.
pub trait Analysis: Send + Sync {
    /// Its name: the key of its section in report.json and the stage shown while it runs.
    fn name(&self) -> &'static str;

    /// The rows its own input files gave (none by default). The pipeline checks
    /// rows read = accepted + rejected for each before anything is computed.
    fn inputs(&self) -> Vec<InputRows<'_>> {
        Vec::new()
    }

    /// Whether it reads every site ([`crate::census::Census::iter`]); a census too large for
    /// memory is then not streamed. True unless the analysis says otherwise.
    fn needs_sites(&self) -> bool {
        true
    }

    /// Every file its findings may write or draw in a build in the working CRS `work`, with
    /// what writes it (the project section), for the
    /// [`OutputPlan`](crate::outputs::OutputPlan): checked for clashes before anything runs,
    /// and the files written are checked against it.
    fn outputs(&self, _work: sisetu_io::crs::Crs) -> Vec<crate::planned::Planned> {
        Vec::new()
    }

    /// Computes the findings. No file is read or written.
    fn run(&self, ctx: &Context, obs: &dyn Observer) -> Result<Box<dyn Findings>>;
}

/// What an analysis found.
pub trait Findings: Send + Sync {
    /// Its section of report.json (`None`: no section).
    fn section(&self) -> Option<serde_json::Value> {
        None
    }

    /// Summary lines for the terminal.
    fn lines(&self) -> Vec<String> {
        Vec::new()
    }

    /// Warnings for the terminal (printed after the lines).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    /// Problems for `sisetu check`, one line each.
    fn problems(&self) -> Vec<String> {
        Vec::new()
    }

    /// Features that break a rule: counted as problems by `sisetu build --strict` (exit
    /// code 1), as rejected rows are.
    fn violations(&self) -> u64 {
        0
    }

    /// Writes its tables and feature files into the staging folder; returns the file names.
    fn write(&self, _ctx: &Context, _stage: &mut Staging) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    /// Draws its maps into the staging folder; returns the file names (PNG, world files).
    fn draw(&self, _ctx: &Context, _stage: &mut Staging) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Loads the analyses the project asks for, each with its own inputs, in the order their
/// sections appear in report.json and their lines in the terminal.
pub type Loader = fn(&LoadContext, &dyn Observer) -> Result<Option<Box<dyn Analysis>>>;

/// Every analysis sisetu has. Order = report sections and terminal lines.
pub fn registry() -> Vec<(&'static str, Loader)> {
    vec![
        ("grid_checks", grid_checks::load),
        ("changes", changes::load),
        ("coverage", coverage::load),
        ("register", register::load),
        ("rules", rules::load),
    ]
}
