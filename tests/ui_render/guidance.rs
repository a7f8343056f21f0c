//! Findings no playbook fixes show their own remediation advice and link in the detail pane; findings with a plan
//! do not (the plan is the advice), and hostile advice reaches the screen inert.

use super::*;

fn select(app: &mut App, filter: &str) -> String {
    key(app, KeyCode::Char('/'));
    type_text(app, filter);
    key(app, KeyCode::Enter);
    text(&render(app, 200, 70))
}

#[test]
fn a_finding_without_a_playbook_shows_its_own_advice_and_link() {
    let mut app = app("dark");
    let screen = select(&mut app, "S3.9 boeket-acc");
    assert!(screen.contains("Findings 1/1"), "{screen}");
    assert!(screen.contains("Verdict    no-playbook"), "{screen}");
    assert!(screen.contains("Guidance (from the finding)"), "{screen}");
    assert!(screen.contains("https://docs.aws.amazon.com/console/securityhub/S3.9/remediation"), "{screen}");

    let mut app = super::app("dark");
    let screen = select(&mut app, "S3.8 boeket-acc");
    assert!(screen.contains("Findings 1/1"), "{screen}");
    assert!(!screen.contains("Guidance (from the finding)"), "a finding with a plan shows the plan\n{screen}");
}

#[test]
fn hostile_advice_is_shown_inert() {
    let json = r#"{"SchemaVersion":"2018-10-08","Id":"hostile-advice","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"security-control/Macie.1","AwsAccountId":"111111111111","Region":"eu-west-1","Types":["Software and Configuration Checks"],"CreatedAt":"2026-11-01T00:00:00Z","UpdatedAt":"2026-11-01T00:00:00Z","Severity":{"Label":"MEDIUM"},"Title":"Macie should be enabled","Description":"d","Compliance":{"Status":"FAILED","SecurityControlId":"Macie.1"},"Workflow":{"Status":"NEW"},"RecordState":"ACTIVE","Resources":[{"Type":"AwsAccount","Id":"AWS::::Account:111111111111"}],"Remediation":{"Recommendation":{"Text":"Enable Macie \u001b]8;;https://evil.example\u0007here\u001b]8;;\u0007 \u001b[31mnow","Url":"https://docs.example/macie\u001b[2J"}}}"#;
    let rows = assessed(read_document(json).findings);
    let app = app_of("dark", rows);
    let buffer = render(&app, 200, 60);
    let screen = text(&buffer);
    assert!(screen.contains("Guidance (from the finding)"), "{screen}");
    assert!(screen.contains("Enable Macie"), "{screen}");
    assert!(screen.contains("https://docs.example/macie"), "{screen}");
    let cells: String = screen.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(cells.is_empty(), "control characters reached the screen: {cells:?}");
}
