//! One file arriving: bytes are written in order to a partial file named by the
//! transfer, hashed as they come, and moved into the received folder only when the
//! whole content matches the hash its sender announced. A transfer picked up again
//! (after a lost link, a restart or `kill -9`) reads back what the partial file holds
//! and asks for the rest; the hash binds the partial file to one version of the
//! content, so bytes of two versions never end up in one complete file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::PathBuf;

use super::chunk::Chunk;
use super::dirs::FileDirs;
use super::error::FileError;
use super::name::{safe_file_name, unused_path};

/// What a chunk did.
#[derive(Debug, PartialEq, Eq)]
pub enum Wrote {
    /// Written; more to come.
    More,
    /// The last byte arrived: call [`Receiving::finish`].
    Done,
    /// A repeat of bytes already here (after asking again): ignored.
    Repeat,
    /// Bytes after a gap (something was lost): ask again from [`Receiving::offset`].
    Gap,
}

/// An incoming file being written.
#[derive(Debug)]
pub struct Receiving {
    /// The transfer id.
    pub id: String,
    /// Announced size.
    pub size: u64,
    /// Bytes in the partial file.
    pub offset: u64,
    expected: blake3::Hash,
    hasher: blake3::Hasher,
    file: File,
    partial: PathBuf,
}

impl Receiving {
    /// Opens the partial file for transfer `id` (creating it), reading what it holds
    /// into the hash. A partial file longer than the announced size is not this
    /// content: it is started over.
    pub fn open(dirs: &FileDirs, id: &str, size: u64, hash_hex: &str) -> Result<Self, FileError> {
        let expected = blake3::Hash::from_hex(hash_hex).map_err(|_| FileError::HashMismatch)?;
        let partial = dirs.partial_for(id);
        let what = || format!("could not open the partial file {}", partial.display());
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&partial)
            .map_err(FileError::io(what()))?;
        let held = file.metadata().map_err(FileError::io(what()))?.len();
        let mut hasher = blake3::Hasher::new();
        if held > size {
            file.set_len(0).map_err(FileError::io(what()))?;
        } else if held > 0 {
            let mut buf = vec![0u8; 1 << 20];
            let mut read = 0u64;
            while read < held {
                let n = file.read(&mut buf).map_err(FileError::io(what()))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                read += n as u64;
            }
        }
        Ok(Self {
            id: id.to_owned(),
            size,
            offset: held.min(size),
            expected,
            hasher,
            file,
            partial,
        })
    }

    /// Writes one chunk. Bytes beyond the announced size are refused
    /// ([`FileError::MoreThanAnnounced`]): the caller gives the transfer up.
    pub fn write(&mut self, chunk: &Chunk<'_>) -> Result<Wrote, FileError> {
        let end = chunk.offset.saturating_add(chunk.data.len() as u64);
        if end > self.size {
            return Err(FileError::MoreThanAnnounced);
        }
        if chunk.offset > self.offset {
            return Ok(Wrote::Gap);
        }
        if end <= self.offset {
            return Ok(Wrote::Repeat);
        }
        // Overlaps what is here: keep only the new tail.
        let skip = usize::try_from(self.offset - chunk.offset).unwrap_or(usize::MAX);
        let fresh = &chunk.data[skip.min(chunk.data.len())..];
        self.file.write_all(fresh).map_err(FileError::io(format!(
            "could not write {}",
            self.partial.display()
        )))?;
        self.hasher.update(fresh);
        self.offset = end;
        Ok(if self.offset == self.size {
            Wrote::Done
        } else {
            Wrote::More
        })
    }

    /// All bytes are here: checks the hash, makes the file durable and moves it into
    /// the received folder under a safe form of `name`. On a mismatch the partial file
    /// is deleted.
    pub fn finish(mut self, dirs: &FileDirs, name: &str) -> Result<PathBuf, FileError> {
        if self.offset != self.size || self.hasher.finalize() != self.expected {
            self.discard();
            return Err(FileError::HashMismatch);
        }
        let what = || format!("could not keep {}", self.partial.display());
        self.file.sync_all().map_err(FileError::io(what()))?;
        let target = unused_path(&dirs.received, &safe_file_name(name));
        std::fs::rename(&self.partial, &target).map_err(FileError::io(what()))?;
        Ok(target)
    }

    /// Gives the transfer up: the partial file is deleted.
    pub fn discard(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.partial) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("could not delete {}: {e}", self.partial.display());
            }
        }
    }
}

/// Deletes transfer `id`'s partial file, if any (declined or failed while closed).
pub fn discard_partial(dirs: &FileDirs, id: &str) {
    let partial = dirs.partial_for(id);
    if let Err(e) = std::fs::remove_file(&partial) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("could not delete {}: {e}", partial.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, FileDirs) {
        let root = tempfile::tempdir().unwrap();
        let dirs = FileDirs::under(root.path());
        dirs.create().unwrap();
        (root, dirs)
    }

    fn chunk(offset: u64, data: &[u8]) -> Chunk<'_> {
        Chunk {
            id: "t1",
            offset,
            data,
        }
    }

    #[test]
    fn a_file_arrives_in_order_and_resumes_from_what_is_held() {
        let (_root, dirs) = setup();
        let content = b"hello, file world";
        let hash = blake3::hash(content).to_hex();
        let mut r = Receiving::open(&dirs, "t1", content.len() as u64, &hash).unwrap();
        assert_eq!(r.write(&chunk(0, &content[..5])).unwrap(), Wrote::More);
        // The receiver dies here; a new one picks up at byte 5.
        drop(r);
        let mut r = Receiving::open(&dirs, "t1", content.len() as u64, &hash).unwrap();
        assert_eq!(r.offset, 5);
        assert_eq!(r.write(&chunk(0, &content[..5])).unwrap(), Wrote::Repeat);
        assert_eq!(r.write(&chunk(10, &content[10..])).unwrap(), Wrote::Gap);
        // Overlapping resend: only the new part is kept.
        assert_eq!(r.write(&chunk(3, &content[3..12])).unwrap(), Wrote::More);
        assert_eq!(r.write(&chunk(12, &content[12..])).unwrap(), Wrote::Done);
        let path = r.finish(&dirs, "../../greeting.txt").unwrap();
        assert_eq!(path, dirs.received.join("greeting.txt"));
        assert_eq!(std::fs::read(&path).unwrap(), content);
        assert!(!dirs.partial_for("t1").exists());
    }

    #[test]
    fn wrong_bytes_or_too_many_leave_nothing_behind() {
        let (_root, dirs) = setup();
        let hash = blake3::hash(b"right").to_hex();
        let mut r = Receiving::open(&dirs, "t1", 5, &hash).unwrap();
        assert!(matches!(
            r.write(&chunk(0, b"toolong")),
            Err(FileError::MoreThanAnnounced)
        ));
        assert_eq!(r.write(&chunk(0, b"wrong")).unwrap(), Wrote::Done);
        assert!(matches!(r.finish(&dirs, "x"), Err(FileError::HashMismatch)));
        assert!(!dirs.partial_for("t1").exists());
        assert_eq!(std::fs::read_dir(&dirs.received).unwrap().count(), 0);
    }

    #[test]
    fn an_empty_file_is_complete_at_once() {
        let (_root, dirs) = setup();
        let hash = blake3::hash(b"").to_hex();
        let r = Receiving::open(&dirs, "t0", 0, &hash).unwrap();
        assert_eq!(r.offset, r.size);
        let path = r.finish(&dirs, "empty").unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"");
    }
}
