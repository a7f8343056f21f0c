//! Plan files: written in a stable order with a checksum; anything edited, truncated, foreign or newer refused.

#![allow(clippy::unwrap_used)]

use super::*;

fn finding(id: &str, account: &str, verdict: Verdict, plan: Option<FilePlan>) -> PlannedFinding {
    PlannedFinding {
        id: id.into(),
        product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
        account_id: account.into(),
        region: "eu-west-1".into(),
        control_id: Some("S3.8".into()),
        title: "S3 general purpose buckets should block public access".into(),
        severity: "HIGH".into(),
        resource_type: Some("AwsS3Bucket".into()),
        resource_id: Some(format!("arn:aws:s3:::bucket-{id}")),
        verdict,
        reason: "no rule matched".into(),
        plan_status: if plan.is_some() { "planned" } else { "no-playbook" }.into(),
        plan,
        errors: vec![],
    }
}

fn plan() -> FilePlan {
    FilePlan {
        playbook: "s3-bucket-public-access".into(),
        summary: "block public access".into(),
        steps: vec![Step { action: "PutPublicAccessBlock".into(), before: "none".into(), after: "all four".into() }],
        cli: vec!["aws s3api put-public-access-block --bucket b".into()],
        rollback_cli: vec!["aws s3api delete-public-access-block --bucket b".into()],
        fingerprint: "0123456789abcdef".into(),
        basis: Basis::Live,
        changes: vec![Change::DeleteBucketPublicAccessBlock { bucket: "b".into() }],
        rollback: vec![],
        warnings: vec![],
    }
}

fn header() -> PlanHeader {
    PlanHeader {
        created_at: "2026-12-04T10:00:00Z".parse().unwrap(),
        created_by: "arn:aws:sts::123456789012:assumed-role/Reviewer/alice".into(),
        scope: PlanScope { source: "aws".into(), account: "123456789012".into(), endpoint: "aws".into() },
        policy_digest: "sha256:00".into(),
        incident_mode: false,
    }
}

fn document() -> PlanDocument {
    PlanDocument::new(
        header(),
        vec![
            finding("b", "222222222222", Verdict::NeedsApproval, Some(plan())),
            finding("a", "222222222222", Verdict::Manual, None),
            finding("c", "111111111111", Verdict::AutoFix, Some(plan())),
        ],
    )
}

#[test]
fn a_written_plan_file_reads_back_equal_in_a_stable_order() {
    let document = document();
    let ids: Vec<&str> = document.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["c", "a", "b"], "by account, then region, control, resource, id");
    let text = document.to_json();
    assert_eq!(PlanDocument::parse(text.as_bytes(), "p.json").unwrap(), document);
    assert_eq!(document.applicable().count(), 2);
    // The same findings in another order give the same file, byte for byte.
    let mut shuffled = document.findings.clone();
    shuffled.reverse();
    assert_eq!(PlanDocument::new(header(), shuffled).to_json(), text);
}

#[test]
fn any_edit_refuses_the_whole_file() {
    let text = document().to_json();
    for (from, to) in [
        ("\"verdict\": \"manual\"", "\"verdict\": \"auto-fix\""),
        ("0123456789abcdef", "0123456789abcdee"),
        ("delete-public-access-block", "delete-bucket"),
        ("\"bucket\": \"b\"", "\"bucket\": \"other\""),
        ("alice", "mallory"),
    ] {
        assert!(text.contains(from), "{from}");
        let edited = text.replacen(from, to, 1);
        let error = PlanDocument::parse(edited.as_bytes(), "p.json").unwrap_err();
        assert!(matches!(error, PlanFileError::Edited { .. }), "{from}: {error}");
        assert!(error.to_string().contains("edited after it was made"), "{error}");
    }
    // Whitespace is not content: a reformatted file is the same plan.
    let compact = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
    assert!(PlanDocument::parse(compact.as_bytes(), "p.json").is_ok());
}

#[test]
fn truncated_foreign_newer_and_malformed_files_are_refused_with_the_reason() {
    let text = document().to_json();
    let truncated = &text.as_bytes()[..text.len() / 2];
    assert!(matches!(PlanDocument::parse(truncated, "p.json").unwrap_err(), PlanFileError::NotJson { .. }));
    let other = br#"{"kind": "terraform-plan", "schema": 1}"#;
    assert!(PlanDocument::parse(other, "p.json").unwrap_err().to_string().contains("not a hubtriage plan file"));
    let markdown = b"# hubtriage plan\n";
    assert!(PlanDocument::parse(markdown, "p.md").is_err());
    let newer = text.replacen("\"schema\": 1", "\"schema\": 2", 1);
    let error = PlanDocument::parse(newer.as_bytes(), "p.json").unwrap_err();
    assert!(error.to_string().contains("schema 2, made by a newer hubtriage"), "{error}");
    let extra = text.replacen("\"incident_mode\"", "\"run_anything\": true, \"incident_mode\"", 1);
    let error = PlanDocument::parse(extra.as_bytes(), "p.json").unwrap_err();
    assert!(matches!(error, PlanFileError::Malformed { .. }), "{error}");
    assert!(error.to_string().contains("run_anything"), "{error}");
}
