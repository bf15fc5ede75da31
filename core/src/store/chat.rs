//! Conversations, messages and the outbox.
//!
//! Every change is one transaction, so a crash (`kill -9`, power loss: `synchronous =
//! FULL`) leaves either the old or the new state. The status bookkeeping on the way
//! (sent, delivered, receipts handed over, routes) skips the fsync: a power cut that
//! rolls it back only makes the outbox send again what the peer deduplicates. A message typed by the person is
//! "accepted" when [`Store::queue_outgoing`] returns: from then on it is in the outbox
//! until the peer acknowledges it, across restarts. A received message is acknowledged
//! only after [`Store::store_incoming`] committed it, and a repeat of the same id is
//! recognised and not stored twice.

use rusqlite::{params, OptionalExtension, Row};

use super::{Store, StoreError};
use crate::protect::keys::Role;

/// Where a message stands. Outgoing: queued → sent → delivered → read. Incoming:
/// received → read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MessageStatus {
    /// Written here, waiting for a connection.
    Queued,
    /// Handed to a live connection; not yet acknowledged.
    Sent,
    /// The peer stored it.
    Delivered,
    /// The person read it (ours: the peer told us; theirs: we marked it).
    Read,
    /// An incoming message not yet read here.
    Received,
}

impl MessageStatus {
    /// The word stored in the database (also fine to show).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Received => "received",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => Self::Queued,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "received" => Self::Received,
            other => return Err(StoreError::Corrupt(format!("message status {other:?}"))),
        })
    }
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Local order: increases with every stored message, so sorting by it is the
    /// display order of a conversation.
    pub seq: i64,
    /// The conversation.
    pub conversation: String,
    /// The sender's id for it (unique per conversation and direction).
    pub id: String,
    /// Written here (true) or by the peer.
    pub outgoing: bool,
    /// The text.
    pub text: String,
    /// The author's clock, Unix milliseconds.
    pub sent_at: u64,
    /// When this device stored it, Unix milliseconds.
    pub stored_at: u64,
    /// Where it stands.
    pub status: MessageStatus,
}

/// A conversation's durable facts (its secrets are in the secret store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    /// Hex id of the invite that started it.
    pub id: String,
    /// Whether we invited or joined (fixes the offer/answer roles on every reconnect).
    pub role: Role,
    /// The contact it belongs to, once identities were exchanged.
    pub contact: Option<String>,
    /// Unix seconds.
    pub created_at: u64,
    /// The peer's last known session description (SDP), for reconnecting.
    pub remote_sdp: String,
    /// The UDP port our side last used, reused so the peer's stored candidates stay
    /// valid after our restart.
    pub local_port: Option<u16>,
    /// Ended on purpose by either side: no reconnecting.
    pub closed: bool,
}

const MESSAGE_COLUMNS: &str =
    "seq, conversation_id, id, outgoing, text, sent_at, stored_at, status";

/// A conversation's outbox beyond `?2`.
const OUTBOX_AFTER_SQL: &str =
    "SELECT messages.seq, conversation_id, id, outgoing, text, sent_at, stored_at, status
     FROM outbox CROSS JOIN messages ON messages.seq = outbox.seq
     WHERE outbox.seq > ?2 AND messages.conversation_id = ?1 ORDER BY outbox.seq";

/// Owed read receipts; `receipt_pending = 1` as written is what lets SQLite use the
/// partial index of migration 3.
const PENDING_RECEIPTS_SQL: &str = "SELECT id FROM messages
     WHERE conversation_id = ?1 AND receipt_pending = 1 AND outgoing = 0 ORDER BY seq";

fn message_from_row(r: &Row<'_>) -> rusqlite::Result<(MessageRecord, String)> {
    let status: String = r.get(7)?;
    Ok((
        MessageRecord {
            seq: r.get(0)?,
            conversation: r.get(1)?,
            id: r.get(2)?,
            outgoing: r.get::<_, i64>(3)? != 0,
            text: r.get(4)?,
            sent_at: r.get::<_, i64>(5)?.max(0) as u64,
            stored_at: r.get::<_, i64>(6)?.max(0) as u64,
            status: MessageStatus::Received,
        },
        status,
    ))
}

