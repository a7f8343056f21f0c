use super::*;
use serde_json::Value;

/// Splits the array that `text` starts with (after its `[`), given `piece` bytes at a time as a file reader would,
/// keeping only the text from each `keep_from` on. The items' texts, and how it ended.
fn split_in_pieces(text: &str, piece: usize) -> (Vec<String>, Split) {
    let bytes = text.as_bytes();
    let open = bytes.iter().position(|&b| b == b'[').expect("an array") as u64;
    let mut split = ArraySplit::new(open + 1);
    // The reader has the `[` (the file's start told it the shape); the rest comes in pieces.
    let (mut buffer, mut base, mut read) = (Vec::new(), open + 1, open as usize + 1);
    let mut items = Vec::new();
    loop {
        let more = &bytes[read..(read + piece).min(bytes.len())];
        buffer.extend_from_slice(more);
        read += more.len();
        let at_end = read == bytes.len();
        loop {
            match split.next(&buffer, base, at_end) {
                Split::Item(range) => {
                    let (start, end) = ((range.start - base) as usize, (range.end - base) as usize);
                    items.push(String::from_utf8(buffer[start..end].to_vec()).expect("utf-8"));
                }
                Split::More { keep_from } => {
                    assert!(!at_end, "more asked for at the end");
                    buffer.drain(..(keep_from - base) as usize);
                    base = keep_from;
                    break;
                }
                end => return (items, end),
            }
        }
    }
}

#[test]
fn items_are_found_whatever_the_pieces_the_text_arrives_in() {
    let arrays = [
        "[]",
        " [ ] ",
        r#"[{"a":"x}]{[\"\\","b":[1,{"c":"]"}]}]"#,
        "[\n    {\n        \"Id\": \"a\\\"b\",\n        \"N\": [1, 2]\n    },\n    {\n        \"Id\": \"c\"\n    }\n]\n",
        r#"[1, -2.5e3 ,true,null, "s\"t", [[]], {}, "é"]"#,
        r#"["\\", "\\\"", "\u0041"]"#,
    ];
    for text in arrays {
        let expected: Vec<Value> = serde_json::from_str(text).expect("valid");
        for piece in 1..=text.len() {
            let (items, end) = split_in_pieces(text, piece);
            let read: Vec<Value> =
                items.iter().map(|i| serde_json::from_str(i).unwrap_or_else(|e| panic!("{i:?}: {e}"))).collect();
            assert_eq!(read, expected, "{text:?} in pieces of {piece}");
            let close = text.rfind(']').expect("]") as u64;
            assert_eq!(end, Split::End(close + 1), "{text:?} in pieces of {piece}");
        }
    }
}

#[test]
fn long_items_are_split_exactly_where_brackets_and_quotes_cross_blocks_of_64_bytes() {
    // Strings full of brackets, longer than a block, an escape now and then, items nested and pretty-printed: every
    // bracket and quote lands at each position of a 64-byte block in one item or another.
    let items: Vec<Value> = (0..12)
        .map(|n| {
            serde_json::json!({
                "Title": format!("{}{{[}}]é{}", "x".repeat(n * 7), "]".repeat(n)),
                "Description": if n % 4 == 0 { format!("a \"quoted\" {{ and \\ {n}") } else { "}".repeat(70 + n) },
                "Resources": [{"Id": format!("arn:{n}"), "Details": {"Nested": [[], {}, [{"deep": "[[["}]]}}],
                "Padding": " ".repeat(n * 5),
            })
        })
        .collect();
    for text in [serde_json::to_string(&items).expect("json"), serde_json::to_string_pretty(&items).expect("json")] {
        for piece in [1, 7, 63, 64, 65, 100, 1000, text.len()] {
            let (split, end) = split_in_pieces(&text, piece);
            let read: Vec<Value> = split.iter().map(|i| serde_json::from_str(i).expect("one item")).collect();
            assert_eq!(read, items, "pieces of {piece}");
            assert_eq!(end, Split::End(text.len() as u64), "pieces of {piece}");
        }
    }
}

#[test]
fn broken_separators_and_a_cut_text_are_invalid_where_they_are() {
    for (text, at) in [
        ("[1,]", 3),
        ("[,1]", 1),
        ("[1 2]", 3),
        ("[{} {}]", 4),
        (r#"[{"a": "unterminated}]"#, 22),
        ("[1, 2", 5),
        ("[", 1),
        ("[\0\0\0", 1),
        ("[1, x]", 4),
    ] {
        for piece in 1..=text.len() {
            let (_, end) = split_in_pieces(text, piece);
            assert_eq!(end, Split::Invalid(at), "{text:?} in pieces of {piece}");
        }
    }
}

#[test]
fn blocks_of_64_bytes_with_quotes_but_no_brackets_keep_track_of_the_strings() {
    // Many short members: most 64-byte blocks hold quotes (an odd number of them as often as an even one) and no
    // bracket at all; a string holding `}`, `]` and `{` ends every item, so a block that lost count of its quotes
    // would end the item early or late.
    let items: Vec<Value> = (0..40)
        .map(|n| {
            let mut item = serde_json::Map::new();
            for m in 0..(n % 9 + 3) {
                item.insert(format!("k{m}{}", "y".repeat((n + m) % 13)), Value::String("v".repeat((n * m) % 23)));
            }
            item.insert("zz".into(), Value::String(format!("{}}}]{{[{}", "q".repeat(n), " ".repeat(n % 64))));
            Value::Object(item)
        })
        .collect();
    for text in [serde_json::to_string(&items).expect("json"), serde_json::to_string_pretty(&items).expect("json")] {
        for piece in [1, 64, 100, text.len()] {
            let (split, end) = split_in_pieces(&text, piece);
            let read: Vec<Value> = split.iter().map(|i| serde_json::from_str(i).expect("one item")).collect();
            assert_eq!(read, items, "pieces of {piece}");
            assert_eq!(end, Split::End(text.len() as u64), "pieces of {piece}");
        }
    }
}
