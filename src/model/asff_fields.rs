//! The fields of an ASFF finding the reader uses, read straight from the JSON text (or from a parsed `Value`)
//! without building a tree of the rest: unknown fields are skipped, strings are borrowed where the input allows.
//!
//! Every field is lenient the way `Value` lookups are: a value of the wrong type reads as absent, a nested object
//! that is not an object reads as empty, non-objects in lists are skipped. Only malformed JSON or a key given twice
//! (which serde refuses while a `Value` keeps the last one) fail, and the reader then takes the `Value` path.

#![allow(non_snake_case)]

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A field that is text when it is a JSON string; `present` tells an absent key from a value of another type.
#[derive(Debug, Default)]
pub struct Text<'a> {
    pub present: bool,
    pub value: Option<Cow<'a, str>>,
}

impl<'a> Text<'a> {
    /// The string as given.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The string trimmed, when not empty.
    pub fn text(&self) -> Option<&str> {
        self.as_str().map(str::trim).filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: Some(Cow::Borrowed(v)) })
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: Some(Cow::Owned(v.to_owned())) })
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: Some(Cow::Owned(v)) })
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text { present: true, value: None })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text { present: true, value: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text { present: true, value: None })
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A number, when the field is one.
#[derive(Debug, Default)]
pub struct Number(pub Option<f64>);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number(Some(v as f64)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(Number(Some(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number(Some(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_unit<E>(self) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_none<E>(self) -> Result<Number, E> {
                Ok(Number(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Number, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Number(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Number, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Number(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An object read as `T` when the field is an object, else `None` (and skipped).
#[derive(Debug)]
pub struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Self(None)
    }
}

/// A list of `T` when the field is an array (`items` is `None` otherwise); `present` tells an absent key from a
/// value of another type.
#[derive(Debug)]
pub struct List<T> {
    pub present: bool,
    pub items: Option<Vec<T>>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self { present: false, items: None }
    }
}

macro_rules! skip_non_objects {
    ($visitor:ident, $value:ty, $none:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_str<E>(self, _: &str) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_unit<E>(self) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_none<E>(self) -> Result<$value, E> {
            Ok($none)
        }
    };
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_non_objects!(V, Object<T>, Object(None));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Object<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Object(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_non_objects!(V, List<T>, List { present: true, items: None });
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element::<T>()? {
                    items.push(item);
                }
                Ok(List { present: true, items: Some(items) })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List { present: true, items: None })
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// The string values of an object (`Tags`), other values left out; empty when the field is not an object.
#[derive(Debug, Default)]
pub struct StringMap(pub BTreeMap<String, String>);

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            skip_non_objects!(V, StringMap, StringMap::default());
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringMap, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StringMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StringMap, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<Cow<'de, str>, Text<'de>>()? {
                    if let Some(v) = value.value {
                        out.insert(key.into_owned(), v.into_owned());
                    }
                }
                Ok(StringMap(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

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
pub struct DetailsFields {
    #[serde(deserialize_with = "kept")]
    pub AwsS3Bucket: Option<Box<RawValue>>,
    #[serde(deserialize_with = "kept")]
    pub AwsEc2SecurityGroup: Option<Box<RawValue>>,
    #[serde(deserialize_with = "kept")]
    pub AwsEc2Instance: Option<Box<RawValue>>,
}

/// A value kept as is (null included, as a `Value` lookup would see it).
fn kept<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

impl DetailsFields {
    /// The kept parts as one JSON object, `None` when there is none.
    pub fn into_text(self) -> Option<Box<str>> {
        let parts = [
            ("AwsS3Bucket", self.AwsS3Bucket),
            ("AwsEc2SecurityGroup", self.AwsEc2SecurityGroup),
            ("AwsEc2Instance", self.AwsEc2Instance),
        ];
        let fields: Vec<String> =
            parts.into_iter().filter_map(|(k, v)| Some(format!("\"{k}\":{}", v?.get()))).collect();
        (!fields.is_empty()).then(|| format!("{{{}}}", fields.join(",")).into_boxed_str())
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
    pub Details: Object<DetailsFields>,
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
