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
    /// Receipt: the person read the messages with these ids.
    Read {
        /// The sender's message ids (at most [`MAX_READ_IDS`]).
        ids: Vec<String>,
    },
    /// Identity, first half: the sender's long-term public key and a fresh nonce
    /// (see `node/handshake.rs`). Sent on every connection, after `Confirm` if any.
    Hello {
        /// Hex Ed25519 public key.
        key: String,
        /// Hex 16-byte nonce, fresh for this connection.
        nonce: String,
        /// The sender's display name, if it chose one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Identity, second half: signature over both nonces and both DTLS fingerprints.
    Proof {
        /// Hex Ed25519 signature.
        sig: String,
    },
    /// The sender is ending the conversation for good (a close is not signalled by
    /// the transport).
    Bye,
    /// The sender is going offline (app closing) and will reconnect later: start
    /// reconnecting now instead of waiting for the connection to time out.
    Away,
    /// Are you still there? Sent after a few quiet seconds; answered with `Pong`. ICE
    /// alone can look alive while the session behind it is gone (the peer restarted
    /// with the same credentials), so liveness is checked end to end.
    Ping,
    /// Answer to `Ping`.
    Pong,
    /// How lively the sender wants the link kept: `background` when nobody looks at
    /// its screen. Sent after the handshake and on every change; both sides use the
    /// background pace while either asks for it (`link/idle.rs`).
    Pace {
        /// The sender is in the background.
        background: bool,
    },
    /// A file or photo offered (rides the outbox like `Chat`; acknowledged with
    /// `Ack`). The bytes follow only when the receiver asks with `Want`.
    File {
        /// Sender-chosen unique id (hex): the message's and the transfer's.
        id: String,
        /// Sender's clock, Unix milliseconds.
        sent_at: u64,
        /// The name the sender gave.
        name: String,
        /// Media type.
        mime: String,
        /// Bytes.
        size: u64,
        /// BLAKE3 of the content, 64 hex digits.
        hash: String,
        /// For a photo: a small JPEG preview, base64, made by the sender.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview: Option<String>,
    },
    /// Send transfer `id`'s bytes from `offset` on (first ask, resume, or ask again).
    Want {
        /// The transfer.
        id: String,
        /// First byte wanted.
        offset: u64,
    },
    /// Every byte of transfer `id` arrived and matched its hash.
    Got {
        /// The transfer.
        id: String,
    },
    /// Transfer `id` ends unfinished: declined by the receiver, or given up by either
    /// side (`reason` is shown to the person).
    Refuse {
        /// The transfer.
        id: String,
        /// Why, in words.
        reason: String,
        /// The receiver said no (rather than something failing).
        #[serde(default)]
        declined: bool,
    },
    /// An introduction (docs/NETWORK.md): the sender, a contact of both, proposes we
    /// meet the person holding `key`. Queued until `ok`; answered with `intro_reply`.
    Intro {
        /// The introduction's id (also the conversation it makes).
        id: String,
        /// Hex Ed25519 identity key of the person introduced, as the sender knows it.
        key: String,
        /// Their name, as the sender knows it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Unix seconds: the introduction lapses then.
        expires_at: u64,
    },
    /// Our answer, to the introducer: `card` (base64 of our connection card sealed to
    /// the other person, `intro/card.rs`) when accepted, absent when declined.
    IntroReply {
        /// The introduction.
        id: String,
        /// The sealed card; absent: declined.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<String>,
    },
    /// The introducer forwards the other person's answer: their sealed card, or
    /// nothing when they declined.
    IntroPass {
        /// The introduction.
        id: String,
        /// The other person's sealed card; absent: they declined.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<String>,
    },
    /// Please pass `payload` (a follow-up code, sealed under the conversation's own
    /// keys) to your contact holding `to`, if you are connected to them now
    /// (`node/relay.rs`). Not queued: a relay that cannot pass it on drops it.
    Relay {
        /// Random id: relays and the addressee drop repeats.
        id: String,
        /// Hex identity key of the addressee.
        to: String,
        /// What to pass on.
        payload: String,
    },
    /// A relay passes on `payload` from its contact holding `from`.
    Relayed {
        /// The request's id.
        id: String,
        /// Hex identity key of the sender, as the relay knows it.
        from: String,
        /// What the sender asked to pass on.
        payload: String,
    },
    /// The sender holds letters for its offline contacts (or stopped): sent after
    /// the handshake when on, and on every change (`node/held.rs`).
    Holding {
        /// Whether it holds letters now.
        on: bool,
    },
    /// Please hold this letter (a chat message sealed to your contact holding `to`)
    /// until you meet them.
    Hold {
        /// The message id.
        id: String,
        /// Hex identity key of the recipient.
        to: String,
        /// Base64 of the sealed letter (`letter.rs`).
        letter: String,
        /// Unix seconds: give up then.
        expires_at: u64,
    },
    /// A letter held for us, from the contact holding `from`; answered with `ok`.
    Handover {
        /// The message id.
        id: String,
        /// Hex identity key of the author.
        from: String,
        /// Base64 of the sealed letter.
        letter: String,
    },
    /// Something about a group room (`node/rooms.rs`): a membership operation, a post
    /// or catch-up entry, a gossip announcement, graft or prune, or heights.
    Room {
        /// The room (32 hex digits).
        room: String,
        /// `op`, `post`, `catchup`, `ihave`, `graft`, `prune`, `have` or `more`.
        kind: String,
        /// Base64 of the kind's bytes (`room/codec.rs`).
        data: String,
        /// For `post`: hops from the author.
        #[serde(default)]
        hops: u32,
    },
    /// The frame queued under `key` arrived and was kept: stop sending it.
    Ok {
        /// The queued frame's key (`intro:<id>`, `reply:<id>`, `pass:<id>`).
        key: String,
    },
}

