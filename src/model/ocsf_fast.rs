//! The quick read of one OCSF finding's text: only the members the reader uses are kept, the rest (most of a
//! finding: observables, evidences, remediation text, unmapped data) is skipped without being built, and what is kept
//! becomes the small JSON tree [`super::ocsf::normalize`] reads exactly as it reads a whole one — same leniency, same
//! warnings. A member whose container has the wrong type, or an identity member given twice, fails the quick read;
//! the caller then reads the finding's whole tree, which says what is wrong.

use serde::Deserialize;
use serde_json::Map;
use serde_json::Value;

/// A leaf as given, of whatever type (the reader says when it is the wrong one).
type Leaf = Option<Value>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Skeleton {
    metadata: Option<Metadata>,
    finding_info: Option<FindingInfo>,
    cloud: Option<Cloud>,
    compliance: Option<Compliance>,
    /// Read whole: every entry's uid, type, region, owner, tags and data are used.
    resources: Leaf,
    severity: Leaf,
    severity_id: Leaf,
    status: Leaf,
    status_id: Leaf,
    class_uid: Leaf,
    class_name: Leaf,
    time: Leaf,
    time_dt: Leaf,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    uid: Leaf,
    product: Option<Product>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Product {
    uid: Leaf,
    name: Leaf,
    vendor_name: Leaf,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FindingInfo {
    uid: Leaf,
    title: Leaf,
    desc: Leaf,
    types: Leaf,
    analytic: Leaf,
    created_time: Leaf,
    created_time_dt: Leaf,
    modified_time: Leaf,
    modified_time_dt: Leaf,
    first_seen_time: Leaf,
    first_seen_time_dt: Leaf,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Cloud {
    account: Option<Account>,
    region: Leaf,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Account {
    uid: Leaf,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Compliance {
    control: Leaf,
    status: Leaf,
    status_id: Leaf,
}

/// An object of the members given (moved, not copied).
fn object<const N: usize>(members: [(&str, Leaf); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    }
    Value::Object(map)
}

impl Skeleton {
    fn into_value(self) -> Value {
        let metadata = self.metadata.map(|m| {
            let product = m.product.map(|p| object([("uid", p.uid), ("name", p.name), ("vendor_name", p.vendor_name)]));
            object([("uid", m.uid), ("product", product)])
        });
        let finding_info = self.finding_info.map(|f| {
            object([
                ("uid", f.uid),
                ("title", f.title),
                ("desc", f.desc),
                ("types", f.types),
                ("analytic", f.analytic),
                ("created_time", f.created_time),
                ("created_time_dt", f.created_time_dt),
                ("modified_time", f.modified_time),
                ("modified_time_dt", f.modified_time_dt),
                ("first_seen_time", f.first_seen_time),
                ("first_seen_time_dt", f.first_seen_time_dt),
            ])
        });
        let cloud = self.cloud.map(|c| {
            let account = c.account.map(|a| object([("uid", a.uid)]));
            object([("account", account), ("region", c.region)])
        });
        let compliance =
            self.compliance.map(|c| object([("control", c.control), ("status", c.status), ("status_id", c.status_id)]));
        object([
            ("metadata", metadata),
            ("finding_info", finding_info),
            ("cloud", cloud),
            ("compliance", compliance),
            ("resources", self.resources),
            ("severity", self.severity),
            ("severity_id", self.severity_id),
            ("status", self.status),
            ("status_id", self.status_id),
            ("class_uid", self.class_uid),
            ("class_name", self.class_name),
            ("time", self.time),
            ("time_dt", self.time_dt),
        ])
    }
}

/// The members of the finding at `text` the reader uses, as a tree; `None` when the quick read cannot take it.
pub(super) fn pruned(text: &str) -> Option<Value> {
    serde_json::from_str::<Skeleton>(text).ok().map(Skeleton::into_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::raw_json::RawJson;
    use crate::model::read::Envelope;

    fn samples() -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/ocsf/elastic-integrations__test-findings.ndjson");
        std::fs::read_to_string(path).expect("sample").lines().map(String::from).collect()
    }

    #[test]
    fn the_quick_read_normalizes_every_sample_exactly_as_the_whole_tree_does() {
        for (i, text) in samples().iter().enumerate() {
            let whole: Value = serde_json::from_str(text).expect("json");
            let quick = pruned(text).expect("quick read");
            assert!(quick.to_string().len() < whole.to_string().len(), "line {i}: something was left out");
            let raw = || RawJson::inline(text.as_str());
            let from_whole = super::super::ocsf::normalize(&whole, raw(), &Envelope::default()).expect("whole");
            let from_quick = super::super::ocsf::normalize(&quick, raw(), &Envelope::default()).expect("quick");
            assert_eq!(from_quick, from_whole, "line {i}");
        }
    }

    #[test]
    fn a_wrong_container_or_a_twice_given_identity_leaves_it_to_the_whole_tree() {
        assert!(pruned(r#"{"metadata":"text","finding_info":{"uid":"x"}}"#).is_none());
        assert!(pruned(r#"{"metadata":{"uid":"a","uid":"b"},"finding_info":{"uid":"x"}}"#).is_none());
        // A leaf of the wrong type is kept for the reader to name.
        let kept = pruned(r#"{"metadata":{"uid":"a"},"finding_info":{"uid":"x"},"severity_id":"high"}"#);
        assert_eq!(kept.and_then(|v| v.get("severity_id").cloned()), Some(Value::from("high")));
    }
}
