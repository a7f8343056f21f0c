//! The remote copy of the audit log (`[audit] s3_bucket`) against moto: every record reaches a bucket with Object
//! Lock before the call it describes (seen on the wire through a recording proxy, with the real binary), and when
//! the copy cannot be written no fix, rollback, exception or action changes anything, and each says why.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use hubtriage::actions::ActionRunner;
use hubtriage::cloud::audit_copy::AuditCopy;
use hubtriage::cloud::aws::S3AuditCopy;
use hubtriage::config::{Config, RemediationConfig};
use hubtriage::config_audit::AuditConfig;
use hubtriage::engine::audit::{AuditEvent, AuditLog, AuditResult};
use hubtriage::engine::audit_summary::unfinished;
use hubtriage::engine::audit_verify::verify;
use hubtriage::engine::exceptions::{ExceptionInput, ExceptionOp};
use hubtriage::engine::jobs::{ApplyRequest, JobState};
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::model::Finding;
use hubtriage::playbook::{Playbooks, PublicAccessBlock};
use hubtriage::triage::Triage;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::asff::{read_one, s3_8_asff};
use support::moto::moto;
use support::s3::{create_bucket, create_locked_bucket, direct_bucket_tags, objects, put_public_access_block};
use support::sdk::{self, run, ROLE};

const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";

/// The four Block Public Access settings of a bucket, read directly.
async fn block_settings(s3: &aws_sdk_s3::Client, bucket: &str) -> [Option<bool>; 4] {
    let out = s3.get_public_access_block().bucket(bucket).send().await.unwrap();
    let c = out.public_access_block_configuration().unwrap();
    [c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()]
}

/// The binary against `endpoint`, hermetic (fake keys, no profile files, logs in `dir`), with `config` text.
fn hubtriage(endpoint: &str, dir: &Path, config: &str) -> Command {
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    let mut cmd = Command::cargo_bin("hubtriage").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HUBTRIAGE_LOG", dir.join("hubtriage.log"))
        .arg("--config")
        .arg(&path)
        .args(["--endpoint-url", endpoint, "--accounts", ACCOUNT, "--regions", REGION, "--role-name", ROLE])
        .arg("--audit-log")
        .arg(dir.join("audit.jsonl"))
        .timeout(Duration::from_secs(300));
    cmd
}

/// Config with fast verification and the copy to `bucket`.
fn config_copying_to(bucket: &str) -> String {
    format!(
        "[remediation]\nverify_first_delay_ms = 10\n\n[audit]\ns3_bucket = \"{bucket}\"\ns3_prefix = \"team-a/\"\n\
         s3_region = \"{REGION}\"\n"
    )
}

/// A public bucket in the member account and its S3.8 finding in Security Hub; returns the finding id.
fn public_bucket_with_finding(port: u16, endpoint: &str, bucket: &str) -> String {
    let endpoint = endpoint.to_string();
    let name = bucket.to_string();
    run(async move {
        let s3 = support::s3::new_bucket(&endpoint, ACCOUNT, REGION, &name).await;
        put_public_access_block(&s3, &name, PublicAccessBlock::default()).await;
    });
    // Imported as is: each test's finding keeps its own id (BatchImportFindings replaces a finding with the same id).
    let finding = s3_8_asff(ACCOUNT, REGION, bucket, bucket);
    let keys = support::seed::assume(port, ACCOUNT, ROLE);
    let call = |path: &str, body: &[u8]| {
        support::http::aws_call(port, &keys, ("securityhub", REGION), "POST", path, "application/json", body)
    };
    let enabled = call("/accounts", b"{}");
    assert!(enabled.status == 200 || enabled.body.contains("ResourceConflict"), "{}", enabled.body);
    let imported =
        call("/findings/import", &serde_json::to_vec(&serde_json::json!({ "Findings": [finding] })).unwrap());
    let answer: serde_json::Value = serde_json::from_str(&imported.body).unwrap_or_default();
    assert!(imported.status == 200 && answer["SuccessCount"] == 1, "{}", imported.body);
    finding["Id"].as_str().unwrap().to_string()
}

