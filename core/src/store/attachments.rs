//! Files and photos carried by messages: what was offered, how far it got, where it
//! is. The message row (and the outbox) carries the offer exactly like a text, so an
//! attachment survives restarts and offline spells the same way; this table holds
//! what only files have.

use rusqlite::{params, Row};

use super::{Store, StoreError};

/// Where an attachment is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileState {
    /// Offered; the receiver has not started (outgoing), or is too large to fetch
    /// without the person's yes (incoming).
    Offered,
    /// Accepted: bytes are wanted, and flow whenever the link is up.
    Accepted,
    /// Every byte arrived and the hash matched (incoming), or the receiver said so
    /// (outgoing).
    Complete,
    /// The receiver said no.
    Declined,
    /// Given up; `error` says why. No partial file is left behind.
    Failed,
}

impl FileState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::Accepted => "accepted",
            Self::Complete => "complete",
            Self::Declined => "declined",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "offered" => Self::Offered,
            "accepted" => Self::Accepted,
            "complete" => Self::Complete,
            "declined" => Self::Declined,
            "failed" => Self::Failed,
            other => return Err(StoreError::Corrupt(format!("attachment state {other:?}"))),
        })
    }

    /// Nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Complete | Self::Declined | Self::Failed)
    }
}

/// One attachment, with the message that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    /// The carrying message's local sequence number.
    pub seq: i64,
    /// The conversation.
    pub conversation: String,
    /// The carrying message's id (also the transfer's id on the wire).
    pub id: String,
    /// We send it.
    pub outgoing: bool,
    /// The name the sender gave (shown as given; stored under a safe version of it).
    pub name: String,
    /// Media type, e.g. `image/jpeg`.
    pub mime: String,
    /// Bytes.
    pub size: u64,
    /// BLAKE3 of the content, hex.
    pub hash: String,
    /// Outgoing: the file read from. Incoming: where the complete file is.
    pub path: Option<String>,
    /// Outgoing: the source's modification time (ms) when hashed: a changed file is
    /// never sent under the old hash.
    pub source_mtime: Option<i64>,
    /// A small JPEG preview of a photo (made by the sender, checked by the receiver).
    pub preview: Option<Vec<u8>>,
    /// Where it is.
    pub state: FileState,
    /// Bytes known to have arrived (coarse: updated on state changes).
    pub done_bytes: u64,
    /// Why it failed or was declined.
    pub error: Option<String>,
    /// The peer still has to be told of a decline or failure decided here.
    pub tell_peer: bool,
}

/// What a new outgoing attachment needs besides its message.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Shown name.
    pub name: String,
    /// Media type.
    pub mime: String,
    /// Bytes.
    pub size: u64,
    /// BLAKE3 hex.
    pub hash: String,
    /// Outgoing: the file to read; incoming: none yet.
    pub path: Option<String>,
    /// Outgoing: modification time of `path` (ms).
    pub source_mtime: Option<i64>,
    /// Photo preview.
    pub preview: Option<Vec<u8>>,
}

const COLUMNS: &str = "a.seq, m.conversation_id, m.id, m.outgoing, a.name, a.mime, a.size,
    a.hash, a.path, a.source_mtime, a.preview, a.state, a.done_bytes, a.error, a.tell_peer";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(AttachmentRecord, String)> {
    let state: String = r.get(11)?;
    Ok((
        AttachmentRecord {
            seq: r.get(0)?,
            conversation: r.get(1)?,
            id: r.get(2)?,
            outgoing: r.get::<_, i64>(3)? != 0,
            name: r.get(4)?,
            mime: r.get(5)?,
            size: r.get::<_, i64>(6)?.max(0) as u64,
            hash: r.get(7)?,
            path: r.get(8)?,
            source_mtime: r.get(9)?,
            preview: r.get(10)?,
            state: FileState::Offered,
            done_bytes: r.get::<_, i64>(12)?.max(0) as u64,
            error: r.get(13)?,
            tell_peer: r.get::<_, i64>(14)? != 0,
        },
        state,
    ))
}