/// Longest name an introduction may carry, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// Longest payload a relay request may carry (a follow-up code is far shorter).
pub const MAX_RELAY_PAYLOAD: usize = 2048;

/// Longest base64 letter a `hold` or `handover` may carry.
pub const MAX_LETTER_CHARS: usize = crate::letter::MAX_SEALED_LETTER_BYTES.div_ceil(3) * 4;

/// Longest base64 data a room frame may carry (a post of the largest size).
pub const MAX_ROOM_DATA_CHARS: usize = (crate::room::log::MAX_BODY_BYTES + 256).div_ceil(3) * 4;

/// Longest base64 card an introduction frame may carry.
pub const MAX_CARD_CHARS: usize = 2 * crate::intro::card::MAX_SEALED_CARD_BYTES;

/// Longest file name a peer may announce, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 1024;

/// Longest media type a peer may announce.
pub const MAX_MIME_BYTES: usize = 255;

/// Longest reason in a `Refuse`.
pub const MAX_REASON_BYTES: usize = 1024;

/// Most ids one read receipt may carry.
pub const MAX_READ_IDS: usize = 512;

/// Longest message id a peer may use (hex of up to 32 bytes).
pub const MAX_ID_CHARS: usize = 64;

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
        match &env.frame {
            Frame::Chat { text, .. } if text.len() > MAX_TEXT_BYTES => {
                return Err(FrameError::TextTooLong(text.len()));
            }
            Frame::Chat { id, .. } | Frame::Ack { id } if !valid_id(id) => {
                return Err(FrameError::Malformed(format!("bad message id {id:?}")));
            }
            Frame::Read { ids } if ids.len() > MAX_READ_IDS || !ids.iter().all(|i| valid_id(i)) => {
                return Err(FrameError::Malformed("bad read receipt".into()));
            }
            Frame::File {
                id,
                name,
                mime,
                hash,
                ..
            } if !valid_id(id)
                || name.len() > MAX_FILE_NAME_BYTES
                || mime.len() > MAX_MIME_BYTES
                || hash.len() != 64
                || !hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                return Err(FrameError::Malformed("bad file offer".into()));
            }
            Frame::Want { id, .. } | Frame::Got { id } if !valid_id(id) => {
                return Err(FrameError::Malformed(format!("bad transfer id {id:?}")));
            }
            Frame::Refuse { id, reason, .. }
                if !valid_id(id) || reason.len() > MAX_REASON_BYTES =>
            {
                return Err(FrameError::Malformed("bad refusal".into()));
            }
            Frame::Intro { id, key, name, .. }
                if !valid_id(id)
                    || key.len() != 64
                    || !key.bytes().all(|b| b.is_ascii_hexdigit())
                    || name.as_ref().is_some_and(|n| n.len() > MAX_NAME_BYTES) =>
            {
                return Err(FrameError::Malformed("bad introduction".into()));
            }
            Frame::IntroReply { id, card } | Frame::IntroPass { id, card }
                if !valid_id(id) || card.as_ref().is_some_and(|c| c.len() > MAX_CARD_CHARS) =>
            {
                return Err(FrameError::Malformed("bad introduction answer".into()));
            }
            Frame::Relay {
                id,
                to: key,
                payload,
            }
            | Frame::Relayed {
                id,
                from: key,
                payload,
            } if !valid_id(id)
                || key.len() != 64
                || !key.bytes().all(|b| b.is_ascii_hexdigit())
                || payload.len() > MAX_RELAY_PAYLOAD =>
            {
                return Err(FrameError::Malformed("bad relay request".into()));
            }
            Frame::Hold {
                id,
                to: key,
                letter,
                ..
            }
            | Frame::Handover {
                id,
                from: key,
                letter,
            } if !valid_id(id)
                || key.len() != 64
                || !key.bytes().all(|b| b.is_ascii_hexdigit())
                || letter.len() > MAX_LETTER_CHARS =>
            {
                return Err(FrameError::Malformed("bad letter".into()));
            }
            Frame::Room {
                room, kind, data, ..
            } if room.len() != 32
                || !room.bytes().all(|b| b.is_ascii_hexdigit())
                || kind.is_empty()
                || kind.len() > 16
                || data.len() > MAX_ROOM_DATA_CHARS =>
            {
                return Err(FrameError::Malformed("bad room frame".into()));
            }
            Frame::Ok { key }
                if key.is_empty()
                    || key.len() > MAX_ID_CHARS + 8
                    || !key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_:".contains(&b)) =>
            {
                return Err(FrameError::Malformed("bad acknowledgement".into()));
            }
            _ => {}
        }
        Ok(env.frame)
    }
}

