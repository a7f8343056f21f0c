//! Change windows bind people too: in an account whose class has change windows, a person changes a resource only
//! inside one of them, unless incident mode is on or the run was given a reason (`--outside-window`); either way
//! the audit record says so. Unattended fixes are bound the other way round by policy (inside a window they wait
//! for a person).

use super::Remediator;
use chrono::{DateTime, Utc};

impl Remediator {
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
