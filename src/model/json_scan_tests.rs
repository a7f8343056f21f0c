use super::*;

fn skips(text: &str) -> bool {
    let mut s = Scanner::new(text);
    s.skip_value().is_ok() && s.at_end()
}

#[test]
fn valid_json_is_skipped_whole_and_invalid_json_bails() {
    for valid in [
        r#"{"a":[1,-2.5e+3,true,false,null,{"b":"c\"d\\e\u00e9"}],"k":{}}"#,
        " [ ] ",
        r#""long string with no escapes at all, more than eight bytes""#,
        "0",
        "-0.0e1",
    ] {
        assert!(skips(valid), "{valid}");
        assert!(serde_json::from_str::<serde_json::Value>(valid).is_ok());
    }
    for invalid in [
        r#"{"a":1,}"#,
        "[1 2]",
        r#"{"a" 1}"#,
        "01",
        "1.",
        "-",
        "tru",
        "\"a\u{1}b\"",
        r#""\x""#,
        r#""\u12g4""#,
        r#""unterminated"#,
        "[1,]",
        "{\"a\":1",
    ] {
        assert!(!skips(invalid), "{invalid}");
        assert!(serde_json::from_str::<serde_json::Value>(invalid).is_err());
    }
}

#[test]
fn strings_are_borrowed_unless_escaped_and_decoded_like_serde() {
    let mut s = Scanner::new(r#"["plain text of some length", "tab\there \ud83d\ude00 \"q\""]"#);
    s.begin_array().expect("scan");
    let mut first = true;
    assert!(s.next_item(&mut first).expect("scan"));
    assert!(matches!(s.string().expect("scan"), Cow::Borrowed("plain text of some length")));
    assert!(s.next_item(&mut first).expect("scan"));
    assert_eq!(s.string().expect("scan"), "tab\there 😀 \"q\"");
    assert!(!s.next_item(&mut first).expect("scan"));
    // A lone surrogate is refused, as serde_json refuses it.
    assert_eq!(Scanner::new(r#""\ud83d""#).string(), Err(Bail));
}

#[test]
fn a_stop_byte_is_found_at_every_offset() {
    for stop in ["\"", "\\n", "\u{1f}"] {
        for at in 0..40 {
            let text = format!("\"{}{stop}{}\"", "a".repeat(at), "é".repeat(5));
            let mut s = Scanner::new(&text);
            let escaped = s.string_end();
            match stop {
                "\"" => assert_eq!((escaped, s.pos), (Ok(false), at + 2)),
                "\\n" => assert_eq!((escaped, s.pos), (Ok(true), text.len())),
                _ => assert_eq!(escaped, Err(Bail)),
            }
        }
    }
}

#[test]
fn numbers_are_the_f64_serde_reads() {
    for text in [
        "0",
        "-0",
        "70",
        "-40",
        "999999999999999",
        "9999999999999999",
        "12345678901234567890",
        "1.5",
        "0.1",
        "1e3",
        "-2.5E-3",
    ] {
        let expected: f64 = serde_json::from_str(text).expect("number");
        let got = Scanner::new(text).number().expect("scan");
        assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
    }
}

#[test]
fn keys_and_depth() {
    let mut s = Scanner::new(r#"{"a\u0062":1}"#);
    s.begin_object().expect("scan");
    assert_eq!(s.next_key(&mut true), Err(Bail), "escaped keys bail");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(!skips(&deep));
    let fine = format!("{}{}", "[".repeat(50), "]".repeat(50));
    assert!(skips(&fine));
    let mut s = Scanner::new("[1.5e2, 40]");
    s.begin_array().expect("scan");
    let mut first = true;
    s.next_item(&mut first).expect("scan");
    assert_eq!(s.number(), Ok(150.0));
    s.next_item(&mut first).expect("scan");
    assert_eq!(s.number(), Ok(40.0));
}

#[test]
fn whitespace_runs_of_every_length_are_skipped_and_other_control_bytes_are_not_whitespace() {
    for n in 0..40 {
        let ws: String = (0..n).map(|i| [' ', ' ', ' ', '\n', ' ', '\t', ' ', '\r'][i % 8]).collect();
        let text = format!("{ws}{{{ws}\"a\"{ws}:{ws}[{ws}1{ws},{ws}\"b\"{ws}]{ws}}}{ws}");
        let mut s = Scanner::new(&text);
        assert_eq!(s.skip_value(), Ok(()), "{text:?}");
        assert!(s.at_end(), "{text:?}");
        assert_eq!(s.take_spaced(), n > 0, "{text:?}");
        // Runs of spaces alone, as a pretty printer indents, ending at every offset of sixteen bytes and at the end.
        let spaces = " ".repeat(n);
        let text = format!("{{\n{spaces}\"a\":{spaces}[\n{spaces}1,\n{spaces}\"b\"{spaces}]{spaces}}}{spaces}");
        let mut s = Scanner::new(&text);
        assert_eq!(s.skip_value(), Ok(()), "{text:?}");
        assert!(s.at_end(), "{text:?}");
        assert_eq!(Scanner::new(&format!("{spaces}x")).kind(), Ok(Kind::Other));
        assert_eq!(Scanner::new(&format!("{spaces}\"")).kind(), Ok(Kind::String));
        let vertical_tab = format!("{{{ws}\u{b}\"a\":1}}");
        assert_eq!(Scanner::new(&vertical_tab).skip_value(), Err(Bail), "{vertical_tab:?}");
    }
}
