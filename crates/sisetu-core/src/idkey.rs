//! Matching keys of census ids and names.
//!
//! 统一社会信用代码 and enterprise names are typed in many ways: full-width letters and
//! digits, ideographic spaces, zero-width characters, lower case. Two ids are the same
//! site when their [`id_key`]s are equal; a build flags repeated ids and a comparison of
//! census rounds matches sites by the same key, so the two always agree.
//!
//! ```
//! use sisetu_core::idkey::{id_key, normalize_name};
//! assert_eq!(id_key("９１６５ 01ab"), "916501AB");
//! assert_eq!(normalize_name("华为（乌鲁木齐）"), "华为(乌鲁木齐)");
//! ```

/// Folds a name for comparison, like NFKC for the characters census tables mix: full-width
/// ASCII (U+FF01–FF5E, including the parentheses （）) becomes ASCII, and all whitespace
/// (including the ideographic space U+3000) and zero-width characters are removed.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The matching key of an id: [`normalize_name`] upper-cased (统一社会信用代码 are
/// case-insensitive).
pub fn id_key(id: &str) -> String {
    normalize_name(id).to_uppercase()
}

/// [`id_key`] without allocating for ids that are already keys (upper-case printable ASCII).
/// The build flags duplicate ids by this key too, so that a build and a diff agree on which
/// ids are repeated.
pub fn id_key_cow(id: &str) -> std::borrow::Cow<'_, str> {
    if id.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase()) {
        std::borrow::Cow::Borrowed(id)
    } else {
        std::borrow::Cow::Owned(id_key(id))
    }
}
