//! The whole screen: header, the current view, the status line (or the line being typed), the dialog on top and
//! the help overlay. Drawing changes nothing.

use super::app::{App, Mode};
use super::components::chrome;
use super::components::component::Component;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;
use ratatui::Frame;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let ctx = &app.ctx;
    let area = frame.area();
    frame.render_widget(Block::default().style(ctx.theme.base()), area);
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(4), Constraint::Length(1)]).areas(area);
    chrome::header(frame, header, ctx);
    app.views.get(app.view).draw(frame, body, ctx);
    let typed = |frame: &mut Frame, area: Rect| match app.mode {
        Mode::Command => app.command.draw(frame, area, ctx),
        _ => app.query.draw(frame, area, ctx),
    };
    let typing = matches!(app.mode, Mode::Filter | Mode::Command);
    chrome::status(frame, status, ctx, typing.then_some(&typed as chrome::DrawLine));
    if let Some(dialog) = &app.dialog {
        dialog.draw(frame, body, ctx);
    }
    if app.mode == Mode::Help {
        app.help.draw(frame, area, ctx);
    }
}
