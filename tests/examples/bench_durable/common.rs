//! What every section of the durable-chat benchmark shares: a connected pair of nodes
//! (and of bare links, the baselines), an event recorder that timestamps what a node
//! reports, the process's context-switch counters, and small formatting helpers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tincan_core::link::{answer, Link, LinkConfig, LinkSecrets, PendingOffer};
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;

/// Errors of the benchmark: anything failing ends the run with a message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Longest any single awaited step may take before the run is declared stuck.
pub const STEP: Duration = Duration::from_secs(30);

/// A node with the product's defaults, bound to loopback, open-mode invites cheap.
pub fn node(dir: &Path, event_capacity: usize) -> Result<Node, BoxError> {
    let mut config = NodeConfig::new(dir.to_owned(), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    config.event_capacity = event_capacity;
    Ok(Node::open(config)?)
}

/// Ana invites (open mode), Ben joins, Ana loads the reply: the conversation id.
pub fn introduce(ana: &Node, ben: &Node) -> Result<String, BoxError> {
    let invite = ana.create_invite(InviteRequest {
        protection: Protection::Open,
        lifetime_secs: None,
    })?;
    let joined = ben.join(&invite.code, None)?;
    Ok(ana.accept_reply(&joined.reply_code)?)
}

/// Text of the message [`warm_pair`] delivers before anything is timed.
pub const WARM_UP: &str = "warm-up";

/// Two nodes in fresh directories under `base`, introduced and connected, their
/// events recorded, one message delivered: what is timed next starts warm.
pub struct WarmPair {
    pub ana: Node,
    pub ben: Node,
    pub ra: Recorder,
    pub rb: Recorder,
    /// The conversation id.
    pub peer: String,
    /// The data directories, removed when dropped.
    pub dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// See [`WarmPair`]; `event_capacity` as in [`node`].
pub fn warm_pair(base: &Path, event_capacity: usize) -> Result<WarmPair, BoxError> {
    let (da, db) = (tempfile::tempdir_in(base)?, tempfile::tempdir_in(base)?);
    let (ana, ben) = (
        node(da.path(), event_capacity)?,
        node(db.path(), event_capacity)?,
    );
    let (ra, rb) = (Recorder::start(&ana), Recorder::start(&ben));
    let t = Instant::now();
    let peer = introduce(&ana, &ben)?;
    ra.expect("Ana connected", t, STEP, is_connected)?;
    rb.expect("Ben connected", t, STEP, is_connected)?;
    let warm = ana.send(&peer, WARM_UP)?;
    ra.expect(
        "warm-up delivered",
        t,
        STEP,
        |e| matches!(e, Event::Delivered { id, .. } if *id == warm),
    )?;
    Ok(WarmPair {
        ana,
        ben,
        ra,
        rb,
        peer,
        dirs: (da, db),
    })
}

/// Whether `e` says the conversation is connected.
pub fn is_connected(e: &Event) -> bool {
    matches!(
        e,
        Event::PeerState {
            state: PeerState::Connected,
            ..
        }
    )
}

/// Whether `e` says the conversation is reconnecting.
pub fn is_reconnecting(e: &Event) -> bool {
    matches!(
        e,
        Event::PeerState {
            state: PeerState::Reconnecting { .. },
            ..
        }
    )
}

/// Events with the time they were pulled.
type Recorded = Vec<(Instant, Event)>;

/// Pulls a node's events on its own thread and keeps them with the time they were
/// pulled, so several nodes can be watched at once and nothing overflows the node's
/// bounded queue while the benchmark is busy elsewhere.
pub struct Recorder {
    shared: Arc<(Mutex<Recorded>, Condvar)>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    /// Starts pulling `node`'s events.
    pub fn start(node: &Node) -> Self {
        let shared = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (node, s, st) = (node.clone(), shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                if let Some(e) = node.next_event(Duration::from_millis(200)) {
                    let now = Instant::now();
                    s.0.lock().unwrap_or_else(|p| p.into_inner()).push((now, e));
                    s.1.notify_all();
                }
            }
        });
        Self {
            shared,
            stop,
            thread: Some(thread),
        }
    }

    /// When the `n`-th event (1-based) matching `pred` and pulled at or after `since`
    /// was pulled; waits until `deadline`. `None` when it did not come in time.
    pub fn wait_nth(
        &self,
        since: Instant,
        n: usize,
        deadline: Instant,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<Instant> {
        let (lock, cond) = &*self.shared;
        let mut events = lock.lock().unwrap_or_else(|p| p.into_inner());
        let (mut cursor, mut count) = (0, 0);
        loop {
            for (at, e) in events.iter().skip(cursor) {
                cursor += 1;
                if *at >= since && pred(e) {
                    count += 1;
                    if count >= n {
                        return Some(*at);
                    }
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            events = cond
                .wait_timeout(events, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The first matching event at or after `since`, within `timeout`.
    pub fn wait(
        &self,
        since: Instant,
        timeout: Duration,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<Instant> {
        self.wait_nth(since, 1, Instant::now() + timeout, pred)
    }

    /// Like [`Recorder::wait`], an error naming `what` when it does not come.
    pub fn expect(
        &self,
        what: &str,
        since: Instant,
        timeout: Duration,
        pred: impl Fn(&Event) -> bool,
    ) -> Result<Instant, BoxError> {
        self.wait(since, timeout, pred)
            .ok_or_else(|| format!("{what}: not reported within {timeout:?}").into())
    }

    /// When each recorded event matching `pred` was pulled, in order.
    pub fn times(&self, pred: impl Fn(&Event) -> bool) -> Vec<Instant> {
        let events = self.shared.0.lock().unwrap_or_else(|p| p.into_inner());
        events
            .iter()
            .filter(|(_, e)| pred(e))
            .map(|(t, _)| *t)
            .collect()
    }

    /// How many recorded events match `pred`.
    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        let events = self.shared.0.lock().unwrap_or_else(|p| p.into_inner());
        events.iter().filter(|(_, e)| pred(e)).count()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A connected pair of bare Tincan links (no node, no store): the baselines.
pub async fn link_pair(config: &LinkConfig) -> Result<(Link, Link), BoxError> {
    let offer = PendingOffer::create(config, &LinkSecrets::generate()?).await?;
    let (answer_sdp, bob) = answer(config, &LinkSecrets::generate()?, offer.local_sdp()).await?;
    let alice = offer.accept(&answer_sdp).await?;
    let (a, b) = tokio::join!(alice.wait_open(STEP), bob.wait_open(STEP));
    a?;
    b?;
    Ok((alice, bob))
}

/// Context switches of one thread, as `/proc/self/task/<tid>/status` counts them.
#[derive(Debug, Clone, Default)]
pub struct ThreadSwitches {
    /// The thread's name (`comm`).
    pub name: String,
    /// Gave up the CPU by itself: waits, sleeps — the wake-ups that cost a battery.
    pub voluntary: u64,
    /// Preempted by the scheduler.
    pub nonvoluntary: u64,
}

/// Every thread of this process by id.
pub fn thread_switches() -> BTreeMap<u32, ThreadSwitches> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0)
        };
        out.insert(
            tid,
            ThreadSwitches {
                name: status
                    .lines()
                    .find_map(|l| l.strip_prefix("Name:"))
                    .map(|n| n.trim().to_owned())
                    .unwrap_or_default(),
                voluntary: field("voluntary_ctxt_switches:"),
                nonvoluntary: field("nonvoluntary_ctxt_switches:"),
            },
        );
    }
    out
}

/// Context switches between two snapshots: threads alive at both ends count their
/// difference, threads born in between count everything; threads that ended in
/// between are lost (their number is reported so a reader knows).
#[derive(Debug, Clone, Default)]
pub struct SwitchDelta {
    /// Voluntary switches.
    pub voluntary: u64,
    /// Involuntary switches.
    pub nonvoluntary: u64,
    /// Per thread name: voluntary + involuntary.
    pub by_name: BTreeMap<String, u64>,
    /// Threads alive at the end.
    pub threads: usize,
    /// Threads that ended in between (their last switches are missing).
    pub ended: usize,
}

impl SwitchDelta {
    /// Both kinds together.
    pub fn total(&self) -> u64 {
        self.voluntary + self.nonvoluntary
    }
}

/// Difference between `before` and `after` snapshots of [`thread_switches`].
pub fn switch_delta(
    before: &BTreeMap<u32, ThreadSwitches>,
    after: &BTreeMap<u32, ThreadSwitches>,
) -> SwitchDelta {
    let mut d = SwitchDelta {
        threads: after.len(),
        ended: before.keys().filter(|t| !after.contains_key(t)).count(),
        ..SwitchDelta::default()
    };
    for (tid, now) in after {
        let was = before.get(tid).cloned().unwrap_or_default();
        let v = now.voluntary.saturating_sub(was.voluntary);
        let n = now.nonvoluntary.saturating_sub(was.nonvoluntary);
        d.voluntary += v;
        d.nonvoluntary += n;
        *d.by_name.entry(now.name.clone()).or_default() += v + n;
    }
    d
}

/// Packets that crossed `lo` (sent; on loopback every packet sent is received), from
/// `/proc/self/net/dev`, which belongs to this process's network namespace (`/sys` would
/// still show the host's). Meaningful only inside the private namespace, where nothing
/// else uses `lo`.
pub fn lo_packets() -> Option<u64> {
    let dev = std::fs::read_to_string("/proc/self/net/dev").ok()?;
    let line = dev
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("lo:"))?;
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets …
    line.split_whitespace().nth(9)?.parse().ok()
}

/// A message id as the node makes them: 128 bits in hex. Deterministic per `i`
/// (splitmix64), so runs are comparable.
pub fn hex_id(i: u64) -> String {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!("{:016x}{:016x}", mix(2 * i), mix(2 * i + 1))
}

/// A chat text of exactly `len` ASCII characters that differs per `i`.
pub fn text(i: usize, len: usize) -> String {
    let mut t = format!("message {i} — see you at the station at ten, bring the map");
    t = t.replace('—', "-");
    while t.len() < len {
        t.push_str(" and the tea");
    }
    t.truncate(len);
    t
}

/// Median of samples (`NaN` when empty).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `min–max` of samples, two decimals.
pub fn range(v: &[f64]) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.is_empty() {
        "—".to_owned()
    } else {
        format!("{lo:.2}–{hi:.2}")
    }
}

/// The longest pause between consecutive instants (zero for fewer than two).
pub fn longest_pause(times: &[Instant]) -> Duration {
    times
        .windows(2)
        .map(|w| w[1].saturating_duration_since(w[0]))
        .max()
        .unwrap_or_default()
}

/// Seconds between two instants (`b` after `a`).
pub fn secs(a: Instant, b: Instant) -> f64 {
    b.saturating_duration_since(a).as_secs_f64()
}
