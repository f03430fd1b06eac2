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
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DecodeError {
    /// Forced UTF-8 but the bytes are not.
    #[error("the file is not valid UTF-8 (first bad byte at offset {0}); if it is GBK, set encoding = \"gbk\"")]
    NotUtf8(usize),
    /// Neither UTF-8 nor GBK.
    #[error("the file is neither UTF-8 nor GBK (undecodable bytes); re-export it as UTF-8 CSV")]
    Undecodable,
}

/// UTF-8 validation with SIMD (several times faster than `std::str::from_utf8` on
/// Chinese text); the error gives the offset of the first bad byte.
fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| match simdutf8::compat::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(_) => 0,
    })
}

/// Decodes `bytes` to text, returning the text and the encoding found.
pub fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(Cow<'_, str>, Detected), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if enc != TextEncoding::Gbk {
            return utf8(rest)
                .map(|s| (Cow::Borrowed(s), Detected::Utf8Bom))
                .map_err(|at| DecodeError::NotUtf8(at + 3));
        }
    }
    match enc {
        TextEncoding::Utf8 => utf8(bytes).map(|s| (Cow::Borrowed(s), Detected::Utf8)).map_err(DecodeError::NotUtf8),
        TextEncoding::Gbk => decode_gbk(bytes),
        TextEncoding::Auto => match utf8(bytes) {
            Ok(s) => Ok((Cow::Borrowed(s), Detected::Utf8)),
            Err(_) => decode_gbk(bytes),
        },
    }
}

fn decode_gbk(bytes: &[u8]) -> Result<(Cow<'_, str>, Detected), DecodeError> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(DecodeError::Undecodable);
    }
    Ok((text, Detected::Gbk))
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
        assert!(matches!(decode(&gbk, TextEncoding::Utf8), Err(DecodeError::NotUtf8(0))));
        assert!(matches!(decode(b"\xFF\xFF\xFF", TextEncoding::Auto), Err(DecodeError::Undecodable)));
        assert_eq!(TextEncoding::from_label("CP936"), Some(TextEncoding::Gbk));
        assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("latin1"), None);
    }
}
