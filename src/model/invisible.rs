//! Characters a terminal does not show as themselves: Unicode format characters (zero-width, joiners, bidi
//! controls, tag characters, interlinear annotation) and the line and paragraph separators. Text from findings can
//! hide words with them (a title that reads differently from what it says), so the sanitizer removes them.
//!
//! The table is Unicode 16.0's `General_Category=Cf`, whole (`extracted/DerivedGeneralCategory.txt`); nothing in it
//! is needed to read a finding. Emoji lose their joiners (`U+200D`: a family shows as its members) and subdivision
//! flags their tags (`U+E0020..`: a black flag), which is the price of showing what is really there.

/// `General_Category=Cf` in Unicode 16.0, as inclusive ranges in code point order.
const FORMAT: [(char, char); 21] = [
    ('\u{00AD}', '\u{00AD}'),   // SOFT HYPHEN
    ('\u{0600}', '\u{0605}'),   // ARABIC NUMBER SIGN .. ARABIC NUMBER MARK ABOVE
    ('\u{061C}', '\u{061C}'),   // ARABIC LETTER MARK (bidi)
    ('\u{06DD}', '\u{06DD}'),   // ARABIC END OF AYAH
    ('\u{070F}', '\u{070F}'),   // SYRIAC ABBREVIATION MARK
    ('\u{0890}', '\u{0891}'),   // ARABIC POUND / PIASTRE MARK ABOVE
    ('\u{08E2}', '\u{08E2}'),   // ARABIC DISPUTED END OF AYAH
    ('\u{180E}', '\u{180E}'),   // MONGOLIAN VOWEL SEPARATOR
    ('\u{200B}', '\u{200F}'),   // ZERO WIDTH SPACE, ZWNJ, ZWJ, LRM, RLM
    ('\u{202A}', '\u{202E}'),   // bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO)
    ('\u{2060}', '\u{2064}'),   // WORD JOINER, invisible function application / times / separator / plus
    ('\u{2066}', '\u{206F}'),   // bidi isolates (LRI, RLI, FSI, PDI) and the deprecated format characters
    ('\u{FEFF}', '\u{FEFF}'),   // ZERO WIDTH NO-BREAK SPACE (byte order mark)
    ('\u{FFF9}', '\u{FFFB}'),   // INTERLINEAR ANNOTATION ANCHOR / SEPARATOR / TERMINATOR
    ('\u{110BD}', '\u{110BD}'), // KAITHI NUMBER SIGN
    ('\u{110CD}', '\u{110CD}'), // KAITHI NUMBER SIGN ABOVE
    ('\u{13430}', '\u{1343F}'), // EGYPTIAN HIEROGLYPH format controls
    ('\u{1BCA0}', '\u{1BCA3}'), // SHORTHAND FORMAT controls
    ('\u{1D173}', '\u{1D17A}'), // MUSICAL SYMBOL BEGIN BEAM .. END PHRASE
    ('\u{E0001}', '\u{E0001}'), // LANGUAGE TAG
    ('\u{E0020}', '\u{E007F}'), // TAG SPACE .. CANCEL TAG (hidden "ASCII smuggling" text)
];

/// Whether `c` is a Unicode format character (`General_Category=Cf`, see [`FORMAT`]).
#[inline]
pub fn is_format(c: char) -> bool {
    // Most text below U+00AD is ASCII or Latin-1 letters, which no range starts before.
    if c < '\u{AD}' {
        return false;
    }
    let at = FORMAT.partition_point(|&(_, last)| last < c);
    FORMAT.get(at).is_some_and(|&(first, _)| first <= c)
}

/// Whether `c` ends a line without being a newline: LINE SEPARATOR and PARAGRAPH SEPARATOR.
#[inline]
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_its_ranges_do_not_touch() {
        for pair in FORMAT.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn every_range_is_found_at_both_ends_and_nothing_next_to_it() {
        for (first, last) in FORMAT {
            assert!(is_format(first) && is_format(last), "{first:?}..{last:?}");
            let before = char::from_u32(first as u32 - 1).expect("char");
            let after = char::from_u32(last as u32 + 1).expect("char");
            assert!(!is_format(before) && !is_format(after), "{before:?} / {after:?}");
        }
    }

    #[test]
    fn the_characters_that_hide_text_are_format_characters_and_letters_are_not() {
        for c in ['\u{200B}', '\u{200D}', '\u{FEFF}', '\u{00AD}', '\u{2060}', '\u{2067}', '\u{E0041}', '\u{FFF9}'] {
            assert!(is_format(c), "{c:?}");
        }
        for c in ['a', 'é', '\u{A0}', '界', '🙂', '\u{FE0F}', '\u{2065}', '\u{E0000}', '\u{E0080}'] {
            assert!(!is_format(c), "{c:?}");
        }
        assert!(is_line_separator('\u{2028}') && is_line_separator('\u{2029}') && !is_line_separator('\n'));
    }
}
