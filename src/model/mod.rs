//! Pure data: findings, severities, workflow and the readers of ASFF and OCSF findings. No runtime, UI or SDK types.

pub mod arn;
pub mod asff;
pub mod asff_fields;
pub mod asff_items;
mod asff_lenient;
mod asff_page;
mod asff_scan;
mod asff_tree;
pub mod control_id;
pub mod control_map;
pub mod finding;
pub mod guidance;
pub mod hash;
pub mod intern;
mod invisible;
mod json_compact;
pub(crate) mod json_scan;
pub mod json_split;
mod json_tree;
mod ocsf;
mod ocsf_details;
mod ocsf_fields;
mod ocsf_paths;
mod ocsf_resources;
mod ocsf_scan;
pub mod raw_json;
pub mod read;
pub mod resource_type;
mod rfc3339;
pub mod sanitize;
pub mod shared_tags;
#[cfg(test)]
pub mod testing;

pub use finding::{
    ComplianceStatus, Finding, FindingFormat, FindingKey, RecordState, ResourceRef, Severity, WorkflowStatus,
};
pub use read::{read_any, read_any_document, read_any_value, ReadOutcome, ReadProblem};
