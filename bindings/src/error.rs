//! The one error the apps see, flat so it maps to a small Kotlin exception hierarchy
//! and a Swift error enum.
//!
//! Each case is something an app can act on differently (show the question again,
//! ask for a new code, check the network, …). The message is always the core's
//! person-readable text, which says what to do next and never contains a code, an
//! answer or a key — so an app may show it as it is.

use tincan_core::node::NodeError;
use tincan_core::CodeError;

/// Why a Tincan call failed. The message is written for the person using the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum TincanError {
    /// The text is not a Tincan code at all.
    #[error("{0}")]
    NotACode(String),
    /// The code is damaged, truncated, of the wrong kind here, or unusable.
    #[error("{0}")]
    InvalidCode(String),
    /// The code was made by a newer Tincan: the app needs an update.
    #[error("{0}")]
    UpdateNeeded(String),
    /// The answer to the invite's question does not match.
    #[error("{0}")]
    WrongAnswer(String),
    /// The code's time ran out.
    #[error("{0}")]
    Expired(String),
    /// The invite was already answered, or burned after too many wrong answers.
    #[error("{0}")]
    AlreadyUsed(String),
    /// A reply that answers another invite than the one it was loaded into.
    #[error("{0}")]
    ForeignReply(String),
    /// A private invite's answer is too weak to resist offline guessing.
    #[error("{0}")]
    WeakAnswer(String),
    /// Something the person typed cannot be used (an empty question, a missing answer).
    #[error("{0}")]
    InvalidInput(String),
    /// No QR code could be read from a frame or image.
    #[error("{0}")]
    QrUnreadable(String),
    /// The peer could not be reached or the connection failed.
    #[error("{0}")]
    Unreachable(String),
    /// The local database, data directory or the platform's secret store failed.
    #[error("{0}")]
    Storage(String),
    /// A reply for an invite this device does not have (made elsewhere, or done).
    #[error("{0}")]
    UnknownInvite(String),
    /// No conversation with that id.
    #[error("{0}")]
    UnknownPeer(String),
    /// The node was shut down; open a new one.
    #[error("{0}")]
    Closed(String),
    /// A fault inside Tincan that the person cannot fix; report it.
    #[error("{0}")]
    Internal(String),
    /// Another Tincan is running on this data directory; close it (or use that one).
    #[error("{0}")]
    DataDirInUse(String),
}

impl From<CodeError> for TincanError {
    fn from(e: CodeError) -> Self {
        let message = e.to_string();
        match e {
            CodeError::NotACode => TincanError::NotACode(message),
            CodeError::UnsupportedVersion { .. } => TincanError::UpdateNeeded(message),
            CodeError::WrongAnswer => TincanError::WrongAnswer(message),
            CodeError::Expired => TincanError::Expired(message),
            CodeError::AlreadyUsed => TincanError::AlreadyUsed(message),
            CodeError::ForeignReply => TincanError::ForeignReply(message),
            CodeError::WeakAnswer { .. } => TincanError::WeakAnswer(message),
            CodeError::AnswerMismatch(_) => TincanError::InvalidInput(message),
            CodeError::Qr { .. } => TincanError::QrUnreadable(message),
            CodeError::Damaged { .. }
            | CodeError::SafetyNumberCode
            | CodeError::WrongKind { .. }
            | CodeError::TooCostly { .. }
            | CodeError::TooWeak { .. }
            | CodeError::Description { .. } => TincanError::InvalidCode(message),
            // A case added to the core later is still a refused code.
            _ => TincanError::InvalidCode(message),
        }
    }
}

impl From<NodeError> for TincanError {
    fn from(e: NodeError) -> Self {
        let message = e.to_string();
        match e {
            NodeError::Code(code) => code.into(),
            NodeError::Unreachable(_) => TincanError::Unreachable(message),
            NodeError::Storage(_) => TincanError::Storage(message),
            NodeError::UnknownInvite => TincanError::UnknownInvite(message),
            NodeError::UnknownPeer(_) => TincanError::UnknownPeer(message),
            NodeError::MessageTooLong(_) => TincanError::InvalidInput(message),
            NodeError::UnknownContact(_) => TincanError::UnknownPeer(message),
            NodeError::Invalid(_) => TincanError::InvalidInput(message),
            NodeError::ShutDown => TincanError::Closed(message),
            NodeError::DataDirInUse(_) => TincanError::DataDirInUse(message),
            // Calling from async code is a bug in the app, as is any case added later.
            _ => TincanError::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_cores_person_readable_text() {
        let core = CodeError::WrongAnswer;
        let ours = TincanError::from(core.clone());
        assert!(matches!(ours, TincanError::WrongAnswer(_)));
        assert_eq!(ours.to_string(), core.to_string());
        assert!(ours.to_string().contains("answer does not match"));
    }

    #[test]
    fn refusals_that_need_a_new_code_are_invalid_code() {
        for core in [
            CodeError::Damaged {
                reason: "checksum".into(),
            },
            CodeError::TooCostly {
                detail: "memory".into(),
            },
        ] {
            assert!(matches!(
                TincanError::from(core),
                TincanError::InvalidCode(_)
            ));
        }
        assert!(matches!(
            TincanError::from(CodeError::UnsupportedVersion { version: 9 }),
            TincanError::UpdateNeeded(_)
        ));
    }
}
