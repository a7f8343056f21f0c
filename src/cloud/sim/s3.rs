//! S3 buckets: a scripted set per account and region (the stories the demo tells) plus seeded filler, and the
//! reading of bucket policies the S3 controls need.

use super::org::{add_exception_tags, add_stack_tags, team_tags, Exception, Place, SimBucket};
use super::rng::SplitMix64;
use crate::playbook::{BucketPublicAccessBlock, BucketState, PublicAccessBlock};
use chrono::Duration;
use serde_json::{json, Value};

/// Bucket-level Block Public Access as generated.
#[derive(Clone, Copy)]
enum Bpa {
    AllOn,
    /// No bucket-level configuration at all.
    Missing,
    /// Public ACLs blocked, public policies allowed.
    AclsOnly,
    /// Configured, every setting false.
    AllOff,
}

#[derive(Clone, Copy, PartialEq)]
enum Policy {
    Private,
    SslOnly,
    PublicRead,
    PublicReadWrite,
}

struct Spec {
    purpose: &'static str,
    team: &'static str,
    bpa: Bpa,
    encryption: Option<&'static str>,
    policy: Policy,
    logging: bool,
    stack: Option<&'static str>,
    exception: (Exception, &'static str, &'static str),
}

const NO_EXCEPTION: (Exception, &str, &str) = (Exception::None, "", "");

fn spec(purpose: &'static str, team: &'static str, bpa: Bpa, encryption: Option<&'static str>, policy: Policy) -> Spec {
    Spec { purpose, team, bpa, encryption, policy, logging: false, stack: None, exception: NO_EXCEPTION }
}

/// The buckets each account and region always has: they carry the demo's stories (an excepted public status page,
/// an expired exception, a bucket anyone can write to…).
fn scripted(key: &str) -> Vec<Spec> {
    use Bpa::*;
    use Policy::*;
    let kms = Some("aws:kms");
    let sse = Some("AES256");
    match key {
        "payments-prod/eu-west-1" => vec![
            Spec { logging: true, stack: Some("payments-core"), ..spec("invoices", "payments", AllOn, kms, SslOnly) },
            Spec {
                exception: (
                    Exception::ValidDate(20),
                    "public status page, reviewed by security (SEC-1423)",
                    "web-platform@example.com",
                ),
                ..spec("status-page", "payments", Missing, sse, PublicRead)
            },
            Spec { logging: true, ..spec("card-tokens-archive", "risk", AclsOnly, None, Policy::Private) },
            Spec { stack: Some("org-cloudtrail"), ..spec("cloudtrail-logs", "payments", AllOn, kms, SslOnly) },
            spec("merchant-uploads", "payments", AllOn, sse, Policy::Private),
            spec("chargeback-evidence", "risk", AllOn, None, Policy::Private),
            Spec { stack: Some("data-exports"), ..spec("data-exports", "finance", Missing, sse, Policy::Private) },
        ],
        "payments-prod/us-east-1" => vec![
            Spec {
                exception: (
                    Exception::Expired(12),
                    "partner export feed until the SFTP migration",
                    "finance-data@example.com",
                ),
                ..spec("legacy-exports", "finance", Missing, sse, PublicRead)
            },
            Spec { stack: Some("finance-reporting"), ..spec("reports", "finance", Missing, sse, Policy::Private) },
        ],
        "platform-staging/eu-west-1" => vec![
            Spec {
                logging: true,
                exception: (
                    Exception::ValidTime(3),
                    "partner file exchange pending migration (PLAT-872)",
                    "platform-leads@example.com",
                ),
                ..spec("partner-exchange", "platform", AclsOnly, sse, SslOnly)
            },
            Spec { stack: Some("ci-artifacts"), ..spec("artifacts", "platform", Missing, sse, Policy::Private) },
            spec("web-assets", "web", Missing, sse, PublicRead),
        ],
        "platform-staging/us-east-1" => {
            vec![Spec {
                logging: true,
                stack: Some("terraform-backend"),
                ..spec("terraform-state", "platform", AllOn, kms, SslOnly)
            }]
        }
        "research-sandbox/eu-west-1" => vec![spec("scratch", "research", Missing, None, Policy::Private)],
        "research-sandbox/us-east-1" => vec![Spec {
            exception: (Exception::Unparsable, "open research data set", "research-leads@example.com"),
            ..spec("shared-datasets", "research", Missing, sse, PublicRead)
        }],
        "legacy-ops/us-east-1" => vec![spec("upload-drop", "ops", Missing, None, PublicReadWrite)],
        "legacy-ops/eu-west-1" => vec![spec("backups", "ops", AllOff, None, Policy::Private)],
        _ => Vec::new(),
    }
}

