//! What runs on every new connection before any chat data: proof that the other
//! device is who it should be.
//!
//! 1. First connection only: key confirmation from the code exchange, bound to both
//!    DTLS fingerprints (`Frame::Confirm`). It proves the peer knew the answer.
//! 2. Every connection: identities. Each side sends its Ed25519 key and a fresh nonce
//!    (`Frame::Hello`), then signs both nonces, both DTLS fingerprints and the
//!    conversation id (`Frame::Proof`). The fingerprints were checked by DTLS itself,
//!    so the signature binds the identity to *this* DTLS session; the nonces stop a
//!    recorded proof from being replayed on a later one.
//!
//! On a first connection the key becomes a contact. Later, the same conversation must
//! present the same key: a different one is a loud warning and the connection is
//! refused (see `store/contacts.rs`).

use std::time::Duration;

use rand_core::{OsRng, RngCore};

use super::conversation::Ctx;
use super::events::{Event, PeerId};
use super::peer::{hex, unhex, PeerSlot};
use crate::identity;
use crate::link::Link;
use crate::protect::keys::Role;
use crate::store::IdentityOutcome;
use crate::wire::Frame;

/// How long the peer may take to send each handshake frame once the channel is open.
pub(super) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a handshake did not finish.
#[derive(Debug)]
pub(super) enum HandshakeError {
    /// The connection broke or stalled: try again later.
    Lost(String),
    /// The peer failed to prove who it is: do not retry on our own.
    Refused(String),
}

/// Runs the handshake; on success the peer's identity is stored.
pub(super) async fn run(
    ctx: &Ctx,
    id: &PeerId,
    slot: &PeerSlot,
    link: &Link,
    first: bool,
) -> Result<(), HandshakeError> {
    let local_fp = link.local_fingerprint();
    let remote_fp = link
        .remote_fingerprint()
        .await
        .map_err(|e| HandshakeError::Lost(format!("could not read the certificate: {e}")))?;
    if first {
        confirm(slot, link, &local_fp, &remote_fp).await?;
    }
    let mut nonce = [0u8; 16];
    OsRng.fill_bytes(&mut nonce);
    send(
        link,
        &Frame::Hello {
            key: hex(&ctx.identity.public_key()),
            nonce: hex(&nonce),
            name: ctx.display_name.clone(),
        },
    )
    .await?;
    let (peer_key, peer_nonce, name) = match recv(link).await? {
        Frame::Hello { key, nonce, name } => {
            let key: [u8; 32] = unhex(&key)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| refused("sent a malformed identity key"))?;
            let nonce: [u8; 16] = unhex(&nonce)
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| refused("sent a malformed nonce"))?;
            (
                key,
                nonce,
                name.map(|n| n.chars().take(64).collect::<String>()),
            )
        }
        _ => return Err(refused("did not introduce itself")),
    };
    let facts = Facts {
        conversation: id,
        role: slot.role,
        local_nonce: &nonce,
        remote_nonce: &peer_nonce,
        local_fp: &local_fp,
        remote_fp: &remote_fp,
    };
    let ours = facts.transcript(slot.role, &ctx.identity.public_key());
    send(
        link,
        &Frame::Proof {
            sig: hex(&ctx.identity.sign(&ours)),
        },
    )
    .await?;
    let theirs = facts.transcript(slot.role.peer(), &peer_key);
    match recv(link).await? {
        Frame::Proof { sig } => {
            let sig = unhex(&sig).unwrap_or_default();
            if !identity::verify(&peer_key, &theirs, &sig) {
                return Err(refused("could not prove it holds its identity key"));
            }
        }
        _ => return Err(refused("did not prove its identity")),
    }
    if let Some(expected) = super::introductions::expected_key(ctx, id) {
        if expected != peer_key {
            return Err(refused(
                "presented a different identity key than the one it was introduced with",
            ));
        }
    }
    remember(ctx, id, &peer_key, name.as_deref())?;
    *slot.name.lock().unwrap_or_else(|p| p.into_inner()) = name;
    Ok(())
}

fn refused(what: &str) -> HandshakeError {
    HandshakeError::Refused(format!("the other device {what}"))
}

