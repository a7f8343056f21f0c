//! Whether a term holds for a finding and its verdict.

use super::term::{Field, Op, StatusValue, Term};
use crate::model::{ComplianceStatus, Finding, RecordState};
use crate::policy::Verdict;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What a query is evaluated against besides the finding: the time ages count to, and the accounts' configured
/// names (`account:payments-prod`).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    /// Account id → name, from `[accounts]`.
    pub account_names: &'a BTreeMap<String, String>,
}

/// The lower-case text a row is searched in by words and quoted phrases: title, control, resource, account,
/// region, verdict, product, severity and the last part of the id.
pub fn haystack(f: &Finding, verdict: Verdict) -> String {
    let HaystackParts { head, resource, tail, id } = haystack_parts(f, verdict);
    format!("{head} {resource} {tail} {id}")
}

/// [`haystack`] in the four parts it is joined from with single spaces, each in lower case: `head` (title and
/// control) and `tail` (account, region, verdict, product, severity) are the same for many findings, `resource`
/// and `id` are the finding's own. Lower-casing the parts one by one gives the text lower-casing the whole gives:
/// a space ends the context any letter's lower case depends on.
pub struct HaystackParts {
    pub head: String,
    pub resource: String,
    pub tail: String,
    pub id: String,
}

/// The parts of [`haystack`].
pub fn haystack_parts(f: &Finding, verdict: Verdict) -> HaystackParts {
    let resource = f.primary_resource().map(|r| r.id.as_str()).unwrap_or("");
    // The id's last part: the rest of it (partition, region, account, control) is in the other fields.
    let id = f.public_id().rsplit('/').next().unwrap_or(f.public_id());
    HaystackParts {
        head: format!("{} {}", f.title, f.control_or_type()).to_lowercase(),
        resource: resource.to_lowercase(),
        tail: format!("{} {} {} {} {}", f.account_id, f.region, verdict, f.product_name, f.severity).to_lowercase(),
        id: id.to_lowercase(),
    }
}

/// Whether `text` matches `pattern` whole, `*` standing for any run of characters; ASCII letters in any case
/// (`pattern` is lower case).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let text = text.as_bytes();
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("").as_bytes();
    let starts = |t: &[u8], p: &[u8]| t.len() >= p.len() && t.iter().zip(p).all(|(a, b)| a.to_ascii_lowercase() == *b);
    if !starts(text, first) {
        return false;
    }
    let rest: Vec<&[u8]> = parts.map(str::as_bytes).collect();
    let Some((last, middle)) = rest.split_last() else {
        return text.len() == first.len();
    };
    let mut at = first.len();
    for part in middle {
        match (at..=text.len().saturating_sub(part.len())).find(|&i| starts(&text[i..], part)) {
            Some(i) => at = i + part.len(),
            None => return false,
        }
    }
    text.len() >= at + last.len() && starts(&text[text.len() - last.len()..], last)
}

impl Term {
    /// Whether the term holds; `text` caches the row's searched text between terms.
    pub fn holds(&self, f: &Finding, verdict: Verdict, ctx: &Context, text: &mut Option<String>) -> bool {
        match self {
            Term::Text { text: needle, .. } => {
                text.get_or_insert_with(|| haystack(f, verdict)).contains(needle.as_str())
            }
            Term::Severity(mask) => mask >> (f.severity as u8) & 1 == 1,
            Term::Verdict(mask) => mask >> (verdict as u8) & 1 == 1,
            Term::Pattern { field, patterns } => patterns.iter().any(|p| pattern_holds(*field, p, f, ctx)),
            Term::Status(states) => states.iter().any(|s| status_holds(*s, f)),
            Term::Elapsed { field, op, seconds } => {
                let at = match field {
                    Field::Updated => f.updated_at,
                    _ => f.first_observed_at.or(f.created_at),
                };
                at.is_some_and(|t| elapsed_holds(*op, (ctx.now - t).num_seconds(), *seconds))
            }
        }
    }
}

/// `elapsed op limit`.
pub fn elapsed_holds(op: Op, elapsed: i64, limit: i64) -> bool {
    match op {
        Op::Greater => elapsed > limit,
        Op::GreaterOrEqual => elapsed >= limit,
        Op::Less => elapsed < limit,
        Op::LessOrEqual => elapsed <= limit,
        Op::Is | Op::IsNot => elapsed == limit,
    }
}

fn pattern_holds(field: Field, p: &str, f: &Finding, ctx: &Context) -> bool {
    match field {
        Field::Control => glob_matches(p, f.control_or_type()),
        Field::Account => account_matches(p, &f.account_id, ctx.account_names),
        Field::Region => glob_matches(p, &f.region),
        Field::Resource => f.resources.iter().any(|r| glob_matches(p, &r.id) || glob_matches(p, r.short_id())),
        Field::Type => f.resources.iter().any(|r| glob_matches(p, &r.kind)),
        Field::Product => glob_matches(p, &f.product_name),
        Field::Title => glob_matches(p, &f.title),
        Field::Severity | Field::Verdict | Field::Status | Field::Age | Field::Updated => false,
    }
}

/// Whether an account, by its id or its configured name, matches the pattern.
pub fn account_matches(pattern: &str, id: &str, names: &BTreeMap<String, String>) -> bool {
    glob_matches(pattern, id) || names.get(id).is_some_and(|name| glob_matches(pattern, name))
}

fn status_holds(state: StatusValue, f: &Finding) -> bool {
    match state {
        StatusValue::Workflow(w) => f.workflow_status == w,
        StatusValue::Open => f.is_open(),
        StatusValue::Closed => !f.is_open(),
        StatusValue::Archived => f.record_state == RecordState::Archived,
        StatusValue::Passed => f.compliance_status == Some(ComplianceStatus::Passed),
    }
}
