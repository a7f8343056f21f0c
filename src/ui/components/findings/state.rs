//! The Findings view's own state: which pane has the focus, the detail pane's scroll, raw JSON or not.

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Detail,
}

/// The Findings view's own state (the listing is shared).
#[derive(Debug, Clone)]
pub struct FindingsView {
    pub focus: Focus,
    pub detail_scroll: u16,
    pub show_raw: bool,
}

impl Default for FindingsView {
    fn default() -> Self {
        Self { focus: Focus::Table, detail_scroll: 0, show_raw: false }
    }
}
