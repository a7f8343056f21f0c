//! A proxy in front of moto that answers some requests with faults (denied AssumeRole, throttling, expired
//! credentials), hangs up on them or stalls them, and forwards the rest. One request per connection
//! (`Connection: close`), which the SDK's HTTP client handles.

use super::http::{read_request, IncomingRequest};
use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A canned answer, or a connection closed without one.
pub struct Fault {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long the request is held before the answer (or the hang-up).
    pub delay: Duration,
    /// Close the connection without a byte of answer (after `delay`).
    pub hang_up: bool,
    /// Pass the request on after `delay` instead of answering it (a slow server, not a failing one).
    pub forward: bool,
}

impl Fault {
    fn answer(status: u16, headers: Vec<(String, String)>, body: String) -> Self {
        Self { status, headers, body, delay: Duration::ZERO, hang_up: false, forward: false }
    }

    /// The request is held for `delay`, then passed on to moto as usual (a slow server).
    pub fn slow(delay: Duration) -> Self {
        Self { delay, forward: true, ..Self::answer(0, Vec::new(), String::new()) }
    }

    /// S3 asking the caller to slow down (HTTP 503 `SlowDown`), as it answers a burst of requests; the SDK retries it.
    pub fn s3_slow_down() -> Self {
        Self::answer(
            503,
            vec![("Content-Type".into(), "application/xml".into())],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>\
             <Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>"
                .into(),
        )
    }

    /// A successful answer with a JSON body, for an operation moto lacks, shaped as AWS answers it.
    pub fn ok_json(content_type: &str, body: String) -> Self {
        Self::answer(200, vec![("Content-Type".into(), content_type.into())], body)
    }

    /// The connection is closed as soon as the request is read, with no answer (a server or load balancer going
    /// away mid-request).
    pub fn hang_up() -> Self {
        Self { hang_up: true, ..Self::answer(0, Vec::new(), String::new()) }
    }

    /// The request is held for `delay`, then the connection is closed with no answer (a hung server).
    pub fn stall(delay: Duration) -> Self {
        Self { delay, ..Self::hang_up() }
    }

    /// Security Hub (restJson1) rejecting expired temporary credentials, as AWS answers: HTTP 403 with the code in
    /// `x-amzn-ErrorType`.
    pub fn expired_token() -> Self {
        Self::answer(
            403,
            vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "x-amzn-ErrorType".into(),
                    "ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/".into(),
                ),
            ],
            r#"{"message":"The security token included in the request is expired"}"#.into(),
        )
    }

    /// STS AccessDenied, as AWS answers a denied AssumeRole.
    pub fn sts_access_denied() -> Self {
        Self::answer(
            403,
            vec![("Content-Type".into(), "text/xml".into())],
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                   <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/test is not authorized to \
                   perform: sts:AssumeRole</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
                .into(),
        )
    }

    /// AccessDenied from the Resource Groups Tagging API (awsJson1.1), as AWS answers a caller without
    /// `tag:GetResources`.
    pub fn tagging_access_denied() -> Self {
        Self::answer(
            400,
            vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
            r#"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: tag:GetResources"}"#
                .into(),
        )
    }

    /// Security Hub throttling (restJson1).
    pub fn throttling() -> Self {
        Self::answer(
            429,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("x-amzn-ErrorType".into(), "TooManyRequestsException".into()),
            ],
            r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#.into(),
        )
    }
}

impl Fault {
    /// A Security Hub (restJson1) error as AWS answers it: the code in `x-amzn-ErrorType` and the body.
    fn security_hub_error(status: u16, code: &str, message: &str) -> Self {
        Self::answer(
            status,
            vec![("Content-Type".into(), "application/json".into()), ("x-amzn-ErrorType".into(), code.into())],
            serde_json::json!({ "__type": code, "message": message }).to_string(),
        )
    }

    /// The new Security Hub throttling (GetFindingsV2 and the other V2 operations answer `ThrottlingException`).
    pub fn v2_throttling() -> Self {
        Self::security_hub_error(429, "ThrottlingException", "Rate exceeded")
    }

