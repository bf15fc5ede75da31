//! Schema migrations: one linear list; version N is `MIGRATIONS[N-1]`. Never edit a
//! released migration or change what a column means: add a new one.

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: pending invites (their secrets are in the secret store).
    "CREATE TABLE invites (
        id TEXT PRIMARY KEY NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        local_sdp TEXT NOT NULL
    ) STRICT;",
    // 2: contacts, conversations, messages and the outbox (issue #4). A message is
    // "accepted" once its row commits; the outbox row lives until the peer acks it.
    "CREATE TABLE contacts (
        id TEXT PRIMARY KEY NOT NULL,
        identity_key BLOB NOT NULL,
        display_name TEXT,
        verified INTEGER NOT NULL DEFAULT 0,
        added_at INTEGER NOT NULL,
        changed_identity_key BLOB
    ) STRICT;
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('inviter', 'joiner')),
        contact_id TEXT REFERENCES contacts(id),
        created_at INTEGER NOT NULL,
        remote_sdp TEXT NOT NULL,
        local_port INTEGER,
        closed INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        id TEXT NOT NULL,
        outgoing INTEGER NOT NULL,
        text TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'received')),
        receipt_pending INTEGER NOT NULL DEFAULT 0,
        UNIQUE (conversation_id, outgoing, id)
    ) STRICT;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY NOT NULL REFERENCES messages(seq)
    ) STRICT;",
    // 3: owed read receipts are looked up on every flush; without an index that read
    // the whole history of the conversation.
    "CREATE INDEX messages_receipt_pending ON messages (conversation_id, seq)
        WHERE receipt_pending = 1;",
    // 4: the person's settings (display name, STUN servers, invite lifetime), read by
    // every shell so a name given once is kept (issue #10, #11).
    "CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT;",
    // 5: the app shows every conversation's newest message and unread count on each
    // view, and a conversation's newest page; without these each read scanned and
    // sorted a whole conversation (24 ms for 200 conversations / 20,000 messages).
    "CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
    CREATE INDEX messages_unread ON messages (conversation_id, seq)
        WHERE outgoing = 0 AND status = 'received';",
    // 6: files and photos (issue #14). The carrying message row and its outbox entry
    // make the offer durable like a text; this row holds what only files have.
    "CREATE TABLE attachments (
        seq INTEGER PRIMARY KEY NOT NULL REFERENCES messages(seq),
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        hash TEXT NOT NULL,
        path TEXT,
        source_mtime INTEGER,
        preview BLOB,
        state TEXT NOT NULL
            CHECK (state IN ('offered', 'accepted', 'complete', 'declined', 'failed')),
        done_bytes INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        tell_peer INTEGER NOT NULL DEFAULT 0
    ) STRICT;",
    // 7: introductions (issue #15). `introductions`: ones this device was asked to
    // accept, keyed by the id that also names the conversation they make.
    // `introductions_made`: ones this device made, with only what the introducer may
    // know of the answers (accepted or not, when, how many bytes). `control_outbox`:
    // protocol frames that must reach a peer (introductions and their answers), sent
    // on every connection until the peer's `ok`. `contacts.introduced_by`: the
    // introducer's contact id, shown until the safety number is compared.
    "CREATE TABLE introductions (
        id TEXT PRIMARY KEY NOT NULL,
        via TEXT NOT NULL REFERENCES conversations(id),
        peer_key BLOB NOT NULL,
        peer_name TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('offered', 'accepted', 'declined', 'connecting', 'connected', 'expired', 'failed')),
        peer_card BLOB,
        reason TEXT
    ) STRICT;
    CREATE TABLE introductions_made (
        id TEXT PRIMARY KEY NOT NULL,
        first TEXT NOT NULL REFERENCES conversations(id),
        second TEXT NOT NULL REFERENCES conversations(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        first_answer TEXT NOT NULL DEFAULT 'waiting'
            CHECK (first_answer IN ('waiting', 'accepted', 'declined')),
        second_answer TEXT NOT NULL DEFAULT 'waiting'
            CHECK (second_answer IN ('waiting', 'accepted', 'declined')),
        first_answered_at INTEGER,
        second_answered_at INTEGER,
        first_bytes INTEGER,
        second_bytes INTEGER
    ) STRICT;
    CREATE TABLE control_outbox (
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        key TEXT NOT NULL,
        frame TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, key)
    ) STRICT;
    ALTER TABLE contacts ADD COLUMN introduced_by TEXT;",
    // 8: letters held for an offline contact (issue #15): sealed to the recipient, so
    // the holder keeps only who wrote (the conversation it came through), for whom,
    // when, and the size. Deleted once the recipient acknowledges it, or when old.
    "CREATE TABLE held_letters (
        id TEXT NOT NULL,
        to_key BLOB NOT NULL,
        from_conversation TEXT NOT NULL REFERENCES conversations(id),
        sealed BLOB NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (id, to_key)
    ) STRICT;",
    // 9: group rooms (issue #15): the signed membership operations and every author's
    // signed, sealed posts, as `room/codec.rs` writes them. Keys live in the secret
    // store.
    "CREATE TABLE rooms (
        id TEXT PRIMARY KEY NOT NULL,
        joined_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE room_ops (
        room TEXT NOT NULL REFERENCES rooms(id),
        hash BLOB NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (room, hash)
    ) STRICT;
    CREATE TABLE room_posts (
        room TEXT NOT NULL REFERENCES rooms(id),
        author BLOB NOT NULL,
        seq INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (room, author, seq)
    ) STRICT;",
];

/// Brings the schema up to date inside one transaction.
pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty_and_refuses_newer() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap(); // idempotent
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            run(&mut conn),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
