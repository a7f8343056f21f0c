//! Property tests (bounded, in CI) for `{placeholder}` substitution in custom actions: any template text parses or
//! says what is wrong, and whatever a finding carries, a rendered value is one inert, bounded piece of text.

use hubtriage::actions::template::{Template, MAX_VALUE_CHARS};
use hubtriage::model::asff::read_value;
use proptest::prelude::*;
use serde_json::json;

/// Text as findings carry it: printable, escape sequences, C0/C1 controls, bidi overrides, NUL, braces.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ._:/-]{0,12}",
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}gnp.exe".to_string()),
        Just("\u{0}".to_string()),
        Just("\r\n\t".to_string()),
        Just("$(rm -rf /); `id` 'q' \"q\"".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("{title}".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

/// A template as a config could hold it: literal text, known and unknown placeholders, stray braces.
fn template_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ._:/=-]{0,10}",
        Just("{id}".to_string()),
        Just("{title}".to_string()),
        Just("{resource_id}".to_string()),
        Just("{ control }".to_string()),
        Just("{nope}".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_template_parses_or_says_why(text in template_text()) {
        if let Err(e) = Template::parse(&text) {
            let message = e.to_string();
            prop_assert!(message.contains("placeholder") || message.contains("brace") || message.contains('{') || message.contains('}'), "{message}");
        }
    }

    #[test]
    fn substituted_values_are_inert_and_bounded(value in hostile_text(), repeat in 1usize..400) {
        let long = value.repeat(repeat);
        let finding = json!({
            "SchemaVersion": "2018-10-08",
            "Id": long,
            "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
            "GeneratorId": long,
            "AwsAccountId": "111111111111",
            "Region": long,
            "Title": long,
            "Compliance": {"Status": "FAILED", "SecurityControlId": long},
            "Resources": [{"Type": long, "Id": long}],
        });
        let template = Template::parse("{id}|{title}|{resource_id}|{resource_arn}|{resource_type}|{region}|{generator}|{control}")
            .expect("known placeholders");
        for f in read_value(&finding).findings {
            let rendered = template.render(&f);
            prop_assert!(!rendered.chars().any(|c| c.is_control()), "{rendered:?}");
            prop_assert!(!rendered.contains('\u{202e}'), "{rendered:?}");
            for part in rendered.split('|') {
                prop_assert!(part.chars().count() <= MAX_VALUE_CHARS + 1, "{} characters", part.chars().count());
            }
        }
    }
}
