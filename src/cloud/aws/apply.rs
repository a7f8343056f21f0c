//! The typed changes of a plan as SDK calls, in the finding's own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::CloudError;
use crate::playbook::state::{PublicAccessBlock, SecurityGroupRule};
use crate::playbook::Change;
use aws_config::SdkConfig;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Makes one change in `account_id`/`region` with `config`'s credentials.
pub(super) async fn apply_change(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    change: &Change,
) -> Result<(), CloudError> {
    let at = format!("{account_id}/{region}");
    match change {
        Change::PutBucketPublicAccessBlock { bucket, config: pab } => {
            let s3 = Accounts::s3(config, region);
            s3.put_public_access_block()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .public_access_block_configuration(s3_pab(pab))
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("PutPublicAccessBlock on bucket {bucket} in {at}"), e))?;
        }
        Change::DeleteBucketPublicAccessBlock { bucket } => {
            let s3 = Accounts::s3(config, region);
            s3.delete_public_access_block()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("DeletePublicAccessBlock on bucket {bucket} in {at}"), e))?;
        }
        Change::PutAccountPublicAccessBlock { config: pab } => {
            let s3control = Accounts::s3control(config, region);
            s3control
                .put_public_access_block()
                .account_id(account_id)
                .public_access_block_configuration(s3control_pab(pab))
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("PutPublicAccessBlock on account {account_id} in {at}"), e))?;
        }
        Change::DeleteAccountPublicAccessBlock => {
            let s3control = Accounts::s3control(config, region);
            s3control
                .delete_public_access_block()
                .account_id(account_id)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("DeletePublicAccessBlock on account {account_id} in {at}"), e))?;
        }
        Change::PutBucketEncryption { bucket, algorithm, kms_key_id } => {
            use aws_sdk_s3::types::{
                ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
                ServerSideEncryptionRule,
            };
            let context = format!("PutBucketEncryption {algorithm} on bucket {bucket} in {at}");
            let build_error = |e: aws_smithy_types::error::operation::BuildError| {
                CloudError::Other(format!("{context}: cannot build the request: {e}"))
            };
            let default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(algorithm.as_str()))
                .set_kms_master_key_id(kms_key_id.clone())
                .build()
                .map_err(build_error)?;
            let configuration = ServerSideEncryptionConfiguration::builder()
                .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build())
                .build()
                .map_err(build_error)?;
            Accounts::s3(config, region)
                .put_bucket_encryption()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .server_side_encryption_configuration(configuration)
                .send()
                .await
                .map_err(|e| map_sdk_error(&context, e))?;
        }
        Change::DeleteBucketEncryption { bucket } => {
            Accounts::s3(config, region)
                .delete_bucket_encryption()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("DeleteBucketEncryption on bucket {bucket} in {at}"), e))?;
        }
        Change::PutBucketPolicy { bucket, policy } => {
            Accounts::s3(config, region)
                .put_bucket_policy()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .policy(policy)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("PutBucketPolicy on bucket {bucket} in {at}"), e))?;
        }
        Change::DeleteBucketPolicy { bucket } => {
            Accounts::s3(config, region)
                .delete_bucket_policy()
                .bucket(bucket)
                .expected_bucket_owner(account_id)
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("DeleteBucketPolicy on bucket {bucket} in {at}"), e))?;
        }
        Change::RevokeIngress { group_id, rule_ids } if !rule_ids.is_empty() => {
            let context = format!("RevokeSecurityGroupIngress {} on {group_id} in {at}", rule_ids.join(","));
            let call = Accounts::ec2(config, region).revoke_security_group_ingress();
            revoke_by_ids!(call, group_id, rule_ids, context);
        }
        Change::RevokeEgress { group_id, rule_ids } if !rule_ids.is_empty() => {
            let context = format!("RevokeSecurityGroupEgress {} on {group_id} in {at}", rule_ids.join(","));
            let call = Accounts::ec2(config, region).revoke_security_group_egress();
            revoke_by_ids!(call, group_id, rule_ids, context);
        }
        // An empty list of rule ids is nothing to revoke: no call.
        Change::RevokeIngress { .. } | Change::RevokeEgress { .. } => {}
        Change::AuthorizeIngress { group_id, rules } => {
            authorize(&Accounts::ec2(config, region), group_id, rules, false, &at).await?;
        }
        Change::AuthorizeEgress { group_id, rules } => {
            authorize(&Accounts::ec2(config, region), group_id, rules, true, &at).await?;
        }
        Change::SetEbsEncryptionByDefault { enabled: true } => {
            Accounts::ec2(config, region)
                .enable_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("EnableEbsEncryptionByDefault in {at}"), e))?;
        }
        Change::SetEbsEncryptionByDefault { enabled: false } => {
            Accounts::ec2(config, region)
                .disable_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| map_sdk_error(&format!("DisableEbsEncryptionByDefault in {at}"), e))?;
        }
        Change::SetInstanceMetadataTokens { instance_id, http_tokens } => {
            let context = format!("ModifyInstanceMetadataOptions HttpTokens={http_tokens} on {instance_id} in {at}");
            if !matches!(http_tokens.as_str(), "required" | "optional") {
                return Err(CloudError::Other(format!("{context}: HttpTokens must be required or optional")));
            }
            Accounts::ec2(config, region)
                .modify_instance_metadata_options()
                .instance_id(instance_id)
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::from(http_tokens.as_str()))
                .send()
                .await
                .map_err(|e| map_sdk_error(&context, e))?;
        }
        Change::TagResource { resource_type, resource_id, tags } => {
            Box::pin(super::tags::tag_resource(config, account_id, region, resource_type, resource_id, tags)).await?;
        }
        Change::UntagResource { resource_type, resource_id, keys } => {
            Box::pin(super::tags::untag_resource(config, account_id, region, resource_type, resource_id, keys)).await?;
        }
        Change::SetKeyRotation { .. }
        | Change::SetTrailLogFileValidation { .. }
        | Change::SetEbsSnapshotPublic { .. }
        | Change::SetRdsSnapshotPublic { .. }
        | Change::SetAccessKeyStatus { .. } => {
            Box::pin(super::services_apply::apply(config, account_id, region, change)).await?;
        }
    }
    Ok(())
}

