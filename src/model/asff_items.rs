//! A list of findings read one item at a time: the `Findings` of a GetFindings response, or a top-level array, too
//! large to parse whole (the AWS CLI's export of 100,000 findings is 300 MB and more). Each item is read as the
//! general path reads it inside the whole document — the same findings, the same problems at the same locations —
//! by the one-pass scanner when it is a finding the scanner reads exactly, through a JSON tree of the item alone
//! otherwise.

use super::asff::normalize;
use super::asff_tree::{collect, collect_members, contains_finding, foreign_items_problem, not_a_finding_reason};
use super::json_compact::compact;
use super::json_scan::{Kind, Scanner};
use super::json_tree;
use super::raw_json::RawJson;
use super::read::{Envelope, ReadOutcome, ReadProblem};
use serde_json::Value;

/// Where a list of findings is in its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingList {
    /// Its JSON path: `$.Findings` or `$`.
    path: &'static str,
    /// Its depth in the document (as the general path counts it).
    depth: usize,
}

/// What one item of a list reads as.
#[derive(Debug, Default)]
pub struct ItemRead {
    pub outcome: ReadOutcome,
    /// Why the item is not read when it is an object that is not a finding (such items are named together, once
    /// per list, by [`FindingList::foreign_items`]).
    pub foreign: Option<String>,
}

impl FindingList {
    /// The `Findings` of a GetFindings response (`{"Findings": [...], ...}`).
    pub fn findings_member() -> Self {
        Self { path: "$.Findings", depth: 1 }
    }

    /// A document that is one array.
    pub fn top_level() -> Self {
        Self { path: "$", depth: 0 }
    }

    /// The list's JSON path.
    pub fn path(&self) -> &str {
        self.path
    }

    /// Reads item `index` of the list, whose text is `text` (exactly one JSON value: anything else is the error
    /// `serde_json` gives, with line and column within `text`).
    pub fn read_item(&self, index: usize, text: &str) -> Result<ItemRead, serde_json::Error> {
        self.read_item_keeping(index, text, true)
    }

    /// [`Self::read_item`]; `keep_json` false gives the findings no JSON of their own ([`RawJson::not_kept`]: for
    /// commands that never show or send it).
    pub fn read_item_keeping(&self, index: usize, text: &str, keep_json: bool) -> Result<ItemRead, serde_json::Error> {
        let mut read = ItemRead::default();
        read.foreign = self.read_item_into(index, text, keep_json, &mut read.outcome)?;
        Ok(read)
    }

    /// [`Self::read_item_keeping`], adding the item's findings and problems to `outcome` (a worker reads thousands of
    /// items into one); returns why the item is not read when it is an object that is not a finding.
    pub fn read_item_into(
        &self,
        index: usize,
        text: &str,
        keep_json: bool,
        outcome: &mut ReadOutcome,
    ) -> Result<Option<String>, serde_json::Error> {
        let location = || format!("{}[{index}]", self.path);
        if fast_item(text, &location, keep_json, outcome) {
            return Ok(None);
        }
        let location = location();
        let tree = json_tree::parse(text, &location)?;
        if tree.value.is_object() && !contains_finding(&tree.value, self.depth) {
            return Ok(Some(not_a_finding_reason(&tree.value)));
        }
        collect(&tree.value, &location, &Envelope::default(), self.depth + 1, &tree.duplicates, outcome);
        Ok(None)
    }

    /// One problem for the items of the list that are objects but not findings: their indices (in order), how many
    /// items the list has, and the reason the first of them gave.
    pub fn foreign_items(&self, indices: &[usize], total: usize, first_reason: &str) -> ReadProblem {
        foreign_items_problem(self.path, indices, total, first_reason)
    }
}

/// An item the scanner reads exactly as the general path would: one finding object (OCSF or ASFF), every field it
/// reads given once, keys without escapes; its finding or problem is added to `outcome`. False (and nothing added)
/// for anything else.
fn fast_item(text: &str, location: &dyn Fn() -> String, keep_json: bool, outcome: &mut ReadOutcome) -> bool {
    let mut s = Scanner::new(text);
    if s.kind() != Ok(Kind::Object) {
        return false;
    }
    let raw = |spaced: bool| match (keep_json, spaced) {
        (false, _) => RawJson::not_kept(),
        (true, true) => RawJson::inline(compact(text)),
        (true, false) => RawJson::inline(text.to_owned()),
    };
    let ocsf = super::ocsf_scan::starts_like_ocsf(&s).then(|| super::ocsf_scan::read(&mut s)).flatten();
    let normalized = match ocsf {
        Some(fields) => {
            let spaced = s.take_spaced();
            if !s.at_end() {
                return false;
            }
            super::ocsf::normalize_scanned(&fields, raw(spaced), &Envelope::default())
        }
        None => {
            let Ok(fields) = super::asff_scan::finding(&mut s) else { return false };
            let spaced = s.take_spaced();
            if !fields.is_finding_like() || !s.at_end() {
                return false;
            }
            normalize(fields, raw(spaced), &Envelope::default())
        }
    };
    match normalized {
        Ok(finding) => outcome.findings.push(finding),
        Err(reason) => outcome.problems.push(ReadProblem { location: location(), reason }),
    }
    true
}

/// Reads the members of a GetFindings response that follow its `Findings` list: `rest` is the text from just after
/// the list's `]` to the end of the document's object (`, "NextToken": "…"}`). Findings nested in them are read as the
/// general path reads them; a document that is itself a finding as well as a list of them is named.
pub fn read_members_after_findings(rest: &str) -> Result<ReadOutcome, serde_json::Error> {
    let text = format!("{{\"Findings\":[]{rest}");
    let tree = json_tree::parse(&text, "$")?;
    let mut outcome = ReadOutcome::default();
    let Value::Object(obj) = &tree.value else { return Ok(outcome) };
    if super::asff_tree::is_finding_like(obj) {
        outcome.problems.push(ReadProblem {
            location: "$".into(),
            reason: "the document has a Findings list and the fields of a finding too: only the list was read".into(),
        });
        return Ok(outcome);
    }
    collect_members(obj, "$", &Envelope::default(), 0, &tree.duplicates, &mut outcome);
    Ok(outcome)
}

#[cfg(test)]
#[path = "asff_items_tests.rs"]
mod tests;