#[test]
fn every_record_reaches_the_locked_bucket_before_the_change_it_describes() {
    let server = moto();
    let recorded: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = recorded.clone();
    let proxy = support::proxy::start(
        server.port,
        Arc::new(move |req| {
            log.lock().unwrap().push(support::wire::operation(req).0);
            None
        }),
    );
    let (endpoint, proxied) = (server.endpoint(), proxy.endpoint());
    let (target, audit_bucket) = ("ht-copy-public-data", "ht-copy-audit-locked");
    let id = public_bucket_with_finding(server.port, &endpoint, target);
    let setup = endpoint.clone();
    run(async move {
        let s3 = sdk::s3(&sdk::base_config(&setup), REGION);
        create_locked_bucket(&s3, audit_bucket, REGION, 1).await;
    });
    recorded.lock().unwrap().clear();
    let dir = tempfile::tempdir().unwrap();

    let output = hubtriage(&proxied, dir.path(), &config_copying_to(audit_bucket))
        .args(["apply", "--finding", &id, "--yes"])
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("audit copy"), "a locked bucket with a default retention gives no warning: {stderr}");
    let ops = recorded.lock().unwrap().clone();
    let first_copy = ops.iter().position(|op| op.starts_with(&format!("PUT /{audit_bucket}/team-a/000000000001-")));
    let change = ops.iter().position(|op| op.starts_with(&format!("PUT /{target}/?publicAccessBlock")));
    let (Some(first_copy), Some(change)) = (first_copy, change) else { panic!("operations on the wire: {ops:?}") };
    assert!(first_copy < change, "the intent reached the bucket before the change: {ops:?}");

    let local = std::fs::read(dir.path().join("audit.jsonl")).unwrap();
    assert!(verify(&local).holds(), "{:?}", verify(&local).breaks);
    let lines: Vec<Vec<u8>> = local.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    let stored = run(async move {
        let s3 = sdk::s3(&sdk::base_config(&endpoint), REGION);
        let fixed = block_settings(&s3, target).await;
        (objects(&s3, audit_bucket, "team-a/").await, fixed)
    });
    let (stored, fixed) = stored;
    assert_eq!(fixed, [Some(true); 4], "the fix was made");
    let bodies: Vec<Vec<u8>> = stored.values().map(|b| b.strip_suffix(b"\n").unwrap_or(b).to_vec()).collect();
    assert_eq!(bodies, lines, "every local line, and only those, in chain order in the bucket");
    assert!(String::from_utf8_lossy(&bodies[0]).contains("\"event\":\"apply-intent\""));
}

#[test]
fn when_the_copy_cannot_be_written_apply_changes_nothing_and_says_why() {
    let server = moto();
    let endpoint = server.endpoint();
    let target = "ht-copy-public-cli";
    let id = public_bucket_with_finding(server.port, &endpoint, target);
    let dir = tempfile::tempdir().unwrap();

    let output = hubtriage(&endpoint, dir.path(), &config_copying_to("ht-copy-no-such-bucket"))
        .args(["apply", "--finding", &id, "--yes"])
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("audit copy s3://ht-copy-no-such-bucket/team-a/: cannot check Object Lock"), "{stderr}");
    assert!(stderr.contains("the audit log cannot be written, so nothing was changed"), "{stderr}");
    assert!(stderr.contains("NoSuchBucket"), "the cause is named: {stderr}");
    let unchanged = run(async move {
        let s3 = sdk::s3(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        block_settings(&s3, target).await
    });
    assert_eq!(unchanged, [Some(false); 4], "the bucket is as public as before");
    let read = AuditLog::read(&dir.path().join("audit.jsonl")).unwrap();
    let events: Vec<(AuditEvent, AuditResult)> = read.records.iter().map(|r| (r.event, r.result)).collect();
    assert_eq!(
        events,
        [(AuditEvent::ApplyIntent, AuditResult::Pending), (AuditEvent::ApplyOutcome, AuditResult::Failed)],
        "the local log says the change never started"
    );
    assert!(unfinished(&read.records).is_empty(), "nothing to re-check on the next start");
}

/// A remediator on moto whose audit log is `path`, copied to `copy` when given.
async fn remediator(endpoint: &str, path: &Path, copy: Option<Arc<dyn AuditCopy>>) -> Arc<Remediator> {
    let backend = sdk::backend(endpoint, &[ACCOUNT], &[REGION]).await;
    let config = Config::default();
    let triage = Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
    let settings = RemediatorSettings {
        read_only: false,
        exceptions: Default::default(),
        notify: Default::default(),
        remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
    };
    let records = AuditLog::read(path).unwrap().records;
    let mut audit = AuditLog::open(path).unwrap();
    if let Some(copy) = copy {
        audit = audit.with_copy(copy);
    }
    Remediator::new(&backend, triage, audit, records, settings).unwrap()
}

