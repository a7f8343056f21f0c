//! The TUI's state and how messages and keys change it. Never awaits: work is requested through `Effect`s.

use super::dialog::Dialog;
use super::keymap::{action_for, Action};
use super::listing::Listing;
use super::theme::Theme;
use crate::cloud::SourceId;
use crate::engine::audit::AuditRecord;
use crate::engine::jobs::{ApplyRequest, JobId, JobUpdate};
use crate::engine::{Drift, Msg, Row, SourceStatus};
use crate::model::{Finding, FindingKey};
use crate::policy::Verdict;
use crate::triage::Assessment;
use crossterm::event::{Event, KeyCode, KeyEventKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Where keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing the free-text filter.
    Filter,
    Help,
}

/// The screen shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Findings,
    Sources,
    Jobs,
    Audit,
}

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Detail,
}

/// Work the UI asks the runtime to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Re-read the finding's resource and recompute its plan; answer tagged with `req`.
    LivePlan { req: u64, finding: Arc<Finding> },
    /// Fetch what changed since the last sync, now.
    RefreshNow,
    /// Read the live state of these findings and plan them (`Remediator::preview`); answer tagged with `req`.
    PreviewApply { req: u64, findings: Vec<Arc<Finding>> },
    /// Run the approved requests (`Remediator::submit`, one job each).
    Apply(Vec<ApplyRequest>),
    /// Roll back the apply job with this audit log name (`Remediator::rollback`).
    Rollback { audit_job: String },
    /// Switch incident mode (change windows lifted) on or off (`Remediator::set_incident`).
    SetIncident(bool),
    /// Apply these `auto-fix` findings without a prompt (the auto-fix switch is on): policy approves whatever the
    /// live plan is, through the same re-read, verify and audit flow.
    AutoFix(Vec<Arc<Finding>>),
}

/// The live plan of the selected finding.
#[derive(Debug, Clone)]
pub struct LivePlan {
    pub req: u64,
    pub key: FindingKey,
    /// `None` while the read is in flight.
    pub result: Option<Result<Assessment, String>>,
}

/// Everything the TUI shows.
pub struct App {
    pub theme: Theme,
    /// What the findings come from: "demo organisation", "file …", the caller identity.
    pub backend_label: String,
    pub listing: Listing,
    pub mode: Mode,
    pub view: View,
    pub focus: Focus,
    pub filter_input: String,
    pub detail_scroll: u16,
    pub show_raw: bool,
    pub sources: BTreeMap<SourceId, SourceStatus>,
    /// Input that could not be read, per source.
    pub problems: Vec<String>,
    pub live: Option<LivePlan>,
    /// Whether live state can be read (not offline).
    pub live_reads: bool,
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
    pub dialog: Option<Dialog>,
    /// Every job of the session by id, with its latest state.
    pub jobs: BTreeMap<JobId, JobUpdate>,
    /// Position in the Jobs view (newest first).
    pub jobs_selected: usize,
    /// The audit log: as read at start plus every record since, oldest first.
    pub audit: Vec<AuditRecord>,
    /// Position in the Audit view (newest first).
    pub audit_selected: usize,
    /// Fixed resources found non-compliant again, until fixed again.
    pub drifts: Vec<Drift>,
    pub table_height: usize,
    pub quit: bool,
    /// `auto-fix` findings waiting to be handed to the remediator, and every finding ever handed (never twice).
    auto_fix_queue: Vec<Arc<Finding>>,
    auto_fix_seen: std::collections::HashSet<FindingKey>,
    /// The latest job of each finding.
    pub(super) latest_job: HashMap<FindingKey, JobId>,
    next_req: u64,
}

impl App {
    /// A fresh app with no findings yet.
    pub fn new(theme: Theme, backend_label: String, live_reads: bool) -> Self {
        let mut listing = Listing::default();
        listing.descending = true;
        Self {
            theme,
            backend_label,
            listing,
            mode: Mode::Normal,
            view: View::Findings,
            focus: Focus::Table,
            filter_input: String::new(),
            detail_scroll: 0,
            show_raw: false,
            sources: BTreeMap::new(),
            problems: Vec::new(),
            live: None,
            live_reads,
            auto_fix: false,
            account_names: BTreeMap::new(),
            account_classes: BTreeMap::new(),
            can_fix: false,
            read_only: false,
            incident: false,
            marks: BTreeSet::new(),
            status_message: None,
            dialog: None,
            jobs: BTreeMap::new(),
            jobs_selected: 0,
            audit: Vec::new(),
            audit_selected: 0,
            drifts: Vec::new(),
            table_height: 20,
            quit: false,
            auto_fix_queue: Vec::new(),
            auto_fix_seen: std::collections::HashSet::new(),
            latest_job: HashMap::new(),
            next_req: 1,
        }
    }

