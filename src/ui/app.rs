//! The app: routing — which view is shown, which dialog is on top, where keys go — and the shared context. Keys go
//! to the dialog on top, else to the line being typed or the help, else to the current view and then to the global
//! keys. Messages are routed in `app_msg.rs`. Never awaits: work is requested through `Effect`s.

use super::components::approvals::ApprovalList;
use super::components::audit::AuditView;
use super::components::command_line::{CommandLine, CommandOutcome};
use super::components::component::{Component, Step};
use super::components::dialog::{Dialog, Outcome};
use super::components::exceptions::ExceptionList;
use super::components::findings::FindingsView;
use super::components::help::Help;
use super::components::incident::IncidentDialog;
use super::components::jobs::JobsView;
use super::components::output::OutputView;
use super::components::overview::Overview;
use super::components::query_line::QueryLine;
use super::components::sources::SourcesView;
use super::context::Context;
use super::keys::{self, lookup, Action, Binding, Key, GLOBAL};
use super::route;
use super::theme::Theme;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::ops::{Deref, DerefMut};

pub use super::effect::Effect;
pub use super::route::{Mode, View};

/// The views, one component each.
#[derive(Default)]
pub struct Views {
    pub findings: FindingsView,
    pub sources: SourcesView,
    pub jobs: JobsView,
    pub audit: AuditView,
    pub exceptions: ExceptionList,
    pub output: OutputView,
    pub approvals: ApprovalList,
    pub overview: Overview,
}

impl Views {
    /// The component of a view.
    pub fn get(&self, view: View) -> &dyn Component<Outcome = Outcome> {
        match view {
            View::Findings => &self.findings,
            View::Sources => &self.sources,
            View::Jobs => &self.jobs,
            View::Audit => &self.audit,
            View::Exceptions => &self.exceptions,
            View::Output => &self.output,
            View::Approvals => &self.approvals,
            View::Overview => &self.overview,
        }
    }

    fn get_mut(&mut self, view: View) -> &mut dyn Component<Outcome = Outcome> {
        match view {
            View::Findings => &mut self.findings,
            View::Sources => &mut self.sources,
            View::Jobs => &mut self.jobs,
            View::Audit => &mut self.audit,
            View::Exceptions => &mut self.exceptions,
            View::Output => &mut self.output,
            View::Approvals => &mut self.approvals,
            View::Overview => &mut self.overview,
        }
    }
}

/// Everything the TUI shows: where it is, the components, and the context they share.
pub struct App {
    pub ctx: Context,
    pub view: View,
    pub mode: Mode,
    pub dialog: Option<Dialog>,
    pub views: Views,
    pub help: Help,
    pub query: QueryLine,
    pub command: CommandLine,
}

/// The app reads as its shared context: `app.listing`, `app.status_message`.
impl Deref for App {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }
}

impl App {
    /// A fresh app with no findings yet.
    pub fn new(theme: Theme, backend_label: String, live_reads: bool) -> Self {
        Self {
            ctx: Context::new(theme, backend_label, live_reads),
            view: View::Findings,
            mode: Mode::Normal,
            dialog: None,
            views: Views::default(),
            help: Help::default(),
            query: QueryLine::default(),
            command: CommandLine::default(),
        }
    }

    /// Called before each frame: hands over queued work and asks for a live plan of a newly selected finding.
    pub fn before_draw(&mut self) -> Vec<Effect> {
        let mut effects = std::mem::take(&mut self.ctx.effects);
        effects.extend(self.ctx.live_plan_effect());
        effects
    }

