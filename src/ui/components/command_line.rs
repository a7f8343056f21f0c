//! `:` command mode: `:overview`, `:group BY`, `:account NAME`, `:region R`, `:sort KEY [asc|desc]`, `:theme NAME`, `:quit`; Tab
//! completes the command and its argument, the status line lists what fits.

use super::component::Component;
use crate::model::sanitize;
use crate::ui::context::Context;
use crate::ui::keys::{b, k, Action as A};
use crate::ui::keys::{lookup, Action, Binding, Key};
use crate::ui::listing::SortKey;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::collections::BTreeSet;

/// The commands, with what each takes.
pub const COMMANDS: [(&str, &str); 7] = [
    ("overview", ""),
    ("group", "control, resource, account or none"),
    ("account", "NAME or ID, or all; alone: the picker"),
    ("region", "REGION, or all; alone: the picker"),
    ("sort", "KEY [asc|desc]"),
    ("theme", "NAME"),
    ("quit", ""),
];

/// What a key of the command line leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    Typing,
    Done,
    /// `:overview`: show the Overview.
    ShowOverview,
    /// `:account` or `:region` without an argument: open the picker.
    Pick(super::picker::PickerKind),
}

/// The command line.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub input: String,
}

impl Component for CommandLine {
    type Outcome = CommandOutcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let style = Style::default().fg(ctx.theme.status_fg).bg(ctx.theme.status_bg);
        frame.render_widget(Paragraph::new(self.line(ctx)).style(style), area);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> CommandOutcome {
        match (lookup(KEYS, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                self.input.clear();
                return CommandOutcome::Done;
            }
            (Some(Action::Submit), _) => {
                let text = std::mem::take(&mut self.input);
                let first = text.split_whitespace().next().unwrap_or_default().to_lowercase();
                if !first.is_empty() && "overview".starts_with(&first) && first.len() >= 2 {
                    ctx.say("Overview");
                    return CommandOutcome::ShowOverview;
                }
                if let Some(kind) = picker_of(&text) {
                    return CommandOutcome::Pick(kind);
                }
                let answer = match run_command(&text, ctx) {
                    Ok(done) => done,
                    Err(why) => format!(":{} — {why}", text.trim()),
                };
                ctx.say(answer);
                ctx.listing.invalidate();
                return CommandOutcome::Done;
            }
            (Some(Action::Complete), _) => self.input = complete(&self.input, &self.candidates(ctx)),
            (Some(Action::DeleteChar), _) => {
                self.input.pop();
            }
            (None, KeyCode::Char(c)) if !c.is_control() => self.input.push(c),
            _ => {}
        }
        CommandOutcome::Typing
    }
}

impl CommandLine {
    /// What the word being typed can become: command names, or the values of the command's argument.
    pub fn candidates(&self, ctx: &Context) -> Vec<String> {
        let (head, word) = split_last(&self.input);
        let words: Vec<&str> = head.split_whitespace().collect();
        let all: Vec<String> = match words.as_slice() {
            [] => COMMANDS.iter().map(|(c, _)| c.to_string()).collect(),
            ["account"] => {
                let ids: BTreeSet<String> =
                    ctx.listing.all().iter().map(|r| r.finding.account_id.to_string()).collect();
                let names = ctx.account_names.values().cloned();
                names.chain(ids).chain(["all".to_string()]).collect()
            }
            ["region"] => {
                let regions: BTreeSet<String> =
                    ctx.listing.all().iter().map(|r| r.finding.region.to_string()).collect();
                regions.into_iter().chain(["all".to_string()]).collect()
            }
            ["sort"] => SortKey::NAMED.iter().map(|k| k.name().to_string()).collect(),
            ["sort", _] => vec!["asc".into(), "desc".into()],
            ["group"] => crate::ui::listing::GroupBy::ALL.iter().map(|g| g.name().to_string()).collect(),
            ["theme"] => crate::ui::theme::builtin_names().into_iter().map(String::from).collect(),
            _ => Vec::new(),
        };
        let lower = word.to_lowercase();
        all.into_iter().filter(|c| c.to_lowercase().starts_with(&lower)).collect()
    }

