//! Reconnecting a known contact without codes.
//!
//! Everything a WebRTC session needs besides addresses was agreed during the code
//! exchange and is kept: our ICE credentials and DTLS certificate (secret store), the
//! peer's ufrag, password and fingerprint (its session description, in the database).
//! So after a loss or a restart each side rebuilds its half of the *same* session on
//! its own — the inviter offers, the joiner answers, as the first time — and ICE only
//! has to find a path:
//!
//! * we bind the UDP port we used last time, so the peer's stored candidate for us
//!   stays valid across our restart;
//! * the peer's description is updated with the address its packets last came from;
//! * a side whose address changed reaches the other's stored address, which learns
//!   the new one as a peer-reflexive candidate.
//!
//! When *both* sides changed address there is no path: the conversation goes
//! `Offline` and either side can make a follow-up code (no question needed: the
//! identity handshake authenticates it). docs/RECONNECT.md has the whole story.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::conversation::Ctx;
use super::NodeError;
use crate::link::{self, Link, LinkConfig, LinkSecrets, PendingOffer};
use crate::protect::keys::{Role, SessionKeys};
use crate::sdp::{self, Candidate, CandidateAddress, CandidateKind, SdpKind, Transport};
use crate::CodeError;

/// Tries to bind our previous port before settling for another.
const PIN_ATTEMPTS: u32 = 4;

/// Most candidates kept for a peer: the newest observed address first.
const MAX_STORED_CANDIDATES: usize = 8;

/// What the secret store keeps per conversation, for reconnecting and follow-ups.
#[derive(Serialize, Deserialize)]
pub(super) struct ConversationSecrets {
    /// Our ICE credentials and DTLS certificate for this conversation.
    pub link: LinkSecrets,
    /// The code exchange's keys (follow-up codes are sealed under them).
    pub keys: SessionKeys,
    /// The invite that started it.
    pub invite_id: [u8; 8],
    /// First contact not made yet: keep trying until then (unix seconds: the invite's
    /// expiry). Absent once connected, and in conversations stored before it existed.
    #[serde(default)]
    pub waiting_until: Option<u64>,
    /// The reply code we sent back (a joiner), to show again while waiting.
    #[serde(default)]
    pub reply_code: Option<String>,
}

/// How often a waiting side checks towards the peer: a pace a phone can afford that
/// still keeps a NAT mapping open (plain Linux NATs forget an unanswered flow after
/// 30 s).
pub(super) const WAITING_PACE: std::time::Duration = std::time::Duration::from_secs(15);

/// What kind of attempt a rebuilt link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Attempt {
    /// Waiting for the other side to load a code: short TTL until it is heard.
    pub holding: bool,
    /// Waiting for as long as this: check at [`WAITING_PACE`] rather than every
    /// 200 ms, and keep every pair alive that long.
    pub slow_for: Option<std::time::Duration>,
    /// Bind a fresh port instead of the stored one (a follow-up code's link: no NAT
    /// on the way holds a stale record of it).
    pub fresh_port: bool,
}

impl Attempt {
    /// A reconnection attempt as always: stored port, normal pace, normal TTL.
    pub const RECONNECT: Attempt = Attempt {
        holding: false,
        slow_for: None,
        fresh_port: false,
    };

    /// The link configuration for this attempt.
    pub fn config(&self, base: &LinkConfig) -> LinkConfig {
        let mut config = base.clone();
        config.waiting = self.holding;
        if let Some(wait) = self.slow_for {
            let wait = wait.min(WAITING_ATTEMPT);
            config.waiting_pace = Some(WAITING_PACE);
            // webrtc counts every check it tries, paced-out ones too (five a second).
            config.ice_max_checks = u16::MAX;
            config.ice_failed_timeout = config.ice_failed_timeout.max(wait);
        }
        config
    }
}

/// Longest a waiting link lives before it is rebuilt on the same port: webrtc gives a
/// pair up after `u16::MAX` checks, which at its fixed five a second is 3.6 h.
pub(super) const WAITING_ATTEMPT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The secret-store key of a conversation's secrets.
pub(super) fn secret_key(id: &str) -> String {
    format!("conversation-{id}")
}

/// The SDP kind of the peer's description for our role.
pub(super) fn remote_kind(role: Role) -> SdpKind {
    match role {
        Role::Inviter => SdpKind::Answer,
        Role::Joiner => SdpKind::Offer,
    }
}

/// Our link configuration with every wildcard port pinned to `port`.
pub(super) fn with_port(config: &LinkConfig, port: u16) -> LinkConfig {
    let mut config = config.clone();
    let addrs = config.bind_addrs();
    config.bind = addrs
        .into_iter()
        .map(|a| {
            if a.port() == 0 {
                SocketAddr::new(a.ip(), port)
            } else {
                a
            }
        })
        .collect();
    config
}

