//! Notes on a file as a whole (a title row skipped above the header, worksheets skipped,
//! mixed text encodings): typed, so that the terminal says them in the person's language
//! while `report.json` keeps the English text whatever the language.

use sisetu_i18n::Lang;
use std::fmt;

/// A note on a file: a catalogue key (`note.*`) and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    key: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Note {
    /// The note `key` with its placeholders' values.
    pub fn new(key: &'static str, args: Vec<(&'static str, String)>) -> Note {
        Note { key, args }
    }

    /// Its catalogue key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The value of placeholder `name`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The text in `lang` (`Display` gives the English one, as `report.json` keeps it).
    pub fn text(&self, lang: Lang) -> String {
        sisetu_i18n::format(lang, self.key, &self.args)
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}
