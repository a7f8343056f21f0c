//! Property tests (bounded, in CI): whatever text or JSON arrives, the readers and parsers never panic, always say
//! what is wrong, and what they let through is inert.

use chrono::{TimeZone, Utc};
use hubtriage::config::{Config, ExceptionsConfig};
use hubtriage::engine::exceptions::{validate, ExceptionInput};
use hubtriage::model::asff::{read_document, read_value};
use hubtriage::model::control_id::{resolve_value, ControlIdResolution};
use hubtriage::model::sanitize::{is_inert_line, multi_line, single_line, MAX_FIELD_CHARS};
use hubtriage::model::ResourceRef;
use hubtriage::policy::exception::{parse_expiry, read_exception, ExceptionStatus};
use hubtriage::policy::ExceptionTagNames;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Text as findings carry it: printable, escape sequences in both forms, C0/C1 controls, bidi overrides, format
/// characters (zero-width, tags), NUL, wide characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ._:/-]{0,12}",
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}".to_string()),
        Just("\u{1b}P1$r0m\u{1b}\\".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{9d}52;c;ZWNobyBwd25lZA==\u{9c}".to_string()),
        Just("\u{90}1$r0m\u{7}".to_string()),
        Just("\u{202e}gnp.exe".to_string()),
        Just("ad\u{200b}m\u{200d}in\u{feff}\u{ad}".to_string()),
        Just("\u{e0001}\u{e0069}\u{e0067}\u{e007f}".to_string()),
        Just("\u{2028}\u{2029}".to_string()),
        Just("\u{0}".to_string()),
        Just("\r\n\t".to_string()),
        Just("界🙂".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

/// Complete escape sequences, each in its 7-bit and its 8-bit (C1) form, with their parameters and payloads.
const SEQUENCES: [(&str, &str); 9] = [
    ("\u{1b}[31m", "\u{9b}31m"),
    ("\u{1b}[?1049h", "\u{9b}?1049h"),
    ("\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}", "\u{9d}52;c;ZWNobyBwd25lZA==\u{7}"),
    ("\u{1b}]8;;http://evil.example/\u{1b}\\", "\u{9d}8;;http://evil.example/\u{9c}"),
    ("\u{1b}P1$r0m\u{1b}\\", "\u{90}1$r0m\u{9c}"),
    ("\u{1b}Xsos payload\u{1b}\\", "\u{98}sos payload\u{9c}"),
    ("\u{1b}^pm payload\u{7}", "\u{9e}pm payload\u{7}"),
    ("\u{1b}_apc payload\u{1b}\\", "\u{9f}apc payload\u{1b}\\"),
    ("", ""),
];

/// Format characters (`General_Category=Cf`) and line / paragraph separators, as this test knows them: written
/// out here, apart from the sanitizer's own table, so that a gap in either shows.
fn is_format_or_separator(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}' | '\u{891}' | '\u{8e2}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}')
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[A-Za-z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Objects that look enough like findings to be read as one, with hostile values in every field.
fn finding_like() -> impl Strategy<Value = Value> {
    (hostile_text(), hostile_text(), hostile_text(), hostile_text(), json_value(), hostile_text()).prop_map(
        |(id, title, generator, resource, details, control)| {
            json!({
                "SchemaVersion": "2018-10-08",
                "Id": id,
                "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "GeneratorId": generator,
                "AwsAccountId": "111111111111",
                "Title": title,
                "Compliance": {"Status": "FAILED", "SecurityControlId": control},
                "Resources": [{"Type": "AwsS3Bucket", "Id": resource, "Details": details}],
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sanitized_text_is_inert_and_bounded(text in hostile_text(), repeat in 1usize..600) {
        let long = text.repeat(repeat);
        let line = single_line(&long);
        prop_assert!(is_inert_line(&line) || line.chars().count() == MAX_FIELD_CHARS + 1, "{line:?}");
        prop_assert!(!line.chars().any(|c| c.is_control() || is_format_or_separator(c)), "{line:?}");
        prop_assert!(line.chars().count() <= MAX_FIELD_CHARS + 1);
        let block = multi_line(&long, 300);
        prop_assert!(!block.chars().any(|c| (c.is_control() && c != '\n') || is_format_or_separator(c)));
        prop_assert!(block.chars().count() <= 301);
    }

    #[test]
    fn escape_sequences_go_whole_in_their_seven_and_eight_bit_forms_alike(
        pieces in proptest::collection::vec((0usize..SEQUENCES.len(), "[a-zA-Z0-9 .,:/-]{0,10}"), 0..8),
    ) {
        // The same text written with 7-bit sequences, with 8-bit ones, and without any: all three read the same.
        let seven: String = pieces.iter().map(|(i, text)| format!("{}{text}", SEQUENCES[*i].0)).collect();
        let eight: String = pieces.iter().map(|(i, text)| format!("{}{text}", SEQUENCES[*i].1)).collect();
        let plain: String = pieces.iter().map(|(_, text)| text.as_str()).collect();
        prop_assert_eq!(single_line(&seven), single_line(&plain));
        prop_assert_eq!(single_line(&eight), single_line(&plain));
        prop_assert_eq!(multi_line(&eight, 1000), multi_line(&seven, 1000));
    }

    #[test]
    fn any_text_reads_without_panic_and_every_problem_says_where_and_why(text in hostile_text()) {
        let outcome = read_document(&text);
        for p in &outcome.problems {
            prop_assert!(!p.location.is_empty() && !p.reason.is_empty());
        }
    }

    #[test]
    fn any_json_reads_without_panic(value in json_value()) {
        let outcome = read_value(&value);
        for p in &outcome.problems {
            prop_assert!(!p.reason.is_empty());
        }
    }

    #[test]
    fn hostile_findings_read_into_inert_fields(value in finding_like()) {
        let outcome = read_value(&value);
        for f in &outcome.findings {
            prop_assert!(is_inert_line(&f.title), "title {:?}", f.title);
            prop_assert!(f.control_id.as_deref().is_none_or(|c| is_inert_line(c) && !c.is_empty()));
            for r in &f.resources {
                prop_assert!(is_inert_line(&r.id), "resource id {:?}", r.id);
            }
        }
    }

    #[test]
    fn control_ids_resolve_without_panic(value in json_value(), generator in hostile_text(), field in hostile_text()) {
        let mut object = match value { Value::Object(m) => m, _ => Map::new() };
        object.insert("GeneratorId".into(), Value::from(generator));
        object.insert("ProductFields".into(), json!({ "ControlId": field, "StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0" }));
        if let ControlIdResolution::Found(id) | ControlIdResolution::UnmappedLegacy(id) = resolve_value(&Value::Object(object)) {
            prop_assert!(!id.is_empty());
        }
    }

    #[test]
    fn exception_tags_never_panic_and_validity_follows_the_clock(
        reason in hostile_text(),
        expiry in prop_oneof![hostile_text(), "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]", "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"],
        owner in hostile_text(),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().expect("time");
        let _ = parse_expiry(&expiry);
        let names = ExceptionTagNames::default();
        let tags: BTreeMap<String, String> = [
            (names.reason_tag.clone(), reason),
            (names.expiry_tag.clone(), expiry),
            (names.owner_tag.clone(), owner),
        ].into_iter().collect();
        match read_exception(&tags, &names, now) {
            ExceptionStatus::Valid(tag) => prop_assert!(tag.expires > now && tag.days_left(now) >= 0),
            ExceptionStatus::Expired(tag) => prop_assert!(tag.expires <= now && tag.days_left(now) <= 0),
            ExceptionStatus::Invalid(why) => prop_assert!(!why.is_empty()),
            ExceptionStatus::None => {}
        }
    }

    #[test]
    fn exception_requests_are_accepted_only_within_the_limits(
        reason in hostile_text(),
        expires in prop_oneof![hostile_text(), (-5i64..200).prop_map(|d| format!("{d}d")), Just(String::new())],
        owner in hostile_text(),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().expect("time");
        let config = ExceptionsConfig::default();
        let resource = ResourceRef { kind: "AwsS3Bucket".into(), id: "arn:aws:s3:::b".into(), region: None, tags: Default::default(), details: None };
        let input = ExceptionInput { account_id: "111111111111".into(), region: "eu-west-1".into(), resource, reason, expires, owner, controls: String::new() };
        match validate(&input, &config, "operator", now) {
            Ok(valid) => {
                prop_assert!(!valid.reason.trim().is_empty());
                prop_assert!(valid.expires > now);
                prop_assert!(valid.expires <= now + chrono::Duration::days(i64::from(config.max_days) + 1));
                prop_assert!(!valid.reason.chars().any(char::is_control));
            }
            Err(why) => prop_assert!(["reason:", "expires:", "owner:", "resource:"].iter().any(|f| why.starts_with(f)), "{why}"),
        }
    }

    #[test]
    fn any_config_text_loads_or_says_which_file(text in hostile_text()) {
        if let Err(e) = Config::parse(&text, Path::new("/etc/hubtriage/config.toml")) {
            prop_assert!(e.to_string().starts_with("config file /etc/hubtriage/config.toml: "), "{e}");
        }
    }

    #[test]
    fn the_example_config_with_a_line_dropped_loads_or_names_a_line(drop in 0usize..200) {
        let example = include_str!("../config.example.toml");
        let text: String = example.lines().enumerate().filter(|(i, _)| *i != drop).map(|(_, l)| format!("{l}\n")).collect();
        if let Err(e) = Config::parse(&text, Path::new("c.toml")) {
            prop_assert!(e.to_string().contains("line "), "{e}");
        }
    }
}
