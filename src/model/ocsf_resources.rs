//! `resources[]` of an OCSF finding as the resources every stage after the reader knows: the type in its ASFF
//! spelling, the ARN as the id whenever the finding gives one, tags as a map, and the details playbooks plan from.

use super::finding::ResourceRef;
use super::ocsf_fields::Fields;
use super::resource_type::asff_name;
use super::sanitize::{inert_line as line, into_inert_line};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A resource of the finding and the account that owns it (`owner.account.uid`), when given.
pub(super) struct OcsfResource<'v> {
    pub resource: ResourceRef,
    pub owner: Option<&'v str>,
}

/// Every object of `resources[]`; anything else in the list is noted and skipped.
pub(super) fn read_resources<'v>(f: &mut Fields<'v>) -> Vec<OcsfResource<'v>> {
    let Some(items) = f.list("resources") else {
        f.note("finding has no resources".into());
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = format!("resources[{i}]");
        if !item.is_object() {
            f.note(format!("{name} is not an object; ignored"));
            continue;
        }
        out.push(read_resource(f, item, &name));
    }
    out
}

fn read_resource<'v>(f: &mut Fields<'v>, item: &'v Value, name: &str) -> OcsfResource<'v> {
    let kind = asff_name(&line(f.text_in(item, name, "type").unwrap_or("Other"))).into_owned();
    let (uid, uid_alt) = (f.text_in(item, name, "uid"), f.text_in(item, name, "uid_alt"));
    // The ARN when the finding gives one: it says which account, partition and region the resource is in.
    let id = match (uid, uid_alt) {
        (_, Some(alt)) if alt.starts_with("arn:") => alt,
        (Some(uid), _) | (None, Some(uid)) => uid,
        (None, None) => {
            f.note(format!("{name} has no uid"));
            ""
        }
    };
    let mut id = line(id).into_owned();
    // ASFF names an account resource `AWS::::Account:<id>`; the same resource reads the same in either format.
    if kind == "AwsAccount" && id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        id = format!("AWS::::Account:{id}");
    }
    // A global resource (IAM) has no region of its own: the finding's applies, as ASFF findings give it.
    let region = f.text_in(item, name, "region").filter(|r| !r.eq_ignore_ascii_case("global"));
    let tags = tags(f, item, name);
    let details = f.object_in(item, name, "data").and_then(details);
    let owner = f.text_in(item, name, "owner.account.uid");
    let resource = ResourceRef { kind, id, region: region.map(|r| line(r).into_owned()), tags, details };
    OcsfResource { resource, owner }
}

/// `tags`: a list of `{name, value}` (a value may be empty or absent); an object of text values is taken too.
fn tags<'v>(f: &mut Fields<'v>, item: &'v Value, name: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|t| into_inert_line(t.to_owned()));
    match f.value_in(item, name, "tags") {
        None => {}
        Some(Value::Array(pairs)) => {
            for (i, pair) in pairs.iter().enumerate() {
                match (text(pair.get("name")), pair.get("value")) {
                    (Some(key), value @ (None | Some(Value::String(_) | Value::Null))) => {
                        out.insert(key, text(value).unwrap_or_default());
                    }
                    _ => f.note(format!("{name}.tags[{i}] is not a {{name, value}} pair of text; ignored")),
                }
            }
        }
        Some(Value::Object(map)) => {
            out.extend(map.iter().filter_map(|(k, v)| Some((into_inert_line(k.clone()), text(Some(v))?))));
        }
        Some(_) => f.note(format!("{name}.tags is not a list of {{name, value}} pairs; ignored")),
    }
    out
}

/// The ASFF `Details` keys playbooks plan from.
const KEPT: [&str; 3] = ["AwsS3Bucket", "AwsEc2SecurityGroup", "AwsEc2Instance"];

/// The parts of `data` playbooks plan from, under their ASFF `Details` names (`AwsS3Bucket`, or `awsS3BucketDetails`
/// as some products write it) with ASFF's member names, as compact JSON; `None` when there is none.
fn details(data: &Map<String, Value>) -> Option<Box<str>> {
    let mut out = Map::new();
    for kept in KEPT {
        if let Some(value) = data.iter().find(|(key, v)| is(key, kept) && v.is_object()).map(|(_, v)| v) {
            out.insert(kept.to_owned(), asff_members(value));
        }
    }
    (!out.is_empty()).then(|| Value::Object(out).to_string().into_boxed_str())
}

/// Whether `key` of a resource's `data` names a part playbooks plan from ([`KEPT`], `Details` suffix or not).
pub(super) fn is_details_key(key: &str) -> bool {
    KEPT.iter().any(|kept| is(key, kept))
}

fn is(key: &str, kept: &str) -> bool {
    key.eq_ignore_ascii_case(kept) || key.strip_suffix("Details").is_some_and(|stem| stem.eq_ignore_ascii_case(kept))
}

/// Members named as ASFF names them: `publicAccessBlockConfiguration` → `PublicAccessBlockConfiguration`.
fn asff_members(value: &Value) -> Value {
    match value {
        Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (asff_member(k), asff_members(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(asff_members).collect()),
        other => other.clone(),
    }
}

fn asff_member(key: &str) -> String {
    match key {
        "sseAlgorithm" | "SseAlgorithm" => "SSEAlgorithm".into(),
        "kmsMasterKeyId" | "kmsMasterKeyID" | "KmsMasterKeyId" => "KMSMasterKeyID".into(),
        _ => {
            let mut chars = key.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}
