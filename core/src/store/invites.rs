//! Pending invites: what an inviter keeps until the reply arrives.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::code::invite::hex_id;
use crate::code::PendingInvite;

/// A pending invite with what its link needs to be rebuilt after a restart.
#[derive(Debug, Clone)]
pub struct InviteRecord {
    /// The invite's code state (secrets, attempts, single use).
    pub pending: PendingInvite,
    /// When it was made (Unix seconds).
    pub created_at: u64,
    /// The link's persisted ICE credentials and DTLS certificate (JSON, opaque here).
    pub link_secrets: String,
    /// The local session description the invite carries (compact form, hex).
    pub local_description: String,
}

impl Store {
    /// Saves a new invite, or replaces it (after every reply attempt).
    pub fn save_invite(&self, record: &InviteRecord) -> Result<(), StoreError> {
        let pending = serde_json::to_string(&record.pending)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO invites (id, created_at, expires_at, pending, link_secrets, local_description)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET pending = excluded.pending",
            params![
                hex_id(&record.pending.id()),
                record.created_at as i64,
                record.pending.expires_at() as i64,
                pending,
                record.link_secrets,
                record.local_description,
            ],
        )?;
        Ok(())
    }

    /// Loads an invite by id.
    pub fn invite(&self, id: &[u8; 8]) -> Result<Option<InviteRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT created_at, pending, link_secrets, local_description FROM invites WHERE id = ?1",
                params![hex_id(id)],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((created_at, pending, link_secrets, local_description)) = row else {
            return Ok(None);
        };
        let pending: PendingInvite =
            serde_json::from_str(&pending).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(InviteRecord {
            pending,
            created_at: created_at.max(0) as u64,
            link_secrets,
            local_description,
        }))
    }

    /// Ids of invites still waiting for a reply (not spent, not expired).
    pub fn open_invites(&self, now: u64) -> Result<Vec<[u8; 8]>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT pending FROM invites WHERE expires_at >= ?1 ORDER BY created_at")?;
        let rows = stmt.query_map(params![now as i64], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let pending: PendingInvite =
                serde_json::from_str(&row?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !pending.is_spent() {
                out.push(pending.id());
            }
        }
        Ok(out)
    }

    /// Forgets invites that expired before `before` (Unix seconds).
    pub fn forget_expired_invites(&self, before: u64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM invites WHERE expires_at < ?1",
            params![before as i64],
        )?)
    }
}
