use super::*;
use crate::engine::audit::tests::record;
use crate::engine::audit::{AuditEvent, AuditLog, AuditResult};

/// A log of `n` records as hubtriage writes them (one job: intent, outcome, verification, …), as its lines.
fn written(n: usize) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    let events = [
        (AuditEvent::ApplyIntent, AuditResult::Pending),
        (AuditEvent::ApplyOutcome, AuditResult::Ok),
        (AuditEvent::Verification, AuditResult::Verified),
        (AuditEvent::FindingUpdate, AuditResult::Ok),
    ];
    for i in 0..n {
        let (event, result) = events[i % events.len()];
        let mut r = record(event, result, &format!("job-{}", i / events.len()));
        r.message = format!("step {i} of the fix, in words");
        futures::executor::block_on(log.append(&r)).expect("append");
    }
    let bytes = std::fs::read(&path).expect("read");
    bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// The lines joined back into a file.
fn file(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    bytes
}

/// The only break of a report (fails when there is none or more than one).
fn first_break(report: &ChainReport) -> &ChainBreak {
    assert!(!report.holds(), "a break was expected");
    &report.breaks[0]
}

#[test]
fn an_untouched_log_holds() {
    let report = verify(&file(&written(9)));
    assert!(report.holds(), "{:?}", report.breaks);
    assert_eq!((report.legacy, report.chained, report.last), (0, 9, Some((9, 9))));
    assert!(verify(b"").holds(), "an empty log holds");
}

#[test]
fn a_byte_changed_in_the_middle_names_its_line() {
    let mut lines = written(9);
    let line = &mut lines[4];
    let at = line.windows(5).position(|w| w == b"step ").expect("message") + 1;
    line[at] = b'X';

    let report = verify(&file(&lines));

    let b = first_break(&report);
    assert_eq!((b.line, b.kind), (5, BreakKind::Changed), "{b}");
    assert!(b.to_string().starts_with("line 5: changed: "), "{b}");
    assert_eq!(report.breaks.len(), 1, "{:?}", report.breaks);
}

#[test]
fn a_changed_sequence_number_names_its_own_line() {
    let mut lines = written(6);
    let text = String::from_utf8(lines[2].clone()).expect("utf-8").replacen("\"seq\":3", "\"seq\":7", 1);
    lines[2] = text.into_bytes();

    let b = verify(&file(&lines)).breaks[0].clone();

    assert_eq!((b.line, b.kind), (3, BreakKind::Changed), "{b}");
}

#[test]
fn a_changed_prev_field_names_its_own_line() {
    let mut lines = written(6);
    let at = lines[3].windows(8).position(|w| w == b"\"prev\":\"").expect("prev") + 8;
    lines[3][at] = if lines[3][at] == b'a' { b'b' } else { b'a' };

    let b = verify(&file(&lines)).breaks[0].clone();

    assert_eq!((b.line, b.kind), (4, BreakKind::Changed), "{b}");
}

#[test]
fn a_removed_line_is_missing_before_the_next() {
    let mut lines = written(8);
    lines.remove(3);

    let report = verify(&file(&lines));

    let b = first_break(&report);
    assert_eq!((b.line, b.kind), (4, BreakKind::Missing), "{b}");
    assert!(b.detail.contains("record 4 is missing"), "{b}");
    assert_eq!(report.breaks.len(), 1, "{:?}", report.breaks);
}

#[test]
fn swapped_lines_are_reordered() {
    let mut lines = written(8);
    lines.swap(2, 3);

    let report = verify(&file(&lines));

    let b = first_break(&report);
    assert_eq!((b.line, b.kind), (3, BreakKind::Reordered), "{b}");
    assert!(report.breaks.iter().all(|b| b.kind == BreakKind::Reordered), "{:?}", report.breaks);
}

#[test]
fn a_torn_line_is_told_apart_from_a_changed_one() {
    let mut lines = written(5);
    let last = lines.len() - 1;
    let half = lines[last].len() / 2;
    lines[last].truncate(half);
    let mut bytes = file(&lines);
    bytes.pop();

    let report = verify(&bytes);

    let b = first_break(&report);
    assert_eq!((b.line, b.kind), (5, BreakKind::Torn), "{b}");
    assert!(b.to_string().starts_with("line 5: torn: "), "{b}");
}

#[test]
fn a_prefix_from_before_the_chain_is_counted_not_covered() {
    let legacy: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            let r = record(AuditEvent::Refused, AuditResult::Refused, &format!("old-{i}"));
            serde_json::to_vec(&r).expect("json")
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    std::fs::write(&path, file(&legacy)).expect("write");
    let log = AuditLog::open(&path).expect("open");
    for job in ["new-1", "new-2"] {
        futures::executor::block_on(log.append(&record(AuditEvent::Drift, AuditResult::Ok, job))).expect("append");
    }
    let bytes = std::fs::read(&path).expect("read");

    let report = verify(&bytes);

    assert!(report.holds(), "{:?}", report.breaks);
    assert_eq!((report.legacy, report.chained), (3, 2));

    let mut altered = bytes.clone();
    altered.extend_from_slice(&legacy[0]);
    altered.push(b'\n');
    let b = first_break(&verify(&altered)).clone();
    assert_eq!((b.line, b.kind), (6, BreakKind::Unchained), "an unchained record after the chain: {b}");
}

#[test]
fn a_removed_start_and_an_unreadable_line_are_breaks() {
    let lines = written(5);
    let b = first_break(&verify(&file(&lines[2..]))).clone();
    assert_eq!((b.line, b.kind), (1, BreakKind::Missing), "{b}");
    assert!(b.detail.contains("records 1-2 are missing"), "{b}");

    let mut garbled = lines.clone();
    garbled[1] = b"{\"seq\":2,\"prev\":nonsense}".to_vec();
    let b = first_break(&verify(&file(&garbled))).clone();
    assert_eq!((b.line, b.kind), (2, BreakKind::Changed), "{b}");
    assert!(b.detail.contains("not a readable audit record"), "{b}");
}

#[test]
fn a_changed_line_is_named_even_when_later_lines_were_also_moved() {
    let mut lines = written(6);
    let at = lines[1].windows(5).position(|w| w == b"step ").expect("message");
    lines[1][at] = b'S';
    lines.swap(2, 3);

    let report = verify(&file(&lines));

    let b = first_break(&report);
    assert_eq!((b.line, b.kind), (2, BreakKind::Changed), "{:?}", report.breaks);
    assert!(report.breaks.iter().any(|b| b.kind == BreakKind::Reordered), "{:?}", report.breaks);
}
