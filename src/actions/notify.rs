//! `sns` actions: publish a finding to a topic, as a summary or as the finding's JSON.

use super::config::SnsFormat;
use super::output::Output;
use super::template::Placeholder;
use crate::cloud::updates::bounded_subject;
use crate::cloud::{Notification, Notifier};
use crate::model::{sanitize, Finding};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The message for a finding. The summary carries the facts (no verdict: that is this tool's opinion, not the
/// finding's); `json` the finding as Security Hub gave it.
pub fn notification(action: &str, format: SnsFormat, operator: &str, finding: &Finding) -> Notification {
    let v = |p: Placeholder| p.value(finding);
    let resource = v(Placeholder::ResourceId);
    let control = v(Placeholder::Control);
    let what = if control.is_empty() { String::new() } else { format!("{control} ") };
    // SNS subjects are at most 100 printable ASCII characters.
    let subject =
        bounded_subject(&format!("[{}] {what}{resource}: {}", v(Placeholder::Severity), v(Placeholder::Title)));
    let body = match format {
        SnsFormat::Summary => json!({
            "event": "action",
            "action": sanitize::single_line(action),
            "operator": sanitize::single_line(operator),
            "finding": v(Placeholder::Id),
            "product_arn": v(Placeholder::ProductArn),
            "title": v(Placeholder::Title),
            "severity": v(Placeholder::Severity),
            "account": v(Placeholder::Account),
            "region": v(Placeholder::Region),
            "resource": v(Placeholder::ResourceArn),
            "resource_type": v(Placeholder::ResourceType),
            "control": (!control.is_empty()).then(|| control.clone()),
            "workflow": v(Placeholder::Workflow),
        }),
        // The raw JSON as received; should it not parse (it always should), the text itself.
        SnsFormat::Json => match finding.raw.text() {
            Ok(raw) => serde_json::from_str(&raw).unwrap_or_else(|_| Value::String(raw.into_owned())),
            Err(e) => Value::String(format!("(the finding's JSON cannot be read: {e})")),
        },
    };
    let mut attributes = BTreeMap::new();
    attributes.insert("event".to_string(), "action".to_string());
    attributes.insert("action".to_string(), sanitize::single_line(action));
    attributes.insert("severity".to_string(), v(Placeholder::Severity));
    // SNS rejects empty attribute values.
    if !control.is_empty() {
        attributes.insert("control_id".to_string(), control);
    }
    Notification { subject, body, attributes }
}

/// Publishes every finding; `Ok` when all were published.
pub async fn publish_all(
    notifier: &dyn Notifier,
    action: &str,
    topic_arn: &str,
    format: SnsFormat,
    operator: &str,
    findings: &[&Finding],
    out: &mut Output<'_>,
) -> Result<String, String> {
    let mut failures = Vec::new();
    for finding in findings {
        let resource = Placeholder::ResourceId.value(finding);
        match notifier.publish(topic_arn, &notification(action, format, operator, finding)).await {
            Ok(()) => out.line(&format!("published {resource} to {topic_arn}")),
            Err(e) => {
                out.line(&format!("{resource}: {e}"));
                failures.push(format!("{resource}: {e}"));
            }
        }
    }
    let total = findings.len();
    if failures.is_empty() {
        Ok(format!("published {total} finding(s) to {topic_arn}"))
    } else {
        Err(format!("{} of {total} publish(es) to {topic_arn} failed: {}", failures.len(), failures.join("; ")))
    }
}
