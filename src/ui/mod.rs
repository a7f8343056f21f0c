//! The terminal UI: app state and update, keymap, views, dialogs, theme, and the event loop.

pub mod app;
pub mod dialog;
mod filtering;
pub mod keymap;
pub mod listing;
pub mod remediation;
pub mod run;
pub mod theme;
pub mod views;

pub use app::App;
pub use theme::Theme;
