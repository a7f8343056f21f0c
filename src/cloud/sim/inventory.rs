//! The rest of an account's inventory, as far as findings need it: IAM users, RDS instances, KMS keys and
//! container images.

use super::org::{Place, SimDatabase, SimImage, SimKey, SimUser};
use super::rng::SplitMix64;
use chrono::Duration;

/// What `build` produces for one account and region.
pub(super) struct Inventory {
    pub users: Vec<SimUser>,
    pub databases: Vec<SimDatabase>,
    pub keys: Vec<SimKey>,
    pub images: Vec<SimImage>,
}

/// IAM users: name, console access without MFA, access key age in days.
type UserSpec = (&'static str, bool, Option<i64>);

fn scripted_users(account_name: &str) -> Vec<UserSpec> {
    match account_name {
        "payments-prod" => {
            vec![("ci-deployer", false, Some(212)), ("finance-analyst", true, None), ("break-glass", false, None)]
        }
        "platform-staging" => {
            vec![("terraform", false, Some(45)), ("jenkins", false, Some(402)), ("alice.dev", true, Some(30))]
        }
        "research-sandbox" => vec![("notebook-sync", false, Some(130))],
        _ => vec![("ops-admin", true, Some(1104)), ("backup-script", false, Some(913))],
    }
}

/// RDS instances: identifier, engine, class, encrypted, publicly accessible.
type DatabaseSpec = (&'static str, &'static str, &'static str, bool, bool);

fn scripted_databases(key: &str) -> Vec<DatabaseSpec> {
    match key {
        "payments-prod/eu-west-1" => vec![("payments-ledger", "postgres", "db.r6g.xlarge", true, false)],
        "payments-prod/us-east-1" => vec![("reporting-replica", "postgres", "db.r6g.large", true, true)],
        "platform-staging/eu-west-1" => vec![("staging-app", "mysql", "db.t3.medium", false, false)],
        "research-sandbox/eu-west-1" => vec![("test-mysql", "mysql", "db.t3.micro", false, true)],
        "legacy-ops/us-east-1" => vec![("legacy-crm", "mysql", "db.m4.large", false, false)],
        _ => Vec::new(),
    }
}

/// ECR images: repository, tag, CVEs.
type ImageSpec = (&'static str, &'static str, &'static [&'static str]);

fn scripted_images(key: &str) -> Vec<ImageSpec> {
    match key {
        "payments-prod/eu-west-1" => vec![
            ("payments-api", "v2024.11.3", &["CVE-2023-44487", "CVE-2024-24790"]),
            ("checkout-worker", "1.8.2", &["CVE-2021-44228"]),
            ("fraud-scoring", "2.3.0", &["CVE-2024-45490", "CVE-2022-37434"]),
            ("ledger-service", "3.14.1", &["CVE-2023-44487", "CVE-2024-24790", "CVE-2022-37434"]),
            ("merchant-portal", "2024.11.18", &["CVE-2023-4863", "CVE-2024-45490"]),
            ("settlement-batch", "1.22.0", &["CVE-2021-44228", "CVE-2024-45490"]),
            ("card-vault-proxy", "0.41.2", &["CVE-2024-24790", "CVE-2024-21626"]),
        ],
        "payments-prod/us-east-1" => vec![("reports-renderer", "0.9.14", &["CVE-2022-37434"])],
        "platform-staging/eu-west-1" => {
            vec![("web-frontend", "main-5e1c2f0", &["CVE-2023-4863"]), ("build-tools", "2024.10", &["CVE-2024-21626"])]
        }
        "platform-staging/us-east-1" => vec![("build-tools", "2024.09", &["CVE-2024-21626", "CVE-2023-44487"])],
        _ => Vec::new(),
    }
}

/// The inventory of one account and region. IAM users live in the home region only.
pub(super) fn build(place: &Place, rng: &mut SplitMix64) -> Inventory {
    let users = if place.is_home() {
        let mut specs = scripted_users(&place.account_name);
        let extra = ["svc-reporting", "svc-backup", "data-loader", "bob.ops", "carol.sec"];
        for _ in 0..rng.between(1, 3) {
            let name = *rng.pick(&extra);
            if !specs.iter().any(|s| s.0 == name) {
                let key_age = rng.percent(70).then(|| rng.between(5, 500));
                specs.push((name, name.contains('.') && rng.percent(50), key_age));
            }
        }
        specs
            .into_iter()
            .map(|(name, console_without_mfa, access_key_age_days)| SimUser {
                name: name.into(),
                user_id: format!("AIDA{}", rng.hex(17).to_ascii_uppercase()),
                created_at: place.now - Duration::days(rng.between(500, 2000)),
                console_without_mfa,
                access_key_age_days,
                key_active: access_key_age_days.is_some(),
                // People's keys were never used; tools use theirs daily, unless forgotten long ago.
                key_last_used_days: match access_key_age_days {
                    _ if name.contains('.') => None,
                    Some(age) if age > 365 => Some(age - 30),
                    _ => Some(1),
                },
                key_changed_at: None,
                tags: Default::default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let databases = scripted_databases(&place.key())
        .into_iter()
        .map(|(id, engine, class, encrypted, public)| SimDatabase {
            id: id.into(),
            engine,
            class,
            encrypted,
            public,
            resource_id: format!("db-{}", rng.hex(26).to_ascii_uppercase()),
        })
        .collect();
    let rotation_percent = match place.class.as_str() {
        "prod" => 70,
        "staging" => 40,
        _ => 10,
    };
    let aliases = ["app-data", "backups", "logs", "secrets", "ebs", "sns"];
    let keys = (0..rng.between(1, 3))
        .map(|i| SimKey {
            id: super::rng::stable_uuid(place.seed, &[&place.account_id, &place.region, "kms", &i.to_string()]),
            alias: format!("alias/{}-{}", place.account_name, aliases[(i as usize) % aliases.len()]),
            rotation: rng.percent(rotation_percent),
            created_at: place.now - Duration::days(rng.between(100, 1500)),
            changed_at: None,
            tags: Default::default(),
        })
        .collect();
    let mut image_specs: Vec<(&'static str, String, Vec<&'static str>)> =
        scripted_images(&place.key()).into_iter().map(|(r, t, c)| (r, t.to_string(), c.to_vec())).collect();
    let extra_images = match (place.class.as_str(), place.region.as_str()) {
        ("prod", "eu-west-1") => rng.between(2, 4),
        ("prod", _) | ("staging", _) => rng.between(1, 2),
        _ => 0,
    };
    let repositories = [
        "ledger-service",
        "notification-worker",
        "merchant-portal",
        "settlement-batch",
        "kyc-service",
        "webhooks",
        "payouts-api",
        "risk-rules",
        "card-vault-proxy",
        "reconciliation",
    ];
    for _ in 0..extra_images {
        let repository = *rng.pick(&repositories);
        if image_specs.iter().any(|(r, _, _)| *r == repository) {
            continue;
        }
        let mut cves: Vec<&'static str> = Vec::new();
        for _ in 0..rng.between(1, 4) {
            let cve = *rng.pick(&super::cves::CONTAINER);
            if !cves.contains(&cve) {
                cves.push(cve);
            }
        }
        image_specs.push((repository, format!("1.{}.{}", rng.between(0, 30), rng.between(0, 9)), cves));
    }
    let images = image_specs
        .into_iter()
        .map(|(repository, tag, cves)| SimImage {
            repository: repository.into(),
            digest: format!("sha256:{}", rng.hex(64)),
            tag,
            pushed_at: place.now - Duration::days(rng.between(2, 120)),
            cves,
        })
        .collect();
    Inventory { users, databases, keys, images }
}
