//! `y` in the Approvals view: the confirmation that shows exactly what will be applied (capital `Y` for a
//! production account, as for `a`); confirmed, it leaves as `Effect::Approval` with `ApprovalOp::Approve`.

use super::component::{Component, Step};
use super::confirm::CONFIRM_PLAN;
use super::confirm::{scroll, DialogKey};
use super::popup::popup;
use super::{format, request_detail};
use crate::engine::approval_work::ApprovalOp;
use crate::review::ApprovalRequest;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::Binding;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::Frame;

/// The approval confirmation.
#[derive(Debug, Clone)]
pub struct ApproveDialog {
    pub request: ApprovalRequest,
    /// The request's account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub scroll: u16,
}

impl Component for ApproveDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        CONFIRM_PLAN
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match DialogKey::of(CONFIRM_PLAN, key) {
            None => Step::Stay,
            Some(DialogKey::Scroll(step)) => {
                scroll(&mut self.scroll, step);
                Step::Stay
            }
            Some(DialogKey::No) => {
                ctx.say("cancelled: nothing approved");
                Step::Close
            }
            Some(DialogKey::Yes) if self.prod => {
                ctx.say("a production account is changed: press capital Y to approve");
                Step::Stay
            }
            Some(DialogKey::Yes | DialogKey::CapitalYes) => {
                let id = self.request.id.clone();
                ctx.say(format!("approving request {id}…"));
                let req = ctx.next_req();
                ctx.request(Effect::Approval { req, op: ApprovalOp::Approve { id } });
                Step::Close
            }
        }
    }
}

/// Draws the approval confirmation.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, d: &ApproveDialog) {
    let t = &ctx.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let r = &d.request;
    let mut lines = vec![Line::styled(
        "Approving carries the request out now: exactly this plan, re-read live and refused if anything differs.",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if d.prod {
        lines.push(Line::styled(
            format!(
                " PRODUCTION: account {} is class prod — press capital Y to approve ",
                format::account(ctx, &r.finding.account_id)
            ),
            banner,
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(request_detail::detail(r, ctx));
    let keys = if d.prod {
        " Y (capital) approve · n / Esc cancel · j k PgUp PgDn scroll "
    } else {
        " y / Enter approve · n / Esc cancel · j k PgUp PgDn scroll "
    };
    popup(frame, area, t, " Approve this request? ", lines, d.scroll, (150, u16::MAX), keys);
}
