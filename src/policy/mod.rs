//! Pure policy: rules, account classes, change windows and exception tags → a verdict and the reason for it.

pub mod caution;
pub mod change_window;
pub mod decide;
pub mod exception;
pub mod handed_back;
pub mod rules;
pub mod trust;
pub mod verdict;

pub use change_window::ChangeWindow;
pub use decide::{Decision, IncidentMode, Policy, PolicyInput};
pub use exception::{ExceptionLimits, ExceptionStatus, ExceptionTag, ExceptionTagNames};
pub use rules::Rule;
pub use trust::{Provenance, TrustedProducts};
pub use verdict::Verdict;
