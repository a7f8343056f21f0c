//! `Resources::apply` for the simulated organisation: each change mutates the state as AWS would, at the simulator's
//! clock, so the findings derived afterwards follow it (a fixed resource's findings turn PASSED, `UpdatedAt` moves).
//! Every call is counted and recorded; fault switches stop mutating calls as they stop reads.

use super::org::OrgState;
use super::{apply_ec2, apply_s3, apply_tags, faults, findings};
use crate::cloud::{CloudError, SourceId};
use crate::playbook::Change;
use std::collections::HashMap;

/// The AWS API operation a change is made with, as `call_count` counts it.
pub(super) fn api_name(change: &Change) -> &'static str {
    match change {
        Change::PutBucketPublicAccessBlock { .. } => "PutPublicAccessBlock",
        Change::DeleteBucketPublicAccessBlock { .. } => "DeletePublicAccessBlock",
        Change::PutAccountPublicAccessBlock { .. } => "PutAccountPublicAccessBlock",
        Change::DeleteAccountPublicAccessBlock => "DeleteAccountPublicAccessBlock",
        Change::PutBucketEncryption { .. } => "PutBucketEncryption",
        Change::DeleteBucketEncryption { .. } => "DeleteBucketEncryption",
        Change::PutBucketPolicy { .. } => "PutBucketPolicy",
        Change::DeleteBucketPolicy { .. } => "DeleteBucketPolicy",
        Change::RevokeIngress { .. } => "RevokeSecurityGroupIngress",
        Change::RevokeEgress { .. } => "RevokeSecurityGroupEgress",
        Change::AuthorizeIngress { .. } => "AuthorizeSecurityGroupIngress",
        Change::AuthorizeEgress { .. } => "AuthorizeSecurityGroupEgress",
        Change::SetEbsEncryptionByDefault { enabled: true } => "EnableEbsEncryptionByDefault",
        Change::SetEbsEncryptionByDefault { enabled: false } => "DisableEbsEncryptionByDefault",
        Change::SetInstanceMetadataTokens { .. } => "ModifyInstanceMetadataOptions",
        Change::TagResource { .. } => "TagResource",
        Change::UntagResource { .. } => "UntagResource",
        Change::SetKeyRotation { enabled: true, .. } => "EnableKeyRotation",
        Change::SetKeyRotation { enabled: false, .. } => "DisableKeyRotation",
        Change::SetTrailLogFileValidation { .. } => "UpdateTrail",
        Change::SetEbsSnapshotPublic { .. } => "ModifySnapshotAttribute",
        Change::SetRdsSnapshotPublic { .. } => "ModifyDBSnapshotAttribute",
        Change::SetAccessKeyStatus { .. } => "UpdateAccessKey",
    }
}

/// Makes one change in `account_id`/`region`; counted as `Apply` and under its API name, and recorded.
pub(super) fn apply(state: &mut OrgState, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError> {
    state.count("Apply");
    state.count(api_name(change));
    let source = SourceId { account_id: account_id.into(), region: region.into() };
    let result = attempt(state, &source, change);
    let mut line = format!("{source} {}", change.describe());
    if let Err(e) = &result {
        line.push_str(&format!(" -> failed: {e}"));
    }
    state.records.mutations.push(line);
    result
}

fn attempt(state: &mut OrgState, source: &SourceId, change: &Change) -> Result<(), CloudError> {
    faults::check_write(state.faults.get(source), source, change.operation(), false)?;
    if !state.accounts.iter().any(|a| a.id == source.account_id) {
        return Err(CloudError::AccessDenied(format!(
            "not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{}:role/HubtriageRemediation",
            source.account_id
        )));
    }
    // S3 account Block Public Access is account-wide: every region of the account sees it.
    let affected: Vec<SourceId> = match change {
        Change::PutAccountPublicAccessBlock { .. } | Change::DeleteAccountPublicAccessBlock => {
            state.sources.keys().filter(|s| s.account_id == source.account_id).cloned().collect()
        }
        _ => vec![source.clone()],
    };
    let before = compliance(state, &affected);
    let now = state.clock.now();
    match change {
        Change::PutBucketPublicAccessBlock { .. }
        | Change::DeleteBucketPublicAccessBlock { .. }
        | Change::PutAccountPublicAccessBlock { .. }
        | Change::DeleteAccountPublicAccessBlock
        | Change::PutBucketEncryption { .. }
        | Change::DeleteBucketEncryption { .. }
        | Change::PutBucketPolicy { .. }
        | Change::DeleteBucketPolicy { .. } => apply_s3::apply(state, source, change, now)?,
        Change::RevokeIngress { .. }
        | Change::RevokeEgress { .. }
        | Change::AuthorizeIngress { .. }
        | Change::AuthorizeEgress { .. }
        | Change::SetEbsEncryptionByDefault { .. }
        | Change::SetInstanceMetadataTokens { .. } => apply_ec2::apply(state, source, change, now)?,
        Change::TagResource { .. } | Change::UntagResource { .. } => apply_tags::apply(state, source, change, now)?,
        Change::SetKeyRotation { .. }
        | Change::SetTrailLogFileValidation { .. }
        | Change::SetEbsSnapshotPublic { .. }
        | Change::SetRdsSnapshotPublic { .. }
        | Change::SetAccessKeyStatus { .. } => {
            let not_here =
                || CloudError::NotFound(format!("{source}: the simulated organisation does not use this region"));
            let region = state.sources.get_mut(source).ok_or_else(not_here)?;
            super::apply_services::apply(region, source, change, now)?;
        }
    }
    // Findings of other resources whose evaluation the change moved (an account setting that now restricts every
    // bucket) are re-evaluated too.
    for (id, after) in compliance(state, &affected) {
        let was = before.get(&id);
        if was != Some(&after) {
            state.overlay.compliance_changed(&id, was.map(String::as_str), &after, now);
        }
    }
    Ok(())
}

/// `Compliance.Status` of every control finding of the sources, by finding id.
fn compliance(state: &OrgState, sources: &[SourceId]) -> HashMap<String, String> {
    sources
        .iter()
        .filter_map(|s| state.sources.get(s))
        .flat_map(findings::control_findings)
        .filter_map(|v| {
            let id = v.get("Id")?.as_str()?.to_string();
            Some((id, v.pointer("/Compliance/Status")?.as_str()?.to_string()))
        })
        .collect()
}
