//! The plan file `plan --out` writes and `apply --plan` reads: per finding the verdict, the reason and the exact
//! plan (steps, calls, CLI, rollback, the fingerprint of the state it was computed from), with who made it, when,
//! against which organisation and endpoint, under which policy, and a checksum over the whole. Findings are in a
//! stable order so two plan files diff line by line.

use super::policy_digest::sha256_hex;
use crate::engine::Row;
use crate::playbook::{Basis, Change, Plan, Playbooks, Step};
use crate::policy::Verdict;
use crate::triage::PlanStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a plan file says it is.
pub const PLAN_KIND: &str = "hubtriage-plan";
/// The plan file schema this build writes and reads.
pub const PLAN_SCHEMA: u32 = 1;

/// A whole plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    /// Always `hubtriage-plan`.
    pub kind: String,
    /// The schema version ([`PLAN_SCHEMA`]).
    pub schema: u32,
    pub created_at: DateTime<Utc>,
    /// The identity that made the plan (STS caller ARN).
    pub created_by: String,
    pub hubtriage_version: String,
    /// Where the findings and the state came from.
    pub scope: PlanScope,
    /// The policy the verdicts were decided under (`sha256:…` of rules, classes, windows, exception and playbook
    /// settings).
    pub policy_digest: String,
    /// Whether incident mode was on (change windows lifted) when the verdicts were decided.
    pub incident_mode: bool,
    pub findings: Vec<PlannedFinding>,
    /// `sha256:…` over the compact JSON of this document with `checksum` empty.
    pub checksum: String,
}

/// The organisation and endpoint a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanScope {
    /// `aws` (live accounts), `demo` (the simulated organisation) or `findings-file` (offline review).
    pub source: String,
    /// The account of the identity that read the findings (the organisation's administrator account).
    pub account: String,
    /// `aws`, or the endpoint URL every client used (an emulator).
    pub endpoint: String,
}

/// One finding and what hubtriage would do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedFinding {
    /// ASFF `Id`; OCSF `finding_info.uid`.
    pub id: String,
    pub product_arn: String,
    pub account_id: String,
    pub region: String,
    pub control_id: Option<String>,
    pub title: String,
    pub severity: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub verdict: Verdict,
    pub reason: String,
    /// `planned`, `already-compliant`, `unavailable` or `no-playbook`.
    pub plan_status: String,
    pub plan: Option<FilePlan>,
    pub errors: Vec<String>,
}

/// A plan as the file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePlan {
    pub playbook: String,
    pub summary: String,
    pub steps: Vec<Step>,
    pub cli: Vec<String>,
    pub rollback_cli: Vec<String>,
    pub fingerprint: String,
    pub basis: Basis,
    pub changes: Vec<Change>,
    pub rollback: Vec<Change>,
    pub warnings: Vec<String>,
}

/// Why a plan file is refused whole.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("plan file {path} is not valid JSON (truncated or not a plan file?): {message}")]
    NotJson { path: String, message: String },
    #[error("{path} is not a hubtriage plan file (its kind is {kind:?})")]
    NotAPlan { path: String, kind: String },
    #[error("plan file {path} has schema {found}, made by a newer hubtriage; this one reads schema {PLAN_SCHEMA}")]
    NewerSchema { path: String, found: u64 },
    #[error("plan file {path}: {message}")]
    Malformed { path: String, message: String },
    #[error("plan file {path} was edited after it was made: its checksum is {recorded}, its content gives {actual}; nothing in it is applied")]
    Edited { path: String, recorded: String, actual: String },
}

impl PlannedFinding {
    /// The entry for an assessed row; `live_error` is a problem met while reading live state.
    pub fn of(row: &Row, live_error: Option<&str>) -> Self {
        let f = &row.finding;
        let resource = f.primary_resource();
        let plan = row.plan();
        let mut errors: Vec<String> = f.warnings.clone();
        errors.extend(live_error.map(str::to_string));
        errors.extend(plan.problem().map(|p| format!("no plan: {p}")));
        errors.extend(row.decision.exception_note.clone());
        Self {
            id: f.public_id().to_string(),
            product_arn: f.product_arn.to_string(),
            account_id: f.account_id.to_string(),
            region: f.region.to_string(),
            control_id: f.control_id.as_deref().map(str::to_string),
            title: f.title.to_string(),
            severity: f.severity.label().to_string(),
            resource_type: resource.map(|r| r.kind.to_string()),
            resource_id: resource.map(|r| r.id.to_string()),
            verdict: row.decision.verdict,
            reason: row.decision.reason.to_string(),
            plan_status: status_name(plan).to_string(),
            plan: plan.plan().map(FilePlan::of),
            errors,
        }
    }

