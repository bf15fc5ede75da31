//! Where the node keeps secrets: the identity key, pending invites' keys, link
//! certificates.
//!
//! Secrets belong in the platform's credential store, so they are protected the way
//! the person's other passwords are:
//!
//! * [`KeyringSecretStore`] — the OS store on desktops, through the `keyring` crate
//!   (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
//! * Phones supply their own (Android Keystore-backed, iOS Keychain) through the
//!   bindings, as an implementation of [`SecretStore`].
//! * [`PassphraseFileStore`] — the explicit fallback where there is no OS store (a
//!   headless server): one file in the data directory, encrypted under a passphrase
//!   the person chooses. Shells say when they use it.
//! * [`MemorySecretStore`] — tests, and sessions that must leave no trace.
//!
//! There is deliberately no plaintext file store: secrets left by releases that had
//! one are moved into the chosen store and the plaintext deleted
//! ([`import_plaintext_dir`]).

mod keyring;
mod legacy;
mod memory;
mod passphrase_file;

use thiserror::Error;

pub use self::keyring::{KeyringSecretStore, KEYRING_SERVICE, PROBE_TIMEOUT};
pub use legacy::{import_plaintext_dir, LEGACY_DIR_NAME};
pub use memory::MemorySecretStore;
pub use passphrase_file::{PassphraseFileError, PassphraseFileStore, FILE_NAME};

/// Why a secret could not be read or written.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("the secret store failed: {0}")]
pub struct SecretStoreError(pub String);

/// A key–value store for secrets (the identity key, pending invites' keys, link
/// certificates). Keys are short ASCII names (`identity-ed25519`, `invite-…`).
pub trait SecretStore: Send + Sync {
    /// Reads a secret.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError>;
    /// Writes (or replaces) a secret.
    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError>;
    /// Forgets a secret; forgetting a missing one is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Whether `key` is a name every store can hold: 1–128 ASCII letters, digits, `-`
/// and `_`. Keyring entries and the legacy file names rely on it (no `/`, no `..`).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 128
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// The error for a key that fails [`is_valid_key`].
fn invalid_key(key: &str) -> SecretStoreError {
    let shown: String = key.chars().take(40).collect();
    SecretStoreError(format!(
        "invalid secret name {shown:?} (letters, digits, - and _ only)"
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The behaviour every store shares; run against each implementation.
    pub(crate) fn exercise(store: &dyn SecretStore) {
        assert_eq!(store.get("a").unwrap(), None);
        store.put("a", b"one").unwrap();
        store.put("a", b"two").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some(&b"two"[..]));
        store.put("b", &[0, 255, 1, 254]).unwrap();
        assert_eq!(
            store.get("b").unwrap().as_deref(),
            Some(&[0, 255, 1, 254][..])
        );
        store.put("empty", b"").unwrap();
        assert_eq!(store.get("empty").unwrap().as_deref(), Some(&b""[..]));
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert_eq!(store.get("a").unwrap(), None);
        assert_eq!(
            store.get("b").unwrap().as_deref(),
            Some(&[0, 255, 1, 254][..])
        );
        store.delete("b").unwrap();
        store.delete("empty").unwrap();
    }

    #[test]
    fn key_names_are_checked() {
        assert!(is_valid_key("identity-ed25519"));
        assert!(is_valid_key("invite-AB_12"));
        for bad in ["", "../escape", "a/b", "a b", "ключ", &"x".repeat(129)] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
        assert!(invalid_key(&"y".repeat(500)).0.len() < 120);
    }
}
