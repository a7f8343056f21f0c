#![allow(clippy::unwrap_used)]

use super::*;
use crate::cloud::CloudError;
use crate::playbook::{Change, InstanceState};
use async_trait::async_trait;

/// Reads instances together and records the size of each batch; an id starting with `gone` is not found.
#[derive(Default)]
struct Recording {
    batches: Mutex<Vec<usize>>,
}

fn instance(account_id: &str, region: &str, resource: &ResourceRef) -> Result<ResourceState, CloudError> {
    if resource.id.starts_with("gone") {
        return Err(CloudError::NotFound(format!("instance {}", resource.id)));
    }
    Ok(ResourceState::Instance(InstanceState {
        instance_id: resource.id.clone(),
        account_id: account_id.into(),
        region: region.into(),
        http_tokens: None,
        http_endpoint: None,
        tags: Default::default(),
    }))
}

#[async_trait]
impl Resources for Recording {
    async fn read_state(&self, account_id: &str, region: &str, r: &ResourceRef) -> Result<ResourceState, CloudError> {
        self.batches.lock().unwrap().push(1);
        instance(account_id, region, r)
    }

    fn reads_together(&self, _kind: &str) -> bool {
        true
    }

    async fn read_states(
        &self,
        account_id: &str,
        region: &str,
        resources: &[ResourceRef],
    ) -> Vec<Result<ResourceState, CloudError>> {
        self.batches.lock().unwrap().push(resources.len());
        resources.iter().map(|r| instance(account_id, region, r)).collect()
    }

    async fn apply(&self, _account_id: &str, _region: &str, _change: &Change) -> Result<(), CloudError> {
        unreachable!("reads only")
    }
}

fn resource(id: &str) -> ResourceRef {
    ResourceRef { kind: "AwsEc2Instance".into(), id: id.into(), region: None, tags: Default::default(), details: None }
}

fn read_id(state: &ResourceState) -> &str {
    match state {
        ResourceState::Instance(i) => &i.instance_id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reads_asked_together_go_out_in_batches_of_at_most_a_hundred_and_each_gets_its_own_state() {
    let recording = Arc::new(Recording::default());
    let batches = ReadBatches::new(recording.clone());
    let reads: Vec<_> = (0..250).map(|n| batches.read("1", "eu-west-1", &resource(&format!("i-{n:03}")))).collect();
    for (n, read) in reads.into_iter().enumerate() {
        assert_eq!(read_id(&read.await.unwrap()), format!("i-{n:03}"));
    }
    let mut sizes = recording.batches.lock().unwrap().clone();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![50, 100, 100]);
}

#[tokio::test]
async fn a_resource_that_cannot_be_read_is_an_error_for_its_reader_only() {
    let recording = Arc::new(Recording::default());
    let batches = ReadBatches::new(recording.clone());
    let (ok, gone) =
        (batches.read("1", "eu-west-1", &resource("i-1")), batches.read("1", "eu-west-1", &resource("gone-2")));
    assert_eq!(read_id(&ok.await.unwrap()), "i-1");
    assert_eq!(gone.await.unwrap_err(), "reading gone-2 in 1/eu-west-1: not found: instance gone-2");
    assert_eq!(recording.batches.lock().unwrap().clone(), vec![2], "one batch for both");
}

#[tokio::test]
async fn reads_of_other_accounts_go_out_apart() {
    let recording = Arc::new(Recording::default());
    let batches = ReadBatches::new(recording.clone());
    let first = batches.read("1", "eu-west-1", &resource("i-1"));
    let other_account = batches.read("2", "eu-west-1", &resource("i-2"));
    assert_eq!(read_id(&first.await.unwrap()), "i-1");
    assert_eq!(read_id(&other_account.await.unwrap()), "i-2");
    assert_eq!(recording.batches.lock().unwrap().clone(), vec![1, 1]);
}

#[tokio::test]
async fn reads_of_two_pages_share_a_batch_and_the_last_page_sends_what_waits_at_once() {
    let recording = Arc::new(Recording::default());
    let batches = ReadBatches::new(recording.clone());
    let started = std::time::Instant::now();
    let first_page = batches.read("1", "eu-west-1", &resource("i-1"));
    tokio::time::sleep(LINGER / 4).await;
    let second_page = batches.read("1", "eu-west-1", &resource("i-2"));
    batches.last_page_in();
    assert_eq!(read_id(&first_page.await.unwrap()), "i-1");
    assert_eq!(read_id(&second_page.await.unwrap()), "i-2");
    assert!(started.elapsed() < LINGER / 2, "waited {:?} after the last page", started.elapsed());
    assert_eq!(recording.batches.lock().unwrap().clone(), vec![2]);

    // Reads asked after the last page (its findings' assessments) wait only a moment.
    let started = std::time::Instant::now();
    let late = batches.read("1", "eu-west-1", &resource("i-3"));
    assert_eq!(read_id(&late.await.unwrap()), "i-3");
    assert!(started.elapsed() < LINGER / 2, "waited {:?}", started.elapsed());
    assert_eq!(recording.batches.lock().unwrap().clone(), vec![2, 1]);
}
