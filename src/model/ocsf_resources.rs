//! `resources[]` of an OCSF finding as the resources every stage after the reader knows: the type in its ASFF
//! spelling, the ARN as the id whenever the finding gives one, tags as a map, and the details playbooks plan from.

use super::finding::ResourceRef;
use super::intern::intern;
use super::ocsf_details::details_of;
use super::ocsf_fields::{Fields, Root};
use super::ocsf_scan::ScannedResource;
use super::resource_type::asff_name;
use super::sanitize::{inert_line as line, into_inert_line};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A resource of the finding and the account that owns it (`owner.account.uid`), when given.
pub(super) struct OcsfResource<'v> {
    pub resource: ResourceRef,
    pub owner: Option<&'v str>,
}

/// Every object of `resources[]`; anything else in the list is noted and skipped.
pub(super) fn read_resources<'v>(f: &mut Fields<'v>) -> Vec<OcsfResource<'v>> {
    if let Root::Scan(scanned) = f.root {
        return read_scanned(f, scanned.resources.as_deref());
    }
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
    let kind = kind(f.text_in(item, name, "type"));
    let (uid, uid_alt) = (f.text_in(item, name, "uid"), f.text_in(item, name, "uid_alt"));
    let id = id(f, &kind, uid, uid_alt, || name.to_owned());
    let region = region(f.text_in(item, name, "region"));
    let tags = tags(f, item, name);
    let details = f.object_in(item, name, "data").and_then(details);
    let owner = f.text_in(item, name, "owner.account.uid");
    OcsfResource {
        resource: ResourceRef {
            kind: intern(&kind),
            id,
            region: region.map(|r| intern(&r)),
            tags: super::shared_tags::share(tags),
            details,
        },
        owner,
    }
}

/// The resources the one-pass reader kept, read as [`read_resource`] reads them from a tree (the reader takes only
/// resources whose members are of the types expected: nothing about them is noted but a missing uid).
fn read_scanned<'v>(f: &mut Fields<'v>, items: Option<&'v [Option<ScannedResource<'v>>]>) -> Vec<OcsfResource<'v>> {
    let Some(items) = items else {
        f.note("finding has no resources".into());
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item else {
            f.note(format!("resources[{i}] is not an object; ignored"));
            continue;
        };
        let text = |t: &'v Option<Cow<'v, str>>| t.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let kind = kind(text(&item.kind));
        let id = id(f, &kind, text(&item.uid), text(&item.uid_alt), || format!("resources[{i}]"));
        let region = region(text(&item.region));
        let mut tags = BTreeMap::new();
        for (key, value) in &item.tags {
            let value = value.as_deref().map_or_else(String::new, |v| into_inert_line(v.to_owned()));
            tags.insert(into_inert_line(key.as_ref().to_owned()), value);
        }
        let details = item.data.as_deref().and_then(details_of);
        let resource = ResourceRef {
            kind: intern(&kind),
            id,
            region: region.map(|r| intern(&r)),
            tags: super::shared_tags::share(tags),
            details,
        };
        out.push(OcsfResource { resource, owner: text(&item.owner) });
    }
    out
}

/// A resource's type in its ASFF spelling (`AWS::S3::Bucket` is `AwsS3Bucket`).
fn kind(given: Option<&str>) -> String {
    asff_name(&line(given.unwrap_or("Other"))).into_owned()
}

/// A resource's id: the ARN when the finding gives one (it says which account, partition and region the resource
/// is in), else its uid; an account as ASFF names it. The resource, `name`d, without a uid is noted.
fn id(f: &mut Fields, kind: &str, uid: Option<&str>, uid_alt: Option<&str>, name: impl FnOnce() -> String) -> String {
    let id = match (uid, uid_alt) {
        (_, Some(alt)) if alt.starts_with("arn:") => alt,
        (Some(uid), _) | (None, Some(uid)) => uid,
        (None, None) => {
            f.note(format!("{} has no uid", name()));
            ""
        }
    };
    let id = line(id).into_owned();
    // ASFF names an account resource `AWS::::Account:<id>`; the same resource reads the same in either format.
    match kind == "AwsAccount" && id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        true => format!("AWS::::Account:{id}"),
        false => id,
    }
}

/// A resource's region; a global resource (IAM) has none of its own: the finding's applies, as ASFF findings give it.
fn region(given: Option<&str>) -> Option<String> {
    given.filter(|r| !r.eq_ignore_ascii_case("global")).map(|r| line(r).into_owned())
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
pub(super) const KEPT: [&str; 3] = ["AwsS3Bucket", "AwsEc2SecurityGroup", "AwsEc2Instance"];

/// The parts of `data` playbooks plan from, under their ASFF `Details` names (`AwsS3Bucket`, or `awsS3BucketDetails`
/// as some products write it) with ASFF's member names, as compact JSON; `None` when there is none.
pub(super) fn details(data: &Map<String, Value>) -> Option<Box<str>> {
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

pub(super) fn is(key: &str, kept: &str) -> bool {
    key.eq_ignore_ascii_case(kept) || key.strip_suffix("Details").is_some_and(|stem| stem.eq_ignore_ascii_case(kept))
}

/// Members named as ASFF names them: `publicAccessBlockConfiguration` → `PublicAccessBlockConfiguration`.
pub(super) fn asff_members(value: &Value) -> Value {
    match value {
        Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (asff_member(k), asff_members(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(asff_members).collect()),
        other => other.clone(),
    }
}

pub(super) fn asff_member(key: &str) -> String {
    match key {
        "sseAlgorithm" | "SseAlgorithm" => "SSEAlgorithm".into(),
        "kmsMasterKeyId" | "kmsMasterKeyID" | "KmsMasterKeyId" => "KMSMasterKeyID".into(),
        _ => {
            let mut chars = key.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}
