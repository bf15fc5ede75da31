//! Why a file could not be sent or received, in words a person understands.

use thiserror::Error;

use super::photo::PhotoError;

/// Why a file could not be sent, fetched or kept.
#[derive(Debug, Error)]
pub enum FileError {
    /// Reading or writing a file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, e.g. "could not read cat.jpg".
        what: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// Not a regular file.
    #[error("{0} is not a file")]
    NotAFile(String),
    /// Over the size limit.
    #[error("the file is {size} bytes; the limit is {max} bytes")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The disk is too full to take it.
    #[error("not enough free space: {needed} bytes needed, {free} bytes free")]
    NoSpace {
        /// Bytes still to arrive plus the margin.
        needed: u64,
        /// Bytes free.
        free: u64,
    },
    /// The content does not match the hash its sender announced.
    #[error("the file arrived damaged (its content does not match what was sent)")]
    HashMismatch,
    /// The sender sent beyond the size it announced.
    #[error("the sender sent more bytes than it announced")]
    MoreThanAnnounced,
    /// The original changed after it was sent: its new bytes would not match.
    #[error("the file changed on the sender's device after it was sent; send it again")]
    SourceChanged,
    /// The sender kept the link up but stopped sending.
    #[error("the sender stopped sending")]
    Stalled,
    /// A picture format whose metadata (location, camera) Tincan cannot remove: sending
    /// it with "remove metadata" on would quietly leak what the person asked to hide.
    #[error("Tincan can't remove location and camera data from {0} pictures yet; send it with metadata kept, or convert it to JPEG first")]
    CannotStrip(&'static str),
    /// The picture could not be prepared.
    #[error(transparent)]
    Photo(#[from] PhotoError),
}

impl FileError {
    /// An I/O failure while doing `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
