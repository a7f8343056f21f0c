use super::*;
use crate::cli::audit_list_format::{csv_cell, json, table};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).single().expect("time")
}

fn no_filter() -> AuditListArgs {
    AuditListArgs {
        resource: None,
        account: None,
        control: None,
        event: Vec::new(),
        since: None,
        until: None,
        format: ListFormat::Table,
    }
}

const LINE: &str = r#"{"seq":1,"prev":"00","time":"2026-12-01T10:00:00Z","event":"apply-intent","result":"pending","job":"s-1","operator":"alice","findings":[],"control_id":"S3.8","account_id":"111111111111","region":"eu-west-1","resource_type":"AwsS3Bucket","resource":"arn:aws:s3:::acme-logs","message":"=HYPERLINK(\"http://x\") \u001b]52;c;ZXZpbA==\u0007done"}"#;

#[test]
fn time_bounds_take_rfc_3339_dates_and_durations_ago() {
    assert_eq!(parse_time_at("3d", now()).expect("3d"), now() - Duration::days(3));
    assert_eq!(parse_time_at("12h", now()).expect("12h"), now() - Duration::hours(12));
    let midnight = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).single().expect("time");
    assert_eq!(parse_time_at("2026-11-30", now()).expect("date"), midnight);
    assert_eq!(parse_time_at("2026-11-30T02:00:00+02:00", now()).expect("rfc 3339"), midnight);
    for bad in ["yesterday", "3w", "d", "2026-13-01", "-"] {
        let err = parse_time_at(bad, now()).expect_err(bad);
        assert!(err.contains("RFC 3339") && err.contains("Nd / Nh"), "{err}");
    }
}

#[test]
fn events_are_named_as_the_log_writes_them() {
    assert_eq!(parse_event("rollback-outcome").expect("known"), AuditEvent::RollbackOutcome);
    assert_eq!(event_name(AuditEvent::NoOp), "no-op");
    let err = parse_event("apply_intent").expect_err("snake case is not the log's name");
    assert!(err.contains("apply-intent, apply-outcome, verification"), "{err}");
    for event in EVENTS {
        assert_eq!(parse_event(&event_name(event)), Ok(event));
    }
}

#[test]
fn a_torn_last_line_and_a_bad_record_are_named_and_the_rest_is_read() {
    let log = format!("{LINE}\nnot json\n\n{LINE}\n{{\"seq\":3,\"time\":\"2026-12-0");
    let (entries, problems) = read(log.as_bytes());
    assert_eq!(entries.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 4]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("line 2: "), "{problems:?}");
    assert_eq!(problems[1], "line 5: incomplete record (the process stopped mid-write)");
}

#[test]
fn filters_combine_and_each_one_narrows() {
    let (entries, _) = read(LINE.as_bytes());
    let r = &entries[0].record;
    assert!(matches(&no_filter(), r));
    let with = |f: &dyn Fn(&mut AuditListArgs)| {
        let mut args = no_filter();
        f(&mut args);
        matches(&args, r)
    };
    assert!(with(&|a| a.resource = Some("acme-logs".into())));
    assert!(!with(&|a| a.resource = Some("acme".into())));
    assert!(with(&|a| a.account = Some("111111111111".into())));
    assert!(!with(&|a| a.account = Some("222222222222".into())));
    assert!(with(&|a| a.control = Some("s3.8".into())));
    assert!(!with(&|a| a.control = Some("S3.5".into())));
    assert!(with(&|a| a.event = vec![AuditEvent::Drift, AuditEvent::ApplyIntent]));
    assert!(!with(&|a| a.event = vec![AuditEvent::Verification]));
    let at = r.time;
    assert!(with(&|a| a.since = Some(at)), "since is inclusive");
    assert!(!with(&|a| a.until = Some(at)), "until is exclusive");
    assert!(with(&|a| a.until = Some(at + Duration::seconds(1))));
}

#[test]
fn csv_cells_are_quoted_and_formulas_defused() {
    assert_eq!(csv_cell("plain"), "plain");
    assert_eq!(csv_cell("a,b"), "\"a,b\"");
    assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    for formula in ["=1+1", "+1", "-1", "@SUM(A1)"] {
        assert_eq!(csv_cell(formula), format!("'{formula}"));
    }
    assert_eq!(csv_cell("=A1,B2"), "\"'=A1,B2\"");
    assert_eq!(csv_cell("\u{1b}[31m=red\nline"), "'=red line", "escapes go before the formula check");
}

#[test]
fn a_hostile_message_is_inert_in_every_form() {
    let (entries, _) = read(LINE.as_bytes());
    let shown: Vec<&Entry> = entries.iter().collect();
    let t = table(&shown);
    assert_eq!(t.lines().count(), 2, "{t}");
    assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
    assert!(t.contains("=HYPERLINK(\"http://x\") done"), "{t}");
    let c = csv(&shown);
    let row = c.split("\r\n").nth(1).expect("a row");
    assert!(row.ends_with(",\"'=HYPERLINK(\"\"http://x\"\") done\""), "{row}");
    let j = json(&shown);
    let parsed: serde_json::Value = serde_json::from_str(&j).expect("JSON");
    assert_eq!(parsed[0]["seq"], 1, "the record as the log holds it, chain fields included");
    assert!(!j.contains('\u{1b}'), "{j:?}");
}
