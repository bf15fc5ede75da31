//! Attachments: photos and files sent in a conversation.
//!
//! docs/FILES.md tells the whole story: the offer rides the outbox like a text, the
//! receiver asks for bytes from what it already holds, chunks are checked against a
//! BLAKE3 hash before a file counts as received.

pub mod chunk;
pub mod dirs;
pub mod error;
pub mod incoming;
pub mod limits;
pub mod name;
pub mod outgoing;
pub mod photo;

pub use dirs::FileDirs;
pub use error::FileError;
pub use limits::FileLimits;
