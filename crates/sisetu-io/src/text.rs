//! Text encodings of census files: UTF-8, UTF-8 with BOM, and GBK (GB18030).
//!
//! Detection (`TextEncoding::Auto`): a UTF-8 BOM means UTF-8; otherwise the bytes are
//! UTF-8 when they validate as UTF-8, and GBK (decoded as its superset GB18030) when they
//! do not. GBK text that happens to be valid UTF-8 is vanishingly rare for real Chinese
//! text; the project file can force an encoding for such a file.

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

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count()
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

/// Decodes `bytes` to text, returning the text and the encoding found.
///
/// * `Utf8` / `Gbk` (forced): strict; an error names the line of the first bad byte.
/// * `Auto`: UTF-8 (with or without BOM) when valid, else GBK when valid; when neither is,
///   the file is decoded with U+FFFD for the bad bytes in whichever of the two needs fewer
///   replacements, and reported as damaged so that the rows holding them are rejected
///   one by one, with their line, instead of failing the whole file.
pub fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(Cow<'_, str>, Detected), DecodeError> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) if enc != TextEncoding::Gbk => (rest, 3),
        _ => (bytes, 0),
    };
    let not_utf8 = |at: usize| DecodeError::NotUtf8 { offset: at + bom, line: line_of(bytes, at + bom) };
    let utf8_kind = if bom == 3 { Detected::Utf8Bom } else { Detected::Utf8 };
    match enc {
        TextEncoding::Utf8 => utf8(body).map(|s| (Cow::Borrowed(s), utf8_kind)).map_err(not_utf8),
        TextEncoding::Gbk => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                let at = gbk_error_at(bytes).unwrap_or(0);
                return Err(DecodeError::NotGbk { offset: at, line: line_of(bytes, at) });
            }
            Ok((text, Detected::Gbk))
        }
        TextEncoding::Auto => {
            if let Ok(s) = utf8(body) {
                return Ok((Cow::Borrowed(s), utf8_kind));
            }
            let (gbk, gbk_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
            if !gbk_errors {
                return Ok((gbk, Detected::Gbk));
            }
            let lossy = String::from_utf8_lossy(body);
            let count = |s: &str| s.matches('\u{FFFD}').count();
            if count(&lossy) <= count(&gbk) {
                Ok((Cow::Owned(lossy.into_owned()), Detected::Utf8Damaged))
            } else {
                Ok((Cow::Owned(gbk.into_owned()), Detected::GbkDamaged))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bom_utf8_and_gbk() {
        let (t, d) = decode("经度,纬度".as_bytes(), TextEncoding::Auto).unwrap();
        assert_eq!((t.as_ref(), d), ("经度,纬度", Detected::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("名称".as_bytes());
        let (t, d) = decode(&bom, TextEncoding::Auto).unwrap();
        assert_eq!((t.as_ref(), d), ("名称", Detected::Utf8Bom));
        let (gbk, _, _) = encoding_rs::GBK.encode("企业名称,风险等级");
        let (t, d) = decode(&gbk, TextEncoding::Auto).unwrap();
        assert_eq!((t.as_ref(), d), ("企业名称,风险等级", Detected::Gbk));
        assert!(matches!(decode(&gbk, TextEncoding::Utf8), Err(DecodeError::NotUtf8 { offset: 0, line: 1 })));
        let e = decode(b"a,b\n\xFF\xFF\n", TextEncoding::Gbk).unwrap_err();
        assert!(matches!(e, DecodeError::NotGbk { line: 2, .. }), "{e:?}");
        // Neither encoding: decoded with replacements, reported as damaged.
        let damaged: Vec<u8> = "名称\n".as_bytes().iter().chain(b"\xFF\xFF\n").copied().collect();
        let (t, d) = decode(&damaged, TextEncoding::Auto).unwrap();
        assert_eq!(d, Detected::Utf8Damaged);
        assert!(t.starts_with("名称\n") && t.contains('\u{FFFD}'));
        assert!(d.is_damaged() && !Detected::Gbk.is_damaged());
        assert_eq!(TextEncoding::from_label("CP936"), Some(TextEncoding::Gbk));
        assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("latin1"), None);
    }
}
