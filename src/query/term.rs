//! The terms of a query: what each field is compared with, its values read and checked where they are typed.

use super::QueryError;
use crate::model::{Severity, WorkflowStatus};
use crate::policy::Verdict;

/// A field a term can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Severity,
    Control,
    Account,
    Region,
    Verdict,
    Resource,
    /// The resource type (`AwsS3Bucket`).
    Type,
    Product,
    Title,
    Status,
    Age,
    Updated,
}

/// Every field name a query accepts, with its field (aliases included).
pub const FIELD_NAMES: [(&str, Field); 14] = [
    ("sev", Field::Severity),
    ("severity", Field::Severity),
    ("control", Field::Control),
    ("account", Field::Account),
    ("region", Field::Region),
    ("verdict", Field::Verdict),
    ("resource", Field::Resource),
    ("type", Field::Type),
    ("product", Field::Product),
    ("title", Field::Title),
    ("status", Field::Status),
    ("workflow", Field::Status),
    ("age", Field::Age),
    ("updated", Field::Updated),
];

/// "sev, severity, control, …" for messages.
pub fn field_list() -> String {
    FIELD_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl Field {
    /// The field named `name` (any case).
    pub fn named(name: &str) -> Option<Self> {
        FIELD_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, f)| f)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `:` or `=`: any of the values.
    Is,
    /// `!=`: none of the values.
    IsNot,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Op {
    /// The operator at the start of `text` and its length in characters.
    pub fn at_start(text: &str) -> Option<(Op, usize)> {
        let two = [("!=", Op::IsNot), (">=", Op::GreaterOrEqual), ("<=", Op::LessOrEqual)];
        let one = [(":", Op::Is), ("=", Op::Is), (">", Op::Greater), ("<", Op::Less)];
        two.iter().chain(one.iter()).find(|(s, _)| text.starts_with(s)).map(|&(s, op)| (op, s.len()))
    }

    fn orders(self) -> bool {
        matches!(self, Op::Greater | Op::GreaterOrEqual | Op::Less | Op::LessOrEqual)
    }
}

/// A workflow or lifecycle state a `status:` term names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusValue {
    Workflow(WorkflowStatus),
    /// Active, not passed, new or notified (what the table shows by default).
    Open,
    /// Anything not open.
    Closed,
    Archived,
    Passed,
}

const STATUS_NAMES: [(&str, StatusValue); 8] = [
    ("new", StatusValue::Workflow(WorkflowStatus::New)),
    ("notified", StatusValue::Workflow(WorkflowStatus::Notified)),
    ("resolved", StatusValue::Workflow(WorkflowStatus::Resolved)),
    ("suppressed", StatusValue::Workflow(WorkflowStatus::Suppressed)),
    ("open", StatusValue::Open),
    ("closed", StatusValue::Closed),
    ("archived", StatusValue::Archived),
    ("passed", StatusValue::Passed),
];

/// One condition on a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Lower-case text that must appear in the row's searchable text (title, control, resource, account, region,
    /// verdict, product, severity, id): a word as typed, or a quoted phrase.
    Text {
        text: String,
        phrase: bool,
    },
    /// Severities admitted, one bit per `Severity as u8`.
    Severity(u8),
    /// Verdicts admitted, one bit per `Verdict as u8`.
    Verdict(u8),
    /// Lower-case patterns (`*` for any run of characters) one of which the field must match whole.
    Pattern {
        field: Field,
        patterns: Vec<String>,
    },
    Status(Vec<StatusValue>),
    /// Time since the finding was first seen (`Age`) or last updated (`Updated`), compared with `seconds`.
    Elapsed {
        field: Field,
        op: Op,
        seconds: i64,
    },
}

/// A value as typed, with the position (in characters) it starts at.
pub struct Typed<'a> {
    pub text: &'a str,
    pub at: usize,
}

