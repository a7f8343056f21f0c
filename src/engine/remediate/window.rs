//! Incident mode, and change windows binding people too: in an account whose class has change windows, a person
//! changes a resource only inside one of them, unless incident mode is on or the run was given a reason
//! (`--outside-window`); either way the audit record says so. Unattended fixes are bound the other way round by policy (inside a window they wait
//! for a person).

use super::Remediator;
use crate::engine::audit::{AuditEvent, AuditRecord, AuditResult};
use crate::engine::Msg;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

impl Remediator {
    /// Switches incident mode at once and audits it in the background, so the UI never waits for the audit log.
    pub fn switch_incident(self: &Arc<Self>, on: bool, tx: UnboundedSender<Msg>) {
        self.triage.policy.incident.set(on);
        let this = self.clone();
        tokio::spawn(async move { this.set_incident(on, Some(&tx)).await });
    }

    /// Switches incident mode (change windows lifted) and audits it.
    pub async fn set_incident(&self, on: bool, tx: Option<&UnboundedSender<Msg>>) {
        self.triage.policy.incident.set(on);
        let record = AuditRecord {
            time: Utc::now(),
            event: AuditEvent::IncidentMode,
            result: AuditResult::Ok,
            job: None,
            operator: self.operator.clone(),
            findings: Vec::new(),
            control_id: None,
            account_id: String::new(),
            region: String::new(),
            resource_type: String::new(),
            resource: String::new(),
            playbook: None,
            fingerprint: None,
            before: None,
            after: None,
            changes: Vec::new(),
            rollback: Vec::new(),
            process: None,
            message: format!(
                "incident mode {}: change windows {}",
                if on { "on" } else { "off" },
                if on { "lifted" } else { "apply" }
            ),
        };
        if let Err(e) = self.write(record, tx).await {
            tracing::error!("{e}");
        }
    }

    /// Lets this run's person change resources outside the change windows, for `reason` (recorded with each change).
    pub fn allow_outside_window(&self, reason: String) {
        let _ = self.outside_window.set(reason);
    }

    /// Whether a person may change a resource in `account_id` at `now`: `Ok(None)` when its class has no window or
    /// one is open; `Ok(Some(note))` outside them with incident mode or a reason, the note for the audit record;
    /// `Err(why)` otherwise.
    pub(super) fn person_may_change(&self, account_id: &str, now: DateTime<Utc>) -> Result<Option<String>, String> {
        let policy = &self.triage.policy;
        let class = policy.class_of(account_id);
        let windows: Vec<_> = policy.change_windows.iter().filter(|w| w.binds(class)).collect();
        if windows.is_empty() || windows.iter().any(|w| w.is_open(class, now)) {
            return Ok(None);
        }
        let described: Vec<String> = windows.iter().map(|w| format!("'{}' ({})", w.name, w.describe())).collect();
        let outside = format!("outside the change windows of {class} accounts: {}", described.join(", "));
        if policy.incident.is_on() {
            return Ok(Some(format!("{outside}; allowed by incident mode")));
        }
        match self.outside_window.get() {
            Some(reason) => Ok(Some(format!(
                "{outside}; allowed for the reason given: {}",
                crate::model::sanitize::single_line(reason)
            ))),
            None => Err(format!(
                "{outside}; nothing was changed: switch on incident mode, or give the reason with \
                 --outside-window \"<reason>\""
            )),
        }
    }
}
