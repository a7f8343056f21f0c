//! The live AWS adapter: base credentials from the default chain (or a profile), one assumed role per account,
//! Security Hub GetFindings per (account, region) or through an aggregator, live reads and changes of S3 buckets,
//! security groups, account-wide settings and instances in the finding's own account and region, BatchUpdateFindings
//! there too, SNS notifications, and tags (exceptions: set, removed, listed by key). SDK types stop here: everything
//! leaving this module is ours.

mod apply;
mod approvals;
mod audit_copy;
pub mod automation;
mod bucket_read;
mod claims;
mod convert;
mod document;
mod ec2_batches;
mod ec2_read;
mod errors;
mod findings;
mod findings_v2;
mod host;
mod leases;
mod notify;
mod queue;
mod read_limits;
mod resources;
mod services;
mod services_apply;
mod session;
pub mod setup_check;
mod tag_target;
mod tagged;
mod tagged_direct;
mod tagged_services;
mod tags;
mod tags_services;
mod trends;
mod updates;

pub use approvals::DynamoApprovals;
pub use audit_copy::S3AuditCopy;
pub use convert::finding_to_json;
pub use document::document_to_json;
pub use errors::{classify, map_sdk_error};
pub use findings::{get_findings_page, AwsFindingSource, FindingFilters, PAGE_SIZE};
pub use findings_v2::{changed_since_filters, get_findings_v2_page, open_filters, v2_enabled, V2Request};
pub use leases::DynamoLeases;
pub use notify::{publish_with, topic_region, AwsNotifier};
pub use queue::SqsEventQueue;
pub use read_limits::ReadLimits;
pub use resources::AwsResources;
pub use session::{load_base, needs_refresh, shared_http_client, Accounts, Identity};
pub use tagged::ec2_tag_kinds;
pub use updates::{batch_update_findings, batch_update_findings_v2, AwsFindingUpdates};

use super::{ApiChoice, Backend, CloudError, SourceId};
use crate::config::AwsConfig;
use std::sync::Arc;

/// Everything the adapter needs: `[aws]` from config with the command-line options laid over it.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    /// Accounts to read; empty: the base credentials' own account.
    pub accounts: Vec<String>,
    /// Regions to read; empty: the base configuration's region.
    pub regions: Vec<String>,
    /// Role assumed in every account other than the caller's: `arn:<partition>:iam::<account>:role/<role_name>`.
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub session_duration_seconds: u32,
    /// Aggregator mode: one source, the base account in this region, returns every member's findings.
    pub aggregator_region: Option<String>,
    /// Endpoint for every client (moto, LocalStack).
    pub endpoint_url: Option<String>,
    /// GetFindings requests per second per source, and burst.
    pub get_findings_rate: f64,
    pub get_findings_burst: u32,
    /// Which Security Hub API the sources read.
    pub api: ApiChoice,
    /// GetFindingsV2 requests per second per source, and burst.
    pub get_findings_v2_rate: f64,
    pub get_findings_v2_burst: u32,
    /// Organisation (`o-…`) or OU (`ou-…`) ids the delegated administrator's V2 source reads (aggregator mode).
    pub organization_scope: Vec<String>,
    /// Server-side GetFindings filters.
    pub filters: FindingFilters,
    /// Time between incremental refreshes; `None`: only when asked.
    pub refresh_every: Option<std::time::Duration>,
    /// Bounds on resource-read calls in flight (per account, region and service, and overall) and EC2's pace.
    pub read_limits: ReadLimits,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self::from_config(&AwsConfig::default())
    }
}

impl AwsSettings {
    /// Settings from `[aws]`.
    pub fn from_config(config: &AwsConfig) -> Self {
        Self {
            profile: config.profile.clone(),
            accounts: config.accounts.clone(),
            regions: config.regions.clone(),
            role_name: config.role_name.clone(),
            external_id: config.external_id.clone(),
            session_duration_seconds: config.session_duration_seconds,
            aggregator_region: config.aggregator_region.clone(),
            endpoint_url: config.endpoint_url.as_deref().map(without_userinfo),
            get_findings_rate: config.get_findings_rate,
            get_findings_burst: config.get_findings_burst,
            api: config.api,
            get_findings_v2_rate: config.get_findings_v2_rate,
            get_findings_v2_burst: config.get_findings_v2_burst,
            organization_scope: config.organization_scope.clone(),
            filters: FindingFilters::default(),
            refresh_every: super::refresh_interval(config.refresh_seconds),
            read_limits: ReadLimits {
                total: config.live_read_calls,
                s3: config.s3_read_calls,
                ec2: config.ec2_read_calls,
                ec2_pace: crate::cloud::quota::Quota { rate: config.ec2_read_rate, burst: config.ec2_read_burst },
            },
        }
    }

