//! Provenance on moto, through the real binary: a member account imports findings under its own product that claim
//! Security Hub controls (BatchImportFindings lets it), and a control finding names another account's resource.
//! None of them gets a plan, even with an auto-fix rule and auto-fix on, and `apply --yes` changes nothing; Security
//! Hub's own finding on the same bucket does get its plan, and trusting the product in the config gives the imported
//! one its plan with a reason that says so.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use serde_json::{json, Value};
use std::time::Duration;
use support::asff::s3_8_asff;
use support::http::aws_call;
use support::moto::moto;
use support::s3::{code_of, new_bucket};
use support::seed::assume;

const ROLE: &str = "HubtriageRemediation";
const ACCOUNT: &str = "222222222222";
const OTHER_ACCOUNT: &str = "333333333333";
const REGION: &str = "eu-west-1";
const BUCKET: &str = "provenance-target";

fn own_product() -> String {
    format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default")
}

/// An S3.8 finding on the bucket imported by the member account under its own product.
fn forged_s3_8() -> Value {
    let mut f = s3_8_asff(ACCOUNT, REGION, BUCKET, "forged");
    f["Id"] = json!(format!("{ACCOUNT}/forged-s3-8"));
    f["ProductArn"] = json!(own_product());
    f
}

/// A control finding in the right product, about a security group of another account.
fn foreign_group_ec2_19() -> Value {
    let mut f = s3_8_asff(ACCOUNT, REGION, BUCKET, "foreign-group");
    f["GeneratorId"] = json!("security-control/EC2.19");
    f["Compliance"] = json!({"Status": "FAILED", "SecurityControlId": "EC2.19"});
    f["Resources"] = json!([{
        "Type": "AwsEc2SecurityGroup",
        "Id": format!("arn:aws:ec2:{REGION}:{OTHER_ACCOUNT}:security-group/sg-0123456789abcdef0"),
        "Region": REGION
    }]);
    f
}

fn import(port: u16, findings: &[Value]) {
    let keys = assume(port, ACCOUNT, ROLE);
    let r = aws_call(port, &keys, ("securityhub", REGION), "POST", "/accounts", "application/json", b"{}");
    assert!(r.status == 200 || r.body.contains("ResourceConflict"), "EnableSecurityHub: {} {}", r.status, r.body);
    let body = serde_json::to_vec(&json!({ "Findings": findings })).unwrap();
    let r = aws_call(port, &keys, ("securityhub", REGION), "POST", "/findings/import", "application/json", &body);
    assert_eq!(r.status, 200, "BatchImportFindings: {}", r.body);
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()["FailedCount"], 0, "{}", r.body);
}

/// The binary, hermetic, against moto, with auto-fix rules for S3 and EC2 and auto-fix on.
fn hubtriage(endpoint: &str, dir: &tempfile::TempDir, extra_config: &str) -> Command {
    let text = format!(
        "{extra_config}\n[[policy.rules]]\nname = \"fix-everything\"\nverdict = \"auto-fix\"\ncontrols = [\"S3.*\", \"EC2.*\"]\n"
    );
    let mut cmd = support::binary::hubtriage(endpoint, dir, &text, Duration::from_secs(120));
    cmd.arg("--auto-fix")
        .args(["--accounts", ACCOUNT, "--regions", REGION, "--role-name", ROLE])
        .args(["--audit-log", dir.path().join("audit.jsonl").to_str().unwrap()]);
    cmd
}

fn plan(endpoint: &str, dir: &tempfile::TempDir, extra_config: &str) -> Vec<Value> {
    let output = hubtriage(endpoint, dir, extra_config).args(["plan", "--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("plan JSON: {e}; stderr: {stderr}"))
}

fn entry<'a>(entries: &'a [Value], id: &str) -> &'a Value {
    entries.iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("{id} not in the plan: {entries:#?}"))
}

async fn bucket_block(s3: &aws_sdk_s3::Client) -> Option<bool> {
    match s3.get_public_access_block().bucket(BUCKET).send().await {
        Ok(o) => o.public_access_block_configuration().and_then(|c| c.block_public_acls()),
        Err(e) if code_of(&e) == "NoSuchPublicAccessBlockConfiguration" => None,
        Err(e) => panic!("GetPublicAccessBlock: {e:?}"),
    }
}

#[test]
fn imported_findings_claiming_controls_and_foreign_resources_get_no_plan_and_change_nothing() {
    let server = moto();
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let s3 = runtime.block_on(new_bucket(&endpoint, ACCOUNT, REGION, BUCKET));
    let genuine = s3_8_asff(ACCOUNT, REGION, BUCKET, "genuine");
    import(server.port, &[forged_s3_8(), foreign_group_ec2_19(), genuine.clone()]);
    let dir = tempfile::tempdir().unwrap();

    let entries = plan(&endpoint, &dir, "");
    let forged = entry(&entries, forged_s3_8()["Id"].as_str().unwrap());
    assert_eq!(forged["control_id"], "S3.8", "the reader still shows what the finding claims");
    assert_eq!(forged["verdict"], "no-playbook", "{forged:#}");
    assert!(forged["plan"].is_null(), "{forged:#}");
    let reason = forged["reason"].as_str().unwrap();
    assert!(reason.contains(&own_product()) && reason.contains("not Security Hub's own controls"), "{reason}");

    let foreign = entry(&entries, foreign_group_ec2_19()["Id"].as_str().unwrap());
    assert_eq!(foreign["verdict"], "no-playbook", "{foreign:#}");
    assert!(foreign["plan"].is_null());
    assert!(foreign["reason"].as_str().unwrap().contains(&format!("in account {OTHER_ACCOUNT}")), "{foreign:#}");

    // Security Hub's own finding on the same bucket is planned: the forged one was refused for its provenance.
    let real = entry(&entries, genuine["Id"].as_str().unwrap());
    assert_eq!(real["verdict"], "auto-fix", "{real:#}");
    assert_eq!(real["plan"]["playbook"], "s3-bucket-block-public-access", "{real:#}");

    // Applying the imported finding changes nothing on the bucket.
    let forged_id = forged_s3_8()["Id"].as_str().unwrap().to_string();
    let output = hubtriage(&endpoint, &dir, "").args(["apply", "--finding", &forged_id, "--yes"]).output().unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(runtime.block_on(bucket_block(&s3)), None, "the bucket was changed for an imported finding");

    // Trusted by config: planned, and the reason says why it was trusted.
    let trusted =
        format!("[policy]\ntrusted_products = [\"arn:aws:securityhub:*:{ACCOUNT}:product/{ACCOUNT}/default\"]");
    let entries = plan(&endpoint, &dir, &trusted);
    let forged = entry(&entries, &forged_id);
    assert_eq!(forged["verdict"], "auto-fix", "{forged:#}");
    assert_eq!(forged["plan"]["playbook"], "s3-bucket-block-public-access");
    assert!(forged["reason"].as_str().unwrap().contains("trusted by config"), "{forged:#}");
    let foreign = entry(&entries, foreign_group_ec2_19()["Id"].as_str().unwrap());
    assert_eq!(foreign["verdict"], "no-playbook", "trusting a product does not trust another account's resource");
}
