#![allow(clippy::unwrap_used)]

use super::write_array;
use serde_json::{json, Value};

impl super::PrettyItem for Value {}

/// Items with every shape the pretty printer treats apart: empty and nested containers, escapes, non-ASCII text; one
/// in five holds a float, which only `serde_json` writes (the others are written by the fast serializer).
fn item(i: usize) -> Value {
    let mut item = json!({
        "id": format!("arn:aws:securityhub:eu-west-1:123456789012:finding/{i}"),
        "title": "quote \" backslash \\ newline \n tab \t bell \u{7} é 🔒",
        "n": i,
        "ratio": i as f64 / 7.0,
        "none": null,
        "flag": i.is_multiple_of(2),
        "empty_list": [],
        "empty_object": {},
        "plan": if i.is_multiple_of(3) { Value::Null } else { json!({"steps": [{"op": "put", "args": ["a", {"b": []}]}], "x": {}}) },
        "errors": (0..i % 4).map(|e| format!("problem {e}")).collect::<Vec<_>>(),
    });
    if !i.is_multiple_of(5) {
        item.as_object_mut().unwrap().remove("ratio");
    }
    item
}

fn expected(len: usize) -> Vec<u8> {
    let all: Vec<Value> = (0..len).map(item).collect();
    serde_json::to_vec_pretty(&all).unwrap()
}

#[test]
fn the_array_is_byte_for_byte_what_serde_json_writes_whatever_the_threads() {
    for len in [0, 1, 2, 999, 1_000, 1_001, 2_345] {
        for threads in [1, 2, 3, 8] {
            let mut out = Vec::new();
            write_array(&mut out, len, threads, item).unwrap();
            assert!(out == expected(len), "{len} items on {threads} threads differ");
        }
    }
}

#[test]
fn a_failing_writer_stops_the_array_with_its_error() {
    struct Full(usize);
    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 < buf.len() {
                return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = write_array(&mut Full(10_000), 5_000, 2, item).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
}
