//! `watch` on the simulated organisation with a queue that behaves as SQS does for one consumer: what a user of it
//! relies on — fixed once, deleted after the outcome, left to the queue when unreadable or failed.
#![allow(clippy::unwrap_used)]

use super::log::SharedBuffer;
use super::test_queue::MemQueue;
use super::*;
use crate::cloud::sim::SimFault;
use crate::cloud::FindingSource;
use crate::engine::remediate::tests::{fixture_with, Fixture};
use crate::engine::stage::AutoFix;

/// Every open finding of the simulated organisation auto-fix takes, with its row.
pub(super) async fn auto_fix_rows(f: &Fixture) -> Vec<Row> {
    let mut rows = Vec::new();
    for source in f.org.sources() {
        let mut token = None;
        loop {
            let page = f.org.fetch_page(&source, token).await.expect("page");
            rows.extend(
                assess_page(page.findings, f.remediator.triage(), Utc::now()).into_iter().filter(AutoFix::takes),
            );
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    rows
}

/// An EventBridge event of `detail_type` carrying `rows`' findings as Security Hub sends them.
pub(super) fn event(detail_type: &str, rows: &[&Row]) -> String {
    let findings: Vec<serde_json::Value> =
        rows.iter().map(|r| serde_json::from_str(&r.finding.raw.text().expect("raw")).expect("finding JSON")).collect();
    serde_json::json!({
        "version": "0", "id": "event-1", "detail-type": detail_type, "source": "aws.securityhub",
        "account": &*rows[0].finding.account_id, "region": &*rows[0].finding.region, "time": "2026-12-04T10:00:00Z",
        "detail": {"actionName": "Remediate", "findings": findings}
    })
    .to_string()
}

pub(super) const IMPORTED: &str = "Security Hub Findings - Imported";

pub(super) fn settings(auto_fix: bool) -> WatchSettings {
    WatchSettings { auto_fix, once: true, wait: Duration::from_millis(10), ..WatchSettings::default() }
}

/// Runs a watch that drains `queue` and stops; returns the decision log's lines.
async fn drain(f: &Fixture, queue: &Arc<MemQueue>, settings: WatchSettings) -> (WatchSummary, Vec<serde_json::Value>) {
    let buffer = SharedBuffer::default();
    let log = DecisionLog::to(Box::new(buffer.clone()));
    let watch = Watch::new(f.remediator.clone(), queue.clone(), None, settings, log);
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let summary = tokio::time::timeout(Duration::from_secs(30), watch.run(stop)).await.expect("watch drains");
    (summary, buffer.lines())
}

pub(super) fn events_of(lines: &[serde_json::Value]) -> Vec<String> {
    lines.iter().map(|l| l["event"].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn an_auto_fix_event_is_fixed_verified_and_its_message_deleted_after_the_outcome() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);

    let (summary, lines) = drain(&f, &queue, settings(true)).await;

    assert_eq!(queue.deleted(), vec!["m1".to_string()], "{lines:#?}");
    assert_eq!((summary.fixed, summary.failed, summary.left), (1, 0, 0), "{lines:#?}");
    let events = events_of(&lines);
    let order = ["received", "verdict", "applied", "verified", "done", "deleted"];
    let positions: Vec<usize> = order.iter().map(|e| events.iter().position(|x| x == e).expect(e)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{events:?}");
    assert_eq!(f.org.mutations().len(), 1, "{:?}", f.org.mutations());
    let audit = std::fs::read_to_string(&f.audit_path).unwrap();
    assert!(audit.contains("\"verification\"") || audit.contains("Verification"), "{audit}");
}

#[tokio::test]
async fn the_same_event_twice_here_or_on_another_replica_changes_the_resource_once() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    let body = event(IMPORTED, &[&rows[0]]);
    queue.send("m1", &body, 1);
    queue.send("m2", &body, 1);
    let (summary, lines) = drain(&f, &queue, settings(true)).await;
    // Later, once more (another delivery of the first event).
    queue.send("m3", &body, 2);
    let (again, later) = drain(&f, &queue, settings(true)).await;

    assert_eq!(queue.deleted(), vec!["m1", "m2", "m3"], "{lines:#?}\n{later:#?}");
    assert_eq!(f.org.mutations().len(), 1, "changed more than once: {:?}", f.org.mutations());
    assert_eq!((summary.left, again.left), (0, 0));
    // The later watch (a replica sharing the lease store) knew from it that this copy was fixed: no job at all.
    assert_eq!(again.fixed, 0, "{later:#?}");
    let skipped = later.iter().find(|l| l["event"] == "skipped").expect("skipped");
    assert!(skipped["reason"].as_str().unwrap().contains("already fixed and verified by job"), "{skipped}");
}

#[tokio::test]
async fn with_auto_fix_off_an_import_is_only_logged_but_a_console_custom_action_fixes() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);
    let (_, lines) = drain(&f, &queue, settings(false)).await;
    assert!(f.org.mutations().is_empty(), "{:?}", f.org.mutations());
    let skipped = lines.iter().find(|l| l["event"] == "skipped").expect("skipped line");
    assert!(skipped["reason"].as_str().unwrap().contains("auto-fix is off"), "{skipped}");
    assert_eq!(queue.deleted(), vec!["m1"]);

    queue.send("m2", &event("Security Hub Findings - Custom Action", &[&rows[1]]), 1);
    let (summary, lines) = drain(&f, &queue, settings(false)).await;
    assert_eq!(summary.fixed, 1, "{lines:#?}");
    assert_eq!(f.org.mutations().len(), 1);
}

