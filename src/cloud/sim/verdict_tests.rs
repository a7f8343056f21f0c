//! The demo organisation under the policy of `config.example.toml`: every verdict occurs.

use super::tests::{fetch_all, saturday};
use super::*;
use crate::config::Config;
use crate::policy::Verdict;
use crate::triage::Triage;
use futures::executor::block_on;
use std::collections::BTreeMap;
use std::path::Path;

fn example_triage() -> Triage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = Config::load_file(&path).expect("config.example.toml loads");
    let policy = config.policy().expect("policy");
    Triage { policy, playbooks: crate::playbook::Playbooks::new(&config.playbooks) }
}

/// Every finding with its verdict, assessed from live state where the resource can be read.
fn verdicts(org: &SimOrg, triage: &Triage) -> Vec<(Finding, Verdict, String)> {
    let mut out = Vec::new();
    for source in org.sources() {
        for finding in fetch_all(org, &source).expect("fetch") {
            let live = finding
                .primary_resource()
                .and_then(|r| block_on(org.read_state(&finding.account_id, &finding.region, r)).ok());
            let assessment = triage.assess(&finding, live.as_ref(), saturday());
            out.push((finding, assessment.decision.verdict, assessment.decision.reason.to_string()));
        }
    }
    out
}

#[test]
fn every_verdict_occurs_with_the_example_policy() {
    let org = SimOrg::new(7, saturday());
    let all = verdicts(&org, &example_triage());
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, verdict, _) in &all {
        *counts.entry(verdict.name()).or_default() += 1;
    }
    eprintln!("verdicts over {} findings: {counts:?}", all.len());
    for verdict in Verdict::ALL {
        assert!(counts.get(verdict.name()).is_some_and(|n| *n > 0), "no {verdict}: {counts:?}");
    }
    // Other seeds tell the same stories.
    for seed in [1, 42, 2026] {
        let org = SimOrg::new(seed, saturday());
        let seen: std::collections::BTreeSet<Verdict> =
            verdicts(&org, &example_triage()).into_iter().map(|(_, v, _)| v).collect();
        assert_eq!(seen.len(), 5, "seed {seed}: {seen:?}");
    }
}

#[test]
fn the_scripted_stories_get_their_verdicts() {
    let org = SimOrg::new(7, saturday());
    let all = verdicts(&org, &example_triage());
    let find = |control: &str, resource: &str| {
        all.iter()
            .find(|(f, _, _)| f.control_id.as_deref() == Some(control) && f.resources[0].id.contains(resource))
            .map(|(_, v, reason)| (*v, reason.clone()))
            .unwrap_or_else(|| panic!("no {control} finding on {resource}"))
    };
    let (v, reason) = find("S3.8", "payments-prod-status-page-eu-west-1");
    assert_eq!(v, Verdict::Excepted, "{reason}");
    assert!(reason.contains("20 days left"), "{reason}");
    let (v, reason) = find("S3.8", "platform-staging-partner-exchange-eu-west-1");
    assert_eq!(v, Verdict::Excepted, "{reason}");
    assert!(reason.contains("3 days left"), "{reason}");
    let (v, reason) = find("S3.8", "payments-prod-legacy-exports-us-east-1");
    assert_eq!(v, Verdict::AutoFix, "{reason}");
    assert!(reason.contains("expired 12 days ago"), "{reason}");
    let (v, _) = find("S3.2", "payments-prod-legacy-exports-us-east-1");
    assert_eq!(v, Verdict::Manual, "prod critical is fixed by hand");
    let (v, reason) = find("S3.2", "research-sandbox-shared-datasets-us-east-1");
    assert_eq!(v, Verdict::AutoFix, "{reason}");
    assert!(reason.contains("exception tag ignored"), "{reason}");
    let (v, _) = find("S3.8", "research-sandbox-scratch-eu-west-1");
    assert_eq!(v, Verdict::AutoFix);
    let (v, _) = find("S3.3", "legacy-ops-upload-drop-us-east-1");
    assert_eq!(v, Verdict::NeedsApproval, "unclassified account: default verdict");
    let guardduty: Vec<Verdict> =
        all.iter().filter(|(f, _, _)| &*f.product_name == "GuardDuty").map(|(_, v, _)| *v).collect();
    assert!(!guardduty.is_empty() && guardduty.iter().all(|v| *v == Verdict::Manual));
    let ec213_prod: Vec<Verdict> = all
        .iter()
        .filter(|(f, _, _)| f.control_id.as_deref() == Some("EC2.13") && *f.account_id == *"210987654321")
        .map(|(_, v, _)| *v)
        .collect();
    assert!(ec213_prod.contains(&Verdict::NeedsApproval) && ec213_prod.contains(&Verdict::Excepted), "{ec213_prod:?}");
}