/// The term `field op value`; `Ok((term, negate))`, `negate` for `!=`.
pub fn field_term(field: Field, name: &str, op: Op, op_at: usize, value: Typed) -> Result<(Term, bool), QueryError> {
    let ordered = matches!(field, Field::Severity | Field::Age | Field::Updated);
    if op.orders() && !ordered {
        let message = format!("`{name}` is compared with : or != (only sev, age and updated take < and >)");
        return Err(QueryError::new(op_at, message));
    }
    if matches!(field, Field::Age | Field::Updated) {
        if !op.orders() {
            let message = format!("`{name}` is compared with > or <, as in {name}>7d");
            return Err(QueryError::new(op_at, message));
        }
        let seconds = duration(value.text).ok_or_else(|| {
            QueryError::new(
                value.at,
                format!(
                    "`{}` is not a duration: expected a number and a unit (m, h, d, w), as in 7d or 12h",
                    value.text
                ),
            )
        })?;
        return Ok((Term::Elapsed { field, op, seconds }, false));
    }
    let values = list(&value)?;
    let term = match field {
        Field::Severity => Term::Severity(severity_mask(op, &values)?),
        Field::Verdict => {
            let mut mask = 0u8;
            for v in &values {
                let verdict = Verdict::parse(&v.text.to_ascii_lowercase()).ok_or_else(|| {
                    QueryError::new(
                        v.at,
                        format!(
                            "`{}` is not a verdict: expected auto-fix, approve, manual, excepted or no-playbook",
                            v.text
                        ),
                    )
                })?;
                mask |= 1 << verdict as u8;
            }
            Term::Verdict(mask)
        }
        Field::Status => {
            let mut states = Vec::new();
            for v in &values {
                let state = STATUS_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(v.text)).map(|&(_, s)| s);
                states.push(state.ok_or_else(|| {
                    let names: Vec<&str> = STATUS_NAMES.iter().map(|(n, _)| *n).collect();
                    QueryError::new(v.at, format!("`{}` is not a status: expected {}", v.text, names.join(", ")))
                })?);
            }
            Term::Status(states)
        }
        _ => Term::Pattern { field, patterns: values.iter().map(|v| v.text.to_ascii_lowercase()).collect() },
    };
    Ok((term, op == Op::IsNot))
}

/// The comma-separated values of `value`, each with its position.
fn list<'a>(value: &Typed<'a>) -> Result<Vec<Typed<'a>>, QueryError> {
    let mut out = Vec::new();
    let mut at = value.at;
    for part in value.text.split(',') {
        if part.is_empty() {
            return Err(QueryError::new(at, "expected a value (values are separated by commas)"));
        }
        out.push(Typed { text: part, at });
        at += part.chars().count() + 1;
    }
    Ok(out)
}

/// Severities admitted by `op` and the values, as a mask of `Severity as u8` bits.
fn severity_mask(op: Op, values: &[Typed]) -> Result<u8, QueryError> {
    let mut levels = Vec::new();
    for v in values {
        levels.push(severity(v.text).ok_or_else(|| {
            QueryError::new(
                v.at,
                format!("`{}` is not a severity: expected critical, high, medium, low or informational", v.text),
            )
        })?);
    }
    if op.orders() && levels.len() > 1 {
        return Err(QueryError::new(values[1].at - 1, "a comparison takes one severity"));
    }
    let mut mask = 0u8;
    for s in Severity::ALL {
        let admitted = levels.iter().any(|&l| match op {
            Op::Is | Op::IsNot => s == l,
            Op::Greater => s > l,
            Op::GreaterOrEqual => s >= l,
            Op::Less => s < l,
            Op::LessOrEqual => s <= l,
        });
        if admitted {
            mask |= 1 << s as u8;
        }
    }
    Ok(mask)
}

/// A severity by its label or the start of it (`crit`, `h`, `info`), any case.
fn severity(text: &str) -> Option<Severity> {
    let text = text.to_ascii_uppercase();
    if text.is_empty() {
        return None;
    }
    Severity::ALL.into_iter().find(|s| s.label().starts_with(&text))
}

/// Seconds in `7d`, `12h`, `30m`, `2w`, or a sequence of them (`1d12h`).
pub fn duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(i64::from(d))?);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    (number.is_none() && !text.is_empty()).then_some(total)
}
