//! Nothing a `command` action starts outlives it: a script that starts a grandchild (`sleep 300 &`) and waits is
//! stopped with that grandchild when it times out, when its run is dropped, and when hubtriage quits (the runner's
//! `stop_all`, and the real binary quitting its TUI or told to stop with SIGTERM).

use super::{actions, drain, finding, run_offline};
use hubtriage::actions::ActionRunner;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::unbounded_channel;

/// `[[actions]]` running `sh -c SCRIPT`, where SCRIPT starts `sleep 300` in the background, writes its pid to
/// `pidfile` and waits; `prelude` runs first (e.g. `trap '' TERM`).
fn spawner(pidfile: &Path, prelude: &str, timeout_seconds: u64) -> String {
    let script = format!("{prelude}sleep 300 & echo $! > {}; wait", pidfile.display());
    format!(
        "[[actions]]\nname = \"spawn\"\nkind = \"command\"\nargv = [\"sh\", \"-c\", {script:?}]\n\
         timeout_seconds = {timeout_seconds}\n"
    )
}

/// The pid written to `pidfile`, once it is there.
async fn pid_in(pidfile: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(pid) = std::fs::read_to_string(pidfile).ok().and_then(|t| t.trim().parse().ok()) {
            return pid;
        }
        assert!(Instant::now() < deadline, "{} never got a pid", pidfile.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether a process runs: it has a `/proc` entry and is not a zombie (a dead child not yet reaped by its parent).
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

/// Waits up to `within` for a process to end; whether it did.
pub fn ends_within(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// Kills a process a failed test left behind.
fn cleanup(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status();
}

fn pidfile(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("grandchild.pid")
}

#[tokio::test]
async fn a_command_that_times_out_is_stopped_with_the_grandchild_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (outcome, _) = run_offline(actions(&spawner(&pidfile(&dir), "", 1)), "spawn", &[finding("t")]).await;
    let grandchild = pid_in(&pidfile(&dir)).await;
    let gone = ends_within(grandchild, Duration::from_secs(2));
    cleanup(grandchild);
    let err = outcome.unwrap_err();
    assert!(err.contains("timed out after 1s (stopped with every process it started)"), "{err}");
    assert!(gone, "the grandchild {grandchild} still runs after the timeout");
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_group_that_ignores_sigterm_is_killed_after_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    // An ignored signal stays ignored in the children: neither the shell nor the sleep ends on SIGTERM.
    let toml = spawner(&pidfile(&dir), "trap '' TERM; ", 1);
    let started = Instant::now();
    let (outcome, _) = run_offline(actions(&toml), "spawn", &[finding("t")]).await;
    let grandchild = pid_in(&pidfile(&dir)).await;
    let gone = ends_within(grandchild, Duration::from_secs(2));
    cleanup(grandchild);
    assert!(outcome.unwrap_err().contains("timed out after 1s"));
    assert!(gone, "SIGKILL followed SIGTERM: the grandchild {grandchild} still runs");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(3), "the group had its grace before SIGKILL: {took:?}");
    assert!(took < Duration::from_secs(9), "took {took:?}");
}

#[tokio::test]
async fn a_dropped_run_stops_its_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let runner = ActionRunner::new(actions(&spawner(&pidfile(&dir), "", 120)), None);
    let findings = [finding("t")];
    let (tx, _rx) = unbounded_channel();
    let run = runner.run(1, "spawn", &findings, Some(&tx));
    let written = pidfile(&dir);
    let grandchild = tokio::select! {
        outcome = run => panic!("the run ended by itself: {outcome:?}"),
        pid = pid_in(&written) => pid,
    };
    // The run's future is gone (as when its task is aborted or the runtime shuts down).
    assert_eq!(runner.running(), 0, "a dropped run no longer counts");
    let gone = ends_within(grandchild, Duration::from_secs(4));
    cleanup(grandchild);
    assert!(gone, "the grandchild {grandchild} outlived its dropped run");
}

#[tokio::test]
async fn stopping_the_runner_at_quit_stops_every_running_action_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let runner = Arc::new(ActionRunner::new(actions(&spawner(&pidfile(&dir), "", 120)), None));
    let (tx, mut rx) = unbounded_channel();
    runner.start(7, "spawn", vec![finding("t")], tx);
    let grandchild = pid_in(&pidfile(&dir)).await;
    assert!(alive(grandchild));
    let started = Instant::now();
    let stopped = runner.stop_all(Duration::from_secs(2)).await;
    let gone = ends_within(grandchild, Duration::from_secs(2));
    cleanup(grandchild);
    assert_eq!(stopped, 1);
    assert!(gone, "the grandchild {grandchild} outlived the quit");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(runner.running(), 0, "the stopped run ended before stop_all returned");
    let lines = drain(&mut rx);
    let done = lines.last().unwrap();
    assert!(done.starts_with("DONE Err(") && done.contains("stopped: hubtriage is quitting"), "{lines:#?}");
    // Once stopping, nothing new starts.
    let outcome = runner.run(8, "spawn", &[finding("t")], None).await;
    assert!(outcome.unwrap_err().contains("hubtriage is quitting"));
}

#[tokio::test]
async fn a_program_that_ended_by_itself_leaves_what_it_started_in_the_background_alone() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!("sleep 300 > /dev/null 2>&1 & echo $! > {}", pidfile(&dir).display());
    let toml = format!("[[actions]]\nname = \"open\"\nkind = \"command\"\nargv = [\"sh\", \"-c\", {script:?}]\n");
    let (outcome, _) = run_offline(actions(&toml), "open", &[finding("t")]).await;
    let background = pid_in(&pidfile(&dir)).await;
    let still = alive(background);
    cleanup(background);
    assert_eq!(outcome.as_deref(), Ok("exit status 0"));
    assert!(still, "a program that exited 0 may leave a viewer or browser open: it is not hubtriage's to kill");
}
