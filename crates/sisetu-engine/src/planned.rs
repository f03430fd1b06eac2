//! One planned output file and what writes it: what the writers of outputs (the build, the
//! maps, each analysis) declare before anything runs, for the plan of
//! [`crate::outputs::plan`]. A leaf module, so that every writer can name its files without
//! depending on the plan.

/// One planned output file and what writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The file name (no folder).
    pub file: String,
    /// What writes it, as the user would find it in the project file (e.g.
    /// `[[maps]] file = "map.png"`, `the grid checks`).
    pub by: String,
}

impl Planned {
    /// `file`, written by `by`.
    pub fn new(file: impl Into<String>, by: impl Into<String>) -> Self {
        Planned { file: file.into(), by: by.into() }
    }
}
