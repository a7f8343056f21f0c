use super::*;
use crate::model::testing::control_finding;
use crate::model::Severity;

const ACCOUNT: &str = "111111111111";

fn finding(product_arn: &str, resource_id: &str) -> Finding {
    let mut f = control_finding("S3.8", Severity::High, ACCOUNT, "AwsS3Bucket");
    f.product_arn = product_arn.into();
    f.resources[0].id = resource_id.into();
    f
}

fn untrusted_reason(provenance: Provenance) -> String {
    match provenance {
        Provenance::Untrusted(why) => why,
        other => panic!("expected untrusted, got {other:?}"),
    }
}

#[test]
fn security_hub_control_findings_in_their_own_region_are_trusted() {
    let none = TrustedProducts::default();
    for product in [
        "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "arn:aws:securityhub:eu-west-1::productv2/aws/securityhub",
    ] {
        assert_eq!(none.provenance(&finding(product, "arn:aws:s3:::acme-logs")), Provenance::SecurityHub, "{product}");
    }
    let sg = format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-1");
    let f = finding("arn:aws:securityhub:eu-west-1::product/aws/securityhub", &sg);
    assert_eq!(none.provenance(&f), Provenance::SecurityHub);
    let f = finding("arn:aws:securityhub:eu-west-1::product/aws/securityhub", &format!("AWS::::Account:{ACCOUNT}"));
    assert_eq!(none.provenance(&f), Provenance::SecurityHub);
}

#[test]
fn a_member_accounts_own_product_claiming_a_control_is_not_trusted_and_the_reason_names_it() {
    let product = format!("arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default");
    let why = untrusted_reason(TrustedProducts::default().provenance(&finding(&product, "arn:aws:s3:::acme-logs")));
    assert!(why.contains(&product) && why.contains("not Security Hub's own controls"), "{why}");
    assert!(why.contains("trusted_products"), "says how to widen trust: {why}");
}

#[test]
fn partner_products_and_look_alikes_are_not_trusted() {
    for product in [
        "arn:aws:securityhub:eu-west-1::product/prowler/prowler",
        "arn:aws:securityhub:eu-west-1::product/aws/guardduty",
        "arn:aws:securityhub:eu-west-1:222222222222:product/aws/securityhub",
        "arn:aws:securityhub:eu-west-1::product/aws/securityhub-fake",
        "arn:aws:evil:eu-west-1::product/aws/securityhub",
        "product/aws/securityhub",
    ] {
        let provenance = TrustedProducts::default().provenance(&finding(product, "arn:aws:s3:::acme-logs"));
        assert!(matches!(provenance, Provenance::Untrusted(_)), "{product}: {provenance:?}");
    }
}

#[test]
fn security_hubs_product_in_another_region_or_partition_is_not_trusted() {
    for product in [
        "arn:aws:securityhub:us-east-1::product/aws/securityhub",
        "arn:aws-cn:securityhub:eu-west-1::product/aws/securityhub",
    ] {
        let why = untrusted_reason(TrustedProducts::default().provenance(&finding(product, "arn:aws:s3:::b")));
        assert!(why.contains("eu-west-1"), "{why}");
    }
}

#[test]
fn a_product_the_config_trusts_may_drive_a_fix_and_says_so() {
    let product = format!("arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default");
    let trusted = TrustedProducts(vec![format!("arn:aws:securityhub:*:{ACCOUNT}:product/{ACCOUNT}/default")]);
    let provenance = trusted.provenance(&finding(&product, "arn:aws:s3:::acme-logs"));
    assert_eq!(provenance, Provenance::TrustedByConfig(trusted.0[0].clone()));
    let other = TrustedProducts(vec!["arn:aws:securityhub:*:999999999999:product/*".into()]);
    assert!(matches!(other.provenance(&finding(&product, "arn:aws:s3:::b")), Provenance::Untrusted(_)));
}

#[test]
fn a_resource_of_another_account_region_or_partition_is_not_trusted_even_from_security_hub() {
    let product = "arn:aws:securityhub:eu-west-1::product/aws/securityhub";
    for (resource, says) in [
        ("arn:aws:ec2:eu-west-1:222222222222:security-group/sg-1", "in account 222222222222"),
        ("arn:aws:ec2:us-east-1:111111111111:security-group/sg-1", "in region us-east-1"),
        ("arn:aws-cn:s3:::bucket", "in partition aws-cn"),
        ("AWS::::Account:222222222222", "account 222222222222"),
    ] {
        let why = untrusted_reason(TrustedProducts::default().provenance(&finding(product, resource)));
        assert!(why.contains(says), "{resource}: {why}");
    }
    let mut f = finding(product, "arn:aws:s3:::bucket");
    f.resources[0].region = Some("ap-south-1".into());
    assert!(untrusted_reason(TrustedProducts::default().provenance(&f)).contains("ap-south-1"));
    // Trusting a product does not trust a resource elsewhere.
    let trusted = TrustedProducts(vec!["*".into()]);
    let f = finding(product, "arn:aws:ec2:eu-west-1:222222222222:security-group/sg-1");
    assert!(matches!(trusted.provenance(&f), Provenance::Untrusted(_)));
}

#[test]
fn globs_match_runs_of_characters() {
    assert!(glob_matches("*", "anything"));
    assert!(glob_matches("a*c", "abc") && glob_matches("a*c", "ac"));
    assert!(glob_matches("arn:*:x/*/y", "arn:aws:x/1/2/y"));
    assert!(!glob_matches("a*c", "ab") && !glob_matches("abc", "abcd") && !glob_matches("a*b*a", "ab"));
    assert!(glob_matches("a*b*a", "aba") && glob_matches("a*b*a", "abba") && !glob_matches("ab*ba", "aba"));
}

#[test]
fn ocsf_security_hub_control_findings_are_trusted_and_other_ocsf_products_are_not() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/ocsf/elastic-integrations__test-findings.ndjson");
    let findings = crate::model::read_any(&std::fs::read_to_string(path).expect("OCSF sample")).findings;
    let none = TrustedProducts::default();
    // SQS.1 on a queue; IAM.1 on a global policy (`region: global`); Redshift.3 on the account.
    for i in [1, 2, 8] {
        assert_eq!(none.provenance(&findings[i]), Provenance::SecurityHub, "{}", findings[i].title);
    }
    let mut inspector = findings[4].clone();
    inspector.control_id = Some("EC2.8".into());
    let why = untrusted_reason(none.provenance(&inspector));
    assert!(why.contains("productv2/aws/inspector") && why.contains("(Inspector)"), "{why}");
}
