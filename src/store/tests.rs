use super::*;
use crate::model::raw_json::RawJson;
use crate::model::testing::control_finding;
use crate::model::{ComplianceStatus, Finding, Severity, WorkflowStatus};
use std::os::unix::fs::PermissionsExt;

fn at(text: &str) -> DateTime<Utc> {
    parse_stamp(text).expect("time")
}

/// A finding updated at `updated` with `workflow`, carrying its own JSON.
fn finding(id: &str, updated: &str, workflow: WorkflowStatus) -> Finding {
    let mut f = control_finding("S3.8", Severity::High, "111111111111", "AwsS3Bucket");
    f.id = id.into();
    f.updated_at = Some(at(updated));
    f.workflow_status = workflow;
    f.raw = RawJson::inline(format!(
        r#"{{"Id":"{id}","UpdatedAt":"{updated}","Workflow":{{"Status":"{}"}}}}"#,
        workflow.label()
    ));
    f
}

fn events(store: &Store, f: &Finding) -> Vec<String> {
    store.history(&f.key()).expect("history").into_iter().map(|(_, e, d)| format!("{e} {d}")).collect()
}

#[test]
fn the_newest_copy_wins_and_history_records_the_lifecycle() {
    let store = Store::in_memory().expect("store");
    let now = at("2026-12-01T10:00:00Z");
    let first = finding("f-1", "2026-11-30T10:00:00Z", WorkflowStatus::New);
    assert_eq!(
        store.upsert(std::slice::from_ref(&first), now).expect("upsert"),
        Changes { added: 1, ..Default::default() }
    );

    let resolved = finding("f-1", "2026-12-01T09:00:00Z", WorkflowStatus::Resolved);
    assert_eq!(
        store.upsert(std::slice::from_ref(&resolved), now).expect("upsert"),
        Changes { changed: 1, ..Default::default() }
    );
    // The older copy arriving late (or again) changes nothing.
    assert_eq!(
        store.upsert(std::slice::from_ref(&first), now).expect("upsert"),
        Changes { stale: 1, ..Default::default() }
    );
    assert_eq!(
        store.upsert(std::slice::from_ref(&resolved), now).expect("upsert"),
        Changes::default(),
        "the same copy again"
    );
    let stored = store.load().expect("load");
    assert_eq!(stored.len(), 1);
    assert!(store.raw(stored[0].row).expect("raw").contains("RESOLVED"), "{stored:?}");

    let mut reopened = finding("f-1", "2026-12-02T09:00:00Z", WorkflowStatus::New);
    reopened.compliance_status = Some(ComplianceStatus::Failed);
    store.upsert(std::slice::from_ref(&reopened), now).expect("upsert");
    assert_eq!(
        events(&store, &first),
        ["first-seen NEW", "workflow NEW → RESOLVED", "closed resolved", "workflow RESOLVED → NEW", "reopened NEW"]
    );
}

#[test]
fn the_status_hubtriage_set_holds_until_security_hub_sends_a_newer_copy() {
    let store = Store::in_memory().expect("store");
    let now = at("2026-12-01T10:00:00Z");
    let f = finding("f-1", "2026-11-30T10:00:00Z", WorkflowStatus::New);
    store.upsert(std::slice::from_ref(&f), now).expect("upsert");
    store.set_workflow(&[f.key()], WorkflowStatus::Resolved, "fixed by job 1", now).expect("set");
    assert_eq!(store.load().expect("load")[0].set_workflow, Some(WorkflowStatus::Resolved));
    // The same copy delivered again (a refresh overlap) does not undo it.
    store.upsert(std::slice::from_ref(&f), now).expect("upsert");
    assert_eq!(store.load().expect("load")[0].set_workflow, Some(WorkflowStatus::Resolved));
    // A newer copy from Security Hub is the truth again.
    store.upsert(&[finding("f-1", "2026-12-01T09:00:00Z", WorkflowStatus::New)], now).expect("upsert");
    assert_eq!(store.load().expect("load")[0].set_workflow, None);
    assert!(events(&store, &f).contains(&"set-workflow RESOLVED: fixed by job 1".to_string()));
}

