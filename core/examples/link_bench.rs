//! Link benchmark on loopback: Tincan's link against plain `webrtc` 0.21 peers.
//!
//! Connect time is measured from applying the answer to the channel being open on both
//! sides (median of fresh pairs); round trip is a 64-byte ping-pong; throughput sends
//! 64 MiB in 16 KiB and 64 KiB messages. Run with
//! `cargo run --release -p tincan-core --example link_bench [pairs]`; prints markdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::ice::mdns::MulticastDnsMode;
use tincan_core::link::{answer, LinkConfig, LinkSecrets, PendingOffer};
use tokio::sync::{mpsc, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceGatheringState, RTCSessionDescription, SettingEngineBuilder,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
const TOTAL: usize = 64 << 20;
const PINGS: usize = 2000;
const HIGH_WATER: usize = 1 << 20;

/// One connected pair, whatever is underneath.
#[async_trait::async_trait]
trait End: Send + Sync {
    async fn send(&self, data: &[u8]) -> Result<(), BoxError>;
    async fn recv(&self) -> Option<Bytes>;
}

#[async_trait::async_trait]
impl End for tincan_core::link::Link {
    async fn send(&self, data: &[u8]) -> Result<(), BoxError> {
        Ok(tincan_core::link::Link::send(self, data).await?)
    }
    async fn recv(&self) -> Option<Bytes> {
        tincan_core::link::Link::recv(self).await
    }
}

// ---- plain webrtc peers: default TokioRuntime, no socket tuning, no sleep cap ----

struct PlainHandler {
    gathered: watch::Sender<bool>,
    channel: mpsc::UnboundedSender<Arc<dyn DataChannel>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for PlainHandler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.send_replace(true);
        }
    }
    async fn on_data_channel(&self, dc: Arc<dyn DataChannel>) {
        let _ = self.channel.send(dc);
    }
}

struct Plain {
    _pc: Arc<dyn PeerConnection>,
    dc: Arc<dyn DataChannel>,
    inbox: tokio::sync::Mutex<mpsc::Receiver<Bytes>>,
}

#[async_trait::async_trait]
impl End for Plain {
    async fn send(&self, data: &[u8]) -> Result<(), BoxError> {
        Ok(self.dc.send(BytesMut::from(data)).await?)
    }
    async fn recv(&self) -> Option<Bytes> {
        self.inbox.lock().await.recv().await
    }
}

struct PlainPeer {
    pc: Arc<dyn PeerConnection>,
    gathered: watch::Receiver<bool>,
    channels: mpsc::UnboundedReceiver<Arc<dyn DataChannel>>,
}

async fn plain_peer() -> Result<PlainPeer, BoxError> {
    let (gathered_tx, gathered) = watch::channel(false);
    let (channel, channels) = mpsc::unbounded_channel();
    let settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(MulticastDnsMode::Disabled)
        .build();
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_setting_engine(settings)
        .with_handler(Arc::new(PlainHandler {
            gathered: gathered_tx,
            channel,
        }))
        .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
        .with_data_channel_send_buffer_limit(HIGH_WATER)
        .build()
        .await?;
    Ok(PlainPeer {
        pc: Arc::new(pc),
        gathered,
        channels,
    })
}

async fn plain_sdp(peer: &mut PlainPeer) -> Result<String, BoxError> {
    let _ = tokio::time::timeout(Duration::from_secs(2), peer.gathered.wait_for(|g| *g)).await;
    Ok(peer.pc.local_description().await.ok_or("no sdp")?.sdp)
}

/// Pump a channel's events; reports open on `open`, messages into the inbox.
fn plain_pump(
    dc: Arc<dyn DataChannel>,
    open: watch::Sender<bool>,
    already_open: bool,
) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(256);
    if already_open {
        open.send_replace(true);
    }
    tokio::spawn(async move {
        while let Some(ev) = dc.poll().await {
            let keep_going = match ev {
                DataChannelEvent::OnOpen => {
                    open.send_replace(true);
                    true
                }
                DataChannelEvent::OnMessage(m) => tx.send(m.data.freeze()).await.is_ok(),
                DataChannelEvent::OnClose => false,
                _ => true,
            };
            if !keep_going {
                break;
            }
        }
    });
    rx
}

