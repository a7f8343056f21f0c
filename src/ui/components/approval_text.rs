//! The note form of `p` (optional, for the approver) and the reason form of `n` (required, recorded and sent with
//! the rejection): one line typed over the view; Enter leaves as `Effect::Approval`.

use super::component::{Component, Step};
use super::format;
use super::popup::popup;
use crate::engine::approval_work::ApprovalOp;
use crate::model::sanitize::single_line;
use crate::model::Finding;
use crate::review::ApprovalRequest;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::{b, k, Action as A, Key as K};
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::sync::Arc;

/// The note of an approval request and the reason of a rejection; other characters are typed.
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], A::Submit, "submit"),
    b(&[k(KeyCode::Esc), K::ctrl('c')], A::Cancel, "cancel: nothing changes"),
    b(&[K::ctrl('u')], A::ClearInput, "clear the text"),
    b(&[k(KeyCode::Backspace)], A::DeleteChar, "delete the last character"),
];

/// Longest note or reason typed, in characters.
pub const MAX_TEXT: usize = 500;

/// What a text form is for.
#[derive(Debug, Clone)]
pub enum TextPurpose {
    /// `p`: a note for the approver (optional).
    Request { finding: Arc<Finding> },
    /// `n`: why the request is rejected (required).
    Reject { request: Box<ApprovalRequest> },
}

/// A one-line form over the view.
#[derive(Debug, Clone)]
pub struct ApprovalTextForm {
    pub purpose: TextPurpose,
    pub text: String,
    /// Why Enter did not submit.
    pub error: Option<String>,
}

impl ApprovalTextForm {
    /// An empty form for `purpose`.
    pub fn new(purpose: TextPurpose) -> Self {
        Self { purpose, text: String::new(), error: None }
    }

    /// Enter: the request with its note, or the rejection once a reason is typed.
    fn submit(&mut self, ctx: &mut Context) -> Step {
        let text = self.text.trim().to_string();
        let op = match &self.purpose {
            TextPurpose::Request { finding } => {
                let label = finding
                    .primary_resource()
                    .map(|r| r.short_id().to_string())
                    .unwrap_or_else(|| finding.title.to_string());
                ctx.say(format!("putting {label} up for approval: reading its live state…"));
                ApprovalOp::Request { finding: finding.clone(), note: (!text.is_empty()).then_some(text) }
            }
            TextPurpose::Reject { .. } if text.is_empty() => {
                self.error = Some("a reason is needed: it is recorded and sent with the rejection".into());
                return Step::Stay;
            }
            TextPurpose::Reject { request } => {
                ctx.say(format!("rejecting request {}…", request.id));
                ApprovalOp::Reject { id: request.id.clone(), reason: text }
            }
        };
        let req = ctx.next_req();
        ctx.request(Effect::Approval { req, op });
        Step::Close
    }
}

impl Component for ApprovalTextForm {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (lookup(KEYS, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                ctx.say("cancelled: nothing changed");
                return Step::Close;
            }
            (Some(Action::ClearInput), _) => self.text.clear(),
            (Some(Action::DeleteChar), _) => {
                self.text.pop();
            }
            (Some(Action::Submit), _) => return self.submit(ctx),
            (None, KeyCode::Char(c)) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                if self.text.chars().count() < MAX_TEXT {
                    self.text.push(c);
                    self.error = None;
                } else {
                    self.error = Some(format!("at most {MAX_TEXT} characters"));
                }
            }
            _ => {}
        }
        Step::Stay
    }
}

/// Draws the note or reason form.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, form: &ApprovalTextForm) {
    let t = &ctx.theme;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let (title, label, mut lines) = match &form.purpose {
        TextPurpose::Request { finding } => {
            let resource = finding.primary_resource().map(|r| r.id.as_str()).unwrap_or("-");
            let lines = vec![
                Line::styled(single_line(&format!("{} {resource}", finding.control_or_type())), bold),
                Line::raw(format!(
                    "in {} / {}",
                    format::account(ctx, &finding.account_id),
                    single_line(&finding.region)
                )),
                Line::styled(
                    "The resource is read live now: only a finding whose verdict is approve, with a plan, is put up.",
                    Style::default().fg(t.muted),
                ),
            ];
            (" Put the plan up for approval ", "Note (optional)", lines)
        }
        TextPurpose::Reject { request } => {
            let f = &request.finding;
            let lines = vec![
                Line::styled(
                    single_line(&format!(
                        "{} {} {}",
                        request.id,
                        f.control_id.as_deref().unwrap_or("-"),
                        f.resource_id.as_deref().unwrap_or("-")
                    )),
                    bold,
                ),
                Line::raw(single_line(&format!("requested by {}", request.requested_by))),
            ];
            (" Reject the request ", "Reason", lines)
        }
    };
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(format!("{label}: "), Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
        Span::styled(single_line(&form.text), Style::default().fg(t.foreground)),
        Span::styled("█", Style::default().fg(t.accent)),
    ]));
    if let Some(error) = &form.error {
        lines.push(Line::styled(
            format!("✗ {}", single_line(error)),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        ));
    }
    popup(frame, area, t, title, lines, 0, (100, 10), " Enter submit · Esc cancel · Ctrl-U clear ");
}
