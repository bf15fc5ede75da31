//! Messages per second with persistence on: a connected node pair, Ana sending as fast
//! as `Node::send` accepts, timed until every message is `Delivered` (the peer stored
//! it and said so). Baselines from the same run: the same JSON frames and acks over a
//! bare link pair (the protocol minus SQLite and the node), the store's commits alone
//! (no network), and the disk's own `fdatasync` rate.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;
use tincan_core::node::Event;
use tincan_core::protect::keys::Role;
use tincan_core::store::{ConversationRecord, Store};
use tincan_core::wire::Frame;

use crate::common::{
    self, hex_id, introduce, is_connected, longest_pause, text, BoxError, Recorder, STEP,
};

/// Characters per message (the "~60-byte messages").
pub const TEXT_LEN: usize = 60;

/// Bare-link baseline runs (its time varies more than the node's: see `print`).
const BASELINE_RUNS: usize = 3;

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
    /// Bare link pair: frame → ack frame; the median run.
    pub link: Rate,
    /// Every baseline run, in order.
    pub link_runs: Vec<Rate>,
    /// Node pair: send → Delivered.
    pub node: Rate,
    /// How long `send` took to accept all N (each is a committed transaction).
    pub node_accept: Duration,
    /// When the last message reached Ben (its `Event::Message`).
    pub node_received: Duration,
    /// The store alone, the same commits per message as the node pair, one thread.
    pub store: Rate,
    /// `fdatasync` after a 4 KiB append, in the same directory.
    pub fsync: Rate,
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
    let (da, db) = (tempfile::tempdir_in(base)?, tempfile::tempdir_in(base)?);
    // Room for every event even if a recorder falls behind.
    let capacity = 2 * n + 256;
    let (ana, ben) = (
        common::node(da.path(), capacity)?,
        common::node(db.path(), capacity)?,
    );
    let (ra, rb) = (Recorder::start(&ana), Recorder::start(&ben));
    let t = Instant::now();
    let peer = introduce(&ana, &ben)?;
    ra.expect("Ana connected", t, STEP, is_connected)?;
    rb.expect("Ben connected", t, STEP, is_connected)?;
    // One message first, so the timed part starts on a warm connection.
    let warm = ana.send(&peer, "warm-up")?;
    ra.expect(
        "warm-up delivered",
        t,
        STEP,
        |e| matches!(e, Event::Delivered { id, .. } if *id == warm),
    )?;

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
            |e| matches!(e, Event::Message { text, .. } if text != "warm-up"),
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

/// The disk's floor: append 4 KiB and `fdatasync`, `n` times, in the same directory.
pub fn fsync_baseline(n: usize, base: &Path) -> Result<Rate, BoxError> {
    let dir = tempfile::tempdir_in(base)?;
    let mut f = std::fs::File::create(dir.path().join("sync"))?;
    let page = [0x5au8; 4096];
    let started = Instant::now();
    for _ in 0..n {
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
    let link = sorted[sorted.len() / 2].clone();
    eprintln!("bench: messages/s — node pair…");
    let (node, node_accept, node_received) = node_pair(n, base)?;
    eprintln!("bench: messages/s — store only, fdatasync…");
    let store = store_only(n, base)?;
    let fsync = fsync_baseline(n, base)?;
    Ok(Results {
        link,
        link_runs,
        node,
        node_accept,
        node_received,
        store,
        fsync,
    })
}

/// Prints the section's table.
pub fn print(r: &Results, fs: &str) {
    let base = r.link.per_sec();
    println!("\n### Messages per second with persistence\n");
    println!(
        "{} messages of {TEXT_LEN} characters (JSON chat frame ≈ {} bytes), sent as fast as \
         accepted; database directory on {fs}.\n",
        r.node.count,
        chat_frame(0).len()
    );
    println!("| row | messages | seconds | messages/s | × bare link | longest pause s |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |name: &str, rate: &Rate, pause: bool| {
        println!(
            "| {name} | {} | {:.2} | {:.0} | {:.3}× | {} |",
            rate.count,
            rate.took.as_secs_f64(),
            rate.per_sec(),
            rate.per_sec() / base,
            if pause {
                format!("{:.2}", rate.pause.as_secs_f64())
            } else {
                "—".to_owned()
            }
        );
    };
    row(
        &format!(
            "bare link pair: chat frame → ack frame (baseline, no SQLite, no node; median of {})",
            r.link_runs.len()
        ),
        &r.link,
        true,
    );
    row(
        "**Tincan node pair: `send` → `Delivered`** (WAL, synchronous=FULL)",
        &r.node,
        true,
    );
    row(
        "store only: the same 4 commits per message, one thread, no network",
        &r.store,
        false,
    );
    row(
        "disk: 4 KiB append + fdatasync (operations, not messages)",
        &r.fsync,
        false,
    );
    let runs: Vec<String> = r
        .link_runs
        .iter()
        .map(|x| {
            format!(
                "{:.3} s (longest pause {:.3} s)",
                x.took.as_secs_f64(),
                x.pause.as_secs_f64()
            )
        })
        .collect();
    println!(
        "\nBare link runs: {}. Node pair: `send` accepted all {} in {:.2} s ({:.0}/s, each a \
         committed transaction); the last reached Ben after {:.2} s; the last `Delivered` after \
         {:.2} s. Store only: {:.0} commits/s. fdatasync: {:.2} ms each; the node pair spends \
         {:.1} fdatasync-times per message, the store alone {:.1}.",
        runs.join(", "),
        r.node.count,
        r.node_accept.as_secs_f64(),
        r.node.count as f64 / r.node_accept.as_secs_f64(),
        r.node_received.as_secs_f64(),
        r.node.took.as_secs_f64(),
        4.0 * r.store.per_sec(),
        1e3 / r.fsync.per_sec(),
        r.fsync.per_sec() / r.node.per_sec(),
        r.fsync.per_sec() / r.store.per_sec()
    );
}
