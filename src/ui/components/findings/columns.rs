//! Which columns of the findings table fit, and how wide each is: widths come from what the lines on screen hold
//! (a control id is never cut), the title and the resource share what is left, and on a narrow terminal the
//! columns worth least go first (job, workflow, region, then account and verdict).

use ratatui::layout::Constraint;

/// A column of the findings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Mark,
    Severity,
    Control,
    Title,
    Resource,
    Account,
    Region,
    Verdict,
    Workflow,
    Job,
}

impl Column {
    /// Every column, left to right.
    pub const ALL: [Column; 10] = [
        Column::Mark,
        Column::Severity,
        Column::Control,
        Column::Title,
        Column::Resource,
        Column::Account,
        Column::Region,
        Column::Verdict,
        Column::Workflow,
        Column::Job,
    ];

    /// Dropped first to last while the columns do not fit. Mark, severity, control and title always stay.
    const DROP_ORDER: [Column; 6] =
        [Column::Job, Column::Workflow, Column::Region, Column::Account, Column::Verdict, Column::Resource];

    /// The header line's word.
    pub fn label(self) -> &'static str {
        match self {
            Column::Mark => "",
            Column::Severity => "Severity",
            Column::Control => "Control",
            Column::Title => "Title",
            Column::Resource => "Resource",
            Column::Account => "Account",
            Column::Region => "Region",
            Column::Verdict => "Verdict",
            Column::Workflow => "Workflow",
            Column::Job => "Job",
        }
    }
}

/// The title keeps at least this many cells while other columns fit.
pub const TITLE_MIN: u16 = 20;
/// The resource keeps at least this many cells (or its widest id, when shorter) while it is shown.
pub const RESOURCE_MIN: u16 = 12;
/// A control id wider than this (a finding type used in its place) is cut.
const CONTROL_MAX: u16 = 24;
/// Account names longer than this are cut.
const ACCOUNT_MAX: u16 = 20;
const JOB_MAX: u16 = 14;

/// The widest text of each column among the lines drawn (in cells).
#[derive(Debug, Clone, Copy, Default)]
pub struct Widths {
    /// The least the title keeps when more than `TITLE_MIN` (group headers write their count there).
    pub title_min: u16,
    pub severity: u16,
    pub title: u16,
    pub control: u16,
    pub resource: u16,
    pub account: u16,
    pub region: u16,
    pub verdict: u16,
    pub workflow: u16,
    pub job: u16,
}

impl Widths {
    /// The width column `c` wants: its widest text, its label at least, within the column's cap.
    fn wanted(&self, c: Column) -> u16 {
        let label = c.label().chars().count() as u16;
        let text = match c {
            Column::Mark => return 1,
            Column::Severity => self.severity,
            Column::Control => self.control.min(CONTROL_MAX),
            Column::Account => self.account.min(ACCOUNT_MAX),
            Column::Region => self.region,
            Column::Verdict => self.verdict,
            Column::Workflow => self.workflow,
            Column::Job => self.job.min(JOB_MAX),
            Column::Resource => self.resource,
            Column::Title => self.title,
        };
        text.max(label)
    }
}

/// The columns shown in `available` cells (one cell between columns), with their widths. The job column shows
/// only when `with_jobs` (a job ran this session).
pub fn layout(available: u16, widths: &Widths, with_jobs: bool) -> Vec<(Column, Constraint)> {
    let mut shown: Vec<Column> = Column::ALL.into_iter().filter(|c| with_jobs || *c != Column::Job).collect();
    let resource_min = |w: &Widths| RESOURCE_MIN.min(w.wanted(Column::Resource));
    let need = |shown: &[Column]| -> u16 {
        let fixed: u16 = shown
            .iter()
            .map(|&c| match c {
                Column::Title => TITLE_MIN.max(widths.title_min),
                Column::Resource => resource_min(widths),
                c => widths.wanted(c),
            })
            .fold(0u16, u16::saturating_add);
        fixed.saturating_add(shown.len().saturating_sub(1) as u16)
    };
    for drop in Column::DROP_ORDER {
        if need(&shown) <= available {
            break;
        }
        shown.retain(|&c| c != drop);
    }
    // What the fixed columns leave goes to the title and the resource: both whole when they fit (the title takes
    // what is over), else the resource up to a third (its minimum at least) and the title the rest.
    let fixed: u16 = shown
        .iter()
        .filter(|c| !matches!(c, Column::Title | Column::Resource))
        .map(|&c| widths.wanted(c))
        .fold(0u16, u16::saturating_add);
    let left = available.saturating_sub(fixed).saturating_sub(shown.len().saturating_sub(1) as u16);
    let (title_wanted, resource_wanted) = (widths.wanted(Column::Title), widths.wanted(Column::Resource));
    let resource = if !shown.contains(&Column::Resource) {
        0
    } else if title_wanted.saturating_add(resource_wanted) <= left {
        resource_wanted
    } else {
        (left / 3).min(resource_wanted).max(resource_min(widths)).min(left)
    };
    let title = left - resource;
    shown
        .into_iter()
        .map(|c| {
            let width = match c {
                Column::Title => title,
                Column::Resource => resource,
                c => widths.wanted(c),
            };
            (c, Constraint::Length(width))
        })
        .collect()
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
