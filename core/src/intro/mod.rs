//! Introductions: a contact connected to both Ben and Cleo introduces them, and they
//! connect directly with no codes (issue #15, docs/NETWORK.md).
//!
//! ```text
//!  Ana ──intro{id, Cleo's key}──▶ Ben        Ana ──intro{id, Ben's key}──▶ Cleo
//!  Ben ──reply{id, sealed card}──▶ Ana ──pass{id, sealed card}──▶ Cleo
//!  Cleo ─reply{id, sealed card}──▶ Ana ──pass{id, sealed card}──▶ Ben
//!  Ben ◀════════ direct link, key confirmation, identity proof ════════▶ Cleo
//! ```
//!
//! Both must accept. Each accepting side seals its connection card (`card.rs`) to the
//! other's identity key (`seal.rs`); Ana forwards opaque bytes and learns that a
//! reply came, when, and its size — never an address or a key inside. The contact
//! made this way is "introduced by Ana, not verified": Ana chose which key she
//! forwarded, so only comparing safety numbers proves it is really Cleo's.

pub mod card;
pub mod seal;

use thiserror::Error;

/// How long an introduction waits for both answers and the first connection.
pub const LIFETIME_SECS: u64 = 3 * 24 * 3600;

/// Most introductions one introducer may have waiting on this device at once; more
/// are declined on arrival (a contact cannot flood the person with strangers).
pub const MAX_PENDING_PER_INTRODUCER: usize = 3;

/// Most introductions this device waits on in total.
pub const MAX_PENDING_TOTAL: usize = 20;

/// Why an introduction's card could not be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IntroError {
    /// Sealed for someone else, or changed on the way.
    #[error("the introduction's details could not be opened: they were not meant for this device, or were changed on the way")]
    CannotOpen,
    /// Not signed by the person the introducer named.
    #[error("the introduction's details were not signed by the person it names")]
    BadSignature,
    /// Past its expiry.
    #[error("the introduction has expired")]
    Expired,
    /// The key named cannot be sealed to safely.
    #[error("the introduced person's key is not a valid identity key")]
    WeakKey,
    /// Not a card this build can read.
    #[error("the introduction's details are damaged ({0})")]
    Malformed(String),
}
