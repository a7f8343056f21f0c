//! The sanitizer's cases: escape sequences in both forms, controls, format characters, bounds, the fast path.

use super::*;

#[test]
fn strips_csi_osc_dcs_and_controls() {
    assert_eq!(single_line("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
    assert_eq!(single_line("x\u{1b}]52;c;ZXZpbA==\u{7}y"), "xy", "OSC 52 clipboard write removed");
    assert_eq!(single_line("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
    assert_eq!(single_line("x\u{1b}Pq#0;2\u{1b}\\y"), "xy");
    assert_eq!(single_line("a\u{0}b\u{7}c\u{85}d\u{8e}e"), "abcde");
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

#[test]
fn eight_bit_sequences_go_with_their_payload_as_the_escape_forms_do() {
    let osc52 = "52;c;ZWNobyBwd25lZA==";
    for (intro, what) in [("\u{9d}", "OSC"), ("\u{90}", "DCS"), ("\u{98}", "SOS"), ("\u{9e}", "PM"), ("\u{9f}", "APC")]
    {
        for end in ["\u{7}", "\u{9c}", "\u{1b}\\"] {
            let text = format!("x{intro}{osc52}{end}y");
            assert_eq!(single_line(&text), "xy", "{what} ended by {end:?}");
        }
        assert_eq!(single_line(&format!("x{intro}{osc52}")), "x", "{what} unterminated: dropped to the end");
    }
    assert_eq!(single_line("a\u{9b}31mred\u{9b}0m b"), "ared b", "8-bit CSI with parameters and final byte");
    assert_eq!(single_line("a\u{9b}?1049h"), "a", "private parameters");
    assert_eq!(single_line("a\u{9b}12"), "a", "unterminated CSI: dropped to the end");
}

#[test]
fn the_string_terminator_ends_escape_form_strings_too() {
    assert_eq!(single_line("x\u{1b}]52;c;ZXZpbA==\u{9c}y"), "xy");
    assert_eq!(single_line("x\u{1b}P1$r\u{9c}y"), "xy");
}

#[test]
fn seven_and_eight_bit_forms_give_the_same_text() {
    let pairs = [
        ("\u{1b}[", "\u{9b}"),
        ("\u{1b}]", "\u{9d}"),
        ("\u{1b}P", "\u{90}"),
        ("\u{1b}X", "\u{98}"),
        ("\u{1b}^", "\u{9e}"),
        ("\u{1b}_", "\u{9f}"),
    ];
    for (seven, eight) in pairs {
        for body in ["2J", "52;c;abc\u{7}", "8;;http://e\u{1b}\\", "q#0;2\u{9c}", "unterminated"] {
            let a = format!("before {seven}{body} after");
            let b = format!("before {eight}{body} after");
            assert_eq!(single_line(&a), single_line(&b), "{a:?} / {b:?}");
            assert_eq!(multi_line(&a, 100), multi_line(&b, 100), "{a:?} / {b:?}");
        }
    }
}

#[test]
fn format_characters_are_removed_and_text_around_them_kept() {
    assert_eq!(single_line("ad\u{200b}min"), "admin", "zero-width space");
    assert_eq!(single_line("a\u{200c}b\u{200d}c\u{200e}d\u{200f}e"), "abcde");
    assert_eq!(single_line("\u{feff}bucket"), "bucket", "byte order mark");
    assert_eq!(single_line("pay\u{ad}load\u{2060}x\u{180e}y"), "payloadxy", "soft hyphen, word joiner, MVS");
    assert_eq!(single_line("safe\u{2066}\u{2067}\u{2068}\u{2069}"), "safe", "bidi isolates");
    assert_eq!(single_line("a\u{fff9}hidden\u{fffa}note\u{fffb}b"), "ahiddennoteb", "annotation marks go, text stays");
    // Tag characters spell hidden ASCII ("ignore") that some tools read and no terminal shows.
    let smuggled: String = "ignore".chars().map(|c| char::from_u32(0xE0000 + c as u32).expect("tag")).collect();
    assert_eq!(single_line(&format!("title\u{e0001}{smuggled}\u{e007f}")), "title");
    assert_eq!(single_line("café 界 🙂 ünïcode"), "café 界 🙂 ünïcode", "ordinary non-ASCII text stays");
}

#[test]
fn line_and_paragraph_separators_are_line_breaks() {
    assert_eq!(single_line("a\u{2028}b\u{2029}c"), "a b c");
    assert_eq!(multi_line("a\u{2028}b\u{2029}c", 100), "a\nb\nc");
}

#[test]
fn hidden_chars_in_json_become_its_escapes() {
    let json = "{\n  \"Title\": \"a\u{9d}52;c;x\u{200b}b\u{e0041}\\u001b\"\n}";
    let shown = json_escape_hidden(json);
    assert_eq!(shown, "{\n  \"Title\": \"a\\u009d52;c;x\\u200bb\\udb40\\udc41\\u001b\"\n}");
    let back: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
    assert_eq!(back["Title"], "a\u{9d}52;c;x\u{200b}b\u{e0041}\u{1b}", "the same JSON");
    assert!(matches!(json_escape_hidden("{\n  \"a\": \"é\"\n}"), Cow::Borrowed(_)));
}