/// Stores the proven key against the conversation and tells the shell what it means.
fn remember(
    ctx: &Ctx,
    id: &PeerId,
    key: &[u8; 32],
    name: Option<&str>,
) -> Result<(), HandshakeError> {
    let outcome = ctx
        .store()
        .learn_identity(id, key, name, crate::code::unix_now())
        .map_err(|e| HandshakeError::Lost(e.to_string()))?;
    match outcome {
        IdentityOutcome::NewContact(contact) => {
            ctx.events.push(Event::ContactAdded {
                peer: id.clone(),
                contact: contact.id,
                name: contact.display_name,
                safety_number: identity::safety_number(&ctx.identity.public_key(), key),
            });
            Ok(())
        }
        IdentityOutcome::Known(_) => Ok(()),
        IdentityOutcome::Changed { contact, .. } => {
            ctx.events.push(Event::IdentityChanged {
                peer: id.clone(),
                contact: contact.id,
                name: contact.display_name.clone(),
            });
            Err(HandshakeError::Refused(format!(
                "WARNING: {} presented a different identity key than before. This can mean \
                 someone is impersonating them. Compare safety numbers in person before \
                 accepting the new key.",
                contact.display_name.as_deref().unwrap_or("this contact")
            )))
        }
    }
}

/// What both sides sign, in a fixed inviter/joiner order.
struct Facts<'a> {
    conversation: &'a str,
    role: Role,
    local_nonce: &'a [u8; 16],
    remote_nonce: &'a [u8; 16],
    local_fp: &'a [u8; 32],
    remote_fp: &'a [u8; 32],
}

impl Facts<'_> {
    fn transcript(&self, signer: Role, signer_key: &[u8; 32]) -> Vec<u8> {
        let (inviter_nonce, joiner_nonce, inviter_fp, joiner_fp) = match self.role {
            Role::Inviter => (
                self.local_nonce,
                self.remote_nonce,
                self.local_fp,
                self.remote_fp,
            ),
            Role::Joiner => (
                self.remote_nonce,
                self.local_nonce,
                self.remote_fp,
                self.local_fp,
            ),
        };
        let mut t = Vec::with_capacity(200);
        t.extend_from_slice(b"tincan identity proof v1\0");
        t.extend_from_slice(self.conversation.as_bytes());
        t.push(0);
        t.push(match signer {
            Role::Inviter => b'I',
            Role::Joiner => b'J',
        });
        t.extend_from_slice(signer_key);
        t.extend_from_slice(inviter_nonce);
        t.extend_from_slice(joiner_nonce);
        t.extend_from_slice(inviter_fp);
        t.extend_from_slice(joiner_fp);
        t
    }
}

/// Key confirmation from the code exchange: send our tag, check theirs.
async fn confirm(
    slot: &PeerSlot,
    link: &Link,
    local_fp: &[u8; 32],
    remote_fp: &[u8; 32],
) -> Result<(), HandshakeError> {
    let exchange = slot
        .exchange
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| refused("has no key to confirm"))?;
    send(
        link,
        &Frame::Confirm {
            tag: hex(&exchange.confirmation(local_fp, remote_fp)),
            name: None,
        },
    )
    .await?;
    match recv(link).await? {
        Frame::Confirm { tag, .. } => {
            let tag = unhex(&tag).unwrap_or_default();
            if exchange.verify_confirmation(local_fp, remote_fp, &tag) {
                Ok(())
            } else {
                Err(HandshakeError::Refused(
                    "the other side could not prove it took part in this exchange: \
                     a wrong answer, or someone in the middle"
                        .to_owned(),
                ))
            }
        }
        _ => Err(refused("sent something other than a key confirmation")),
    }
}

async fn send(link: &Link, frame: &Frame) -> Result<(), HandshakeError> {
    link.send(&frame.encode())
        .await
        .map_err(|e| HandshakeError::Lost(format!("the connection broke: {e}")))
}

async fn recv(link: &Link) -> Result<Frame, HandshakeError> {
    let bytes = tokio::time::timeout(HANDSHAKE_TIMEOUT, link.recv())
        .await
        .map_err(|_| HandshakeError::Lost("the other side did not answer in time".into()))?
        .ok_or_else(|| HandshakeError::Lost("the connection closed during the handshake".into()))?;
    Frame::decode(&bytes).map_err(|e| refused(&format!("sent a bad handshake frame ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_build_the_same_transcript_for_each_signer() {
        let (n1, n2, f1, f2) = ([1u8; 16], [2u8; 16], [3u8; 32], [4u8; 32]);
        let inviter = Facts {
            conversation: "c",
            role: Role::Inviter,
            local_nonce: &n1,
            remote_nonce: &n2,
            local_fp: &f1,
            remote_fp: &f2,
        };
        let joiner = Facts {
            conversation: "c",
            role: Role::Joiner,
            local_nonce: &n2,
            remote_nonce: &n1,
            local_fp: &f2,
            remote_fp: &f1,
        };
        let key = [7u8; 32];
        assert_eq!(
            inviter.transcript(Role::Inviter, &key),
            joiner.transcript(Role::Inviter, &key)
        );
        assert_ne!(
            inviter.transcript(Role::Inviter, &key),
            inviter.transcript(Role::Joiner, &key),
            "a proof is not valid for the other role"
        );
    }
}