    /// Whether `apply --plan` would apply this entry: a plan, and a verdict that allows a change.
    pub fn is_applicable(&self) -> bool {
        self.plan.is_some() && matches!(self.verdict, Verdict::AutoFix | Verdict::NeedsApproval)
    }

    /// `S3.8 arn:aws:s3:::bucket in 111111111111/eu-west-1`, as messages name it.
    pub fn label(&self) -> String {
        format!(
            "{} {} in {}/{}",
            self.control_id.as_deref().unwrap_or("-"),
            self.resource_id.as_deref().unwrap_or("-"),
            self.account_id,
            self.region
        )
    }
}

/// The name `plan --format json` and plan files give a plan status.
pub fn status_name(status: &PlanStatus) -> &'static str {
    match status {
        PlanStatus::NoPlaybook => "no-playbook",
        PlanStatus::Planned(_) => "planned",
        PlanStatus::AlreadyCompliant(_) => "already-compliant",
        PlanStatus::Unavailable(_) => "unavailable",
    }
}

impl FilePlan {
    /// A plan as the file holds it.
    pub fn of(plan: &Plan) -> Self {
        Self {
            playbook: plan.playbook.to_string(),
            summary: plan.summary.clone(),
            steps: plan.steps.clone(),
            cli: plan.cli.clone(),
            rollback_cli: plan.rollback_cli.clone(),
            fingerprint: plan.fingerprint.clone(),
            basis: plan.basis,
            changes: plan.changes.clone(),
            rollback: plan.rollback.clone(),
            warnings: plan.warnings.clone(),
        }
    }

    /// The plan an apply job is approved to carry out: the job refuses unless the live state gives this very
    /// fingerprint and these very calls. `None` when no playbook of this build has the file's playbook name.
    pub fn to_plan(&self, playbooks: &Playbooks) -> Option<Plan> {
        let playbook = playbooks.iter().map(|p| p.name()).find(|name| *name == self.playbook)?;
        Some(Plan {
            playbook,
            summary: self.summary.clone(),
            steps: self.steps.clone(),
            cli: self.cli.clone(),
            rollback_cli: self.rollback_cli.clone(),
            fingerprint: self.fingerprint.clone(),
            basis: self.basis,
            changes: self.changes.clone(),
            rollback: self.rollback.clone(),
            warnings: self.warnings.clone(),
        })
    }
}

/// What a plan file says about when, by whom and where it was made.
#[derive(Debug, Clone)]
pub struct PlanHeader {
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub scope: PlanScope,
    pub policy_digest: String,
    pub incident_mode: bool,
}

impl PlanDocument {
    /// The document for these findings, in a stable order (account, region, control, resource, id), checksummed.
    pub fn new(header: PlanHeader, mut findings: Vec<PlannedFinding>) -> Self {
        findings.sort_by(|a, b| {
            (&a.account_id, &a.region, &a.control_id, &a.resource_id, &a.id, &a.product_arn).cmp(&(
                &b.account_id,
                &b.region,
                &b.control_id,
                &b.resource_id,
                &b.id,
                &b.product_arn,
            ))
        });
        let mut document = Self {
            kind: PLAN_KIND.into(),
            schema: PLAN_SCHEMA,
            created_at: header.created_at,
            created_by: header.created_by,
            hubtriage_version: env!("CARGO_PKG_VERSION").into(),
            scope: header.scope,
            policy_digest: header.policy_digest,
            incident_mode: header.incident_mode,
            findings,
            checksum: String::new(),
        };
        document.checksum = document.computed_checksum();
        document
    }

