//! Resources that infrastructure as code manages: a fix made outside the code drifts from it.

use crate::model::sanitize;
use std::collections::BTreeMap;

/// Tag keys CloudFormation, Terraform conventions and Service Catalog leave on the resources they manage.
pub const DEFAULT_TAG_KEYS: [&str; 7] = [
    "aws:cloudformation:stack-name",
    "aws:cloudformation:stack-id",
    "terraform",
    "Terraform",
    "managed-by",
    "ManagedBy",
    "aws:servicecatalog:provisionedProductArn",
];

/// The first tag that marks the resource as managed by infrastructure as code.
pub fn managing_tag<'a>(tags: &'a BTreeMap<String, String>, keys: &[String]) -> Option<(&'a str, &'a str)> {
    keys.iter()
        .find_map(|k| tags.get_key_value(k))
        .or_else(|| tags.iter().find(|(k, _)| k.starts_with("aws:cloudformation:")))
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// The plan warning for a resource managed by infrastructure as code.
pub fn warning(tags: &BTreeMap<String, String>, keys: &[String]) -> Option<String> {
    let (key, value) = managing_tag(tags, keys)?;
    let value: String = sanitize::single_line(value).chars().take(200).collect();
    Some(format!(
        "resource is managed by infrastructure as code (tag {}={value}): this fix will drift from the code; consider changing the code instead",
        sanitize::single_line(key)
    ))
}
