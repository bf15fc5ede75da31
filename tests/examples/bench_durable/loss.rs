//! Loss detection and resume: a connected node pair in a private namespace whose only
//! network is `lo`; all UDP on `lo` is dropped with iptables (both directions: every
//! packet of the pair crosses `lo` once), held for a gap, then let through again.
//!
//! Timed from the cut: both nodes report `PeerState::Reconnecting` (detect). Timed from
//! the restore: both report `Connected` again, and a message Ana wrote during the gap
//! is `Delivered` (resume). Baseline under the very same cut, in the same run: a bare
//! link pair (no node) — when its `LinkState` goes `Disconnected` and back to `Open`,
//! and when a frame sent during the gap arrives (SCTP's own retransmission).

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tincan_core::link::{Link, LinkConfig, LinkState};
use tincan_core::node::{Event, PeerState};

use crate::common::{
    self, is_connected, is_reconnecting, median, range, secs, BoxError, Recorder, WarmPair,
};

const RULE: &[&str] = &["INPUT", "-i", "lo", "-p", "udp", "-j", "DROP"];

/// Drops all UDP on `lo` while it lives (only ever used inside the private namespace).
struct Cut {
    active: bool,
}

fn iptables(action: &str) -> Result<(), BoxError> {
    let out = Command::new("iptables")
        .arg("-w")
        .arg(action)
        .args(RULE)
        .output()
        .map_err(|e| format!("iptables: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "iptables {action} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

impl Cut {
    fn start() -> Result<Self, BoxError> {
        iptables("-I")?;
        Ok(Self { active: true })
    }

    fn restore(&mut self) -> Result<(), BoxError> {
        if self.active {
            iptables("-D")?;
            self.active = false;
        }
        Ok(())
    }
}

impl Drop for Cut {
    fn drop(&mut self) {
        let _ = self.restore();
    }
}

/// One repetition's times, seconds; `None` where it did not happen in time.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Cut → Ana / Ben report Reconnecting.
    pub detect: [Option<f64>; 2],
    /// Restore → Ana / Ben report Connected.
    pub connected: [Option<f64>; 2],
    /// Restore → the gap message is Delivered.
    pub delivered: Option<f64>,
    /// Highest reconnection attempt shown (0: the same link came back by itself).
    pub attempts: u32,
    /// Cut → both bare links Disconnected.
    pub link_detect: Option<f64>,
    /// Restore → both bare links Open again (`None`: they failed or never came back).
    pub link_open: Option<f64>,
    /// Restore → the frame sent during the gap arrived.
    pub link_frame: Option<f64>,
    /// The bare links' final state.
    pub link_final: Option<LinkState>,
}

fn both(v: [Option<f64>; 2]) -> Option<f64> {
    Some(v[0]?.max(v[1]?))
}

impl Sample {
    /// Cut → both nodes Reconnecting.
    pub fn detect_both(&self) -> Option<f64> {
        both(self.detect)
    }
    /// Restore → both nodes Connected.
    pub fn connected_both(&self) -> Option<f64> {
        both(self.connected)
    }
}

/// A bare link's state changes and (receiving side) frame arrivals, timestamped.
type Log<T> = Arc<Mutex<Vec<(Instant, T)>>>;

fn watch_states(rt: &tokio::runtime::Runtime, link: &Link) -> Log<LinkState> {
    let log: Log<LinkState> = Arc::default();
    let mut rx = link.events();
    let l = log.clone();
    rt.spawn(async move {
        while rx.changed().await.is_ok() {
            let s = *rx.borrow();
            l.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((Instant::now(), s));
            if s.is_final() {
                break;
            }
        }
    });
    log
}

/// First time at or after `since` that `log` shows a state matching `pred`.
fn first_state(
    log: &Log<LinkState>,
    since: Instant,
    pred: impl Fn(LinkState) -> bool,
) -> Option<Instant> {
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|(t, s)| *t >= since && pred(*s))
        .map(|(t, _)| *t)
}

fn last_state(log: &Log<LinkState>) -> Option<LinkState> {
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .last()
        .map(|(_, s)| *s)
}

/// Polls until `f` returns `Some` or `timeout` passes.
fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn reconnect_attempt(e: &Event) -> Option<u32> {
    match e {
        Event::PeerState {
            state: PeerState::Reconnecting { attempt },
            ..
        } => Some(*attempt),
        _ => None,
    }
}

/// One repetition with a gap of `gap`.
fn once(rt: &tokio::runtime::Runtime, gap: Duration, base: &Path) -> Result<Sample, BoxError> {
    let WarmPair {
        ana,
        ben,
        ra,
        rb,
        peer,
        dirs: _dirs,
    } = common::warm_pair(base, 1024)?;

    let (la, lb) = rt.block_on(common::link_pair(&LinkConfig::loopback()))?;
    let (la, lb) = (Arc::new(la), Arc::new(lb));
    let (sa, sb) = (watch_states(rt, &la), watch_states(rt, &lb));
    let arrivals: Log<usize> = Arc::default();
    {
        let (lb, arrivals) = (lb.clone(), arrivals.clone());
        rt.spawn(async move {
            while let Some(bytes) = lb.recv().await {
                arrivals
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((Instant::now(), bytes.len()));
            }
        });
    }
    // Idle a moment, as a pair usually is when the network goes.
    std::thread::sleep(Duration::from_secs(2));

    let mut cut = Cut::start()?;
    let t_cut = Instant::now();
    let mut s = Sample::default();
    let detect_timeout = Duration::from_secs(60);
    let da_at = ra.wait(t_cut, detect_timeout, is_reconnecting);
    let db_at = rb.wait(t_cut, detect_timeout, is_reconnecting);
    s.detect = [da_at.map(|x| secs(t_cut, x)), db_at.map(|x| secs(t_cut, x))];
    s.link_detect = poll(Duration::from_secs(10), || {
        let a = first_state(&sa, t_cut, |st| st == LinkState::Disconnected)?;
        let b = first_state(&sb, t_cut, |st| st == LinkState::Disconnected)?;
        Some(secs(t_cut, a.max(b)))
    });
    // A message written during the gap, on both paths.
    let gap_id = ana.send(&peer, "written during the gap")?;
    let frame_sent = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(2), la.send(b"written during the gap")).await
    });
    let before_gap_frames = arrivals.lock().unwrap_or_else(|p| p.into_inner()).len();
    if let Some(rest) = gap.checked_sub(t_cut.elapsed()) {
        std::thread::sleep(rest);
    }
    cut.restore()?;
    let t_back = Instant::now();

    let resume_timeout = Duration::from_secs(180);
    let ca = ra.wait(t_back, resume_timeout, is_connected);
    let cb = rb.wait(t_back, resume_timeout, is_connected);
    s.connected = [ca.map(|x| secs(t_back, x)), cb.map(|x| secs(t_back, x))];
    s.delivered = ra
        .wait(
            t_cut,
            resume_timeout,
            |e| matches!(e, Event::Delivered { id, .. } if *id == gap_id),
        )
        .map(|x| secs(t_back, x));
    let attempts = |r: &Recorder| {
        (0..64)
            .rev()
            .find(|n| r.count(|e| reconnect_attempt(e) == Some(*n)) > 0)
            .unwrap_or(0)
    };
    s.attempts = attempts(&ra).max(attempts(&rb));
    s.link_open = poll(Duration::from_secs(20), || {
        let a = first_state(&sa, t_back, |st| st == LinkState::Open)?;
        let b = first_state(&sb, t_back, |st| st == LinkState::Open)?;
        Some(secs(t_back, a.max(b)))
    });
    if matches!(frame_sent, Ok(Ok(()))) {
        s.link_frame = poll(Duration::from_secs(20), || {
            arrivals
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(before_gap_frames)
                .map(|(t, _)| secs(t_back, *t))
        });
    }
    s.link_final = last_state(&sa);
    rt.block_on(async {
        let _ = tokio::join!(la.close(), lb.close());
    });
    drop((ra, rb));
    ana.shutdown();
    ben.shutdown();
    Ok(s)
}

