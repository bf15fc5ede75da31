//! The result of a completed exchange, on either side: keys, the peer's connection
//! details, and what the live link needs next (key confirmation, follow-up codes).

use rand_core::CryptoRngCore;

use super::followup;
use crate::protect::keys::{Role, SessionKeys};
use crate::sdp::SessionDescription;
use crate::CodeError;

/// A completed exchange: everything needed to connect to and authenticate the peer.
#[derive(Debug, Clone)]
pub struct Exchange {
    role: Role,
    invite_id: [u8; 8],
    keys: SessionKeys,
    remote: SessionDescription,
}

impl Exchange {
    pub(crate) fn new(
        role: Role,
        invite_id: [u8; 8],
        keys: SessionKeys,
        remote: SessionDescription,
    ) -> Self {
        Self {
            role,
            invite_id,
            keys,
            remote,
        }
    }

    /// Which side this party is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The invite this exchange completed.
    pub fn invite_id(&self) -> [u8; 8] {
        self.invite_id
    }

    /// The peer's connection details.
    pub fn remote(&self) -> &SessionDescription {
        &self.remote
    }

    /// The exchange's keys (persist them to open follow-up codes after a restart).
    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    fn ordered<'a>(
        &self,
        local: &'a [u8; 32],
        remote: &'a [u8; 32],
    ) -> (&'a [u8; 32], &'a [u8; 32]) {
        match self.role {
            Role::Inviter => (local, remote),
            Role::Joiner => (remote, local),
        }
    }

    /// The tag this side sends first on the data channel. `local_fp` and `remote_fp`
    /// are the SHA-256 fingerprints of the DTLS certificates actually used on the link.
    pub fn confirmation(&self, local_fp: &[u8; 32], remote_fp: &[u8; 32]) -> [u8; 32] {
        let (fi, fj) = self.ordered(local_fp, remote_fp);
        self.keys.confirm_tag(self.role, fi, fj)
    }

    /// Checks the peer's tag; a failure means a wrong answer or a man in the middle.
    pub fn verify_confirmation(
        &self,
        local_fp: &[u8; 32],
        remote_fp: &[u8; 32],
        tag: &[u8],
    ) -> bool {
        let (fi, fj) = self.ordered(local_fp, remote_fp);
        self.keys.verify_confirm(self.role.peer(), fi, fj, tag)
    }

    /// A short follow-up code with fresh connection details, sealed under the session.
    pub fn followup_code(
        &self,
        description: &SessionDescription,
        now: u64,
        lifetime_secs: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<String, CodeError> {
        followup::build(self, description, now, lifetime_secs, rng)
    }

    /// Opens the peer's follow-up code and adopts its connection details.
    pub fn accept_followup(
        &mut self,
        code: &str,
        now: u64,
    ) -> Result<&SessionDescription, CodeError> {
        self.remote = followup::open(self, code, now)?;
        Ok(&self.remote)
    }
}
