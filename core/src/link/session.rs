//! The two halves of the offer/answer dance and the connected link they produce.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::peer_connection::transport::RTCIceCandidateInit;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch, Mutex};
use webrtc::data_channel::DataChannel;
use webrtc::peer_connection::{PeerConnection, RTCSessionDescription};

use super::peer::{self, Peer, Shared, GOODBYE};
use super::{LinkConfig, LinkError, LinkSecrets, LinkState, Pace, WireCounts};

/// Label of Tincan's one data channel.
const CHANNEL_LABEL: &str = "tincan";
/// How long `close` waits for the goodbye to be acknowledged before tearing down.
const GOODBYE_GRACE: Duration = Duration::from_secs(1);

/// An offer waiting for its answer (the inviter's side).
///
/// Dropping it releases its sockets; the same [`LinkSecrets`] in a new
/// `PendingOffer` can still accept the answer later.
pub struct PendingOffer {
    peer: Peer,
    local_sdp: String,
    local_fingerprint: [u8; 32],
}

impl PendingOffer {
    /// Bind, create the data channel and the offer, gather (bounded) and describe it.
    pub async fn create(config: &LinkConfig, secrets: &LinkSecrets) -> Result<Self, LinkError> {
        Self::create_with_label(config, secrets, CHANNEL_LABEL).await
    }

    /// Like [`PendingOffer::create`], with the data channel named `label`: a plain
    /// browser page shows the label it sees, so browser sessions use a human one.
    pub async fn create_with_label(
        config: &LinkConfig,
        secrets: &LinkSecrets,
        label: &str,
    ) -> Result<Self, LinkError> {
        let local_fingerprint = secrets.fingerprint()?;
        let peer = peer::build(config, secrets).await?;
        // Ordered and reliable are the defaults (no max retransmits, no lifetime).
        let dc = peer
            .pc
            .create_data_channel(label, None)
            .await
            .map_err(LinkError::setup)?;
        peer.shared.adopt_channel(dc, false);
        let offer = peer.pc.create_offer(None).await.map_err(LinkError::setup)?;
        peer.pc
            .set_local_description(offer)
            .await
            .map_err(LinkError::setup)?;
        let local_sdp = peer::gathered_sdp(&peer, config.gather_timeout).await?;
        // The answer may take hours: don't wake the idle driver every few ms meanwhile.
        peer.shared.runtime.set_setting_up(false);
        // The offerer keeps an idle link alive in the background (idle.rs).
        peer.shared.runtime.idle().set_leader(true);
        Ok(Self {
            peer,
            local_sdp,
            local_fingerprint,
        })
    }

    /// The offer SDP, with its candidates, for the invite code.
    pub fn local_sdp(&self) -> &str {
        &self.local_sdp
    }

    /// Tears the offer down and lets go of its port at once (dropping it leaves the
    /// driver running until the runtime ends).
    pub async fn close(self) -> Result<(), LinkError> {
        self.peer.pc.close().await.map_err(LinkError::setup)
    }

    /// Apply the peer's answer; the returned link connects in the background.
    pub async fn accept(self, answer_sdp: &str) -> Result<Link, LinkError> {
        let desc =
            RTCSessionDescription::answer(answer_sdp.to_owned()).map_err(LinkError::remote)?;
        self.peer.shared.runtime.set_setting_up(true);
        self.peer
            .pc
            .set_remote_description(desc)
            .await
            .map_err(LinkError::remote)?;
        Ok(Link::new(self.peer, self.local_fingerprint))
    }
}

/// Answer an offer (the joiner's side): returns our answer SDP and the link, which
/// opens once the inviter applies the answer.
pub async fn answer(
    config: &LinkConfig,
    secrets: &LinkSecrets,
    offer_sdp: &str,
) -> Result<(String, Link), LinkError> {
    let local_fingerprint = secrets.fingerprint()?;
    let desc = RTCSessionDescription::offer(offer_sdp.to_owned()).map_err(LinkError::remote)?;
    let peer = peer::build(config, secrets).await?;
    peer.pc
        .set_remote_description(desc)
        .await
        .map_err(LinkError::remote)?;
    let answer = peer
        .pc
        .create_answer(None)
        .await
        .map_err(LinkError::setup)?;
    peer.pc
        .set_local_description(answer)
        .await
        .map_err(LinkError::setup)?;
    let sdp = peer::gathered_sdp(&peer, config.gather_timeout).await?;
    Ok((sdp, Link::new(peer, local_fingerprint)))
}

