//! An OCSF finding's fields read in one pass of the [`Scanner`], straight into the slots the reader uses
//! ([`Scanned`]): the members `ocsf::normalize` looks up are kept (text borrowed from the finding's JSON unless it
//! holds an escape), everything else — observables, evidences, remediation, vulnerabilities, unmapped data — is
//! skipped without being built.
//!
//! It takes only what it reads exactly as the tree reader does, so both give the same finding: a member of another
//! type than expected (text that is a number, an object that is null, a number that is not a plain whole number),
//! a known key given twice, an escaped key or an ASFF `ProductArn` leave the finding to the tree, which says what is
//! wrong with it.

use super::asff_scan::{members, once};
use super::json_scan::{Bail, Kind, Scan, Scanner};
use super::ocsf_details::{part, Part};
use super::ocsf_paths::{Int, Text};
use super::ocsf_resources::is_details_key;
use std::borrow::Cow;

/// Some text of the finding's JSON, decoded.
type Str<'a> = Option<Cow<'a, str>>;

/// What the one-pass reader keeps of an OCSF finding. `None` is a member absent or null.
#[derive(Default)]
pub(super) struct Scanned<'a> {
    pub texts: [Str<'a>; Text::COUNT],
    pub ints: [Option<i64>; Int::COUNT],
    /// `finding_info.types`: each item's text, `None` for an item that is not text.
    pub types: Option<Vec<Str<'a>>>,
    /// `resources`: `None` for an item that is not an object.
    pub resources: Option<Vec<Option<ScannedResource<'a>>>>,
    /// How many of `metadata`, `class_uid` and `finding_info` the object gives (two make it a finding).
    marks: u8,
}

/// What the one-pass reader keeps of an entry of `resources`.
#[derive(Default)]
pub(super) struct ScannedResource<'a> {
    pub kind: Str<'a>,
    pub uid: Str<'a>,
    pub uid_alt: Str<'a>,
    pub region: Str<'a>,
    /// `owner.account.uid`.
    pub owner: Str<'a>,
    /// `tags`, as `{name, value}` pairs.
    pub tags: Vec<(Cow<'a, str>, Str<'a>)>,
    /// `data`, with only its members under the names playbooks take details from.
    pub data: Option<Vec<(String, Part)>>,
}

impl<'a> Scanned<'a> {
    fn text(&mut self, member: Text) -> &mut Str<'a> {
        &mut self.texts[member as usize]
    }

    fn int(&mut self, member: Int) -> &mut Option<i64> {
        &mut self.ints[member as usize]
    }
}

/// Whether the object at the scanner starts as OCSF findings do, with a snake_case member (ASFF's are PascalCase):
/// such an object is given to [`read`] first, without a pass of the ASFF reader over it.
pub(super) fn starts_like_ocsf(s: &Scanner) -> bool {
    let mut probe = s.clone();
    probe.begin_object().is_ok()
        && probe.next_key(&mut true).ok().flatten().is_some_and(|key| key.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// The OCSF finding object at the scanner, read in one pass; the scanner is then past it. `None` (the scanner left
/// where it was) for an object that is not an OCSF finding or that the one-pass reader leaves to the tree.
pub(super) fn read<'a>(s: &mut Scanner<'a>) -> Option<Scanned<'a>> {
    let mut probe = s.clone();
    let scanned = finding(&mut probe).ok().filter(|f| f.marks >= 2)?;
    *s = probe;
    Some(scanned)
}

/// `Some(bit)`, for the duplicate check, once `read` is done.
fn at(bit: u32, read: Scan<()>) -> Scan<Option<u32>> {
    read.map(|()| Some(bit))
}

/// A null, read as absent; any other value bails.
fn null(s: &mut Scanner) -> Scan<()> {
    match s.value_text()? {
        "null" => Ok(()),
        _ => Err(Bail),
    }
}

fn text<'a>(s: &mut Scanner<'a>, slot: &mut Str<'a>) -> Scan<()> {
    match s.kind()? {
        Kind::String => *slot = Some(s.string()?),
        _ => null(s)?,
    }
    Ok(())
}

