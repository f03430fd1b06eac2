//! sisetu-i18n: what sisetu says to a person, in Chinese (the default) or English.
//!
//! One catalogue per language, `locales/zh-CN.toml` and `locales/en.toml`, compiled into the
//! binary by [`rust_i18n`]; nothing is read at run time. Every text is looked up by key and a
//! [`Lang`] passed by the caller, never by a global setting, so that a build's bytes depend
//! only on its inputs and its `--lang`, whatever else runs in the same process.
//!
//! ```
//! use sisetu_i18n::{tr, Lang};
//! assert_eq!(tr!(Lang::Zh, "level.red"), "重大风险");
//! assert_eq!(tr!(Lang::En, "level.red"), "red");
//! assert_eq!(tr!(Lang::Zh, "term.outputs_in", dir = "out"), "输出目录：out");
//! ```
//!
//! **Placeholders** are written `%{name}` in the catalogues and filled by name; a test checks
//! that both catalogues have the same keys and each key the same placeholders.
//!
//! **What is not translated**: the keys and values of machine-readable outputs (GeoJSON,
//! GeoParquet, FlatGeobuf, `report.json`) stay the same in every language, so that scripts
//! keep working; the names in `docs/project-file.md` list both.

use std::borrow::Cow;
use std::fmt;

rust_i18n::i18n!("locales", fallback = "en");

/// The language of messages, table headers and values. Chinese unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 简体中文 (`zh`, `zh-CN`, `zh_CN.UTF-8`, `中文`): the default.
    #[default]
    Zh,
    /// English (`en`, `en-US`, `en_GB.UTF-8`, `english`).
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The catalogue's locale code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a language tag as `--lang` and `SISETU_LANG` take it: `zh`, `zh-CN`, `zh_CN.UTF-8`,
    /// `中文`, `en`, `en-US`, `english` (any case). `None` for anything else.
    pub fn parse(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        let base = t.split(['-', '_', '.']).next().unwrap_or("");
        match base {
            "zh" | "cn" | "chinese" | "中文" | "汉语" | "简体中文" => Some(Lang::Zh),
            "en" | "english" | "英文" | "英语" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text of `key` in `lang`, the English text when the Chinese one is missing, the key
/// itself when both are (a test keeps the catalogues complete).
pub fn text(lang: Lang, key: &str) -> Cow<'static, str> {
    Cow::Owned(try_text(lang, key).unwrap_or_else(|| key.to_string()))
}

/// The text of `key` in `lang` (or in English), `None` when neither catalogue has it.
pub fn try_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(Cow::into_owned)
}

/// The header of a table column: `col.<key>` in `lang`, the key itself when the catalogue has
/// none (categories, layer names). In English the header is the key.
pub fn column(lang: Lang, key: &str) -> String {
    try_text(lang, &format!("col.{key}")).unwrap_or_else(|| key.to_string())
}

/// The text of `key` in `lang` with each `%{name}` replaced by its value.
/// The template is read once, so a value that itself holds `%{…}` (a file name, a cell of
/// the census) is written as it is, never filled in again.
pub fn format(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let template = text(lang, key);
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest: &str = &template;
    while let Some(at) = rest.find("%{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) if args.iter().any(|(n, _)| *n == name) => {
                out.push_str(args.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str()));
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("%{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `tr!(lang, "key")` or `tr!(lang, "key", name = value, …)`: the text of `key` in `lang`,
/// each `%{name}` replaced by its value (anything that implements `Display`).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(,)?) => {
        $crate::text($lang, $key).into_owned()
    };
    ($lang:expr, $key:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::format($lang, $key, &[$((stringify!($name), ($value).to_string())),+])
    };
}

/// `是`/`否` or `yes`/`no`.
pub fn yes_no(lang: Lang, b: bool) -> String {
    text(lang, if b { "value.yes" } else { "value.no" }).into_owned()
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
