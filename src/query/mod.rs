//! The query language of the findings table's `/` and `plan --query`:
//! `sev>=high control:S3.* account:payments-prod region:eu-* verdict:auto-fix age>7d "free text"`.
//!
//! Terms are ANDed; `or` joins alternatives (binding looser than AND), `-term` or `not term` negates, parentheses
//! group. A bare word is searched in the row's text as the free-text filter always was. Pure: no UI, no runtime.

mod eval;
mod parser;
mod term;

pub use eval::{account_matches, glob_matches, haystack, haystack_parts, Context, HaystackParts};
pub use term::{Field, Op, StatusValue, Term};

use crate::model::Finding;
use crate::policy::Verdict;
use std::fmt;

/// A query parsed: its terms, and how they combine.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// `None`: the empty query, which admits everything.
    expr: Option<Expr>,
    terms: Vec<Term>,
}

/// How terms combine; `Term(i)` names `terms[i]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Term(usize),
}

/// Why a query could not be read: where (1-based character position) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 1-based position, in characters, of the problem.
    pub position: usize,
    pub message: String,
}

impl QueryError {
    /// An error at the 0-based character `at`.
    fn new(at: usize, message: impl Into<String>) -> Self {
        Self { position: at + 1, message: message.into() }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position, self.message)
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Reads a query; the error says where and what was expected.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        parser::parse(text)
    }

    /// A query of plain words, each searched as typed (text that is not a valid query keeps working as the
    /// free-text filter did).
    pub fn words(text: &str) -> Self {
        let terms: Vec<Term> =
            text.split_whitespace().map(|w| Term::Text { text: parser::word_text(w), phrase: false }).collect();
        let expr = (!terms.is_empty()).then(|| Expr::All((0..terms.len()).map(Expr::Term).collect()));
        Self { expr, terms }
    }

    /// Whether the query admits everything.
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    /// The terms, in the order they were typed.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The words when the query is only plain words ANDed (what typing on narrows).
    pub fn plain_words(&self) -> Option<Vec<&str>> {
        let only_terms = match &self.expr {
            None => true,
            Some(Expr::Term(_)) => true,
            Some(Expr::All(items)) => items.iter().all(|e| matches!(e, Expr::Term(_))),
            Some(_) => false,
        };
        if !only_terms {
            return None;
        }
        self.terms
            .iter()
            .map(|t| match t {
                Term::Text { text, phrase: false } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether a term names the status: closed findings, hidden by default, are then shown as the query says.
    pub fn names_status(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Status(_)))
    }

    /// Combines the terms' results: `leaf(i, term)` says whether term `i` holds.
    pub fn eval(&self, mut leaf: impl FnMut(usize, &Term) -> bool) -> bool {
        match &self.expr {
            None => true,
            Some(e) => self.eval_expr(e, &mut leaf),
        }
    }

    fn eval_expr(&self, e: &Expr, leaf: &mut impl FnMut(usize, &Term) -> bool) -> bool {
        match e {
            Expr::All(items) => items.iter().all(|e| self.eval_expr(e, leaf)),
            Expr::Any(items) => items.iter().any(|e| self.eval_expr(e, leaf)),
            Expr::Not(inner) => !self.eval_expr(inner, leaf),
            Expr::Term(i) => leaf(*i, &self.terms[*i]),
        }
    }

    /// Whether a finding with this verdict matches.
    pub fn matches(&self, finding: &Finding, verdict: Verdict, ctx: &Context) -> bool {
        let mut text = None;
        self.eval(|_, term| term.holds(finding, verdict, ctx, &mut text))
    }

    /// Whether the finding matches with some verdict: before its verdict is final (a live plan may change it).
    pub fn may_match(&self, finding: &Finding, ctx: &Context) -> bool {
        Verdict::ALL.into_iter().any(|v| self.matches(finding, v, ctx))
    }
}

impl std::str::FromStr for Query {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Self, QueryError> {
        Self::parse(text)
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod parse_tests;

#[cfg(test)]
#[path = "eval_tests.rs"]
mod eval_tests;
