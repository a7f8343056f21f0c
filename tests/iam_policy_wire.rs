//! Least privilege, checked: everything hubtriage can do to AWS runs on moto through a recording proxy, every
//! operation on the wire is mapped to the IAM actions it needs by a table written from AWS's Service Authorization
//! Reference (`iam_policy/reference.rs`), and each must be allowed by the policy `hubtriage iam-policy` generates —
//! the action, the resource (bucket, security group, instance, hub, topic, document, role ARNs) and the conditions
//! (`aws:ResourceAccount`, `aws:TagKeys`, `iam:PassedToService`). Calls made with the base credentials must be
//! allowed by `--for base`, the member role's by `--for member`. An operation missing from the table fails with
//! its name. Also: every change in the document is scoped, except the actions the reference allows only on "*".
#![allow(clippy::unwrap_used)]

mod support;

#[path = "iam_policy/eval.rs"]
mod eval;
#[path = "iam_policy/reference.rs"]
mod reference;
#[path = "iam_policy/session.rs"]
mod session;
#[path = "iam_policy/session_services.rs"]
mod session_services;
#[path = "iam_policy/wire_ops.rs"]
mod wire_ops;

use hubtriage::cli::iam_policy::{policy, policy_for, PolicyFor};
use hubtriage::config::Config;
use hubtriage::playbook::Playbooks;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use support::http::IncomingRequest;
use support::proxy::Fault;
use support::sdk::{self, run, BASE_ACCOUNT};
use wire_ops::{classify, WireOp};

/// The changes the Service Authorization Reference allows only on "*" (no resource type in their row). Every other
/// change must name its resources.
const STAR_ONLY_CHANGES: &[&str] =
    &["ec2:DisableEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "s3:PutAccountPublicAccessBlock"];

/// Changes that carry no `aws:ResourceAccount` condition, and why.
const CHANGES_WITHOUT_ACCOUNT_CONDITION: &[(&str, &str)] = &[
    ("ec2:DisableEbsEncryptionByDefault", "no resource: the caller's own account setting"),
    ("ec2:EnableEbsEncryptionByDefault", "no resource: the caller's own account setting"),
    ("iam:PassRole", "scoped to the named role, passed to SSM only (iam:PassedToService)"),
    ("s3:PutObject", "the audit copy's bucket and prefix named exactly, often in a central logging account"),
    ("sns:Publish", "topics named exactly, often in a central account"),
    ("ssm:StartAutomationExecution", "AWS-owned documents belong to no customer account"),
    ("sts:AssumeRole", "the member role lives in every other account by design"),
];

/// The account that signed a request: moto's base keys are the base account's; every other key was assumed into
/// the session's member account.
fn caller_account(op: &WireOp) -> String {
    if op.access_key == "testing" { BASE_ACCOUNT } else { session::ACCOUNT }.to_string()
}

/// Every failure of `ops` against the documents: the operation, the action and resource it needs, and why the
/// document does not allow it. `document` picks the document an operation is checked against.
fn failures(ops: &[WireOp], document: &dyn Fn(&WireOp) -> Value) -> Vec<String> {
    let owner = |bucket: &str| session::BUCKETS.contains(&bucket).then(|| session::ACCOUNT.to_string());
    let mut out = BTreeSet::new();
    for op in ops {
        let ctx = reference::Context { caller_account: caller_account(op), bucket_owner: &owner };
        let Some(needs) = reference::needs(op, &ctx) else {
            out.insert(format!("{}: no entry in the reference table (tests/iam_policy/reference.rs)", op.name()));
            continue;
        };
        let doc = document(op);
        for request in needs {
            if let Err(why) = eval::allowed(&doc, &request) {
                out.insert(format!("{} needs {} on {}: {why}", op.name(), request.action, request.resource));
            }
        }
    }
    out.into_iter().collect()
}

/// A request as the SDK signs it, for checks without moto.
fn signed(service: &str, key: &str, head: &str, body: &str) -> IncomingRequest {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={key}/20260101/{}/{service}/aws4_request, SignedHeaders=host, Signature=0",
        session::REGION
    );
    IncomingRequest { head: format!("{head} HTTP/1.1\r\nAuthorization: {auth}\r\n"), body: body.as_bytes().to_vec() }
}

