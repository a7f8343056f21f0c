//! A hash that is the same on every run and platform (std's `DefaultHasher` promises neither).

/// FNV-1a's offset basis, the usual `start`.
pub const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

/// FNV-1a over the parts from `start`, each part followed by 0xFF so that `["ab", ""]` ≠ `["a", "b"]`.
pub fn fnv1a(start: u64, parts: &[&str]) -> u64 {
    let mut h = start;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xFF)) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01B3);
        }
    }
    h
}

/// A finding's key (`ProductArn`, `Id`) hashed: how the table files findings and paging tasks count them.
pub fn finding_key_hash(id: &str, product_arn: &str) -> u64 {
    fnv1a(FNV_OFFSET, &[id, product_arn])
}

/// A finding's key hashed eight bytes at a time, for counts kept within one run (the paging tasks' open findings):
/// several times faster than [`finding_key_hash`], whose values the table's order depends on.
pub fn paging_key_hash(id: &str, product_arn: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = WordHasher::default();
    // Each write ends with its length: `("ab", "")` and `("a", "b")` differ.
    h.write(id.as_bytes());
    h.write(product_arn.as_bytes());
    h.finish()
}

/// A fast hasher for in-memory tables of text, eight bytes at a time (std's SipHash resists flooding attacks, which
/// a table the process fills itself with a bounded number of entries does not need).
#[derive(Debug, Clone, Copy, Default)]
pub struct WordHasher(u64);

const SEED: u64 = 0x51_7C_C1_B7_27_22_0A_95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let mut tail = [0u8; 8];
        tail[..words.remainder().len()].copy_from_slice(words.remainder());
        self.add(u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        // Spread every input bit over the high bits, which hash tables use to pick groups.
        let h = (self.0 ^ (self.0 >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 29)
    }
}

/// Builds [`WordHasher`]s, for `HashMap::with_hasher`.
pub type BuildWordHasher = std::hash::BuildHasherDefault<WordHasher>;

/// Builds hashers for tables keyed by text a finding carries (written by whoever imported it): foldhash, seeded per
/// table from the operating system's randomness as std's `RandomState` is, so nobody can choose ids that pile up in
/// one bucket; faster than std's SipHash on text of finding ids' length.
pub type KeyedHasher = foldhash::quality::SeedableRandomState;

/// A [`KeyedHasher`] with a fresh random seed.
pub fn keyed_hasher() -> KeyedHasher {
    use std::hash::BuildHasher;
    let seed = std::collections::hash_map::RandomState::new().hash_one(0x6875_6274_7269_6167_u64);
    KeyedHasher::with_seed(seed, foldhash::SharedSeed::global_random())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashers_are_seeded_apart_and_each_is_consistent() {
        use std::hash::BuildHasher;
        let key = ("arn:aws:securityhub:eu-west-1::product/aws/securityhub", "finding/1");
        let (a, b) = (keyed_hasher(), keyed_hasher());
        assert_eq!(a.hash_one(key), a.hash_one(key));
        assert_ne!(a.hash_one(key), b.hash_one(key), "two tables, two seeds");
    }

    #[test]
    fn word_hasher_tells_texts_apart() {
        use std::hash::BuildHasher;
        let build = BuildWordHasher::default();
        let texts = ["", "a", "a\0", "abcdefgh", "abcdefgh\0", "abcdefghi", "S3.8", "S3.9", "EC2.19", "EC2.18"];
        let hashes: std::collections::HashSet<u64> = texts.iter().map(|t| build.hash_one(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_eq!(build.hash_one("same"), build.hash_one(String::from("same")));
    }

    #[test]
    fn parts_are_kept_apart_and_the_hash_is_fixed() {
        assert_ne!(fnv1a(FNV_OFFSET, &["ab", ""]), fnv1a(FNV_OFFSET, &["a", "b"]));
        assert_eq!(fnv1a(FNV_OFFSET, &[]), FNV_OFFSET);
        assert_eq!(finding_key_hash("a", "b"), finding_key_hash("a", "b"));
        assert_eq!(paging_key_hash("a", "b"), paging_key_hash("a", "b"));
        assert_ne!(paging_key_hash("ab", ""), paging_key_hash("a", "b"));
        assert_ne!(paging_key_hash("a", "b"), paging_key_hash("b", "a"));
        let long = "arn:aws:securityhub:eu-west-1:111111111111:finding/";
        assert_ne!(paging_key_hash(&format!("{long}1"), long), paging_key_hash(&format!("{long}2"), long));
    }
}
