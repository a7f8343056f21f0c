//! The `plan --format json` element: the fields scripts rely on (see DESIGN.md).

use crate::engine::Row;
use crate::playbook::Plan;
use crate::triage::PlanStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::borrow::Cow;

/// One finding in `plan --format json`.
#[derive(Debug, Serialize)]
pub struct PlanEntry<'a> {
    /// ASFF `Id`; OCSF `finding_info.uid`.
    pub id: &'a str,
    /// `asff` or `ocsf`.
    pub format: &'static str,
    pub product_arn: &'a str,
    pub product_name: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    pub control_id: Option<&'a str>,
    pub title: &'a str,
    pub severity: &'static str,
    pub workflow_status: &'static str,
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub verdict: &'static str,
    pub reason: &'a str,
    pub exception: Option<ExceptionEntry<'a>>,
    /// `planned`, `already-compliant`, `unavailable` or `no-playbook`.
    pub plan_status: &'static str,
    /// The plan (`null` when there is none).
    pub plan: PlanField<'a>,
    pub errors: Vec<String>,
}

/// A row's plan, worked out for the entry when the row had not yet (and then not kept: see [`Row::plan_unkept`]);
/// written as the plan or `null`.
#[derive(Debug)]
pub struct PlanField<'a>(Cow<'a, PlanStatus>);

impl PlanField<'_> {
    pub fn plan(&self) -> Option<&Plan> {
        self.0.plan()
    }
}

impl Serialize for PlanField<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.plan().serialize(serializer)
    }
}

/// A valid exception on the resource.
#[derive(Debug, Serialize)]
pub struct ExceptionEntry<'a> {
    pub reason: &'a str,
    pub expires: DateTime<Utc>,
    pub owner: Option<&'a str>,
    pub days_left: i64,
}

impl<'a> PlanEntry<'a> {
    /// The entry for a row; `live_error` is a problem met while reading live state.
    pub fn new(row: &'a Row, live_error: Option<&str>, now: DateTime<Utc>) -> Self {
        let f = &row.finding;
        let (decision, plan) = (&row.decision, row.plan_unkept());
        let resource = f.primary_resource();
        let mut errors: Vec<String> = f.warnings.clone();
        if let Some(e) = live_error {
            errors.push(e.to_string());
        }
        if let Some(problem) = plan.problem() {
            errors.push(format!("no plan: {problem}"));
        }
        if let Some(note) = &decision.exception_note {
            errors.push(note.clone());
        }
        Self {
            id: f.public_id(),
            format: f.format.label(),
            product_arn: &f.product_arn,
            product_name: &f.product_name,
            account_id: &f.account_id,
            region: &f.region,
            control_id: f.control_id.as_deref(),
            title: &f.title,
            severity: f.severity.label(),
            workflow_status: f.workflow_status.label(),
            resource_type: resource.map(|r| &*r.kind),
            resource_id: resource.map(|r| r.id.as_str()),
            verdict: decision.verdict.name(),
            reason: &decision.reason,
            exception: decision.exception.as_ref().map(|e| ExceptionEntry {
                reason: &e.reason,
                expires: e.expires,
                owner: e.owner.as_deref(),
                days_left: e.days_left(now),
            }),
            plan_status: match *plan {
                PlanStatus::NoPlaybook => "no-playbook",
                PlanStatus::Planned(_) => "planned",
                PlanStatus::AlreadyCompliant(_) => "already-compliant",
                PlanStatus::Unavailable(_) => "unavailable",
            },
            plan: PlanField(plan),
            errors,
        }
    }
}

#[path = "plan_json_write.rs"]
mod write;
