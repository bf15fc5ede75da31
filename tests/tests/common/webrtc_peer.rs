//! A `webrtc`-crate peer for tests and fixture capture: loopback only, mDNS off, and
//! the few events a scenario waits for (gathering complete, connected, messages).
//!
//! Included by path from both `tests/tests/*.rs` and `tests/examples/*.rs` so the
//! fixture capture and the acceptance tests drive the crate the same way.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use rtc::ice::mdns::MulticastDnsMode;
use tokio::sync::mpsc;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
    RTCPeerConnectionState, RTCSessionDescription, SettingEngineBuilder,
};
use webrtc::runtime::default_runtime;

/// How long any single step may take before the scenario fails.
pub const STEP: Duration = Duration::from_secs(15);

struct Handler {
    gathered: mpsc::UnboundedSender<()>,
    connected: mpsc::UnboundedSender<RTCPeerConnectionState>,
    channels: mpsc::UnboundedSender<Arc<dyn DataChannel>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.send(());
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.connected.send(state);
    }

    async fn on_data_channel(&self, dc: Arc<dyn DataChannel>) {
        let _ = self.channels.send(dc);
    }
}

/// One peer connection bound to 127.0.0.1 with mDNS disabled.
pub struct Peer {
    pub pc: Box<dyn PeerConnection>,
    gathered: mpsc::UnboundedReceiver<()>,
    states: mpsc::UnboundedReceiver<RTCPeerConnectionState>,
    channels: mpsc::UnboundedReceiver<Arc<dyn DataChannel>>,
}

impl Peer {
    /// Builds a peer that gathers host candidates on loopback only.
    pub async fn new() -> Result<Self> {
        let (gtx, gathered) = mpsc::unbounded_channel();
        let (stx, states) = mpsc::unbounded_channel();
        let (ctx, channels) = mpsc::unbounded_channel();
        let handler = Arc::new(Handler {
            gathered: gtx,
            connected: stx,
            channels: ctx,
        });
        let setting_engine = SettingEngineBuilder::new()
            .with_multicast_dns_mode(MulticastDnsMode::Disabled)
            .build();
        let pc = PeerConnectionBuilder::new()
            .with_setting_engine(setting_engine)
            .with_runtime(default_runtime().ok_or_else(|| anyhow!("no runtime"))?)
            .with_handler(handler)
            .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
            .build()
            .await?;
        Ok(Self {
            pc: Box::new(pc),
            gathered,
            states,
            channels,
        })
    }

    async fn gathered_local(&mut self) -> Result<RTCSessionDescription> {
        tokio::time::timeout(STEP, self.gathered.recv())
            .await
            .context("ICE gathering did not complete")?;
        self.pc
            .local_description()
            .await
            .ok_or_else(|| anyhow!("no local description"))
    }

    /// Creates a data channel and an offer, waits for gathering, returns the offer SDP.
    pub async fn offer(&mut self, label: &str) -> Result<(Arc<dyn DataChannel>, String)> {
        let dc = self.pc.create_data_channel(label, None).await?;
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer).await?;
        Ok((dc, self.gathered_local().await?.sdp))
    }

    /// Applies a remote offer and returns the gathered answer SDP.
    pub async fn answer(&mut self, offer_sdp: &str) -> Result<String> {
        self.pc
            .set_remote_description(RTCSessionDescription::offer(offer_sdp.to_string())?)
            .await?;
        let answer = self.pc.create_answer(None).await?;
        self.pc.set_local_description(answer).await?;
        Ok(self.gathered_local().await?.sdp)
    }

    /// Applies a remote answer.
    pub async fn accept(&mut self, answer_sdp: &str) -> Result<()> {
        self.pc
            .set_remote_description(RTCSessionDescription::answer(answer_sdp.to_string())?)
            .await?;
        Ok(())
    }

    /// Waits until the peer connection reports `Connected` (fails on `Failed`).
    pub async fn connected(&mut self) -> Result<()> {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let state = tokio::time::timeout_at(deadline, self.states.recv())
                .await
                .context("not connected in time")?
                .ok_or_else(|| anyhow!("state stream ended"))?;
            match state {
                RTCPeerConnectionState::Connected => return Ok(()),
                RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => {
                    return Err(anyhow!("connection {state}"))
                }
                _ => {}
            }
        }
    }

    /// Waits for the remote side's data channel.
    pub async fn remote_channel(&mut self) -> Result<Arc<dyn DataChannel>> {
        tokio::time::timeout(STEP, self.channels.recv())
            .await
            .context("no remote data channel in time")?
            .ok_or_else(|| anyhow!("channel stream ended"))
    }
}

/// Waits for a channel to open.
pub async fn opened(dc: &Arc<dyn DataChannel>) -> Result<()> {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        match tokio::time::timeout_at(deadline, dc.poll())
            .await
            .context("channel did not open in time")?
        {
            Some(DataChannelEvent::OnOpen) => return Ok(()),
            Some(DataChannelEvent::OnClose) | None => return Err(anyhow!("channel closed")),
            Some(_) => {}
        }
    }
}

/// Waits for the next text message on a channel.
pub async fn next_text(dc: &Arc<dyn DataChannel>) -> Result<String> {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        match tokio::time::timeout_at(deadline, dc.poll())
            .await
            .context("no message in time")?
        {
            Some(DataChannelEvent::OnMessage(msg)) => {
                return Ok(String::from_utf8_lossy(&msg.data).into_owned())
            }
            Some(DataChannelEvent::OnClose) | None => return Err(anyhow!("channel closed")),
            Some(_) => {}
        }
    }
}
