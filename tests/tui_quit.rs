//! The real binary in a terminal (a pty from `script`): a custom command action that started a grandchild is still
//! running when the TUI quits (`q`) or is told to stop (SIGTERM); neither the action nor its grandchild outlives
//! hubtriage.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/hostile.rs"]
mod hostile_asff;

/// Whether a process runs (a zombie does not).
fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

/// The parent of a process.
fn parent_of(pid: u32) -> u32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, rest) = stat.rsplit_once(") ").unwrap();
    rest.split(' ').nth(1).unwrap().parse().unwrap()
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// hubtriage's TUI on a 120 × 40 pty, offline on one finding, with the `spawn` action; keys go to `stdin`.
fn tui(dir: &Path) -> Child {
    let finding = hostile_asff::finding(
        "quit-1",
        "Security groups should not allow unrestricted access".into(),
        "d".into(),
        vec![json!({"Type": "AwsEc2SecurityGroup", "Id": "sg-0123456789abcdef0"})],
    );
    std::fs::write(dir.join("findings.json"), serde_json::to_vec(&json!([finding])).unwrap()).unwrap();
    let script = format!("sleep 300 & echo $! > {}; wait", dir.join("grandchild.pid").display());
    let config = format!(
        "[[actions]]\nname = \"spawn\"\nkind = \"command\"\nargv = [\"sh\", \"-c\", {script:?}]\n\
         timeout_seconds = 600\n"
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("hubtriage");
    // Not `exec`: the shell stays the session leader, as a login shell is, so hubtriage's exit hangs nothing up
    // (a session leader's exit sends SIGHUP to the terminal's foreground group, which would hide the bug).
    let inner = format!(
        "stty cols 120 rows 40; {} --config {} --findings {}; sleep 30",
        binary.display(),
        dir.join("config.toml").display(),
        dir.join("findings.json").display()
    );
    Command::new("script")
        .args(["-qfec", &inner, "/dev/null"])
        .env("HOME", dir)
        .env("HUBTRIAGE_LOG", dir.join("hubtriage.log"))
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the TUI on a pty")
}

/// Opens the action menu, runs the action, and returns (hubtriage's pid, the grandchild's pid) once it runs.
fn start_action(child: &mut Child, dir: &Path) -> (u32, u32) {
    let stdin = child.stdin.as_mut().unwrap();
    let pidfile = dir.join("grandchild.pid");
    // Keys before the TUI reads them would be lost: send the menu key and Enter until the action starts.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !pidfile.exists() {
        assert!(Instant::now() < deadline, "the action did not start; log:\n{}", log(dir));
        let _ = stdin.write_all(b"c");
        let _ = stdin.flush();
        std::thread::sleep(Duration::from_millis(300));
        let _ = stdin.write_all(b"\r");
        let _ = stdin.flush();
        // Time for the run to start before trying again (a second run would write another pid).
        let tried = Instant::now();
        while !pidfile.exists() && tried.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let mut grandchild = None;
    wait_until("the pid file is written", Duration::from_secs(5), || {
        grandchild = std::fs::read_to_string(&pidfile).ok().and_then(|t| t.trim().parse().ok());
        grandchild.is_some()
    });
    let grandchild: u32 = grandchild.unwrap();
    let shell = parent_of(grandchild);
    let hubtriage = parent_of(shell);
    assert!(alive(grandchild) && alive(shell));
    (hubtriage, grandchild)
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("hubtriage.log")).unwrap_or_default()
}

/// Waits for hubtriage to end, then checks the grandchild is gone too (while the terminal is still there).
fn finish(mut child: Child, dir: &Path, hubtriage: u32, grandchild: u32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(hubtriage) {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hubtriage did not quit; log:\n{}", log(dir));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(grandchild) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = !alive(grandchild);
    if !gone {
        let _ = Command::new("kill").args(["-KILL", &grandchild.to_string()]).status();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(gone, "the action's grandchild {grandchild} outlived hubtriage; log:\n{}", log(dir));
}

#[test]
fn quitting_the_tui_stops_a_running_action_and_everything_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = tui(dir.path());
    let (hubtriage, grandchild) = start_action(&mut child, dir.path());
    child.stdin.as_mut().unwrap().write_all(b"q").unwrap();
    child.stdin.as_mut().unwrap().flush().unwrap();
    finish(child, dir.path(), hubtriage, grandchild);
}

#[test]
fn sigterm_to_the_tui_stops_a_running_action_and_everything_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = tui(dir.path());
    let (hubtriage, grandchild) = start_action(&mut child, dir.path());
    assert!(Command::new("kill").args(["-TERM", &hubtriage.to_string()]).status().unwrap().success());
    finish(child, dir.path(), hubtriage, grandchild);
}

/// An endpoint that accepts connections and never answers (a stalled proxy): the TUI is up at once, says what it is
/// connecting to, and quits on `q` without waiting for AWS.
#[test]
fn the_tui_comes_up_at_once_and_quits_on_q_while_aws_never_answers() {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Connections are accepted and held open, never answered; the thread ends with the test process.
    std::thread::spawn(move || listener.incoming().collect::<Vec<_>>());
    let screen = dir.path().join("screen");
    let binary = assert_cmd::cargo::cargo_bin("hubtriage");
    let inner = format!(
        "stty cols 120 rows 40; {} --endpoint-url http://127.0.0.1:{port} --regions eu-west-1",
        binary.display()
    );
    let started = Instant::now();
    let mut child = Command::new("script")
        .args(["-qfec", &inner])
        .arg(&screen)
        .env("HOME", dir.path())
        .env("HUBTRIAGE_LOG", dir.path().join("hubtriage.log"))
        .env("TERM", "xterm-256color")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the TUI on a pty");
    let shown = || String::from_utf8_lossy(&std::fs::read(&screen).unwrap_or_default()).into_owned();
    wait_until("the first frame says it is connecting", Duration::from_secs(10), || {
        shown().contains(&format!("connecting to AWS at http://127.0.0.1:{port}"))
    });
    let up = started.elapsed();
    let asked = Instant::now();
    let mut stdin = child.stdin.take().unwrap();
    // Keys sent before the TUI reads them would be lost: press q until it has quit.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "q did not quit while connecting (up after {up:?})\n{}", shown());
        let _ = stdin.write_all(b"q");
        let _ = stdin.flush();
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    assert!(asked.elapsed() < Duration::from_secs(5), "quit took {:?}", asked.elapsed());
}
