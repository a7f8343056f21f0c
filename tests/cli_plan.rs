//! The `plan` command as scripts use it: the shared ASFF corpus offline, and the demo organisation.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

mod common;

fn corpus() -> PathBuf {
    common::asff_corpus()
}

fn hubtriage() -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    let log = std::env::temp_dir().join(format!("hubtriage-test-{}.log", std::process::id()));
    cmd.env("HUBTRIAGE_LOG", log).env("HOME", std::env::temp_dir().join("hubtriage-test-home"));
    cmd
}

fn plan_json(args: &[&str]) -> (Vec<Value>, String, i32) {
    let output = hubtriage().args(args).args(["plan", "--format", "json"]).output().expect("runs");
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is a JSON array ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (entries, String::from_utf8_lossy(&output.stderr).into_owned(), output.status.code().unwrap_or(-1))
}

fn by_id<'a>(entries: &'a [Value], id: &str) -> &'a Value {
    entries.iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("finding {id} is listed"))
}

#[test]
fn corpus_lists_every_distinct_finding_once_and_names_the_invalid_files() {
    let corpus = corpus();
    let (entries, stderr, code) = plan_json(&["--findings", corpus.to_str().expect("path")]);
    let keys: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e["product_arn"].as_str().unwrap_or("").to_string(), e["id"].as_str().unwrap_or("").to_string()))
        .collect();
    let distinct: HashSet<&(String, String)> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "no finding listed twice");
    assert_eq!(keys.len(), 160, "every distinct (ProductArn, Id) of the corpus");

    assert!(stderr.contains("sample-control-findings__consolidated.json.invalid"), "{stderr}");
    assert!(stderr.contains("sample-control-findings__nist-800-53.json.invalid"), "{stderr}");
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    let problem_lines = stderr.lines().filter(|l| l.contains("cannot read")).count();
    assert!(problem_lines <= 3, "one line per unreadable file or foreign object, not one per line of text:\n{stderr}");
    assert_eq!(code, 2, "exit status 2 means partial: output produced, some input unreadable");
}

#[test]
fn corpus_control_ids_follow_the_consolidation_rules() {
    let corpus = corpus();
    let (entries, _, _) = plan_json(&["--findings", corpus.to_str().expect("path")]);
    let control_of = |fragment: &str| -> Vec<Value> {
        entries
            .iter()
            .filter(|e| e["id"].as_str().is_some_and(|id| id.contains(fragment)))
            .map(|e| e["control_id"].clone())
            .collect()
    };
    // CIS 1.2.0 4.1 and 4.2 (security groups open to the world) and 4.3 (default security group).
    let cis41 = by_id(&entries, "arn:aws:securityhub:us-east-1:111111111111:subscription/cis-aws-foundations-benchmark/v/1.2.0/4.1/finding/4cea3590-9a58-4e91-be40-da9f6551f863");
    assert_eq!(cis41["control_id"], "EC2.13");
    assert!(control_of("cis-aws-foundations-benchmark/v/1.2.0/4.2/").iter().all(|c| c == "EC2.14"));
    assert!(control_of("cis-aws-foundations-benchmark/v/1.2.0/4.3/").iter().all(|c| c == "EC2.2"));
    assert!(control_of("pci-dss/v/3.2.1/PCI.EC2.5/").iter().all(|c| c == "EC2.13"));
    assert!(!control_of("pci-dss/v/3.2.1/PCI.EC2.5/").is_empty());
    // Non-control products have no control id.
    let inspector: Vec<&Value> = entries.iter().filter(|e| e["product_name"] == "Inspector").collect();
    assert!(!inspector.is_empty());
    assert!(inspector.iter().all(|e| e["control_id"].is_null()));
}

