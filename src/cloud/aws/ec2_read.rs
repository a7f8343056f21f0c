//! Security groups and instances of one account and region, read many at a time: one DescribeSecurityGroups and one
//! DescribeSecurityGroupRules, or one DescribeInstances, for up to `PER_CALL` of them instead of one or two calls
//! each (EC2's request rate is per account and region). They are asked for by filter, so an id that is gone is
//! simply missing from the answer instead of failing the others; only well-formed ids are sent.

use super::errors::map_sdk_error;
use super::read_limits::ReadService;
use super::resources::AwsResources;
use super::session::Accounts;
use crate::cloud::CloudError;
use crate::playbook::state::{InstanceState, SecurityGroupRule, SecurityGroupState};
use aws_sdk_ec2::types::Filter;
use std::collections::{BTreeMap, HashMap};

/// Ids per call: EC2 takes at most 200 values in one filter.
pub(super) const PER_CALL: usize = 100;

/// `sg-` or `i-` and 8 or 17 hex digits: the only ids sent in a filter (a finding's resource id is untrusted).
pub(super) fn well_formed(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn tag_map<'a>(tags: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> BTreeMap<String, String> {
    tags.filter_map(|(key, value)| Some((key?.to_string(), value.unwrap_or_default().to_string()))).collect()
}

