//! The messages peers exchange on the data channel: a versioned JSON envelope.
//!
//! JSON (not a binary format) because frames are small, a browser peer or a debugging
//! person can read them, and serde makes adding fields backward compatible: unknown
//! fields are ignored, unknown frame types are reported and skipped, never fatal.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 1;

/// Largest frame a peer may send; bigger ones are dropped with a logged reason.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Longest chat text, in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// One frame on the data channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame {
    /// First frame from each side: key confirmation bound to both DTLS fingerprints.
    Confirm {
        /// Hex HMAC tag (see `protect::keys`).
        tag: String,
        /// The sender's display name, if it chose one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A chat message.
    Chat {
        /// Sender-chosen unique id (hex); receipts and deduplication use it.
        id: String,
        /// Sender's clock, Unix milliseconds.
        sent_at: u64,
        /// The text.
        text: String,
    },
    /// Receipt: the peer stored the message with this id.
    Ack {
        /// The acknowledged message id.
        id: String,
    },
    /// The sender is closing the connection on purpose (a close is not signalled
    /// by the transport).
    Bye,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u16,
    #[serde(flatten)]
    frame: Frame,
}

/// Why a frame from a peer was dropped.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    /// Over [`MAX_FRAME_BYTES`].
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    /// Not a frame this build understands.
    #[error("malformed or unknown frame: {0}")]
    Malformed(String),
    /// A newer protocol.
    #[error("protocol version {0} is newer than this build's")]
    Version(u16),
    /// Chat text over [`MAX_TEXT_BYTES`].
    #[error("message text of {0} bytes is over the limit")]
    TextTooLong(usize),
}

impl Frame {
    /// Serialises with the current version.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&Envelope {
            v: PROTOCOL_VERSION,
            frame: self.clone(),
        })
        .expect("frames always serialise")
    }

    /// Parses and checks a frame from a peer.
    pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
        if bytes.len() > MAX_FRAME_BYTES {
            return Err(FrameError::TooLarge(bytes.len()));
        }
        let env: Envelope =
            serde_json::from_slice(bytes).map_err(|e| FrameError::Malformed(e.to_string()))?;
        if env.v > PROTOCOL_VERSION {
            return Err(FrameError::Version(env.v));
        }
        if let Frame::Chat { text, .. } = &env.frame {
            if text.len() > MAX_TEXT_BYTES {
                return Err(FrameError::TextTooLong(text.len()));
            }
        }
        Ok(env.frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limits() {
        let f = Frame::Chat {
            id: "ab".into(),
            sent_at: 5,
            text: "hi".into(),
        };
        let bytes = f.encode();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"v":1,"type":"chat","id":"ab","sent_at":5,"text":"hi"}"#
        );
        assert_eq!(Frame::decode(&bytes).unwrap(), f);
        assert!(matches!(
            Frame::decode(b"nonsense"),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            Frame::decode(br#"{"v":1,"type":"teleport"}"#),
            Err(FrameError::Malformed(_))
        ));
        assert_eq!(
            Frame::decode(br#"{"v":9,"type":"bye"}"#),
            Err(FrameError::Version(9))
        );
        assert_eq!(
            Frame::decode(&vec![b' '; MAX_FRAME_BYTES + 1]),
            Err(FrameError::TooLarge(MAX_FRAME_BYTES + 1))
        );
        // Unknown fields are ignored so later versions can add them.
        assert_eq!(
            Frame::decode(br#"{"v":1,"type":"bye","extra":1}"#).unwrap(),
            Frame::Bye
        );
    }
}
