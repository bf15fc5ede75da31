//! Reply codes: the joiner's SPAKE2 message and its connection details, sealed.
//!
//! Layout (docs/FORMAT.md): header (low bit: SPAKE2 message present), the invite id,
//! the SPAKE2 message, a nonce, then — sealed with XChaCha20-Poly1305 under a key
//! derived from the exchange and the transcript of both codes — creation time, expiry
//! and the joiner's compact session description. Every clear byte is associated data.

use rand_core::CryptoRngCore;

use super::{check_header, header, text, CodeKind};
use crate::bytes::Reader;
use crate::compact;
use crate::protect::keys::{transcript_hash, SessionKeys};
use crate::protect::pake::PakeMessage;
use crate::protect::seal::{self, NONCE_LEN};
use crate::sdp::SessionDescription;
use crate::CodeError;

/// What a reply seals.
#[derive(Debug, Clone)]
pub(crate) struct ReplyContents {
    pub created_at: u32,
    pub expires_at: u32,
    pub description: SessionDescription,
}

/// A parsed, still sealed reply.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub invite_id: [u8; 8],
    pub pake_message: Option<PakeMessage>,
    /// Every byte in clear: the associated data and the transcript's reply part.
    pub clear: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    sealed: Vec<u8>,
}

impl Reply {
    /// Reads a reply's text form (no keys needed).
    pub fn parse(code: &str) -> Result<Self, CodeError> {
        let (kind, bytes) = text::decode(code)?;
        if kind != CodeKind::Reply {
            return Err(CodeError::WrongKind {
                expected: CodeKind::Reply.described(),
                found: kind.described(),
            });
        }
        Self::from_bytes(&bytes)
    }

    /// Reads a reply's binary layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodeError> {
        let mut r = Reader::new(bytes);
        let flags = check_header(r.u8("header")?, CodeKind::Reply)?;
        let invite_id = r.array("invite id")?;
        let pake_message = match flags {
            0 => None,
            1 => Some(r.array("key-exchange message")?),
            _ => {
                return Err(CodeError::Damaged {
                    reason: "unknown reply flags".into(),
                })
            }
        };
        let nonce = r.array("nonce")?;
        let clear = r.consumed().to_vec();
        let sealed = r.rest().to_vec();
        if sealed.len() <= seal::TAG_LEN {
            return Err(CodeError::Damaged {
                reason: "the sealed part is missing".into(),
            });
        }
        Ok(Self {
            invite_id,
            pake_message,
            clear,
            nonce,
            sealed,
        })
    }

    /// Makes a reply's text and the keys of the exchange.
    pub fn build(
        invite_id: [u8; 8],
        invite: &[u8],
        pake_message: Option<PakeMessage>,
        shared: &[u8],
        contents: ReplyContents,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(String, SessionKeys), CodeError> {
        let mut out = vec![header(CodeKind::Reply, u8::from(pake_message.is_some()))];
        out.extend_from_slice(&invite_id);
        if let Some(msg) = pake_message {
            out.extend_from_slice(&msg);
        }
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        out.extend_from_slice(&nonce);
        let keys = SessionKeys::derive(shared, transcript_hash(invite, &out));
        let mut plain = Vec::new();
        plain.extend_from_slice(&contents.created_at.to_be_bytes());
        plain.extend_from_slice(&contents.expires_at.to_be_bytes());
        compact::write(&contents.description, &mut plain)?;
        let sealed = seal::seal(keys.reply_seal(), &nonce, &out, &plain);
        out.extend_from_slice(&sealed);
        Ok((text::encode(CodeKind::Reply, &out), keys))
    }

    /// Opens the sealed part: `None` when the keys are wrong (a wrong answer), an
    /// error when it opens but is malformed.
    pub fn open(&self, keys: &SessionKeys) -> Option<Result<ReplyContents, CodeError>> {
        let plain = seal::open(keys.reply_seal(), &self.nonce, &self.clear, &self.sealed)?;
        Some((|| {
            let mut r = Reader::new(&plain);
            let created_at = r.u32("creation time")?;
            let expires_at = r.u32("expiry")?;
            let description = compact::read(&mut r)?;
            r.finish()?;
            Ok(ReplyContents {
                created_at,
                expires_at,
                description,
            })
        })())
    }
}
