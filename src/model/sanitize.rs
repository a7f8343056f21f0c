//! Makes text carried by findings inert before it reaches a terminal, a log or a message.
//!
//! Findings are written by many products and by whoever names a resource, so every string is hostile:
//! escape sequences (CSI, OSC — including OSC 52 clipboard writes —, DCS, SOS, PM, APC) are removed whole, in their
//! 7-bit form (`ESC ]`) and their 8-bit C1 form (`U+009D`) alike; C0/C1 controls, Unicode format characters
//! (zero-width, joiners, bidi controls, tag characters: [`super::invisible`]) are removed; line and paragraph
//! separators count as newlines; and lengths are bounded.
//!
//! Text that is only printable ASCII is checked sixteen bytes at a time and not copied: the ingest of 100,000
//! findings relies on it. Everything else is looked at char by char.

use super::invisible;
use std::borrow::Cow;

/// Longest text kept from a single finding field (characters).
pub const MAX_FIELD_CHARS: usize = 4096;

/// Removes escape sequences and control characters; newlines and tabs become spaces. Bounded length.
pub fn single_line(text: &str) -> String {
    inert_line(text).into_owned()
}

/// Removes escape sequences and control characters but keeps newlines. Bounded length.
pub fn multi_line(text: &str, max_chars: usize) -> String {
    inert_lines(text, max_chars).into_owned()
}

/// [`single_line`] without a copy when the text is already inert (the common case).
pub fn inert_line(text: &str) -> Cow<'_, str> {
    clean(text, false, MAX_FIELD_CHARS)
}

/// [`multi_line`] without a copy when the text is already inert.
pub fn inert_lines(text: &str, max_chars: usize) -> Cow<'_, str> {
    clean(text, true, max_chars)
}

/// Whether `text` needs no cleaning for single-line display (the common, fast case).
pub fn is_inert_line(text: &str) -> bool {
    matches!(inert_line(text), Cow::Borrowed(_))
}

/// [`single_line`] of an owned text, which is kept when it already is inert.
pub fn into_inert_line(text: String) -> String {
    match inert_line(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cleaned) => cleaned,
    }
}

/// JSON text with every char that would not be shown as it is (controls, format characters, separators) written as
/// its JSON escape (`\u009d`, `\u200b`, a surrogate pair for `U+E0041`): the same JSON, every hidden char visible.
/// Newlines between lines are kept. Meant for JSON printed by serde_json, where such chars are only inside strings
/// (it escapes C0 controls itself, but not C1 controls or format characters).
pub fn json_escape_hidden(json: &str) -> Cow<'_, str> {
    if is_inert(json, true) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a char is not shown as it is: a control (C0, DEL, C1), a format character (bidi controls among them)
/// or a line or paragraph separator.
fn is_unsafe(c: char) -> bool {
    c.is_control() || invisible::is_format(c) || invisible::is_line_separator(c)
}

/// Whether sixteen bytes are printable ASCII (no control character but a newline when `newlines`, no DEL, no byte
/// of a multi-byte char).
#[inline(always)]
fn is_printable_run(run: &[u8; 16], newlines: bool) -> bool {
    let mut unprintable = 0u8;
    for &b in run {
        unprintable |= u8::from(((b < 0x20) & !(newlines & (b == b'\n'))) | (b >= 0x7f));
    }
    unprintable == 0
}

/// How many leading bytes of `bytes` are known printable ASCII: all of them when they are (checked in runs of sixteen,
/// the last one overlapping the one before it), else those before the first run that is not. Kept out of line:
/// alone, the compiler turns each run into a few vector instructions and one mask test.
#[inline(never)]
fn printable_prefix(bytes: &[u8], newlines: bool) -> usize {
    let run = |at: usize| bytes.get(at..at + 16).and_then(|r| <&[u8; 16]>::try_from(r).ok());
    let mut at = 0;
    while let Some(chunk) = run(at) {
        if !is_printable_run(chunk, newlines) {
            return at;
        }
        at += 16;
    }
    match run(bytes.len().saturating_sub(16)) {
        Some(last) if at < bytes.len() && is_printable_run(last, newlines) => bytes.len(),
        _ => at,
    }
}

/// Whether every char of `text` is shown as it is (newlines too when `keep_newlines`): printable ASCII is checked
/// sixteen bytes at a time from the start (a text that is only that, to its end), the rest char by char.
fn is_inert(text: &str, keep_newlines: bool) -> bool {
    let bytes = text.as_bytes();
    let mut at = if bytes.len() >= 16 { printable_prefix(bytes, keep_newlines) } else { 0 };
    while let Some(&b) = bytes.get(at) {
        match b {
            0x20..=0x7e => at += 1,
            b'\n' if keep_newlines => at += 1,
            0..=0x7f => return false,
            _ => match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) if !is_unsafe(c) => at += c.len_utf8(),
                _ => return false,
            },
        }
    }
    true
}

fn clean(text: &str, keep_newlines: bool, max_chars: usize) -> Cow<'_, str> {
    // Most text is printable and short enough, which needs nothing done and no copy.
    let fits = text.len() <= max_chars || text.chars().count() <= max_chars;
    if fits && is_inert(text, keep_newlines) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max_chars));
    let mut chars = text.chars().peekable();
    let mut kept = 0usize;
    while let Some(c) = chars.next() {
        if kept >= max_chars {
            out.push('…');
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            CSI_8BIT => skip_control_sequence(&mut chars),
            OSC_8BIT | DCS_8BIT | SOS_8BIT | PM_8BIT | APC_8BIT => skip_control_string(&mut chars),
            '\n' | '\u{2028}' | '\u{2029}' if keep_newlines => {
                out.push('\n');
                kept += 1;
            }
            '\n' | '\t' | '\r' | '\u{2028}' | '\u{2029}' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                    kept += 1;
                }
            }
            c if is_unsafe(c) => {}
            c => {
                out.push(c);
                kept += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The 8-bit (C1) forms of the escape sequences: `U+009B` is `ESC [`, `U+009D` is `ESC ]`, and so on.
const CSI_8BIT: char = '\u{9b}';
const OSC_8BIT: char = '\u{9d}';
const DCS_8BIT: char = '\u{90}';
const SOS_8BIT: char = '\u{98}';
const PM_8BIT: char = '\u{9e}';
const APC_8BIT: char = '\u{9f}';
/// STRING TERMINATOR, the 8-bit form of `ESC \`.
const ST_8BIT: char = '\u{9c}';

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips the rest of an escape sequence whose ESC was just consumed.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_control_sequence(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_control_string(chars),
        _ => {}
    }
}

/// CSI (`ESC [` or `U+009B`, just consumed): parameters and intermediates, then one final byte in 0x40..=0x7E.
/// Unterminated, it runs to the end of the text.
fn skip_control_sequence(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC, DCS, SOS, PM, APC (7-bit or 8-bit introducer just consumed): a string ended by BEL, ST (`U+009C`) or
/// `ESC \` (another ESC ends it too, as terminals abort the string there). Unterminated, it runs to the end of the
/// text, payload and all: what follows an unterminated OSC 52 is clipboard data, not text to show.
fn skip_control_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | ST_8BIT => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "sanitize_tests.rs"]
mod tests;
