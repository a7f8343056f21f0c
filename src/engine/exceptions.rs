//! Exceptions managed by hand: tags with a reason, an expiry and an owner on the resource. Adding, renewing and
//! removing them go through the remediator (audited, notified); listing reads them across every account and region.

use chrono::{DateTime, Utc};

/// How an exception stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionStatus {
    Valid,
    /// Valid, but ending within `exceptions.expiring_soon_days`.
    ExpiringSoon,
    Expired,
    /// The tags cannot be read (missing or unparsable expiry): the exception does not apply.
    Invalid(String),
}

/// One exception found on a resource, as the Exceptions view and `exceptions list` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionEntry {
    pub account_id: String,
    pub region: String,
    pub resource_type: String,
    /// The resource's ARN (or id).
    pub resource_id: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<DateTime<Utc>>,
    /// Whole days until expiry (negative once expired).
    pub days_left: Option<i64>,
    pub status: ExceptionStatus,
}
