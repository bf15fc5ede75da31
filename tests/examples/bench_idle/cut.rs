//! How soon an idle pair notices that its path died: the wire between two connected
//! nodes is cut silently (every incoming UDP packet dropped on both sides, so no sender
//! sees an error, as when a phone loses signal) and the time from the moment a node
//! stopped hearing its peer until it reports the conversation `Reconnecting` is taken,
//! in the foreground and in the background.
//! Pairs are cut at different points of their keep-alive cycle, so the samples spread
//! over what a person would see.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tincan_core::link::Pace;

use crate::guard;
use crate::subject::{Kind, Programs, Running};
use crate::wire::unix_ms;

/// Settling after every pair is ready, before the first cut.
const SETTLE: Duration = Duration::from_secs(10);
/// Bound on noticing, past the cut (both limits are well below).
const NOTICE_BOUND: Duration = Duration::from_secs(130);

/// One cut pair.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// The pace the pair used.
    pub pace: Pace,
    /// Seconds from the moment the inviter stopped hearing the joiner (its namespace's
    /// drop rule was in) to its `Reconnecting` (`None`: not within the bound).
    pub inviter: Option<f64>,
    /// The same for the joiner.
    pub joiner: Option<f64>,
    /// Milliseconds the two rules took to go in (the samples' uncertainty).
    pub cut_ms: f64,
}

/// The keep-alive cycle the cuts are spread over.
fn cycle(pace: Pace) -> Duration {
    match pace {
        Pace::Foreground => Duration::from_secs(2),
        Pace::Background => Duration::from_secs(25),
    }
}

/// Runs `n` foreground and `n` background pairs at once, cuts each, and returns the
/// samples (foreground first).
pub fn run(n: usize, programs: &Programs, base: &Path) -> Result<Vec<Sample>> {
    const KEYS: [&str; 20] = [
        "cut-f0", "cut-f1", "cut-f2", "cut-f3", "cut-f4", "cut-f5", "cut-f6", "cut-f7", "cut-f8",
        "cut-f9", "cut-b0", "cut-b1", "cut-b2", "cut-b3", "cut-b4", "cut-b5", "cut-b6", "cut-b7",
        "cut-b8", "cut-b9",
    ];
    let n = n.min(10);
    let mut pairs = Vec::new();
    for (pace, keys) in [
        (Pace::Foreground, &KEYS[..10]),
        (Pace::Background, &KEYS[10..]),
    ] {
        for key in &keys[..n] {
            let kind = Kind::Tincan {
                pace,
                stretch: true,
                contacts: 1,
            };
            pairs.push((pace, Running::start(key, kind, programs, base)?));
        }
    }
    for (_, pair) in &mut pairs {
        pair.wait_ready()?;
    }
    guard::sleep(SETTLE)?;

    // Cut time of each pair: spread over its pace's keep-alive cycle.
    let t0 = Instant::now();
    let mut plan: Vec<(Duration, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(i, (pace, _))| {
            let k = (i % n) as u32;
            (cycle(*pace) * k / n as u32, i)
        })
        .collect();
    plan.sort();
    // Per pair: just before the cut, and when the inviter and the joiner stopped
    // hearing the other.
    let mut cut_at = vec![(0u128, 0u128, 0u128); pairs.len()];
    for (offset, i) in plan {
        guard::sleep((t0 + offset).saturating_duration_since(Instant::now()))?;
        let before = unix_ms();
        let (a, b) = pairs[i]
            .1
            .cut()
            .with_context(|| format!("cutting {}", pairs[i].1.key))?;
        cut_at[i] = (before, a, b);
    }
    eprintln!(
        "bench: {} pairs cut; waiting for them to notice…",
        pairs.len()
    );

    let deadline = Instant::now() + NOTICE_BOUND;
    loop {
        let all = pairs
            .iter()
            .zip(&cut_at)
            .all(|((_, p), at)| p.lost_since(at.0).iter().all(Option::is_some));
        if all || Instant::now() >= deadline {
            break;
        }
        guard::sleep(Duration::from_millis(100))?;
    }
    let samples = pairs
        .iter()
        .zip(&cut_at)
        .map(|((pace, p), &(before, a, b))| {
            let lost = p.lost_since(before);
            let secs = |ms: Option<u128>, cut: u128| ms.map(|ms| (ms as f64 - cut as f64) / 1000.0);
            Sample {
                pace: *pace,
                inviter: secs(lost.first().copied().flatten(), a),
                joiner: secs(lost.get(1).copied().flatten(), b),
                cut_ms: a.max(b).saturating_sub(before) as f64,
            }
        })
        .collect();
    for (_, pair) in &mut pairs {
        // Both ends are reconnecting into a dead wire: just stop them.
        let _ = pair.stop();
    }
    Ok(samples)
}