/// A plain whole number (at most 18 digits), which every reader reads as the same `i64`. `-0` is not one: to
/// `serde_json` it is a float.
pub(super) fn whole(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|d| d.is_ascii_digit());
    (plain && text != "-0").then(|| text.parse().ok()).flatten()
}

fn integer(s: &mut Scanner, slot: &mut Option<i64>) -> Scan<()> {
    match s.kind()? {
        Kind::Number => *slot = Some(whole(s.value_text()?).ok_or(Bail)?),
        _ => null(s)?,
    }
    Ok(())
}

/// An object on the way to the members read, each through `member` (`Some(bit)` for a known key, whose value it
/// read; `None` for another, skipped). Anything but an object bails: the tree reader says what is wrong with it.
fn object<'a>(s: &mut Scanner<'a>, mut member: impl FnMut(&mut Scanner<'a>, &'a str) -> Scan<Option<u32>>) -> Scan<()> {
    if s.kind()? != Kind::Object {
        return Err(Bail);
    }
    members(s, |s, key, seen| match member(s, key)? {
        Some(bit) => once(seen, bit).map(|()| true),
        None => Ok(false),
    })
}

/// A list whose items are read by `item` (`None` when absent or null).
fn list<'a, T>(s: &mut Scanner<'a>, mut item: impl FnMut(&mut Scanner<'a>) -> Scan<T>) -> Scan<Option<Vec<T>>> {
    if s.kind()? != Kind::Array {
        return null(s).map(|()| None);
    }
    s.begin_array()?;
    let (mut first, mut items) = (true, Vec::new());
    while s.next_item(&mut first)? {
        items.push(item(s)?);
    }
    Ok(Some(items))
}

/// The finding object at the scanner.
fn finding<'a>(s: &mut Scanner<'a>) -> Scan<Scanned<'a>> {
    let mut f = Scanned::default();
    object(s, |s, key| match key {
        "metadata" => {
            f.marks += 1;
            at(0, metadata(s, &mut f))
        }
        "finding_info" => {
            f.marks += 1;
            at(1, finding_info(s, &mut f))
        }
        "class_uid" => {
            f.marks += 1;
            at(2, integer(s, f.int(Int::ClassUid)))
        }
        "cloud" => at(
            3,
            object(s, |s, key| match key {
                "account" => at(0, account_uid(s, f.text(Text::AccountUid))),
                "region" => at(1, text(s, f.text(Text::Region))),
                _ => Ok(None),
            }),
        ),
        "compliance" => at(
            4,
            object(s, |s, key| match key {
                "control" => at(0, text(s, f.text(Text::Control))),
                "status" => at(1, text(s, f.text(Text::ComplianceStatus))),
                "status_id" => at(2, integer(s, f.int(Int::ComplianceStatusId))),
                _ => Ok(None),
            }),
        ),
        "resources" => at(5, list(s, resource).map(|r| f.resources = r)),
        "severity" => at(6, text(s, f.text(Text::Severity))),
        "severity_id" => at(7, integer(s, f.int(Int::SeverityId))),
        "status" => at(8, text(s, f.text(Text::Status))),
        "status_id" => at(9, integer(s, f.int(Int::StatusId))),
        "class_name" => at(10, text(s, f.text(Text::ClassName))),
        "time" => at(11, integer(s, f.int(Int::Time))),
        "time_dt" => at(12, text(s, f.text(Text::TimeDt))),
        // An object that is ASFF as well: the tree reader decides which it is.
        "ProductArn" => Err(Bail),
        _ => Ok(None),
    })?;
    Ok(f)
}

fn metadata<'a>(s: &mut Scanner<'a>, f: &mut Scanned<'a>) -> Scan<()> {
    object(s, |s, key| match key {
        "uid" => at(0, text(s, f.text(Text::MetadataUid))),
        "product" => at(
            1,
            object(s, |s, key| match key {
                "uid" => at(0, text(s, f.text(Text::ProductUid))),
                "name" => at(1, text(s, f.text(Text::ProductName))),
                "vendor_name" => at(2, text(s, f.text(Text::ProductVendor))),
                _ => Ok(None),
            }),
        ),
        _ => Ok(None),
    })
}

