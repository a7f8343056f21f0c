//! What Security Hub keeps about a finding beyond what the resource's state derives: the workflow status and note set
//! through BatchUpdateFindings, and when a change made through the simulator last changed its compliance.
//!
//! As in Security Hub, BatchUpdateFindings does not move `UpdatedAt`; a change of compliance does. A finding whose
//! compliance goes from PASSED to FAILED goes back to `NEW` (unless suppressed); one that passes is `RESOLVED`.

use super::envelope::ts;
use crate::model::WorkflowStatus;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A workflow status set on a finding, and the compliance it had then.
#[derive(Debug, Clone)]
struct Workflow {
    status: WorkflowStatus,
    /// `Compliance.Status` when the status was set (`None` for findings that are not control checks).
    compliance: Option<String>,
    /// `Note.Text`, `Note.UpdatedBy`, `Note.UpdatedAt`.
    note: Option<(String, String, DateTime<Utc>)>,
}

/// Per finding id: workflow set by BatchUpdateFindings, and compliance changes made by the simulator.
#[derive(Debug, Default)]
pub(super) struct Overlay {
    workflow: HashMap<String, Workflow>,
    touched: HashMap<String, DateTime<Utc>>,
}

impl Overlay {
    /// BatchUpdateFindings on one finding whose compliance is `compliance` now; an empty note leaves the note as it
    /// was.
    pub fn set_workflow(
        &mut self,
        id: &str,
        status: WorkflowStatus,
        compliance: Option<String>,
        note: &str,
        updated_by: &str,
        at: DateTime<Utc>,
    ) {
        let previous = self.workflow.get(id).and_then(|w| w.note.clone());
        let note = if note.is_empty() { previous } else { Some((note.to_string(), updated_by.to_string(), at)) };
        self.workflow.insert(id.to_string(), Workflow { status, compliance, note });
    }

    /// A change made at `at` moved a control finding's compliance from `before` to `after`.
    pub fn compliance_changed(&mut self, id: &str, before: Option<&str>, after: &str, at: DateTime<Utc>) {
        self.touched.insert(id.to_string(), at);
        let reopened = before == Some("PASSED") && after != "PASSED";
        match self.workflow.get_mut(id) {
            Some(w) => {
                if w.status != WorkflowStatus::Suppressed {
                    if after == "PASSED" {
                        w.status = WorkflowStatus::Resolved;
                    } else if reopened {
                        w.status = WorkflowStatus::New;
                    }
                }
                w.compliance = Some(after.to_string());
            }
            None if reopened => {
                let w = Workflow { status: WorkflowStatus::New, compliance: Some(after.to_string()), note: None };
                self.workflow.insert(id.to_string(), w);
            }
            None => {}
        }
    }

    /// Lays the overlay over freshly derived findings.
    pub fn apply(&self, findings: &mut [Value]) {
        if self.workflow.is_empty() && self.touched.is_empty() {
            return;
        }
        for finding in findings {
            let Some(id) = finding.get("Id").and_then(Value::as_str).map(str::to_string) else { continue };
            if let Some(at) = self.touched.get(&id) {
                bump(finding, *at);
            }
            if let Some(w) = self.workflow.get(&id) {
                apply_workflow(finding, w);
            }
        }
    }
}

/// Moves `UpdatedAt` (and the observation and processing times) to `at` when it is later.
fn bump(finding: &mut Value, at: DateTime<Utc>) {
    let updated = finding
        .get("UpdatedAt")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    if updated.is_some_and(|u| u >= at) {
        return;
    }
    finding["UpdatedAt"] = ts(at).into();
    finding["LastObservedAt"] = ts(at).into();
    finding["ProcessedAt"] = ts(at + Duration::seconds(4)).into();
}

fn apply_workflow(finding: &mut Value, w: &Workflow) {
    let compliance = finding.pointer("/Compliance/Status").and_then(Value::as_str).map(str::to_string);
    let status = if compliance == w.compliance {
        Some(w.status)
    } else if w.status == WorkflowStatus::Suppressed {
        Some(WorkflowStatus::Suppressed)
    } else if compliance.as_deref() == Some("PASSED") {
        // Security Hub resolves passed control findings; the derived finding says so already.
        None
    } else {
        Some(WorkflowStatus::New)
    };
    if let Some(status) = status {
        finding["Workflow"] = json!({ "Status": status.label() });
        finding["WorkflowState"] = status.label().into();
    }
    if let Some((text, by, at)) = &w.note {
        finding["Note"] = json!({ "Text": text, "UpdatedBy": by, "UpdatedAt": ts(*at) });
    }
}
