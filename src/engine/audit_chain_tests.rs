use super::*;
use crate::engine::audit::tests::record;
use crate::engine::audit::{AuditEvent, AuditResult};
use std::io::Write;

/// A file holding `text`, opened for reading.
fn file_with(text: &[u8]) -> (tempfile::TempDir, File) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    std::fs::File::create(&path).and_then(|mut f| f.write_all(text)).expect("write");
    let file = File::open(&path).expect("open");
    (dir, file)
}

fn line(seq: u64, prev: &str) -> Vec<u8> {
    encode(&Link { seq, prev: prev.into() }, &record(AuditEvent::Drift, AuditResult::Ok, "j")).expect("encode")
}

#[test]
fn the_hash_is_sha256_hex_of_the_exact_bytes() {
    assert_eq!(line_hash(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_ne!(line_hash(b"a"), line_hash(b"a "));
    assert_eq!(GENESIS.len(), 64);
}

#[test]
fn an_empty_log_starts_the_chain() {
    let (_dir, file) = file_with(b"");
    assert_eq!(next_link(&file).expect("link"), Link { seq: 1, prev: GENESIS.into() });
}

#[test]
fn the_next_link_follows_the_last_line_and_skips_trailing_blank_lines() {
    let first = line(1, GENESIS);
    let second = line(2, &line_hash(&first));
    let text = [first.as_slice(), b"\n", second.as_slice(), b"\n\n"].concat();
    let (_dir, file) = file_with(&text);
    assert_eq!(next_link(&file).expect("link"), Link { seq: 3, prev: line_hash(&second) });
}

#[test]
fn after_a_torn_line_the_sequence_comes_from_the_last_whole_record_and_prev_from_the_torn_bytes() {
    let first = line(1, GENESIS);
    let torn = &line(2, &line_hash(&first))[..40];
    let text = [first.as_slice(), b"\n", torn, b"\n"].concat();
    let (_dir, file) = file_with(&text);
    assert_eq!(next_link(&file).expect("link"), Link { seq: 2, prev: line_hash(torn) });
}

#[test]
fn after_a_record_from_before_the_chain_the_chain_starts_at_one() {
    let legacy = serde_json::to_vec(&record(AuditEvent::Drift, AuditResult::Ok, "old")).expect("json");
    let (_dir, file) = file_with(&[legacy.as_slice(), b"\n"].concat());
    assert_eq!(next_link(&file).expect("link"), Link { seq: 1, prev: line_hash(&legacy) });
}

#[test]
fn lines_are_classified() {
    let whole = line(4, GENESIS);
    assert_eq!(classify(&whole, false), LineKind::Chained(Link { seq: 4, prev: GENESIS.into() }));
    assert_eq!(classify(&whole[..whole.len() - 3], false), LineKind::Torn);
    let legacy = serde_json::to_vec(&record(AuditEvent::Drift, AuditResult::Ok, "old")).expect("json");
    assert_eq!(classify(&legacy, false), LineKind::Legacy);
    let half = String::from_utf8(whole.clone()).expect("utf-8").replacen("\"seq\":4,", "", 1);
    assert!(matches!(classify(half.as_bytes(), false), LineKind::Unreadable(_)));
    assert!(matches!(classify(b"[1, 2]", false), LineKind::Unreadable(_)));
    assert!(is_blank(b" \t") && !is_blank(b"{}"));
}
