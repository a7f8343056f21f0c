//! The Findings view's filters and sort order: the cycling filters (`S`, `A`, `R`, `V`, `C`), the sort keys (`o`,
//! `O`) and `Esc`.

use crate::model::{Finding, Severity};
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
        Action::CycleAccount => {
            let accounts: Vec<Option<String>> = distinct(ctx, |f| f.account_id.clone());
            ctx.listing.filters.account = next_in(&accounts, &ctx.listing.filters.account);
            ctx.listing.invalidate();
        }
        Action::CycleRegion => {
            let regions: Vec<Option<String>> = distinct(ctx, |f| f.region.clone());
            ctx.listing.filters.region = next_in(&regions, &ctx.listing.filters.region);
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

/// Distinct values of a field over all rows, sorted, followed by `None` ("all").
fn distinct(ctx: &Context, field: impl Fn(&Finding) -> String) -> Vec<Option<String>> {
    let set: std::collections::BTreeSet<String> = ctx.listing.all().iter().map(|r| field(&r.finding)).collect();
    set.into_iter().map(Some).chain([None]).collect()
}

/// The element after `current` in `order` (wrapping); the first when `current` is not in it.
fn next_in<T: Clone + PartialEq>(order: &[T], current: &T) -> T {
    match order.iter().position(|x| x == current) {
        Some(i) => order[(i + 1) % order.len()].clone(),
        None => order[0].clone(),
    }
}
