//! The Findings view's filters and sort order: the cycling filters (`S`, `V`, `C`; `A` and `R` open pickers), the sort keys (`o`,
//! `O`) and `Esc`.

use crate::model::Severity;
use crate::policy::Verdict;
use crate::ui::context::Context;
use crate::ui::keys::Action;
use crate::ui::listing::SortKey;

/// A filter or sort action. `Esc` clears the filters; with none set, it clears the marks.
pub fn apply(action: Action, ctx: &mut Context) {
    match action {
        Action::ClearFilters if !ctx.listing.filters.is_active() && !ctx.marks.is_empty() => {
            ctx.status_message = Some(format!("{} mark(s) cleared", ctx.marks.len()));
            ctx.marks.clear();
        }
        Action::ClearFilters => {
            ctx.listing.filters = Default::default();
            ctx.listing.invalidate();
        }
        Action::CycleSeverity => {
            let order =
                [Some(Severity::Critical), Some(Severity::High), Some(Severity::Medium), Some(Severity::Low), None];
            ctx.listing.filters.min_severity = next_in(&order, &ctx.listing.filters.min_severity);
            ctx.listing.invalidate();
        }
        Action::CycleVerdict => {
            let mut order: Vec<Option<Verdict>> = Verdict::ALL.into_iter().map(Some).collect();
            order.push(None);
            ctx.listing.filters.verdict = next_in(&order, &ctx.listing.filters.verdict);
            ctx.listing.invalidate();
        }
        Action::CycleSort => {
            ctx.listing.sort = ctx.listing.sort.next();
            ctx.listing.descending = matches!(ctx.listing.sort, SortKey::Severity | SortKey::Updated);
            ctx.listing.invalidate();
        }
        Action::ReverseSort => {
            ctx.listing.descending = !ctx.listing.descending;
            ctx.listing.invalidate();
        }
        Action::ToggleClosed => {
            ctx.listing.filters.show_closed = !ctx.listing.filters.show_closed;
            ctx.listing.invalidate();
        }
        _ => {}
    }
}

/// The element after `current` in `order` (wrapping); the first when `current` is not in it.
fn next_in<T: Clone + PartialEq>(order: &[T], current: &T) -> T {
    match order.iter().position(|x| x == current) {
        Some(i) => order[(i + 1) % order.len()].clone(),
        None => order[0].clone(),
    }
}
