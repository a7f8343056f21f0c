//! `hubtriage watch` on moto, through the real path: an EventBridge rule on Security Hub finding events delivers to
//! an SQS queue, the binary drains it (`--once`), fixes the public bucket, verifies it, resolves the finding, and
//! deletes the message only then; a message it cannot read stays in the queue for its redrive policy.
#![allow(clippy::unwrap_used)]

mod support;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::asff::s3_8_asff;
use support::moto::moto;
use support::s3::{code_of, new_bucket};
use support::sdk::base_config;

const ROLE: &str = "HubtriageRemediation";
const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const EVENTS_REGION: &str = "us-east-1";

fn sqs(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::config::Builder::from(config).region(aws_config::Region::new(EVENTS_REGION)).build();
    aws_sdk_sqs::Client::from_conf(conf)
}

fn events(config: &aws_config::SdkConfig) -> aws_sdk_eventbridge::Client {
    let conf =
        aws_sdk_eventbridge::config::Builder::from(config).region(aws_config::Region::new(EVENTS_REGION)).build();
    aws_sdk_eventbridge::Client::from_conf(conf)
}

/// A new queue; returns its URL.
async fn new_queue(config: &aws_config::SdkConfig, name: &str) -> String {
    sqs(config).create_queue().queue_name(name).send().await.unwrap().queue_url().unwrap().to_string()
}

/// A queue fed by a rule on the three Security Hub finding detail types; returns its URL.
async fn queue_with_rule(config: &aws_config::SdkConfig, name: &str) -> String {
    let url = new_queue(config, name).await;
    let attributes = sqs(config)
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let arn = attributes.attributes().unwrap()[&QueueAttributeName::QueueArn].clone();
    let pattern = json!({"source": ["aws.securityhub"], "detail-type": [
        "Security Hub Findings - Imported", "Findings Imported V2", "Security Hub Findings - Custom Action"]});
    let eb = events(config);
    eb.put_rule().name(format!("{name}-rule")).event_pattern(pattern.to_string()).send().await.unwrap();
    let target = aws_sdk_eventbridge::types::Target::builder().id("queue").arn(arn).build().unwrap();
    eb.put_targets().rule(format!("{name}-rule")).targets(target).send().await.unwrap();
    url
}

async fn put_finding_event(config: &aws_config::SdkConfig, finding: &Value) {
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .source("aws.securityhub")
        .detail_type("Security Hub Findings - Imported")
        .detail(json!({ "findings": [finding] }).to_string())
        .build();
    let out = events(config).put_events().entries(entry).send().await.unwrap();
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");
}

