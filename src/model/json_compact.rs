//! JSON without the whitespace between tokens: a pretty-printed finding (the AWS CLI indents by four spaces) is kept
//! as the compact text GetFindings sends, about half its size.

use super::json_scan::chunks::next_string_stop;

/// The end of the string whose text starts at `i` (just past its closing quote), sixteen bytes at a time.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        i = next_string_stop(bytes, i);
        match bytes.get(i) {
            Some(b'"') => return i + 1,
            Some(b'\\') => i += 2,
            Some(_) => i += 1,
            None => return bytes.len(),
        }
    }
}

/// `json` without the whitespace between its tokens (strings are kept whole).
pub fn compact(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut i = 0;
    while i < bytes.len() {
        // A run of tokens without whitespace, strings included, is copied at once.
        let start = i;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => break,
                b'"' => i = string_end(bytes, i + 1),
                _ => i += 1,
            }
        }
        // Runs start and end at ASCII bytes (a token boundary or whitespace), so both are character boundaries.
        out.push_str(json.get(start..i.min(bytes.len())).unwrap_or_default());
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(i) {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_between_tokens_goes_and_strings_stay_whole() {
        let pretty = "{\n    \"Title\": \"a  b \\\" c \\\\\",\n    \"N\": [ 1, 2 ],\n    \"é\": \"\\u00e9 x\"\n}\n";
        assert_eq!(compact(pretty), "{\"Title\":\"a  b \\\" c \\\\\",\"N\":[1,2],\"é\":\"\\u00e9 x\"}");
        let long = format!("[\"{}\",  \"{}\\\"  \"]", "x ".repeat(40), "é ".repeat(30));
        assert_eq!(compact(&long), serde_json::from_str::<serde_json::Value>(&long).expect("json").to_string());
        assert_eq!(compact("  "), "");
        assert_eq!(compact("\"unterminated  "), "\"unterminated  ");
    }
}
