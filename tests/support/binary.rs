//! The real binary against the emulator, hermetic: fake keys, no profile files or instance metadata, a config file
//! of the test's own, logs and the store in the test's directory.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use std::time::Duration;

/// `hubtriage --config <dir>/config.toml --endpoint-url <endpoint>`, with `config` as that file, home and logs in
/// `dir`, killed after `timeout`.
pub fn hubtriage(endpoint: &str, dir: &tempfile::TempDir, config: &str, timeout: Duration) -> Command {
    let mut cmd = Command::from_std(hubtriage_process(endpoint, dir, config));
    cmd.timeout(timeout);
    cmd
}

/// The same hermetic command as [`hubtriage`], as a `std::process::Command`: for a process the test kills.
pub fn hubtriage_process(endpoint: &str, dir: &tempfile::TempDir, config: &str) -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    let mut cmd = std::process::Command::cargo_bin("hubtriage").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.path().join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HUBTRIAGE_LOG", dir.path().join("hubtriage.log"))
        .args(["--config", path.to_str().unwrap(), "--endpoint-url", endpoint]);
    cmd
}
