//! The parts of an S3 bucket's state that are read with one call each (Block Public Access, default encryption,
//! policy, tags). A bulk plan reads only the parts its findings' playbooks look at; a state that lacks a part says
//! so (`BucketState::unread`), and no plan is ever made from a part that was not read.

use super::state::BucketState;
use serde::{Deserialize, Serialize};

/// A set of bucket parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BucketParts(u8);

impl BucketParts {
    pub const NONE: Self = Self(0);
    /// `GetPublicAccessBlock`.
    pub const PUBLIC_ACCESS_BLOCK: Self = Self(1);
    /// `GetBucketEncryption`.
    pub const ENCRYPTION: Self = Self(1 << 1);
    /// `GetBucketPolicy`.
    pub const POLICY: Self = Self(1 << 2);
    /// `GetBucketTagging`.
    pub const TAGS: Self = Self(1 << 3);
    pub const ALL: Self = Self(0b1111);

    const NAMES: [(Self, &'static str); 4] = [
        (Self::PUBLIC_ACCESS_BLOCK, "Block Public Access configuration"),
        (Self::ENCRYPTION, "default encryption"),
        (Self::POLICY, "policy"),
        (Self::TAGS, "tags"),
    ];

    /// The parts of either set.
    pub const fn and(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The parts of this set that are not in `other`.
    pub const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// The parts in both sets.
    pub const fn common(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Whether every part of `other` is in this set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// Each part of the set on its own, in a fixed order.
    pub fn each(self) -> impl Iterator<Item = Self> {
        Self::NAMES.into_iter().map(|(part, _)| part).filter(move |part| self.contains(*part))
    }

    /// "policy and tags".
    pub fn describe(self) -> String {
        let names: Vec<&str> = Self::NAMES.iter().filter(|(part, _)| self.contains(*part)).map(|(_, n)| *n).collect();
        match names.split_last() {
            None => "nothing".into(),
            Some((last, [])) => (*last).into(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

impl BucketState {
    /// This state with only `parts` read: the others are marked unread and cleared.
    pub fn only(mut self, parts: BucketParts) -> BucketState {
        let unread = BucketParts::ALL.without(parts);
        if unread.contains(BucketParts::PUBLIC_ACCESS_BLOCK) {
            self.public_access_block = super::state::BucketPublicAccessBlock::Unknown;
        }
        if unread.contains(BucketParts::ENCRYPTION) {
            (self.encryption, self.encryption_kms_key) = (None, None);
        }
        if unread.contains(BucketParts::POLICY) {
            self.policy = None;
        }
        if unread.contains(BucketParts::TAGS) {
            self.tags.clear();
        }
        self.unread = self.unread.and(unread);
        self
    }

    /// Takes over every part `other` read (a read of the same bucket), so this state lacks only what neither has.
    pub fn take_parts_from(&mut self, other: &BucketState) {
        let read = BucketParts::ALL.without(other.unread);
        if read.contains(BucketParts::PUBLIC_ACCESS_BLOCK) {
            self.public_access_block = other.public_access_block;
        }
        if read.contains(BucketParts::ENCRYPTION) {
            self.encryption.clone_from(&other.encryption);
            self.encryption_kms_key.clone_from(&other.encryption_kms_key);
        }
        if read.contains(BucketParts::POLICY) {
            self.policy.clone_from(&other.policy);
        }
        if read.contains(BucketParts::TAGS) {
            self.tags.clone_from(&other.tags);
        }
        self.unread = self.unread.without(read);
    }
}

#[cfg(test)]
#[path = "bucket_parts_tests.rs"]
mod tests;
