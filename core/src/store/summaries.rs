//! One row per conversation for a conversation list: its newest message, how many
//! incoming messages are unread and how many of ours wait in the outbox, read in one
//! pass so opening an app with hundreds of conversations stays fast.

use rusqlite::params;

use super::chat::MessageRecord;
use super::{Store, StoreError};

/// What a conversation list shows of one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The conversation's id.
    pub id: String,
    /// Its newest message, if any.
    pub last: Option<MessageRecord>,
    /// Incoming messages not read here.
    pub unread: u32,
    /// Our messages the peer has not acknowledged.
    pub outbox: u64,
}

impl Store {
    /// Summaries of every conversation, in no particular order.
    pub fn conversation_summaries(&self) -> Result<Vec<ConversationSummary>, StoreError> {
        // `INDEXED BY` pins the partial index of unread messages (migration 5): the
        // planner otherwise prefers the wider conversation index and reads every row.
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id,
                (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = c.id),
                (SELECT COUNT(*) FROM messages m INDEXED BY messages_unread
                    WHERE m.conversation_id = c.id AND m.outgoing = 0 AND m.status = 'received'),
                (SELECT COUNT(*) FROM outbox o CROSS JOIN messages m ON m.seq = o.seq
                    WHERE m.conversation_id = c.id)
             FROM conversations c",
        )?;
        let rows = stmt
            .query_map(params![], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, last_seq, unread, outbox) in rows {
            let last = match last_seq {
                Some(seq) => self.message_by_seq(seq)?,
                None => None,
            };
            out.push(ConversationSummary {
                id,
                last,
                unread: u32::try_from(unread).unwrap_or(u32::MAX),
                outbox: u64::try_from(outbox).unwrap_or(0),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn plan(store: &Store, sql: &str) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        rows.join("\n")
    }

    #[test]
    fn list_and_page_reads_use_indexes_not_scans() {
        let store = Store::in_memory().unwrap();
        let newest = plan(
            &store,
            "SELECT MAX(seq) FROM messages WHERE conversation_id = 'x'",
        );
        assert!(newest.contains("messages_by_conversation"), "{newest}");
        let unread = plan(
            &store,
            "SELECT COUNT(*) FROM messages INDEXED BY messages_unread
             WHERE conversation_id = 'x' AND outgoing = 0 AND status = 'received'",
        );
        assert!(unread.contains("messages_unread"), "{unread}");
        let page = plan(
            &store,
            "SELECT seq FROM messages WHERE conversation_id = 'x' AND seq < 10
             ORDER BY seq DESC LIMIT 50",
        );
        assert!(page.contains("messages_by_conversation"), "{page}");
        assert!(!page.contains("TEMP B-TREE"), "{page}");
    }
}
