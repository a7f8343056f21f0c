//! OCSF findings (the new Security Hub) from files, as a user meets them: `--findings` over a directory that mixes
//! an ASFF export with OCSF ones (the shared samples, linked by path, and findings built from their shapes), read by
//! the real binary. An OCSF control finding is triaged and planned exactly as its ASFF twin; one from another
//! product drives no playbook; config rules and exception tags apply alike.

use assert_cmd::Command;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

mod common;

/// The account and region of the ASFF S3.8 sample, which the OCSF twin shares.
const ACCOUNT: &str = "111111111111";
const ASFF_S3_8: &str = "automated-security-response-on-aws/simdata__afsbp-s3.8.json";
const OCSF_FILES: [&str; 4] = [
    "elastic-integrations__test-findings.ndjson",
    "elastic-integrations__sample_event_original.json",
    "elastic-integrations__mock-config_getfindingsv2-response.json",
    "sumologic-docs__aws-security-hub-ocsf_eventbridge-guardduty.json",
];

fn ocsf_samples() -> PathBuf {
    common::asff_corpus().join("../ocsf")
}

/// The SQS.1 finding of the samples (a failed Security Hub control), whose shape the built findings take.
fn sample_shape() -> Value {
    let text = std::fs::read_to_string(ocsf_samples().join(OCSF_FILES[0])).expect("OCSF sample");
    serde_json::from_str(text.lines().nth(1).expect("line 2")).expect("JSON")
}

/// A failed S3.8 finding on `bucket`, as the new Security Hub writes one; `product` is (name, uid).
fn ocsf_s3_8(bucket: &str, product: (&str, &str), tags: Value) -> Value {
    let mut v = sample_shape();
    v["cloud"] = json!({"account": {"uid": ACCOUNT}, "provider": "AWS", "region": "us-east-1"});
    v["compliance"]["control"] = json!("S3.8");
    v["finding_info"]["uid"] =
        json!(format!("arn:aws:securityhub:us-east-1:{ACCOUNT}:security-control/S3.8/finding/{bucket}"));
    v["finding_info"]["title"] = json!("S3.8 S3 Block Public Access setting should be enabled at the bucket-level");
    v["metadata"]["uid"] = json!(format!("ocsf-{bucket}-{}", product.0));
    v["metadata"]["product"] = json!({"name": product.0, "uid": product.1, "vendor_name": "AWS"});
    v["severity"] = json!("High");
    v["severity_id"] = json!(4);
    v["resources"] = json!([{
        "cloud_partition": "aws", "owner": {"account": {"uid": ACCOUNT}}, "region": "us-east-1",
        "type": "AWS::S3::Bucket", "uid": bucket, "uid_alt": format!("arn:aws:s3:::{bucket}"), "tags": tags,
    }]);
    v
}

const SECURITY_HUB: (&str, &str) = ("Security Hub", "arn:aws:securityhub:us-east-1::productv2/aws/securityhub");
const INSPECTOR: (&str, &str) = ("Inspector", "arn:aws:securityhub:us-east-1::productv2/aws/inspector");

/// A directory of the ASFF S3.8 sample and the OCSF samples (links to them) and `built` (a JSON array).
fn input(built: &[Value]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    symlink(common::asff_corpus().join(ASFF_S3_8), dir.path().join("asff-s3.8.json")).expect("link");
    for name in OCSF_FILES {
        symlink(ocsf_samples().join(name), dir.path().join(name)).expect("link");
    }
    std::fs::write(dir.path().join("built.json"), Value::from(built.to_vec()).to_string()).expect("write");
    dir
}

