//! Tokio work: ingest tasks per source, live plan requests. Answers reach the UI as `Msg`s.

pub mod approval_work;
pub mod approvals;
pub mod audit;
pub mod audit_chain;
pub mod audit_summary;
pub mod audit_verify;
pub mod cached;
pub mod exceptions;
pub mod finding_state;
pub mod ingest;
pub mod jobs;
pub mod live_assessments;
pub mod live_plan;
pub mod live_reads;
mod read_batches;
pub mod refresh;
pub mod remediate;
pub mod rollback_target;
mod row;
pub mod stage;
pub mod trend;
pub mod unattended;

use crate::cloud::SourceId;
use crate::model::FindingKey;
use crate::triage::Assessment;
use chrono::{DateTime, Utc};

pub use row::Row;

/// Loading state of one source, as the status line and Sources view show it.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceStatus {
    Loading {
        pages: usize,
        findings: usize,
    },
    /// Shown from the store: `findings` kept from earlier runs, complete as of `synced_from` (the start of the last
    /// complete sync), until this run's sync of the source ends.
    Cached {
        findings: usize,
        synced_from: Option<DateTime<Utc>>,
    },
    Ok {
        findings: usize,
        synced_at: DateTime<Utc>,
    },
    Retrying {
        attempt: u32,
        error: String,
    },
    Denied(String),
    NotEnabled(String),
    Failed(String),
}

impl SourceStatus {
    /// A short word for the status line.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Loading { .. } => "loading",
            Self::Cached { .. } => "cached",
            Self::Ok { .. } => "ok",
            Self::Retrying { .. } => "retrying",
            Self::Denied(_) => "denied",
            Self::NotEnabled(_) => "not enabled",
            Self::Failed(_) => "error",
        }
    }

    /// Whether the source has stopped with a problem.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Denied(_) | Self::NotEnabled(_) | Self::Failed(_))
    }
}

/// Everything that reaches the UI from background work.
#[derive(Debug)]
pub enum Msg {
    /// A page of findings from a source, assessed (to the Store stage, which decides what it changes).
    FindingsPage {
        source: SourceId,
        rows: Vec<Row>,
        problems: Vec<String>,
    },
    /// Findings read back from the store, assessed; `held` are those whose workflow status hubtriage set (to the
    /// Store stage).
    StoredPage {
        source: SourceId,
        rows: Vec<Row>,
        held: Vec<FindingKey>,
        problems: Vec<String>,
    },
    /// What changed in the findings, as the Store stage decided it: the table applies it as it is.
    Findings(Box<finding_state::FindingChanges>),
    SourceState {
        source: SourceId,
        status: SourceStatus,
    },
    /// The Security Hub API a source reads, once it is known (the Sources view and headless summaries say it).
    SourceApi {
        source: SourceId,
        api: crate::cloud::SourceApi,
    },
    /// A source's open findings as Security Hub counts them, known before its pages are read (the header).
    SourceTotals {
        source: SourceId,
        totals: OpenTotals,
    },
    /// The answer to a live plan request; dropped when `req` is no longer the current one.
    LivePlan {
        req: u64,
        key: FindingKey,
        result: Box<Result<Assessment, String>>,
    },
    /// The live plans of findings the operator asked to apply; dropped when `req` is not the current one.
    ApplyPreview {
        req: u64,
        items: Vec<jobs::PreviewItem>,
    },
    /// A remediation job changed state.
    Job(Box<jobs::JobUpdate>),
    /// A record was appended to the audit log.
    Audit(Box<audit::AuditRecord>),
    /// The exceptions found across every account and region (Exceptions view), and what could not be read.
    Exceptions {
        entries: Vec<exceptions::ExceptionEntry>,
        problems: Vec<String>,
    },
    /// Output of a running custom action (a chunk of text: lines of stdout/stderr, or a status line).
    ActionOutput {
        run: u64,
        text: String,
    },
    /// A custom action ended: its summary, or why it failed.
    ActionDone {
        run: u64,
        outcome: Result<String, String>,
    },
    /// A resource hubtriage fixed is non-compliant again (someone or some pipeline re-opened it).
    Drift(Box<Drift>),
    /// A notification about a job could not be published (also logged and audited); the job itself goes on.
    NotificationFailed(Box<NotificationFailure>),
    /// The approval desk answered an operation the UI asked for with `req`.
    Approval {
        req: u64,
        reply: Box<approval_work::ApprovalReply>,
    },
    /// The history for the Overview: the store's lifetimes (`None` without a store), findings that came back, and
    /// Security Hub's own trend where a source keeps one.
    History {
        lifetimes: Option<Vec<crate::store::Lifetime>>,
        reopened: Option<usize>,
        trend: Box<trend::TrendRead>,
    },
}

/// A source's open findings as Security Hub counts them (GetFindingStatisticsV2), for the header while its pages
/// load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenTotals {
    pub by_severity: std::collections::BTreeMap<crate::model::Severity, u64>,
    /// Of them, the findings of a control a playbook serves: what hubtriage could fix.
    pub with_playbook: u64,
}

impl OpenTotals {
    /// The totals of `counts`, with the controls `triage`'s playbooks serve.
    pub fn of(counts: &crate::cloud::FindingCounts, triage: &crate::triage::Triage) -> Self {
        let with_playbook = counts
            .by_control
            .iter()
            .filter(|(control, _)| triage.playbooks.for_control(control).is_some())
            .map(|(_, n)| n)
            .sum();
        Self { by_severity: counts.by_severity.clone(), with_playbook }
    }

    /// Every open finding counted.
    pub fn total(&self) -> u64 {
        self.by_severity.values().sum()
    }

    /// The sum of several sources' totals.
    pub fn add(&mut self, other: &Self) {
        for (severity, n) in &other.by_severity {
            *self.by_severity.entry(*severity).or_default() += n;
        }
        self.with_playbook += other.with_playbook;
    }
}

/// A notification that was not sent: the topic, what it was about, and why not.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationFailure {
    /// The job it was about (`20261120T…-3`).
    pub job: String,
    /// The event it was to announce (`verified`, `exception-added`, …).
    pub event: String,
    pub topic: String,
    /// The error, in words.
    pub cause: String,
}

impl std::fmt::Display for NotificationFailure {
    /// `notification not sent: <topic>: <cause>`, as headless commands print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "notification not sent: {}: {}", self.topic, self.cause)
    }
}

/// A regression found by the drift watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub account_id: String,
    pub region: String,
    pub resource: String,
    pub control_id: String,
    /// The job that fixed it.
    pub fixed_by: Option<String>,
    pub fixed_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    /// What the re-read showed, in words.
    pub message: String,
}
