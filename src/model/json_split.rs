//! Finds where the items of a JSON array begin and end, in text that arrives in pieces: a file read in blocks, so
//! that a list of 100,000 findings is never held whole and its items can be read on several threads.
//!
//! The split only follows strings and brackets; it does not check what is inside an item. Each item is then read on
//! its own by the strict scanner (or `serde_json`), which refuses anything that is not exactly one JSON value: for
//! valid JSON the boundaries found here are exact, and for anything else the item reader says what is wrong.

use std::ops::Range;

/// Where the splitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Just after `[`: an item or `]`.
    First,
    /// After an item: `,` or `]`.
    AfterItem,
    /// After `,`: an item.
    AfterComma,
    /// Inside an item that began at `start` (an absolute offset).
    Item { start: u64, depth: u32, in_string: bool, scalar: bool },
    /// Past the closing `]`.
    Done,
}

/// What the splitter found next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// A whole item, at these absolute offsets.
    Item(Range<u64>),
    /// The array ended; the offset just past its `]`.
    End(u64),
    /// The text given so far ends inside the array. The next call needs the text from `keep_from` on (the start of
    /// an unfinished item, or where the splitter stopped).
    More { keep_from: u64 },
    /// The text is not a JSON array at this offset (or, at the end of the input, it ends inside the array).
    Invalid(u64),
}

/// Splits the items of one JSON array; see the module documentation.
#[derive(Debug, Clone)]
pub struct ArraySplit {
    /// Absolute offset of the next byte to look at.
    pos: u64,
    state: State,
}

/// Whether a JSON value can start with `b` (anything else is not JSON: a file of zeros ends here, not after a
/// gigabyte of them).
fn starts_value(b: u8) -> bool {
    matches!(b, b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Each byte of `chunk` that ends a string run (`"` or `\`) as `0xff`, the others 0, in one number (its trailing
/// zeros locate the first). Written so the compiler makes it a few vector instructions.
#[inline(always)]
fn string_stops(chunk: &[u8; 16]) -> u128 {
    let mut flags = [0u8; 16];
    for (flag, &b) in flags.iter_mut().zip(chunk) {
        *flag = u8::from((b == b'"') | (b == b'\\')).wrapping_neg();
    }
    u128::from_le_bytes(flags)
}

/// As [`string_stops`] for the bytes that matter between strings: `"`, `{`, `[`, `}`, `]` (`[` and `]` are `{` and
/// `}` without bit 5).
#[inline(always)]
fn structure_stops(chunk: &[u8; 16]) -> u128 {
    let mut flags = [0u8; 16];
    for (flag, &b) in flags.iter_mut().zip(chunk) {
        let folded = b | 0x20;
        *flag = u8::from((b == b'"') | (folded == b'{') | (folded == b'}')).wrapping_neg();
    }
    u128::from_le_bytes(flags)
}

/// The first index from `i` whose byte is a stop, sixteen bytes at a time; `bytes.len()` when there is none.
#[inline(always)]
fn next_stop(bytes: &[u8], mut i: usize, stops: impl Fn(&[u8; 16]) -> u128, is_stop: impl Fn(u8) -> bool) -> usize {
    while let Some(chunk) = bytes.get(i..i + 16) {
        let found = stops(chunk.try_into().unwrap_or(&[0; 16]));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 16;
    }
    while i < bytes.len() && !is_stop(bytes[i]) {
        i += 1;
    }
    i
}

/// Where [`blocks_of_64`] stopped.
enum Blocks {
    /// The item ends just before this index.
    ItemEnd(usize),
    /// At a block of 64 bytes with a backslash in it, or with fewer than 64 bytes left: the state there.
    Stopped { at: usize, depth: u32, in_string: bool },
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW_BITS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each byte of `word` that is zero (exactly: the test of each byte carries into no other).
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW_BITS) + LOW_BITS) | word) & !LOW_BITS
}

