//! The audit log's remote copy in S3: one PutObject per record with the base credentials, under a key made of the
//! record's sequence number and hash (so no record replaces another), and GetObjectLockConfiguration to tell whether
//! the bucket keeps what is written to it.

use super::errors::map_sdk_error;
use super::session::{load_base, Accounts};
use super::AwsSettings;
use crate::cloud::audit_copy::{record_key, AuditCopy, CopyRetention};
use crate::cloud::CloudError;
use crate::config_audit::AuditConfig;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ObjectLockEnabled};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Region of the bucket when neither `[audit] s3_region` nor the base configuration names one.
const FALLBACK_REGION: &str = "us-east-1";

/// Records copied to an S3 bucket.
pub struct S3AuditCopy {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
}

impl S3AuditCopy {
    /// A copy to `audit.s3_bucket` with `config`'s credentials and endpoint; `None` when no bucket is configured.
    pub fn new(config: &SdkConfig, audit: &AuditConfig) -> Option<Self> {
        let bucket = audit.s3_bucket.clone()?;
        let region = audit
            .s3_region
            .clone()
            .or_else(|| config.region().map(ToString::to_string))
            .unwrap_or_else(|| FALLBACK_REGION.into());
        Some(Self { client: Accounts::s3(config, &region), bucket, prefix: audit.prefix().to_string() })
    }

    /// Like [`S3AuditCopy::new`], loading the base configuration the way the backend does (profile, endpoint).
    pub async fn connect(settings: &AwsSettings, audit: &AuditConfig) -> Option<Self> {
        audit.s3_bucket.as_ref()?;
        Self::new(&load_base(settings).await, audit)
    }
}

#[async_trait]
impl AuditCopy for S3AuditCopy {
    fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    async fn put_record(&self, seq: u64, hash: &str, line: &[u8]) -> Result<String, CloudError> {
        let key = record_key(&self.prefix, seq, hash);
        let mut body = line.to_vec();
        body.push(b'\n');
        let sent = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .body(ByteStream::from(body))
            .content_type("application/json")
            // Object Lock buckets refuse uploads without an integrity checksum.
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .if_none_match("*")
            .send()
            .await;
        match sent {
            Ok(_) => Ok(key),
            // The key holds the record's hash: an object already there (a retried upload) is this very record.
            Err(e) if e.code() == Some("PreconditionFailed") => Ok(key),
            Err(e) => Err(map_sdk_error(&format!("s3:PutObject s3://{}/{key}", self.bucket), e)),
        }
    }

    async fn retention(&self) -> Result<CopyRetention, CloudError> {
        let context = format!("s3:GetObjectLockConfiguration of bucket {}", self.bucket);
        let out = match self.client.get_object_lock_configuration().bucket(&self.bucket).send().await {
            Ok(out) => out,
            Err(e) if e.code() == Some("ObjectLockConfigurationNotFoundError") => return Ok(CopyRetention::Unlocked),
            Err(e) => return Err(map_sdk_error(&context, e)),
        };
        let Some(config) =
            out.object_lock_configuration().filter(|c| c.object_lock_enabled() == Some(&ObjectLockEnabled::Enabled))
        else {
            return Ok(CopyRetention::Unlocked);
        };
        let default_retention = config.rule().and_then(|r| r.default_retention()).map(|d| {
            let mode = d.mode().map(|m| m.as_str().to_string()).unwrap_or_else(|| "?".into());
            match (d.days(), d.years()) {
                (Some(days), _) => format!("{mode} {days} days"),
                (None, Some(years)) => format!("{mode} {years} years"),
                (None, None) => mode,
            }
        });
        Ok(CopyRetention::Locked { default_retention })
    }
}
