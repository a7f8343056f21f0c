use super::*;
use crate::model::testing::control_finding;
use crate::model::Severity;
use crate::policy::ChangeWindow;

const PROD: &str = "111111111111";
const SANDBOX: &str = "333333333333";

fn rule(name: &str, verdict: Verdict) -> Rule {
    Rule {
        name: name.into(),
        verdict,
        controls: vec![],
        severities: vec![],
        account_classes: vec![],
        resource_types: vec![],
        products: vec![],
    }
}

fn policy(rules: Vec<Rule>) -> Policy {
    Policy {
        rules,
        default_verdict: Verdict::NeedsApproval,
        account_classes: [(PROD.to_string(), "prod".to_string()), (SANDBOX.to_string(), "sandbox".to_string())]
            .into_iter()
            .collect(),
        default_class: "unclassified".into(),
        change_windows: vec![],
        exception_tags: ExceptionTagNames::default(),
        exception_limits: Default::default(),
        trusted_products: Default::default(),
        incident: Default::default(),
        handed_back: Default::default(),
        reasons: Default::default(),
    }
}

/// Saturday 2026-11-21 12:00 UTC.
fn saturday_noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z").expect("time").with_timezone(&Utc)
}

/// Monday 2026-11-23 10:00 in Berlin (09:00 UTC).
fn monday_morning() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").expect("time").with_timezone(&Utc)
}

