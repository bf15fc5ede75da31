//! Why an SDP (or a browser's JSON around it) could not be turned into a description.
//!
//! Internal detail: shells see it as [`CodeError::Description`]. Messages name the
//! field, never its value, so ICE passwords do not end up in logs.

use thiserror::Error;

use crate::error::CodeError;

/// A session description that Tincan cannot read or cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SdpError {
    /// A required line or attribute is absent.
    #[error("the session description has no {0}")]
    Missing(&'static str),
    /// A line or attribute is there but not well-formed.
    #[error("the session description has a malformed {0}")]
    Malformed(&'static str),
    /// A field is well-formed SDP but outside what Tincan carries (length, characters).
    #[error("the session description's {0} is not supported")]
    Unsupported(&'static str),
    /// The DTLS fingerprint uses another hash than SHA-256.
    #[error("only SHA-256 certificate fingerprints are supported (found {0})")]
    UnsupportedFingerprint(String),
    /// The session has audio/video, or no data channel.
    #[error("only data-channel sessions are supported ({0})")]
    NotDataChannel(String),
    /// One `a=candidate` line could not be read.
    #[error("candidate {index} is not usable: {reason}")]
    Candidate {
        /// 1-based position of the candidate line in the SDP.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The browser JSON is not `{"type": ..., "sdp": ...}`.
    #[error("not a browser session description ({0})")]
    Json(&'static str),
    /// A description of another kind than offer or answer (pranswer, rollback).
    #[error("only offers and answers are supported (found {0:?})")]
    Kind(String),
}

impl From<SdpError> for CodeError {
    fn from(e: SdpError) -> Self {
        CodeError::Description {
            reason: e.to_string(),
        }
    }
}
