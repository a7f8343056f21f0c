//! Base credentials (default chain or a profile), the caller identity, and per-account credentials obtained by
//! assuming `arn:<partition>:iam::<account>:role/<role_name>`, cached and refreshed before they expire.
//! Every client is built from these configs, so `endpoint_url` reaches all of them.

use super::errors::map_sdk_error;
use super::AwsSettings;
use crate::cloud::CloudError;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// Assumed-role credentials are renewed this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// STS needs a region even when none is configured.
const FALLBACK_REGION: &str = "us-east-1";
/// One HTTP attempt of any call gives up after this long (unless the base configuration sets its own), so a
/// connection that hangs — a stalled proxy, a half-open socket — fails as a timeout, is retried and shows its cause,
/// instead of holding its source (or a fix) forever. The SDK sets no such limit by default, only a connect timeout.
/// A GetFindings page of 100 findings normally takes well under a second.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// Who the base credentials are (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    /// `aws`, `aws-cn`, `aws-us-gov`… taken from the ARN, used for role ARNs.
    pub partition: String,
}

#[derive(Debug)]
struct Cached {
    config: SdkConfig,
    expires: Option<SystemTime>,
}

/// Whether credentials expiring at `expires` must be renewed at `now`.
pub fn needs_refresh(expires: Option<SystemTime>, now: SystemTime) -> bool {
    match expires {
        None => false,
        Some(t) => t.checked_sub(REFRESH_MARGIN).is_none_or(|t| t <= now),
    }
}

/// `config` with [`ATTEMPT_TIMEOUT`] per attempt unless it sets an attempt timeout itself; its other timeouts kept.
fn with_attempt_timeout(config: SdkConfig) -> SdkConfig {
    if config.timeout_config().and_then(TimeoutConfig::operation_attempt_timeout).is_some() {
        return config;
    }
    let timeouts = config
        .timeout_config()
        .map(TimeoutConfig::to_builder)
        .unwrap_or_default()
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build();
    config.to_builder().timeout_config(timeouts).build()
}

/// The SDK's default HTTPS client, built once. Every SDK client made from a configuration that carries it shares its
/// connection pools and TLS setup; without it each client (one per read) builds its own, parsing the root
/// certificates and opening a new connection every time.
pub fn shared_http_client() -> Option<SharedHttpClient> {
    let plugin = aws_smithy_runtime::client::defaults::default_http_client_plugin_v2(BehaviorVersion::latest())?;
    plugin.runtime_components(&RuntimeComponentsBuilder::new("hubtriage")).http_client()
}

