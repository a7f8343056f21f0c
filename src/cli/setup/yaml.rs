//! A JSON value written as block-style YAML, for CloudFormation templates: maps and lists as blocks, every string
//! double-quoted with JSON's escapes (which YAML's double-quoted scalars share), so no value can be read back as a
//! number, a boolean, a null or a date. Keys are plain when they are plainly safe, quoted otherwise. Intrinsic
//! functions stay in their long form (`Fn::GetAtt:`), which CloudFormation reads in YAML too.

use serde_json::Value;

/// `value` as a YAML document (ends with a newline).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n("  ", level));
}

/// A key is written plain when it is a word (letters, digits, `_`, `-`, `:` between words) that YAML 1.1 reads as
/// nothing but a string.
fn key(text: &str) -> String {
    let reserved = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
        && !text.ends_with(':')
        && !text.contains("::-")
        && !reserved.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_string()
    } else {
        quoted(text)
    }
}

fn quoted(text: &str) -> String {
    // A JSON string literal is a valid YAML double-quoted scalar.
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => quoted(s),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (k, v) in map {
        indent(out, level);
        out.push_str(&key(k));
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

fn write_value_after_key(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if is_block(value) => {
            out.push('\n');
            write_map(out, map, level + 1);
        }
        Value::Array(items) if is_block(value) => {
            out.push('\n');
            write_list(out, items, level + 1);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Value::Object(map) if is_block(item) => {
                // The first key goes on the dash's line, the others under it.
                let mut first = true;
                for (k, v) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 1);
                    }
                    out.push_str(&key(k));
                    out.push(':');
                    write_value_after_key(out, v, level + 1);
                }
            }
            Value::Array(inner) if is_block(item) => {
                out.push('\n');
                write_list(out, inner, level + 1);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_and_lists_are_blocks_and_strings_are_quoted() {
        let value = json!({
            "Resources": { "Q": { "Type": "AWS::SQS::Queue" } },
            "List": [{ "Id": "a", "Arn": { "Fn::GetAtt": ["Q", "Arn"] } }, "x", 5, [], {}],
        });
        let yaml = to_yaml(&value);
        // serde_json keeps keys sorted, or in insertion order when a crate of the build asks for that.
        let (first, second) = match value["List"][0].as_object().and_then(|m| m.keys().next()).map(String::as_str) {
            Some("Id") => ("Id: \"a\"\n", "Arn:\n      Fn::GetAtt:\n        - \"Q\"\n        - \"Arn\"\n"),
            _ => ("Arn:\n      Fn::GetAtt:\n        - \"Q\"\n        - \"Arn\"\n", "Id: \"a\"\n"),
        };
        let list = format!("List:\n  - {first}    {second}  - \"x\"\n  - 5\n  - []\n  - {{}}\n");
        assert!(yaml.contains(&list), "{yaml}");
        assert!(yaml.contains("Resources:\n  Q:\n    Type: \"AWS::SQS::Queue\"\n"), "{yaml}");
        assert_eq!(yaml.len(), list.len() + "Resources:\n  Q:\n    Type: \"AWS::SQS::Queue\"\n".len(), "{yaml}");
    }

    #[test]
    fn values_and_keys_that_yaml_would_read_as_something_else_are_quoted() {
        let value = json!({ "true": "false", "yes": "5", "aws:SourceArn": "a: b # c", "a b": "line\nbreak\t\"q\"" });
        let yaml = to_yaml(&value);
        assert!(yaml.contains("\"true\": \"false\"\n"), "{yaml}");
        assert!(yaml.contains("\"yes\": \"5\"\n"), "{yaml}");
        assert!(yaml.contains("aws:SourceArn: \"a: b # c\"\n"), "{yaml}");
        assert!(yaml.contains("\"a b\": \"line\\nbreak\\t\\\"q\\\"\"\n"), "{yaml}");
    }
}
