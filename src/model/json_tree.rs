//! A parsed JSON tree that remembers every object giving `Id` or `ProductArn` more than once.
//!
//! A JSON object with a key given twice means what each reader makes of it: `serde_json` (and Python, and most
//! parsers) keep the last, others the first. For a finding's identity that difference matters — the finding shown,
//! suppressed or fixed could be another than the one Security Hub holds — so the reader names such a finding as a
//! problem instead of picking one. The tree is otherwise exactly what `serde_json::from_str::<Value>` makes.

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// The keys that name a finding's identity, which a finding must not give twice: ASFF's `Id` and `ProductArn`; the
/// members on the way to OCSF's `metadata.uid`, `metadata.product.uid`, `finding_info.uid` and `cloud.account.uid`.
const IDENTITY_KEYS: [&str; 8] = ["Id", "ProductArn", "metadata", "finding_info", "cloud", "product", "account", "uid"];

/// Objects that give an identity key twice, by their JSON path (`$.Findings[3]`, `line 7`, as the reader names
/// locations).
#[derive(Debug, Default)]
pub struct Duplicates(HashMap<String, Vec<&'static str>>);

impl Duplicates {
    /// The identity keys the object at `path` gives twice, if any.
    pub fn at(&self, path: &str) -> Option<&[&'static str]> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(path).map(Vec::as_slice)
    }

    /// Those of `keys` the object at `path` gives twice.
    pub fn of_at(&self, path: &str, keys: &[&str]) -> Vec<&'static str> {
        self.at(path).unwrap_or_default().iter().filter(|k| keys.contains(k)).copied().collect()
    }
}

/// A tree and the duplicated identity keys in it.
#[derive(Debug)]
pub struct Tree {
    pub value: Value,
    pub duplicates: Duplicates,
}

/// Parses `text` as `serde_json` does (the same tree, the same errors), noting duplicated identity keys; `root` is
/// the path of the whole value.
pub fn parse(text: &str, root: &str) -> Result<Tree, serde_json::Error> {
    let context = RefCell::new(Context { root, path: Vec::new(), duplicates: Duplicates::default() });
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Node(&context).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(Tree { value, duplicates: context.into_inner().duplicates })
}

enum Step {
    Key(String),
    Index(usize),
}

struct Context<'r> {
    root: &'r str,
    /// Where the parse is: keys and indices from the root.
    path: Vec<Step>,
    duplicates: Duplicates,
}

impl Context<'_> {
    fn path_text(&self) -> String {
        let mut text = self.root.to_owned();
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    text.push('.');
                    text.push_str(key);
                }
                Step::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        text
    }
}

/// Deserializes one value of the tree.
struct Node<'c, 'r>(&'c RefCell<Context<'r>>);

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.0.borrow_mut().path.push(Step::Index(items.len()));
            let item = seq.next_element_seed(Node(self.0));
            self.0.borrow_mut().path.pop();
            match item? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            self.0.borrow_mut().path.push(Step::Key(key));
            let value = access.next_value_seed(Node(self.0));
            let mut context = self.0.borrow_mut();
            let Some(Step::Key(key)) = context.path.pop() else {
                return Err(serde::de::Error::custom("the parse lost its place"));
            };
            let value = value?;
            if let Some(identity) = IDENTITY_KEYS.iter().find(|k| **k == key).filter(|_| map.contains_key(&key)) {
                let path = context.path_text();
                let keys = context.duplicates.0.entry(path).or_default();
                if !keys.contains(identity) {
                    keys.push(identity);
                }
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_what_serde_json_makes_and_duplicated_identity_keys_are_named() {
        let text = r#"{"Findings":[{"Id":"a","Title":"t","Id":"b"},{"Id":"c"},[{"ProductArn":"p","ProductArn":"q"}]],
            "n":[1,-2,2.5,1.5e300,null,true,"é"],"Title":"x","Title":"y"}"#;
        let tree = parse(text, "$").expect("valid JSON");
        assert_eq!(tree.value, serde_json::from_str::<Value>(text).expect("valid"));
        assert_eq!(tree.duplicates.at("$.Findings[0]"), Some(&["Id"][..]));
        assert_eq!(tree.duplicates.at("$.Findings[2][0]"), Some(&["ProductArn"][..]));
        assert_eq!(tree.duplicates.at("$.Findings[1]"), None);
        assert_eq!(tree.duplicates.at("$"), None, "only identity keys count");
    }

    #[test]
    fn errors_are_serde_json_errors() {
        for text in ["{\"a\":", "[1,]", "{} x", "\"\\x\""] {
            let ours = parse(text, "$").expect_err("invalid").to_string();
            let theirs = serde_json::from_str::<Value>(text).expect_err("invalid").to_string();
            assert_eq!(ours, theirs, "{text}");
        }
    }
}
