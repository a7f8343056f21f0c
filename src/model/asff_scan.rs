//! A finding's fields read in one pass of the [`Scanner`], leniently and exactly as the serde path of
//! `asff_fields` reads them: a value of another type reads as absent, a non-object where an object is expected as
//! empty, non-objects in lists are kept as empty items. A key given twice bails (serde refuses it too), and the
//! general path reads the document.

use super::asff_fields::{
    ComplianceFields, DetailsFields, FindingFields, List, Number, Object, ProductFields, ProviderFields,
    ResourceFields, SeverityFields, StringMap, Text, WorkflowFields,
};
use super::json_scan::{Bail, Kind, Scan, Scanner};
use std::borrow::Cow;

/// Marks field `bit` of an object as seen; a second time bails.
pub(super) fn once(seen: &mut u64, bit: u32) -> Scan<()> {
    if *seen & (1 << bit) != 0 {
        return Err(Bail);
    }
    *seen |= 1 << bit;
    Ok(())
}

/// Reads the members of an object through `member`, which returns false for a key it does not know (the value is
/// then skipped). Duplicate known keys bail.
pub(super) fn members<'a>(
    s: &mut Scanner<'a>,
    mut member: impl FnMut(&mut Scanner<'a>, &'a str, &mut u64) -> Scan<bool>,
) -> Scan<()> {
    s.begin_object()?;
    let (mut first, mut seen) = (true, 0u64);
    while let Some(key) = s.next_key(&mut first)? {
        if !member(s, key, &mut seen)? {
            s.skip_value()?;
        }
    }
    Ok(())
}

fn text<'a>(s: &mut Scanner<'a>) -> Scan<Text<'a>> {
    if s.kind()? == Kind::String {
        return Ok(Text { present: true, value: Some(s.string()?) });
    }
    s.skip_value()?;
    Ok(Text { present: true, value: None })
}

fn number(s: &mut Scanner) -> Scan<Number> {
    if s.kind()? == Kind::Number {
        return s.number().map(|n| Number(Some(n)));
    }
    s.skip_value()?;
    Ok(Number(None))
}

fn object<'a, T: Default>(
    s: &mut Scanner<'a>,
    mut member: impl FnMut(&mut T, &mut Scanner<'a>, &'a str) -> Scan<Option<u32>>,
) -> Scan<Object<T>> {
    if s.kind()? != Kind::Object {
        s.skip_value()?;
        return Ok(Object(None));
    }
    let mut out = T::default();
    members(s, |s, key, seen| match member(&mut out, s, key)? {
        Some(bit) => once(seen, bit).map(|()| true),
        None => Ok(false),
    })?;
    Ok(Object(Some(out)))
}

fn list<'a, T>(s: &mut Scanner<'a>, mut item: impl FnMut(&mut Scanner<'a>) -> Scan<T>) -> Scan<List<T>> {
    if s.kind()? != Kind::Array {
        s.skip_value()?;
        return Ok(List { present: true, items: None });
    }
    s.begin_array()?;
    let (mut first, mut items) = (true, Vec::new());
    while s.next_item(&mut first)? {
        items.push(item(s)?);
    }
    Ok(List { present: true, items: Some(items) })
}

fn string_map(s: &mut Scanner) -> Scan<StringMap> {
    let mut out = StringMap::default();
    if s.kind()? != Kind::Object {
        s.skip_value()?;
        return Ok(out);
    }
    members(s, |s, key, _| {
        if let Some(value) = text(s)?.value {
            out.0.insert(key.to_owned(), value.into_owned());
        }
        Ok(true)
    })?;
    Ok(out)
}

/// `Some(bit)` after reading a field into `slot`, for the duplicate check.
fn read<'a, T>(
    slot: &mut T,
    bit: u32,
    s: &mut Scanner<'a>,
    reader: impl FnOnce(&mut Scanner<'a>) -> Scan<T>,
) -> Scan<Option<u32>> {
    *slot = reader(s)?;
    Ok(Some(bit))
}

fn severity<'a>(s: &mut Scanner<'a>) -> Scan<Object<SeverityFields<'a>>> {
    object(s, |f: &mut SeverityFields<'a>, s, key| match key {
        "Label" => read(&mut f.Label, 0, s, text),
        "Normalized" => read(&mut f.Normalized, 1, s, number),
        _ => Ok(None),
    })
}

