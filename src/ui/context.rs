//! What every component shares: the theme, the findings listing, sources, accounts, jobs, the audit log, the status
//! line and the queue of work for the runtime. Components read it to draw and change it through their keys; it
//! knows no component.

use super::action_runs::ActionRuns;
use super::effect::Effect;
use super::listing::Listing;
use super::theme::Theme;
use crate::actions::ActionConfig;
use crate::cloud::SourceId;
use crate::config::ExceptionsConfig;
use crate::engine::audit::AuditRecord;
use crate::engine::jobs::{JobId, JobKind, JobUpdate};
use crate::engine::{Drift, Row, SourceStatus};
use crate::model::{sanitize, Finding, FindingKey};
use crate::triage::Assessment;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// What `a`, `u` and `I` say when there is no live access.
pub const NEEDS_LIVE_ACCESS: &str = "fixes need live access to the accounts: not available offline (--findings)";

/// The live plan of the selected finding.
#[derive(Debug, Clone)]
pub struct LivePlan {
    pub req: u64,
    pub key: FindingKey,
    /// `None` while the read is in flight.
    pub result: Option<Result<Assessment, String>>,
}

/// The account class whose changes need a capital `Y`.
pub const PROD_CLASS: &str = "prod";

/// What `p`, `7`, `y` and `n` say while the session connects.
pub const APPROVALS_CONNECTING: &str = "approval requests: still connecting, try again in a moment";

/// Whether this session has an approval desk.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DeskState {
    /// The session is still connecting.
    #[default]
    Connecting,
    Ready,
    /// No desk, and why (offline, or no store and no coordination table).
    Unavailable(String),
}

/// The shared state of the TUI.
pub struct Context {
    pub theme: Theme,
    /// What the findings come from: "demo organisation", "file …", the caller identity.
    pub backend_label: String,
    pub listing: Listing,
    pub sources: BTreeMap<SourceId, SourceStatus>,
    /// The Security Hub API each live source reads (CSPM or V2), once decided.
    pub source_apis: BTreeMap<SourceId, crate::cloud::SourceApi>,
    /// Open findings per source as Security Hub counts them (the new Security Hub), before paging ends.
    pub source_totals: BTreeMap<SourceId, crate::engine::OpenTotals>,
    /// Input that could not be read, per source.
    pub problems: Vec<String>,
    pub live: Option<LivePlan>,
    /// Whether live state can be read (not offline).
    pub live_reads: bool,
    /// While the session connects (caller identity, store): what it is connecting to. Keys that need the
    /// session wait; `q` quits.
    pub connecting: Option<String>,
    pub auto_fix: bool,
    /// Account id → display name.
    pub account_names: BTreeMap<String, String>,
    /// Account id → class (`prod`, `dev`…): changes in `prod` need a capital `Y`.
    pub account_classes: BTreeMap<String, String>,
    /// Fixes can run (a remediator exists: not offline).
    pub can_fix: bool,
    /// No mutating call can be made: dialogs show plans but confirm nothing.
    pub read_only: bool,
    /// Incident mode: change windows lifted.
    pub incident: bool,
    /// Findings marked with `space`; `a` applies to them.
    pub marks: BTreeSet<FindingKey>,
    /// One line for the status bar: the answer to the last key or event.
    pub status_message: Option<String>,
    /// Every job of the session by id, with its latest state.
    pub jobs: BTreeMap<JobId, JobUpdate>,
    /// The audit log: as read at start plus every record since, oldest first.
    pub audit: Vec<AuditRecord>,
    /// Fixed resources found non-compliant again, until fixed again.
    pub drifts: Vec<Drift>,
    /// Who acts: written as the owner of a new exception unless another is typed.
    pub operator: String,
    /// `[exceptions]`: default and longest length, the expiring-soon threshold, tag names.
    pub exceptions: ExceptionsConfig,
    /// `[[actions]]`: the custom actions the action menu offers.
    pub actions: Vec<ActionConfig>,
    /// `[policy] trusted_products`: a custom action's confirmation says which findings are not to be trusted.
    pub trusted_products: crate::policy::TrustedProducts,
    /// Whether approval requests can be made and decided in this session.
    pub desk: DeskState,
    /// Custom action runs of the session and their output.
    pub action_runs: ActionRuns,
    pub table_height: usize,
    pub quit: bool,
    /// Work asked for, handed to the runtime after the key (or before the next frame).
    pub(crate) effects: Vec<Effect>,
    /// Live plan requests of findings re-read after an exception change (not the selected finding's).
    pub(crate) reassess: HashSet<u64>,
    /// The latest job of each finding.
    latest_job: HashMap<FindingKey, JobId>,
    next_req: u64,
}

/// The region a finding's resource lives in (global S3 findings carry it on the resource), as jobs record it.
pub fn resource_region(finding: &Finding) -> &str {
    finding.primary_resource().and_then(|r| r.region.as_deref()).filter(|r| !r.is_empty()).unwrap_or(&finding.region)
}

impl Context {
    /// A fresh context with no findings yet.
    pub fn new(theme: Theme, backend_label: String, live_reads: bool) -> Self {
        let mut listing = Listing::default();
        listing.descending = true;
        Self {
            theme,
            backend_label,
            listing,
            sources: BTreeMap::new(),
            source_apis: BTreeMap::new(),
            source_totals: BTreeMap::new(),
            problems: Vec::new(),
            live: None,
            live_reads,
            connecting: None,
            auto_fix: false,
            account_names: BTreeMap::new(),
            account_classes: BTreeMap::new(),
            can_fix: false,
            read_only: false,
            incident: false,
            marks: BTreeSet::new(),
            status_message: None,
            jobs: BTreeMap::new(),
            audit: Vec::new(),
            drifts: Vec::new(),
            operator: String::new(),
            exceptions: ExceptionsConfig::default(),
            actions: Vec::new(),
            trusted_products: Default::default(),
            desk: DeskState::default(),
            action_runs: ActionRuns::default(),
            table_height: 20,
            quit: false,
            effects: Vec::new(),
            reassess: HashSet::new(),
            latest_job: HashMap::new(),
            next_req: 1,
        }
    }

