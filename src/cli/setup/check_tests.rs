use super::*;
use crate::cloud::aws::setup_check::TargetFacts;

const QUEUE_ARN: &str = "arn:aws:sqs:eu-west-1:123456789012:findings";

fn place() -> Place<'static> {
    Place {
        region: "eu-west-1".into(),
        queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/findings",
        table: "leases",
    }
}

fn rule(name: &str, pattern: &str, state: &str, targets: Vec<TargetFacts>) -> RuleFacts {
    RuleFacts {
        name: name.into(),
        arn: format!("arn:aws:events:eu-west-1:123456789012:rule/{name}"),
        state: state.into(),
        event_pattern: Some(pattern.into()),
        targets,
    }
}

fn target(rewrites_event: bool) -> TargetFacts {
    TargetFacts { id: "t".into(), arn: QUEUE_ARN.into(), rewrites_event }
}

fn ours() -> String {
    super::super::template::event_pattern().to_string()
}

#[test]
fn a_matching_enabled_rule_passes_and_gives_its_arn() {
    let rules = [
        rule("narrow", r#"{"source":["aws.guardduty"]}"#, "ENABLED", vec![target(false)]),
        rule("ours", &ours(), "ENABLED", vec![target(false)]),
    ];
    let (line, arn) = check_rule(&place(), QUEUE_ARN, &rules);
    assert!(line.passed, "{line:?}");
    assert_eq!(arn.as_deref(), Some("arn:aws:events:eu-west-1:123456789012:rule/ours"));
    assert!(line.render().starts_with("✓ rule: ours on the default event bus of eu-west-1"), "{}", line.render());
}

#[test]
fn no_rule_a_disabled_rule_or_a_rewritten_event_fails_with_a_fix() {
    let (line, arn) = check_rule(&place(), QUEUE_ARN, &[]);
    assert!(!line.passed && arn.is_none());
    assert!(
        line.render().starts_with("✗ rule: no rule on the default event bus of eu-west-1 targets"),
        "{}",
        line.render()
    );
    assert!(line.text.contains("aws events put-targets --region eu-west-1"), "{}", line.text);
    let (line, _) = check_rule(&place(), QUEUE_ARN, &[rule("off", &ours(), "DISABLED", vec![target(false)])]);
    assert!(!line.passed && line.text.contains("rule off is DISABLED"), "{}", line.text);
    let (line, _) = check_rule(&place(), QUEUE_ARN, &[rule("shaped", &ours(), "ENABLED", vec![target(true)])]);
    assert!(!line.passed && line.text.contains("InputTransformer"), "{}", line.text);
}

#[test]
fn a_queue_that_cannot_be_read_names_the_error_and_its_fix() {
    let denied = Err(CloudError::AccessDenied("GetQueueAttributes: AccessDenied: not allowed".into()));
    let line = check_queue(&place(), &denied);
    assert!(!line.passed);
    assert!(line.render().starts_with("✗ queue: access denied: GetQueueAttributes"), "{}", line.render());
    assert!(line.text.contains("--profile"), "{}", line.text);
    let missing = Err(CloudError::NotFound("GetQueueAttributes: QueueDoesNotExist".into()));
    assert!(check_queue(&place(), &missing).text.contains("does not exist"));
    let managed = Ok(QueueFacts {
        arn: QUEUE_ARN.into(),
        redrive_policy: None,
        policy: None,
        kms_key: Some("alias/aws/sqs".into()),
    });
    assert!(check_queue(&place(), &managed).text.contains("EventBridge cannot use"));
}
