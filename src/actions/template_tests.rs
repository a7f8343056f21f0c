use super::*;
use crate::model::asff::read_value;
use serde_json::json;

/// A security group finding whose title is `title`.
pub(crate) fn finding(title: &str) -> Finding {
    let asff = json!({
        "SchemaVersion": "2018-10-08",
        "Id": "arn:aws:securityhub:eu-west-1:111111111111:security-control/EC2.19/finding/abc",
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/EC2.19",
        "AwsAccountId": "111111111111",
        "Region": "eu-west-1",
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "CRITICAL"},
        "Title": title,
        "Description": "d",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.19"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{
            "Type": "AwsEc2SecurityGroup",
            "Id": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0123",
            "Region": "eu-west-1"
        }]
    });
    let outcome = read_value(&asff);
    outcome.findings.into_iter().next().expect("a finding")
}

fn render(text: &str, f: &Finding) -> String {
    Template::parse(text).expect("valid template").render(f)
}

#[test]
fn every_placeholder_has_its_value() {
    let f = finding("Security groups should not allow unrestricted access");
    let all = Placeholder::ALL.iter().map(|p| format!("{}={{{}}}", p.name(), p.name())).collect::<Vec<_>>();
    let out = render(&all.join("|"), &f);
    assert_eq!(
        out,
        "id=arn:aws:securityhub:eu-west-1:111111111111:security-control/EC2.19/finding/abc\
         |product_arn=arn:aws:securityhub:eu-west-1::product/aws/securityhub|account=111111111111|region=eu-west-1\
         |resource_id=sg-0123|resource_arn=arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0123\
         |resource_type=AwsEc2SecurityGroup|control=EC2.19\
         |title=Security groups should not allow unrestricted access|severity=CRITICAL|workflow=NEW\
         |generator=security-control/EC2.19"
    );
}

#[test]
fn doubled_braces_are_literal() {
    let f = finding("t");
    assert_eq!(render("{{\"id\": \"{id}\"}} {{region}}", &f), format!("{{\"id\": \"{}\"}} {{region}}", f.id));
}

#[test]
fn unknown_and_malformed_placeholders_are_errors() {
    let e = Template::parse("--group {sg_id}").expect_err("unknown");
    assert!(e.0.contains("unknown placeholder {sg_id}") && e.0.contains("{resource_id}"), "{e}");
    let e = Template::parse("{region").expect_err("unclosed");
    assert!(e.0.contains("without a closing"), "{e}");
    let e = Template::parse("a } b").expect_err("lone");
    assert!(e.0.contains("lone '}'"), "{e}");
    assert!(!Template::parse("plain").expect("plain").has_placeholders());
}

#[test]
fn shell_syntax_in_a_value_is_plain_text_in_one_string() {
    let hostile = "x $(touch /tmp/pwned) `id` ; rm -rf / && echo 'q' \"d\" | cat\nline2";
    let f = finding(hostile);
    let out = render("--title={title}", &f);
    assert_eq!(out, format!("--title={}", Placeholder::Title.value(&f)));
    assert!(out.contains("$(touch /tmp/pwned) `id` ; rm -rf / && echo 'q' \"d\" | cat"), "{out}");
    assert!(!out.contains('\n'), "newlines are kept out: {out:?}");
}

#[test]
fn values_are_inert_and_bounded() {
    let f = finding(&format!("a\u{1b}]52;c;ZXZpbA==\u{7}b\u{202E}c{}", "x".repeat(5000)));
    let title = Placeholder::Title.value(&f);
    assert!(title.starts_with("abc"), "{title:?}");
    assert_eq!(title.chars().count(), MAX_VALUE_CHARS);
    assert!(title.ends_with('…'));
}
