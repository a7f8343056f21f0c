use crate::model::{read_any, read_any_document, ComplianceStatus, Finding, FindingFormat, ReadOutcome};
use crate::model::{RecordState, Severity, WorkflowStatus};
use serde_json::{json, Value};
use std::path::PathBuf;

/// A file of the shared OCSF samples (`../shared/ocsf`, read by path).
fn sample(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ocsf").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_sample(name: &str) -> Vec<Finding> {
    let outcome = read_any(&sample(name));
    assert!(outcome.problems.is_empty(), "{name}: {:?}", outcome.problems);
    for f in &outcome.findings {
        assert_eq!(f.format, FindingFormat::Ocsf, "{name}");
        assert!(f.warnings.is_empty(), "{name}: {}: {:?}", f.title, f.warnings);
    }
    outcome.findings
}

const NDJSON: &str = "elastic-integrations__test-findings.ndjson";

fn tag<'f>(f: &'f Finding, name: &str) -> Option<&'f str> {
    f.resources[0].tags.get(name).map(String::as_str)
}

#[test]
fn the_json_lines_sample_reads_every_finding_with_its_place_control_state_and_resource() {
    let all = read_sample(NDJSON);
    assert_eq!(all.len(), 10);
    assert!(all.iter().all(|f| *f.account_id == *"123456789012" && *f.region == *"us-east-2"));

    let sqs3 = &all[0];
    assert_eq!(&*sqs3.id, "d1bc4b01234567890123456789abcdefabcdefabcdefabcdef123456", "keyed by metadata.uid");
    assert_eq!(&*sqs3.product_arn, "arn:aws:securityhub:us-east-2::productv2/aws/securityhub");
    assert_eq!(
        sqs3.public_id(),
        "arn:aws:securityhub:us-east-2:123456789012:security-control/SQS.3/finding/7abcdef4-abcd-1234-5678-501234567894"
    );
    assert_eq!(&*sqs3.product_name, "Security Hub");
    assert_eq!(sqs3.control_id.as_deref(), Some("SQS.3"));
    assert_eq!(&*sqs3.generator_id, "security-control/SQS.3");
    assert_eq!(&*sqs3.title, "SQS queue access policies should not allow public access");
    assert!(sqs3.description.starts_with("This controls checks whether an Amazon SQS access policy"));
    assert_eq!((sqs3.severity, sqs3.workflow_status), (Severity::Informational, WorkflowStatus::Resolved));
    assert_eq!(sqs3.compliance_status, Some(ComplianceStatus::Passed));
    let queue = &sqs3.resources[0];
    assert_eq!(&*queue.kind, "AwsSqsQueue");
    assert_eq!(queue.id, "arn:aws:sqs:us-east-2:123456789012:securityhubfinding", "the ARN of uid_alt");
    assert_eq!(queue.region.as_deref(), Some("us-east-2"));
    assert!(queue.tags.is_empty());
    assert_eq!(sqs3.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2025-09-19T09:17:19.594+00:00"));
    assert_eq!(sqs3.first_observed_at.map(|t| t.timestamp_millis()), Some(1758273437503));
    assert_eq!(sqs3.updated_at.map(|t| t.timestamp_millis()), Some(1758273439594));
    assert!(sqs3.types.iter().any(|t| &**t == "Compliance Finding"));
    assert!(sqs3.raw.text().expect("raw").starts_with("{\"activity_id\":1,"), "compact OCSF JSON");

    let sqs1 = &all[1];
    assert_eq!(sqs1.control_id.as_deref(), Some("SQS.1"));
    assert_eq!((sqs1.severity, sqs1.workflow_status), (Severity::Medium, WorkflowStatus::New));
    assert_eq!(sqs1.compliance_status, Some(ComplianceStatus::Failed));
    assert!(sqs1.is_open());

    let iam1 = &all[2];
    assert_eq!(&*iam1.resources[0].kind, "AwsIamPolicy");
    assert_eq!(
        iam1.resources[0].id,
        "arn:aws:iam::123456789012:policy/service-role/Amazon_EventBridge_Invoke_Sqs_1412345678"
    );
    assert_eq!(iam1.resources[0].region, None, "global: the finding's region applies");

    let cve = &all[4];
    assert_eq!((&*cve.product_name, cve.control_id.as_deref()), ("Inspector", None));
    assert_eq!(&*cve.product_arn, "arn:aws:securityhub:us-east-2::productv2/aws/inspector");
    assert_eq!((cve.severity, cve.workflow_status, cve.compliance_status), (Severity::High, WorkflowStatus::New, None));
    assert_eq!((&*cve.resources[0].kind, cve.resources[0].id.as_str()), ("AwsEc2Instance", "i-0abcdef012345678b"));
    assert_eq!(cve.resources[0].tags.len(), 10);
    assert_eq!(tag(cve, "eks:cluster-name"), Some("demo_prod"));
    assert_eq!(cve.control_or_type(), "CVE");
    assert!(cve.types.iter().any(|t| &**t == "Vulnerability Finding"));

    let ssm1 = &all[7];
    assert_eq!(ssm1.control_id.as_deref(), Some("SSM.1"));
    assert_eq!((ssm1.severity, ssm1.compliance_status), (Severity::Medium, Some(ComplianceStatus::Failed)));
    assert_eq!(ssm1.resources[0].id, "arn:aws:ec2:us-east-2:123456789012:instance/i-abcd1235cdef1234");
    assert_eq!(ssm1.resources[0].tags.len(), 10);
    assert_eq!(tag(ssm1, "aws:ec2launchtemplate:version"), Some("6"));

    let redshift3 = &all[8];
    assert_eq!(redshift3.control_id.as_deref(), Some("Redshift.3"));
    assert_eq!(&*redshift3.resources[0].kind, "AwsAccount");
    assert_eq!(redshift3.resources[0].id, "AWS::::Account:123456789012", "as ASFF names an account");

    let lambda = &all[9];
    assert_eq!(&*lambda.resources[0].kind, "AwsLambdaFunction");
    assert!(lambda.resources[0].id.starts_with("arn:aws:lambda:us-east-2:123456789012:function:"));
    assert_eq!(lambda.resources[0].tags.len(), 3);
}

#[test]
fn a_single_finding_a_getfindingsv2_response_and_an_eventbridge_event_read_alike() {
    let single = read_sample("elastic-integrations__sample_event_original.json");
    assert_eq!(single.len(), 1);
    assert_eq!(single[0], read_sample(NDJSON)[0], "the first line of the JSON Lines sample");

    let response = read_sample("elastic-integrations__mock-config_getfindingsv2-response.json");
    let controls: Vec<_> = response.iter().map(|f| f.control_id.as_deref()).collect();
    assert_eq!(controls, [Some("IAM.1"), Some("KMS.1")]);
    for f in &response {
        assert_eq!((f.account_id.as_ref(), f.region.as_ref()), ("123456789012", "us-east-2"));
        assert_eq!((f.severity, f.workflow_status), (Severity::Informational, WorkflowStatus::Resolved));
        assert_eq!(f.compliance_status, Some(ComplianceStatus::Passed));
        assert_eq!((&*f.resources[0].kind, f.resources[0].region.as_deref()), ("AwsIamPolicy", None));
    }

    let event = read_sample("sumologic-docs__aws-security-hub-ocsf_eventbridge-guardduty.json");
    assert_eq!(event.len(), 1);
    let gd = &event[0];
    assert_eq!((gd.account_id.as_ref(), gd.region.as_ref()), ("869728294964", "us-east-1"));
    assert_eq!(
        (&*gd.product_name, &*gd.product_arn),
        ("GuardDuty", "arn:aws:securityhub:us-east-1::productv2/aws/guardduty")
    );
    assert_eq!(
        (gd.severity, gd.workflow_status, gd.record_state),
        (Severity::Low, WorkflowStatus::Suppressed, RecordState::Active)
    );
    assert_eq!((gd.control_id.as_deref(), gd.compliance_status), (None, None));
    assert_eq!((&*gd.resources[0].kind, gd.resources[0].id.as_str()), ("AwsIamAccessKey", "ASIA4U76YS3TEOA3O"));
    assert_eq!(gd.control_or_type(), "CloudTrailLoggingDisabled");
    assert!(gd.public_id().starts_with("arn:aws:guardduty:us-east-1:869728294630:detector/"));
    assert!(!gd.is_open(), "suppressed");
}

/// The SQS.1 finding of the samples (failed, new), as JSON to change.
fn sqs1() -> Value {
    let line = sample(NDJSON).lines().nth(1).expect("line 2").to_owned();
    serde_json::from_str(&line).expect("json")
}

fn read_one(finding: &Value) -> Finding {
    let mut outcome = read_any(&finding.to_string());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.findings.len(), 1);
    outcome.findings.remove(0)
}

