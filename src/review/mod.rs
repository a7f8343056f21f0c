//! Reviewable changes: plan files that are applied exactly as reviewed, and the policy digest that ties a reviewed
//! plan to the policy it was made under.

pub mod approval;
pub mod plan_check;
pub mod plan_file;
pub mod plan_markdown;
pub mod policy_digest;

pub use approval::{ApprovalRequest, ApprovalStatus};
pub use plan_file::{FilePlan, PlanDocument, PlanFileError, PlanScope, PlannedFinding};
