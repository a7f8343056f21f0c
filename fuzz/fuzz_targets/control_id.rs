//! Control-id resolution on any JSON object and on any GeneratorId / SecurityControlId / ProductFields text: never a
//! panic, and a control id found is never empty and always inert.
#![no_main]

use hubtriage::model::control_id::{resolve_value, ControlIdResolution};
use hubtriage::model::sanitize::is_inert_line;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn check(value: &Value) {
    if let ControlIdResolution::Found(id) | ControlIdResolution::UnmappedLegacy(id) = resolve_value(value) {
        assert!(!id.is_empty() && is_inert_line(&id), "{id:?} from {value}");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        check(&value);
    }
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\u{1f}');
    let (a, b, c, d) = (parts.next(), parts.next(), parts.next(), parts.next());
    check(&json!({
        "GeneratorId": a,
        "Compliance": {"SecurityControlId": b},
        "ProductFields": {"ControlId": c, "StandardsControlArn": d,
                          "StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"},
    }));
});
