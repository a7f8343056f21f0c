//! The new Security Hub (OCSF findings, GetFindingsV2 and BatchUpdateFindingsV2) on the emulator, through the real
//! SDK and real HTTP: an S3.8 finding on a public bucket planned, applied, verified and read back resolved with
//! hubtriage's comment; `--api auto` per source and `--api v2` where it is off; denied and throttled sources; a delta
//! sync of several pages; read-only mode sending no update.
#![allow(clippy::unwrap_used)]

mod support;

#[path = "aws_v2/sources.rs"]
mod sources;
#[path = "aws_v2/trends.rs"]
mod trends;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;
use support::moto::moto;
use support::ocsf::{read_back, s3_8_ocsf, seed};
use support::sdk::run;

const ROLE: &str = "HubtriageAudit";

/// The binary, hermetic, reading `accounts` × `regions` of `endpoint`; verification re-reads without waiting long.
fn hubtriage(endpoint: &str, accounts: &[&str], regions: &[&str], dir: &tempfile::TempDir) -> Command {
    let config = "[remediation]\nverify_first_delay_ms = 10\n";
    let mut cmd = support::binary::hubtriage(endpoint, dir, config, Duration::from_secs(300));
    cmd.args(["--accounts", &accounts.join(","), "--regions", &regions.join(","), "--role-name", ROLE]);
    cmd
}

/// The summary line `plan` prints for a source on stderr.
fn source_line<'a>(stderr: &'a str, source: &str) -> &'a str {
    let prefix = format!("hubtriage: source {source}");
    stderr.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no line for {source} in:\n{stderr}"))
}

#[test]
fn an_ocsf_s3_8_finding_on_a_public_bucket_is_planned_applied_verified_and_reads_back_resolved() {
    const ACCOUNT: &str = "222222222222";
    const REGION: &str = "eu-west-1";
    const BUCKET: &str = "ht-v2-public-logs";
    let server = moto();
    let (port, endpoint) = (server.port, server.endpoint());
    let finding = s3_8_ocsf(ACCOUNT, REGION, BUCKET, "v2-flow");
    seed(port, std::slice::from_ref(&finding));
    let moto_endpoint = endpoint.clone();
    let s3 = run(async move {
        let s3 = support::s3::new_bucket(&moto_endpoint, ACCOUNT, REGION, BUCKET).await;
        let public = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{BUCKET}/*"}}]}}"#
        );
        s3.put_bucket_policy().bucket(BUCKET).policy(public).send().await.unwrap();
        s3
    });
    let dir = tempfile::tempdir().unwrap();

    let out = hubtriage(&endpoint, &[ACCOUNT], &[REGION], &dir).args(["plan", "--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(source_line(&stderr, &format!("{ACCOUNT}/{REGION}:")).ends_with("through GetFindingsV2"), "{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let uid = finding["finding_info"]["uid"].as_str().unwrap();
    let entry = entries.iter().find(|e| e["id"] == uid).unwrap_or_else(|| panic!("{uid} not planned: {entries:?}"));
    assert_eq!((entry["format"].as_str(), entry["control_id"].as_str()), (Some("ocsf"), Some("S3.8")), "{entry}");
    assert_eq!((entry["account_id"].as_str(), entry["region"].as_str()), (Some(ACCOUNT), Some(REGION)));
    assert!(["approve", "auto-fix"].contains(&entry["verdict"].as_str().unwrap()), "{entry}");
    assert_eq!(entry["plan"]["basis"], "live", "{entry}");
    assert_eq!(entry["resource_id"], format!("arn:aws:s3:::{BUCKET}"), "{entry}");

    let out =
        hubtriage(&endpoint, &[ACCOUNT], &[REGION], &dir).args(["apply", "--finding", uid, "--yes"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.contains("1 of 1 job(s) verified"), "{stderr}");

    let pab = run(async move { s3.get_public_access_block().bucket(BUCKET).send().await.unwrap() });
    let c = pab.public_access_block_configuration().unwrap();
    assert_eq!(
        (c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let back = &read_back(port, ACCOUNT, REGION, ROLE)["meta-v2-flow"];
    assert_eq!(back["status_id"], 4, "resolved: {back}");
    let comment = back["comment"].as_str().unwrap_or_default();
    assert!(comment.contains("hubtriage fixed this") && comment.contains("verified"), "{comment}");
}

#[test]
fn auto_reads_v2_where_it_is_enabled_and_cspm_where_not_and_v2_says_not_enabled_where_it_is_off() {
    const ACCOUNT: &str = "333333333333";
    const V2: &str = "eu-west-1";
    const CSPM: &str = "us-west-2";
    let server = moto();
    let (port, endpoint) = (server.port, server.endpoint());
    let mut v2: Vec<Value> =
        (0..3).map(|n| s3_8_ocsf(ACCOUNT, V2, &format!("ht-auto-{n}"), &format!("auto-{n}"))).collect();
    let mut resolved = s3_8_ocsf(ACCOUNT, V2, "ht-auto-resolved", "auto-resolved");
    resolved["status_id"] = 4.into();
    let mut passed = s3_8_ocsf(ACCOUNT, V2, "ht-auto-passed", "auto-passed");
    passed["compliance"]["status"] = "Pass".into();
    passed["compliance"]["status_id"] = 1.into();
    v2.extend([resolved, passed]);
    seed(port, &v2);
    let asff: Vec<Value> = (0..2)
        .map(|n| support::asff::s3_8_asff(ACCOUNT, CSPM, &format!("ht-cspm-{n}"), &format!("cspm-{n}")))
        .collect();
    support::seed::import_findings(port, ROLE, ACCOUNT, CSPM, &asff);
    let dir = tempfile::tempdir().unwrap();
    let plan = |api: &str| {
        hubtriage(&endpoint, &[ACCOUNT], &[V2, CSPM], &dir)
            .args(["--api", api, "plan", "--format", "json", "--no-live"])
            .output()
            .unwrap()
    };

    let out = plan("auto");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let formats = |region: &str| -> Vec<String> {
        entries.iter().filter(|e| e["region"] == region).map(|e| e["format"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(formats(V2), ["ocsf"; 3], "open OCSF findings only: {entries:?}");
    assert_eq!(formats(CSPM), ["asff"; 2], "{entries:?}");
    let v2_line = source_line(&stderr, &format!("{ACCOUNT}/{V2}:"));
    assert!(v2_line.contains(": 3 findings in 1 pages") && v2_line.ends_with("through GetFindingsV2"), "{v2_line}");
    assert!(source_line(&stderr, &format!("{ACCOUNT}/{CSPM}:")).ends_with("through GetFindings"), "{stderr}");

    let out = plan("v2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a source that could not be read: stderr:\n{stderr}");
    let off = source_line(&stderr, &format!("{ACCOUNT}/{CSPM} failed"));
    assert!(
        off.contains("failed after 0 findings: Security Hub is not enabled: DescribeSecurityHubV2 in")
            && off.contains("(V2) is not enabled"),
        "{off}"
    );
    assert!(source_line(&stderr, &format!("{ACCOUNT}/{V2}:")).ends_with("through GetFindingsV2"), "{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(entries.iter().all(|e| e["format"] == "ocsf" && e["region"] == V2), "{entries:?}");

    let out = plan("cspm");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("GetFindingsV2") && !stderr.contains("DescribeSecurityHubV2"), "{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(entries.iter().all(|e| e["format"] == "asff"), "{entries:?}");
}