/// A data channel to one peer: ordered, reliable, flow-controlled.
pub struct Link {
    pc: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
    inbox: Mutex<mpsc::Receiver<Bytes>>,
    local_fingerprint: [u8; 32],
}

impl Link {
    fn new(peer: Peer, local_fingerprint: [u8; 32]) -> Self {
        tokio::spawn(watch_silence(Arc::downgrade(&peer.shared)));
        tokio::spawn(super::quiet::confirm_quiet(Arc::downgrade(&peer.shared)));
        Self {
            pc: peer.pc,
            shared: peer.shared,
            inbox: Mutex::new(peer.inbox),
            local_fingerprint,
        }
    }

    /// The current state.
    pub fn state(&self) -> LinkState {
        *self.shared.state.borrow()
    }

    /// A receiver that sees every state change.
    pub fn events(&self) -> watch::Receiver<LinkState> {
        self.shared.state.subscribe()
    }

    /// Wait until the channel is open, or fail with why it won't be.
    pub async fn wait_open(&self, timeout: Duration) -> Result<(), LinkError> {
        let mut events = self.events();
        let waited = tokio::time::timeout(timeout, async {
            events
                .wait_for(|s| *s != LinkState::Connecting)
                .await
                .map(|s| *s)
        })
        .await;
        match waited {
            Err(_) => Err(LinkError::Timeout(timeout)),
            Ok(Err(_)) => Err(LinkError::Closed),
            Ok(Ok(state)) => match state {
                LinkState::Open | LinkState::Disconnected => Ok(()),
                LinkState::Failed => Err(LinkError::Failed),
                _ => Err(LinkError::Closed),
            },
        }
    }

    /// Like [`Link::wait_open`], but gives up early when ICE found a path and the
    /// DTLS and SCTP handshakes still have not finished `handshake_limit` later.
    ///
    /// A rebuilt session reuses the ICE credentials of the one before it, so the old
    /// session of a peer that is just closing (or was replaced by a restart) answers
    /// our checks as well as its successor would. If it answers first, ICE selects
    /// that path, the controlling side nominates it and never nominates again, and
    /// the handshake waits for an end that is gone until the whole window runs out.
    pub async fn wait_open_unless_stalled(
        &self,
        window: Duration,
        handshake_limit: Duration,
    ) -> Result<(), LinkError> {
        let mut ice = self.shared.ice_connected.subscribe();
        let stalled = async {
            loop {
                if ice.wait_for(|up| *up).await.is_err() {
                    return std::future::pending().await;
                }
                let dropped = tokio::time::timeout(handshake_limit, ice.wait_for(|up| !*up));
                if dropped.await.is_err() {
                    return;
                }
            }
        };
        tokio::select! {
            opened = self.wait_open(window) => opened,
            () = stalled => Err(LinkError::HandshakeStalled(handshake_limit)),
        }
    }

    async fn open_channel(&self) -> Result<Arc<dyn DataChannel>, LinkError> {
        let mut events = self.events();
        let state = *events
            .wait_for(|s| *s != LinkState::Connecting)
            .await
            .map_err(|_| LinkError::Closed)?;
        match state {
            LinkState::Failed => return Err(LinkError::Failed),
            s if s.is_final() => return Err(LinkError::Closed),
            _ => {}
        }
        let channel = self.shared.channel.borrow().clone();
        channel.ok_or(LinkError::Closed)
    }

    /// Send one message. Waits while more than `send_high_water` bytes are
    /// unacknowledged, so a fast sender cannot pile up memory.
    pub async fn send(&self, data: &[u8]) -> Result<(), LinkError> {
        let dc = self.open_channel().await?;
        dc.send(BytesMut::from(data))
            .await
            .map_err(|_| LinkError::Closed)
    }

    /// Send one text message (a browser page's `onmessage` gets a string rather than
    /// binary data). Same flow control as [`Link::send`].
    pub async fn send_text(&self, text: &str) -> Result<(), LinkError> {
        let dc = self.open_channel().await?;
        dc.send_text(text).await.map_err(|_| LinkError::Closed)
    }

    /// The next message from the peer; `None` once the link is closed or failed.
    pub async fn recv(&self) -> Option<Bytes> {
        self.inbox.lock().await.recv().await
    }

    /// Bytes handed to `send` and not yet acknowledged by the peer.
    pub async fn outstanding_bytes(&self) -> usize {
        let channel = self.shared.channel.borrow().clone();
        match channel {
            Some(dc) => dc.outstanding_bytes().await.unwrap_or(0),
            None => 0,
        }
    }