fn finish((mut record, state): (AttachmentRecord, String)) -> Result<AttachmentRecord, StoreError> {
    record.state = FileState::parse(&state)?;
    Ok(record)
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Accepts a file the person sends: its message, outbox entry and attachment in
    /// one transaction.
    pub fn queue_attachment(
        &mut self,
        conversation: &str,
        id: &str,
        file: &NewAttachment,
        now_ms: u64,
    ) -> Result<AttachmentRecord, StoreError> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO messages (conversation_id, id, outgoing, text, sent_at, stored_at, status)
             VALUES (?1, ?2, 1, '', ?3, ?3, 'queued')",
        )?
        .execute(params![conversation, id, i64_of(now_ms)])?;
        let seq = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO outbox (seq) VALUES (?1)")?
            .execute(params![seq])?;
        insert(&tx, seq, file, FileState::Offered)?;
        tx.commit()?;
        self.attachment_by_seq(seq)?
            .ok_or_else(|| StoreError::Corrupt("attachment vanished".into()))
    }

    /// Stores a file offer from the peer (its message too). `None` when already
    /// stored (a resend): acknowledge again, show once.
    pub fn store_incoming_attachment(
        &mut self,
        conversation: &str,
        id: &str,
        file: &NewAttachment,
        state: FileState,
        sent_at: u64,
        now_ms: u64,
    ) -> Result<Option<AttachmentRecord>, StoreError> {
        let tx = self.conn.transaction()?;
        let inserted = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO messages
                     (conversation_id, id, outgoing, text, sent_at, stored_at, status)
                 VALUES (?1, ?2, 0, '', ?3, ?4, 'received')",
            )?
            .execute(params![conversation, id, i64_of(sent_at), i64_of(now_ms)])?;
        if inserted == 0 {
            return Ok(None);
        }
        let seq = tx.last_insert_rowid();
        insert(&tx, seq, file, state)?;
        tx.commit()?;
        self.attachment_by_seq(seq)
    }

    /// One attachment by its message's local sequence number.
    pub fn attachment_by_seq(&self, seq: i64) -> Result<Option<AttachmentRecord>, StoreError> {
        self.select_attachments(
            &format!(
                "SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.seq = a.seq
                 WHERE a.seq = ?1"
            ),
            params![seq],
        )
        .map(|mut v| v.pop())
    }

    /// One attachment by conversation, direction and id.
    pub fn attachment(
        &self,
        conversation: &str,
        outgoing: bool,
        id: &str,
    ) -> Result<Option<AttachmentRecord>, StoreError> {
        self.select_attachments(
            &format!(
                "SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.seq = a.seq
                 WHERE m.conversation_id = ?1 AND m.outgoing = ?2 AND m.id = ?3"
            ),
            params![conversation, outgoing, id],
        )
        .map(|mut v| v.pop())
    }

    /// A conversation's attachments that are not finished yet, oldest first.
    pub fn open_attachments(
        &self,
        conversation: &str,
    ) -> Result<Vec<AttachmentRecord>, StoreError> {
        self.select_attachments(
            &format!(
                "SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.seq = a.seq
                 WHERE m.conversation_id = ?1
                 AND (a.state IN ('offered', 'accepted') OR a.tell_peer = 1)
                 ORDER BY a.seq"
            ),
            params![conversation],
        )
    }

    /// The attachments of the given messages (for showing a page of history).
    pub fn attachments_in(
        &self,
        conversation: &str,
        from_seq: i64,
        to_seq: i64,
    ) -> Result<Vec<AttachmentRecord>, StoreError> {
        self.select_attachments(
            &format!(
                "SELECT {COLUMNS} FROM attachments a JOIN messages m ON m.seq = a.seq
                 WHERE m.conversation_id = ?1 AND a.seq BETWEEN ?2 AND ?3 ORDER BY a.seq"
            ),
            params![conversation, from_seq, to_seq],
        )
    }

    /// Moves an attachment on: new state, progress, where it is, why it stopped, and
    /// whether the peer must still be told.
    pub fn update_attachment(
        &mut self,
        seq: i64,
        change: &AttachmentChange,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE attachments SET state = ?2, done_bytes = ?3,
                     path = COALESCE(?4, path), error = ?5, tell_peer = ?6
                 WHERE seq = ?1",
            )?
            .execute(params![
                seq,
                change.state.as_str(),
                i64_of(change.done_bytes),
                change.path,
                change.error,
                change.tell_peer
            ])?;
        Ok(())
    }

    fn select_attachments(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<AttachmentRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(params, from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish).collect()
    }
}

