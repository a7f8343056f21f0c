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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_kept_apart_and_the_hash_is_fixed() {
        assert_ne!(fnv1a(FNV_OFFSET, &["ab", ""]), fnv1a(FNV_OFFSET, &["a", "b"]));
        assert_eq!(fnv1a(FNV_OFFSET, &[]), FNV_OFFSET);
        assert_eq!(finding_key_hash("a", "b"), finding_key_hash("a", "b"));
    }
}