/// The base configuration: the default credential chain (or `settings.profile`), `settings.endpoint_url`, one HTTPS
/// client for every call, and an attempt timeout on every call.
pub async fn load_base(settings: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(client) = shared_http_client() {
        loader = loader.http_client(client);
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    with_attempt_timeout(loader.load().await)
}

/// Base configuration and the per-account sessions derived from it.
#[derive(Debug)]
pub struct Accounts {
    base: SdkConfig,
    identity: Identity,
    role_name: Option<String>,
    external_id: Option<String>,
    duration_seconds: i32,
    sessions: std::sync::Mutex<HashMap<String, Arc<Mutex<Option<Cached>>>>>,
}

impl Accounts {
    /// Loads the base configuration and asks STS who it is.
    pub async fn connect(settings: &AwsSettings) -> Result<Self, CloudError> {
        let base = load_base(settings).await;
        Box::pin(Self::with_base(base, settings)).await
    }

    /// From an already loaded base configuration (credentials, region, endpoint): asks STS who it is.
    pub async fn with_base(base: SdkConfig, settings: &AwsSettings) -> Result<Self, CloudError> {
        let accounts = Self::from_config(base, settings, None);
        let identity = Box::pin(accounts.caller_identity()).await?;
        Ok(Self { identity, ..accounts })
    }

    /// From an already loaded configuration; `identity` when it is known (tests). Every call made with it has an
    /// attempt timeout: the configuration's own, else [`ATTEMPT_TIMEOUT`].
    pub fn from_config(base: SdkConfig, settings: &AwsSettings, identity: Option<Identity>) -> Self {
        Self {
            base: with_attempt_timeout(base),
            identity: identity.unwrap_or(Identity {
                account: String::new(),
                arn: String::new(),
                partition: "aws".into(),
            }),
            role_name: settings.role_name.clone(),
            external_id: settings.external_id.clone(),
            duration_seconds: i32::try_from(settings.session_duration_seconds).unwrap_or(3600),
            sessions: std::sync::Mutex::new(HashMap::new()),
        }
    }

    async fn caller_identity(&self) -> Result<Identity, CloudError> {
        let out = self
            .sts(&self.base)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_sdk_error("GetCallerIdentity (base credentials)", e))?;
        let arn = out.arn().unwrap_or_default().to_string();
        let account = out.account().unwrap_or_default().to_string();
        if account.is_empty() {
            return Err(CloudError::Other("GetCallerIdentity returned no account".into()));
        }
        let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
        Ok(Identity { account, arn, partition })
    }

    /// The base configuration (credentials of the caller, region, endpoint).
    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The caller identity of the base credentials.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The region of the base configuration (environment or profile).
    pub fn default_region(&self) -> Option<&str> {
        self.base.region().map(|r| r.as_ref())
    }

    fn sts(&self, config: &SdkConfig) -> aws_sdk_sts::Client {
        let region = config.region().cloned().unwrap_or_else(|| Region::from_static(FALLBACK_REGION));
        aws_sdk_sts::Client::from_conf(aws_sdk_sts::config::Builder::from(config).region(region).build())
    }

    /// The role ARN assumed in `account`.
    pub fn role_arn(&self, account: &str) -> Option<String> {
        let role = self.role_name.as_deref()?;
        Some(format!("arn:{}:iam::{account}:role/{role}", self.identity.partition))
    }

    /// Configuration with credentials for `account`: the base credentials for the caller's own account, else the
    /// assumed role (cached; renewed shortly before it expires).
    pub async fn config_for(&self, account: &str) -> Result<SdkConfig, CloudError> {
        if account == self.identity.account {
            return Ok(self.base.clone());
        }
        let Some(role_arn) = self.role_arn(account) else {
            return Err(CloudError::AccessDenied(format!(
                "account {account} is not the caller's account ({}) and no --role-name was given to assume into it",
                self.identity.account
            )));
        };
        let slot = {
            let mut sessions = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            sessions.entry(account.to_string()).or_default().clone()
        };
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| !needs_refresh(c.expires, SystemTime::now())) {
            return Ok(c.config.clone());
        }
        let fresh = Box::pin(self.assume(&role_arn)).await?;
        let config = fresh.config.clone();
        *cached = Some(fresh);
        Ok(config)
    }

    /// Forgets an account's session (after the service rejected its credentials).
    pub async fn forget(&self, account: &str) {
        let slot = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(account).cloned();
        if let Some(slot) = slot {
            *slot.lock().await = None;
        }
    }

    async fn assume(&self, role_arn: &str) -> Result<Cached, CloudError> {
        let out = self
            .sts(&self.base)
            .assume_role()
            .role_arn(role_arn)
            .role_session_name("hubtriage")
            .set_external_id(self.external_id.clone())
            .duration_seconds(self.duration_seconds)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("AssumeRole {role_arn}"), e))?;
        let creds = out
            .credentials()
            .ok_or_else(|| CloudError::Other(format!("AssumeRole {role_arn}: no credentials in the answer")))?;
        let expires = SystemTime::try_from(*creds.expiration()).ok();
        let credentials = Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_string()),
            expires,
            "hubtriage-assume-role",
        );
        let config = self.base.to_builder().credentials_provider(SharedCredentialsProvider::new(credentials)).build();
        tracing::info!(role = role_arn, ?expires, "assumed role");
        Ok(Cached { config, expires })
    }

    /// A Security Hub client for `region` with `config`'s credentials and endpoint.
    pub fn securityhub(config: &SdkConfig, region: &str) -> aws_sdk_securityhub::Client {
        let conf = aws_sdk_securityhub::config::Builder::from(config).region(Region::new(region.to_string())).build();
        aws_sdk_securityhub::Client::from_conf(conf)
    }

    /// An S3 client (path-style, so emulators behind one host name work).
    pub fn s3(config: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// An EC2 client.
    pub fn ec2(config: &SdkConfig, region: &str) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::config::Builder::from(config).region(Region::new(region.to_string())).build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    /// An S3 Control client (account-level settings). The SDK puts the account id into the host name
    /// (`{account}.s3-control…`); with a custom endpoint (an emulator on one host) that name does not resolve, so the
    /// account prefix is taken off again before the request is signed.
    pub fn s3control(config: &SdkConfig, region: &str) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(config).region(Region::new(region.to_string()));
        if let Some(authority) = config.endpoint_url().and_then(super::host::authority_of) {
            conf = conf.interceptor(super::host::StripAccountHost::new(authority));
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }

    /// A Resource Groups Tagging API client (lists resources by tag).
    pub fn tagging(config: &SdkConfig, region: &str) -> aws_sdk_resourcegroupstagging::Client {
        let conf = aws_sdk_resourcegroupstagging::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_resourcegroupstagging::Client::from_conf(conf)
    }

    /// A DynamoDB client (the lease table), with `config`'s credentials and endpoint (`endpoint_url` included).
    pub fn dynamodb(config: &SdkConfig, region: &str) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::config::Builder::from(config).region(Region::new(region.to_string())).build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    /// An SNS client.
    pub fn sns(config: &SdkConfig, region: &str) -> aws_sdk_sns::Client {
        let conf = aws_sdk_sns::config::Builder::from(config).region(Region::new(region.to_string())).build();
        aws_sdk_sns::Client::from_conf(conf)
    }
}

