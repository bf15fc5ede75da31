//! A spinner on stderr for the slow steps (gathering addresses, Argon2id), so a person
//! knows Tincan is working; a plain line when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `work` while showing `what`; reports the time taken.
pub fn with_spinner<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let spinner = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    if spinner.is_none() {
        eprintln!("{what}");
    }
    let out = work();
    let took = format!("{what} done ({:.1} s)", started.elapsed().as_secs_f64());
    match spinner {
        Some(bar) => bar.finish_with_message(took),
        None => eprintln!("{took}"),
    }
    out
}
