//! Building one `webrtc` peer connection the way Tincan needs it, and watching it.
//!
//! The event handler runs on the connection's driver task, so it only flips watch
//! channels and spawns; it never awaits anything that needs the driver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use rtc::ice::mdns::MulticastDnsMode;
use tokio::sync::{mpsc, watch};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceConnectionState, RTCIceGatheringState, RTCIceServer, RTCPeerConnectionState,
    SettingEngineBuilder,
};

use super::idle::{Idle, IdleTimes};
use super::runtime::LinkRuntime;
use super::ttl_hold::TtlHold;
use super::{LinkConfig, LinkError, LinkSecrets, LinkState};

/// The text message that says "I am closing": a data-channel close is not signalled
/// to the peer by webrtc 0.21, so we say goodbye ourselves. Application data is
/// always sent binary, so this cannot collide with it.
pub(crate) const GOODBYE: &[u8] = b"tincan:goodbye";

/// How much later than the link's own watchdog the ICE agent declares silence.
const AGENT_BACKSTOP: Duration = Duration::from_secs(5);

/// State shared by the link handle, the event handler and the channel pump.
pub(crate) struct Shared {
    pub(crate) state: watch::Sender<LinkState>,
    pub(crate) gathered: watch::Sender<bool>,
    /// Whether ICE currently has a working path (the other side answers our checks).
    pub(crate) ice_connected: watch::Sender<bool>,
    /// The one data channel, once known (at once for the offerer, on arrival for the
    /// answerer).
    pub(crate) channel: watch::Sender<Option<Arc<dyn DataChannel>>>,
    /// Taken by the pump, which then owns the only sender: `recv` ends when it stops.
    pub(crate) inbox: Mutex<Option<mpsc::Sender<Bytes>>>,
    pub(crate) runtime: Arc<LinkRuntime>,
    /// Silence that counts as `Disconnected`: (foreground, background); that plus
    /// the third counts as `Failed`.
    pub(crate) silence_limits: (Duration, Duration, Duration),
}

impl Shared {
    /// Move to `next` unless the link already reached a final state.
    pub(crate) fn set_state(&self, next: LinkState) {
        self.state.send_if_modified(|cur| {
            if cur.is_final() || *cur == next {
                return false;
            }
            *cur = next;
            true
        });
        if next != LinkState::Connecting {
            // Open, failed or closed: setup is over, stop waking the driver early.
            self.runtime.set_setting_up(false);
        }
    }

    /// Adopt `dc` as the link's channel (first one wins) and start pumping it.
    pub(crate) fn adopt_channel(self: &Arc<Self>, dc: Arc<dyn DataChannel>, already_open: bool) {
        let adopted = self.channel.send_if_modified(|cur| {
            if cur.is_some() {
                return false;
            }
            *cur = Some(dc.clone());
            true
        });
        if !adopted {
            return;
        }
        if already_open {
            self.set_state(LinkState::Open);
        }
        let Some(inbox) = self.inbox.lock().ok().and_then(|mut slot| slot.take()) else {
            return;
        };
        let shared = Arc::clone(self);
        tokio::spawn(pump(shared, dc, inbox));
    }
}

/// Moves channel events into link state and received messages into the inbox.
async fn pump(shared: Arc<Shared>, dc: Arc<dyn DataChannel>, inbox: mpsc::Sender<Bytes>) {
    while let Some(event) = dc.poll().await {
        match event {
            DataChannelEvent::OnOpen => shared.set_state(LinkState::Open),
            DataChannelEvent::OnMessage(msg) => {
                if msg.is_string && msg.data.as_ref() == GOODBYE {
                    shared.set_state(LinkState::ClosedByPeer);
                    break;
                }
                // Waiting here (inbox full) is the receive-side back-pressure.
                if inbox.send(msg.data.freeze()).await.is_err() {
                    break;
                }
            }
            DataChannelEvent::OnClose => {
                shared.set_state(LinkState::Closed);
                break;
            }
            _ => {}
        }
    }
}

struct Handler {
    shared: Arc<Shared>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.shared.gathered.send_replace(true);
        }
    }

    async fn on_ice_connection_state_change(&self, state: RTCIceConnectionState) {
        // The handshake packets that wait for a timer come after ICE connects: only
        // then is the setup sleep cap worth its wake-ups (runtime.rs).
        let connected = matches!(
            state,
            RTCIceConnectionState::Connected | RTCIceConnectionState::Completed
        );
        self.shared.runtime.set_ice_connected(connected);
        self.shared.ice_connected.send_replace(connected);
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!("link connection state {state}");
        match state {
            RTCPeerConnectionState::Disconnected => self.shared.set_state(LinkState::Disconnected),
            RTCPeerConnectionState::Failed => self.shared.set_state(LinkState::Failed),
            RTCPeerConnectionState::Closed => self.shared.set_state(LinkState::Closed),
            RTCPeerConnectionState::Connected => {
                // Back from Disconnected: the channel is usable again.
                let open = self.shared.channel.borrow().is_some()
                    && *self.shared.state.borrow() == LinkState::Disconnected;
                if open {
                    self.shared.set_state(LinkState::Open);
                }
            }
            _ => {}
        }
    }

    async fn on_data_channel(&self, dc: Arc<dyn DataChannel>) {
        // Announced once the peer's OPEN arrived and we acknowledged it: open already.
        self.shared.adopt_channel(dc, true);
    }
}