/// Message ids are short printable tokens: they key the database and the logs.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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
        assert!(matches!(
            Frame::decode(br#"{"v":1,"type":"ack","id":""}"#),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            Frame::decode(br#"{"v":1,"type":"chat","id":"a b","sent_at":1,"text":""}"#),
            Err(FrameError::Malformed(_))
        ));
        let many = format!(
            r#"{{"v":1,"type":"read","ids":[{}]}}"#,
            vec![r#""a""#; MAX_READ_IDS + 1].join(",")
        );
        assert!(matches!(
            Frame::decode(many.as_bytes()),
            Err(FrameError::Malformed(_))
        ));
        let read = Frame::Read {
            ids: vec!["a1".into()],
        };
        assert_eq!(Frame::decode(&read.encode()).unwrap(), read);
        let offer = Frame::File {
            id: "f1".into(),
            sent_at: 1,
            name: "../x".into(),
            mime: "image/jpeg".into(),
            size: 3,
            hash: "0".repeat(64),
            preview: None,
        };
        assert_eq!(Frame::decode(&offer.encode()).unwrap(), offer);
        assert!(matches!(
            Frame::decode(br#"{"v":1,"type":"file","id":"f1","sent_at":1,"name":"x","mime":"a","size":1,"hash":"zz"}"#),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            Frame::decode(br#"{"v":1,"type":"want","id":"../f","offset":0}"#),
            Err(FrameError::Malformed(_))
        ));
        // Unknown fields are ignored so later versions can add them.
        assert_eq!(
            Frame::decode(br#"{"v":1,"type":"bye","extra":1}"#).unwrap(),
            Frame::Bye
        );
    }

    #[test]
    fn introduction_frames_round_trip_within_limits() {
        let intro = Frame::Intro {
            id: "0123456789abcdef".into(),
            key: "ab".repeat(32),
            name: Some("Cleo".into()),
            expires_at: 5,
        };
        assert_eq!(Frame::decode(&intro.encode()).unwrap(), intro);
        let reply = Frame::IntroReply {
            id: "0123456789abcdef".into(),
            card: Some("QUJD".into()),
        };
        assert_eq!(Frame::decode(&reply.encode()).unwrap(), reply);
        let bad = [
            Frame::Intro {
                id: "x".into(),
                key: "zz".repeat(32),
                name: None,
                expires_at: 5,
            },
            Frame::Intro {
                id: "x".into(),
                key: "ab".repeat(32),
                name: Some("n".repeat(MAX_NAME_BYTES + 1)),
                expires_at: 5,
            },
            Frame::IntroPass {
                id: "x".into(),
                card: Some("A".repeat(MAX_CARD_CHARS + 1)),
            },
            Frame::Ok {
                key: "pass:../x".into(),
            },
        ];
        for frame in bad {
            assert!(
                matches!(
                    Frame::decode(&frame.encode()),
                    Err(FrameError::Malformed(_))
                ),
                "{frame:?}"
            );
        }
        let ok = Frame::Ok {
            key: "pass:0123456789abcdef".into(),
        };
        assert_eq!(Frame::decode(&ok.encode()).unwrap(), ok);
    }
}