#[test]
fn marks_and_counts_per_source_survive_a_restart_and_the_files_are_private() {
    let dir = tempfile::tempdir().expect("dir");
    let path = path_for(dir.path(), "123456789012", Some("http://127.0.0.1:5000"));
    assert_ne!(path, path_for(dir.path(), "123456789012", None), "moto and AWS never share a store");
    assert_ne!(path, path_for(dir.path(), "210987654321", Some("http://127.0.0.1:5000")));
    let source = SourceId { account_id: "111111111111".into(), region: "eu-west-1".into() };
    let now = at("2026-12-01T10:00:00Z");
    {
        let store = Store::open(&path).expect("open");
        let open = finding("f-1", "2026-11-30T10:00:00Z", WorkflowStatus::New);
        let closed = finding("f-2", "2026-11-30T10:00:00Z", WorkflowStatus::Suppressed);
        store.upsert(&[open, closed], now).expect("upsert");
        store.mark_synced(&source, now).expect("mark");
    }
    let store = Store::open(&path).expect("reopen");
    assert!(store.notices.is_empty(), "{:?}", store.notices);
    assert_eq!(store.marks().expect("marks").get(&source), Some(&now));
    let info = store.info().expect("info");
    assert_eq!(info, [SourceInfo { source, findings: 2, open: 1, synced_from: Some(now) }]);
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().expect("dir")), 0o700);
    let journal: String = store.lock().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
    assert_eq!(journal, "wal");
}

#[test]
fn a_damaged_file_is_moved_aside_never_deleted_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store/x.sqlite3");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, b"this is not a database, it is a text file of some length ....................")
        .expect("write");
    let store = Store::open(&path).expect("a new store");
    assert_eq!(store.notices.len(), 1, "{:?}", store.notices);
    assert!(
        store.notices[0].contains("moved aside to") && store.notices[0].contains("damaged-"),
        "{:?}",
        store.notices
    );
    let aside: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("damaged-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(std::fs::read(aside[0].path()).expect("kept").starts_with(b"this is not a database"));
    store.lock().pragma_update(None, "user_version", 99).expect("pragma");
    drop(store);
    let Err(e) = Store::open(&path) else { panic!("a newer schema must be refused") };
    assert!(e.to_string().contains("newer hubtriage (schema version 99"), "{e}");
}

#[test]
fn prune_removes_only_findings_closed_before_the_retention() {
    let store = Store::in_memory().expect("store");
    let long_ago = at("2026-08-01T10:00:00Z");
    let closed = finding("old", "2026-07-30T10:00:00Z", WorkflowStatus::Resolved);
    let open = finding("open", "2026-07-30T10:00:00Z", WorkflowStatus::New);
    store.upsert(&[closed.clone(), open], long_ago).expect("upsert");
    let recent = finding("recent", "2026-11-30T10:00:00Z", WorkflowStatus::Resolved);
    store.upsert(&[recent], at("2026-11-30T10:00:00Z")).expect("upsert");

    let pruned = store.prune_keys(90, at("2026-12-01T10:00:00Z")).expect("prune");
    assert_eq!(pruned, [closed.key()], "the change feed learns which findings went");
    let left: Vec<String> = store.load().expect("load").iter().map(|s| store.raw(s.row).expect("raw")).collect();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|raw| !raw.contains("\"old\"")), "{left:?}");
    assert!(events(&store, &closed).is_empty(), "its history went with it");
}

