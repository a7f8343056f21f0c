//! The changes of the KMS, CloudTrail, EBS snapshot, RDS snapshot and IAM access key playbooks as SDK calls, in the
//! finding's own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::services::{cloudtrail, iam, kms_client, rds};
use super::session::Accounts;
use crate::cloud::CloudError;
use crate::playbook::Change;
use aws_config::SdkConfig;

/// Makes one of these changes; `Ok(false)` when `change` is none of them.
pub(super) async fn apply(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    change: &Change,
) -> Result<bool, CloudError> {
    let at = format!("{account_id}/{region}");
    match change {
        Change::SetKeyRotation { key_id, enabled } => {
            let client = kms_client(config, region);
            let context = |op: &str| format!("{op} on KMS key {key_id} in {at}");
            if *enabled {
                client
                    .enable_key_rotation()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error(&context("EnableKeyRotation"), e))?;
            } else {
                client
                    .disable_key_rotation()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error(&context("DisableKeyRotation"), e))?;
            }
        }
        Change::SetTrailLogFileValidation { trail_arn, home_region, enabled } => {
            cloudtrail(config, home_region)
                .update_trail()
                .name(trail_arn)
                .enable_log_file_validation(*enabled)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("UpdateTrail {trail_arn} in {account_id}/{home_region}"), e))?;
        }
        Change::SetEbsSnapshotPublic { snapshot_id, public } => {
            use aws_sdk_ec2::types::{OperationType, SnapshotAttributeName};
            let operation = if *public { OperationType::Add } else { OperationType::Remove };
            Accounts::ec2(config, region)
                .modify_snapshot_attribute()
                .snapshot_id(snapshot_id)
                .attribute(SnapshotAttributeName::CreateVolumePermission)
                .operation_type(operation)
                .group_names("all")
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("ModifySnapshotAttribute on {snapshot_id} in {at}"), e))?;
        }
        Change::SetRdsSnapshotPublic { identifier, cluster: false, public } => {
            let call = rds(config, region)
                .modify_db_snapshot_attribute()
                .db_snapshot_identifier(identifier)
                .attribute_name("restore");
            let call = if *public { call.values_to_add("all") } else { call.values_to_remove("all") };
            call.send()
                .await
                .map_err(|e| map_sdk_error(&format!("ModifyDBSnapshotAttribute on {identifier} in {at}"), e))?;
        }
        Change::SetRdsSnapshotPublic { identifier, cluster: true, public } => {
            let call = rds(config, region)
                .modify_db_cluster_snapshot_attribute()
                .db_cluster_snapshot_identifier(identifier)
                .attribute_name("restore");
            let call = if *public { call.values_to_add("all") } else { call.values_to_remove("all") };
            call.send()
                .await
                .map_err(|e| map_sdk_error(&format!("ModifyDBClusterSnapshotAttribute on {identifier} in {at}"), e))?;
        }
        Change::SetAccessKeyStatus { user_name, access_key_id, active } => {
            use aws_sdk_iam::types::StatusType;
            let status = if *active { StatusType::Active } else { StatusType::Inactive };
            iam(config, region)
                .update_access_key()
                .user_name(user_name)
                .access_key_id(access_key_id)
                .status(status)
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error(&format!("UpdateAccessKey {access_key_id} of {user_name} in account {account_id}"), e)
                })?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}
