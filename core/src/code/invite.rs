//! Invite codes: made by the inviter, opened by the joiner.
//!
//! Layout (docs/FORMAT.md): header, expiry, then by mode —
//! open: a 16-byte secret; question: Argon2id parameters, salt, SPAKE2 message,
//! question; private: the same plus a nonce — followed by the inviter's compact
//! session description, sealed in private mode.
//!
//! The inviter keeps a [`PendingInvite`] (serialisable, so it survives a restart) and
//! completes it with the joiner's reply.

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::exchange::Exchange;
use super::reply::{Reply, ReplyContents};
use super::{check_header, check_lifetime, expiry, header, text, CodeKind, InviteMode};
use super::{CLOCK_GRACE_SECS, MAX_FAILED_ATTEMPTS};
use crate::bytes::{Reader, WriteExt};
use crate::compact;
use crate::protect::argon::{self, ArgonParams};
use crate::protect::keys::{private_invite_key, transcript_hash, Role, SessionKeys};
use crate::protect::normalize::normalize_answer;
use crate::protect::pake::{joiner_exchange, InviterPake, PakeMessage};
use crate::protect::seal::{self, NONCE_LEN};
use crate::protect::strength::{estimate, PRIVATE_MIN_BITS};
use crate::sdp::SessionDescription;
use crate::CodeError;

/// Longest question, in bytes of UTF-8: it travels in clear in every invite.
pub const MAX_QUESTION_BYTES: usize = 160;

/// How the inviter protects an invite.
#[derive(Debug, Clone)]
pub enum InviteSecret {
    /// No question: a random secret in the code (QR shown in person).
    Open,
    /// A question and its answer (SPAKE2).
    Question {
        /// Shown to the joiner in clear.
        question: String,
        /// Never leaves the inviter's device.
        answer: String,
    },
    /// Like `Question`, with the connection details also sealed under the answer.
    Private {
        /// Shown to the joiner in clear.
        question: String,
        /// Must be a strong passphrase.
        answer: String,
    },
}

/// A freshly made invite: the code to share and the state to keep.
#[derive(Debug)]
pub struct NewInvite {
    /// The text to share (and to show as a QR code).
    pub code: String,
    /// What the inviter must keep to complete the invite.
    pub pending: PendingInvite,
}

/// The inviter's secret for an invite, as persisted.
#[derive(Clone, Serialize, Deserialize)]
enum PendingSecret {
    Open { secret: [u8; 16] },
    Pake { password: [u8; 32], seed: [u8; 32] },
}

/// What the inviter keeps until a reply arrives. Serialisable so it survives an app
/// restart; contains secrets, so store it where the app keeps its keys.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingInvite {
    id: [u8; 8],
    invite: Vec<u8>,
    mode: InviteMode,
    expires_at: u32,
    secret: PendingSecret,
    failed_attempts: u8,
    used: bool,
}

impl std::fmt::Debug for PendingInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingInvite")
            .field("id", &hex_id(&self.id))
            .field("mode", &self.mode)
            .field("expires_at", &self.expires_at)
            .field("failed_attempts", &self.failed_attempts)
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