fn warned(f: &Finding, fragment: &str) -> bool {
    f.warnings.iter().any(|w| w.contains(fragment))
}

#[test]
fn malformed_fields_are_warnings_that_name_the_field_and_cost_only_that_field() {
    let mut v = sqs1();
    v["severity_id"] = json!(99);
    v.as_object_mut().expect("object").remove("severity");
    let f = read_one(&v);
    assert_eq!(f.severity, Severity::Informational);
    assert!(warned(&f, "severity_id 99 (other) and no severity name: shown as INFORMATIONAL"), "{:?}", f.warnings);

    let mut v = sqs1();
    v["severity_id"] = json!("3");
    v["finding_info"]["types"] = json!(7);
    v["finding_info"]["created_time_dt"] = json!("yesterday");
    v["resources"][0]["tags"] = json!([{"name": "team", "value": "web"}, {"name": 5}]);
    let f = read_one(&v);
    assert_eq!(f.severity, Severity::Medium, "the severity name is read when the id is not a number");
    assert!(warned(&f, "severity_id is text, not a whole number"), "{:?}", f.warnings);
    assert!(warned(&f, "finding_info.types is a number, not a list"), "{:?}", f.warnings);
    assert!(warned(&f, "finding_info.created_time_dt \"yesterday\" is not an RFC 3339 time"), "{:?}", f.warnings);
    assert_eq!(f.created_at.map(|t| t.timestamp_millis()), Some(1758273447903), "the epoch milliseconds instead");
    assert!(warned(&f, "resources[0].tags[1] is not a {name, value} pair"), "{:?}", f.warnings);
    assert_eq!(f.resources[0].tags.get("team").map(String::as_str), Some("web"));
    assert_eq!(f.control_id.as_deref(), Some("SQS.1"));

    let mut v = sqs1();
    v["cloud"] = json!("us-east-2");
    v["status_id"] = json!(42);
    v["status"] = json!(["New"]);
    let f = read_one(&v);
    assert!(warned(&f, "cloud is text, not an object"), "{:?}", f.warnings);
    assert!(warned(&f, "no cloud.account.uid: account 123456789012 taken from resources[0].owner.account.uid"));
    assert_eq!(&*f.region, "us-east-2", "from the finding's ARN");
    assert!(warned(&f, "status_id 42 and no status name say no known status: shown as NEW"), "{:?}", f.warnings);

    let mut v = sqs1();
    v["cloud"].as_object_mut().expect("cloud").remove("account");
    v["resources"][0].as_object_mut().expect("resource").remove("owner");
    let f = read_one(&v);
    assert_eq!(&*f.account_id, "unknown");
    assert!(warned(&f, "no cloud.account.uid: account unknown"), "{:?}", f.warnings);
}

