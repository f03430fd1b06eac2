//! Text encodings of census files: UTF-8, UTF-8 with BOM, GBK (GB18030) and UTF-16 with a
//! byte-order mark.
//!
//! Detection (`TextEncoding::Auto`, [`decode_full`]):
//!
//! 1. A BOM decides: `EF BB BF` is UTF-8, `FF FE` UTF-16LE and `FE FF` UTF-16BE (Excel's
//!    "Unicode text" export). UTF-16 without a BOM (recognised by its NUL bytes: many NULs,
//!    nearly all on even or nearly all on odd offsets) is an error that says how to re-save
//!    the file; so is any other text with NUL bytes, which no census text has.
//! 2. Bytes that validate as UTF-8 as a whole are UTF-8.
//! 3. Otherwise each physical line (ended by CR, LF or CRLF) is looked at on its own. A line is
//!    a *UTF-8 line* when it is valid UTF-8, holds non-ASCII text, and all of that text is
//!    CJK ideographs, CJK or full-width punctuation, or general punctuation (GBK bytes that
//!    happen to be valid UTF-8 decode to Latin, Greek or Cyrillic letters instead, so they do
//!    not qualify). When there is no UTF-8 line, the file is GBK (decoded as GB18030).
//! 4. When there are UTF-8 lines and also lines that are not UTF-8 but are valid GBK, the file
//!    **mixes encodings** (two exports joined, typically): every line is decoded in its own
//!    encoding, [`Detected::Mixed`] is reported, and [`Decoded::warning`] names the lines of
//!    the less common encoding, for the report and the terminal. No line is decoded in the
//!    other line's encoding, so no mojibake is ever accepted.
//! 5. Lines valid in neither encoding are decoded with U+FFFD for the bad bytes (damaged): the
//!    readers reject the rows that hold them, each with its line.
//!
//! A forced encoding (`encoding = "utf-8"` / `"gbk"` in the project file) is strict: the first
//! byte that is not valid in it is an error naming its line. GBK text that happens to be valid
//! UTF-8 as a whole is vanishingly rare for real Chinese text; forcing `gbk` reads such a file.

use std::borrow::Cow;

/// How a text file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    /// Detect: BOM, then UTF-8 validation, then GBK.
    #[default]
    Auto,
    /// UTF-8, with or without BOM.
    #[serde(alias = "utf-8", alias = "utf8")]
    Utf8,
    /// GBK / GB2312 / GB18030 (decoded as GB18030, a superset).
    #[serde(alias = "gb18030", alias = "gb2312", alias = "cp936")]
    Gbk,
}

impl TextEncoding {
    /// Parses `utf-8`, `utf8`, `gbk`, `gb2312`, `gb18030`, `cp936`, `936`, `auto`.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        match label.trim().trim_start_matches('\u{feff}').to_ascii_lowercase().as_str() {
            "auto" | "" => Some(TextEncoding::Auto),
            "utf-8" | "utf8" | "65001" => Some(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" | "936" | "ansi 936" => Some(TextEncoding::Gbk),
            _ => None,
        }
    }
}

/// The encoding a file turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detected {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// GBK / GB18030.
    Gbk,
    /// Mostly UTF-8, with bytes that are neither UTF-8 nor GBK (decoded as U+FFFD).
    Utf8Damaged,
    /// Mostly GBK, with bytes that are neither GBK nor UTF-8 (decoded as U+FFFD).
    GbkDamaged,
    /// UTF-16, little-endian, with a byte-order mark (Excel's "Unicode text").
    Utf16le,
    /// UTF-16, big-endian, with a byte-order mark.
    Utf16be,
    /// Lines in UTF-8 and lines in GBK, each decoded in its own encoding (see the
    /// [module documentation](self)).
    Mixed,
}

impl Detected {
    /// True when some bytes could not be decoded and were replaced by U+FFFD: the rows
    /// holding them must be rejected, not read.
    pub fn is_damaged(self) -> bool {
        matches!(self, Detected::Utf8Damaged | Detected::GbkDamaged)
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DecodeError {
    /// Forced UTF-8 but the bytes are not.
    #[error(
        "line {line}: the file is not valid UTF-8 (bad byte at offset {offset}); if it is GBK, set encoding = \"gbk\""
    )]
    NotUtf8 {
        /// Byte offset of the first bad byte.
        offset: usize,
        /// Its line (1-based).
        line: usize,
    },
    /// UTF-16 without a byte-order mark (NUL bytes between the characters).
    #[error(
        "the file looks like UTF-16 text without a byte-order mark ({nuls} of its first {looked} bytes are NUL); \
         re-save it as \"CSV UTF-8\" (or as Excel's \"Unicode text\", which starts with a byte-order mark)"
    )]
    Utf16WithoutBom {
        /// NUL bytes found.
        nuls: usize,
        /// Bytes looked at.
        looked: usize,
    },
    /// NUL bytes in text that is not UTF-16.
    #[error("line {line}: the file holds NUL bytes (byte offset {offset}): it is not a text file; export the table as CSV (UTF-8)")]
    NulBytes {
        /// Byte offset of the first NUL.
        offset: usize,
        /// Its line (1-based).
        line: usize,
    },
    /// Forced GBK but the bytes are not.
    #[error("line {line}: the file is not valid GBK (bad byte at offset {offset}); if it is UTF-8, set encoding = \"utf-8\"")]
    NotGbk {
        /// Byte offset of the first bad byte.
        offset: usize,
        /// Its line (1-based).
        line: usize,
    },
}