/// Sends an ingress or egress revoke (two SDK builders of the same shape) by rule id and checks EC2's answer.
macro_rules! revoke_by_ids {
    ($call:expr, $group_id:expr, $rule_ids:expr, $context:expr) => {
        let out = $call
            .group_id($group_id)
            .set_security_group_rule_ids(Some($rule_ids.clone()))
            .send()
            .await
            .map_err(|e| map_sdk_error(&$context, e))?;
        check_revoke(&$context, out.r#return(), out.unknown_ip_permissions().len())?;
    };
}
use revoke_by_ids;

/// EC2's answer when a rule being authorized exists already.
const DUPLICATE: &str = "InvalidPermission.Duplicate";

/// Adds rules to a group. Rules that exist already count as added, so a rollback that runs a second time (after a
/// restart, say) succeeds: EC2 refuses the whole call when one rule exists, so the rules are then added one by one.
async fn authorize(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    rules: &[SecurityGroupRule],
    egress: bool,
    at: &str,
) -> Result<(), CloudError> {
    if rules.is_empty() {
        return Ok(());
    }
    let op = if egress { "AuthorizeSecurityGroupEgress" } else { "AuthorizeSecurityGroupIngress" };
    let context = format!("{op} ({} rules) on {group_id} in {at}", rules.len());
    match authorize_once(ec2, group_id, egress, rules.iter().map(ip_permission).collect(), &context).await {
        Ok(()) => Ok(()),
        Err((true, _)) if rules.len() > 1 => {
            for rule in rules {
                let context = format!("{op} {} on {group_id} in {at}", rule.describe());
                match authorize_once(ec2, group_id, egress, vec![ip_permission(rule)], &context).await {
                    Ok(()) => {}
                    Err((true, _)) => tracing::info!(group_id, rule = %rule.describe(), "rule exists already"),
                    Err((false, e)) => return Err(e),
                }
            }
            Ok(())
        }
        Err((true, _)) => {
            for rule in rules {
                tracing::info!(group_id, rule = %rule.describe(), "rule exists already");
            }
            Ok(())
        }
        Err((false, e)) => Err(e),
    }
}

/// One Authorize call; the error says whether EC2 refused it because a rule exists already.
async fn authorize_once(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    egress: bool,
    permissions: Vec<IpPermission>,
    context: &str,
) -> Result<(), (bool, CloudError)> {
    fn failed<E>(context: &str, e: SdkError<E, HttpResponse>) -> (bool, CloudError)
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let duplicate = e.as_service_error().and_then(|s| s.code()) == Some(DUPLICATE);
        (duplicate, map_sdk_error(context, e))
    }
    if egress {
        ec2.authorize_security_group_egress()
            .group_id(group_id)
            .set_ip_permissions(Some(permissions))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed(context, e))
    } else {
        ec2.authorize_security_group_ingress()
            .group_id(group_id)
            .set_ip_permissions(Some(permissions))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed(context, e))
    }
}

