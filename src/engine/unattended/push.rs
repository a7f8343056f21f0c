//! `--events-queue`: finding events pushed into a TUI session. The session's own queue (an EventBridge rule's second
//! target) is read as `watch` reads its queue, and each event's findings go to the store and the Store stage at once,
//! so new findings appear within seconds instead of at the next refresh. A message is deleted once its findings are
//! kept; one that cannot be read stays for the queue's redrive policy. Nothing here changes a resource: fixes follow
//! the session's own rules (auto-fix switch, approvals).

use super::message::read_event;
use crate::cloud::events::EventQueue;
use crate::cloud::SourceId;
use crate::engine::ingest::assess_page;
use crate::engine::Msg;
use crate::store::Store;
use crate::triage::Triage;
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How long one receive waits for a first message.
const WAIT: Duration = Duration::from_secs(20);

/// Feeds `tx` from `queue` until the receiver of `tx` is gone.
pub fn spawn(queue: Arc<dyn EventQueue>, triage: Arc<Triage>, store: Option<Arc<Store>>, tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut failures = 0u32;
        while !tx.is_closed() {
            match receive_once(queue.as_ref(), &triage, store.as_ref(), &tx, WAIT).await {
                Ok(_) => failures = 0,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(queue = %queue.describe(), "events queue: {e}");
                    tokio::time::sleep(Duration::from_secs(1 << failures.min(6))).await;
                }
            }
        }
    });
}

/// One receive: every readable event's findings kept, sent to the stage and deleted. Returns how many messages
/// were handled (deleted).
pub async fn receive_once(
    queue: &dyn EventQueue,
    triage: &Arc<Triage>,
    store: Option<&Arc<Store>>,
    tx: &UnboundedSender<Msg>,
    wait: Duration,
) -> Result<usize, crate::cloud::CloudError> {
    let mut handled = 0;
    for message in queue.receive(10, wait, None).await? {
        let event = match read_event(&message.body) {
            Ok(event) => event,
            Err(why) => {
                tracing::warn!(message = %message.message_id, "events queue: {why}; left to the redrive policy");
                continue;
            }
        };
        for problem in &event.problems {
            tracing::warn!(message = %message.message_id, "events queue: a finding could not be read: {problem}");
        }
        if let Some(store) = store {
            if let Err(e) = store.upsert(&event.findings, Utc::now()) {
                tracing::warn!("events queue: the store did not take the event: {e}");
            }
        }
        let mut by_source: BTreeMap<SourceId, Vec<_>> = BTreeMap::new();
        for row in assess_page(event.findings, triage, Utc::now()) {
            let source =
                SourceId { account_id: row.finding.account_id.to_string(), region: row.finding.region.to_string() };
            by_source.entry(source).or_default().push(row);
        }
        for (source, rows) in by_source {
            let _ = tx.send(Msg::FindingsPage { source, rows, problems: Vec::new() });
        }
        if event.problems.is_empty() {
            queue.delete(&message.receipt).await?;
            handled += 1;
        }
    }
    Ok(handled)
}
