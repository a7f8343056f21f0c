//! [`PlanEntry`] written straight into the output, as `serde_json`'s pretty printer writes it as an item of the
//! array: each field's line break, indentation, key and colon are one copy of a fixed text, where the serializer
//! writes them piece by piece. A hundred thousand entries hold eighteen fields each. The nested values (an
//! exception, a plan, errors) go through the general serializer.

use super::PlanEntry;
use crate::cli::json_pretty::{write_escaped, write_pretty, PrettyItem, Unsupported};

/// The text before each field: the line break after the last value, two levels of indentation, the key.
macro_rules! field {
    (first $key:literal) => {
        concat!("{\n    \"", $key, "\": ").as_bytes()
    };
    ($key:literal) => {
        concat!(",\n    \"", $key, "\": ").as_bytes()
    };
}

fn text(out: &mut Vec<u8>, field: &[u8], value: &str) {
    out.extend_from_slice(field);
    write_escaped(out, value);
}

fn optional_text(out: &mut Vec<u8>, field: &[u8], value: Option<&str>) {
    match value {
        Some(value) => text(out, field, value),
        None => {
            out.extend_from_slice(field);
            out.extend_from_slice(b"null");
        }
    }
}

impl PrettyItem for PlanEntry<'_> {
    fn write_item(&self, out: &mut Vec<u8>) -> Result<(), Unsupported> {
        // The fields in the order they are declared (and `serde` writes them).
        text(out, field!(first "id"), self.id);
        text(out, field!("format"), self.format);
        text(out, field!("product_arn"), self.product_arn);
        text(out, field!("product_name"), self.product_name);
        text(out, field!("account_id"), self.account_id);
        text(out, field!("region"), self.region);
        optional_text(out, field!("control_id"), self.control_id);
        text(out, field!("title"), self.title);
        text(out, field!("severity"), self.severity);
        text(out, field!("workflow_status"), self.workflow_status);
        optional_text(out, field!("resource_type"), self.resource_type);
        optional_text(out, field!("resource_id"), self.resource_id);
        text(out, field!("verdict"), self.verdict);
        text(out, field!("reason"), self.reason);
        out.extend_from_slice(field!("exception"));
        write_pretty(out, &self.exception, 2)?;
        text(out, field!("plan_status"), self.plan_status);
        out.extend_from_slice(field!("plan"));
        write_pretty(out, &self.plan, 2)?;
        out.extend_from_slice(field!("errors"));
        write_pretty(out, &self.errors, 2)?;
        out.extend_from_slice(b"\n  }");
        Ok(())
    }
}

#[cfg(test)]
#[path = "plan_json_write_tests.rs"]
mod tests;