    /// Applies a terminal event; returns the work it asks for.
    pub fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        let Event::Key(key) = event else {
            return Vec::new();
        };
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // Work queued by messages waits for the next frame; the key's own work leaves now.
        let queued = self.ctx.effects.len();
        self.on_key(*key);
        self.ctx.effects.split_off(queued)
    }

    fn on_key(&mut self, key: KeyEvent) {
        if let Some(dialog) = self.dialog.as_mut() {
            if dialog.handle_key(key, &mut self.ctx) == Step::Close {
                self.dialog = None;
            }
            return;
        }
        match self.mode {
            Mode::Filter => {
                if self.query.handle_key(key, &mut self.ctx) == Step::Close {
                    self.mode = Mode::Normal;
                }
                self.ctx.listing.refresh();
            }
            Mode::Command => {
                match self.command.handle_key(key, &mut self.ctx) {
                    CommandOutcome::Typing => {}
                    CommandOutcome::Done => self.mode = Mode::Normal,
                    CommandOutcome::ShowOverview => {
                        self.mode = Mode::Normal;
                        self.show(View::Overview);
                    }
                    CommandOutcome::Pick(kind) => {
                        self.mode = Mode::Normal;
                        let picker = super::components::picker::Picker::open(kind, &self.ctx);
                        self.dialog = Some(Dialog::Picker(Box::new(picker)));
                    }
                }
                self.ctx.listing.refresh();
            }
            Mode::Help => {
                if self.help.handle_key(key, &mut self.ctx) == Step::Close {
                    self.mode = Mode::Normal;
                }
            }
            Mode::Normal => self.on_normal_key(key),
        }
    }

    /// A key in the normal mode: the current view's if its table has it, else a global one; a key bound in another
    /// view says where it works.
    fn on_normal_key(&mut self, key: KeyEvent) {
        let Some(action) = self.action_of(Key::of(key)) else {
            let tables = |view| self.views.get(view).keys();
            if let Some(hint) = route::bound_elsewhere(Key::of(key), self.view, tables) {
                self.ctx.say(hint);
            }
            return;
        };
        self.ctx.status_message = None;
        match self.views.get_mut(self.view).handle_key(key, &mut self.ctx) {
            Outcome::NotHandled => self.on_global(action),
            Outcome::Handled => {}
            Outcome::Open(dialog) => self.dialog = Some(dialog),
            Outcome::StartQuery => {
                self.query = QueryLine::open(&self.ctx);
                self.mode = Mode::Filter;
            }
        }
    }

    /// The intent of a key in the normal mode: the current view's table first, then the global keys.
    pub fn action_of(&self, key: Key) -> Option<Action> {
        lookup(self.views.get(self.view).keys(), key).or_else(|| lookup(GLOBAL, key))
    }

    /// The keys help lists in the current view: the view's own, then the global ones it does not override.
    pub fn help_entries(&self) -> Vec<&'static Binding> {
        keys::help_entries(self.views.get(self.view).keys(), GLOBAL)
    }

    /// A global key.
    fn on_global(&mut self, action: Action) {
        match action {
            Action::Quit => self.ctx.quit = true,
            Action::ToggleHelp => {
                self.help = Help { entries: self.help_entries(), ..Help::default() };
                self.mode = Mode::Help;
            }
            Action::StartCommand => {
                self.command.input.clear();
                self.mode = Mode::Command;
            }
            Action::ShowFindings => self.show(View::Findings),
            Action::ShowSources => self.show(View::Sources),
            Action::ShowJobs => self.show(View::Jobs),
            Action::ShowAudit => self.show(View::Audit),
            Action::ShowExceptions => self.show(View::Exceptions),
            Action::ShowOutput => self.show(View::Output),
            Action::ShowApprovals => self.show(View::Approvals),
            Action::ShowOverview => self.show(View::Overview),
            Action::ToggleIncident => self.dialog = IncidentDialog::open(&mut self.ctx).map(Dialog::Incident),
            Action::RefreshNow => self.ctx.request(Effect::RefreshNow),
            _ => {}
        }
        self.ctx.listing.refresh();
    }

    /// Shows a view. Entering the Exceptions or the Approvals view lists them again; showing the Overview computes
    /// its figures and reads the store's history.
    pub fn show(&mut self, view: View) {
        let entered = self.view != view;
        self.view = view;
        match view {
            View::Exceptions if entered => self.views.exceptions.refresh(&mut self.ctx),
            View::Approvals if entered => self.views.approvals.refresh(&mut self.ctx),
            View::Overview => self.views.overview.refresh(&mut self.ctx),
            _ => {}
        }
    }
}
