//! SHA-256 fingerprints of input and output files, as recorded in `report.json`.
//!
//! One helper for the whole code base, so that every fingerprint is spelt the same way:
//! 64 lowercase hexadecimal digits.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The SHA-256 of `bytes` as 64 lowercase hexadecimal digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of the file at `path` as 64 lowercase hexadecimal digits, read in pieces (a
/// large file is never held in memory at once). [`Error::Read`] names the path as given.
pub fn sha256_file(path: &Path) -> Result<String> {
    let read_error = |cause| Error::Read { path: path.display().to_string(), cause };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(read_error)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for &b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_file_hashes_like_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        // Larger than io::copy's buffer, so the file is read in several pieces.
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(&bytes));
        let err = sha256_file(&dir.path().join("missing.bin")).unwrap_err();
        assert!(matches!(err, Error::Read { .. }) && err.to_string().contains("missing.bin"), "{err}");
    }
}
