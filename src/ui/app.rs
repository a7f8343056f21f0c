//! The TUI's state and how messages and keys change it. Never awaits: work is requested through `Effect`s.

use super::action_runs::ActionRuns;
use super::approvals::ApprovalList;
use super::dialog::Dialog;
use super::exceptions::ExceptionList;
use super::keys::{self, lookup, Action, Key};
use super::listing::Listing;
use super::route;
use super::theme::Theme;
use crate::actions::ActionConfig;
use crate::cloud::SourceId;
use crate::config::ExceptionsConfig;
use crate::engine::audit::AuditRecord;
use crate::engine::jobs::{JobId, JobUpdate};
use crate::engine::{Drift, Msg, Row, SourceStatus};
use crate::model::FindingKey;
use crossterm::event::{Event, KeyEventKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

pub use super::effect::Effect;
pub use super::live::LivePlan;
pub use super::route::{Mode, View};

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Detail,
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
    /// The command being typed after `:`.
    pub command_input: String,
    pub detail_scroll: u16,
    pub show_raw: bool,
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
    /// Who acts: written as the owner of a new exception unless another is typed.
    pub operator: String,
    /// `[exceptions]`: default and longest length, the expiring-soon threshold, tag names.
    pub exceptions: ExceptionsConfig,
    /// `[[actions]]`: the custom actions the action menu offers.
    pub actions: Vec<ActionConfig>,
    /// `[policy] trusted_products`: a custom action's confirmation says which findings are not to be trusted.
    pub trusted_products: crate::policy::TrustedProducts,
    /// The Exceptions view: the last listing and its position.
    pub exception_list: ExceptionList,
    /// Custom action runs of the session and their output.
    pub action_runs: ActionRuns,
    /// The Approvals view: whether a desk exists, the last listing and its position.
    pub approvals: ApprovalList,
    pub overview: super::overview::Overview,
    pub table_height: usize,
    pub quit: bool,
    /// `auto-fix` findings waiting to be handed to the remediator, and every finding ever handed (never twice).
    /// Work asked for while handling a message, handed over before the next frame.
    pub(super) queued_effects: Vec<Effect>,
    /// Live plan requests of findings re-read after an exception change (not the selected finding's).
    pub(super) reassess: HashSet<u64>,
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
            command_input: String::new(),
            detail_scroll: 0,
            show_raw: false,
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
            dialog: None,
            jobs: BTreeMap::new(),
            jobs_selected: 0,
            audit: Vec::new(),
            audit_selected: 0,
            drifts: Vec::new(),
            operator: String::new(),
            exceptions: ExceptionsConfig::default(),
            actions: Vec::new(),
            trusted_products: Default::default(),
            exception_list: ExceptionList::default(),
            action_runs: ActionRuns::default(),
            approvals: ApprovalList::default(),
            overview: Default::default(),
            table_height: 20,
            quit: false,
            queued_effects: Vec::new(),
            reassess: HashSet::new(),
            latest_job: HashMap::new(),
            next_req: 1,
        }
    }

    /// Applies a background message.
    pub fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Findings(mut changes) => {
                let problems = std::mem::take(&mut changes.problems);
                self.note_problems(changes.source.as_ref(), problems);
                self.listing.apply(*changes);
            }
            // Pages go to the Store stage, which sends what they change as `Findings`; one reaching the table
            // directly would bypass its decisions, so it is not shown.
            Msg::FindingsPage { source, .. } | Msg::StoredPage { source, .. } => {
                tracing::error!(%source, "a page of findings reached the table without the store stage; dropped");
            }
            Msg::SourceState { source, status } => {
                self.sources.insert(source, status);
            }
            Msg::SourceApi { source, api } => {
                self.source_apis.insert(source, api);
            }
            Msg::SourceTotals { source, totals } => {
                self.source_totals.insert(source, totals);
            }
            Msg::LivePlan { req, key, result } => self.on_live_plan(req, key, *result),
            Msg::ApplyPreview { req, items } => self.on_preview(req, items),
            Msg::Job(update) => self.on_job(*update),
            Msg::Audit(record) => self.audit.push(*record),
            Msg::Drift(drift) => self.on_drift(*drift),
            Msg::Exceptions { entries, problems } => self.exception_list.set(entries, problems),
            Msg::ActionOutput { run, text } => self.action_runs.output(run, &text),
            Msg::ActionDone { run, outcome } => self.on_action_done(run, outcome),
            Msg::NotificationFailed(failure) => self.status_message = Some(failure.to_string()),
            Msg::Approval { req, reply } => self.on_approval(req, *reply),
            Msg::History { lifetimes, reopened } => self.on_history(lifetimes, reopened),
        }
    }

    /// Adds rows directly (tests and headless use).
    pub fn add_rows(&mut self, rows: Vec<Row>) {
        self.listing.put(rows);
        self.listing.refresh();
    }

    /// Keeps input problems for the Sources view (named with their source) and writes each to the log.
    pub fn note_problems(&mut self, source: Option<&crate::cloud::SourceId>, problems: Vec<String>) {
        for problem in problems {
            let problem = match source {
                Some(source) => format!("{source}: {problem}"),
                None => problem,
            };
            tracing::warn!(problem = %crate::model::sanitize::single_line(&problem), "input problem");
            self.problems.push(problem);
        }
    }

    /// Applies a terminal event; returns the work it asks for.
    pub fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        let Event::Key(key) = event else {
            return Vec::new();
        };
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        match self.dialog {
            Some(Dialog::Exception(_)) => return self.on_exception_key(*key),
            Some(Dialog::Actions(_)) => return self.on_menu_key(*key),
            Some(Dialog::ApprovalText(_)) => return self.on_approval_text_key(*key),
            Some(Dialog::Approve(_)) => return self.on_approve_key(*key),
            Some(_) => return self.on_dialog_key(*key),
            None => {}
        }
        match self.mode {
            Mode::Filter => {
                self.on_filter_key(*key);
                self.listing.refresh();
                Vec::new()
            }
            Mode::Command => {
                let effects = self.on_command_key(*key);
                self.listing.refresh();
                effects
            }
            Mode::Help => {
                if lookup(keys::HELP, Key::of(*key)) == Some(Action::CloseHelp) {
                    self.mode = Mode::Normal;
                }
                Vec::new()
            }
            Mode::Normal => match self.action_of(Key::of(*key)) {
                Some(action) => {
                    self.status_message = None;
                    self.on_action(action)
                }
                None => {
                    if let Some(hint) = route::bound_elsewhere(Key::of(*key), self.view, route::view_keys) {
                        self.status_message = Some(hint);
                    }
                    Vec::new()
                }
            },
        }
    }

    /// The intent of a key in the normal mode: the current view's table first, then the global keys.
    pub fn action_of(&self, key: Key) -> Option<Action> {
        lookup(route::view_keys(self.view), key).or_else(|| lookup(keys::GLOBAL, key))
    }

    /// The keys help lists in the current view: the view's own, then the global ones it does not override.
    pub fn help_entries(&self) -> Vec<&'static keys::Binding> {
        keys::help_entries(route::view_keys(self.view), keys::GLOBAL)
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
            Action::ToggleFocus if self.view == View::Findings && self.listing.on_header() => {
                self.listing.toggle_fold()
            }
            Action::CycleGroup | Action::ToggleFold | Action::ToggleAllFolds => self.on_group_action(action),
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
            Action::ShowExceptions => effects.extend(self.show_exceptions()),
            Action::ShowOutput => self.view = View::Output,
            Action::ShowApprovals => effects.extend(self.show_approvals()),
            Action::ShowOverview => effects.extend(self.show_overview()),
            Action::RefreshNow if self.view == View::Overview => effects.extend(self.refresh_overview()),
            Action::RefreshNow if self.view == View::Exceptions => effects.extend(self.refresh_exceptions()),
            Action::RefreshNow if self.view == View::Approvals => effects.extend(self.refresh_approvals()),
            Action::RefreshNow => effects.push(Effect::RefreshNow),
            Action::AddException => self.start_exception(),
            Action::RemoveException => self.start_remove_exception(),
            Action::ActionMenu => self.start_action_menu(),
            Action::ToggleMark => self.toggle_mark(),
            Action::Apply => effects.extend(self.start_apply()),
            Action::Rollback => self.start_rollback(),
            Action::ToggleIncident => self.ask_incident(),
            Action::RequestApproval => self.start_request_approval(),
            Action::ApproveRequest => self.start_approve(),
            Action::RejectRequest => self.start_reject(),
            Action::ToggleHelp => self.mode = Mode::Help,
            Action::StartCommand => {
                self.command_input.clear();
                self.mode = Mode::Command;
            }
            // Dialogs, forms and typed lines take these through their own tables.
            Action::CloseHelp
            | Action::Confirm
            | Action::ConfirmProd
            | Action::Cancel
            | Action::Submit
            | Action::NextField
            | Action::PreviousField
            | Action::ClearInput
            | Action::DeleteChar
            | Action::Complete => {}
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
            View::Exceptions => step(&mut self.exception_list.selected, self.exception_list.entries.len()),
            View::Output => self.action_runs.scroll_by(delta),
            View::Approvals => step(&mut self.approvals.selected, self.approvals.requests.len()),
            View::Overview => {}
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
}