/// UTF-8 validation with SIMD (several times faster than `std::str::from_utf8` on
/// Chinese text); the error gives the offset of the first bad byte.
fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| match simdutf8::compat::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(_) => 0,
    })
}

/// The physical line (1-based; CR, LF and CRLF each end one) of byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let before = &bytes[..offset.min(bytes.len())];
    let lf = memchr::memchr_iter(b'\n', before).count();
    let lone_cr = memchr::memchr_iter(b'\r', before).filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    1 + lf + lone_cr
}

/// Offset of the first byte GB18030 cannot decode, if any.
fn gbk_error_at(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3));
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => Some(read.saturating_sub(bad as usize)),
        _ => None,
    }
}

/// Decodes `bytes` to text, returning the text and the encoding found ([`decode_full`]
/// without the details).
pub fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(Cow<'_, str>, Detected), DecodeError> {
    decode_full(bytes, enc).map(|d| (d.text, d.detected))
}

/// Text decoded by [`decode_full`].
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The text (a BOM removed).
    pub text: Cow<'a, str>,
    /// The encoding found.
    pub detected: Detected,
    /// Some bytes could not be decoded and are U+FFFD: rows holding U+FFFD must be rejected.
    pub damaged: bool,
    /// For a file that mixes encodings: which lines are in which (for the report).
    pub warning: Option<crate::Note>,
}

/// Most line ranges a mixed-encoding warning lists.
const MAX_LISTED_RANGES: usize = 10;

/// Bytes looked at for the NUL pattern of UTF-16 without a BOM.
const NUL_SNIFF: usize = 4096;

/// Decodes `bytes` to text (see the [module documentation](self) for the rules).
///
/// * `Utf8` / `Gbk` (forced): strict; an error names the line of the first bad byte.
/// * `Auto`: BOM, then UTF-8 as a whole, then line by line (UTF-8 lines, GBK lines, mixed);
///   bytes valid in neither are decoded as U+FFFD and the result is marked damaged, so that
///   the rows holding them are rejected one by one, with their line, instead of failing the
///   whole file.
pub fn decode_full(bytes: &[u8], enc: TextEncoding) -> Result<Decoded<'_>, DecodeError> {
    let plain = |text, detected| Decoded { text, detected, damaged: false, warning: None };
    if enc == TextEncoding::Auto {
        for (bom, encoding, detected) in [
            (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, Detected::Utf16le),
            (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, Detected::Utf16be),
        ] {
            if let Some(rest) = bytes.strip_prefix(bom) {
                let (text, damaged) = encoding.decode_without_bom_handling(rest);
                return Ok(Decoded { text, detected, damaged, warning: None });
            }
        }
        check_nuls(bytes)?;
    }
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) if enc != TextEncoding::Gbk => (rest, 3),
        _ => (bytes, 0),
    };
    let not_utf8 = |at: usize| DecodeError::NotUtf8 { offset: at + bom, line: line_of(bytes, at + bom) };
    let utf8_kind = if bom == 3 { Detected::Utf8Bom } else { Detected::Utf8 };
    match enc {
        TextEncoding::Utf8 => utf8(body).map(|s| plain(Cow::Borrowed(s), utf8_kind)).map_err(not_utf8),
        TextEncoding::Gbk => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                let at = gbk_error_at(bytes).unwrap_or(0);
                return Err(DecodeError::NotGbk { offset: at, line: line_of(bytes, at) });
            }
            Ok(plain(text, Detected::Gbk))
        }
        TextEncoding::Auto => {
            if let Ok(s) = utf8(body) {
                return Ok(plain(Cow::Borrowed(s), utf8_kind));
            }
            let lines = physical_lines(body);
            if lines.iter().any(|&(s, e)| is_utf8_line(&body[s..e])) {
                if let Some(mixed) = decode_mixed(body, &lines) {
                    return Ok(mixed);
                }
            }
            let (gbk, gbk_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
            if !gbk_errors {
                return Ok(plain(gbk, Detected::Gbk));
            }
            let lossy = String::from_utf8_lossy(body);
            let count = |s: &str| s.matches('\u{FFFD}').count();
            let (text, detected) = if count(&lossy) <= count(&gbk) {
                (Cow::Owned(lossy.into_owned()), Detected::Utf8Damaged)
            } else {
                (Cow::Owned(gbk.into_owned()), Detected::GbkDamaged)
            };
            Ok(Decoded { text, detected, damaged: true, warning: None })
        }
    }
}

