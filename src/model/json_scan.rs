//! A one-pass JSON scanner for the reader's fast path: it walks the text once, hands out the strings and spans the
//! reader asks for (borrowed when they hold no escape) and skips everything else while checking it is valid JSON.
//!
//! It is strict where it must be and cautious everywhere else: anything it is not sure to read exactly as
//! `serde_json` would (an escaped key, nesting deeper than `serde_json` allows, a malformed value) is a [`Bail`],
//! and the caller reads the document through the general path, which reads it fully or says what is wrong.

use std::borrow::Cow;

/// The scanner gave up; the general path reads the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

pub type Scan<T> = Result<T, Bail>;

/// Deepest nesting scanned (serde_json refuses deeper than 128).
const MAX_DEPTH: u32 = 100;

/// What the next value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Object,
    Array,
    Number,
    /// `true`, `false`, `null`, or not JSON at all.
    Other,
}

#[derive(Clone)]
pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
    /// Whitespace was skipped between tokens since [`Self::take_spaced`].
    spaced: bool,
}

#[path = "json_chunks.rs"]
pub(crate) mod chunks;
use chunks::{chunk_at, next_string_stop, non_spaces, string_stops};

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0, depth: 0, spaced: false }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// How many bytes are left to read.
    pub fn remaining(&self) -> usize {
        self.text.len() - self.pos
    }

    /// The text between two positions.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[start..end]
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips whitespace sixteen bytes at a time: a pretty-printed export's line break and indentation (12 to 28
    /// spaces) are one or two turns.
    fn skip_ws(&mut self) {
        let bytes = self.bytes();
        let mut pos = self.pos;
        loop {
            if let Some(chunk) = chunk_at(bytes, pos) {
                let others = non_spaces(chunk);
                if others == 0 {
                    pos += 16;
                    continue;
                }
                pos += others.trailing_zeros() as usize;
                break;
            }
            match bytes.get(pos) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => pos += 1,
                _ => break,
            }
        }
        self.spaced |= pos != self.pos;
        self.pos = pos;
    }

    /// Whether whitespace was skipped between tokens since the last call.
    pub fn take_spaced(&mut self) -> bool {
        std::mem::take(&mut self.spaced)
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Scan<u8> {
        // Whitespace is at most b' ': anything above it is the next token (compact text has nothing else).
        if let Some(&next) = self.bytes().get(self.pos).filter(|&&b| b > b' ') {
            return Ok(next);
        }
        self.skip_ws();
        self.bytes().get(self.pos).copied().ok_or(Bail)
    }

    /// Consumes `byte` (after whitespace).
    pub fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.peek()? != byte {
            return Err(Bail);
        }
        self.pos += 1;
        Ok(())
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }

    /// The kind of the next value, its start now the position.
    pub fn kind(&mut self) -> Scan<Kind> {
        Ok(match self.peek()? {
            b'"' => Kind::String,
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => Kind::Other,
        })
    }

    fn enter(&mut self, open: u8) -> Scan<()> {
        self.expect(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// Consumes `{`; keys follow through [`Self::next_key`].
    pub fn begin_object(&mut self) -> Scan<()> {
        self.enter(b'{')
    }

    /// The next key of the object being read (its `:` consumed), or `None` at its end (`}` consumed). `first` is
    /// true before the first key. Escaped keys bail: the general path compares them decoded.
    pub fn next_key(&mut self, first: &mut bool) -> Scan<Option<&'a str>> {
        if !self.more(b'}', first)? {
            return Ok(None);
        }
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        let start = self.pos + 1;
        if self.string_end()? {
            return Err(Bail);
        }
        let key = &self.text[start..self.pos - 1];
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// Consumes `[`; items follow through [`Self::next_item`].
    pub fn begin_array(&mut self) -> Scan<()> {
        self.enter(b'[')
    }

    /// Whether another item follows in the array being read (`]` consumed at its end).
    pub fn next_item(&mut self, first: &mut bool) -> Scan<bool> {
        self.more(b']', first)
    }

    /// After a container's opening or one of its members: `close` (the end) or, unless first, a `,`.
    fn more(&mut self, close: u8, first: &mut bool) -> Scan<bool> {
        let next = self.peek()?;
        if next == close {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        if !std::mem::take(first) {
            if next != b',' {
                return Err(Bail);
            }
            self.pos += 1;
        }
        Ok(true)
    }

    /// A string value: borrowed when it holds no escape, decoded (as `serde_json` decodes it) when it does.
    pub fn string(&mut self) -> Scan<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        let start = self.pos;
        if self.string_end()? {
            let quoted = &self.text[start..self.pos];
            return serde_json::from_str::<String>(quoted).map(Cow::Owned).map_err(|_| Bail);
        }
        Ok(Cow::Borrowed(&self.text[start + 1..self.pos - 1]))
    }

    /// From an opening quote to past the closing one; whether an escape was seen. Most strings (keys, labels, ids)
    /// end within sixteen bytes without an escape: that case is decided here, inline.
    #[inline(always)]
    fn string_end(&mut self) -> Scan<bool> {
        let bytes = self.bytes();
        let start = self.pos + 1;
        let Some(chunk) = chunk_at(bytes, start) else { return self.string_end_from(start) };
        let stops = string_stops(chunk);
        if stops == 0 {
            return self.string_end_from(start + 16);
        }
        let stop = start + stops.trailing_zeros() as usize;
        if bytes.get(stop) == Some(&b'"') {
            self.pos = stop + 1;
            return Ok(false);
        }
        self.string_end_from(stop)
    }

    /// [`Self::string_end`] of a string with no escape before `pos`.
    #[inline(never)]
    fn string_end_from(&mut self, mut pos: usize) -> Scan<bool> {
        let bytes = self.bytes();
        let mut escaped = false;
        loop {
            pos = next_string_stop(bytes, pos);
            match bytes.get(pos).ok_or(Bail)? {
                b'"' => {
                    self.pos = pos + 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    pos += match bytes.get(pos + 1).ok_or(Bail)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' if bytes.get(pos + 2..pos + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) => 6,
                        _ => return Err(Bail),
                    };
                }
                0..=0x1f => return Err(Bail),
                _ => pos += 1,
            }
        }
    }

    /// A number value, read as `serde_json` reads it into an `f64` (whole numbers of up to 15 digits, which every
    /// reader turns into the same `f64`, directly).
    pub fn number(&mut self) -> Scan<f64> {
        self.skip_ws();
        let start = self.pos;
        self.skip_number()?;
        let text = &self.text[start..self.pos];
        let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
        if digits.len() <= 15 && digits.bytes().all(|d| d.is_ascii_digit()) {
            let whole = digits.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64;
            return Ok(if negative { -whole } else { whole });
        }
        serde_json::from_str::<f64>(text).map_err(|_| Bail)
    }

    fn skip_number(&mut self) -> Scan<()> {
        let bytes = self.bytes();
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => _ = digits(&mut pos),
            _ => return Err(Bail),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if digits(&mut pos) == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                return Err(Bail);
            }
        }
        self.pos = pos;
        Ok(())
    }

    /// Skips the next value, checking it is valid JSON: one loop, the containers it is in kept as bits.
    pub fn skip_value(&mut self) -> Scan<()> {
        // The containers opened inside the value, innermost in the lowest bit: 1 for an object, 0 for an array.
        // `enter` bails before more than MAX_DEPTH (< 128) are open.
        let (mut open, mut open_count) = (0u128, 0u32);
        loop {
            match self.peek()? {
                b'"' => _ = self.string_end()?,
                b'{' => {
                    self.begin_object()?;
                    if self.next_key(&mut true)?.is_some() {
                        (open, open_count) = (open << 1 | 1, open_count + 1);
                        continue;
                    }
                }
                b'[' => {
                    self.begin_array()?;
                    if self.next_item(&mut true)? {
                        (open, open_count) = (open << 1, open_count + 1);
                        continue;
                    }
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                _ => self.skip_number()?,
            }
            // A value ended: on to the next member of the innermost open container, or past its end.
            loop {
                if open_count == 0 {
                    return Ok(());
                }
                let another =
                    if open & 1 == 1 { self.next_key(&mut false)?.is_some() } else { self.next_item(&mut false)? };
                if another {
                    break;
                }
                (open, open_count) = (open >> 1, open_count - 1);
            }
        }
    }

    /// Skips the next value and returns its text.
    pub fn value_text(&mut self) -> Scan<&'a str> {
        self.skip_ws();
        let start = self.pos;
        self.skip_value()?;
        Ok(&self.text[start..self.pos])
    }

    fn literal(&mut self, word: &str) -> Scan<()> {
        if !self.text[self.pos..].starts_with(word) {
            return Err(Bail);
        }
        self.pos += word.len();
        Ok(())
    }
}

#[cfg(test)]
#[path = "json_scan_tests.rs"]
mod tests;
