//! Which Security Hub API a live source reads: Security Hub CSPM (ASFF, `GetFindings`) or the new Security Hub
//! (OCSF, `GetFindingsV2`), as the user chose it (`--api`, `aws.api`) and as it was decided per source.

use serde::Deserialize;
use std::fmt;

/// The API a source reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceApi {
    /// Security Hub CSPM: ASFF findings through `GetFindings`, updated through `BatchUpdateFindings`.
    Cspm,
    /// The new Security Hub: OCSF findings through `GetFindingsV2`, updated through `BatchUpdateFindingsV2`.
    V2,
}

impl SourceApi {
    /// `cspm` or `v2`, as the Sources view and the headless summaries show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Cspm => "cspm",
            Self::V2 => "v2",
        }
    }

    /// The operation that reads the source's findings.
    pub fn operation(self) -> &'static str {
        match self {
            Self::Cspm => "GetFindings",
            Self::V2 => "GetFindingsV2",
        }
    }
}

impl fmt::Display for SourceApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the user asked for (`--api`, `aws.api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ApiChoice {
    /// Per source: the new Security Hub where `DescribeSecurityHubV2` says it is enabled, else Security Hub CSPM.
    #[default]
    Auto,
    /// The new Security Hub everywhere (a source without it shows "not enabled").
    V2,
    /// Security Hub CSPM everywhere.
    Cspm,
}

impl ApiChoice {
    /// The API every source reads, when the choice does not depend on the source.
    pub fn fixed(self) -> Option<SourceApi> {
        match self {
            Self::Auto => None,
            Self::V2 => Some(SourceApi::V2),
            Self::Cspm => Some(SourceApi::Cspm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_from_config_text_and_fix_the_api_or_not() {
        #[derive(Deserialize)]
        struct T {
            api: ApiChoice,
        }
        let read = |s: &str| toml::from_str::<T>(&format!("api = \"{s}\"")).map(|t| t.api);
        assert_eq!(read("auto").ok(), Some(ApiChoice::Auto));
        assert_eq!(read("v2").ok().and_then(ApiChoice::fixed), Some(SourceApi::V2));
        assert_eq!(read("cspm").ok().and_then(ApiChoice::fixed), Some(SourceApi::Cspm));
        assert!(read("V3").is_err());
        assert_eq!(ApiChoice::default().fixed(), None);
        assert_eq!(SourceApi::V2.to_string(), "v2");
    }
}