/// Canned answers for what moto 5.2.5 lacks (BatchUpdateFindings, SSM Automation), shaped as AWS answers them, so
/// the flows after them run as they would on AWS; the tagging API is denied while `deny_tagging` is set.
fn canned(req: &IncomingRequest, deny_tagging: &AtomicBool) -> Option<Fault> {
    let target = req.header("x-amz-target").unwrap_or_default();
    let amz_json = "application/x-amz-json-1.1";
    if target.ends_with(".GetResources") && deny_tagging.load(Ordering::SeqCst) {
        return Some(Fault::tagging_access_denied());
    }
    if target == "AmazonSSM.StartAutomationExecution" {
        return Some(Fault::ok_json(amz_json, json!({"AutomationExecutionId": "exec-0001"}).to_string()));
    }
    if target == "AmazonSSM.GetAutomationExecution" {
        let body = json!({"AutomationExecution": {"AutomationExecutionId": "exec-0001", "AutomationExecutionStatus": "Success"}});
        return Some(Fault::ok_json(amz_json, body.to_string()));
    }
    if req.head.starts_with("PATCH /findings/batchupdate ") {
        let sent: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let body = json!({"ProcessedFindings": sent["FindingIdentifiers"], "UnprocessedFindings": []});
        return Some(Fault::ok_json("application/json", body.to_string()));
    }
    None
}

#[test]
fn every_operation_of_a_full_session_is_allowed_by_the_generated_policy() {
    let server = support::moto::moto();
    let recorded: Arc<Mutex<Vec<WireOp>>> = Arc::default();
    let deny_tagging = Arc::new(AtomicBool::new(false));
    let (log, deny) = (recorded.clone(), deny_tagging.clone());
    let proxy = support::proxy::start(
        server.port,
        Arc::new(move |req| {
            log.lock().unwrap().push(classify(req));
            canned(req, &deny)
        }),
    );
    let (endpoint, moto_endpoint, port) = (proxy.endpoint(), server.endpoint(), server.port);
    let driven = run(async move {
        let fixtures = session::set_up(&moto_endpoint).await;
        let v2_finding = tokio::task::spawn_blocking(move || session::v2_finding(port)).await.unwrap();
        let backend = sdk::backend(&endpoint, &[session::ACCOUNT], &[session::REGION]).await;
        let driven = session::every_playbook(&backend, &fixtures).await;
        session::engine(&backend, &fixtures, v2_finding, &deny_tagging).await;
        driven
    });
    let every: BTreeSet<String> = Playbooks::new(&Default::default()).iter().map(|p| p.name().to_string()).collect();
    assert_eq!(driven, every, "every playbook is applied and rolled back");

    let ops = std::mem::take(&mut *recorded.lock().unwrap());
    let names: BTreeSet<String> = ops.iter().map(WireOp::name).collect();
    for expected in [
        "sts:GetCallerIdentity",
        "sts:AssumeRole",
        "securityhub:GetFindings",
        "securityhub:BatchUpdateFindings",
        "securityhub:DescribeSecurityHubV2",
        "securityhub:GetFindingsV2",
        "securityhub:GetFindingStatisticsV2",
        "securityhub:BatchUpdateFindingsV2",
        "s3control:PutPublicAccessBlock",
        "s3control:DeletePublicAccessBlock",
        "s3:PutPublicAccessBlock",
        "s3:DeletePublicAccessBlock",
        "s3:PutBucketEncryption",
        "s3:DeleteBucketEncryption",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketTagging",
        "s3:ListBuckets",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:EnableEbsEncryptionByDefault",
        "ec2:DisableEbsEncryptionByDefault",
        "ec2:ModifyInstanceMetadataOptions",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:DescribeTags",
        "kms:TagResource",
        "kms:UntagResource",
        "iam:TagUser",
        "iam:UntagUser",
        "iam:ListUsers",
        "iam:ListUserTags",
        "iam:ListRoles",
        "kms:ListKeys",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
        "cloudtrail:AddTags",
        "cloudtrail:RemoveTags",
        "tagging:GetResources",
        "sns:Publish",
        "ssm:StartAutomationExecution",
        "ssm:GetAutomationExecution",
    ] {
        assert!(names.contains(expected), "{expected} never crossed the wire: {names:?}");
    }

    let config = session::config();
    let playbooks = Playbooks::new(&config.playbooks);
    let all = policy(&config, &playbooks);
    let base = policy_for(&config, &playbooks, PolicyFor::Base);
    let member = policy_for(&config, &playbooks, PolicyFor::Member);
    let problems = failures(&ops, &|_| all.clone());
    assert!(problems.is_empty(), "the policy misses what the session did:\n{}", problems.join("\n"));
    let problems = failures(&ops, &|op| if caller_account(op) == BASE_ACCOUNT { base.clone() } else { member.clone() });
    assert!(problems.is_empty(), "the base/member halves miss what the session did:\n{}", problems.join("\n"));
}

