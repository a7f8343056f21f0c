//! `command` actions: a program started directly with its arguments — never through a shell — with the finding's
//! JSON on stdin and `HUBTRIAGE_*` variables describing it; its output streamed line by line, bounded, and its exit
//! status reported. The program runs in a process group of its own: a run that outlives its timeout, that is
//! dropped, or that is still going when hubtriage quits is stopped with everything it started
//! ([`super::process_group`]).

use super::output::{Budget, Output};
use super::process_group::{ProcessGroups, TERM_GRACE};
use super::template::{Placeholder, Template};
use crate::model::Finding;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::mpsc;

/// Longest line read from a command (bytes); longer ones are cut into pieces.
const MAX_LINE_BYTES: usize = 4096;
/// How long output still in the pipes is read after the program ended (its children may hold them open).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// Why a run ended (or did not start) while hubtriage quits.
const QUITTING: &str = "stopped: hubtriage is quitting";

/// The environment variables a command gets, with the placeholder each one holds.
pub const ENV: [(&str, Placeholder); 11] = [
    ("HUBTRIAGE_FINDING_ID", Placeholder::Id),
    ("HUBTRIAGE_PRODUCT_ARN", Placeholder::ProductArn),
    ("HUBTRIAGE_ACCOUNT", Placeholder::Account),
    ("HUBTRIAGE_REGION", Placeholder::Region),
    ("HUBTRIAGE_RESOURCE_ID", Placeholder::ResourceId),
    ("HUBTRIAGE_RESOURCE_ARN", Placeholder::ResourceArn),
    ("HUBTRIAGE_RESOURCE_TYPE", Placeholder::ResourceType),
    ("HUBTRIAGE_CONTROL", Placeholder::Control),
    ("HUBTRIAGE_SEVERITY", Placeholder::Severity),
    ("HUBTRIAGE_TITLE", Placeholder::Title),
    ("HUBTRIAGE_WORKFLOW", Placeholder::Workflow),
];

/// The argument vector for a finding: one string per configured argument, whatever the values hold.
pub fn argv_for(argv: &[Template], finding: &Finding) -> Vec<String> {
    argv.iter().map(|t| t.render(finding)).collect()
}

/// Runs the command once for a finding. `Ok` with the exit status when it exited 0; `Err` saying why not.
/// Its process group is registered in `groups` while it runs.
pub async fn run_one(
    action: &str,
    argv: &[Template],
    timeout: Duration,
    groups: &Arc<ProcessGroups>,
    finding: &Finding,
    out: &mut Output<'_>,
) -> Result<String, String> {
    if groups.is_stopping() {
        return Err(QUITTING.into());
    }
    let args = argv_for(argv, finding);
    let (program, rest) = args.split_first().ok_or_else(|| format!("action '{action}': argv is empty"))?;
    let mut command = Command::new(program);
    command
        .args(rest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .env("HUBTRIAGE_ACTION", action);
    // Its own group (pgid = its pid), so that what it starts can be stopped with it.
    #[cfg(unix)]
    command.process_group(0);
    for (name, placeholder) in ENV {
        command.env(name, placeholder.value(finding));
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start {program:?}: {e}"))?;
    // Declared after the child, so dropped before it: the group is signalled, then the leader killed.
    let group = child.id().map(|pid| groups.register(pid));
    if groups.is_stopping() {
        // Started as hubtriage began to quit, after the groups to stop were counted.
        if let Some(group) = group {
            group.stop(TERM_GRACE, &mut child).await;
        }
        return Err(QUITTING.into());
    }

    // The finding on stdin, written alongside so a program that reads nothing (or output first) cannot block us.
    if let Some(mut stdin) = child.stdin.take() {
        let json =
            finding.raw.text().map(|t| t.into_owned().into_bytes()).map_err(|e| format!("the finding's JSON: {e}"))?;
        tokio::spawn(async move {
            // A program that exits without reading stdin closes the pipe: that is its right.
            let _ = stdin.write_all(&json).await;
            let _ = stdin.shutdown().await;
        });
    }
    let (line_tx, mut lines) = mpsc::channel::<String>(64);
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(read_lines(stdout, "", line_tx.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(read_lines(stderr, "stderr: ", line_tx.clone()));
    }
    drop(line_tx);

    let mut budget = out.budget();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut open = true;
    let status: Option<std::io::Result<ExitStatus>> = loop {
        tokio::select! {
            line = lines.recv(), if open => match line {
                Some(line) => show(&line, &mut budget, out),
                None => open = false,
            },
            status = child.wait() => break Some(status),
            _ = tokio::time::sleep_until(deadline) => break None,
        }
    };
    let status = match status {
        Some(status) => status,
        None => {
            match group {
                Some(group) => group.stop(TERM_GRACE, &mut child).await,
                None => {
                    let _ = child.start_kill();
                    let _ = tokio::time::timeout(TERM_GRACE, child.wait()).await;
                }
            }
            drain(&mut lines, &mut budget, out).await;
            report_cut(&budget, out);
            return Err(format!("timed out after {}s (stopped with every process it started)", timeout.as_secs()));
        }
    };
    // It ended by itself (or hubtriage is quitting and stopped it): its group is no longer ours to stop.
    if let Some(group) = group {
        group.release();
    }
    drain(&mut lines, &mut budget, out).await;
    report_cut(&budget, out);
    if groups.is_stopping() {
        return Err(QUITTING.into());
    }
    match status {
        Ok(s) if s.success() => Ok("exit status 0".into()),
        Ok(s) => Err(describe(s)),
        Err(e) => Err(format!("cannot wait for {program:?}: {e}")),
    }
}

fn show(line: &str, budget: &mut Budget, out: &mut Output<'_>) {
    if budget.admit(line.len(), out) {
        out.line(line);
    }
}

/// Reads what is left in the pipes, for a short while.
async fn drain(lines: &mut mpsc::Receiver<String>, budget: &mut Budget, out: &mut Output<'_>) {
    let _ = tokio::time::timeout(DRAIN_GRACE, async {
        while let Some(line) = lines.recv().await {
            show(&line, budget, out);
        }
    })
    .await;
}

fn report_cut(budget: &Budget, out: &mut Output<'_>) {
    if let Some(cut) = budget.cut() {
        out.line(&format!("… {cut}"));
    }
}

/// "exit status 3", or the signal that ended it.
fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    format!("ended: {status}")
}

/// Splits a pipe into lines (bytes read as UTF-8, lossily); a line longer than [`MAX_LINE_BYTES`] is cut.
async fn read_lines<R: AsyncRead + Unpin>(mut pipe: R, prefix: &'static str, tx: mpsc::Sender<String>) {
    let mut buf = [0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    let emit = |bytes: &[u8]| format!("{prefix}{}", String::from_utf8_lossy(bytes).trim_end_matches('\r'));
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        while let Some(pos) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=pos).collect();
            if tx.send(emit(&line[..line.len() - 1])).await.is_err() {
                return;
            }
        }
        while pending.len() > MAX_LINE_BYTES {
            let piece: Vec<u8> = pending.drain(..MAX_LINE_BYTES).collect();
            if tx.send(emit(&piece)).await.is_err() {
                return;
            }
        }
    }
    if !pending.is_empty() {
        let _ = tx.send(emit(&pending)).await;
    }
}
