//! Letters this device holds for an offline contact (issue #15): sealed bytes with
//! who they came from, whom they are for, when, and the size — nothing else.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// How much one holder keeps: per recipient and in all, by count and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldLimits {
    /// Letters for one recipient.
    pub per_recipient: usize,
    /// Bytes for one recipient.
    pub per_recipient_bytes: u64,
    /// Letters in all.
    pub total: usize,
    /// Bytes in all.
    pub total_bytes: u64,
}

impl Default for HoldLimits {
    fn default() -> Self {
        Self {
            per_recipient: 100,
            per_recipient_bytes: 1 << 20,
            total: 1000,
            total_bytes: 10 << 20,
        }
    }
}

/// One letter held, as the holder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLetter {
    /// The message id.
    pub id: String,
    /// The recipient's identity key.
    pub to_key: [u8; 32],
    /// The conversation it came through (its author).
    pub from_conversation: String,
    /// The sealed letter.
    pub sealed: Vec<u8>,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
}

/// Why a letter was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldOutcome {
    /// Kept (or already held).
    Kept,
    /// Over a limit: not kept.
    Full,
}

fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Keeps a letter within `limits` (a repeat is `Kept` and changes nothing).
    pub fn hold_letter(
        &mut self,
        letter: &HeldLetter,
        limits: HoldLimits,
        now: u64,
    ) -> Result<HoldOutcome, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM held_letters WHERE expires_at <= ?1",
            params![secs(now)],
        )?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM held_letters WHERE id = ?1 AND to_key = ?2",
                params![letter.id, letter.to_key.to_vec()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            tx.commit()?;
            return Ok(HoldOutcome::Kept);
        }
        let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<(i64, i64), StoreError> {
            Ok(tx.query_row(sql, p, |r| Ok((r.get(0)?, r.get(1)?)))?)
        };
        let size = letter.sealed.len() as u64;
        let (mine, mine_bytes) = count(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM held_letters WHERE to_key = ?1",
            &[&letter.to_key.to_vec()],
        )?;
        let (all, all_bytes) = count(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM held_letters",
            &[],
        )?;
        let over = mine as usize >= limits.per_recipient
            || mine_bytes as u64 + size > limits.per_recipient_bytes
            || all as usize >= limits.total
            || all_bytes as u64 + size > limits.total_bytes;
        if over {
            tx.commit()?;
            return Ok(HoldOutcome::Full);
        }
        tx.execute(
            "INSERT INTO held_letters
                (id, to_key, from_conversation, sealed, size, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                letter.id,
                letter.to_key.to_vec(),
                letter.from_conversation,
                letter.sealed,
                secs(size),
                secs(letter.created_at),
                secs(letter.expires_at)
            ],
        )?;
        tx.commit()?;
        Ok(HoldOutcome::Kept)
    }

    /// The letters held for `to_key` that have not expired, oldest first.
    pub fn letters_for(&self, to_key: &[u8; 32], now: u64) -> Result<Vec<HeldLetter>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, from_conversation, sealed, created_at, expires_at FROM held_letters
             WHERE to_key = ?1 AND expires_at > ?2 ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map(params![to_key.to_vec(), secs(now)], |r| {
            Ok(HeldLetter {
                id: r.get(0)?,
                to_key: *to_key,
                from_conversation: r.get(1)?,
                sealed: r.get(2)?,
                created_at: r.get::<_, i64>(3)?.max(0) as u64,
                expires_at: r.get::<_, i64>(4)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The recipient has the letter: forget it.
    pub fn letter_delivered(&mut self, id: &str, to_key: &[u8; 32]) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM held_letters WHERE id = ?1 AND to_key = ?2",
            params![id, to_key.to_vec()],
        )?;
        Ok(())
    }

    /// How many letters are held, and their bytes.
    pub fn held_totals(&self) -> Result<(usize, u64), StoreError> {
        let (n, bytes): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM held_letters",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((n.max(0) as usize, bytes.max(0) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protect::keys::Role;
    use crate::store::ConversationRecord;

    fn letter(id: &str, to: u8, size: usize, expires_at: u64) -> HeldLetter {
        HeldLetter {
            id: id.into(),
            to_key: [to; 32],
            from_conversation: "ben".into(),
            sealed: vec![0; size],
            created_at: 1,
            expires_at,
        }
    }

    #[test]
    fn letters_are_bounded_per_recipient_and_in_all_and_leave_when_delivered_or_old() {
        let mut store = Store::in_memory().unwrap();
        store
            .add_conversation(&ConversationRecord {
                id: "ben".into(),
                role: Role::Inviter,
                contact: None,
                created_at: 1,
                remote_sdp: String::new(),
                local_port: None,
                closed: false,
            })
            .unwrap();
        let limits = HoldLimits {
            per_recipient: 2,
            per_recipient_bytes: 250,
            total: 3,
            total_bytes: 1000,
        };
        let keep = |s: &mut Store, l: HeldLetter| s.hold_letter(&l, limits, 10).unwrap();
        assert_eq!(
            keep(&mut store, letter("a", 1, 100, 100)),
            HoldOutcome::Kept
        );
        assert_eq!(
            keep(&mut store, letter("a", 1, 100, 100)),
            HoldOutcome::Kept
        );
        assert_eq!(
            store.held_totals().unwrap(),
            (1, 100),
            "a repeat is kept once"
        );
        assert_eq!(
            keep(&mut store, letter("b", 1, 200, 100)),
            HoldOutcome::Full
        );
        assert_eq!(
            keep(&mut store, letter("b", 1, 100, 100)),
            HoldOutcome::Kept
        );
        assert_eq!(keep(&mut store, letter("c", 1, 10, 100)), HoldOutcome::Full);
        assert_eq!(keep(&mut store, letter("c", 2, 10, 20)), HoldOutcome::Kept);
        assert_eq!(keep(&mut store, letter("d", 3, 10, 100)), HoldOutcome::Full);
        assert_eq!(store.letters_for(&[1; 32], 10).unwrap().len(), 2);
        store.letter_delivered("a", &[1; 32]).unwrap();
        assert_eq!(store.letters_for(&[1; 32], 10).unwrap()[0].id, "b");
        // Old ones are not handed over and make room.
        assert!(store.letters_for(&[2; 32], 20).unwrap().is_empty());
        assert_eq!(
            store
                .hold_letter(&letter("d", 3, 10, 100), limits, 20)
                .unwrap(),
            HoldOutcome::Kept
        );
    }
}
