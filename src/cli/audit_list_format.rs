//! The three forms of `audit list`. The log carries text from findings and resources (names, messages quoting AWS
//! errors), so every form is inert: the table and CSV cells are sanitised single lines, CSV cells that a spreadsheet
//! would run as a formula start with `'`, and JSON has every hidden character written as its escape.

use super::audit_list::{event_name, Entry};
use crate::engine::audit::{AuditRecord, AuditResult};
use crate::model::sanitize::{json_escape_hidden, single_line};

/// The columns of the table.
const TABLE_HEADER: [&str; 9] =
    ["TIME", "EVENT", "RESULT", "JOB", "ACCOUNT", "REGION", "CONTROL", "RESOURCE", "MESSAGE"];

/// The columns of the CSV form.
const CSV_HEADER: [&str; 14] = [
    "time",
    "event",
    "result",
    "job",
    "operator",
    "account_id",
    "region",
    "control_id",
    "resource_type",
    "resource",
    "playbook",
    "fingerprint",
    "findings",
    "message",
];

fn result_name(result: AuditResult) -> String {
    serde_json::to_value(result).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn time(r: &AuditRecord) -> String {
    r.time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One sanitised single line per record, in columns; the message last and unpadded.
pub fn table(entries: &[&Entry]) -> String {
    let rows: Vec<[String; 9]> = entries
        .iter()
        .map(|e| {
            let r = &e.record;
            let or_dash = |s: &str| if s.is_empty() { "-".to_string() } else { single_line(s) };
            [
                time(r),
                event_name(r.event),
                result_name(r.result),
                or_dash(r.job.as_deref().unwrap_or_default()),
                or_dash(&r.account_id),
                or_dash(&r.region),
                or_dash(r.control_id.as_deref().unwrap_or_default()),
                or_dash(&r.resource),
                single_line(&r.message),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = TABLE_HEADER.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = TABLE_HEADER.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(header.as_slice()).chain(rows.iter().map(|r| r.as_slice())) {
        let last = row.len() - 1;
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One CSV cell (RFC 4180): sanitised to one line; a cell a spreadsheet would take for a formula (starting with
/// `=`, `+`, `-` or `@`) starts with `'`; quoted when it holds a comma or a double quote.
pub fn csv_cell(text: &str) -> String {
    let mut cell = single_line(text);
    if cell.starts_with(['=', '+', '-', '@']) {
        cell.insert(0, '\'');
    }
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// A header line and one line per record, CRLF-terminated (RFC 4180).
pub fn csv(entries: &[&Entry]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for e in entries {
        let r = &e.record;
        let findings: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
        let cells = [
            time(r),
            event_name(r.event),
            result_name(r.result),
            r.job.clone().unwrap_or_default(),
            r.operator.clone(),
            r.account_id.clone(),
            r.region.clone(),
            r.control_id.clone().unwrap_or_default(),
            r.resource_type.clone(),
            r.resource.clone(),
            r.playbook.clone().unwrap_or_default(),
            r.fingerprint.clone().unwrap_or_default(),
            findings.join(" "),
            r.message.clone(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A JSON array of the records as the log holds them (chain fields included), every hidden char escaped.
pub fn json(entries: &[&Entry]) -> String {
    if entries.is_empty() {
        return "[]\n".into();
    }
    let lines: Vec<String> =
        entries.iter().map(|e| format!("  {}", json_escape_hidden(&exact_or_compact(e.raw)))).collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

/// The line as it is; re-encoded compactly only when it holds a tab or carriage return between its tokens (a line
/// edited by hand), which the escaping of hidden characters would turn into invalid JSON.
fn exact_or_compact(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains(['\t', '\r']) {
        return std::borrow::Cow::Borrowed(raw);
    }
    serde_json::from_str::<serde_json::Value>(raw)
        .and_then(|v| serde_json::to_string(&v))
        .map(std::borrow::Cow::Owned)
        .unwrap_or(std::borrow::Cow::Borrowed(raw))
}
