//! Reads findings in the AWS Security Finding Format from every shape they are exported in:
//! a single finding, an array, a GetFindings response, EventBridge events (`detail.findings`), JSON Lines,
//! and findings nested inside wrapper objects such as recorded API responses.

use super::asff_fields::{DetailsFields, FindingFields, List, Object, ResourceFields, Text};
use super::control_id::{self, ControlFields, ControlIdResolution};
use super::finding::{ComplianceStatus, Finding, RecordState, ResourceRef, Severity, WorkflowStatus};
use super::intern::intern;
use super::raw_json::RawJson;
use super::sanitize::{self, inert_line as line, into_inert_line};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Something in the input that could not be read as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// Where: a JSON path such as `$.Findings[3]` or `line 7`.
    pub location: String,
    /// Why, in words a user can act on.
    pub reason: String,
}

/// Findings read from one document, and what could not be read.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<ReadProblem>,
}

/// Context inherited from an enclosing EventBridge event.
#[derive(Debug, Clone, Default)]
pub(super) struct Envelope {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// Deepest nesting we follow into wrapper objects; deeper input is reported, not followed.
const MAX_DEPTH: usize = 64;

/// Reads one document: JSON, or JSON Lines when the whole text is not one JSON value.
pub fn read_document(text: &str) -> ReadOutcome {
    super::asff_page::read_findings_page(text).unwrap_or_else(|| read_general(text))
}

/// [`read_document`] of a text the findings may keep: the findings of a GetFindings response share it as their
/// JSON rather than each taking a copy.
pub fn read_owned_document(text: String) -> ReadOutcome {
    let text = Arc::new(text);
    super::asff_page::read_owned_page(&text).unwrap_or_else(|| read_general(&text))
}

/// The path every shape takes (a GetFindings response takes it when the fast path cannot read it whole).
fn read_general(text: &str) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            collect(&value, "$", &Envelope::default(), 0, &mut outcome);
            if outcome.findings.is_empty() && outcome.problems.is_empty() {
                outcome.problems.push(ReadProblem {
                    location: "$".into(),
                    reason: "no Security Hub finding in this document".into(),
                });
            }
        }
        Err(whole_err) => read_json_lines(text, whole_err, &mut outcome),
    }
    outcome
}

/// Reads findings from an already parsed JSON value (any of the shapes `read_document` accepts).
pub fn read_value(value: &Value) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    collect(value, "$", &Envelope::default(), 0, &mut outcome);
    outcome
}

fn read_json_lines(text: &str, whole_err: serde_json::Error, outcome: &mut ReadOutcome) {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    let parsed: Vec<(usize, Result<Value, serde_json::Error>)> =
        lines.iter().map(|(n, l)| (*n, serde_json::from_str::<Value>(l))).collect();
    // JSON Lines only when the first line is a whole object: a broken pretty-printed document is one error, not
    // one per line.
    let first_is_object = parsed.first().is_some_and(|(_, r)| r.as_ref().is_ok_and(Value::is_object));
    if lines.len() < 2 || !first_is_object {
        outcome.problems.push(ReadProblem {
            location: format!("line {}, column {}", whole_err.line(), whole_err.column()),
            reason: format!("not valid JSON: {whole_err}"),
        });
        return;
    }
    for (n, result) in parsed {
        let location = format!("line {}", n + 1);
        match result {
            Ok(value) => collect(&value, &location, &Envelope::default(), 0, outcome),
            Err(e) => outcome.problems.push(ReadProblem { location, reason: format!("not valid JSON: {e}") }),
        }
    }
}

/// Whether an object is meant to be a finding: `ProductArn` plus a field only findings carry (a bare
/// `{Id, ProductArn}` is a finding identifier, as in BatchUpdateFindings requests).
fn is_finding_like(obj: &Map<String, Value>) -> bool {
    const FINDING_FIELDS: [&str; 5] = ["SchemaVersion", "GeneratorId", "AwsAccountId", "Title", "Resources"];
    obj.contains_key("ProductArn") && FINDING_FIELDS.iter().any(|k| obj.contains_key(*k))
}

