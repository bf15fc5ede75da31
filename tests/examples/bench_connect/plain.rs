//! The "plain webrtc" baseline: two `webrtc` 0.21 peers as the crate comes, without
//! anything Tincan adds (default `TokioRuntime`: no setup timer cap, kernel-default
//! socket buffers). Same loopback bind, mDNS off and 1 MiB send limit as the link, so the
//! difference between the rows is Tincan's overhead or gain.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::ice::mdns::MulticastDnsMode;
use tokio::sync::{mpsc, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceGatheringState, RTCSessionDescription, SettingEngineBuilder,
};

use crate::measure::{BoxError, End, HIGH_WATER};

const STEP: Duration = Duration::from_secs(10);

struct Handler {
    gathered: watch::Sender<bool>,
    channel: mpsc::UnboundedSender<Arc<dyn DataChannel>>,
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
}

/// One end of a connected plain pair.
pub struct Plain {
    pc: Arc<dyn PeerConnection>,
    dc: Arc<dyn DataChannel>,
    inbox: tokio::sync::Mutex<mpsc::Receiver<Bytes>>,
}

impl Plain {
    /// Closes the peer connection (its sockets and tasks).
    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
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

struct Peer {
    pc: Arc<dyn PeerConnection>,
    gathered: watch::Receiver<bool>,
    channels: mpsc::UnboundedReceiver<Arc<dyn DataChannel>>,
}

async fn peer() -> Result<Peer, BoxError> {
    let (gathered_tx, gathered) = watch::channel(false);
    let (channel, channels) = mpsc::unbounded_channel();
    let settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(MulticastDnsMode::Disabled)
        .build();
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_setting_engine(settings)
        .with_handler(Arc::new(Handler {
            gathered: gathered_tx,
            channel,
        }))
        .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
        .with_data_channel_send_buffer_limit(HIGH_WATER)
        .build()
        .await?;
    Ok(Peer {
        pc: Arc::new(pc),
        gathered,
        channels,
    })
}

/// Non-trickle: the local description once gathering is complete (bounded).
async fn gathered_sdp(peer: &mut Peer) -> Result<String, BoxError> {
    let _ = tokio::time::timeout(Duration::from_secs(2), peer.gathered.wait_for(|g| *g)).await;
    Ok(peer.pc.local_description().await.ok_or("no sdp")?.sdp)
}

/// Pumps a channel's single event stream: open into `open`, messages into the inbox.
fn pump(dc: Arc<dyn DataChannel>, open: watch::Sender<bool>) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(256);
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

/// A fresh connected pair and the time from applying the answer to open on both sides.
pub async fn pair() -> Result<(Plain, Plain, Duration), BoxError> {
    let mut a = peer().await?;
    let dc_a = a.pc.create_data_channel("bench", None).await?;
    let (open_a_tx, mut open_a) = watch::channel(false);
    let inbox_a = pump(dc_a.clone(), open_a_tx);
    let offer = a.pc.create_offer(None).await?;
    a.pc.set_local_description(offer).await?;
    let offer_sdp = gathered_sdp(&mut a).await?;

    let mut b = peer().await?;
    b.pc.set_remote_description(RTCSessionDescription::offer(offer_sdp)?)
        .await?;
    let ans = b.pc.create_answer(None).await?;
    b.pc.set_local_description(ans).await?;
    let answer_sdp = gathered_sdp(&mut b).await?;

    let started = Instant::now();
    a.pc.set_remote_description(RTCSessionDescription::answer(answer_sdp)?)
        .await?;
    // The answerer's channel is announced by the opener's DCEP message, so it is open
    // when it arrives.
    let dc_b = tokio::time::timeout(STEP, b.channels.recv())
        .await?
        .ok_or("no channel")?;
    let (open_b_tx, _open_b) = watch::channel(true);
    let inbox_b = pump(dc_b.clone(), open_b_tx);
    tokio::time::timeout(STEP, open_a.wait_for(|o| *o)).await??;
    let took = started.elapsed();
    Ok((
        Plain {
            pc: a.pc,
            dc: dc_a,
            inbox: tokio::sync::Mutex::new(inbox_a),
        },
        Plain {
            pc: b.pc,
            dc: dc_b,
            inbox: tokio::sync::Mutex::new(inbox_b),
        },
        took,
    ))
}
