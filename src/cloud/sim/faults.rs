//! Failures a source can be switched into, for tests of failure isolation and for the demo's "bad day" mode.

use crate::cloud::{CloudError, SourceId};

/// A failure of one source (account, region).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFault {
    /// The role cannot be assumed: every call fails with `AccessDenied`.
    AccessDenied,
    /// Security Hub is not enabled in the account and region: GetFindings fails with `NotEnabled`.
    NotEnabled,
    /// GetFindings is throttled on the first call and every other call after it.
    ThrottleEveryOtherCall,
    /// GetFindings returns `n` pages, then fails with a network error on page `n + 1` and later.
    FailAfterPages(usize),
    /// The role may read but not write: every mutating call (changes, BatchUpdateFindings, sns:Publish to a topic
    /// of the source) fails with `AccessDenied`; reads and GetFindings work.
    DenyWrites,
}

/// A fault and the calls made while it was set.
#[derive(Debug, Clone)]
pub(super) struct FaultState {
    pub fault: SimFault,
    pub calls: usize,
}

fn role_arn(source: &SourceId) -> String {
    format!("arn:aws:sts::{}:assumed-role/HubtriageRemediation/hubtriage", source.account_id)
}

/// Checks a GetFindings call for page `page` (0-based) against the source's fault.
pub(super) fn check_get_findings(
    fault: Option<&mut FaultState>,
    source: &SourceId,
    page: usize,
) -> Result<(), CloudError> {
    let Some(state) = fault else { return Ok(()) };
    state.calls += 1;
    match state.fault {
        SimFault::AccessDenied => Err(access_denied(source, "securityhub:GetFindings")),
        SimFault::NotEnabled => Err(CloudError::NotEnabled(format!(
            "InvalidAccessException: Account {} is not subscribed to AWS Security Hub in {}",
            source.account_id, source.region
        ))),
        SimFault::ThrottleEveryOtherCall if state.calls % 2 == 1 => {
            Err(CloudError::Throttled(format!("TooManyRequestsException: Rate exceeded for GetFindings in {source}")))
        }
        SimFault::FailAfterPages(n) if page >= n => Err(CloudError::Network(format!(
            "dispatch failure: connection reset by peer while reading page {} of {source}",
            page + 1
        ))),
        _ => Ok(()),
    }
}

/// Checks a resource read against the source's fault (only a role that cannot be assumed stops reads).
pub(super) fn check_read(fault: Option<&FaultState>, source: &SourceId, action: &str) -> Result<(), CloudError> {
    match fault.map(|f| f.fault) {
        Some(SimFault::AccessDenied) => Err(access_denied(source, action)),
        _ => Ok(()),
    }
}

/// Checks a mutating call against the source's fault: a role that cannot be assumed or may not write stops it;
/// `security_hub` calls also stop where Security Hub is not enabled.
pub(super) fn check_write(
    fault: Option<&FaultState>,
    source: &SourceId,
    action: &str,
    security_hub: bool,
) -> Result<(), CloudError> {
    match fault.map(|f| f.fault) {
        Some(SimFault::AccessDenied | SimFault::DenyWrites) => Err(access_denied(source, action)),
        Some(SimFault::NotEnabled) if security_hub => Err(CloudError::NotEnabled(format!(
            "InvalidAccessException: Account {} is not subscribed to AWS Security Hub in {}",
            source.account_id, source.region
        ))),
        _ => Ok(()),
    }
}

fn access_denied(source: &SourceId, action: &str) -> CloudError {
    CloudError::AccessDenied(format!(
        "User: {} is not authorized to perform: {action} in {} (AccessDeniedException)",
        role_arn(source),
        source.region
    ))
}