    /// The command being typed, then what the word being typed can become (Tab completes it).
    fn line(&self, ctx: &Context) -> Line<'static> {
        let t = &ctx.theme;
        let candidates = self.candidates(ctx);
        let mut hint = candidates.iter().take(8).map(|c| sanitize::single_line(c)).collect::<Vec<_>>().join("  ");
        if candidates.len() > 8 {
            hint.push_str(&format!("  … {} more", candidates.len() - 8));
        }
        Line::from(vec![
            Span::styled(" : ", Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
            Span::raw(sanitize::single_line(&self.input)),
            Span::styled("█", Style::default().fg(t.accent)),
            Span::styled(format!("   {hint}"), Style::default().fg(t.muted)),
        ])
    }
}

/// The picker `:account` or `:region` typed alone opens.
fn picker_of(text: &str) -> Option<super::picker::PickerKind> {
    let mut words = text.split_whitespace();
    let command = words.next()?.to_lowercase();
    if words.next().is_some() {
        return None;
    }
    match COMMANDS.iter().map(|(c, _)| *c).find(|c| c.starts_with(&command)) {
        Some("account") => Some(super::picker::PickerKind::Account),
        Some("region") => Some(super::picker::PickerKind::Region),
        _ => None,
    }
}

/// Runs a command; the answer for the status line, or why it could not run.
fn run_command(text: &str, ctx: &mut Context) -> Result<String, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (command, args) =
        words.split_first().ok_or("type a command: overview, group, account, region, sort, theme or quit")?;
    let arg = args.join(" ");
    let full = COMMANDS.iter().map(|(c, _)| *c).find(|c| c.starts_with(&command.to_lowercase()));
    match (full, arg.as_str()) {
        (Some("quit"), _) => {
            ctx.quit = true;
            Ok("quitting".into())
        }
        (Some("account"), "all") => {
            ctx.listing.filters.account = None;
            Ok("every account".into())
        }
        (Some("account"), name) => {
            let id = account_id(name, ctx).ok_or_else(|| format!("no account `{name}` (Tab lists them)"))?;
            let shown = ctx.account_names.get(&id).map(|n| format!("{id} ({n})")).unwrap_or(id.clone());
            ctx.listing.filters.account = Some(id);
            Ok(format!("account {shown}"))
        }
        (Some("region"), "all") => {
            ctx.listing.filters.region = None;
            Ok("every region".into())
        }
        (Some("region"), region) => {
            let known = ctx.listing.all().iter().any(|r| *r.finding.region == *region);
            if !known {
                return Err(format!("no finding is in region `{region}` (Tab lists them)"));
            }
            ctx.listing.filters.region = Some(region.to_string());
            Ok(format!("region {region}"))
        }
        (Some("sort"), spec) => sort_by(spec, ctx),
        (Some("group"), name) => super::findings::grouping::command(name, ctx),
        (Some("theme"), name) => {
            let config_dir =
                crate::config::Config::default_path().and_then(|p| p.parent().map(std::path::Path::to_path_buf));
            ctx.theme = crate::ui::Theme::load(name, config_dir.as_deref())?;
            Ok(format!("theme {name}"))
        }
        _ => {
            Err(format!("unknown command `{command}`: expected overview, group, account, region, sort, theme or quit"))
        }
    }
}

/// The account id typed, by its id or its configured name (any case).
fn account_id(typed: &str, ctx: &Context) -> Option<String> {
    if ctx.listing.all().iter().any(|r| *r.finding.account_id == *typed) || ctx.account_names.contains_key(typed) {
        return Some(typed.to_string());
    }
    ctx.account_names.iter().find(|(_, name)| name.eq_ignore_ascii_case(typed)).map(|(id, _)| id.clone())
}

fn sort_by(spec: &str, ctx: &mut Context) -> Result<String, String> {
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
    ctx.listing.sort = key;
    ctx.listing.descending = descending;
    Ok(format!("sorted by {} {}", key.name(), if descending { "descending" } else { "ascending" }))
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

/// The command typed after `:`; other characters are typed.
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], A::Submit, "run the command"),
    b(&[k(KeyCode::Esc)], A::Cancel, "drop the command"),
    b(&[k(KeyCode::Tab)], A::Complete, "complete the word being typed"),
    b(&[k(KeyCode::Backspace)], A::DeleteChar, "delete the last character"),
];
