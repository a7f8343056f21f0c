//! Normalizes findings in the AWS Security Finding Format (Security Hub CSPM). The shapes they come in are read by
//! `read` (for both formats); the names below are those readers under their ASFF-era names.

use super::asff_fields::{DetailsFields, FindingFields, List, Object, ResourceFields, Text};
use super::control_id::{self, ControlFields, ControlIdResolution};
use super::finding::{ComplianceStatus, Finding, FindingFormat, RecordState, ResourceRef, Severity, WorkflowStatus};
use super::intern::intern;
use super::raw_json::RawJson;
use super::read::Envelope;
use super::sanitize::{self, inert_line as line, into_inert_line};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use super::read::{ReadOutcome, ReadProblem};

/// Reads one document (ASFF; OCSF findings in it are read too, see [`super::read`]).
pub use super::read::read_any as read_document;

/// [`read_document`] of a text the findings may keep (see [`super::read::read_any_document`]).
pub use super::read::read_any_document as read_owned_document;

/// Reads findings from an already parsed JSON value (any of the shapes `read_document` accepts).
pub use super::read::read_any_value as read_value;

/// `arn:partition:service:region:account:…` → (region, account) when present.
fn arn_region_account(arn: &str) -> (Option<&str>, Option<&str>) {
    let Some(rest) = arn.strip_prefix("arn:") else { return (None, None) };
    // Partition, service, region, account: split at the bytes of ':' (never inside a multi-byte character).
    let mut fields = [None; 4];
    let (mut start, mut n) = (0, 0);
    for (i, byte) in rest.bytes().enumerate() {
        if byte == b':' {
            fields[n] = Some(&rest[start..i]);
            (start, n) = (i + 1, n + 1);
            if n == fields.len() {
                break;
            }
        }
    }
    if let Some(last) = fields.get_mut(n) {
        *last = Some(&rest[start..]);
    }
    let [_, _, region, account] = fields.map(|field: Option<&str>| field.filter(|s| !s.is_empty()));
    (region, account)
}

fn timestamp(field: &Text, key: &str, warnings: &mut Vec<String>) -> Option<DateTime<Utc>> {
    let raw = field.text()?;
    match super::rfc3339::parse(raw) {
        Ok(t) => Some(t),
        Err(e) => {
            warnings.push(format!("{key} {:?} is not an RFC 3339 time: {e}", sanitize::single_line(raw)));
            None
        }
    }
}

/// Normalizes one ASFF finding; `raw` is its compact JSON.
pub(super) fn normalize(mut f: FindingFields, raw: RawJson, env: &Envelope) -> Result<Finding, String> {
    let id = f.Id.text().ok_or("finding has no Id")?;
    let product_arn = f.ProductArn.text().ok_or("finding has no ProductArn")?;
    let mut warnings = Vec::new();

    let (id_region, id_account) = arn_region_account(id);
    let (product_region, _) = arn_region_account(product_arn);
    let mut resources = read_resources(std::mem::take(&mut f.Resources), &mut warnings);
    resources.shrink_to_fit();
    let account_id = f.AwsAccountId.text().or(id_account).or(env.account.as_deref()).unwrap_or_else(|| {
        warnings.push("no AwsAccountId; account unknown".into());
        "unknown"
    });
    let region = f
        .Region
        .text()
        .or(id_region)
        .or(product_region)
        .or_else(|| resources.iter().find_map(|r| r.region.as_deref()))
        .or(env.region.as_deref())
        .unwrap_or_else(|| {
            warnings.push("no Region in the finding, its ARNs, resources or event".into());
            "unknown"
        });

    if f.GeneratorId.text().is_none() {
        warnings.push("finding has no GeneratorId".into());
    }
    let severity = read_severity(&f, &mut warnings);
    let compliance = f.Compliance.0.as_ref();
    let product_fields = f.ProductFields.0.as_ref();
    let control_fields = ControlFields {
        security_control_id: compliance.and_then(|c| c.SecurityControlId.text()),
        generator_id: f.GeneratorId.text(),
        product_control_id: product_fields.and_then(|p| p.ControlId.text()),
        standards_control_arn: product_fields.and_then(|p| p.StandardsControlArn.text()),
    };
    let control_id = match control_id::resolve(&control_fields) {
        ControlIdResolution::Found(id) => Some(into_inert_line(id)),
        ControlIdResolution::UnmappedLegacy(legacy) => {
            warnings.push(format!("legacy control {legacy} has no consolidated control id"));
            None
        }
        ControlIdResolution::NotAControl => None,
    };
    let workflow_status = f
        .Workflow
        .0
        .as_ref()
        .and_then(|w| w.Status.as_str())
        .or_else(|| f.WorkflowState.text())
        .and_then(WorkflowStatus::parse)
        .unwrap_or(WorkflowStatus::New);
    let record_state = match f.RecordState.text() {
        Some(s) if s.eq_ignore_ascii_case("ARCHIVED") => RecordState::Archived,
        _ => RecordState::Active,
    };
    let compliance_status = compliance.and_then(|c| c.Status.as_str()).and_then(ComplianceStatus::parse);
    let product_name = f
        .ProductName
        .text()
        .or_else(|| product_fields.and_then(|p| p.ProductName.as_str()))
        .unwrap_or_else(|| product_from_arn(product_arn));
    let mut types: Vec<Arc<str>> = f
        .Types
        .items
        .as_ref()
        .map(|a| a.iter().filter_map(Text::as_str).map(|t| intern(&line(t))).collect())
        .unwrap_or_default();
    // Kept for the whole session, by the hundred thousand: no spare room (a collected vector starts at four).
    types.shrink_to_fit();

    Ok(Finding {
        format: FindingFormat::Asff,
        id: Arc::from(&*line(id)),
        product_arn: intern(&line(product_arn)),
        finding_uid: None,
        product_name: intern(&line(product_name)),
        generator_id: intern(&line(f.GeneratorId.text().unwrap_or(""))),
        control_id: control_id.map(|c| intern(&c)),
        title: intern(&line(f.Title.text().unwrap_or("(untitled)"))),
        description: intern(&sanitize::inert_lines(f.Description.text().unwrap_or(""), 8192)),
        severity,
        account_id: intern(&line(account_id)),
        region: intern(&line(region)),
        resources,
        workflow_status,
        record_state,
        compliance_status,
        created_at: timestamp(&f.CreatedAt, "CreatedAt", &mut warnings),
        updated_at: timestamp(&f.UpdatedAt, "UpdatedAt", &mut warnings),
        first_observed_at: timestamp(&f.FirstObservedAt, "FirstObservedAt", &mut warnings),
        types,
        warnings,
        raw,
    })
}

