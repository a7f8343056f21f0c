#![allow(clippy::unwrap_used)]

use super::output_order;
use crate::cli::collect::Collected;
use crate::engine::Row;
use crate::model::testing::control_finding;
use crate::model::Severity;

#[test]
fn rows_are_printed_most_severe_first_then_by_id_and_equal_keys_as_collected() {
    let triage = crate::session::triage(&crate::config::Config::default()).unwrap();
    let severities = [Severity::Low, Severity::Critical, Severity::Medium, Severity::High, Severity::Informational];
    // Odd counts on both halves, ids that repeat (equal keys), severities in no order.
    let rows: Vec<Row> = (0..1_001usize)
        .map(|i| {
            let mut f = control_finding("S3.8", severities[(i * 7) % 5], "111111111111", "AwsS3Bucket");
            // A long prefix shared by every id; ids that differ within the eight bytes after it, only beyond them,
            // that are a prefix of others, or that hold a NUL or a multi-byte character there.
            let n = (i * 13) % 400;
            f.id = match i % 5 {
                0 => format!("arn:aws:securityhub:eu-west-1:1:finding/{n:03}"),
                1 => format!("arn:aws:securityhub:eu-west-1:1:finding/{n:03}-and-a-long-tail-{}", i % 3),
                2 => format!("arn:aws:securityhub:eu-west-1:1:finding/{}", n % 40),
                3 => format!("arn:aws:securityhub:eu-west-1:1:finding/{n:03}\0x{}", i % 2),
                _ => format!("arn:aws:securityhub:eu-west-1:1:finding/{n:03}é{}", i % 2),
            }
            .into();
            Row::from_snapshot(f, &triage, chrono::Utc::now())
        })
        .collect();
    let collected =
        Collected { live_errors: vec![None; rows.len()], rows, sources: Vec::new(), problems: Vec::new(), live: None };
    let mut expected: Vec<usize> = (0..collected.rows.len()).collect();
    expected.sort_by(|&a, &b| {
        let (a, b) = (&collected.rows[a].finding, &collected.rows[b].finding);
        b.severity.cmp(&a.severity).then_with(|| a.public_id().cmp(b.public_id()))
    });
    assert_eq!(output_order(&collected), expected);
    let empty =
        Collected { rows: Vec::new(), live_errors: Vec::new(), sources: Vec::new(), problems: Vec::new(), live: None };
    assert!(output_order(&empty).is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn a_pipe_written_to_holds_a_megabyte_and_a_file_is_left_as_it_is() {
    use rustix::pipe::{fcntl_getpipe_size, pipe};
    let (reader, writer) = pipe().unwrap();
    let most: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size").unwrap().trim().parse().unwrap();
    assert!(fcntl_getpipe_size(&writer).unwrap() < most.min(1 << 20), "a new pipe holds less (64 KB)");
    super::widen_pipe(&writer);
    assert_eq!(fcntl_getpipe_size(&reader).unwrap(), most.min(1 << 20));
    let file = tempfile::tempfile().unwrap();
    super::widen_pipe(&file);
    assert!(fcntl_getpipe_size(&file).is_err(), "a file is no pipe, and nothing failed");
}
