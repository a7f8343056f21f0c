//! Approval requests through the demo (`--demo` keeps them in memory), the app's effects carried out by the same
//! desk operations the TUI session runs: `p` on a production finding whose verdict is `approve` puts it up, `7`
//! lists it, the requester's own approval is refused (production needs two people) and changes nothing, and `n`
//! with a reason rejects it.

use super::fixtures::press;
use super::{render, text};
use clap::Parser;
use crossterm::event::KeyCode;
use hubtriage::cli::args::Cli;
use hubtriage::cli::collect::{collect_with, CollectOptions};
use hubtriage::engine::approval_work;
use hubtriage::engine::approvals::ApprovalDesk;
use hubtriage::engine::Row;
use hubtriage::policy::Verdict;
use hubtriage::review::ApprovalStatus;
use hubtriage::ui::app::{Effect, View};
use hubtriage::ui::context::DeskState;
use hubtriage::ui::{App, Theme};
use std::time::Duration;

const PROD: &str = "210987654321";

/// Carries out the approval effects as the session does, and hands every answer to the app.
async fn perform(desk: &ApprovalDesk, app: &mut App, effects: Vec<Effect>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for effect in effects {
        if let Effect::Approval { req, op } = effect {
            approval_work::perform(desk, req, op, &tx).await;
        }
    }
    while let Ok(msg) = rx.try_recv() {
        app.on_msg(msg);
    }
}

/// Performs what the app queued (the listing after an answer) until nothing is left.
async fn settle(desk: &ApprovalDesk, app: &mut App) {
    for _ in 0..4 {
        let effects: Vec<Effect> =
            app.before_draw().into_iter().filter(|e| matches!(e, Effect::Approval { .. })).collect();
        if effects.is_empty() {
            return;
        }
        perform(desk, app, effects).await;
    }
}

#[test]
fn a_demo_request_cannot_be_approved_by_its_requester_in_prod_and_is_rejected_with_a_reason() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let args = Cli::try_parse_from(["hubtriage", "--demo"]).expect("args").global;
        let config = hubtriage::session::load_config(&args).expect("config");
        let triage = hubtriage::session::triage(&config).expect("triage");
        let backend = hubtriage::session::connect_backend(&args, &config).await.expect("backend");
        let remediator = hubtriage::session::remediator(&config, &backend, &triage, None).expect("remediator");
        let remediator = remediator.expect("the demo can fix");
        let desk = hubtriage::session_approvals::approval_desk(&args, &config, &backend, &remediator, &triage)
            .await
            .expect("the demo keeps requests in memory");
        let options = CollectOptions { source_timeout: Duration::from_secs(60), live: true };
        let collected = collect_with(&backend, &triage, |f| f.account_id == PROD, options).await;
        let row: Row = collected
            .rows
            .into_iter()
            .find(|r| r.decision.verdict == Verdict::NeedsApproval && r.plan().plan().is_some())
            .expect("a production finding of the demo whose live verdict is approve, with a plan");

        let mut app = App::new(Theme::load("dark", None).expect("theme"), backend.label.clone(), true);
        app.account_classes = config.accounts.iter().map(|(id, a)| (id.clone(), a.class.clone())).collect();
        app.desk = DeskState::Ready;
        app.add_rows(vec![row]);

        press(&mut app, KeyCode::Char('p'));
        let effects = press(&mut app, KeyCode::Enter);
        perform(&desk, &mut app, effects).await;
        let status = app.status_message.clone().unwrap_or_default();
        assert!(status.starts_with("approval requested: apr-"), "{status}");
        assert!(status.contains("another identity than yours may approve it"), "{status}");
        settle(&desk, &mut app).await;

        let effects = press(&mut app, KeyCode::Char('7'));
        perform(&desk, &mut app, effects).await;
        assert_eq!(app.view, View::Approvals);
        assert_eq!(app.views.approvals.requests.len(), 1);
        let request = app.views.approvals.requests[0].clone();
        assert_eq!((request.status, request.two_person), (ApprovalStatus::Pending, true));

        // The requester approving their own production request: confirmed with a capital Y, refused by the desk.
        assert!(press(&mut app, KeyCode::Char('y')).is_empty());
        let effects = press(&mut app, KeyCode::Char('Y'));
        perform(&desk, &mut app, effects).await;
        let status = app.status_message.clone().unwrap_or_default();
        assert!(status.contains("not approved"), "{status}");
        assert!(status.contains("another identity than the requester's"), "{status}");
        settle(&desk, &mut app).await;
        assert_eq!(app.views.approvals.requests[0].status, ApprovalStatus::Pending, "nothing changed");
        assert_eq!(desk.get(&request.id, chrono::Utc::now()).await.expect("kept").status, ApprovalStatus::Pending);

        press(&mut app, KeyCode::Char('n'));
        for c in "not during the freeze".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        let effects = press(&mut app, KeyCode::Enter);
        perform(&desk, &mut app, effects).await;
        let status = app.status_message.clone().unwrap_or_default();
        assert_eq!(status, format!("request {} rejected: not during the freeze", request.id));
        settle(&desk, &mut app).await;
        assert_eq!(app.views.approvals.requests[0].status, ApprovalStatus::Rejected);
        let screen = text(&render(&app, 200, 50));
        assert!(screen.contains("not during the freeze"), "{screen}");
        assert_eq!(desk.get(&request.id, chrono::Utc::now()).await.expect("kept").status, ApprovalStatus::Rejected);
    });
}
