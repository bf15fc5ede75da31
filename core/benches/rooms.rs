//! Benchmark (issue #15): group rooms between real nodes in this process on loopback.
//!
//! The members are linked in a ring plus chords (member i to i ± 1 and i ± s, s = the
//! rounded square root of N: four links each), not everyone to everyone. n0 makes the
//! room over code-made links to everyone, then closes every link that is not in that
//! shape, so from then on posts travel only through the ring and chords.
//!
//! - **Reach with churn**: posts from random online members at a steady pace while 20 %
//!   of the members (not n0) each go offline once and come back; for each post, the
//!   time until every member online when it was posted (and still online when it
//!   arrived) shows it (p50, p99, max); members who missed it live catch up later.
//!   From the nodes' counters ([`Node::room_stats`]): full copies sent per member
//!   reached, repeats, the longest relay path in hops, and encoded frame bytes per
//!   delivered post split into payload, control (operations, announcements, grafts,
//!   prunes, heights) and catch-up.
//! - **Catch-up**: one member away while k posts are made (k = 10, 100, 200 by
//!   default), then back: time (reconnecting included), frames and bytes, and the
//!   heights it sent (round trips).
//! - **Removal**: n0 removes a member it has no link to; time until every remaining
//!   member shows the new epoch, then until all read a new post; frames and bytes;
//!   then every remaining member posts once (each writes a keys entry): the full
//!   re-key cost.
//! - **Baseline** in the same run: one 1:1 message between two linked nodes (time to
//!   the other side's event; encoded bytes of the message and its receipt, and UDP
//!   bytes both ways).
//!
//! Run: `cargo bench -p tincan-core --bench rooms [-- --sizes 10,50 --posts 120
//! --gap-ms 100 --catch-up 10,100,200]`; `-- --quick` is `--sizes 10 --posts 40
//! --catch-up 10,100`. Prints markdown tables.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs, dead_code)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::device::{connect, Device};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use tincan_core::node::{Event, Node, PeerState, RoomStats, HOPS_COUNTED};
use tincan_core::wire::Frame;

/// How long any one wait may take.
const WAIT: Duration = Duration::from_secs(120);
/// How long posts may take to reach everyone before the missing ones count as lost.
const SETTLE: Duration = Duration::from_secs(30);

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn list(name: &str, default: &str) -> Vec<usize> {
    arg(name)
        .unwrap_or_else(|| default.into())
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// What is left of the time until `until` (zero once past).
fn left(until: Instant) -> Duration {
    until.saturating_duration_since(Instant::now())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `a + sign·b`, field by field.
fn combine(a: &RoomStats, b: &RoomStats, sign: i64) -> RoomStats {
    let f = |x: u64, y: u64| (x as i64 + sign * y as i64) as u64;
    RoomStats {
        payload_frames: f(a.payload_frames, b.payload_frames),
        payload_bytes: f(a.payload_bytes, b.payload_bytes),
        keys_frames: f(a.keys_frames, b.keys_frames),
        keys_bytes: f(a.keys_bytes, b.keys_bytes),
        control_frames: f(a.control_frames, b.control_frames),
        control_bytes: f(a.control_bytes, b.control_bytes),
        heights_frames: f(a.heights_frames, b.heights_frames),
        catchup_frames: f(a.catchup_frames, b.catchup_frames),
        catchup_bytes: f(a.catchup_bytes, b.catchup_bytes),
        gossip_new: f(a.gossip_new, b.gossip_new),
        gossip_repeats: f(a.gossip_repeats, b.gossip_repeats),
        caught_up: f(a.caught_up, b.caught_up),
        hops: std::array::from_fn(|i| f(a.hops[i], b.hops[i])),
    }
}

fn all_frames(s: &RoomStats) -> u64 {
    s.payload_frames + s.keys_frames + s.control_frames + s.catchup_frames
}

fn all_bytes(s: &RoomStats) -> u64 {
    s.payload_bytes + s.keys_bytes + s.control_bytes + s.catchup_bytes
}

/// One member: its device, the node running now (if any), and what earlier runs of
/// its node counted.
struct Slot {
    node: Option<Arc<Node>>,
    stop: Arc<AtomicBool>,
    past: RoomStats,
    /// When it was online: from, until.
    online: Vec<(Instant, Option<Instant>)>,
}

/// When each member first showed each post (by text), and how often.
type Seen = Arc<Mutex<BTreeMap<(usize, String), (Instant, usize)>>>;

struct Room {
    devices: Vec<Arc<Device>>,
    slots: Vec<Arc<Mutex<Slot>>>,
    seen: Seen,
    id: String,
    keys: Vec<String>,
    /// Who is linked to whom (the ring and chords).
    links: BTreeSet<(usize, usize)>,
    chord: usize,
    _dir: tempfile::TempDir,
}

/// Takes in a node's events on a thread of its own, noting when each post is shown.
fn drain(i: usize, node: Arc<Node>, stop: Arc<AtomicBool>, seen: Seen) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            if let Some(Event::RoomPost { text, .. }) = node.next_event(Duration::from_millis(50)) {
                let now = Instant::now();
                let mut seen = seen.lock().unwrap();
                seen.entry((i, text)).or_insert((now, 0)).1 += 1;
            }
        }
    });
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

