//! Seeds moto's Security Hub with real ASFF samples from ../shared/asff (read by path, never copied), rewritten with
//! fresh ids and the target account and region.

use super::http::{aws_call, Keys};
use hubtriage::model::asff::read_document;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The shared sample directory.
pub fn asff_dir() -> PathBuf {
    super::common::asff_corpus()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("list asff").filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "invalid-json") {
                walk(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "json" || e == "jsonl") {
            out.push(p);
        }
    }
}

/// Every readable finding of the samples, as the JSON object it was written as.
pub fn sample_findings() -> Vec<Value> {
    let mut files = Vec::new();
    walk(&asff_dir(), &mut files);
    let mut findings = Vec::new();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read sample")).into_owned();
        for finding in read_document(&text).findings {
            let value: Value = serde_json::from_str(&finding.raw.text().expect("raw")).expect("raw is JSON");
            // moto needs Resources; the samples that lack them are bad input for other tests.
            if value.get("Resources").and_then(Value::as_array).is_some_and(|r| !r.is_empty()) {
                findings.push(value);
            }
        }
    }
    assert!(findings.len() > 50, "too few ASFF samples: {}", findings.len());
    findings
}

/// A sample rewritten for `account`/`region` with a fresh id.
pub fn rewrite(sample: &Value, account: &str, region: &str, n: usize) -> Value {
    let mut f = sample.clone();
    f["Id"] = json!(format!("arn:aws:securityhub:{region}:{account}:hubtriage-test/finding/{n:06}"));
    f["AwsAccountId"] = json!(account);
    f["Region"] = json!(region);
    if let Some(sev) =
        f.get_mut("FindingProviderFields").and_then(|p| p.get_mut("Severity")).and_then(Value::as_object_mut)
    {
        sev.remove("Normalized");
    }
    // Security Hub requires these on import.
    for (key, default) in [
        ("SchemaVersion", json!("2018-10-08")),
        ("CreatedAt", json!("2024-01-01T00:00:00Z")),
        ("UpdatedAt", json!("2024-01-01T00:00:00Z")),
        ("Title", json!("untitled")),
        ("Description", json!("no description")),
        ("Types", json!(["Software and Configuration Checks"])),
        ("Severity", json!({"Label": "MEDIUM"})),
        ("GeneratorId", json!("hubtriage-test")),
    ] {
        if f.get(key).is_none() {
            f[key] = default;
        }
    }
    f
}

/// Credentials for `account` through AssumeRole from the base keys.
pub fn assume(port: u16, account: &str, role: &str) -> Keys {
    assume_as(port, account, role, "seed")
}

/// Credentials for `account` through AssumeRole from the base keys, in a role session of this name (one identity
/// per session name: `arn:aws:sts::<account>:assumed-role/<role>/<session>`).
pub fn assume_as(port: u16, account: &str, role: &str, session: &str) -> Keys {
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName={session}&RoleArn=arn%3Aaws%3Aiam%3A%3A{account}%3Arole%2F{role}"
    );
    let r = aws_call(
        port,
        &Keys::base(),
        ("sts", "us-east-1"),
        "POST",
        "/",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "AssumeRole into {account}: {}", r.body);
    let tag = |name: &str| -> String {
        let open = format!("<{name}>");
        let start = r.body.find(&open).map(|i| i + open.len()).unwrap_or_else(|| panic!("no {name} in {}", r.body));
        let end = r.body[start..].find('<').map(|i| start + i).expect("closing tag");
        r.body[start..end].to_string()
    };
    Keys {
        access_key: tag("AccessKeyId"),
        secret_key: tag("SecretAccessKey"),
        session_token: Some(tag("SessionToken")),
    }
}

/// EnableSecurityHub, then BatchImportFindings of `count` samples in batches of at most 100. Returns the ids of
/// those in the default view, the ones GetFindings answers to hubtriage's default filters (the emulator applies
/// them, as Security Hub does): a sample that is archived, closed or passed is imported but not returned.
pub fn seed_source(port: u16, role: &str, account: &str, region: &str, samples: &[Value], count: usize) -> Vec<String> {
    let findings: Vec<Value> = (0..count).map(|n| rewrite(&samples[n % samples.len()], account, region, n)).collect();
    let ids = import_findings(port, role, account, region, &findings);
    ids.into_iter().zip(&findings).filter(|(_, f)| in_default_view(f)).map(|(id, _)| id).collect()
}

/// Whether GetFindings with hubtriage's default filters (`FindingFilters::default`) returns `finding`; a finding
/// without RecordState or workflow has the ACTIVE and NEW Security Hub sets on import.
pub fn in_default_view(finding: &Value) -> bool {
    let view = hubtriage::cloud::aws::FindingFilters::default();
    let record = finding["RecordState"].as_str().unwrap_or("ACTIVE");
    let workflow = finding["Workflow"]["Status"].as_str().unwrap_or("NEW");
    let compliance = finding["Compliance"]["Status"].as_str();
    view.record_state.iter().any(|r| r == record)
        && view.workflow_status.iter().any(|w| w == workflow)
        && !view.compliance_status_not.iter().any(|c| Some(c.as_str()) == compliance)
}

/// EnableSecurityHub, then BatchImportFindings of these findings as they are, in batches of at most 100. Returns
/// the imported ids.
pub fn import_findings(port: u16, role: &str, account: &str, region: &str, findings: &[Value]) -> Vec<String> {
    let keys = assume(port, account, role);
    let r = aws_call(port, &keys, ("securityhub", region), "POST", "/accounts", "application/json", b"{}");
    assert!(
        r.status == 200 || r.body.contains("ResourceConflict"),
        "EnableSecurityHub in {account}/{region}: {} {}",
        r.status,
        r.body
    );
    for batch in findings.chunks(100) {
        let body = serde_json::to_vec(&json!({ "Findings": batch })).expect("json");
        let r = aws_call(port, &keys, ("securityhub", region), "POST", "/findings/import", "application/json", &body);
        assert_eq!(r.status, 200, "BatchImportFindings in {account}/{region}: {}", r.body);
        let answer: Value = serde_json::from_str(&r.body).expect("import answer");
        assert_eq!(answer["FailedCount"], 0, "BatchImportFindings in {account}/{region}: {}", r.body);
        assert_eq!(answer["SuccessCount"], batch.len(), "{}", r.body);
    }
    findings.iter().map(|f| f["Id"].as_str().expect("id").to_string()).collect()
}

/// A finding's workflow status as GetFindings returns it in its account; `None` when it is not there.
pub fn workflow_of(port: u16, role: &str, account: &str, region: &str, id: &str) -> Option<String> {
    let keys = assume(port, account, role);
    let r = super::http::aws_call(port, &keys, ("securityhub", region), "POST", "/findings", "application/json", b"{}");
    assert_eq!(r.status, 200, "GetFindings: {}", r.body);
    let answer: Value = serde_json::from_str(&r.body).expect("GetFindings answer");
    let finding = answer["Findings"].as_array()?.iter().find(|f| f["Id"] == id)?.clone();
    finding["Workflow"]["Status"].as_str().map(str::to_string)
}
