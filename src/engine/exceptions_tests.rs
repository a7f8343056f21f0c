//! Exception input checks, entries read from tags, their order, and resource types told from ids and ARNs.

use super::*;
use crate::cloud::TaggedResource;
use crate::config::ExceptionsConfig;
use crate::model::ResourceRef;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z").expect("time").with_timezone(&Utc)
}

fn input(kind: &str, reason: &str, expires: &str) -> ExceptionInput {
    ExceptionInput {
        account_id: "345678901234".into(),
        region: "eu-west-1".into(),
        resource: ResourceRef {
            kind: kind.into(),
            id: "arn:aws:s3:::b".into(),
            region: None,
            tags: Default::default(),
            details: None,
        },
        reason: reason.into(),
        expires: expires.into(),
        owner: String::new(),
        controls: String::new(),
    }
}

fn check(kind: &str, reason: &str, expires: &str) -> Result<ValidException, String> {
    validate(&input(kind, reason, expires), &ExceptionsConfig::default(), "alice", now())
}

#[test]
fn valid_input_gives_the_tag_values() {
    let v = check("AwsS3Bucket", "  vendor needs it ", "30d").expect("valid");
    assert_eq!(v.reason, "vendor needs it");
    assert_eq!(v.expires_tag, "2026-12-21");
    assert_eq!(v.owner, "alice", "the operator owns it by default");
    let v = check("AwsEc2SecurityGroup", "x", "2027-01-05").expect("a date");
    assert_eq!(v.expires_tag, "2027-01-05");
    let v = check("AwsS3Bucket", "x", "").expect("default length");
    assert_eq!(v.expires_tag, "2026-12-21", "exceptions.default_days is 30");
}

#[test]
fn bad_input_is_refused_with_the_field_and_reason() {
    let cases = [
        ("AwsS3Bucket", " ", "10d", "reason: an exception needs a reason"),
        ("AwsS3Bucket", "x", "2026-11-01", "is in the past"),
        ("AwsS3Bucket", "x", "0d", "is not in the future"),
        ("AwsS3Bucket", "x", "91d", "beyond the maximum of 90 days"),
        ("AwsS3Bucket", "x", "next week", "expires:"),
        ("AwsAccount", "x", "10d", "AwsAccount resources cannot carry tags"),
        ("AwsS3Bucket", "two\nlines", "10d", "on one line"),
    ];
    for (kind, reason, expires, message) in cases {
        let err = check(kind, reason, expires).expect_err(message);
        assert!(err.contains(message), "{kind} {reason:?} {expires:?}: {err}");
    }
}

