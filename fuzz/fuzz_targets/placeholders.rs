//! `{placeholder}` templates of custom actions: any template text parses or says why; rendering it with a finding
//! whose every field is the fuzzer's text never panics, and the substituted values are inert.
#![no_main]

use hubtriage::actions::template::Template;
use hubtriage::model::asff::read_value;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (template, value) = text.split_once('\u{1f}').unwrap_or((&text, "x"));
    let parsed = match Template::parse(template) {
        Ok(t) => t,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let finding = json!({
        "SchemaVersion": "2018-10-08",
        "Id": value,
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": value,
        "AwsAccountId": "111111111111",
        "Region": value,
        "Title": value,
        "Compliance": {"Status": "FAILED", "SecurityControlId": value},
        "Resources": [{"Type": value, "Id": value}],
    });
    for f in read_value(&finding).findings {
        let rendered = parsed.render(&f);
        // The template's own text is trusted (config); what came from the finding must be inert.
        let literal_controls = template.chars().filter(|c| c.is_control()).count();
        let rendered_controls = rendered.chars().filter(|c| c.is_control()).count();
        assert!(rendered_controls <= literal_controls, "{rendered:?} from {template:?}");
    }
});
