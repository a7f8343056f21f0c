//! Which fix a headless rollback undoes, from the audit log: the apply job named by `--job`, or the latest verified
//! fix of the resource named by `--resource`. Pure: the records in, the fix or why there is none out.

use super::audit::{AuditEvent, AuditRecord};
use super::audit_summary::{fixes, rolled_back_by, Fix};
use crate::model::sanitize::single_line;
use chrono::{DateTime, Utc};

/// The fix a rollback would undo.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackTarget {
    /// The apply job's intent: what it changed, the before-state it recorded and the calls that restore it.
    pub intent: AuditRecord,
    /// The job's name in the audit log.
    pub job: String,
    /// When the fix was verified; `None` when it never was (a rollback is then refused).
    pub verified_at: Option<DateTime<Utc>>,
}

/// Whether a resource as the audit log records it (usually an ARN) is the one the user named: the same text, or
/// the id at the end of the ARN (`sg-…`, a bucket name).
pub fn names_resource(recorded: &str, wanted: &str) -> bool {
    let wanted = wanted.trim();
    !wanted.is_empty()
        && (recorded == wanted
            || recorded.strip_suffix(wanted).is_some_and(|head| head.ends_with('/') || head.ends_with(":::")))
}

/// The apply job `job`, unless the log has no such job or a rollback already restored its fix.
pub fn by_job(records: &[AuditRecord], job: &str) -> Result<RollbackTarget, String> {
    let intent = records
        .iter()
        .find(|r| r.event == AuditEvent::ApplyIntent && r.job.as_deref() == Some(job))
        .ok_or_else(|| {
            format!("no apply job {} in the audit log (`audit list --event apply-intent` lists them)", single_line(job))
        })?;
    let fix = fixes(records).into_iter().find(|f| f.job == job);
    if let Some(by) = fix.as_ref().and_then(|f| rolled_back_by(records, f)) {
        return Err(format!("job {} was already rolled back by job {by}; nothing to roll back", single_line(job)));
    }
    Ok(RollbackTarget { intent: intent.clone(), job: job.to_string(), verified_at: fix.map(|f| f.verified_at) })
}

/// The latest verified fix of `resource` (an ARN or the id it ends with), unless there is none, the name fits more
/// than one resource, or a rollback already restored it.
pub fn by_resource(records: &[AuditRecord], resource: &str) -> Result<RollbackTarget, String> {
    let shown = single_line(resource);
    let matching: Vec<Fix> = fixes(records).into_iter().filter(|f| names_resource(&f.resource, resource)).collect();
    let Some(latest) = matching.last() else {
        return Err(format!("no verified fix of {shown} in the audit log: nothing to roll back"));
    };
    let mut places: Vec<String> =
        matching.iter().map(|f| format!("{} in {}/{}", single_line(&f.resource), f.account_id, f.region)).collect();
    places.sort();
    places.dedup();
    if places.len() > 1 {
        return Err(format!(
            "{shown} names fixes of {} resources ({}); give the full ARN",
            places.len(),
            places.join(", ")
        ));
    }
    if let Some(by) = rolled_back_by(records, latest) {
        return Err(format!(
            "the latest fix of {shown}, job {} ({} verified {}), was already rolled back by job {by}; nothing to roll \
             back",
            latest.job,
            single_line(&latest.control_id),
            latest.verified_at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    by_job(records, &latest.job)
}

#[cfg(test)]
#[path = "rollback_target_tests.rs"]
mod tests;
