//! Pending invites: what an inviter keeps (besides secrets) until the reply arrives.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// A pending invite's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRecord {
    /// Hex invite id.
    pub id: String,
    /// When it was made (Unix seconds).
    pub created_at: u64,
    /// When it stops accepting replies (Unix seconds).
    pub expires_at: u64,
    /// The offer SDP the invite carries.
    pub local_sdp: String,
}

impl Store {
    /// Saves a new invite.
    pub fn save_invite(&self, record: &InviteRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO invites (id, created_at, expires_at, local_sdp) VALUES (?1, ?2, ?3, ?4)",
            params![
                record.id,
                record.created_at as i64,
                record.expires_at as i64,
                record.local_sdp,
            ],
        )?;
        Ok(())
    }

    /// Loads an invite by hex id.
    pub fn invite(&self, id: &str) -> Result<Option<InviteRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, created_at, expires_at, local_sdp FROM invites WHERE id = ?1",
                params![id],
                |r| {
                    Ok(InviteRecord {
                        id: r.get(0)?,
                        created_at: r.get::<_, i64>(1)?.max(0) as u64,
                        expires_at: r.get::<_, i64>(2)?.max(0) as u64,
                        local_sdp: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Ids of invites not yet expired at `now`, oldest first.
    pub fn open_invites(&self, now: u64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM invites WHERE expires_at >= ?1 ORDER BY created_at, id")?;
        let ids = stmt
            .query_map(params![now as i64], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Every invite's id and expiry, expired ones included.
    pub fn all_invites(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, expires_at FROM invites ORDER BY created_at, id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Forgets an invite (after it was completed or burned).
    pub fn forget_invite(&self, id: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM invites WHERE id = ?1", params![id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_round_trip_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tincan.db");
        let record = InviteRecord {
            id: "00112233aabbccdd".into(),
            created_at: 10,
            expires_at: 100,
            local_sdp: "v=0".into(),
        };
        {
            let store = Store::open(&path).unwrap();
            store.save_invite(&record).unwrap();
            assert!(store.save_invite(&record).is_err(), "ids are unique");
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.invite(&record.id).unwrap(), Some(record.clone()));
        assert_eq!(store.open_invites(50).unwrap(), vec![record.id.clone()]);
        assert!(store.open_invites(101).unwrap().is_empty());
        store.forget_invite(&record.id).unwrap();
        assert_eq!(store.invite(&record.id).unwrap(), None);
    }
}
