//! Makes text carried by findings inert before it reaches a terminal, a log or a message.
//!
//! Findings are written by many products and by whoever names a resource, so every string is hostile:
//! escape sequences (CSI, OSC — including OSC 52 clipboard writes —, DCS), C0/C1 controls and bidi overrides
//! are removed, and lengths are bounded.

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

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
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
            '\n' if keep_newlines => {
                out.push('\n');
                kept += 1;
            }
            '\n' | '\t' | '\r' => {
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

/// Skips the rest of an escape sequence whose ESC was just consumed.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        // CSI: parameters and intermediates, then one final byte in 0x40..=0x7E.
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        // OSC, DCS, SOS, PM, APC: a string terminated by BEL or ST (ESC \).
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_osc_dcs_and_controls() {
        assert_eq!(single_line("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(single_line("x\u{1b}]52;c;ZXZpbA==\u{7}y"), "xy", "OSC 52 clipboard write removed");
        assert_eq!(single_line("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(single_line("x\u{1b}Pq#0;2\u{1b}\\y"), "xy");
        assert_eq!(single_line("a\u{0}b\u{7}c\u{9b}d\u{85}e"), "abcde");
        assert_eq!(single_line("evil\u{202E}txt.exe"), "eviltxt.exe");
    }

    #[test]
    fn newlines_become_spaces_on_one_line_and_stay_in_multi_line() {
        assert_eq!(single_line("a\nb\r\nc"), "a b c");
        assert_eq!(multi_line("a\nb\u{1b}[2J", 100), "a\nb");
    }

    #[test]
    fn one_unsafe_char_anywhere_in_a_text_of_any_length_is_found() {
        for len in 0..50 {
            let plain = "a".repeat(len);
            assert!(is_inert(&plain, false), "{len}");
            for at in 0..len {
                for bad in ["\u{1b}", "\u{7f}", "\t", "\u{9b}", "\u{202e}"] {
                    let text = format!("{}{bad}{}", &plain[..at], &plain[at + 1..]);
                    assert!(!is_inert(&text, false), "{text:?}");
                    assert!(!is_inert(&text, true), "{text:?}");
                }
                let newline = format!("{}\n{}", &plain[..at], &plain[at + 1..]);
                assert!(!is_inert(&newline, false) && is_inert(&newline, true), "{newline:?}");
                let accented = format!("{}é{}", &plain[..at], &plain[at + 1..]);
                assert!(is_inert(&accented, false), "{accented:?}");
            }
        }
    }

    #[test]
    fn inert_text_is_not_copied() {
        for text in ["plain ASCII text longer than eight bytes", "café “quoted” ünïcode", "", "~"] {
            assert!(matches!(inert_line(text), Cow::Borrowed(t) if t == text), "{text}");
        }
        assert!(matches!(inert_lines("two\nlines here", 100), Cow::Borrowed(_)));
        assert!(matches!(inert_lines("eight by\ntes, “then” ünïcode\n", 100), Cow::Borrowed(_)));
        assert!(matches!(inert_lines("eight by\ntes then\u{1b}[0m", 100), Cow::Owned(_)));
        assert!(matches!(inert_line("two\nlines here"), Cow::Owned(_)));
        for dirty in ["0123456789\u{7f}", "01234567\u{1b}[0m", "tab\there", "x\u{202e}y", "01234567\u{85}"] {
            assert!(matches!(inert_line(dirty), Cow::Owned(_)), "{dirty:?}");
        }
    }

    #[test]
    fn length_is_bounded() {
        let long = "x".repeat(1_000_000);
        let cleaned = single_line(&long);
        assert_eq!(cleaned.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(cleaned.ends_with('…'));
    }

    #[test]
    fn unterminated_sequences_do_not_panic() {
        assert_eq!(single_line("a\u{1b}"), "a");
        assert_eq!(single_line("a\u{1b}["), "a");
        assert_eq!(single_line("a\u{1b}]52;c;abc"), "a");
    }
}
