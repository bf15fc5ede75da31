//! The WebRTC link: one reliable, ordered data channel between two devices, set up
//! with no signalling server.
//!
//! Each side's session description travels inside a code a person passes on, so ICE
//! is non-trickle: gather (bounded), then emit one complete SDP. The offerer may be a
//! different process by the time the answer arrives: [`LinkSecrets`] carries what the
//! offer promised (ICE credentials, DTLS certificate), and on one network ICE finds the
//! new port through peer-reflexive candidates.
//!
//! ```text
//! inviter                                   joiner
//! PendingOffer::create → local_sdp ───────▶ answer(offer_sdp) → (answer_sdp, Link)
//! accept(answer_sdp) → Link ◀────────────── answer_sdp
//! ```
//!
//! Built on `webrtc` 0.21 (async layer over the sans-IO `rtc` core); docs/LINK.md
//! says why and what was measured.

mod config;
mod error;
mod idle;
mod peer;
mod quiet;
mod runtime;
mod secrets;
mod session;
mod ttl_hold;

pub use config::{IceServer, LinkConfig};
pub use error::LinkError;
pub use idle::{Pace, WireCounts};
pub use runtime::LinkRuntime;
pub use secrets::{LinkSecrets, PWD_LEN, UFRAG_LEN};
pub use session::{answer, Link, PendingOffer};
pub(crate) use ttl_hold::is_stun;
pub use ttl_hold::DEFAULT_WAITING_TTL;

/// Where a link is in its life. Shells show it; the node reacts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkState {
    /// Gathering, checking, handshaking: not usable yet.
    Connecting,
    /// The data channel is open.
    Open,
    /// No traffic for a while; may come back by itself.
    Disconnected,
    /// ICE or DTLS gave up.
    Failed,
    /// We closed it, or the channel went away without a goodbye.
    Closed,
    /// The peer said goodbye.
    ClosedByPeer,
}

impl LinkState {
    /// No way back from here.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Failed | Self::Closed | Self::ClosedByPeer)
    }
}
