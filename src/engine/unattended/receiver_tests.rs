//! The receiving task: it never takes more messages from the queue than the engine has room for, counting those it
//! received and has not handed over yet, and it receives as soon as room opens.
#![allow(clippy::unwrap_used)]

use super::super::test_queue::MemQueue;
use super::*;

fn queue_of(n: usize) -> Arc<MemQueue> {
    let queue = Arc::new(MemQueue::default());
    for i in 0..n {
        queue.send(&format!("m{i}"), "{}", 1);
    }
    queue
}

fn settings() -> WatchSettings {
    WatchSettings { wait: Duration::from_millis(10), ..WatchSettings::default() }
}

#[tokio::test(start_paused = true)]
async fn messages_received_but_not_yet_handed_over_count_against_the_room() {
    let queue = queue_of(40);
    let mut batches = spawn(queue.clone(), &settings());

    let first = batches.next(8).await.unwrap().unwrap();
    assert_eq!(first.len(), 8);
    // The engine is busy with those eight (it has not asked again): nothing more is taken from the queue.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(queue.asked(), vec![8], "received beyond the room while the engine handled the first batch");

    // It now has room for three more: three, and no more, are received.
    let second = batches.next(3).await.unwrap().unwrap();
    assert_eq!(second.len(), 3);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(queue.asked(), vec![8, 3]);
    batches.stop();
}

#[tokio::test(start_paused = true)]
async fn room_that_opens_is_used_at_once() {
    let queue = queue_of(10);
    let mut batches = spawn(queue.clone(), &settings());
    // No room: nothing is received (the engine waits for other things meanwhile).
    assert!(tokio::time::timeout(Duration::from_millis(1050), batches.next(0)).await.is_err());
    assert!(queue.asked().is_empty());

    let asked_at = tokio::time::Instant::now();
    let batch = batches.next(4).await.unwrap().unwrap();

    assert_eq!(batch.len(), 4);
    let waited = asked_at.elapsed();
    assert!(waited < Duration::from_millis(5), "the receiver noticed the room {waited:?} late");
    batches.stop();
}

#[tokio::test(start_paused = true)]
async fn room_for_more_than_one_batch_is_filled_by_receives_side_by_side() {
    let queue = queue_of(30);
    queue.slow(Duration::from_millis(100));
    let mut batches = spawn(queue.clone(), &settings());
    let asked_at = tokio::time::Instant::now();

    let mut got = 0;
    while got < 25 {
        got += batches.next(25 - got).await.unwrap().unwrap().len();
    }

    assert_eq!(got, 25, "more than the room");
    let took = asked_at.elapsed();
    assert!(took < Duration::from_millis(150), "the receives ran one after another: {took:?}");
    let mut asked = queue.asked();
    asked.sort();
    assert_eq!(asked, vec![5, 10, 10]);
    batches.stop();
}
