//! The errors a person can act on when a code or QR image is refused.
//!
//! Internal layers keep detailed errors ([`crate::bytes::FormatError`] and friends);
//! this is the small public set. Messages say what to do next and never contain the
//! code, the answer or any key.

use thiserror::Error;

use crate::bytes::FormatError;

/// A code, QR image or answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The text is not a Tincan code at all.
    #[error("This is not a Tincan code. Tincan codes start with \"TINCAN-\".")]
    NotACode,
    /// A contact's safety-number QR (`TINCAN-SN1:`, [`crate::identity`]) was given
    /// where an invite, reply or follow-up code belongs: both are scanned with the same
    /// camera, so say which is which instead of calling it damaged.
    #[error("This is a safety-number code, for checking who a contact is, not an invite or a reply. Scan it where you verify that contact.")]
    SafetyNumberCode,
    /// A safety-number QR (`TINCAN-SN…`) that cannot be read: a partial scan, a
    /// changed digit count, a format from another version.
    #[error("This looks like a safety-number code, but it cannot be read ({reason}). Scan it again, or compare the numbers on both screens by eye.")]
    SafetyNumberDamaged {
        /// What is wrong with it, in words; never contains the digits.
        reason: String,
    },
    /// Text that starts like a browser page's connection details
    /// (`{"type":"offer","sdp":"…"}`) but ends before its closing brace.
    #[error("This browser JSON (a page's connection details) is cut off before its end. Copy all of it again, from the first {{ to the last }}, and paste it in one piece.")]
    BrowserJsonIncomplete,
    /// Text that looks like a browser page's connection details but cannot be used.
    #[error("This looks like browser JSON (a page's connection details), but it cannot be used: {reason}. Copy the JSON again exactly as the page shows it, and paste it without changes.")]
    BrowserJsonBroken {
        /// What is wrong with it, in words; names fields, never their values.
        reason: String,
    },
    /// The code is damaged, truncated or was edited.
    #[error(
        "This code is damaged or incomplete ({reason}). Ask for it to be sent again, in one piece."
    )]
    Damaged {
        /// Which check failed, for the curious; never contains the code itself.
        reason: String,
    },
    /// The code comes from a newer (or unknown) version of Tincan.
    #[error("This code was made by a newer version of Tincan (format {version}). Update Tincan and try again.")]
    UnsupportedVersion {
        /// The format version found in the code.
        version: u8,
    },
    /// The code is of another kind than the step expects (a reply where an invite belongs).
    #[error("This is {found}, but {expected} is needed here.")]
    WrongKind {
        /// What the step needs, in words ("an invite code").
        expected: &'static str,
        /// What the code is, in words ("a reply code").
        found: &'static str,
    },
    /// The answer to the invite's question does not match.
    #[error("The answer does not match the question. Check it with the person who invited you; each wrong try uses up one of the invite's few attempts.")]
    WrongAnswer,
    /// The code's time ran out.
    #[error("This code has expired. Ask for a new one.")]
    Expired,
    /// The invite has already been answered, or was burned after too many wrong answers.
    #[error("This invite has already been used. Ask for a new one.")]
    AlreadyUsed,
    /// A reply that answers some other invite.
    #[error("This reply answers a different invite. Make sure you load the reply to this invite.")]
    ForeignReply,
    /// The code asks for more memory or time for key derivation than this device allows.
    #[error("This code asks for more memory or time than Tincan allows ({detail}). It was not made by Tincan's default settings; ask for a new one.")]
    TooCostly {
        /// Which limit was exceeded.
        detail: String,
    },
    /// Key-derivation settings below Tincan's minimum; accepting them would weaken the answer's protection.
    #[error("This code's protection settings are too weak ({detail}). Ask for a new one.")]
    TooWeak {
        /// Which minimum was not met.
        detail: String,
    },
    /// A question invite needs an answer, or an answer was given where none fits.
    #[error("{0}")]
    AnswerMismatch(&'static str),
    /// A private invite needs a stronger answer.
    #[error("A private invite needs a much stronger answer: this one is estimated at about {bits} bits, and at least {needed} are needed because anyone who copies a private invite can guess offline. Use a long passphrase, or a normal (non-private) invite.")]
    WeakAnswer {
        /// Estimated guessing entropy of the answer.
        bits: u32,
        /// The required minimum.
        needed: u32,
    },
    /// No QR code could be read from an image, or the image could not be read.
    #[error("No Tincan QR code could be read from the image ({reason}). Hold the camera steady and closer, or use the text code.")]
    Qr {
        /// What went wrong, in words.
        reason: String,
    },
    /// The session description cannot be expressed or rebuilt.
    #[error("The connection details cannot be used: {reason}")]
    Description {
        /// What is unsupported or malformed.
        reason: String,
    },
}

impl From<FormatError> for CodeError {
    fn from(e: FormatError) -> Self {
        CodeError::Damaged {
            reason: e.to_string(),
        }
    }
}