/// Short hex form of an invite id, for logs and file names.
pub fn hex_id(id: &[u8; 8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// An invite's id: names it in the reply and in the inviter's store.
fn invite_id(invite: &[u8]) -> [u8; 8] {
    let digest = Sha256::new()
        .chain_update(b"tincan/v1 invite id")
        .chain_update(invite)
        .finalize();
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    id
}

fn check_question(question: &str) -> Result<String, CodeError> {
    let q = question.trim();
    if q.is_empty() {
        return Err(CodeError::AnswerMismatch("The question is empty."));
    }
    if q.len() > MAX_QUESTION_BYTES {
        return Err(CodeError::AnswerMismatch(
            "The question is too long for a code; keep it under 160 bytes (about 100 characters).",
        ));
    }
    if q.chars().any(is_unsafe_char) {
        return Err(CodeError::AnswerMismatch(
            "The question contains control characters; use plain text.",
        ));
    }
    Ok(q.to_string())
}

/// Control and bidirectional-override characters: a hostile question must not
/// rewrite a terminal or reorder what the joiner reads.
fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Makes an invite for `description` (the inviter's side of the connection).
///
/// `argon` is [`argon::DEFAULT`] in the app; `now` is Unix seconds.
pub fn create_invite(
    secret: InviteSecret,
    description: &SessionDescription,
    now: u64,
    lifetime_secs: u64,
    argon: ArgonParams,
    rng: &mut impl CryptoRngCore,
) -> Result<NewInvite, CodeError> {
    check_lifetime(lifetime_secs)?;
    let expires_at = expiry(now, lifetime_secs);
    let mode = match &secret {
        InviteSecret::Open => InviteMode::Open,
        InviteSecret::Question { .. } => InviteMode::Question,
        InviteSecret::Private { .. } => InviteMode::Private,
    };
    let mut out = vec![header(CodeKind::Invite, mode.bits())];
    out.extend_from_slice(&expires_at.to_be_bytes());

    let pending_secret = match secret {
        InviteSecret::Open => {
            let mut s = [0u8; 16];
            rng.fill_bytes(&mut s);
            out.extend_from_slice(&s);
            compact::write(description, &mut out)?;
            PendingSecret::Open { secret: s }
        }
        InviteSecret::Question { question, answer }
        | InviteSecret::Private { question, answer } => {
            let question = check_question(&question)?;
            let normalized = normalize_answer(&answer)?;
            if mode == InviteMode::Private {
                let strength = estimate(&answer, &question);
                if strength.bits < PRIVATE_MIN_BITS {
                    return Err(CodeError::WeakAnswer {
                        bits: strength.bits,
                        needed: PRIVATE_MIN_BITS,
                    });
                }
            }
            argon.check()?;
            let mut salt = [0u8; 16];
            rng.fill_bytes(&mut salt);
            let password = argon::harden(&normalized, &salt, argon)?;
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(seed.as_mut());
            let pake = InviterPake::new(password.clone(), seed.clone());
            argon.write(&mut out);
            out.extend_from_slice(&salt);
            out.extend_from_slice(&pake.message());
            out.put_short_bytes(question.as_bytes(), "question")?;
            if mode == InviteMode::Private {
                let mut nonce = [0u8; NONCE_LEN];
                rng.fill_bytes(&mut nonce);
                out.extend_from_slice(&nonce);
                let key = private_invite_key(&password, &out);
                let mut plain = Vec::new();
                compact::write(description, &mut plain)?;
                let sealed = seal::seal(&key, &nonce, &out, &plain);
                out.extend_from_slice(&sealed);
            } else {
                compact::write(description, &mut out)?;
            }
            PendingSecret::Pake {
                password: *password,
                seed: *seed,
            }
        }
    };
    let pending = PendingInvite {
        id: invite_id(&out),
        mode,
        expires_at,
        secret: pending_secret,
        failed_attempts: 0,
        used: false,
        invite: out,
    };
    Ok(NewInvite {
        code: text::encode(CodeKind::Invite, &pending.invite),
        pending,
    })
}

impl PendingInvite {
    /// The invite's id (also named by replies).
    pub fn id(&self) -> [u8; 8] {
        self.id
    }

    /// When the invite stops accepting replies (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        u64::from(self.expires_at)
    }

    /// How the invite is protected.
    pub fn mode(&self) -> InviteMode {
        self.mode
    }

    /// Whether a reply already completed this invite, or it was burned.
    pub fn is_spent(&self) -> bool {
        self.used || self.failed_attempts >= MAX_FAILED_ATTEMPTS
    }

    /// Wrong replies received so far.
    pub fn failed_attempts(&self) -> u8 {
        self.failed_attempts
    }

    /// The invite's text form again (to show it once more after a restart).
    pub fn code(&self) -> String {
        text::encode(CodeKind::Invite, &self.invite)
    }

    /// Completes the invite with a reply's text. On success the invite is spent; a
    /// reply that does not open counts as a wrong answer, and after
    /// [`MAX_FAILED_ATTEMPTS`] the invite is burned. The caller must persist `self`
    /// after every call, successful or not.
    pub fn accept_reply(&mut self, reply_text: &str, now: u64) -> Result<Exchange, CodeError> {
        let reply = Reply::parse(reply_text)?;
        if reply.invite_id != self.id {
            return Err(CodeError::ForeignReply);
        }
        if self.is_spent() {
            return Err(CodeError::AlreadyUsed);
        }
        if now > self.expires_at() {
            return Err(CodeError::Expired);
        }
        let shared = match (&self.secret, reply.pake_message) {
            (PendingSecret::Open { secret }, None) => Zeroizing::new(secret.to_vec()),
            (PendingSecret::Pake { password, seed }, Some(msg)) => {
                let pake = InviterPake::new(Zeroizing::new(*password), Zeroizing::new(*seed));
                Zeroizing::new(pake.finish(&msg)?.to_vec())
            }
            _ => {
                return Err(CodeError::Damaged {
                    reason: "the reply does not fit the invite's protection mode".into(),
                })
            }
        };
        let keys = SessionKeys::derive(&shared, transcript_hash(&self.invite, &reply.clear));
        let Some(contents) = reply.open(&keys) else {
            self.failed_attempts = self.failed_attempts.saturating_add(1);
            return Err(CodeError::WrongAnswer);
        };
        let ReplyContents {
            created_at,
            expires_at,
            description,
        } = contents?;
        if u64::from(created_at) > self.expires_at() + CLOCK_GRACE_SECS {
            return Err(CodeError::Expired);
        }
        if now > u64::from(expires_at) + CLOCK_GRACE_SECS {
            return Err(CodeError::Expired);
        }
        self.used = true;
        Ok(Exchange::new(Role::Inviter, self.id, keys, description))
    }
}

/// An invite as the joiner reads it.
#[derive(Debug, Clone)]
pub struct Invite {
    bytes: Vec<u8>,
    id: [u8; 8],
    mode: InviteMode,
    expires_at: u32,
    body: InviteBody,
}

#[derive(Debug, Clone)]
enum InviteBody {
    Open {
        secret: [u8; 16],
        description: SessionDescription,
    },
    Pake {
        argon: ArgonParams,
        salt: [u8; 16],
        pake_message: PakeMessage,
        question: String,
        details: Details,
    },
}

/// What anyone holding the invite can read of its PAKE inputs.
#[cfg(test)]
pub(crate) struct InviteBodyView {
    pub salt: [u8; 16],
    pub argon: ArgonParams,
    pub pake_message: PakeMessage,
}

#[derive(Debug, Clone)]
enum Details {
    Clear(SessionDescription),
    Sealed {
        clear_len: usize,
        nonce: [u8; NONCE_LEN],
    },
}

impl Invite {
    /// Reads an invite's text form. Cheap: checks the checksum, layout, limits and
    /// expiry without any key derivation.
    pub fn parse(code: &str, now: u64) -> Result<Self, CodeError> {
        let (kind, bytes) = text::decode(code)?;
        if kind != CodeKind::Invite {
            return Err(CodeError::WrongKind {
                expected: CodeKind::Invite.described(),
                found: kind.described(),
            });
        }
        let invite = Self::from_bytes(bytes)?;
        if now > invite.expires_at() + CLOCK_GRACE_SECS {
            return Err(CodeError::Expired);
        }
        Ok(invite)
    }

    /// Reads an invite's binary layout (no expiry check).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CodeError> {
        let mut r = Reader::new(&bytes);
        let mode_bits = check_header(r.u8("header")?, CodeKind::Invite)?;
        let mode = InviteMode::from_bits(mode_bits).ok_or(CodeError::Damaged {
            reason: "unknown invite mode".into(),
        })?;
        let expires_at = r.u32("expiry")?;
        let body = match mode {
            InviteMode::Open => {
                let secret = r.array("secret")?;
                let description = compact::read(&mut r)?;
                r.finish()?;
                InviteBody::Open {
                    secret,
                    description,
                }
            }
            InviteMode::Question | InviteMode::Private => {
                let argon = ArgonParams::read(&mut r)?;
                argon.check()?;
                let salt = r.array("salt")?;
                let pake_message = r.array("key-exchange message")?;
                let question = r.short_str("question")?;
                if question.is_empty() || question.chars().any(is_unsafe_char) {
                    return Err(CodeError::Damaged {
                        reason: "the question is empty or holds control characters".into(),
                    });
                }
                let question = question.to_string();
                let details = if mode == InviteMode::Private {
                    let nonce = r.array("nonce")?;
                    let clear_len = r.consumed().len();
                    if r.remaining() <= seal::TAG_LEN {
                        return Err(CodeError::Damaged {
                            reason: "the sealed connection details are missing".into(),
                        });
                    }
                    Details::Sealed { clear_len, nonce }
                } else {
                    let d = compact::read(&mut r)?;
                    r.finish()?;
                    Details::Clear(d)
                };
                InviteBody::Pake {
                    argon,
                    salt,
                    pake_message,
                    question,
                    details,
                }
            }
        };
        Ok(Self {
            id: invite_id(&bytes),
            bytes,
            mode,
            expires_at,
            body,
        })
    }

    /// The invite's id.
    pub fn id(&self) -> [u8; 8] {
        self.id
    }

    /// How the invite is protected.
    pub fn mode(&self) -> InviteMode {
        self.mode
    }

    /// When the invite expires (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        u64::from(self.expires_at)
    }

    /// The public PAKE inputs, for the offline-guessing test.
    #[cfg(test)]
    pub(crate) fn pake_view(&self) -> Option<InviteBodyView> {
        match &self.body {
            InviteBody::Pake {
                argon,
                salt,
                pake_message,
                ..
            } => Some(InviteBodyView {
                salt: *salt,
                argon: *argon,
                pake_message: *pake_message,
            }),
            InviteBody::Open { .. } => None,
        }
    }

    /// The question to show the joiner, if any.
    pub fn question(&self) -> Option<&str> {
        match &self.body {
            InviteBody::Open { .. } => None,
            InviteBody::Pake { question, .. } => Some(question),
        }
    }

    /// The inviter's connection details, unless sealed (private mode).
    pub fn description(&self) -> Option<&SessionDescription> {
        match &self.body {
            InviteBody::Open { description, .. } => Some(description),
            InviteBody::Pake {
                details: Details::Clear(d),
                ..
            } => Some(d),
            InviteBody::Pake { .. } => None,
        }
    }

    /// Answers the invite: runs Argon2id (slow by design) and SPAKE2, and makes the
    /// reply code carrying `description` (the joiner's side of the connection).
    ///
    /// Returns the reply's text and the joiner's exchange (with the inviter's
    /// description). In question mode a wrong answer is not detected here — only the
    /// inviter can tell; in private mode it is ([`CodeError::WrongAnswer`]).
    pub fn respond(
        &self,
        answer: Option<&str>,
        description: &SessionDescription,
        now: u64,
        lifetime_secs: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(String, Exchange), CodeError> {
        self.answer(answer, now)?
            .reply(description, now, lifetime_secs, rng)
    }

    /// First half of [`Invite::respond`]: checks the answer's shape and runs Argon2id
    /// (and, in private mode, opens the inviter's details). The joiner needs the
    /// inviter's details before it can describe its own side of the connection.
    pub fn answer(&self, answer: Option<&str>, now: u64) -> Result<AnsweredInvite<'_>, CodeError> {
        if now > self.expires_at() + CLOCK_GRACE_SECS {
            return Err(CodeError::Expired);
        }
        match (&self.body, answer) {
            (
                InviteBody::Open {
                    secret,
                    description,
                },
                None,
            ) => Ok(AnsweredInvite {
                invite: self,
                secret: AnsweredSecret::Open(Zeroizing::new(*secret)),
                inviter_description: description.clone(),
            }),
            (InviteBody::Open { .. }, Some(_)) => Err(CodeError::AnswerMismatch(
                "This invite has no question; no answer is needed.",
            )),
            (InviteBody::Pake { .. }, None) => Err(CodeError::AnswerMismatch(
                "This invite asks a question; type its answer.",
            )),
            (
                InviteBody::Pake {
                    argon,
                    salt,
                    pake_message,
                    details,
                    ..
                },
                Some(answer),
            ) => {
                let password = argon::harden(&normalize_answer(answer)?, salt, *argon)?;
                let inviter_description = match details {
                    Details::Clear(d) => d.clone(),
                    Details::Sealed { clear_len, nonce } => {
                        let clear = &self.bytes[..*clear_len];
                        let key = private_invite_key(&password, clear);
                        let plain = seal::open(&key, nonce, clear, &self.bytes[*clear_len..])
                            .ok_or(CodeError::WrongAnswer)?;
                        let mut r = Reader::new(&plain);
                        let d = compact::read(&mut r)?;
                        r.finish()?;
                        d
                    }
                };
                Ok(AnsweredInvite {
                    invite: self,
                    secret: AnsweredSecret::Pake {
                        password,
                        inviter_message: *pake_message,
                    },
                    inviter_description,
                })
            }
        }
    }
}

