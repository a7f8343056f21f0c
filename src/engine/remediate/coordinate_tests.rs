//! Coordination on the simulated organisation: a job refused while another process holds its resource's lease, a
//! lease that expired before the call, a lease taken over from an owner that died mid-change, job ids unique across
//! processes, and the re-check after a crash claiming only the changes nobody is making.

use super::tests::{approved_request, backend_of, fixable, fixture, Fixture};
use super::*;
use crate::cloud::coordination::{Coordination, Lease, LeaseError, LeaseOwner, Leases, MemoryLeases};
use crate::cloud::process::ProcessRef;
use crate::engine::audit::AuditEvent;
use crate::engine::audit::AuditResult;
use crate::engine::jobs::JobState;
use chrono::Utc;
use std::time::Duration;

/// Another remediator (another process) on the same organisation and audit log, with leases in `leases`.
fn process_on(f: &Fixture, leases: Arc<dyn Leases>) -> Arc<Remediator> {
    let mut backend = backend_of(&f.org);
    backend.coordination = Some(Coordination { leases, ttl: Duration::from_secs(60) });
    let audit = AuditLog::open(&f.audit_path).expect("open");
    Remediator::new(&backend, f.remediator.triage.clone(), audit, Vec::new(), f.remediator.settings.clone())
        .expect("remediator")
}

fn other_owner(job: &str) -> LeaseOwner {
    LeaseOwner {
        operator: "arn:aws:sts::1:assumed-role/ops/bob".into(),
        process: "other-host:77 watch".into(),
        job: job.into(),
    }
}

/// A process of this host that has ended.
fn gone_process() -> ProcessRef {
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let pid = child.id();
    child.wait().expect("wait");
    ProcessRef { pid, start: None, ..ProcessRef::this().clone() }
}

fn key_of(request: &ApplyRequest) -> String {
    let finding = &request.findings[0];
    let resource = finding.primary_resource().expect("resource");
    format!("{}/{}/{}", finding.account_id, job::resource_region(finding, resource), resource.id)
}

#[tokio::test]
async fn a_resource_leased_by_another_process_is_refused_naming_who_and_since_when() {
    let f = fixture(false);
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let remediator = process_on(&f, leases.clone());
    let request = approved_request(&f, &fixable(&f, "S3.8").await).await;
    let theirs = leases.acquire(&key_of(&request), &other_owner("J-9"), Duration::from_secs(60)).await.expect("free");

    let state = remediator.run_apply(1, request.clone(), None).await;

    let JobState::Refused(why) = &state else { panic!("expected a refusal, got {state:?}") };
    let since = theirs.taken_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let expected =
        format!("is being changed by {} (other-host:77 watch, job J-9) since {since}", other_owner("").operator);
    assert!(why.contains(&expected) && why.contains("nothing was changed"), "{why}");
    assert!(f.org.mutations().is_empty());

    leases.release(&theirs, "resolved").await.expect("release");
    // Released by its holder (which changed nothing): the job runs.
    assert_eq!(remediator.run_apply(2, request, None).await, JobState::Resolved);
}

/// Leases that are granted already expired, and lost at the first renewal: a store that stopped answering.
struct Expired;

#[async_trait::async_trait]
impl Leases for Expired {
    fn describe(&self) -> String {
        "expired".into()
    }
    async fn acquire(&self, key: &str, owner: &LeaseOwner, _ttl: Duration) -> Result<Lease, LeaseError> {
        Ok(Lease::new(key, owner, Utc::now() - chrono::Duration::seconds(5), Duration::from_secs(1)))
    }
    async fn renew(&self, lease: &Lease, _ttl: Duration) -> Result<Lease, LeaseError> {
        Err(LeaseError::Lost(lease.key.clone()))
    }
    async fn release(&self, _lease: &Lease, _outcome: &str) -> Result<(), LeaseError> {
        Ok(())
    }
    async fn holder(&self, _key: &str) -> Result<Option<Lease>, LeaseError> {
        Ok(None)
    }
}

#[tokio::test]
async fn a_lease_no_longer_ours_before_the_call_refuses_the_job_and_changes_nothing() {
    let f = fixture(false);
    let remediator = process_on(&f, Arc::new(Expired));
    let request = approved_request(&f, &fixable(&f, "S3.8").await).await;

    let state = remediator.run_apply(1, request, None).await;

    assert!(matches!(&state, JobState::Refused(why) if why.contains("expired")), "{state:?}");
    assert!(f.org.mutations().is_empty(), "{:?}", f.org.mutations());
    let events: Vec<AuditEvent> =
        AuditLog::read(&f.audit_path).expect("read").records.iter().map(|r| r.event).collect();
    assert_eq!(events, [AuditEvent::Refused], "no intent was written");
}