fn product_from_arn(product_arn: &str) -> &str {
    product_arn.split_once("product/").map_or("unknown", |(_, rest)| rest.rsplit('/').next().unwrap_or(rest))
}

fn read_severity(f: &FindingFields, warnings: &mut Vec<String>) -> Severity {
    let severity = f.Severity.0.as_ref();
    let provider = f.FindingProviderFields.0.as_ref().and_then(|p| p.Severity.0.as_ref());
    if let Some(label) = severity.and_then(|s| s.Label.as_str()).and_then(Severity::from_label) {
        return label;
    }
    if let Some(score) = severity.and_then(|s| s.Normalized.0).or_else(|| provider.and_then(|p| p.Normalized.0)) {
        return Severity::from_normalized(score);
    }
    let provider_label = provider
        .and_then(|p| p.Label.as_str())
        .or_else(|| f.ProductFields.0.as_ref().and_then(|p| p.SeverityLabel.as_str()))
        .and_then(Severity::from_label);
    provider_label.unwrap_or_else(|| {
        warnings.push("no severity label or score; shown as INFORMATIONAL".into());
        Severity::Informational
    })
}

fn read_resources(list: List<Object<ResourceFields>>, warnings: &mut Vec<String>) -> Vec<ResourceRef> {
    let Some(items) = list.items else {
        warnings.push("finding has no Resources".into());
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|r| r.0)
        .map(|r| {
            let given_id = r.Id.text().unwrap_or("");
            let id = line(given_id).into_owned();
            let tags: BTreeMap<String, String> =
                r.Tags.0.into_iter().map(|(k, v)| (into_inert_line(k), into_inert_line(v))).collect();
            ResourceRef {
                kind: intern(&line(r.Type.text().unwrap_or("Other"))),
                id,
                region: r.Region.text().map(|region| intern(&sanitize::single_line(region))),
                tags: super::shared_tags::share(tags),
                details: r.Details.0.and_then(DetailsFields::into_text),
            }
        })
        .collect()
}

#[cfg(test)]
#[test]
fn region_and_account_come_from_an_arn() {
    let cases = [
        ("arn:aws:securityhub:eu-west-1:111111111111:subscription/x", (Some("eu-west-1"), Some("111111111111"))),
        ("arn:aws:s3:::bucket", (None, None)),
        ("arn:aws:securityhub:eu-west-1", (Some("eu-west-1"), None)),
        ("arn:aws:iam::222222222222:role/r", (None, Some("222222222222"))),
        ("arn:aws", (None, None)),
        ("not-an-arn:aws:s3:eu-west-1:1:x", (None, None)),
    ];
    for (arn, expected) in cases {
        assert_eq!(arn_region_account(arn), expected, "{arn}");
    }
}

#[cfg(test)]
#[path = "asff_tests.rs"]
mod tests;