/// The NUL check of [`decode_full`]: UTF-16 without a BOM, or NUL bytes in text.
fn check_nuls(bytes: &[u8]) -> Result<(), DecodeError> {
    let Some(first) = memchr::memchr(0, bytes) else { return Ok(()) };
    let head = &bytes[..bytes.len().min(NUL_SNIFF)];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, _) in head.iter().enumerate().filter(|(_, &b)| b == 0) {
        if i % 2 == 0 {
            even += 1;
        } else {
            odd += 1;
        }
    }
    let nuls = even + odd;
    if nuls * 4 >= head.len() && (even * 10 <= nuls || odd * 10 <= nuls) {
        return Err(DecodeError::Utf16WithoutBom { nuls, looked: head.len() });
    }
    Err(DecodeError::NulBytes { offset: first, line: line_of(bytes, first) })
}

/// The physical lines of `bytes`: (start, end) with the line end included, so that the
/// pieces join to the whole.
fn physical_lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if i < start {
            continue; // the LF of a CRLF
        }
        let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
        lines.push((start, end));
        start = end;
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    lines
}

/// True when `c` is text a Chinese UTF-8 line holds: CJK ideographs, CJK and full-width
/// punctuation and forms, general punctuation, and the middle dot.
fn is_cjk_text(c: char) -> bool {
    matches!(c as u32,
        0xB7 | 0xD7 | 0xF7 | 0x2000..=0x206F | 0x2100..=0x218F | 0x2460..=0x24FF | 0x2E80..=0x2FDF
            | 0x3000..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
            | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// A UTF-8 line of the [module documentation](self): valid UTF-8, with non-ASCII text that
/// is all CJK text.
fn is_utf8_line(line: &[u8]) -> bool {
    if line.is_ascii() {
        return false;
    }
    utf8(line).is_ok_and(|s| s.chars().filter(|c| !c.is_ascii()).all(is_cjk_text))
}

/// The encoding of one line of a file that is not UTF-8 as a whole.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Ascii,
    Utf8,
    Gbk,
    Neither,
}

/// Decodes a file line by line when it has UTF-8 lines and GBK lines; `None` when it has
/// no GBK line (then it is damaged UTF-8, decoded as a whole). A BOM before `body` adds no
/// line, so the line numbers are the file's.
fn decode_mixed(body: &[u8], lines: &[(usize, usize)]) -> Option<Decoded<'static>> {
    let kinds: Vec<LineKind> = lines
        .iter()
        .map(|&(s, e)| {
            let line = &body[s..e];
            if line.is_ascii() {
                LineKind::Ascii
            } else if is_utf8_line(line) {
                LineKind::Utf8
            } else if !encoding_rs::GB18030.decode_without_bom_handling(line).1 {
                LineKind::Gbk
            } else {
                LineKind::Neither
            }
        })
        .collect();
    let count = |k: LineKind| kinds.iter().filter(|&&x| x == k).count();
    let (n_utf8, n_gbk) = (count(LineKind::Utf8), count(LineKind::Gbk));
    if n_gbk == 0 {
        return None;
    }
    let mut text = String::with_capacity(body.len() + body.len() / 2);
    let mut damaged = false;
    for (&(s, e), kind) in lines.iter().zip(&kinds) {
        let line = &body[s..e];
        match kind {
            LineKind::Ascii | LineKind::Utf8 => text.push_str(&String::from_utf8_lossy(line)),
            LineKind::Gbk => text.push_str(&encoding_rs::GB18030.decode_without_bom_handling(line).0),
            LineKind::Neither => {
                damaged = true;
                text.push_str(&String::from_utf8_lossy(line));
            }
        }
    }
    let (minority, name, other) =
        if n_gbk <= n_utf8 { (LineKind::Gbk, "GBK", "UTF-8") } else { (LineKind::Utf8, "UTF-8", "GBK") };
    let numbers: Vec<usize> = kinds.iter().enumerate().filter(|(_, &k)| k == minority).map(|(i, _)| i + 1).collect();
    let warning = crate::Note::new(
        if numbers.len() == 1 { "note.mixed_line" } else { "note.mixed_lines" },
        vec![("lines", line_ranges(&numbers)), ("name", name.to_string()), ("other", other.to_string())],
    );
    Some(Decoded { text: Cow::Owned(text), detected: Detected::Mixed, damaged, warning: Some(warning) })
}

/// `2, 5–9, 12` for sorted line numbers; at most [`MAX_LISTED_RANGES`] ranges, then `… (N
/// more lines)`.
fn line_ranges(numbers: &[usize]) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    let mut parts: Vec<String> = ranges
        .iter()
        .take(MAX_LISTED_RANGES)
        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") })
        .collect();
    if ranges.len() > MAX_LISTED_RANGES {
        let more: usize = ranges[MAX_LISTED_RANGES..].iter().map(|(a, b)| b - a + 1).sum();
        parts.push(format!("… ({more} more lines)"));
    }
    parts.join(", ")
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