/// Builds this side of the known session again. Returns the link and our local SDP.
pub(super) async fn rebuild(
    ctx: &Ctx,
    id: &str,
    role: Role,
    attempt: Attempt,
) -> Result<(Link, String), NodeError> {
    let secrets = load_secrets(ctx.secret_store.as_ref(), id)?;
    let record = ctx
        .store()
        .conversation(id)?
        .ok_or_else(|| NodeError::UnknownPeer(id.to_owned()))?;
    let base = attempt.config(&ctx.link_config);
    if attempt.fresh_port {
        return build(&base, &secrets.link, role, &record.remote_sdp).await;
    }
    let pinned = record.local_port.map(|p| with_port(&base, p));
    // The port may be taken now (another app): then any port, and rely on the peer
    // reaching us or on our checks reaching it.
    // A link we just dropped may hold the port for a moment longer: retry briefly.
    if let Some(config) = pinned {
        for attempt in 1..=PIN_ATTEMPTS {
            match build(&config, &secrets.link, role, &record.remote_sdp).await {
                Ok(built) => return Ok(built),
                Err(e) if attempt == PIN_ATTEMPTS => tracing::info!(
                    peer = %id,
                    "port {:?} unavailable ({e}); using another",
                    record.local_port
                ),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
            }
        }
    }
    build(&base, &secrets.link, role, &record.remote_sdp).await
}

/// A conversation's secrets from the secret store.
pub(super) fn load_secrets(
    store: &dyn crate::secrets::SecretStore,
    id: &str,
) -> Result<ConversationSecrets, NodeError> {
    let blob = store
        .get(&secret_key(id))?
        .ok_or_else(|| NodeError::Storage(format!("the keys of conversation {id} are missing")))?;
    serde_json::from_slice(&blob).map_err(|e| NodeError::Storage(format!("conversation {id}: {e}")))
}

/// Writes a conversation's secrets back.
pub(super) fn save_secrets(
    store: &dyn crate::secrets::SecretStore,
    id: &str,
    secrets: &ConversationSecrets,
) -> Result<(), NodeError> {
    let blob = serde_json::to_vec(secrets).map_err(|e| NodeError::Storage(e.to_string()))?;
    Ok(store.put(&secret_key(id), &blob)?)
}

/// The port of the first host candidate in `sdp`: where a restarted side binds again
/// so the candidates the other side holds stay valid.
pub(super) fn first_host_port(sdp: &str) -> Option<u16> {
    let desc = sdp::parse(sdp).ok()?;
    desc.candidates
        .iter()
        .find(|c| c.kind == CandidateKind::Host && c.transport == Transport::Udp)
        .map(|c| c.port)
}

async fn build(
    config: &LinkConfig,
    secrets: &LinkSecrets,
    role: Role,
    remote_sdp: &str,
) -> Result<(Link, String), NodeError> {
    match role {
        Role::Inviter => {
            let offer = PendingOffer::create(config, secrets).await?;
            let local = offer.local_sdp().to_owned();
            Ok((offer.accept(remote_sdp).await?, local))
        }
        Role::Joiner => {
            let (local, link) = link::answer(config, secrets, remote_sdp).await?;
            Ok((link, local))
        }
    }
}

/// The peer's description with `seen` (where its packets last came from) as the first
/// candidate, older ones after it, bounded.
pub(super) fn with_observed_address(
    remote_sdp: &str,
    kind: SdpKind,
    seen: SocketAddr,
) -> Result<String, CodeError> {
    let mut desc = sdp::parse(remote_sdp)?;
    let observed = Candidate {
        kind: CandidateKind::Host,
        transport: Transport::Udp,
        address: CandidateAddress::Ip(seen.ip()),
        port: seen.port(),
    };
    desc.candidates.retain(|c| {
        !(c.transport == Transport::Udp && c.port == observed.port && c.address == observed.address)
    });
    desc.candidates.insert(0, observed);
    desc.candidates.truncate(MAX_STORED_CANDIDATES);
    Ok(desc.to_sdp(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_a_port_keeps_explicit_ports() {
        let config = LinkConfig {
            bind: vec![
                SocketAddr::from(([127, 0, 0, 1], 0)),
                SocketAddr::from(([127, 0, 0, 2], 5000)),
            ],
            ..LinkConfig::default()
        };
        let pinned = with_port(&config, 4242);
        assert_eq!(pinned.bind[0].port(), 4242);
        assert_eq!(pinned.bind[1].port(), 5000);
        let any = with_port(&LinkConfig::default(), 4242);
        assert_eq!(any.bind, vec![SocketAddr::from(([0, 0, 0, 0], 4242))]);
    }
}