fn finding_info<'a>(s: &mut Scanner<'a>, f: &mut Scanned<'a>) -> Scan<()> {
    object(s, |s, key| match key {
        "uid" => at(0, text(s, f.text(Text::FindingUid))),
        "title" => at(1, text(s, f.text(Text::Title))),
        "desc" => at(2, text(s, f.text(Text::Desc))),
        "types" => {
            let item = |s: &mut Scanner<'a>| match s.kind()? {
                Kind::String => s.string().map(Some),
                _ => s.skip_value().map(|()| None),
            };
            at(3, list(s, item).map(|types| f.types = types))
        }
        "analytic" => at(
            4,
            object(s, |s, key| match key {
                "uid" => at(0, text(s, f.text(Text::AnalyticUid))),
                "name" => at(1, text(s, f.text(Text::AnalyticName))),
                _ => Ok(None),
            }),
        ),
        "created_time" => at(5, integer(s, f.int(Int::Created))),
        "created_time_dt" => at(6, text(s, f.text(Text::CreatedDt))),
        "modified_time" => at(7, integer(s, f.int(Int::Modified))),
        "modified_time_dt" => at(8, text(s, f.text(Text::ModifiedDt))),
        "first_seen_time" => at(9, integer(s, f.int(Int::FirstSeen))),
        "first_seen_time_dt" => at(10, text(s, f.text(Text::FirstSeenDt))),
        _ => Ok(None),
    })
}

/// `account.uid` of the object at the scanner (`cloud` or a resource's `owner`).
fn account_uid<'a>(s: &mut Scanner<'a>, slot: &mut Str<'a>) -> Scan<()> {
    object(s, |s, key| match key {
        "uid" => at(0, text(s, slot)),
        _ => Ok(None),
    })
}

/// An entry of `resources` (`None` when it is not an object).
fn resource<'a>(s: &mut Scanner<'a>) -> Scan<Option<ScannedResource<'a>>> {
    if s.kind()? != Kind::Object {
        return s.skip_value().map(|()| None);
    }
    let mut r = ScannedResource::default();
    object(s, |s, key| match key {
        "type" => at(0, text(s, &mut r.kind)),
        "uid" => at(1, text(s, &mut r.uid)),
        "uid_alt" => at(2, text(s, &mut r.uid_alt)),
        "region" => at(3, text(s, &mut r.region)),
        "owner" => at(
            4,
            object(s, |s, key| match key {
                "account" => at(0, account_uid(s, &mut r.owner)),
                _ => Ok(None),
            }),
        ),
        "tags" => at(5, list(s, tag).map(|tags| r.tags = tags.unwrap_or_default())),
        "data" => at(6, data(s).map(|data| r.data = data)),
        _ => Ok(None),
    })?;
    Ok(Some(r))
}

/// A `{name, value}` tag: a text name, a text or null value (or none).
fn tag<'a>(s: &mut Scanner<'a>) -> Scan<(Cow<'a, str>, Str<'a>)> {
    let (mut name, mut value) = (None, None);
    object(s, |s, key| match key {
        "name" => match s.kind()? {
            Kind::String => at(0, s.string().map(|n| name = Some(n))),
            _ => Err(Bail),
        },
        "value" => at(1, text(s, &mut value)),
        _ => Ok(None),
    })?;
    Ok((name.ok_or(Bail)?, value))
}

/// A resource's `data`: only its members under the names playbooks take details from, in the order given; the rest
/// is skipped.
fn data(s: &mut Scanner) -> Scan<Option<Vec<(String, Part)>>> {
    if s.kind()? != Kind::Object {
        return null(s).map(|()| None);
    }
    s.begin_object()?;
    let (mut first, mut kept) = (true, Vec::new());
    while let Some(key) = s.next_key(&mut first)? {
        if !is_details_key(key) {
            s.skip_value()?;
            continue;
        }
        if kept.iter().any(|(k, _)| k == key) {
            return Err(Bail);
        }
        kept.push((key.to_owned(), part(s)?));
    }
    Ok(Some(kept))
}

#[cfg(test)]
#[path = "ocsf_scan_tests.rs"]
mod tests;