fn collect(value: &Value, path: &str, env: &Envelope, depth: usize, out: &mut ReadOutcome) {
    if depth > MAX_DEPTH {
        out.problems.push(ReadProblem {
            location: path.into(),
            reason: format!("nested deeper than {MAX_DEPTH} levels; not followed"),
        });
        return;
    }
    match value {
        Value::Array(items) => {
            let mut foreign = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if item.is_object() && !contains_finding(item, depth) {
                    foreign.push(i);
                } else {
                    collect(item, &format!("{path}[{i}]"), env, depth + 1, out);
                }
            }
            if let Some(&first) = foreign.first() {
                out.problems.push(foreign_items_problem(path, &foreign, items.len(), &items[first]));
            }
        }
        Value::Object(obj) => {
            if is_finding_like(obj) {
                match normalize_value(value, obj, env) {
                    Ok(finding) => out.findings.push(finding),
                    Err(reason) => out.problems.push(ReadProblem { location: path.into(), reason }),
                }
                return;
            }
            let inner_env = event_envelope(obj).unwrap_or_else(|| env.clone());
            for (key, child) in obj {
                if child.is_array() || child.is_object() {
                    collect(child, &format!("{path}.{key}"), &inner_env, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// Whether a value holds a finding anywhere inside it (cheap check before reporting it as foreign).
fn contains_finding(value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true; // let `collect` report the depth problem
    }
    match value {
        Value::Object(obj) => is_finding_like(obj) || obj.values().any(|v| contains_finding(v, depth + 1)),
        Value::Array(items) => items.iter().any(|v| contains_finding(v, depth + 1)),
        _ => false,
    }
}

/// One problem for all the objects of an array that are not findings.
fn foreign_items_problem(path: &str, indices: &[usize], total: usize, first: &Value) -> ReadProblem {
    let shown: Vec<String> = indices.iter().take(3).map(|i| format!("{path}[{i}]")).collect();
    let location = match indices.len() {
        n if n > 3 => format!("{} and {} more ({n} of {total} items)", shown.join(", "), n - 3),
        _ => shown.join(", "),
    };
    ReadProblem { location, reason: not_a_finding_reason(first) }
}

fn not_a_finding_reason(item: &Value) -> String {
    let keys: Vec<&str> = item.as_object().map(|o| o.keys().take(4).map(String::as_str).collect()).unwrap_or_default();
    format!("object is not a Security Hub finding (no ProductArn/Id; has {})", sanitize::single_line(&keys.join(", ")))
}

/// An EventBridge event carries the account and region the findings came from.
fn event_envelope(obj: &Map<String, Value>) -> Option<Envelope> {
    obj.get("detail")?.get("findings")?;
    Some(Envelope {
        account: obj.get("account").and_then(Value::as_str).map(String::from),
        region: obj.get("region").and_then(Value::as_str).map(String::from),
    })
}

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

/// Reads a finding object of a parsed document.
fn normalize_value(value: &Value, obj: &Map<String, Value>, env: &Envelope) -> Result<Finding, String> {
    let fields = FindingFields::deserialize(value).map_err(|e| format!("unreadable finding: {e}"))?;
    normalize(fields, RawJson::inline(serde_json::to_string(obj).unwrap_or_default()), env)
}

/// Normalizes one ASFF finding; `raw` is its compact JSON.
pub(super) fn normalize(mut f: FindingFields, raw: RawJson, env: &Envelope) -> Result<Finding, String> {
    let id = f.Id.text().ok_or("finding has no Id")?;
    let product_arn = f.ProductArn.text().ok_or("finding has no ProductArn")?;
    let mut warnings = Vec::new();

    let (id_region, id_account) = arn_region_account(id);
    let (product_region, _) = arn_region_account(product_arn);
    let resources = read_resources(std::mem::take(&mut f.Resources), &mut warnings);
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
    let types = f
        .Types
        .items
        .as_ref()
        .map(|a| a.iter().filter_map(Text::as_str).map(|t| intern(&line(t))).collect())
        .unwrap_or_default();

    Ok(Finding {
        id: Arc::from(&*line(id)),
        product_arn: intern(&line(product_arn)),
        product_name: intern(&line(product_name)),
        generator_id: intern(&line(f.GeneratorId.text().unwrap_or(""))),
        control_id,
        title: intern(&line(f.Title.text().unwrap_or("(untitled)"))),
        description: intern(&sanitize::inert_lines(f.Description.text().unwrap_or(""), 8192)),
        severity,
        account_id: line(account_id).into_owned(),
        region: line(region).into_owned(),
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
                kind: line(r.Type.text().unwrap_or("Other")).into_owned(),
                id,
                region: r.Region.text().map(sanitize::single_line),
                tags,
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
