//! The fast path for the shape findings arrive in by the hundred thousand: a GetFindings response
//! (`{"Findings": […], "NextToken": …}`) read field by field from the text, without a JSON tree. Its OCSF findings
//! (a GetFindingsV2 response, a page of stored findings of both formats) are read so too, by the OCSF reader (an
//! OCSF finding it cannot take, from a tree of its own). Anything else —
//! another shape, a key given twice, an item that is not a finding — returns `None` and the document takes the
//! general path, which reads it the same way and says what is wrong.

use super::asff::normalize;
use super::asff_scan;
use super::json_compact::compact;
use super::json_scan::{Bail, Kind, Scan, Scanner};
use super::ocsf;
use super::ocsf_scan;
use super::raw_json::RawJson;
use super::read::{Envelope, ReadOutcome, ReadProblem};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// Reads a GetFindings response, or `None` when the text is not one the fast path can take whole.
pub(super) fn read_findings_page(text: &str) -> Option<ReadOutcome> {
    scan_page(&mut Scanner::new(text), &mut Page { text, shared: None }).ok()
}

/// [`read_findings_page`] of a text the findings can keep: their JSON is the page's, without a copy.
pub(super) fn read_owned_page(text: &Arc<String>) -> Option<ReadOutcome> {
    scan_page(&mut Scanner::new(text), &mut Page { text, shared: Some(text.clone()) }).ok()
}

/// The page text, shared by its compact findings as their raw JSON (one copy for the page, made when needed).
struct Page<'a> {
    text: &'a str,
    shared: Option<Arc<String>>,
}

impl Page<'_> {
    fn raw(&mut self, range: Range<usize>) -> RawJson {
        let text = self.text;
        RawJson::in_page(self.shared.get_or_insert_with(|| Arc::new(text.to_owned())), range)
    }
}

/// `{"Findings": [finding, …], "NextToken": string or null}`, nothing else, in one pass.
fn scan_page(s: &mut Scanner, page: &mut Page) -> Scan<ReadOutcome> {
    let mut outcome = ReadOutcome::default();
    let (mut findings, mut token) = (false, false);
    s.begin_object()?;
    let mut first = true;
    while let Some(key) = s.next_key(&mut first)? {
        match key {
            "Findings" if !std::mem::replace(&mut findings, true) => scan_findings(s, page, &mut outcome)?,
            "NextToken" if !std::mem::replace(&mut token, true) => match s.kind()? {
                Kind::String if matches!(s.string()?, Cow::Borrowed(_)) => {}
                Kind::Other if s.value_text()? == "null" => {}
                _ => return Err(Bail),
            },
            _ => return Err(Bail),
        }
    }
    if !s.at_end() || outcome.findings.len() + outcome.problems.len() == 0 {
        return Err(Bail);
    }
    Ok(outcome)
}

/// Findings a page's text is taken to hold, to size the list once: about one per kilobyte, a GetFindings page at
/// most 100.
fn expected_findings(text_len: usize) -> usize {
    (text_len / 1024).clamp(1, 100)
}

fn scan_findings(s: &mut Scanner, page: &mut Page, outcome: &mut ReadOutcome) -> Scan<()> {
    outcome.findings.reserve(expected_findings(s.remaining()));
    s.begin_array()?;
    let mut first = true;
    for i in 0.. {
        if !s.next_item(&mut first)? {
            break;
        }
        if s.kind()? != Kind::Object {
            return Err(Bail);
        }
        let start = s.pos();
        s.take_spaced();
        // A page may hold both formats: an item that starts as OCSF findings do is read as one first.
        if ocsf_scan::starts_like_ocsf(s) {
            if let Some(fields) = ocsf_scan::read(s) {
                let raw = item_raw(s, page, start);
                push(ocsf::normalize_scanned(&fields, raw, &Envelope::default()), i, outcome);
                continue;
            }
        }
        let fields = asff_scan::finding(s)?;
        if !fields.is_finding_like() {
            // Not ASFF: an OCSF finding is read on its own; anything else sends the page down the general path,
            // which says what the item is.
            let raw = item_raw(s, page, start);
            let location = format!("$.Findings[{i}]");
            super::asff_tree::read_ocsf_item(s.slice(start, s.pos()), raw, &location, outcome).ok_or(Bail)?;
            continue;
        }
        let raw = item_raw(s, page, start);
        push(normalize(fields, raw, &Envelope::default()), i, outcome);
    }
    Ok(())
}

/// The raw JSON of the item just read, from `start`: the page's own text when it is compact.
fn item_raw(s: &mut Scanner, page: &mut Page, start: usize) -> RawJson {
    match s.take_spaced() {
        true => RawJson::inline(compact(s.slice(start, s.pos()))),
        false => page.raw(start..s.pos()),
    }
}

