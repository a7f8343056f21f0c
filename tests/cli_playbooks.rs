//! Playbooks switched on and off by the config: `hubtriage playbooks` lists them all, a disabled one plans nothing
//! (the verdict says why) and drops out of `iam-policy`.

use assert_cmd::Command;
use serde_json::Value;

fn hubtriage(dir: &tempfile::TempDir, config: &str) -> Command {
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).expect("config");
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HUBTRIAGE_LOG", dir.path().join("log")).env("HOME", dir.path()).arg("--config").arg(path);
    cmd
}

fn json(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

const DISABLE_IMDS: &str = "[playbooks]\ndisabled = [\"ec2-require-imdsv2\"]\n";

#[test]
fn a_disabled_playbook_plans_nothing_says_why_and_leaves_the_iam_policy() {
    let dir = tempfile::tempdir().expect("dir");
    let plans =
        json(&hubtriage(&dir, DISABLE_IMDS).args(["--demo", "plan", "--format", "json"]).output().expect("runs"));
    let imds: Vec<&Value> = plans.as_array().expect("array").iter().filter(|e| e["control_id"] == "EC2.8").collect();
    assert!(!imds.is_empty(), "the demo has EC2.8 findings");
    for entry in &imds {
        assert_eq!(entry["plan"], Value::Null, "{entry}");
        assert_eq!(entry["verdict"], "no-playbook", "{entry}");
        assert!(entry["reason"].as_str().is_some_and(|r| r.contains("playbook disabled by config")), "{entry}");
    }
    let s3 = plans.as_array().expect("array").iter().find(|e| e["control_id"] == "S3.8" && !e["plan"].is_null());
    assert!(s3.is_some(), "the other playbooks still plan");

    let policy = hubtriage(&dir, DISABLE_IMDS).arg("iam-policy").output().expect("runs");
    let text = String::from_utf8_lossy(&policy.stdout);
    assert!(policy.status.success() && text.contains("s3:PutBucketPublicAccessBlock"), "{text}");
    assert!(!text.contains("ec2:ModifyInstanceMetadataOptions"), "{text}");

    let listed = json(&hubtriage(&dir, DISABLE_IMDS).args(["playbooks", "--format", "json"]).output().expect("runs"));
    let row = listed.as_array().expect("array").iter().find(|r| r["name"] == "ec2-require-imdsv2").expect("listed");
    assert_eq!(row["enabled"], false);
}
