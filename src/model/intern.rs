//! One shared copy of the text findings repeat: a control's title and description, the generator, the product
//! name are the same in every account and region, and held once per finding they are a large part of the memory
//! 100,000 findings take.

use super::hash::BuildWordHasher;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

/// Most distinct texts kept; beyond it new texts are not shared (the table cannot grow without bound).
const MAX_ENTRIES: usize = 100_000;

/// Longest text shared; longer text is rare and seldom repeated.
const MAX_LEN: usize = 16 * 1024;

/// The shared copy of `text`, made the shared copy when it is new.
pub fn intern(text: &str) -> Arc<str> {
    static TABLE: OnceLock<Mutex<HashSet<Arc<str>, BuildWordHasher>>> = OnceLock::new();
    if text.len() > MAX_LEN {
        return Arc::from(text);
    }
    let table = TABLE.get_or_init(Default::default);
    let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(shared) = table.get(text) {
        return shared.clone();
    }
    let shared: Arc<str> = Arc::from(text);
    if table.len() < MAX_ENTRIES {
        table.insert(shared.clone());
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_is_shared() {
        let a = intern("S3 general purpose buckets should block public access");
        let b = intern(&String::from("S3 general purpose buckets should block public access"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*intern("other"), "other");
        assert!(!Arc::ptr_eq(&intern(&"x".repeat(MAX_LEN + 1)), &intern(&"x".repeat(MAX_LEN + 1))));
    }
}
