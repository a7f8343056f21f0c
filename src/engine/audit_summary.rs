//! Pure questions answered from the audit log: which fixes were verified, what can be rolled back, how often a
//! resource was fixed before, how long findings took to reach a safe state, and which changes never recorded an
//! outcome. Jobs are linked by the records' `job` field; an apply job writes apply-intent, apply-outcome,
//! verification and finding-update records, a rollback job rollback-intent, rollback-outcome and verification.

use super::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use crate::model::FindingKey;
use crate::playbook::{Change, ResourceState};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A verified apply job.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub job: String,
    pub account_id: String,
    pub region: String,
    pub resource: String,
    pub control_id: String,
    pub playbook: String,
    pub fingerprint: String,
    pub findings: Vec<AuditFinding>,
    pub verified_at: DateTime<Utc>,
    /// The earliest first observation of the job's findings: when the problem started.
    pub first_observed_at: Option<DateTime<Utc>>,
}

/// The fix a rollback would undo, with what it recorded before changing anything.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackCandidate {
    /// The apply job's name in the audit log.
    pub job: String,
    pub account_id: String,
    pub region: String,
    pub resource: String,
    pub control_id: String,
    pub playbook: String,
    pub fingerprint: String,
    pub verified_at: DateTime<Utc>,
    /// The state read just before the fix.
    pub before: Option<ResourceState>,
    /// The calls that restore it.
    pub rollback: Vec<Change>,
}

/// How often a problem was fixed before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recurrence {
    /// Verified fixes of this control on this resource.
    pub on_resource: usize,
    pub last_on_resource: Option<DateTime<Utc>>,
    /// Verified fixes of this control on any resource.
    pub control_fixes: usize,
    /// Distinct resources those fixes touched.
    pub control_resources: usize,
}

impl Recurrence {
    /// Fixed again and again: the problem is re-created upstream (a template, a pipeline, a habit).
    pub fn points_upstream(&self) -> bool {
        self.on_resource >= 2
    }
}

/// The records of each job, in log order, by job name.
fn by_job(records: &[AuditRecord]) -> BTreeMap<&str, Vec<&AuditRecord>> {
    let mut jobs: BTreeMap<&str, Vec<&AuditRecord>> = BTreeMap::new();
    for r in records {
        if let Some(job) = r.job.as_deref() {
            jobs.entry(job).or_default().push(r);
        }
    }
    jobs
}

fn has(records: &[&AuditRecord], event: AuditEvent) -> bool {
    records.iter().any(|r| r.event == event)
}

fn verified_at(records: &[&AuditRecord]) -> Option<DateTime<Utc>> {
    records.iter().find(|r| r.event == AuditEvent::Verification && r.result == AuditResult::Verified).map(|r| r.time)
}

/// Every verified apply job, oldest verification first.
pub fn fixes(records: &[AuditRecord]) -> Vec<Fix> {
    let mut out: Vec<Fix> = by_job(records)
        .into_iter()
        .filter(|(_, rs)| has(rs, AuditEvent::ApplyIntent))
        .filter_map(|(job, rs)| {
            let verified_at = verified_at(&rs)?;
            let intent = rs.iter().find(|r| r.event == AuditEvent::ApplyIntent)?;
            let first_observed_at = intent.findings.iter().filter_map(|f| f.first_observed_at).min();
            Some(Fix {
                job: job.to_string(),
                account_id: intent.account_id.clone(),
                region: intent.region.clone(),
                resource: intent.resource.clone(),
                control_id: intent.control_id.clone().unwrap_or_default(),
                playbook: intent.playbook.clone().unwrap_or_default(),
                fingerprint: intent.fingerprint.clone().unwrap_or_default(),
                findings: intent.findings.clone(),
                verified_at,
                first_observed_at,
            })
        })
        .collect();
    out.sort_by(|a, b| a.verified_at.cmp(&b.verified_at).then_with(|| a.job.cmp(&b.job)));
    out
}

/// Whether a rollback of `fix`'s resource and control succeeded after it was verified.
fn rolled_back(records: &[AuditRecord], fix: &Fix) -> bool {
    rolled_back_by(records, fix).is_some()
}

/// The rollback job that restored `fix`'s resource and control after it was verified, if one did.
pub fn rolled_back_by<'r>(records: &'r [AuditRecord], fix: &Fix) -> Option<&'r str> {
    by_job(records).into_iter().find_map(|(job, rs)| {
        let intent = rs.iter().find(|r| r.event == AuditEvent::RollbackIntent)?;
        let restored = rs.iter().any(|r| {
            (r.event == AuditEvent::RollbackOutcome && r.result == AuditResult::Ok)
                || (r.event == AuditEvent::Verification && r.result == AuditResult::Verified)
        });
        (restored
            && intent.time >= fix.verified_at
            && intent.account_id == fix.account_id
            && intent.region == fix.region
            && intent.resource == fix.resource
            && intent.control_id.as_deref().unwrap_or_default() == fix.control_id)
            .then_some(job)
    })
}