#[test]
fn a_store_of_the_first_schema_keeps_its_findings_marks_and_set_status_after_the_migration() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store/v1.sqlite3");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    {
        // A database as the first schema wrote it (its migration as it shipped).
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(schema::FIRST).expect("schema 1");
        conn.execute_batch(
            "INSERT INTO findings VALUES ('arn:p', 'f-2', '111111111111', 'eu-west-1', '2026-11-30T10:00:00.000Z',
                 'NEW', 1, '2026-11-30T11:00:00.000Z', NULL, 'RESOLVED', '2026-11-30T12:00:00.000Z', '{\"Id\":\"f-2\"}');
             INSERT INTO findings VALUES ('arn:p', 'f-1', '111111111111', 'eu-west-1', '2026-11-30T10:00:00.000Z',
                 'NEW', 1, '2026-11-30T11:00:00.000Z', NULL, NULL, NULL, '{\"Id\":\"f-1\"}');
             INSERT INTO sources VALUES ('111111111111', 'eu-west-1', '2026-11-30T09:00:00.000Z');
             PRAGMA user_version = 1;",
        )
        .expect("rows");
    }
    let store = Store::open(&path).expect("migrated");
    let version: i64 = store.lock().query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, schema::VERSION);
    let stored = store.load().expect("load");
    let ids: Vec<&str> = stored.iter().map(|s| &*s.key.id).collect();
    assert_eq!(ids, ["f-1", "f-2"], "both findings kept, read in the order they were kept");
    assert_eq!(stored[1].set_workflow, Some(WorkflowStatus::Resolved), "the status hubtriage set still holds");
    assert_eq!(store.raw(stored[1].row).expect("raw"), "{\"Id\":\"f-2\"}");
    assert_eq!(store.marks().expect("marks").len(), 1);
    // Identity is still unique: the same finding again updates its row.
    let f = finding("f-1", "2026-12-01T10:00:00Z", WorkflowStatus::New);
    let mut again = f.clone();
    again.product_arn = "arn:p".into();
    let changes = store.upsert(&[again], at("2026-12-01T10:00:00Z")).expect("upsert");
    assert_eq!(changes, Changes { changed: 1, ..Default::default() });
    assert_eq!(store.load().expect("load").len(), 2);
}

#[test]
fn a_restored_finding_reads_its_json_back_from_the_store() {
    use crate::model::raw_json::RawSource;
    let store = std::sync::Arc::new(Store::in_memory().expect("store"));
    let f = finding("f-1", "2026-11-30T10:00:00Z", WorkflowStatus::New);
    store.upsert(std::slice::from_ref(&f), at("2026-12-01T10:00:00Z")).expect("upsert");
    let row = store.load().expect("load")[0].row;
    let source: std::sync::Arc<dyn RawSource> = store.clone();
    let kept = RawJson::kept(source, row);
    assert_eq!(kept.text().expect("read back"), f.raw.text().expect("text"));
    let gone = RawJson::kept(store.clone(), row + 1000);
    assert!(gone.text().is_err(), "a row that is not there is an error, not empty JSON");
}

/// A store of `n` findings at `path`, closed (its log folded back into the file).
fn kept(path: &Path, n: usize) {
    let store = Store::open(path).expect("open");
    let findings: Vec<Finding> = (0..n)
        .map(|i| {
            let mut f = finding(&format!("f-{i}"), "2026-11-30T10:00:00Z", WorkflowStatus::New);
            f.raw = RawJson::inline(format!("{{\"Id\":\"f-{i}\",\"Pad\":\"{}\"}}", "x".repeat(2000)));
            f
        })
        .collect();
    store.upsert(&findings, at("2026-12-01T10:00:00Z")).expect("upsert");
}

#[test]
fn a_truncated_store_is_moved_aside_at_open_without_reading_every_page() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store/t.sqlite3");
    kept(&path, 200);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists(), "closed cleanly");
    let len = std::fs::metadata(&path).expect("file").len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).expect("open");
    file.set_len(len / 2).expect("truncate");
    drop(file);
    let store = Store::open(&path).expect("a new store");
    assert_eq!(store.notices.len(), 1, "{:?}", store.notices);
    let notice = &store.notices[0];
    assert!(notice.contains("truncated") || notice.contains("malformed"), "{notice}");
    assert!(notice.contains("moved aside to"), "{notice}");
    assert!(store.load().expect("load").is_empty());
}

#[test]
fn damage_inside_the_file_is_found_by_the_full_check() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store/d.sqlite3");
    kept(&path, 200);
    assert_eq!(Store::open(&path).expect("open").damage().expect("check"), None);
    let mut bytes = std::fs::read(&path).expect("read");
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0xA5);
    std::fs::write(&path, bytes).expect("write");
    let store = Store::open(&path).expect("opens: the damage is past the schema");
    let damage = store.damage().expect("check").expect("damage found");
    assert!(!damage.is_empty() && damage != "ok", "{damage}");
}
