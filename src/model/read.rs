//! Findings of either format from every shape they are exported in, mixed freely: ASFF (Security Hub CSPM,
//! `GetFindings`) and OCSF (the new Security Hub, `GetFindingsV2`). A single finding, an array, a GetFindings or
//! GetFindingsV2 response, EventBridge events (`detail.findings`, "Security Hub Findings - Imported" and "Findings
//! Imported V2"), JSON Lines, and findings nested inside wrapper objects such as recorded API responses.
//!
//! Each finding object is told apart by its own fields (ASFF: `ProductArn` and a field only findings carry; OCSF:
//! two of `metadata`, `class_uid`, `finding_info`), so one page may hold both. A GetFindings page of ASFF findings
//! takes the one-pass scanner; anything else a JSON tree.

use super::json_tree::Duplicates;
use super::Finding;
use serde_json::Value;
use std::sync::Arc;

/// Something in the input that could not be read as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// Where: a JSON path such as `$.Findings[3]` or `line 7`.
    pub location: String,
    /// Why, in words a user can act on.
    pub reason: String,
}

/// Findings read from one document, and what could not be read.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<ReadProblem>,
}

/// Context inherited from an enclosing EventBridge event.
#[derive(Debug, Clone, Default)]
pub(super) struct Envelope {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// A UTF-8 byte-order mark, which some editors put at the start of a file (JSON itself has none).
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Reads one document of findings in either format: JSON, or JSON Lines when the whole text is not one JSON value.
/// A byte-order mark at its start is skipped.
pub fn read_any(text: &str) -> ReadOutcome {
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
    super::asff_page::read_findings_page(text).unwrap_or_else(|| super::asff_tree::read_general(text))
}

/// [`read_any`] of a text the findings may keep: the ASFF findings of a GetFindings response (or of a page the
/// store writes, `{"Findings":[…]}`) share it as their JSON rather than each taking a copy. The reader for a page or
/// document of stored findings, whatever their format.
pub fn read_any_document(mut text: String) -> ReadOutcome {
    if text.starts_with(BYTE_ORDER_MARK) {
        text.drain(..BYTE_ORDER_MARK.len_utf8());
    }
    let text = Arc::new(text);
    super::asff_page::read_owned_page(&text).unwrap_or_else(|| super::asff_tree::read_general(&text))
}

/// Reads findings in either format from an already parsed JSON value (any of the shapes [`read_any`] accepts).
pub fn read_any_value(value: &Value) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    super::asff_tree::collect(value, "$", &Envelope::default(), 0, &Duplicates::default(), &mut outcome);
    outcome
}