async fn plain_pair() -> Result<(Plain, Plain, Duration), BoxError> {
    let mut a = plain_peer().await?;
    let dc_a = a.pc.create_data_channel("bench", None).await?;
    let (open_a_tx, mut open_a) = watch::channel(false);
    let inbox_a = plain_pump(dc_a.clone(), open_a_tx, false);
    let offer = a.pc.create_offer(None).await?;
    a.pc.set_local_description(offer).await?;
    let offer_sdp = plain_sdp(&mut a).await?;

    let mut b = plain_peer().await?;
    b.pc.set_remote_description(RTCSessionDescription::offer(offer_sdp)?)
        .await?;
    let ans = b.pc.create_answer(None).await?;
    b.pc.set_local_description(ans).await?;
    let answer_sdp = plain_sdp(&mut b).await?;

    let started = Instant::now();
    a.pc.set_remote_description(RTCSessionDescription::answer(answer_sdp)?)
        .await?;
    let dc_b = tokio::time::timeout(Duration::from_secs(10), b.channels.recv())
        .await?
        .ok_or("no channel")?;
    let (open_b_tx, _open_b) = watch::channel(false);
    let inbox_b = plain_pump(dc_b.clone(), open_b_tx, true);
    tokio::time::timeout(Duration::from_secs(10), open_a.wait_for(|o| *o)).await??;
    let took = started.elapsed();
    Ok((
        Plain {
            _pc: a.pc,
            dc: dc_a,
            inbox: tokio::sync::Mutex::new(inbox_a),
        },
        Plain {
            _pc: b.pc,
            dc: dc_b,
            inbox: tokio::sync::Mutex::new(inbox_b),
        },
        took,
    ))
}

async fn link_pair(
    config: &LinkConfig,
) -> Result<(tincan_core::link::Link, tincan_core::link::Link, Duration), BoxError> {
    let offer = PendingOffer::create(config, &LinkSecrets::generate()?).await?;
    let (answer_sdp, bob) = answer(config, &LinkSecrets::generate()?, offer.local_sdp()).await?;
    let started = Instant::now();
    let alice = offer.accept(&answer_sdp).await?;
    let (a, b) = tokio::join!(
        alice.wait_open(Duration::from_secs(10)),
        bob.wait_open(Duration::from_secs(10))
    );
    a?;
    b?;
    Ok((alice, bob, started.elapsed()))
}

// ---- measurements ----

async fn round_trips(a: &dyn End, b: &dyn End) -> Result<(f64, f64), BoxError> {
    let ping = [7u8; 64];
    let mut samples = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let t = Instant::now();
        a.send(&ping).await?;
        let got = b.recv().await.ok_or("closed")?;
        b.send(&got).await?;
        a.recv().await.ok_or("closed")?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    Ok((percentile(&samples, 0.50), percentile(&samples, 0.99)))
}