fn decide(
    policy: &Policy,
    finding: &Finding,
    has_playbook: bool,
    tags: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Decision {
    policy.decide(&PolicyInput {
        finding,
        has_playbook,
        provenance: None,
        tags,
        now,
        disabled_playbook: None,
        needs_care: false,
    })
}

#[test]
fn first_matching_rule_wins_by_control_severity_and_class() {
    let mut sandbox_fix = rule("sandbox-auto-fix", Verdict::AutoFix);
    sandbox_fix.account_classes = vec!["sandbox".into()];
    sandbox_fix.controls = vec!["S3.*".into()];
    let mut critical_manual = rule("critical-by-hand", Verdict::Manual);
    critical_manual.severities = vec![Severity::Critical];
    let p = policy(vec![sandbox_fix, critical_manual]);
    let none = BTreeMap::new();

    let f = control_finding("S3.8", Severity::High, SANDBOX, "AwsS3Bucket");
    let d = decide(&p, &f, true, &none, saturday_noon());
    assert_eq!(d.verdict, Verdict::AutoFix);
    assert!(d.reason.contains("sandbox-auto-fix") && d.reason.contains("sandbox"), "{}", d.reason);

    let f = control_finding("S3.8", Severity::Critical, PROD, "AwsS3Bucket");
    assert_eq!(decide(&p, &f, true, &none, saturday_noon()).verdict, Verdict::Manual);

    let f = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let d = decide(&p, &f, true, &none, saturday_noon());
    assert_eq!(d.verdict, Verdict::NeedsApproval);
    assert!(d.reason.contains("default verdict for prod"), "{}", d.reason);
}

#[test]
fn resource_type_and_product_conditions() {
    let mut sg_only = rule("sg", Verdict::AutoFix);
    // Either spelling: CloudFormation's (as OCSF findings write it) matches ASFF's.
    sg_only.resource_types = vec!["AWS::EC2::SecurityGroup".into()];
    let mut guardduty = rule("gd", Verdict::Manual);
    guardduty.products = vec!["GuardDuty".into()];
    let p = policy(vec![sg_only, guardduty]);
    let none = BTreeMap::new();
    let sg = control_finding("EC2.19", Severity::High, SANDBOX, "AwsEc2SecurityGroup");
    assert_eq!(decide(&p, &sg, true, &none, saturday_noon()).verdict, Verdict::AutoFix);
    let bucket = control_finding("S3.8", Severity::High, SANDBOX, "AwsS3Bucket");
    assert_eq!(decide(&p, &bucket, true, &none, saturday_noon()).verdict, Verdict::NeedsApproval);
    let mut gd = control_finding("X.1", Severity::High, SANDBOX, "AwsEc2Instance");
    gd.control_id = None;
    gd.product_name = "GuardDuty".into();
    assert_eq!(decide(&p, &gd, false, &none, saturday_noon()).verdict, Verdict::Manual);
    // A product is also matched by the end of the product ARN, in any case.
    gd.product_name = "Amazon GuardDuty".into();
    gd.product_arn = "arn:aws:securityhub:eu-west-1::product/aws/guardduty".into();
    assert_eq!(decide(&p, &gd, false, &none, saturday_noon()).verdict, Verdict::Manual);
    gd.product_arn = "arn:aws:securityhub:eu-west-1::product/aws/inspector".into();
    assert_eq!(decide(&p, &gd, false, &none, saturday_noon()).verdict, Verdict::NoPlaybook);
}

#[test]
fn no_playbook_reasons_are_shared_only_by_findings_they_describe() {
    let p = policy(vec![rule("everything", Verdict::AutoFix)]);
    let none = BTreeMap::new();
    let reason = |f: &Finding| decide(&p, f, false, &none, saturday_noon()).reason;
    let iam6 = control_finding("IAM.6", Severity::Critical, PROD, "AwsAccount");
    let iam6_again = control_finding("IAM.6", Severity::Low, SANDBOX, "AwsAccount");
    let iam9 = control_finding("IAM.9", Severity::Critical, PROD, "AwsAccount");
    assert!(Arc::ptr_eq(&reason(&iam6), &reason(&iam6_again)));
    assert!(reason(&iam9).contains("control IAM.9"), "{}", reason(&iam9));
    let mut typed = iam6.clone();
    typed.control_id = None;
    typed.types = vec!["Software and Configuration Checks/Vulnerabilities/CVE".into()];
    assert!(reason(&typed).contains("type CVE"), "{}", reason(&typed));
    typed.product_name = "Inspector".into();
    assert!(reason(&typed).contains("Inspector finding"), "{}", reason(&typed));
    let unmatched = policy(Vec::new());
    let d = decide(&unmatched, &iam6, false, &none, saturday_noon());
    assert_eq!(d.reason.as_ref(), "no playbook handles control IAM.6");
}

#[test]
fn no_playbook_when_nothing_can_fix_it() {
    let p = policy(vec![rule("everything", Verdict::AutoFix)]);
    let f = control_finding("IAM.6", Severity::Critical, PROD, "AwsAccount");
    let d = decide(&p, &f, false, &BTreeMap::new(), saturday_noon());
    assert_eq!(d.verdict, Verdict::NoPlaybook);
    assert!(d.reason.contains("no playbook handles control IAM.6"), "{}", d.reason);
}

#[test]
fn change_window_turns_auto_fix_into_approval_in_business_hours() {
    let mut p = policy(vec![rule("all", Verdict::AutoFix)]);
    p.change_windows = vec![ChangeWindow {
        name: "business hours".into(),
        account_classes: vec!["prod".into()],
        days: ["mon", "tue", "wed", "thu", "fri"].map(String::from).to_vec(),
        start: "09:00".into(),
        end: "18:00".into(),
        time_zone: "Europe/Berlin".into(),
    }
    .parse()
    .expect("valid window")];
    let none = BTreeMap::new();
    let prod = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let d = decide(&p, &prod, true, &none, monday_morning());
    assert_eq!(d.verdict, Verdict::NeedsApproval);
    assert!(d.reason.contains("change window 'business hours'"), "{}", d.reason);
    assert_eq!(decide(&p, &prod, true, &none, saturday_noon()).verdict, Verdict::AutoFix);
    let sandbox = control_finding("S3.8", Severity::High, SANDBOX, "AwsS3Bucket");
    assert_eq!(decide(&p, &sandbox, true, &none, monday_morning()).verdict, Verdict::AutoFix);

    p.incident.set(true);
    let lifted = decide(&p, &prod, true, &none, monday_morning());
    assert_eq!(lifted.verdict, Verdict::AutoFix);
    assert!(lifted.reason.contains("lifted: incident mode"), "{}", lifted.reason);
}

#[test]
fn valid_exception_tag_excepts_with_days_left() {
    let p = policy(vec![rule("all", Verdict::AutoFix)]);
    let tags: BTreeMap<String, String> = [
        ("SecurityException", "public website bucket"),
        ("SecurityExceptionExpiry", "2026-12-21"),
        ("SecurityExceptionOwner", "web-team"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .into_iter()
    .collect();
    let f = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let d = decide(&p, &f, true, &tags, saturday_noon());
    assert_eq!(d.verdict, Verdict::Excepted);
    assert!(d.reason.contains("30 days left, owner web-team"), "{}", d.reason);
    assert_eq!(d.exception.map(|e| e.reason).as_deref(), Some("public website bucket"));
}

fn tags_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn an_exception_written_outside_the_limits_is_not_honoured_and_the_reason_says_why() {
    let p = policy(vec![rule("all", Verdict::AutoFix)]);
    let f = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let forever = tags_of(&[("SecurityException", "forever"), ("SecurityExceptionExpiry", "2099-01-01")]);
    let d = decide(&p, &f, true, &forever, saturday_noon());
    assert_eq!(d.verdict, Verdict::AutoFix, "{}", d.reason);
    assert!(d.exception.is_none());
    assert!(d.reason.contains("exception tag not honoured"), "{}", d.reason);
    assert!(d.reason.contains("beyond exceptions.max_days (90)"), "{}", d.reason);
    assert!(d.reason.contains("no SecurityExceptionOwner tag"), "{}", d.reason);

    let unowned = tags_of(&[("SecurityException", "short"), ("SecurityExceptionExpiry", "2026-12-01")]);
    let d = decide(&p, &f, true, &unowned, saturday_noon());
    assert_eq!(d.verdict, Verdict::AutoFix, "an owner is required: {}", d.reason);

    let mut lenient = p.clone();
    lenient.exception_limits.enforce = false;
    let d = decide(&lenient, &f, true, &forever, saturday_noon());
    assert_eq!(d.verdict, Verdict::Excepted, "honoured, but flagged: {}", d.reason);
    assert!(d.reason.contains("flagged: it runs"), "{}", d.reason);
}

#[test]
fn untrusted_findings_get_no_playbook_with_the_reason_and_trusted_ones_say_so() {
    let p = policy(vec![rule("all", Verdict::AutoFix)]);
    let f = control_finding("S3.8", Severity::High, SANDBOX, "AwsS3Bucket");
    let untrusted = Provenance::Untrusted("product X is not Security Hub's own controls".into());
    let d = p.decide(&PolicyInput {
        finding: &f,
        has_playbook: true,
        provenance: Some(&untrusted),
        tags: &BTreeMap::new(),
        now: saturday_noon(),
        disabled_playbook: None,
        needs_care: false,
    });
    assert_eq!(d.verdict, Verdict::NoPlaybook);
    assert_eq!(&*d.reason, "not trusted to drive a fix: product X is not Security Hub's own controls");

    let trusted = Provenance::TrustedByConfig("arn:aws:securityhub:*:1:product/1/default".into());
    let d = p.decide(&PolicyInput {
        finding: &f,
        has_playbook: true,
        provenance: Some(&trusted),
        tags: &BTreeMap::new(),
        now: saturday_noon(),
        disabled_playbook: None,
        needs_care: false,
    });
    assert_eq!(d.verdict, Verdict::AutoFix);
    assert!(
        d.reason.contains("trusted by config ([policy] trusted_products \"arn:aws:securityhub:*:1"),
        "{}",
        d.reason
    );

    // The finding's own provenance as the policy works it out.
    assert_eq!(p.provenance(&f), Provenance::SecurityHub);
}

#[test]
fn expired_and_unparsable_exceptions_fall_back_to_the_normal_verdict() {
    let p = policy(vec![rule("all", Verdict::AutoFix)]);
    let f = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let expired: BTreeMap<String, String> = [("SecurityException", "old"), ("SecurityExceptionExpiry", "2026-11-01")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into_iter()
        .collect();
    let d = decide(&p, &f, true, &expired, saturday_noon());
    assert_eq!(d.verdict, Verdict::AutoFix);
    assert!(d.reason.contains("exception expired 20 days ago"), "{}", d.reason);

    let garbage: BTreeMap<String, String> = [("SecurityException", "x"), ("SecurityExceptionExpiry", "next week")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into_iter()
        .collect();
    let d = decide(&p, &f, true, &garbage, saturday_noon());
    assert_eq!(d.verdict, Verdict::AutoFix);
    assert!(d.exception_note.as_deref().is_some_and(|n| n.contains("next week")));
}

#[test]
fn reasons_worded_once_per_rule_and_class_stay_apart() {
    let p = policy(vec![rule("everything", Verdict::AutoFix)]);
    let none = BTreeMap::new();
    let reason = |account: &str, has_playbook: bool| {
        let f = control_finding("S3.8", Severity::High, account, "AwsS3Bucket");
        decide(&p, &f, has_playbook, &none, saturday_noon()).reason
    };
    let (prod, sandbox) = (reason(PROD, true), reason(SANDBOX, true));
    assert!(prod.contains("in prod account") && sandbox.contains("in sandbox account"), "{prod} / {sandbox}");
    assert!(Arc::ptr_eq(&prod, &reason(PROD, true)), "the second finding shares the first one's reason");
    let without = reason(PROD, false);
    assert!(without.contains("no playbook handles control S3.8"), "{without}");
    let other = decide(
        &p,
        &control_finding("EC2.19", Severity::High, PROD, "AwsEc2SecurityGroup"),
        false,
        &none,
        saturday_noon(),
    );
    assert!(other.reason.contains("EC2.19"), "not-memoized reasons follow the finding: {}", other.reason);
}

#[test]
fn a_finding_whose_approval_request_expired_is_manual_with_the_note_until_requested_again() {
    let p = policy(vec![]);
    let none = BTreeMap::new();
    let f = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    let other = control_finding("S3.9", Severity::High, PROD, "AwsS3Bucket");
    let key = (f.product_arn.to_string(), f.public_id().to_string());
    p.handed_back.replace([(key, "approval request apr-1 expired unanswered".to_string())]);
    let d = decide(&p, &f, true, &none, saturday_noon());
    assert_eq!(d.verdict, Verdict::Manual);
    assert!(
        d.reason.contains("apr-1 expired unanswered") && d.reason.contains("policy alone says approve"),
        "{}",
        d.reason
    );
    assert_eq!(decide(&p, &other, true, &none, saturday_noon()).verdict, Verdict::NeedsApproval, "only that finding");
    p.handed_back.replace([]);
    assert_eq!(decide(&p, &f, true, &none, saturday_noon()).verdict, Verdict::NeedsApproval);
}

#[test]
fn disabled_playbooks_care_and_cautioned_controls_explain_themselves() {
    let mut p = policy(vec![]);
    p.default_verdict = Verdict::AutoFix;
    let f = control_finding("RDS.1", Severity::Critical, SANDBOX, "AwsRdsDbSnapshot");
    let input = |disabled, needs_care, has_playbook| PolicyInput {
        finding: &f,
        has_playbook,
        provenance: None,
        tags: &NO_TAGS,
        now: saturday_noon(),
        disabled_playbook: disabled,
        needs_care,
    };
    let d = p.decide(&input(None, true, true));
    assert_eq!(d.verdict, Verdict::NeedsApproval, "{}", d.reason);
    assert!(d.reason.contains("reversible with care"), "{}", d.reason);
    assert_eq!(p.decide(&input(None, false, true)).verdict, Verdict::AutoFix);
    let d = p.decide(&input(Some("rds-snapshot-private"), false, false));
    assert_eq!(d.verdict, Verdict::NoPlaybook);
    assert!(d.reason.starts_with("playbook disabled by config: rds-snapshot-private"), "{}", d.reason);
    // A rule can still say auto-fix for a playbook that needs care.
    let mut fix = rule("snapshots", Verdict::AutoFix);
    fix.controls = vec!["RDS.1".into()];
    p.rules = vec![fix];
    assert_eq!(p.decide(&input(None, true, true)).verdict, Verdict::AutoFix);

    let stopped = control_finding("EC2.4", Severity::Medium, SANDBOX, "AwsEc2Instance");
    let d = decide(&p, &stopped, false, &NO_TAGS, saturday_noon());
    assert_eq!(d.verdict, Verdict::Manual);
    assert!(d.reason.contains("practitioners advise against automating"), "{}", d.reason);
}

static NO_TAGS: BTreeMap<String, String> = BTreeMap::new();
