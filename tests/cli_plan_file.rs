//! Plan files through the real binary on moto: `plan --out` writes a reviewable plan; after one bucket is changed,
//! `apply --plan --yes` fixes the untouched bucket exactly as planned and refuses the changed one with the
//! difference; an edited file is refused whole with nothing changed; a person outside the change window of a prod
//! account needs a reason, which the audit log keeps.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::Datelike;
use hubtriage::playbook::PublicAccessBlock;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::asff::s3_8_asff;
use support::moto::moto;
use support::s3::{new_bucket, put_public_access_block};

const REGION: &str = "eu-west-1";
const ROLE: &str = "HubtriageRemediation";
const APPROVE_S3: &str = "[[policy.rules]]\nname = \"fix-s3\"\nverdict = \"approve\"\ncontrols = [\"S3.*\"]\n";

/// The bucket's public access block as (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets);
/// `None` when it has none.
async fn block_of(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<[bool; 4]> {
    let out = s3.get_public_access_block().bucket(bucket).send().await.ok()?;
    let c = out.public_access_block_configuration()?;
    Some([
        c.block_public_acls().unwrap_or_default(),
        c.ignore_public_acls().unwrap_or_default(),
        c.block_public_policy().unwrap_or_default(),
        c.restrict_public_buckets().unwrap_or_default(),
    ])
}

fn records(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(),
        Err(_) => Vec::new(),
    }
}

fn command(endpoint: &str, dir: &tempfile::TempDir, config: &str, account: &str) -> assert_cmd::Command {
    let mut cmd = support::binary::hubtriage(endpoint, dir, config, Duration::from_secs(180));
    cmd.args(["--accounts", account, "--regions", REGION, "--role-name", ROLE]);
    cmd.args(["--audit-log", dir.path().join("audit.jsonl").to_str().unwrap()]);
    cmd
}

