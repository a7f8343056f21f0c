//! The remediation flow on the simulated organisation: every step a user relies on, including the refusals.

use super::*;
use crate::cloud::sim::{SimFault, SimOrg};
use crate::cloud::{FindingSource, SourceId};
use crate::config::Config;
use crate::engine::audit::AuditEvent;
use crate::engine::audit::AuditResult;
use crate::engine::jobs::JobState;
use crate::playbook::{Change, PublicAccessBlock, ResourceState};
use chrono::Utc;
use std::path::Path;

pub(super) const STAGING: &str = "345678901234";

/// A remediator on a fresh simulated organisation with the example config, fast verification and a temporary
/// audit log.
pub(crate) struct Fixture {
    pub org: Arc<SimOrg>,
    pub remediator: Arc<Remediator>,
    _dir: tempfile::TempDir,
    pub audit_path: std::path::PathBuf,
}

pub(super) fn fixture(read_only: bool) -> Fixture {
    fixture_with(read_only, Default::default())
}

pub(crate) fn fixture_with(read_only: bool, exceptions: crate::config::ExceptionsConfig) -> Fixture {
    let config = Config::parse(include_str!("../../../config.example.toml"), Path::new("config.example.toml"))
        .expect("example config");
    let triage = Arc::new(Triage {
        policy: config.policy().expect("policy"),
        playbooks: crate::playbook::Playbooks::new(&config.playbooks),
    });
    let org = Arc::new(SimOrg::new(7, Utc::now()));
    let backend = backend_of(&org);
    let dir = tempfile::tempdir().expect("tempdir");
    let audit_path = dir.path().join("audit.jsonl");
    let audit = AuditLog::open(&audit_path).expect("audit log");
    let settings = RemediatorSettings {
        read_only,
        exceptions,
        notify: NotifyConfig { topic_arn: Some("arn:aws:sns:us-east-1:210987654321:sec".into()), ..Default::default() },
        remediation: RemediationConfig { verify_first_delay_ms: 1, verify_max_delay_ms: 2, ..Default::default() },
    };
    let remediator = Remediator::new(&backend, triage, audit, Vec::new(), settings).expect("remediator");
    Fixture { org, remediator, _dir: dir, audit_path }
}

/// Open findings of a control in the staging account, eu-west-1, all pages.
pub(crate) async fn open_findings(org: &SimOrg, control: &str) -> Vec<Arc<Finding>> {
    let source = SourceId { account_id: STAGING.into(), region: "eu-west-1".into() };
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = org.fetch_page(&source, token).await.expect("page");
        all.extend(page.findings.into_iter().filter(|f| f.control_id.as_deref() == Some(control)).map(Arc::new));
        match page.next_token {
            Some(t) => token = Some(t),
            None => return all,
        }
    }
}

/// An open finding of a control whose live verdict lets a person approve its plan.
pub(super) async fn fixable(f: &Fixture, control: &str) -> Arc<Finding> {
    let items = f.remediator.assess_all(open_findings(&f.org, control).await).await;
    items
        .into_iter()
        .find(|i| {
            i.result.as_ref().is_ok_and(|a| {
                matches!(a.decision.verdict, crate::policy::Verdict::AutoFix | crate::policy::Verdict::NeedsApproval)
                    && a.plan.plan().is_some()
            })
        })
        .map(|i| i.finding)
        .expect("a fixable finding")
}

/// The live plan of a finding, as the confirm dialog shows it.
pub(super) async fn approved_request(f: &Fixture, finding: &Arc<Finding>) -> ApplyRequest {
    let items = f.remediator.assess_all(vec![finding.clone()]).await;
    let assessment = items[0].result.clone().expect("live assessment");
    let plan = assessment.plan.plan().cloned().expect("a plan");
    ApplyRequest {
        findings: vec![finding.clone()],
        control_id: finding.control_id.as_deref().expect("control").to_string(),
        approved: Some(plan),
        origin: None,
    }
}

pub(super) fn events(f: &Fixture, job: &str) -> Vec<(AuditEvent, AuditResult)> {
    AuditLog::read(&f.audit_path)
        .expect("read")
        .records
        .into_iter()
        .filter(|r| r.job.as_deref() == Some(job))
        .map(|r| (r.event, r.result))
        .collect()
}

