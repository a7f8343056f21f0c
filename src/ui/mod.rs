//! The terminal UI: app state and update, keymap, views, dialogs, theme, and the event loop.

pub mod action_menu;
pub mod action_runs;
pub mod app;
pub mod approval_dialog;
pub mod approvals;
mod command_line;
pub mod dialog;
pub mod effect;
pub mod exception_dialog;
pub mod exception_removal;
pub mod exceptions;
mod filtering;
mod grouping;
pub mod keys;
pub mod listing;
mod live;
mod overview;
pub mod remediation;
pub mod route;
pub mod run;
mod session;
pub mod theme;
pub mod views;

pub use app::App;
pub use theme::Theme;
