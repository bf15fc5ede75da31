//! Group rooms (issue #15, docs/NETWORK.md "Group rooms"): the parts every member
//! computes on its own and that need no network — who is in a room
//! (`membership.rs`), each member's signed log of posts (`log.rs`), and the sender
//! keys posts are sealed with (`keys.rs`). Delivery between members (relaying with
//! bounded fan-out, catch-up over links) is built on these next.

pub mod codec;
pub mod gossip;
pub mod keys;
pub mod log;
pub mod membership;

use thiserror::Error;

/// Why a room operation, post or key was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RoomError {
    /// Not signed by the member it names.
    #[error("not signed by the member it names")]
    BadSignature,
    /// The member has not the right to do that (not an admin, not a member).
    #[error("only an admin of the room may do that")]
    NotAllowed,
    /// An author signed two different posts at the same place in their log.
    #[error("the author signed two different posts at the same place")]
    Fork,
    /// No key to open it: sealed for others, or from an epoch we were not given.
    #[error("this device has no key for that post")]
    NoKey,
    /// Not something this build can read.
    #[error("damaged room data ({0})")]
    Malformed(String),
}
