//! The connection card: what each person accepting an introduction sends the other,
//! signed with their identity key and sealed to the other's, so the introducer who
//! carries it learns neither addresses nor keys.
//!
//! A card holds this side's session description (ICE credentials, DTLS fingerprint,
//! candidates: everything the other side needs to rebuild the session, as after a
//! restart, `node/route.rs`) and a random seed. Both seeds make the conversation's
//! session keys, so the key confirmation on the first connection proves each side
//! opened the other's card — someone who only forwarded them cannot.
//!
//! Signed bytes: `"tincan intro card v1\0" ‖ intro id (8) ‖ from key (32) ‖ to key (32)
//! ‖ expires_at (u64 BE) ‖ seed (32) ‖ compact description`; the signature (64) follows.

use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use super::seal::{open_signed, seal_signed};
use super::IntroError;
use crate::bytes::Reader;
use crate::compact;
use crate::identity::{self, Identity, PUBLIC_KEY_LEN};
use crate::protect::keys::{Role, SessionKeys};
use crate::sdp::{SessionDescription, SetupRole};

const MAGIC: &[u8] = b"tincan intro card v1\0";

/// Largest sealed card a peer may send (a description holds at most 16 candidates).
pub const MAX_SEALED_CARD_BYTES: usize = 1024;

/// One side's connection details for an introduced conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The introduction (and the conversation it makes).
    pub intro: [u8; 8],
    /// Who made it.
    pub from: [u8; PUBLIC_KEY_LEN],
    /// Who may open it.
    pub to: [u8; PUBLIC_KEY_LEN],
    /// Unix seconds: not used after this.
    pub expires_at: u64,
    /// This side's half of the conversation's secret.
    pub seed: [u8; 32],
    /// This side's session description.
    pub description: SessionDescription,
}

/// What binds a sealed card to its introduction.
fn aad(intro: &[u8; 8]) -> Vec<u8> {
    let mut aad = b"tincan intro v1\0".to_vec();
    aad.extend_from_slice(intro);
    aad
}

impl Card {
    fn body(&self) -> Result<Vec<u8>, IntroError> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.intro);
        out.extend_from_slice(&self.from);
        out.extend_from_slice(&self.to);
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend_from_slice(&self.seed);
        compact::write(&self.description, &mut out)
            .map_err(|e| IntroError::Malformed(e.to_string()))?;
        Ok(out)
    }

    /// Signs the card with `identity` (which must be `from`) and seals it to `to`.
    pub fn seal(
        &self,
        identity: &Identity,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, IntroError> {
        if identity.public_key() != self.from {
            return Err(IntroError::Malformed(
                "a card must be signed by the key it names".into(),
            ));
        }
        seal_signed(identity, &self.to, &aad(&self.intro), self.body()?, rng)
    }

    /// Opens a card sealed to `identity` for introduction `intro`, checks that
    /// `expected_from` (the key the introducer named) signed it and that it has not
    /// expired.
    pub fn open(
        sealed: &[u8],
        identity: &Identity,
        intro: &[u8; 8],
        expected_from: &[u8; PUBLIC_KEY_LEN],
        now: u64,
    ) -> Result<Card, IntroError> {
        let (body, sig) = open_signed(identity, &aad(intro), sealed, MAX_SEALED_CARD_BYTES)?;
        let card = parse(&body).map_err(|e| IntroError::Malformed(e.to_string()))?;
        if &card.intro != intro || card.to != identity.public_key() {
            return Err(IntroError::CannotOpen);
        }
        if &card.from != expected_from || !identity::verify(&card.from, &body, &sig) {
            return Err(IntroError::BadSignature);
        }
        if card.expires_at <= now {
            return Err(IntroError::Expired);
        }
        Ok(card)
    }
}

fn parse(body: &[u8]) -> Result<Card, crate::bytes::FormatError> {
    use crate::bytes::FormatError;
    let mut r = Reader::new(body);
    if r.take(MAGIC.len(), "card header")? != MAGIC {
        return Err(FormatError::Invalid("card header"));
    }
    let card = Card {
        intro: r.array("introduction id")?,
        from: r.array("sender key")?,
        to: r.array("recipient key")?,
        expires_at: r.u64("expiry")?,
        seed: r.array("seed")?,
        description: compact::read(&mut r)?,
    };
    r.finish()?;
    Ok(card)
}

/// Which role this side plays in an introduced conversation: the lower identity key
/// offers, the other answers, so both sides agree without asking anyone.
pub fn role(own: &[u8; PUBLIC_KEY_LEN], peer: &[u8; PUBLIC_KEY_LEN]) -> Role {
    if own < peer {
        Role::Inviter
    } else {
        Role::Joiner
    }
}

/// The `a=setup` a description states for `role` (an offer leaves it open; the
/// answerer starts DTLS, as webrtc answers do).
pub fn setup_for(role: Role) -> SetupRole {
    match role {
        Role::Inviter => SetupRole::Actpass,
        Role::Joiner => SetupRole::Active,
    }
}

