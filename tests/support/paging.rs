//! The engine's paging task over one source of the AWS adapter, as the TUI runs it, and what it sent: every status,
//! the API the source was said to read, and the findings.
#![allow(clippy::unwrap_used)]

use hubtriage::cloud::aws::AwsSettings;
use hubtriage::cloud::{SourceApi, SourceId};
use hubtriage::engine::{Msg, OpenTotals, SourceStatus};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// What the engine's paging task sent for one source: every status in order and the ids of every row.
pub struct Paged {
    pub statuses: Vec<SourceStatus>,
    /// The finding ids (ASFF `Id`, OCSF `metadata.uid`) of every row, in order.
    pub ids: Vec<String>,
    /// Rows in the default view (open): what `Ok` counts.
    pub open: usize,
    /// The APIs the source was said to read, in order.
    pub apis: Vec<SourceApi>,
    /// The counts of open findings Security Hub gave before paging ended.
    pub totals: Vec<OpenTotals>,
    pub elapsed: Duration,
}

impl Paged {
    /// The error of every `Retrying` status.
    pub fn retries(&self) -> Vec<&str> {
        self.statuses
            .iter()
            .filter_map(|s| match s {
                SourceStatus::Retrying { error, .. } => Some(error.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The source ended `Ok` with every expected finding, each exactly once, and nothing else.
    pub fn assert_complete(&self, expected: &BTreeSet<String>) {
        let last = self.statuses.last().unwrap();
        assert!(
            matches!(last, SourceStatus::Ok { findings, .. } if *findings == self.open),
            "last status {last:?}; all: {:?}",
            self.statuses
        );
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &self.ids {
            *counts.entry(id.as_str()).or_default() += 1;
        }
        let dupes: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(dupes.is_empty(), "duplicated: {dupes:?}");
        let got: BTreeSet<String> = self.ids.iter().cloned().collect();
        let missing: Vec<_> = expected.difference(&got).collect();
        assert!(missing.is_empty(), "{} of {} missing, e.g. {:?}", missing.len(), expected.len(), missing.first());
        let extra: Vec<_> = got.difference(expected).collect();
        assert!(extra.is_empty(), "unexpected: {extra:?}");
    }
}

/// Connects the AWS adapter with `settings` through `endpoint` (fake keys; `attempt_timeout` as an embedding program
/// would set it) and runs the engine's paging task over `source` to its end.
pub async fn page(
    endpoint: String,
    settings: AwsSettings,
    source: SourceId,
    attempt_timeout: Option<Duration>,
) -> Paged {
    tokio::spawn(async move {
        let mut base = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("testing", "testing", None, None, "test"),
            ));
        if let Some(t) = attempt_timeout {
            base =
                base.timeout_config(aws_config::timeout::TimeoutConfig::builder().operation_attempt_timeout(t).build());
        }
        let (backend, _) = hubtriage::cloud::aws::connect_with(base.build(), &settings).await.unwrap();
        let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
        assert!(backend.findings.sources().contains(&source), "{source} is one of {:?}", backend.findings.sources());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        hubtriage::engine::ingest::page_source(backend.findings.clone(), source.clone(), triage, tx).await;
        let elapsed = started.elapsed();
        let mut paged =
            Paged { statuses: Vec::new(), ids: Vec::new(), open: 0, apis: Vec::new(), totals: Vec::new(), elapsed };
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::SourceState { source: s, status } if s == source => paged.statuses.push(status),
                Msg::SourceApi { source: s, api } if s == source => paged.apis.push(api),
                Msg::SourceTotals { source: s, totals } if s == source => paged.totals.push(totals),
                Msg::FindingsPage { source: s, rows, problems } if s == source => {
                    assert!(problems.is_empty(), "{problems:?}");
                    paged.ids.extend(rows.iter().map(|r| r.finding.id.to_string()));
                    paged.open += rows.iter().filter(|r| r.finding.is_open()).count();
                }
                other => panic!("unexpected message {other:?}"),
            }
        }
        paged
    })
    .await
    .unwrap()
}