/// (visible, in flight) messages of the queue.
async fn counts(config: &aws_config::SdkConfig, url: &str) -> (u64, u64) {
    let out = sqs(config)
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = out.attributes().unwrap();
    let n = |name: QueueAttributeName| attributes.get(&name).and_then(|v| v.parse().ok()).unwrap_or(0);
    (n(QueueAttributeName::ApproximateNumberOfMessages), n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
}

async fn bucket_blocked(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<bool> {
    match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(o) => o.public_access_block_configuration().and_then(|c| c.block_public_acls()),
        Err(e) if code_of(&e) == "NoSuchPublicAccessBlockConfiguration" => None,
        Err(e) => panic!("GetPublicAccessBlock: {e:?}"),
    }
}

fn watch_once(endpoint: &str, dir: &tempfile::TempDir, url: &str) -> std::process::Output {
    let config = "[[policy.rules]]\nname = \"buckets\"\nverdict = \"auto-fix\"\ncontrols = [\"S3.8\"]\n\
                  [remediation]\nverify_first_delay_ms = 50\n";
    let mut cmd = support::binary::hubtriage(endpoint, dir, config, Duration::from_secs(120));
    cmd.args(["--auto-fix", "--accounts", ACCOUNT, "--regions", REGION, "--role-name", ROLE])
        .args(["--audit-log", dir.path().join("audit.jsonl").to_str().unwrap()])
        .args(["watch", "--queue-url", url, "--once"]);
    cmd.output().unwrap()
}

fn decisions(stderr: &str) -> Vec<Value> {
    stderr.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect()
}

#[test]
fn an_event_through_eventbridge_is_fixed_verified_resolved_and_then_deleted() {
    let server = moto();
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let config = base_config(&endpoint);
    let bucket = "watch-public-bucket";
    let s3 = runtime.block_on(new_bucket(&endpoint, ACCOUNT, REGION, bucket));
    let finding = s3_8_asff(ACCOUNT, REGION, bucket, "watch");
    support::seed::import_findings(server.port, ROLE, ACCOUNT, REGION, std::slice::from_ref(&finding));
    let url = runtime.block_on(queue_with_rule(&config, "watch-events"));
    let dir = tempfile::tempdir().unwrap();

    let sent = Instant::now();
    runtime.block_on(put_finding_event(&config, &finding));
    let output = watch_once(&endpoint, &dir, &url);
    let took = sent.elapsed();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(runtime.block_on(bucket_blocked(&s3, bucket)), Some(true), "{stderr}");
    let lines = decisions(&stderr);
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    for wanted in ["received", "verdict", "applied", "verified", "done", "deleted"] {
        assert!(events.contains(&wanted), "no {wanted} line: {stderr}");
    }
    let done = lines.iter().find(|l| l["event"] == "done").unwrap();
    assert_eq!(done["reason"], "resolved", "{done}");
    assert_eq!(runtime.block_on(counts(&config, &url)), (0, 0), "the message was not deleted: {stderr}");
    let workflow = support::seed::workflow_of(server.port, ROLE, ACCOUNT, REGION, finding["Id"].as_str().unwrap());
    assert_eq!(workflow.as_deref(), Some("RESOLVED"));
    eprintln!("event sent → fix verified and message deleted, whole process: {took:?}");
}

#[test]
fn a_message_that_is_not_a_finding_event_stays_in_the_queue_and_the_exit_says_so() {
    let server = moto();
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let config = base_config(&endpoint);
    let url = runtime.block_on(async {
        let url = new_queue(&config, "watch-junk").await;
        sqs(&config).send_message().queue_url(&url).message_body("{\"source\":\"aws.s3\"}").send().await.unwrap();
        url
    });
    let dir = tempfile::tempdir().unwrap();

    let output = watch_once(&endpoint, &dir, &url);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let unreadable = decisions(&stderr).into_iter().find(|l| l["event"] == "unreadable").expect(&stderr);
    assert!(unreadable["reason"].as_str().unwrap().contains("dead-letter"), "{unreadable}");
    let (visible, in_flight) = runtime.block_on(counts(&config, &url));
    assert_eq!(visible + in_flight, 1, "the message was deleted: {stderr}");
}

#[test]
fn a_queue_deleted_under_a_running_watch_is_logged_and_sigterm_stops_it_cleanly() {
    use std::io::BufRead;
    let server = moto();
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let config = base_config(&endpoint);
    let url = runtime.block_on(new_queue(&config, "watch-deleted"));
    let dir = tempfile::tempdir().unwrap();
    let mut child = support::binary::hubtriage_process(&endpoint, &dir, "[watch]\nsync_seconds = 0\n")
        .args(["--audit-log", dir.path().join("audit.jsonl").to_str().unwrap(), "watch", "--queue-url", &url])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = tx.send(v);
            }
        }
    });
    let wait_for = |event: &str| -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if line["event"] == event {
                return line;
            }
        }
        panic!("no {event} line within a minute");
    };
    wait_for("started");

    runtime.block_on(sqs(&config).delete_queue().queue_url(&url).send()).unwrap();
    let error = wait_for("queue-error");
    assert!(error["reason"].as_str().unwrap().contains("ReceiveMessage"), "{error}");

    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let stopped = wait_for("stopped");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stopped}");
}
