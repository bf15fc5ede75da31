//! The "plain webrtc" baseline peer: one `webrtc` 0.21 peer connection with one data
//! channel, as the crate comes (its own `TokioRuntime`, webrtc's ICE timings: 200 ms
//! agent tick, 2 s keep-alives), in its own process. The only settings are those every
//! row shares: the bind address and mDNS off (no 0.0.0.0:5353 socket). It is this
//! benchmark's own binary started with `--plain-peer`, because `webrtc` is a
//! dev-dependency of the tests crate, which `src/bin` peers cannot use.
//!
//! ```text
//! bench_idle --plain-peer --role offer|answer --dir DIR --bind IP:0 [--lifetime SECS]
//! ```
//!
//! The offerer writes `DIR/offer.sdp` and reads `DIR/answer.sdp`; the answerer the
//! other way round (non-trickle: complete descriptions). Prints `connected 1` once the
//! channel is open, `state <unix-ms> <state>` on later connection-state changes, `bye`
//! on SIGTERM. Every wait is bounded; it exits after `--lifetime` (default 900 s) or
//! when the process that started it dies.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use rtc::ice::mdns::MulticastDnsMode;
use tokio::sync::{mpsc, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription, SettingEngineBuilder,
};

/// The flag that turns this benchmark binary into a plain peer.
pub const FLAG: &str = "--plain-peer";
/// How often a description file being waited for is looked at (setup only).
const POLL: Duration = Duration::from_millis(20);
/// Bound on each setup step.
const STEP: Duration = Duration::from_secs(30);

struct Args {
    offer: bool,
    dir: PathBuf,
    bind: String,
    lifetime: Duration,
}

fn parse_args() -> Result<Args> {
    let (mut role, mut dir, mut bind) = (None, None, None);
    let mut lifetime = Duration::from_secs(900);
    let mut it = std::env::args().skip(2);
    while let Some(flag) = it.next() {
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--role" => role = Some(v),
            "--dir" => dir = Some(PathBuf::from(v)),
            "--bind" => bind = Some(v),
            "--lifetime" => lifetime = Duration::from_secs(v.parse().context("--lifetime")?),
            other => bail!("unknown option {other}"),
        }
    }
    Ok(Args {
        offer: match role.as_deref() {
            Some("offer") => true,
            Some("answer") => false,
            _ => bail!("--role offer|answer is required"),
        },
        dir: dir.context("--dir DIR is required")?,
        bind: bind.context("--bind IP:PORT is required")?,
        lifetime,
    })
}

struct Handler {
    gathered: watch::Sender<bool>,
    channel: mpsc::UnboundedSender<Arc<dyn DataChannel>>,
    connected_once: watch::Sender<bool>,
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.send_replace(true);
        }
    }
    // Runs on the driver: only hand the channel over, never await the crate here.
    async fn on_data_channel(&self, dc: Arc<dyn DataChannel>) {
        let _ = self.channel.send(dc);
    }
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        if *self.connected_once.borrow() {
            println!("state {} {state}", unix_ms());
        } else if state == RTCPeerConnectionState::Connected {
            self.connected_once.send_replace(true);
        }
    }
}

/// Waits (bounded) until `path` exists, then reads it; writers rename into place.
async fn read_when_ready(path: &Path) -> Result<String> {
    let deadline = Instant::now() + STEP;
    loop {
        match std::fs::read_to_string(path) {
            Ok(text) => return Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| path.display().to_string()),
        }
        if Instant::now() >= deadline {
            bail!("{} did not appear within {STEP:?}", path.display());
        }
        tokio::time::sleep(POLL).await;
    }
}

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Non-trickle: the local description once gathering is complete (bounded).
async fn gathered_sdp(
    pc: &dyn PeerConnection,
    gathered: &mut watch::Receiver<bool>,
) -> Result<String> {
    let _ = tokio::time::timeout(Duration::from_secs(2), gathered.wait_for(|g| *g)).await;
    Ok(pc
        .local_description()
        .await
        .ok_or_else(|| anyhow!("no local description"))?
        .sdp)
}

/// Resolves `open` when the channel opens; ends when it closes.
fn pump(dc: Arc<dyn DataChannel>, open: watch::Sender<bool>) {
    tokio::spawn(async move {
        while let Some(ev) = dc.poll().await {
            match ev {
                DataChannelEvent::OnOpen => {
                    open.send_replace(true);
                }
                DataChannelEvent::OnClose => {
                    println!("state {} channel-closed", unix_ms());
                    break;
                }
                _ => {}
            }
        }
    });
}

async fn run(args: Args) -> Result<()> {
    let (gathered_tx, mut gathered) = watch::channel(false);
    let (channel, mut channels) = mpsc::unbounded_channel();
    let settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(MulticastDnsMode::Disabled)
        .build();
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_setting_engine(settings)
        .with_handler(Arc::new(Handler {
            gathered: gathered_tx,
            channel,
            connected_once: watch::channel(false).0,
        }))
        .with_udp_addrs(vec![args.bind.clone()])
        .build()
        .await?;
    let pc: Arc<dyn PeerConnection> = Arc::new(pc);
    let (open_tx, mut open) = watch::channel(false);
    let offer_path = args.dir.join("offer.sdp");
    let answer_path = args.dir.join("answer.sdp");
    // Kept until the process ends: dropping it would close the channel.
    let _dc = if args.offer {
        let dc = pc.create_data_channel("idle", None).await?;
        pump(dc.clone(), open_tx);
        let offer = pc.create_offer(None).await?;
        pc.set_local_description(offer).await?;
        write_atomic(&offer_path, &gathered_sdp(&*pc, &mut gathered).await?)?;
        let answer = read_when_ready(&answer_path).await?;
        pc.set_remote_description(RTCSessionDescription::answer(answer)?)
            .await?;
        dc
    } else {
        let offer = read_when_ready(&offer_path).await?;
        pc.set_remote_description(RTCSessionDescription::offer(offer)?)
            .await?;
        let answer = pc.create_answer(None).await?;
        pc.set_local_description(answer).await?;
        write_atomic(&answer_path, &gathered_sdp(&*pc, &mut gathered).await?)?;
        let dc = tokio::time::timeout(STEP, channels.recv())
            .await
            .map_err(|_| anyhow!("no data channel within {STEP:?}"))?
            .ok_or_else(|| anyhow!("no data channel"))?;
        // The answerer's channel is announced by the opener's DCEP message: open.
        open_tx.send_replace(true);
        pump(dc.clone(), watch::channel(true).0);
        dc
    };
    tokio::time::timeout(STEP, open.wait_for(|o| *o))
        .await
        .map_err(|_| anyhow!("the channel did not open within {STEP:?}"))??;
    println!("connected 1");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {
            println!("bye");
            Ok(())
        }
        () = tokio::time::sleep(args.lifetime) => Err(anyhow!("lifetime of {:?} over", args.lifetime)),
    }
}

/// Runs the peer (this process was started with [`FLAG`]); never returns.
pub fn main() -> ! {
    let outcome = crate::guard::exit_with_parent("plain-peer")
        .and_then(|()| parse_args())
        .and_then(|args| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(run(args))
        });
    match outcome {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("plain-peer: {e:#}");
            std::process::exit(1)
        }
    }
}