fn finish(row: (MessageRecord, String)) -> Result<MessageRecord, StoreError> {
    let (mut record, status) = row;
    record.status = MessageStatus::parse(&status)?;
    Ok(record)
}

/// The local position of one of our messages, by the id the peer names it with.
fn outgoing_seq(
    conn: &rusqlite::Connection,
    conversation: &str,
    id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT seq FROM messages WHERE conversation_id = ?1 AND outgoing = 1 AND id = ?2",
        )?
        .query_row(params![conversation, id], |r| r.get(0))
        .optional()?)
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Inviter => "inviter",
        Role::Joiner => "joiner",
    }
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Records a new conversation (after the code exchange completed).
    pub fn add_conversation(&self, c: &ConversationRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO conversations (id, role, contact_id, created_at, remote_sdp, local_port, closed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET remote_sdp = excluded.remote_sdp,
                 local_port = excluded.local_port, closed = excluded.closed",
            params![
                c.id,
                role_str(c.role),
                c.contact,
                i64_of(c.created_at),
                c.remote_sdp,
                c.local_port,
                c.closed,
            ],
        )?;
        Ok(())
    }

    /// One conversation.
    pub fn conversation(&self, id: &str) -> Result<Option<ConversationRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, role, contact_id, created_at, remote_sdp, local_port, closed
                 FROM conversations WHERE id = ?1",
                params![id],
                conversation_from_row,
            )
            .optional()?;
        row.map(finish_conversation).transpose()
    }

    /// Every conversation, oldest first.
    pub fn conversations(&self) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, role, contact_id, created_at, remote_sdp, local_port, closed
             FROM conversations ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], conversation_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish_conversation).collect()
    }

    /// Remembers where the peer was last reachable and which port we used.
    /// Not synced: an older route after a power cut costs one more attempt.
    pub fn update_route(
        &mut self,
        id: &str,
        remote_sdp: &str,
        local_port: Option<u16>,
    ) -> Result<(), StoreError> {
        self.without_fsync(|conn| {
            conn.execute(
                "UPDATE conversations SET remote_sdp = ?2, local_port = COALESCE(?3, local_port)
                 WHERE id = ?1",
                params![id, remote_sdp, local_port],
            )?;
            Ok(())
        })
    }

    /// Links a conversation to its contact.
    pub fn set_conversation_contact(&self, id: &str, contact: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE conversations SET contact_id = ?2 WHERE id = ?1",
            params![id, contact],
        )?;
        Ok(())
    }

    /// Marks a conversation as ended on purpose (no more reconnecting).
    pub fn close_conversation(&self, id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE conversations SET closed = 1 WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }

    /// Accepts a message the person wrote: stored and put in the outbox in one
    /// transaction. From here on it is never lost.
    pub fn queue_outgoing(
        &mut self,
        conversation: &str,
        id: &str,
        text: &str,
        now_ms: u64,
    ) -> Result<MessageRecord, StoreError> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO messages (conversation_id, id, outgoing, text, sent_at, stored_at, status)
             VALUES (?1, ?2, 1, ?3, ?4, ?4, 'queued')",
        )?
        .execute(params![conversation, id, text, i64_of(now_ms)])?;
        let seq = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO outbox (seq) VALUES (?1)")?
            .execute(params![seq])?;
        tx.commit()?;
        Ok(MessageRecord {
            seq,
            conversation: conversation.to_owned(),
            id: id.to_owned(),
            outgoing: true,
            text: text.to_owned(),
            sent_at: now_ms,
            stored_at: now_ms,
            status: MessageStatus::Queued,
        })
    }

    /// What still waits for the peer's acknowledgement, in the order it was written.
    pub fn outbox(&self, conversation: &str) -> Result<Vec<MessageRecord>, StoreError> {
        self.outbox_after(conversation, 0)
    }

    /// The outbox beyond `after_seq` (what a live connection has not carried yet). Reads
    /// the outbox first (`CROSS JOIN` fixes that order), so its cost follows the
    /// outbox, not the whole history.
    pub fn outbox_after(
        &self,
        conversation: &str,
        after_seq: i64,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        self.select_messages(OUTBOX_AFTER_SQL, params![conversation, after_seq])
    }

    /// How many messages wait in a conversation's outbox.
    pub fn outbox_count(&self, conversation: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM outbox JOIN messages USING (seq) WHERE conversation_id = ?1",
            params![conversation],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Notes that a queued message was handed to a live connection. Not synced: the
    /// message stays in the outbox until acknowledged either way.
    pub fn mark_sent(&mut self, conversation: &str, id: &str) -> Result<(), StoreError> {
        self.without_fsync(|conn| {
            conn.prepare_cached(
                "UPDATE messages SET status = 'sent'
                 WHERE conversation_id = ?1 AND outgoing = 1 AND id = ?2 AND status = 'queued'",
            )?
            .execute(params![conversation, id])?;
            Ok(())
        })
    }

    /// The peer acknowledged one of our messages: out of the outbox. Returns whether
    /// this changed anything (a repeated ack does not). Not synced: rolled back by a
    /// power cut, the message goes out again and the peer acknowledges the repeat.
    pub fn mark_delivered(&mut self, conversation: &str, id: &str) -> Result<bool, StoreError> {
        self.without_fsync(|conn| {
            let tx = conn.transaction()?;
            let Some(seq) = outgoing_seq(&tx, conversation, id)? else {
                return Ok(false);
            };
            let removed = tx
                .prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                .execute(params![seq])?;
            tx.prepare_cached(
                "UPDATE messages SET status = 'delivered' WHERE seq = ?1 AND status IN ('queued', 'sent')",
            )?
            .execute(params![seq])?;
            tx.commit()?;
            Ok(removed > 0)
        })
    }

    /// The peer read our messages with these ids. Returns the ids that changed.
    pub fn mark_read_by_peer(
        &mut self,
        conversation: &str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = Vec::new();
        for id in ids {
            let Some(seq) = outgoing_seq(&tx, conversation, id)? else {
                continue;
            };
            // Reading implies delivery: the ack may have been lost.
            tx.execute("DELETE FROM outbox WHERE seq = ?1", params![seq])?;
            if tx.execute(
                "UPDATE messages SET status = 'read' WHERE seq = ?1 AND status != 'read'",
                params![seq],
            )? > 0
            {
                changed.push(id.clone());
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Stores a message from the peer. `None` when this conversation already has a
    /// message with that id from the peer (a resend after a reconnect): acknowledge it
    /// again, but don't show it twice.
    pub fn store_incoming(
        &self,
        conversation: &str,
        id: &str,
        text: &str,
        sent_at: u64,
        now_ms: u64,
    ) -> Result<Option<MessageRecord>, StoreError> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO messages
                     (conversation_id, id, outgoing, text, sent_at, stored_at, status)
                 VALUES (?1, ?2, 0, ?3, ?4, ?5, 'received')",
            )?
            .execute(params![
                conversation,
                id,
                text,
                i64_of(sent_at),
                i64_of(now_ms)
            ])?;
        if inserted == 0 {
            return Ok(None);
        }
        Ok(Some(MessageRecord {
            seq: self.conn.last_insert_rowid(),
            conversation: conversation.to_owned(),
            id: id.to_owned(),
            outgoing: false,
            text: text.to_owned(),
            sent_at,
            stored_at: now_ms,
            status: MessageStatus::Received,
        }))
    }

    /// The person read the peer's messages up to and including `up_to_seq`: marks
    /// them read and notes that a read receipt is owed. Returns their ids.
    pub fn mark_read_here(
        &mut self,
        conversation: &str,
        up_to_seq: i64,
    ) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.transaction()?;
        let ids = {
            let mut stmt = tx.prepare_cached(
                "SELECT id FROM messages INDEXED BY messages_unread
                 WHERE conversation_id = ?1 AND outgoing = 0
                 AND status = 'received' AND seq <= ?2 ORDER BY seq",
            )?;
            let ids = stmt
                .query_map(params![conversation, up_to_seq], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            ids
        };
        if ids.is_empty() {
            // Nothing unread: no write, so no synced commit on every arriving message.
            return Ok(ids);
        }
        tx.execute(
            "UPDATE messages INDEXED BY messages_unread SET status = 'read', receipt_pending = 1
             WHERE conversation_id = ?1 AND outgoing = 0 AND status = 'received' AND seq <= ?2",
            params![conversation, up_to_seq],
        )?;
        tx.commit()?;
        Ok(ids)
    }

    /// Read receipts not yet sent to the peer.
    pub fn pending_receipts(&self, conversation: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(PENDING_RECEIPTS_SQL)?;
        let ids = stmt
            .query_map(params![conversation], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// The peer has these read receipts. Not synced: rolled back, they are sent again
    /// and a repeated receipt changes nothing on the other side.
    pub fn receipts_sent(&mut self, conversation: &str, ids: &[String]) -> Result<(), StoreError> {
        self.without_fsync(|conn| {
            let tx = conn.transaction()?;
            for id in ids {
                tx.execute(
                    "UPDATE messages SET receipt_pending = 0
                     WHERE conversation_id = ?1 AND outgoing = 0 AND id = ?2",
                    params![conversation, id],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// A page of history in display order: up to `limit` messages before `before_seq`
    /// (or the newest ones), oldest first. Page back by passing the first `seq`.
    pub fn history(
        &self,
        conversation: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let mut page = self.select_messages(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages
                 WHERE conversation_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ),
            params![conversation, before_seq.unwrap_or(i64::MAX), limit],
        )?;
        page.reverse();
        Ok(page)
    }

    /// One message by its local sequence number.
    pub fn message_by_seq(&self, seq: i64) -> Result<Option<MessageRecord>, StoreError> {
        Ok(self
            .select_messages(
                &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE seq = ?1"),
                params![seq],
            )?
            .pop())
    }

    /// One message by conversation, direction and id.
    pub fn message(
        &self,
        conversation: &str,
        outgoing: bool,
        id: &str,
    ) -> Result<Option<MessageRecord>, StoreError> {
        Ok(self
            .select_messages(
                &format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages
                     WHERE conversation_id = ?1 AND outgoing = ?2 AND id = ?3"
                ),
                params![conversation, outgoing, id],
            )?
            .pop())
    }

    fn select_messages(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(params, message_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish).collect()
    }
}

type ConversationRow = (
    String,
    String,
    Option<String>,
    i64,
    String,
    Option<i64>,
    bool,
);

fn conversation_from_row(r: &Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get::<_, i64>(6)? != 0,
    ))
}

fn finish_conversation(row: ConversationRow) -> Result<ConversationRecord, StoreError> {
    let (id, role, contact, created_at, remote_sdp, local_port, closed) = row;
    let role = match role.as_str() {
        "inviter" => Role::Inviter,
        "joiner" => Role::Joiner,
        other => return Err(StoreError::Corrupt(format!("conversation role {other:?}"))),
    };
    Ok(ConversationRecord {
        id,
        role,
        contact,
        created_at: created_at.max(0) as u64,
        remote_sdp,
        local_port: local_port.and_then(|p| u16::try_from(p).ok()),
        closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(id: &str) -> ConversationRecord {
        ConversationRecord {
            id: id.into(),
            role: Role::Inviter,
            contact: None,
            created_at: 1,
            remote_sdp: "v=0".into(),
            local_port: Some(40000),
            closed: false,
        }
    }

    fn ids(records: &[MessageRecord]) -> Vec<&str> {
        records.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn outbox_keeps_messages_until_acked_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tincan.db");
        {
            let mut store = Store::open(&path).unwrap();
            store.add_conversation(&conversation("c1")).unwrap();
            store.queue_outgoing("c1", "m1", "one", 10).unwrap();
            store.queue_outgoing("c1", "m2", "two", 11).unwrap();
            store.mark_sent("c1", "m1").unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let outbox = store.outbox("c1").unwrap();
        assert_eq!(ids(&outbox), ["m1", "m2"]);
        assert_eq!(outbox[0].status, MessageStatus::Sent);
        assert_eq!(outbox[1].status, MessageStatus::Queued);
        assert!(store.mark_delivered("c1", "m1").unwrap());
        assert!(
            !store.mark_delivered("c1", "m1").unwrap(),
            "a repeated ack changes nothing"
        );
        assert!(!store.mark_delivered("c1", "nope").unwrap());
        assert_eq!(ids(&store.outbox("c1").unwrap()), ["m2"]);
        assert_eq!(store.outbox_count("c1").unwrap(), 1);
        assert_eq!(
            store.message("c1", true, "m1").unwrap().unwrap().status,
            MessageStatus::Delivered
        );
        // A read receipt implies delivery even if the ack was lost.
        let changed = store.mark_read_by_peer("c1", &["m2".into()]).unwrap();
        assert_eq!(changed, ["m2"]);
        assert_eq!(store.outbox_count("c1").unwrap(), 0);
    }

    #[test]
    fn bookkeeping_skips_fsync_and_leaves_full_sync_for_what_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tincan.db");
        {
            let mut store = Store::open(&path).unwrap();
            assert!(
                store.syncs_fully(),
                "accepting a message must wait for the disk"
            );
            store.add_conversation(&conversation("c1")).unwrap();
            store.queue_outgoing("c1", "m1", "one", 10).unwrap();
            store.mark_sent("c1", "m1").unwrap();
            assert!(store.syncs_fully(), "restored after mark_sent");
            store.update_route("c1", "v=1", Some(40001)).unwrap();
            assert!(store.syncs_fully(), "restored after update_route");
            assert!(store.mark_delivered("c1", "m1").unwrap());
            assert!(!store.mark_delivered("c1", "unknown").unwrap());
            assert!(
                store.syncs_fully(),
                "restored after mark_delivered, also on its early return"
            );
            store.receipts_sent("c1", &["x".into()]).unwrap();
            assert!(store.syncs_fully(), "restored after receipts_sent");
        }
        // The unsynced commits are commits all the same: a reopened store has them.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.outbox_count("c1").unwrap(), 0);
        assert_eq!(
            store.message("c1", true, "m1").unwrap().unwrap().status,
            MessageStatus::Delivered
        );
        let record = store.conversation("c1").unwrap().unwrap();
        assert_eq!(
            (record.remote_sdp.as_str(), record.local_port),
            ("v=1", Some(40001))
        );
    }

    #[test]
    fn outbox_after_skips_what_a_link_carried_and_other_conversations() {
        let mut store = Store::in_memory().unwrap();
        store.add_conversation(&conversation("c1")).unwrap();
        store.add_conversation(&conversation("c2")).unwrap();
        let first = store.queue_outgoing("c1", "m1", "one", 10).unwrap();
        store.queue_outgoing("c2", "x1", "other", 11).unwrap();
        store.queue_outgoing("c1", "m2", "two", 12).unwrap();
        assert_eq!(ids(&store.outbox_after("c1", 0).unwrap()), ["m1", "m2"]);
        assert_eq!(ids(&store.outbox_after("c1", first.seq).unwrap()), ["m2"]);
        assert_eq!(ids(&store.outbox("c2").unwrap()), ["x1"]);
    }

    #[test]
    fn per_message_lookups_use_indexes_not_the_whole_history() {
        let store = Store::in_memory().unwrap();
        let plan = |sql: &str| -> String {
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            // ?1 is the conversation, ?2 (where there is one) a sequence number.
            let values: [&dyn rusqlite::ToSql; 2] = [&"c1", &0];
            let bound = &values[..stmt.parameter_count()];
            let rows = stmt
                .query_map(bound, |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            rows.join("; ")
        };
        let receipts = plan(PENDING_RECEIPTS_SQL);
        assert!(receipts.contains("messages_receipt_pending"), "{receipts}");
        let outbox = plan(OUTBOX_AFTER_SQL);
        assert!(outbox.starts_with("SEARCH outbox"), "{outbox}");
        assert!(outbox.contains("INTEGER PRIMARY KEY"), "{outbox}");
    }

    #[test]
    fn incoming_duplicates_are_recognised_per_conversation() {
        let store = Store::in_memory().unwrap();
        store.add_conversation(&conversation("c1")).unwrap();
        store.add_conversation(&conversation("c2")).unwrap();
        assert!(store
            .store_incoming("c1", "x", "hi", 5, 6)
            .unwrap()
            .is_some());
        assert!(store
            .store_incoming("c1", "x", "hi", 5, 7)
            .unwrap()
            .is_none());
        // The same id in another conversation is another message.
        assert!(store
            .store_incoming("c2", "x", "hi", 5, 8)
            .unwrap()
            .is_some());
        assert_eq!(store.history("c1", None, 10).unwrap().len(), 1);
    }

    #[test]
    fn history_pages_backwards_in_display_order() {
        let mut store = Store::in_memory().unwrap();
        store.add_conversation(&conversation("c1")).unwrap();
        for i in 0..25 {
            if i % 2 == 0 {
                store
                    .queue_outgoing("c1", &format!("o{i}"), "t", i)
                    .unwrap();
            } else {
                store
                    .store_incoming("c1", &format!("i{i}"), "t", i, i)
                    .unwrap();
            }
        }
        let newest = store.history("c1", None, 10).unwrap();
        assert_eq!(newest.len(), 10);
        assert_eq!(newest.first().unwrap().id, "i15");
        assert_eq!(newest.last().unwrap().id, "o24");
        let older = store.history("c1", Some(newest[0].seq), 10).unwrap();
        assert_eq!(older.first().unwrap().id, "i5");
        assert_eq!(older.last().unwrap().id, "o14");
        let oldest = store.history("c1", Some(older[0].seq), 10).unwrap();
        assert_eq!(oldest.len(), 5);
        assert!(store
            .history("c1", Some(oldest[0].seq), 10)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn read_receipts_are_owed_until_sent() {
        let mut store = Store::in_memory().unwrap();
        store.add_conversation(&conversation("c1")).unwrap();
        let a = store.store_incoming("c1", "a", "1", 1, 1).unwrap().unwrap();
        let b = store.store_incoming("c1", "b", "2", 2, 2).unwrap().unwrap();
        assert_eq!(store.mark_read_here("c1", a.seq).unwrap(), ["a"]);
        assert_eq!(store.pending_receipts("c1").unwrap(), ["a"]);
        assert_eq!(store.mark_read_here("c1", b.seq).unwrap(), ["b"]);
        store
            .receipts_sent("c1", &["a".into(), "b".into()])
            .unwrap();
        assert!(store.pending_receipts("c1").unwrap().is_empty());
    }

    #[test]
    fn conversations_round_trip_and_remember_routes() {
        let mut store = Store::in_memory().unwrap();
        store.add_conversation(&conversation("c1")).unwrap();
        store.update_route("c1", "v=1", Some(40001)).unwrap();
        store.close_conversation("c1").unwrap();
        let c = store.conversation("c1").unwrap().unwrap();
        assert_eq!(c.remote_sdp, "v=1");
        assert_eq!(c.local_port, Some(40001));
        assert!(c.closed);
        assert_eq!(store.conversations().unwrap().len(), 1);
        assert!(store.conversation("zz").unwrap().is_none());
    }
}