#[test]
fn corpus_security_group_plan_is_computed_from_the_finding_snapshot() {
    let corpus = corpus();
    let (entries, _, _) = plan_json(&["--findings", corpus.to_str().expect("path")]);
    let sg = entries
        .iter()
        .find(|e| {
            e["control_id"] == "EC2.13" && e["resource_id"].as_str().is_some_and(|r| r.contains("sg-47dddc34c51b4be58"))
        })
        .expect("the CIS 4.1 finding on launch-wizard-1");
    let plan = &sg["plan"];
    assert_eq!(plan["basis"], "finding-snapshot");
    assert_eq!(plan["playbook"], "sg-revoke-world-open-ingress");
    assert!(plan["cli"][0]
        .as_str()
        .is_some_and(|c| c.contains("revoke-security-group-ingress --group-id sg-47dddc34c51b4be58")));
    assert!(plan["rollback_cli"][0].as_str().is_some_and(|c| c.contains("authorize-security-group-ingress")));
    assert_eq!(plan["fingerprint"].as_str().map(str::len), Some(16));
    for field in [
        "id",
        "account_id",
        "region",
        "control_id",
        "title",
        "severity",
        "workflow_status",
        "resource_type",
        "resource_id",
        "verdict",
        "reason",
        "exception",
        "plan",
        "errors",
    ] {
        assert!(sg.get(field).is_some(), "field {field} present");
    }
}

#[test]
fn demo_plan_has_hundreds_of_findings_and_every_verdict() {
    let (entries, stderr, code) = plan_json(&["--demo"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(entries.len() >= 300, "{} findings", entries.len());
    let mut verdicts: HashMap<String, usize> = HashMap::new();
    for e in &entries {
        *verdicts.entry(e["verdict"].as_str().unwrap_or("").to_string()).or_default() += 1;
    }
    for v in ["auto-fix", "approve", "manual", "excepted", "no-playbook"] {
        assert!(verdicts.get(v).copied().unwrap_or(0) > 0, "verdict {v} present: {verdicts:?}");
    }
    let live_plans = entries.iter().filter(|e| e["plan"]["basis"] == "live").count();
    assert!(live_plans > 10, "demo plans are computed from live (simulated) state");
    let excepted = entries.iter().find(|e| e["verdict"] == "excepted").expect("an excepted finding");
    assert!(excepted["exception"]["days_left"].as_i64().is_some_and(|d| d >= 0));
}

#[test]
fn table_format_and_bad_input_path() {
    let output = hubtriage().args(["--demo", "plan"]).output().expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("SEVERITY"), "{text}");
    assert!(text.lines().count() > 300);

    let output = hubtriage().args(["--findings", "/nonexistent/findings.json", "plan"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/findings.json"));
}

#[test]
fn bad_config_names_the_key_and_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[policy]\ndefault_verdict = \"approve\"\nrulez = []\n").expect("write");
    let output = hubtriage().args(["--config", path.to_str().expect("path"), "--demo", "plan"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rulez") && stderr.contains("config.toml") && stderr.contains("line 3"), "{stderr}");
}

#[test]
fn report_gives_the_demo_organisations_figures_as_json_markdown_and_one_html_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit.jsonl");
    let run = |format: &str| {
        let output = hubtriage()
            .args(["--demo", "--audit-log", audit.to_str().expect("path"), "report", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let (plans, _, _) = plan_json(&["--demo"]);
    let figures: Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(figures["findings"].as_u64(), Some(plans.len() as u64), "every open finding counted");
    let total: u64 =
        figures["severity_by_verdict"].as_array().expect("rows").iter().map(|r| r["total"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total, plans.len() as u64);
    let auto_fix = plans.iter().filter(|p| p["verdict"] == "auto-fix").count() as u64;
    assert_eq!(figures["would_auto_fix"]["total"].as_u64(), Some(auto_fix));
    let markdown = run("md");
    assert!(markdown.starts_with("# hubtriage report") && markdown.contains("## Would auto-fix"), "{markdown}");
    let html = run("html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"), "{html}");
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="), "self-contained");
}
