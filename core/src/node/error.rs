//! The node's public error: the cases a shell can act on, each with a message a
//! person understands. Never contains codes, answers or keys.

use std::path::PathBuf;

use thiserror::Error;

use crate::link::LinkError;
use crate::secrets::SecretStoreError;
use crate::store::StoreError;
use crate::CodeError;

/// Why a node operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NodeError {
    /// A code was refused (damaged, expired, wrong answer, …).
    #[error(transparent)]
    Code(#[from] CodeError),
    /// The connection could not be set up or used.
    #[error("Could not connect: {0}")]
    Unreachable(String),
    /// The local database or secret store failed; nothing already stored was changed.
    #[error("Tincan could not read or save its data ({0}). Nothing already stored was changed; check free space and permissions.")]
    Storage(String),
    /// A reply for an invite this device does not have.
    #[error("This reply answers an invite this device doesn't have: it was made on another device or with another data directory, or it was already completed.")]
    UnknownInvite,
    /// No conversation with that id.
    #[error("There is no conversation {0}.")]
    UnknownPeer(String),
    /// No contact with that id.
    #[error("There is no contact {0}.")]
    UnknownContact(String),
    /// A request that cannot be carried out as asked, with why.
    #[error("{0}")]
    Invalid(String),
    /// The message is too long to send.
    #[error("The message is too long ({0} bytes); the limit is 16 KiB.")]
    MessageTooLong(usize),
    /// A file could not be sent, accepted or kept.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The node was shut down.
    #[error("Tincan has been shut down.")]
    ShutDown,
    /// Another Tincan (another process, or another node in this one) is running on
    /// this data directory; nothing was opened or changed.
    #[error("Another Tincan is already using {}; close it first.", .0.display())]
    DataDirInUse(PathBuf),
}

impl From<LinkError> for NodeError {
    fn from(e: LinkError) -> Self {
        NodeError::Unreachable(e.to_string())
    }
}

impl From<StoreError> for NodeError {
    fn from(e: StoreError) -> Self {
        NodeError::Storage(e.to_string())
    }
}

impl From<SecretStoreError> for NodeError {
    fn from(e: SecretStoreError) -> Self {
        NodeError::Storage(e.to_string())
    }
}
