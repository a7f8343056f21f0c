//! `hubtriage report`: the figures of the organisation for people who do not live in a terminal — counts by severity
//! and verdict, the top accounts and controls, open findings over time, time to a verified safe state per control,
//! recurrence, and what auto-fix would fix — as Markdown, JSON or one self-contained HTML file.

pub mod figures;
pub mod html;
pub mod markdown;

pub use figures::{figures, Figures, Inputs};

/// "3 d 4 h", "2 h 5 min", "40 s".
pub fn duration_words(seconds: u64) -> String {
    let (d, h, m) = (seconds / 86_400, (seconds % 86_400) / 3_600, (seconds % 3_600) / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}