impl AwsResources {
    /// The groups of `ids` that exist, by id, with their rules (sorted). At most `PER_CALL` ids.
    pub(super) async fn security_groups(
        &self,
        account_id: &str,
        region: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, SecurityGroupState>, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let ec2 = Accounts::ec2(&config, region);
        let filter =
            Filter::builder().name("group-id").set_values(Some(ids.iter().map(|s| s.to_string()).collect())).build();
        let rules_ctx = format!("DescribeSecurityGroupRules {} in {account_id}/{region}", ids.join(", "));
        let ctx = |op: &str| format!("{op} {} in {account_id}/{region}", ids.join(", "));
        // The groups and their rules are independent calls: read together.
        let (groups, mut rules) = tokio::try_join!(
            async {
                let call = ec2.describe_security_groups().filters(filter.clone()).send();
                self.gated(account_id, region, ReadService::Ec2, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("DescribeSecurityGroups"), e))
            },
            self.security_group_rules(&ec2, account_id, region, filter.clone(), &rules_ctx),
        )?;
        let mut found = HashMap::new();
        for group in groups.security_groups() {
            let Some(group_id) = group.group_id().filter(|id| ids.contains(id)) else { continue };
            let mut rules = rules.remove(group_id).unwrap_or_default();
            rules.sort();
            let state = SecurityGroupState {
                group_id: group_id.to_string(),
                group_name: group.group_name().unwrap_or_default().to_string(),
                vpc_id: group.vpc_id().map(String::from),
                account_id: account_id.to_string(),
                region: region.to_string(),
                rules,
                tags: tag_map(group.tags().iter().map(|t| (t.key(), t.value()))),
            };
            found.insert(group_id.to_string(), state);
        }
        Ok(found)
    }

    /// Every rule of the filtered groups, by group id, page by page.
    async fn security_group_rules(
        &self,
        ec2: &aws_sdk_ec2::Client,
        account_id: &str,
        region: &str,
        filter: Filter,
        ctx: &str,
    ) -> Result<HashMap<String, Vec<SecurityGroupRule>>, CloudError> {
        let mut rules: HashMap<String, Vec<SecurityGroupRule>> = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let call = ec2
                .describe_security_group_rules()
                .filters(filter.clone())
                .max_results(1000)
                .set_next_token(token.take())
                .send();
            let page =
                self.gated(account_id, region, ReadService::Ec2, call).await.map_err(|e| map_sdk_error(ctx, e))?;
            for r in page.security_group_rules() {
                let Some(group_id) = r.group_id() else { continue };
                rules.entry(group_id.to_string()).or_default().push(SecurityGroupRule {
                    rule_id: r.security_group_rule_id().map(String::from),
                    protocol: r.ip_protocol().unwrap_or("-1").to_string(),
                    from_port: r.from_port().unwrap_or(-1),
                    to_port: r.to_port().unwrap_or(-1),
                    cidr_ipv4: r.cidr_ipv4().map(String::from),
                    cidr_ipv6: r.cidr_ipv6().map(String::from),
                    referenced_group: r
                        .referenced_group_info()
                        .and_then(|g| g.group_id())
                        .or(r.prefix_list_id())
                        .map(String::from),
                    description: r.description().map(String::from),
                    is_egress: r.is_egress().unwrap_or(false),
                });
            }
            token = page.next_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                return Ok(rules);
            }
        }
    }

    /// The instances of `ids` that exist, by id. At most `PER_CALL` ids.
    pub(super) async fn instances(
        &self,
        account_id: &str,
        region: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, InstanceState>, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let ec2 = Accounts::ec2(&config, region);
        let ctx = format!("DescribeInstances {} in {account_id}/{region}", ids.join(", "));
        let filter =
            Filter::builder().name("instance-id").set_values(Some(ids.iter().map(|s| s.to_string()).collect()));
        let mut found = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let call = ec2.describe_instances().filters(filter.clone().build()).set_next_token(token.take()).send();
            let page =
                self.gated(account_id, region, ReadService::Ec2, call).await.map_err(|e| map_sdk_error(&ctx, e))?;
            for instance in page.reservations().iter().flat_map(|r| r.instances()) {
                let Some(instance_id) = instance.instance_id().filter(|id| ids.contains(id)) else { continue };
                let options = instance.metadata_options();
                let state = InstanceState {
                    instance_id: instance_id.to_string(),
                    account_id: account_id.to_string(),
                    region: region.to_string(),
                    http_tokens: options.and_then(|o| o.http_tokens()).map(|t| t.as_str().to_string()),
                    http_endpoint: options.and_then(|o| o.http_endpoint()).map(|e| e.as_str().to_string()),
                    tags: tag_map(instance.tags().iter().map(|t| (t.key(), t.value()))),
                };
                found.insert(instance_id.to_string(), state);
            }
            token = page.next_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                return Ok(found);
            }
        }
    }

    /// One group: `NotFound` when it does not exist (or its id is not a group id).
    pub(super) async fn security_group(
        &self,
        account_id: &str,
        region: &str,
        group_id: &str,
    ) -> Result<SecurityGroupState, CloudError> {
        let missing = || CloudError::NotFound(format!("security group {group_id} in {account_id}/{region}"));
        if !well_formed(group_id, "sg-") {
            return Err(missing());
        }
        self.security_groups(account_id, region, &[group_id]).await?.remove(group_id).ok_or_else(missing)
    }

    /// One instance: `NotFound` when it does not exist (or its id is not an instance id).
    pub(super) async fn instance(
        &self,
        account_id: &str,
        region: &str,
        instance_id: &str,
    ) -> Result<InstanceState, CloudError> {
        let missing = || {
            CloudError::NotFound(format!("DescribeInstances {instance_id} in {account_id}/{region}: no such instance"))
        };
        if !well_formed(instance_id, "i-") {
            return Err(missing());
        }
        self.instances(account_id, region, &[instance_id]).await?.remove(instance_id).ok_or_else(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_well_formed_ids_are_sent_in_a_filter() {
        assert!(well_formed("sg-0123abcd", "sg-"));
        assert!(well_formed("sg-0123456789abcdef0", "sg-"));
        assert!(well_formed("i-0123456789abcdef0", "i-"));
        for bad in ["sg-0123ABCD", "sg-123", "sg-0123abcd,sg-1", "i-0123abcd", "sg-", "sg-0123abcg", "sg-0123abcd0"] {
            assert!(!well_formed(bad, "sg-"), "{bad}");
        }
    }
}