/// The finding read from item `i`, or why it could not be.
fn push(read: Result<super::Finding, String>, i: usize, outcome: &mut ReadOutcome) {
    match read {
        Ok(finding) => outcome.findings.push(finding),
        Err(reason) => outcome.problems.push(ReadProblem { location: format!("$.Findings[{i}]"), reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:eu-west-1:111111111111:x/1",
        "ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"security-control/S3.8",
        "AwsAccountId":"111111111111","Title":"Block \"public\" access","Severity":{"Label":"HIGH","Normalized":70},
        "Remediation":{"Recommendation":{"Text":"skipped [with] {brackets}","Url":"https://x"}},
        "Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::b","Tags":{"env":"prod","n":1},
        "Details":{"AwsS3Bucket":{"Name":"b", "Owner": null},"Other":[1,2]}}]}"#;

    #[test]
    fn a_getfindings_page_is_read_in_one_pass() {
        let page = format!(r#"{{"NextToken":"abc","Findings":[{FINDING},{FINDING}]}}"#);
        let outcome = read_findings_page(&page).expect("the fast path takes a GetFindings page");
        assert_eq!(outcome.findings.len(), 2);
        let f = &outcome.findings[0];
        assert_eq!(&*f.title, "Block \"public\" access", "escapes decoded");
        assert_eq!(f.severity, crate::model::Severity::High);
        assert_eq!(f.resources[0].tags.get("env").map(String::as_str), Some("prod"));
        assert_eq!(f.resources[0].tags.len(), 1, "non-string tag values are left out");
        assert_eq!(f.resources[0].details.as_deref(), Some(r#"{"AwsS3Bucket":{"Name":"b", "Owner": null}}"#));
        let raw = f.raw.text().expect("raw");
        assert!(raw.starts_with(r#"{"SchemaVersion":"2018-10-08","Id":"#) && !raw.contains('\n'), "{raw}");
    }

    #[test]
    fn compact_findings_share_their_page_until_it_is_spilled_once() {
        let compact: String = serde_json::from_str::<serde_json::Value>(FINDING).expect("json").to_string();
        let other = compact.replace("x/1", "x/2");
        let page = format!(r#"{{"Findings":[{compact},{other}]}}"#);
        let mut findings = read_findings_page(&page).expect("fast path").findings;
        assert!(format!("{:?}", findings[0].raw).contains("of a page"), "{:?}", findings[0].raw);
        assert_eq!(findings[1].raw.text().expect("raw"), other.as_str());
        for f in &mut findings {
            f.raw.spill();
            assert!(f.raw.is_spilled());
        }
        assert_eq!(findings[0].raw.text().expect("raw"), compact.as_str());
        assert_eq!(findings[1].raw.text().expect("raw"), other.as_str());
    }

    #[test]
    fn an_owned_page_is_shared_without_a_copy_and_freed_once_spilled() {
        let compact: String = serde_json::from_str::<serde_json::Value>(FINDING).expect("json").to_string();
        let page = Arc::new(format!(r#"{{"Findings":[{compact},{compact}]}}"#));
        let mut findings = read_owned_page(&page).expect("fast path").findings;
        assert_eq!(Arc::strong_count(&page), 3, "each finding holds the page");
        findings[0].raw.spill();
        findings[1].raw.spill();
        assert_eq!(Arc::strong_count(&page), 1, "the spill file does not keep the page");
        assert_eq!(findings[1].raw.text().expect("raw"), compact.as_str());
    }

    #[test]
    fn other_shapes_take_the_general_path() {
        for text in [
            format!(r#"{{"Findings":[{FINDING}],"Extra":1}}"#),
            format!(r#"{{"Findings":[{FINDING}],"NextToken":7}}"#),
            format!(r#"{{"Findings":[{FINDING}]}} trailing"#),
            format!(r#"{{"Findings":[{FINDING},3]}}"#),
            format!(r#"{{"Findings":[{FINDING}],"Findings":[]}}"#),
            r#"{"Findings":[]}"#.to_string(),
            format!("[{FINDING}]"),
            FINDING.replace(r#""Title""#, r#""Id":"again","Title""#),
            FINDING.replace(r#""Label":"HIGH""#, r#""Label":"HIGH","Label":"LOW""#),
            FINDING.replace(r#""env""#, r#""e\u006ev""#),
        ] {
            let page = if text.starts_with(r#"{"Findings""#) { text } else { format!(r#"{{"Findings":[{text}]}}"#) };
            assert!(read_findings_page(&page).is_none(), "{page}");
        }
        assert!(read_findings_page(&format!(r#"{{"Findings":[{FINDING}],"NextToken":null}}"#)).is_some());
    }
}