async fn throughput(a: Arc<dyn End>, b: &dyn End, size: usize) -> Result<f64, BoxError> {
    let count = TOTAL / size;
    let started = Instant::now();
    let sender = tokio::spawn(async move {
        let msg = vec![1u8; size];
        for _ in 0..count {
            if a.send(&msg).await.is_err() {
                break;
            }
        }
    });
    let mut got = 0;
    while got < TOTAL {
        let m = tokio::time::timeout(Duration::from_secs(120), b.recv())
            .await?
            .ok_or("closed")?;
        got += m.len();
    }
    sender.await?;
    Ok(TOTAL as f64 / started.elapsed().as_secs_f64() / 1e6)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or(f64::NAN)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

#[derive(Clone, Copy)]
struct Row {
    connect_ms: f64,
    rtt_p50: f64,
    rtt_p99: f64,
    mbs_16k: f64,
    mbs_64k: f64,
}

async fn bench_link(config: LinkConfig, pairs: usize) -> Result<Row, BoxError> {
    let mut connects = Vec::new();
    for _ in 0..pairs {
        let (a, b, took) = link_pair(&config).await?;
        connects.push(took.as_secs_f64() * 1e3);
        drop((a, b));
    }
    let (a, b, _) = link_pair(&config).await?;
    let a: Arc<dyn End> = Arc::new(a);
    let (rtt_p50, rtt_p99) = round_trips(a.as_ref(), &b).await?;
    let mbs_16k = throughput(a.clone(), &b, 16 << 10).await?;
    let mbs_64k = throughput(a.clone(), &b, 64 << 10).await?;
    Ok(Row {
        connect_ms: median(connects),
        rtt_p50,
        rtt_p99,
        mbs_16k,
        mbs_64k,
    })
}

async fn bench_plain(pairs: usize) -> Result<Row, BoxError> {
    let mut connects = Vec::new();
    for _ in 0..pairs {
        let (_a, _b, took) = plain_pair().await?;
        connects.push(took.as_secs_f64() * 1e3);
    }
    let (a, b, _) = plain_pair().await?;
    let a: Arc<dyn End> = Arc::new(a);
    let (rtt_p50, rtt_p99) = round_trips(a.as_ref(), &b).await?;
    let mbs_16k = throughput(a.clone(), &b, 16 << 10).await?;
    let mbs_64k = throughput(a.clone(), &b, 64 << 10).await?;
    Ok(Row {
        connect_ms: median(connects),
        rtt_p50,
        rtt_p99,
        mbs_16k,
        mbs_64k,
    })
}

/// Driver sleeps per second on an idle open link, uncapped after setup.
async fn idle_wakeups(config: &LinkConfig) -> Result<f64, BoxError> {
    let (a, _b, _) = link_pair(config).await?;
    let before = a.driver_sleeps();
    tokio::time::sleep(Duration::from_secs(3)).await;
    Ok((a.driver_sleeps() - before) as f64 / 3.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let pairs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let tincan = LinkConfig::loopback();
    let cap_only = LinkConfig {
        socket_buffer_bytes: 0,
        ..LinkConfig::loopback()
    };
    let buffers_only = LinkConfig {
        setup_sleep_cap: None,
        ..LinkConfig::loopback()
    };

    let plain = bench_plain(pairs).await?;
    let rows = [
        (
            "tincan link (2 ms setup cap + 4 MiB buffers)",
            bench_link(tincan.clone(), pairs).await?,
        ),
        ("link, setup cap only", bench_link(cap_only, pairs).await?),
        (
            "link, 4 MiB buffers only",
            bench_link(buffers_only, pairs).await?,
        ),
        ("plain webrtc 0.21 (baseline)", plain),
    ];

    println!(
        "\nLoopback, {pairs} fresh pairs for connect; {PINGS} pings; 64 MiB per throughput run.\n"
    );
    println!("| setup | connect median ms | RTT p50 ms | RTT p99 ms | MB/s 16 KiB | MB/s 64 KiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, r) in &rows {
        println!(
            "| {name} | {:.1} | {:.3} | {:.3} | {:.1} | {:.1} |",
            r.connect_ms, r.rtt_p50, r.rtt_p99, r.mbs_16k, r.mbs_64k
        );
    }
    let (t, p) = (rows[0].1, plain);
    println!(
        "| **ratio tincan / plain** | {:.3}× | {:.2}× | {:.2}× | {:.2}× | {:.2}× |",
        t.connect_ms / p.connect_ms,
        t.rtt_p50 / p.rtt_p50,
        t.rtt_p99 / p.rtt_p99,
        t.mbs_16k / p.mbs_16k,
        t.mbs_64k / p.mbs_64k
    );
    println!(
        "\nIdle open link: {:.1} driver sleeps/s (setup cap lifted after open).",
        idle_wakeups(&tincan).await?
    );
    Ok(())
}
