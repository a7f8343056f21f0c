//! Grouping the findings table: `b` cycles control → resource → account → none (`:group NAME` names one), `Enter`
//! or `z` on a group opens or folds it, `Z` opens or folds them all, `space` on a header marks the whole group.

use crate::ui::context::Context;
use crate::ui::keys::Action;
use crate::ui::listing::GroupBy;

/// A grouping action (`b`, `z`, `Z`, or `Enter` on a header).
pub fn apply(action: Action, ctx: &mut Context) {
    match action {
        Action::CycleGroup => {
            let next = ctx.listing.group_by().next();
            let answer = group_by(next, ctx);
            ctx.say(answer);
        }
        Action::ToggleFold if ctx.listing.is_grouped() => ctx.listing.toggle_fold(),
        Action::ToggleAllFolds if ctx.listing.is_grouped() => {
            let open = ctx.listing.toggle_all_folds();
            ctx.say(if open { "every group open" } else { "every group folded" });
        }
        Action::ToggleFold | Action::ToggleAllFolds => ctx.say("the table is not grouped: b groups it"),
        _ => {}
    }
}

/// Groups the table; the answer for the status line.
pub fn group_by(by: GroupBy, ctx: &mut Context) -> String {
    ctx.listing.refresh();
    ctx.listing.set_group_by(by);
    match by {
        GroupBy::None => "not grouped".into(),
        by => format!(
            "grouped by {}: {} groups (Enter opens one, Z all, space marks one)",
            by.name(),
            ctx.listing.group_count()
        ),
    }
}

/// `:group NAME`.
pub fn command(name: &str, ctx: &mut Context) -> Result<String, String> {
    let names = || GroupBy::ALL.iter().map(|g| g.name()).collect::<Vec<_>>().join(", ");
    if name.is_empty() {
        return Err(format!("group by what? {}", names()));
    }
    let by = GroupBy::parse(name).ok_or_else(|| format!("no grouping `{name}`: expected {}", names()))?;
    Ok(group_by(by, ctx))
}

/// `space`: on a group header, marks every finding of the group that the filters show, or unmarks them all when
/// every one is marked already; on a finding, marks or unmarks it.
pub fn toggle_mark(ctx: &mut Context) {
    let Some(group) = ctx.listing.header_group() else {
        if let Some(key) = ctx.selected_key() {
            if !ctx.marks.remove(&key) {
                ctx.marks.insert(key);
            }
        }
        return;
    };
    let keys: Vec<_> = ctx.listing.group_rows(group).map(|r| r.finding.key()).collect();
    if keys.iter().all(|k| ctx.marks.contains(k)) {
        for key in &keys {
            ctx.marks.remove(key);
        }
        ctx.say(format!("{} finding(s) unmarked", keys.len()));
    } else {
        let count = keys.len();
        ctx.marks.extend(keys);
        ctx.say(format!("{count} finding(s) of the group marked: a applies to them"));
    }
}
