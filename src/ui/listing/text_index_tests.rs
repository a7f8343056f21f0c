use super::*;

/// Row `i` set from its parts, as `set` sets it from a row.
fn put(index: &mut TextIndex, i: usize, head: &str, resource: &str, tail: &str, id: &str) {
    index.set_parts(i, head, (resource, id), tail);
}

#[test]
fn replaced_text_is_found_and_old_text_reclaimed() {
    let mut index = TextIndex::default();
    put(&mut index, 0, "open bucket s3.8", "arn:aws:s3:::logs", "111111111111 us-east-1", "f-1");
    put(&mut index, 1, "security group ec2.19", "sg-1", "111111111111 us-east-1", "f-2");
    put(&mut index, 0, "closed bucket s3.8", "arn:aws:s3:::logs", "111111111111 us-east-1", "f-1");
    assert!(!index.get(0).contains("open"));
    assert!(index.get(0).contains("closed") && index.get(0).contains("bucket"));
    let big = "x".repeat(1 << 20);
    for _ in 0..4 {
        put(&mut index, 1, "t", &big, "a", "id");
    }
    let held: usize = index.chunks.iter().map(String::len).sum();
    assert!(held < 3 * (1 << 20), "old text reclaimed: {held}");
    assert!(
        index.get(0).contains("logs 111111111111") && index.get(0).contains("closed bucket s3.8 arn:aws:s3:::logs")
    );
    assert!(index.get(1).contains(&format!("t {big} a id")));
}

#[test]
fn words_and_phrases_are_found_as_in_the_joined_text() {
    let mut index = TextIndex::default();
    // The resource holds a space: a phrase is still matched against the text as joined.
    let (head, resource, tail, id) = ("s3 bucket logging s3.9", "my bucket", "111111111111 eu-west-1 review", "abc-1");
    put(&mut index, 0, head, resource, tail, id);
    let joined = format!("{head} {resource} {tail} {id}");
    let row = index.get(0);
    for needle in [
        "s3.9 my",
        "my bucket 111",
        "bucket 111",
        "review abc",
        "eu-west-1 review abc-1",
        "s3.9 my bucket 111111111111 eu-west-1 review abc-1",
        "logging",
        "abc-1",
        "9 m",
        "w a",
        "bucket  111",
        "review  abc",
        "1 e",
        "",
    ] {
        assert_eq!(row.contains(needle), joined.contains(needle), "{needle:?}");
    }
    assert!(!row.contains("abc-1 s3") && !row.contains("bucket abc-1"), "the id ends the text");
}

#[test]
fn parts_many_rows_share_are_kept_once() {
    let mut index = TextIndex::default();
    for i in 0..1000 {
        put(&mut index, i, "bucket logging s3.9", &format!("arn:aws:s3:::b{i}"), "111111111111 eu-west-1", "f");
    }
    assert_eq!(index.shared.len(), 2);
    let own: usize = index.chunks.iter().map(String::len).sum();
    assert!(own < 1000 * 24, "only each row's own text in the buffer: {own}");
    assert!(index.get(999).contains("eu-west-1 f") && index.get(999).contains("s3.9 arn:aws:s3:::b999 111"));
}
