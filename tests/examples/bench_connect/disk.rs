//! The same-run baseline for rows that write the store: how long one synced SQLite
//! commit takes on the file system the node's databases live on. A chat message's
//! round trip holds two of them (the sender accepting it, the receiver storing it
//! before its ack), so on a slow disk they, not Tincan, set the floor.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tincan_core::protect::keys::Role;
use tincan_core::store::{ConversationRecord, Store};

use crate::measure::{percentile, BoxError};

/// Where the "on disk" node row keeps its databases: under the workspace's `target/`,
/// which is on the disk the project was cloned to (`/tmp` is a tmpfs on some systems).
pub fn disk_root() -> Result<PathBuf, BoxError> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-db");
    std::fs::create_dir_all(&root)?;
    Ok(root)
}

/// A memory-backed file system, if this machine has one: there a commit costs no disk
/// wait, so a node row there shows Tincan's own cost.
pub fn tmpfs_root() -> Option<PathBuf> {
    let shm = Path::new("/dev/shm");
    shm.is_dir().then(|| shm.to_path_buf())
}

/// p50 and p99 in ms of `n` synced commits (each [`Store::queue_outgoing`], the
/// commit that accepts a message) in a fresh database under `root`.
pub fn synced_commit_ms(root: &Path, n: usize) -> Result<(f64, f64), BoxError> {
    let dir = tempfile::tempdir_in(root)?;
    let mut store = Store::open(&dir.path().join("tincan.db"))?;
    store.add_conversation(&ConversationRecord {
        id: "c".into(),
        role: Role::Inviter,
        contact: None,
        created_at: 1,
        remote_sdp: "v=0".into(),
        local_port: None,
        closed: false,
    })?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        store.queue_outgoing("c", &format!("m{i}"), "ping", 1)?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}
