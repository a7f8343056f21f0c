//! Deterministic randomness without the `rand` crate: splitmix64 for generation, and stable hashes for ids and
//! timestamps that must not move when the state changes.

use crate::model::hash::{fnv1a, FNV_OFFSET};

/// The splitmix64 generator (Steele, Lea, Flood 2014): tiny, fast and good enough for demo data.
pub(super) struct SplitMix64 {
    state: u64,
}

/// splitmix64's output function, also used to spread stable hashes.
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator for `seed`, independent per `stream` (e.g. an account and region).
    pub(super) fn new(seed: u64, stream: &[&str]) -> Self {
        Self { state: stable_hash(seed, stream) }
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(super) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// True with the given probability in percent.
    pub(super) fn percent(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }

    /// One item of a non-empty slice.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }

    /// `len` lowercase hex digits.
    pub(super) fn hex(&mut self, len: usize) -> String {
        hex_digits(|| self.next_u64(), len)
    }
}

fn hex_digits(mut next: impl FnMut() -> u64, len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        out.push_str(&format!("{:016x}", next()));
    }
    out.truncate(len);
    out
}

/// FNV-1a over the parts (with a separator, so `["ab", ""]` ≠ `["a", "b"]`), spread by splitmix.
pub(super) fn stable_hash(seed: u64, parts: &[&str]) -> u64 {
    mix(fnv1a(FNV_OFFSET ^ mix(seed), parts))
}

/// `len` hex digits that depend only on the seed and the parts.
pub(super) fn stable_hex(seed: u64, parts: &[&str], len: usize) -> String {
    let mut rng = SplitMix64 { state: stable_hash(seed, parts) };
    rng.hex(len)
}

/// A version-4-shaped UUID that depends only on the seed and the parts.
pub(super) fn stable_uuid(seed: u64, parts: &[&str]) -> String {
    let h = stable_hex(seed, parts, 32);
    let variant = ['8', '9', 'a', 'b'][(stable_hash(seed, parts) % 4) as usize];
    format!("{}-{}-4{}-{}{}-{}", &h[0..8], &h[8..12], &h[13..16], variant, &h[17..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let mut a = SplitMix64::new(7, &["a"]);
        let mut b = SplitMix64::new(7, &["a"]);
        let mut c = SplitMix64::new(7, &["b"]);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], c.next_u64());
    }

    #[test]
    fn ids_have_the_right_shape() {
        let mut r = SplitMix64::new(1, &[]);
        assert_eq!(r.hex(17).len(), 17);
        let u = stable_uuid(1, &["x"]);
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert_eq!(u, stable_uuid(1, &["x"]));
        assert_ne!(stable_hash(1, &["ab", ""]), stable_hash(1, &["a", "b"]));
        for _ in 0..100 {
            let v = r.between(3, 5);
            assert!((3..=5).contains(&v));
        }
    }
}
