//! The general path of the reader: a document parsed into a JSON tree, walked for findings of either format in every
//! shape `read::read_any` accepts (an array, a GetFindings(V2) response, EventBridge events, wrapper objects, JSON
//! Lines).

use super::asff::normalize;
use super::asff_fields::FindingFields;
use super::json_tree::{self, Duplicates, Tree};
use super::raw_json::RawJson;
use super::read::{Envelope, ReadOutcome, ReadProblem};
use super::sanitize;
use super::{Finding, FindingFormat};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Deepest nesting we follow into wrapper objects; deeper input is reported, not followed.
const MAX_DEPTH: usize = 64;

/// Whether a value is a GetFindings response (`{"Findings": [...]}`): one with no finding in it is simply empty.
fn is_findings_response(value: &Value) -> bool {
    value.get("Findings").is_some_and(Value::is_array)
}

/// The path every shape takes (a GetFindings response takes it when the fast path cannot read it whole).
pub(super) fn read_general(text: &str) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    match json_tree::parse(text, "$") {
        Ok(Tree { value, duplicates }) => {
            collect(&value, "$", &Envelope::default(), 0, &duplicates, &mut outcome);
            if outcome.findings.is_empty() && outcome.problems.is_empty() && !is_findings_response(&value) {
                outcome.problems.push(ReadProblem {
                    location: "$".into(),
                    reason: "no Security Hub finding in this document".into(),
                });
            }
        }
        Err(whole_err) => read_json_lines(text, whole_err, &mut outcome),
    }
    outcome
}

fn read_json_lines(text: &str, whole_err: serde_json::Error, outcome: &mut ReadOutcome) {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    let parsed: Vec<(usize, Result<Tree, serde_json::Error>)> =
        lines.iter().map(|(n, l)| (*n, json_tree::parse(l, &format!("line {}", n + 1)))).collect();
    // JSON Lines only when the first line is a whole object: a broken pretty-printed document is one error, not
    // one per line.
    let first_is_object = parsed.first().is_some_and(|(_, r)| r.as_ref().is_ok_and(|t| t.value.is_object()));
    if lines.len() < 2 || !first_is_object {
        outcome.problems.push(ReadProblem {
            location: format!("line {}, column {}", whole_err.line(), whole_err.column()),
            reason: format!("not valid JSON: {whole_err}"),
        });
        return;
    }
    for (n, result) in parsed {
        let location = format!("line {}", n + 1);
        match result {
            Ok(tree) => collect(&tree.value, &location, &Envelope::default(), 0, &tree.duplicates, outcome),
            Err(e) => outcome.problems.push(ReadProblem { location, reason: format!("not valid JSON: {e}") }),
        }
    }
}

/// Whether an object is meant to be an ASFF finding: `ProductArn` plus a field only findings carry (a bare
/// `{Id, ProductArn}` is a finding identifier, as in BatchUpdateFindings requests).
pub(super) fn is_finding_like(obj: &Map<String, Value>) -> bool {
    const FINDING_FIELDS: [&str; 5] = ["SchemaVersion", "GeneratorId", "AwsAccountId", "Title", "Resources"];
    obj.contains_key("ProductArn") && FINDING_FIELDS.iter().any(|k| obj.contains_key(*k))
}

/// The format of a finding object, `None` for an object that is not one (ASFF is checked first: the common case).
fn finding_format(obj: &Map<String, Value>) -> Option<FindingFormat> {
    if is_finding_like(obj) {
        Some(FindingFormat::Asff)
    } else if super::ocsf::is_finding_like(obj) {
        Some(FindingFormat::Ocsf)
    } else {
        None
    }
}

/// Reads an item of a GetFindings page that the ASFF scanner does not take, at `location`: `None` unless it is an
/// OCSF finding (the page then takes the general path, which says what the item is).
pub(super) fn read_ocsf_item(text: &str, raw: RawJson, location: &str, out: &mut ReadOutcome) -> Option<()> {
    let mut s = super::json_scan::Scanner::new(text);
    if let Some(fields) = super::ocsf_scan::read(&mut s).filter(|_| s.at_end()) {
        match super::ocsf::normalize_scanned(&fields, raw, &Envelope::default()) {
            Ok(finding) => out.findings.push(finding),
            Err(reason) => out.problems.push(ReadProblem { location: location.into(), reason }),
        }
        return Some(());
    }
    let Tree { value, duplicates } = json_tree::parse(text, location).ok()?;
    let is_ocsf = value.as_object().is_some_and(|obj| finding_format(obj) == Some(FindingFormat::Ocsf));
    is_ocsf.then(|| collect(&value, location, &Envelope::default(), 2, &duplicates, out))
}