/// Runs `reps` repetitions for each gap.
pub fn run(
    rt: &tokio::runtime::Runtime,
    gaps: &[u64],
    reps: usize,
    base: &Path,
) -> Result<Vec<(u64, Vec<Sample>)>, BoxError> {
    let mut out = Vec::new();
    for &gap in gaps {
        let mut samples = Vec::new();
        for i in 0..reps {
            eprintln!("bench: loss — gap {gap} s, run {}/{reps}…", i + 1);
            let s = once(rt, Duration::from_secs(gap), base)?;
            eprintln!("bench:   {s:?}");
            samples.push(s);
        }
        out.push((gap, samples));
    }
    Ok(out)
}

fn stat(v: impl Iterator<Item = Option<f64>>, of: usize) -> String {
    let got: Vec<f64> = v.flatten().collect();
    if got.is_empty() {
        return format!("never (0 of {of})");
    }
    let missing = if got.len() < of {
        format!(" ({} of {of})", got.len())
    } else {
        String::new()
    };
    format!("{:.2} ({}){missing}", median(got.clone()), range(&got))
}

/// Prints the section's table.
pub fn print(results: &[(u64, Vec<Sample>)]) {
    let d = LinkConfig::default();
    let policy = tincan_core::node::ReconnectPolicy::default();
    let stall = if policy.stall_limit.is_zero() {
        "at once".to_owned()
    } else {
        format!("after {} s more", policy.stall_limit.as_secs())
    };
    println!("\n### Loss detection and resume\n");
    println!(
        "All UDP on `lo` dropped (iptables, private namespace) while the pair is idle; seconds, \
         median (min–max) over the runs. Product defaults: ICE keep-alive every {} s, \
         `Disconnected` after {} s without packets, the link then rebuilt {stall} \
         (`ReconnectPolicy::stall_limit`); a `Ping` after {} s of quiet, rebuilt after {} s \
         without a frame (`silence_limit`). Baseline: a bare link pair under the same cut.\n",
        d.ice_keepalive_interval.as_secs(),
        d.ice_disconnected_timeout.as_secs(),
        policy.ping_after.as_secs(),
        policy.silence_limit.as_secs()
    );
    println!(
        "| gap | runs | **detect**: both nodes Reconnecting | baseline: both links Disconnected \
         | **resume**: both nodes Connected | **resume**: gap message Delivered | baseline: \
         both links Open again | baseline: gap frame arrives | reconnect attempts |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (gap, samples) in results {
        let n = samples.len();
        let finals: Vec<String> = samples
            .iter()
            .filter_map(|s| s.link_final)
            .filter(|s| *s != LinkState::Open)
            .map(|s| format!("{s:?}"))
            .collect();
        let link_open = stat(samples.iter().map(|s| s.link_open), n);
        println!(
            "| {gap} s | {n} | {} | {} | {} | {} | {}{} | {} | {} |",
            stat(samples.iter().map(Sample::detect_both), n),
            stat(samples.iter().map(|s| s.link_detect), n),
            stat(samples.iter().map(Sample::connected_both), n),
            stat(samples.iter().map(|s| s.delivered), n),
            link_open,
            if finals.is_empty() {
                String::new()
            } else {
                format!(" — ended {}", finals.join(", "))
            },
            stat(samples.iter().map(|s| s.link_frame), n),
            samples
                .iter()
                .map(|s| s.attempts.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    println!("\nDetect is timed from the cut, resume from the restore. Per run (s):");
    for (gap, samples) in results {
        for (i, s) in samples.iter().enumerate() {
            let f = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"));
            println!(
                "- gap {gap} s, run {}: detect Ana {} Ben {} (links {}); connected Ana {} Ben {}; \
                 delivered {}; links open {}, frame {}",
                i + 1,
                f(s.detect[0]),
                f(s.detect[1]),
                f(s.link_detect),
                f(s.connected[0]),
                f(s.connected[1]),
                f(s.delivered),
                f(s.link_open),
                f(s.link_frame)
            );
        }
    }
}
