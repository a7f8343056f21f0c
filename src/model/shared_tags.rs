//! One shared copy of each set of resource tags: the findings on one resource (a bucket fails several controls,
//! in every standard) carry the same tags, and a map of tags takes half a kilobyte however few it holds.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Tags as a finding carries them: key → value.
pub type Tags = Arc<BTreeMap<String, String>>;

/// Most distinct tag sets kept; beyond it new sets are not shared (the table cannot grow without bound).
const MAX_ENTRIES: usize = 100_000;

fn table() -> &'static Mutex<HashSet<Tags>> {
    static TABLE: OnceLock<Mutex<HashSet<Tags>>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// The shared copy of `tags`, made the shared copy when new.
pub fn share(tags: BTreeMap<String, String>) -> Tags {
    // Most resources carry no tags: their one map is handed out without the table's lock.
    static EMPTY: OnceLock<Tags> = OnceLock::new();
    if tags.is_empty() {
        return EMPTY.get_or_init(|| share_in_table(BTreeMap::new())).clone();
    }
    share_in_table(tags)
}

fn share_in_table(tags: BTreeMap<String, String>) -> Tags {
    // A poisoned table still holds valid entries: a panic elsewhere does not stop sharing.
    let mut table = table().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(shared) = table.get(&tags) {
        return shared.clone();
    }
    let tags = Arc::new(tags);
    if table.len() < MAX_ENTRIES {
        table.insert(tags.clone());
    }
    tags
}

/// Serializes shared tags as the map they are (for `#[serde(serialize_with)]`).
pub fn serialize<S: serde::Serializer>(tags: &Tags, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&**tags, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_tags_are_shared_and_different_ones_kept_apart() {
        let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let a = share(tags(&[("env", "prod"), ("team", "payments")]));
        let b = share(tags(&[("team", "payments"), ("env", "prod")]));
        assert!(Arc::ptr_eq(&a, &b));
        let c = share(tags(&[("env", "staging"), ("team", "payments")]));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.get("env").map(String::as_str), Some("staging"));
        assert!(Arc::ptr_eq(&share(BTreeMap::new()), &share(BTreeMap::new())), "untagged resources share one map");
    }
}
