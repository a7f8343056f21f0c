//! Lenient lookups into an OCSF finding: a value of another type than the one expected reads as absent and is noted
//! as a warning that names the field (`severity_id is text, not a number`), so one bad field costs that field, not
//! the finding.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The fields of one finding, and what was wrong with those looked up.
pub(super) struct Fields<'v> {
    root: &'v Value,
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
        Self { root, warnings: Vec::new() }
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

    /// [`Fields::value_in`] of the finding.
    pub fn value(&mut self, path: &str) -> Option<&'v Value> {
        self.value_in(self.root, "", path)
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

    /// Text of the finding at `path`.
    pub fn text(&mut self, path: &str) -> Option<&'v str> {
        self.text_in(self.root, "", path)
    }

    /// A whole number of the finding at `path`.
    pub fn integer(&mut self, path: &str) -> Option<i64> {
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

    /// A list of the finding at `path`.
    pub fn list(&mut self, path: &str) -> Option<&'v [Value]> {
        self.list_in(self.root, "", path)
    }

    /// The time OCSF gives as `{field}_dt` (RFC 3339 text) or `{field}` (milliseconds since the epoch), the text
    /// first; either that cannot be read is noted.
    pub fn time(&mut self, field: &str) -> Option<DateTime<Utc>> {
        let dt = format!("{field}_dt");
        if let Some(text) = self.text(&dt) {
            match super::rfc3339::parse(text) {
                Ok(time) => return Some(time),
                Err(e) => {
                    let shown = super::sanitize::single_line(text);
                    self.note(format!("{dt} {shown:?} is not an RFC 3339 time: {e}"));
                }
            }
        }
        let value = self.value(field)?;
        let time = value.as_i64().and_then(DateTime::from_timestamp_millis);
        if time.is_none() {
            let what = if value.is_number() { "out of range" } else { kind_of(value) };
            self.note(format!("{field} is not a time in milliseconds since 1970 ({what}); ignored"));
        }
        time
    }
}