#[tokio::test]
async fn approved_fix_is_applied_verified_resolved_notified_and_audited() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    let fingerprint = request.approved.as_ref().map(|p| p.fingerprint.clone()).expect("plan");

    let state = f.remediator.run_apply(1, request, None).await;

    assert_eq!(state, JobState::Resolved, "{state:?}");
    let mutations = f.org.mutations();
    assert_eq!(mutations.len(), 1, "{mutations:?}");
    assert!(mutations[0].contains("PutPublicAccessBlock"), "{mutations:?}");
    let job = f.remediator.audit_job(1);
    assert_eq!(
        events(&f, &job),
        vec![
            (AuditEvent::ApplyIntent, AuditResult::Pending),
            (AuditEvent::ApplyOutcome, AuditResult::Ok),
            (AuditEvent::Verification, AuditResult::Verified),
            (AuditEvent::FindingUpdate, AuditResult::Ok),
        ]
    );
    let records = f.remediator.audit_records();
    let intent = records.iter().find(|r| r.event == AuditEvent::ApplyIntent).expect("intent");
    assert!(matches!(intent.before, Some(ResourceState::S3Bucket(_))), "before-state recorded");
    assert_eq!(intent.fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert!(!intent.rollback.is_empty(), "rollback recorded");

    let updates = f.org.finding_updates();
    assert_eq!(updates.len(), 1);
    let (_, _, update) = &updates[0];
    assert_eq!(update.status, crate::model::WorkflowStatus::Resolved);
    assert_eq!(&*update.findings[0].id, &*finding.id);
    assert!(update.note.contains(&fingerprint) && update.note.len() <= 512, "{}", update.note);
    assert_eq!(update.updated_by, "tester");

    let events: Vec<String> =
        f.org.notifications().iter().map(|(_, n)| n.body["event"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(events, ["applied", "verified"]);
}

#[tokio::test]
async fn apply_refuses_when_the_resource_changed_after_approval() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    let resource = finding.primary_resource().expect("resource");
    let bucket = resource.short_id().to_string();
    let someone_else = PublicAccessBlock { block_public_acls: true, ..PublicAccessBlock::default() };
    f.org
        .apply(STAGING, "eu-west-1", &Change::PutBucketPublicAccessBlock { bucket, config: someone_else })
        .await
        .expect("someone else's change");

    let state = f.remediator.run_apply(1, request, None).await;

    let JobState::Refused(why) = state else { panic!("expected a refusal, got {state:?}") };
    assert!(why.contains("changed since the plan was approved"), "{why}");
    assert_eq!(f.org.mutations().len(), 1, "only the other change was made");
    assert_eq!(events(&f, &f.remediator.audit_job(1)), vec![(AuditEvent::Refused, AuditResult::Refused)]);
}

#[tokio::test]
async fn two_findings_on_one_resource_make_one_change() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let first = approved_request(&f, &finding).await;
    let second = first.clone();

    let (a, b) = tokio::join!(f.remediator.run_apply(1, first, None), f.remediator.run_apply(2, second, None));

    let mut states = [a, b];
    states.sort_by_key(|s| s.word());
    assert!(matches!(&states[0], JobState::NoOp(why) if why.contains("already fixed by job")), "{states:?}");
    assert_eq!(states[1], JobState::Resolved);
    assert_eq!(f.org.mutations().len(), 1, "{:?}", f.org.mutations());
}

#[tokio::test]
async fn read_only_mode_makes_no_mutating_call() {
    let f = fixture(true);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;

    let state = f.remediator.run_apply(1, request, None).await;

    assert!(matches!(&state, JobState::Refused(why) if why.contains("read-only")), "{state:?}");
    assert!(f.org.mutations().is_empty());
    assert!(f.org.finding_updates().is_empty());
    assert!(f.org.notifications().is_empty());
}

#[tokio::test]
async fn the_status_a_verified_fix_sets_is_kept_in_the_store_with_the_findings_history() {
    let f = fixture(false);
    let store = Arc::new(crate::store::Store::in_memory().expect("store"));
    f.remediator.keep_in(store.clone());
    let finding = fixable(&f, "S3.8").await;
    store.upsert(std::slice::from_ref(&*finding), Utc::now()).expect("upsert");
    let request = approved_request(&f, &finding).await;

    assert_eq!(f.remediator.run_apply(1, request, None).await, JobState::Resolved);

    let stored = store.load().expect("load");
    assert_eq!(stored[0].set_workflow, Some(crate::model::WorkflowStatus::Resolved));
    let history: Vec<String> =
        store.history(&finding.key()).expect("history").into_iter().map(|(_, e, d)| format!("{e} {d}")).collect();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[1].starts_with("set-workflow RESOLVED: hubtriage fixed this with playbook"), "{history:?}");
}

