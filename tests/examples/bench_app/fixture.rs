//! A phone's store after a few weeks of use, built through `tincan_core::store::Store`
//! alone: conversations each with a contact (what the list needs to show a row), and
//! messages interleaved across them in time, half written here (delivered), half
//! received (read, receipts sent), a few received ones still unread.
//!
//! Built on a tmpfs when there is one (every message is its own committed transaction,
//! and a synced commit on the shared disk costs 0.1–3 ms), then copied as one file into
//! the directory the benchmark opens.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tincan_core::protect::keys::Role;
use tincan_core::store::{ConversationRecord, Store};

use crate::common::{text, BoxError};

/// What a fixture holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Conversations (each with its own contact).
    pub conversations: usize,
    /// Messages in all.
    pub messages: usize,
    /// Messages of the first conversation (the one opened); the rest are spread evenly.
    pub big: usize,
}

impl Shape {
    /// "200 conversations, 20,000 messages".
    pub fn label(&self) -> String {
        format!(
            "{} conversations, {} messages",
            thousands(self.conversations),
            thousands(self.messages)
        )
    }
}

/// `20000` → `20,000`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A built fixture.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The data directory holding `tincan.db`.
    pub dir: PathBuf,
    pub shape: Shape,
    /// The conversation with [`Shape::big`] messages.
    pub big_id: String,
    /// A conversation with an average number of messages.
    pub small_id: String,
    /// Messages in `small_id`.
    pub small_messages: usize,
    /// Bytes of `tincan.db`.
    pub bytes: u64,
    /// Building took, seconds.
    pub build_secs: f64,
}

/// The id of conversation `c` (16 hex characters, like an invite id).
pub fn conversation_id(c: usize) -> String {
    format!(
        "{:016x}",
        0x5eed_0000_0000_0000_u64 + c as u64 * 0x9e37_79b9
    )
}

/// A small deterministic generator (xorshift64*), so every run builds the same store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Where to build: a tmpfs if there is one, else `fallback`.
fn scratch(fallback: &Path) -> Result<tempfile::TempDir, BoxError> {
    let shm = Path::new("/dev/shm");
    Ok(if shm.is_dir() {
        tempfile::tempdir_in(shm).or_else(|_| tempfile::tempdir_in(fallback))?
    } else {
        tempfile::tempdir_in(fallback)?
    })
}

/// Builds a store of `shape` into `dir` (which must not hold one yet).
pub fn build(dir: &Path, shape: Shape) -> Result<Fixture, BoxError> {
    if shape.conversations < 2 || shape.big > shape.messages {
        return Err(format!("bad fixture shape {shape:?}").into());
    }
    let started = Instant::now();
    let work = scratch(dir)?;
    let db = work.path().join("tincan.db");
    let mut store = Store::open(&db)?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as u64;
    // The history spans the last 60 days, ending an hour ago.
    let span_ms = 60 * 86_400_000_u64;
    let first_ms = now_ms - span_ms - 3_600_000;
    let ids: Vec<String> = (0..shape.conversations).map(conversation_id).collect();
    for (c, id) in ids.iter().enumerate() {
        store.add_conversation(&ConversationRecord {
            id: id.clone(),
            role: if c % 2 == 0 {
                Role::Inviter
            } else {
                Role::Joiner
            },
            contact: None,
            created_at: (first_ms / 1000).saturating_sub(86_400),
            remote_sdp: "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n".into(),
            local_port: Some(40_000 + (c % 20_000) as u16),
            closed: false,
        })?;
        // A contact of its own: a distinct identity key per conversation.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&(c as u64 + 1).to_be_bytes());
        key[31] = 0x42;
        store.learn_identity(id, &key, Some(&format!("Contact {c}")), first_ms / 1000)?;
    }
    // Which conversation each message belongs to, in time order: `big` for the first,
    // the rest spread evenly, then shuffled so conversations interleave as in life.
    let mut owner: Vec<usize> = (0..shape.messages)
        .map(|k| {
            if k < shape.big {
                0
            } else {
                1 + (k - shape.big) % (shape.conversations - 1)
            }
        })
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in (1..owner.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        owner.swap(i, j);
    }
    let step = span_ms / shape.messages.max(1) as u64;
    let mut small_messages = 0;
    for (k, &c) in owner.iter().enumerate() {
        let at = first_ms + k as u64 * step;
        let body = text("f", k);
        let mid = format!("{:032x}", k as u128 * 0x1_0000_0001 + 17);
        if c == 1 {
            small_messages += 1;
        }
        if k % 2 == 0 {
            store.queue_outgoing(&ids[c], &mid, &body, at)?;
            store.mark_delivered(&ids[c], &mid)?;
        } else {
            store.store_incoming(&ids[c], &mid, &body, at.saturating_sub(400), at)?;
        }
    }
    // Everything received was read (receipts sent), except in every 10th conversation,
    // where the two newest incoming messages stay unread.
    for (c, id) in ids.iter().enumerate() {
        let keep_unread = if c % 10 == 3 { 2 } else { 0 };
        let incoming: Vec<i64> = store
            .history(id, None, 10_000_000)?
            .iter()
            .filter(|m| !m.outgoing)
            .map(|m| m.seq)
            .collect();
        let Some(&up_to) = incoming.iter().rev().nth(keep_unread) else {
            continue;
        };
        let read = store.mark_read_here(id, up_to)?;
        store.receipts_sent(id, &read)?;
    }
    drop(store);
    // Closing the last connection checkpointed the WAL into the main file.
    std::fs::create_dir_all(dir)?;
    let target = dir.join("tincan.db");
    if target.exists() {
        return Err(format!("{} already holds a store", dir.display()).into());
    }
    std::fs::copy(&db, &target)?;
    let wal = work.path().join("tincan.db-wal");
    if wal.exists() {
        std::fs::copy(&wal, dir.join("tincan.db-wal"))?;
    }
    let bytes = std::fs::metadata(&target)?.len();
    // Check what was built, through the store itself.
    let check = Store::open(&target)?;
    let summaries = check.conversation_summaries()?;
    if summaries.len() != shape.conversations {
        return Err(format!("fixture: {} conversations stored", summaries.len()).into());
    }
    drop(check);
    Ok(Fixture {
        dir: dir.to_owned(),
        shape,
        big_id: ids[0].clone(),
        small_id: ids[1].clone(),
        small_messages,
        bytes,
        build_secs: started.elapsed().as_secs_f64(),
    })
}
