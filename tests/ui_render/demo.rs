//! The demo organisation's findings in an app, as `hubtriage --demo` shows them (plans from the findings'
//! snapshots: no resource read), with the accounts' configured names.

use clap::Parser;
use hubtriage::cli::args::Cli;
use hubtriage::cli::collect::{collect_with, CollectOptions};
use hubtriage::ui::{App, Theme};
use std::time::Duration;

/// An app showing every finding of the demo organisation.
pub fn demo_app() -> App {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let args = Cli::try_parse_from(["hubtriage", "--demo"]).expect("args").global;
        let config = hubtriage::session::load_config(&args).expect("config");
        let triage = hubtriage::session::triage(&config).expect("triage");
        let backend = hubtriage::session::connect_backend(&args, &config).await.expect("backend");
        let options = CollectOptions { source_timeout: Duration::from_secs(60), live: false };
        let collected = collect_with(&backend, &triage, |_| true, options).await;
        let mut app = App::new(Theme::load("dark", None).expect("theme"), backend.label.clone(), false);
        app.account_names = config.accounts.iter().filter_map(|(id, a)| Some((id.clone(), a.name.clone()?))).collect();
        app.add_rows(collected.rows);
        assert!(app.listing.visible_len() > 20, "the demo shows more findings than an 80×24 table holds");
        app
    })
}