#[test]
fn a_missing_statement_or_an_unknown_operation_fails_with_its_name() {
    let config = session::config();
    let full = policy(&config, &Playbooks::new(&config.playbooks));
    let put = classify(&signed(
        "s3",
        "ASIAMEMBER",
        "PUT /ht-iam-s3-8?publicAccessBlock",
        "<PublicAccessBlockConfiguration/>",
    ));
    assert_eq!(put.name(), "s3:PutPublicAccessBlock");
    assert!(failures(std::slice::from_ref(&put), &|_| full.clone()).is_empty());

    let mut without = full.clone();
    without["Statement"].as_array_mut().unwrap().retain(|s| s["Sid"] != "S3BucketBlockPublicAccess");
    let problems = failures(std::slice::from_ref(&put), &|_| without.clone());
    assert_eq!(
        problems,
        ["s3:PutPublicAccessBlock needs s3:PutBucketPublicAccessBlock on arn:aws:s3:::ht-iam-s3-8: no statement allows \
          s3:PutBucketPublicAccessBlock on arn:aws:s3:::ht-iam-s3-8"]
    );

    // Another account's bucket (names are global): the account condition refuses it.
    let foreign = classify(&signed("s3", "ASIAMEMBER", "PUT /someone-elses-logs?publicAccessBlock", ""));
    let problems = failures(std::slice::from_ref(&foreign), &|_| full.clone());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("aws:ResourceAccount"), "{problems:?}");

    let terminate = classify(&signed("ec2", "ASIAMEMBER", "POST /", "Action=TerminateInstances&InstanceId.1=i-1"));
    assert_eq!(
        failures(&[terminate], &|_| full.clone()),
        ["ec2:TerminateInstances: no entry in the reference table (tests/iam_policy/reference.rs)"]
    );
}

#[test]
fn ec2_tags_other_than_the_exception_keys_are_refused() {
    let config = session::config();
    let full = policy(&config, &Playbooks::new(&config.playbooks));
    let tag = |keys: &str| {
        classify(&signed("ec2", "ASIAMEMBER", "POST /", &format!("Action=DeleteTags&ResourceId.1=sg-0abc{keys}")))
    };
    let ours = tag("&Tag.1.Key=SecurityException&Tag.2.Key=SecurityExceptionExpiry");
    assert!(failures(&[ours], &|_| full.clone()).is_empty());
    let theirs = failures(&[tag("&Tag.1.Key=Name")], &|_| full.clone());
    assert!(theirs.len() == 1 && theirs[0].contains("aws:TagKeys"), "{theirs:?}");
    let every_tag = failures(&[tag("")], &|_| full.clone());
    assert!(every_tag.len() == 1 && every_tag[0].contains("Null"), "a DeleteTags without keys: {every_tag:?}");
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

/// A read by the reference's naming: List, Read (Get*, Describe*, List*).
fn is_read(action: &str) -> bool {
    let name = action.split(':').nth(1).unwrap_or_default();
    ["Get", "Describe", "List"].iter().any(|p| name.starts_with(p))
}

#[test]
fn every_change_is_scoped_and_limited_to_the_callers_account() {
    for config in [Config::default(), session::config()] {
        let doc = policy(&config, &Playbooks::new(&config.playbooks));
        for statement in doc["Statement"].as_array().unwrap() {
            let resources = strings(&statement["Resource"]);
            for action in strings(&statement["Action"]).iter().filter(|a| !is_read(a)) {
                assert!(
                    STAR_ONLY_CHANGES.contains(&action.as_str()) || !resources.iter().any(|r| r == "*"),
                    "{action} may change any resource: {statement:#}"
                );
                let exempt = CHANGES_WITHOUT_ACCOUNT_CONDITION.iter().any(|(a, _)| a == action);
                assert!(
                    exempt
                        || statement["Condition"]["StringEquals"]["aws:ResourceAccount"] == "${aws:PrincipalAccount}",
                    "{action} may change another account's resources: {statement:#}"
                );
            }
        }
    }
}

#[test]
fn the_command_prints_each_half_on_request() {
    let home = tempfile::tempdir().unwrap();
    let printed = |args: &[&str]| -> Value {
        let output = assert_cmd::Command::cargo_bin("hubtriage")
            .unwrap()
            .env("HUBTRIAGE_LOG", home.path().join("hubtriage.log"))
            .env("HOME", home.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let sids = |doc: &Value| -> Vec<String> {
        doc["Statement"].as_array().unwrap().iter().filter_map(|s| s["Sid"].as_str().map(String::from)).collect()
    };
    let all = printed(&["--demo", "iam-policy"]);
    let base = printed(&["--demo", "iam-policy", "--for", "base"]);
    let member = printed(&["--demo", "iam-policy", "--for", "member"]);
    assert!(sids(&base).contains(&"CallerIdentity".to_string()), "{base:#}");
    assert!(!sids(&base).iter().any(|s| s.starts_with("S3") || s.starts_with("Sg")), "{base:#}");
    assert!(sids(&member).contains(&"S3BucketBlockPublicAccess".to_string()), "{member:#}");
    assert_eq!(sids(&base).len() + sids(&member).len(), sids(&all).len());
    assert_eq!(all, printed(&["--demo", "iam-policy", "--for", "all"]));
}
