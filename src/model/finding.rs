//! The normalized finding every stage after the reader works with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The value whose label is `text` (trimmed, any case): labels are read once per finding, without a copy.
fn label_in<T: Copy>(text: &str, labels: &[(&str, T)]) -> Option<T> {
    let text = text.trim();
    labels.iter().find(|(label, _)| label.eq_ignore_ascii_case(text)).map(|&(_, value)| value)
}

/// Security Hub's severity labels, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// All labels from most to least severe, the order the UI lists them in.
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Informational];

    /// Parses an ASFF label such as `HIGH` (case-insensitive).
    pub fn from_label(label: &str) -> Option<Self> {
        label_in(label, &Self::ALL.map(|s| (s.label(), s)))
    }

    /// An OCSF `severity` name (`High`, …; `Fatal` counts as critical).
    pub fn from_ocsf_name(name: &str) -> Option<Self> {
        Self::from_label(name).or_else(|| name.trim().eq_ignore_ascii_case("fatal").then_some(Self::Critical))
    }

    /// The label for `Severity.Normalized` per AWS's documented ranges
    /// (0 informational, 1–39 low, 40–69 medium, 70–89 high, 90–100 critical).
    pub fn from_normalized(score: f64) -> Self {
        match score {
            s if s >= 90.0 => Self::Critical,
            s if s >= 70.0 => Self::High,
            s if s >= 40.0 => Self::Medium,
            s if s >= 1.0 => Self::Low,
            _ => Self::Informational,
        }
    }

    /// The ASFF label text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Informational => "INFORMATIONAL",
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// `Workflow.Status` of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    New,
    Notified,
    Resolved,
    Suppressed,
}

impl WorkflowStatus {
    /// Parses `Workflow.Status`, or the deprecated `WorkflowState` values mapped to their successor.
    pub fn parse(text: &str) -> Option<Self> {
        label_in(
            text,
            &[
                ("NEW", Self::New),
                ("ASSIGNED", Self::New),
                ("IN_PROGRESS", Self::New),
                ("NOTIFIED", Self::Notified),
                ("RESOLVED", Self::Resolved),
                ("SUPPRESSED", Self::Suppressed),
                ("DEFERRED", Self::Suppressed),
            ],
        )
    }

    /// The OCSF `status_id` the new Security Hub stores for the status (BatchUpdateFindingsV2's `StatusId`): NEW 1
    /// (New), NOTIFIED 2 (In Progress: someone was told and works on it), SUPPRESSED 3, RESOLVED 4.
    pub fn ocsf_status_id(self) -> i32 {
        match self {
            Self::New => 1,
            Self::Notified => 2,
            Self::Suppressed => 3,
            Self::Resolved => 4,
        }
    }

    /// The ASFF text of the status.
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::Notified => "NOTIFIED",
            Self::Resolved => "RESOLVED",
            Self::Suppressed => "SUPPRESSED",
        }
    }
}

/// `RecordState` of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordState {
    Active,
    Archived,
}

/// `Compliance.Status` of a control finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Passed,
    Warning,
    Failed,
    NotAvailable,
}

impl ComplianceStatus {
    /// Parses `Compliance.Status`.
    pub fn parse(text: &str) -> Option<Self> {
        label_in(
            text,
            &[
                ("PASSED", Self::Passed),
                ("WARNING", Self::Warning),
                ("FAILED", Self::Failed),
                ("NOT_AVAILABLE", Self::NotAvailable),
            ],
        )
    }
}

/// One entry of `Resources[]`: what the finding is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceRef {
    /// `Type`, e.g. `AwsS3Bucket` (shared text: `model::intern`).
    #[serde(serialize_with = "shared_text")]
    pub kind: Arc<str>,
    /// `Id` as given (often an ARN).
    pub id: String,
    /// `Region` of the resource, when given (shared text).
    #[serde(serialize_with = "shared_text_option")]
    pub region: Option<Arc<str>>,
    /// `Tags` carried on the finding (a snapshot from when the finding was generated), shared between resources
    /// with the same tags (`model::shared_tags`).
    #[serde(serialize_with = "super::shared_tags::serialize")]
    pub tags: super::shared_tags::Tags,
    /// The parts of `Details` playbooks plan from (`AwsS3Bucket`, `AwsEc2SecurityGroup`, `AwsEc2Instance`) as
    /// compact JSON, for plans computed from the finding's snapshot; the rest is in the finding's raw JSON.
    #[serde(skip)]
    pub details: Option<Box<str>>,
}

fn shared_text<S: serde::Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

fn shared_text_option<S: serde::Serializer>(text: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => s.serialize_some(&**text),
        None => s.serialize_none(),
    }
}

impl ResourceRef {
    /// The ARN of the resource, when its id is one.
    pub fn arn(&self) -> Option<&str> {
        self.id.starts_with("arn:").then_some(self.id.as_str())
    }

    /// The kept `Details`, parsed.
    pub fn details(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.details.as_deref()?).ok()
    }

    /// The short name of the resource: the bucket name, `sg-…` id, … taken from the ARN or id.
    pub fn short_id(&self) -> &str {
        let id = self.id.as_str();
        if let Some(rest) = id.strip_prefix("arn:") {
            // arn:partition:service:region:account:resource — the resource part may hold '/' or ':'.
            let resource = rest.splitn(5, ':').nth(4).unwrap_or(rest);
            let resource = resource.strip_prefix("security-group/").unwrap_or(resource);
            return resource.rsplit('/').next().unwrap_or(resource);
        }
        id
    }
}

