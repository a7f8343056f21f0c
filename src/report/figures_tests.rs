//! The report's figures against a fixture computed by hand.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::engine::audit::tests::record;
use crate::engine::audit::{AuditEvent, AuditFinding, AuditResult};
use crate::model::testing::control_finding;
use crate::policy::Decision;
use crate::triage::{Assessment, PlanStatus};
use std::sync::Arc;

const PROD: &str = "210987654321";
const STAGING: &str = "345678901234";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn row(control: &str, severity: Severity, account: &str, verdict: Verdict, n: usize) -> Row {
    let mut finding = control_finding(control, severity, account, "AwsS3Bucket");
    finding.id = format!("{}-{n}", finding.id).into();
    let decision = Decision { verdict, reason: Arc::from("r"), exception: None, exception_note: None };
    Row::new(Arc::new(finding), Assessment { decision, plan: PlanStatus::NoPlaybook })
}

/// A verified fix of `control` on `resource`: first observed at `first`, verified at `verified`.
fn fix(job: &str, control: &str, resource: &str, first: &str, verified: &str) -> Vec<AuditRecord> {
    let mut intent = record(AuditEvent::ApplyIntent, AuditResult::Pending, job);
    intent.control_id = Some(control.into());
    intent.resource = resource.into();
    intent.findings = vec![AuditFinding {
        id: format!("{job}-f"),
        product_arn: "arn:p".into(),
        first_observed_at: Some(at(first)),
        format: Default::default(),
    }];
    let mut verification = record(AuditEvent::Verification, AuditResult::Verified, job);
    verification.time = at(verified);
    vec![intent, verification]
}

#[test]
fn the_figures_match_a_fixture_computed_by_hand() {
    let rows = [
        row("S3.8", Severity::Critical, PROD, Verdict::AutoFix, 1),
        row("S3.8", Severity::High, PROD, Verdict::AutoFix, 2),
        row("S3.8", Severity::High, STAGING, Verdict::NeedsApproval, 3),
        row("EC2.19", Severity::High, STAGING, Verdict::AutoFix, 4),
        row("EC2.19", Severity::Medium, STAGING, Verdict::Manual, 5),
        row("IAM.3", Severity::Low, PROD, Verdict::NoPlaybook, 6),
    ];
    // S3.8: 2 h and 10 h; EC2.19: 1 h, 3 h, 5 h (and one verified before `since`, left out); bucket-a fixed twice.
    let records: Vec<AuditRecord> = [
        fix("j1", "S3.8", "arn:aws:s3:::bucket-a", "2026-12-01T00:00:00Z", "2026-12-01T02:00:00Z"),
        fix("j2", "S3.8", "arn:aws:s3:::bucket-a", "2026-12-02T00:00:00Z", "2026-12-02T10:00:00Z"),
        fix("j3", "EC2.19", "sg-1", "2026-12-02T00:00:00Z", "2026-12-02T01:00:00Z"),
        fix("j4", "EC2.19", "sg-2", "2026-12-02T00:00:00Z", "2026-12-02T03:00:00Z"),
        fix("j5", "EC2.19", "sg-3", "2026-12-02T00:00:00Z", "2026-12-02T05:00:00Z"),
        fix("j0", "EC2.19", "sg-0", "2026-11-01T00:00:00Z", "2026-11-01T09:00:00Z"),
    ]
    .concat();
    // Day 1: a, b open; day 2: b (a closed at noon), c; day 3: b, c, d (c closed on day 4, after `now`).
    let lifetimes = [
        Lifetime { first_seen: at("2026-12-01T08:00:00Z"), closed_at: Some(at("2026-12-02T12:00:00Z")) },
        Lifetime { first_seen: at("2026-12-01T09:00:00Z"), closed_at: None },
        Lifetime { first_seen: at("2026-12-02T09:00:00Z"), closed_at: Some(at("2026-12-04T09:00:00Z")) },
        Lifetime { first_seen: at("2026-12-03T09:00:00Z"), closed_at: None },
    ];
    let names = BTreeMap::from([(PROD.to_string(), "payments-prod".to_string())]);
    let rows: Vec<&Row> = rows.iter().collect();
    let f = figures(&Inputs {
        rows: &rows,
        records: &records,
        lifetimes: Some(&lifetimes),
        trend: None,
        reopened: Some(1),
        account_names: &names,
        since: at("2026-12-01T00:00:00Z"),
        now: at("2026-12-03T18:00:00Z"),
    });

    assert_eq!(f.findings, 6);
    let high = f.severity_by_verdict.iter().find(|r| r.severity == "HIGH").unwrap();
    assert_eq!((high.counts["auto-fix"], high.counts["approve"], high.counts["manual"], high.total), (2, 1, 0, 3));
    assert_eq!(f.severity_by_verdict[0].severity, "CRITICAL", "most severe first");
    assert_eq!(f.severity_by_verdict.iter().map(|r| r.total).sum::<usize>(), 6);
    let names: Vec<(&str, usize)> = f.top_accounts.iter().map(|c| (c.name.as_str(), c.count)).collect();
    assert_eq!(names, [("345678901234", 3), ("payments-prod (210987654321)", 3)]);
    let controls: Vec<(&str, usize)> = f.top_controls.iter().map(|c| (c.name.as_str(), c.count)).collect();
    assert_eq!(controls, [("S3.8", 3), ("EC2.19", 2), ("IAM.3", 1)]);
    let open: Vec<usize> = f.open_over_time.iter().map(|d| d.open).collect();
    assert_eq!(open, [2, 2, 3]);
    assert_eq!(f.open_over_time_from, "store");
    let s3 = f.time_to_safe.iter().find(|t| t.control == "S3.8").unwrap();
    assert_eq!((s3.fixes, s3.median_seconds, s3.p90_seconds), (2, 6 * 3600, 10 * 3600));
    let ec2 = f.time_to_safe.iter().find(|t| t.control == "EC2.19").unwrap();
    assert_eq!((ec2.fixes, ec2.median_seconds, ec2.p90_seconds), (3, 3 * 3600, 5 * 3600), "j0 is before since");
    let all = f.time_to_safe_overall.as_ref().unwrap();
    assert_eq!((all.fixes, all.median_seconds, all.p90_seconds), (5, 3 * 3600, 10 * 3600));
    assert_eq!(f.fixed_again.len(), 1);
    assert_eq!((f.fixed_again[0].resource.as_str(), f.fixed_again[0].times), ("arn:aws:s3:::bucket-a", 2));
    assert_eq!(f.reopened, Some(1));
    assert_eq!(f.would_auto_fix.total, 3);
    let by_control: Vec<(&str, usize)> =
        f.would_auto_fix.by_control.iter().map(|c| (c.name.as_str(), c.count)).collect();
    assert_eq!(by_control, [("S3.8", 2), ("EC2.19", 1)]);
}

