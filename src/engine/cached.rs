//! Start from the store: the findings kept from earlier runs go to the Store stage at once, page by page, before any source
//! answers; each source is shown as `Cached` with the time of its last complete sync until its delta sync ends.

use super::ingest::assess_page;
use super::{Msg, SourceStatus};
use crate::cloud::SourceId;
use crate::model::raw_json::{RawJson, RawSource};
use crate::model::{read_any_document, FindingKey, WorkflowStatus};
use crate::store::{Store, StoreError, StoredChunk, StoredFinding};
use crate::triage::Triage;
use chrono::Utc;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Findings per page sent to the UI (a GetFindings page's worth, so the table merges them as it merges pages).
const PAGE: usize = 100;

/// Findings read from the store at a time: reading and parsing overlap without holding much of the store in memory.
/// A hundred kilobytes or so of JSON: a chunk of megabytes, freed as the next one is read, moved the allocator to
/// keep such blocks among the findings, and a million stored findings took some 60 MB more.
const CHUNK: usize = 25;

/// What has been sent so far, per source.
#[derive(Default)]
struct Sent {
    counts: BTreeMap<SourceId, usize>,
    findings: usize,
}

/// Reads, assesses and sends one chunk of stored findings, grouped by source in pages of at most [`PAGE`]; false
/// when the receiver is gone.
fn send_chunk(
    store: &Arc<dyn RawSource>,
    chunk: StoredChunk,
    sources: &[SourceId],
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
    sent: &mut Sent,
) -> bool {
    let StoredChunk { document, findings: stored } = chunk;
    let mut outcome = read_any_document(document);
    let kept: HashMap<&FindingKey, &StoredFinding> = stored.iter().map(|s| (&s.key, s)).collect();
    let mut set: HashMap<FindingKey, WorkflowStatus> = HashMap::new();
    for finding in &mut outcome.findings {
        let key = finding.key();
        let Some(stored) = kept.get(&key) else { continue };
        // The JSON stays in the store, read back when the finding is opened.
        finding.raw = RawJson::kept(store.clone(), stored.row);
        if let Some(status) = stored.set_workflow {
            finding.workflow_status = status;
            set.insert(key, status);
        }
    }
    let mut by_source: BTreeMap<SourceId, Vec<crate::model::Finding>> = BTreeMap::new();
    for finding in outcome.findings {
        let own = SourceId { account_id: finding.account_id.to_string(), region: finding.region.to_string() };
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
            let page: Vec<crate::model::Finding> = findings.by_ref().take(PAGE).collect();
            // The stage holds those of the page's findings whose status hubtriage had set.
            let held: Vec<FindingKey> = page.iter().map(|f| f.key()).filter(|k| set.contains_key(k)).collect();
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
    store: &Arc<Store>,
    sources: &[SourceId],
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
) -> Result<usize, StoreError> {
    let marks = store.marks()?;
    let source: Arc<dyn RawSource> = store.clone();
    // Reading the database and reading the JSON each take a core: the next chunk is read while one is parsed.
    let (chunks, parse) = std::sync::mpsc::sync_channel::<StoredChunk>(1);
    let (read, sent) = std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            let mut sent = Sent::default();
            for stored in parse {
                if !send_chunk(&source, stored, sources, triage, tx, &mut sent) {
                    break;
                }
            }
            sent
        });
        let read = store.load_chunks(CHUNK, |stored| chunks.send(stored).is_ok());
        drop(chunks);
        (read, parser.join())
    });
    read?;
    let Sent { counts, findings: sent } = sent.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FindingFormat;

    /// The findings of an OCSF sample (the new Security Hub), read as the V2 source reads them.
    fn ocsf_sample() -> Vec<crate::model::Finding> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/ocsf/elastic-integrations__test-findings.ndjson");
        let outcome = crate::model::read_any(&std::fs::read_to_string(path).expect("sample"));
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        outcome.findings
    }

    #[test]
    fn stored_findings_of_both_formats_come_back_as_they_were_read_with_their_json_in_the_store() {
        let store = Arc::new(Store::in_memory().expect("store"));
        let mut findings = ocsf_sample();
        let asff = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/asff/automated-security-response-on-aws/afsbp-playbook-test__afsbp_ec22.json"
        );
        let asff = crate::model::read_any(&std::fs::read_to_string(asff).expect("ASFF sample"));
        assert!(!asff.findings.is_empty(), "{:?}", asff.problems);
        findings.extend(asff.findings);
        store.upsert(&findings, Utc::now()).expect("upsert");
        let triage = crate::session::triage(&crate::config::Config::default()).expect("triage");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sent = send_stored(&store, &[], &triage, &tx).expect("sent");
        assert_eq!(sent, findings.len());
        let mut back = Vec::new();
        while let Ok(msg) = rx.try_recv() {
            if let Msg::StoredPage { rows, .. } = msg {
                back.extend(rows.into_iter().map(|r| r.finding));
            }
        }
        assert_eq!(back.len(), findings.len());
        for f in &findings {
            let restored = back.iter().find(|b| b.key() == f.key()).expect("restored by identity");
            assert_eq!(restored.format, f.format);
            assert_eq!(restored.finding_uid, f.finding_uid);
            assert_eq!(
                (&restored.account_id, &restored.region, &restored.control_id),
                (&f.account_id, &f.region, &f.control_id)
            );
            assert_eq!(restored.raw.text().expect("from the store"), f.raw.text().expect("as read"));
        }
        assert!(
            back.iter().any(|f| f.format == FindingFormat::Ocsf)
                && back.iter().any(|f| f.format == FindingFormat::Asff)
        );
    }
}
