//! Messages per second with persistence on: a connected node pair, Ana sending as fast
//! as `Node::send` accepts, timed until every message is `Delivered` (the peer stored
//! it and said so). Baselines from the same run: the same JSON frames and acks over a
//! bare link pair (the protocol minus SQLite and the node), the store's commits alone
//! (no network), and the disk's own `fdatasync` rate.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;
use tincan_core::node::Event;
use tincan_core::protect::keys::Role;
use tincan_core::store::{ConversationRecord, Store};
use tincan_core::wire::Frame;

use crate::common::{self, hex_id, longest_pause, text, BoxError, WarmPair, STEP, WARM_UP};

/// Characters per message (the "~60-byte messages").
pub const TEXT_LEN: usize = 60;

/// Bare-link baseline runs: most bursts on a bare link stall once for about one ICE
/// keep-alive interval (see `print`), so the fastest of several is the protocol's cost.
const BASELINE_RUNS: usize = 5;

/// A pause between two acks longer than this counts as a stall.
const STALL: Duration = Duration::from_millis(500);

/// One measured row.
#[derive(Clone)]
pub struct Rate {
    /// What was done, N times.
    pub count: usize,
    /// How long it took.
    pub took: Duration,
    /// Longest pause between two consecutive completions (acks, deliveries).
    pub pause: Duration,
}

impl Rate {
    /// Per second.
    pub fn per_sec(&self) -> f64 {
        self.count as f64 / self.took.as_secs_f64()
    }
}

/// Everything this section measured.
pub struct Results {
    /// Bare link pair: frame → ack frame; the fastest run.
    pub link: Rate,
    /// The median run.
    pub link_median: Rate,
    /// Every baseline run, in order.
    pub link_runs: Vec<Rate>,
    /// Node pair: send → Delivered.
    pub node: Rate,
    /// How long `send` took to accept all N (each is a committed transaction).
    pub node_accept: Duration,
    /// When the last message reached Ben (its `Event::Message`).
    pub node_received: Duration,
    /// The store alone, the same commits per message as the node pair, one thread:
    /// measured right before and right after the node pair (the disk is shared and its
    /// speed drifts), and their mean.
    pub store: Rate,
    /// Before and after.
    pub store_runs: [Rate; 2],
    /// `fdatasync` of a 4 KiB overwrite, same directory: mean of before and after.
    pub fsync: Rate,
    /// Before and after.
    pub fsync_runs: [Rate; 2],
}

/// The mean of two runs of the same count.
fn mean(runs: &[Rate; 2]) -> Rate {
    Rate {
        count: runs[0].count,
        took: (runs[0].took + runs[1].took) / 2,
        pause: Duration::ZERO,
    }
}

fn chat_frame(i: usize) -> Vec<u8> {
    Frame::Chat {
        id: hex_id(i as u64),
        sent_at: 1_800_000_000_000 + i as u64,
        text: text(i, TEXT_LEN),
    }
    .encode()
}

/// Bare link pair: Ana sends `n` chat frames as fast as the link accepts them, Ben
/// answers each with an ack frame; timed until Ana has counted `n` acks.
pub async fn link_baseline(n: usize) -> Result<Rate, BoxError> {
    let (a, b) = common::link_pair(&LinkConfig::loopback()).await?;
    let (a, b) = (Arc::new(a), Arc::new(b));
    let acker = {
        let b = b.clone();
        tokio::spawn(async move {
            for _ in 0..n {
                let bytes = tokio::time::timeout(STEP, b.recv())
                    .await
                    .map_err(|_| "baseline: no frame within 30 s")?
                    .ok_or("baseline: closed")?;
                if let Frame::Chat { id, .. } = Frame::decode(&bytes)? {
                    b.send(&Frame::Ack { id }.encode()).await?;
                }
            }
            Ok::<_, BoxError>(())
        })
    };
    let started = Instant::now();
    let counter = {
        let a = a.clone();
        tokio::spawn(async move {
            let mut acks = Vec::with_capacity(n);
            while acks.len() < n {
                let bytes = tokio::time::timeout(STEP, a.recv())
                    .await
                    .map_err(|_| "baseline: no ack within 30 s")?
                    .ok_or("baseline: closed")?;
                if let Frame::Ack { .. } = Frame::decode(&bytes)? {
                    acks.push(Instant::now());
                }
            }
            Ok::<_, BoxError>(acks)
        })
    };
    for i in 0..n {
        a.send(&chat_frame(i)).await?;
    }
    let acks = counter.await??;
    acker.await??;
    let _ = tokio::join!(a.close(), b.close());
    let done = acks.last().copied().unwrap_or(started);
    Ok(Rate {
        count: n,
        took: done - started,
        pause: longest_pause(&acks),
    })
}

