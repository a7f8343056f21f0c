//! Filters and sort order: the query being typed, the cycling filters, and `Esc`.

use super::app::{App, Mode};
use super::keys::{lookup, Action, Key, QUERY};
use super::listing::SortKey;
use crate::model::{Finding, Severity};
use crate::policy::Verdict;
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    /// A key while the query is typed. The table follows every query that reads; while the text does not (the
    /// status line says where and why), it keeps showing the last one that did.
    pub(super) fn on_filter_key(&mut self, key: KeyEvent) {
        match (lookup(QUERY, Key::of(key)), key.code) {
            (Some(Action::Submit), _) if query_error(&self.filter_input).is_some() => return,
            (Some(Action::Submit), _) => self.mode = Mode::Normal,
            (Some(Action::Cancel), _) => {
                self.filter_input.clear();
                self.mode = Mode::Normal;
            }
            (Some(Action::DeleteChar), _) => {
                self.filter_input.pop();
            }
            (None, KeyCode::Char(c)) if !c.is_control() => self.filter_input.push(c),
            _ => return,
        }
        let Some(readable) = readable_part(&self.filter_input) else {
            return;
        };
        if self.listing.filters.text == readable {
            return;
        }
        if self.listing.account_names != self.account_names {
            self.listing.account_names = self.account_names.clone();
        }
        self.listing.filters.text = readable.to_string();
        self.listing.invalidate();
    }

    /// A filter or sort action. `Esc` clears the filters; with none set, it clears the marks.
    pub(super) fn on_filter_action(&mut self, action: Action) {
        match action {
            Action::StartFilter => {
                self.mode = Mode::Filter;
                self.filter_input = self.listing.filters.text.clone();
            }
            Action::ClearFilters if !self.listing.filters.is_active() && !self.marks.is_empty() => {
                self.status_message = Some(format!("{} mark(s) cleared", self.marks.len()));
                self.marks.clear();
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
            Action::ToggleClosed => {
                self.listing.filters.show_closed = !self.listing.filters.show_closed;
                self.listing.invalidate();
            }
            _ => {}
        }
    }

    /// Distinct values of a field over all rows, sorted, followed by `None` ("all").
    fn distinct(&self, field: impl Fn(&Finding) -> String) -> Vec<Option<String>> {
        let set: std::collections::BTreeSet<String> = self.listing.all().iter().map(|r| field(&r.finding)).collect();
        set.into_iter().map(Some).chain([None]).collect()
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

/// The element after `current` in `order` (wrapping); the first when `current` is not in it.
fn next_in<T: Clone + PartialEq>(order: &[T], current: &T) -> T {
    match order.iter().position(|x| x == current) {
        Some(i) => order[(i + 1) % order.len()].clone(),
        None => order[0].clone(),
    }
}
