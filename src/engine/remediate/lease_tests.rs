use super::*;
use crate::cloud::coordination::MemoryLeases;

fn owner() -> LeaseOwner {
    LeaseOwner { operator: "tester".into(), process: "host:1 apply".into(), job: "J-1".into() }
}

#[tokio::test]
async fn the_heartbeat_keeps_a_lease_past_its_time_while_the_job_runs_and_release_frees_it() {
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let ttl = Duration::from_millis(450);
    let lease = JobLease::take(leases.clone(), "k", &owner(), ttl).await.expect("free");

    tokio::time::sleep(Duration::from_millis(1200)).await;

    assert_eq!(lease.check(), Ok(()), "renewed every third of its time");
    let other = LeaseOwner { job: "J-2".into(), ..owner() };
    assert!(matches!(leases.acquire("k", &other, ttl).await, Err(LeaseError::Held { .. })), "still held");
    lease.release(&JobState::Resolved).await;
    assert_eq!(leases.holder("k").await, Ok(None));
    leases.acquire("k", &other, ttl).await.expect("free after release");
}

/// A store where every renewal answers that another owner has the lease.
struct Stolen(MemoryLeases);

#[async_trait::async_trait]
impl Leases for Stolen {
    fn describe(&self) -> String {
        "stolen".into()
    }
    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError> {
        self.0.acquire(key, owner, ttl).await
    }
    async fn renew(&self, lease: &Lease, _ttl: Duration) -> Result<Lease, LeaseError> {
        Err(LeaseError::Lost(lease.key.clone()))
    }
    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError> {
        self.0.release(lease, outcome).await
    }
    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError> {
        self.0.holder(key).await
    }
}

#[tokio::test]
async fn a_lease_the_heartbeat_finds_lost_fails_the_check_before_any_further_call() {
    let lease = JobLease::take(Arc::new(Stolen(MemoryLeases::default())), "k", &owner(), Duration::from_secs(3))
        .await
        .expect("free");
    assert_eq!(lease.check(), Ok(()));

    tokio::time::sleep(Duration::from_millis(1300)).await;

    let why = lease.check().expect_err("lost at the first renewal");
    assert!(why.contains("was lost") && why.contains("nothing more was changed"), "{why}");
}

#[tokio::test]
async fn only_a_refusal_for_someone_elses_lease_reads_as_busy() {
    let leases: Arc<dyn Leases> = Arc::new(MemoryLeases::default());
    let _held = JobLease::take(leases.clone(), "k", &owner(), Duration::from_secs(60)).await.expect("free");
    let other = LeaseOwner { job: "J-2".into(), ..owner() };
    let held = leases.acquire("k", &other, Duration::from_secs(60)).await.expect_err("held");
    assert!(is_busy_refusal(&refusal(&held)), "{}", refusal(&held));
    assert!(!is_busy_refusal(&refusal(&LeaseError::Unavailable("throttled".into()))));
    assert!(!is_busy_refusal(&refusal(&LeaseError::Lost("k".into()))));
}
