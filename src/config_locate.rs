//! Finds the line a validation error is about. Validation messages start with the key path
//! (`exceptions.default_days: …`, `policy.rules[2] ('name').verdict: …`, `accounts."12345": …`); the line is that
//! key's line in the file, else its table's header line.

/// A table path segment: name and, for arrays of tables, the index.
#[derive(Debug, PartialEq)]
struct Segment {
    name: String,
    index: Option<usize>,
}

/// The 1-based line of the key a validation message names, if it can be found in `text`.
pub fn line_of(text: &str, message: &str) -> Option<usize> {
    let path = message.split(": ").next()?;
    let segments = parse_path(path)?;
    if let Some(header) = find_table(text, &segments) {
        return Some(header);
    }
    let (leaf, tables) = match segments.split_last() {
        // A plain key, or an element of a plain array (`policy.trusted_products[0]`): the key's line.
        Some((leaf, tables)) if !tables.is_empty() => (Some(leaf), tables),
        _ => (None, segments.as_slice()),
    };
    let header = find_table(text, tables)?;
    let Some(leaf) = leaf else { return Some(header) };
    let key_line =
        text.lines().enumerate().skip(header).take_while(|(_, l)| !l.trim_start().starts_with('[')).find(|(_, l)| {
            let l = l.trim_start();
            l.strip_prefix(leaf.name.as_str()).is_some_and(|rest| rest.trim_start().starts_with('='))
        });
    Some(key_line.map(|(i, _)| i + 1).unwrap_or(header))
}

/// `a.b[2] ('x').c` → [a, b[2], c]; quoted segments (`accounts."123"`) keep their text without quotes.
fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut cleaned = String::new();
    let mut in_paren = false;
    for c in path.chars() {
        match c {
            '(' => in_paren = true,
            ')' => in_paren = false,
            _ if in_paren => {}
            _ => cleaned.push(c),
        }
    }
    let mut segments = Vec::new();
    let mut rest = cleaned.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches('.').trim();
        let (name, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            (quoted[..end].to_string(), &quoted[end + 1..])
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            (rest[..end].trim().to_string(), &rest[end..])
        };
        let (index, after) = match after.strip_prefix('[') {
            Some(inner) => {
                let end = inner.find(']')?;
                (Some(inner[..end].parse().ok()?), &inner[end + 1..])
            }
            None => (None, after),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return None;
        }
        segments.push(Segment { name, index });
        rest = after.trim();
    }
    (!segments.is_empty()).then_some(segments)
}

/// The 1-based line of the header of a table (`[a.b]`, the n-th `[[a.b]]`, `[accounts."1"]`).
fn find_table(text: &str, tables: &[Segment]) -> Option<usize> {
    let dotted = tables.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
    let wanted_index = tables.last().and_then(|s| s.index);
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        let header = l
            .strip_prefix("[[")
            .and_then(|h| h.split("]]").next())
            .or_else(|| l.strip_prefix('[').and_then(|h| h.split(']').next()));
        let Some(header) = header else { continue };
        let header: String = header.split('.').map(|s| s.trim().trim_matches('"')).collect::<Vec<_>>().join(".");
        if header != dotted {
            continue;
        }
        match wanted_index {
            Some(n) if seen < n => seen += 1,
            _ => return Some(i + 1),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "theme = \"dark\"\n\n[exceptions]\nmax_days = 90\ndefault_days = 120\n\n[[policy.rules]]\nname = \"a\"\nverdict = \"manual\"\n\n[[policy.rules]]\nname = \"b\"\nverdict = \"excepted\"\n\n[accounts.\"12345\"]\nclass = \"prod\"\n";

    #[test]
    fn keys_in_tables_arrays_of_tables_and_quoted_tables_are_found() {
        assert_eq!(line_of(TEXT, "exceptions.default_days: 120 must be between"), Some(5));
        assert_eq!(line_of(TEXT, "policy.rules[1] ('b').verdict: rules give"), Some(13));
        assert_eq!(line_of(TEXT, "accounts.\"12345\": an account id has 12 digits"), Some(15));
        assert_eq!(line_of(TEXT, "exceptions.expiry_tag: \"\" is not usable"), Some(3), "a default key: its table");
        assert_eq!(line_of(TEXT, "nothing.here: x"), None);
        assert_eq!(line_of(TEXT, "a message without a path"), None);
    }
}
