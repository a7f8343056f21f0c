//! Listing exceptions across every account and region: each source is read concurrently with the tagged-resource
//! listing; a source that fails is named in a problem line and the others go on.

use super::Remediator;
use crate::cloud::{CloudError, SourceId};
use crate::engine::exceptions::{sort_entries, ExceptionEntry};
use crate::engine::Msg;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Sources read at once.
const CONCURRENT_SOURCES: usize = 8;

/// The exceptions of one source, or why they could not be read.
pub(super) type SourceExceptions = (SourceId, Result<Vec<ExceptionEntry>, CloudError>);

impl Remediator {
    /// Every exception on the resources of `sources`, sorted by expiry (unreadable ones last), and a problem line
    /// for each source that could not be read.
    pub async fn list_exceptions(
        &self,
        sources: &[SourceId],
        now: DateTime<Utc>,
    ) -> (Vec<ExceptionEntry>, Vec<String>) {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for (source, result) in self.exceptions_by_source(sources, now).await {
            match result {
                Ok(found) => entries
                    .extend(found.into_iter().filter(|e| seen.insert((e.account_id.clone(), e.resource_id.clone())))),
                Err(e) => problems.push(format!("{source}: exceptions could not be listed: {e}")),
            }
        }
        sort_entries(&mut entries);
        (entries, problems)
    }

    /// Lists the exceptions in the background; the answer arrives as `Msg::Exceptions`.
    pub fn refresh_exceptions(self: &Arc<Self>, sources: Vec<SourceId>, tx: UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let (entries, problems) = this.list_exceptions(&sources, Utc::now()).await;
            let _ = tx.send(Msg::Exceptions { entries, problems });
        });
    }

    /// The exceptions of each source, in the order of `sources`.
    pub(super) async fn exceptions_by_source(&self, sources: &[SourceId], now: DateTime<Utc>) -> Vec<SourceExceptions> {
        let config = &self.settings.exceptions;
        futures::stream::iter(sources.iter().cloned())
            .map(|source| async move {
                let listed =
                    self.resources.list_tagged(&source.account_id, &source.region, &config.tags.reason_tag).await;
                let entries = listed.map(|resources| {
                    resources
                        .iter()
                        .filter_map(|r| ExceptionEntry::from_tags(&source.account_id, &source.region, r, config, now))
                        .collect()
                });
                (source, entries)
            })
            .buffered(CONCURRENT_SOURCES)
            .collect()
            .await
    }
}
