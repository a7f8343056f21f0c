use super::*;
use crate::config::Config;
use crate::model::asff::read_document;
use crate::playbook::Playbooks;
use chrono::TimeZone;
use std::path::Path;

const SANDBOX: &str = "456789012345";
const UNCLASSIFIED: &str = "999999999999";

fn triage() -> Arc<Triage> {
    let config = Config::parse(include_str!("../../config.example.toml"), Path::new("config.example.toml"))
        .expect("config.example.toml");
    Arc::new(Triage { policy: config.policy().expect("policy"), playbooks: Playbooks::new(&config.playbooks) })
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("time")
}

/// An open security group finding (port 22 open to the world) in `account`.
fn open_ssh(account: &str) -> Finding {
    let doc = serde_json::json!({
        "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub", "AwsAccountId": account,
        "Region": "us-east-1", "GeneratorId": "security-control/EC2.19", "Compliance": {"SecurityControlId": "EC2.19"},
        "Severity": {"Label": "HIGH"}, "Title": "open ssh",
        "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": format!("arn:aws:ec2:us-east-1:{account}:security-group/sg-1"),
            "Details": {"AwsEc2SecurityGroup": {"GroupName": "web", "GroupId": "sg-1", "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}}}]});
    let outcome = read_document(&doc.to_string());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome.findings.into_iter().next().expect("one finding")
}

#[test]
fn a_row_that_is_not_auto_fix_works_out_its_snapshot_plan_when_first_asked() {
    let triage = triage();
    let finding = open_ssh(UNCLASSIFIED);
    let eager = triage.assess(&finding, None, now());
    assert_eq!(eager.decision.verdict, Verdict::NeedsApproval, "{}", eager.decision.reason);
    assert!(eager.plan.plan().is_some(), "{:?}", eager.plan);
    let row = Row::from_snapshot(finding, &triage, now());
    assert_eq!(row.decision, eager.decision);
    assert!(row.plan_if_known().is_none(), "the plan is left for when it is shown");
    assert_eq!(row.plan(), &eager.plan);
    assert_eq!(row.plan_if_known(), Some(&eager.plan), "worked out once, then kept");
    assert_eq!(row.clone().assessment(), eager);
}

#[test]
fn a_plan_worked_out_for_one_showing_is_not_kept_and_one_already_known_is_lent() {
    let triage = triage();
    let finding = open_ssh(UNCLASSIFIED);
    let eager = triage.assess(&finding, None, now());
    let row = Row::from_snapshot(finding, &triage, now());
    let unkept = row.plan_unkept();
    assert!(matches!(unkept, Cow::Owned(_)));
    assert_eq!(*unkept, eager.plan);
    assert!(row.plan_if_known().is_none(), "a plan shown once is not held by the row");
    row.plan();
    assert!(matches!(row.plan_unkept(), Cow::Borrowed(plan) if *plan == eager.plan));
    let given = Row::new(row.finding.clone(), Assessment { decision: eager.decision, plan: PlanStatus::NoPlaybook });
    assert!(matches!(given.plan_unkept(), Cow::Borrowed(PlanStatus::NoPlaybook)));
}

#[test]
fn an_auto_fix_row_has_its_plan_with_its_verdict() {
    let triage = triage();
    let finding = open_ssh(SANDBOX);
    let eager = triage.assess(&finding, None, now());
    assert_eq!(eager.decision.verdict, Verdict::AutoFix, "{}", eager.decision.reason);
    let row = Row::from_snapshot(finding, &triage, now());
    assert_eq!(row.plan_if_known(), Some(&eager.plan));
    assert!(row.plan().plan().is_some());
}

#[test]
fn a_row_without_playbook_has_none_and_a_live_assessment_replaces_the_snapshot() {
    let triage = triage();
    let mut finding = open_ssh(UNCLASSIFIED);
    finding.control_id = Some("IAM.1".into());
    let mut row = Row::from_snapshot(finding, &triage, now());
    assert_eq!(row.decision.verdict, Verdict::NoPlaybook);
    assert_eq!(row.plan(), &PlanStatus::NoPlaybook);

    let mut row_with_plan = Row::from_snapshot(open_ssh(UNCLASSIFIED), &triage, now());
    let decision = Decision { verdict: Verdict::Manual, reason: "read live".into(), ..row.decision.clone() };
    let live = Assessment { decision, plan: PlanStatus::AlreadyCompliant("closed".into()) };
    row_with_plan.set_assessment(live.clone());
    assert_eq!(row_with_plan.plan_if_known(), Some(&live.plan));
    assert_eq!(row_with_plan.assessment(), live);
    row.set_assessment(live.clone());
    assert_eq!(row.decision, live.decision);
}
