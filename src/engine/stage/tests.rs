//! The Store stage without a TUI: pages from the simulated organisation go in, auto-fix jobs and suppressions come
//! out of its feed, and the table gets batches it need not decide on.

use super::*;
use crate::cloud::FindingSource;
use crate::config::ExceptionsConfig;
use crate::engine::jobs::{JobKind, JobState, JobUpdate};
use crate::engine::remediate::tests::{fixture_with, Fixture};
use crate::engine::{ingest, Row};
use crate::model::{FindingKey, WorkflowStatus};
use crate::policy::Verdict;
use std::collections::{BTreeMap, HashSet};

/// What the table received from a stage fed by every source of the fixture's organisation, until the sources are
/// loaded and the jobs they started have ended.
#[derive(Default)]
struct Fed {
    rows: BTreeMap<FindingKey, Row>,
    auto_jobs: BTreeMap<FindingKey, Vec<JobUpdate>>,
    workflow: BTreeMap<FindingKey, WorkflowStatus>,
}

async fn feed(f: &Fixture, subscribers: Subscribers, passes: usize) -> Fed {
    let (out, mut rx) = unbounded_channel();
    let input = spawn(out, subscribers, None);
    let sources = f.org.sources();
    let source: Arc<dyn FindingSource> = f.org.clone();
    let mut fed = Fed::default();
    for _ in 0..passes {
        ingest::spawn_all(source.clone(), f.remediator.triage().clone(), input.clone());
        let mut done = 0;
        while done < sources.len() {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv()).await;
            if let Msg::SourceState { status, .. } = take(&mut fed, msg.expect("a message").expect("open")) {
                done += usize::from(matches!(status, crate::engine::SourceStatus::Ok { .. }) || status.is_failure());
            }
        }
    }
    // The jobs the feed started report through the stage: wait for them to end.
    for _ in 0..600 {
        while let Ok(msg) = rx.try_recv() {
            take(&mut fed, msg);
        }
        if f.remediator.running_jobs() == 0 && rx.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    fed
}