/// Reads the findings in `value`, at `path` and `depth` of its document, into `out`.
pub(super) fn collect(
    value: &Value,
    path: &str,
    env: &Envelope,
    depth: usize,
    duplicates: &Duplicates,
    out: &mut ReadOutcome,
) {
    if depth > MAX_DEPTH {
        out.problems.push(ReadProblem {
            location: path.into(),
            reason: format!("nested deeper than {MAX_DEPTH} levels; not followed"),
        });
        return;
    }
    match value {
        Value::Array(items) => {
            let mut foreign = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if item.is_object() && !contains_finding(item, depth) {
                    foreign.push(i);
                } else {
                    collect(item, &format!("{path}[{i}]"), env, depth + 1, duplicates, out);
                }
            }
            if let Some(&first) = foreign.first() {
                out.problems.push(foreign_items_problem(
                    path,
                    &foreign,
                    items.len(),
                    &not_a_finding_reason(&items[first]),
                ));
            }
        }
        Value::Object(obj) => {
            if let Some(format) = finding_format(obj) {
                let twice = match format {
                    FindingFormat::Asff => duplicates.of_at(path, &["Id", "ProductArn"]),
                    FindingFormat::Ocsf => super::ocsf::identity_given_twice(path, duplicates),
                };
                let read = match twice.is_empty() {
                    false => Err(given_twice(&twice)),
                    true => normalize_value(value, obj, env, format),
                };
                match read {
                    Ok(finding) => out.findings.push(finding),
                    Err(reason) => out.problems.push(ReadProblem { location: path.into(), reason }),
                }
                return;
            }
            collect_members(obj, path, env, depth, duplicates, out);
        }
        _ => {}
    }
}

/// Reads the findings in the members of an object that is not itself a finding.
pub(super) fn collect_members(
    obj: &Map<String, Value>,
    path: &str,
    env: &Envelope,
    depth: usize,
    duplicates: &Duplicates,
    out: &mut ReadOutcome,
) {
    let inner_env = event_envelope(obj).unwrap_or_else(|| env.clone());
    for (key, child) in obj {
        if child.is_array() || child.is_object() {
            collect(child, &format!("{path}.{key}"), &inner_env, depth + 1, duplicates, out);
        }
    }
}

/// Why a finding that gives an identity key twice is not read.
fn given_twice(keys: &[&str]) -> String {
    let keys: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
    format!(
        "key {} given twice: which value is the finding's identity depends on the reader; not read",
        keys.join(" and ")
    )
}

/// Whether a value holds a finding anywhere inside it (cheap check before reporting it as foreign).
pub(super) fn contains_finding(value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true; // let `collect` report the depth problem
    }
    match value {
        Value::Object(obj) => finding_format(obj).is_some() || obj.values().any(|v| contains_finding(v, depth + 1)),
        Value::Array(items) => items.iter().any(|v| contains_finding(v, depth + 1)),
        _ => false,
    }
}

/// One problem for all the objects of an array that are not findings.
pub(super) fn foreign_items_problem(path: &str, indices: &[usize], total: usize, reason: &str) -> ReadProblem {
    let shown: Vec<String> = indices.iter().take(3).map(|i| format!("{path}[{i}]")).collect();
    let location = match indices.len() {
        n if n > 3 => format!("{} and {} more ({n} of {total} items)", shown.join(", "), n - 3),
        _ => shown.join(", "),
    };
    ReadProblem { location, reason: reason.to_owned() }
}

/// Why an object of a list is not read: it is not a finding (its first keys say what it is).
pub(super) fn not_a_finding_reason(item: &Value) -> String {
    let keys: Vec<&str> = item.as_object().map(|o| o.keys().take(4).map(String::as_str).collect()).unwrap_or_default();
    format!(
        "object is not a Security Hub finding (neither ASFF, with ProductArn/Id, nor OCSF, with metadata/finding_info; \
         has {})",
        sanitize::single_line(&keys.join(", "))
    )
}

/// An EventBridge event carries the account and region the findings came from.
fn event_envelope(obj: &Map<String, Value>) -> Option<Envelope> {
    obj.get("detail")?.get("findings")?;
    Some(Envelope {
        account: obj.get("account").and_then(Value::as_str).map(String::from),
        region: obj.get("region").and_then(Value::as_str).map(String::from),
    })
}

/// Reads a finding object of a parsed document.
fn normalize_value(
    value: &Value,
    obj: &Map<String, Value>,
    env: &Envelope,
    format: FindingFormat,
) -> Result<Finding, String> {
    let raw = RawJson::inline(serde_json::to_string(obj).unwrap_or_default());
    match format {
        FindingFormat::Asff => {
            let fields = FindingFields::deserialize(value).map_err(|e| format!("unreadable finding: {e}"))?;
            normalize(fields, raw, env)
        }
        FindingFormat::Ocsf => super::ocsf::normalize(value, raw, env),
    }
}
