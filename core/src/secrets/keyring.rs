//! The OS credential store on desktops, through the `keyring` crate's native stores:
//! the Secret Service over D-Bus on Linux and the BSDs (GNOME Keyring, KWallet,
//! KeePassXC), Keychain on macOS, the Credential Manager on Windows.
//!
//! Every entry has the service [`KEYRING_SERVICE`] and the user `<namespace>/<key>`.
//! The namespace is chosen by the shell per data directory (the CLI uses the data
//! directory's path), so two Tincan instances on one machine never read each other's
//! identity. Keys never contain `/`, so the pair is unambiguous.
//!
//! A headless machine usually has no such store, or one that cannot answer (no
//! session bus, a locked keyring with nobody to type the password). [`probe`] finds
//! that out up front with a real write, read and delete, bounded in time, so the shell
//! can fall back to the passphrase file and say so.
//!
//! [`probe`]: KeyringSecretStore::probe

use std::sync::mpsc;
use std::time::Duration;

use rand_core::RngCore;

use super::{invalid_key, is_valid_key, SecretStore, SecretStoreError};

/// The service name of every Tincan entry in the OS store.
pub const KEYRING_SERVICE: &str = "tincan";

/// How long [`KeyringSecretStore::probe`] waits for the OS store. A missing session
/// bus fails at once; this bounds the rarer cases where the store hangs (D-Bus
/// activation of a service that never starts, an unlock prompt nobody can see).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// Secrets in the OS credential store, under one namespace.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    namespace: String,
}

impl KeyringSecretStore {
    /// Checks that the OS store really works — writes, reads back and deletes a
    /// random probe entry in `namespace` — and returns a store for that namespace.
    ///
    /// Fails (never hangs longer than [`PROBE_TIMEOUT`]) when there is no store, it is
    /// locked, or it does not keep what it is given. If the store hangs, the probing
    /// thread is left behind (it cannot be cancelled); the caller falls back anyway.
    pub fn probe(namespace: &str) -> Result<Self, SecretStoreError> {
        if namespace.is_empty() {
            return Err(SecretStoreError(
                "the keyring namespace must not be empty".into(),
            ));
        }
        let store = Self {
            namespace: namespace.to_owned(),
        };
        let (tx, rx) = mpsc::channel();
        let probing = store.clone();
        std::thread::Builder::new()
            .name("keyring-probe".into())
            .spawn(move || {
                let _ = tx.send(probing.round_trip());
            })
            .map_err(|e| SecretStoreError(format!("cannot start the keyring probe: {e}")))?;
        match rx.recv_timeout(PROBE_TIMEOUT) {
            Ok(Ok(())) => Ok(store),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(SecretStoreError(format!(
                "the OS credential store did not answer within {} s",
                PROBE_TIMEOUT.as_secs()
            ))),
        }
    }

    /// The namespace this store's entries live under.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The OS store in words, for telling the person where their keys are.
    pub fn platform_store_name() -> &'static str {
        if cfg!(target_os = "macos") {
            "the macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "the Windows Credential Manager"
        } else {
            "the Secret Service (GNOME Keyring, KWallet or KeePassXC)"
        }
    }

    /// Write, read back, delete, check gone: the store works for real.
    fn round_trip(&self) -> Result<(), SecretStoreError> {
        let mut nonce = [0u8; 8];
        rand_core::OsRng.fill_bytes(&mut nonce);
        let key = format!("probe-{}", data_encoding::HEXLOWER.encode(&nonce));
        let mut value = [0u8; 16];
        rand_core::OsRng.fill_bytes(&mut value);
        self.put(&key, &value)?;
        let back = self.get(&key);
        // Clean up even when the read failed.
        let deleted = self.delete(&key);
        if back?.as_deref() != Some(&value[..]) {
            return Err(SecretStoreError(
                "the OS credential store did not give back what was written".into(),
            ));
        }
        deleted?;
        if self.get(&key)?.is_some() {
            return Err(SecretStoreError(
                "the OS credential store did not delete an entry".into(),
            ));
        }
        Ok(())
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretStoreError> {
        if !is_valid_key(key) {
            return Err(invalid_key(key));
        }
        keyring::Entry::new(KEYRING_SERVICE, &format!("{}/{key}", self.namespace)).map_err(failed)
    }
}

/// Describes a keyring error without any secret bytes it may carry.
fn failed(e: keyring::Error) -> SecretStoreError {
    use keyring::Error as E;
    let store = KeyringSecretStore::platform_store_name();
    SecretStoreError(match &e {
        E::BadEncoding(_) | E::BadDataFormat(..) => {
            format!("{store} returned a value that could not be decoded")
        }
        E::Ambiguous(found) => format!("{store} holds {} entries for one secret", found.len()),
        E::NoDefaultStore => match keyring::Entry::store_status() {
            Err(reason) => format!("{store} could not be reached: {reason}"),
            Ok(()) => format!("{store} could not be reached"),
        },
        other => format!("{store}: {other}"),
    })
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        match self.entry(key)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        self.entry(key)?.set_secret(value).map_err(failed)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}
