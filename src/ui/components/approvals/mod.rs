//! The Approvals view (`7`): approval requests newest first with the selected one's plan; `y` approves (after a
//! confirmation), `n` rejects (with a reason), `r` lists again; and what the desk's answers change. Nothing here
//! awaits: operations leave as `Effect::Approval` and the answers arrive as `Msg::Approval`.

use super::approval_text::{ApprovalTextForm, TextPurpose};
use super::approve::ApproveDialog;
use super::component::{nav_delta, Component};
use super::dialog::{Dialog, Outcome};
use crate::engine::approval_work::{ApprovalOp, ApprovalReply};
use crate::engine::jobs::JobState;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crate::ui::context::{Context, PROD_CLASS};
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{Action, Binding};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::Frame;
use std::collections::HashSet;

mod list;
mod view;

use list::FindingRef;
pub use list::{short_identity, ApprovalList};

impl ApprovalList {
    /// `7` and `r`: lists the requests (pending ones past their time are expired by the desk).
    pub fn refresh(&mut self, ctx: &mut Context) {
        if let Some(why) = ctx.approvals_unavailable() {
            ctx.say(why);
            return;
        }
        let req = ctx.next_req();
        self.loading = true;
        self.list_req = Some(req);
        ctx.request(Effect::Approval { req, op: ApprovalOp::List });
    }

    /// The selected request, when pending; else the status line says why not.
    fn pending_selected(&self, ctx: &mut Context) -> Option<ApprovalRequest> {
        if !ctx.approvals_usable() {
            return None;
        }
        let Some(request) = self.selected_request() else {
            ctx.say("no approval request selected");
            return None;
        };
        if request.status != ApprovalStatus::Pending {
            ctx.say(request.already_decided());
            return None;
        }
        Some(request.clone())
    }

    /// The desk answered.
    pub fn on_reply(&mut self, req: u64, reply: ApprovalReply, ctx: &mut Context) {
        let message = match reply {
            ApprovalReply::Listed(result) => {
                if self.list_req == Some(req) {
                    self.on_listing(result, ctx);
                }
                return;
            }
            ApprovalReply::Requested(Ok(r)) => {
                let who = if r.two_person { "another identity than yours" } else { "anyone allowed" };
                format!(
                    "approval requested: {} pending until {}; {who} may approve it (7 shows the requests)",
                    r.id,
                    r.expires_at.format("%Y-%m-%d %H:%M UTC")
                )
            }
            ApprovalReply::Requested(Err(why)) => format!("approval not requested: {why}"),
            ApprovalReply::Approved { id, result: Ok(r) } => {
                self.update(&r);
                format!("request {id} approved: carrying it out… (3 shows the job)")
            }
            ApprovalReply::Approved { id, result: Err(why) } => format!("request {id} not approved: {why}"),
            ApprovalReply::Rejected { id, result: Ok(r) } => {
                self.update(&r);
                format!("request {id} rejected: {}", r.decision_note.as_deref().unwrap_or_default())
            }
            ApprovalReply::Rejected { id, result: Err(why) } => format!("request {id} not rejected: {why}"),
            ApprovalReply::CarriedOut { id, state } => carried_out(&id, &state),
        };
        ctx.say(single_line(&message));
        // Whatever happened, the list shows it now (a refusal may mean someone decided meanwhile), and the table
        // learns which findings changed hands.
        self.refresh(ctx);
    }

    fn on_listing(&mut self, result: Result<Vec<ApprovalRequest>, String>, ctx: &mut Context) {
        match result {
            Ok(requests) => {
                let changed = self.set(requests);
                reassess_handed_back(&changed, ctx);
            }
            Err(why) => {
                self.loading = false;
                self.error = Some(single_line(&why));
                ctx.say(single_line(&format!("approval requests could not be listed: {why}")));
            }
        }
    }

    /// Moves the selection; `isize::MIN` / `MAX` go to the first / last request.
    fn move_by(&mut self, delta: isize) {
        self.selected = super::component::step(self.selected, self.requests.len(), delta);
    }
}

impl Component for ApprovalList {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        view::draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        match self.action_of(key) {
            Some(
                action @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom),
            ) => self.move_by(nav_delta(action, ctx.table_height)),
            Some(Action::RefreshNow) => self.refresh(ctx),
            Some(Action::ApproveRequest) => {
                let Some(request) = self.pending_selected(ctx) else { return Outcome::Handled };
                let prod = request.account_class == PROD_CLASS || ctx.is_prod(&request.finding.account_id);
                return Outcome::Open(Dialog::Approve(Box::new(ApproveDialog { request, prod, scroll: 0 })));
            }
            Some(Action::RejectRequest) => {
                let Some(request) = self.pending_selected(ctx) else { return Outcome::Handled };
                let form = ApprovalTextForm::new(TextPurpose::Reject { request: Box::new(request) });
                return Outcome::Open(Dialog::ApprovalText(Box::new(form)));
            }
            _ => return Outcome::NotHandled,
        }
        Outcome::Handled
    }
}

/// The verdicts of these findings are read again (live), so one handed back shows `manual` with its note and one
/// requested again shows its policy verdict.
fn reassess_handed_back(findings: &HashSet<FindingRef>, ctx: &mut Context) {
    if findings.is_empty() || !ctx.live_reads {
        return;
    }
    let affected: Vec<_> = ctx
        .listing
        .all()
        .iter()
        .filter(|r| findings.contains(&(r.finding.product_arn.to_string(), r.finding.public_id().to_string())))
        .map(|r| r.finding.clone())
        .collect();
    ctx.reread_live(affected);
}

/// "request apr-… carried out: verified" / "…: refused: …".
fn carried_out(id: &str, state: &JobState) -> String {
    let detail = state.detail().map(|d| format!(": {}", single_line(d))).unwrap_or_default();
    format!("request {id} carried out: {}{detail}", state.word())
}

#[cfg(test)]
mod tests;

/// The Approvals view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next (older) request"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous (newer) request"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "newest request"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "oldest request"),
    b(&[c('y')], A::ApproveRequest, "approve the selected request and carry it out (confirm)"),
    b(&[c('n')], A::RejectRequest, "reject the selected request (reason)"),
    b(&[c('r')], A::RefreshNow, "list the requests again"),
];
