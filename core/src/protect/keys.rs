//! The key schedule after the exchange, and key confirmation over the live link.
//!
//! Everything is bound to a transcript hash of both codes' clear bytes, so a change to
//! any byte of either code (question, parameters, candidates, expiry) yields different
//! keys. Confirmation tags also bind both DTLS certificate fingerprints as seen on the
//! live connection: a man in the middle of DTLS presents other certificates and fails.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which side of the exchange a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Made the invite.
    Inviter,
    /// Answered it with a reply.
    Joiner,
}

impl Role {
    fn byte(self) -> u8 {
        match self {
            Role::Inviter => b'I',
            Role::Joiner => b'J',
        }
    }

    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Inviter => Role::Joiner,
            Role::Joiner => Role::Inviter,
        }
    }
}

/// Hash of everything in clear in both codes (the reply's clear part only).
pub fn transcript_hash(invite: &[u8], reply_clear: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tincan/v1 transcript");
    h.update((invite.len() as u32).to_be_bytes());
    h.update(invite);
    h.update((reply_clear.len() as u32).to_be_bytes());
    h.update(reply_clear);
    h.finalize().into()
}

/// Key for the private-mode seal over the invite's connection details.
pub fn private_invite_key(hardened_answer: &[u8; 32], invite_clear: &[u8]) -> [u8; 32] {
    expand(
        hardened_answer,
        &Sha256::digest(invite_clear),
        b"tincan/v1 private invite",
    )
}

fn expand(ikm: &[u8], salt: &[u8], label: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(label, &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

/// Keys both sides hold after a successful exchange. Persisted with the contact so a
/// follow-up code can still be opened after a restart.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    transcript: [u8; 32],
    reply_seal: [u8; 32],
    confirm: [u8; 32],
    followup_from_inviter: [u8; 32],
    followup_from_joiner: [u8; 32],
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

impl SessionKeys {
    /// Derives every key from the exchange's shared secret and the transcript hash.
    pub fn derive(shared: &[u8], transcript: [u8; 32]) -> Self {
        Self {
            transcript,
            reply_seal: expand(shared, &transcript, b"tincan/v1 reply seal"),
            confirm: expand(shared, &transcript, b"tincan/v1 key confirmation"),
            followup_from_inviter: expand(shared, &transcript, b"tincan/v1 follow-up inviter"),
            followup_from_joiner: expand(shared, &transcript, b"tincan/v1 follow-up joiner"),
        }
    }

    /// The transcript hash these keys are bound to.
    pub fn transcript(&self) -> &[u8; 32] {
        &self.transcript
    }

    /// Key sealing the joiner's details inside the reply.
    pub fn reply_seal(&self) -> &[u8; 32] {
        &self.reply_seal
    }

    /// Key sealing a follow-up code sent by `sender`.
    pub fn followup(&self, sender: Role) -> &[u8; 32] {
        match sender {
            Role::Inviter => &self.followup_from_inviter,
            Role::Joiner => &self.followup_from_joiner,
        }
    }

    fn confirm_mac(
        &self,
        sender: Role,
        inviter_fp: &[u8; 32],
        joiner_fp: &[u8; 32],
    ) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.confirm)
            .expect("HMAC accepts any key length");
        mac.update(b"tincan/v1 confirm");
        mac.update(&[sender.byte()]);
        mac.update(&self.transcript);
        mac.update(inviter_fp);
        mac.update(joiner_fp);
        mac
    }

    /// The tag `sender` sends over the data channel before any chat data, bound to both
    /// DTLS fingerprints (inviter's first) as seen on the live connection.
    pub fn confirm_tag(
        &self,
        sender: Role,
        inviter_fp: &[u8; 32],
        joiner_fp: &[u8; 32],
    ) -> [u8; 32] {
        self.confirm_mac(sender, inviter_fp, joiner_fp)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Checks the peer's tag in constant time.
    pub fn verify_confirm(
        &self,
        sender: Role,
        inviter_fp: &[u8; 32],
        joiner_fp: &[u8; 32],
        tag: &[u8],
    ) -> bool {
        self.confirm_mac(sender, inviter_fp, joiner_fp)
            .verify_slice(tag)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_binds_role_fingerprints_and_transcript() {
        let keys = SessionKeys::derive(b"shared", transcript_hash(b"invite", b"reply"));
        let (fi, fj) = ([1u8; 32], [2u8; 32]);
        let tag = keys.confirm_tag(Role::Joiner, &fi, &fj);
        assert!(keys.verify_confirm(Role::Joiner, &fi, &fj, &tag));
        assert!(
            !keys.verify_confirm(Role::Inviter, &fi, &fj, &tag),
            "reflection"
        );
        assert!(
            !keys.verify_confirm(Role::Joiner, &fj, &fi, &tag),
            "swapped certs"
        );
        assert!(
            !keys.verify_confirm(Role::Joiner, &fi, &[3; 32], &tag),
            "other cert"
        );
        assert!(!keys.verify_confirm(Role::Joiner, &fi, &fj, &tag[..31]));
        let other = SessionKeys::derive(b"shared", transcript_hash(b"invite", b"replY"));
        assert!(
            !other.verify_confirm(Role::Joiner, &fi, &fj, &tag),
            "other transcript"
        );
        let wrong = SessionKeys::derive(b"guess", transcript_hash(b"invite", b"reply"));
        assert!(
            !wrong.verify_confirm(Role::Joiner, &fi, &fj, &tag),
            "other key"
        );
    }
}