#[tokio::test]
async fn a_lease_taken_over_from_a_dead_owner_rechecks_its_change_before_a_no_op() {
    let f = fixture(false);
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let request = approved_request(&f, &fixable(&f, "S3.8").await).await;
    // A process fixed the bucket and died before recording the outcome; its lease ran out.
    let dead = process_on(&f, leases.clone());
    assert_eq!(dead.run_apply(1, request.clone(), None).await, JobState::Resolved);
    let dead_job = dead.audit_job(1);
    let intent = dead.audit_records().into_iter().find(|r| r.event == AuditEvent::ApplyIntent).expect("intent");
    let crashed = tempfile::tempdir().expect("dir");
    let log = AuditLog::open(&crashed.path().join("audit.jsonl")).expect("open");
    log.append(&AuditRecord { process: Some(gone_process()), ..intent }).await.expect("append");
    leases.acquire(&key_of(&request), &other_owner(&dead_job), Duration::from_millis(1)).await.expect("lease");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut backend = backend_of(&f.org);
    backend.coordination = Some(Coordination { leases, ttl: Duration::from_secs(60) });
    let next = Remediator::new(&backend, dead.triage.clone(), log, Vec::new(), dead.settings.clone()).expect("next");

    let state = next.run_apply(1, request, None).await;

    assert!(matches!(&state, JobState::NoOp(why) if why.contains("already in the desired state")), "{state:?}");
    let records = AuditLog::read(&crashed.path().join("audit.jsonl")).expect("read").records;
    let recheck = records.iter().find(|r| r.event == AuditEvent::Verification).expect("the dead job re-checked");
    assert_eq!((recheck.job.as_deref(), recheck.result), (Some(dead_job.as_str()), AuditResult::Verified));
    let noop = records.iter().find(|r| r.event == AuditEvent::NoOp).expect("the no-op");
    assert!(noop.message.contains(&format!("took over the lease of job {dead_job}")), "{}", noop.message);
    assert_eq!(f.org.mutations().len(), 1, "changed once, by the dead process");
}

#[tokio::test]
async fn job_ids_differ_between_processes_started_in_the_same_second() {
    let f = fixture(false);
    let (a, b) = (process_on(&f, Arc::new(MemoryLeases::default())), process_on(&f, Arc::new(MemoryLeases::default())));
    assert_ne!(a.audit_job(1), b.audit_job(1));
    assert!(a.audit_job(1).contains(&format!("-p{}-", std::process::id())), "{}", a.audit_job(1));
}

#[tokio::test]
async fn an_interrupted_change_is_rechecked_only_when_its_process_is_gone_or_its_lease_free() {
    let f = fixture(false);
    let request = approved_request(&f, &fixable(&f, "S3.8").await).await;
    assert_eq!(f.remediator.run_apply(1, request.clone(), None).await, JobState::Resolved);
    let intent = f.remediator.audit_records().into_iter().find(|r| r.event == AuditEvent::ApplyIntent).expect("intent");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    // This process's own intent (a job of ours still running) is never claimed.
    log.append(&intent).await.expect("append");
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let mut backend = backend_of(&f.org);
    backend.coordination = Some(Coordination { leases: leases.clone(), ttl: Duration::from_secs(60) });
    let next = Remediator::new(&backend, f.remediator.triage.clone(), log, Vec::new(), f.remediator.settings.clone())
        .expect("remediator");
    assert!(next.recheck_unfinished(None).await.is_empty(), "our own live job was claimed");

    // Another process's job, still holding its lease: not claimed.
    let other =
        AuditRecord { process: Some(ProcessRef { host: "other-host".into(), pid: 77, start: None }), ..intent.clone() };
    let log = AuditLog::open(&path).expect("open");
    log.append(&other).await.expect("append");
    let theirs = leases.acquire(&key_of(&request), &other_owner("J"), Duration::from_secs(60)).await.expect("lease");
    assert!(next.recheck_unfinished(None).await.is_empty(), "a live job of another process was claimed");
    assert_eq!(AuditLog::read(&path).expect("read").records.len(), 2, "nothing written into it");

    // Its lease is free (its process is gone): claimed, and the result goes to its own job.
    leases.release(&theirs, "interrupted").await.expect("release");
    let gone = AuditRecord { process: Some(gone_process()), ..intent.clone() };
    std::fs::write(&path, "").expect("truncate");
    AuditLog::open(&path).expect("open").append(&gone).await.expect("append");
    assert_eq!(next.recheck_unfinished(None).await, vec![JobState::Verified]);
    let written = AuditLog::read(&path).expect("read").records;
    assert_eq!(written.len(), 2);
    assert_eq!(written[1].job.as_deref(), Some(f.remediator.audit_job(1).as_str()));
    assert_eq!(written[1].result, AuditResult::Verified);
}

#[tokio::test]
async fn the_preview_names_who_holds_the_resources_lease() {
    let f = fixture(false);
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let remediator = process_on(&f, leases.clone());
    let finding = fixable(&f, "S3.8").await;
    let request = approved_request(&f, &finding).await;
    assert_eq!(remediator.assess_all(vec![finding.clone()]).await[0].holder, None);

    leases.acquire(&key_of(&request), &other_owner("J-1"), Duration::from_secs(60)).await.expect("free");
    let items = remediator.assess_all(vec![finding]).await;

    assert_eq!(items[0].holder.as_ref().map(|l| l.owner.clone()), Some(other_owner("J-1")));
}

/// Leases that count how often one is asked for.
#[derive(Default)]
struct Counting(MemoryLeases, std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl Leases for Counting {
    fn describe(&self) -> String {
        "counting".into()
    }
    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.acquire(key, owner, ttl).await
    }
    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError> {
        self.0.renew(lease, ttl).await
    }
    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError> {
        self.0.release(lease, outcome).await
    }
    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError> {
        self.0.holder(key).await
    }
}

#[tokio::test]
async fn read_only_mode_takes_no_lease() {
    let f = fixture(true);
    let leases = Arc::new(Counting::default());
    let remediator = process_on(&f, leases.clone());
    let request = approved_request(&f, &fixable(&f, "S3.8").await).await;

    let state = remediator.run_apply(1, request, None).await;
    remediator.recheck_unfinished(None).await;

    assert!(matches!(&state, JobState::Refused(why) if why.contains("read-only")), "{state:?}");
    assert_eq!(leases.1.load(std::sync::atomic::Ordering::SeqCst), 0, "a lease was asked for in read-only mode");
}