    /// The checksum the content gives: `sha256:` over the compact JSON of the document with an empty checksum.
    pub fn computed_checksum(&self) -> String {
        let blank = BlankChecksum(self);
        sha256_hex(&serde_json::to_vec(&blank).unwrap_or_default())
    }

    /// The pretty JSON written to the file (one key per line: diffs stay readable).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads and checks a plan file: JSON, a plan, a schema this build reads, every field as the schema says, and
    /// the checksum. Any failure refuses the whole file.
    pub fn read(path: &Path) -> Result<Self, PlanFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read(path)
            .map_err(|e| PlanFileError::Unreadable { path: shown.clone(), message: e.to_string() })?;
        Self::parse(&text, &shown)
    }

    /// [`read`](Self::read) on text; `path` is only used in messages. A file of this schema is read straight into
    /// the document (no tree of the whole file); anything else is looked at as a tree to say what it is.
    pub fn parse(text: &[u8], path: &str) -> Result<Self, PlanFileError> {
        let path = path.to_string();
        let document: PlanDocument = match serde_json::from_slice::<PlanDocument>(text) {
            Ok(document) if document.kind == PLAN_KIND && document.schema <= PLAN_SCHEMA => document,
            Ok(_) | Err(_) => return Err(Self::what_is_wrong(text, path)),
        };
        let actual = document.computed_checksum();
        if actual != document.checksum {
            return Err(PlanFileError::Edited { path, recorded: document.checksum.clone(), actual });
        }
        Ok(document)
    }

    /// Why `text` is not a plan file this build reads.
    fn what_is_wrong(text: &[u8], path: String) -> PlanFileError {
        let value: serde_json::Value = match serde_json::from_slice(text) {
            Ok(value) => value,
            Err(e) => return PlanFileError::NotJson { path, message: e.to_string() },
        };
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
        if kind != PLAN_KIND {
            let kind = if text.starts_with(b"#") { "Markdown: apply the JSON plan file" } else { kind };
            return PlanFileError::NotAPlan { path, kind: kind.to_string() };
        }
        match value.get("schema").and_then(|s| s.as_u64()) {
            Some(found) if found > u64::from(PLAN_SCHEMA) => PlanFileError::NewerSchema { path, found },
            Some(_) => match serde_json::from_value::<PlanDocument>(value) {
                Err(e) => PlanFileError::Malformed { path, message: e.to_string() },
                Ok(_) => PlanFileError::Malformed { path, message: "not a plan of this schema".into() },
            },
            None => PlanFileError::Malformed { path, message: "schema: missing or not a number".into() },
        }
    }

    /// The entries `apply --plan` would apply.
    pub fn applicable(&self) -> impl Iterator<Item = &PlannedFinding> {
        self.findings.iter().filter(|f| f.is_applicable())
    }
}

/// The document serialised with an empty checksum, for computing it.
struct BlankChecksum<'a>(&'a PlanDocument);

impl Serialize for BlankChecksum<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut copy = PlanDocumentRef::from(self.0);
        copy.checksum = "";
        copy.serialize(serializer)
    }
}

/// [`PlanDocument`] by reference, field for field in the same order (so the checksum needs no copy of findings).
#[derive(Serialize)]
struct PlanDocumentRef<'a> {
    kind: &'a str,
    schema: u32,
    created_at: &'a DateTime<Utc>,
    created_by: &'a str,
    hubtriage_version: &'a str,
    scope: &'a PlanScope,
    policy_digest: &'a str,
    incident_mode: bool,
    findings: &'a [PlannedFinding],
    checksum: &'a str,
}

impl<'a> From<&'a PlanDocument> for PlanDocumentRef<'a> {
    fn from(d: &'a PlanDocument) -> Self {
        Self {
            kind: &d.kind,
            schema: d.schema,
            created_at: &d.created_at,
            created_by: &d.created_by,
            hubtriage_version: &d.hubtriage_version,
            scope: &d.scope,
            policy_digest: &d.policy_digest,
            incident_mode: d.incident_mode,
            findings: &d.findings,
            checksum: &d.checksum,
        }
    }
}

#[cfg(test)]
#[path = "plan_file_tests.rs"]
mod tests;
