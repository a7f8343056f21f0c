//! A group header line of the findings table: fold sign, what the group is, how many findings, the verdict mix,
//! the worst severity, and whether its findings are marked (● all, ◐ some).

use super::table::Cells;
use crate::model::{sanitize, Severity};
use crate::policy::Verdict;
use crate::ui::components::format;
use crate::ui::context::Context as App;
use crate::ui::listing::{GroupBy, Header};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// "3 auto-fix, 9 manual": the verdicts of a group's findings, in the order the UI lists verdicts.
pub fn verdict_mix(counts: &[u32; 5]) -> String {
    Verdict::ALL
        .iter()
        .filter_map(|&v| counts.get(v as usize).filter(|n| **n > 0).map(|n| format!("{n} {}", v.name())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What names the group: the control id, the resource, or the account (with its name).
pub fn label(header: &Header, by: GroupBy, app: &App) -> String {
    let f = &header.first.finding;
    let text = match by {
        GroupBy::Control => f.control_or_type().to_string(),
        GroupBy::Resource => f.primary_resource().map_or("-".to_string(), |r| r.short_id().to_string()),
        GroupBy::Account => format::account(app, &f.account_id),
        GroupBy::None => String::new(),
    };
    // A finding's text is untrusted: shown inert.
    sanitize::single_line(&text)
}

/// The cells of a header line; `marked` of the group's findings are marked.
pub(super) fn cells(header: &Header, by: GroupBy, marked: usize, app: &App) -> Cells {
    let t = &app.theme;
    let count = header.group.len();
    let worst = Severity::ALL.into_iter().find(|s| *s as u8 == header.group.worst).unwrap_or(Severity::Informational);
    let fold = if header.expanded { "▾" } else { "▸" };
    let label = label(header, by, app);
    let findings = if count == 1 { "finding" } else { "findings" };
    let title = format!("{fold} {label} · {count} {findings} · {}", verdict_mix(&header.group.verdicts));
    Cells {
        mark: match marked {
            0 => " ",
            n if n >= count => "●",
            _ => "◐",
        },
        severity: (worst.label(), t.severity(worst)),
        control_is_id: by == GroupBy::Control && header.first.finding.control_id.is_some(),
        control: if by == GroupBy::Control { label } else { String::new() },
        title: Span::styled(title, Style::default().fg(t.accent)),
        line: Style::default().add_modifier(Modifier::BOLD),
        ..Cells::default()
    }
}

/// The detail pane on a group header: what the group holds and what the keys do with it.
pub fn summary(ctx: &App) -> Option<Vec<Line<'static>>> {
    let g = ctx.listing.header_group()?;
    let header = ctx.listing.shown(ctx.listing.cursor(), 1).into_iter().find_map(|s| match s {
        crate::ui::listing::Shown::Header(h) => Some(h),
        crate::ui::listing::Shown::Row(_) => None,
    })?;
    let by = ctx.listing.group_by();
    let count = header.group.len();
    let worst = Severity::ALL.into_iter().find(|s| *s as u8 == header.group.worst).unwrap_or(Severity::Informational);
    // One look-up per mark, not per finding of the group: the pane is drawn on every frame.
    let marked = ctx.listing.marked_per_group(&ctx.marks).get(&g).copied().unwrap_or(0);
    let muted = Style::default().fg(ctx.theme.muted);
    Some(vec![
        Line::styled(
            format!("{} {}", by.name(), label(&header, by, ctx)),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::from(vec![
            Span::raw(format!("{count} finding(s) shown, worst ")),
            Span::styled(worst.label(), ctx.theme.severity(worst)),
        ]),
        Line::raw(format!("Verdicts   {}", verdict_mix(&header.group.verdicts))),
        Line::raw(format!("Marked     {marked} of {count}")),
        Line::raw(""),
        Line::styled("Enter or z opens / folds the group · space marks all of it · a applies to the marked", muted),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_mix_names_each_verdict_present_in_order() {
        let mut counts = [0; 5];
        counts[Verdict::Manual as usize] = 9;
        counts[Verdict::AutoFix as usize] = 3;
        assert_eq!(verdict_mix(&counts), "3 auto-fix, 9 manual");
        assert_eq!(verdict_mix(&[0; 5]), "");
    }
}
