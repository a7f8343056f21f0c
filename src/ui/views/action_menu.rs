//! The action menu (`c`) and the "run <name> on N finding(s)?" confirmation of actions that ask first.

use super::dialog::popup;
use crate::actions::ActionConfig;
use crate::model::sanitize;
use crate::ui::action_menu::{ActionMenu, PendingRun};
use crate::ui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// "on the selected finding (S3.8 acme-logs)" or "on 3 marked findings".
fn scope(findings: &[std::sync::Arc<crate::model::Finding>]) -> String {
    match findings {
        [f] => {
            let resource = f.primary_resource().map(|r| r.short_id()).unwrap_or("-");
            sanitize::single_line(&format!("on the selected finding ({} {resource})", f.control_or_type()))
        }
        many => format!("on {} marked findings (actions offered for all of them)", many.len()),
    }
}

fn key_label(action: &ActionConfig) -> String {
    action.key.map(|k| format!("[{k}]")).unwrap_or_else(|| "   ".into())
}

/// Draws the menu.
pub fn draw_menu(frame: &mut Frame, area: Rect, app: &App, menu: &ActionMenu) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(scope(&menu.findings), Style::default().fg(t.muted)), Line::raw("")];
    for (i, action) in menu.actions.iter().enumerate() {
        let selected = i == menu.selected;
        let base = if selected {
            Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let mut spans = vec![
            Span::styled(if selected { "▶ " } else { "  " }, base),
            Span::styled(format!("{} ", key_label(action)), base.fg(t.accent).add_modifier(Modifier::BOLD)),
            Span::styled(format!("{:<18}", action.name), base),
            Span::styled(format!(" {}", action.description), base.fg(t.muted)),
        ];
        if action.confirm {
            spans.push(Span::styled(" (asks first)", base.fg(t.muted)));
        }
        if action.dangerous {
            spans.push(Span::styled(" (changes something)", base.fg(t.error)));
        }
        lines.push(Line::from(spans));
    }
    let keys = " key or j k + Enter run · Esc close ";
    popup(frame, area, t, " Custom actions ", lines, 0, (100, u16::MAX), keys);
}

/// Draws the confirmation.
pub fn draw_confirm(frame: &mut Frame, area: Rect, app: &App, pending: &PendingRun) {
    let t = &app.theme;
    let n = pending.findings.len();
    let mut lines = vec![
        Line::styled(
            format!("run {} on {n} finding(s)?", pending.action.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::styled(pending.action.description.clone(), Style::default().fg(t.muted)),
        Line::styled(scope(&pending.findings), Style::default().fg(t.muted)),
    ];
    if pending.action.dangerous {
        lines.push(Line::styled("This action changes something.", Style::default().fg(t.error)));
    }
    if let Some((count, why)) = &pending.untrusted {
        lines.push(Line::styled(
            format!("⚠ {count} of {n} finding(s) not to be trusted — their every field is what the importer wrote:"),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        ));
        lines.push(Line::styled(format!("  {}", sanitize::single_line(why)), Style::default().fg(t.error)));
    }
    popup(frame, area, t, " Run action? ", lines, 0, (90, u16::MAX), " y / Enter run · n / Esc cancel ");
}