impl Room {
    /// `n` members in a ring with chords, in one room made by n0.
    fn new(n: usize) -> Room {
        let dir = tempfile::tempdir().unwrap();
        let devices: Vec<Arc<Device>> = (0..n)
            .map(|i| {
                let name: &'static str = Box::leak(format!("m{i}").into_boxed_str());
                Arc::new(Device::new(name, dir.path()))
            })
            .collect();
        let seen: Seen = Arc::default();
        let start = Instant::now();
        let slots: Vec<Arc<Mutex<Slot>>> = devices
            .iter()
            .map(|d| {
                let node = Arc::new(d.start());
                Arc::new(Mutex::new(Slot {
                    node: Some(node),
                    stop: Arc::new(AtomicBool::new(false)),
                    past: RoomStats::default(),
                    online: vec![(Instant::now(), None)],
                }))
            })
            .collect();
        let chord = ((n as f64).sqrt().round() as usize).max(2);
        let mut links = BTreeSet::new();
        for i in 0..n {
            links.insert(pair(i, (i + 1) % n));
            links.insert(pair(i, (i + chord) % n));
        }
        let node = |i: usize| slots[i].lock().unwrap().node.clone().unwrap();
        let hub: Vec<String> = (1..n).map(|i| connect(&node(0), &node(i))).collect();
        for &(a, b) in &links {
            if a != 0 {
                connect(&node(a), &node(b));
            }
        }
        let id = node(0).create_room("Bench", &hub).unwrap();
        let keys = (0..n).map(|i| node(i).identity_key()).collect();
        let room = Room {
            devices,
            slots,
            seen,
            id,
            keys,
            links,
            chord,
            _dir: dir,
        };
        room.wait(0..n, "joined", |node, id| {
            node.rooms().iter().any(|r| r.id == id && r.joined)
        });
        // From here on n0 keeps only its ring and chord links.
        let admin = room.node(0).unwrap();
        for (i, peer) in (1..n).zip(&hub) {
            if !room.links.contains(&pair(0, i)) {
                admin.close_peer(peer).unwrap();
            }
        }
        let deadline = Instant::now() + WAIT;
        while (0..n).any(|i| room.connected(i) != room.degree(i)) {
            assert!(Instant::now() < deadline, "links never settled");
            std::thread::sleep(Duration::from_millis(50));
        }
        // Connecting waited for events; from here on each node's are taken in apart.
        for (i, slot) in room.slots.iter().enumerate() {
            let s = slot.lock().unwrap();
            drain(
                i,
                s.node.clone().unwrap(),
                s.stop.clone(),
                room.seen.clone(),
            );
        }
        eprintln!(
            "N={n}: {} links, room joined in {:.1} s",
            room.links.len(),
            start.elapsed().as_secs_f64()
        );
        room
    }