const FILLER: [&str; 18] = [
    "logs",
    "assets",
    "backups",
    "data-lake",
    "athena-results",
    "config-snapshots",
    "ml-models",
    "exports",
    "tmp",
    "releases",
    "metrics",
    "audit",
    "sftp-inbound",
    "emr-logs",
    "glue-scripts",
    "media",
    "lambda-packages",
    "reports-archive",
];

fn teams(class: &str) -> &'static [&'static str] {
    match class {
        "prod" => &["payments", "risk", "finance"],
        "staging" => &["platform", "web", "data"],
        "sandbox" => &["research", "ml"],
        _ => &["ops"],
    }
}

/// Seeded filler: how many and how well kept depends on the account class.
fn filler(place: &Place, rng: &mut SplitMix64, taken: &[&str]) -> Vec<Spec> {
    let (lo, hi, well_kept) = match (place.class.as_str(), place.region.as_str()) {
        ("prod", "eu-west-1") => (11, 14, 75),
        ("prod", _) => (5, 7, 75),
        ("staging", _) => (4, 6, 60),
        ("sandbox", _) => (3, 5, 40),
        _ => (3, 4, 30),
    };
    let count = rng.between(lo, hi) as usize;
    let mut purposes: Vec<&'static str> = FILLER.iter().copied().filter(|p| !taken.contains(p)).collect();
    let mut out = Vec::new();
    while out.len() < count && !purposes.is_empty() {
        let purpose = purposes.remove(rng.below(purposes.len()));
        let team = *rng.pick(teams(&place.class));
        let bpa =
            if rng.percent(well_kept) { Bpa::AllOn } else { *rng.pick(&[Bpa::Missing, Bpa::Missing, Bpa::AclsOnly]) };
        let encryption = if rng.percent(88) { Some(*rng.pick(&["AES256", "AES256", "aws:kms"])) } else { None };
        let policy = if rng.percent(well_kept / 2) { Policy::SslOnly } else { Policy::Private };
        let mut s = spec(purpose, team, bpa, encryption, policy);
        s.logging = rng.percent(well_kept / 2 + 10);
        s.stack = rng.percent(40).then_some(purpose);
        out.push(s);
    }
    out
}

/// The buckets of one account and region.
pub(super) fn buckets(place: &Place, rng: &mut SplitMix64) -> Vec<SimBucket> {
    let mut specs = scripted(&place.key());
    let taken: Vec<&str> = specs.iter().map(|s| s.purpose).collect();
    specs.extend(filler(place, rng, &taken));
    specs.into_iter().map(|s| build(place, rng, s)).collect()
}

