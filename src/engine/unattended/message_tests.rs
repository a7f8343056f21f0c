#![allow(clippy::unwrap_used)]
use super::*;

fn shared(path: &str) -> String {
    let path = format!("{}/../shared/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_console_custom_action_event_names_its_action_and_carries_its_findings() {
    let event =
        read_event(&shared("asff/automated-security-response-on-aws/afsbp-playbook-test__afsbp_rds1.json")).unwrap();
    assert_eq!(event.kind, EventKind::CustomAction { action: "AFSBPrds1".into() });
    assert_eq!(event.event_id, "70d80993-a48e-8a57-3d80-fb3ed90ec043");
    assert_eq!(event.findings.len(), 1);
    assert_eq!(event.findings[0].account_id.as_ref(), "111111111111");
    assert!(event.problems.is_empty(), "{:?}", event.problems);
}

#[test]
fn a_findings_imported_v2_event_reads_its_ocsf_findings() {
    let event = read_event(&shared("ocsf/sumologic-docs__aws-security-hub-ocsf_eventbridge-guardduty.json")).unwrap();
    assert_eq!(event.kind, EventKind::ImportedV2);
    assert!(!event.findings.is_empty());
    assert!(event.findings.iter().all(|f| f.format == crate::model::FindingFormat::Ocsf));
}

#[test]
fn foreign_and_malformed_messages_say_why_they_are_not_handled() {
    let not_json = read_event("hello").unwrap_err();
    assert!(not_json.starts_with("not JSON"), "{not_json}");
    let other = read_event(r#"{"source":"aws.s3","detail-type":"Object Created","detail":{}}"#).unwrap_err();
    assert!(other.contains("not a Security Hub event") && other.contains("aws.s3"), "{other}");
    let insight =
        read_event(r#"{"source":"aws.securityhub","detail-type":"Security Hub Insight Results","detail":{}}"#)
            .unwrap_err();
    assert!(insight.contains("Insight Results") && insight.contains("not a finding event"), "{insight}");
    let empty =
        read_event(r#"{"source":"aws.securityhub","detail-type":"Security Hub Findings - Imported","detail":{}}"#)
            .unwrap_err();
    assert!(empty.contains("without detail.findings"), "{empty}");
}

#[test]
fn control_sequences_in_an_event_never_reach_the_reason() {
    let body = "{\"source\":\"aws.\u{1b}]0;owned\u{7}x\",\"detail-type\":\"a\u{1b}[2Jb\",\"detail\":{}}";
    let why = read_event(body).unwrap_err();
    assert!(!why.contains('\u{1b}') && !why.contains('\u{7}'), "{why:?}");
}

#[test]
fn an_unreadable_finding_inside_an_event_is_a_problem_next_to_the_others() {
    let body = serde_json::json!({
        "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported", "id": "e-1",
        "account": "111111111111", "region": "eu-west-1",
        "detail": {"findings": [{"ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub", "Id": 7,
                                 "SchemaVersion": "2018-10-08"}]}
    });
    match read_event(&body.to_string()) {
        Ok(event) => assert!(!event.problems.is_empty() && event.findings.is_empty()),
        Err(why) => assert!(why.contains("no finding"), "{why}"),
    }
}
