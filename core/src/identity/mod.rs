//! The device's long-term identity: an Ed25519 key pair, and the safety number two
//! people compare to know they hold each other's real keys.
//!
//! The first connection to someone is protected by the invite (a question, or a QR code
//! shown in person). After that, peers recognise each other by these keys, so a later
//! reconnection needs no question. The private key never leaves the platform's secret
//! store except to be used here; the public key is what contacts remember.
//!
//! A damaged stored key is an error, never silently replaced: a new key is a new
//! identity, and every contact would see a stranger (or, worse, stop trusting the
//! person). Replacing it is a deliberate act the person must choose.

mod error;
mod safety;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::secrets::SecretStore;

pub use error::IdentityError;
pub use safety::{
    compare_scanned, safety_number, safety_qr, safety_qr_payload, FINGERPRINT_DIGITS,
    SAFETY_NUMBER_DIGITS, SAFETY_QR_PREFIX,
};

/// The secret-store key under which the 32-byte Ed25519 secret is kept.
pub const IDENTITY_SECRET_KEY: &str = "identity-ed25519";

/// Length of an Ed25519 public key (and of its secret seed), in bytes.
pub const PUBLIC_KEY_LEN: usize = 32;

/// Length of an Ed25519 signature in bytes.
pub const SIGNATURE_LEN: usize = 64;

/// This device's long-term signing key.
#[derive(Clone)]
pub struct Identity {
    signing: SigningKey,
}

impl std::fmt::Debug for Identity {
    // Only the public half: the secret must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field(
                "public_key",
                &data_encoding::HEXLOWER.encode(&self.public_key()),
            )
            .finish()
    }
}

impl Identity {
    /// A fresh random identity (not stored anywhere; see [`Identity::load_or_create`]).
    pub fn generate() -> Self {
        Self {
            signing: SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    /// An identity from its 32-byte secret (the Ed25519 seed), for tests and for
    /// shells that restore a backup.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(secret),
        }
    }

    /// Loads the identity kept in `store` under [`IDENTITY_SECRET_KEY`], or makes and
    /// stores a new one when there is none. The flag says whether it was just created
    /// (the shell tells the person "a new identity was created for this device").
    ///
    /// A stored value that is not a 32-byte key is [`IdentityError::CorruptKey`] and is
    /// left untouched. A new key is read back after writing, so a store that loses
    /// writes is caught now rather than when contacts no longer recognise us.
    pub fn load_or_create(store: &dyn SecretStore) -> Result<(Identity, bool), IdentityError> {
        if let Some(stored) = store.get(IDENTITY_SECRET_KEY)? {
            let stored = Zeroizing::new(stored);
            let secret: Zeroizing<[u8; 32]> = Zeroizing::new(
                stored
                    .as_slice()
                    .try_into()
                    .map_err(|_| IdentityError::CorruptKey { len: stored.len() })?,
            );
            return Ok((Self::from_secret_bytes(&secret), false));
        }
        let identity = Self::generate();
        let secret = Zeroizing::new(identity.signing.to_bytes());
        store.put(IDENTITY_SECRET_KEY, secret.as_slice())?;
        match store.get(IDENTITY_SECRET_KEY)?.map(Zeroizing::new) {
            Some(back) if back.as_slice() == secret.as_slice() => Ok((identity, true)),
            _ => Err(IdentityError::NotKept),
        }
    }

    /// The public key contacts remember and verify signatures with.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.signing.verifying_key().to_bytes()
    }

    /// Signs `msg` (deterministic Ed25519, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.signing.sign(msg).to_bytes()
    }

    /// X25519 with this identity's key in its Montgomery form: what lets a contact
    /// seal something to our identity key alone (`intro/seal.rs`). The scalar is
    /// the one Ed25519 signs with, clamped as X25519 requires.
    pub(crate) fn agree(&self, their_point: &[u8; 32]) -> [u8; 32] {
        curve25519_dalek::montgomery::MontgomeryPoint(*their_point)
            .mul_clamped(self.signing.to_scalar_bytes())
            .to_bytes()
    }
}

/// An identity key's Montgomery (X25519) form, to seal to it. `None` for a key that
/// is not a curve point or has small order: whatever is sealed to such a key could be
/// read by anyone.
pub(crate) fn agreement_key(public: &[u8; PUBLIC_KEY_LEN]) -> Option<[u8; 32]> {
    let key = VerifyingKey::from_bytes(public).ok()?;
    if key.is_weak() {
        return None;
    }
    Some(key.to_montgomery().to_bytes())
}

/// Whether `sig` is `public`'s signature of `msg`.
///
/// Malformed input — a key that is not a curve point, a signature of the wrong length
/// or with a non-canonical scalar — is simply `false`, never a panic. Verification is
/// strict (RFC 8032 §5.1.7 plus rejection of small-order keys), so one message cannot
/// carry two different valid signatures from a weak key.
pub fn verify(public: &[u8; PUBLIC_KEY_LEN], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(sig) = <[u8; SIGNATURE_LEN]>::try_from(sig) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    key.verify_strict(msg, &Signature::from_bytes(&sig)).is_ok()
}

#[cfg(test)]
mod tests;
