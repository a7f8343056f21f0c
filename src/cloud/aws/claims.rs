//! Claims on copies of findings in the lease table, apart from every resource key: one item per finding
//! (`claim#<product ARN>|<finding id>`) with `copy` (the finding's `UpdatedAt`), `owner` (the claiming process),
//! `state` (`claimed`, `fixed` or `given-up`), `job` (the job that fixed it) and `expires_at` (the table's TTL
//! attribute). A claim is taken with one conditional PutItem — no item, another copy, an expired or given-up claim,
//! or our own — so that of several `watch` replicas handed the same copy one fixes it and the others wait for its
//! outcome. A claim whose owner stops renewing it expires as a lease does.

use super::leases::{at, n, s, seconds, DynamoLeases};
use crate::cloud::coordination::{Claim, LeaseError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::Utc;
use std::collections::HashMap;
use std::time::Duration;

const CLAIMED: &str = "claimed";
const FIXED: &str = "fixed";
const GIVEN_UP: &str = "given-up";

/// Free to claim: no item, another copy, expired, or (unless fixed) given up or already ours.
const FREE: &str = "attribute_not_exists(#resource) OR #copy <> :copy OR #expires_at < :now OR \
                    (#state <> :fixed AND (#state = :given_up OR #owner = :owner))";

impl DynamoLeases {
    /// Claims `copy` of `finding` for `owner`, or says who fixed or claims it.
    pub(super) async fn claim_copy(
        &self,
        finding: &str,
        copy: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Claim, LeaseError> {
        // An item that expired or was given up between our write and our read: try again, a few times.
        for _ in 0..3 {
            let now = Utc::now().timestamp();
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("resource", s(&claim_key(finding)))
                .item("copy", s(copy))
                .item("owner", s(owner))
                .item("state", s(CLAIMED))
                .item("expires_at", n(now + seconds(ttl)))
                .condition_expression(FREE)
                .expression_attribute_names("#resource", "resource")
                .expression_attribute_names("#copy", "copy")
                .expression_attribute_names("#expires_at", "expires_at")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_values(":copy", s(copy))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":fixed", s(FIXED))
                .expression_attribute_values(":given_up", s(GIVEN_UP))
                .expression_attribute_values(":owner", s(owner))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            match put.send().await {
                Ok(_) => return Ok(Claim::Ours),
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                    // The item that kept us out comes back with the refusal (else it is read).
                    let old = match e.into_service_error() {
                        PutItemError::ConditionalCheckFailedException(e) => e.item,
                        _ => None,
                    };
                    let found = match old {
                        Some(item) => claim_in(&item, copy, owner),
                        None => self.read_claim(finding, copy, owner).await?,
                    };
                    if let Some(found) = found {
                        return Ok(found);
                    }
                }
                Err(e) => return Err(self.unavailable("PutItem", e)),
            }
        }
        Err(LeaseError::Unavailable(format!(
            "the claim on finding {finding} changed hands three times while being taken"
        )))
    }

    /// The claim on `copy` of `finding` that keeps `owner` from taking it, read consistently; `None` when there is
    /// none (any more).
    async fn read_claim(&self, finding: &str, copy: &str, owner: &str) -> Result<Option<Claim>, LeaseError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("resource", s(&claim_key(finding)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.unavailable("GetItem", e))?;
        Ok(out.item().and_then(|item| claim_in(item, copy, owner)))
    }

    /// Records that `job` fixed and verified `copy` of `finding`, for `keep` (whoever claims it now).
    pub(super) async fn record_fixed(
        &self,
        finding: &str,
        copy: &str,
        owner: &str,
        job: &str,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        let item: HashMap<String, AttributeValue> = [
            ("resource", s(&claim_key(finding))),
            ("copy", s(copy)),
            ("owner", s(owner)),
            ("state", s(FIXED)),
            ("job", s(job)),
            ("expires_at", n(Utc::now().timestamp() + seconds(keep))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.unavailable("PutItem", e))?;
        Ok(())
    }

    /// Gives up `owner`'s claim on `copy` of `finding` (another process may take it at once); a claim no longer
    /// ours is left as it is.
    pub(super) async fn give_up(&self, finding: &str, copy: &str, owner: &str) -> Result<(), LeaseError> {
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("resource", s(&claim_key(finding)))
            .update_expression("SET #state = :given_up")
            .condition_expression("#copy = :copy AND #owner = :owner AND #state = :claimed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#copy", "copy")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":given_up", s(GIVEN_UP))
            .expression_attribute_values(":copy", s(copy))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":claimed", s(CLAIMED))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(self.unavailable("UpdateItem", e)),
        }
    }
}

/// The claim an item holds on `copy` that keeps `owner` from taking it, if any.
fn claim_in(item: &HashMap<String, AttributeValue>, copy: &str, owner: &str) -> Option<Claim> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let expires = item.get("expires_at").and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
    let live = expires.is_some_and(|at| at >= Utc::now().timestamp());
    if text("copy") != copy || !live {
        return None;
    }
    let by = crate::model::sanitize::single_line(&text("owner"));
    match text("state").as_str() {
        FIXED => Some(Claim::Fixed(crate::model::sanitize::single_line(&text("job")))),
        CLAIMED if by != owner => Some(Claim::Held { by, until: at(expires.unwrap_or_default()) }),
        _ => None,
    }
}

/// The item of a finding's claim: apart from every resource key (`account/region/id`) and approval item.
fn claim_key(finding: &str) -> String {
    format!("claim#{finding}")
}