    /// Security Hub denying the caller (no `securityhub:GetFindings` allowing GetFindingsV2, say).
    pub fn security_hub_access_denied() -> Self {
        Self::security_hub_error(
            403,
            "AccessDeniedException",
            "User: arn:aws:sts::444444444444:assumed-role/HubtriageAudit/s is not authorized to perform: \
             securityhub:GetFindings",
        )
    }
}

pub type Rule = dyn Fn(&IncomingRequest) -> Option<Fault> + Send + Sync;

pub struct FaultProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn serve(client: TcpStream, upstream: u16, rule: &Rule) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let Some(req) = read_request(&mut reader)? else { return Ok(()) };
    if let Some(fault) = rule(&req).filter(|fault| {
        std::thread::sleep(fault.delay);
        !fault.forward
    }) {
        if fault.hang_up {
            return client.shutdown(Shutdown::Both);
        }
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            fault.status,
            reason(fault.status),
            fault.body.len()
        );
        for (k, v) in &fault.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        client.write_all(head.as_bytes())?;
        client.write_all(fault.body.as_bytes())?;
        return client.flush();
    }
    let mut head: String = req
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    head.push_str("Connection: close\r\n\r\n");
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(head.as_bytes())?;
    up.write_all(&req.body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    client.write_all(&answer)?;
    client.flush()
}

/// Starts a proxy to moto on `upstream`; `rule` decides which requests fail.
pub fn start(upstream: u16, rule: Arc<Rule>) -> FaultProxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let port = listener.local_addr().expect("proxy addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let rule = rule.clone();
            std::thread::spawn(move || {
                let _ = serve(conn, upstream, rule.as_ref());
            });
        }
    });
    FaultProxy { port, stop }
}

/// The account id in an STS AssumeRole request body, if it is one.
pub fn assume_role_account(req: &IncomingRequest) -> Option<String> {
    let body = String::from_utf8_lossy(&req.body);
    if !body.contains("Action=AssumeRole") {
        return None;
    }
    let arn = body.split('&').find_map(|kv| kv.strip_prefix("RoleArn="))?;
    let arn = arn.replace("%3A", ":").replace("%3a", ":");
    arn.split(':').nth(4).map(String::from)
}

/// Whether the request is a Security Hub GetFindings call (restJson1: POST /findings).
pub fn is_get_findings(req: &IncomingRequest) -> bool {
    req.head.starts_with("POST /findings ")
}

/// Whether the request is a GetFindingsV2 call (restJson1: POST /findingsv2).
pub fn is_get_findings_v2(req: &IncomingRequest) -> bool {
    req.head.starts_with("POST /findingsv2 ")
}

/// The region of a request's credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`).
pub fn region(req: &IncomingRequest) -> Option<String> {
    let auth = req.header("authorization")?;
    let credential = auth.split("Credential=").nth(1)?;
    credential.split('/').nth(2).map(String::from)
}

/// Whether the request is an S3 call on `bucket` (path-style, as the product's S3 clients send them).
pub fn is_bucket_call(req: &IncomingRequest, bucket: &str) -> bool {
    let path = req.head.split_whitespace().nth(1).unwrap_or_default();
    path.strip_prefix('/')
        .and_then(|p| p.strip_prefix(bucket))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '/']))
}

/// Whether the request is a Resource Groups Tagging API GetResources call (awsJson1.1: the operation is in
/// `X-Amz-Target`).
pub fn is_tagging_get_resources(req: &IncomingRequest) -> bool {
    req.header("x-amz-target").is_some_and(|t| t.ends_with(".GetResources"))
}

/// Whether the request is an EC2 DescribeTags call (awsQuery: the action is in the form body).
pub fn is_describe_tags(req: &IncomingRequest) -> bool {
    String::from_utf8_lossy(&req.body).contains("Action=DescribeTags")
}
