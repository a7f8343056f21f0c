//! A resource's details read in one pass: the parts of `data` playbooks plan from become their compact JSON with
//! ASFF's member names (`publicAccessBlockConfiguration` → `PublicAccessBlockConfiguration`) written straight from
//! the finding's text — exactly the text `serde_json` writes for the tree the tree reader builds — when the part holds
//! nothing it would write otherwise: no escaped string, no number but a plain whole one, no member named twice. Any
//! other part is read as a tree, as the tree reader reads it.

use super::json_scan::{Bail, Kind, Scan, Scanner};
use super::ocsf_resources::{asff_member, asff_members, details, is, KEPT};
use super::ocsf_scan::whole;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A member of a resource's `data` under a details name.
pub(super) enum Part {
    /// An object, as the compact JSON of its tree with ASFF's member names.
    Text(String),
    /// Anything else, as a tree.
    Tree(Value),
}

impl Part {
    fn is_object(&self) -> bool {
        matches!(self, Part::Text(_) | Part::Tree(Value::Object(_)))
    }
}

/// Whether `serde_json` keeps an object's members in the order given (its `preserve_order` feature, which a
/// dependency may turn on): the text is written in that order, so only then is it the tree's.
fn keeps_order() -> bool {
    static KEEPS: OnceLock<bool> = OnceLock::new();
    *KEEPS.get_or_init(|| {
        let map: Map<String, Value> =
            [("b".to_owned(), Value::Null), ("a".to_owned(), Value::Null)].into_iter().collect();
        map.keys().next().is_some_and(|k| k == "b")
    })
}

/// The member's value at the scanner.
pub(super) fn part(s: &mut Scanner) -> Scan<Part> {
    if s.kind()? == Kind::Object && keeps_order() {
        let (mut probe, mut text) = (s.clone(), String::new());
        if copy(&mut probe, &mut text).is_ok() {
            *s = probe;
            return Ok(Part::Text(text));
        }
    }
    serde_json::from_str(s.value_text()?).map(Part::Tree).map_err(|_| Bail)
}

/// Copies the value at the scanner to `out` as `serde_json` writes its tree, members renamed; bails on anything it
/// would write otherwise.
fn copy(s: &mut Scanner, out: &mut String) -> Scan<()> {
    match s.kind()? {
        Kind::Object => {
            s.begin_object()?;
            out.push('{');
            let (mut first, mut names) = (true, Vec::<String>::new());
            while let Some(key) = s.next_key(&mut first)? {
                let name = asff_member(key);
                if names.contains(&name) {
                    return Err(Bail);
                }
                if !names.is_empty() {
                    out.push(',');
                }
                // A key holds no escape (the scanner bails on one), nor its ASFF name.
                out.extend(['"'].into_iter().chain(name.chars()).chain(['"', ':']));
                copy(s, out)?;
                names.push(name);
            }
            out.push('}');
        }
        Kind::Array => {
            s.begin_array()?;
            out.push('[');
            let (mut first, mut items) = (true, 0);
            while s.next_item(&mut first)? {
                if items > 0 {
                    out.push(',');
                }
                copy(s, out)?;
                items += 1;
            }
            out.push(']');
        }
        Kind::String => match s.string()? {
            Cow::Borrowed(text) => out.extend(['"'].into_iter().chain(text.chars()).chain(['"'])),
            Cow::Owned(_) => return Err(Bail),
        },
        Kind::Number => {
            let text = s.value_text()?;
            whole(text).ok_or(Bail)?;
            out.push_str(text);
        }
        Kind::Other => match s.value_text()? {
            text @ ("true" | "false" | "null") => out.push_str(text),
            _ => return Err(Bail),
        },
    }
    Ok(())
}

/// The details of a resource from its parts (in the order given), as [`details`] makes them from its `data`'s tree.
pub(super) fn details_of(parts: &[(String, Part)]) -> Option<Box<str>> {
    if !keeps_order() {
        let tree = |part: &Part| match part {
            Part::Tree(value) => value.clone(),
            Part::Text(_) => Value::Null,
        };
        return details(&parts.iter().map(|(key, part)| (key.clone(), tree(part))).collect());
    }
    let mut out = String::new();
    for kept in KEPT {
        if let Some((_, part)) = parts.iter().find(|(key, part)| is(key, kept) && part.is_object()) {
            out.push_str(if out.is_empty() { "{\"" } else { ",\"" });
            out.push_str(kept);
            out.push_str("\":");
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Tree(value) => out.push_str(&asff_members(value).to_string()),
            }
        }
    }
    (!out.is_empty()).then(|| (out + "}").into_boxed_str())
}
