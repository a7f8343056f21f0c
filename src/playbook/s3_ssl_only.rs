//! S3.5: merge one statement that denies requests over plain HTTP into the bucket policy. Every other statement is
//! kept exactly as written.

use super::bucket_policy::{merge, requires_ssl, statement_count};
use super::change::Change;
use super::common::{bucket, partition};
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::ResourceState;
use super::{About, BucketParts, Playbook, Risk};

/// The Sid of the statement the playbook adds.
pub const SID: &str = "HubtriageDenyInsecureTransport";

/// S3 refuses bucket policies larger than this (bytes).
const MAX_POLICY_BYTES: usize = 20 * 1024;

/// SSL-only bucket policy.
pub struct SslOnly;

/// The statement that denies every S3 action on the bucket and its objects over plain HTTP.
pub fn deny_statement(bucket: &str, region: &str) -> String {
    let arn = format!("arn:{}:s3:::{bucket}", partition(region));
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    format!(
        r#"{{"Sid":"{SID}","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[{},{}],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#,
        quoted(&arn),
        quoted(&format!("{arn}/*"))
    )
}

impl Playbook for SslOnly {
    fn name(&self) -> &'static str {
        "s3-deny-insecure-transport"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["S3.5"]
    }

    fn about(&self) -> About {
        About {
            change: "one bucket policy statement denying requests without TLS; every other statement kept",
            rollback: "restore the previous policy document (or delete the policy it did not have)",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsS3Bucket"
    }

    fn bucket_parts(&self, _control_id: &str) -> BucketParts {
        BucketParts::POLICY
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let b = bucket(state, self.name())?;
        if b.policy.as_deref().is_some_and(requires_ssl) {
            return Ok(PlanOutcome::AlreadyCompliant(format!(
                "the policy of bucket {} already denies requests over plain HTTP",
                b.name
            )));
        }
        let unsafe_policy = |why: String| {
            PlanError::Unsafe(format!(
                "the bucket policy of {} cannot be merged safely: {why}; add the SSL-only statement by hand",
                b.name
            ))
        };
        let existing = match &b.policy {
            Some(policy) => statement_count(policy).map_err(unsafe_policy)?,
            None => 0,
        };
        let statement = deny_statement(&b.name, &b.region);
        let merged = merge(b.policy.as_deref(), &statement, SID).map_err(unsafe_policy)?;
        if merged.len() > MAX_POLICY_BYTES {
            return Err(unsafe_policy(format!(
                "with the statement it would be {} bytes, over S3's limit of {MAX_POLICY_BYTES}",
                merged.len()
            )));
        }
        let bucket_word = shell_word(&b.name);
        let region = shell_word(&b.region);
        let put = |policy: &str| {
            format!(
                "aws s3api put-bucket-policy --bucket {bucket_word} --policy {} --region {region}",
                shell_word(policy)
            )
        };
        let (rollback, rollback_cli) = match &b.policy {
            Some(previous) => {
                (Change::PutBucketPolicy { bucket: b.name.clone(), policy: previous.clone() }, put(previous))
            }
            None => (
                Change::DeleteBucketPolicy { bucket: b.name.clone() },
                format!("aws s3api delete-bucket-policy --bucket {bucket_word} --region {region}"),
            ),
        };
        let mut warnings = vec![
            "requests over plain HTTP are denied from now on: clients of http:// endpoints, including the S3 website endpoint, get Access Denied".to_string(),
        ];
        if basis == Basis::FindingSnapshot {
            warnings.push(
                "the finding does not record the bucket policy: apply reads it live and merges the statement into it"
                    .into(),
            );
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Deny requests over plain HTTP to bucket {} ({existing} existing policy statement(s) untouched)",
                b.name
            ),
            steps: vec![Step {
                action: format!("PutBucketPolicy on bucket {}", b.name),
                before: match &b.policy {
                    Some(_) => format!("bucket policy with {existing} statement(s), none denying plain HTTP"),
                    None => "no bucket policy".into(),
                },
                after: format!("the {existing} statement(s) unchanged, plus {statement}"),
            }],
            cli: vec![put(&merged)],
            rollback_cli: vec![rollback_cli],
            fingerprint: fingerprint(&[self.name(), &b.account_id, &b.name, b.policy.as_deref().unwrap_or("-")]),
            basis,
            changes: vec![Change::PutBucketPolicy { bucket: b.name.clone(), policy: merged }],
            rollback: vec![rollback],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::S3Bucket(b) if b.policy.as_deref().is_some_and(requires_ssl))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketTagging",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ]
    }
}

#[cfg(test)]
#[path = "s3_ssl_only_tests.rs"]
mod tests;
