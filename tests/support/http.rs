//! A minimal HTTP/1.1 client and request reader over std sockets (moto does not check signatures, so requests carry
//! an unsigned SigV4-shaped Authorization header that names the access key, region and service).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A raw HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Credentials as moto maps them to an account.
#[derive(Debug, Clone)]
pub struct Keys {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl Keys {
    pub fn base() -> Self {
        Self { access_key: "testing".into(), secret_key: "testing".into(), session_token: None }
    }
}

/// Sends one request and reads the whole response.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok(Response { status, body })
}

/// An AWS call to moto: `(service, region)` go into the credential scope, which is how moto routes it.
pub fn aws_call(
    port: u16,
    keys: &Keys,
    (service, region): (&str, &str),
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    aws_call_with(port, keys, (service, region), method, path, content_type, &[], body)
}

/// [`aws_call`] with extra headers (S3 Control takes the account id in `x-amz-account-id`).
#[allow(clippy::too_many_arguments)]
pub fn aws_call_with(
    port: u16,
    keys: &Keys,
    (service, region): (&str, &str),
    method: &str,
    path: &str,
    content_type: &str,
    extra: &[(&str, String)],
    body: &[u8],
) -> Response {
    let mut headers = vec![
        (
            "Authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={}/20250101/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
                keys.access_key
            ),
        ),
        ("X-Amz-Date", "20250101T000000Z".to_string()),
        ("Content-Type", content_type.to_string()),
    ];
    if let Some(t) = &keys.session_token {
        headers.push(("X-Amz-Security-Token", t.clone()));
    }
    headers.extend(extra.iter().cloned());
    request(port, method, path, &headers, body).unwrap_or_else(|e| panic!("{service} {method} {path} on moto: {e}"))
}

/// One HTTP request read from a client connection (for the proxy).
#[derive(Debug)]
pub struct IncomingRequest {
    pub head: String,
    pub body: Vec<u8>,
}

impl IncomingRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}

/// Reads one request (Content-Length bodies only, which is what the SDK sends for these operations).
pub fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<IncomingRequest>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        head.push_str(&line);
    }
    let mut req = IncomingRequest { head, body: Vec::new() };
    let len: usize = req.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    req.body = vec![0; len];
    reader.read_exact(&mut req.body)?;
    Ok(Some(req))
}
