use super::*;
use serde_json::{json, Value};

fn finding_json(id: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "111111111111",
        "Region": "eu-west-1",
        "Title": "S3 buckets should block public access",
        "Severity": {"Label": "HIGH"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Tags": {"team": "data"}}],
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Compliance": {"Status": "FAILED"},
        "UpdatedAt": "2024-07-24T19:07:18.543Z"
    })
}

fn ids(outcome: &ReadOutcome) -> Vec<&str> {
    outcome.findings.iter().map(|f| &*f.id).collect()
}

#[test]
fn single_finding() {
    let out = read_document(&finding_json("a").to_string());
    assert_eq!(ids(&out), ["a"]);
    let f = &out.findings[0];
    assert_eq!(f.control_id.as_deref(), Some("S3.8"));
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.resources[0].short_id(), "logs");
    assert_eq!(f.resources[0].tags.get("team").map(String::as_str), Some("data"));
    assert!(out.problems.is_empty());
}

#[test]
fn array_and_get_findings_response() {
    let arr = json!([finding_json("a"), finding_json("b")]);
    assert_eq!(ids(&read_document(&arr.to_string())), ["a", "b"]);
    let resp = json!({"Findings": [finding_json("c")], "NextToken": "x",
        "ResponseMetadata": {"HTTPStatusCode": 200}});
    assert_eq!(ids(&read_document(&resp.to_string())), ["c"]);
}

#[test]
fn eventbridge_event_lends_its_region_and_account() {
    let mut f = finding_json("e");
    let obj = f.as_object_mut().expect("object");
    obj.remove("Region");
    obj.remove("AwsAccountId");
    obj.insert("Id".into(), json!("plain-id"));
    obj.insert("ProductArn".into(), json!("arn:aws:securityhub:::product/aws/securityhub"));
    let event = json!({"version": "0", "detail-type": "Security Hub Findings - Imported",
        "account": "222222222222", "region": "ap-south-1", "detail": {"findings": [f]}});
    let out = read_document(&event.to_string());
    assert_eq!(&*out.findings[0].region, "ap-south-1");
    assert_eq!(&*out.findings[0].account_id, "222222222222");
}

#[test]
fn nested_wrapper_objects() {
    let wrapped = json!({"recorded": {"response": {"body": {"Findings": [finding_json("n")]}}}});
    assert_eq!(ids(&read_document(&wrapped.to_string())), ["n"]);
}

#[test]
fn json_lines() {
    let text = format!("{}\n\n{}\nnot json\n", finding_json("l1"), finding_json("l2"));
    let out = read_document(&text);
    assert_eq!(ids(&out), ["l1", "l2"]);
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].location, "line 4");
}

#[test]
fn region_falls_back_to_id_arn_then_product_arn_then_resources() {
    let mut f = finding_json("arn:aws:securityhub:us-west-2:111111111111:security-control/S3.8/finding/x");
    f.as_object_mut().expect("object").remove("Region");
    assert_eq!(&*read_document(&f.to_string()).findings[0].region, "us-west-2");

    let mut f = finding_json("plain");
    f.as_object_mut().expect("object").remove("Region");
    assert_eq!(&*read_document(&f.to_string()).findings[0].region, "eu-west-1");

    let mut f = finding_json("plain");
    let obj = f.as_object_mut().expect("object");
    obj.remove("Region");
    obj.insert("ProductArn".into(), json!("arn:aws:securityhub:::product/aws/securityhub"));
    obj.insert("Resources".into(), json!([{"Type": "Other", "Id": "x", "Region": "sa-east-1"}]));
    assert_eq!(&*read_document(&f.to_string()).findings[0].region, "sa-east-1");
}

#[test]
fn severity_derived_from_normalized_score() {
    let mut f = finding_json("s");
    f["Severity"] = json!({"Normalized": 72});
    assert_eq!(read_document(&f.to_string()).findings[0].severity, Severity::High);
}

#[test]
fn invalid_json_is_reported_with_position() {
    let out = read_document("{\"Findings\": [");
    assert!(out.findings.is_empty());
    assert!(out.problems[0].reason.starts_with("not valid JSON"), "{:?}", out.problems);
}

#[test]
fn foreign_objects_are_reported_and_findings_beside_them_kept() {
    let doc = json!([{"FindingIdentifiers": [], "Note": {}}, finding_json("ok")]);
    let out = read_document(&doc.to_string());
    assert_eq!(ids(&out), ["ok"]);
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].location, "$[0]");
    assert!(out.problems[0].reason.contains("not a Security Hub finding"));
}

#[test]
fn finding_without_id_is_reported() {
    let mut f = finding_json("x");
    f.as_object_mut().expect("object").remove("Id");
    let out = read_document(&f.to_string());
    assert!(out.findings.is_empty());
    assert_eq!(out.problems[0].reason, "finding has no Id");
}

#[test]
fn hostile_text_is_made_inert() {
    let mut f = finding_json("h");
    f["Title"] = json!("pwn\u{1b}]52;c;ZXZpbA==\u{7}ed\u{1b}[2J");
    let out = read_document(&f.to_string());
    assert_eq!(&*out.findings[0].title, "pwned");
}

#[test]
fn scalars_and_deep_nesting_do_not_panic() {
    for doc in ["1", "null", "\"x\"", "[]", "{}", "[[[[]]]]"] {
        let out = read_document(doc);
        assert!(out.findings.is_empty());
    }
    let deep = "[".repeat(100) + &"]".repeat(100);
    let _ = read_document(&deep);
}

#[test]
fn guardduty_finding_has_no_control_and_shows_its_type() {
    let f = json!({"SchemaVersion": "2018-10-08", "Id": "gd-1",
        "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
        "GeneratorId": "arn:aws:guardduty:us-east-1:111111111111:detector/d1",
        "AwsAccountId": "111111111111", "Types": ["TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"],
        "Title": "Unprotected port on EC2 instance is being probed", "Severity": {"Label": "LOW"},
        "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-east-1:111111111111:instance/i-1"}]});
    let out = read_document(&f.to_string());
    let finding = &out.findings[0];
    assert_eq!(finding.control_id, None);
    assert_eq!(finding.control_or_type(), "Recon:EC2-PortProbeUnprotectedPort");
    assert_eq!(&*finding.product_name, "guardduty");
    assert_eq!(&*finding.region, "us-east-1");
}

#[test]
fn broken_pretty_printed_json_is_one_problem_not_one_per_line() {
    let text = "{\n  \"Id\": \"x\",\n  \"ProductArn\": \"p\"\n  \"Title\": 1\n}\n";
    let out = read_document(text);
    assert!(out.findings.is_empty());
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    assert!(out.problems[0].location.starts_with("line 4"), "{:?}", out.problems);
}

#[test]
fn finding_identifiers_are_not_findings() {
    let doc = json!([{"FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}], "Workflow": {"Status": "SUPPRESSED"}}]);
    let out = read_document(&doc.to_string());
    assert!(out.findings.is_empty());
    assert_eq!(out.problems.len(), 1);
    assert!(out.problems[0].reason.contains("not a Security Hub finding"), "{:?}", out.problems);
}