/// The conversation's session keys from both cards, the same on both sides.
pub fn session_keys(inviter: &Card, joiner: &Card) -> Result<SessionKeys, IntroError> {
    let mut shared = zeroize::Zeroizing::new([0u8; 64]);
    shared[..32].copy_from_slice(&inviter.seed);
    shared[32..].copy_from_slice(&joiner.seed);
    let mut transcript = Sha256::new();
    transcript.update(inviter.body()?);
    transcript.update(joiner.body()?);
    Ok(SessionKeys::derive(
        shared.as_ref(),
        transcript.finalize().into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdp::{Candidate, CandidateAddress, CandidateKind, Transport};
    use rand_core::OsRng;

    pub(crate) fn description(port: u16) -> SessionDescription {
        SessionDescription {
            ice_ufrag: "abcdEFGH".into(),
            ice_pwd: crate::sdp::derived_ice_pwd("abcdEFGH", &[9u8; 32]),
            fingerprint: [9u8; 32],
            setup: SetupRole::Actpass,
            candidates: vec![Candidate {
                kind: CandidateKind::Host,
                transport: Transport::Udp,
                address: CandidateAddress::Ip([10, 0, 0, 2].into()),
                port,
            }],
            sctp_port: 5000,
            max_message_size: Some(65_536),
        }
    }

    fn card(from: &Identity, to: &Identity) -> Card {
        Card {
            intro: [1; 8],
            from: from.public_key(),
            to: to.public_key(),
            expires_at: 2_000,
            seed: [7; 32],
            description: description(4000),
        }
    }

    #[test]
    fn a_card_opens_for_its_recipient_from_the_named_sender() {
        let (ben, cleo) = (Identity::generate(), Identity::generate());
        let sent = card(&ben, &cleo);
        let sealed = sent.seal(&ben, &mut OsRng).unwrap();
        assert!(sealed.len() <= MAX_SEALED_CARD_BYTES);
        let opened = Card::open(&sealed, &cleo, &[1; 8], &ben.public_key(), 1_000).unwrap();
        assert_eq!(opened, sent);
    }

    #[test]
    fn the_introducer_cannot_open_swap_or_replay_a_card() {
        let (ana, ben, cleo) = (
            Identity::generate(),
            Identity::generate(),
            Identity::generate(),
        );
        let sealed = card(&ben, &cleo).seal(&ben, &mut OsRng).unwrap();
        // Ana carries it but cannot read it.
        assert!(matches!(
            Card::open(&sealed, &ana, &[1; 8], &ben.public_key(), 1_000),
            Err(IntroError::CannotOpen)
        ));
        // Not valid for another introduction.
        assert!(Card::open(&sealed, &cleo, &[2; 8], &ben.public_key(), 1_000).is_err());
        // Ana cannot pass off her own card as Ben's: Cleo expects Ben's key.
        let forged = card(&ana, &cleo).seal(&ana, &mut OsRng).unwrap();
        assert!(matches!(
            Card::open(&forged, &cleo, &[1; 8], &ben.public_key(), 1_000),
            Err(IntroError::BadSignature)
        ));
        // A card signed by someone other than the key it names.
        let mut lying = card(&ben, &cleo);
        lying.from = ana.public_key();
        assert!(lying.seal(&ben, &mut OsRng).is_err());
        // Expired.
        assert!(matches!(
            Card::open(&sealed, &cleo, &[1; 8], &ben.public_key(), 2_000),
            Err(IntroError::Expired)
        ));
        // Too big to be a card.
        let huge = vec![0u8; MAX_SEALED_CARD_BYTES + 1];
        assert!(Card::open(&huge, &cleo, &[1; 8], &ben.public_key(), 1_000).is_err());
    }

    #[test]
    fn both_sides_derive_the_same_keys_and_roles_are_opposite() {
        let (ben, cleo) = (Identity::generate(), Identity::generate());
        let (b, c) = (ben.public_key(), cleo.public_key());
        assert_ne!(role(&b, &c), role(&c, &b));
        let mut from_ben = card(&ben, &cleo);
        from_ben.seed = [1; 32];
        let mut from_cleo = card(&cleo, &ben);
        from_cleo.seed = [2; 32];
        let (inviter, joiner) = if role(&b, &c) == Role::Inviter {
            (&from_ben, &from_cleo)
        } else {
            (&from_cleo, &from_ben)
        };
        let one = session_keys(inviter, joiner).unwrap();
        let two = session_keys(inviter, joiner).unwrap();
        let fp = [5u8; 32];
        assert_eq!(
            one.confirm_tag(Role::Inviter, &fp, &fp),
            two.confirm_tag(Role::Inviter, &fp, &fp)
        );
        let swapped = session_keys(joiner, inviter).unwrap();
        assert_ne!(
            one.confirm_tag(Role::Inviter, &fp, &fp),
            swapped.confirm_tag(Role::Inviter, &fp, &fp)
        );
    }
}