    /// Lays command-line values over the config: a value given on the command line wins; empty lists do not.
    pub fn with_overrides(
        mut self,
        profile: Option<&str>,
        accounts: &[String],
        regions: &[String],
        role_name: Option<&str>,
        endpoint_url: Option<&str>,
    ) -> Self {
        let clean = |list: &[String]| -> Vec<String> {
            list.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        };
        if let Some(p) = profile {
            self.profile = Some(p.to_string());
        }
        if !clean(accounts).is_empty() {
            self.accounts = clean(accounts);
        }
        if !clean(regions).is_empty() {
            self.regions = clean(regions);
        }
        if let Some(r) = role_name {
            self.role_name = Some(r.to_string());
        }
        if let Some(u) = endpoint_url {
            self.endpoint_url = Some(without_userinfo(u));
        }
        self
    }

    /// `--api`, when given, over `aws.api`.
    pub fn with_api(mut self, api: Option<ApiChoice>) -> Self {
        if let Some(api) = api {
            self.api = api;
        }
        self
    }

    /// Problems a user must fix before anything is called.
    pub fn validate(&self) -> Result<(), CloudError> {
        if let Some(bad) = self.accounts.iter().find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit())) {
            return Err(CloudError::Other(format!("account id {bad:?} is not 12 digits")));
        }
        if !self.get_findings_rate.is_finite() || self.get_findings_rate <= 0.0 || self.get_findings_burst == 0 {
            return Err(CloudError::Other("get_findings_rate and get_findings_burst must be positive".into()));
        }
        if !self.get_findings_v2_rate.is_finite() || self.get_findings_v2_rate <= 0.0 || self.get_findings_v2_burst == 0
        {
            return Err(CloudError::Other("get_findings_v2_rate and get_findings_v2_burst must be positive".into()));
        }
        if !(900..=43_200).contains(&self.session_duration_seconds) {
            return Err(CloudError::Other(format!(
                "session_duration_seconds {} is outside 900-43200",
                self.session_duration_seconds
            )));
        }
        Ok(())
    }
}

/// The sources a run reads: every (account, region), or the one aggregator source.
pub fn plan_sources(
    settings: &AwsSettings,
    base_account: &str,
    default_region: Option<&str>,
) -> Result<Vec<SourceId>, CloudError> {
    if let Some(region) = &settings.aggregator_region {
        return Ok(vec![SourceId { account_id: base_account.to_string(), region: region.clone() }]);
    }
    let regions: Vec<String> = if settings.regions.is_empty() {
        match default_region {
            Some(r) => vec![r.to_string()],
            None => {
                return Err(CloudError::Other(
                    "no region: pass --regions, set [aws] regions, AWS_REGION, or a region in the profile".into(),
                ))
            }
        }
    } else {
        settings.regions.clone()
    };
    let accounts: Vec<String> =
        if settings.accounts.is_empty() { vec![base_account.to_string()] } else { settings.accounts.clone() };
    let mut sources = Vec::with_capacity(accounts.len() * regions.len());
    for account in &accounts {
        for region in &regions {
            let id = SourceId { account_id: account.clone(), region: region.clone() };
            if !sources.contains(&id) {
                sources.push(id);
            }
        }
    }
    Ok(sources)
}

/// The endpoint URL without `user:password@`: the SDK does not use it, and it must never reach a log or a message.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            tracing::warn!("the user information in the endpoint URL is not used and was removed");
            format!("{scheme}://{}", &rest[at + 1..])
        }
        None => url.to_string(),
    }
}

/// Connects: loads the base credentials, asks STS who they are, and builds the backend.
/// Returns the backend and the caller identity (an ARN) for the header and the audit log.
pub async fn connect(settings: &AwsSettings) -> Result<(Backend, String), CloudError> {
    settings.validate()?;
    let accounts = Arc::new(Box::pin(Accounts::connect(settings)).await?);
    backend(accounts, settings)
}

