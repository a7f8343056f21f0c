//! Claims between `watch` replicas on the simulated organisation: a copy another replica claims is neither fixed
//! nor queued here, and its message is deleted once that replica records the fix; a claim given up or expired (its
//! holder failed or died) is taken over and the finding fixed; two replicas handed the same events run one job.
#![allow(clippy::unwrap_used)]

use super::super::log::SharedBuffer;
use super::super::test_queue::MemQueue;
use super::super::tests::{auto_fix_rows, event, events_of, settings, IMPORTED};
use super::super::*;
use crate::cloud::coordination::{Claim, Coordination, Leases, MemoryLeases};
use crate::engine::audit::AuditLog;
use crate::engine::remediate::tests::{backend_of, fixture_with, Fixture};

/// A replica: its own remediator (process) on the organisation, sharing the audit log and the lease store `leases`.
fn replica(f: &Fixture, leases: &Arc<dyn Leases>) -> Arc<Remediator> {
    let mut backend = backend_of(&f.org);
    backend.coordination = Some(Coordination { leases: leases.clone(), ttl: Duration::from_secs(60) });
    let audit = AuditLog::open(&f.audit_path).unwrap();
    let (triage, settings) = (f.remediator.triage().clone(), f.remediator.settings().clone());
    Remediator::new(&backend, triage, audit, Vec::new(), settings).unwrap()
}

/// Drains `queue` through a watch of `remediator`; returns its summary and decision log.
async fn drain_on(remediator: &Arc<Remediator>, queue: &Arc<MemQueue>) -> (WatchSummary, Vec<serde_json::Value>) {
    let buffer = SharedBuffer::default();
    let log = DecisionLog::to(Box::new(buffer.clone()));
    let watch = Watch::new(remediator.clone(), queue.clone(), None, settings(true), log);
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let summary = tokio::time::timeout(Duration::from_secs(30), watch.run(stop)).await.expect("watch drains");
    (summary, buffer.lines())
}

/// A claim's names for a finding's copy, as `watch` gives them.
fn names(row: &Row) -> (String, String) {
    let key = row.finding.key();
    let copy = row.finding.updated_at.map_or_else(|| "none".to_string(), |t| t.to_rfc3339());
    (format!("{}|{}", key.product_arn, key.id), copy)
}

const OTHER: &str = "other-host:7 watch S-2";

#[tokio::test]
async fn a_copy_another_replica_claims_is_not_fixed_here_and_its_message_goes_once_that_replica_fixed_it() {
    let f = fixture_with(false, Default::default());
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let rows = auto_fix_rows(&f).await;
    let (finding, copy) = names(&rows[0]);
    assert_eq!(leases.claim(&finding, &copy, OTHER, Duration::from_secs(60)).await, Ok(Claim::Ours));
    let other = leases.clone();
    let (finding2, copy2) = (finding.clone(), copy.clone());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        other.end_claim(&finding2, &copy2, OTHER, Some("J-OTHER"), Duration::from_secs(60)).await.unwrap();
    });
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);

    let (summary, lines) = drain_on(&replica(&f, &leases), &queue).await;

    assert!(f.org.mutations().is_empty(), "fixed here too: {lines:#?}");
    assert_eq!((summary.fixed, summary.failed, summary.left), (0, 0, 0), "{lines:#?}");
    assert_eq!(queue.deleted(), vec!["m1"], "deleted once the other replica's outcome was known");
    let events = events_of(&lines);
    assert!(!events.iter().any(|e| e == "applying"), "no job ran: {events:?}");
    let waited = lines.iter().find(|l| l["event"] == "claimed-elsewhere").expect("the claim was awaited");
    assert!(waited["reason"].as_str().unwrap().contains(OTHER), "{waited}");
    let skipped = lines.iter().find(|l| l["event"] == "skipped").expect("skipped");
    assert!(skipped["reason"].as_str().unwrap().contains("already fixed and verified by job J-OTHER"), "{skipped}");
}

