//! IAM policy statements built from the scope table: actions grouped by the resources they may be allowed on and
//! by whether they change anything, each group one statement.

use super::scope::{scope_of, Access, Scope};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Which identity needs a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// The base identity hubtriage starts with.
    Base,
    /// The role assumed in each member account (and the base identity for its own account).
    Member,
    /// Both.
    Both,
}

/// One `Allow` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// The `Condition` element; empty for none.
    pub condition: Map<String, Value>,
    pub needed: Needed,
}

impl Statement {
    /// A statement with its actions and resources sorted and without duplicates.
    pub fn new(sid: impl Into<String>, actions: Vec<String>, resources: Vec<String>, needed: Needed) -> Self {
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        Self { sid: sid.into(), actions: sorted(actions), resources: sorted(resources), condition: Map::new(), needed }
    }

    /// Adds `key` = `value` under the condition operator `operator`.
    pub fn with_condition(mut self, operator: &str, key: &str, value: Value) -> Self {
        let block = self.condition.entry(operator.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(keys) = block {
            keys.insert(key.to_string(), value);
        }
        self
    }

    /// Whether every action of the statement is a read (per the scope table).
    pub fn reads_only(&self) -> bool {
        self.actions.iter().all(|a| scope_of(a).is_some_and(|s| s.access == Access::Read))
    }

    /// The statement as IAM reads it.
    pub fn to_json(&self) -> Value {
        let mut statement = json!({
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": self.actions,
            "Resource": if self.resources.len() == 1 { json!(self.resources[0]) } else { json!(self.resources) },
        });
        if !self.condition.is_empty() {
            statement["Condition"] = Value::Object(self.condition.clone());
        }
        statement
    }
}

/// The condition of every change to a resource: the resource belongs to the account of the identity making the call.
pub fn own_account_only(statement: Statement) -> Statement {
    statement.with_condition("StringEquals", "aws:ResourceAccount", json!("${aws:PrincipalAccount}"))
}

/// `actions` as statements named after `name`: one per (scope, access) group. Read groups are named `{name}Read`
/// when the name has changes too, and groups of the same kind on different scopes carry the scope's label
/// (`ManageExceptionTagsBuckets`). An action missing from the scope table is treated as a change allowed on `"*"`.
pub fn scoped(name: &str, actions: &[&str], needed: Needed) -> Vec<Statement> {
    let mut groups: BTreeMap<(Access, Scope), Vec<String>> = BTreeMap::new();
    for action in actions {
        let (access, scope) = scope_of(action).map_or((Access::Write, Scope::AllResources), |s| (s.access, s.scope));
        groups.entry((access, scope)).or_default().push(action.to_string());
    }
    let writes = |access: Access| access != Access::Read;
    let has_writes = groups.keys().any(|(access, _)| writes(*access));
    let same_kind = |access: Access| groups.keys().filter(|(a, _)| writes(*a) == writes(access)).count();
    let mut statements: Vec<Statement> = Vec::new();
    for ((access, scope), actions) in &groups {
        let mut sid = name.to_string();
        if !writes(*access) && has_writes {
            sid.push_str("Read");
        }
        if same_kind(*access) > 1 {
            sid.push_str(scope.label());
        }
        while statements.iter().any(|s| s.sid == sid) {
            sid.push('X');
        }
        let mut statement = Statement::new(sid, actions.clone(), scope.resources(), needed);
        if *access == Access::Write {
            statement = own_account_only(statement);
        }
        statements.push(statement);
    }
    // Changes first, then reads: the order a reviewer reads a playbook's statements in.
    statements.sort_by(|a, b| (a.reads_only(), &a.sid).cmp(&(b.reads_only(), &b.sid)));
    statements
}

/// An IAM statement id (alphanumeric) from a playbook name: `s3-bucket-block-public-access` → `S3BucketBlockPublicAccess`.
pub fn sid(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_are_alphanumeric() {
        assert_eq!(sid("sg-revoke-world-open-ingress"), "SgRevokeWorldOpenIngress");
    }

    #[test]
    fn actions_split_by_scope_and_changes_carry_the_account_condition() {
        let statements = scoped(
            "S3BucketBlockPublicAccess",
            &["s3:GetBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
            Needed::Member,
        );
        let sids: Vec<&str> = statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(sids, ["S3BucketBlockPublicAccess", "S3BucketBlockPublicAccessRead"]);
        assert_eq!(statements[0].actions, ["s3:PutBucketPublicAccessBlock"]);
        assert_eq!(statements[0].resources, ["arn:aws:s3:::*"]);
        assert_eq!(statements[0].condition["StringEquals"]["aws:ResourceAccount"], "${aws:PrincipalAccount}");
        assert!(statements[1].condition.is_empty());
        let json = statements[0].to_json();
        assert_eq!(json["Resource"], "arn:aws:s3:::*");
        assert_eq!(json["Effect"], "Allow");
    }

    #[test]
    fn groups_of_one_kind_on_several_scopes_are_labelled_and_unknown_actions_stay_visible() {
        let statements = scoped("Tags", &["s3:PutBucketTagging", "ec2:CreateTags", "ec2:NoSuchAction"], Needed::Member);
        let sids: Vec<&str> = statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(sids, ["TagsAllResources", "TagsBuckets", "TagsEc2Resources"]);
        assert_eq!(statements[0].resources, ["*"]);
        assert_eq!(statements[0].actions, ["ec2:NoSuchAction"]);
        assert!(statements[0].condition.contains_key("StringEquals"), "an unknown action counts as a change");
    }
}