fn tagged(pairs: &[(&str, &str)]) -> TaggedResource {
    TaggedResource {
        resource_type: "AwsS3Bucket".into(),
        resource_id: "arn:aws:s3:::b".into(),
        tags: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn entry(pairs: &[(&str, &str)]) -> Option<ExceptionEntry> {
    ExceptionEntry::from_tags("1", "eu-west-1", &tagged(pairs), &ExceptionsConfig::default(), now())
}

#[test]
fn entries_read_status_and_days_left() {
    let owned = |expiry: &str| {
        entry(&[("SecurityException", "r"), ("SecurityExceptionExpiry", expiry), ("SecurityExceptionOwner", "o")])
    };
    let valid = owned("2026-12-21").expect("entry");
    assert_eq!((valid.status.clone(), valid.days_left), (ExceptionStatus::Valid, Some(30)));
    assert!(valid.status.applies() && valid.flag.is_none());
    let soon = owned("2026-11-25").expect("entry");
    assert_eq!(soon.status, ExceptionStatus::ExpiringSoon);
    let expired = entry(&[("SecurityException", "r"), ("SecurityExceptionExpiry", "2026-11-10")]).expect("entry");
    assert_eq!(expired.status, ExceptionStatus::Expired);
    assert_eq!(expired.status_text(), "expired 11 days ago");
    let invalid = entry(&[("SecurityException", "r\u{1b}[31m"), ("SecurityExceptionExpiry", "soon")]).expect("entry");
    assert!(matches!(&invalid.status, ExceptionStatus::Invalid(why) if why.contains("soon")), "{invalid:?}");
    assert!(invalid.reason.starts_with('r') && !invalid.reason.contains('\u{1b}'), "sanitized: {:?}", invalid.reason);
    assert!(!invalid.status.applies());
    assert_eq!(entry(&[("team", "x")]), None);
}

#[test]
fn exceptions_outside_the_limits_are_flagged_and_not_honoured_unless_the_config_says_so() {
    let forever = tagged(&[("SecurityException", "r"), ("SecurityExceptionExpiry", "2099-01-01")]);
    let enforced =
        ExceptionEntry::from_tags("1", "eu-west-1", &forever, &ExceptionsConfig::default(), now()).expect("entry");
    assert!(matches!(&enforced.status, ExceptionStatus::NotHonoured(why) if why.contains("max_days")), "{enforced:?}");
    assert!(!enforced.status.applies());
    assert_eq!(enforced.status.word(), "not-honoured");
    assert!(enforced.status_text().starts_with("not honoured: it runs"), "{}", enforced.status_text());
    assert!(enforced.flag.as_deref().is_some_and(|f| f.contains("no SecurityExceptionOwner tag")));

    let lenient = ExceptionsConfig { enforce_limits: false, ..ExceptionsConfig::default() };
    let flagged = ExceptionEntry::from_tags("1", "eu-west-1", &forever, &lenient, now()).expect("entry");
    assert_eq!(flagged.status, ExceptionStatus::Valid);
    assert!(flagged.status_text().starts_with("valid, flagged: it runs"), "{}", flagged.status_text());
}

#[test]
fn entries_sort_by_expiry_with_unreadable_ones_last() {
    let mut entries: Vec<ExceptionEntry> = [
        entry(&[("SecurityException", "a"), ("SecurityExceptionExpiry", "nope")]),
        entry(&[("SecurityException", "b"), ("SecurityExceptionExpiry", "2026-12-21")]),
        entry(&[("SecurityException", "c"), ("SecurityExceptionExpiry", "2026-11-10")]),
    ]
    .into_iter()
    .flatten()
    .collect();
    sort_entries(&mut entries);
    let reasons: Vec<&str> = entries.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["c", "b", "a"]);
    assert!(entries[0].ends_within(7, now()) && !entries[1].ends_within(7, now()) && !entries[2].ends_within(7, now()));
}

#[test]
fn resource_types_are_told_from_arns_and_id_prefixes() {
    assert_eq!(resource_type_of("arn:aws:s3:::my-bucket"), Some("AwsS3Bucket"));
    assert_eq!(resource_type_of("sg-0123"), Some("AwsEc2SecurityGroup"));
    assert_eq!(resource_type_of("i-0123"), Some("AwsEc2Instance"));
    assert_eq!(resource_type_of("arn:aws:ec2:eu-west-1:1:security-group/sg-1"), Some("AwsEc2SecurityGroup"));
    assert_eq!(resource_type_of("arn:aws:ec2:eu-west-1:1:instance/i-1"), Some("AwsEc2Instance"));
    assert_eq!(resource_type_of("my-bucket"), None);
    assert_eq!(resource_type_of("arn:aws:iam::1:user/bob"), Some("AwsIamUser"));
    assert_eq!(resource_type_of("arn:aws:iam::1:role/ci"), Some("AwsIamRole"));
    assert_eq!(resource_type_of("arn:aws:kms:eu-west-1:1:key/1234"), Some("AwsKmsKey"));
    assert_eq!(resource_type_of("arn:aws:kms:eu-west-1:1:alias/prod"), None);
    assert_eq!(resource_type_of("arn:aws:lambda:eu-west-1:1:function:f"), None);
    assert_eq!(canonical_id("AwsIamUser", "bob", "1", "eu-west-1"), "arn:aws:iam::1:user/bob");
    assert_eq!(canonical_id("AwsKmsKey", "1234", "1", "eu-west-1"), "arn:aws:kms:eu-west-1:1:key/1234");
    assert_eq!(canonical_id("AwsS3Bucket", "b", "1", "eu-west-1"), "arn:aws:s3:::b");
    assert_eq!(canonical_id("AwsEc2Instance", "i-1", "1", "eu-west-1"), "arn:aws:ec2:eu-west-1:1:instance/i-1");
    assert_eq!(short_id("arn:aws:ec2:eu-west-1:1:security-group/sg-1"), "sg-1");
}

#[test]
fn entries_carry_the_controls_they_are_limited_to() {
    let base = [("SecurityException", "r"), ("SecurityExceptionExpiry", "2099-01-01"), ("SecurityExceptionOwner", "o")];
    let all = entry(&base).expect("entry");
    assert_eq!(all.controls, None);
    assert_eq!(all.controls_text(), "all");
    let mut limited = base.to_vec();
    limited.push(("SecurityExceptionControls", "EC2.13,KMS.*"));
    let limited = entry(&limited).expect("entry");
    assert_eq!(limited.controls, Some(vec!["EC2.13".to_string(), "KMS.*".to_string()]));
    assert_eq!(limited.controls_text(), "EC2.13, KMS.*");
}
