//! Drawing: one file per view. Every function takes the app by reference and draws; none changes state.

pub mod action_menu;
pub mod approval_dialog;
pub mod approvals;
pub mod audit;
pub mod chrome;
pub mod columns;
pub mod detail;
pub mod dialog;
pub mod exception_dialog;
pub mod exceptions;
pub mod format;
pub mod group_line;
pub mod help;
pub mod hints;
pub mod history;
pub mod jobs;
pub mod output;
pub mod overview;
pub mod plan;
pub mod rollback_dialog;
pub mod sources;
pub mod table;

use super::app::{App, Mode, View};
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::Block;
use ratatui::Frame;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base()), area);
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(4), Constraint::Length(1)]).areas(area);
    chrome::header(frame, header, app);
    match app.view {
        View::Findings => {
            let table_rows = (body.height as usize * 55 / 100).max(3) as u16;
            let [table_area, detail_area] =
                Layout::vertical([Constraint::Length(table_rows), Constraint::Min(3)]).areas(body);
            table::draw(frame, table_area, app);
            detail::draw(frame, detail_area, app);
        }
        View::Sources => sources::draw(frame, body, app),
        View::Jobs => jobs::draw(frame, body, app),
        View::Audit => audit::draw(frame, body, app),
        View::Exceptions => exceptions::draw(frame, body, app),
        View::Output => output::draw(frame, body, app),
        View::Approvals => approvals::draw(frame, body, app),
        View::Overview => overview::draw(frame, body, app),
    }
    chrome::status(frame, status, app);
    dialog::draw(frame, body, app);
    if app.mode == Mode::Help {
        help::draw(frame, area, app);
    }
}
