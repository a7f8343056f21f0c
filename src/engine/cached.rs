//! Start from the store: the findings kept from earlier runs go to the Store stage at once, page by page, before any source
//! answers; each source is shown as `Cached` with the time of its last complete sync until its delta sync ends.

use super::ingest::{assess_page, spill_page};
use super::{Msg, SourceStatus};
use crate::cloud::SourceId;
use crate::model::asff::read_owned_document;
use crate::model::{FindingKey, WorkflowStatus};
use crate::store::{Store, StoreError};
use crate::triage::Triage;
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Findings per page sent to the UI (a GetFindings page's worth, so the table merges them as it merges pages).
const PAGE: usize = 100;

/// Sends every stored finding to the UI, assessed from its snapshot, attributed to the source that delivers it
/// (`sources`: the backend's; findings of accounts an aggregator source returns go to that source), then a `Cached`
/// status per source. Returns how many findings were sent.
pub fn send_stored(
    store: &Store,
    sources: &[SourceId],
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
) -> Result<usize, StoreError> {
    let stored = store.load()?;
    let marks = store.marks()?;
    let mut counts: BTreeMap<SourceId, usize> = BTreeMap::new();
    let mut sent = 0;
    for chunk in stored.chunks(PAGE) {
        let page = format!("{{\"Findings\":[{}]}}", chunk.iter().map(|s| s.raw.as_str()).collect::<Vec<_>>().join(","));
        let mut outcome = read_owned_document(page);
        let set: BTreeMap<&FindingKey, WorkflowStatus> =
            chunk.iter().filter_map(|s| Some((&s.key, s.set_workflow?))).collect();
        let held: Vec<FindingKey> = set.keys().map(|k| (*k).clone()).collect();
        if !set.is_empty() {
            for finding in &mut outcome.findings {
                if let Some(status) = set.get(&finding.key()) {
                    finding.workflow_status = *status;
                }
            }
        }
        let mut by_source: BTreeMap<SourceId, Vec<crate::model::Finding>> = BTreeMap::new();
        for finding in outcome.findings {
            let own = SourceId { account_id: finding.account_id.clone(), region: finding.region.clone() };
            let source = if sources.contains(&own) { own } else { sources.first().cloned().unwrap_or(own) };
            by_source.entry(source).or_default().push(finding);
        }
        let problems: Vec<String> =
            outcome.problems.into_iter().map(|p| format!("stored finding at {}: {}", p.location, p.reason)).collect();
        let mut problems = Some(problems);
        for (source, mut findings) in by_source {
            *counts.entry(source.clone()).or_default() += findings.len();
            sent += findings.len();
            spill_page(&mut findings);
            let rows = assess_page(findings, triage, Utc::now());
            let problems = problems.take().unwrap_or_default();
            // The chunk's held keys go with each of its pages: the stage holds those among the page's rows.
            let held = held.clone();
            if tx.send(Msg::StoredPage { source, rows, held, problems }).is_err() {
                return Ok(sent);
            }
        }
    }
    for source in sources {
        let status = SourceStatus::Cached {
            findings: counts.get(source).copied().unwrap_or(0),
            synced_from: marks.get(source).copied(),
        };
        if tx.send(Msg::SourceState { source: source.clone(), status }).is_err() {
            break;
        }
    }
    Ok(sent)
}
