//! `[aws]`: where findings come from, how fast they are read, and from which Security Hub.

use serde::Deserialize;

/// `[aws]`: where findings come from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AwsConfig {
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
    /// Role assumed in each account: `arn:aws:iam::<account>:role/<role_name>`.
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub session_duration_seconds: u32,
    /// Aggregator mode: one administrator account's home region returns all members' findings.
    pub aggregator_region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Seconds between incremental refreshes.
    pub refresh_seconds: u64,
    /// GetFindings requests per second per source, and burst.
    pub get_findings_rate: f64,
    pub get_findings_burst: u32,
    /// Which Security Hub API each source reads: `auto` (the new Security Hub where it is enabled, else CSPM),
    /// `v2` or `cspm`.
    pub api: crate::cloud::ApiChoice,
    /// GetFindingsV2 requests per second per source, and burst (V2 quotas are not published: GetFindings' pace).
    pub get_findings_v2_rate: f64,
    pub get_findings_v2_burst: u32,
    /// With `aggregator_region` and the new Security Hub: the organisation (`o-…`) or OUs (`ou-…`) the delegated
    /// administrator reads (`Scopes.AwsOrganizations`).
    pub organization_scope: Vec<String>,
    /// Resource-read calls (live plans) in flight at once, every account, region and service together.
    pub live_read_calls: usize,
    /// S3 read calls in flight at once per account and region.
    pub s3_read_calls: usize,
    /// EC2 read calls in flight at once per account and region.
    pub ec2_read_calls: usize,
    /// EC2 read calls per second per account and region, and burst (EC2's Describe bucket: 20/s, 100).
    pub ec2_read_rate: f64,
    pub ec2_read_burst: u32,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            profile: None,
            regions: Vec::new(),
            accounts: Vec::new(),
            role_name: None,
            external_id: None,
            session_duration_seconds: 3600,
            aggregator_region: None,
            endpoint_url: None,
            refresh_seconds: 60,
            get_findings_rate: 3.0,
            get_findings_burst: 6,
            api: crate::cloud::ApiChoice::Auto,
            get_findings_v2_rate: 3.0,
            get_findings_v2_burst: 6,
            organization_scope: Vec::new(),
            live_read_calls: 64,
            s3_read_calls: 16,
            ec2_read_calls: 8,
            ec2_read_rate: 20.0,
            ec2_read_burst: 100,
        }
    }
}

impl AwsConfig {
    /// Problems in `[aws]`, each naming its key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.get_findings_rate <= 0.0 || !self.get_findings_rate.is_finite() {
            return Err(format!("aws.get_findings_rate: {} must be a positive number", self.get_findings_rate));
        }
        if self.get_findings_burst == 0 {
            return Err("aws.get_findings_burst: must be at least 1".into());
        }
        if self.get_findings_v2_rate <= 0.0 || !self.get_findings_v2_rate.is_finite() {
            return Err(format!("aws.get_findings_v2_rate: {} must be a positive number", self.get_findings_v2_rate));
        }
        if self.get_findings_v2_burst == 0 {
            return Err("aws.get_findings_v2_burst: must be at least 1".into());
        }
        for (i, id) in self.organization_scope.iter().enumerate() {
            if !is_organization_scope_id(id) {
                return Err(format!(
                    "aws.organization_scope[{i}]: {id:?} is not an organisation id (o-…) or OU id (ou-…-…)"
                ));
            }
        }
        if !self.organization_scope.is_empty() && self.aggregator_region.is_none() {
            return Err("aws.organization_scope: needs aws.aggregator_region (the delegated administrator's home \
                    region, whose one source reads the organisation)"
                .into());
        }
        if self.ec2_read_rate <= 0.0 || !self.ec2_read_rate.is_finite() {
            return Err(format!("aws.ec2_read_rate: {} must be a positive number", self.ec2_read_rate));
        }
        for (key, value) in [
            ("live_read_calls", self.live_read_calls),
            ("s3_read_calls", self.s3_read_calls),
            ("ec2_read_calls", self.ec2_read_calls),
            ("ec2_read_burst", self.ec2_read_burst as usize),
        ] {
            if value == 0 {
                return Err(format!("aws.{key}: must be at least 1"));
            }
        }
        Ok(())
    }
}

/// `o-` and 10 to 32 lowercase letters or digits, or `ou-`, 4 to 32, `-`, 8 to 32 (AWS Organizations' id patterns).
fn is_organization_scope_id(id: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    match (id.strip_prefix("ou-"), id.strip_prefix("o-")) {
        (Some(rest), _) => rest.split_once('-').is_some_and(|(root, ou)| part(root, 4) && part(ou, 8)),
        (None, Some(org)) => part(org, 10),
        (None, None) => false,
    }
}
