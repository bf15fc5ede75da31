//! What can go wrong with the identity key and with safety numbers, in words a person
//! can act on. Messages never contain a key.

use thiserror::Error;

use crate::secrets::SecretStoreError;

/// The identity could not be loaded, or a safety number could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The secret store could not be read or written.
    #[error("the identity key could not be read or saved: {0}")]
    Store(#[from] SecretStoreError),
    /// The stored identity key is not a key. It was left as it is.
    #[error(
        "the stored identity key is damaged ({len} bytes where 32 were expected). It was left \
         untouched: a new key would be a new identity that your contacts do not know. Restore \
         the secret store from a backup, or delete its entry \"identity-ed25519\" on purpose \
         to start over with a new identity"
    )]
    CorruptKey {
        /// How many bytes were stored.
        len: usize,
    },
    /// The store accepted a new key but did not give the same key back.
    #[error(
        "the secret store accepted the new identity key but did not give it back; it cannot \
         keep this device's identity (try another secret store)"
    )]
    NotKept,
    /// A scanned or pasted text is not a safety number this version understands.
    #[error("this is not a Tincan safety number: {reason}")]
    BadSafetyPayload {
        /// What is wrong with it, in words.
        reason: String,
    },
    /// The safety number could not be drawn as a QR code.
    #[error("the safety number could not be drawn as a QR code: {reason}")]
    Qr {
        /// Why, from the QR renderer.
        reason: String,
    },
}
