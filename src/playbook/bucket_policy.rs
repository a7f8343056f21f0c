//! Bucket policy documents: add one statement and leave every other byte of every other statement as written;
//! recognise a statement that denies insecure transport.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

/// The members of a JSON object in document order, values kept exactly as written.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

/// A policy's statements as written: the `Statement` array's items, or the single `Statement` object.
fn statements(raw: &RawValue) -> Result<Vec<Box<RawValue>>, String> {
    match raw.get().trim_start().chars().next() {
        Some('[') => serde_json::from_str(raw.get()).map_err(|e| e.to_string()),
        Some('{') => Ok(vec![raw.to_owned()]),
        _ => Err("its Statement is neither an array nor an object".into()),
    }
}

/// Number of statements in a policy, or why it cannot be read.
pub fn statement_count(policy: &str) -> Result<usize, String> {
    let Members(members) = serde_json::from_str(policy).map_err(|e| format!("it is not a JSON object ({e})"))?;
    let mut seen = std::collections::BTreeSet::new();
    if let Some((key, _)) = members.iter().find(|(k, _)| !seen.insert(k.as_str())) {
        return Err(format!("it has the member {key:?} twice"));
    }
    match members.iter().find(|(k, _)| k == "Statement") {
        Some((_, raw)) => statements(raw).map(|s| s.len()),
        None => Ok(0),
    }
}

/// `policy` with `statement` appended to its `Statement` (a single-object `Statement` becomes an array); a new
/// policy when there is none. Fails when the policy cannot be read or already has a statement with `sid`.
pub fn merge(policy: Option<&str>, statement: &str, sid: &str) -> Result<String, String> {
    let Some(policy) = policy else {
        return Ok(format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#));
    };
    statement_count(policy)?;
    let Members(members) = serde_json::from_str(policy).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(members.len() + 1);
    let mut merged = false;
    for (key, raw) in &members {
        let value = if key == "Statement" {
            let items = statements(raw)?;
            for item in &items {
                let parsed: Value = serde_json::from_str(item.get()).map_err(|e| e.to_string())?;
                if parsed.get("Sid").and_then(Value::as_str) == Some(sid) {
                    return Err(format!(
                        "it already has a statement with Sid {sid} that does not deny insecure transport"
                    ));
                }
            }
            merged = true;
            let mut texts: Vec<&str> = items.iter().map(|i| i.get()).collect();
            texts.push(statement);
            format!("[{}]", texts.join(","))
        } else {
            raw.get().to_string()
        };
        out.push(format!("{}:{value}", Value::from(key.as_str())));
    }
    if !merged {
        out.push(format!(r#""Statement":[{statement}]"#));
    }
    Ok(format!("{{{}}}", out.join(",")))
}

/// Whether a string-or-array member holds a value matching `want`.
fn holds(value: Option<&Value>, want: impl Fn(&Value) -> bool) -> bool {
    match value {
        Some(Value::Array(items)) => items.iter().any(want),
        Some(v) => want(v),
        None => false,
    }
}

fn is_text(value: &Value, text: &str) -> bool {
    value.as_str().is_some_and(|v| v.eq_ignore_ascii_case(text))
}

/// Whether one statement denies every S3 action to everyone when `aws:SecureTransport` is false.
fn denies_insecure_transport(statement: &Value) -> bool {
    let everyone = match statement.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(p)) => holds(p.get("AWS"), |v| is_text(v, "*")),
        _ => false,
    };
    let all_actions = holds(statement.get("Action"), |v| is_text(v, "s3:*") || is_text(v, "*"));
    let insecure = statement.pointer("/Condition/Bool").and_then(Value::as_object).is_some_and(|b| {
        b.iter().any(|(key, value)| {
            key.eq_ignore_ascii_case("aws:SecureTransport")
                && holds(Some(value), |v| is_text(v, "false") || *v == Value::Bool(false))
        })
    });
    statement.get("Effect").and_then(Value::as_str) == Some("Deny") && everyone && all_actions && insecure
}

/// Whether the policy has a statement that denies `s3:*` (or `*`) to everyone over plain HTTP.
pub fn requires_ssl(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    holds(doc.get("Statement"), denies_insecure_transport)
}