fn build(place: &Place, rng: &mut SplitMix64, s: Spec) -> SimBucket {
    let name = format!("{}-{}-{}", place.account_name, s.purpose, place.region);
    let mut tags = team_tags(place, s.team);
    if let Some(stack) = s.stack {
        add_stack_tags(&mut tags, place, &format!("{}-{stack}", place.account_name), "Bucket");
    }
    let (exception, reason, owner) = s.exception;
    add_exception_tags(&mut tags, exception, reason, owner, place.now);
    let off = PublicAccessBlock::default();
    let public_access_block = match s.bpa {
        Bpa::AllOn => BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON),
        Bpa::Missing => BucketPublicAccessBlock::NotConfigured,
        Bpa::AclsOnly => BucketPublicAccessBlock::Configured(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            ..off
        }),
        Bpa::AllOff => BucketPublicAccessBlock::Configured(off),
    };
    let policy = policy_document(&name, s.policy);
    SimBucket {
        state: BucketState {
            name: name.clone(),
            account_id: place.account_id.clone(),
            region: place.region.clone(),
            public_access_block,
            encryption: s.encryption.map(String::from),
            encryption_kms_key: None,
            policy,
            tags,
            unread: crate::playbook::BucketParts::NONE,
        },
        created_at: place.now - Duration::days(rng.between(40, 1400)) - Duration::minutes(rng.between(0, 1439)),
        logging_target: s.logging.then(|| format!("{}-s3-access-logs-{}", place.account_name, place.region)),
        changed_at: None,
    }
}

fn policy_document(bucket: &str, policy: Policy) -> Option<String> {
    let arn = format!("arn:aws:s3:::{bucket}");
    let objects = format!("{arn}/*");
    let ssl = json!({
        "Sid": "AllowSSLRequestsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, objects], "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    });
    let statements = match policy {
        Policy::Private => return None,
        Policy::SslOnly => vec![ssl],
        Policy::PublicRead => vec![json!({
            "Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects
        })],
        Policy::PublicReadWrite => vec![json!({
            "Sid": "PartnerUploads", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["s3:GetObject", "s3:PutObject"], "Resource": objects
        })],
    };
    Some(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

/// What a bucket policy grants the world, and whether it requires TLS.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct PolicyAccess {
    pub public_read: bool,
    pub public_write: bool,
    pub ssl_only: bool,
}

/// Reads a policy document the way the S3.2 / S3.3 / S3.5 rules do (unconditioned `Allow` to `*`; a `Deny` on
/// `aws:SecureTransport = false`).
pub(super) fn policy_access(policy: Option<&str>) -> PolicyAccess {
    let mut access = PolicyAccess::default();
    let Some(doc) = policy.and_then(|p| serde_json::from_str::<Value>(p).ok()) else {
        return access;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    };
    for st in &statements {
        let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("");
        let actions: Vec<String> = match st.get("Action") {
            Some(Value::String(a)) => vec![a.to_ascii_lowercase()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect(),
            _ => Vec::new(),
        };
        let everyone = match st.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(p)) => {
                p.get("AWS").is_some_and(|a| a == "*" || a.as_array().is_some_and(|l| l.iter().any(|x| x == "*")))
            }
            _ => false,
        };
        if effect == "Allow" && everyone && st.get("Condition").is_none() {
            let any = |names: &[&str]| actions.iter().any(|a| names.contains(&a.as_str()));
            access.public_read |= any(&["s3:getobject", "s3:get*", "s3:*", "*", "s3:listbucket"]);
            access.public_write |= any(&["s3:putobject", "s3:put*", "s3:*", "*", "s3:deleteobject"]);
        }
        let insecure_denied =
            st.pointer("/Condition/Bool/aws:SecureTransport").is_some_and(|v| v == "false" || v == &Value::Bool(false));
        if effect == "Deny" && insecure_denied {
            access.ssl_only = true;
        }
    }
    access
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_read_like_the_s3_rules_do() {
        let read = policy_access(policy_document("b", Policy::PublicRead).as_deref());
        assert_eq!(read, PolicyAccess { public_read: true, public_write: false, ssl_only: false });
        let rw = policy_access(policy_document("b", Policy::PublicReadWrite).as_deref());
        assert!(rw.public_read && rw.public_write);
        let ssl = policy_access(policy_document("b", Policy::SslOnly).as_deref());
        assert_eq!(ssl, PolicyAccess { public_read: false, public_write: false, ssl_only: true });
        assert_eq!(policy_access(None), PolicyAccess::default());
        assert_eq!(policy_access(Some("not json")), PolicyAccess::default());
    }
}