/// Node pair: Ana sends `n` messages, timed until all are `Delivered`.
pub fn node_pair(n: usize, base: &Path) -> Result<(Rate, Duration, Duration), BoxError> {
    // Room for every event even if a recorder falls behind.
    let WarmPair {
        ana,
        ben,
        ra,
        rb,
        peer,
        dirs: _dirs,
    } = common::warm_pair(base, 2 * n + 256)?;

    let started = Instant::now();
    for i in 0..n {
        ana.send(&peer, &text(i, TEXT_LEN))?;
    }
    let accepted = started.elapsed();
    let deadline = started + Duration::from_secs(600);
    let delivered = |e: &Event| matches!(e, Event::Delivered { .. });
    let done = ra
        .wait_nth(started, n, deadline, delivered)
        .ok_or("node pair: not every message was delivered within 600 s")?;
    let received = rb
        .wait_nth(
            started,
            n,
            deadline,
            |e| matches!(e, Event::Message { text, .. } if text != WARM_UP),
        )
        .ok_or("node pair: Ben did not report every message")?;
    // Check what the clock measured really happened: everything stored once, the
    // outbox empty.
    let stored = ben.history(&peer, None, 1000)?.len();
    let outbox = ana.peers().first().map_or(u64::MAX, |p| p.outbox);
    if outbox != 0 {
        return Err(format!("node pair: {outbox} messages still in Ana's outbox").into());
    }
    if stored < n.min(1000) {
        return Err(format!("node pair: Ben's history has {stored} messages").into());
    }
    let times: Vec<Instant> = ra
        .times(delivered)
        .into_iter()
        .filter(|t| *t >= started)
        .collect();
    let pause = longest_pause(&times);
    drop((ra, rb));
    ana.shutdown();
    ben.shutdown();
    Ok((
        Rate {
            count: n,
            took: done - started,
            pause,
        },
        accepted,
        received - started,
    ))
}

/// The store alone: per message the commits the node pair makes (sender: queue, mark
/// sent, mark delivered; receiver: store), one after another, no network.
pub fn store_only(n: usize, base: &Path) -> Result<Rate, BoxError> {
    let dir = tempfile::tempdir_in(base)?;
    let mut sender = Store::open(&dir.path().join("ana.db"))?;
    let receiver = Store::open(&dir.path().join("ben.db"))?;
    let conversation = ConversationRecord {
        id: "0123456789abcdef".into(),
        role: Role::Inviter,
        contact: None,
        created_at: 1_800_000_000,
        remote_sdp: "v=0".into(),
        local_port: None,
        closed: false,
    };
    sender.add_conversation(&conversation)?;
    receiver.add_conversation(&ConversationRecord {
        role: Role::Joiner,
        ..conversation.clone()
    })?;
    let c = &conversation.id;
    let started = Instant::now();
    for i in 0..n {
        let (id, t) = (hex_id(i as u64), text(i, TEXT_LEN));
        let now = 1_800_000_000_000 + i as u64;
        sender.queue_outgoing(c, &id, &t, now)?;
        sender.mark_sent(c, &id)?;
        receiver.store_incoming(c, &id, &t, now, now)?;
        sender.mark_delivered(c, &id)?;
    }
    Ok(Rate {
        count: n,
        took: started.elapsed(),
        pause: Duration::ZERO,
    })
}

/// The disk's floor for one durable commit: overwrite 4 KiB inside a preallocated 4 MiB
/// file and `fdatasync`, `n` times, in the same directory — what a WAL commit does once
/// the WAL has reached its working size (appending would also journal the file's size).
pub fn fsync_baseline(n: usize, base: &Path) -> Result<Rate, BoxError> {
    const PAGES: u64 = 1024;
    let dir = tempfile::tempdir_in(base)?;
    let mut f = std::fs::File::create(dir.path().join("sync"))?;
    let page = [0x5au8; 4096];
    for _ in 0..PAGES {
        f.write_all(&page)?;
    }
    f.sync_all()?;
    let started = Instant::now();
    for i in 0..n as u64 {
        f.seek(SeekFrom::Start((i % PAGES) * 4096))?;
        f.write_all(&page)?;
        f.sync_data()?;
    }
    Ok(Rate {
        count: n,
        took: started.elapsed(),
        pause: Duration::ZERO,
    })
}