#[test]
fn names_from_findings_reach_markdown_and_html_inert() {
    let mut hostile = control_finding("S3.8", Severity::High, PROD, "AwsS3Bucket");
    hostile.control_id = Some("<script>alert(1)</script>\u{1b}[31m|[x](http://e)".into());
    let decision =
        Decision { verdict: Verdict::AutoFix, reason: Arc::from("r"), exception: None, exception_note: None };
    let rows = [Row::new(Arc::new(hostile), Assessment { decision, plan: PlanStatus::NoPlaybook })];
    let rows: Vec<&Row> = rows.iter().collect();
    let f = figures(&Inputs {
        rows: &rows,
        records: &[],
        lifetimes: None,
        trend: None,
        reopened: None,
        account_names: &BTreeMap::new(),
        since: at("2026-12-01T00:00:00Z"),
        now: at("2026-12-03T18:00:00Z"),
    });
    let html = super::super::html::render(&f);
    assert!(!html.contains("<script") && html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains('\u{1b}'));
    let md = super::super::markdown::render(&f);
    assert!(md.contains(r"\<script\>") && !md.replace(r"\<", "").contains("<script"), "escaped: {md}");
    assert!(!md.contains("[x](") && !md.contains('\u{1b}'), "{md}");
    assert!(md.contains("No store: no history to draw."));
}

/// The figures of no finding over four days, with `lifetimes` and `trend`.
fn over_time(lifetimes: &[Lifetime], trend: Option<&[TrendPoint]>) -> Figures {
    figures(&Inputs {
        rows: &[],
        records: &[],
        lifetimes: Some(lifetimes),
        trend,
        reopened: None,
        account_names: &BTreeMap::new(),
        since: at("2026-11-30T00:00:00Z"),
        now: at("2026-12-03T18:00:00Z"),
    })
}

#[test]
fn security_hubs_own_trend_wins_over_the_store_and_weekly_points_carry_over() {
    let point = |at_: &str, critical: u64, low: u64| TrendPoint { at: at(at_), critical, low, ..TrendPoint::default() };
    // A weekly point on the 1st, a daily one on the 3rd; the store says otherwise and is not used.
    let trend = [point("2026-12-01T00:00:00Z", 4, 1), point("2026-12-03T00:00:00Z", 2, 1)];
    let lifetimes = [Lifetime { first_seen: at("2026-11-01T08:00:00Z"), closed_at: None }];
    let f = over_time(&lifetimes, Some(&trend));
    assert_eq!(f.open_over_time_from, "security-hub");
    let days: Vec<(String, usize)> = f.open_over_time.iter().map(|d| (d.day.to_string(), d.open)).collect();
    assert_eq!(days, [("2026-12-01".into(), 5), ("2026-12-02".into(), 5), ("2026-12-03".into(), 3)], "none before");
    let md = super::super::markdown::render(&f);
    assert!(md.contains("Security Hub's own trend"), "{md}");
    let f = over_time(&lifetimes, Some(&[]));
    assert_eq!((f.open_over_time_from, f.open_over_time.len()), ("store", 4), "an empty trend leaves the store");
    assert!(super::super::markdown::render(&f).contains("from the store's history"));
}
