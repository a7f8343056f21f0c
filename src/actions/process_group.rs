//! Every `command` action runs in a process group of its own, so that stopping it stops everything it started:
//! a script's children and grandchildren go with it when it times out, when its run is dropped (cancelled), and
//! when hubtriage quits while it runs. Stopping is SIGTERM to the whole group, then SIGKILL to whatever is left after
//! a short grace. A program that ends by itself is not followed further: what it left running in the background
//! (a browser it opened) is its own.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a group has between SIGTERM and SIGKILL.
pub const TERM_GRACE: Duration = Duration::from_secs(2);

/// How often a stopping group is looked at.
const POLL: Duration = Duration::from_millis(20);

/// The process groups of the command actions running now. Shared by a runner and the guards of its runs.
#[derive(Debug, Default)]
pub struct ProcessGroups {
    live: Mutex<BTreeSet<u32>>,
    stopping: AtomicBool,
}

impl ProcessGroups {
    /// Records a group (its leader's pid) as running; the guard stops it when dropped unless released.
    pub fn register(self: &Arc<Self>, pgid: u32) -> GroupGuard {
        self.lock().insert(pgid);
        GroupGuard { groups: self.clone(), pgid, armed: true }
    }

    /// How many groups are running.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no group is running.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Whether [`Self::stop_all`] was called: a run that ends now was stopped, it did not fail.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Stops every running group (hubtriage is quitting): SIGTERM to each, up to `grace` for them to end, SIGKILL to
    /// what is left. Returns how many groups were running.
    pub async fn stop_all(&self, grace: Duration) -> usize {
        self.stopping.store(true, Ordering::SeqCst);
        let groups: Vec<u32> = self.lock().iter().copied().collect();
        for &pgid in &groups {
            signal_group(pgid, Signal::Term);
        }
        let deadline = tokio::time::Instant::now() + grace;
        while groups.iter().any(|&g| group_exists(g)) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
        }
        for &pgid in &groups {
            signal_group(pgid, Signal::Kill);
        }
        groups.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
        self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running command's process group. Dropped while armed (the run was cancelled or its future dropped), it sends
/// SIGTERM to the group at once and SIGKILL after [`TERM_GRACE`] from a thread of its own.
#[derive(Debug)]
pub struct GroupGuard {
    groups: Arc<ProcessGroups>,
    pgid: u32,
    armed: bool,
}

impl GroupGuard {
    /// Stops the group: SIGTERM, then up to `grace` for it to end (the leader reaped by `reap` meanwhile, so it does
    /// not linger as a zombie of ours), then SIGKILL to whatever is left.
    pub async fn stop(mut self, grace: Duration, reap: &mut tokio::process::Child) {
        self.armed = false;
        signal_group(self.pgid, Signal::Term);
        let deadline = tokio::time::Instant::now() + grace;
        while tokio::time::Instant::now() < deadline {
            let _ = reap.try_wait();
            if !group_exists(self.pgid) {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
        signal_group(self.pgid, Signal::Kill);
        let _ = tokio::time::timeout(grace, reap.wait()).await;
    }

    /// The program ended by itself: the group is no longer ours to stop.
    pub fn release(mut self) {
        self.armed = false;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.groups.lock().remove(&self.pgid);
        if !self.armed {
            return;
        }
        let pgid = self.pgid;
        signal_group(pgid, Signal::Term);
        // Drop cannot wait: a thread gives the group its grace, then kills what is left.
        let spawned = std::thread::Builder::new().name("hubtriage-kill".into()).spawn(move || {
            let deadline = Instant::now() + TERM_GRACE;
            while Instant::now() < deadline && group_exists(pgid) {
                std::thread::sleep(POLL);
            }
            signal_group(pgid, Signal::Kill);
        });
        if spawned.is_err() {
            signal_group(pgid, Signal::Kill);
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

/// Sends a signal to every process of a group; a group that is gone already is fine.
#[cfg(unix)]
fn signal_group(pgid: u32, signal: Signal) {
    use rustix::process::{kill_process_group, Pid, Signal as Sig};
    let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) else { return };
    let sig = match signal {
        Signal::Term => Sig::TERM,
        Signal::Kill => Sig::KILL,
    };
    if let Err(e) = kill_process_group(pid, sig) {
        if e != rustix::io::Errno::SRCH {
            tracing::warn!(pgid, ?signal, "cannot signal the process group of an action: {e}");
        }
    }
}

/// Whether any process (a zombie included) is still in the group.
#[cfg(unix)]
fn group_exists(pgid: u32) -> bool {
    use rustix::process::{test_kill_process_group, Pid};
    let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) else { return false };
    // EPERM: it exists but is not ours to signal (it cannot be one of ours, but it is not gone either).
    !matches!(test_kill_process_group(pid), Err(rustix::io::Errno::SRCH))
}

#[cfg(not(unix))]
fn signal_group(_pgid: u32, _signal: Signal) {}

#[cfg(not(unix))]
fn group_exists(_pgid: u32) -> bool {
    false
}
