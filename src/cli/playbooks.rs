//! `hubtriage playbooks`: every built-in playbook with its controls, change, rollback, risk class and whether the
//! configuration has it enabled.

use super::args::Format;
use crate::playbook::{CatalogueEntry, Playbooks};
use std::io::Write;

/// Writes the listing to `out`.
pub fn write(out: &mut impl Write, playbooks: &Playbooks, format: Format) -> std::io::Result<()> {
    let entries = playbooks.catalogue();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)
        }
        Format::Table => write_table(out, &entries),
    }
}

fn write_table(out: &mut impl Write, entries: &[CatalogueEntry]) -> std::io::Result<()> {
    let name_width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0).max(8);
    let controls: Vec<String> = entries.iter().map(|e| e.controls.join(",")).collect();
    let control_width = controls.iter().map(String::len).max().unwrap_or(0).max(8);
    writeln!(
        out,
        "{:<name_width$}  {:<7}  {:<20}  {:<control_width$}  CHANGE / ROLLBACK",
        "PLAYBOOK", "ENABLED", "RISK", "CONTROLS"
    )?;
    for (entry, controls) in entries.iter().zip(&controls) {
        let enabled = if entry.enabled { "yes" } else { "no" };
        writeln!(
            out,
            "{:<name_width$}  {enabled:<7}  {:<20}  {controls:<control_width$}  {}",
            entry.name,
            entry.risk.name(),
            entry.change
        )?;
        writeln!(
            out,
            "{:<name_width$}  {:<7}  {:<20}  {:<control_width$}  rollback: {}",
            "", "", "", "", entry.rollback
        )?;
    }
    let off = entries.iter().filter(|e| !e.enabled).count();
    writeln!(out, "{} playbooks, {} enabled, {off} disabled by config", entries.len(), entries.len() - off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::PlaybookSettings;

    fn listing(settings: &PlaybookSettings, format: Format) -> String {
        let mut out = Vec::new();
        write(&mut out, &Playbooks::new(settings), format).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn json_lists_every_playbook_with_its_risk_and_whether_it_is_enabled() {
        let settings = PlaybookSettings { disabled: vec!["ec2-require-imdsv2".into()], ..Default::default() };
        let json: serde_json::Value = serde_json::from_str(&listing(&settings, Format::Json)).expect("json");
        let rows = json.as_array().expect("array");
        assert_eq!(rows.len(), Playbooks::new(&settings).catalogue().len());
        let imds = rows.iter().find(|r| r["name"] == "ec2-require-imdsv2").expect("listed although disabled");
        assert_eq!(imds["enabled"], false);
        assert_eq!(imds["controls"], serde_json::json!(["EC2.8"]));
        assert_eq!(imds["risk"], "reversible-with-care");
        assert!(imds["rollback"].as_str().is_some_and(|r| !r.is_empty()));
        let s3 = rows.iter().find(|r| r["name"] == "s3-bucket-block-public-access").expect("s3");
        assert_eq!((s3["enabled"].clone(), s3["risk"].clone()), (true.into(), "always-safe".into()));
    }

    #[test]
    fn the_table_says_which_are_disabled() {
        let settings = PlaybookSettings { enabled: Some(vec!["s3-default-encryption".into()]), ..Default::default() };
        let table = listing(&settings, Format::Table);
        let line = table.lines().find(|l| l.starts_with("s3-default-encryption ")).expect("row");
        assert!(line.contains(" yes ") && line.contains("S3.4,S3.17"), "{line}");
        let line = table.lines().find(|l| l.starts_with("sg-empty-default-group ")).expect("row");
        assert!(line.contains(" no "), "{line}");
        assert!(table.contains("rollback: "), "{table}");
        let all = Playbooks::new(&settings).catalogue().len();
        assert!(table.trim_end().ends_with(&format!("1 enabled, {} disabled by config", all - 1)), "{table}");
    }
}