#[test]
fn a_reviewed_plan_file_applies_what_still_matches_and_refuses_the_rest() {
    let server = moto();
    let endpoint = server.endpoint();
    let account = "616161616161";
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (kept, changed) = ("planfile-kept", "planfile-changed");
    let s3 = runtime.block_on(async {
        new_bucket(&endpoint, account, REGION, kept).await;
        new_bucket(&endpoint, account, REGION, changed).await
    });
    let findings = [s3_8_asff(account, REGION, kept, "kept"), s3_8_asff(account, REGION, changed, "changed")];
    support::seed::import_findings(server.port, "HubtriageTest", account, REGION, &findings);
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");

    let out = command(&endpoint, &dir, APPROVE_S3, account)
        .args(["plan", "--out", plan_path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty(), "the plan goes to the file");
    assert!(stderr.contains("2 with a plan policy allows to apply"), "{stderr}");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    assert_eq!(document["kind"], "hubtriage-plan");
    assert_eq!(document["scope"]["account"], "123456789012", "the identity's account: {}", document["scope"]);
    let planned: Vec<&Value> =
        document["findings"].as_array().unwrap().iter().filter(|f| f["plan"].is_object()).collect();
    assert_eq!(planned.len(), 2);
    assert!(planned
        .iter()
        .all(|f| f["verdict"] == "approve" && f["plan"]["fingerprint"].as_str().unwrap().len() == 16));

    let md_path = dir.path().join("plan.md");
    let out = command(&endpoint, &dir, APPROVE_S3, account)
        .args(["plan", "--out", md_path.to_str().unwrap(), "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(markdown.starts_with("# hubtriage plan") && markdown.contains("## Changes (2)"), "{markdown}");
    assert!(markdown.contains("aws s3api put-public-access-block"), "{markdown}");

    // An edited copy (one fingerprint changed by hand) is refused whole: nothing is read or changed.
    let text = std::fs::read_to_string(&plan_path).unwrap();
    let fingerprint = planned[0]["plan"]["fingerprint"].as_str().unwrap();
    let edited_path = dir.path().join("edited.json");
    std::fs::write(&edited_path, text.replacen(fingerprint, "ffffffffffffffff", 1)).unwrap();
    let out = command(&endpoint, &dir, APPROVE_S3, account)
        .args(["apply", "--plan", edited_path.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("edited after it was made") && stderr.contains("nothing was applied"), "{stderr}");
    runtime.block_on(async {
        assert_eq!(block_of(&s3, kept).await, None);
        assert_eq!(block_of(&s3, changed).await, None);
    });
    assert!(records(&dir.path().join("audit.jsonl")).iter().all(|r| r["event"] != "apply-intent"));

    // Someone changes one bucket after the review.
    let partial = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    };
    runtime.block_on(put_public_access_block(&s3, changed, partial));

    let out = command(&endpoint, &dir, APPROVE_S3, account)
        .args(["apply", "--plan", plan_path.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "some plan was refused\n{stdout}\n{stderr}");
    let line = |bucket: &str| stdout.lines().find(|l| l.contains(bucket)).unwrap_or_default().to_string();
    assert!(line(kept).starts_with("apply "), "{stdout}");
    let refused = line(changed);
    assert!(
        refused.starts_with("refused ") && refused.contains("the resource changed since the plan was made"),
        "{stdout}"
    );
    assert!(stdout.contains("planned:") && stdout.contains("now:"), "the difference is shown: {stdout}");
    runtime.block_on(async {
        assert_eq!(block_of(&s3, kept).await, Some([true; 4]), "the untouched bucket is fixed as planned");
        assert_eq!(block_of(&s3, changed).await, Some([true, false, false, false]), "the changed one is left alone");
    });
    let audit = records(&dir.path().join("audit.jsonl"));
    let intents: Vec<&Value> = audit.iter().filter(|r| r["event"] == "apply-intent").collect();
    assert_eq!(intents.len(), 1, "{audit:#?}");
    assert_eq!(intents[0]["resource"], format!("arn:aws:s3:::{kept}"));
    let message = intents[0]["message"].as_str().unwrap();
    assert!(
        message.contains("from plan file") && message.contains(document["checksum"].as_str().unwrap()),
        "{message}"
    );
    assert!(audit.iter().any(|r| r["event"] == "verification" && r["result"] == "verified"), "{audit:#?}");
}

#[test]
fn a_person_outside_a_prod_change_window_needs_a_reason_which_is_audited() {
    let server = moto();
    let endpoint = server.endpoint();
    let account = "626262626262";
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let bucket = "window-bound";
    let s3 = runtime.block_on(new_bucket(&endpoint, account, REGION, bucket));
    let ids = support::seed::import_findings(
        server.port,
        "HubtriageTest",
        account,
        REGION,
        &[s3_8_asff(account, REGION, bucket, "window")],
    );
    // The window is open only on another day than today (UTC): a person applying now is outside it.
    let other_day = chrono::Utc::now().weekday().succ().to_string().to_lowercase();
    let config = format!(
        "{APPROVE_S3}[accounts.\"{account}\"]\nclass = \"prod\"\n\n[[policy.change_windows]]\nname = \"weekly\"\n\
         account_classes = [\"prod\"]\ndays = [\"{other_day}\"]\nstart = \"00:00\"\nend = \"23:59\"\ntime_zone = \"UTC\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let apply = |extra: &[&str]| {
        let mut cmd = command(&endpoint, &dir, &config, account);
        cmd.args(extra).args(["apply", "--finding", &ids[0], "--yes"]);
        cmd.output().unwrap()
    };
    let out = apply(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("outside the change windows of prod accounts") && stderr.contains("--outside-window"),
        "{stderr}"
    );
    assert_eq!(runtime.block_on(block_of(&s3, bucket)), None, "nothing changed");

    let out = apply(&["--outside-window", "INC-42: bucket leaking customer data"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(runtime.block_on(block_of(&s3, bucket)), Some([true; 4]));
    let audit = records(&dir.path().join("audit.jsonl"));
    let intent = audit.iter().find(|r| r["event"] == "apply-intent").unwrap();
    let message = intent["message"].as_str().unwrap();
    assert!(message.contains("allowed for the reason given: INC-42: bucket leaking customer data"), "{message}");
    let refusal = audit.iter().find(|r| r["event"] == "refused").unwrap();
    assert!(refusal["message"].as_str().unwrap().contains("outside the change windows"), "{refusal:#}");
}
