//! One HTTPS client for every SDK client made from a configuration: calls through different clients (one per read)
//! share a kept-alive connection instead of opening one each.
#![allow(clippy::unwrap_used)]

use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};

const EMPTY_TAG_SET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet></TagSet></Tagging>"#;

/// Answers every request on the connection with an empty tag set, keeping it open.
fn answer_all(conn: TcpStream) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{EMPTY_TAG_SET}",
            EMPTY_TAG_SET.len()
        );
        if conn.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// An HTTP/1.1 server that keeps connections alive; its port and the number of connections it accepted.
fn keep_alive_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || answer_all(conn));
        }
    });
    (port, connections)
}

fn config(port: u16, http_client: Option<SharedHttpClient>) -> SdkConfig {
    let keys = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials_provider(SharedCredentialsProvider::new(keys));
    if let Some(client) = http_client {
        config = config.http_client(client);
    }
    config.build()
}

/// Four reads, each through an S3 client of its own, as the adapter makes them; the connections they opened.
async fn four_reads(config: &SdkConfig, connections: &AtomicUsize) -> usize {
    for n in 0..4 {
        let s3 = Accounts::s3(config, "eu-west-1");
        s3.get_bucket_tagging().bucket(format!("bucket-{n}")).send().await.unwrap();
    }
    connections.load(Ordering::SeqCst)
}

#[tokio::test]
async fn sdk_clients_made_from_one_configuration_share_its_connections() {
    let (port, connections) = keep_alive_server();
    let shared = shared_http_client().expect("the SDK's default HTTPS client");
    assert_eq!(four_reads(&config(port, Some(shared)), &connections).await, 1);

    // Without it, every client opens its own.
    let (port, connections) = keep_alive_server();
    assert_eq!(four_reads(&config(port, None), &connections).await, 4);
}
