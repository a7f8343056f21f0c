//! Who may approve what, and when.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::policy::Verdict;

fn finding() -> PlannedFinding {
    PlannedFinding {
        id: "f-1".into(),
        product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        control_id: Some("S3.8".into()),
        title: "t".into(),
        severity: "HIGH".into(),
        resource_type: Some("AwsS3Bucket".into()),
        resource_id: Some("arn:aws:s3:::b".into()),
        verdict: Verdict::NeedsApproval,
        reason: "r".into(),
        plan_status: "planned".into(),
        plan: None,
        errors: vec![],
    }
}

const ALICE: &str = "arn:aws:sts::123456789012:assumed-role/Triage/alice";
const BOB: &str = "arn:aws:sts::123456789012:assumed-role/Triage/bob";

fn request(two_person: bool) -> ApprovalRequest {
    let now = "2026-12-04T10:00:00Z".parse().unwrap();
    ApprovalRequest::new(
        finding(),
        "prod",
        two_person,
        "sha256:00".into(),
        ALICE,
        now,
        std::time::Duration::from_secs(86_400),
    )
}

#[test]
fn in_a_two_person_class_the_requester_cannot_approve_but_another_session_can() {
    let r = request(true);
    let now = "2026-12-04T11:00:00Z".parse().unwrap();
    let why = r.check_approver(ALICE, now).unwrap_err();
    assert!(why.contains("another identity than the requester's"), "{why}");
    assert!(r.check_approver(BOB, now).is_ok(), "another role session is another identity");
    assert!(request(false).check_approver(ALICE, now).is_ok(), "one person is enough outside two-person classes");
}

#[test]
fn an_expired_or_decided_request_cannot_be_approved() {
    let r = request(true);
    let late = "2026-12-05T10:00:00Z".parse().unwrap();
    assert!(r.is_due_to_expire(late));
    assert!(r.check_approver(BOB, late).unwrap_err().contains("expired"));
    let now = "2026-12-04T11:00:00Z".parse().unwrap();
    let approved = r.decided(ApprovalStatus::Approved, BOB, now, None);
    let why = approved.check_approver("arn:aws:sts::123456789012:assumed-role/Triage/carol", now).unwrap_err();
    assert!(why.contains("already approved by") && why.contains("bob"), "{why}");
    assert!(!approved.is_due_to_expire(late), "only pending requests expire");
    assert!(r.id.starts_with("apr-") && r.id.len() == 16);
}
