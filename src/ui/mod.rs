//! The terminal UI: the app (routing and shared context), the components (every view and dialog with its state, keys
//! and drawing), the key tables, the theme, and the event loop.

pub mod action_runs;
pub mod app;
mod app_msg;
pub mod components;
pub mod context;
pub mod effect;
pub mod keys;
pub mod listing;
mod live;
pub mod route;
pub mod run;
pub mod screen;
mod session;
pub mod theme;

pub use app::App;
pub use screen::draw;
pub use theme::Theme;
