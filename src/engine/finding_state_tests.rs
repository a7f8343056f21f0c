use super::*;
use crate::config::Config;
use crate::model::asff::read_document;
use crate::playbook::Playbooks;
use crate::triage::Triage;
use chrono::TimeZone;
use std::path::Path;

fn triage() -> Arc<Triage> {
    let config = Config::parse(include_str!("../../config.example.toml"), Path::new("config.example.toml"))
        .expect("config.example.toml");
    Arc::new(Triage { policy: config.policy().expect("policy"), playbooks: Playbooks::new(&config.playbooks) })
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, minute, 0).single().expect("time")
}

/// Finding `id`, updated at `minute`, with `workflow`.
fn row(id: &str, minute: u32, workflow: &str) -> Row {
    let doc = serde_json::json!({
        "Id": id, "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub", "AwsAccountId": "111111111111",
        "Region": "us-east-1", "GeneratorId": "security-control/S3.8", "Compliance": {"SecurityControlId": "S3.8"},
        "Severity": {"Label": "HIGH"}, "Title": format!("copy of minute {minute}"),
        "UpdatedAt": at(minute).to_rfc3339(), "Workflow": {"Status": workflow},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]});
    let outcome = read_document(&doc.to_string());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let finding = outcome.findings.into_iter().next().expect("one finding");
    Row::from_snapshot(finding, &triage(), at(59))
}

fn titles(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.finding.title.to_string()).collect()
}

#[test]
fn a_newer_copy_replaces_the_current_one_and_an_older_one_is_dropped() {
    let mut state = FindingState::default();
    let first = state.apply(None, vec![row("a", 10, "NEW"), row("b", 10, "NEW")], Vec::new());
    assert_eq!(titles(&first.added), ["copy of minute 10", "copy of minute 10"]);
    assert!(first.changed.is_empty());

    let later = state.apply(None, vec![row("a", 20, "NEW"), row("b", 5, "NEW")], Vec::new());
    assert!(later.added.is_empty(), "both are known");
    assert_eq!(titles(&later.changed), ["copy of minute 20"], "b's copy of minute 5 is older than the current one");
    assert_eq!(state.len(), 2);

    let same = state.apply(None, vec![row("a", 20, "NEW")], Vec::new());
    assert_eq!(titles(&same.changed), ["copy of minute 20"], "a copy as new as the current one is taken");
}

#[test]
fn a_status_hubtriage_set_holds_until_security_hub_sends_a_newer_copy() {
    let mut state = FindingState::default();
    state.apply(None, vec![row("a", 10, "NEW")], Vec::new());
    let key = row("a", 10, "NEW").finding.key();
    let set = state.set_workflow(std::slice::from_ref(&key), WorkflowStatus::Resolved);
    assert_eq!(set.workflow, [(key.clone(), WorkflowStatus::Resolved)]);

    // A sync that fetched the copy before the update brings the old status: the set one holds.
    let stale = state.apply(None, vec![row("a", 10, "NEW")], Vec::new());
    assert_eq!(stale.changed[0].finding.workflow_status, WorkflowStatus::Resolved);

    // Security Hub updated the finding since (it re-opened it): its copy wins and the hold ends.
    let reopened = state.apply(None, vec![row("a", 30, "NEW")], Vec::new());
    assert_eq!(reopened.changed[0].finding.workflow_status, WorkflowStatus::New);
    let again = state.apply(None, vec![row("a", 30, "NEW")], Vec::new());
    assert_eq!(again.changed[0].finding.workflow_status, WorkflowStatus::New, "the hold ended with the newer copy");
}

#[test]
fn a_status_read_back_from_the_store_holds_like_one_set_in_this_run() {
    let mut state = FindingState::default();
    let source = SourceId { account_id: "111111111111".into(), region: "us-east-1".into() };
    let stored = row("a", 10, "RESOLVED");
    let key = stored.finding.key();
    let loaded = state.apply_stored(source.clone(), vec![stored, row("b", 10, "NEW")], &[key], Vec::new());
    assert_eq!(loaded.added.len(), 2);
    assert_eq!(loaded.source, Some(source));

    let synced = state.apply(None, vec![row("a", 10, "NEW"), row("b", 10, "NEW")], Vec::new());
    let statuses: Vec<WorkflowStatus> = synced.changed.iter().map(|r| r.finding.workflow_status).collect();
    assert_eq!(statuses, [WorkflowStatus::Resolved, WorkflowStatus::New], "only a's status was set by hubtriage");
}

#[test]
fn only_known_findings_are_set_or_removed() {
    let mut state = FindingState::default();
    state.apply(None, vec![row("a", 10, "NEW")], Vec::new());
    let known = row("a", 10, "NEW").finding.key();
    let unknown = row("z", 10, "NEW").finding.key();
    let set = state.set_workflow(&[known.clone(), unknown.clone()], WorkflowStatus::Suppressed);
    assert_eq!(set.workflow, [(known.clone(), WorkflowStatus::Suppressed)]);

    let removed = state.remove(vec![unknown, known.clone()]);
    assert_eq!(removed.removed, [known]);
    assert!(state.is_empty());
    let back = state.apply(None, vec![row("a", 5, "NEW")], Vec::new());
    assert_eq!(back.added.len(), 1, "a removed finding that comes back is new again");
}

#[test]
fn problems_travel_with_their_batch() {
    let mut state = FindingState::default();
    let changes = state.apply(None, Vec::new(), vec!["page 2: not JSON".into()]);
    assert!(!changes.is_empty());
    assert_eq!(changes.problems, ["page 2: not JSON"]);
    assert!(state.apply(None, Vec::new(), Vec::new()).is_empty());
}