/// A revoke that answered `Return: false` or listed rules it did not know revoked nothing (or not all).
fn check_revoke(context: &str, returned: Option<bool>, unknown: usize) -> Result<(), CloudError> {
    if returned == Some(false) || unknown > 0 {
        return Err(CloudError::Other(format!(
            "{context}: EC2 did not revoke every rule (Return={}, {unknown} unknown permission(s))",
            returned.map_or("?".to_string(), |r| r.to_string())
        )));
    }
    Ok(())
}

fn s3_pab(c: &PublicAccessBlock) -> aws_sdk_s3::types::PublicAccessBlockConfiguration {
    aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(c.block_public_acls)
        .ignore_public_acls(c.ignore_public_acls)
        .block_public_policy(c.block_public_policy)
        .restrict_public_buckets(c.restrict_public_buckets)
        .build()
}

fn s3control_pab(c: &PublicAccessBlock) -> aws_sdk_s3control::types::PublicAccessBlockConfiguration {
    aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(c.block_public_acls)
        .ignore_public_acls(c.ignore_public_acls)
        .block_public_policy(c.block_public_policy)
        .restrict_public_buckets(c.restrict_public_buckets)
        .build()
}

/// One rule as an `IpPermission`: a CIDR (v4 or v6), a referenced group, or a prefix list (`pl-…`), with its
/// description. Ports are left out for all-traffic rules.
fn ip_permission(rule: &SecurityGroupRule) -> IpPermission {
    let mut perm = IpPermission::builder().ip_protocol(&rule.protocol);
    if !matches!(rule.protocol.as_str(), "-1" | "all") {
        perm = perm.from_port(rule.from_port).to_port(rule.to_port);
    }
    let description = rule.description.clone().filter(|d| !d.is_empty());
    if let Some(cidr) = &rule.cidr_ipv4 {
        perm = perm.ip_ranges(IpRange::builder().cidr_ip(cidr).set_description(description.clone()).build());
    }
    if let Some(cidr) = &rule.cidr_ipv6 {
        perm = perm.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(cidr).set_description(description.clone()).build());
    }
    if let Some(reference) = &rule.referenced_group {
        perm = if reference.starts_with("pl-") {
            perm.prefix_list_ids(
                PrefixListId::builder().prefix_list_id(reference).set_description(description.clone()).build(),
            )
        } else {
            perm.user_id_group_pairs(
                UserIdGroupPair::builder().group_id(reference).set_description(description.clone()).build(),
            )
        };
    }
    perm.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: (i32, i32)) -> SecurityGroupRule {
        SecurityGroupRule {
            rule_id: Some("sgr-1".into()),
            protocol: protocol.into(),
            from_port: ports.0,
            to_port: ports.1,
            cidr_ipv4: None,
            cidr_ipv6: None,
            referenced_group: None,
            description: None,
            is_egress: false,
        }
    }

    #[test]
    fn rules_become_permissions_of_the_right_kind() {
        let p = ip_permission(&SecurityGroupRule {
            cidr_ipv4: Some("0.0.0.0/0".into()),
            description: Some("ssh".into()),
            ..rule("tcp", (22, 22))
        });
        assert_eq!((p.ip_protocol(), p.from_port(), p.to_port()), (Some("tcp"), Some(22), Some(22)));
        assert_eq!(p.ip_ranges()[0].cidr_ip(), Some("0.0.0.0/0"));
        assert_eq!(p.ip_ranges()[0].description(), Some("ssh"));
        assert!(p.ipv6_ranges().is_empty() && p.user_id_group_pairs().is_empty());

        let p = ip_permission(&SecurityGroupRule { cidr_ipv6: Some("::/0".into()), ..rule("tcp", (80, 81)) });
        assert_eq!(p.ipv6_ranges()[0].cidr_ipv6(), Some("::/0"));
        assert!(p.ip_ranges().is_empty());

        let p = ip_permission(&SecurityGroupRule { referenced_group: Some("sg-self".into()), ..rule("-1", (-1, -1)) });
        assert_eq!((p.ip_protocol(), p.from_port(), p.to_port()), (Some("-1"), None, None));
        assert_eq!(p.user_id_group_pairs()[0].group_id(), Some("sg-self"));

        let p =
            ip_permission(&SecurityGroupRule { referenced_group: Some("pl-123".into()), ..rule("tcp", (443, 443)) });
        assert_eq!(p.prefix_list_ids()[0].prefix_list_id(), Some("pl-123"));
        assert!(p.user_id_group_pairs().is_empty());
    }

    #[test]
    fn a_revoke_that_revoked_nothing_is_an_error() {
        assert!(check_revoke("x", Some(true), 0).is_ok());
        assert!(check_revoke("x", None, 0).is_ok());
        assert!(check_revoke("x", Some(false), 0).is_err());
        assert!(check_revoke("x", Some(true), 1).is_err());
    }
}
