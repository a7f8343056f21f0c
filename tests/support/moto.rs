//! One moto server per test binary, on a free port; killed when the last test using it drops it.

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

fn binary() -> PathBuf {
    let path = std::env::var_os("HUBTRIAGE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"));
    assert!(
        path.exists(),
        "moto server not found at {} — run the tests with scripts/test (it installs moto[server] into .venv), or set \
         HUBTRIAGE_MOTO_SERVER to a moto_server binary",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn start() -> MotoServer {
    let bin = binary();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("hubtriage-moto-{port}.log"));
    let stderr = std::fs::File::create(&log).map(Stdio::from).unwrap_or_else(|_| Stdio::null());
    let child = Command::new(&bin)
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
