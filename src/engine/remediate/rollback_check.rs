//! Whether a rollback may go ahead: the resource must still show exactly the state the fix was verified in (tags
//! aside). The rollback job decides with it under its lease; `rollback --job` without `--yes` shows it beforehand,
//! from a read that changes nothing.

use super::Remediator;
use crate::engine::audit::AuditEvent;
use crate::model::ResourceRef;
use crate::playbook::state_diff::{differences, settings, settings_fingerprint};
use crate::playbook::ResourceState;

/// What a rollback of an apply job would do with the resource as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackCheck {
    /// The resource shows the state the fix left: the rollback restores the recorded before-state.
    Ready,
    /// The resource already is in the recorded before-state: nothing to do (why, in words).
    AlreadyRestored(String),
    /// The rollback would be refused and nothing changed: why, with what differs.
    Refused(String),
}

/// Compares the resource as read now with the before-state apply job `applied_by` recorded and the state its fix
/// was verified in (`left`, `None` when it never verified).
pub fn compare(
    resource: &str,
    applied_by: &str,
    recorded: &ResourceState,
    left: Option<&ResourceState>,
    current: &ResourceState,
) -> RollbackCheck {
    if settings(current) == settings(recorded) {
        return RollbackCheck::AlreadyRestored(format!("{resource} already is in the state job {applied_by} recorded"));
    }
    let Some(left) = left else {
        return RollbackCheck::Refused(format!(
            "job {applied_by} has no verified fix, so the state it left is unknown and a rollback could overwrite \
             someone else's change — nothing was changed"
        ));
    };
    if settings(current) != settings(left) {
        let differences = differences(left, current, 4).join("; ");
        return RollbackCheck::Refused(format!(
            "{resource} changed since job {applied_by} fixed it (state {} then, {} now: {differences}); rolling back \
             would overwrite that change — nothing was changed",
            settings_fingerprint(left),
            settings_fingerprint(current)
        ));
    }
    RollbackCheck::Ready
}

impl Remediator {
    /// Reads the resource of apply job `audit_job` and says what its rollback would do now. Makes no change and
    /// writes no record; the rollback itself checks again under its lease.
    pub async fn rollback_check(&self, audit_job: &str) -> RollbackCheck {
        let intent = {
            let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
            records.iter().find(|r| r.event == AuditEvent::ApplyIntent && r.job.as_deref() == Some(audit_job)).cloned()
        };
        let Some(intent) = intent else {
            return RollbackCheck::Refused(format!("no apply job {audit_job} in the audit log"));
        };
        let (Some(recorded), false) = (intent.before.as_ref(), intent.rollback.is_empty()) else {
            return RollbackCheck::Refused(format!("job {audit_job} recorded no before-state to restore"));
        };
        let resource = ResourceRef {
            kind: intent.resource_type.as_str().into(),
            id: intent.resource.clone(),
            region: Some(intent.region.as_str().into()),
            tags: Default::default(),
            details: None,
        };
        match self.resources.read_state(&intent.account_id, &intent.region, &resource).await {
            Ok(current) => {
                compare(&intent.resource, audit_job, recorded, self.state_left_by(audit_job).as_ref(), &current)
            }
            Err(e) => RollbackCheck::Refused(format!("reading {} failed: {e}", intent.resource)),
        }
    }
}