#[tokio::test]
async fn unreadable_and_too_often_received_messages_are_left_to_the_dead_letter_queue() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    queue.send("junk", "{\"source\":\"aws.s3\"}", 1);
    queue.send("tired", &event(IMPORTED, &[&rows[0]]), 6);

    let (summary, lines) = drain(&f, &queue, settings(true)).await;

    assert!(queue.deleted().is_empty(), "{lines:#?}");
    assert_eq!(summary.left, 2);
    assert!(f.org.mutations().is_empty());
    let reasons: Vec<&str> = lines.iter().filter_map(|l| l["reason"].as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("not a Security Hub event") && r.contains("dead-letter")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("received 6 times")), "{reasons:?}");
}

#[tokio::test]
async fn a_failed_fix_leaves_its_message_to_be_tried_again() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let row = &rows[0];
    let source = SourceId { account_id: row.finding.account_id.to_string(), region: row.finding.region.to_string() };
    f.org.set_fault(&source, Some(SimFault::DenyWrites));
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[row]), 1);

    let (summary, lines) = drain(&f, &queue, settings(true)).await;

    assert!(queue.deleted().is_empty(), "{lines:#?}");
    assert_eq!((summary.failed, summary.left), (1, 1));
    let left = lines.iter().find(|l| l["event"] == "left").expect("left line");
    assert!(left["reason"].as_str().unwrap().contains("tried again"), "{left}");
    let last = queue.extended().last().cloned();
    assert_eq!(last, Some(("receipt-m1".to_string(), Duration::from_secs(5))), "it comes back soon");
}

#[tokio::test]
async fn finding_text_in_the_log_cannot_reach_a_terminal_raw() {
    let f = fixture_with(false, Default::default());
    let queue = Arc::new(MemQueue::default());
    queue.send("m\u{9d}52;c;x\u{9c}", "{\"source\":\"aws.\u{1b}]52;c;eA==\u{7}\"}", 1);
    let buffer = SharedBuffer::default();
    let watch = Watch::new(
        f.remediator.clone(),
        queue.clone(),
        None,
        settings(true),
        DecisionLog::to(Box::new(buffer.clone())),
    );
    let (_stop, stop) = tokio::sync::watch::channel(false);
    watch.run(stop).await;
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("\\u009d"), "the id is kept, escaped: {text}");
}

