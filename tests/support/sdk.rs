//! SDK clients for tests against moto: base credentials, credentials assumed into another account (for creating
//! resources there and reading them back directly), the product's AWS backend and changes applied through it, and a
//! runtime with large stacks.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use hubtriage::cloud::aws::{connect_with, AwsSettings};
use hubtriage::cloud::{Backend, Resources};
use hubtriage::playbook::Change;
use std::future::Future;
use std::sync::Arc;

/// The role the product assumes in every account other than the caller's (moto accepts any role name).
pub const ROLE: &str = "HubtriageRemediation";
/// moto's account for the base credentials.
pub const BASE_ACCOUNT: &str = "123456789012";

/// The base configuration: fake keys, `us-east-1`, every client pointed at `endpoint`, one HTTP client for all of
/// them (as the product's own base configuration has).
pub fn base_config(endpoint: &str) -> SdkConfig {
    let mut config = SdkConfig::builder();
    if let Some(client) = hubtriage::cloud::aws::shared_http_client() {
        config = config.http_client(client);
    }
    config
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "test",
        )))
        .build()
}

/// Configuration with credentials of `account`, through STS AssumeRole from the base keys.
pub async fn assumed_config(endpoint: &str, account: &str) -> SdkConfig {
    let base = base_config(endpoint);
    let sts = aws_sdk_sts::Client::new(&base);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{ROLE}"))
        .role_session_name("test-setup")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole into {account}: {e:?}"));
    let c = out.credentials().expect("credentials");
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "test-assumed",
    );
    base.to_builder().credentials_provider(SharedCredentialsProvider::new(creds)).build()
}

/// An S3 client for `region` (path-style, as moto needs).
pub fn s3(config: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .force_path_style(true)
            .build(),
    )
}

/// An EC2 client for `region`.
pub fn ec2(config: &SdkConfig, region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(config).region(Region::new(region.to_string())).build(),
    )
}

/// The product's AWS backend against `endpoint`, assuming [`ROLE`] into `accounts`.
pub async fn backend(endpoint: &str, accounts: &[&str], regions: &[&str]) -> Backend {
    let settings = AwsSettings::default().with_overrides(
        None,
        &accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        &regions.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        Some(ROLE),
        None,
    );
    let (backend, identity) = connect_with(base_config(endpoint), &settings).await.expect("connect to moto");
    assert!(identity.contains(BASE_ACCOUNT), "{identity}");
    backend
}

/// The backend's resource reads and changes (the AWS backend always has them).
pub fn resources(backend: &Backend) -> Arc<dyn Resources> {
    backend.resources.clone().expect("the AWS backend reads and changes resources")
}

/// Applies `change` through the backend in `account`/`region`; a failure panics, naming the change.
pub async fn apply(backend: &Backend, account: &str, region: &str, change: &Change) {
    resources(backend)
        .apply(account, region, change)
        .await
        .unwrap_or_else(|e| panic!("apply {} in {account}: {e}", change.describe()));
}

/// Runs `work` on a multi-thread runtime whose worker threads have room for the SDK's large debug-build futures.
pub fn run<F>(work: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(16 * 1024 * 1024)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        match tokio::spawn(work).await {
            Ok(out) => out,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("test task failed: {e}"),
        }
    })
}
