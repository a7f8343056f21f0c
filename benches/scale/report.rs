//! The figures of a run, each with the target it is held to.

use std::time::Duration;

/// One measured figure.
pub struct Figure {
    pub name: String,
    pub value: String,
    pub target: String,
    pub met: Option<bool>,
}

/// Every figure of the run, printed as a table at the end.
#[derive(Default)]
pub struct Report {
    figures: Vec<Figure>,
}

impl Report {
    /// A figure with no target (context for the others).
    pub fn note(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.push(Figure { name: name.into(), value: value.into(), target: String::new(), met: None });
    }

    /// A figure held to a target.
    pub fn check(&mut self, name: impl Into<String>, value: impl Into<String>, target: impl Into<String>, met: bool) {
        self.push(Figure { name: name.into(), value: value.into(), target: target.into(), met: Some(met) });
    }

    fn push(&mut self, figure: Figure) {
        let verdict = match figure.met {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        eprintln!("  {:<58} {:>24}  {:<18} {verdict}", figure.name, figure.value, figure.target);
        self.figures.push(figure);
    }

    /// Whether a target was missed.
    pub fn failed(&self) -> bool {
        self.figures.iter().any(|f| f.met == Some(false))
    }

    /// The table, as the README's "Performance" section shows it.
    pub fn print(&self) {
        println!("| Benchmark | Figure | Target | |");
        println!("|---|---:|---|---|");
        for f in &self.figures {
            let verdict = match f.met {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "",
            };
            println!("| {} | {} | {} | {verdict} |", f.name, f.value, f.target);
        }
    }
}

/// `12.3 ms`, `450 µs`.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.0} µs", ms * 1000.0)
    }
}

/// The `p`-th percentile (0–100) of durations, nearest rank.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `123,456`.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`), in MB.
pub fn memory_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .expect("field");
    kb / 1024.0
}
