//! S3.4 / S3.17: default encryption on a bucket. SSE-S3 for S3.4 and SSE-KMS with the AWS-managed key for S3.17,
//! or SSE-KMS with the configured key for both.

use super::change::Change;
use super::common::bucket;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{BucketState, ResourceState};
use super::{About, BucketParts, Playbook, Risk};

/// Default bucket encryption.
pub struct DefaultEncryption {
    kms_key_id: Option<String>,
}

impl DefaultEncryption {
    /// `kms_key_id` is `[playbooks] s3_kms_key_id`.
    pub fn new(kms_key_id: Option<String>) -> Self {
        Self { kms_key_id }
    }

    /// The algorithm and key the control asks for.
    fn target(&self, control_id: &str) -> (&'static str, Option<&str>) {
        match (&self.kms_key_id, control_id) {
            (Some(key), _) => ("aws:kms", Some(key.as_str())),
            (None, "S3.17") => ("aws:kms", None),
            (None, _) => ("AES256", None),
        }
    }

    fn compliant(&self, control_id: &str, b: &BucketState) -> bool {
        match (control_id, b.encryption.as_deref()) {
            (_, None) => false,
            ("S3.17", Some(algorithm)) => {
                algorithm.starts_with("aws:kms")
                    && self
                        .kms_key_id
                        .as_deref()
                        .is_none_or(|want| b.encryption_kms_key.as_deref().is_some_and(|have| same_key(want, have)))
            }
            (_, Some(_)) => true,
        }
    }
}

/// Whether the key S3 reports (often an ARN) is the configured one (id, ARN, alias or alias ARN).
fn same_key(configured: &str, reported: &str) -> bool {
    reported == configured
        || reported.ends_with(&format!("/{configured}"))
        || reported.ends_with(&format!(":{configured}"))
}

/// In words, as plan steps show it.
fn describe(algorithm: Option<&str>, key: Option<&str>) -> String {
    match (algorithm, key) {
        (None, _) => "no default encryption configuration".into(),
        (Some("AES256"), _) => "AES256 (SSE-S3)".into(),
        (Some(a), Some(k)) => format!("{a} with KMS key {k}"),
        (Some(a), None) if a.starts_with("aws:kms") => format!("{a} with the AWS-managed key aws/s3"),
        (Some(a), None) => a.to_string(),
    }
}

/// `--server-side-encryption-configuration` JSON.
fn configuration_json(algorithm: &str, key: Option<&str>) -> String {
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    let key = key.map(|k| format!(",\"KMSMasterKeyID\":{}", quoted(k))).unwrap_or_default();
    format!(r#"{{"Rules":[{{"ApplyServerSideEncryptionByDefault":{{"SSEAlgorithm":{}{key}}}}}]}}"#, quoted(algorithm))
}

impl Playbook for DefaultEncryption {
    fn name(&self) -> &'static str {
        "s3-default-encryption"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["S3.4", "S3.17"]
    }

    fn about(&self) -> About {
        About {
            change: "default encryption on the bucket (SSE-S3, or SSE-KMS with the configured key)",
            rollback: "restore the previous default encryption (or delete the configuration it did not have)",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsS3Bucket"
    }

    fn bucket_parts(&self, _control_id: &str) -> BucketParts {
        BucketParts::ENCRYPTION
    }

    fn plan(&self, control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let b = bucket(state, self.name())?;
        let before = describe(b.encryption.as_deref(), b.encryption_kms_key.as_deref());
        if self.compliant(control_id, b) {
            return Ok(PlanOutcome::AlreadyCompliant(format!("bucket {} already uses {before}", b.name)));
        }
        let (algorithm, key) = self.target(control_id);
        let bucket_word = shell_word(&b.name);
        let region = shell_word(&b.region);
        let put = |algorithm: &str, key: Option<&str>| {
            format!(
                "aws s3api put-bucket-encryption --bucket {bucket_word} --server-side-encryption-configuration {} --region {region}",
                shell_word(&configuration_json(algorithm, key))
            )
        };
        let (rollback, rollback_cli) = match &b.encryption {
            Some(previous) => (
                Change::PutBucketEncryption {
                    bucket: b.name.clone(),
                    algorithm: previous.clone(),
                    kms_key_id: b.encryption_kms_key.clone(),
                },
                put(previous, b.encryption_kms_key.as_deref()),
            ),
            None => (
                Change::DeleteBucketEncryption { bucket: b.name.clone() },
                format!("aws s3api delete-bucket-encryption --bucket {bucket_word} --region {region}"),
            ),
        };
        let mut warnings =
            vec!["existing objects are not re-encrypted: only objects written after the change use the new default"
                .to_string()];
        match key {
            Some(key) => warnings.push(format!(
                "writers and readers of the bucket need kms:GenerateDataKey and kms:Decrypt on key {key}"
            )),
            None if algorithm == "aws:kms" => warnings.push(
                "the AWS-managed key aws/s3 cannot be shared: other accounts lose access to objects written after the change".into(),
            ),
            None => {}
        }
        if basis == Basis::FindingSnapshot && b.encryption.is_none() {
            warnings.push(
                "the finding may not record the current encryption: apply reads it live and records it for rollback"
                    .into(),
            );
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Default encryption {} on bucket {} for {control_id}",
                describe(Some(algorithm), key),
                b.name
            ),
            steps: vec![Step {
                action: format!("PutBucketEncryption on bucket {}", b.name),
                before,
                after: describe(Some(algorithm), key),
            }],
            cli: vec![put(algorithm, key)],
            rollback_cli: vec![rollback_cli],
            fingerprint: fingerprint(&[
                self.name(),
                control_id,
                &b.account_id,
                &b.name,
                b.encryption.as_deref().unwrap_or("-"),
                b.encryption_kms_key.as_deref().unwrap_or("-"),
            ]),
            basis,
            changes: vec![Change::PutBucketEncryption {
                bucket: b.name.clone(),
                algorithm: algorithm.to_string(),
                kms_key_id: key.map(String::from),
            }],
            rollback: vec![rollback],
            warnings,
        }))
    }

    fn verify(&self, control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::S3Bucket(b) if self.compliant(control_id, b))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketTagging",
            "s3:PutEncryptionConfiguration",
        ]
    }
}

#[cfg(test)]
#[path = "s3_encryption_tests.rs"]
mod tests;