#[tokio::test]
async fn a_claim_given_up_or_left_to_expire_by_its_holder_is_taken_over_and_the_finding_fixed() {
    let f = fixture_with(false, Default::default());
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let rows = auto_fix_rows(&f).await;
    // The holder of the first gives it up (its fix failed); the holder of the second dies (its claim expires).
    let (given_up, copy) = names(&rows[0]);
    leases.claim(&given_up, &copy, OTHER, Duration::from_secs(60)).await.unwrap();
    let other = leases.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        other.end_claim(&given_up, &copy, OTHER, None, Duration::from_secs(60)).await.unwrap();
    });
    let (dead, copy) = names(&rows[1]);
    leases.claim(&dead, &copy, "dead-host:9 watch S-3", Duration::from_secs(1)).await.unwrap();
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);
    queue.send("m2", &event(IMPORTED, &[&rows[1]]), 1);

    let (summary, lines) = drain_on(&replica(&f, &leases), &queue).await;

    assert_eq!(lines.iter().filter(|l| l["event"] == "claimed-elsewhere").count(), 2, "{lines:#?}");
    assert_eq!((summary.fixed, summary.failed, summary.left), (2, 0, 0), "{lines:#?}");
    assert_eq!(f.org.mutations().len(), 2, "{:?}", f.org.mutations());
    let mut deleted = queue.deleted();
    deleted.sort();
    assert_eq!(deleted, vec!["m1", "m2"]);
}

#[tokio::test]
async fn two_replicas_handed_the_same_events_run_one_job_per_copy_and_change_each_resource_once() {
    let f = fixture_with(false, Default::default());
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let rows = auto_fix_rows(&f).await;
    let (a, b) = (Arc::new(MemQueue::default()), Arc::new(MemQueue::default()));
    for (i, row) in rows.iter().take(3).enumerate() {
        let body = event(IMPORTED, &[row]);
        a.send(&format!("a{i}"), &body, 1);
        b.send(&format!("b{i}"), &body, 1);
    }
    let (first, second) = (replica(&f, &leases), replica(&f, &leases));

    let ((one, lines_a), (two, lines_b)) = tokio::join!(drain_on(&first, &a), drain_on(&second, &b));

    assert_eq!(one.fixed + two.fixed, 3, "one job per copy:\n{lines_a:#?}\n{lines_b:#?}");
    assert_eq!((one.left, two.left, one.failed + two.failed), (0, 0, 0));
    assert_eq!((a.deleted().len(), b.deleted().len()), (3, 3));
    let resources: std::collections::BTreeSet<String> =
        rows.iter().take(3).map(|r| r.finding.primary_resource().unwrap().id.clone()).collect();
    assert_eq!(f.org.mutations().len(), resources.len(), "{:?}", f.org.mutations());
}

#[tokio::test]
async fn a_replica_takes_from_the_queue_no_more_fixes_than_twice_its_job_slots_can_start_soon() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    for (i, row) in rows.iter().enumerate() {
        queue.send(&format!("m{i}"), &event(IMPORTED, &[row]), 1);
    }
    let slots = f.remediator.settings().remediation.max_parallel_jobs;
    assert!(rows.len() > 2 * slots, "{} findings: too few to fill the backlog", rows.len());

    let (summary, lines) = drain_on(&f.remediator, &queue).await;

    // Every message handled (a fix the simulated organisation refuses leaves its message to be tried again).
    assert_eq!(summary.fixed + summary.failed, rows.len(), "{lines:#?}");
    assert_eq!(queue.deleted().len() + summary.left, rows.len());
    let asked = queue.asked();
    assert!(asked.iter().all(|n| *n as usize <= 2 * slots), "asked for {asked:?} with {slots} slots");
}

