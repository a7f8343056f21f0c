//! `aws_smithy_types::Document` (how the SDK hands over GetFindingsV2's untyped OCSF findings) → JSON, so live OCSF
//! findings take the same reader (`model::read_any_value`) as files do. Document's own serde support needs an
//! unstable cfg; this walk is short.

use aws_smithy_types::{Document, Number};
use serde_json::{Map, Value};

/// The document as JSON. Floats that JSON cannot hold (NaN, infinities) become `null`.
pub fn document_to_json(document: &Document) -> Value {
    match document {
        Document::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), document_to_json(v))).collect::<Map<_, _>>())
        }
        Document::Array(items) => Value::Array(items.iter().map(document_to_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Document::String(s) => Value::String(s.clone()),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    #[test]
    fn every_kind_of_value_converts() {
        let doc = Document::Object(HashMap::from([
            ("status_id".to_string(), Document::Number(Number::PosInt(4))),
            ("offset".to_string(), Document::Number(Number::NegInt(-3))),
            ("score".to_string(), Document::Number(Number::Float(7.5))),
            ("nan".to_string(), Document::Number(Number::Float(f64::NAN))),
            ("ok".to_string(), Document::Bool(true)),
            ("none".to_string(), Document::Null),
            (
                "resources".to_string(),
                Document::Array(vec![Document::Object(HashMap::from([(
                    "type".to_string(),
                    Document::String("AWS::S3::Bucket".into()),
                )]))]),
            ),
        ]));
        assert_eq!(
            document_to_json(&doc),
            json!({"status_id": 4, "offset": -3, "score": 7.5, "nan": null, "ok": true, "none": null,
                   "resources": [{"type": "AWS::S3::Bucket"}]})
        );
    }
}
