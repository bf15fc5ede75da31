//! The codes people pass: invite, reply and follow-up.
//!
//! Each code is a small binary layout (documented in `docs/FORMAT.md`) wrapped in a
//! messenger-safe text form ([`text`]). The first byte of every layout is a header:
//! the format version in the high nibble, the kind in bits 2–3 and, for invites, the
//! mode in bits 0–1.

pub mod exchange;
pub mod followup;
pub mod invite;
#[cfg(test)]
mod offline_guessing;
pub mod reply;
pub mod text;

pub use exchange::Exchange;
pub use invite::{create_invite, AnsweredInvite, Invite, InviteSecret, NewInvite, PendingInvite};

use serde::{Deserialize, Serialize};

use crate::CodeError;

/// Any text a person pasted or a camera scanned, read in one place.
#[derive(Debug, Clone)]
pub enum ParsedCode {
    /// An invite to answer.
    Invite(Box<Invite>),
    /// A reply to load into the invite it names.
    Reply {
        /// The invite it answers.
        invite_id: [u8; 8],
    },
    /// A follow-up code for the session of the invite it names.
    FollowUp {
        /// The invite whose session it belongs to.
        invite_id: [u8; 8],
    },
}

/// Reads any Tincan code without keys: checks checksum, layout and limits (and an
/// invite's expiry), so a shell can tell the person what they pasted.
pub fn parse_any(code: &str, now: u64) -> Result<ParsedCode, CodeError> {
    let (kind, bytes) = text::decode(code)?;
    match kind {
        CodeKind::Invite => Invite::parse(code, now).map(|i| ParsedCode::Invite(Box::new(i))),
        CodeKind::Reply => Ok(ParsedCode::Reply {
            invite_id: reply::Reply::from_bytes(&bytes)?.invite_id,
        }),
        CodeKind::FollowUp => {
            let mut r = crate::bytes::Reader::new(&bytes);
            check_header(r.u8("header")?, CodeKind::FollowUp)?;
            Ok(ParsedCode::FollowUp {
                invite_id: r.array("invite id")?,
            })
        }
    }
}

/// The binary format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// How long a new code stays valid unless the person chooses otherwise.
pub const DEFAULT_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The longest lifetime a person may choose (a week).
pub const MAX_LIFETIME_SECS: u64 = 7 * 24 * 60 * 60;

/// How far a receiver's clock may run ahead of the sender's before a code counts as
/// expired: phones' clocks drift and time zones get set wrong.
pub const CLOCK_GRACE_SECS: u64 = 10 * 60;

/// Failed replies after which an invite is burned.
pub const MAX_FAILED_ATTEMPTS: u8 = 3;

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// The first code, from the inviter.
    Invite,
    /// The answer, from the joiner.
    Reply,
    /// Fresh candidates after a completed exchange failed to connect.
    FollowUp,
}

impl CodeKind {
    /// The letter in the text prefix (`TINCAN-I1-…`).
    pub fn letter(self) -> char {
        match self {
            CodeKind::Invite => 'I',
            CodeKind::Reply => 'R',
            CodeKind::FollowUp => 'F',
        }
    }

    fn bits(self) -> u8 {
        match self {
            CodeKind::Invite => 1,
            CodeKind::Reply => 2,
            CodeKind::FollowUp => 3,
        }
    }

    /// The kind in words, for error messages.
    pub fn described(self) -> &'static str {
        match self {
            CodeKind::Invite => "an invite code",
            CodeKind::Reply => "a reply code",
            CodeKind::FollowUp => "a follow-up code",
        }
    }

    fn from_letter(c: char) -> Option<Self> {
        match c {
            'I' => Some(CodeKind::Invite),
            'R' => Some(CodeKind::Reply),
            'F' => Some(CodeKind::FollowUp),
            _ => None,
        }
    }
}

/// How an invite is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteMode {
    /// A question only the other person can answer, via SPAKE2 (the default).
    Question,
    /// A random secret in the code itself: for QR codes shown in person.
    Open,
    /// Like `Question`, and the inviter's connection details are sealed under the
    /// answer too: hides them from whoever copies the code, at the price of offline
    /// guessing. Needs a strong passphrase.
    Private,
}

impl InviteMode {
    fn bits(self) -> u8 {
        match self {
            InviteMode::Question => 0,
            InviteMode::Open => 1,
            InviteMode::Private => 2,
        }
    }

    fn from_bits(b: u8) -> Option<Self> {
        match b {
            0 => Some(InviteMode::Question),
            1 => Some(InviteMode::Open),
            2 => Some(InviteMode::Private),
            _ => None,
        }
    }
}

/// Builds a header byte.
fn header(kind: CodeKind, low_bits: u8) -> u8 {
    (FORMAT_VERSION << 4) | (kind.bits() << 2) | (low_bits & 0b11)
}

/// Splits and checks a header byte against the kind the caller expects; returns the
/// two low bits.
fn check_header(byte: u8, expected: CodeKind) -> Result<u8, CodeError> {
    let version = byte >> 4;
    if version != FORMAT_VERSION {
        return Err(CodeError::UnsupportedVersion { version });
    }
    let kind_bits = (byte >> 2) & 0b11;
    if kind_bits != expected.bits() {
        return Err(CodeError::Damaged {
            reason: "the code's header does not match its prefix".into(),
        });
    }
    Ok(byte & 0b11)
}

/// Unix time in seconds, as codes carry it.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Checks a lifetime chosen by a person.
fn check_lifetime(lifetime_secs: u64) -> Result<(), CodeError> {
    if lifetime_secs == 0 || lifetime_secs > MAX_LIFETIME_SECS {
        return Err(CodeError::AnswerMismatch(
            "A code's lifetime must be between one second and one week.",
        ));
    }
    Ok(())
}

/// Expiry as carried in codes: seconds since the Unix epoch, 32 bits (good until 2106).
fn expiry(now: u64, lifetime_secs: u64) -> u32 {
    u32::try_from(now.saturating_add(lifetime_secs)).unwrap_or(u32::MAX)
}
