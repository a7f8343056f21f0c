//! JSON values read leniently, the way `Value` lookups read them: a value of the wrong type reads as absent, a
//! nested object that is not an object as empty, a list that is not an array as none. Strings are borrowed from the
//! input where it allows.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
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
        self.as_str().map(trim).filter(|s| !s.is_empty())
    }
}

/// `str::trim`, without its Unicode scan when both ends are visible ASCII (as in almost every field).
fn trim(text: &str) -> &str {
    let visible = |b: &u8| (b'!'..0x80).contains(b);
    match text.as_bytes() {
        [first, .., last] if visible(first) && visible(last) => text,
        [only] if visible(only) => text,
        _ => text.trim(),
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

#[cfg(test)]
#[test]
fn trimming_matches_str_trim() {
    for text in ["", " ", "a", " a", "a ", "\u{a0}a", "a\u{2003}", "\tx y\n", "x\u{b}", "~", "é", " é ", "\u{7f}"] {
        assert_eq!(trim(text), text.trim(), "{text:?}");
    }
}
