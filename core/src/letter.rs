//! A letter: one chat message signed by its author and sealed to its recipient's
//! identity key, so a mutual contact can hold it for a recipient who is offline and
//! hand it over later without reading it (issue #15, docs/NETWORK.md).
//!
//! Signed bytes: `"tincan letter v1\0" ‖ conversation id (8) ‖ from key (32) ‖ to key
//! (32) ‖ message id (1-byte length, bytes) ‖ sent_at (u64 BE) ‖ text`; the signature
//! (64) follows, and the whole is sealed with `intro::seal` (the message id is bound
//! as associated data).

use rand_core::CryptoRngCore;

use crate::bytes::{Reader, WriteExt};
use crate::identity::{self, Identity, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::intro::seal::{open_signed, seal_signed, OVERHEAD};
use crate::intro::IntroError;
use crate::wire::MAX_TEXT_BYTES;

const MAGIC: &[u8] = b"tincan letter v1\0";

/// Largest sealed letter: the longest text plus its header, signature and sealing.
pub const MAX_SEALED_LETTER_BYTES: usize =
    MAX_TEXT_BYTES + MAGIC.len() + 8 + 2 * PUBLIC_KEY_LEN + 65 + 8 + SIGNATURE_LEN + OVERHEAD;

/// One message in a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The conversation it belongs to (the recipient checks it is theirs with `from`).
    pub conversation: [u8; 8],
    /// The author.
    pub from: [u8; PUBLIC_KEY_LEN],
    /// The recipient.
    pub to: [u8; PUBLIC_KEY_LEN],
    /// The message id (as in the outbox: the recipient drops repeats by it).
    pub id: String,
    /// The author's clock, Unix milliseconds.
    pub sent_at: u64,
    /// The text.
    pub text: String,
}

fn aad(id: &str) -> Vec<u8> {
    let mut aad = MAGIC.to_vec();
    aad.extend_from_slice(id.as_bytes());
    aad
}

impl Letter {
    fn body(&self) -> Result<Vec<u8>, IntroError> {
        let mut out = Vec::with_capacity(self.text.len() + 200);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.conversation);
        out.extend_from_slice(&self.from);
        out.extend_from_slice(&self.to);
        out.put_short_bytes(self.id.as_bytes(), "message id")
            .map_err(|e| IntroError::Malformed(e.to_string()))?;
        out.extend_from_slice(&self.sent_at.to_be_bytes());
        out.extend_from_slice(self.text.as_bytes());
        Ok(out)
    }

    /// Signs with `identity` (which must be `from`) and seals to `to`.
    pub fn seal(
        &self,
        identity: &Identity,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, IntroError> {
        if identity.public_key() != self.from || self.text.len() > MAX_TEXT_BYTES {
            return Err(IntroError::Malformed(
                "not a letter this device may write".into(),
            ));
        }
        seal_signed(identity, &self.to, &aad(&self.id), self.body()?, rng)
    }

    /// Opens a letter sealed to `identity` with message id `id`, checking that
    /// `expected_from` wrote and signed it.
    pub fn open(
        sealed: &[u8],
        identity: &Identity,
        id: &str,
        expected_from: &[u8; PUBLIC_KEY_LEN],
    ) -> Result<Letter, IntroError> {
        let (body, sig) = open_signed(identity, &aad(id), sealed, MAX_SEALED_LETTER_BYTES)?;
        let letter = parse(&body).map_err(|e| IntroError::Malformed(e.to_string()))?;
        if letter.id != id || letter.to != identity.public_key() {
            return Err(IntroError::CannotOpen);
        }
        if &letter.from != expected_from || !identity::verify(&letter.from, &body, &sig) {
            return Err(IntroError::BadSignature);
        }
        Ok(letter)
    }
}

fn parse(body: &[u8]) -> Result<Letter, crate::bytes::FormatError> {
    use crate::bytes::FormatError;
    let mut r = Reader::new(body);
    if r.take(MAGIC.len(), "letter header")? != MAGIC {
        return Err(FormatError::Invalid("letter header"));
    }
    let conversation = r.array("conversation")?;
    let from = r.array("sender key")?;
    let to = r.array("recipient key")?;
    let id = r.short_str("message id")?.to_owned();
    let sent_at = r.u64("sent at")?;
    let text = std::str::from_utf8(r.rest())
        .map_err(|_| FormatError::Invalid("text"))?
        .to_owned();
    if text.len() > MAX_TEXT_BYTES || !crate::wire::valid_id(&id) {
        return Err(FormatError::Invalid("letter"));
    }
    Ok(Letter {
        conversation,
        from,
        to,
        id,
        sent_at,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    fn letter(from: &Identity, to: &Identity) -> Letter {
        Letter {
            conversation: [3; 8],
            from: from.public_key(),
            to: to.public_key(),
            id: "m1".into(),
            sent_at: 42,
            text: "see you at eight ✨".into(),
        }
    }

    #[test]
    fn only_the_recipient_reads_it_and_only_the_author_could_write_it() {
        let (ana, ben, cleo) = (
            Identity::generate(),
            Identity::generate(),
            Identity::generate(),
        );
        let sent = letter(&ben, &cleo);
        let sealed = sent.seal(&ben, &mut OsRng).unwrap();
        assert_eq!(
            Letter::open(&sealed, &cleo, "m1", &ben.public_key()).unwrap(),
            sent
        );
        // Ana holds it but cannot read it, nor pass off her own as Ben's.
        assert!(Letter::open(&sealed, &ana, "m1", &ben.public_key()).is_err());
        let forged = letter(&ana, &cleo).seal(&ana, &mut OsRng).unwrap();
        assert!(matches!(
            Letter::open(&forged, &cleo, "m1", &ben.public_key()),
            Err(IntroError::BadSignature)
        ));
        // Bound to its message id.
        assert!(Letter::open(&sealed, &cleo, "m2", &ben.public_key()).is_err());
        // The longest text fits the limit.
        let mut long = letter(&ben, &cleo);
        long.text = "x".repeat(MAX_TEXT_BYTES);
        let sealed = long.seal(&ben, &mut OsRng).unwrap();
        assert!(sealed.len() <= MAX_SEALED_LETTER_BYTES);
    }
}
