//! Render tests of custom actions: the `c` menu (in scope only, dangerous hidden when read-only, confirmation, the
//! Effect) and the Output view (streamed lines, the final result in theme colours, newest run first).

use super::fixtures::*;
use super::{app, render, text};
use crossterm::event::KeyCode;
use hubtriage::actions::{ActionConfig, ActionKind, ActionScope};
use hubtriage::engine::Msg;
use hubtriage::ui::app::Effect;
use hubtriage::ui::App;

fn action(name: &str, key: char, scope: ActionScope, kind: ActionKind) -> ActionConfig {
    ActionConfig {
        name: name.into(),
        key: Some(key),
        description: format!("{name} description"),
        scope,
        confirm: false,
        dangerous: false,
        kind,
    }
}

fn command() -> ActionKind {
    ActionKind::Command { argv: vec!["ticket-cli".into(), "{finding_id}".into()], timeout_seconds: 10 }
}

/// `ticket` (any finding), `quarantine` (security groups; dangerous, asks first), `s3-report` (S3 controls).
fn actions() -> Vec<ActionConfig> {
    let groups = ActionScope { resource_types: vec!["AwsEc2SecurityGroup".into()], ..ActionScope::default() };
    let s3 = ActionScope { controls: vec!["S3.*".into()], ..ActionScope::default() };
    vec![
        action("ticket", 't', ActionScope::default(), command()),
        ActionConfig {
            confirm: true,
            dangerous: true,
            ..action(
                "quarantine",
                'Q',
                groups,
                ActionKind::SsmAutomation {
                    document: "AWS-DisablePublicAccess".into(),
                    parameters: Default::default(),
                },
            )
        },
        action("s3-report", 's', s3, ActionKind::Workflow { status: "NOTIFIED".into(), note: "report".into() }),
    ]
}

fn action_app() -> App {
    let mut app = fix_app();
    app.actions = actions();
    app
}

fn run_of(effects: &[Effect]) -> (u64, String, usize) {
    match effects {
        [Effect::RunAction { run, action, findings }] => (*run, action.clone(), findings.len()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_menu_lists_the_actions_in_scope_and_runs_the_chosen_one_after_confirmation() {
    let mut app = action_app();
    assert!(press(&mut app, KeyCode::Char('c')).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("[t] ticket"), "{screen}");
    assert!(screen.contains("ticket description"), "{screen}");
    assert!(screen.contains("[Q] quarantine"), "{screen}");
    assert!(screen.contains("(asks first)") && screen.contains("(changes something)"), "{screen}");
    assert!(!screen.contains("s3-report"), "S3 actions are not offered for a security group\n{screen}");
    assert!(screen.contains("on the selected finding (EC2.13 sg-47dddc34c51b4be58)"), "{screen}");
    press(&mut app, KeyCode::Char('j'));
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "quarantine asks first");
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("run quarantine on 1 finding(s)?"), "{screen}");
    let (run, name, findings) = run_of(&press(&mut app, KeyCode::Char('y')));
    assert_eq!((run, name.as_str(), findings), (1, "quarantine", 1));
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 50)).contains("running quarantine on 1 finding(s) (run #1)"));
}

#[test]
fn an_actions_key_runs_it_at_once_and_n_cancels_a_confirmation() {
    let mut app = action_app();
    press(&mut app, KeyCode::Char('c'));
    let (run, name, _) = run_of(&press(&mut app, KeyCode::Char('t')));
    assert_eq!((run, name.as_str()), (1, "ticket"));
    press(&mut app, KeyCode::Char('c'));
    assert!(press(&mut app, KeyCode::Char('Q')).is_empty());
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.dialog.is_none());
    press(&mut app, KeyCode::Char('c'));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn dangerous_actions_are_hidden_in_read_only_mode() {
    let mut app = action_app();
    app.read_only = true;
    press(&mut app, KeyCode::Char('c'));
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("[t] ticket"), "{screen}");
    assert!(!screen.contains("quarantine"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('Q')).is_empty());
}

#[test]
fn marked_findings_get_the_actions_offered_for_all_of_them() {
    let mut app = action_app();
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('c'));
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("on 2 marked findings"), "{screen}");
    assert!(screen.contains("[t] ticket"), "{screen}");
    assert!(!screen.contains("quarantine") && !screen.contains("s3-report"), "{screen}");
    let (_, name, findings) = run_of(&press(&mut app, KeyCode::Enter));
    assert_eq!((name.as_str(), findings), ("ticket", 2));
}

