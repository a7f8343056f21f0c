//! `plan --query`: the query language of the TUI's `/` on the command line; only matching findings are printed or
//! written, and a query that does not read is a usage error that says where.

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn hubtriage(home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HUBTRIAGE_LOG", home.join("hubtriage.log")).env("HOME", home);
    cmd.arg("--findings").arg(common::asff_corpus());
    cmd
}

fn plan(home: &std::path::Path, query: Option<&str>) -> Vec<Value> {
    let mut cmd = hubtriage(home);
    cmd.args(["plan", "--format", "json"]);
    if let Some(q) = query {
        cmd.args(["--query", q]);
    }
    let output = cmd.output().expect("runs");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("a JSON array ({e}): {}", String::from_utf8_lossy(&output.stderr)))
}

fn ids(entries: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = entries.iter().map(|e| e["id"].as_str().unwrap_or_default().to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn only_the_findings_the_query_matches_are_printed() {
    let home = tempfile::tempdir().expect("dir");
    let all = plan(home.path(), None);
    type Expected<'a> = &'a dyn Fn(&Value) -> bool;
    let cases: [(&str, Expected); 3] = [
        ("sev>=high", &|e| matches!(e["severity"].as_str(), Some("HIGH" | "CRITICAL"))),
        ("control:S3.* -verdict:no-playbook", &|e| {
            e["control_id"].as_str().is_some_and(|c| c.starts_with("S3.")) && e["verdict"] != "no-playbook"
        }),
        ("sev:critical or control:EC2.1*", &|e| {
            e["severity"] == "CRITICAL" || e["control_id"].as_str().is_some_and(|c| c.starts_with("EC2.1"))
        }),
    ];
    for (query, expected) in cases {
        let wanted: Vec<Value> = all.iter().filter(|e| expected(e)).cloned().collect();
        assert!(!wanted.is_empty() && wanted.len() < all.len(), "{query}: {} of {}", wanted.len(), all.len());
        assert_eq!(ids(&plan(home.path(), Some(query))), ids(&wanted), "{query}");
    }
}

#[test]
fn a_plan_file_holds_only_the_matching_findings() {
    let home = tempfile::tempdir().expect("dir");
    let high = plan(home.path(), Some("sev>=high"));
    let out = home.path().join("plan.json");
    let output =
        hubtriage(home.path()).args(["plan", "--query", "sev>=high", "--out"]).arg(&out).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("the query matched {} of", high.len())), "{stderr}");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("plan file")).expect("JSON");
    assert_eq!(file["findings"].as_array().map(Vec::len), Some(high.len()));
}

#[test]
fn a_query_that_does_not_read_is_a_usage_error_naming_the_position() {
    let home = tempfile::tempdir().expect("dir");
    let output = hubtriage(home.path()).args(["plan", "--query", "control:S3.* sev>=hgh"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("at character 19: `hgh` is not a severity: expected critical, high"), "{stderr}");
    assert!(output.stdout.is_empty());
}
