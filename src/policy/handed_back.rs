//! Findings handed back as manual work: an approval request for them expired unanswered. Until someone requests
//! approval again, such a finding's `approve` or `auto-fix` verdict becomes `manual`, with a note saying why.
//! Shared by every clone of the policy, like the incident-mode switch.

use crate::model::Finding;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// Finding (product ARN and id) → the note it gets.
#[derive(Debug, Clone, Default)]
pub struct HandedBack(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// Whether the map holds anything: most policies never hand anything back, and `decide` runs per finding.
    any: AtomicBool,
    notes: RwLock<HashMap<(String, String), Arc<str>>>,
}

impl HandedBack {
    /// Replaces every entry: (product ARN, finding id as users see it) → note.
    pub fn replace(&self, entries: impl IntoIterator<Item = ((String, String), String)>) {
        let notes: HashMap<(String, String), Arc<str>> =
            entries.into_iter().map(|(key, note)| (key, Arc::from(note.as_str()))).collect();
        let any = !notes.is_empty();
        *self.0.notes.write().unwrap_or_else(|p| p.into_inner()) = notes;
        self.0.any.store(any, Ordering::Release);
    }

    /// Takes one finding out (approval is being requested again).
    pub fn forget(&self, product_arn: &str, id: &str) {
        let mut notes = self.0.notes.write().unwrap_or_else(|p| p.into_inner());
        notes.remove(&(product_arn.to_string(), id.to_string()));
        self.0.any.store(!notes.is_empty(), Ordering::Release);
    }

    /// The note of a finding handed back, if it is.
    pub fn note_for(&self, finding: &Finding) -> Option<Arc<str>> {
        if !self.0.any.load(Ordering::Acquire) {
            return None;
        }
        let notes = self.0.notes.read().unwrap_or_else(|p| p.into_inner());
        notes.get(&(finding.product_arn.to_string(), finding.public_id().to_string())).cloned()
    }
}
