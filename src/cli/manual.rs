//! `hubtriage completions SHELL` and `hubtriage man`: generated from the command-line definitions, so they never
//! fall behind them.

use super::args::Cli;
use clap::CommandFactory;
use std::io::Write;

/// Writes the completion script of `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl Write) {
    clap_complete::generate(shell, &mut Cli::command(), "hubtriage", out);
}

/// Writes the man page: the command, its options and its commands, then each command's own options (nested
/// commands included) in a section of its own.
pub fn man(out: &mut impl Write) -> std::io::Result<()> {
    let command = Cli::command();
    clap_mangen::Man::new(command.clone()).render(out)?;
    for sub in command.get_subcommands() {
        section(sub, "hubtriage", out)?;
    }
    Ok(())
}

fn section(command: &clap::Command, parent: &str, out: &mut impl Write) -> std::io::Result<()> {
    let name = format!("{parent} {}", command.get_name());
    writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
    let page = clap_mangen::Man::new(command.clone().bin_name(name.clone()));
    let mut text = Vec::new();
    page.render_synopsis_section(&mut text)?;
    page.render_description_section(&mut text)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        page.render_options_section(&mut text)?;
    }
    // The command's parts are subsections of its section; the quote string each part defines again was defined
    // once at the top of the page.
    for line in String::from_utf8_lossy(&text).lines() {
        if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
            continue;
        }
        match line.strip_prefix(".SH ") {
            Some(heading) => writeln!(out, ".SS {heading}")?,
            None => writeln!(out, "{line}")?,
        }
    }
    for sub in command.get_subcommands() {
        section(sub, &name, out)?;
    }
    Ok(())
}
