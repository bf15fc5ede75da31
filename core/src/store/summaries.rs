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
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id,
                (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = c.id),
                (SELECT COUNT(*) FROM messages m
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
                Some(seq) => self.history(&id, Some(seq + 1), 1)?.pop(),
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
