//! The TUI's state and how messages and keys change it. Never awaits: work is requested through `Effect`s.

use super::keymap::{action_for, Action};
use super::listing::{Listing, SortKey};
use super::theme::Theme;
use crate::cloud::SourceId;
use crate::engine::{Msg, Row, SourceStatus};
use crate::model::{Finding, FindingKey, Severity};
use crate::policy::Verdict;
use crate::triage::Assessment;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use std::collections::BTreeMap;
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
}

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Detail,
}

/// Work the UI asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Re-read the finding's resource and recompute its plan; answer tagged with `req`.
    LivePlan { req: u64, finding: Arc<Finding> },
    /// Fetch what changed since the last sync, now.
    RefreshNow,
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
    pub table_height: usize,
    pub quit: bool,
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
            table_height: 20,
            quit: false,
            next_req: 1,
        }
    }

    /// Applies a background message.
    pub fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::FindingsPage { source, rows, problems } => {
                self.problems.extend(problems.into_iter().map(|p| format!("{source}: {p}")));
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
            // Remediation jobs, the audit log and drift reach the UI in the remediation views.
            Msg::ApplyPreview { .. } | Msg::Job(_) | Msg::Audit(_) | Msg::Drift(_) => {}
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
                Some(action) => self.on_action(action),
                None => Vec::new(),
            },
        }
    }

    fn on_filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.filter_input.clear();
                self.mode = Mode::Normal;
            }
            KeyCode::Backspace => {
                self.filter_input.pop();
            }
            KeyCode::Char(c) if !c.is_control() => self.filter_input.push(c),
            _ => return,
        }
        self.listing.filters.text = self.filter_input.clone();
        self.listing.invalidate();
    }

    /// Performs one user intent.
    pub fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let before = self.selected_key();
        let page = self.table_height.max(1) as isize;
        let mut effects = Vec::new();
        match action {
            Action::Quit => self.quit = true,
            Action::Down if self.focus == Focus::Detail => self.detail_scroll = self.detail_scroll.saturating_add(1),
            Action::Up if self.focus == Focus::Detail => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            Action::Down => self.listing.move_by(1),
            Action::Up => self.listing.move_by(-1),
            Action::PageDown => self.listing.move_by(page),
            Action::PageUp => self.listing.move_by(-page),
            Action::Top => self.listing.select_edge(false),
            Action::Bottom => self.listing.select_edge(true),
            Action::ToggleFocus => {
                self.focus = if self.focus == Focus::Table { Focus::Detail } else { Focus::Table };
            }
            Action::StartFilter => {
                self.mode = Mode::Filter;
                self.filter_input = self.listing.filters.text.clone();
            }
            Action::ClearFilters => {
                self.listing.filters = Default::default();
                self.filter_input.clear();
                self.listing.invalidate();
            }
            Action::CycleSeverity => {
                let order =
                    [Some(Severity::Critical), Some(Severity::High), Some(Severity::Medium), Some(Severity::Low), None];
                self.listing.filters.min_severity = next_in(&order, &self.listing.filters.min_severity);
                self.listing.invalidate();
            }
            Action::CycleAccount => {
                let accounts: Vec<Option<String>> = self.distinct(|f| f.account_id.clone());
                self.listing.filters.account = next_in(&accounts, &self.listing.filters.account);
                self.listing.invalidate();
            }
            Action::CycleRegion => {
                let regions: Vec<Option<String>> = self.distinct(|f| f.region.clone());
                self.listing.filters.region = next_in(&regions, &self.listing.filters.region);
                self.listing.invalidate();
            }
            Action::CycleVerdict => {
                let mut order: Vec<Option<Verdict>> = Verdict::ALL.into_iter().map(Some).collect();
                order.push(None);
                self.listing.filters.verdict = next_in(&order, &self.listing.filters.verdict);
                self.listing.invalidate();
            }
            Action::CycleSort => {
                self.listing.sort = self.listing.sort.next();
                self.listing.descending = matches!(self.listing.sort, SortKey::Severity | SortKey::Updated);
                self.listing.invalidate();
            }
            Action::ReverseSort => {
                self.listing.descending = !self.listing.descending;
                self.listing.invalidate();
            }
            Action::ToggleRaw => {
                self.show_raw = !self.show_raw;
                self.detail_scroll = 0;
            }
            Action::ToggleClosed => {
                self.listing.filters.show_closed = !self.listing.filters.show_closed;
                self.listing.invalidate();
            }
            Action::ShowFindings => self.view = View::Findings,
            Action::ShowSources => self.view = View::Sources,
            Action::RefreshNow => effects.push(Effect::RefreshNow),
            Action::ToggleHelp => self.mode = Mode::Help,
        }
        self.listing.refresh();
        if self.selected_key() != before {
            self.detail_scroll = 0;
        }
        effects
    }

    /// Distinct values of a field over all rows, sorted, followed by `None` ("all").
    fn distinct(&self, field: impl Fn(&Finding) -> String) -> Vec<Option<String>> {
        let set: std::collections::BTreeSet<String> = self.listing.all().iter().map(|r| field(&r.finding)).collect();
        set.into_iter().map(Some).chain([None]).collect()
    }

    fn selected_key(&self) -> Option<FindingKey> {
        self.listing.selected_row().map(|r| r.finding.key())
    }

    /// Called before each frame: refreshes the view and asks for a live plan of a newly selected finding.
    pub fn before_draw(&mut self) -> Vec<Effect> {
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
        let req = self.next_req;
        self.next_req += 1;
        self.live = Some(LivePlan { req, key, result: None });
        vec![Effect::LivePlan { req, finding: row.finding.clone() }]
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

/// The element after `current` in `order` (wrapping); the first when `current` is not in it.
fn next_in<T: Clone + PartialEq>(order: &[T], current: &T) -> T {
    match order.iter().position(|x| x == current) {
        Some(i) => order[(i + 1) % order.len()].clone(),
        None => order[0].clone(),
    }
}
