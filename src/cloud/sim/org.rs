//! The organisation's accounts and their state per region, built deterministically from a seed.

use super::rng::SplitMix64;
pub(super) use super::tags::{add_exception_tags, add_stack_tags, team_tags, Exception};
use super::{ec2, inventory, s3, SimAccount};
use crate::cloud::SourceId;
use crate::playbook::{BucketPublicAccessBlock, BucketState, PublicAccessBlock, SecurityGroupState};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// The accounts: the first three match `config.example.toml`; the fourth is in no config (class "unclassified").
pub(super) const ACCOUNTS: [(&str, &str, &str); 4] = [
    ("210987654321", "payments-prod", "prod"),
    ("345678901234", "platform-staging", "staging"),
    ("456789012345", "research-sandbox", "sandbox"),
    ("567890123456", "legacy-ops", "unclassified"),
];

/// Regions every account uses.
pub(super) const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];

/// Region where IAM (a global service) reports its findings.
pub(super) const HOME_REGION: &str = "us-east-1";

/// Everything the simulated organisation knows, behind one lock.
pub(super) struct OrgState {
    pub accounts: Vec<SimAccount>,
    pub sources: BTreeMap<SourceId, RegionState>,
    pub faults: HashMap<SourceId, super::faults::FaultState>,
    pub calls: HashMap<String, usize>,
    pub clock: super::clock::Clock,
    /// Workflow statuses and notes set through BatchUpdateFindings, and findings a change touched.
    pub overlay: super::overlay::Overlay,
    /// Every mutating call, finding update and notification, for tests.
    pub records: super::updates::Records,
    /// Security group rules created so far (the source of fresh `sgr-` ids).
    pub rules_created: u64,
    /// Findings sources serve after their derived ones; a source may consist of imported findings only.
    pub imported: BTreeMap<SourceId, std::sync::Arc<dyn super::feed::FindingFeed>>,
    /// GetFindings' quota, when enforced.
    pub quota: Option<super::feed::QuotaEnforcer>,
}

/// Who/where a generator works: the account and region, and the clock.
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub account_id: String,
    pub account_name: String,
    pub class: String,
    pub region: String,
}

impl Place {
    /// `true` for the region IAM findings are reported in.
    pub fn is_home(&self) -> bool {
        self.region == HOME_REGION
    }

    /// The account and region, e.g. `payments-prod/eu-west-1`, the key scripted resources are chosen by.
    pub fn key(&self) -> String {
        format!("{}/{}", self.account_name, self.region)
    }
}

/// Account-level settings of one region.
#[derive(Debug, Clone)]
pub(super) struct Posture {
    pub cloudtrail_multi_region: bool,
    pub config_recording: bool,
    /// GuardDuty detector id when GuardDuty is enabled.
    pub guardduty_detector: Option<String>,
    pub macie: bool,
    pub ebs_encryption_by_default: bool,
    /// The account's S3 Block Public Access (account-wide: every region of the account holds the same).
    pub account_public_access_block: BucketPublicAccessBlock,
    pub root_hardware_mfa: bool,
    pub root_access_key: bool,
    /// Last change of the account Block Public Access / EBS default encryption made through the simulator.
    pub public_access_changed_at: Option<DateTime<Utc>>,
    pub ebs_changed_at: Option<DateTime<Utc>>,
}

/// An S3 bucket and what findings need beyond `BucketState`.
#[derive(Debug, Clone)]
pub(super) struct SimBucket {
    pub state: BucketState,
    pub created_at: DateTime<Utc>,
    /// Server access logging target bucket.
    pub logging_target: Option<String>,
    /// Last change made through the simulator (remediation), which moves `UpdatedAt`.
    pub changed_at: Option<DateTime<Utc>>,
}

/// A security group.
#[derive(Debug, Clone)]
pub(super) struct SimGroup {
    pub state: SecurityGroupState,
    pub changed_at: Option<DateTime<Utc>>,
}

/// An EC2 instance.
#[derive(Debug, Clone)]
pub(super) struct SimInstance {
    pub id: String,
    pub instance_type: &'static str,
    pub image_id: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub private_ip: String,
    pub public_ip: Option<String>,
    pub imdsv2_required: bool,
    pub ssm_managed: bool,
    pub role: Option<String>,
    pub launched_at: DateTime<Utc>,
    pub platform: &'static str,
    /// Inspector: CVE ids (from `cves::ALL`) found on the instance.
    pub cves: Vec<&'static str>,
    /// GuardDuty: threat kinds (`crypto`, `exfiltration`, `rdp-brute-force`, `port-probe:<port>`).
    pub threats: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// Last change made through the simulator (metadata options), which moves `UpdatedAt`.
    pub changed_at: Option<DateTime<Utc>>,
}

/// An IAM user (reported in the home region only).
#[derive(Debug, Clone)]
pub(super) struct SimUser {
    pub name: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub console_without_mfa: bool,
    pub access_key_age_days: Option<i64>,
    /// The access key (when there is one) is active.
    pub key_active: bool,
    /// Days before the organisation's start the key was last used; `None`: never.
    pub key_last_used_days: Option<i64>,
    /// When hubtriage last changed the key's status.
    pub key_changed_at: Option<DateTime<Utc>>,
    pub tags: std::collections::BTreeMap<String, String>,
}

impl SimUser {
    /// The access key's id, derived from the user id.
    pub fn key_id(&self) -> String {
        format!("AKIA{}", self.user_id.get(4..20).unwrap_or(&self.user_id))
    }

