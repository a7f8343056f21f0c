//! Pure plan logic: one file per playbook, `plan(state) → Plan` and `verify(state) → bool`.

pub mod change;
pub mod plan;
pub mod s3_public_access;
pub mod sg_open_ports;
pub mod snapshot;
pub mod state;

pub use change::Change;
pub use plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
pub use state::{
    AccountState, BucketPublicAccessBlock, BucketState, InstanceState, PublicAccessBlock, ResourceState,
    SecurityGroupRule, SecurityGroupState,
};

/// A narrow, reversible fix for one or more controls.
pub trait Playbook: Send + Sync {
    /// Stable name shown in plans, notes and the audit log.
    fn name(&self) -> &'static str;
    /// Whether the playbook fixes this consolidated control id.
    fn handles(&self, control_id: &str) -> bool;
    /// The ASFF resource type the playbook works on.
    fn resource_type(&self) -> &'static str;
    /// The plan from the current state, or why nothing needs doing.
    fn plan(&self, control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError>;
    /// Whether the state is the desired one.
    fn verify(&self, control_id: &str, state: &ResourceState) -> bool;
}

/// Settings that shape the playbooks.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlaybookSettings {
    /// Ports EC2.18 allows open to the world.
    pub authorized_public_ports: Vec<i32>,
}

impl Default for PlaybookSettings {
    fn default() -> Self {
        Self { authorized_public_ports: vec![80, 443] }
    }
}

/// Every playbook, looked up by control id.
pub struct Playbooks {
    all: Vec<Box<dyn Playbook>>,
}

impl Playbooks {
    /// The built-in playbooks.
    pub fn new(settings: &PlaybookSettings) -> Self {
        Self {
            all: vec![
                Box::new(s3_public_access::BucketPublicAccess),
                Box::new(sg_open_ports::OpenPorts::new(settings.authorized_public_ports.clone())),
            ],
        }
    }

    /// The playbook for a control, if any.
    pub fn for_control(&self, control_id: &str) -> Option<&dyn Playbook> {
        self.all.iter().find(|p| p.handles(control_id)).map(|p| p.as_ref())
    }

    /// All playbooks.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Playbook> {
        self.all.iter().map(|p| p.as_ref())
    }
}