/// `hubtriage [--config FILE] --findings DIR ARGS…`: stdout, stderr, exit status.
fn run(dir: &Path, config: Option<&Path>, args: &[&str]) -> (String, String, i32) {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HOME", home.path()).env("HUBTRIAGE_LOG", home.path().join("log"));
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    let output = cmd.arg("--findings").arg(dir).args(args).output().expect("runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (text(&output.stdout), text(&output.stderr), output.status.code().unwrap_or(-1))
}

fn plan(dir: &Path, config: Option<&Path>) -> Vec<Value> {
    let (stdout, stderr, code) = run(dir, config, &["plan", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("a JSON array ({e}): {stdout}"))
}

fn entry<'a>(entries: &'a [Value], id_part: &str) -> &'a Value {
    let mut found = entries.iter().filter(|e| e["id"].as_str().is_some_and(|id| id.contains(id_part)));
    let first = found.next().unwrap_or_else(|| panic!("{id_part} is listed"));
    assert!(found.next().is_none(), "{id_part} is listed once");
    first
}

#[test]
fn a_directory_of_asff_and_ocsf_lists_both_and_an_ocsf_control_finding_is_planned_as_its_asff_twin() {
    let twin = ocsf_s3_8("example", SECURITY_HUB, json!([]));
    let claimed = ocsf_s3_8("claimed-by-inspector", INSPECTOR, json!([]));
    let dir = input(&[twin, claimed]);
    let entries = plan(dir.path(), None);

    // 14 OCSF findings in the samples, 11 distinct (a finding read twice is listed once); the ASFF sample; the two
    // built.
    assert_eq!(entries.len(), 14, "{entries:#?}");
    let formats: Vec<&str> = entries.iter().filter_map(|e| e["format"].as_str()).collect();
    assert_eq!(formats.iter().filter(|f| **f == "asff").count(), 1);
    assert_eq!(formats.iter().filter(|f| **f == "ocsf").count(), 13);

    let sqs1 = entry(&entries, "security-control/SQS.1/finding/");
    assert_eq!(sqs1["format"], "ocsf");
    assert_eq!(
        (&sqs1["account_id"], &sqs1["region"], &sqs1["control_id"]),
        (&json!("123456789012"), &json!("us-east-2"), &json!("SQS.1"))
    );
    assert_eq!((&sqs1["severity"], &sqs1["workflow_status"]), (&json!("MEDIUM"), &json!("NEW")));
    assert_eq!(
        (&sqs1["resource_type"], &sqs1["resource_id"]),
        (&json!("AwsSqsQueue"), &json!("arn:aws:sqs:us-east-2:123456789012:securityhubfinding"))
    );
    assert_eq!(sqs1["product_arn"], "arn:aws:securityhub:us-east-2::productv2/aws/securityhub");
    assert_eq!(
        (&sqs1["verdict"], &sqs1["reason"]),
        (&json!("no-playbook"), &json!("no playbook handles control SQS.1"))
    );
    let guardduty = entry(&entries, "arn:aws:guardduty:us-east-1:");
    assert_eq!((&guardduty["severity"], &guardduty["workflow_status"]), (&json!("LOW"), &json!("SUPPRESSED")));
    assert_eq!(guardduty["resource_type"], "AwsIamAccessKey");

    let asff = entry(&entries, "subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/");
    let ocsf = entry(&entries, "security-control/S3.8/finding/example");
    assert_eq!((&asff["format"], &ocsf["format"]), (&json!("asff"), &json!("ocsf")));
    for field in ["account_id", "region", "control_id", "severity", "workflow_status", "resource_type", "resource_id"] {
        assert_eq!(ocsf[field], asff[field], "{field}");
    }
    assert_eq!((&ocsf["verdict"], &ocsf["reason"]), (&asff["verdict"], &asff["reason"]));
    assert_eq!(ocsf["plan"]["playbook"], "s3-bucket-block-public-access");
    assert_eq!(ocsf["plan"], asff["plan"], "the same plan, fingerprint included");
    assert_eq!(ocsf["errors"], json!([]));

    let claimed = entry(&entries, "security-control/S3.8/finding/claimed-by-inspector");
    assert_eq!((&claimed["control_id"], &claimed["verdict"]), (&json!("S3.8"), &json!("no-playbook")));
    let reason = claimed["reason"].as_str().expect("reason");
    assert!(
        reason.contains("productv2/aws/inspector") && reason.contains("not Security Hub's own controls"),
        "{reason}"
    );
    assert_eq!(claimed["plan"], Value::Null);

    // The id the plan lists is the one `apply --finding` takes (offline, it names the finding and plans nothing).
    let id = ocsf["id"].as_str().expect("id");
    let (stdout, stderr, _) = run(dir.path(), None, &["apply", "--finding", id]);
    assert!(!stderr.contains("not found"), "{stderr}");
    assert!(stdout.starts_with(&format!("{id} S3.8 arn:aws:s3:::example in {ACCOUNT}/us-east-1")), "{stdout}");
}

