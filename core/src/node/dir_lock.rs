//! One process per data directory: a node holds an exclusive advisory lock on a file
//! in it for as long as it runs, so a second Tincan (another CLI, another app, a
//! second node in the same process) refuses to start instead of fighting the first
//! over ports, the database and the secrets.

use std::fs::{File, OpenOptions};
use std::path::Path;

use super::NodeError;

/// The lock file, in the data directory. Its content is never read; only the lock
/// on it counts, and the system drops that lock when the process ends, however it
/// ends.
pub(super) const LOCK_FILE: &str = "tincan.lock";

/// Held while the node runs; dropping it releases the data directory.
#[derive(Debug)]
pub(super) struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the data directory (which must exist), or says who has it.
    pub(super) fn acquire(dir: &Path) -> Result<DataDirLock, NodeError> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| NodeError::Storage(format!("{}: {e}", path.display())))?;
        // Spelled out: std's own `File::try_lock` (Rust 1.89) is newer than our MSRV.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                return Err(NodeError::DataDirInUse(dir.to_owned()))
            }
            // A file system without locks (some network mounts): run unguarded rather
            // than not at all.
            Err(fs4::TryLockError::Error(e)) => {
                tracing::warn!(
                    "cannot lock {}: {e}; not guarding against a second Tincan",
                    path.display()
                );
            }
        }
        Ok(DataDirLock { _file: file })
    }
}

/// Whether another Tincan holds `dir` right now, for a shell that wants to say so
/// before asking the person anything (a passphrase). Only a hint: [`super::Node::open`]
/// is what enforces it.
pub fn check_data_dir_free(dir: &Path) -> Result<(), NodeError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| NodeError::Storage(format!("{}: {e}", dir.display())))?;
    DataDirLock::acquire(dir).map(drop)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn one_holder_at_a_time_and_free_again_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let second = DataDirLock::acquire(dir.path()).unwrap_err();
        assert!(
            matches!(&second, NodeError::DataDirInUse(p) if p == dir.path()),
            "{second:?}"
        );
        drop(first);
        DataDirLock::acquire(dir.path()).unwrap();
    }
}
