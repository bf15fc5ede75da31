//! What can go wrong with a link, in the link's own detail.
//!
//! The node maps these to the small public error set; messages never carry SDP,
//! credentials or key material.

use std::time::Duration;

use thiserror::Error;

/// A link could not be set up, used or restored.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The local WebRTC stack refused to build or describe the connection.
    #[error("the connection could not be set up: {0}")]
    Setup(String),
    /// The other side's session description is not usable.
    #[error("the other side's connection details are not usable: {0}")]
    Remote(String),
    /// Persisted link secrets are damaged or not ours.
    #[error("the stored connection secrets are damaged: {0}")]
    Secrets(String),
    /// The channel did not open in time.
    #[error("the connection did not open within {0:?}")]
    Timeout(Duration),
    /// The other side answered connectivity checks, but the encrypted session did not
    /// come up: what answered is a session that is going away (see
    /// [`Link::wait_open_unless_stalled`](super::Link::wait_open_unless_stalled)).
    #[error("the other side answered but the connection did not start within {0:?}")]
    HandshakeStalled(Duration),
    /// ICE or DTLS failed: the two devices cannot reach each other.
    #[error("the connection failed: the devices cannot reach each other")]
    Failed,
    /// The link is closed (by us or by the peer).
    #[error("the connection is closed")]
    Closed,
}

impl LinkError {
    pub(crate) fn setup(err: impl std::fmt::Display) -> Self {
        Self::Setup(err.to_string())
    }

    pub(crate) fn remote(err: impl std::fmt::Display) -> Self {
        Self::Remote(err.to_string())
    }
}