/// Records a message the table would get; returns it.
fn take(fed: &mut Fed, msg: Msg) -> Msg {
    match &msg {
        Msg::Findings(changes) => {
            for row in changes.rows() {
                fed.rows.insert(row.finding.key(), row.clone());
            }
            fed.workflow.extend(changes.workflow.iter().cloned());
        }
        Msg::Job(update) if update.kind == (JobKind::Apply { auto: true }) => {
            for key in &update.findings {
                fed.auto_jobs.entry(key.clone()).or_default().push((**update).clone());
            }
        }
        Msg::FindingsPage { .. } | Msg::StoredPage { .. } => panic!("a page went past the stage"),
        _ => {}
    }
    msg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_queues_each_auto_fix_finding_once_and_holds_what_its_job_set() {
    let f = fixture_with(false, ExceptionsConfig::default());
    let subscribers = Subscribers { auto_fix: AutoFix::new(&f.remediator, true), sweeper: None };
    // Two passes over every source, as a sync brings the same findings again.
    let fed = feed(&f, subscribers, 2).await;

    let eligible: HashSet<&FindingKey> = fed.rows.iter().filter(|(_, r)| AutoFix::takes(r)).map(|(k, _)| k).collect();
    assert!(!eligible.is_empty(), "the organisation has auto-fix findings");
    let queued: HashSet<&FindingKey> = fed.auto_jobs.keys().collect();
    // A finding resolved by its job is no longer eligible when the second pass brings it: compare with what was
    // eligible at any time, i.e. findings now resolved by an auto job, or still eligible.
    for key in &eligible {
        assert!(queued.contains(key), "{key:?} was never queued");
    }
    for (key, updates) in &fed.auto_jobs {
        let ids: HashSet<_> = updates.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), 1, "{key:?} queued more than once: {updates:?}");
    }
    let resolved: Vec<&FindingKey> =
        fed.auto_jobs.iter().filter(|(_, u)| u.iter().any(|u| u.state == JobState::Resolved)).map(|(k, _)| k).collect();
    assert!(!resolved.is_empty(), "auto-fix jobs ran to the end: {:?}", fed.auto_jobs.values().last());
    for key in resolved {
        assert_eq!(fed.workflow.get(key), Some(&WorkflowStatus::Resolved), "the feed says {key:?} is resolved");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_queues_nothing_and_auto_fix_off_has_no_subscriber() {
    let f = fixture_with(true, ExceptionsConfig::default());
    assert!(AutoFix::new(&f.remediator, true).is_none(), "read-only");
    let f = fixture_with(false, ExceptionsConfig::default());
    assert!(AutoFix::new(&f.remediator, false).is_none(), "auto_fix = false");
    let fed = feed(&f, Subscribers::for_remediator(Some(&f.remediator), false), 1).await;
    assert!(fed.rows.values().any(AutoFix::takes));
    assert!(fed.auto_jobs.is_empty());
    assert!(f.org.mutations().is_empty(), "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_hands_excepted_findings_to_the_sweeper_without_a_tui() {
    let suppressing = ExceptionsConfig { suppress_findings: true, ..Default::default() };
    let f = fixture_with(false, suppressing);
    let fed = feed(&f, Subscribers::for_remediator(Some(&f.remediator), false), 1).await;
    let excepted: Vec<&Row> =
        fed.rows.values().filter(|r| r.decision.verdict == Verdict::Excepted && r.finding.is_open()).collect();
    assert!(!excepted.is_empty(), "the organisation has excepted findings");
    // Suppression runs in the background: wait for its updates.
    let mut suppressed = Vec::new();
    for _ in 0..300 {
        suppressed = f
            .org
            .finding_updates()
            .into_iter()
            .filter(|(_, _, u)| u.status == WorkflowStatus::Suppressed)
            .flat_map(|(_, _, u)| u.findings)
            .collect();
        if suppressed.len() >= excepted.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    for row in excepted {
        assert!(suppressed.contains(&row.finding.key()), "{} was not suppressed", row.finding.id);
    }
}

#[test]
fn a_stage_driven_by_hand_holds_the_status_a_job_set_against_an_older_page() {
    let f = fixture_with(false, ExceptionsConfig::default());
    let source = f.org.sources()[0].clone();
    let page = futures::executor::block_on(f.org.fetch_page(&source, None)).expect("page");
    let triage = f.remediator.triage().clone();
    let rows: Vec<Row> =
        page.findings.into_iter().map(|x| Row::from_snapshot(x, &triage, chrono::Utc::now())).take(2).collect();
    let mut stage = Stage::new(Subscribers::default());
    let first = stage.take(Msg::FindingsPage { source: source.clone(), rows: rows.clone(), problems: Vec::new() });
    let [Msg::Findings(changes)] = first.as_slice() else { panic!("one batch: {first:?}") };
    assert_eq!(changes.added.len(), 2);

    let key = rows[0].finding.key();
    let update = JobUpdate {
        id: 1,
        audit_job: "j".into(),
        kind: JobKind::Apply { auto: false },
        findings: vec![key.clone()],
        control_id: String::new(),
        playbook: String::new(),
        account_id: String::new(),
        region: String::new(),
        resource: String::new(),
        fingerprint: String::new(),
        state: JobState::Resolved,
        started_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    };
    let out = stage.take(Msg::Job(Box::new(update)));
    assert!(matches!(&out[0], Msg::Job(_)), "the job update goes on first");
    let Msg::Findings(set) = &out[1] else { panic!("{out:?}") };
    assert_eq!(set.workflow, [(key.clone(), WorkflowStatus::Resolved)]);

    let again = stage.take(Msg::FindingsPage { source, rows, problems: Vec::new() });
    let [Msg::Findings(changes)] = again.as_slice() else { panic!("{again:?}") };
    let status: BTreeMap<FindingKey, WorkflowStatus> =
        changes.changed.iter().map(|r| (r.finding.key(), r.finding.workflow_status)).collect();
    assert_eq!(status[&key], WorkflowStatus::Resolved, "the page read before the fix does not reopen it");
    assert_eq!(stage.findings(), 2);
}

#[tokio::test]
async fn a_store_file_deleted_while_running_is_reported_once_as_a_problem() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store/s.sqlite3");
    let store = Arc::new(Store::open(&path).expect("store"));
    let pruning = Pruning { check_file_every: std::time::Duration::from_millis(20), ..Pruning::of(store, 90) };
    let (out, mut rx) = unbounded_channel();
    let _input = spawn(out, Subscribers::default(), Some(pruning));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(rx.try_recv().is_err(), "nothing to say while the file is there");
    std::fs::remove_file(&path).expect("delete");
    let msg = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await.expect("reported");
    let Some(Msg::Findings(changes)) = msg else { panic!("a batch with the problem") };
    assert_eq!(changes.problems.len(), 1);
    assert!(changes.problems[0].contains("s.sqlite3 was deleted while hubtriage ran"), "{:?}", changes.problems);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(rx.try_recv().is_err(), "said once");
}