#[tokio::test]
async fn an_event_older_than_the_copy_already_known_changes_nothing() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let old: serde_json::Value = serde_json::from_str(&event(IMPORTED, &[&rows[0]])).unwrap();
    let mut newer = old.clone();
    let finding = &mut newer["detail"]["findings"][0];
    finding["Workflow"] = serde_json::json!({"Status": "SUPPRESSED"});
    finding["UpdatedAt"] = serde_json::json!("2099-01-01T00:00:00Z");
    let queue = Arc::new(MemQueue::default());
    queue.send("newer", &newer.to_string(), 1);
    queue.send("older", &old.to_string(), 1);

    let (summary, lines) = drain(&f, &queue, settings(true)).await;

    assert!(f.org.mutations().is_empty(), "a stale copy drove a change: {lines:#?}");
    assert_eq!(summary.deleted, 2);
    let skipped: Vec<&str> =
        lines.iter().filter(|l| l["event"] == "skipped").filter_map(|l| l["reason"].as_str()).collect();
    assert!(skipped.len() == 2 && skipped.iter().all(|r| r.contains("not open")), "{skipped:?}");
}

#[tokio::test]
async fn pushed_events_reach_the_session_at_once_and_are_deleted_once_kept() {
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0], &rows[1]]), 1);
    queue.send("junk", "not json", 1);
    let store = Arc::new(crate::store::Store::in_memory().unwrap());
    let (tx, mut rx) = unbounded_channel();

    let handled =
        push::receive_once(queue.as_ref(), f.remediator.triage(), Some(&store), &tx, Duration::ZERO).await.unwrap();

    assert_eq!(handled, 1);
    assert_eq!(queue.deleted(), vec!["m1"], "the unreadable message stays for the redrive policy");
    let mut pushed = Vec::new();
    while let Ok(Msg::FindingsPage { rows, .. }) = rx.try_recv() {
        pushed.extend(rows.into_iter().map(|r| r.finding.key()));
    }
    assert!(pushed.contains(&rows[0].finding.key()) && pushed.contains(&rows[1].finding.key()), "{}", pushed.len());
    assert!(f.org.mutations().is_empty(), "pushing events changes nothing");
    let kept: usize = store.info().unwrap().iter().map(|s| s.findings).sum();
    assert_eq!(kept, 2, "the findings are kept");
}

#[tokio::test]
async fn a_fix_refused_for_someone_elses_lease_is_tried_again_and_its_message_deleted() {
    use crate::cloud::coordination::LeaseOwner;
    let f = fixture_with(false, Default::default());
    let rows = auto_fix_rows(&f).await;
    let finding = &rows[0].finding;
    let resource = finding.primary_resource().unwrap();
    let region =
        resource.region.as_deref().filter(|r| !r.is_empty()).map_or_else(|| finding.region.to_string(), str::to_string);
    let key = format!("{}/{region}/{}", finding.account_id, resource.id);
    let operator = LeaseOwner { operator: "an operator".into(), process: "laptop:7 tui".into(), job: "J-7".into() };
    let held = f.remediator.leases().acquire(&key, &operator, Duration::from_secs(60)).await.unwrap();
    let leases = f.remediator.leases().clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        leases.release(&held, "resolved").await.unwrap();
    });
    let queue = Arc::new(MemQueue::default());
    queue.send("m1", &event(IMPORTED, &[&rows[0]]), 1);

    let (summary, lines) = drain(&f, &queue, settings(true)).await;

    let busy: Vec<&serde_json::Value> = lines.iter().filter(|l| l["event"] == "busy").collect();
    assert!(!busy.is_empty(), "{lines:#?}");
    assert!(busy[0]["reason"].as_str().unwrap().contains("is being changed by an operator"), "{}", busy[0]);
    assert_eq!((summary.fixed, summary.failed, summary.left), (1, 0, 0), "{lines:#?}");
    assert_eq!(queue.deleted(), vec!["m1"]);
    assert_eq!(f.org.mutations().len(), 1);
}
