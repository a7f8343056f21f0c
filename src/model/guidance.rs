//! A finding's own remediation advice, for findings no playbook fixes: ASFF `Remediation.Recommendation` (`Text`,
//! `Url`), OCSF `remediation` (`desc`, `references`). Everything in it is untrusted: it comes back inert.

use super::sanitize;
use serde::Deserialize;

/// Longest advice text kept, in characters.
const MAX_TEXT_CHARS: usize = 2000;
/// Links kept at most.
const MAX_LINKS: usize = 3;

/// What the finding says to do, and where to read more.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Guidance {
    /// The advice, inert, possibly several lines.
    pub text: Option<String>,
    /// Links, inert single lines (shown, never opened).
    pub links: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Document {
    #[serde(rename = "Remediation")]
    asff: Option<AsffRemediation>,
    remediation: Option<OcsfRemediation>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AsffRemediation {
    #[serde(rename = "Recommendation")]
    recommendation: Option<Recommendation>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Recommendation {
    text: Option<serde_json::Value>,
    url: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OcsfRemediation {
    desc: Option<serde_json::Value>,
    references: Option<serde_json::Value>,
}

/// The advice in a finding's JSON (ASFF or OCSF); `None` when it carries none or is no JSON object.
pub fn guidance(raw: &str) -> Option<Guidance> {
    let doc: Document = serde_json::from_str(raw).ok()?;
    let text_of = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| sanitize::inert_lines(t, MAX_TEXT_CHARS).into_owned())
    };
    let link = |v: &serde_json::Value| {
        v.as_str()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| sanitize::single_line(u).chars().take(500).collect())
    };
    let mut guidance = Guidance::default();
    if let Some(r) = doc.asff.and_then(|a| a.recommendation) {
        guidance.text = text_of(r.text.as_ref());
        guidance.links.extend(r.url.as_ref().and_then(link));
    }
    if let Some(r) = doc.remediation {
        guidance.text = guidance.text.or_else(|| text_of(r.desc.as_ref()));
        let references = r.references.as_ref().and_then(serde_json::Value::as_array);
        guidance.links.extend(references.into_iter().flatten().filter_map(link));
    }
    guidance.links.dedup();
    guidance.links.truncate(MAX_LINKS);
    (guidance.text.is_some() || !guidance.links.is_empty()).then_some(guidance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asff_recommendation_text_and_url() {
        let raw = r#"{"Id":"x","Remediation":{"Recommendation":{"Text":"For information on how to correct this issue, consult the documentation.","Url":"https://docs.aws.amazon.com/console/securityhub/IAM.8/remediation"}}}"#;
        let g = guidance(raw).expect("guidance");
        assert_eq!(g.text.as_deref(), Some("For information on how to correct this issue, consult the documentation."));
        assert_eq!(g.links, ["https://docs.aws.amazon.com/console/securityhub/IAM.8/remediation"]);
    }

    #[test]
    fn ocsf_desc_and_references() {
        let raw = r#"{"metadata":{"uid":"u"},"remediation":{"desc":"Rotate the key.","references":["https://a.example/1","https://a.example/2","https://a.example/3","https://a.example/4"]}}"#;
        let g = guidance(raw).expect("guidance");
        assert_eq!(g.text.as_deref(), Some("Rotate the key."));
        assert_eq!(g.links.len(), 3, "at most three links");
    }

    #[test]
    fn hostile_text_is_made_inert_and_missing_advice_is_none() {
        let raw = "{\"Remediation\":{\"Recommendation\":{\"Text\":\"run \\u001b]52;c;cm0gLXJmIH4=\\u0007 now\",\"Url\":\"https://x\\u001b[2J\"}}}";
        let g = guidance(raw).expect("guidance");
        let all = format!("{}{}", g.text.unwrap_or_default(), g.links.join(""));
        assert!(!all.chars().any(|c| c.is_control() && c != '\n'), "{all:?}");
        assert_eq!(guidance(r#"{"Id":"x"}"#), None);
        assert_eq!(guidance(r#"{"Remediation":{"Recommendation":{"Text":"  "}}}"#), None);
        assert_eq!(guidance("not json"), None);
        assert_eq!(guidance(r#"{"Remediation":{"Recommendation":{"Text":42}}}"#), None);
    }
}
