//! Store size per 10,000 messages: a `Store` in a temporary directory filled the way a
//! conversation fills it (half written here and delivered, half received), measured
//! after a WAL checkpoint so the main file holds everything.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tincan_core::protect::keys::Role;
use tincan_core::store::{ConversationRecord, Store};

use crate::common::{hex_id, text, BoxError};

/// Characters of text per message.
pub const TEXT_LEN: usize = 80;
/// Messages each way.
const EACH_WAY: usize = 5_000;

/// What was measured.
pub struct Results {
    /// Main file after migrations and one conversation, checkpointed.
    pub empty: u64,
    /// Main file after the messages, checkpointed.
    pub full: u64,
    /// WAL file size just before the checkpoint.
    pub wal_before: u64,
    /// Pages on the free list after the checkpoint (space SQLite would reuse).
    pub free_pages: u64,
    /// Page size.
    pub page_size: u64,
    /// Bytes per table or index (`dbstat`), when SQLite was built with it.
    pub by_object: Option<Vec<(String, u64)>>,
    /// Messages stored.
    pub messages: usize,
    /// Filling took (every call its own committed transaction).
    pub took: Duration,
    /// Transactions committed while filling.
    pub commits: usize,
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Checkpoints the WAL into the main file through a second connection and returns the
/// main file's size.
fn checkpoint(db: &Path) -> Result<u64, BoxError> {
    let conn = Connection::open(db)?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err("the WAL checkpoint was blocked".into());
    }
    Ok(file_size(db))
}

fn dbstat(db: &Path) -> Option<Vec<(String, u64)>> {
    let conn = Connection::open(db).ok()?;
    let mut stmt = conn
        .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        .ok()?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .ok()?
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some(
        rows.into_iter()
            .map(|(n, s)| (n, s.max(0) as u64))
            .collect(),
    )
}

/// Runs the section.
pub fn run(base: &Path) -> Result<Results, BoxError> {
    eprintln!("bench: store size…");
    let dir = tempfile::tempdir_in(base)?;
    let db = dir.path().join("tincan.db");
    let wal = dir.path().join("tincan.db-wal");
    let mut store = Store::open(&db)?;
    let conversation = "9f3a61c2d04e7b18";
    store.add_conversation(&ConversationRecord {
        id: conversation.into(),
        role: Role::Inviter,
        contact: None,
        created_at: 1_800_000_000,
        remote_sdp: "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n".into(),
        local_port: Some(40000),
        closed: false,
    })?;
    let empty = checkpoint(&db)?;
    let started = Instant::now();
    let mut commits = 0;
    // A conversation alternates: one written here (queued, handed to the link,
    // acknowledged), one received.
    for i in 0..EACH_WAY {
        let now = 1_800_000_000_000 + 2 * i as u64;
        let (out_id, in_id) = (hex_id(2 * i as u64), hex_id(2 * i as u64 + 1));
        store.queue_outgoing(conversation, &out_id, &text(2 * i, TEXT_LEN), now)?;
        store.mark_sent(conversation, &out_id)?;
        store.mark_delivered(conversation, &out_id)?;
        store.store_incoming(
            conversation,
            &in_id,
            &text(2 * i + 1, TEXT_LEN),
            now,
            now + 1,
        )?;
        commits += 4;
    }
    let took = started.elapsed();
    let wal_before = file_size(&wal);
    let full = checkpoint(&db)?;
    let conn = Connection::open(&db)?;
    let free_pages: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let stored: i64 = conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?;
    if stored != 2 * EACH_WAY as i64 {
        return Err(format!("store size: {stored} messages stored, expected 10000").into());
    }
    drop(conn);
    drop(store);
    Ok(Results {
        empty,
        full,
        wal_before,
        free_pages: free_pages.max(0) as u64,
        page_size: page_size.max(0) as u64,
        by_object: dbstat(&db),
        messages: 2 * EACH_WAY,
        took,
        commits,
    })
}

/// Prints the section's table.
pub fn print(r: &Results) {
    let raw = (r.messages * TEXT_LEN) as u64;
    let per = |bytes: u64| bytes as f64 / r.messages as f64;
    println!("\n### Store size per 10,000 messages\n");
    println!(
        "{} outgoing (queued → sent → delivered) and {} incoming messages, alternating, \
         {TEXT_LEN} characters of text each, 128-bit hex ids (32 characters); sizes of \
         `tincan.db` after `PRAGMA wal_checkpoint(TRUNCATE)`.\n",
        r.messages / 2,
        r.messages / 2
    );
    println!("| what | bytes | per message | × raw text |");
    println!("|---|---:|---:|---:|");
    println!(
        "| raw text (baseline: {} × {TEXT_LEN} B) | {raw} | {:.0} | 1.00× |",
        r.messages,
        per(raw)
    );
    println!(
        "| **database with 10,000 messages** | {} | {:.0} | {:.2}× |",
        r.full,
        per(r.full),
        r.full as f64 / raw as f64
    );
    println!(
        "| growth over the empty database ({} B: schema + one conversation) | {} | {:.0} | \
         {:.2}× |",
        r.empty,
        r.full - r.empty.min(r.full),
        per(r.full - r.empty.min(r.full)),
        (r.full - r.empty.min(r.full)) as f64 / raw as f64
    );
    println!(
        "| WAL before the checkpoint (reused, not per message) | {} | — | — |",
        r.wal_before
    );
    println!(
        "\nPage size {} B; {} free pages after the checkpoint (outbox rows deleted on \
         delivery). Filling took {:.1} s for {} committed transactions ({:.0}/s).",
        r.page_size,
        r.free_pages,
        r.took.as_secs_f64(),
        r.commits,
        r.commits as f64 / r.took.as_secs_f64()
    );
    match &r.by_object {
        Some(objects) => {
            let parts: Vec<String> = objects
                .iter()
                .filter(|(_, b)| *b > r.page_size)
                .map(|(n, b)| format!("{n} {:.1} KiB", *b as f64 / 1024.0))
                .collect();
            println!("Where the bytes are (dbstat): {}.", parts.join(", "));
        }
        None => println!("(SQLite here has no dbstat table: no per-index breakdown.)"),
    }
}
