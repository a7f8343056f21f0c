//! Exception tags (reason, expiry, owner) on any text: never a panic; valid means not yet expired, expired means
//! past, invalid says why.
#![no_main]

use chrono::{TimeZone, Utc};
use hubtriage::policy::exception::{parse_expiry, read_exception, ExceptionStatus};
use hubtriage::policy::ExceptionTagNames;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1f}');
    let reason = parts.next().unwrap_or_default().to_string();
    let expiry = parts.next().unwrap_or_default().to_string();
    let owner = parts.next().unwrap_or_default().to_string();
    let _ = parse_expiry(&expiry);
    let Some(now) = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single() else { return };
    let names = ExceptionTagNames::default();
    let mut tags = BTreeMap::new();
    tags.insert(names.reason_tag.clone(), reason);
    tags.insert(names.expiry_tag.clone(), expiry);
    tags.insert(names.owner_tag.clone(), owner);
    match read_exception(&tags, &names, now) {
        ExceptionStatus::Valid(tag) => assert!(tag.expires > now && tag.days_left(now) >= 0),
        ExceptionStatus::Expired(tag) => assert!(tag.expires <= now && tag.days_left(now) <= 0),
        ExceptionStatus::Invalid(why) => assert!(!why.is_empty()),
        ExceptionStatus::None => unreachable!("the reason tag is set"),
    }
});