#[test]
fn config_rules_in_either_spelling_and_exception_tags_apply_to_ocsf_findings_as_to_asff() {
    let expiry = (Utc::now() + Duration::days(30)).format("%Y-%m-%d").to_string();
    let tags = json!([
        {"name": "SecurityException", "value": "public website bucket"},
        {"name": "SecurityExceptionExpiry", "value": expiry},
        {"name": "SecurityExceptionOwner", "value": "web-team"},
        {"name": "empty", "value": ""},
    ]);
    let dir = input(&[ocsf_s3_8("example", SECURITY_HUB, json!([])), ocsf_s3_8("www", SECURITY_HUB, tags)]);
    let config = dir.path().join("config.toml");
    let rule = r#"[[policy.rules]]
name = "buckets-auto-fix"
verdict = "auto-fix"
resource_types = ["AWS::S3::Bucket"]
"#;
    std::fs::write(&config, rule).expect("config");
    // The config file sits in the input directory: it is not JSON, so it is not read as findings.
    let entries = plan(dir.path(), Some(&config));

    for id_part in ["v/1.0.0/S3.8/finding/", "security-control/S3.8/finding/example"] {
        let e = entry(&entries, id_part);
        assert_eq!(e["verdict"], "auto-fix", "{id_part}: {e:#}");
        assert!(e["reason"].as_str().is_some_and(|r| r.contains("buckets-auto-fix")), "{e:#}");
    }
    let excepted = entry(&entries, "security-control/S3.8/finding/www");
    assert_eq!(excepted["verdict"], "excepted", "{excepted:#}");
    assert_eq!(excepted["exception"]["reason"], "public website bucket");
    assert_eq!(excepted["exception"]["owner"], "web-team");
}

#[test]
fn malformed_ocsf_is_named_by_file_line_and_field_and_the_rest_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut hostile = sample_shape();
    hostile["finding_info"]["title"] =
        json!("\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}Queues \u{1b}[31mshould\u{9b}2J not be public");
    hostile["severity_id"] = json!(99);
    hostile.as_object_mut().expect("object").remove("severity");
    hostile["cloud"].as_object_mut().expect("cloud").remove("account");
    hostile["resources"][0].as_object_mut().expect("resource").remove("owner");
    let mut nameless = sample_shape();
    nameless["metadata"] = json!("not an object");
    nameless["finding_info"] = json!(["not", "an", "object"]);
    let lines = [hostile.to_string(), nameless.to_string(), "{\"class_uid\": 2003,".into()];
    std::fs::write(dir.path().join("broken.ndjson"), lines.join("\n")).expect("write");

    let (stdout, stderr, code) = run(dir.path(), None, &["plan", "--format", "json"]);
    assert_eq!(code, 2, "partial: some input unreadable\n{stderr}");
    assert!(
        stderr.contains("broken.ndjson: line 2: OCSF finding has neither metadata.uid nor finding_info.uid"),
        "{stderr}"
    );
    assert!(stderr.contains("broken.ndjson: line 3") && stderr.contains("not valid JSON"), "{stderr}");
    assert!(!stdout.contains('\u{1b}') && !stdout.contains("\\u001b"), "{stdout}");
    let entries: Vec<Value> = serde_json::from_str(&stdout).expect("a JSON array");
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["title"], "Queues should not be public");
    assert_eq!((&e["severity"], &e["account_id"]), (&json!("INFORMATIONAL"), &json!("unknown")));
    let errors = e["errors"].to_string();
    assert!(errors.contains("severity_id 99 (other) and no severity name"), "{errors}");
    assert!(errors.contains("no cloud.account.uid: account unknown"), "{errors}");
}
