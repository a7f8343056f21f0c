//! Normalizes findings in the Open Cybersecurity Schema Framework, as the new Security Hub returns them
//! (`GetFindingsV2`) and sends them ("Findings Imported V2").
//!
//! Identity: the key is `(metadata.product.uid, metadata.uid)`; `finding_info.uid` is kept as the id Security Hub
//! shows (and names the finding by in BatchUpdateFindingsV2, with `cloud.account.uid` and `metadata.product.uid`). A
//! finding without `metadata.product.uid` is given the product `ocsf:product/<vendor_name>/<name>` (`unknown` for
//! either when absent): stable across reads, and never an ARN a policy trusts.
//!
//! Every field is written by whoever sent the finding: text is made inert as ASFF text is, a field of the wrong type
//! or an unknown value is a warning on the finding, and only a finding with no identity at all is not read.

use super::control_id::{self, ControlFields, ControlIdResolution};
use super::finding::{ComplianceStatus, Finding, FindingFormat, RecordState, Severity, WorkflowStatus};
use super::intern::intern;
use super::json_tree::Duplicates;
use super::ocsf_fields::Fields;
use super::ocsf_paths::{Int, Text, Time};
use super::ocsf_resources::read_resources;
use super::ocsf_scan::Scanned;
use super::raw_json::RawJson;
use super::read::Envelope;
use super::sanitize::{inert_line as line, inert_lines};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// Whether an object is meant to be an OCSF finding: two of the members every one carries.
pub(super) fn is_finding_like(obj: &Map<String, Value>) -> bool {
    ["metadata", "class_uid", "finding_info"].iter().filter(|k| obj.contains_key(**k)).count() >= 2
}

/// The members on the way to a finding's identity: (object under the finding, key, the member's name).
const IDENTITY: [(&str, &str, &str); 9] = [
    ("", "metadata", "metadata"),
    ("", "finding_info", "finding_info"),
    ("", "cloud", "cloud"),
    (".metadata", "uid", "metadata.uid"),
    (".metadata", "product", "metadata.product"),
    (".metadata.product", "uid", "metadata.product.uid"),
    (".finding_info", "uid", "finding_info.uid"),
    (".cloud", "account", "cloud.account"),
    (".cloud.account", "uid", "cloud.account.uid"),
];

/// The identity members the finding at `path` gives twice (which value is its identity depends on the reader).
pub(super) fn identity_given_twice(path: &str, duplicates: &Duplicates) -> Vec<&'static str> {
    IDENTITY
        .iter()
        .filter(|(under, key, _)| duplicates.at(&format!("{path}{under}")).is_some_and(|keys| keys.contains(key)))
        .map(|(_, _, name)| *name)
        .collect()
}

/// Normalizes one OCSF finding object; `raw` is its compact JSON, `env` the event it came in, if any.
pub(super) fn normalize(value: &Value, raw: RawJson, env: &Envelope) -> Result<Finding, String> {
    normalize_fields(Fields::new(value), raw, env)
}

/// [`normalize`] of what the one-pass reader kept of a finding: the same finding as from its whole tree.
pub(super) fn normalize_scanned(scanned: &Scanned, raw: RawJson, env: &Envelope) -> Result<Finding, String> {
    normalize_fields(Fields::scanned(scanned), raw, env)
}

