//! The decision log of `watch`: one JSON line per decision on stderr (received, verdict, applied, verified, skipped
//! with the reason, deleted, left to the queue), for people tailing it and for log pipelines. Every char a terminal
//! would not show as it is is written as its JSON escape: finding text cannot reach a terminal raw.

use crate::model::sanitize::json_escape_hidden;
use chrono::Utc;
use serde::Serialize;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// One line of the decision log. Empty fields are left out.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Decision {
    /// `received`, `unreadable`, `verdict`, `skipped`, `checking` (a job took its slot and re-reads its resource),
    /// `applying`, `applied`, `verified`, `failed`, `deleted`, `left`, `sync`, `source`, `stopping`, `stopped`.
    pub event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// What kind of event the message carried (`imported`, `imported-v2`, `custom-action`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// The audit log's job id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receive_count: Option<u32>,
}

impl Decision {
    pub fn new(event: &'static str) -> Self {
        Self { event, ..Self::default() }
    }

    pub fn message(mut self, id: &str) -> Self {
        self.message_id = Some(id.to_string());
        self
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The finding's identity, place, control and resource.
    pub fn finding(mut self, f: &crate::model::Finding) -> Self {
        self.finding = Some(f.public_id().to_string());
        self.account = Some(f.account_id.to_string());
        self.region = Some(f.region.to_string());
        self.control = f.control_id.as_deref().map(str::to_string);
        self.resource = f.resources.first().map(|r| r.id.to_string());
        self
    }
}

/// Where decisions go: stderr, or a buffer a test reads.
#[derive(Clone)]
pub struct DecisionLog {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl DecisionLog {
    /// Lines to stderr.
    pub fn stderr() -> Self {
        Self::to(Box::new(std::io::stderr()))
    }

    /// Lines to any writer.
    pub fn to(sink: Box<dyn Write + Send>) -> Self {
        Self { sink: Arc::new(Mutex::new(sink)) }
    }

    /// Writes one decision as a JSON line, with the time.
    pub fn write(&self, decision: &Decision) {
        #[derive(Serialize)]
        struct Line<'a> {
            time: String,
            #[serde(flatten)]
            decision: &'a Decision,
        }
        let line = Line { time: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true), decision };
        let Ok(json) = serde_json::to_string(&line) else { return };
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        // Nowhere is left to report a failed write to the log itself.
        let _ = writeln!(sink, "{}", json_escape_hidden(&json));
        let _ = sink.flush();
    }
}

/// A writer whose lines a test can read back.
#[derive(Clone, Default)]
pub struct SharedBuffer(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// Every line written so far, parsed.
    pub fn lines(&self) -> Vec<serde_json::Value> {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8_lossy(&bytes).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
