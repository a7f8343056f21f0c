//! `A` and `R` (and `:account`, `:region` without an argument): a picker of the accounts (name, id and count of
//! findings) or the regions, narrowed as you type (every word typed must appear in the name or the id, any case);
//! arrows and PgUp / PgDn move, Enter filters the table to the one chosen, Esc leaves the filter as it was. With
//! hundreds of accounts the list scrolls to keep the choice in view.

use super::component::{nav_delta, step, Component, Step};
use super::popup::popup;
use crate::model::sanitize;
use crate::ui::context::Context;
use crate::ui::keys::{b, k, lookup, Action, Binding, Key};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::collections::BTreeMap;

/// What the picker picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    Account,
    Region,
}

/// One entry: the filter value (`None`: every account or region), what is shown, and its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: Option<String>,
    pub name: Option<String>,
    pub count: usize,
    /// Name and value in lower case, for type-ahead.
    haystack: String,
}

/// The picker dialog.
#[derive(Debug, Clone)]
pub struct Picker {
    pub kind: PickerKind,
    pub choices: Vec<Choice>,
    /// What was typed.
    pub query: String,
    /// Positions in `choices` of the entries the query matches, in order.
    pub matches: Vec<usize>,
    /// Position in `matches`.
    pub selected: usize,
}

/// The picker's keys; other characters are typed.
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Down)], Action::Down, "next entry"),
    b(&[k(KeyCode::Up)], Action::Up, "previous entry"),
    b(&[k(KeyCode::PageDown)], Action::PageDown, "a page down"),
    b(&[k(KeyCode::PageUp)], Action::PageUp, "a page up"),
    b(&[k(KeyCode::Home)], Action::Top, "first entry"),
    b(&[k(KeyCode::End)], Action::Bottom, "last entry"),
    b(&[k(KeyCode::Enter)], Action::Submit, "filter the table to the entry chosen"),
    b(&[k(KeyCode::Esc), Key::ctrl('c')], Action::Cancel, "cancel: the filter stays as it was"),
    b(&[Key::ctrl('u')], Action::ClearInput, "clear what was typed"),
    b(&[k(KeyCode::Backspace)], Action::DeleteChar, "delete the last character"),
];

/// How many list rows the picker shows at most (it is smaller on a small terminal).
const MAX_ROWS: u16 = 20;

impl Picker {
    /// The picker of `kind` over the findings loaded: "every …" first, then by number of findings (most first),
    /// then by name; the current filter's entry is selected. Accounts named in the config with no finding are
    /// listed too.
    pub fn open(kind: PickerKind, ctx: &Context) -> Self {
        let show_closed = ctx.listing.filters.show_closed;
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        if kind == PickerKind::Account {
            for id in ctx.account_names.keys() {
                counts.insert(id, 0);
            }
        }
        for row in ctx.listing.all().iter().filter(|r| show_closed || r.finding.is_open()) {
            let f = &row.finding;
            let value = if kind == PickerKind::Account { &*f.account_id } else { &*f.region };
            *counts.entry(value).or_insert(0) += 1;
        }
        let name_of = |v: &str| if kind == PickerKind::Account { ctx.account_names.get(v).cloned() } else { None };
        let mut choices: Vec<Choice> = counts.into_iter().map(|(v, n)| Choice::new(Some(v), name_of(v), n)).collect();
        choices.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label().cmp(&b.label())));
        let total = choices.iter().map(|c| c.count).sum();
        let every = if kind == PickerKind::Account { "every account" } else { "every region" };
        choices.insert(0, Choice::new(None, Some(every.into()), total));
        let current = match kind {
            PickerKind::Account => ctx.listing.filters.account.clone(),
            PickerKind::Region => ctx.listing.filters.region.clone(),
        };
        let mut picker = Picker { kind, choices, query: String::new(), matches: Vec::new(), selected: 0 };
        picker.narrow();
        picker.selected = picker.matches.iter().position(|&i| picker.choices[i].value == current).unwrap_or(0);
        picker
    }

    /// Recomputes the matches of the query; the selection goes to the first.
    fn narrow(&mut self) {
        let words: Vec<String> = self.query.split_whitespace().map(str::to_lowercase).collect();
        self.matches = (0..self.choices.len())
            .filter(|&i| words.iter().all(|w| self.choices[i].haystack.contains(w.as_str())))
            .collect();
        self.selected = 0;
    }

    /// The entry selected, if any matches.
    pub fn chosen(&self) -> Option<&Choice> {
        self.matches.get(self.selected).map(|&i| &self.choices[i])
    }

    /// Sets the filter to the chosen entry; the answer for the status line.
    fn pick(&self, ctx: &mut Context) -> Option<String> {
        let choice = self.chosen()?.clone();
        let filter = match self.kind {
            PickerKind::Account => &mut ctx.listing.filters.account,
            PickerKind::Region => &mut ctx.listing.filters.region,
        };
        *filter = choice.value.clone();
        ctx.listing.invalidate();
        ctx.listing.refresh();
        let what = if self.kind == PickerKind::Account { "account" } else { "region" };
        Some(match &choice.value {
            None => choice.label(),
            Some(_) => format!("{what} {}: {} findings shown", choice.label(), ctx.listing.visible_len()),
        })
    }
}