    /// Asks the runtime for work.
    pub fn request(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Says something on the status line.
    pub fn say(&mut self, message: impl Into<String>) {
        self.status_message = Some(message.into());
    }

    /// A new request id.
    pub fn next_req(&mut self) -> u64 {
        let req = self.next_req;
        self.next_req += 1;
        req
    }

    /// Adds rows directly (tests and headless use).
    pub fn add_rows(&mut self, rows: Vec<Row>) {
        self.listing.put(rows);
        self.listing.refresh();
    }

    /// Keeps input problems for the Sources view (named with their source) and writes each to the log.
    pub fn note_problems(&mut self, source: Option<&SourceId>, problems: Vec<String>) {
        for problem in problems {
            let problem = match source {
                Some(source) => format!("{source}: {problem}"),
                None => problem,
            };
            tracing::warn!(problem = %sanitize::single_line(&problem), "input problem");
            self.problems.push(problem);
        }
    }

    /// The selected finding's key.
    pub fn selected_key(&self) -> Option<FindingKey> {
        self.listing.selected_row().map(|r| r.finding.key())
    }

    /// The marked findings, or the selected one when none is marked.
    pub fn marked_or_selected(&self) -> Vec<Arc<Finding>> {
        if self.marks.is_empty() {
            return self.listing.selected_row().map(|r| r.finding.clone()).into_iter().collect();
        }
        self.listing.all().iter().filter(|r| self.marks.contains(&r.finding.key())).map(|r| r.finding.clone()).collect()
    }

    /// Whether the account is of class `prod`.
    pub fn is_prod(&self, account_id: &str) -> bool {
        self.account_classes.get(account_id).is_some_and(|c| c == PROD_CLASS)
    }

    /// Why approval requests cannot be used now, if they cannot.
    pub fn approvals_unavailable(&self) -> Option<String> {
        match &self.desk {
            DeskState::Ready => None,
            DeskState::Connecting => Some(APPROVALS_CONNECTING.into()),
            DeskState::Unavailable(why) if why.starts_with("approval requests") => Some(sanitize::single_line(why)),
            DeskState::Unavailable(why) => {
                Some(format!("approval requests are unavailable: {}", sanitize::single_line(why)))
            }
        }
    }

    /// Whether approval requests can be made or decided now; else the status line says why.
    pub fn approvals_usable(&mut self) -> bool {
        if let Some(why) = self.approvals_unavailable() {
            self.say(why);
            return false;
        }
        if self.read_only {
            self.say("read-only mode: approval requests are neither made nor decided");
            return false;
        }
        true
    }

    /// How many findings `auto-fix` would fix if the switch were on.
    pub fn would_fix(&self) -> usize {
        self.listing.would_fix()
    }

    /// A job changed state: kept, said on the status line when it ended, and a regression it fixed dropped.
    pub fn on_job(&mut self, update: &JobUpdate) {
        for key in &update.findings {
            let latest = self.latest_job.entry(key.clone()).or_insert(update.id);
            *latest = (*latest).max(update.id);
        }
        if update.state.is_final() {
            let detail = update.state.detail().map(|d| format!(": {}", sanitize::single_line(d))).unwrap_or_default();
            self.status_message = Some(format!(
                "job #{} {} {} {}: {}{detail}",
                update.id,
                update.kind.word(),
                update.control_id,
                update.resource,
                update.state.word()
            ));
        }
        if matches!(update.kind, JobKind::Apply { .. }) && update.state.is_success() {
            self.drifts.retain(|d| {
                !(d.account_id == update.account_id
                    && d.region == update.region
                    && d.resource == update.resource
                    && d.control_id == update.control_id)
            });
        }
        self.jobs.insert(update.id, update.clone());
    }

    /// The drift watch found a fixed resource non-compliant again.
    pub fn on_drift(&mut self, drift: Drift) {
        self.status_message = Some(format!(
            "regressed: {} {} in {}/{} is non-compliant again; select it and press a to fix again",
            drift.control_id,
            sanitize::single_line(&drift.resource),
            drift.account_id,
            drift.region
        ));
        self.drifts.retain(|d| {
            !(d.account_id == drift.account_id
                && d.region == drift.region
                && d.resource == drift.resource
                && d.control_id == drift.control_id)
        });
        self.drifts.push(drift);
    }

    /// The regression flagged on a finding's resource and control, if any.
    pub fn drift_for(&self, finding: &Finding) -> Option<&Drift> {
        let resource = finding.primary_resource()?;
        let control = finding.control_id.as_deref()?;
        self.drifts.iter().find(|d| {
            d.account_id == finding.account_id
                && d.resource == resource.id
                && d.control_id == control
                && (d.region == finding.region || d.region == resource_region(finding))
        })
    }

    /// The latest job of a finding.
    pub fn latest_job(&self, key: &FindingKey) -> Option<&JobUpdate> {
        self.latest_job.get(key).and_then(|id| self.jobs.get(id))
    }

    /// Jobs not yet ended.
    pub fn running_jobs(&self) -> usize {
        self.jobs.values().filter(|j| !j.state.is_final()).count()
    }
}