fn normalize_fields(mut f: Fields, raw: RawJson, env: &Envelope) -> Result<Finding, String> {
    let (metadata_uid, finding_uid) = (f.text(Text::MetadataUid), f.text(Text::FindingUid));
    let id = match (metadata_uid, finding_uid) {
        (Some(uid), _) => uid,
        (None, Some(uid)) => {
            f.note("no metadata.uid: the finding is keyed by its finding_info.uid".into());
            uid
        }
        (None, None) => return Err("OCSF finding has neither metadata.uid nor finding_info.uid".into()),
    };
    if finding_uid.is_none() {
        f.note("no finding_info.uid: BatchUpdateFindingsV2 cannot name this finding".into());
    }
    let product_name = f.text(Text::ProductName);
    let product_arn = product_uid(&mut f, product_name);
    let resources = read_resources(&mut f);
    let account_id = account(&mut f, resources.first().and_then(|r| r.owner), env);
    for (i, owner) in resources.iter().enumerate().filter_map(|(i, r)| Some((i, r.owner?))) {
        if owner != account_id {
            let (owner, account) = (line(owner), line(&account_id));
            f.note(format!("resources[{i}].owner.account.uid {owner} is not the finding's account {account}"));
        }
    }
    let region = region(&mut f, &resources, &product_arn, env);
    let severity = severity(&mut f);
    let (workflow_status, record_state) = status(&mut f);
    let compliance_status = compliance_status(&mut f);
    let control_id = control(&mut f);
    let generator_id = match &control_id {
        Some(control) => format!("security-control/{control}"),
        None => f.text(Text::AnalyticUid).or_else(|| f.text(Text::AnalyticName)).unwrap_or("").into(),
    };
    let types = types(&mut f);
    let title = f.text(Text::Title).unwrap_or("(untitled)");
    let description = f.text(Text::Desc).unwrap_or("");
    let (created_at, first_observed_at) = (f.time(Time::Created), f.time(Time::FirstSeen));
    let updated_at = f.time(Time::Modified).or_else(|| f.time(Time::Event));

    Ok(Finding {
        format: FindingFormat::Ocsf,
        id: Arc::from(&*line(id)),
        product_arn: intern(&line(&product_arn)),
        finding_uid: finding_uid.map(|uid| Arc::from(&*line(uid))),
        product_name: intern(&line(product_name.unwrap_or_else(|| product_arn.rsplit('/').next().unwrap_or("")))),
        generator_id: intern(&line(&generator_id)),
        control_id: control_id.map(|c| intern(&c)),
        title: intern(&line(title)),
        description: intern(&inert_lines(description, 8192)),
        severity,
        account_id: intern(&line(&account_id)),
        region: intern(&line(&region)),
        resources: resources.into_iter().map(|r| r.resource).collect(),
        workflow_status,
        record_state,
        compliance_status,
        created_at,
        updated_at,
        first_observed_at,
        types,
        warnings: f.warnings,
        raw,
    })
}

/// `metadata.product.uid`, or the stable stand-in the module documentation describes.
fn product_uid<'v>(f: &mut Fields<'v>, name: Option<&'v str>) -> Cow<'v, str> {
    if let Some(uid) = f.text(Text::ProductUid) {
        return Cow::Borrowed(uid);
    }
    let vendor = f.text(Text::ProductVendor).unwrap_or("unknown");
    let stand_in = format!("ocsf:product/{vendor}/{}", name.unwrap_or("unknown"));
    f.note(format!("no metadata.product.uid: the product is taken to be {}, which no policy trusts", line(&stand_in)));
    Cow::Owned(stand_in)
}

/// `cloud.account.uid`, else the first resource's owner, else the event's account (noted: a guess).
fn account<'v>(f: &mut Fields<'v>, owner: Option<&'v str>, env: &Envelope) -> String {
    if let Some(account) = f.text(Text::AccountUid) {
        return account.to_owned();
    }
    let (account, from) = match (owner, env.account.as_deref()) {
        (Some(owner), _) => (owner, "resources[0].owner.account.uid"),
        (None, Some(event)) => (event, "the EventBridge event"),
        (None, None) => {
            f.note("no cloud.account.uid: account unknown".into());
            return "unknown".into();
        }
    };
    f.note(format!("no cloud.account.uid: account {} taken from {from}", line(account)));
    account.to_owned()
}

/// `cloud.region`, else the region of the finding's ARN, its product's, its first regional resource's or its event's.
fn region(f: &mut Fields, resources: &[super::ocsf_resources::OcsfResource], product: &str, env: &Envelope) -> String {
    if let Some(region) = f.text(Text::Region) {
        return region.to_owned();
    }
    fn arn_region(arn: &str) -> Option<&str> {
        super::arn::Arn::parse(arn).map(|a| a.region).filter(|r| !r.is_empty())
    }
    let found = f
        .text(Text::FindingUid)
        .and_then(arn_region)
        .or_else(|| arn_region(product))
        .or_else(|| resources.iter().find_map(|r| r.resource.region.as_deref()))
        .or(env.region.as_deref());
    match found {
        Some(region) => {
            f.note(format!("no cloud.region: region {} taken from the finding's other fields", line(region)));
            region.to_owned()
        }
        None => {
            f.note("no cloud.region, and none in the finding's ARNs, resources or event: region unknown".into());
            "unknown".into()
        }
    }
}

/// `severity_id` (1 informational … 5 critical, 6 fatal read as critical), else the `severity` name.
fn severity(f: &mut Fields) -> Severity {
    let id = f.integer(Int::SeverityId);
    let by_id = match id {
        Some(1) => Some(Severity::Informational),
        Some(2) => Some(Severity::Low),
        Some(3) => Some(Severity::Medium),
        Some(4) => Some(Severity::High),
        Some(5 | 6) => Some(Severity::Critical),
        _ => None,
    };
    let name = f.text(Text::Severity);
    let by_name = name.and_then(Severity::from_ocsf_name);
    if let Some(severity) = by_id.or(by_name) {
        return severity;
    }
    let id = match id {
        Some(0) => "severity_id 0 (unknown)".to_owned(),
        Some(99) => "severity_id 99 (other)".to_owned(),
        Some(id) => format!("severity_id {id} is not an OCSF severity (1 to 6)"),
        None => "no severity_id".to_owned(),
    };
    let name = match name {
        Some(name) => format!("severity {:?} is not a severity level", line(name)),
        None => "no severity name".to_owned(),
    };
    f.note(format!("{id} and {name}: shown as INFORMATIONAL"));
    Severity::Informational
}

