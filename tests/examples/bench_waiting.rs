//! What a joiner's wait costs on the wire: packets and bytes per minute a joined link
//! sends towards an inviter that has not loaded the reply yet, with the waiting pace
//! (`core/src/node/route.rs` `Attempt::config`: one check per destination every 15 s,
//! short TTL) against
//! the pace a first connection used before (checks every 200 ms, kept alive for the
//! 120 s connect timeout). Both run at once, so they share the machine's noise.
//!
//! The inviter's offer is real, but its candidate points at a counting UDP socket, so
//! every check the joiner sends is seen. Loopback only (as root, inside a private
//! network namespace with only `lo`).
//!
//! ```sh
//! cargo run --release -p tincan-tests --example bench_waiting [-- --secs 120]
//! ```

use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::{self, LinkConfig, LinkSecrets, PendingOffer};
use tincan_tests::host::{self, rerun_in_lo_netns};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the joiner's link used before: 200 ms checks, kept up for 120 s.
fn before() -> LinkConfig {
    let mut config = LinkConfig::loopback();
    config.ice_max_checks = 600;
    config.ice_failed_timeout = Duration::from_secs(120);
    config
}

/// What a waiting joiner uses now (the node's `Attempt::config`): paced to one check
/// per destination every 15 s until the peer is heard, short TTL.
fn waiting() -> LinkConfig {
    let mut config = LinkConfig::loopback();
    config.waiting = true;
    config.waiting_pace = Some(Duration::from_secs(15));
    config.ice_max_checks = u16::MAX;
    config.ice_failed_timeout = Duration::from_secs(3600);
    config
}

/// Counts datagrams and bytes arriving on a socket until told to stop.
struct Sink {
    port: u16,
    packets: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Sink {
    fn start() -> Result<Self, BoxError> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(200)))?;
        let port = socket.local_addr()?.port();
        let (packets, bytes, stop) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (p, b, s) = (packets.clone(), bytes.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while !s.load(Ordering::Relaxed) {
                if let Ok((n, _)) = socket.recv_from(&mut buf) {
                    p.fetch_add(1, Ordering::Relaxed);
                    b.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
        });
        Ok(Self {
            port,
            packets,
            bytes,
            stop,
            thread,
        })
    }

    fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        (
            self.packets.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }
}

/// A real offer whose one host candidate is replaced by the sink's port.
async fn offer_to(sink_port: u16) -> Result<String, BoxError> {
    let offer = PendingOffer::create(&LinkConfig::loopback(), &LinkSecrets::generate()?).await?;
    let sdp = offer.local_sdp().to_owned();
    drop(offer);
    let rewritten = sdp
        .lines()
        .map(|line| {
            if !line.starts_with("a=candidate:") {
                return line.to_owned();
            }
            let mut fields: Vec<String> = line.split(' ').map(str::to_owned).collect();
            if fields.len() > 5 {
                fields[5] = sink_port.to_string();
            }
            fields.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    Ok(rewritten + "\r\n")
}

/// Packets and bytes one joined link sends in `secs`.
async fn measure(config: LinkConfig, secs: u64) -> Result<(u64, u64), BoxError> {
    let sink = Sink::start()?;
    let offer = offer_to(sink.port).await?;
    let (_answer, joined) = link::answer(&config, &LinkSecrets::generate()?, &offer).await?;
    tokio::time::sleep(Duration::from_secs(secs)).await;
    drop(joined);
    Ok(sink.finish())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    if let Some(status) = rerun_in_lo_netns()? {
        std::process::exit(status.code().unwrap_or(1));
    }
    let args: Vec<String> = std::env::args().collect();
    let secs = args
        .iter()
        .position(|a| a == "--secs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(120u64);
    let mut run = host::BenchRun::start();
    let started = Instant::now();
    let (old, new) = tokio::join!(measure(before(), secs), measure(waiting(), secs));
    let ((old_p, old_b), (new_p, new_b)) = (old?, new?);
    let per_min = |x: u64| x as f64 * 60.0 / secs as f64;
    println!("### A joiner waiting for its reply to be loaded ({secs} s each, at the same time)\n");
    println!("| Pace | Packets/min sent | Bytes/min sent |");
    println!("|---|---:|---:|");
    println!(
        "| before: checks every 200 ms (baseline) | {:.0} | {:.0} |",
        per_min(old_p),
        per_min(old_b)
    );
    println!(
        "| waiting: one check per destination every 15 s, short TTL | {:.1} | {:.0} |",
        per_min(new_p),
        per_min(new_b)
    );
    if old_p > 0 {
        println!(
            "\nWaiting sends {:.3}× the baseline's packets ({:.0}× fewer).",
            new_p as f64 / old_p as f64,
            old_p as f64 / new_p.max(1) as f64
        );
    }
    println!(
        "\n(Measured in {:.0} s; one candidate pair each.)",
        started.elapsed().as_secs_f64()
    );
    run.measured();
    run.print_machine();
    Ok(())
}
