//! Reads a query, character by character, into terms and how they combine (recursive descent):
//!
//! ```text
//! query := and ("or" and)*          and   := unary+
//! unary := "-" unary | "not" unary | "(" query ")" | "\"" text "\"" | field op value | word
//! ```

use super::term::{field_list, field_term, Field, Op, Term, Typed};
use super::{Expr, Query, QueryError};

pub fn parse(text: &str) -> Result<Query, QueryError> {
    let mut p = Parser { chars: text.chars().collect(), pos: 0, depth: 0, terms: Vec::new() };
    p.skip_space();
    if p.at_end() {
        return Ok(Query::default());
    }
    let expr = p.alternatives()?;
    p.skip_space();
    if let Some(c) = p.peek() {
        // Only a `)` with no `(` before it stops the top level.
        return Err(QueryError::new(p.pos, format!("unexpected `{c}`: no ( before it")));
    }
    Ok(Query { expr: Some(expr), terms: p.terms })
}

/// A typed word as it is searched: lower case; an ARN pasted whole by its last part (the part the searched text
/// keeps of a finding id).
pub fn word_text(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.starts_with("arn:") {
        lower.rsplit('/').next().unwrap_or(&lower).to_string()
    } else {
        lower
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Open parentheses: a `)` ends a word only inside one.
    depth: usize,
    terms: Vec<Term>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Whether a character ends the bare word it follows.
    fn ends_word(&self, c: char) -> bool {
        c.is_whitespace() || (c == ')' && self.depth > 0)
    }

    /// The bare word starting here (not consumed).
    fn word_ahead(&self) -> String {
        self.chars[self.pos..].iter().take_while(|&&c| !self.ends_word(c)).collect()
    }

    /// Consumes the keyword `word` (any case) when it is the next bare word.
    fn keyword(&mut self, word: &str) -> bool {
        if self.word_ahead().eq_ignore_ascii_case(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn alternatives(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.conjunction("or")?];
        loop {
            self.skip_space();
            let at = self.pos;
            if !self.keyword("or") {
                break;
            }
            self.skip_space();
            if self.at_end() || self.peek() == Some(')') {
                return Err(QueryError::new(at, "expected a term after `or`"));
            }
            items.push(self.conjunction("or")?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Any(items) })
    }

    /// Terms ANDed, up to `or`, a closing parenthesis or the end; `after` names what came before, for messages.
    fn conjunction(&mut self, after: &str) -> Result<Expr, QueryError> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            let closing = self.peek() == Some(')') && self.depth > 0;
            if self.at_end() || closing || self.word_ahead().eq_ignore_ascii_case("or") {
                break;
            }
            items.push(self.unary()?);
        }
        match items.len() {
            0 if self.word_ahead().eq_ignore_ascii_case("or") => {
                Err(QueryError::new(self.pos, "expected a term before `or`"))
            }
            0 => Err(QueryError::new(self.pos, format!("expected a term after {after}"))),
            1 => Ok(items.remove(0)),
            _ => Ok(Expr::All(items)),
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        let at = self.pos;
        if self.keyword("not") {
            self.skip_space();
            return self.negated(at, "`not`");
        }
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                if self.peek().is_none_or(|c| self.ends_word(c)) {
                    return Err(QueryError::new(at, "expected a term right after `-`"));
                }
                self.negated(at, "`-`")
            }
            Some('(') => {
                self.pos += 1;
                self.depth += 1;
                self.skip_space();
                if self.at_end() || self.peek() == Some(')') {
                    return Err(QueryError::new(self.pos, "expected a term after `(`"));
                }
                let inner = self.alternatives()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(QueryError::new(self.pos, format!("expected `)` to close the `(` at {}", at + 1)));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some('"') => {
                let text = self.quoted()?;
                if text.trim().is_empty() {
                    return Err(QueryError::new(at, "expected text between the quotes"));
                }
                Ok(self.term(Term::Text { text: text.to_lowercase(), phrase: true }))
            }
            _ => self.bare(),
        }
    }

    fn negated(&mut self, at: usize, what: &str) -> Result<Expr, QueryError> {
        let word = self.word_ahead();
        if self.at_end() || word.eq_ignore_ascii_case("or") || (self.peek() == Some(')') && self.depth > 0) {
            return Err(QueryError::new(at, format!("expected a term after {what}")));
        }
        Ok(Expr::Not(Box::new(self.unary()?)))
    }

    /// The text of a quoted string starting here, without its quotes.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '"') {
            self.pos += 1;
        }
        if self.at_end() {
            return Err(QueryError::new(open, "this quote is not closed: expected a closing `\"`"));
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        Ok(text)
    }

    fn term(&mut self, term: Term) -> Expr {
        self.terms.push(term);
        Expr::Term(self.terms.len() - 1)
    }

    /// A field term (`name op value`) or a word.
    fn bare(&mut self) -> Result<Expr, QueryError> {
        let start = self.pos;
        let word = self.word_ahead();
        let name: String = word.chars().take_while(char::is_ascii_alphabetic).collect();
        let rest = &word[name.len()..];
        let op = Op::at_start(rest).filter(|_| !name.is_empty() && !name.eq_ignore_ascii_case("arn"));
        let Some((op, op_len)) = op else {
            self.pos += word.chars().count();
            return Ok(self.term(Term::Text { text: word_text(&word), phrase: false }));
        };
        let Some(field) = Field::named(&name) else {
            let message = format!(
                "unknown field `{name}`: expected one of {}; put text in quotes to search for it",
                field_list()
            );
            return Err(QueryError::new(start, message));
        };
        let op_at = start + name.len();
        self.pos = op_at + op_len;
        let value_at = self.pos;
        let value = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            let v = self.word_ahead();
            self.pos += v.chars().count();
            v
        };
        if value.is_empty() {
            let typed: String = self.chars[start..value_at].iter().collect();
            return Err(QueryError::new(value_at, format!("expected a value after `{typed}`")));
        }
        let (term, negate) = field_term(field, &name, op, op_at, Typed { text: &value, at: value_at })?;
        let expr = self.term(term);
        Ok(if negate { Expr::Not(Box::new(expr)) } else { expr })
    }
}