impl Choice {
    fn new(value: Option<&str>, name: Option<String>, count: usize) -> Self {
        let haystack = format!("{} {}", name.as_deref().unwrap_or(""), value.unwrap_or("")).to_lowercase();
        Self { value: value.map(String::from), name, count, haystack }
    }

    /// "prod-payments (210987654321)", the id alone, or "every account".
    pub fn label(&self) -> String {
        let text = match (&self.name, &self.value) {
            (Some(name), Some(value)) => format!("{name} ({value})"),
            (Some(name), None) => name.clone(),
            (None, Some(value)) => value.clone(),
            (None, None) => String::new(),
        };
        // Names and ids come from findings and the config: shown inert.
        sanitize::single_line(&text)
    }
}

impl Component for Picker {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let t = &ctx.theme;
        let rows = MAX_ROWS.min(area.height.saturating_mul(9) / 10).saturating_sub(4).max(1) as usize;
        let offset = self.selected.saturating_sub(rows - 1);
        let mut lines = vec![
            Line::from(vec![
                Span::styled("› ", Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
                Span::raw(sanitize::single_line(&self.query)),
                Span::styled("█", Style::default().fg(t.accent)),
                Span::styled(
                    format!("   {} of {}", self.matches.len(), self.choices.len()),
                    Style::default().fg(t.muted),
                ),
            ]),
            Line::raw(""),
        ];
        if self.matches.is_empty() {
            lines.push(Line::styled("nothing matches: Backspace or Ctrl-U", Style::default().fg(t.muted)));
        }
        for (at, &i) in self.matches.iter().enumerate().skip(offset).take(rows) {
            let choice = &self.choices[i];
            let selected = at == self.selected;
            let base = if selected {
                Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled(if selected { "▶ " } else { "  " }, base),
                Span::styled(format!("{:<44} ", choice.label().chars().take(44).collect::<String>()), base),
                Span::styled(
                    format!("{:>7} finding{}", choice.count, if choice.count == 1 { "" } else { "s" }),
                    base.fg(t.muted),
                ),
            ]));
        }
        let title = match self.kind {
            PickerKind::Account => format!(" Account {}/{} ", self.selected + 1, self.matches.len()),
            PickerKind::Region => format!(" Region {}/{} ", self.selected + 1, self.matches.len()),
        };
        popup(
            frame,
            area,
            t,
            &title,
            lines,
            0,
            (70, MAX_ROWS),
            " type to narrow · ↑ ↓ PgUp PgDn · Enter filter · Esc cancel ",
        );
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match (lookup(KEYS, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                ctx.say("cancelled: the filter is as it was");
                return Step::Close;
            }
            (Some(Action::Submit), _) => {
                return match self.pick(ctx) {
                    Some(answer) => {
                        ctx.say(answer);
                        Step::Close
                    }
                    None => Step::Stay,
                };
            }
            (Some(Action::DeleteChar), _) => {
                self.query.pop();
                self.narrow();
            }
            (Some(Action::ClearInput), _) => {
                self.query.clear();
                self.narrow();
            }
            (Some(nav), _) if nav_delta(nav, MAX_ROWS as usize) != 0 => {
                self.selected = step(self.selected, self.matches.len(), nav_delta(nav, MAX_ROWS as usize));
            }
            (None, KeyCode::Char(c)) if !c.is_control() => {
                self.query.push(c);
                self.narrow();
            }
            _ => {}
        }
        Step::Stay
    }
}

#[cfg(test)]
#[path = "picker_tests.rs"]
mod tests;
