//! Where the app is: the view shown and where keys go.

use super::keys::{Binding, Key};

/// Where keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing the query (`/`).
    Filter,
    /// Typing a command (`:`).
    Command,
    Help,
}

/// The screen shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Findings,
    Sources,
    Jobs,
    Audit,
    /// Every exception across accounts and regions, by expiry.
    Exceptions,
    /// The output of custom action runs.
    Output,
    /// Approval requests, newest first, with the selected one's plan.
    Approvals,
    /// What an incident responder opens first: counts, top accounts and controls, trends, outcomes.
    Overview,
}

impl View {
    /// Every view, in the order a key bound elsewhere is looked for.
    pub const ALL: [View; 8] = [
        View::Findings,
        View::Approvals,
        View::Exceptions,
        View::Jobs,
        View::Audit,
        View::Output,
        View::Overview,
        View::Sources,
    ];

    /// The view's name and the key that shows it: "Findings view (1)".
    pub fn title(self) -> &'static str {
        match self {
            View::Findings => "the Findings view (1)",
            View::Sources => "the Sources view (2)",
            View::Jobs => "the Jobs view (3)",
            View::Audit => "the Audit view (4)",
            View::Exceptions => "the Exceptions view (5)",
            View::Output => "the Output view (6)",
            View::Approvals => "the Approvals view (7)",
            View::Overview => "the Overview (0)",
        }
    }
}

/// What the status line says of a key that does nothing here but does something in another view.
pub fn bound_elsewhere<'a>(key: Key, here: View, tables: impl Fn(View) -> &'a [Binding]) -> Option<String> {
    View::ALL.into_iter().filter(|v| *v != here).find_map(|view| {
        let binding = tables(view).iter().find(|b| b.binds(key))?;
        Some(format!("{}: {} — in {}", key.label(), binding.help, view.title()))
    })
}
