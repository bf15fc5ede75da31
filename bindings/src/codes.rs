//! Reading any pasted or scanned text before the node acts on it.
//!
//! A share target or a paste field gets arbitrary text; the app wants to tell the
//! person at once what it is (an invite with a question, a reply, junk) without keys
//! and without the node. This is `tincan_core::code::parse_any`, adapted.

use tincan_core::code::{self, ParsedCode};

use crate::TincanError;

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CodeKind {
    /// The first code, from the inviter: open it and answer.
    Invite,
    /// The joiner's answer: load it into the invite it names.
    Reply,
    /// Fresh connection details for an exchange that could not connect.
    FollowUp,
}

/// How an invite is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum InviteMode {
    /// A question only the other person can answer (the default).
    Question,
    /// No question: a random secret in the code itself, for QR codes shown in person.
    Open,
    /// A question, and the inviter's connection details are hidden too; needs a
    /// strong passphrase.
    Private,
}

impl From<code::InviteMode> for InviteMode {
    fn from(m: code::InviteMode) -> Self {
        match m {
            code::InviteMode::Question => InviteMode::Question,
            code::InviteMode::Open => InviteMode::Open,
            code::InviteMode::Private => InviteMode::Private,
        }
    }
}

/// What a pasted or scanned text turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeSummary {
    /// Invite, reply or follow-up.
    pub kind: CodeKind,
    /// The invite the code belongs to (hex), to match a reply with its invite.
    pub invite_id: String,
    /// For invites: how it is protected.
    pub mode: Option<InviteMode>,
    /// For question invites: the question to show (private invites hide it until
    /// the answer is typed, so this is empty for them).
    pub question: Option<String>,
    /// For invites: when it expires, in Unix seconds.
    pub expires_at: Option<u64>,
}

/// Reads any Tincan code without keys: checksum, layout, limits and (for invites)
/// expiry. Bad text is an error with a message for the person, never a crash.
#[uniffi::export]
pub fn parse_code(text: &str) -> Result<CodeSummary, TincanError> {
    let parsed = code::parse_any(text, code::unix_now())?;
    Ok(match parsed {
        ParsedCode::Invite(invite) => CodeSummary {
            kind: CodeKind::Invite,
            invite_id: code::invite::hex_id(&invite.id()),
            mode: Some(invite.mode().into()),
            question: invite.question().map(str::to_owned),
            expires_at: Some(invite.expires_at()),
        },
        ParsedCode::Reply { invite_id } => CodeSummary {
            kind: CodeKind::Reply,
            invite_id: code::invite::hex_id(&invite_id),
            mode: None,
            question: None,
            expires_at: None,
        },
        ParsedCode::FollowUp { invite_id } => CodeSummary {
            kind: CodeKind::FollowUp,
            invite_id: code::invite::hex_id(&invite_id),
            mode: None,
            question: None,
            expires_at: None,
        },
    })
}

/// Whether some text contains something that looks like a Tincan code: cheap, for
/// deciding whether to offer "Open code" on a shared text or the clipboard.
#[uniffi::export]
pub fn looks_like_code(text: &str) -> bool {
    code::text::looks_like_code(text)
}
