//! The node's durable state in SQLite: pending invites (so an inviter can complete an
//! invite after a restart), contacts, conversations, messages and the outbox. Secrets
//! live in the platform's secret store, not here. WAL mode with `synchronous = FULL`
//! (a committed message survives power loss), one linear list of migrations.
//!
//! Bookkeeping that the chat protocol repairs by itself (a message marked sent or
//! delivered, a remembered route) commits without waiting for the disk
//! ([`Store::without_fsync`]): a power cut can roll it back, and then the outbox simply
//! sends the message again and the peer, which deduplicates, acknowledges it again.
//! `kill -9` loses none of it (the commit is in the OS's cache), and the next synced
//! commit makes it durable too, because the WAL is written in order.

mod attachments;
mod chat;
mod contacts;
mod held;
mod introductions;
mod invites;
mod migrations;
mod rooms;
mod settings;
mod summaries;

pub use attachments::{AttachmentChange, AttachmentRecord, FileState, NewAttachment};
pub use chat::{ConversationRecord, MessageRecord, MessageStatus};
pub use contacts::{contact_id, ContactRecord, IdentityOutcome};
pub use held::{HeldLetter, HoldLimits, HoldOutcome};
pub use introductions::{AnswerSeen, IntroAnswer, IntroRecord, IntroState, MadeIntroRecord};
pub use invites::InviteRecord;
pub use summaries::ConversationSummary;

use std::path::Path;

use rusqlite::Connection;
use thiserror::Error;

/// Why the store could not be read or written.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite refused (disk full, locked, corrupt file…).
    #[error("the local database failed: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored row could not be decoded.
    #[error("a stored record is unreadable: {0}")]
    Corrupt(String),
    /// The database was written by a newer version of Tincan.
    #[error("the local database was written by a newer version of Tincan (schema {found}, this build knows {known}); update Tincan")]
    TooNew {
        /// The schema version in the file.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
}

/// An open database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement on a message's way is cached; room for all of them.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Self { conn };
        migrations::run(&mut store.conn)?;
        Ok(store)
    }

    /// Runs `f` with its commits not waiting for fsync (`synchronous = NORMAL`). Only
    /// for changes a power cut may roll back without losing anything accepted (see the
    /// module doc); everything else keeps `FULL`.
    fn without_fsync<T>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn
            .prepare_cached("PRAGMA synchronous = NORMAL")?
            .execute([])?;
        let result = f(&mut self.conn);
        let restored = self
            .conn
            .prepare_cached("PRAGMA synchronous = FULL")
            .and_then(|mut s| s.execute([]));
        let value = result?;
        restored?;
        Ok(value)
    }

    /// Whether commits currently wait for the disk (tests: the setting is restored).
    #[cfg(test)]
    fn syncs_fully(&self) -> bool {
        self.conn
            .pragma_query_value(None, "synchronous", |r| r.get::<_, i64>(0))
            .map(|v| v == 2)
            .unwrap_or(false)
    }

    /// The schema version after migrations.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}
