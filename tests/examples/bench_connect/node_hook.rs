//! The rows that need the node and the CLI: the Tincan node (reply loaded → key-
//! confirmed channel on both sides, message round trip through the node's chat and
//! receipts) and the peak RSS of an idle connected `tincan` process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;
use tincan_tests::proc_mem::{self, ProcMemory};
use tincan_tests::process::{wait_for_file, Stream, Tincan};

use crate::measure::{median, percentile, BoxError, Row};

const STEP: Duration = Duration::from_secs(30);

fn node(dir: &std::path::Path) -> Result<Node, BoxError> {
    let mut config = NodeConfig::new(dir.to_owned(), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    Ok(Node::open(config)?)
}

fn wait_for(node: &Node, pred: impl Fn(&Event) -> bool) -> Result<(), BoxError> {
    let deadline = Instant::now() + STEP;
    while Instant::now() < deadline {
        if let Some(e) = node.next_event(Duration::from_millis(100)) {
            if pred(&e) {
                return Ok(());
            }
        }
    }
    Err("the node did not report the expected event within 30 s".into())
}

fn connected(e: &Event) -> bool {
    matches!(
        e,
        Event::PeerState {
            state: PeerState::Connected,
            ..
        }
    )
}

/// "Tincan node" row: connect median over `pairs` fresh pairs (open-mode invites, so
/// no Argon2 inside the timed part: the clock starts as `accept_reply` is called and
/// stops when both nodes report the key-confirmed channel), and `pings` round trips of
/// a chat message to its receipt. Throughput is the link's (the node sends over it).
pub async fn node_row(pairs: usize, pings: usize) -> Result<Option<Row>, BoxError> {
    // Node methods block; keep them off the benchmark's async runtime.
    tokio::task::spawn_blocking(move || node_row_blocking(pairs, pings)).await?
}

fn node_row_blocking(pairs: usize, pings: usize) -> Result<Option<Row>, BoxError> {
    let mut connects = Vec::with_capacity(pairs);
    let mut rtts = Vec::with_capacity(pings);
    for i in 0..pairs.max(1) {
        let (da, db) = (tempfile::tempdir()?, tempfile::tempdir()?);
        let (ana, ben) = (node(da.path())?, node(db.path())?);
        let request = InviteRequest {
            protection: Protection::Open,
            lifetime_secs: None,
        };
        let invite = ana.create_invite(request)?;
        let joined = ben.join(&invite.code, None)?;
        let started = Instant::now();
        let peer = ana.accept_reply(&joined.reply_code)?;
        wait_for(&ana, connected)?;
        wait_for(&ben, connected)?;
        connects.push(started.elapsed().as_secs_f64() * 1e3);
        if i == 0 {
            for _ in 0..pings {
                let t = Instant::now();
                let id = ana.send(&peer, "ping")?;
                wait_for(
                    &ana,
                    |e| matches!(e, Event::Delivered { id: d, .. } if *d == id),
                )?;
                rtts.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        ana.shutdown();
        ben.shutdown();
    }
    rtts.sort_by(f64::total_cmp);
    Ok(Some(Row {
        connect_ms: Some(median(connects)),
        rtt_p50: Some(percentile(&rtts, 0.5)),
        rtt_p99: Some(percentile(&rtts, 0.99)),
        mbs_16k: None,
        mbs_64k: None,
    }))
}

/// Peak RSS (VmHWM) of an idle, connected `tincan` CLI: two processes started as a
/// person would, codes through files, both connected, then idle for 5 s.
pub async fn idle_cli_rss() -> Result<Option<ProcMemory>, BoxError> {
    tokio::task::spawn_blocking(idle_cli_rss_blocking).await?
}

fn idle_cli_rss_blocking() -> Result<Option<ProcMemory>, BoxError> {
    let dir = tempfile::tempdir()?;
    let path = |s: &str| dir.path().join(s).display().to_string();
    let (invite, reply) = (path("invite.txt"), path("reply.txt"));
    let (a, b) = (path("a"), path("b"));
    let mut ana = Tincan::start(
        "ana",
        &[],
        &[
            "--data-dir",
            &a,
            "--name",
            "Ana",
            "--bind",
            "127.0.0.1:0",
            "invite",
            "--open",
            "--out",
            &invite,
            "--reply-file",
            &reply,
        ],
    );
    wait_for_file(std::path::Path::new(&invite), STEP);
    let mut ben = Tincan::start(
        "ben",
        &[],
        &[
            "--data-dir",
            &b,
            "--name",
            "Ben",
            "--bind",
            "127.0.0.1:0",
            "join",
            "--file",
            &invite,
            "--out",
            &reply,
        ],
    );
    ana.expect_line(Stream::Err, "● connected", STEP);
    ben.expect_line(Stream::Err, "● connected", STEP);
    std::thread::sleep(Duration::from_secs(5));
    let (ma, mb) = (proc_mem::read(ana.pid())?, proc_mem::read(ben.pid())?);
    ana.kill();
    ben.kill();
    Ok(Some(if ma.peak_rss_kib >= mb.peak_rss_kib {
        ma
    } else {
        mb
    }))
}
