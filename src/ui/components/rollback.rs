//! The rollback confirmation: the fix it undoes, the before-state the fix recorded, and the calls that restore it.

use super::component::{Component, Step};
use super::confirm::CONFIRM_PLAN;
use super::confirm::{decide, Decision};
use super::format;
use super::popup::popup;
use crate::engine::audit_summary::{self, RollbackCandidate};
use crate::model::sanitize;
use crate::playbook::ResourceState;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::Binding;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::Frame;

/// The rollback confirmation.
#[derive(Debug, Clone)]
pub struct RollbackDialog {
    pub candidate: RollbackCandidate,
    /// The account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub read_only: bool,
    pub scroll: u16,
}

impl RollbackDialog {
    /// `u`: the rollback of the latest verified fix of the selected finding; else the status line says why not.
    pub fn open(ctx: &mut Context) -> Option<Self> {
        if !ctx.can_fix {
            ctx.say(crate::ui::context::NEEDS_LIVE_ACCESS);
            return None;
        }
        let Some(key) = ctx.selected_key() else {
            ctx.say("no finding selected");
            return None;
        };
        let Some(candidate) = audit_summary::rollback_candidate(&ctx.audit, &key) else {
            ctx.say("nothing to roll back for this finding");
            return None;
        };
        let prod = ctx.is_prod(&candidate.account_id);
        Some(Self { candidate, prod, read_only: ctx.read_only, scroll: 0 })
    }
}

impl Component for RollbackDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        CONFIRM_PLAN
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match decide(CONFIRM_PLAN, key, Some(&mut self.scroll), (self.prod, self.read_only), ctx) {
            Decision::Stay => Step::Stay,
            Decision::Cancelled => Step::Close,
            Decision::Confirmed => {
                ctx.say(format!("rollback of job {} submitted", self.candidate.job));
                ctx.request(Effect::Rollback { audit_job: self.candidate.job.clone() });
                Step::Close
            }
        }
    }
}

/// A recorded resource state in a few lines.
pub fn state_lines(state: &ResourceState) -> Vec<String> {
    let or_unknown = |v: Option<&str>| v.unwrap_or("not recorded").to_string();
    match state {
        ResourceState::S3Bucket(b) => vec![
            format!("S3 bucket {}", b.name),
            format!("Block Public Access: {}", b.public_access_block.describe()),
            format!("default encryption: {}", b.encryption.as_deref().unwrap_or("none")),
            format!("bucket policy: {}", if b.policy.is_some() { "present" } else { "none" }),
        ],
        ResourceState::SecurityGroup(g) => {
            let mut lines =
                vec![format!("security group {} ({}), {} rule(s)", g.group_id, g.group_name, g.rules.len())];
            // `describe` says "from"; an egress rule's CIDR is where traffic goes.
            lines.extend(g.rules.iter().map(|r| {
                if r.is_egress {
                    format!("egress {}", r.describe().replacen(" from ", " to ", 1))
                } else {
                    format!("ingress {}", r.describe())
                }
            }));
            lines
        }
        ResourceState::Account(a) => vec![
            format!("account {} in {}", a.account_id, a.region),
            format!("S3 account Block Public Access: {}", a.s3_public_access_block.describe()),
            format!(
                "EBS encryption by default: {}",
                a.ebs_encryption_by_default.map(|on| if on { "on" } else { "off" }).unwrap_or("not recorded")
            ),
        ],
        ResourceState::Instance(i) => vec![
            format!("EC2 instance {}", i.instance_id),
            format!("metadata HttpTokens: {}", or_unknown(i.http_tokens.as_deref())),
            format!("metadata endpoint: {}", or_unknown(i.http_endpoint.as_deref())),
        ],
        other => other.service_lines().unwrap_or_default(),
    }
}

/// Draws the rollback confirmation.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, d: &RollbackDialog) {
    let t = &ctx.theme;
    let c = &d.candidate;
    let heading = Style::default().fg(t.header).add_modifier(Modifier::BOLD);
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    if d.read_only {
        lines.push(Line::styled(" read-only mode: nothing will be applied ", banner));
    }
    lines.push(Line::styled(
        format!(
            "Roll back job {}: {} {} in {} / {}",
            c.job,
            c.control_id,
            sanitize::single_line(&c.resource),
            format::account(ctx, &c.account_id),
            c.region
        ),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    lines.push(Line::styled(
        format!("fixed by playbook {} (plan {}), verified {}", c.playbook, c.fingerprint, format::time(c.verified_at)),
        Style::default().fg(t.muted),
    ));
    if d.prod {
        lines.push(Line::styled(" PRODUCTION: this account is class prod — press capital Y to roll back ", banner));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Before the fix (what the rollback restores)", heading));
    match &c.before {
        Some(state) => {
            lines.extend(state_lines(state).into_iter().map(|l| Line::raw(format!("  {}", sanitize::single_line(&l)))))
        }
        None => lines.push(Line::styled("  not recorded", Style::default().fg(t.error))),
    }
    lines.push(Line::styled("Rollback calls", heading));
    if c.rollback.is_empty() {
        lines.push(Line::styled("  none recorded: nothing can be rolled back", Style::default().fg(t.error)));
    }
    lines.extend(c.rollback.iter().map(|ch| Line::raw(format!("  {}", sanitize::single_line(&ch.describe())))));
    let keys = if d.read_only {
        " read-only: n / Esc close "
    } else if d.prod {
        " Y (capital) roll back · n / Esc cancel "
    } else {
        " y / Enter roll back · n / Esc cancel "
    };
    popup(frame, area, t, " Roll back this fix? ", lines, d.scroll, (110, u16::MAX), keys);
}
