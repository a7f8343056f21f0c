//! The ASFF reader on any text: never a panic, every problem says where and why, and what it lets through is inert.
#![no_main]

use hubtriage::model::asff::read_document;
use hubtriage::model::sanitize::is_inert_line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let outcome = read_document(&text);
    for p in &outcome.problems {
        assert!(!p.location.is_empty() && !p.reason.is_empty(), "{p:?}");
    }
    for f in &outcome.findings {
        assert!(is_inert_line(&f.title), "title {:?}", f.title);
        assert!(is_inert_line(&f.id), "id {:?}", f.id);
        if let Some(c) = &f.control_id {
            assert!(!c.is_empty() && is_inert_line(c), "control id {c:?}");
        }
        for r in &f.resources {
            assert!(is_inert_line(&r.id), "resource id {:?}", r.id);
        }
    }
});
