//! What both sections share: errors, percentiles, app and node set-up on loopback, the
//! texts of messages, and a child process run with a deadline.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::app::{AppConfig, AppView, ConversationItem, Screen};
use tincan_core::link::LinkConfig;
use tincan_core::node::{Node, NodeConfig};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;

/// Errors of the benchmark: anything failing ends the run with a message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Longest any single awaited step may take before the run is declared stuck.
pub const STEP: Duration = Duration::from_secs(30);

/// Sample at quantile `p` (nearest rank) of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(f64::NAN)
}

/// Median of unsorted samples (mean of the middle two for an even count).
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `min–max` of samples with `digits` decimals.
pub fn range(v: &[f64], digits: usize) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.digits$}–{hi:.digits$}")
}

/// Milliseconds of a duration.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A node with the product's defaults, bound to loopback, cheap invites.
pub fn node(dir: &Path) -> Result<Node, BoxError> {
    let mut config = NodeConfig::new(dir.to_owned(), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    Ok(Node::open(config)?)
}

/// The app configuration a phone would use, bound to loopback, cheap invites.
pub fn app_config(dir: &Path, secrets: Arc<MemorySecretStore>) -> AppConfig {
    let mut config = AppConfig::new(dir.to_owned(), secrets);
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    config
}

/// A deterministic message text of about 60 characters, unique by `tag`.
pub fn text(tag: &str, i: usize) -> String {
    const WORDS: [&str; 12] = [
        "lunch", "tomorrow", "at", "the", "usual", "place", "bring", "the", "book", "please",
        "thanks", "see",
    ];
    let mut s = format!("{tag}-{i}:");
    let mut k = i;
    while s.len() < 60 {
        s.push(' ');
        s.push_str(WORDS[k % WORDS.len()]);
        k = k / 3 + 7;
    }
    s
}

/// Whether the view shows the open conversation `peer` with an incoming message `text`.
pub fn shows_message(view: &AppView, peer: &str, text: &str) -> bool {
    match &view.screen {
        Screen::Conversation { view } if view.id == peer => view.items.iter().any(|i| {
            matches!(i, ConversationItem::Message { outgoing: false, text: t, .. } if t == text)
        }),
        _ => false,
    }
}

/// Runs this benchmark's own binary with `args` and returns its stdout; killed after
/// `deadline`.
pub fn run_child(args: &[String], deadline: Duration) -> Result<String, BoxError> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let started = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("child {args:?} took longer than {deadline:?}").into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!("child {args:?} failed: {}", out.status).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}
