//! `:` command mode: `:overview`, `:group BY`, `:account NAME`, `:region R`, `:sort KEY [asc|desc]`, `:theme NAME`, `:quit`; Tab completes
//! the command and its argument, the status line lists what fits.

use super::app::{App, Mode};
use super::keys::{lookup, Action, Key, COMMAND};
use super::listing::SortKey;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeSet;

/// The commands, with what each takes.
pub const COMMANDS: [(&str, &str); 7] = [
    ("overview", ""),
    ("group", "control, resource, account or none"),
    ("account", "NAME or ID, or all"),
    ("region", "REGION, or all"),
    ("sort", "KEY [asc|desc]"),
    ("theme", "NAME"),
    ("quit", ""),
];

impl App {
    /// A key while a command is typed.
    pub(super) fn on_command_key(&mut self, key: KeyEvent) -> Vec<super::app::Effect> {
        match (lookup(COMMAND, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                self.command_input.clear();
                self.mode = Mode::Normal;
            }
            (Some(Action::Submit), _) => {
                let text = std::mem::take(&mut self.command_input);
                self.mode = Mode::Normal;
                let first = text.split_whitespace().next().unwrap_or_default().to_lowercase();
                if !first.is_empty() && "overview".starts_with(&first) && first.len() >= 2 {
                    self.status_message = Some("Overview".into());
                    return self.show_overview();
                }
                self.status_message = Some(match self.run_command(&text) {
                    Ok(done) => done,
                    Err(why) => format!(":{} — {why}", text.trim()),
                });
                self.listing.invalidate();
            }
            (Some(Action::Complete), _) => {
                self.command_input = complete(&self.command_input, &self.command_candidates())
            }
            (Some(Action::DeleteChar), _) => {
                self.command_input.pop();
            }
            (None, KeyCode::Char(c)) if !c.is_control() => self.command_input.push(c),
            _ => {}
        }
        Vec::new()
    }

    /// What the word being typed can become: command names, or the values of the command's argument.
    pub fn command_candidates(&self) -> Vec<String> {
        let (head, word) = split_last(&self.command_input);
        let words: Vec<&str> = head.split_whitespace().collect();
        let all: Vec<String> = match words.as_slice() {
            [] => COMMANDS.iter().map(|(c, _)| c.to_string()).collect(),
            ["account"] => {
                let ids: BTreeSet<String> = self.listing.all().iter().map(|r| r.finding.account_id.clone()).collect();
                let names = self.account_names.values().cloned();
                names.chain(ids).chain(["all".to_string()]).collect()
            }
            ["region"] => {
                let regions: BTreeSet<String> = self.listing.all().iter().map(|r| r.finding.region.clone()).collect();
                regions.into_iter().chain(["all".to_string()]).collect()
            }
            ["sort"] => SortKey::NAMED.iter().map(|k| k.name().to_string()).collect(),
            ["sort", _] => vec!["asc".into(), "desc".into()],
            ["group"] => super::listing::GroupBy::ALL.iter().map(|g| g.name().to_string()).collect(),
            ["theme"] => super::theme::builtin_names().into_iter().map(String::from).collect(),
            _ => Vec::new(),
        };
        let lower = word.to_lowercase();
        all.into_iter().filter(|c| c.to_lowercase().starts_with(&lower)).collect()
    }

    /// Runs a command; the answer for the status line, or why it could not run.
    fn run_command(&mut self, text: &str) -> Result<String, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (command, args) =
            words.split_first().ok_or("type a command: overview, group, account, region, sort, theme or quit")?;
        let arg = args.join(" ");
        let full = COMMANDS.iter().map(|(c, _)| *c).find(|c| c.starts_with(&command.to_lowercase()));
        match (full, arg.as_str()) {
            (Some("quit"), _) => {
                self.quit = true;
                Ok("quitting".into())
            }
            (Some("account"), "" | "all") => {
                self.listing.filters.account = None;
                Ok("every account".into())
            }
            (Some("account"), name) => {
                let id = self.account_id(name).ok_or_else(|| format!("no account `{name}` (Tab lists them)"))?;
                let shown = self.account_names.get(&id).map(|n| format!("{id} ({n})")).unwrap_or(id.clone());
                self.listing.filters.account = Some(id);
                Ok(format!("account {shown}"))
            }
            (Some("region"), "" | "all") => {
                self.listing.filters.region = None;
                Ok("every region".into())
            }
            (Some("region"), region) => {
                let known = self.listing.all().iter().any(|r| r.finding.region == region);
                if !known {
                    return Err(format!("no finding is in region `{region}` (Tab lists them)"));
                }
                self.listing.filters.region = Some(region.to_string());
                Ok(format!("region {region}"))
            }
            (Some("sort"), spec) => self.sort_by(spec),
            (Some("group"), name) => self.group_command(name),
            (Some("theme"), name) => {
                let config_dir =
                    crate::config::Config::default_path().and_then(|p| p.parent().map(std::path::Path::to_path_buf));
                self.theme = super::Theme::load(name, config_dir.as_deref())?;
                Ok(format!("theme {name}"))
            }
            _ => Err(format!(
                "unknown command `{command}`: expected overview, group, account, region, sort, theme or quit"
            )),
        }
    }

    /// The account id typed, by its id or its configured name (any case).
    fn account_id(&self, typed: &str) -> Option<String> {
        if self.listing.all().iter().any(|r| r.finding.account_id == typed) || self.account_names.contains_key(typed) {
            return Some(typed.to_string());
        }
        self.account_names.iter().find(|(_, name)| name.eq_ignore_ascii_case(typed)).map(|(id, _)| id.clone())
    }

    fn sort_by(&mut self, spec: &str) -> Result<String, String> {
        let mut words = spec.split_whitespace();
        let names: Vec<&str> = SortKey::NAMED.iter().map(|k| k.name()).collect();
        let expected = || format!("expected {}", names.join(", "));
        let name = words.next().ok_or_else(|| format!("sort by what? {}", expected()))?;
        let key = SortKey::NAMED
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("no sort key `{name}`: {}", expected()))?;
        let descending = match words.next() {
            None => matches!(key, SortKey::Severity | SortKey::Updated | SortKey::Age),
            Some(w) if w.eq_ignore_ascii_case("asc") => false,
            Some(w) if w.eq_ignore_ascii_case("desc") => true,
            Some(w) => return Err(format!("`{w}`: expected asc or desc")),
        };
        self.listing.sort = key;
        self.listing.descending = descending;
        Ok(format!("sorted by {} {}", key.name(), if descending { "descending" } else { "ascending" }))
    }
}

/// `text` up to the word being typed, and that word.
fn split_last(text: &str) -> (&str, &str) {
    match text.rfind(char::is_whitespace) {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    }
}

/// The input with its last word completed: whole (and a space after it) when one candidate fits, else as far as
/// the candidates agree.
fn complete(input: &str, candidates: &[String]) -> String {
    let (head, word) = split_last(input);
    match candidates {
        [] => input.to_string(),
        [only] => format!("{head}{only} "),
        [first, rest @ ..] => {
            let mut common = first.clone();
            for c in rest {
                let same = common.chars().zip(c.chars()).take_while(|(a, b)| a == b).count();
                common = common.chars().take(same).collect();
            }
            if common.chars().count() > word.chars().count() {
                format!("{head}{common}")
            } else {
                input.to_string()
            }
        }
    }
}

#[cfg(test)]
#[path = "command_line_tests.rs"]
mod tests;