#[test]
fn escape_sequences_are_stripped_from_ocsf_text_as_from_asff() {
    let mut v = sqs1();
    v["finding_info"]["title"] = json!("\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}Fix \u{1b}[31mme\u{9b}2J");
    v["finding_info"]["desc"] = json!("line one\n\u{1b}[2Kline two");
    v["resources"][0]["tags"] = json!([{"name": "own\u{1b}[8mer", "value": "te\u{202e}am"}]);
    v["compliance"]["control"] = json!("SQS.1\u{1b}[0m");
    v["resources"][0]["owner"]["account"]["uid"] = json!("2222\u{1b}[2J");
    let f = read_one(&v);
    assert_eq!(&*f.title, "Fix me");
    assert_eq!(&*f.description, "line one\nline two");
    assert_eq!(f.resources[0].tags.get("owner").map(String::as_str), Some("team"));
    assert_eq!(f.control_id, None, "a control id with an escape in it is not one");
    assert!(warned(&f, "resources[0].owner.account.uid 2222 is not the finding's account 123456789012"));
    assert!(f.warnings.iter().all(|w| !w.contains('\u{1b}')), "{:?}", f.warnings);
}

#[test]
fn a_finding_without_identity_or_giving_it_twice_is_a_problem_and_the_rest_is_read() {
    let mut nameless = sqs1();
    nameless["metadata"].as_object_mut().expect("metadata").remove("uid");
    nameless["finding_info"].as_object_mut().expect("finding_info").remove("uid");
    let twice = sqs1().to_string().replacen("\"uid\":\"d1bc", "\"uid\":\"other\",\"uid\":\"d1bc", 1);
    let text = format!("{}\n{nameless}\n{{not json\n{twice}\n{}\n", sqs1(), read_sample_line(0));
    let ReadOutcome { findings, problems } = read_any(&text);
    assert_eq!(findings.len(), 2, "{problems:?}");
    let at: Vec<(&str, &str)> = problems.iter().map(|p| (p.location.as_str(), p.reason.as_str())).collect();
    assert!(
        at.iter().any(|(l, r)| *l == "line 2" && r.contains("neither metadata.uid nor finding_info.uid")),
        "{at:?}"
    );
    assert!(at.iter().any(|(l, r)| *l == "line 3" && r.contains("not valid JSON")), "{at:?}");
    assert!(at.iter().any(|(l, r)| *l == "line 4" && r.contains("\"metadata.uid\" given twice")), "{at:?}");
}

