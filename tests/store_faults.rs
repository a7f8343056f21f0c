//! The store under faults: a process killed while writing loses at most its last page, never the database; two
//! processes write one store at once and both keep working; a store that cannot be created (read-only directory)
//! is one clear error naming the place and the cause.
#![allow(clippy::unwrap_used)]

use hubtriage::model::asff::read_document;
use hubtriage::model::Finding;
use hubtriage::store::Store;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The environment variable that turns this test binary into a writer child.
const WRITER: &str = "HUBTRIAGE_TEST_STORE_WRITER";

/// A page of 100 findings, ids `<prefix>-<page>-<n>`.
fn page(prefix: &str, page: usize) -> Vec<Finding> {
    let findings: Vec<serde_json::Value> = (0..100)
        .map(|n| {
            serde_json::json!({
                "Id": format!("{prefix}-{page}-{n}"), "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "AwsAccountId": "111111111111", "Region": "eu-west-1", "GeneratorId": "security-control/S3.8",
                "Compliance": {"SecurityControlId": "S3.8", "Status": "FAILED"}, "Severity": {"Label": "HIGH"},
                "Title": "S3 general purpose buckets should block public access", "UpdatedAt": "2026-12-01T10:00:00Z",
                "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE",
                "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{page}-{n}")}]})
        })
        .collect();
    let outcome = read_document(&serde_json::Value::Array(findings).to_string());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome.findings
}

fn stored(path: &Path) -> usize {
    let store = Store::open(path).unwrap();
    assert!(store.notices.is_empty(), "{:?}", store.notices);
    store.load().unwrap().len()
}

/// Not a test of its own: with `HUBTRIAGE_TEST_STORE_WRITER` set, writes pages to that store until killed.
#[test]
fn writer_child() {
    let Some(path) = std::env::var_os(WRITER) else { return };
    let store = Store::open(Path::new(&path)).unwrap();
    for n in 0.. {
        store.upsert(&page("killed", n), chrono::Utc::now()).unwrap();
    }
}

#[test]
fn a_writer_killed_mid_page_loses_at_most_that_page_never_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store/kill.sqlite3");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "writer_child", "--nocapture", "--test-threads=1"])
            .env(WRITER, &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it write for a while (at least one page), then SIGKILL it wherever it is.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !path.exists() || std::fs::metadata(format!("{}-wal", path.display())).map(|m| m.len()).unwrap_or(0) == 0
        {
            assert!(Instant::now() < deadline, "the writer never wrote");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(150 + 70 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        let n = stored(&path);
        assert!(n > 0, "round {round}: pages written before the kill are kept");
        assert_eq!(n % 100, 0, "round {round}: {n} findings: a page is kept whole or not at all");
        assert!(
            !std::fs::read_dir(path.parent().unwrap()).unwrap().any(|e| e
                .unwrap()
                .path()
                .to_string_lossy()
                .contains("damaged")),
            "the database was not damaged"
        );
    }
}

#[test]
fn two_processes_write_one_store_at_once_and_both_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store/shared.sqlite3");
    let now = chrono::Utc::now();
    let together = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        for who in ["first", "second"] {
            let (path, together) = (&path, &together);
            scope.spawn(move || {
                // Each its own connection, as two hubtriage processes have, both creating the new store at once.
                together.wait();
                let store = Store::open(path).unwrap_or_else(|e| panic!("{who} opens: {e}"));
                for n in 0..30 {
                    store.upsert(&page(who, n), now).unwrap_or_else(|e| panic!("{who} page {n}: {e}"));
                }
            });
        }
    });
    assert_eq!(stored(&path), 2 * 30 * 100);
}

#[test]
fn a_store_that_cannot_be_created_is_one_clear_error() {
    // A data dir that is a file where a directory should be (as a full or read-only disk, this stops root too).
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    std::fs::write(&blocker, "not a directory").unwrap();
    let path = blocker.join("store/x.sqlite3");
    let message = Store::open(&path).err().map(|e| e.to_string()).expect("an error");
    assert!(message.contains(&blocker.join("store").display().to_string()), "names the place: {message}");
    assert!(message.contains("Not a directory"), "says why: {message}");
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a directory", "nothing else touched");
}
