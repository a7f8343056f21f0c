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

/// Findings read from the store at a time: never the whole store in memory, and enough of each source per chunk
/// (they come in identity order) to fill pages.
const CHUNK: usize = 5000;

/// What has been sent so far, per source.
#[derive(Default)]
struct Sent {
    counts: BTreeMap<SourceId, usize>,
    findings: usize,
}

/// Reads, assesses and sends one chunk of stored findings, grouped by source in pages of at most [`PAGE`]; false
/// when the receiver is gone.
fn send_chunk(
    chunk: &[crate::store::StoredFinding],
    sources: &[SourceId],
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
    sent: &mut Sent,
) -> bool {
    let page = format!("{{\"Findings\":[{}]}}", chunk.iter().map(|s| s.raw.as_str()).collect::<Vec<_>>().join(","));
    let mut outcome = read_owned_document(page);
    let set: BTreeMap<&FindingKey, WorkflowStatus> =
        chunk.iter().filter_map(|s| Some((&s.key, s.set_workflow?))).collect();
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
    let mut problems: Vec<String> =
        outcome.problems.into_iter().map(|p| format!("stored finding at {}: {}", p.location, p.reason)).collect();
    for (source, findings) in by_source {
        *sent.counts.entry(source.clone()).or_default() += findings.len();
        sent.findings += findings.len();
        let mut findings = findings.into_iter().peekable();
        while findings.peek().is_some() {
            let mut page: Vec<crate::model::Finding> = findings.by_ref().take(PAGE).collect();
            // The stage holds those of the page's findings whose status hubtriage had set.
            let held: Vec<FindingKey> = page.iter().map(|f| f.key()).filter(|k| set.contains_key(k)).collect();
            spill_page(&mut page);
            let rows = assess_page(page, triage, Utc::now());
            let problems = std::mem::take(&mut problems);
            if tx.send(Msg::StoredPage { source: source.clone(), rows, held, problems }).is_err() {
                return false;
            }
        }
    }
    true
}

/// Sends every stored finding to the UI, assessed from its snapshot, attributed to the source that delivers it
/// (`sources`: the backend's; findings of accounts an aggregator source returns go to that source), then a `Cached`
/// status per source. Returns how many findings were sent.
pub fn send_stored(
    store: &Store,
    sources: &[SourceId],
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
) -> Result<usize, StoreError> {
    let marks = store.marks()?;
    let mut sent = Sent::default();
    store.load_chunks(CHUNK, |stored| send_chunk(&stored, sources, triage, tx, &mut sent))?;
    let Sent { counts, findings: sent } = sent;
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
