//! This process as audit records and leases name it — host, pid and when it started — and whether a process named so
//! is still running, so a re-check after a crash claims only the changes of processes that are gone.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A process on a host: a pid alone is reused, the start time tells two processes with one pid apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRef {
    pub host: String,
    pub pid: u32,
    /// When the process started, as the host's kernel counts it (Linux: clock ticks since boot); `None` where it
    /// cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
}

/// Whether a process is still running, as far as this host can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// It runs (the same pid, started at the same time).
    Alive,
    /// No process with that pid runs, or the pid now belongs to a later process.
    Gone,
    /// It ran on another host: only its lease can tell.
    Unknown,
}

impl ProcessRef {
    /// This process (computed once).
    pub fn this() -> &'static ProcessRef {
        static THIS: OnceLock<ProcessRef> = OnceLock::new();
        THIS.get_or_init(|| {
            let pid = std::process::id();
            ProcessRef { host: host_name(), pid, start: start_of(pid) }
        })
    }

    /// `host:pid`, as the lease owner shows it.
    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.pid)
    }

    /// Whether this is the calling process.
    pub fn is_this(&self) -> bool {
        self == Self::this()
    }

    /// Whether the process still runs, as far as this host can tell.
    pub fn liveness(&self) -> Liveness {
        let this = Self::this();
        if self.host != this.host {
            return Liveness::Unknown;
        }
        if self.is_this() {
            return Liveness::Alive;
        }
        if !pid_exists(self.pid) {
            return Liveness::Gone;
        }
        match (&self.start, start_of(self.pid)) {
            (Some(recorded), Some(now)) if *recorded != now => Liveness::Gone,
            _ => Liveness::Alive,
        }
    }
}

/// The host's name: the kernel's (Linux), else `HOSTNAME`, else `localhost`.
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|n| crate::model::sanitize::single_line(n.trim()))
        .filter(|n| !n.is_empty());
    name.unwrap_or_else(|| "localhost".into())
}

/// When `pid` started (Linux: field 22 of `/proc/<pid>/stat`, clock ticks since boot).
fn start_of(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from the last `)`.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(String::from)
}

/// Whether a process with this pid exists (signal 0: permission refused still means it exists).
#[cfg(unix)]
fn pid_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

#[cfg(not(unix))]
fn pid_exists(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reused_or_finished_pid_is_gone() {
        let this = ProcessRef::this().clone();
        assert_eq!(this.pid, std::process::id());
        assert_eq!(this.liveness(), Liveness::Alive);
        if this.start.is_some() {
            let reused = ProcessRef { start: Some("not-a-start-time".into()), ..this.clone() };
            assert_eq!(reused.liveness(), Liveness::Gone, "a pid that started at another time is another process");
        }
        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let pid = child.id();
        child.wait().expect("wait");
        let finished = ProcessRef { pid, start: None, ..this.clone() };
        assert_eq!(finished.liveness(), Liveness::Gone);
        let elsewhere = ProcessRef { host: format!("{}-other", this.host), ..this };
        assert_eq!(elsewhere.liveness(), Liveness::Unknown);
    }
}