/// A built peer connection plus the state it reports into.
pub(crate) struct Peer {
    pub(crate) pc: Arc<dyn PeerConnection>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) inbox: mpsc::Receiver<Bytes>,
}

pub(crate) async fn build(config: &LinkConfig, secrets: &LinkSecrets) -> Result<Peer, LinkError> {
    secrets.validate()?;
    let certificate = secrets.certificate()?;
    let ttl = config.waiting_ttl.filter(|_| config.waiting);
    let servers = config.server_addrs().await;
    let hold = if ttl.is_some() || config.waiting_pace.is_some() {
        Some(TtlHold::new(ttl, config.waiting_pace, servers.clone()))
    } else {
        None
    };
    let idle = Idle::new(
        IdleTimes {
            keepalive: config.ice_keepalive_interval,
            background_keepalive: config.background_keepalive,
            stretch: config.stretch_idle_sleeps,
        },
        servers,
    );
    let runtime = LinkRuntime::with_hold(
        config.setup_sleep_cap,
        config.socket_buffer_bytes,
        hold,
        idle,
    );
    let (inbox_tx, inbox) = mpsc::channel(config.recv_queue.max(1));
    let shared = Arc::new(Shared {
        state: watch::channel(LinkState::Connecting).0,
        gathered: watch::channel(false).0,
        ice_connected: watch::channel(false).0,
        channel: watch::channel(None).0,
        inbox: Mutex::new(Some(inbox_tx)),
        runtime: runtime.clone(),
        silence_limits: (
            config.ice_disconnected_timeout,
            config.background_silence,
            config.ice_failed_timeout,
        ),
    });

    let settings = SettingEngineBuilder::new()
        .with_ice_credentials(secrets.ice_ufrag.clone(), secrets.ice_pwd.clone())
        .with_ice_timeouts(
            // The link's own watchdog (session.rs) decides when silence is a loss, by
            // pace; the agent's check stays behind it as a backstop.
            Some(
                config
                    .ice_disconnected_timeout
                    .max(config.background_silence + AGENT_BACKSTOP),
            ),
            Some(config.ice_failed_timeout),
            Some(config.ice_keepalive_interval),
        )
        .with_ice_connection_attempts(
            Some(config.ice_check_interval),
            Some(config.ice_max_checks.max(1)),
        )
        .with_multicast_dns_mode(if config.mdns {
            MulticastDnsMode::QueryOnly
        } else {
            MulticastDnsMode::Disabled
        })
        .build();
    let ice_servers = config
        .ice_servers
        .iter()
        .map(|s| RTCIceServer {
            urls: s.urls.clone(),
            username: s.username.clone(),
            credential: s.credential.clone(),
        })
        .collect();
    let configuration = RTCConfigurationBuilder::new()
        .with_ice_servers(ice_servers)
        .with_certificates(vec![certificate])
        .build();

    let pc = PeerConnectionBuilder::new()
        .with_configuration(configuration)
        .with_setting_engine(settings)
        .with_runtime(runtime)
        .with_handler(Arc::new(Handler {
            shared: shared.clone(),
        }))
        .with_udp_addrs(config.bind_addrs())
        .with_data_channel_send_buffer_limit(config.send_high_water.max(1))
        .build()
        .await
        .map_err(LinkError::setup)?;
    Ok(Peer {
        pc: Arc::new(pc),
        shared,
        inbox,
    })
}

/// Wait for gathering to finish, at most `bound`, then return the local SDP with
/// whatever candidates were found. Never hangs on a dead STUN/TURN server.
pub(crate) async fn gathered_sdp(peer: &Peer, bound: Duration) -> Result<String, LinkError> {
    let mut gathered = peer.shared.gathered.subscribe();
    // Only whether it finished matters; drop the watch guard before the next await so
    // the future stays `Send`.
    let finished = tokio::time::timeout(bound, gathered.wait_for(|done| *done))
        .await
        .is_ok();
    if !finished {
        tracing::debug!("gathering not complete after {bound:?}; using what we have");
    }
    let desc = peer
        .pc
        .local_description()
        .await
        .ok_or_else(|| LinkError::Setup("no local description".into()))?;
    Ok(desc.sdp)
}
