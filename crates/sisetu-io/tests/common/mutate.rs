//! Seeded byte-level mutations of small input files, shared by the no-panic tests of the
//! site reader (`tests/no_panic.rs`) and of the table reader (`src/table_tests.rs`).

/// A tiny deterministic generator (xorshift), so failures are reproducible by seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub const SNIPPETS: [&[u8]; 16] = [
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\xE7\xBA\xA2",
    b"\xFF",
    b"\xB7\xE7",
    b"NaN",
    b"1e400",
    b"-",
    b"[",
    b"]",
    b"{",
    b"}",
    b"null",
    b"\x00",
];

/// 1 to 6 random edits: delete or overwrite a byte, insert a snippet, duplicate a run.
pub fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(b.len() + 1);
        match rng.below(4) {
            0 if !b.is_empty() => {
                b.remove(at.min(b.len() - 1));
            }
            1 if !b.is_empty() => {
                let at = at.min(b.len() - 1);
                b[at] = rng.next() as u8;
            }
            2 => {
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                b.splice(at..at, s.iter().copied());
            }
            _ => {
                let end = (at + rng.below(40)).min(b.len());
                let piece = b[at..end].to_vec();
                b.splice(at..at, piece);
            }
        }
    }
    b
}
