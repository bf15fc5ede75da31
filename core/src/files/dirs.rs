//! The folders a node keeps files in, all inside its data directory: partial
//! downloads (named by transfer id, so a resumed transfer finds its bytes), complete
//! received files, and the metadata-free copies of photos it sends.

use std::path::{Path, PathBuf};

use super::error::FileError;

/// A node's file folders.
#[derive(Debug, Clone)]
pub struct FileDirs {
    /// Complete received files.
    pub received: PathBuf,
    /// Partial downloads.
    pub partial: PathBuf,
    /// Copies made for sending (photos without metadata).
    pub outgoing: PathBuf,
}

impl FileDirs {
    /// The folders under `root` (`<data dir>/files`).
    pub fn under(root: &Path) -> Self {
        Self {
            received: root.join("received"),
            partial: root.join("partial"),
            outgoing: root.join("outgoing"),
        }
    }

    /// Creates the folders if missing.
    pub fn create(&self) -> Result<(), FileError> {
        for dir in [&self.received, &self.partial, &self.outgoing] {
            std::fs::create_dir_all(dir)
                .map_err(FileError::io(format!("could not create {}", dir.display())))?;
        }
        Ok(())
    }

    /// Where transfer `id`'s bytes gather until complete.
    pub fn partial_for(&self, id: &str) -> PathBuf {
        self.partial.join(format!("{id}.part"))
    }
}