/// `status_id` (1 new, 2 in progress, 3 suppressed, 4 resolved, 5 archived), else the `status` name.
fn status(f: &mut Fields) -> (WorkflowStatus, RecordState) {
    use {RecordState::*, WorkflowStatus::*};
    let id = f.integer(Int::StatusId);
    let by_id = match id {
        Some(1 | 2) => Some((New, Active)),
        Some(3) => Some((Suppressed, Active)),
        Some(4) => Some((Resolved, Active)),
        Some(5) => Some((New, Archived)),
        _ => None,
    };
    let name = f.text(Text::Status);
    let by_name = name.and_then(|n| match n.eq_ignore_ascii_case("archived") {
        true => Some((New, Archived)),
        false => WorkflowStatus::parse(&n.replace(' ', "_")).map(|w| (w, Active)),
    });
    by_id.or(by_name).unwrap_or_else(|| {
        let id = id.map_or("no status_id".into(), |id| format!("status_id {id}"));
        let name = name.map_or("no status name".into(), |n| format!("status {:?}", line(n)));
        f.note(format!("{id} and {name} say no known status: shown as NEW"));
        (New, Active)
    })
}

/// `compliance.status_id` (1 pass, 2 warning, 3 fail), else `compliance.status` (`Pass`, `Fail`, …).
fn compliance_status(f: &mut Fields) -> Option<ComplianceStatus> {
    let by_id = match f.integer(Int::ComplianceStatusId) {
        Some(1) => Some(ComplianceStatus::Passed),
        Some(2) => Some(ComplianceStatus::Warning),
        Some(3) => Some(ComplianceStatus::Failed),
        _ => None,
    };
    let name = f.text(Text::ComplianceStatus);
    let by_name = |n: &str| match n {
        n if n.eq_ignore_ascii_case("pass") => Some(ComplianceStatus::Passed),
        n if n.eq_ignore_ascii_case("fail") => Some(ComplianceStatus::Failed),
        other => ComplianceStatus::parse(&other.to_ascii_lowercase().replace(' ', "_")),
    };
    let status = by_id.or_else(|| name.and_then(by_name));
    if let (None, Some(name)) = (status, name) {
        f.note(format!("compliance.status {:?} is not a compliance status", line(name)));
    }
    status
}

/// `compliance.control`, through the control-id rules ASFF findings go through.
fn control(f: &mut Fields) -> Option<String> {
    let given = f.text(Text::Control)?;
    match control_id::resolve(&ControlFields { security_control_id: Some(given), ..ControlFields::default() }) {
        ControlIdResolution::Found(id) => Some(line(&id).into_owned()),
        _ => {
            f.note(format!("compliance.control {:?} is not a Security Hub control id", line(given)));
            None
        }
    }
}

/// OCSF's finding classes, for findings that give `class_uid` without `class_name`.
const CLASSES: [(i64, &str); 7] = [
    (2001, "Security Finding"),
    (2002, "Vulnerability Finding"),
    (2003, "Compliance Finding"),
    (2004, "Detection Finding"),
    (2005, "Incident Finding"),
    (2006, "Data Security Finding"),
    (2007, "Application Security Posture Finding"),
];

/// `finding_info.types`, then the finding's class (`Compliance Finding`, `Vulnerability Finding`, …).
fn types(f: &mut Fields) -> Vec<Arc<str>> {
    let mut types: Vec<Arc<str>> = Vec::new();
    for (i, item) in f.types().into_iter().enumerate() {
        match item.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => types.push(intern(&line(text))),
            None => f.note(format!("finding_info.types[{i}] is not text; ignored")),
        }
    }
    let uid = f.integer(Int::ClassUid);
    let known = uid.and_then(|uid| CLASSES.iter().find(|(id, _)| *id == uid)).map(|(_, name)| *name);
    if let (Some(uid), None) = (uid, known) {
        f.note(format!("class_uid {uid} is not an OCSF finding class; read as a finding"));
    }
    if let Some(class) = f.text(Text::ClassName).or(known) {
        let class = intern(&line(class));
        if !types.contains(&class) {
            types.push(class);
        }
    }
    types
}

#[cfg(test)]
#[path = "ocsf_tests.rs"]
mod tests;