#[test]
fn no_action_in_scope_is_said_on_the_status_line() {
    let mut online = fix_app();
    online.actions = actions().into_iter().filter(|a| a.name == "s3-report").collect();
    assert!(press(&mut online, KeyCode::Char('c')).is_empty());
    assert!(online.dialog.is_none());
    assert!(text(&render(&online, 200, 40)).contains("no custom action applies to this finding"));
    online.actions.clear();
    press(&mut online, KeyCode::Char('c'));
    assert!(text(&render(&online, 200, 40)).contains("no custom actions configured"));
    let mut offline = app("dark");
    offline.actions = actions();
    press(&mut offline, KeyCode::Char('/'));
    for c in "sg-47dddc34c51b4be58".chars() {
        press(&mut offline, KeyCode::Char(c));
    }
    press(&mut offline, KeyCode::Enter);
    press(&mut offline, KeyCode::Char('c'));
    let screen = text(&render(&offline, 200, 50));
    assert!(screen.contains("[t] ticket") && !screen.contains("quarantine"), "offline only commands run\n{screen}");
}

#[test]
fn the_output_view_streams_lines_and_shows_each_result_newest_first() {
    let mut app = action_app();
    press(&mut app, KeyCode::Char('c'));
    let (first, ..) = run_of(&press(&mut app, KeyCode::Char('t')));
    press(&mut app, KeyCode::Char('6'));
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("run #1 ticket on 1 finding(s)") && screen.contains("running…"), "{screen}");
    app.on_msg(Msg::ActionOutput { run: first, text: "created ticket SEC-101\nassigned to\tteam-a\n".into() });
    app.on_msg(Msg::ActionOutput { run: first, text: "\u{1b}[31mwarning\u{1b}[0m: slow API".into() });
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("  created ticket SEC-101"), "{screen}");
    assert!(screen.contains("team-a"), "{screen}");
    assert!(screen.contains("warning: slow API") && !screen.contains('\u{1b}'), "{screen}");
    app.on_msg(Msg::ActionDone { run: first, outcome: Ok("ticket SEC-101".into()) });
    assert!(text(&render(&app, 200, 40)).contains("action ticket (run #1) ok: ticket SEC-101"), "status line");

    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('c'));
    let (second, ..) = run_of(&press(&mut app, KeyCode::Char('t')));
    app.on_msg(Msg::ActionDone { run: second, outcome: Err("exit status 3".into()) });
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("action ticket (run #2) failed: exit status 3"), "status line\n{screen}");
    press(&mut app, KeyCode::Char('6'));
    let buffer = render(&app, 200, 40);
    let screen = text(&buffer);
    let newest = screen.find("run #2 ticket").expect("run 2");
    assert!(newest < screen.find("run #1 ticket").expect("run 1"), "newest first\n{screen}");
    assert_eq!(fg_of(&buffer, "ok: ticket SEC-101"), Some(app.theme.ok));
    assert_eq!(fg_of(&buffer, "failed: exit status 3 "), Some(app.theme.error));
    assert!(screen.contains("Output: 2 run(s) · 0 running"), "{screen}");
    press(&mut app, KeyCode::Char('j'));
    assert!(!text(&render(&app, 200, 40)).contains("run #2 ticket"), "j scrolls");
}

#[test]
fn an_action_on_an_imported_finding_claiming_a_control_says_it_is_not_to_be_trusted_and_asks_first() {
    let forged_text = super::corpus_file("automated-security-response-on-aws/simdata__afsbp-s3.8.json")
        .replace("::product/aws/securityhub", ":111111111111:product/111111111111/default")
        .replace("S3.8/finding/e0182181", "S3.8/finding/forged-e0182181");
    let forged = hubtriage::model::asff::read_document(&forged_text).findings;
    assert_eq!(forged.len(), 1);
    let mut app = action_app();
    let policy = hubtriage::config::Config::default().policy().expect("policy");
    let triage =
        hubtriage::triage::Triage { policy, playbooks: hubtriage::playbook::Playbooks::new(&Default::default()) };
    let finding = std::sync::Arc::new(forged.into_iter().next().expect("finding"));
    let assessment = triage.assess(&finding, None, at(2026, 11, 21, 12));
    assert_eq!(assessment.decision.verdict, hubtriage::policy::Verdict::NoPlaybook, "{}", assessment.decision.reason);
    app.add_rows(vec![hubtriage::engine::Row::new(finding, assessment)]);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    for c in "forged".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.listing.visible_len(), 1);

    press(&mut app, KeyCode::Char('c'));
    // `s3-report` is dangerous here (it changes the workflow) and does not ask first, yet it does on this finding.
    app.actions[2].dangerous = true;
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('c'));
    assert!(press(&mut app, KeyCode::Char('s')).is_empty(), "an action on an untrusted finding asks first");
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("run s3-report on 1 finding(s)?"), "{screen}");
    assert!(screen.contains("1 of 1 finding(s) not to be trusted"), "{screen}");
    assert!(screen.contains("product/111111111111/default"), "the product is named\n{screen}");
}
