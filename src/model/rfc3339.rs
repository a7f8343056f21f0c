//! RFC 3339 times as findings carry them. Security Hub writes every time the same way
//! (`2024-05-01T12:34:56.789Z`); that shape is read directly, anything else by chrono, so both give the same
//! answer for every text.

use chrono::{DateTime, NaiveDate, ParseError, Utc};

/// The time `text` gives, as chrono's `DateTime::parse_from_rfc3339` reads it, in UTC.
pub fn parse(text: &str) -> Result<DateTime<Utc>, ParseError> {
    match utc_time(text.as_bytes()) {
        Some(time) => Ok(time),
        None => DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits]Z`, a valid date and time short of a leap second, or `None`.
fn utc_time(text: &[u8]) -> Option<DateTime<Utc>> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', i0, i1, b':', s0, s1, rest @ ..] = text else {
        return None;
    };
    let digits = |ds: &[u8]| ds.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')));
    let year = digits(&[*y0, *y1, *y2, *y3])?;
    let (month, day) = (digits(&[*m0, *m1])?, digits(&[*d0, *d1])?);
    let (hour, minute, second) = (digits(&[*h0, *h1])?, digits(&[*i0, *i1])?, digits(&[*s0, *s1])?);
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z'] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_hms_nano_opt(hour, minute, second, nanos)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn security_hub_times_are_read_directly_and_as_chrono_reads_them() {
        for text in [
            "2024-05-01T12:34:56.789Z",
            "2017-03-22T13:22:13.933Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00.123456789Z",
        ] {
            assert!(utc_time(text.as_bytes()).is_some(), "{text}");
            assert_eq!(parse(text).ok(), chrono(text), "{text}");
        }
    }

    #[test]
    fn every_other_text_gets_chronos_answer() {
        let texts = [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:60:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-01t00:00:00z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00+02:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567891Z",
            "2024-01-01T00:00:00",
            "2024-1-01T00:00:00Z",
            "+024-01-01T00:00:00Z",
            "2024-01-01T00:00:00Z ",
            "",
        ];
        for text in texts {
            assert_eq!(parse(text).ok(), chrono(text), "{text:?}");
        }
        // Every one-character change of a time read directly still gets chrono's answer.
        let base = "2024-02-29T23:59:59.5Z";
        for at in 0..base.len() {
            for replacement in ["0", "9", "3", "-", ":", "T", "Z", ".", "", "x"] {
                let text = format!("{}{replacement}{}", &base[..at], &base[at + 1..]);
                assert_eq!(parse(&text).ok(), chrono(&text), "{text:?}");
            }
        }
    }
}