#[tokio::test(start_paused = true)]
async fn a_message_awaiting_another_replicas_fix_is_deleted_soon_after_that_fix_is_recorded() {
    let f = fixture_with(false, Default::default());
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let rows = auto_fix_rows(&f).await;
    let (finding, copy) = names(&rows[0]);
    leases.claim(&finding, &copy, OTHER, Duration::from_secs(60)).await.unwrap();
    let other = leases.clone();
    let recorded = tokio::spawn(async move {
        // The other replica's fix ends a little over a second after its claim (a no-op, or a short fix).
        tokio::time::sleep(Duration::from_millis(1100)).await;
        other.end_claim(&finding, &copy, OTHER, Some("J-OTHER"), Duration::from_secs(60)).await.unwrap();
        tokio::time::Instant::now()
    });
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);

    let (_, lines) = drain_on(&replica(&f, &leases), &queue).await;

    let late = tokio::time::Instant::now() - recorded.await.unwrap();
    assert_eq!(queue.deleted(), vec!["m1"], "{lines:#?}");
    assert!(late <= Duration::from_millis(300), "deleted {late:?} after the other replica recorded its fix");
}

/// An event carrying `finding` under another id (another finding on the same resource).
fn renamed(row: &Row, suffix: &str) -> String {
    let mut finding: serde_json::Value = serde_json::from_str(&row.finding.raw.text().unwrap()).unwrap();
    finding["Id"] = format!("{}-{suffix}", row.finding.id).into();
    serde_json::json!({
        "version": "0", "id": "event-1", "detail-type": IMPORTED, "source": "aws.securityhub",
        "account": &*row.finding.account_id, "region": &*row.finding.region, "time": "2026-12-04T10:00:00Z",
        "detail": {"findings": [finding]}
    })
    .to_string()
}

#[tokio::test(start_paused = true)]
async fn fixes_waiting_behind_another_fix_of_their_resource_leave_room_for_other_work() {
    let f = fixture_with(false, Default::default());
    let mut settings = f.remediator.settings().clone();
    // One slot, and each fix takes a second (its verification waits that long).
    settings.remediation.max_parallel_jobs = 1;
    settings.remediation.verify_first_delay_ms = 1000;
    let remediator = Remediator::new(
        &backend_of(&f.org),
        f.remediator.triage().clone(),
        AuditLog::open(&f.audit_path).unwrap(),
        Vec::new(),
        settings,
    )
    .unwrap();
    let rows = auto_fix_rows(&f).await;
    let resource = |row: &Row| row.finding.primary_resource().unwrap().id.clone();
    let other = rows.iter().find(|r| resource(r) != resource(&rows[0])).unwrap();
    let queue = Arc::new(MemQueue::default());
    for i in 0..3 {
        queue.send(&format!("same-{i}"), &renamed(&rows[0], &i.to_string()), 1);
    }
    queue.send("other", &event(IMPORTED, &[other]), 1);

    let (summary, lines) = drain_on(&remediator, &queue).await;

    assert_eq!((summary.fixed, summary.failed, summary.left), (4, 0, 0), "{lines:#?}");
    let started: Vec<String> = lines
        .iter()
        .filter(|l| l["event"] == "checking")
        .map(|l| l["resource"].as_str().unwrap().to_string())
        .collect();
    // The other resource's fix took the slot as soon as the first fix ended, not after the fixes waiting behind it.
    assert_eq!(started.len(), 4, "{lines:#?}");
    assert_eq!(started[1], resource(other), "received only once the resource's fixes were done: {started:?}");
}

#[tokio::test]
async fn a_replica_whose_messages_need_no_new_fix_takes_them_in_faster_than_its_fix_backlog_alone_allows() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    // One finding's event, forty times: one fix, the other messages join it or find the copy fixed.
    let body = event(IMPORTED, &[&rows[0]]);
    for i in 0..40 {
        queue.send(&format!("m{i}"), &body, 1);
    }
    let slots = f.remediator.settings().remediation.max_parallel_jobs;

    let (summary, lines) = drain_on(&f.remediator, &queue).await;

    assert_eq!((summary.fixed, summary.deleted, summary.left), (1, 40, 0), "{lines:#?}");
    let asked = queue.asked();
    assert!(asked.iter().any(|n| *n as usize > 2 * slots), "asked for {asked:?} with {slots} slots");
}
