//! Config loading on any text: never a panic; an error names the file.
#![no_main]

use hubtriage::config::Config;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("/etc/hubtriage/config.toml");
    if let Err(e) = Config::parse(text, path) {
        let message = e.to_string();
        assert!(message.starts_with("config file /etc/hubtriage/config.toml: "), "{message}");
    }
});