/// A state change of one attachment.
#[derive(Debug, Clone)]
pub struct AttachmentChange {
    /// The new state.
    pub state: FileState,
    /// Bytes known to have arrived.
    pub done_bytes: u64,
    /// Where the complete file now is (incoming); `None` keeps the stored path.
    pub path: Option<String>,
    /// Why it failed or was declined.
    pub error: Option<String>,
    /// The peer still has to be told.
    pub tell_peer: bool,
}

fn insert(
    tx: &rusqlite::Transaction<'_>,
    seq: i64,
    file: &NewAttachment,
    state: FileState,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO attachments (seq, name, mime, size, hash, path, source_mtime, preview, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        file.name,
        file.mime,
        i64_of(file.size),
        file.hash,
        file.path,
        file.source_mtime,
        file.preview,
        state.as_str()
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protect::keys::Role;
    use crate::store::ConversationRecord;

    fn store_with_conversation() -> Store {
        let store = Store::in_memory().unwrap();
        store
            .add_conversation(&ConversationRecord {
                id: "c1".into(),
                role: Role::Inviter,
                contact: None,
                created_at: 1,
                remote_sdp: String::new(),
                local_port: None,
                closed: false,
            })
            .unwrap();
        store
    }

    fn file() -> NewAttachment {
        NewAttachment {
            name: "cat.jpg".into(),
            mime: "image/jpeg".into(),
            size: 1234,
            hash: "ab".repeat(32),
            path: Some("/tmp/cat.jpg".into()),
            source_mtime: Some(5),
            preview: Some(vec![1, 2, 3]),
        }
    }

    #[test]
    fn an_attachment_rides_the_outbox_and_moves_through_its_states() {
        let mut store = store_with_conversation();
        let a = store.queue_attachment("c1", "f1", &file(), 10).unwrap();
        assert_eq!(a.state, FileState::Offered);
        assert!(a.outgoing);
        assert_eq!(store.outbox("c1").unwrap().len(), 1);
        assert_eq!(store.open_attachments("c1").unwrap(), vec![a.clone()]);
        store
            .update_attachment(
                a.seq,
                &AttachmentChange {
                    state: FileState::Complete,
                    done_bytes: 1234,
                    path: None,
                    error: None,
                    tell_peer: false,
                },
            )
            .unwrap();
        let done = store.attachment("c1", true, "f1").unwrap().unwrap();
        assert_eq!(done.state, FileState::Complete);
        assert_eq!(done.path.as_deref(), Some("/tmp/cat.jpg"));
        assert!(store.open_attachments("c1").unwrap().is_empty());
    }

    #[test]
    fn an_incoming_offer_is_stored_once() {
        let mut store = store_with_conversation();
        let mut incoming = file();
        incoming.path = None;
        let first = store
            .store_incoming_attachment("c1", "f9", &incoming, FileState::Accepted, 1, 2)
            .unwrap();
        assert!(first.is_some_and(|a| !a.outgoing && a.state == FileState::Accepted));
        let again = store
            .store_incoming_attachment("c1", "f9", &incoming, FileState::Accepted, 1, 3)
            .unwrap();
        assert_eq!(again, None);
        let page = store.history("c1", None, 10).unwrap();
        assert_eq!(page.len(), 1);
        let shown = store
            .attachments_in("c1", page[0].seq, page[0].seq)
            .unwrap();
        assert_eq!(shown.len(), 1);
    }
}