    /// Days without use of the key when the organisation was built (since creation when never used); `None`
    /// without a key.
    pub fn key_idle_days(&self) -> Option<i64> {
        self.key_last_used_days.or(self.access_key_age_days)
    }
}

/// An RDS DB instance.
#[derive(Debug, Clone)]
pub(super) struct SimDatabase {
    pub id: String,
    pub engine: &'static str,
    pub class: &'static str,
    pub encrypted: bool,
    pub public: bool,
    pub resource_id: String,
}

/// A customer managed KMS key.
#[derive(Debug, Clone)]
pub(super) struct SimKey {
    pub id: String,
    pub alias: String,
    pub rotation: bool,
    pub created_at: DateTime<Utc>,
    /// When hubtriage last changed its rotation or tags.
    pub changed_at: Option<DateTime<Utc>>,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// An ECR container image.
#[derive(Debug, Clone)]
pub(super) struct SimImage {
    pub repository: String,
    pub digest: String,
    pub tag: String,
    pub pushed_at: DateTime<Utc>,
    pub cves: Vec<&'static str>,
}

/// The state of one (account, region).
#[derive(Debug, Clone)]
pub(super) struct RegionState {
    pub place: Place,
    pub posture: Posture,
    pub buckets: Vec<SimBucket>,
    pub groups: Vec<SimGroup>,
    pub instances: Vec<SimInstance>,
    pub users: Vec<SimUser>,
    pub databases: Vec<SimDatabase>,
    pub keys: Vec<SimKey>,
    pub images: Vec<SimImage>,
    pub trails: Vec<super::services::SimTrail>,
    pub ebs_snapshots: Vec<super::services::SimEbsSnapshot>,
    pub db_snapshots: Vec<super::services::SimDbSnapshot>,
    /// When hubtriage last changed a trail or a snapshot here.
    pub services_changed_at: Option<DateTime<Utc>>,
}

impl OrgState {
    /// The whole organisation for a seed, anchored at `now`.
    pub fn build(seed: u64, now: DateTime<Utc>) -> Self {
        let accounts: Vec<SimAccount> = ACCOUNTS
            .iter()
            .map(|(id, name, class)| SimAccount { id: (*id).into(), name: (*name).into(), class: (*class).into() })
            .collect();
        let mut sources = BTreeMap::new();
        for account in &accounts {
            for region in REGIONS {
                let place = Place {
                    seed,
                    now,
                    account_id: account.id.clone(),
                    account_name: account.name.clone(),
                    class: account.class.clone(),
                    region: region.into(),
                };
                let source = SourceId { account_id: account.id.clone(), region: region.into() };
                sources.insert(source, build_region(&place));
            }
        }
        Self {
            accounts,
            sources,
            faults: HashMap::new(),
            calls: HashMap::new(),
            clock: super::clock::Clock::new(now),
            overlay: Default::default(),
            records: Default::default(),
            rules_created: 0,
            imported: BTreeMap::new(),
            quota: None,
        }
    }

    /// Counts a call to an API operation.
    pub fn count(&mut self, operation: &str) {
        *self.calls.entry(operation.to_string()).or_default() += 1;
    }
}

fn build_region(place: &Place) -> RegionState {
    let mut rng = SplitMix64::new(place.seed, &[&place.account_id, &place.region]);
    let posture = posture(place, &mut rng);
    let buckets = s3::buckets(place, &mut rng);
    let (groups, instances) = ec2::network(place, &mut rng);
    let inventory = inventory::build(place, &mut rng);
    let services = super::services::build(place);
    let mut buckets = buckets;
    // SSE-KMS buckets use the account's first customer managed key of the region.
    if let Some(key) = inventory.keys.first() {
        let arn = format!("arn:aws:kms:{}:{}:key/{}", place.region, place.account_id, key.id);
        for b in buckets.iter_mut().filter(|b| b.state.encryption.as_deref() == Some("aws:kms")) {
            b.state.encryption_kms_key = Some(arn.clone());
        }
    }
    RegionState {
        place: place.clone(),
        posture,
        buckets,
        groups,
        instances,
        users: inventory.users,
        databases: inventory.databases,
        keys: inventory.keys,
        images: inventory.images,
        trails: services.trails,
        ebs_snapshots: services.ebs_snapshots,
        db_snapshots: services.db_snapshots,
        services_changed_at: None,
    }
}

/// Account-level settings: production is well kept, the sandbox and the forgotten legacy account are not.
fn posture(place: &Place, rng: &mut SplitMix64) -> Posture {
    let eu = place.region == "eu-west-1";
    let (cloudtrail, config, guardduty, macie, ebs, root_key) = match place.class.as_str() {
        "prod" => (true, true, true, eu, eu, false),
        "staging" => (true, eu, eu, false, false, false),
        "sandbox" => (false, false, eu, false, false, true),
        _ => (false, false, !eu, false, false, true),
    };
    let account_public_access_block = match place.class.as_str() {
        // Production blocks public ACLs account-wide but not policies: its status page is public on purpose.
        "prod" => BucketPublicAccessBlock::Configured(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            ..PublicAccessBlock::default()
        }),
        // The others never configured it.
        _ => BucketPublicAccessBlock::NotConfigured,
    };
    Posture {
        cloudtrail_multi_region: cloudtrail,
        config_recording: config,
        guardduty_detector: guardduty.then(|| rng.hex(32)),
        macie,
        ebs_encryption_by_default: ebs,
        account_public_access_block,
        root_hardware_mfa: false,
        root_access_key: root_key,
        public_access_changed_at: None,
        ebs_changed_at: None,
    }
}
