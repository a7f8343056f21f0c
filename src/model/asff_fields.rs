//! The fields of an ASFF finding the reader uses: read through serde from a parsed `Value` (the general path), or
//! by the one-pass scanner of `asff_scan` from a GetFindings page's text (the fast path), which fills the same
//! structs the same way. Unknown fields are skipped; strings are borrowed where the input allows.
//!
//! Every field is lenient the way `Value` lookups are: a value of the wrong type reads as absent, a nested object
//! that is not an object reads as empty, non-objects in lists are skipped. A key given twice fails (serde refuses
//! it, the scanner bails), and the reader then takes the `Value` path, which keeps the last one.

#![allow(non_snake_case)]

pub use super::asff_lenient::{List, Number, Object, StringMap, Text};
use serde::de::Deserializer;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// `Severity` and `FindingProviderFields.Severity`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeverityFields<'a> {
    #[serde(borrow)]
    pub Label: Text<'a>,
    pub Normalized: Number,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProviderFields<'a> {
    #[serde(borrow)]
    pub Severity: Object<SeverityFields<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowFields<'a> {
    #[serde(borrow)]
    pub Status: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComplianceFields<'a> {
    #[serde(borrow)]
    pub Status: Text<'a>,
    #[serde(borrow)]
    pub SecurityControlId: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductFields<'a> {
    #[serde(borrow, rename = "aws/securityhub/ProductName")]
    pub ProductName: Text<'a>,
    #[serde(borrow, rename = "aws/securityhub/SeverityLabel")]
    pub SeverityLabel: Text<'a>,
    #[serde(borrow)]
    pub ControlId: Text<'a>,
    #[serde(borrow)]
    pub StandardsControlArn: Text<'a>,
}

/// The parts of `Resources[].Details` playbooks plan from (the rest stays in the raw JSON), as JSON text.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsFields<'a> {
    #[serde(deserialize_with = "kept")]
    pub AwsS3Bucket: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "kept")]
    pub AwsEc2SecurityGroup: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "kept")]
    pub AwsEc2Instance: Option<Cow<'a, str>>,
}

/// A value kept as its JSON text (null included, as a `Value` lookup would see it).
fn kept<'de, 'a, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Box::<RawValue>::deserialize(deserializer).map(|raw| Some(Cow::Owned(Box::<str>::from(raw).into())))
}

impl DetailsFields<'_> {
    /// The kept parts as one JSON object, `None` when there is none.
    pub fn into_text(self) -> Option<Box<str>> {
        let parts = [
            ("AwsS3Bucket", self.AwsS3Bucket),
            ("AwsEc2SecurityGroup", self.AwsEc2SecurityGroup),
            ("AwsEc2Instance", self.AwsEc2Instance),
        ];
        let size: usize = parts.iter().filter_map(|(key, value)| Some(key.len() + value.as_ref()?.len() + 4)).sum();
        let mut text = String::with_capacity(size + 1);
        for (key, value) in parts {
            let Some(value) = value else { continue };
            text.push(if text.is_empty() { '{' } else { ',' });
            text.extend(["\"", key, "\":", &value]);
        }
        (!text.is_empty()).then(|| {
            text.push('}');
            text.into_boxed_str()
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResourceFields<'a> {
    #[serde(borrow)]
    pub Type: Text<'a>,
    #[serde(borrow)]
    pub Id: Text<'a>,
    #[serde(borrow)]
    pub Region: Text<'a>,
    pub Tags: StringMap,
    pub Details: Object<DetailsFields<'a>>,
}

impl FindingFields<'_> {
    /// Whether the object is meant to be a finding: `ProductArn` plus a field only findings carry (a bare
    /// `{Id, ProductArn}` is a finding identifier, as in BatchUpdateFindings requests).
    pub fn is_finding_like(&self) -> bool {
        self.ProductArn.present
            && (self.SchemaVersion.present
                || self.GeneratorId.present
                || self.AwsAccountId.present
                || self.Title.present
                || self.Resources.present)
    }
}

/// A finding's fields, as far as the reader uses them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindingFields<'a> {
    #[serde(borrow)]
    pub Id: Text<'a>,
    #[serde(borrow)]
    pub ProductArn: Text<'a>,
    #[serde(borrow)]
    pub SchemaVersion: Text<'a>,
    #[serde(borrow)]
    pub GeneratorId: Text<'a>,
    #[serde(borrow)]
    pub AwsAccountId: Text<'a>,
    #[serde(borrow)]
    pub Region: Text<'a>,
    #[serde(borrow)]
    pub Title: Text<'a>,
    #[serde(borrow)]
    pub Description: Text<'a>,
    #[serde(borrow)]
    pub ProductName: Text<'a>,
    #[serde(borrow)]
    pub RecordState: Text<'a>,
    #[serde(borrow)]
    pub WorkflowState: Text<'a>,
    #[serde(borrow)]
    pub CreatedAt: Text<'a>,
    #[serde(borrow)]
    pub UpdatedAt: Text<'a>,
    #[serde(borrow)]
    pub FirstObservedAt: Text<'a>,
    #[serde(borrow)]
    pub Severity: Object<SeverityFields<'a>>,
    #[serde(borrow)]
    pub FindingProviderFields: Object<ProviderFields<'a>>,
    #[serde(borrow)]
    pub Workflow: Object<WorkflowFields<'a>>,
    #[serde(borrow)]
    pub Compliance: Object<ComplianceFields<'a>>,
    #[serde(borrow)]
    pub ProductFields: Object<ProductFields<'a>>,
    #[serde(borrow)]
    pub Types: List<Text<'a>>,
    #[serde(borrow)]
    pub Resources: List<Object<ResourceFields<'a>>>,
}
