#![allow(clippy::unwrap_used)]

use super::super::{PlanEntry, PlanField};
use crate::cli::json_pretty::PrettyItem;
use crate::cloud::sim::SimOrg;
use crate::cloud::SourceId;
use crate::engine::Row;
use crate::triage::PlanStatus;
use std::borrow::Cow;

/// What `serde_json` writes for the entry as an item of a pretty-printed array, without the array around it.
fn serde_json_item(entry: &PlanEntry) -> String {
    let array = serde_json::to_string_pretty(&[entry]).unwrap();
    array.strip_prefix("[\n  ").unwrap().strip_suffix("\n]").unwrap().to_string()
}

fn written(entry: &PlanEntry) -> String {
    let mut out = Vec::new();
    entry.write_item(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The simulated organisation's findings as the demo assesses them: plans, exceptions, every verdict, findings
/// without a control or a resource.
fn demo_rows() -> Vec<Row> {
    let now = chrono::Utc::now();
    let org = SimOrg::new(crate::session::DEMO_SEED, now);
    let config =
        crate::config::Config::parse(include_str!("../../config.example.toml"), std::path::Path::new("example"))
            .unwrap();
    let triage = crate::session::triage(&config).unwrap();
    let mut rows = Vec::new();
    for account in org.accounts() {
        for region in org.regions() {
            let source = SourceId { account_id: account.id.clone(), region };
            rows.extend(org.findings(&source, true).into_iter().map(|f| Row::from_snapshot(f, &triage, now)));
        }
    }
    rows
}

#[test]
fn every_entry_is_written_as_serde_json_writes_it() {
    let rows = demo_rows();
    let now = chrono::Utc::now();
    let mut seen = [false; 4];
    for (i, row) in rows.iter().enumerate() {
        let error = (i % 7 == 0).then_some("live state unavailable: \"AccessDenied\"\n\u{7}");
        let entry = PlanEntry::new(row, error, now);
        seen[0] |= entry.plan.plan().is_some();
        seen[1] |= entry.exception.is_some();
        seen[2] |= entry.control_id.is_none() || entry.resource_type.is_none();
        seen[3] |= !entry.errors.is_empty();
        assert_eq!(written(&entry), serde_json_item(&entry), "{}", entry.id);
    }
    assert_eq!(seen, [true; 4], "plans, exceptions, absent fields and errors are all written");
}

#[test]
fn texts_that_need_escapes_are_written_as_serde_json_writes_them() {
    let rows = demo_rows();
    let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} é 🔒 \u{2028} \u{7f}";
    let mut entry = PlanEntry::new(&rows[0], None, chrono::Utc::now());
    (entry.id, entry.title, entry.reason, entry.control_id, entry.resource_id) =
        (awkward, awkward, "", Some(awkward), None);
    entry.plan = PlanField(Cow::Owned(PlanStatus::NoPlaybook));
    entry.errors = vec![awkward.to_string(), String::new()];
    assert_eq!(written(&entry), serde_json_item(&entry));
}
