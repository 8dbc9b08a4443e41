//! A fast hash for the short strings of text processing: words, stems, their lookups.
//!
//! The standard library's SipHash is built for keys an attacker chooses and costs as much as the
//! rest of looking a short word up. The keys here do come from documents, so the hash is keyed
//! by a seed drawn once per process from the standard library's random source: a corpus cannot
//! be written in advance to make its words collide. Each eight bytes cost one 64 × 64 → 128-bit
//! multiplication whose halves are folded together, as in foldhash and aHash' fallback. Hashes
//! differ from run to run, so nothing that is stored or compared may depend on them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// An odd constant with well-spread bits (the fractional part of π).
const SPREAD: u64 = 0x243f_6a88_85a3_08d3;

/// Builds [`WordHasher`]s keyed by the process's seed; the `S` of a word-keyed `HashMap`.
#[derive(Debug, Clone, Copy)]
pub struct WordHash {
    seed: u64,
}

impl Default for WordHash {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| RandomState::new().hash_one(SPREAD));
        WordHash { seed }
    }
}

impl WordHash {
    /// The hash of `s` alone (not the same number as `s`'s `Hash`, which adds a terminator).
    #[inline]
    pub fn hash_str(&self, s: &str) -> u64 {
        let mut hasher = self.build_hasher();
        hasher.write(s.as_bytes());
        hasher.finish()
    }
}

impl BuildHasher for WordHash {
    type Hasher = WordHasher;

    fn build_hasher(&self) -> WordHasher {
        WordHasher {
            state: self.seed,
            seed: self.seed,
        }
    }
}

/// The hasher [`WordHash`] builds.
#[derive(Debug, Clone)]
pub struct WordHasher {
    state: u64,
    seed: u64,
}

/// The product of `a` and `b`, its high half folded onto its low half.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl WordHasher {
    #[inline]
    fn mix(&mut self, bits: u64) {
        self.state = fold(self.state ^ bits, SPREAD);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let bits = u64::from_le_bytes(chunk.try_into().expect("chunks of exactly 8 bytes"));
            self.mix(bits);
        }

        // The last 1 to 7 bytes are read as two overlapping halves (or three single bytes),
        // which covers every byte; the multiplier depends on their number, so that tails of
        // different lengths that read the same bits still hash apart.
        let tail = chunks.remainder();
        let n = tail.len();
        if n == 0 {
            return;
        }
        let bits = if n >= 4 {
            let first = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
            let last = u32::from_le_bytes([tail[n - 4], tail[n - 3], tail[n - 2], tail[n - 1]]);
            u64::from(first) | (u64::from(last) << 32)
        } else {
            u64::from(tail[0]) | (u64::from(tail[n / 2]) << 8) | (u64::from(tail[n - 1]) << 16)
        };
        self.state = fold(self.state ^ bits, SPREAD.wrapping_add((n as u64) << 1));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold(self.state, self.seed | 1)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn hash(bytes: &[u8]) -> u64 {
        let mut hasher = WordHash::default().build_hasher();
        hasher.write(bytes);
        hasher.finish()
    }

    #[test]
    fn every_short_string_hashes_apart() {
        // All strings of up to three bytes over a small alphabet (with NUL, which padding
        // would confuse), and every length up to 24 of one repeated byte.
        let alphabet = [0u8, 1, b'a', b'b', 0xff];
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..3 {
            let longer: Vec<Vec<u8>> = strings
                .iter()
                .filter(|s| s.len() == strings.last().map_or(0, Vec::len))
                .flat_map(|s| {
                    alphabet.iter().map(move |&b| {
                        let mut t = s.clone();
                        t.push(b);
                        t
                    })
                })
                .collect();
            strings.extend(longer);
        }
        strings.extend((4..=24).map(|n| vec![b'a'; n]));
        strings.extend((4..=24).map(|n| vec![0; n]));
        strings.extend([&b"aaaa`"[..], b"abcd", b"abcdd", b"abcddd", b"abcdddd"].map(Vec::from));
        let strings: HashSet<Vec<u8>> = strings.into_iter().collect();
        let hashes: HashSet<u64> = strings.iter().map(|s| hash(s)).collect();
        assert_eq!(hashes.len(), strings.len());
    }

    #[test]
    fn spreads_words_over_buckets() {
        // hashbrown picks the bucket from the low bits and a tag from the top seven.
        let words: Vec<String> = (0..4096).map(|i| format!("word{i}")).collect();
        let low: HashSet<u64> = words.iter().map(|w| hash(w.as_bytes()) & 4095).collect();
        let top: HashSet<u64> = words.iter().map(|w| hash(w.as_bytes()) >> 57).collect();
        assert!(
            low.len() > 2400,
            "only {} of 4096 low-bit buckets",
            low.len()
        );
        assert_eq!(top.len(), 128);
    }
}