fn read_sample_line(n: usize) -> String {
    sample(NDJSON).lines().nth(n).expect("line").to_owned()
}

#[test]
fn any_member_of_any_type_reads_without_a_panic() {
    let base = sqs1();
    let odd = [json!(null), json!(true), json!(-1), json!(1e300), json!("x"), json!([]), json!([1, {}]), json!({})];
    let members: Vec<String> = base.as_object().expect("object").keys().cloned().collect();
    for member in members {
        for value in &odd {
            let mut v = base.clone();
            v[&member] = value.clone();
            let outcome = read_any(&v.to_string());
            assert_eq!(outcome.findings.len() + outcome.problems.len(), 1, "{member} = {value}");
        }
    }
}

#[test]
fn a_page_of_both_formats_keeps_the_asff_fast_path_and_reads_the_ocsf_findings() {
    let asff = |id: &str| {
        json!({"SchemaVersion": "2018-10-08", "Id": id, "GeneratorId": "security-control/S3.8",
            "ProductArn": "arn:aws:securityhub:us-east-2::product/aws/securityhub", "AwsAccountId": "123456789012",
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]})
    };
    let page = format!(r#"{{"Findings":[{},{},{}],"NextToken":null}}"#, asff("asff-1"), sqs1(), asff("asff-2"));
    for outcome in [read_any(&page), read_any_document(page.clone())] {
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let read: Vec<_> = outcome.findings.iter().map(|f| (f.format, f.control_id.as_deref())).collect();
        assert_eq!(
            read,
            [
                (FindingFormat::Asff, Some("S3.8")),
                (FindingFormat::Ocsf, Some("SQS.1")),
                (FindingFormat::Asff, Some("S3.8"))
            ]
        );
        assert!(format!("{:?}", outcome.findings[0].raw).contains("of a page"), "ASFF findings share the page");
    }
}