/// Runs the section.
pub fn run(rt: &tokio::runtime::Runtime, n: usize, base: &Path) -> Result<Results, BoxError> {
    eprintln!("bench: messages/s — bare link baseline ×{BASELINE_RUNS}…");
    let mut link_runs = Vec::new();
    for _ in 0..BASELINE_RUNS {
        link_runs.push(rt.block_on(link_baseline(n))?);
    }
    let mut sorted = link_runs.clone();
    sorted.sort_by_key(|r| r.took);
    let link = sorted[0].clone();
    let link_median = sorted[sorted.len() / 2].clone();
    eprintln!("bench: messages/s — store only, fdatasync…");
    let (store_before, fsync_before) = (store_only(n, base)?, fsync_baseline(n, base)?);
    eprintln!("bench: messages/s — node pair…");
    let (node, node_accept, node_received) = node_pair(n, base)?;
    eprintln!("bench: messages/s — store only, fdatasync, again…");
    let (store_after, fsync_after) = (store_only(n, base)?, fsync_baseline(n, base)?);
    let store_runs = [store_before, store_after];
    let fsync_runs = [fsync_before, fsync_after];
    Ok(Results {
        link,
        link_median,
        link_runs,
        node,
        node_accept,
        node_received,
        store: mean(&store_runs),
        store_runs,
        fsync: mean(&fsync_runs),
        fsync_runs,
    })
}

/// Prints the section's table.
pub fn print(r: &Results, fs: &str) {
    let base = r.link.per_sec();
    let store = r.store.per_sec();
    println!("\n### Messages per second with persistence\n");
    println!(
        "{} messages of {TEXT_LEN} characters (JSON chat frame ≈ {} bytes), sent as fast as \
         accepted; database directory on {fs}. Store and disk rows: mean of a run right before \
         and one right after the node pair.\n",
        r.node.count,
        chat_frame(0).len()
    );
    println!(
        "| row | messages | seconds | messages/s | × bare link (fastest) | × store only | \
         longest pause s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, rate: &Rate, pause: bool| {
        println!(
            "| {name} | {} | {:.2} | {:.0} | {:.4}× | {:.2}× | {} |",
            rate.count,
            rate.took.as_secs_f64(),
            rate.per_sec(),
            rate.per_sec() / base,
            rate.per_sec() / store,
            if pause {
                format!("{:.2}", rate.pause.as_secs_f64())
            } else {
                "—".to_owned()
            }
        );
    };
    row(
        &format!(
            "bare link pair: chat frame → ack frame (baseline: no SQLite, no node; fastest of {})",
            r.link_runs.len()
        ),
        &r.link,
        true,
    );
    row(
        "bare link pair, median run (see the stall below)",
        &r.link_median,
        true,
    );
    row(
        "**Tincan node pair: `send` → `Delivered`** (WAL; accept and store synced, status unsynced)",
        &r.node,
        true,
    );
    row(
        "store only: the node's 4 commits per message (3 sender + 1 receiver, 2 of them synced), one thread, \
         no network",
        &r.store,
        false,
    );
    row(
        "disk: 4 KiB overwrite + fdatasync (one durable commit each, not messages)",
        &r.fsync,
        false,
    );
    let runs: Vec<String> = r
        .link_runs
        .iter()
        .map(|x| {
            format!(
                "{:.3} s (pause {:.3})",
                x.took.as_secs_f64(),
                x.pause.as_secs_f64()
            )
        })
        .collect();
    let stalled = r.link_runs.iter().filter(|x| x.pause > STALL).count();
    println!(
        "\nBare link runs: {}; {stalled} of {} stalled (one pause over {} ms).",
        runs.join(", "),
        r.link_runs.len(),
        STALL.as_millis()
    );
    println!(
        "Node pair: `send` accepted all {} in {:.2} s ({:.0}/s, each a committed \
         transaction); the last reached Ben after {:.2} s; the last `Delivered` after {:.2} s.",
        r.node.count,
        r.node_accept.as_secs_f64(),
        r.node.count as f64 / r.node_accept.as_secs_f64(),
        r.node_received.as_secs_f64(),
        r.node.took.as_secs_f64()
    );
    println!(
        "Store only before / after: {:.0} / {:.0} messages/s ({:.0} / {:.0} commits/s). \
         fdatasync before / after: {:.2} / {:.2} ms. Per message the node pair takes {:.1} \
         fdatasync-times, the store alone {:.1}.",
        r.store_runs[0].per_sec(),
        r.store_runs[1].per_sec(),
        4.0 * r.store_runs[0].per_sec(),
        4.0 * r.store_runs[1].per_sec(),
        1e3 / r.fsync_runs[0].per_sec(),
        1e3 / r.fsync_runs[1].per_sec(),
        r.fsync.per_sec() / r.node.per_sec(),
        r.fsync.per_sec() / store
    );
}
