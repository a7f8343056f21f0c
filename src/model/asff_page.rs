//! The fast path for the shape findings arrive in by the hundred thousand: a GetFindings response
//! (`{"Findings": […], "NextToken": …}`) read field by field from the text, without a JSON tree. Anything else —
//! another shape, a key given twice, an item that is not a finding — returns `None` and the document takes the
//! general path, which reads it the same way and says what is wrong.

use super::asff::{normalize, Envelope, ReadOutcome, ReadProblem};
use super::asff_fields::FindingFields;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page<'a> {
    #[serde(borrow, rename = "Findings")]
    findings: Vec<&'a RawValue>,
    #[serde(borrow, rename = "NextToken", default)]
    _next_token: Option<&'a str>,
}

/// Reads a GetFindings response, or `None` when the text is not one the fast path can take whole.
pub(super) fn read_findings_page(text: &str) -> Option<ReadOutcome> {
    let page: Page = serde_json::from_str(text).ok()?;
    if page.findings.is_empty() {
        return None;
    }
    let mut outcome = ReadOutcome::default();
    for (i, item) in page.findings.iter().enumerate() {
        let json = item.get();
        if !json.starts_with('{') {
            return None;
        }
        let fields: FindingFields = serde_json::from_str(json).ok()?;
        if !fields.is_finding_like() {
            return None;
        }
        match normalize(fields, compact(json).into_owned(), &Envelope::default()) {
            Ok(finding) => outcome.findings.push(finding),
            Err(reason) => outcome.problems.push(ReadProblem { location: format!("$.Findings[{i}]"), reason }),
        }
    }
    Some(outcome)
}

/// JSON without the whitespace between tokens. Compact input (what APIs send) is returned as is: it has no line
/// breaks, since a line break inside a JSON string is always escaped.
fn compact(json: &str) -> Cow<'_, str> {
    if !json.as_bytes().contains(&b'\n') {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_whole() {
        let pretty = "{\n  \"Title\": \"a  b \\\" c\",\n  \"N\": [ 1, 2 ]\n}";
        assert_eq!(compact(pretty), "{\"Title\":\"a  b \\\" c\",\"N\":[1,2]}");
        assert!(matches!(compact("{\"a\": 1}"), Cow::Borrowed(_)));
    }
}
