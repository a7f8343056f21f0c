//! The quick read of one OCSF finding's text: one pass of the [`Scanner`] keeps only the members the reader uses
//! and skips the rest (most of a finding: observables, evidences, remediation text, unmapped data) without building
//! it; what is kept becomes the small JSON tree [`super::ocsf::normalize`] reads exactly as it reads a whole one —
//! same leniency, same warnings. A kept container of the wrong type, an identity member given twice or an escaped
//! key fails the quick read; the caller then reads the finding's whole tree, which says what is wrong.

use super::json_scan::{Bail, Kind, Scan, Scanner};
use serde_json::{Map, Value};

/// What is kept of a member: its value as given (of whatever type: the reader says when it is the wrong one), the
/// kept members of the object it must be, a list whose objects keep those members (other items kept whole), or a
/// resource's `data` with only the parts playbooks plan from.
enum Keep {
    Leaf,
    Object(&'static [(&'static str, Keep)]),
    List(&'static [(&'static str, Keep)]),
    Data,
}

use Keep::{Data, Leaf, List, Object};

const PRODUCT: &[(&str, Keep)] = &[("uid", Leaf), ("name", Leaf), ("vendor_name", Leaf)];
const METADATA: &[(&str, Keep)] = &[("uid", Leaf), ("product", Object(PRODUCT))];
const FINDING_INFO: &[(&str, Keep)] = &[
    ("uid", Leaf),
    ("title", Leaf),
    ("desc", Leaf),
    ("types", Leaf),
    ("analytic", Leaf),
    ("created_time", Leaf),
    ("created_time_dt", Leaf),
    ("modified_time", Leaf),
    ("modified_time_dt", Leaf),
    ("first_seen_time", Leaf),
    ("first_seen_time_dt", Leaf),
];
const ACCOUNT: &[(&str, Keep)] = &[("uid", Leaf)];
const CLOUD: &[(&str, Keep)] = &[("account", Object(ACCOUNT)), ("region", Leaf)];
const COMPLIANCE: &[(&str, Keep)] = &[("control", Leaf), ("status", Leaf), ("status_id", Leaf)];
const OWNER: &[(&str, Keep)] = &[("account", Object(ACCOUNT))];
const RESOURCE: &[(&str, Keep)] = &[
    ("uid", Leaf),
    ("uid_alt", Leaf),
    ("type", Leaf),
    ("region", Leaf),
    ("owner", Object(OWNER)),
    ("tags", Leaf),
    ("data", Data),
];
const FINDING: &[(&str, Keep)] = &[
    ("metadata", Object(METADATA)),
    ("finding_info", Object(FINDING_INFO)),
    ("cloud", Object(CLOUD)),
    ("compliance", Object(COMPLIANCE)),
    ("resources", List(RESOURCE)),
    ("severity", Leaf),
    ("severity_id", Leaf),
    ("status", Leaf),
    ("status_id", Leaf),
    ("class_uid", Leaf),
    ("class_name", Leaf),
    ("time", Leaf),
    ("time_dt", Leaf),
];

/// The kept members of the object at the scanner.
fn object(s: &mut Scanner, keep: &[(&str, Keep)]) -> Scan<Value> {
    if s.kind()? != Kind::Object {
        return Err(Bail);
    }
    s.begin_object()?;
    let (mut first, mut seen, mut map) = (true, 0u64, Map::new());
    while let Some(key) = s.next_key(&mut first)? {
        let Some(i) = keep.iter().position(|(name, _)| *name == key) else {
            s.skip_value()?;
            continue;
        };
        if seen & (1 << i) != 0 {
            return Err(Bail);
        }
        seen |= 1 << i;
        let value = match &keep[i].1 {
            Leaf => leaf(s)?,
            Object(inner) => object(s, inner)?,
            List(inner) => list(s, inner)?,
            Data => data(s)?,
        };
        map.insert(key.to_owned(), value);
    }
    Ok(Value::Object(map))
}

/// A list whose objects keep `keep` (other items are kept whole, for the reader to name).
fn list(s: &mut Scanner, keep: &[(&str, Keep)]) -> Scan<Value> {
    if s.kind()? != Kind::Array {
        return Err(Bail);
    }
    s.begin_array()?;
    let (mut first, mut items) = (true, Vec::new());
    while s.next_item(&mut first)? {
        items.push(if s.kind()? == Kind::Object { object(s, keep)? } else { leaf(s)? });
    }
    Ok(Value::Array(items))
}

/// A resource's `data`: only its members under the names the reader takes details from (the rest of a resource's
/// description is skipped).
fn data(s: &mut Scanner) -> Scan<Value> {
    if s.kind()? != Kind::Object {
        return Err(Bail);
    }
    s.begin_object()?;
    let (mut first, mut map) = (true, Map::new());
    while let Some(key) = s.next_key(&mut first)? {
        if !super::ocsf_resources::is_details_key(key) {
            s.skip_value()?;
            continue;
        }
        if map.insert(key.to_owned(), leaf(s)?).is_some() {
            return Err(Bail);
        }
    }
    Ok(Value::Object(map))
}

/// A kept value as given: text at once, anything else through the JSON parser (small: numbers, lists, resources).
fn leaf(s: &mut Scanner) -> Scan<Value> {
    if s.kind()? == Kind::String {
        return Ok(Value::String(s.string()?.into_owned()));
    }
    serde_json::from_str(s.value_text()?).map_err(|_| Bail)
}

/// The members of the finding at `text` the reader uses, as a tree; `None` when the quick read cannot take it.
pub(super) fn pruned(text: &str) -> Option<Value> {
    let mut s = Scanner::new(text);
    let value = object(&mut s, FINDING).ok()?;
    s.at_end().then_some(value)
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
    fn resource_details_and_odd_resources_read_the_same_quickly() {
        let text = r#"{"metadata":{"uid":"m-1","product":{"uid":"arn:aws:securityhub:eu-west-1::productv2/aws/securityhub"}},
            "finding_info":{"uid":"f-1","title":"S3 general purpose buckets should block public access"},
            "cloud":{"account":{"uid":"111111111111"},"region":"eu-west-1"},"compliance":{"control":"S3.8","status":"Fail"},
            "severity_id":4,"status_id":1,"class_uid":2003,"observables":[{"name":"x","value":"y"}],
            "resources":[{"type":"AWS::S3::Bucket","uid":"b","uid_alt":"arn:aws:s3:::b","region":"eu-west-1",
                "owner":{"account":{"uid":"111111111111"},"name":"o"},"tags":[{"name":"env","value":"prod"}],
                "data":{"awsS3BucketDetails":{"publicAccessBlockConfiguration":{"blockPublicAcls":false}},"other":[1,2,3]}},
              "not an object", {"type":"AWS::EC2::SecurityGroup","uid":"sg-1","data":{"AwsEc2SecurityGroup":{"groupId":"sg-1"}}}]}"#;
        let whole: Value = serde_json::from_str(text).expect("json");
        let quick = pruned(text).expect("quick read");
        assert!(quick.pointer("/resources/0/data/other").is_none() && quick.get("observables").is_none());
        let raw = || RawJson::inline(text);
        let from_whole = super::super::ocsf::normalize(&whole, raw(), &Envelope::default()).expect("whole");
        let from_quick = super::super::ocsf::normalize(&quick, raw(), &Envelope::default()).expect("quick");
        assert!(from_whole.resources[0].details.is_some(), "the bucket's details are kept");
        assert_eq!(from_quick, from_whole);
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
