//! Render tests of the TUI with ratatui's TestBackend: table, detail, plan, help, filters and each theme; the
//! remediation views and dialogs are in `ui_render/remediation.rs`, exceptions in `ui_render/exceptions*.rs`, custom
//! actions and their output in `ui_render/actions.rs`, hostile findings in `ui_render/hostile.rs`.

use chrono::{TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use hubtriage::config::Config;
use hubtriage::engine::Row;
use hubtriage::model::asff::read_document;
use hubtriage::model::Finding;
use hubtriage::playbook::Playbooks;
use hubtriage::triage::Triage;
use hubtriage::ui::theme::builtin_names;
use hubtriage::ui::{App, Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::path::Path;
use std::sync::Arc;

#[path = "ui_render/actions.rs"]
mod actions;
#[path = "ui_render/approvals.rs"]
mod approvals;
#[path = "ui_render/approvals_demo.rs"]
mod approvals_demo;
mod common;
#[path = "ui_render/demo.rs"]
mod demo;
#[path = "ui_render/exceptions.rs"]
mod exceptions;
#[path = "ui_render/exceptions_view.rs"]
mod exceptions_view;
#[path = "ui_render/fixtures.rs"]
mod fixtures;
#[path = "ui_render/grouping.rs"]
mod grouping;
#[path = "ui_render/guidance.rs"]
mod guidance;
#[path = "ui_render/hostile.rs"]
mod hostile;
#[path = "common/hostile.rs"]
mod hostile_asff;
#[path = "ui_render/keys.rs"]
mod keys;
#[path = "ui_render/overview.rs"]
mod overview;
#[path = "ui_render/pickers.rs"]
mod pickers;
#[path = "ui_render/query.rs"]
mod query;
#[path = "ui_render/remediation.rs"]
mod remediation;
#[path = "ui_render/screen_scenes.rs"]
mod screen_scenes;
#[path = "ui_render/screens.rs"]
mod screens;
#[path = "ui_render/small_terminal.rs"]
mod small_terminal;

fn corpus_file(name: &str) -> String {
    let path = common::asff_corpus().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rows of `findings`, assessed with the example config.
fn assessed(findings: impl IntoIterator<Item = Finding>) -> Vec<Row> {
    let config = Config::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")).expect("config");
    let triage = Triage { policy: config.policy().expect("policy"), playbooks: Playbooks::new(&config.playbooks) };
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("time");
    let row = |finding: Finding| {
        let assessment = triage.assess(&finding, None, now);
        Row::new(Arc::new(finding), assessment)
    };
    findings.into_iter().map(row).collect()
}

fn rows() -> Vec<Row> {
    let files = [
        "automated-security-response-on-aws/simdata__cis-41.json",
        "automated-security-response-on-aws/simdata__afsbp-s3.8.json",
        "awsfindingsmanagerlib/matching_findings.json",
    ];
    assessed(files.iter().flat_map(|f| read_document(&corpus_file(f)).findings))
}

fn app_of(theme: &str, rows: Vec<Row>) -> App {
    let mut app = App::new(Theme::load(theme, None).expect("theme"), "test fixtures".into(), false);
    app.add_rows(rows);
    app
}

fn app(theme: &str) -> App {
    app_of(theme, rows())
}

fn render(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| hubtriage::ui::draw(f, app)).expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| (0..area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn key(app: &mut App, code: KeyCode) {
    app.on_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn table_shows_columns_and_rows_sorted_by_severity() {
    let screen = text(&render(&app("dark"), 200, 50));
    for column in ["Severity", "Control", "Title", "Resource", "Account", "Region", "Verdict", "Workflow"] {
        assert!(screen.contains(column), "column {column}\n{screen}");
    }
    assert!(screen.contains("Findings 1/20"), "one of the 21 findings is closed and hidden by default\n{screen}");
    let first_row = screen.lines().find(|l| l.contains('▶')).expect("a selected row");
    assert!(first_row.contains("HIGH"), "most severe first: {first_row}");
}

#[test]
fn detail_shows_verdict_reason_and_plan_with_cli_and_rollback() {
    let mut app = app("dark");
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "EC2.13 sg-47dddc34c51b4be58");
    key(&mut app, KeyCode::Enter);
    let screen = text(&render(&app, 200, 60));
    assert!(screen.contains("Findings 1/1"), "{screen}");
    assert!(screen.contains("Verdict    approve — rule 'security-groups-need-approval'"), "{screen}");
    assert!(screen.contains("before ingress tcp 22 from 0.0.0.0/0"), "{screen}");
    assert!(screen.contains("after  rule removed"), "{screen}");
    assert!(screen.contains("aws ec2 revoke-security-group-ingress --group-id sg-47dddc34c51b4be58"), "{screen}");
    assert!(screen.contains("aws ec2 authorize-security-group-ingress"), "{screen}");
    assert!(screen.contains("basis finding-snapshot"), "{screen}");
}

#[test]
fn raw_json_on_demand() {
    let mut app = app("dark");
    let before = text(&render(&app, 160, 50));
    assert!(!before.contains("\"SchemaVersion\""));
    key(&mut app, KeyCode::Char('J'));
    let after = text(&render(&app, 160, 50));
    assert!(after.contains("\"SchemaVersion\": \"2018-10-08\""), "{after}");
}

#[test]
fn help_lists_every_key() {
    let mut app = app("dark");
    key(&mut app, KeyCode::Char('?'));
    let screen = text(&render(&app, 160, 50));
    for binding in app.help_entries() {
        assert!(screen.contains(binding.help), "help for {:?}\n{screen}", binding.action);
    }
    key(&mut app, KeyCode::Esc);
    assert!(!text(&render(&app, 160, 50)).contains(app.help_entries()[0].help));
}

#[test]
fn severity_region_and_verdict_filters_narrow_the_table() {
    let mut app = app("dark");
    key(&mut app, KeyCode::Char('S')); // CRITICAL only
    assert_eq!(app.listing.visible_len(), 0);
    key(&mut app, KeyCode::Char('S')); // HIGH and above
    let high = app.listing.visible_len();
    assert!(high > 0 && high < 20, "{high}");
    assert!(text(&render(&app, 200, 50)).contains("filter sev≥HIGH"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.listing.visible_len(), 20);
    key(&mut app, KeyCode::Char('R')); // the region picker: the region with most findings after `every region`
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let region = app.listing.filters.region.clone().expect("a region filter");
    assert!(app.listing.window(0, 100).all(|r| *r.finding.region == *region));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('V')); // auto-fix
    assert!(app.listing.window(0, 100).all(|r| r.decision.verdict.name() == "auto-fix"));
}

#[test]
fn every_theme_renders_with_its_own_colours() {
    let mut backgrounds = Vec::new();
    for name in builtin_names() {
        let buffer = render(&app(name), 120, 40);
        let screen = text(&buffer);
        assert!(screen.contains("hubtriage"), "{name}");
        backgrounds.push(buffer[(5, 20)].bg);
    }
    backgrounds.dedup();
    assert_eq!(backgrounds.len(), 3, "each theme paints its own background: {backgrounds:?}");
}

#[test]
fn tiny_terminal_does_not_panic() {
    for (w, h) in [(1, 1), (10, 5), (40, 8)] {
        let _ = render(&app("light"), w, h);
    }
}

#[test]
fn sources_view_shows_every_account_and_region_with_state_counts_and_errors() {
    use hubtriage::cloud::SourceId;
    use hubtriage::engine::{Msg, SourceStatus};
    let mut app = app("dark");
    let source = |a: &str, r: &str| SourceId { account_id: a.into(), region: r.into() };
    let synced_at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("time");
    for (id, status) in [
        (source("111111111111", "eu-west-1"), SourceStatus::Ok { findings: 120, synced_at }),
        (source("111111111111", "us-east-1"), SourceStatus::Loading { pages: 2, findings: 200 }),
        (
            source("222222222222", "eu-west-1"),
            SourceStatus::Denied("AssumeRole arn:aws:iam::222222222222:role/Triage: not authorized".into()),
        ),
        (
            source("222222222222", "us-east-1"),
            SourceStatus::NotEnabled("Account is not subscribed to AWS Security Hub".into()),
        ),
    ] {
        app.on_msg(Msg::SourceState { source: id, status });
    }
    assert!(text(&render(&app, 160, 40)).contains("4 sources: 1 ok, 1 loading, 1 denied, 1 not enabled"));
    key(&mut app, KeyCode::Char('2'));
    let screen = text(&render(&app, 160, 40));
    assert!(screen.contains("Sources: 2 accounts × 2 regions"), "{screen}");
    assert!(screen.contains("ok 120"), "{screen}");
    assert!(screen.contains("loading 200"), "{screen}");
    assert!(screen.contains("not enabled"), "{screen}");
    assert!(
        screen.contains("222222222222/eu-west-1: AssumeRole arn:aws:iam::222222222222:role/Triage: not authorized"),
        "{screen}"
    );
    key(&mut app, KeyCode::Char('1'));
    assert!(text(&render(&app, 160, 40)).contains("Findings 1/20"));
}

#[test]
fn sources_view_says_which_security_hub_each_source_reads() {
    use hubtriage::cloud::{SourceApi, SourceId};
    use hubtriage::engine::{Msg, SourceStatus};
    let mut app = app("dark");
    let source = |r: &str| SourceId { account_id: "111111111111".into(), region: r.into() };
    let synced_at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("time");
    app.on_msg(Msg::SourceState { source: source("eu-west-1"), status: SourceStatus::Ok { findings: 120, synced_at } });
    app.on_msg(Msg::SourceApi { source: source("eu-west-1"), api: SourceApi::V2 });
    app.on_msg(Msg::SourceState {
        source: source("us-east-1"),
        status: SourceStatus::Loading { pages: 1, findings: 7 },
    });
    app.on_msg(Msg::SourceApi { source: source("us-east-1"), api: SourceApi::Cspm });
    let denied = "GetFindingsV2 in 111111111111/us-west-2: AccessDeniedException: no".to_string();
    app.on_msg(Msg::SourceState { source: source("us-west-2"), status: SourceStatus::Denied(denied) });
    app.on_msg(Msg::SourceApi { source: source("us-west-2"), api: SourceApi::V2 });
    key(&mut app, KeyCode::Char('2'));
    let screen = text(&render(&app, 160, 40));
    assert!(screen.contains("v2 ok 120"), "{screen}");
    assert!(screen.contains("cspm loading 7"), "{screen}");
    assert!(screen.contains("v2 denied"), "{screen}");
    assert!(screen.contains("111111111111/us-west-2 (GetFindingsV2): GetFindingsV2 in"), "{screen}");
}

#[test]
fn the_header_shows_what_security_hub_counts_before_paging_ends() {
    use hubtriage::cloud::SourceId;
    use hubtriage::engine::{Msg, OpenTotals};
    use hubtriage::model::Severity;
    let mut app = app("dark");
    assert!(!text(&render(&app, 200, 40)).contains("Security Hub:"), "nothing counted yet");
    let source = |r: &str| SourceId { account_id: "111111111111".into(), region: r.into() };
    let totals = |high: u64, low: u64, fixable: u64| OpenTotals {
        by_severity: [(Severity::High, high), (Severity::Low, low), (Severity::Medium, 0)].into(),
        with_playbook: fixable,
    };
    app.on_msg(Msg::SourceTotals { source: source("eu-west-1"), totals: totals(300, 2, 120) });
    app.on_msg(Msg::SourceTotals { source: source("us-east-1"), totals: totals(40, 0, 40) });
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("Security Hub: 342 open (340 high, 2 low), 160 with a playbook"), "{screen}");
}

#[test]
fn resolved_findings_leave_the_default_view_and_come_back_with_c() {
    use hubtriage::model::WorkflowStatus;
    let mut app = app("dark");
    let mut resolved = rows().remove(0);
    let mut finding = (*resolved.finding).clone();
    finding.workflow_status = WorkflowStatus::Resolved;
    finding.updated_at = Some(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single().expect("time"));
    resolved.finding = Arc::new(finding);
    app.add_rows(vec![resolved]);
    assert_eq!(app.listing.all().len(), 21, "the update replaced the finding, not added one");
    assert_eq!(app.listing.visible_len(), 19, "resolved finding hidden by default");
    key(&mut app, KeyCode::Char('C'));
    assert_eq!(app.listing.visible_len(), 21);
    assert!(text(&render(&app, 200, 50)).contains("+closed"));
}

#[test]
fn top_row_stays_selected_while_findings_stream_in_until_the_user_moves() {
    let all = rows();
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "stream".into(), false);
    let (low_first, rest): (Vec<Row>, Vec<Row>) = all.into_iter().partition(|r| r.finding.severity.label() == "LOW");
    app.add_rows(low_first);
    app.add_rows(rest);
    assert_eq!(app.listing.selected, 0, "more severe findings arriving later do not push the selection down");
    key(&mut app, KeyCode::Char('j'));
    let chosen = app.listing.selected_row().map(|r| r.finding.id.clone());
    app.add_rows(rows());
    assert_eq!(
        app.listing.selected_row().map(|r| r.finding.id.clone()),
        chosen,
        "after a move the finding stays selected"
    );
}

#[test]
fn an_ocsf_finding_shows_as_an_asff_one_with_its_own_id_and_json() {
    let samples = common::asff_corpus().join("../ocsf/elastic-integrations__test-findings.ndjson");
    let findings = hubtriage::model::read_any(&std::fs::read_to_string(samples).expect("OCSF sample")).findings;
    let mut app = app_of("dark", assessed(findings));
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "SQS.1 securityhubfinding");
    key(&mut app, KeyCode::Enter);
    let screen = text(&render(&app, 200, 60));
    assert!(screen.contains("Findings 1/1"), "{screen}");
    assert!(screen.contains("control SQS.1   product Security Hub   workflow NEW   compliance FAILED"), "{screen}");
    assert!(
        screen.contains("Resource   AwsSqsQueue arn:aws:sqs:us-east-2:123456789012:securityhubfinding"),
        "{screen}"
    );
    assert!(screen.contains("Verdict    no-playbook — no playbook handles control SQS.1"), "{screen}");
    assert!(
        screen.contains("security-control/SQS.1/finding/7dabcdef-1234-8912-5678-5012345678904   (OCSF)"),
        "{screen}"
    );
    key(&mut app, KeyCode::Char('J'));
    let raw = text(&render(&app, 200, 60));
    assert!(raw.contains("\"class_uid\": 2003"), "{raw}");
}