    /// Applies a background message.
    pub fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::FindingsPage { source, rows, problems } => {
                self.problems.extend(problems.into_iter().map(|p| format!("{source}: {p}")));
                self.queue_auto_fixes(&rows);
                self.listing.upsert(rows);
            }
            Msg::SourceState { source, status } => {
                self.sources.insert(source, status);
            }
            Msg::LivePlan { req, key, result } => {
                if let Some(live) = self.live.as_mut().filter(|l| l.req == req) {
                    if let Ok(assessment) = result.as_ref() {
                        self.listing.set_assessment(&key, assessment.clone());
                    }
                    live.result = Some(*result);
                }
            }
            Msg::ApplyPreview { req, items } => self.on_preview(req, items),
            Msg::Job(update) => self.on_job(*update),
            Msg::Audit(record) => self.audit.push(*record),
            Msg::Drift(drift) => self.on_drift(*drift),
            // The Exceptions view and the action output pane come with their views.
            Msg::Exceptions { .. } | Msg::ActionOutput { .. } | Msg::ActionDone { .. } => {}
        }
    }

    /// Adds rows directly (tests and headless use).
    pub fn add_rows(&mut self, rows: Vec<Row>) {
        self.listing.upsert(rows);
        self.listing.refresh();
    }

    /// Applies a terminal event; returns the work it asks for.
    pub fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        let Event::Key(key) = event else {
            return Vec::new();
        };
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if self.dialog.is_some() {
            return self.on_dialog_key(key.code);
        }
        match self.mode {
            Mode::Filter => {
                self.on_filter_key(*key);
                self.listing.refresh();
                Vec::new()
            }
            Mode::Help => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')) {
                    self.mode = Mode::Normal;
                }
                Vec::new()
            }
            Mode::Normal => match action_for(*key) {
                Some(action) => {
                    self.status_message = None;
                    self.on_action(action)
                }
                None => Vec::new(),
            },
        }
    }

    /// Performs one user intent.
    pub fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let before = self.selected_key();
        let page = self.table_height.max(1) as isize;
        let mut effects = Vec::new();
        match action {
            Action::Quit => self.quit = true,
            Action::Down if self.detail_focused() => self.detail_scroll = self.detail_scroll.saturating_add(1),
            Action::Up if self.detail_focused() => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::Top => self.move_by(isize::MIN),
            Action::Bottom => self.move_by(isize::MAX),
            Action::ToggleFocus => {
                self.focus = if self.focus == Focus::Table { Focus::Detail } else { Focus::Table };
            }
            Action::StartFilter
            | Action::ClearFilters
            | Action::CycleSeverity
            | Action::CycleAccount
            | Action::CycleRegion
            | Action::CycleVerdict
            | Action::CycleSort
            | Action::ReverseSort
            | Action::ToggleClosed => self.on_filter_action(action),
            Action::ToggleRaw => {
                self.show_raw = !self.show_raw;
                self.detail_scroll = 0;
            }
            Action::ShowFindings => self.view = View::Findings,
            Action::ShowSources => self.view = View::Sources,
            Action::ShowJobs => self.view = View::Jobs,
            Action::ShowAudit => self.view = View::Audit,
            Action::RefreshNow => effects.push(Effect::RefreshNow),
            Action::ToggleMark => self.toggle_mark(),
            Action::Apply => effects.extend(self.start_apply()),
            Action::Rollback => self.start_rollback(),
            Action::ToggleIncident => self.ask_incident(),
            Action::ToggleHelp => self.mode = Mode::Help,
        }
        self.listing.refresh();
        if self.selected_key() != before {
            self.detail_scroll = 0;
        }
        effects
    }

    fn detail_focused(&self) -> bool {
        self.focus == Focus::Detail && self.view == View::Findings
    }

    /// Moves the selection of the current view; `isize::MIN` / `MAX` go to the first / last entry.
    fn move_by(&mut self, delta: isize) {
        let step = |at: &mut usize, len: usize| {
            *at = match delta {
                isize::MIN => 0,
                isize::MAX => len.saturating_sub(1),
                d => at.saturating_add_signed(d).min(len.saturating_sub(1)),
            }
        };
        match self.view {
            View::Findings | View::Sources => match delta {
                isize::MIN => self.listing.select_edge(false),
                isize::MAX => self.listing.select_edge(true),
                d => self.listing.move_by(d),
            },
            View::Jobs => step(&mut self.jobs_selected, self.jobs.len()),
            View::Audit => step(&mut self.audit_selected, self.audit.len()),
        }
    }

    /// A new request id.
    pub(super) fn next_req(&mut self) -> u64 {
        let req = self.next_req;
        self.next_req += 1;
        req
    }

    pub(super) fn selected_key(&self) -> Option<FindingKey> {
        self.listing.selected_row().map(|r| r.finding.key())
    }

    /// Called before each frame: refreshes the view and asks for a live plan of a newly selected finding.
    pub fn before_draw(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !self.auto_fix_queue.is_empty() {
            effects.push(Effect::AutoFix(std::mem::take(&mut self.auto_fix_queue)));
        }
        effects.extend(self.live_plan_effect());
        effects
    }

    /// With the auto-fix switch on (and fixes possible), queues open `auto-fix` findings that have a plan, once each.
    fn queue_auto_fixes(&mut self, rows: &[Row]) {
        if !self.auto_fix || !self.can_fix || self.read_only {
            return;
        }
        for row in rows {
            let eligible = row.assessment.decision.verdict == Verdict::AutoFix
                && row.assessment.plan.plan().is_some()
                && row.finding.is_open();
            if eligible && self.auto_fix_seen.insert(row.finding.key()) {
                self.auto_fix_queue.push(row.finding.clone());
            }
        }
    }

    /// A live plan request for the selected finding when it changed.
    fn live_plan_effect(&mut self) -> Vec<Effect> {
        self.listing.refresh();
        let Some(row) = self.listing.selected_row() else {
            return Vec::new();
        };
        if !self.live_reads || row.assessment.plan == crate::triage::PlanStatus::NoPlaybook {
            return Vec::new();
        }
        let key = row.finding.key();
        if self.live.as_ref().is_some_and(|l| l.key == key) {
            return Vec::new();
        }
        let finding = row.finding.clone();
        let req = self.next_req();
        self.live = Some(LivePlan { req, key, result: None });
        vec![Effect::LivePlan { req, finding }]
    }

    /// How many findings `auto-fix` would fix if the switch were on.
    pub fn would_fix(&self) -> usize {
        self.listing
            .all()
            .iter()
            .filter(|r| r.assessment.decision.verdict == Verdict::AutoFix && r.assessment.plan.plan().is_some())
            .count()
    }
}
