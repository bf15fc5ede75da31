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
}

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
fn with_port(config: &LinkConfig, port: u16) -> LinkConfig {
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
pub(super) async fn rebuild(ctx: &Ctx, id: &str, role: Role) -> Result<(Link, String), NodeError> {
    let blob = ctx
        .secret_store
        .get(&secret_key(id))?
        .ok_or_else(|| NodeError::Storage(format!("the keys of conversation {id} are missing")))?;
    let secrets: ConversationSecrets = serde_json::from_slice(&blob)
        .map_err(|e| NodeError::Storage(format!("conversation {id}: {e}")))?;
    let record = ctx
        .store()
        .conversation(id)?
        .ok_or_else(|| NodeError::UnknownPeer(id.to_owned()))?;
    let pinned = record.local_port.map(|p| with_port(&ctx.link_config, p));
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
    build(&ctx.link_config, &secrets.link, role, &record.remote_sdp).await
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