#[cfg(test)]
#[path = "session_http_tests.rs"]
mod http_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_five_minutes_before_expiry() {
        let now = SystemTime::now();
        assert!(!needs_refresh(None, now));
        assert!(!needs_refresh(Some(now + Duration::from_secs(3600)), now));
        assert!(needs_refresh(Some(now + Duration::from_secs(299)), now));
        assert!(needs_refresh(Some(now - Duration::from_secs(1)), now));
    }

    #[test]
    fn every_call_has_an_attempt_timeout_and_a_given_one_is_kept() {
        let bare = SdkConfig::builder().behavior_version(BehaviorVersion::latest()).build();
        let accounts = Accounts::from_config(bare, &AwsSettings::default(), None);
        let timeouts = accounts.base().timeout_config().expect("timeouts");
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        let conf = aws_sdk_securityhub::config::Builder::from(accounts.base()).build();
        assert_eq!(conf.timeout_config().and_then(|t| t.operation_attempt_timeout()), Some(ATTEMPT_TIMEOUT));

        let own = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(2))
            .operation_attempt_timeout(Duration::from_secs(7))
            .build();
        let given = SdkConfig::builder().behavior_version(BehaviorVersion::latest()).timeout_config(own).build();
        let accounts = Accounts::from_config(given, &AwsSettings::default(), None);
        let timeouts = accounts.base().timeout_config().expect("timeouts");
        assert_eq!(timeouts.operation_attempt_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(2)));

        let connect_only = TimeoutConfig::builder().connect_timeout(Duration::from_secs(2)).build();
        let given =
            SdkConfig::builder().behavior_version(BehaviorVersion::latest()).timeout_config(connect_only).build();
        let accounts = Accounts::from_config(given, &AwsSettings::default(), None);
        let timeouts = accounts.base().timeout_config().expect("timeouts");
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(2)), "the other timeouts are kept");
    }

    #[tokio::test]
    async fn own_account_uses_base_credentials_and_others_need_a_role() {
        let base = SdkConfig::builder().behavior_version(BehaviorVersion::latest()).build();
        let identity = Identity {
            account: "999999999999".into(),
            arn: "arn:aws-us-gov:iam::999999999999:user/me".into(),
            partition: "aws-us-gov".into(),
        };
        let accounts = Accounts::from_config(base, &AwsSettings::default(), Some(identity.clone()));
        assert!(accounts.config_for("999999999999").await.is_ok());
        let err = accounts.config_for("111111111111").await.expect_err("no role");
        assert!(matches!(err, CloudError::AccessDenied(ref m) if m.contains("--role-name")), "{err:?}");
        let settings = AwsSettings { role_name: Some("Audit".into()), ..AwsSettings::default() };
        let base = SdkConfig::builder().behavior_version(BehaviorVersion::latest()).build();
        let accounts = Accounts::from_config(base, &settings, Some(identity));
        assert_eq!(accounts.role_arn("111111111111").as_deref(), Some("arn:aws-us-gov:iam::111111111111:role/Audit"));
    }
}
