//! `hubtriage completions SHELL` and `hubtriage man`: produced from the command-line definitions, naming every
//! command, without a config or credentials.

use assert_cmd::Command;
use clap::CommandFactory;
use hubtriage::cli::args::Cli;

fn run(args: &[&str]) -> String {
    let home = tempfile::tempdir().expect("dir");
    // A config that does not exist: neither output needs one.
    let output = Command::cargo_bin("hubtriage")
        .expect("binary")
        .env("HOME", home.path())
        .env("HUBTRIAGE_LOG", home.path().join("hubtriage.log"))
        .args(["--config", "/nonexistent/hubtriage.toml"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Every command as typed, nested ones too: `plan`, `exceptions list`, …
fn commands() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in command.get_subcommands() {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let commands = commands();
    assert!(commands.len() > 15 && commands.iter().any(|c| c == &["exceptions", "list"]), "{commands:?}");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run(&["completions", shell]);
        for command in &commands {
            let name = command.last().expect("a name");
            assert!(script.contains(name.as_str()), "{shell}: {command:?}");
        }
        assert!(script.contains("read-only") && script.contains("query"), "{shell}: options too");
    }
    assert!(run(&["completions", "bash"]).contains("complete -F _hubtriage"), "a bash completion function");
}

#[test]
fn the_man_page_is_roff_and_documents_every_command_and_its_options() {
    let page = run(&["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH hubtriage"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".TH hubtriage 1"), "one page, section 1");
    for command in commands() {
        let heading = format!(".SH \"HUBTRIAGE {}\"", command.join(" ").to_uppercase());
        assert!(page.contains(&heading), "{heading}");
    }
    assert!(page.contains("\\-\\-query"), "plan's options are documented");
    assert!(page.contains("\\-\\-read\\-only"));
}