    fn n(&self) -> usize {
        self.slots.len()
    }

    fn degree(&self, i: usize) -> usize {
        self.links
            .iter()
            .filter(|(a, b)| *a == i || *b == i)
            .count()
    }

    fn node(&self, i: usize) -> Option<Arc<Node>> {
        self.slots[i].lock().unwrap().node.clone()
    }

    fn connected(&self, i: usize) -> usize {
        self.node(i).map_or(0, |n| {
            n.peers()
                .iter()
                .filter(|p| p.state == PeerState::Connected)
                .count()
        })
    }

    fn online(&self, i: usize) -> bool {
        self.node(i).is_some()
    }

    /// Waits until `check` holds on every node in `who` (each must be running).
    fn wait(
        &self,
        who: impl IntoIterator<Item = usize>,
        what: &str,
        check: impl Fn(&Node, &str) -> bool,
    ) {
        let who: Vec<usize> = who.into_iter().collect();
        let deadline = Instant::now() + WAIT;
        loop {
            let missing: Vec<usize> = who
                .iter()
                .copied()
                .filter(|&i| !self.node(i).is_some_and(|n| check(&n, &self.id)))
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not {what} within {WAIT:?}: {missing:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits (at most `limit`) until every member in `who` showed every text in
    /// `texts`. Returns how many (member, post) pairs are still missing.
    fn wait_seen(&self, who: &[usize], texts: &[String], limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        loop {
            let missing: Vec<(usize, String)> = {
                let seen = self.seen.lock().unwrap();
                who.iter()
                    .flat_map(|&i| texts.iter().map(move |t| (i, t.clone())))
                    .filter(|k| !seen.contains_key(k))
                    .collect()
            };
            if missing.is_empty() {
                return 0;
            }
            if Instant::now() >= deadline {
                let listed = missing
                    .iter()
                    .filter(|(i, t)| {
                        self.node(*i).is_some_and(|n| {
                            n.room_posts(&self.id)
                                .unwrap()
                                .iter()
                                .any(|p| p.text.as_deref() == Some(t))
                        })
                    })
                    .count();
                eprintln!(
                    "{} (member, post) pairs not shown within {limit:?} ({listed} of them \
                     stored and readable), e.g. {:?}",
                    missing.len(),
                    &missing[..missing.len().min(3)]
                );
                return missing.len();
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn seen_at(&self, i: usize, text: &str) -> Option<Instant> {
        self.seen
            .lock()
            .unwrap()
            .get(&(i, text.to_owned()))
            .map(|s| s.0)
    }

    /// Every member's counters, all its node's runs together.
    fn stats_of(&self, i: usize) -> RoomStats {
        let slot = self.slots[i].lock().unwrap();
        let now = slot
            .node
            .as_ref()
            .map(|n| n.room_stats())
            .unwrap_or_default();
        combine(&slot.past, &now, 1)
    }

    fn totals(&self) -> RoomStats {
        (0..self.n()).fold(RoomStats::default(), |acc, i| {
            combine(&acc, &self.stats_of(i), 1)
        })
    }

    /// Takes member `i` offline on another thread (the goodbyes take a moment).
    fn go_offline(&self, i: usize) -> JoinHandle<()> {
        let slot = self.slots[i].clone();
        let node = {
            let mut s = slot.lock().unwrap();
            s.stop.store(true, Ordering::Relaxed);
            s.online.last_mut().unwrap().1 = Some(Instant::now());
            s.node.take().unwrap()
        };
        std::thread::spawn(move || {
            node.shutdown();
            let stats = node.room_stats();
            let mut s = slot.lock().unwrap();
            s.past = combine(&s.past, &stats, 1);
        })
    }

    /// Brings member `i` back on another thread, once `gone` (its going) is done.
    fn come_back(&self, i: usize, gone: JoinHandle<()>) -> JoinHandle<()> {
        let slot = self.slots[i].clone();
        let device = self.devices[i].clone();
        let seen = self.seen.clone();
        std::thread::spawn(move || {
            gone.join().unwrap();
            let node = Arc::new(device.start());
            let stop = Arc::new(AtomicBool::new(false));
            drain(i, node.clone(), stop.clone(), seen);
            let mut s = slot.lock().unwrap();
            s.node = Some(node);
            s.stop = stop;
            s.online.push((Instant::now(), None));
        })
    }

    /// Whether member `i` was online from `t` until `until` (or still is).
    fn online_through(&self, i: usize, t: Instant, until: Instant) -> bool {
        self.slots[i]
            .lock()
            .unwrap()
            .online
            .iter()
            .any(|(from, to)| *from <= t && to.is_none_or(|to| to >= until))
    }

    fn post(&self, i: usize, text: &str) -> Instant {
        let node = self.node(i).unwrap();
        let at = Instant::now();
        node.post_to_room(&self.id, text).unwrap();
        at
    }

    fn shutdown(&self) {
        for slot in &self.slots {
            let mut s = slot.lock().unwrap();
            s.stop.store(true, Ordering::Relaxed);
            if let Some(node) = s.node.take() {
                node.shutdown();
            }
        }
    }
}

fn text(tag: &str, p: usize, author: usize) -> String {
    format!("{tag} {p:04} from m{author}: see you at the usual place at eight")
}

struct Baseline {
    p50_ms: f64,
    p99_ms: f64,
    /// Encoded bytes of the message and its receipt.
    frame_bytes: f64,
    /// UDP bytes both ways per message.
    udp_bytes: f64,
}

/// One 1:1 message between two linked nodes, `reps` times.
fn baseline(reps: usize) -> Baseline {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (Device::new("x", dir.path()), Device::new("y", dir.path()));
    let (x, y) = (x.start(), y.start());
    let peer = connect(&x, &y);
    let udp = |n: &Node| n.link_stats(&peer).map_or(0, |s| s.wire.bytes_out);
    let mut times = Vec::new();
    let mut frame_bytes = 0;
    let (mut udp_total, mut counted) = (0, 0);
    for r in 0..reps + 1 {
        let body = text("dm", r, 0);
        let before = udp(&x) + udp(&y);
        let start = Instant::now();
        let id = x.send(&peer, &body).unwrap();
        let deadline = start + WAIT;
        loop {
            assert!(Instant::now() < deadline, "no 1:1 message");
            if let Some(Event::Message { text, .. }) = y.next_event(Duration::from_millis(50)) {
                if text == body {
                    break;
                }
            }
        }
        let took = start.elapsed();
        // The receipt and acknowledgements: a moment to go out.
        std::thread::sleep(Duration::from_millis(100));
        let after = udp(&x) + udp(&y);
        if r == 0 {
            continue; // warm-up
        }
        times.push(ms(took));
        if after > before {
            udp_total += after - before;
            counted += 1;
        }
        let sent_at = 1_800_000_000_000;
        frame_bytes = Frame::Chat {
            id: id.clone(),
            sent_at,
            text: body,
        }
        .encode()
        .len()
            + Frame::Ack { id }.encode().len();
    }
    x.shutdown();
    y.shutdown();
    times.sort_by(f64::total_cmp);
    Baseline {
        p50_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        frame_bytes: frame_bytes as f64,
        udp_bytes: udp_total as f64 / counted.max(1) as f64,
    }
}

struct Reach {
    n: usize,
    links: usize,
    chord: usize,
    posts: usize,
    churners: usize,
    times: Vec<f64>,
    /// (member, post) pairs left out of the times: away when it was posted or before
    /// it arrived.
    excluded: usize,
    /// (member, post) pairs never shown within [`SETTLE`] after the run.
    lost: usize,
    /// Posts that did not reach every member (not in `times`).
    incomplete: usize,
    stats: RoomStats,
}

/// Posts at a steady pace while 20 % of the members each go away once and come back.
fn reach(room: &Room, posts: usize, gap: Duration, rng: &mut ChaCha20Rng) -> Reach {
    let n = room.n();
    // Warm-up: everyone posts once (each writes its keys entry).
    let warm: Vec<String> = (0..n).map(|i| text("warm", i, i)).collect();
    for (i, t) in warm.iter().enumerate() {
        room.post(i, t);
    }
    let mut missing = 0;
    let until = Instant::now() + SETTLE;
    for i in 0..n {
        let others: Vec<String> = (0..n)
            .filter(|&a| a != i)
            .map(|a| warm[a].clone())
            .collect();
        missing += room.wait_seen(&[i], &others, left(until));
    }
    if missing > 0 {
        eprintln!("warm-up: {missing} not shown");
    }
    let churners: Vec<usize> = {
        let mut pool: Vec<usize> = (1..n).collect();
        let mut out = Vec::new();
        for _ in 0..n / 5 {
            let k = rng.next_u32() as usize % pool.len();
            out.push(pool.swap_remove(k));
        }
        out
    };
    // Each churner goes at a post index in the first half and is away for a quarter.
    let c = churners.len().max(1);
    let away_for = (posts / 4).max(1);
    let leave_at: Vec<usize> = (0..churners.len())
        .map(|j| posts / 10 + j * (posts / 2) / c)
        .collect();
    let before = room.totals();
    let mut goings: BTreeMap<usize, JoinHandle<()>> = BTreeMap::new();
    let mut comings = Vec::new();
    let mut sent: Vec<(String, usize, Instant)> = Vec::new();
    for p in 0..posts {
        for (j, &m) in churners.iter().enumerate() {
            if leave_at[j] == p {
                goings.insert(m, room.go_offline(m));
            }
            if leave_at[j] + away_for == p {
                comings.push(room.come_back(m, goings.remove(&m).unwrap()));
            }
        }
        let online: Vec<usize> = (0..n).filter(|&i| room.online(i)).collect();
        let author = online[rng.next_u32() as usize % online.len()];
        let t = text("post", p, author);
        let at = room.post(author, &t);
        sent.push((t, author, at));
        std::thread::sleep(gap);
    }
    for (m, going) in goings {
        comings.push(room.come_back(m, going));
    }
    for c in comings {
        c.join().unwrap();
    }
    // Everyone ends with every post (live or by catch-up), or it is counted lost.
    let mut lost = 0;
    let until = Instant::now() + SETTLE;
    for i in 0..n {
        let theirs: Vec<String> = sent
            .iter()
            .filter(|s| s.1 != i)
            .map(|s| s.0.clone())
            .collect();
        lost += room.wait_seen(&[i], &theirs, left(until));
    }
    std::thread::sleep(Duration::from_millis(500));
    let stats = combine(&room.totals(), &before, -1);
    // A post's time: until the last member online from its posting to its arrival
    // showed it (who was away, or went away before it came, caught up later).
    let mut times = Vec::new();
    let mut excluded = 0;
    let mut incomplete = 0;
    for (t, author, at) in &sent {
        let mut worst = Duration::ZERO;
        let mut whole = true;
        for i in (0..n).filter(|i| i != author) {
            let Some(arrived) = room.seen_at(i, t) else {
                whole = false;
                continue;
            };
            if room.online_through(i, *at, arrived) {
                worst = worst.max(arrived - *at);
            } else {
                excluded += 1;
            }
        }
        if whole {
            times.push(ms(worst));
        } else {
            incomplete += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    Reach {
        n,
        links: room.links.len(),
        chord: room.chord,
        posts,
        churners: churners.len(),
        times,
        excluded,
        lost,
        incomplete,
        stats,
    }
}

struct CatchUp {
    k: usize,
    held: usize,
    links: usize,
    took: Duration,
    stats: RoomStats,
    heights_sent: u64,
    /// Missed posts it still had not shown after [`SETTLE`].
    lost: usize,
}

/// Member `who` is away while `k` posts are made, then back.
fn catch_up(room: &Room, who: usize, k: usize, gap: Duration, held_before: usize) -> CatchUp {
    let n = room.n();
    room.go_offline(who).join().unwrap();
    let authors: Vec<usize> = (0..n).filter(|&i| i != who).collect();
    let mut texts = Vec::new();
    for p in 0..k {
        let a = authors[p % authors.len()];
        // `held_before` differs every round, so a k given twice (`--catch-up 200,200`)
        // writes new texts rather than ones every member has already shown.
        let t = text(&format!("away{held_before}-{k}"), p, a);
        room.post(a, &t);
        texts.push(t);
        std::thread::sleep(gap);
    }
    let until = Instant::now() + SETTLE;
    for &i in &authors {
        let theirs: Vec<String> = texts
            .iter()
            .enumerate()
            .filter(|(p, _)| authors[p % authors.len()] != i)
            .map(|(_, t)| t.clone())
            .collect();
        room.wait_seen(&[i], &theirs, left(until));
    }
    std::thread::sleep(Duration::from_millis(300));
    let before = room.totals();
    let mine_before = room.stats_of(who);
    let start = Instant::now();
    let dummy = std::thread::spawn(|| {});
    room.come_back(who, dummy).join().unwrap();
    let lost = room.wait_seen(&[who], &texts, SETTLE);
    let took = start.elapsed();
    std::thread::sleep(Duration::from_millis(1000));
    let stats = combine(&room.totals(), &before, -1);
    let mine = combine(&room.stats_of(who), &mine_before, -1);
    CatchUp {
        k,
        held: held_before + k,
        links: room.degree(who),
        took,
        stats,
        heights_sent: mine.heights_frames,
        lost,
    }
}

struct Removal {
    to_epoch: Duration,
    to_read: Duration,
    stats: RoomStats,
    rekey: RoomStats,
    rekey_took: Duration,
    /// Readers who never showed the post after the removal / re-key posts unshown.
    lost: usize,
    rekey_lost: usize,
}

/// n0 removes `gone` (no link between them); `poster` posts right after.
fn removal(room: &Room, gone: usize, poster: usize) -> Removal {
    let n = room.n();
    let rest: Vec<usize> = (0..n).filter(|&i| i != gone).collect();
    let key = room.keys[gone].clone();
    let epoch = room
        .node(0)
        .unwrap()
        .rooms()
        .into_iter()
        .find(|r| r.id == room.id)
        .unwrap()
        .epoch;
    let before = room.totals();
    let start = Instant::now();
    room.node(0)
        .unwrap()
        .remove_from_room(&room.id, &key)
        .unwrap();
    room.wait(rest.iter().copied(), "shown the removal", |node, id| {
        node.rooms()
            .iter()
            .any(|r| r.id == id && r.epoch == epoch + 1 && !r.members.contains(&key))
    });
    let to_epoch = start.elapsed();
    let t = text("after", 0, poster);
    room.post(poster, &t);
    let readers: Vec<usize> = rest.iter().copied().filter(|&i| i != poster).collect();
    let lost = room.wait_seen(&readers, std::slice::from_ref(&t), SETTLE);
    let to_read = start.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let mid = room.totals();
    let stats = combine(&mid, &before, -1);
    // Everyone else posts once in the new epoch: each writes a keys entry.
    let start = Instant::now();
    let mut rekey_lost = 0;
    let mut texts = Vec::new();
    for &i in rest.iter().filter(|&&i| i != poster) {
        let t = text("rekey", i, i);
        room.post(i, &t);
        texts.push((i, t));
    }
    let until = Instant::now() + SETTLE;
    for &r in &rest {
        let theirs: Vec<String> = texts
            .iter()
            .filter(|(a, _)| *a != r)
            .map(|(_, t)| t.clone())
            .collect();
        rekey_lost += room.wait_seen(&[r], &theirs, left(until));
    }
    let rekey_took = start.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let rekey = combine(&room.totals(), &mid, -1);
    Removal {
        to_epoch,
        to_read,
        stats,
        rekey,
        rekey_took,
        lost,
        rekey_lost,
    }
}

fn main() {
    // `cargo test --all-targets` builds and starts benches too, unoptimised and without
    // `--bench`: 50 nodes would take many minutes there, so it only checks this builds.
    if !std::env::args().any(|a| a == "--bench") {
        println!("rooms benchmark: built; run it with `cargo bench -p tincan-core --bench rooms`");
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes = list("--sizes", if quick { "10" } else { "10,50" });
    let posts: usize = arg("--posts").map_or(if quick { 40 } else { 120 }, |p| p.parse().unwrap());
    let gap = Duration::from_millis(arg("--gap-ms").map_or(100, |g| g.parse().unwrap()));
    let ks = list("--catch-up", if quick { "10,100" } else { "10,100,200" });
    let mut rng = ChaCha20Rng::from_seed([15; 32]);

    let base = baseline(30);
    println!("### Baseline: one 1:1 message between two linked nodes (30 messages)\n");
    println!("| p50 (ms) | p99 (ms) | frame bytes (message + receipt) | UDP bytes both ways |");
    println!("|---|---|---|---|");
    println!(
        "| {:.2} | {:.2} | {:.0} | {:.0} |\n",
        base.p50_ms, base.p99_ms, base.frame_bytes, base.udp_bytes
    );

    let mut reaches = Vec::new();
    let mut catchups = Vec::new();
    let mut removals = Vec::new();
    for &n in &sizes {
        let room = Room::new(n);
        let r = reach(&room, posts, gap, &mut rng);
        let held = n + posts;
        let who = (n / 2..n)
            .find(|i| !room.links.contains(&pair(0, *i)))
            .unwrap_or(n / 2);
        let mut held_now = held;
        for &k in &ks {
            // Keep every author under the live flood limit (30 per 10 s).
            let per_author_gap = Duration::from_millis(1000 * 10 / 25 / (n as u64 - 1));
            let c = catch_up(
                &room,
                who,
                k,
                per_author_gap.max(Duration::from_millis(15)),
                held_now,
            );
            held_now += k;
            catchups.push((n, c));
        }
        let gone = (1..n)
            .find(|i| *i != who && !room.links.contains(&pair(0, *i)))
            .unwrap();
        let poster = (gone + n / 2) % n;
        let poster = if poster == gone || poster == 0 {
            1
        } else {
            poster
        };
        removals.push((n, removal(&room, gone, poster)));
        room.shutdown();
        reaches.push(r);
    }

    println!("### Reach with churn: ring + chords, 20 % of members away once each\n");
    println!(
        "| N | links (each to ±1, ±s) | posts | away once | to every online member p50 / p99 / max (ms) | \
         p50 vs 1:1 | full copies sent per member reached (live) | incl. catch-up | repeats received | \
         longest path (hops) | mean hops | never shown (pairs) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &reaches {
        let s = &r.stats;
        let reached = s.gossip_new.max(1) as f64;
        let hops_max = (0..HOPS_COUNTED)
            .rev()
            .find(|&h| s.hops[h] > 0)
            .unwrap_or(0);
        // The last slot counts that many hops or more.
        let hops_max = if hops_max == HOPS_COUNTED - 1 {
            format!("≥ {hops_max}")
        } else {
            hops_max.to_string()
        };
        let hop_sum: u64 = (0..HOPS_COUNTED).map(|h| h as u64 * s.hops[h]).sum();
        let p50 = percentile(&r.times, 0.5);
        println!(
            "| {} | {} (s = {}) | {} | {} | {:.0} / {:.0} / {:.0} | {:.1}× | {:.2} | {:.2} | {} | {} | {:.1} | {} |",
            r.n,
            r.links,
            r.chord,
            r.posts,
            r.churners,
            p50,
            percentile(&r.times, 0.99),
            r.times.last().copied().unwrap_or(f64::NAN),
            p50 / base.p50_ms,
            s.payload_frames as f64 / reached,
            (s.payload_frames + s.catchup_frames) as f64 / (s.gossip_new + s.caught_up).max(1) as f64,
            s.gossip_repeats,
            hops_max,
            hop_sum as f64 / reached,
            r.lost,
        );
        if r.incomplete > 0 {
            println!(
                "\nN = {}: {} posts did not reach every member within {SETTLE:?}; the \
                 times are over the other {}.",
                r.n,
                r.incomplete,
                r.times.len()
            );
        }
    }
    println!("\nBytes per delivered post (encoded frames; a delivery is one member getting one post, live or by catch-up):\n");
    println!(
        "| N | deliveries (live + catch-up) | payload | keys | control | catch-up | total | vs 1:1 frames | frames per delivery |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &reaches {
        let s = &r.stats;
        let d = (s.gossip_new + s.caught_up).max(1) as f64;
        println!(
            "| {} | {} + {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2}× | {:.2} |",
            r.n,
            s.gossip_new,
            s.caught_up,
            s.payload_bytes as f64 / d,
            s.keys_bytes as f64 / d,
            s.control_bytes as f64 / d,
            s.catchup_bytes as f64 / d,
            all_bytes(s) as f64 / d,
            all_bytes(s) as f64 / d / base.frame_bytes,
            all_frames(s) as f64 / d,
        );
    }

    println!("\n### Catch-up: one member away while k posts are made\n");
    println!(
        "| N | k missed | posts in room | its links | time back to all k (ms, reconnect included) | \
         catch-up frames (per missed post) | catch-up bytes | control bytes | bytes per missed post | \
         heights it sent (round trips per link) | still missing |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (n, c) in &catchups {
        let s = &c.stats;
        println!(
            "| {} | {} | {} | {} | {:.0} | {} ({:.2}) | {} | {} | {:.0} | {} ({:.1}) | {} |",
            n,
            c.k,
            c.held,
            c.links,
            ms(c.took),
            s.catchup_frames,
            s.catchup_frames as f64 / c.k as f64,
            s.catchup_bytes,
            s.control_bytes,
            all_bytes(s) as f64 / c.k as f64,
            c.heights_sent,
            c.heights_sent as f64 / c.links as f64,
            c.lost,
        );
    }

    println!("\n### Removal: n0 removes a member it has no link to\n");
    println!(
        "| N | all remaining show the new epoch (ms) | all read the next post (ms) | frames | bytes (control / keys / payload) | \
         then everyone posts once: keys frames | keys bytes | time (ms) | not shown (post after / re-key posts) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (n, r) in &removals {
        let s = &r.stats;
        println!(
            "| {} | {:.0} | {:.0} | {} | {} ({} / {} / {}) | {} | {} | {:.0} | {} / {} |",
            n,
            ms(r.to_epoch),
            ms(r.to_read),
            all_frames(s),
            all_bytes(s),
            s.control_bytes,
            s.keys_bytes,
            s.payload_bytes,
            r.rekey.keys_frames,
            r.rekey.keys_bytes,
            ms(r.rekey_took),
            r.lost,
            r.rekey_lost,
        );
    }
}