fn details<'a>(s: &mut Scanner<'a>) -> Scan<Object<DetailsFields<'a>>> {
    let kept = |s: &mut Scanner<'a>| s.value_text().map(|t| Some(Cow::Borrowed(t)));
    object(s, |f: &mut DetailsFields<'a>, s, key| match key {
        "AwsS3Bucket" => read(&mut f.AwsS3Bucket, 0, s, kept),
        "AwsEc2SecurityGroup" => read(&mut f.AwsEc2SecurityGroup, 1, s, kept),
        "AwsEc2Instance" => read(&mut f.AwsEc2Instance, 2, s, kept),
        _ => Ok(None),
    })
}

fn resource<'a>(s: &mut Scanner<'a>) -> Scan<Object<ResourceFields<'a>>> {
    object(s, |f: &mut ResourceFields<'a>, s, key| match key {
        "Type" => read(&mut f.Type, 0, s, text),
        "Id" => read(&mut f.Id, 1, s, text),
        "Region" => read(&mut f.Region, 2, s, text),
        "Tags" => read(&mut f.Tags, 3, s, string_map),
        "Details" => read(&mut f.Details, 4, s, details),
        _ => Ok(None),
    })
}

/// The finding object at the scanner's position.
pub(super) fn finding<'a>(s: &mut Scanner<'a>) -> Scan<FindingFields<'a>> {
    let mut f = FindingFields::default();
    members(s, |s, key, seen| {
        let bit = match key {
            "Id" => read(&mut f.Id, 0, s, text),
            "ProductArn" => read(&mut f.ProductArn, 1, s, text),
            "SchemaVersion" => read(&mut f.SchemaVersion, 2, s, text),
            "GeneratorId" => read(&mut f.GeneratorId, 3, s, text),
            "AwsAccountId" => read(&mut f.AwsAccountId, 4, s, text),
            "Region" => read(&mut f.Region, 5, s, text),
            "Title" => read(&mut f.Title, 6, s, text),
            "Description" => read(&mut f.Description, 7, s, text),
            "ProductName" => read(&mut f.ProductName, 8, s, text),
            "RecordState" => read(&mut f.RecordState, 9, s, text),
            "WorkflowState" => read(&mut f.WorkflowState, 10, s, text),
            "CreatedAt" => read(&mut f.CreatedAt, 11, s, text),
            "UpdatedAt" => read(&mut f.UpdatedAt, 12, s, text),
            "FirstObservedAt" => read(&mut f.FirstObservedAt, 13, s, text),
            "Severity" => read(&mut f.Severity, 14, s, severity),
            "FindingProviderFields" => read(&mut f.FindingProviderFields, 15, s, |s| {
                object(s, |p: &mut ProviderFields<'a>, s, key| match key {
                    "Severity" => read(&mut p.Severity, 0, s, severity),
                    _ => Ok(None),
                })
            }),
            "Workflow" => read(&mut f.Workflow, 16, s, |s| {
                object(s, |w: &mut WorkflowFields<'a>, s, key| match key {
                    "Status" => read(&mut w.Status, 0, s, text),
                    _ => Ok(None),
                })
            }),
            "Compliance" => read(&mut f.Compliance, 17, s, |s| {
                object(s, |c: &mut ComplianceFields<'a>, s, key| match key {
                    "Status" => read(&mut c.Status, 0, s, text),
                    "SecurityControlId" => read(&mut c.SecurityControlId, 1, s, text),
                    _ => Ok(None),
                })
            }),
            "ProductFields" => read(&mut f.ProductFields, 18, s, |s| {
                object(s, |p: &mut ProductFields<'a>, s, key| match key {
                    "aws/securityhub/ProductName" => read(&mut p.ProductName, 0, s, text),
                    "aws/securityhub/SeverityLabel" => read(&mut p.SeverityLabel, 1, s, text),
                    "ControlId" => read(&mut p.ControlId, 2, s, text),
                    "StandardsControlArn" => read(&mut p.StandardsControlArn, 3, s, text),
                    _ => Ok(None),
                })
            }),
            "Types" => read(&mut f.Types, 19, s, |s| list(s, text)),
            "Resources" => read(&mut f.Resources, 20, s, |s| list(s, resource)),
            _ => Ok(None),
        }?;
        match bit {
            Some(bit) => once(seen, bit).map(|()| true),
            None => Ok(false),
        }
    })?;
    Ok(f)
}
