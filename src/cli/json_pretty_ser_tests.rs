#![allow(clippy::unwrap_used)]

use super::{write_escaped, write_pretty};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Strings with every character `serde_json` escapes, and those it leaves (DEL, non-ASCII, U+2028), at every offset
/// within an eight-byte word and at the ends of the string.
fn awkward_strings() -> Vec<String> {
    let mut all: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
    all.extend(
        ["", "plain", "é", "🔒", "\u{2028}\u{2029}", "\u{7f}", "a\"b\\c/d", "\u{0}\u{1f}\u{1b}[31m"].map(String::from),
    );
    all.push((0u8..0x80).map(char::from).collect());
    for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", "\u{2028}"] {
        for before in 0..17 {
            for after in [0, 1, 7, 8, 9] {
                all.push(format!("{}{special}{}", "x".repeat(before), "y".repeat(after)));
            }
        }
        all.push(special.repeat(20));
    }
    all
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    for text in awkward_strings() {
        let mut out = b"[".to_vec();
        write_escaped(&mut out, &text);
        assert_eq!(String::from_utf8(out).unwrap(), format!("[{}", serde_json::to_string(&text).unwrap()), "{text:?}");
    }
}

#[derive(Serialize)]
struct Step {
    action: String,
    before: Option<String>,
    n: i64,
    big: u128,
    flag: bool,
    letter: char,
}

#[derive(Serialize)]
#[serde(tag = "call")]
enum Tagged {
    Put { bucket: String, config: BTreeMap<String, bool> },
    Delete,
    Wrapped(Step),
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
enum Plain {
    Unit,
    Newtype(Vec<String>),
    Tuple(u8, String),
    Struct { a: Option<u8>, b: Vec<Vec<u8>> },
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Keyed(String);

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    steps: Vec<Step>,
    none: Option<&'a str>,
    empty: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
    calls: Vec<Tagged>,
    plain: Vec<Plain>,
    by_name: BTreeMap<String, Vec<u8>>,
    by_number: BTreeMap<u32, String>,
    by_newtype: BTreeMap<Keyed, ()>,
    when: DateTime<Utc>,
    nothing: (),
    pair: (i8, &'a str),
    empty_struct: Empty,
}

#[derive(Serialize)]
struct Empty {}

fn entry(text: &str) -> Entry<'_> {
    let step = |n: i64| Step {
        action: format!("{text}{n}"),
        before: (n % 2 == 0).then(|| text.to_owned()),
        n: -n,
        big: u128::MAX,
        flag: n > 1,
        letter: text.chars().next().unwrap_or('\n'),
    };
    Entry {
        id: text,
        steps: (0..3).map(step).collect(),
        none: None,
        empty: Vec::new(),
        skipped: Vec::new(),
        calls: vec![
            Tagged::Put { bucket: text.into(), config: [(text.into(), true), ("b".into(), false)].into() },
            Tagged::Delete,
            Tagged::Wrapped(step(7)),
        ],
        plain: vec![
            Plain::Unit,
            Plain::Newtype(vec![]),
            Plain::Newtype(vec![text.into()]),
            Plain::Tuple(1, text.into()),
            Plain::Struct { a: None, b: vec![vec![], vec![1, 2]] },
        ],
        by_name: [(text.into(), vec![]), ("z".into(), vec![3])].into(),
        by_number: [(1, text.into()), (20, String::new())].into(),
        by_newtype: [(Keyed(text.into()), ())].into(),
        when: Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 1).unwrap(),
        nothing: (),
        pair: (-5, text),
        empty_struct: Empty {},
    }
}

/// What `serde_json` writes for `value` as an item of a pretty-printed array (one level in).
fn serde_json_item<T: Serialize>(value: &T) -> String {
    let whole = serde_json::to_string_pretty(&[value]).unwrap();
    whole.strip_prefix("[\n  ").unwrap().strip_suffix("\n]").unwrap().to_owned()
}

#[test]
fn every_shape_is_written_as_serde_json_writes_it() {
    for text in awkward_strings() {
        let value = entry(&text);
        let mut out = Vec::new();
        write_pretty(&mut out, &value, 1).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), serde_json_item(&value), "{text:?}");
    }
}

#[test]
fn what_it_does_not_write_is_refused_not_written_differently() {
    #[derive(Serialize)]
    struct Float {
        x: f64,
    }
    #[derive(Serialize)]
    struct Raw {
        raw: Box<RawValue>,
    }
    let raw = Raw { raw: RawValue::from_string("{\"a\":1}".into()).unwrap() };
    let bool_keys: BTreeMap<bool, u8> = [(true, 1)].into();
    assert!(write_pretty(&mut Vec::new(), &Float { x: 0.5 }, 1).is_err());
    assert!(write_pretty(&mut Vec::new(), &raw, 1).is_err());
    assert!(write_pretty(&mut Vec::new(), &bool_keys, 1).is_err());
    assert!(write_pretty(&mut Vec::new(), &serde_bytes_like(), 1).is_err());
}

/// A value serialised as bytes.
fn serde_bytes_like() -> impl Serialize {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"ab")
        }
    }
    Bytes
}

#[test]
fn deep_nesting_is_indented_as_serde_json_indents_it() {
    let mut value = serde_json::json!({"leaf": [1, "x"]});
    for depth in 0..45 {
        value = if depth % 2 == 0 { serde_json::json!([value, []]) } else { serde_json::json!({"k": value, "e": {}}) };
        let mut out = Vec::new();
        write_pretty(&mut out, &value, 1).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), serde_json_item(&value), "depth {depth}");
    }
}
