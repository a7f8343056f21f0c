//! One shared copy of the text findings repeat: a control's title and description, the generator, the product
//! name are the same in every account and region, and held once per finding they are a large part of the memory
//! 100,000 findings take.

use super::hash::{BuildWordHasher, WordHasher};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex, OnceLock};

/// Most distinct texts kept; beyond it new texts are not shared (the table cannot grow without bound).
const MAX_ENTRIES: usize = 100_000;

/// Longest text shared; longer text is rare and seldom repeated.
const MAX_LEN: usize = 16 * 1024;

/// Bytes hashed from each end of a text: texts that differ only in the middle share a slot, and are told apart by
/// comparing them, which is cheaper than hashing every byte of every description.
const SAMPLE: usize = 48;

#[derive(Default)]
struct Table {
    /// Texts by the hash of their length and ends.
    slots: HashMap<u64, Vec<Arc<str>>, BuildWordHasher>,
    len: usize,
}

fn sample_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut h = WordHasher::default();
    h.write_usize(bytes.len());
    if bytes.len() <= 2 * SAMPLE {
        h.write(bytes);
    } else {
        h.write(&bytes[..SAMPLE]);
        h.write(&bytes[bytes.len() - SAMPLE..]);
    }
    h.finish()
}

/// Slots of each thread's cache of recent texts (a power of two): a few times the texts an export repeats (titles,
/// descriptions and generators of a few hundred controls, accounts, regions), so that they seldom evict each other
/// and the table's lock is seldom taken.
const RECENT_SLOTS: usize = 4096;

thread_local! {
    /// Texts this thread interned lately, by hash: most findings repeat them, and a hit takes no lock.
    static RECENT: RefCell<Vec<Option<Arc<str>>>> = RefCell::new(vec![None; RECENT_SLOTS]);
}

/// The shared copy of `text`, made the shared copy when it is new.
pub fn intern(text: &str) -> Arc<str> {
    if text.len() > MAX_LEN {
        return Arc::from(text);
    }
    let hash = sample_hash(text);
    // The cache is only a shortcut: a thread that is exiting (or a nested call) goes to the table.
    let cached = RECENT.try_with(|recent| {
        let mut recent = recent.try_borrow_mut().ok()?;
        let slot = &mut recent[hash as usize % RECENT_SLOTS];
        Some(match slot {
            Some(shared) if **shared == *text => shared.clone(),
            _ => slot.insert(shared_copy(text, hash)).clone(),
        })
    });
    cached.ok().flatten().unwrap_or_else(|| shared_copy(text, hash))
}

fn shared_copy(text: &str, hash: u64) -> Arc<str> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    let table = TABLE.get_or_init(Default::default);
    let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Table { slots, len } = &mut *table;
    let slot = slots.entry(hash).or_default();
    if let Some(shared) = slot.iter().find(|s| ***s == *text) {
        return shared.clone();
    }
    let shared: Arc<str> = Arc::from(text);
    if *len < MAX_ENTRIES {
        slot.push(shared.clone());
        *len += 1;
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
        // Long texts that differ only in the middle share a slot and stay apart.
        let (left, right) =
            (format!("{}a{}", "x".repeat(80), "y".repeat(80)), format!("{}b{}", "x".repeat(80), "y".repeat(80)));
        assert_eq!(sample_hash(&left), sample_hash(&right));
        assert_eq!(&*intern(&left), left.as_str());
        assert_eq!(&*intern(&right), right.as_str());
        assert!(Arc::ptr_eq(&intern(&right), &intern(&right.clone())));
    }
}