enum AnsweredSecret {
    Open(Zeroizing<[u8; 16]>),
    Pake {
        password: Zeroizing<[u8; 32]>,
        inviter_message: PakeMessage,
    },
}

/// An invite whose answer has been hardened: ready to make the reply.
pub struct AnsweredInvite<'a> {
    invite: &'a Invite,
    secret: AnsweredSecret,
    inviter_description: SessionDescription,
}

impl AnsweredInvite<'_> {
    /// The inviter's connection details.
    pub fn inviter_description(&self) -> &SessionDescription {
        &self.inviter_description
    }

    /// Makes the reply carrying `description` and the joiner's exchange.
    pub fn reply(
        self,
        description: &SessionDescription,
        now: u64,
        lifetime_secs: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(String, Exchange), CodeError> {
        check_lifetime(lifetime_secs)?;
        let (shared, pake_message) = match &self.secret {
            AnsweredSecret::Open(secret) => (Zeroizing::new(secret.to_vec()), None),
            AnsweredSecret::Pake {
                password,
                inviter_message,
            } => {
                let (msg, key) = joiner_exchange(password, inviter_message, rng)?;
                (Zeroizing::new(key.to_vec()), Some(msg))
            }
        };
        let (code, keys) = Reply::build(
            self.invite.id,
            &self.invite.bytes,
            pake_message,
            &shared,
            ReplyContents {
                created_at: expiry(now, 0),
                expires_at: expiry(now, lifetime_secs),
                description: description.clone(),
            },
            rng,
        )?;
        Ok((
            code,
            Exchange::new(Role::Joiner, self.invite.id, keys, self.inviter_description),
        ))
    }
}
