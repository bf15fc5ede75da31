//! Invites still waiting for a reply, as an app lists them, and taking one back.

use super::{invite_secret_key, lock, InviteSecrets, Node, NodeError};
use crate::code::{unix_now, InviteMode};

/// One of our invites still waiting for a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInviteInfo {
    /// Hex id (the conversation will have the same id).
    pub invite_id: String,
    /// The code as shared, to show or share again (absent for invites made by an
    /// older version).
    pub code: Option<String>,
    /// The question asked, if any.
    pub question: Option<String>,
    /// How it is protected.
    pub mode: InviteMode,
    /// When it was made, Unix seconds.
    pub created_at: u64,
    /// When it stops accepting replies, Unix seconds.
    pub expires_at: u64,
}

impl Node {
    /// Our invites still waiting for a reply, oldest first.
    pub fn pending_invites(&self) -> Result<Vec<PendingInviteInfo>, NodeError> {
        let ids = self.open_invites()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let (record, answered) = {
                let store = lock(&self.inner.store);
                (store.invite(&id)?, store.conversation(&id)?.is_some())
            };
            // A reply was accepted: it is a conversation now, not a waiting invite.
            let Some(record) = record.filter(|_| !answered) else {
                continue;
            };
            let Some(blob) = self
                .inner
                .config
                .secret_store
                .get(&invite_secret_key(&id))?
            else {
                // Its keys are gone (burned after wrong answers): it cannot complete.
                continue;
            };
            let Ok(secrets) = serde_json::from_slice::<InviteSecrets>(&blob) else {
                continue;
            };
            if secrets.pending.failed_attempts() >= crate::code::MAX_FAILED_ATTEMPTS {
                // Burned by wrong answers: it cannot complete any more.
                continue;
            }
            out.push(PendingInviteInfo {
                invite_id: id,
                code: secrets.code,
                question: secrets.question,
                mode: secrets.pending.mode(),
                created_at: record.created_at,
                expires_at: record.expires_at,
            });
        }
        Ok(out)
    }

    /// Takes an invite back: a reply to it is refused from now on. Idempotent.
    pub fn cancel_invite(&self, invite_id: &str) -> Result<(), NodeError> {
        lock(&self.inner.offers).remove(invite_id);
        self.inner
            .config
            .secret_store
            .delete(&invite_secret_key(invite_id))?;
        lock(&self.inner.store).forget_invite(invite_id)?;
        Ok(())
    }

    /// Removes invites that expired, with their keys, so they stop being listed.
    pub fn forget_expired_invites(&self) -> Result<(), NodeError> {
        let now = unix_now();
        let all = lock(&self.inner.store).all_invites()?;
        for (id, expires_at) in all {
            if expires_at < now {
                self.cancel_invite(&id)?;
            }
        }
        Ok(())
    }
}