#[tokio::test]
async fn a_failed_call_is_audited_notified_and_leaves_the_finding_open() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    let source = SourceId { account_id: STAGING.into(), region: "eu-west-1".into() };
    f.org.set_fault(&source, Some(SimFault::DenyWrites));

    let state = f.remediator.run_apply(1, request, None).await;

    let JobState::Failed(why) = state else { panic!("expected a failure, got {state:?}") };
    assert!(why.contains("call 1 of 1") && why.contains("denied"), "{why}");
    let job = f.remediator.audit_job(1);
    let events = events(&f, &job);
    assert_eq!(
        events[..2],
        [(AuditEvent::ApplyIntent, AuditResult::Pending), (AuditEvent::ApplyOutcome, AuditResult::Failed)]
    );
    let notified: Vec<String> =
        f.org.notifications().iter().map(|(_, n)| n.body["event"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(notified, ["apply-failed"]);
}

#[tokio::test]
async fn nothing_changes_when_the_audit_log_cannot_be_written() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    let full = fixture_with_audit(&f, Path::new("/dev/full"));

    let state = full.run_apply(1, request, None).await;

    assert!(matches!(&state, JobState::Failed(why) if why.contains("audit log")), "{state:?}");
    assert!(f.org.mutations().is_empty());
}

pub(crate) fn backend_of(org: &Arc<SimOrg>) -> Backend {
    Backend {
        label: "test".into(),
        findings: org.clone(),
        resources: Some(org.clone()),
        updates: Some(org.clone()),
        notifier: Some(org.clone()),
        automation: None,
        operator: "tester".into(),
        refresh_every: None,
        coordination: None,
    }
}

/// A remediator on the same organisation acting as `operator`, whose audit log is at `path`.
pub(crate) fn remediator_as(f: &Fixture, operator: &str, path: &Path) -> Arc<Remediator> {
    let mut backend = backend_of(&f.org);
    backend.operator = operator.into();
    let audit = AuditLog::open(path).expect("open");
    Remediator::new(&backend, f.remediator.triage.clone(), audit, Vec::new(), f.remediator.settings.clone())
        .expect("remediator")
}

/// A remediator on the same organisation whose audit log is at `path`.
fn fixture_with_audit(f: &Fixture, path: &Path) -> Arc<Remediator> {
    let backend = backend_of(&f.org);
    let audit = AuditLog::open(path).expect("open");
    Remediator::new(&backend, f.remediator.triage.clone(), audit, Vec::new(), f.remediator.settings.clone())
        .expect("remediator")
}

#[tokio::test]
async fn drift_watch_flags_a_fixed_resource_that_was_reopened_once() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    assert_eq!(f.remediator.run_apply(1, request, None).await, JobState::Resolved);
    assert!(f.remediator.check_drift(None).await.is_empty(), "nothing drifted yet");

    let bucket = finding.primary_resource().expect("resource").short_id().to_string();
    f.org
        .apply(STAGING, "eu-west-1", &Change::DeleteBucketPublicAccessBlock { bucket })
        .await
        .expect("a pipeline re-opens the bucket");
    let drifted = f.remediator.check_drift(None).await;

    assert_eq!(drifted.len(), 1);
    assert_eq!(drifted[0].control_id, "S3.8");
    assert_eq!(drifted[0].fixed_by.as_deref(), Some(f.remediator.audit_job(1).as_str()));
    assert!(f.org.notifications().iter().any(|(_, n)| n.body["event"] == "drift"));
    assert!(f.remediator.check_drift(None).await.is_empty(), "a regression is reported once");
}

#[tokio::test]
async fn after_cancel_queued_jobs_refuse_and_change_nothing() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    f.remediator.cancel();

    let state = f.remediator.run_apply(1, request, None).await;

    assert!(matches!(&state, JobState::Refused(why) if why.contains("stopping")), "{state:?}");
    assert!(f.org.mutations().is_empty());
    assert_eq!(f.remediator.running_jobs(), 0);
}
