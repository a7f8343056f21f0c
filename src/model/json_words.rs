//! The scanner's tests of eight bytes at a time, in ordinary registers.

pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is zero. Exact for the lowest such byte (a byte above a zero one may be
/// flagged too), which is all the callers look at.
#[inline(always)]
pub(super) fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGH_BITS
}

/// The index of the first of the eight bytes of `word` (little-endian) that ends or interrupts a string run — `"`,
/// `\` or a control character — or 8 when none does. Eight bytes at a time in ordinary registers.
#[inline(always)]
pub(crate) fn string_stop(word: u64) -> usize {
    (string_stops(word).trailing_zeros() / 8) as usize
}

/// The bytes of `word` that [`string_stop`] looks for, as high bits: zero when there is none, else exact for the
/// first of them.
#[inline(always)]
pub(super) fn string_stops(word: u64) -> u64 {
    let quotes = zero_bytes(word ^ (ONES * u64::from(b'"')));
    let backslashes = zero_bytes(word ^ (ONES * u64::from(b'\\')));
    let controls = word.wrapping_sub(ONES * 0x20) & !word & HIGH_BITS;
    quotes | backslashes | controls
}

/// Eight bytes from `at`, when there are eight.
#[inline(always)]
pub(super) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes.get(at..at + 8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()))
}
