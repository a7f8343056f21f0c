//! One emulator per test binary: moto's server with the Security Hub operations moto lacks
//! (`tests/emulator/hubtriage_emulator.py`: BatchUpdateFindings, the V2 hub and findings), run by the Python of
//! moto's virtualenv, on a free port; killed when the last test using it drops it.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub struct MotoServer {
    pub port: u16,
    child: Mutex<Child>,
}

impl MotoServer {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The Python that has moto (the virtualenv `scripts/test` installs it into, or `HUBTRIAGE_EMULATOR_PYTHON`).
fn python() -> PathBuf {
    let venv_python = || {
        std::env::var_os("HUBTRIAGE_MOTO_SERVER")
            .map(PathBuf::from)
            .and_then(|server| server.parent().map(|bin| bin.join("python")))
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
    };
    let path = std::env::var_os("HUBTRIAGE_EMULATOR_PYTHON").map(PathBuf::from).unwrap_or_else(venv_python);
    assert!(
        path.exists(),
        "the emulator's Python not found at {} — run the tests with scripts/test (it installs moto[server] into \
         .venv), or set HUBTRIAGE_EMULATOR_PYTHON to a Python that has moto[server]",
        path.display()
    );
    path
}

/// The emulator's entry point.
fn emulator() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/hubtriage_emulator.py")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn start() -> MotoServer {
    let bin = python();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("hubtriage-moto-{port}.log"));
    let stderr = std::fs::File::create(&log).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    let child = Command::new(&bin)
        .arg(emulator())
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let server = MotoServer { port, child: Mutex::new(child) };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let r = super::http::request(port, "GET", "/moto-api/", &[], b"");
            if r.is_ok_and(|r| r.status > 0) {
                return server;
            }
        }
        if let Ok(Some(status)) = server.child.lock().expect("child").try_wait() {
            panic!("moto server exited with {status}; see {}", log.display());
        }
        assert!(
            Instant::now() < deadline,
            "moto server did not answer on port {port} within 60 s; see {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

static SHARED: Mutex<Weak<MotoServer>> = Mutex::new(Weak::new());

/// The test binary's moto server (started on first use).
pub fn moto() -> Arc<MotoServer> {
    let mut shared = SHARED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(server) = shared.upgrade() {
        return server;
    }
    let server = Arc::new(start());
    *shared = Arc::downgrade(&server);
    server
}