/// Like [`connect`], with base configuration already loaded (embedding, tests). `settings.profile` and
/// `settings.endpoint_url` are not applied: they belong to the loading.
pub async fn connect_with(
    base: aws_config::SdkConfig,
    settings: &AwsSettings,
) -> Result<(Backend, String), CloudError> {
    settings.validate()?;
    let accounts = Arc::new(Box::pin(Accounts::with_base(base, settings)).await?);
    backend(accounts, settings)
}

fn backend(accounts: Arc<Accounts>, settings: &AwsSettings) -> Result<(Backend, String), CloudError> {
    let identity = accounts.identity().clone();
    let sources = plan_sources(settings, &identity.account, accounts.default_region())?;
    let findings = Arc::new(AwsFindingSource::new(accounts.clone(), sources.clone(), settings));
    let resources = Arc::new(AwsResources::with_limits(accounts.clone(), settings.read_limits));
    let updates = Arc::new(AwsFindingUpdates::new(accounts.clone()));
    let automation = Arc::new(automation::AwsAutomation::new(accounts.clone()));
    let notifier = Arc::new(AwsNotifier::new(accounts));
    let mode = match &settings.aggregator_region {
        Some(r) => format!("aggregator {}/{r}", identity.account),
        None => format!("{} sources", sources.len()),
    };
    let label = format!("AWS {} · {mode}", identity.arn);
    let backend = Backend {
        label,
        findings,
        resources: Some(resources),
        updates: Some(updates),
        notifier: Some(notifier),
        automation: Some(automation),
        operator: identity.arn.clone(),
        refresh_every: settings.refresh_every,

        coordination: None,
    };
    Ok((backend, identity.arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(sources: &[SourceId]) -> Vec<String> {
        sources.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn fan_out_is_every_account_times_region() {
        let s = AwsSettings::default().with_overrides(
            None,
            &["111111111111".into(), "222222222222".into()],
            &["eu-west-1".into(), "us-east-1".into()],
            Some("R"),
            None,
        );
        let got = plan_sources(&s, "999999999999", None).expect("sources");
        assert_eq!(
            ids(&got),
            ["111111111111/eu-west-1", "111111111111/us-east-1", "222222222222/eu-west-1", "222222222222/us-east-1"]
        );
    }

    #[test]
    fn defaults_to_the_callers_account_and_region() {
        let got = plan_sources(&AwsSettings::default(), "999999999999", Some("eu-central-1")).expect("sources");
        assert_eq!(ids(&got), ["999999999999/eu-central-1"]);
        assert!(plan_sources(&AwsSettings::default(), "999999999999", None).is_err());
    }

    #[test]
    fn aggregator_is_one_source_in_the_base_account() {
        let s = AwsSettings { aggregator_region: Some("us-east-1".into()), ..AwsSettings::default() }.with_overrides(
            None,
            &["111111111111".into()],
            &["eu-west-1".into()],
            None,
            None,
        );
        assert_eq!(ids(&plan_sources(&s, "999999999999", None).expect("sources")), ["999999999999/us-east-1"]);
    }

    #[test]
    fn command_line_wins_but_empty_lists_keep_config() {
        let config =
            AwsConfig { regions: vec!["eu-west-1".into()], profile: Some("cfg".into()), ..AwsConfig::default() };
        let s = AwsSettings::from_config(&config).with_overrides(Some("cli"), &[], &[], None, Some("http://x"));
        assert_eq!(s.profile.as_deref(), Some("cli"));
        assert_eq!(s.regions, ["eu-west-1"]);
        assert_eq!(s.endpoint_url.as_deref(), Some("http://x"));
        assert_eq!(without_userinfo("http://admin:hunter2@127.0.0.1:5000/p?q=a@b"), "http://127.0.0.1:5000/p?q=a@b");
        assert_eq!(without_userinfo("https://host/x@y"), "https://host/x@y");
    }

    #[test]
    fn validation_names_the_bad_value() {
        let s = AwsSettings { accounts: vec!["12345".into()], ..AwsSettings::default() };
        assert!(s.validate().expect_err("bad account").to_string().contains("12345"));
        let s = AwsSettings { get_findings_rate: 0.0, ..AwsSettings::default() };
        assert!(s.validate().is_err());
    }
}