/// The fix a rollback of this finding would undo: the latest verified apply on the finding's resource and control,
/// unless a rollback already restored it. Earlier fixes are never offered: their before-state is out of date.
pub fn rollback_candidate(records: &[AuditRecord], key: &FindingKey) -> Option<RollbackCandidate> {
    let all = fixes(records);
    let targets: BTreeSet<(&str, &str, &str, &str)> = records
        .iter()
        .filter(|r| r.event == AuditEvent::ApplyIntent)
        .filter(|r| r.findings.iter().any(|f| *f.id == *key.id && *f.product_arn == *key.product_arn))
        .map(|r| (r.account_id.as_str(), r.region.as_str(), r.resource.as_str(), r.control_id.as_deref().unwrap_or("")))
        .collect();
    let fix = all.iter().rev().find(|f| {
        targets.contains(&(f.account_id.as_str(), f.region.as_str(), f.resource.as_str(), f.control_id.as_str()))
    })?;
    if rolled_back(records, fix) {
        return None;
    }
    let intent = records.iter().find(|r| r.event == AuditEvent::ApplyIntent && r.job.as_deref() == Some(&fix.job))?;
    Some(RollbackCandidate {
        job: fix.job.clone(),
        account_id: fix.account_id.clone(),
        region: fix.region.clone(),
        resource: fix.resource.clone(),
        control_id: fix.control_id.clone(),
        playbook: fix.playbook.clone(),
        fingerprint: fix.fingerprint.clone(),
        verified_at: fix.verified_at,
        before: intent.before.clone(),
        rollback: intent.rollback.clone(),
    })
}

/// How often `control` was fixed on this resource, and across all resources.
pub fn recurrence(records: &[AuditRecord], account: &str, region: &str, resource: &str, control: &str) -> Recurrence {
    let all = fixes(records);
    let control_fixes: Vec<&Fix> = all.iter().filter(|f| f.control_id == control).collect();
    let here: Vec<&&Fix> = control_fixes
        .iter()
        .filter(|f| f.account_id == account && f.region == region && f.resource == resource)
        .collect();
    let resources: BTreeSet<(&str, &str, &str)> =
        control_fixes.iter().map(|f| (f.account_id.as_str(), f.region.as_str(), f.resource.as_str())).collect();
    Recurrence {
        on_resource: here.len(),
        last_on_resource: here.iter().map(|f| f.verified_at).max(),
        control_fixes: control_fixes.len(),
        control_resources: resources.len(),
    }
}

/// Time from first observation to verification of every fix that knows its first observation, and their median.
pub fn time_to_safe(records: &[AuditRecord]) -> (Vec<(String, Duration)>, Option<Duration>) {
    let times: Vec<(String, Duration)> = fixes(records)
        .into_iter()
        .filter_map(|f| {
            let took = (f.verified_at - f.first_observed_at?).to_std().ok()?;
            Some((f.job, took))
        })
        .collect();
    let mut sorted: Vec<Duration> = times.iter().map(|(_, d)| *d).collect();
    sorted.sort();
    let median = match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    };
    (times, median)
}

/// Apply and rollback intents whose job never got to a verification: the process stopped mid-change or before
/// verifying it, so the resource is in an unknown state and needs a re-check. A verification record in the job (the
/// re-check after such a stop writes one) or a failed outcome (nothing to verify, already reported) settles it.
pub fn unfinished(records: &[AuditRecord]) -> Vec<AuditRecord> {
    let jobs = by_job(records);
    records
        .iter()
        .filter(|r| matches!(r.event, AuditEvent::ApplyIntent | AuditEvent::RollbackIntent))
        .filter(|r| {
            let outcome =
                if r.event == AuditEvent::ApplyIntent { AuditEvent::ApplyOutcome } else { AuditEvent::RollbackOutcome };
            let failed =
                |rs: &Vec<&AuditRecord>| rs.iter().any(|x| x.event == outcome && x.result == AuditResult::Failed);
            let rs = r.job.as_deref().and_then(|j| jobs.get(j));
            !rs.is_some_and(|rs| failed(rs) || has(rs, AuditEvent::Verification))
        })
        .cloned()
        .collect()
}

/// The fixes the drift watch re-checks: the latest verified fix per resource and control, unless rolled back since.
pub fn watched_fixes(records: &[AuditRecord]) -> Vec<Fix> {
    let mut latest: BTreeMap<(String, String, String, String), Fix> = BTreeMap::new();
    for fix in fixes(records) {
        let key = (fix.account_id.clone(), fix.region.clone(), fix.resource.clone(), fix.control_id.clone());
        latest.insert(key, fix);
    }
    latest.into_values().filter(|fix| !rolled_back(records, fix)).collect()
}

#[cfg(test)]
#[path = "audit_summary_tests.rs"]
mod tests;
