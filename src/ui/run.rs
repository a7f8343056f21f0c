//! The event loop: draw, then wait for the next key, background message or tick. Restores the terminal on exit
//! and on panic.

use super::app::App;
pub use super::session::Connected;
use super::session::Session;
use crate::engine::Msg;
use crate::triage::Triage;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// Longest time spent applying queued background messages before the next frame.
const MAX_BATCH: Duration = Duration::from_millis(12);

/// Runs the TUI until the user quits. The terminal is taken at once and the first frame drawn while `connect` (the
/// caller identity, the audit copy's check, the store) is still under way: the app says it is connecting, and `q`
/// quits at any moment. The app's `actions` are run by an `ActionRunner`; `operator` defaults to the backend's
/// identity.
pub async fn run(
    mut app: App,
    triage: Arc<Triage>,
    connect: impl std::future::Future<Output = anyhow::Result<Connected>>,
) -> anyhow::Result<()> {
    app.incident = triage.policy.incident.is_on();
    let mut terminal = ratatui::try_init()?;
    let (ui_tx, mut rx) = unbounded_channel();
    let mut connect = std::pin::pin!(connect);
    let mut session: Option<Session> = None;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let result = loop {
        let effects = app.before_draw();
        if let Some(session) = &session {
            for effect in effects {
                session.perform(effect);
            }
        }
        if let Err(e) = terminal.draw(|frame| {
            app.table_height = (frame.area().height as usize * 55 / 100).saturating_sub(3);
            super::screen::draw(frame, &app);
        }) {
            break Err(e.into());
        }
        tokio::select! {
            connected = &mut connect, if session.is_none() => match connected {
                Ok(connected) => session = Some(Session::start(&mut app, connected, &triage, ui_tx.clone())),
                Err(e) => break Err(e),
            },
            Some(msg) = rx.recv() => {
                apply_messages(&mut app, msg, &mut rx, |_| {});
            }
            event = events.next() => match event {
                Some(Ok(event)) => {
                    let effects = app.on_event(&event);
                    if let Some(session) = &session {
                        for effect in effects {
                            session.perform(effect);
                        }
                    }
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(()),
            },
            _ = tick.tick() => {}
            () = crate::cli::apply_run::stop_signal() => break Ok(()),
        }
        if app.quit {
            break Ok(());
        }
    };
    ratatui::restore();
    if let Some(session) = session {
        session.stop().await;
    }
    result
}

/// Applies `first`, then queued messages for at most `MAX_BATCH`, so a flood of pages never starves drawing or
/// input. `observe` sees each message before the app does.
pub fn apply_messages(app: &mut App, first: Msg, rx: &mut UnboundedReceiver<Msg>, mut observe: impl FnMut(&Msg)) {
    let started = Instant::now();
    observe(&first);
    app.on_msg(first);
    while started.elapsed() < MAX_BATCH {
        match rx.try_recv() {
            Ok(msg) => {
                observe(&msg);
                app.on_msg(msg);
            }
            Err(_) => break,
        }
    }
}
