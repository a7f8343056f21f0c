//! Tests of sixteen bytes at a time for the JSON scanner and writer: in one SSE2 register on x86-64 (every x86-64
//! processor has SSE2; `safe_arch` wraps its instructions), in two ordinary registers elsewhere.
//!
//! Each test returns a mask with bit `i` standing for byte `i` of the chunk. Only the lowest set bit is promised
//! exact (the ordinary-register tests may also flag a byte above it), which is all a caller looking for the first
//! such byte needs.

/// Bytes that end or interrupt a string run: `"`, `\` or a control character (below 0x20).
#[inline(always)]
pub(crate) fn string_stops(chunk: &[u8; 16]) -> u32 {
    lanes::string_stops(chunk)
}

/// Bytes that are not JSON whitespace (space, line feed, carriage return, tab).
#[inline(always)]
pub(crate) fn non_spaces(chunk: &[u8; 16]) -> u32 {
    lanes::non_spaces(chunk)
}

/// The sixteen bytes at `at`, when there are sixteen.
#[inline(always)]
pub(crate) fn chunk_at(bytes: &[u8], at: usize) -> Option<&[u8; 16]> {
    bytes.get(at..at + 16).and_then(|chunk| chunk.try_into().ok())
}

/// The index of the first string stop (as [`string_stops`]) in `bytes` at or after `from`, or the length of `bytes`
/// when there is none: sixteen bytes at a time.
#[inline]
pub(crate) fn next_string_stop(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = chunk_at(bytes, from) {
        let stops = string_stops(chunk);
        if stops != 0 {
            return from + stops.trailing_zeros() as usize;
        }
        from += 16;
    }
    // Fewer than sixteen bytes left (most of the short texts the writer escapes): tested as one chunk, padded with
    // spaces, which are no stops.
    let rest = bytes.get(from..).unwrap_or_default();
    let mut padded = [b' '; 16];
    padded.get_mut(..rest.len()).unwrap_or_default().copy_from_slice(rest);
    match string_stops(&padded) {
        0 => from + rest.len(),
        stops => from + (stops.trailing_zeros() as usize).min(rest.len()),
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use sse2 as lanes;

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use registers as lanes;

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, min_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };

    fn equal(v: m128i, byte: u8) -> m128i {
        cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(byte as i8))
    }

    #[inline(always)]
    pub fn string_stops(chunk: &[u8; 16]) -> u32 {
        let v = load_unaligned_m128i(chunk);
        // A byte is below 0x20 when the smaller of it and 0x1f is itself.
        let controls = cmp_eq_mask_i8_m128i(min_u8_m128i(v, set_splat_i8_m128i(0x1f)), v);
        move_mask_i8_m128i(bitor_m128i(bitor_m128i(equal(v, b'"'), equal(v, b'\\')), controls)) as u32
    }

    #[inline(always)]
    pub fn non_spaces(chunk: &[u8; 16]) -> u32 {
        let v = load_unaligned_m128i(chunk);
        let spaces =
            bitor_m128i(bitor_m128i(equal(v, b' '), equal(v, b'\n')), bitor_m128i(equal(v, b'\r'), equal(v, b'\t')));
        !(move_mask_i8_m128i(spaces) as u32) & 0xffff
    }
}

/// The same tests in ordinary registers, eight bytes at a time: the build for other processors, and the reference
/// the SSE2 tests are checked against.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
mod registers {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

    /// The high bit of each byte of `word` that is zero; exact for the lowest such byte (a byte above a zero one
    /// may be flagged too).
    fn zero_bytes(word: u64) -> u64 {
        word.wrapping_sub(ONES) & !word & HIGH_BITS
    }

    /// High bits of the string stops among the eight bytes of `word` (little-endian); exact for the lowest.
    fn word_stops(word: u64) -> u64 {
        let quotes = zero_bytes(word ^ (ONES * u64::from(b'"')));
        let backslashes = zero_bytes(word ^ (ONES * u64::from(b'\\')));
        let controls = word.wrapping_sub(ONES * 0x20) & !word & HIGH_BITS;
        quotes | backslashes | controls
    }

    /// The lowest flagged byte of two words' high-bit flags, as a one-bit mask (0 when none is).
    fn lowest(low: u64, high: u64) -> u32 {
        match (low, high) {
            (0, 0) => 0,
            (0, high) => 1 << (8 + high.trailing_zeros() / 8),
            (low, _) => 1 << (low.trailing_zeros() / 8),
        }
    }

    fn halves(chunk: &[u8; 16]) -> (u64, u64) {
        let (low, high) = chunk.split_at(8);
        (
            u64::from_le_bytes(low.try_into().unwrap_or_default()),
            u64::from_le_bytes(high.try_into().unwrap_or_default()),
        )
    }

    pub fn string_stops(chunk: &[u8; 16]) -> u32 {
        let (low, high) = halves(chunk);
        lowest(word_stops(low), word_stops(high))
    }

    /// High bit of each byte of `word` that is not `byte`, exactly (no borrow between bytes).
    fn other_than(word: u64, byte: u8) -> u64 {
        let x = word ^ (ONES * u64::from(byte));
        (((x & !HIGH_BITS) + !HIGH_BITS) | x) & HIGH_BITS
    }

    fn word_non_spaces(word: u64) -> u64 {
        other_than(word, b' ') & other_than(word, b'\n') & other_than(word, b'\r') & other_than(word, b'\t')
    }

    pub fn non_spaces(chunk: &[u8; 16]) -> u32 {
        let (low, high) = halves(chunk);
        lowest(word_non_spaces(low), word_non_spaces(high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(mask: u32) -> u32 {
        mask.trailing_zeros()
    }

    /// Every byte value at every position, among bytes that are not stops (or spaces), on both implementations.
    #[test]
    fn the_first_stop_and_the_first_non_space_are_found_at_every_position_for_every_byte() {
        let is_stop = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
        let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
        for filler in [b'a', 0xc3, b' '] {
            for at in 0..16 {
                for byte in 0..=255u8 {
                    let mut chunk = [filler; 16];
                    chunk[at] = byte;
                    let stop = (0..16).find(|&i| is_stop(chunk[i])).map_or(32, |i| i as u32);
                    let other = (0..16).find(|&i| !is_space(chunk[i])).map_or(32, |i| i as u32);
                    assert_eq!(first(string_stops(&chunk)), stop, "{chunk:?}");
                    assert_eq!(first(registers::string_stops(&chunk)), stop, "{chunk:?}");
                    assert_eq!(first(non_spaces(&chunk)), other, "{chunk:?}");
                    assert_eq!(first(registers::non_spaces(&chunk)), other, "{chunk:?}");
                }
            }
        }
    }

    #[test]
    fn the_next_stop_is_found_in_long_runs_and_in_the_last_few_bytes() {
        for len in 0..40 {
            for at in 0..=len {
                let mut text = vec![b'x'; len];
                if at < len {
                    text[at] = b'"';
                }
                for from in 0..=at {
                    assert_eq!(next_string_stop(&text, from), at, "stop at {at} of {len}, from {from}");
                }
            }
        }
        assert_eq!(next_string_stop(b"ab", 5), 5, "past the end is the end");
    }

    #[test]
    fn a_chunk_is_sixteen_bytes_or_none() {
        let bytes: Vec<u8> = (0..20).collect();
        assert_eq!(chunk_at(&bytes, 4).map(|c| c[15]), Some(19));
        assert_eq!(chunk_at(&bytes, 5), None);
    }
}
