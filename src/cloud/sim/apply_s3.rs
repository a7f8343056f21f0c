//! S3 changes: bucket and account Block Public Access, default encryption and bucket policies, with the checks S3
//! makes (a malformed or foreign policy, a public policy where public policies are blocked, an unknown algorithm).

use super::org::OrgState;
use super::s3::policy_access;
use crate::cloud::{CloudError, SourceId};
use crate::playbook::{BucketPublicAccessBlock, Change};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Default encryption algorithms S3 accepts.
const ALGORITHMS: [&str; 3] = ["AES256", "aws:kms", "aws:kms:dsse"];
/// Bucket policies are at most 20 KB.
const MAX_POLICY_BYTES: usize = 20 * 1024;

/// Makes an S3 change at `now`.
pub(super) fn apply(
    state: &mut OrgState,
    source: &SourceId,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), CloudError> {
    let account_bpa = match change {
        Change::PutAccountPublicAccessBlock { config } => BucketPublicAccessBlock::Configured(*config),
        Change::DeleteAccountPublicAccessBlock => BucketPublicAccessBlock::NotConfigured,
        _ => return bucket_change(state, source, change, now),
    };
    for (_, region) in state.sources.iter_mut().filter(|(s, _)| s.account_id == source.account_id) {
        region.posture.account_public_access_block = account_bpa;
        region.posture.public_access_changed_at = Some(now);
    }
    Ok(())
}

/// The bucket a bucket-level change is made to.
fn bucket_of(change: &Change) -> Option<&str> {
    match change {
        Change::PutBucketPublicAccessBlock { bucket, .. }
        | Change::DeleteBucketPublicAccessBlock { bucket }
        | Change::PutBucketEncryption { bucket, .. }
        | Change::DeleteBucketEncryption { bucket }
        | Change::PutBucketPolicy { bucket, .. }
        | Change::DeleteBucketPolicy { bucket } => Some(bucket),
        _ => None,
    }
}

fn bucket_change(
    state: &mut OrgState,
    source: &SourceId,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), CloudError> {
    let Some(name) = bucket_of(change) else {
        return Err(CloudError::Unsupported(format!("{} is not an S3 change", change.operation())));
    };
    let no_such_bucket =
        || CloudError::NotFound(format!("NoSuchBucket: The specified bucket does not exist ({name} in {source})"));
    let region = state.sources.get_mut(source).ok_or_else(no_such_bucket)?;
    let account_blocks_policies = matches!(
        region.posture.account_public_access_block,
        BucketPublicAccessBlock::Configured(c) if c.block_public_policy
    );
    let bucket = region.buckets.iter_mut().find(|b| b.state.name == name).ok_or_else(no_such_bucket)?;
    let s = &mut bucket.state;
    match change {
        Change::PutBucketPublicAccessBlock { config, .. } => {
            s.public_access_block = BucketPublicAccessBlock::Configured(*config);
        }
        Change::DeleteBucketPublicAccessBlock { .. } => s.public_access_block = BucketPublicAccessBlock::NotConfigured,
        Change::PutBucketEncryption { algorithm, kms_key_id, .. } => {
            if !ALGORITHMS.contains(&algorithm.as_str()) {
                return Err(CloudError::Other(format!(
                    "MalformedXML: SSEAlgorithm {algorithm:?} is not one of {}",
                    ALGORITHMS.join(", ")
                )));
            }
            if kms_key_id.is_some() && algorithm == "AES256" {
                return Err(CloudError::Other(
                    "InvalidArgument: a KMS master key id can only be given with aws:kms or aws:kms:dsse".into(),
                ));
            }
            s.encryption = Some(algorithm.clone());
            s.encryption_kms_key = kms_key_id.clone();
        }
        Change::DeleteBucketEncryption { .. } => {
            s.encryption = None;
            s.encryption_kms_key = None;
        }
        Change::PutBucketPolicy { policy, .. } => {
            check_policy(name, policy)?;
            let access = policy_access(Some(policy));
            let bucket_blocks =
                matches!(s.public_access_block, BucketPublicAccessBlock::Configured(c) if c.block_public_policy);
            if (access.public_read || access.public_write) && (bucket_blocks || account_blocks_policies) {
                return Err(CloudError::AccessDenied(format!(
                    "AccessDenied: PutBucketPolicy on {name}: public policies are blocked by the BlockPublicPolicy \
                     setting"
                )));
            }
            s.policy = Some(policy.clone());
        }
        Change::DeleteBucketPolicy { .. } => s.policy = None,
        _ => {}
    }
    bucket.changed_at = Some(now);
    Ok(())
}

/// The checks S3 makes of a bucket policy document before it accepts it.
fn check_policy(bucket: &str, policy: &str) -> Result<(), CloudError> {
    let malformed = |why: &str| CloudError::Other(format!("MalformedPolicy: {why}"));
    if policy.len() > MAX_POLICY_BYTES {
        return Err(malformed("Policies must be less than 20 KB"));
    }
    let doc: Value = serde_json::from_str(policy).map_err(|e| malformed(&format!("the policy is not JSON: {e}")))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return Err(malformed("Missing required field Statement")),
    };
    let arn = format!("arn:aws:s3:::{bucket}");
    for st in &statements {
        if !matches!(st.get("Effect").and_then(Value::as_str), Some("Allow" | "Deny")) {
            return Err(malformed("Invalid effect"));
        }
        for (field, negated) in [("Action", "NotAction"), ("Principal", "NotPrincipal"), ("Resource", "NotResource")] {
            if st.get(field).is_none() && st.get(negated).is_none() {
                return Err(malformed(&format!("Missing required field {field}")));
            }
        }
        let resources: Vec<&str> = match st.get("Resource") {
            Some(Value::String(r)) => vec![r.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if resources.iter().any(|r| *r != arn && !r.starts_with(&format!("{arn}/"))) {
            return Err(malformed("Policy has invalid resource"));
        }
    }
    Ok(())
}
