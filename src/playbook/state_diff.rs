//! Comparing two states of a resource: the settings a fix or a rollback may change (tags are the business of
//! exceptions and of other people), a fingerprint of them, and their differences in words.

use super::plan::fingerprint;
use super::state::ResourceState;
use serde_json::Value;

/// The settings of `state` a fix or a rollback touches: the effective state (rule ids left out) without tags.
pub fn settings(state: &ResourceState) -> ResourceState {
    let mut state = state.effective();
    match &mut state {
        ResourceState::S3Bucket(b) => b.tags.clear(),
        ResourceState::SecurityGroup(g) => g.tags.clear(),
        ResourceState::Instance(i) => i.tags.clear(),
        ResourceState::Account(_) => {}
        ResourceState::KmsKey(k) => k.tags.clear(),
        ResourceState::Trail(t) => t.tags.clear(),
        ResourceState::RdsSnapshot(s) => s.tags.clear(),
        ResourceState::IamUser(u) => u.tags.clear(),
    }
    state
}

/// A short, stable hash of the settings of `state`: equal exactly when `settings` are equal.
pub fn settings_fingerprint(state: &ResourceState) -> String {
    let json = serde_json::to_string(&settings(state)).unwrap_or_default();
    fingerprint(&[&json])
}

/// Where the settings of `now` differ from those of `then`, one `path: then → now` line each (at most `limit`, and a
/// count of the rest).
pub fn differences(then: &ResourceState, now: &ResourceState, limit: usize) -> Vec<String> {
    let as_json = |s: &ResourceState| serde_json::to_value(settings(s)).unwrap_or(Value::Null);
    let mut lines = Vec::new();
    walk("", &as_json(then), &as_json(now), &mut lines);
    if lines.len() > limit {
        let rest = lines.len() - limit;
        lines.truncate(limit);
        lines.push(format!("… and {rest} more difference(s)"));
    }
    lines
}

fn walk(path: &str, then: &Value, now: &Value, out: &mut Vec<String>) {
    match (then, now) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                walk(&child, a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(&format!("{path}[{i}]"), x, y, out);
            }
        }
        // Lists that grew or shrank: what is only in one of them.
        (Value::Array(a), Value::Array(b)) => {
            out.extend(a.iter().filter(|x| !b.contains(x)).map(|x| format!("{path}: removed {}", brief(x))));
            out.extend(b.iter().filter(|y| !a.contains(y)).map(|y| format!("{path}: added {}", brief(y))));
        }
        // Documents kept as text (a bucket policy): compared as the JSON they hold.
        (Value::String(a), Value::String(b)) if a != b => match (json_document(a), json_document(b)) {
            (Some(x), Some(y)) => walk(path, &x, &y, out),
            _ => out.push(format!("{path}: {} → {}", brief(then), brief(now))),
        },
        (a, b) if a != b => out.push(format!("{path}: {} → {}", brief(a), brief(b))),
        _ => {}
    }
}

/// The object or array `text` holds, when it is one.
fn json_document(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().filter(|v: &Value| v.is_object() || v.is_array())
}

/// A value in at most 80 characters.
fn brief(value: &Value) -> String {
    let text = match value {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::{BucketPublicAccessBlock, BucketState};
    use crate::playbook::PublicAccessBlock;

    fn bucket() -> BucketState {
        BucketState {
            name: "acme-logs".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            public_access_block: BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON),
            encryption: Some("AES256".into()),
            encryption_kms_key: None,
            policy: Some(r#"{"Statement":[]}"#.into()),
            tags: [("team".to_string(), "a".to_string())].into(),
            unread: crate::playbook::BucketParts::NONE,
        }
    }

    #[test]
    fn tags_do_not_count_and_settings_do() {
        let fixed = ResourceState::S3Bucket(bucket());
        let mut retagged = bucket();
        retagged.tags.insert("SecurityException".into(), "x".into());
        assert_eq!(settings_fingerprint(&fixed), settings_fingerprint(&ResourceState::S3Bucket(retagged.clone())));
        assert!(differences(&fixed, &ResourceState::S3Bucket(retagged), 5).is_empty());

        let mut repolicied = bucket();
        repolicied.policy = Some(r#"{"Statement":[{"Effect":"Deny"}]}"#.into());
        let changed = ResourceState::S3Bucket(repolicied);
        assert_ne!(settings_fingerprint(&fixed), settings_fingerprint(&changed));
        let lines = differences(&fixed, &changed, 5);
        assert_eq!(lines, [r#"policy.Statement: added {"Effect":"Deny"}"#], "the policy is compared as JSON");
    }

    #[test]
    fn differences_are_bounded() {
        let mut other = bucket();
        other.encryption = None;
        other.encryption_kms_key = Some("k".into());
        other.policy = None;
        let lines = differences(&ResourceState::S3Bucket(bucket()), &ResourceState::S3Bucket(other), 2);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[2], "… and 1 more difference(s)");
    }
}
