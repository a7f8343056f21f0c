//! Leases in a DynamoDB table on moto (the table is created here, as the CloudFormation template creates it:
//! partition key `resource`): two owners racing for one resource, an expired lease taken over, renewal after the
//! lease was lost, the outcome recorded on release, a table that cannot be reached — no lease, so the job changes
//! nothing — and claims on copies of findings between `watch` replicas.
#![allow(clippy::unwrap_used)]

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use hubtriage::cloud::aws::DynamoLeases;
use hubtriage::cloud::coordination::{Claim, Coordination, LeaseError, LeaseOwner, Leases};
use hubtriage::config::{Config, RemediationConfig};
use hubtriage::engine::audit::{AuditEvent, AuditLog};
use hubtriage::engine::jobs::{ApplyRequest, JobState};
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::playbook::Playbooks;
use hubtriage::triage::Triage;
use std::sync::Arc;
use std::time::Duration;
use support::moto::moto;
use support::sdk::{self, run};

const TTL: Duration = Duration::from_secs(60);

fn owner(name: &str, job: &str) -> LeaseOwner {
    LeaseOwner {
        operator: format!("arn:aws:sts::123456789012:assumed-role/ops/{name}"),
        process: format!("{name}-host:4242 watch"),
        job: job.into(),
    }
}

fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk::base_config(endpoint))
}

/// Creates the lease table `name` and returns two handles on it (two replicas, each with its own client).
async fn table(endpoint: &str, name: &str) -> (DynamoLeases, DynamoLeases) {
    support::leases::create_lease_table(endpoint, name).await;
    let config = sdk::base_config(endpoint);
    (DynamoLeases::new(&config, "us-east-1", name), DynamoLeases::new(&config, "us-east-1", name))
}

async fn item(endpoint: &str, table: &str, key: &str) -> std::collections::HashMap<String, AttributeValue> {
    let out = client(endpoint)
        .get_item()
        .table_name(table)
        .key("resource", AttributeValue::S(key.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item().cloned().expect("the lease item")
}

#[test]
fn two_owners_race_for_each_key_and_exactly_one_wins_the_other_told_who() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let (a, b) = table(&endpoint, "leases-race").await;
        let (a, b) = (Arc::new(a), Arc::new(b));
        for i in 0..10 {
            let key = format!("123456789012/eu-west-1/arn:aws:s3:::race-{i}");
            let (alice, bob) = (owner("alice", &format!("a-{i}")), owner("bob", &format!("b-{i}")));
            let (ra, rb) = tokio::join!(
                {
                    let (a, key, alice) = (a.clone(), key.clone(), alice.clone());
                    tokio::spawn(async move { a.acquire(&key, &alice, TTL).await })
                },
                {
                    let (b, key, bob) = (b.clone(), key.clone(), bob.clone());
                    tokio::spawn(async move { b.acquire(&key, &bob, TTL).await })
                }
            );
            let (ra, rb) = (ra.unwrap(), rb.unwrap());
            let (winner, loser) = match (&ra, &rb) {
                (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w.clone(), l.clone()),
                _ => panic!("{key}: exactly one owner must win: {ra:?} / {rb:?}"),
            };
            let LeaseError::Held { holder, .. } = &loser else { panic!("{key}: the loser must hear Held: {loser:?}") };
            assert_eq!(holder.owner, winner.owner, "{key}: Held names the winner");
            assert!(loser.to_string().contains("is being changed by"), "{loser}");
            assert_eq!(a.holder(&key).await.unwrap().map(|l| l.owner), Some(winner.owner));
        }
    });
}

#[test]
fn an_expired_lease_is_taken_over_and_its_old_owner_has_lost_it() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let (a, b) = table(&endpoint, "leases-expiry").await;
        let key = "123456789012/eu-west-1/arn:aws:s3:::expiring";
        let lease = a.acquire(key, &owner("alice", "a-1"), Duration::from_secs(1)).await.unwrap();
        assert!(matches!(b.acquire(key, &owner("bob", "b-1"), TTL).await, Err(LeaseError::Held { .. })));

        // Alice's process stops renewing (it died mid-change); after the expiry Bob takes over.
        tokio::time::sleep(Duration::from_millis(2200)).await;
        let taken = b.acquire(key, &owner("bob", "b-1"), TTL).await.unwrap();
        let old = taken.took_over.as_ref().expect("the dead owner's lease is reported");
        assert_eq!(old.owner, owner("alice", "a-1"));

        assert_eq!(a.renew(&lease, TTL).await, Err(LeaseError::Lost(key.into())));
        a.release(&lease, "fixed").await.expect("releasing a lost lease is no error");
        assert_eq!(b.holder(key).await.unwrap().map(|l| l.owner), Some(owner("bob", "b-1")), "Bob's lease intact");
        let stored = item(&endpoint, "leases-expiry", key).await;
        assert!(!stored.contains_key("outcome"), "Alice's late release did not touch Bob's lease: {stored:?}");
    });
}

#[test]
fn renewal_extends_the_lease_and_release_records_the_outcome_and_frees_it_at_once() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let (a, b) = table(&endpoint, "leases-release").await;
        let key = "123456789012/eu-west-1/arn:aws:s3:::released";
        let lease = a.acquire(key, &owner("alice", "a-1"), Duration::from_secs(10)).await.unwrap();
        let renewed = a.renew(&lease, Duration::from_secs(600)).await.unwrap();
        assert!(renewed.expires_at.timestamp() >= lease.expires_at.timestamp() + 500);
        let stored = item(&endpoint, "leases-release", key).await;
        assert_eq!(stored["expires_at"], AttributeValue::N(renewed.expires_at.timestamp().to_string()));
        assert_eq!(stored["job"], AttributeValue::S("a-1".into()));

        a.release(&renewed, "resolved").await.unwrap();
        let stored = item(&endpoint, "leases-release", key).await;
        assert_eq!(stored["outcome"], AttributeValue::S("resolved".into()));
        let expires: i64 = stored["expires_at"].as_n().unwrap().parse().unwrap();
        assert!(expires <= chrono::Utc::now().timestamp(), "released: expires now");
        assert_eq!(a.holder(key).await.unwrap(), None);

        let next = b.acquire(key, &owner("bob", "b-1"), TTL).await.expect("free at once after release");
        assert!(next.took_over.is_none(), "a released lease is no take-over");
    });
}

