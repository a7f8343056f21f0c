#![allow(clippy::unwrap_used)]

use super::{by_severity_then_id, common_prefix};
use crate::model::Severity;

/// The order a stable sort by (most severe, id) gives.
fn reference(rows: &[(Severity, &str)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[b].0.cmp(&rows[a].0).then_with(|| rows[a].1.cmp(rows[b].1)));
    order
}

/// A small deterministic generator, so that a failure names its seed.
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn finding_ids_of_an_organisation_are_ordered_as_a_stable_sort_orders_them() {
    let regions = ["us-east-1", "us-east-2", "eu-west-1", "ap-southeast-2", ""];
    let controls = ["S3.8", "S3.1", "CloudTrail.4", "EC2.19", "IAM.1"];
    for seed in 1..=6u64 {
        let mut numbers = Numbers(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let ids: Vec<String> = (0..3_000)
            .map(|_| {
                let region = regions[numbers.below(5) as usize];
                let account = 300_000_000_000 + numbers.below(40) * 1_000_003;
                let control = controls[numbers.below(5) as usize];
                let tail = numbers.below(700);
                format!(
                    "arn:aws:securityhub:{region}:{account}:subscription/aws-foundational-security-best-practices/v/1.0.0/{control}/finding/{tail:x}"
                )
            })
            .collect();
        let severities = Severity::ALL;
        let rows: Vec<(Severity, &str)> =
            ids.iter().map(|id| (severities[numbers.below(5) as usize], id.as_str())).collect();
        assert_eq!(by_severity_then_id(&rows), reference(&rows), "seed {seed}");
    }
}

#[test]
fn ids_that_are_prefixes_hold_nuls_or_multi_byte_characters_or_repeat_keep_their_order() {
    let ids = [
        "",
        "",
        "a",
        "a\0",
        "a\0\0\0\0\0\0\0\0\0",
        "a\0\0\0\0\0\0\0\0",
        "ab",
        "a",
        "abcdefgh",
        "abcdefghi",
        "abcdefgh",
        "abcdefgh\0",
        "é",
        "e\u{301}",
        "éé",
        "abcdefghabcdefghabcdefgh",
        "abcdefghabcdefghabcdefgh",
        "abcdefghabcdefgh",
        "abcdefghabcdefghabcdefgi",
        "\0",
        "\0\0",
    ];
    for severity_of in [|_: usize| Severity::High, |i: usize| Severity::ALL[i % 5]] {
        let rows: Vec<(Severity, &str)> = ids.iter().enumerate().map(|(i, id)| (severity_of(i), *id)).collect();
        assert_eq!(by_severity_then_id(&rows), reference(&rows));
        let reversed: Vec<(Severity, &str)> = rows.iter().rev().copied().collect();
        assert_eq!(by_severity_then_id(&reversed), reference(&reversed));
    }
}

#[test]
fn no_rows_and_one_row_are_ordered() {
    assert!(by_severity_then_id(&[]).is_empty());
    assert_eq!(by_severity_then_id(&[(Severity::Low, "only")]), vec![0]);
    assert_eq!(by_severity_then_id(&[(Severity::Low, "b"), (Severity::Critical, "c")]), vec![1, 0]);
}

#[test]
fn the_common_prefix_is_counted_across_whole_words_and_the_bytes_after_them() {
    assert_eq!(common_prefix(b"", b"abc"), 0);
    assert_eq!(common_prefix(b"abcdefghij", b"abcdefghij"), 10);
    assert_eq!(common_prefix(b"abcdefghij", b"abcdefghik"), 9);
    assert_eq!(common_prefix(b"abcdefgh", b"abcdefgX"), 7);
    assert_eq!(common_prefix(b"abcdefghijklmnopq", b"abcdefghijklmnop"), 16);
    assert_eq!(common_prefix(b"xbc", b"abc"), 0);
}