/// The high bits of [`zero_bytes`] as eight bits, one per byte (by one multiplication: byte j's bit lands on bit
/// 56 + j of the product).
#[inline(always)]
fn packed(high_bits: u64) -> u64 {
    (high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Each bit set from an opening quote up to (not including) its closing quote: the bytes inside strings.
#[inline(always)]
fn inside_strings(quotes: u64) -> u64 {
    let mut x = quotes;
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// Follows an item's brackets from `i`, 64 bytes at a time, while the bytes hold no backslash (an escape is read
/// byte by byte, where an escaped quote is told apart). Each eight bytes are tested for quotes and brackets in
/// ordinary registers; a block without brackets only flips the string state by the parity of its quotes, and in a
/// block with brackets the strings are found from their quotes as bit masks and only the brackets outside them
/// count (`{` and `[` have bit 1 set, `}` and `]` not). `depth` > 0: inside an object or array.
fn blocks_of_64(text: &[u8], mut i: usize, mut depth: u32, mut in_string: bool) -> Blocks {
    while let Some(chunk) = text.get(i..i + 64) {
        let (mut quotes, mut brackets, mut backslashes) = ([0u64; 8], [0u64; 8], 0u64);
        for (k, word) in chunk.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let folded = word | (ONES * 0x20);
            quotes[k] = zero_bytes(word ^ (ONES * u64::from(b'"')));
            brackets[k] = zero_bytes(folded ^ (ONES * u64::from(b'{'))) | zero_bytes(folded ^ (ONES * u64::from(b'}')));
            backslashes |= zero_bytes(word ^ (ONES * u64::from(b'\\')));
        }
        if backslashes != 0 {
            break;
        }
        if brackets.iter().all(|&b| b == 0) {
            in_string ^= quotes.iter().map(|q| q.count_ones()).sum::<u32>() & 1 == 1;
            i += 64;
            continue;
        }
        let pack = |words: &[u64; 8]| words.iter().enumerate().fold(0u64, |mask, (k, &w)| mask | packed(w) << (8 * k));
        let strings = inside_strings(pack(&quotes)) ^ if in_string { !0 } else { 0 };
        let mut outside = pack(&brackets) & !strings;
        while outside != 0 {
            let at = outside.trailing_zeros() as usize;
            if chunk[at] & 2 != 0 {
                depth += 1;
            } else {
                depth -= 1;
                if depth == 0 {
                    return Blocks::ItemEnd(i + at + 1);
                }
            }
            outside &= outside - 1;
        }
        in_string = strings >> 63 == 1;
        i += 64;
    }
    Blocks::Stopped { at: i, depth, in_string }
}

impl ArraySplit {
    /// A splitter for the array whose `[` ends at absolute offset `after_bracket`.
    pub fn new(after_bracket: u64) -> Self {
        Self { pos: after_bracket, state: State::First }
    }

    /// A splitter for the rest of an array whose next item starts at `pos` (after whitespace): after a `,`, or where
    /// a reading of the array in other ways stopped.
    pub fn item_at(pos: u64) -> Self {
        Self { pos, state: State::AfterComma }
    }

    /// A splitter that finds the end of the object or array that the text at `pos` is inside: its closing bracket
    /// ends the item `pos..end` that [`Self::next`] returns (the members of a GetFindings response after its list).
    pub fn rest_of_container(pos: u64) -> Self {
        Self { pos, state: State::Item { start: pos, depth: 1, in_string: false, scalar: false } }
    }

    /// Where the next call goes on: the text before it is needed only for the unfinished item's own bytes.
    pub fn resume_at(&self) -> u64 {
        self.pos
    }

    /// The next item, the end of the array, or a request for more text. `text` holds the input from absolute offset
    /// `base` on (at least from the `keep_from` of the last [`Split::More`]); `at_end` says no text follows it.
    pub fn next(&mut self, text: &[u8], base: u64, at_end: bool) -> Split {
        loop {
            let Some(i) = self.pos.checked_sub(base).and_then(|i| usize::try_from(i).ok()) else {
                return Split::Invalid(self.pos);
            };
            match self.state {
                State::Done => return Split::End(self.pos),
                State::Item { start, depth, in_string, scalar } => {
                    match self.item_end(text, i, depth, in_string, scalar, base) {
                        Some(end) => {
                            self.pos = base + end as u64;
                            self.state = State::AfterItem;
                            return Split::Item(start..self.pos);
                        }
                        None if at_end => return Split::Invalid(base + text.len() as u64),
                        None => return Split::More { keep_from: start },
                    }
                }
                between => {
                    let mut j = i;
                    while text.get(j).copied().is_some_and(is_space) {
                        j += 1;
                    }
                    self.pos = base + j as u64;
                    let Some(&b) = text.get(j) else {
                        return if at_end { Split::Invalid(self.pos) } else { Split::More { keep_from: self.pos } };
                    };
                    match (between, b) {
                        (State::First | State::AfterItem, b']') => {
                            self.pos += 1;
                            self.state = State::Done;
                        }
                        (State::AfterItem, b',') => {
                            self.pos += 1;
                            self.state = State::AfterComma;
                        }
                        (State::First | State::AfterComma, b) if starts_value(b) => {
                            let (depth, in_string, scalar) = match b {
                                b'{' | b'[' => (1, false, false),
                                b'"' => (0, true, false),
                                _ => (0, false, true),
                            };
                            self.state = State::Item { start: self.pos, depth, in_string, scalar };
                            // The opening byte is taken here; the item scan goes on after it.
                            self.pos += 1;
                        }
                        _ => return Split::Invalid(self.pos),
                    }
                }
            }
        }
    }

    /// Scans an item from `i`; its end (exclusive, relative to `text`), or `None` when `text` ends first (the state
    /// is kept for the next call).
    fn item_end(
        &mut self,
        text: &[u8],
        mut i: usize,
        mut depth: u32,
        mut in_string: bool,
        scalar: bool,
        base: u64,
    ) -> Option<usize> {
        if scalar {
            // A number or a literal: up to the next separator (the item reader checks what it is).
            while let Some(&b) = text.get(i) {
                if is_space(b) || b == b',' || b == b']' {
                    return Some(i);
                }
                i += 1;
            }
            self.pos = base + i as u64;
            return None;
        }
        // Where the sixty-four-byte path may be tried again after it met a backslash.
        let mut bytewise_until = 0;
        loop {
            if depth > 0 && i >= bytewise_until {
                match blocks_of_64(text, i, depth, in_string) {
                    Blocks::ItemEnd(end) => return Some(end),
                    Blocks::Stopped { at, depth: d, in_string: s } => {
                        (i, depth, in_string) = (at, d, s);
                        // A backslash in the next 64 bytes, or fewer than 64 left: those are read byte by byte.
                        bytewise_until = i + 64;
                    }
                }
            }
            if in_string {
                i = next_stop(text, i, string_stops, |b| b == b'"' || b == b'\\');
                match text.get(i) {
                    Some(b'"') => {
                        in_string = false;
                        i += 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    // An escape: the byte after it is never a stop, whatever it is.
                    Some(_) if i + 1 < text.len() => i += 2,
                    _ => break,
                }
            } else {
                i = next_stop(text, i, structure_stops, |b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'));
                match text.get(i) {
                    Some(b'"') => in_string = true,
                    Some(b'{' | b'[') => depth += 1,
                    Some(_) => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    None => break,
                }
                i += 1;
            }
        }
        // Out of text: resume here, with the state as it is.
        self.pos = base + i as u64;
        if let State::Item { depth: d, in_string: s, .. } = &mut self.state {
            (*d, *s) = (depth, in_string);
        }
        None
    }
}

#[cfg(test)]
#[path = "json_split_tests.rs"]
mod tests;