#[test]
fn an_unreachable_table_is_unavailable_and_the_job_changes_nothing() {
    let server = moto();
    let endpoint = server.endpoint();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    run(async move {
        const ACCOUNT: &str = "222222222222";
        const REGION: &str = "eu-west-1";
        const BUCKET: &str = "leases-unreachable";
        let leases = Arc::new(DynamoLeases::new(&sdk::base_config(&closed), "us-east-1", "hubtriage-leases"));
        match leases.acquire("k", &owner("alice", "a-1"), TTL).await {
            Err(LeaseError::Unavailable(why)) => assert!(why.contains("hubtriage-leases"), "{why}"),
            other => panic!("expected Unavailable, got {other:?}"),
        }

        let s3 = support::s3::new_bucket(&endpoint, ACCOUNT, REGION, BUCKET).await;
        let mut backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        backend.coordination = Some(Coordination { leases, ttl: TTL });
        let config = Config::default();
        let triage =
            Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
        let dir = tempfile::tempdir().unwrap();
        let audit_path = dir.path().join("audit.jsonl");
        let settings = RemediatorSettings {
            read_only: false,
            exceptions: Default::default(),
            notify: Default::default(),
            remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
        };
        let remediator =
            Remediator::new(&backend, triage, AuditLog::open(&audit_path).unwrap(), Vec::new(), settings).unwrap();
        let finding =
            Arc::new(support::asff::read_one(&support::asff::s3_8_asff(ACCOUNT, REGION, BUCKET, "unreachable")));
        let preview = remediator.assess_all(vec![finding.clone()]).await;
        let plan = preview[0].result.as_ref().unwrap().plan.plan().cloned().expect("a live plan");
        let request =
            ApplyRequest { findings: vec![finding], control_id: "S3.8".into(), approved: Some(plan), origin: None };

        let state = remediator.run_apply(1, request, None).await;

        let JobState::Refused(why) = &state else { panic!("refused without a lease: {state:?}") };
        assert!(why.contains("lease store unavailable") && why.contains("nothing was changed"), "{why}");
        let events: Vec<AuditEvent> = AuditLog::read(&audit_path).unwrap().records.iter().map(|r| r.event).collect();
        assert_eq!(events, [AuditEvent::Refused], "no intent, no call");
        let block = s3.get_public_access_block().bucket(BUCKET).send().await;
        assert!(block.is_err(), "the bucket was changed without a lease: {block:?}");
    });
}

#[test]
fn one_replica_claims_a_copy_of_a_finding_the_others_wait_and_learn_who_fixed_it() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let (a, b) = table(&endpoint, "leases-claims").await;
        let finding = "arn:aws:securityhub:eu-west-1::product/aws/securityhub|arn:…/S3.8/finding/1";
        let (copy, newer) = ("2026-12-04T10:00:00+00:00", "2026-12-05T10:00:00+00:00");
        let (ra, rb) = ("host-a:1 watch S-A", "host-b:2 watch S-B");
        assert_eq!(a.claim(finding, copy, ra, TTL).await, Ok(Claim::Ours));
        let Ok(Claim::Held { by, until }) = b.claim(finding, copy, rb, TTL).await else { panic!("not held") };
        assert_eq!(by, ra);
        assert!(until > chrono::Utc::now(), "{until}");
        assert_eq!(a.claim(finding, copy, ra, TTL).await, Ok(Claim::Ours), "renewed by its holder");
        assert_eq!(b.holder(finding).await, Ok(None), "a claim is no lease");

        // Given up (the fix failed): another replica takes it at once, and records the fix.
        a.end_claim(finding, copy, ra, None, TTL).await.unwrap();
        assert_eq!(b.claim(finding, copy, rb, TTL).await, Ok(Claim::Ours));
        a.end_claim(finding, copy, ra, None, TTL).await.unwrap();
        assert!(matches!(a.claim(finding, copy, ra, TTL).await, Ok(Claim::Held { .. })), "not ours to give up");
        b.end_claim(finding, copy, rb, Some("job-1"), TTL).await.unwrap();
        assert_eq!(a.claim(finding, copy, ra, TTL).await, Ok(Claim::Fixed("job-1".into())));
        assert_eq!(b.claim(finding, copy, rb, TTL).await, Ok(Claim::Fixed("job-1".into())), "fixed stays fixed");
        assert_eq!(a.claim(finding, newer, ra, TTL).await, Ok(Claim::Ours), "a newer copy is new work");

        // A holder that stops renewing (it died): its claim expires like a lease.
        let other = "arn:aws:securityhub:eu-west-1::product/aws/securityhub|arn:…/S3.8/finding/2";
        assert_eq!(a.claim(other, copy, ra, Duration::from_secs(1)).await, Ok(Claim::Ours));
        assert!(matches!(b.claim(other, copy, rb, TTL).await, Ok(Claim::Held { .. })));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(b.claim(other, copy, rb, TTL).await, Ok(Claim::Ours), "taken over once expired");
    });
}