/// The live plan of a finding, approved.
async fn approved(remediator: &Remediator, finding: &Arc<Finding>) -> ApplyRequest {
    let preview = remediator.assess_all(vec![finding.clone()]).await;
    let plan = preview[0].result.as_ref().unwrap().plan.plan().cloned().expect("a live plan");
    ApplyRequest { findings: vec![finding.clone()], control_id: "S3.8".into(), approved: Some(plan), origin: None }
}

#[test]
fn when_the_copy_cannot_be_written_no_fix_rollback_exception_or_action_changes_anything() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let s3 = sdk::s3(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let (fixed, open) = ("ht-copy-fixed-earlier", "ht-copy-still-public");
        for bucket in [fixed, open] {
            create_bucket(&s3, bucket, REGION).await;
            put_public_access_block(&s3, bucket, PublicAccessBlock::default()).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let finding_on = |bucket: &str| Arc::new(read_one(&s3_8_asff(ACCOUNT, REGION, bucket, bucket)));

        // An earlier session, without the copy, fixed one bucket.
        let earlier = remediator(&endpoint, &path, None).await;
        let state = earlier.run_apply(1, approved(&earlier, &finding_on(fixed)).await, None).await;
        assert!(
            matches!(state, JobState::ResolveFailed(_)),
            "fixed and verified; the finding was never imported, so Security Hub cannot resolve it: {state:?}"
        );
        let fixed_job = earlier.audit_records()[0].job.clone().unwrap();

        // This session copies to a bucket that does not exist.
        let audit = AuditConfig { s3_bucket: Some("ht-copy-missing".into()), ..AuditConfig::default() };
        let copy: Arc<dyn AuditCopy> = Arc::new(S3AuditCopy::new(&sdk::base_config(&endpoint), &audit).unwrap());
        let warning = hubtriage::session::retention_warning(copy.as_ref()).await.expect("a warning");
        assert!(warning.contains("cannot check Object Lock"), "{warning}");
        let plain = AuditConfig { s3_bucket: Some(open.into()), ..AuditConfig::default() };
        let unlocked = S3AuditCopy::new(&sdk::base_config(&endpoint), &plain).unwrap();
        let warning = hubtriage::session::retention_warning(&unlocked).await.expect("a warning");
        assert!(warning.contains("the bucket has no Object Lock"), "{warning}");
        let session = remediator(&endpoint, &path, Some(copy)).await;
        let refused = |state: &JobState| matches!(state, JobState::Failed(why) if why.contains("nothing was changed") && why.contains("NoSuchBucket"));

        let open_finding = finding_on(open);
        let state = session.run_apply(2, approved(&session, &open_finding).await, None).await;
        assert!(refused(&state), "fix: {state:?}");
        assert_eq!(block_settings(&s3, open).await, [Some(false); 4], "the open bucket is untouched");

        let state = session.run_rollback(3, &fixed_job, None).await;
        assert!(refused(&state), "rollback: {state:?}");
        assert_eq!(block_settings(&s3, fixed).await, [Some(true); 4], "the fixed bucket stays fixed");

        let input = ExceptionInput {
            account_id: ACCOUNT.into(),
            region: REGION.into(),
            resource: open_finding.primary_resource().unwrap().clone(),
            reason: "accepted while the copy is down".into(),
            expires: "10d".into(),
            owner: String::new(),
            controls: String::new(),
        };
        let state = session.run_exception(4, ExceptionOp::Add(input), None).await;
        assert!(refused(&state), "exception: {state:?}");
        assert_eq!(direct_bucket_tags(&s3, open).await, None, "no tag was written");

        let marker = dir.path().join("action-ran");
        let text = format!(
            "[[actions]]\nname = \"touch\"\nkind = \"command\"\nargv = [\"touch\", \"{}\"]\n",
            marker.display()
        );
        let actions = Config::parse(&text, Path::new("actions.toml")).unwrap().actions;
        let runner = ActionRunner::new(actions, Some(session.clone()));
        let outcome = runner.run(5, "touch", std::slice::from_ref(&open_finding), None).await;
        assert!(matches!(&outcome, Err(why) if why.contains("was not run")), "action: {outcome:?}");
        assert!(!marker.exists(), "the action did not run");

        let read = AuditLog::read(&path).unwrap();
        assert!(unfinished(&read.records).is_empty(), "no change shows as interrupted: {:?}", read.records);
        let closed = read.records.iter().filter(|r| r.message.starts_with("not started: ")).count();
        assert_eq!(closed, 4, "each refused intent is closed in the local log");
        let report = verify(&std::fs::read(&path).unwrap());
        assert!(report.holds(), "the local chain holds through it all: {:?}", report.breaks);
    });
}
