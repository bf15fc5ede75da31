//! Group rooms as the database keeps them (issue #15): membership operations and
//! posts exactly as signed (`room/codec.rs`), so they can be checked again and sent
//! on as they are.

use rusqlite::params;

use super::{Store, StoreError};

fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Notes a room this device is in (again: nothing changes).
    pub fn add_room(&mut self, id: &str, now: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO rooms (id, joined_at) VALUES (?1, ?2)",
            params![id, secs(now)],
        )?;
        Ok(())
    }

    /// Every room this device is in.
    pub fn room_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM rooms ORDER BY joined_at, id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Keeps a membership operation (a repeat changes nothing).
    pub fn add_room_op(
        &mut self,
        room: &str,
        hash: &[u8; 32],
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO room_ops (room, hash, bytes) VALUES (?1, ?2, ?3)",
            params![room, hash.to_vec(), bytes],
        )?;
        Ok(())
    }

    /// A room's operations, as stored.
    pub fn room_ops(&self, room: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT bytes FROM room_ops WHERE room = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![room], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Keeps a post (a repeat changes nothing).
    pub fn add_room_post(
        &mut self,
        room: &str,
        author: &[u8; 32],
        seq: u64,
        bytes: &[u8],
        now: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO room_posts (room, author, seq, bytes, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![room, author.to_vec(), secs(seq), bytes, secs(now)],
        )?;
        Ok(())
    }

    /// A room's posts, as stored, in the order they arrived.
    pub fn room_posts(&self, room: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT bytes FROM room_posts WHERE room = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![room], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// When each of a room's posts arrived here (author key, seq, unix seconds), in
    /// the order they arrived: posts carry no time of their own, and an app lists
    /// them in the order this device saw them.
    pub fn room_post_arrivals(&self, room: &str) -> Result<Vec<(Vec<u8>, u64, u64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT author, seq, received_at FROM room_posts WHERE room = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![room], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_ops_and_posts_are_kept_once() {
        let mut store = Store::in_memory().unwrap();
        store.add_room("r", 1).unwrap();
        store.add_room("r", 2).unwrap();
        assert_eq!(store.room_ids().unwrap(), vec!["r"]);
        store.add_room_op("r", &[1; 32], b"op").unwrap();
        store.add_room_op("r", &[1; 32], b"op").unwrap();
        store.add_room_post("r", &[2; 32], 1, b"post", 3).unwrap();
        store.add_room_post("r", &[2; 32], 1, b"post", 4).unwrap();
        assert_eq!(store.room_ops("r").unwrap().len(), 1);
        assert_eq!(store.room_posts("r").unwrap(), vec![b"post".to_vec()]);
    }
}
