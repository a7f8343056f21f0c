//! The exception form's data: the resource it is about, its fields as typed, and the error shown under a field.

use crate::engine::exceptions::{ExceptionEntry, ExceptionInput};
use crate::model::{Finding, ResourceRef};
use crate::policy::exception::ExceptionTag;
use crate::ui::context::resource_region;
use std::collections::BTreeMap;

/// What `x` and `X` act on: the resource, its valid exception, and a note when tags are there but do not apply.
pub type Subject = (ExceptionTarget, Option<ExceptionTag>, Option<String>);

/// What `x` and `X` say when there is no live access.
pub const EXCEPTIONS_NEED_LIVE_ACCESS: &str =
    "exceptions need live access to the accounts: not available offline (--findings)";

/// The resource an exception is put on or removed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionTarget {
    pub account_id: String,
    /// Where the resource lives (global S3 findings carry it on the resource).
    pub region: String,
    pub resource: ResourceRef,
}

impl ExceptionTarget {
    /// The primary resource of a finding; `None` when it names none.
    pub fn of_finding(finding: &Finding) -> Option<Self> {
        let resource = finding.primary_resource()?.clone();
        Some(Self { account_id: finding.account_id.clone(), region: resource_region(finding).to_string(), resource })
    }

    /// The resource of an entry of the Exceptions view.
    pub fn of_entry(entry: &ExceptionEntry) -> Self {
        let resource = ResourceRef {
            kind: entry.resource_type.clone(),
            id: entry.resource_id.clone(),
            region: Some(entry.region.clone()),
            tags: BTreeMap::new(),
            details: None,
        };
        Self { account_id: entry.account_id.clone(), region: entry.region.clone(), resource }
    }
}

/// A field of the exception form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionField {
    Reason,
    Expires,
    Owner,
    Controls,
}

impl ExceptionField {
    /// The prefix of `validate`'s errors about this field.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Reason => "reason:",
            Self::Expires => "expires:",
            Self::Owner => "owner:",
            Self::Controls => "controls:",
        }
    }

    pub(super) fn next(self) -> Self {
        match self {
            Self::Reason => Self::Expires,
            Self::Expires => Self::Owner,
            Self::Owner => Self::Controls,
            Self::Controls => Self::Reason,
        }
    }

    pub(super) fn previous(self) -> Self {
        self.next().next().next()
    }

    /// The field a validation error names, if it names one.
    pub(super) fn of_error(error: &str) -> Option<Self> {
        [Self::Reason, Self::Expires, Self::Owner, Self::Controls].into_iter().find(|f| error.starts_with(f.prefix()))
    }
}

/// The exception form: add, or renew a valid exception.
#[derive(Debug, Clone)]
pub struct ExceptionDialog {
    pub target: ExceptionTarget,
    pub reason: String,
    pub expires: String,
    pub owner: String,
    /// The controls the exception covers (comma-separated; empty: every control).
    pub controls: String,
    pub focus: ExceptionField,
    /// The valid exception being renewed; `None` when adding one.
    pub current: Option<ExceptionTag>,
    /// The last validation error, shown under the field it names ("resource:" errors above the form).
    pub error: Option<String>,
    /// The account is of class `prod`: valid input waits for a capital `Y`.
    pub prod: bool,
    /// The input is valid and waits for that capital `Y`.
    pub confirming: bool,
    pub read_only: bool,
}

impl ExceptionDialog {
    /// The input as typed.
    pub fn input(&self) -> ExceptionInput {
        ExceptionInput {
            account_id: self.target.account_id.clone(),
            region: self.target.region.clone(),
            resource: self.target.resource.clone(),
            reason: self.reason.clone(),
            expires: self.expires.clone(),
            owner: self.owner.clone(),
            controls: self.controls.clone(),
        }
    }

    /// The error to show under `prefix`'s field (`"resource:"` for the resource line).
    pub fn error_for(&self, prefix: &str) -> Option<&str> {
        self.error.as_deref().filter(|e| e.starts_with(prefix))
    }

    pub(super) fn field(&mut self, field: ExceptionField) -> &mut String {
        match field {
            ExceptionField::Reason => &mut self.reason,
            ExceptionField::Expires => &mut self.expires,
            ExceptionField::Owner => &mut self.owner,
            ExceptionField::Controls => &mut self.controls,
        }
    }

    /// Typing in a field drops an error about that field; a resource that cannot carry tags stays said.
    pub(super) fn edited(&mut self) {
        if self.error.as_deref().is_some_and(|e| e.starts_with(self.focus.prefix())) {
            self.error = None;
        }
    }
}
