//! One paging task per source: fetch, assess off the UI thread, send pages as they arrive.

use super::{Msg, Row, SourceStatus};
use crate::cloud::{CloudError, FindingSource, SourceId};
use crate::triage::Triage;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How often a failing page is retried before the source is marked failed.
const MAX_ATTEMPTS: u32 = 6;

/// Starts one paging task per source.
pub fn spawn_all(source: Arc<dyn FindingSource>, triage: Arc<Triage>, tx: UnboundedSender<Msg>) {
    for id in source.sources() {
        let (source, triage, tx) = (source.clone(), triage.clone(), tx.clone());
        tokio::spawn(async move { page_source(source, id, triage, tx).await });
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(6)))
}

/// Pages through one source until the end, a permanent failure, or the UI going away.
pub async fn page_source(source: Arc<dyn FindingSource>, id: SourceId, triage: Arc<Triage>, tx: UnboundedSender<Msg>) {
    let mut token = None;
    let mut pages = 0usize;
    let mut total = 0usize;
    let mut attempt = 0u32;
    let send_status = |status| tx.send(Msg::SourceState { source: id.clone(), status }).is_ok();
    if !send_status(SourceStatus::Loading { pages, findings: total }) {
        return;
    }
    loop {
        match source.fetch_page(&id, token.clone()).await {
            Ok(page) => {
                attempt = 0;
                pages += 1;
                total += page.findings.len();
                let now = Utc::now();
                let rows = page
                    .findings
                    .into_iter()
                    .map(|f| {
                        let assessment = triage.assess(&f, None, now);
                        Row { finding: Arc::new(f), assessment }
                    })
                    .collect();
                if tx.send(Msg::FindingsPage { source: id.clone(), rows, problems: page.problems }).is_err() {
                    return;
                }
                token = page.next_token;
                let status = match token {
                    Some(_) => SourceStatus::Loading { pages, findings: total },
                    None => SourceStatus::Ok { findings: total, synced_at: Utc::now() },
                };
                let done = token.is_none();
                if !send_status(status) || done {
                    return;
                }
            }
            Err(e) if e.is_retryable() && attempt + 1 < MAX_ATTEMPTS => {
                attempt += 1;
                tracing::warn!(source = %id, attempt, error = %e, "retrying page");
                if !send_status(SourceStatus::Retrying { attempt, error: e.to_string() }) {
                    return;
                }
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(e) => {
                tracing::error!(source = %id, error = %e, "source failed");
                let status = match e {
                    CloudError::AccessDenied(m) => SourceStatus::Denied(m),
                    CloudError::NotEnabled(m) => SourceStatus::NotEnabled(m),
                    other => SourceStatus::Failed(other.to_string()),
                };
                send_status(status);
                return;
            }
        }
    }
}
