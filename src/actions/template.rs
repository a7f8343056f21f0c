//! `{placeholder}` templates of custom actions: command arguments, notes, SSM parameters.
//!
//! A template is parsed once (unknown placeholders are config errors found at load time) and rendered per finding.
//! Rendering substitutes *text* inside one string: a value holding spaces, quotes, `$(…)`, backticks, `;` or
//! newlines stays part of the one argument it was placed in, and no shell ever sees it. Values come from findings,
//! which anyone who names a resource can write, so they are made inert (escape sequences and control characters
//! removed, newlines turned into spaces) and bounded.

use crate::model::{sanitize, Finding};
use std::fmt;

/// Longest value substituted for one placeholder (characters).
pub const MAX_VALUE_CHARS: usize = 1024;

/// A value a template can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The finding id.
    Id,
    ProductArn,
    /// The finding's account id.
    Account,
    /// The finding's region.
    Region,
    /// The short id of the first resource: bucket name, `sg-…`, `i-…`.
    ResourceId,
    /// The first resource's ARN (its id as given when it is not an ARN).
    ResourceArn,
    /// `AwsS3Bucket`, `AwsEc2SecurityGroup`, …
    ResourceType,
    /// The control id (`S3.8`), empty for findings that are not control checks.
    Control,
    Title,
    /// `CRITICAL`, `HIGH`, …
    Severity,
    /// The workflow status: `NEW`, `NOTIFIED`, …
    Workflow,
    /// `GeneratorId`.
    Generator,
}

impl Placeholder {
    /// Every placeholder, in the order error messages list them.
    pub const ALL: [Placeholder; 12] = [
        Self::Id,
        Self::ProductArn,
        Self::Account,
        Self::Region,
        Self::ResourceId,
        Self::ResourceArn,
        Self::ResourceType,
        Self::Control,
        Self::Title,
        Self::Severity,
        Self::Workflow,
        Self::Generator,
    ];

    /// The name written between braces.
    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::ProductArn => "product_arn",
            Self::Account => "account",
            Self::Region => "region",
            Self::ResourceId => "resource_id",
            Self::ResourceArn => "resource_arn",
            Self::ResourceType => "resource_type",
            Self::Control => "control",
            Self::Title => "title",
            Self::Severity => "severity",
            Self::Workflow => "workflow",
            Self::Generator => "generator",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The finding's value, inert (no control sequences, on one line) and bounded.
    pub fn value(self, finding: &Finding) -> String {
        let resource = finding.primary_resource();
        let raw: &str = match self {
            Self::Id => finding.public_id(),
            Self::ProductArn => &finding.product_arn,
            Self::Account => &finding.account_id,
            Self::Region => &finding.region,
            Self::ResourceId => resource.map(|r| r.short_id()).unwrap_or(""),
            // The id as given: the ARN whenever the finding names the resource by one.
            Self::ResourceArn => resource.map(|r| r.id.as_str()).unwrap_or(""),
            Self::ResourceType => resource.map(|r| &*r.kind).unwrap_or(""),
            Self::Control => finding.control_id.as_deref().unwrap_or(""),
            Self::Title => &finding.title,
            Self::Severity => finding.severity.label(),
            Self::Workflow => finding.workflow_status.label(),
            Self::Generator => &finding.generator_id,
        };
        bounded(&sanitize::single_line(raw), MAX_VALUE_CHARS)
    }
}

/// Text cut to `max` characters, with an ellipsis when cut.
pub fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

fn known() -> String {
    Placeholder::ALL.iter().map(|p| format!("{{{}}}", p.name())).collect::<Vec<_>>().join(", ")
}

impl Template {
    /// Parses `{name}` placeholders; `{{` and `}}` are literal braces.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(TemplateError(format!("a lone '}}' in {text:?}: write '}}}}' for a literal brace"))),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(TemplateError(format!(
                                    "'{{' without a closing '}}' in {text:?}: write '{{{{' for a literal brace"
                                )))
                            }
                        }
                    }
                    let placeholder = Placeholder::from_name(name.trim()).ok_or_else(|| {
                        TemplateError(format!("unknown placeholder {{{name}}} in {text:?} (known: {})", known()))
                    })?;
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Value(placeholder));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Self { pieces })
    }

    /// Whether the template names any placeholder.
    pub fn has_placeholders(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Value(_)))
    }

    /// The template's text with each placeholder replaced by `fill(placeholder)` instead of a finding's value (for
    /// patterns that stand for every value, as in `iam-policy`).
    pub fn fill(&self, fill: impl Fn(Placeholder) -> String) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.clone(),
                Piece::Value(p) => fill(*p),
            })
            .collect()
    }

    /// The template's text with the finding's values in place: always exactly one string.
    pub fn render(&self, finding: &Finding) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Value(p) => out.push_str(&p.value(finding)),
            }
        }
        out
    }
}

/// Parses and renders in one step (for templates already validated at config load).
pub fn render(text: &str, finding: &Finding) -> Result<String, TemplateError> {
    Template::parse(text).map(|t| t.render(finding))
}

#[cfg(test)]
#[path = "template_tests.rs"]
pub(crate) mod tests;
