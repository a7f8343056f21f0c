//! The findings view at 80×24 and at 200×50 with the demo organisation: at 80×24 control ids are whole, the title
//! and the resource keep room, job, workflow and region go first; the status line's text is never overlapped by
//! the key hints, which shorten or go.

use super::demo::demo_app;
use super::{render, text};
use hubtriage::ui::App;

/// The table's column header line and its rows as drawn (the table starts on the screen's second line).
fn table_lines(screen: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines[2].to_string();
    let rows = lines[3..].iter().take_while(|l| !l.starts_with('└')).map(|l| l.to_string()).collect();
    (header, rows)
}

/// The findings in the rows drawn, top first.
fn drawn(app: &App, count: usize) -> Vec<(String, String, String)> {
    app.listing
        .window(0, count)
        .map(|r| {
            let f = &r.finding;
            let resource = f.primary_resource().map_or("-".to_string(), |r| r.short_id().to_string());
            (f.control_or_type().to_string(), f.title.to_string(), resource)
        })
        .collect()
}

#[test]
fn at_80x24_control_ids_are_whole_title_and_resource_keep_room_and_low_value_columns_go() {
    let app = demo_app();
    let screen = text(&render(&app, 80, 24));
    let (header, rows) = table_lines(&screen);
    for column in ["Severity", "Control", "Title", "Resource", "Verdict"] {
        assert!(header.contains(column), "{column} kept: {header}\n{screen}");
    }
    for column in ["Job", "Workflow", "Region"] {
        assert!(!header.contains(column), "{column} goes first at 80 columns: {header}\n{screen}");
    }
    assert!(!rows.is_empty(), "{screen}");
    for ((control, title, resource), line) in drawn(&app, rows.len()).iter().zip(&rows) {
        assert!(line.contains(&format!(" {control} ")), "control `{control}` whole in {line:?}\n{screen}");
        let title_start: String = title.chars().take(20).collect();
        assert!(line.contains(&title_start), "20 characters of the title in {line:?}");
        let resource_start: String = resource.chars().take(12).collect();
        assert!(line.contains(&resource_start), "the resource's first 12 characters in {line:?}");
    }
    let status = screen.lines().last().expect("a status line");
    assert!(status.contains(&format!("{} findings", app.listing.all().len())), "{status}");
    assert!(status.trim_end().ends_with("q quit"), "the hints that fit, whole: {status}");
}

#[test]
fn at_200x50_every_column_shows_and_the_job_column_waits_for_a_job() {
    let app = demo_app();
    let screen = text(&render(&app, 200, 50));
    let (header, rows) = table_lines(&screen);
    for column in ["Severity", "Control", "Title", "Resource", "Account", "Region", "Verdict", "Workflow"] {
        assert!(header.contains(column), "{column}: {header}");
    }
    assert!(!header.contains("Job"), "no job ran: no empty Job column: {header}");
    for ((control, title, _), line) in drawn(&app, rows.len()).iter().zip(&rows) {
        assert!(line.contains(&format!(" {control} ")) && line.contains(title.as_str()), "{line:?}");
    }
    let status = screen.lines().last().expect("a status line");
    assert!(status.ends_with("? help  / query  space mark  a apply  q quit "), "{status:?}");
}

#[test]
fn a_message_on_the_status_line_is_never_overlapped_by_the_key_hints() {
    let mut app = demo_app();
    let message = "exception on arn:aws:s3:::acme-payments-logs renewed until 2027-01-31";
    app.status_message = Some(message.into());
    for (width, height) in [(80, 24), (120, 30), (200, 50)] {
        let screen = text(&render(&app, width, height));
        let status = screen.lines().last().expect("a status line");
        assert!(status.contains(message), "the message whole at {width} columns: {status:?}");
        // Whatever hints are left start after the text, a space apart, each whole.
        let after = &status[status.find(message).expect("message") + message.len()..];
        if let Some(at) = after.find("? help") {
            assert!(after[..at].ends_with(' '), "{status:?}");
            assert!(after[at..].trim_end().ends_with("q quit") || after[at..].trim_end() == "? help", "{status:?}");
        }
    }
    let narrow = text(&render(&app, 80, 24));
    assert!(!narrow.lines().last().expect("status").contains("? help"), "no room at 80 columns: the hints go");
    let wide = text(&render(&app, 200, 50));
    assert!(wide.lines().last().expect("status").ends_with("q quit "), "room at 200 columns: the hints stay");
}