    /// Say goodbye (the peer sees [`LinkState::ClosedByPeer`]), then tear down.
    pub async fn close(&self) -> Result<(), LinkError> {
        self.close_inner(true).await
    }

    /// Tear down without Tincan's goodbye message: a plain browser page would show it
    /// as a chat message. The page notices through ICE/DTLS instead.
    pub async fn close_without_goodbye(&self) -> Result<(), LinkError> {
        self.close_inner(false).await
    }

    async fn close_inner(&self, goodbye: bool) -> Result<(), LinkError> {
        let channel = self.shared.channel.borrow().clone();
        let channel = channel.filter(|_| goodbye);
        if let (Some(dc), LinkState::Open) = (channel, self.state()) {
            if dc
                .send_text(std::str::from_utf8(GOODBYE).unwrap_or_default())
                .await
                .is_ok()
            {
                // Let SCTP deliver it: a closing DTLS/SCTP may drop what is still queued.
                let deadline = tokio::time::Instant::now() + GOODBYE_GRACE;
                while dc.outstanding_bytes().await.unwrap_or(0) > 0
                    && tokio::time::Instant::now() < deadline
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
        self.shared.set_state(LinkState::Closed);
        self.pc.close().await.map_err(LinkError::setup)
    }

    /// Add candidates the peer found after its description was sent — the fresh
    /// candidates of an inviter that restarted behind a NAT, carried by a follow-up
    /// code — to this connection's ICE checks. `sdp` is a full SDP or bare
    /// `a=candidate:` / `candidate:` lines; anything else is ignored. Returns how many
    /// distinct candidates were added.
    ///
    /// The peer must keep the ICE credentials of the description we already hold
    /// (Tincan's persisted [`LinkSecrets`] do), or its checks are refused.
    pub async fn add_remote_candidates(&self, sdp: &str) -> Result<usize, LinkError> {
        let mut seen = std::collections::HashSet::new();
        for line in sdp.lines() {
            let line = line.trim();
            let line = line.strip_prefix("a=").unwrap_or(line);
            // webrtc lists every candidate twice; add each once.
            if !line.starts_with("candidate:") || !seen.insert(line) {
                continue;
            }
            let init = RTCIceCandidateInit {
                candidate: line.to_owned(),
                ..Default::default()
            };
            self.pc
                .add_ice_candidate(init)
                .await
                .map_err(LinkError::remote)?;
        }
        if !seen.is_empty() && self.state() == LinkState::Connecting {
            // New pairs to check: connect promptly, as during the first setup.
            self.shared.runtime.set_setting_up(true);
        }
        Ok(seen.len())
    }

    /// Stop sending short (see `LinkConfig::waiting`): we just loaded the other side's
    /// fresh details, and it is waiting for our packets.
    pub fn stop_waiting(&self) {
        self.shared.runtime.release_hold();
    }

    /// Whether this link still sends to the peer with the short waiting TTL.
    pub fn is_waiting(&self) -> bool {
        self.shared.runtime.is_holding()
    }

    /// SHA-256 of our DTLS certificate.
    pub fn local_fingerprint(&self) -> [u8; 32] {
        self.local_fingerprint
    }

    /// SHA-256 of the certificate the peer actually presented in the DTLS handshake
    /// (webrtc has checked it against the SDP's fingerprint). Available once open.
    pub async fn remote_fingerprint(&self) -> Result<[u8; 32], LinkError> {
        let sctp = self.pc.sctp().await.ok_or(LinkError::Closed)?;
        let certs = sctp
            .transport()
            .get_remote_certificates()
            .await
            .map_err(|_| LinkError::Closed)?;
        let der = certs.first().ok_or(LinkError::Closed)?;
        Ok(Sha256::digest(der).into())
    }

    /// The candidate pair ICE selected, once there is one.
    async fn selected_candidate_pair(
        &self,
    ) -> Option<rtc::peer_connection::transport::RTCIceCandidatePair> {
        let sctp = self.pc.sctp().await?;
        sctp.transport()
            .ice_transport()
            .get_selected_candidate_pair()
            .await
            .ok()?
    }

    /// The selected ICE candidate pair, human-readable (for logs and test output).
    pub async fn selected_pair(&self) -> Option<String> {
        let pair = self.selected_candidate_pair().await?;
        // Not the crate's Display: it glues the related address onto the port.
        let show = |c: &rtc::peer_connection::transport::RTCIceCandidate| {
            format!("{} {} {}:{}", c.protocol, c.typ, c.address, c.port)
        };
        Some(format!(
            "(local) {} <-> (remote) {}",
            show(pair.local()),
            show(pair.remote())
        ))
    }

    /// The local and remote addresses of the selected candidate pair: where the peer
    /// was last reachable, and which local port it knows us by.
    pub async fn selected_route(&self) -> Option<(std::net::SocketAddr, std::net::SocketAddr)> {
        let pair = self.selected_candidate_pair().await?;
        let addr = |c: &rtc::peer_connection::transport::RTCIceCandidate| {
            let ip: std::net::IpAddr = c.address.parse().ok()?;
            Some(std::net::SocketAddr::new(ip, c.port))
        };
        Some((addr(pair.local())?, addr(pair.remote())?))
    }

    /// How many timer sleeps this link's driver has started: wake-up accounting.
    pub fn driver_sleeps(&self) -> u64 {
        self.shared.runtime.sleeps()
    }

    /// Keep the link lively (someone is looking) or cheap (nobody is): how often
    /// keep-alives go out and how soon silence counts as `Disconnected`. Both sides
    /// should use the same pace; the node agrees on it with the peer.
    pub fn set_pace(&self, pace: Pace) {
        self.shared.runtime.idle().set_pace(pace);
    }

    /// The pace in force.
    pub fn pace(&self) -> Pace {
        self.shared.runtime.idle().pace()
    }

    /// Packets and bytes this link's sockets moved so far.
    pub fn wire_counts(&self) -> WireCounts {
        self.shared.runtime.idle().counts()
    }

    /// When anything (a keep-alive, data) last arrived from the peer.
    pub fn last_heard(&self) -> Option<std::time::Instant> {
        self.shared.runtime.idle().last_heard()
    }
}

/// How often a silent link looks again whether the peer is back.
const SILENT_RECHECK: Duration = Duration::from_secs(1);

/// Declares the link `Disconnected` once the peer has been silent longer than its pace
/// allows, `Open` again when it is heard, and `Failed` after `ice_failed_timeout` more
/// (what the ICE agent did before its own check moved behind this one). Sleeps until
/// the limit could run out, so an idle link costs one wake-up per limit at most. Ends
/// with the link.
async fn watch_silence(shared: Weak<Shared>) {
    let Some(strong) = shared.upgrade() else {
        return;
    };
    let idle = strong.runtime.idle().clone();
    let (foreground, background, failed_after) = strong.silence_limits;
    let mut states = strong.state.subscribe();
    drop(strong);
    if states
        .wait_for(|s| *s != LinkState::Connecting)
        .await
        .is_err()
    {
        return;
    }
    let opened = Instant::now();
    loop {
        let changed = idle.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let state = *states.borrow();
        if state.is_final() {
            return;
        }
        let limit = match idle.pace() {
            Pace::Foreground => foreground,
            Pace::Background => background,
        };
        let heard = idle.last_heard().map_or(opened, |t| t.max(opened));
        let now = Instant::now();
        let quiet_for = now.saturating_duration_since(heard);
        if quiet_for >= limit + failed_after {
            tracing::debug!("nothing heard for {quiet_for:?}: failed");
            if let Some(s) = shared.upgrade() {
                s.set_state(LinkState::Failed);
            }
            return;
        }
        let silent = quiet_for >= limit;
        let next = match (silent, state) {
            (true, LinkState::Open) => {
                tracing::debug!("nothing heard for {limit:?}: disconnected");
                match shared.upgrade() {
                    Some(s) => s.set_state(LinkState::Disconnected),
                    None => return,
                }
                now + SILENT_RECHECK
            }
            (true, _) => (now + SILENT_RECHECK).min(heard + limit + failed_after),
            (false, LinkState::Disconnected)
                if now
                    .checked_sub(SILENT_RECHECK.min(limit))
                    .is_none_or(|recent| heard > recent) =>
            {
                match shared.upgrade() {
                    Some(s) => s.set_state(LinkState::Open),
                    None => return,
                }
                heard + limit
            }
            (false, LinkState::Disconnected) => now + SILENT_RECHECK,
            (false, _) => heard + limit,
        };
        tokio::select! {
            _ = tokio::time::sleep_until(next.into()) => {}
            _ = changed => {}
            changed = states.changed() => if changed.is_err() { return },
        }
    }
}
