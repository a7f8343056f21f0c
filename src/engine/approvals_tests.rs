//! The approval desk on the simulated organisation: two people for a two-person class, one decision when two
//! approvers race, expiry handing the finding back as manual work, and an approved request carried out once.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::cloud::approvals::MemoryApprovals;
use crate::engine::audit::{AuditLog, AuditRecord};
use crate::engine::remediate::tests::{fixture_with, open_findings, remediator_as, Fixture};
use crate::policy::Verdict;

const ALICE: &str = "arn:aws:sts::123456789012:assumed-role/Triage/alice";
const BOB: &str = "arn:aws:sts::123456789012:assumed-role/Triage/bob";
const CAROL: &str = "arn:aws:sts::123456789012:assumed-role/Triage/carol";

struct Desks {
    f: Fixture,
    dir: tempfile::TempDir,
    book: Arc<MemoryApprovals>,
}

impl Desks {
    fn new() -> Self {
        Self { f: fixture_with(false, Default::default()), dir: tempfile::tempdir().unwrap(), book: Arc::default() }
    }

    /// A desk acting as `who` (its own audit log), two people required in staging accounts.
    fn desk(&self, who: &str) -> ApprovalDesk {
        let path = self.dir.path().join(format!("{}.jsonl", who.rsplit('/').next().unwrap()));
        let remediator = remediator_as(&self.f, who, &path);
        let review = ReviewConfig { two_person_classes: vec!["staging".into()], ..ReviewConfig::default() };
        ApprovalDesk::new(self.book.clone(), remediator.clone(), remediator.triage().clone(), review, "sha256:p".into())
    }

    fn records(&self, who: &str) -> Vec<AuditRecord> {
        let path = self.dir.path().join(format!("{}.jsonl", who.rsplit('/').next().unwrap()));
        AuditLog::read(&path).map(|r| r.records).unwrap_or_default()
    }
}

/// A staging finding whose live verdict is `approve` with a plan (security groups need approval there).
async fn approve_finding(d: &Desks) -> Arc<crate::model::Finding> {
    for control in ["EC2.19", "EC2.18", "EC2.2"] {
        let findings = open_findings(&d.f.org, control).await;
        for item in d.f.remediator.assess_all(findings).await {
            if item
                .result
                .as_ref()
                .is_ok_and(|a| a.decision.verdict == Verdict::NeedsApproval && a.plan.plan().is_some())
            {
                return item.finding;
            }
        }
    }
    panic!("no staging finding needs approval")
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[tokio::test]
async fn the_requester_cannot_approve_a_two_person_request_and_of_two_racing_approvers_one_wins() {
    let d = Desks::new();
    let finding = approve_finding(&d).await;
    let request = d.desk(ALICE).request(finding.clone(), Some("open to the world".into()), now()).await.unwrap();
    assert_eq!(request.status, ApprovalStatus::Pending);
    assert!(request.two_person && request.finding.plan.is_some());
    let again = d.desk(ALICE).request(finding, None, now()).await.unwrap_err();
    assert!(again.contains("pending already"), "{again}");

    let own = d.desk(ALICE).approve(&request.id, now()).await.unwrap_err();
    assert!(own.contains("another identity than the requester's"), "{own}");

    let (bob, carol) = (d.desk(BOB), d.desk(CAROL));
    let (a, b) = tokio::join!(bob.approve(&request.id, now()), carol.approve(&request.id, now()));
    assert!(a.is_ok() != b.is_ok(), "exactly one decision: {a:?} / {b:?}");
    let loser = a.as_ref().err().or(b.as_ref().err()).unwrap();
    assert!(loser.contains("already approved") || loser.contains("decided meanwhile"), "{loser}");
    let approvals: usize = [ALICE, BOB, CAROL]
        .iter()
        .map(|who| d.records(who).iter().filter(|r| r.event == AuditEvent::ApprovalApproved).count())
        .sum();
    assert_eq!(approvals, 1, "one approval audited");
    let requested = d.records(ALICE);
    let record = requested.iter().find(|r| r.event == AuditEvent::ApprovalRequested).unwrap();
    assert!(!record.changes.is_empty() && !record.rollback.is_empty(), "the plan's calls are audited: {record:?}");
    assert_eq!(d.book.get(&request.id).await.unwrap().unwrap().status, ApprovalStatus::Approved);
}

#[tokio::test]
async fn an_expired_request_hands_the_finding_back_as_manual_until_it_is_requested_again() {
    let d = Desks::new();
    let finding = approve_finding(&d).await;
    let alice = d.desk(ALICE);
    let request = alice.request(finding.clone(), None, now()).await.unwrap();
    let later = now() + chrono::Duration::hours(25);

    let listed = alice.list(later).await.unwrap();
    assert_eq!(listed[0].status, ApprovalStatus::Expired);
    assert!(d.records(ALICE).iter().any(|r| r.event == AuditEvent::ApprovalExpired));
    let why = d.desk(BOB).approve(&request.id, later).await.unwrap_err();
    assert!(why.contains("already expired"), "{why}");

    let triage = d.f.remediator.triage();
    let assessed = d.f.remediator.assess_all(vec![finding.clone()]).await;
    let decision = &assessed[0].result.as_ref().unwrap().decision;
    assert_eq!(decision.verdict, Verdict::Manual, "{}", decision.reason);
    assert!(decision.reason.contains(&request.id) && decision.reason.contains("handed back as manual work"));

    let again = alice.request(finding.clone(), None, later).await.unwrap();
    assert_eq!(again.status, ApprovalStatus::Pending);
    assert!(triage.policy.handed_back.note_for(&finding).is_none(), "asked again: no longer handed back");
}

#[tokio::test]
async fn an_approved_request_is_carried_out_once_and_closed_with_its_outcome() {
    let d = Desks::new();
    let finding = approve_finding(&d).await;
    let request = d.desk(ALICE).request(finding.clone(), None, now()).await.unwrap();
    let bob = d.desk(BOB);
    let approved = bob.approve(&request.id, now()).await.unwrap();
    let state = bob.carry_out(&approved, vec![finding.clone()]).await;
    assert!(state.is_success(), "{state:?}");
    let closed = d.book.get(&request.id).await.unwrap().unwrap();
    assert_eq!(closed.status, ApprovalStatus::Applied, "{closed:?}");
    assert_eq!(closed.carried_out_by.as_deref(), Some(BOB));
    let intent = d.records(BOB).into_iter().find(|r| r.event == AuditEvent::ApplyIntent).unwrap();
    assert!(intent.message.contains(&request.id) && intent.message.contains("approved by"), "{}", intent.message);
    let twice = bob.carry_out(&approved, vec![finding]).await;
    assert!(matches!(twice, JobState::Refused(ref why) if why.contains("being carried out already")), "{twice:?}");
    assert_eq!(d.f.org.mutations().len(), 1, "changed once: {:?}", d.f.org.mutations());
}
