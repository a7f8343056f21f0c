use super::*;

fn owner(name: &str, job: &str) -> LeaseOwner {
    LeaseOwner {
        operator: format!("arn:aws:sts::111111111111:assumed-role/ops/{name}"),
        process: format!("host:{name}"),
        job: job.into(),
    }
}

const KEY: &str = "111111111111/eu-west-1/arn:aws:s3:::bucket-a";
const TTL: Duration = Duration::from_secs(60);

#[tokio::test]
async fn two_handles_on_one_directory_exclude_each_other_and_name_the_holder() {
    let dir = tempfile::tempdir().expect("dir");
    let (first, second) = (LocalLeases::new(dir.path()), LocalLeases::new(dir.path()));
    let lease = first.acquire(KEY, &owner("alice", "job-1"), TTL).await.expect("free");
    assert!(lease.took_over.is_none());

    match second.acquire(KEY, &owner("bob", "job-2"), TTL).await {
        Err(LeaseError::Held { holder, .. }) => {
            assert_eq!(holder.owner, owner("alice", "job-1"));
            assert_eq!(holder.taken_at.timestamp(), lease.taken_at.timestamp());
        }
        other => panic!("expected Held, got {other:?}"),
    }
    let seen = second.holder(KEY).await.expect("readable").expect("held");
    assert_eq!(seen.owner.job, "job-1");
    // Another resource is free.
    second.acquire("111111111111/eu-west-1/arn:aws:s3:::bucket-b", &owner("bob", "job-2"), TTL).await.expect("free");
}

#[tokio::test]
async fn two_jobs_of_one_handle_exclude_each_other() {
    let dir = tempfile::tempdir().expect("dir");
    let leases = LocalLeases::new(dir.path());
    leases.acquire(KEY, &owner("alice", "job-1"), TTL).await.expect("free");
    let err = leases.acquire(KEY, &owner("alice", "job-2"), TTL).await.expect_err("held by job-1");
    assert!(err.to_string().contains("job job-1"), "{err}");
}

#[tokio::test]
async fn a_dropped_holder_frees_the_lease_and_the_next_taker_learns_it_died_mid_change() {
    let dir = tempfile::tempdir().expect("dir");
    let second = LocalLeases::new(dir.path());
    {
        let first = LocalLeases::new(dir.path());
        first.acquire(KEY, &owner("alice", "job-1"), TTL).await.expect("free");
        assert!(second.acquire(KEY, &owner("bob", "job-2"), TTL).await.is_err());
        // `first` goes away without releasing, as a process killed mid-change does.
    }
    assert_eq!(second.holder(KEY).await.expect("readable"), None);
    let lease = second.acquire(KEY, &owner("bob", "job-2"), TTL).await.expect("freed with its holder");
    let dead = lease.took_over.as_ref().expect("the dead owner's lease is reported");
    assert_eq!(dead.owner, owner("alice", "job-1"));
}

#[tokio::test]
async fn a_released_lease_is_free_at_once_with_its_outcome_and_no_take_over() {
    let dir = tempfile::tempdir().expect("dir");
    let (first, second) = (LocalLeases::new(dir.path()), LocalLeases::new(dir.path()));
    let lease = first.acquire(KEY, &owner("alice", "job-1"), TTL).await.expect("free");
    let renewed = first.renew(&lease, Duration::from_secs(120)).await.expect("still ours");
    assert!(renewed.expires_at > lease.expires_at);
    first.release(&lease, "fixed").await.expect("released");
    let text = std::fs::read_to_string(first.path_of(KEY)).expect("lease file");
    let record: serde_json::Value = serde_json::from_str(&text).expect("owner JSON");
    assert_eq!(record["outcome"], "fixed");
    assert_eq!(record["job"], "job-1");
    assert_eq!(record["resource"], KEY);

    let lease = second.acquire(KEY, &owner("bob", "job-2"), TTL).await.expect("free after release");
    assert!(lease.took_over.is_none(), "a released lease is no take-over");
    assert!(matches!(first.renew(&lease, TTL).await, Err(LeaseError::Lost(_))), "renewing another's lease");
    first.release(&lease, "late").await.expect("releasing a lease not held is no error");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.path_of(KEY)).expect("file")).expect("JSON");
    assert_eq!(record["operator"], owner("bob", "job-2").operator, "the file names the holder for other processes");
    assert!(record.get("outcome").is_none());
}
