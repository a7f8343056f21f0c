//! The findings table. Only the visible window of lines is built, so drawing cost does not grow with N; the columns
//! that fit and their widths come from that window (`columns`), group headers from `group_line`.

use super::columns::{self, Column, Widths};
use super::group_line;
use super::state::Focus;
use crate::engine::Row;
use crate::ui::components::format;
use crate::ui::context::Context as App;
use crate::ui::listing::Shown;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Row as TableRow, Table, TableState};
use ratatui::Frame;

/// The least the title column keeps while the table is grouped: "▾ EC2.19 · 21 findings · 4 auto-fix" and more.
const GROUPED_TITLE_MIN: u16 = 32;

/// The text of one line, column by column, with the style of the styled ones.
#[derive(Default)]
pub(super) struct Cells {
    pub mark: &'static str,
    pub severity: (&'static str, Style),
    pub control: String,
    /// The control column holds a control id (kept whole), not a finding type (cut to fit).
    pub control_is_id: bool,
    pub title: Span<'static>,
    pub resource: String,
    pub account: String,
    pub region: String,
    pub verdict: (&'static str, Style),
    pub workflow: &'static str,
    pub job: (String, Style),
    /// The whole line's style (group headers are bold).
    pub line: Style,
}

impl Cells {
    fn measure(&self, w: &mut Widths) {
        let width = |s: &str| Span::raw(s).width().min(usize::from(u16::MAX)) as u16;
        w.severity = w.severity.max(width(self.severity.0));
        w.title = w.title.max(width(&self.title.content));
        if self.control_is_id {
            w.control = w.control.max(width(&self.control));
        }
        w.resource = w.resource.max(width(&self.resource));
        w.account = w.account.max(width(&self.account));
        w.region = w.region.max(width(&self.region));
        w.verdict = w.verdict.max(width(self.verdict.0));
        w.workflow = w.workflow.max(width(self.workflow));
        w.job = w.job.max(width(&self.job.0));
    }

    fn cell(&self, column: Column, accent: Style) -> Cell<'static> {
        match column {
            Column::Mark => Cell::from(Span::styled(self.mark, accent)),
            Column::Severity => Cell::from(Span::styled(self.severity.0, self.severity.1)),
            Column::Control => Cell::from(self.control.clone()),
            Column::Title => Cell::from(self.title.clone()),
            Column::Resource => Cell::from(self.resource.clone()),
            Column::Account => Cell::from(self.account.clone()),
            Column::Region => Cell::from(self.region.clone()),
            Column::Verdict => Cell::from(Span::styled(self.verdict.0, self.verdict.1)),
            Column::Workflow => Cell::from(self.workflow),
            Column::Job => Cell::from(Span::styled(self.job.0.clone(), self.job.1)),
        }
    }
}

/// The finding's remediation state: a running job first, then a regression, then how its last job ended.
fn job_cell(row: &Row, app: &App) -> (String, Style) {
    let job = app.latest_job(&row.finding.key());
    if let Some(job) = job.filter(|j| !j.state.is_final()) {
        return (format::job_state(&job.state), app.theme.job_state(&job.state));
    }
    if app.drift_for(&row.finding).is_some() {
        return ("REGRESSED".into(), app.theme.regressed());
    }
    match job {
        Some(job) => (format::job_state(&job.state), app.theme.job_state(&job.state)),
        None => (String::new(), Style::default()),
    }
}

/// One finding's line.
fn finding_cells(row: &Row, app: &App) -> Cells {
    let t = &app.theme;
    let f = &row.finding;
    let verdict = row.decision.verdict;
    Cells {
        mark: if app.marks.contains(&f.key()) { "●" } else { " " },
        severity: (f.severity.label(), t.severity(f.severity)),
        control: f.control_or_type().to_string(),
        control_is_id: f.control_id.is_some(),
        title: Span::raw(f.title.to_string()),
        resource: f.primary_resource().map(|r| r.short_id()).unwrap_or("-").to_string(),
        account: format::account_short(app, &f.account_id).to_string(),
        region: f.region.to_string(),
        verdict: (verdict.name(), t.verdict(verdict)),
        workflow: f.workflow_status.label(),
        job: job_cell(row, app),
        line: Style::default(),
    }
}

/// Draws the table with the selection kept in view.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, focus: Focus) {
    let t = &app.theme;
    let listing = &app.listing;
    let inner_height = area.height.saturating_sub(3) as usize; // borders + header
    let total = listing.display_len();
    let selected = listing.cursor();
    let offset = selected.saturating_sub(inner_height.saturating_sub(1)).min(total.saturating_sub(inner_height.max(1)));
    let offset = if selected < offset { selected } else { offset };
    let marked = if listing.is_grouped() && !app.marks.is_empty() {
        listing.marked_per_group(&app.marks)
    } else {
        Default::default()
    };
    let lines: Vec<Cells> = listing
        .shown(offset, inner_height)
        .into_iter()
        .map(|line| match line {
            Shown::Row(row) => finding_cells(row, app),
            Shown::Header(header) => {
                group_line::cells(&header, listing.group_by(), marked.get(&header.index).copied().unwrap_or(0), app)
            }
        })
        .collect();
    // Group headers say what the group is and how many findings it holds in the title column.
    let mut widths =
        Widths { title_min: if listing.is_grouped() { GROUPED_TITLE_MIN } else { 0 }, ..Widths::default() };
    for line in &lines {
        line.measure(&mut widths);
    }
    // Borders, and the room of the selection symbol (always kept, so columns do not shift when it moves).
    let available = area.width.saturating_sub(2 + 2);
    let with_jobs = !app.jobs.is_empty() || !app.drifts.is_empty();
    let layout = columns::layout(available, &widths, with_jobs);
    let accent = Style::default().fg(t.accent).add_modifier(Modifier::BOLD);
    let rows =
        lines.iter().map(|line| TableRow::new(layout.iter().map(|(c, _)| line.cell(*c, accent))).style(line.line));
    let header = TableRow::new(layout.iter().map(|(c, _)| c.label()))
        .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let border = if focus == Focus::Table { t.border_focused } else { t.border };
    let table = Table::new(rows, layout.iter().map(|(_, w)| *w))
        .header(header)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::default().fg(border))
                .title(Span::styled(title(app, selected, total), Style::default().fg(t.title))),
        )
        .row_highlight_style(Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD))
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default();
    if total > 0 {
        state.select(Some(selected - offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

/// " Findings 3/20 · 2 marked ", or grouped " Findings by control: 4 groups, 20 findings ".
fn title(app: &App, selected: usize, total: usize) -> String {
    let listing = &app.listing;
    let marked = if app.marks.is_empty() { String::new() } else { format!("· {} marked ", app.marks.len()) };
    if listing.is_grouped() {
        let groups = listing.group_count();
        return format!(
            " Findings by {}: {groups} group{}, {} findings {marked}",
            listing.group_by().name(),
            if groups == 1 { "" } else { "s" },
            listing.visible_len()
        );
    }
    format!(" Findings {}/{} {marked}", if total == 0 { 0 } else { selected + 1 }, total)
}
