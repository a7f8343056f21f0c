//! Every view and every dialog is one component (a file, or a folder when it grows): it owns its state, its keys
//! (through its key table) and its drawing. `Component` is their shape; `Dialog` is the dialog on top of a view.
//! Components share only the `Context`; the app routes keys and messages to them.

pub mod action_menu;
pub mod apply;
pub mod approval_text;
pub mod approvals;
pub mod approve;
pub mod audit;
pub mod chrome;
pub mod command_line;
pub mod component;
pub mod confirm;
pub mod dialog;
pub mod exception_form;
pub mod exception_removal;
pub mod exceptions;
pub mod findings;
pub mod format;
pub mod help;
pub mod hints;
pub mod incident;
pub mod jobs;
pub mod list_table;
pub mod output;
pub mod overview;
pub mod picker;
pub mod plan;
pub mod popup;
pub mod query_line;
pub mod request_detail;
pub mod rollback;
pub mod sources;
