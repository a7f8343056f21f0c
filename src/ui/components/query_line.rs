//! `/`: the query being typed. The table follows every query that reads; while the text does not (the status line
//! says where and why), it keeps showing the last one that did.

use super::component::{Component, Step};
use crate::model::sanitize;
use crate::ui::context::Context;
use crate::ui::keys::{b, k, Action as A};
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The query typed after `/`; other characters are typed.
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], A::Submit, "keep the query (when it reads)"),
    b(&[k(KeyCode::Esc)], A::Cancel, "drop the query"),
    b(&[k(KeyCode::Backspace)], A::DeleteChar, "delete the last character"),
];

/// The query line.
#[derive(Debug, Clone, Default)]
pub struct QueryLine {
    pub input: String,
}

impl QueryLine {
    /// `/`: typing starts from the query the table follows.
    pub fn open(ctx: &Context) -> Self {
        Self { input: ctx.listing.filters.text.clone() }
    }
}

impl Component for QueryLine {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let style = Style::default().fg(ctx.theme.status_fg).bg(ctx.theme.status_bg);
        frame.render_widget(Paragraph::new(line(&self.input, ctx)).style(style), area);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        let mut step = Step::Stay;
        match (lookup(KEYS, Key::of(key)), key.code) {
            (Some(Action::Submit), _) if query_error(&self.input).is_some() => return Step::Stay,
            (Some(Action::Submit), _) => step = Step::Close,
            (Some(Action::Cancel), _) => {
                self.input.clear();
                step = Step::Close;
            }
            (Some(Action::DeleteChar), _) => {
                self.input.pop();
            }
            (None, KeyCode::Char(c)) if !c.is_control() => self.input.push(c),
            _ => return Step::Stay,
        }
        let Some(readable) = readable_part(&self.input) else {
            return step;
        };
        if ctx.listing.filters.text == readable {
            return step;
        }
        if ctx.listing.account_names != ctx.account_names {
            ctx.listing.account_names = ctx.account_names.clone();
        }
        ctx.listing.filters.text = readable.to_string();
        ctx.listing.invalidate();
        step
    }
}

/// Why the text typed in `/` does not read as a query, if it does not.
pub fn query_error(text: &str) -> Option<crate::query::QueryError> {
    crate::query::Query::parse(text).err()
}

/// What of the text typed the table follows: all of it when it reads as a query; else the words before the one
/// where it goes wrong (`control:S3.* sev>=` shows `control:S3.*` while the value is typed), when they read.
fn readable_part(text: &str) -> Option<&str> {
    let Some(error) = query_error(text) else {
        return Some(text);
    };
    let at = text.char_indices().nth(error.position - 1).map_or(text.len(), |(i, _)| i);
    let before = text[..at].rfind(char::is_whitespace).map_or("", |i| &text[..i]);
    query_error(before).is_none().then_some(before)
}

/// The query being typed; when it does not read, the text from the problem on in the error colour and, after the
/// cursor, where and what was expected.
fn line(input: &str, ctx: &Context) -> Line<'static> {
    let t = &ctx.theme;
    let error = query_error(input);
    // Cut where the problem is before sanitizing: the sanitizer may change the text's length.
    let cut = error.as_ref().and_then(|e| input.char_indices().nth(e.position - 1)).map_or(input.len(), |(i, _)| i);
    let mut spans = vec![
        Span::styled(" / ", Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
        Span::raw(sanitize::single_line(&input[..cut])),
        Span::styled(
            sanitize::single_line(&input[cut..]),
            Style::default().fg(t.error).add_modifier(Modifier::UNDERLINED),
        ),
        Span::styled("█", Style::default().fg(t.accent)),
    ];
    if let Some(e) = error {
        spans.push(Span::styled(format!("  {}", sanitize::single_line(&e.to_string())), Style::default().fg(t.error)));
    }
    Line::from(spans)
}