/// The format a finding was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingFormat {
    /// The AWS Security Finding Format (Security Hub CSPM, `GetFindings`).
    #[default]
    Asff,
    /// The Open Cybersecurity Schema Framework (the new Security Hub, `GetFindingsV2`).
    Ocsf,
}

impl FindingFormat {
    /// `asff` or `ocsf`, as `plan --format json` writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Asff => "asff",
            Self::Ocsf => "ocsf",
        }
    }

    /// Whether this is ASFF (the format records leave unsaid).
    pub fn is_asff(&self) -> bool {
        *self == Self::Asff
    }
}

/// Identity of a finding in Security Hub: `(ProductArn, Id)` for ASFF, `(metadata.product.uid, metadata.uid)` for
/// OCSF.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    pub product_arn: Arc<str>,
    pub id: Arc<str>,
}

/// A normalized Security Hub finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The format the finding was read from.
    pub format: FindingFormat,
    /// ASFF `Id`, OCSF `metadata.uid` (shared with the finding's key, which the table, the paging tasks and jobs hold by the thousand).
    pub id: Arc<str>,
    /// ASFF `ProductArn`, OCSF `metadata.product.uid`.
    pub product_arn: Arc<str>,
    /// OCSF `finding_info.uid` (what BatchUpdateFindingsV2 names a finding by, with the account and product);
    /// `None` for ASFF, whose `Id` is that.
    pub finding_uid: Option<Arc<str>>,
    /// Text findings repeat (product, generator, title, description) is shared (`model::intern`).
    pub product_name: Arc<str>,
    pub generator_id: Arc<str>,
    /// Consolidated control id (`EC2.13`), or `None` for findings that are not control checks.
    pub control_id: Option<Arc<str>>,
    pub title: Arc<str>,
    pub description: Arc<str>,
    pub severity: Severity,
    pub account_id: Arc<str>,
    pub region: Arc<str>,
    pub resources: Vec<ResourceRef>,
    pub workflow_status: WorkflowStatus,
    pub record_state: RecordState,
    pub compliance_status: Option<ComplianceStatus>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub first_observed_at: Option<DateTime<Utc>>,
    pub types: Vec<Arc<str>>,
    /// What the reader had to guess or could not read, shown with the finding.
    pub warnings: Vec<String>,
    /// The finding as received, compact JSON, for the detail view (in the spill file once ingested).
    pub raw: super::raw_json::RawJson,
}

impl Finding {
    /// The key Security Hub identifies the finding by.
    pub fn key(&self) -> FindingKey {
        FindingKey { product_arn: self.product_arn.clone(), id: self.id.clone() }
    }

    /// Whether `other` has the same key (without making the keys).
    pub fn same_key(&self, other: &Finding) -> bool {
        self.id == other.id && self.product_arn == other.product_arn
    }

    /// The id Security Hub shows and scripts pass on (`plan` JSON, `apply --finding`): ASFF `Id`, OCSF
    /// `finding_info.uid` (its `metadata.uid` when it has none).
    pub fn public_id(&self) -> &str {
        self.finding_uid.as_deref().unwrap_or(&self.id)
    }

    /// The first resource, which control findings are about.
    pub fn primary_resource(&self) -> Option<&ResourceRef> {
        self.resources.first()
    }

    /// What to show in the control column: the control id, else the first finding type.
    pub fn control_or_type(&self) -> &str {
        match &self.control_id {
            Some(id) => id,
            None => self.types.first().map(|t| t.rsplit('/').next().unwrap_or(t)).unwrap_or("-"),
        }
    }

    /// Whether the finding is open: active, not passed, not resolved or suppressed.
    pub fn is_open(&self) -> bool {
        self.record_state == RecordState::Active
            && self.compliance_status != Some(ComplianceStatus::Passed)
            && matches!(self.workflow_status, WorkflowStatus::New | WorkflowStatus::Notified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_scores_follow_aws_ranges() {
        assert_eq!(Severity::from_normalized(0.0), Severity::Informational);
        assert_eq!(Severity::from_normalized(1.0), Severity::Low);
        assert_eq!(Severity::from_normalized(39.0), Severity::Low);
        assert_eq!(Severity::from_normalized(40.0), Severity::Medium);
        assert_eq!(Severity::from_normalized(69.0), Severity::Medium);
        assert_eq!(Severity::from_normalized(70.0), Severity::High);
        assert_eq!(Severity::from_normalized(89.0), Severity::High);
        assert_eq!(Severity::from_normalized(90.0), Severity::Critical);
        assert_eq!(Severity::from_normalized(100.0), Severity::Critical);
    }

    #[test]
    fn workflow_statuses_map_to_ocsf_status_ids() {
        let ids: Vec<i32> =
            [WorkflowStatus::New, WorkflowStatus::Notified, WorkflowStatus::Suppressed, WorkflowStatus::Resolved]
                .map(WorkflowStatus::ocsf_status_id)
                .to_vec();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn short_id_strips_arn_prefixes() {
        let r = |id: &str| ResourceRef {
            kind: "".into(),
            id: id.into(),
            region: None,
            tags: Default::default(),
            details: None,
        };
        assert_eq!(r("arn:aws:s3:::my-bucket").short_id(), "my-bucket");
        assert_eq!(r("arn:aws:ec2:us-east-1:111111111111:security-group/sg-0123").short_id(), "sg-0123");
        assert_eq!(r("sg-0abc").short_id(), "sg-0abc");
    }
}
