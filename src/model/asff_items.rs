//! A list of findings read one item at a time: the `Findings` of a GetFindings response, or a top-level array, too
//! large to parse whole (the AWS CLI's export of 100,000 findings is 300 MB and more). Each item is read as the
//! general path reads it inside the whole document — the same findings, the same problems at the same locations —
//! by the one-pass scanner when it is a finding the scanner reads exactly, through a JSON tree of the item alone
//! otherwise.

use super::asff::normalize;
use super::asff_tree::{collect, collect_members, contains_finding, foreign_items_problem, not_a_finding_reason};
use super::json_compact::compact;
use super::json_scan::{Kind, Scanner};
use super::json_split::{ArraySplit, Split};
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
        if fast_item(text, true, &location, keep_json, outcome).is_some() {
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

    /// Reads a run of the list's items that `text` holds whole: items separated by commas (and whitespace), `text`
    /// starting with the first and ending with the last. Items are numbered from 0 in problem locations and in
    /// `foreign` (the caller adds the number of the run's first item). `None` when `text` is not exactly such a run
    /// of objects, or holds one larger than `max_item` bytes or one that is not JSON: then nothing added to `outcome`
    /// or `foreign` may be used, and the caller reads the items one by one.
    pub fn read_run_into(
        &self,
        text: &str,
        max_item: u64,
        keep_json: bool,
        outcome: &mut ReadOutcome,
        foreign: &mut Vec<(usize, String)>,
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let skip_space = |mut pos: usize| {
            while bytes.get(pos).is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')) {
                pos += 1;
            }
            pos
        };
        let (mut pos, mut index) = (0, 0);
        loop {
            if bytes.get(pos) != Some(&b'{') {
                return None;
            }
            let rest = &text[pos..];
            let location = || format!("{}[{index}]", self.path);
            let len = match fast_item(rest, false, &location, keep_json, outcome) {
                Some(len) => len,
                None => {
                    let Split::Item(range) = ArraySplit::item_at(0).next(rest.as_bytes(), 0, true) else { return None };
                    let len = usize::try_from(range.end).ok()?;
                    if len as u64 > max_item {
                        return None;
                    }
                    foreign
                        .extend(self.read_item_into(index, &rest[..len], keep_json, outcome).ok()?.map(|r| (index, r)));
                    len
                }
            };
            if len as u64 > max_item {
                return None;
            }
            index += 1;
            pos = skip_space(pos + len);
            match bytes.get(pos) {
                None => return Some(index),
                Some(b',') => pos = skip_space(pos + 1),
                Some(_) => return None,
            }
        }
    }

    /// One problem for the items of the list that are objects but not findings: their indices (in order), how many
    /// items the list has, and the reason the first of them gave.
    pub fn foreign_items(&self, indices: &[usize], total: usize, first_reason: &str) -> ReadProblem {
        foreign_items_problem(self.path, indices, total, first_reason)
    }
}

/// An item the scanner reads exactly as the general path would: one finding object (OCSF or ASFF), every field it
/// reads given once, keys without escapes; its finding or problem is added to `outcome`. `whole`: `text` is exactly
/// the item (else it starts with the item and may go on past it). The length of the item, or `None` (and nothing
/// added) for anything else.
fn fast_item(
    text: &str,
    whole: bool,
    location: &dyn Fn() -> String,
    keep_json: bool,
    outcome: &mut ReadOutcome,
) -> Option<usize> {
    let mut s = Scanner::new(text);
    if s.kind() != Ok(Kind::Object) {
        return None;
    }
    let ocsf = super::ocsf_scan::starts_like_ocsf(&s).then(|| super::ocsf_scan::read(&mut s)).flatten();
    let asff = match ocsf {
        Some(_) => None,
        None => Some(super::asff_scan::finding(&mut s).ok().filter(|fields| fields.is_finding_like())?),
    };
    let spaced = s.take_spaced();
    let end = s.pos();
    if whole && !s.at_end() {
        return None;
    }
    let item = if whole { text } else { &text[..end] };
    let raw = match (keep_json, spaced) {
        (false, _) => RawJson::not_kept(),
        (true, true) => RawJson::inline(compact(item)),
        (true, false) => RawJson::inline(item.to_owned()),
    };
    let normalized = match (ocsf, asff) {
        (Some(fields), _) => super::ocsf::normalize_scanned(&fields, raw, &Envelope::default()),
        (None, Some(fields)) => normalize(fields, raw, &Envelope::default()),
        (None, None) => return None,
    };
    match normalized {
        Ok(finding) => outcome.findings.push(finding),
        Err(reason) => outcome.problems.push(ReadProblem { location: location(), reason }),
    }
    Some(if whole { text.len() } else { end })
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
