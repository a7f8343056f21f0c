//! Lenient lookups into an OCSF finding: a value of another type than the one expected reads as absent and is noted
//! as a warning that names the field (`severity_id is text, not a number`), so one bad field costs that field, not
//! the finding.
//!
//! The finding is a JSON tree, or what the one-pass reader kept of its text ([`Scanned`]): that reader takes only
//! findings whose members are of the types expected (it leaves any other to the tree), so its lookups never warn,
//! and both read the same values.

use super::ocsf_paths::{Int, Text, Time};
use super::ocsf_scan::Scanned;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Where a finding's fields are read from.
#[derive(Clone, Copy)]
pub(super) enum Root<'v> {
    Tree(&'v Value),
    Scan(&'v Scanned<'v>),
}

/// The fields of one finding, and what was wrong with those looked up.
pub(super) struct Fields<'v> {
    pub root: Root<'v>,
    pub warnings: Vec<String>,
}

/// A value's type in words, for warnings.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `base.path`, or `path` for the finding itself.
fn joined(base: &str, path: &str) -> String {
    match base {
        "" => path.to_owned(),
        base => format!("{base}.{path}"),
    }
}

impl<'v> Fields<'v> {
    /// The fields of `root`, a finding object.
    pub fn new(root: &'v Value) -> Self {
        Self { root: Root::Tree(root), warnings: Vec::new() }
    }

    /// The fields the one-pass reader kept of a finding.
    pub fn scanned(scanned: &'v Scanned<'v>) -> Self {
        Self { root: Root::Scan(scanned), warnings: Vec::new() }
    }

    /// Notes a warning once.
    pub fn note(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    fn wrong_type(&mut self, name: &str, value: &Value, expected: &str) {
        self.note(format!("{name} is {}, not {expected}; ignored", kind_of(value)));
    }

    /// The value at the dotted `path` under `base` (named `base_name`, empty for the finding): `None` when absent or
    /// null, or when a member on the way is not an object (noted).
    pub fn value_in(&mut self, base: &'v Value, base_name: &str, path: &str) -> Option<&'v Value> {
        let mut value = base;
        let mut walked = 0;
        for key in path.split('.') {
            let Value::Object(members) = value else {
                let name = match walked {
                    0 => base_name.to_owned(),
                    n => joined(base_name, &path[..n - 1]),
                };
                self.wrong_type(&name, value, "an object");
                return None;
            };
            value = members.get(key)?;
            walked += key.len() + 1;
        }
        (!value.is_null()).then_some(value)
    }

    /// [`Fields::value_in`] of a finding read as a tree.
    fn value(&mut self, path: &str) -> Option<&'v Value> {
        match self.root {
            Root::Tree(root) => self.value_in(root, "", path),
            Root::Scan(_) => None,
        }
    }

    /// Text at `path` under `base`, trimmed, `None` when empty.
    pub fn text_in(&mut self, base: &'v Value, base_name: &str, path: &str) -> Option<&'v str> {
        match self.value_in(base, base_name, path)? {
            Value::String(text) => Some(text.trim()).filter(|t| !t.is_empty()),
            other => {
                self.wrong_type(&joined(base_name, path), other, "text");
                None
            }
        }
    }

    /// A text member of the finding, trimmed, `None` when empty.
    pub fn text(&mut self, member: Text) -> Option<&'v str> {
        match self.root {
            Root::Tree(root) => self.text_in(root, "", member.path()),
            Root::Scan(scanned) => scanned.texts[member as usize].as_deref().map(str::trim).filter(|t| !t.is_empty()),
        }
    }

    /// A whole-number member of the finding.
    pub fn integer(&mut self, member: Int) -> Option<i64> {
        let path = match self.root {
            Root::Tree(_) => member.path(),
            Root::Scan(scanned) => return scanned.ints[member as usize],
        };
        let value = self.value(path)?;
        let whole = value.as_i64().or_else(|| value.as_f64().filter(|n| n.fract() == 0.0).map(|n| n as i64));
        if whole.is_none() {
            self.wrong_type(path, value, "a whole number");
        }
        whole
    }

    /// An object at `path` under `base`.
    pub fn object_in(&mut self, base: &'v Value, base_name: &str, path: &str) -> Option<&'v Map<String, Value>> {
        match self.value_in(base, base_name, path)? {
            Value::Object(members) => Some(members),
            other => {
                self.wrong_type(&joined(base_name, path), other, "an object");
                None
            }
        }
    }

    /// A list at `path` under `base`.
    pub fn list_in(&mut self, base: &'v Value, base_name: &str, path: &str) -> Option<&'v [Value]> {
        match self.value_in(base, base_name, path)? {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(&joined(base_name, path), other, "a list");
                None
            }
        }
    }

    /// A list of a finding read as a tree, at `path`.
    pub fn list(&mut self, path: &str) -> Option<&'v [Value]> {
        match self.root {
            Root::Tree(root) => self.list_in(root, "", path),
            Root::Scan(_) => None,
        }
    }

    /// `finding_info.types`: each item's text, `None` for an item that is not text.
    pub fn types(&mut self) -> Vec<Option<&'v str>> {
        match self.root {
            Root::Tree(_) => self.list("finding_info.types").unwrap_or_default().iter().map(Value::as_str).collect(),
            Root::Scan(scanned) => scanned.types.as_deref().unwrap_or_default().iter().map(Option::as_deref).collect(),
        }
    }

    /// A time, which OCSF gives as `{field}_dt` (RFC 3339 text) or `{field}` (milliseconds since the epoch), the text
    /// first; either that cannot be read is noted.
    pub fn time(&mut self, member: Time) -> Option<DateTime<Utc>> {
        if let Some(text) = self.text(member.text()) {
            match super::rfc3339::parse(text) {
                Ok(time) => return Some(time),
                Err(e) => {
                    let shown = super::sanitize::single_line(text);
                    self.note(format!("{} {shown:?} is not an RFC 3339 time: {e}", member.text().path()));
                }
            }
        }
        let field = member.millis().path();
        let (time, what) = match self.root {
            Root::Tree(_) => {
                let value = self.value(field)?;
                let what = if value.is_number() { "out of range" } else { kind_of(value) };
                (value.as_i64().and_then(DateTime::from_timestamp_millis), what)
            }
            Root::Scan(scanned) => {
                let millis = scanned.ints[member.millis() as usize]?;
                (DateTime::from_timestamp_millis(millis), "out of range")
            }
        };
        if time.is_none() {
            self.note(format!("{field} is not a time in milliseconds since 1970 ({what}); ignored"));
        }
        time
    }
}
