//! The parts every ASFF finding of the simulator shares: ids, timestamps, workflow, severity, product fields.

use super::controls::{normalized, Control};
use super::org::Place;
use super::rng::{stable_hash, stable_hex, stable_uuid};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

/// ASFF time text: RFC 3339 with milliseconds, as Security Hub writes it.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// When a finding was first seen and last updated.
pub(super) struct Observed {
    pub first: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// Stable timestamps for a finding: first seen 1–120 days ago (not before the resource existed), updated within the
/// last 12 hours, or when the simulator last changed the resource.
pub(super) fn observed(
    place: &Place,
    key: &str,
    since: Option<DateTime<Utc>>,
    changed: Option<DateTime<Utc>>,
) -> Observed {
    let h = stable_hash(place.seed, &["observed", key]);
    let jitter = |shift: u32| Duration::milliseconds(((h >> shift) % 60_000) as i64);
    let mut first =
        place.now - Duration::days(1 + (h % 120) as i64) - Duration::minutes(((h >> 16) % 1440) as i64) - jitter(40);
    if let Some(since) = since {
        first = first.max(since + Duration::minutes(17));
    }
    let mut updated = place.now - Duration::minutes(5 + ((h >> 32) % 715) as i64) - jitter(48);
    if let Some(changed) = changed {
        updated = updated.max(changed);
    }
    Observed { first: first.min(updated), updated }
}

/// `NEW`, or `NOTIFIED` for about one finding in five (someone was told about it already).
pub(super) fn workflow(place: &Place, key: &str) -> &'static str {
    if stable_hash(place.seed, &["workflow", key]).is_multiple_of(5) {
        "NOTIFIED"
    } else {
        "NEW"
    }
}

/// `arn:aws:securityhub:<region>::product/aws/<product>`.
pub(super) fn product_arn(place: &Place, product: &str) -> String {
    format!("arn:aws:securityhub:{}::product/aws/{product}", place.region)
}

/// The fields every finding has, given its product and id.
pub(super) fn base(place: &Place, product: &str, product_name: &str, company: &str, id: &str) -> Map<String, Value> {
    let product_arn = product_arn(place, product);
    let mut m = Map::new();
    m.insert("SchemaVersion".into(), "2018-10-08".into());
    m.insert("Id".into(), id.into());
    m.insert("ProductArn".into(), product_arn.clone().into());
    m.insert("ProductName".into(), product_name.into());
    m.insert("CompanyName".into(), company.into());
    m.insert("Region".into(), place.region.clone().into());
    m.insert("AwsAccountId".into(), place.account_id.clone().into());
    m.insert("RecordState".into(), "ACTIVE".into());
    m.insert(
        "ProductFields".into(),
        json!({
            "aws/securityhub/ProductName": product_name,
            "aws/securityhub/CompanyName": company,
            "aws/securityhub/FindingId": format!("{product_arn}/{id}"),
        }),
    );
    m
}

/// Sets the timestamps, workflow and severity of a finding.
pub(super) fn stamp(
    m: &mut Map<String, Value>,
    seen: &Observed,
    workflow: &str,
    label: &str,
    normalized: u32,
    original: &str,
) {
    m.insert("FirstObservedAt".into(), ts(seen.first).into());
    m.insert("LastObservedAt".into(), ts(seen.updated).into());
    m.insert("CreatedAt".into(), ts(seen.first).into());
    m.insert("UpdatedAt".into(), ts(seen.updated).into());
    m.insert("ProcessedAt".into(), ts(seen.updated + Duration::seconds(4)).into());
    m.insert("WorkflowState".into(), workflow.into());
    m.insert("Workflow".into(), json!({ "Status": workflow }));
    m.insert("Severity".into(), json!({ "Label": label, "Normalized": normalized, "Original": original }));
    let types = m.get("Types").cloned().unwrap_or_else(|| json!([]));
    m.insert(
        "FindingProviderFields".into(),
        json!({ "Severity": { "Label": label, "Original": original }, "Types": types }),
    );
}

/// Adds entries to `ProductFields`.
pub(super) fn product_fields(m: &mut Map<String, Value>, fields: &[(&str, String)]) {
    if let Some(Value::Object(pf)) = m.get_mut("ProductFields") {
        for (k, v) in fields {
            pf.insert((*k).to_string(), v.clone().into());
        }
    }
}

/// What a control check found for one resource.
pub(super) struct Check<'a> {
    pub control: &'a Control,
    /// The ASFF `Resources[0]` object.
    pub resource: Value,
    pub resource_id: String,
    pub failed: bool,
    /// When the resource came to be (findings are not older).
    pub since: Option<DateTime<Utc>>,
    pub changed: Option<DateTime<Utc>>,
}

/// A Security Hub control finding (consolidated control findings: `GeneratorId: security-control/<ID>`). Its id
/// depends only on the account, region, control and resource, so a fixed resource's finding turns PASSED.
pub(super) fn control_finding(place: &Place, check: Check<'_>) -> Value {
    let c = check.control;
    let key = format!("{}|{}|{}|{}", place.account_id, place.region, c.id, check.resource_id);
    let id = format!(
        "arn:aws:securityhub:{}:{}:security-control/{}/finding/{}",
        place.region,
        place.account_id,
        c.id,
        stable_uuid(place.seed, &["finding", &key])
    );
    let mut m = base(place, "securityhub", "Security Hub", "AWS", &id);
    let exposure = matches!(c.id, "S3.1" | "S3.2" | "S3.3" | "S3.8" | "RDS.2");
    let types = if exposure {
        "Effects/Data Exposure/AWS-Foundational-Security-Best-Practices"
    } else {
        "Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"
    };
    m.insert("GeneratorId".into(), format!("security-control/{}", c.id).into());
    m.insert("Types".into(), json!([types]));
    m.insert("Title".into(), c.title.into());
    m.insert("Description".into(), c.description.into());
    m.insert(
        "Remediation".into(),
        json!({"Recommendation": {
            "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
            "Url": format!("https://docs.aws.amazon.com/console/securityhub/{}/remediation", c.id),
        }}),
    );
    let status = if check.failed { "FAILED" } else { "PASSED" };
    m.insert(
        "Compliance".into(),
        json!({
            "Status": status,
            "SecurityControlId": c.id,
            "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}],
        }),
    );
    let rule_suffix = stable_hex(place.seed, &["rule", &place.account_id, &place.region, c.id], 8);
    product_fields(
        &mut m,
        &[
            ("RelatedAWSResources:0/name", format!("securityhub-{}-{rule_suffix}", c.config_rule)),
            ("RelatedAWSResources:0/type", "AWS::Config::ConfigRule".into()),
            ("Resources:0/Id", check.resource_id.clone()),
        ],
    );
    m.insert("Resources".into(), json!([check.resource]));
    let seen = observed(place, &key, check.since, check.changed);
    // Security Hub resolves a control finding that passes, and gives passed findings the informational label.
    let (workflow, label, score) = if check.failed {
        (workflow(place, &key), c.severity.label(), normalized(c.severity))
    } else {
        ("RESOLVED", "INFORMATIONAL", 0)
    };
    stamp(&mut m, &seen, workflow, label, score, label);
    Value::Object(m)
}
