use super::*;
use crate::cloud::FindingSource;
use crate::engine::ingest::assess_page;
use crate::engine::remediate::tests::fixture_with;
use chrono::Utc;

async fn rows() -> Vec<Row> {
    let f = fixture_with(false, Default::default());
    let mut rows = Vec::new();
    for source in f.org.sources() {
        let page = f.org.fetch_page(&source, None).await.expect("page");
        rows.extend(assess_page(page.findings, f.remediator.triage(), Utc::now()));
    }
    rows
}

fn cx(auto_fix: bool) -> Context<'static> {
    Context { auto_fix, accounts: None, running: None, fixed: false }
}

#[tokio::test]
async fn policy_decides_and_only_auto_fix_verdicts_are_fixed() {
    let rows = rows().await;
    let auto = rows.iter().find(|r| AutoFix::takes(r)).expect("an auto-fix row");
    assert_eq!(decide(auto, &EventKind::Imported, &cx(true)), Action::Fix);
    let Action::Skip(off) = decide(auto, &EventKind::Imported, &cx(false)) else { panic!("fixed with auto-fix off") };
    assert!(off.contains("auto-fix is off"), "{off}");
    let custom = EventKind::CustomAction { action: "Remediate".into() };
    assert_eq!(decide(auto, &custom, &cx(false)), Action::Fix);
    let approve = rows.iter().find(|r| r.decision.verdict == Verdict::NeedsApproval && r.finding.is_open());
    let Action::Skip(why) = decide(approve.expect("an approve row"), &custom, &cx(true)) else {
        panic!("an approve verdict was fixed")
    };
    assert!(why.contains("needs approval") && why.contains("hubtriage apply --finding"), "{why}");
}

#[tokio::test]
async fn a_running_job_is_joined_and_a_fixed_copy_or_foreign_account_skipped() {
    let rows = rows().await;
    let auto = rows.iter().find(|r| AutoFix::takes(r)).expect("an auto-fix row");
    let running = Context { running: Some(7), ..cx(true) };
    assert_eq!(decide(auto, &EventKind::Imported, &running), Action::Join(7));
    let fixed = Context { fixed: true, ..cx(true) };
    assert!(matches!(decide(auto, &EventKind::Imported, &fixed), Action::Skip(w) if w.contains("already fixed")));
    let others: BTreeSet<String> = ["999999999999".to_string()].into();
    let foreign = Context { accounts: Some(&others), ..cx(true) };
    assert!(
        matches!(decide(auto, &EventKind::Imported, &foreign), Action::Skip(w) if w.contains("not one hubtriage manages"))
    );
}
