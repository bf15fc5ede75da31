//! Sealing bytes to a contact's identity key, so that whoever carries them (the
//! introducer, a relay) learns nothing but their size.
//!
//! An ephemeral X25519 key agrees with the recipient's identity key in its Montgomery
//! form; HKDF-SHA256 turns the shared secret (bound to both public keys) into an
//! XChaCha20-Poly1305 key. Layout: `ephemeral public (32) ‖ nonce (24) ‖ ciphertext`.
//! Only the recipient's identity secret opens it; the sender is not authenticated
//! here — what is sealed carries its own signature (`card.rs`).

use curve25519_dalek::montgomery::MontgomeryPoint;
use hkdf::Hkdf;
use rand_core::CryptoRngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::IntroError;
use crate::identity::{self, Identity, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::protect::seal::{self, NONCE_LEN, TAG_LEN};

/// Bytes sealing adds to what is sealed.
pub const OVERHEAD: usize = 32 + NONCE_LEN + TAG_LEN;

const INFO: &[u8] = b"tincan/v1 sealed to an identity key";

/// Seals `plaintext` so that only the holder of `recipient`'s identity key opens it;
/// `aad` is bound in (the context it belongs to) but not hidden.
pub fn seal_to(
    recipient: &[u8; PUBLIC_KEY_LEN],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, IntroError> {
    let their_point = identity::agreement_key(recipient).ok_or(IntroError::WeakKey)?;
    let mut ephemeral = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(ephemeral.as_mut());
    let ephemeral_public = MontgomeryPoint::mul_base_clamped(*ephemeral).to_bytes();
    let shared = Zeroizing::new(
        MontgomeryPoint(their_point)
            .mul_clamped(*ephemeral)
            .to_bytes(),
    );
    let key = derive(&shared, &ephemeral_public, recipient)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let mut out = Vec::with_capacity(plaintext.len() + OVERHEAD);
    out.extend_from_slice(&ephemeral_public);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&seal::seal(&key, &nonce, aad, plaintext));
    Ok(out)
}

/// Opens what was sealed to `identity` with the same `aad`.
pub fn open_with(identity: &Identity, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, IntroError> {
    if sealed.len() < OVERHEAD {
        return Err(IntroError::CannotOpen);
    }
    let (ephemeral_public, rest) = sealed.split_at(32);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let ephemeral_public: [u8; 32] = ephemeral_public
        .try_into()
        .map_err(|_| IntroError::CannotOpen)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| IntroError::CannotOpen)?;
    let shared = Zeroizing::new(identity.agree(&ephemeral_public));
    let key = derive(&shared, &ephemeral_public, &identity.public_key())?;
    seal::open(&key, &nonce, aad, ciphertext).ok_or(IntroError::CannotOpen)
}

/// Signs `body` with `by` and seals `body ‖ signature` to `to`: what a card or a letter
/// is (the body names its author; the receiver checks the signature against it).
pub fn seal_signed(
    by: &Identity,
    to: &[u8; PUBLIC_KEY_LEN],
    aad: &[u8],
    mut body: Vec<u8>,
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, IntroError> {
    let sig = by.sign(&body);
    body.extend_from_slice(&sig);
    seal_to(to, aad, &body, rng)
}

/// Opens what [`seal_signed`] made (refusing more than `max` sealed bytes): the body and
/// the signature, which the caller checks against the key the body names.
pub fn open_signed(
    me: &Identity,
    aad: &[u8],
    sealed: &[u8],
    max: usize,
) -> Result<(Vec<u8>, [u8; SIGNATURE_LEN]), IntroError> {
    if sealed.len() > max {
        return Err(IntroError::Malformed("too large".into()));
    }
    let mut plain = open_with(me, aad, sealed)?;
    if plain.len() < SIGNATURE_LEN {
        return Err(IntroError::Malformed("truncated".into()));
    }
    let sig: [u8; SIGNATURE_LEN] = plain[plain.len() - SIGNATURE_LEN..]
        .try_into()
        .map_err(|_| IntroError::Malformed("truncated".into()))?;
    plain.truncate(plain.len() - SIGNATURE_LEN);
    Ok((plain, sig))
}

/// The AEAD key for one sealed box. An all-zero shared secret (a small-order
/// ephemeral key from a malicious sender) is refused rather than used.
fn derive(
    shared: &[u8; 32],
    ephemeral_public: &[u8; 32],
    recipient: &[u8; PUBLIC_KEY_LEN],
) -> Result<Zeroizing<[u8; 32]>, IntroError> {
    if shared.iter().all(|b| *b == 0) {
        return Err(IntroError::CannotOpen);
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral_public);
    salt[32..].copy_from_slice(recipient);
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(INFO, key.as_mut())
        .map_err(|_| IntroError::CannotOpen)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn only_the_recipient_opens_and_nothing_can_be_changed() {
        let cleo = Identity::generate();
        let ana = Identity::generate();
        let sealed = seal_to(&cleo.public_key(), b"ctx", b"ben's details", &mut OsRng).unwrap();
        assert_eq!(sealed.len(), b"ben's details".len() + OVERHEAD);
        assert_eq!(open_with(&cleo, b"ctx", &sealed).unwrap(), b"ben's details");
        assert!(matches!(
            open_with(&ana, b"ctx", &sealed),
            Err(IntroError::CannotOpen)
        ));
        assert!(open_with(&cleo, b"other", &sealed).is_err());
        for i in [0, 40, sealed.len() - 1] {
            let mut flipped = sealed.clone();
            flipped[i] ^= 1;
            assert!(open_with(&cleo, b"ctx", &flipped).is_err(), "byte {i}");
        }
        assert!(open_with(&cleo, b"ctx", &sealed[..OVERHEAD - 1]).is_err());
    }

    #[test]
    fn a_weak_or_malformed_recipient_key_is_refused() {
        // The identity point (small order) and a non-point.
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        assert!(matches!(
            seal_to(&identity_point, b"", b"x", &mut OsRng),
            Err(IntroError::WeakKey)
        ));
        // About half of all 32-byte strings are not curve points; find one.
        let not_a_point = (2u8..=255)
            .map(|i| {
                let mut k = [0u8; 32];
                k[0] = i;
                k
            })
            .find(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_err())
            .unwrap();
        assert!(matches!(
            seal_to(&not_a_point, b"", b"x", &mut OsRng),
            Err(IntroError::WeakKey)
        ));
    }

    #[test]
    fn a_small_order_ephemeral_key_is_refused() {
        let cleo = Identity::generate();
        let mut forged = vec![0u8; OVERHEAD + 4];
        // The all-zero Montgomery point gives an all-zero shared secret.
        forged[..32].copy_from_slice(&[0u8; 32]);
        assert!(matches!(
            open_with(&cleo, b"", &forged),
            Err(IntroError::CannotOpen)
        ));
    }
}
