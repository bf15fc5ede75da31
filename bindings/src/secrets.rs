//! The secret store the platform provides, as a foreign trait.
//!
//! Android implements it over the Keystore, iOS over the Keychain; the node keeps
//! pending invites' keys and link certificates in it. [`MemorySecretStore`] is the
//! Rust implementation for tests and for sessions that must leave no trace.

use std::sync::Arc;

use tincan_core::secrets as core;

/// Why the platform's secret store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SecretStoreError {
    /// The store refused or failed; `reason` says how (never the secret itself).
    #[error("the secret store failed: {reason}")]
    Failed {
        /// What went wrong.
        reason: String,
    },
}

// A foreign implementation that throws something other than SecretStoreError (or
// crashes) still becomes an error here, never a panic.
impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreError::Failed { reason: e.reason }
    }
}

/// A key–value store for secrets, implemented by the app (Android Keystore, iOS
/// Keychain). Keys are short ASCII names; values are opaque bytes. Called from the
/// node's threads, never from the UI thread.
#[uniffi::export(rust, foreign)]
pub trait SecretStore: Send + Sync {
    /// Reads a secret; `null`/`nil` when there is none.
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SecretStoreError>;
    /// Writes or replaces a secret.
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), SecretStoreError>;
    /// Forgets a secret; forgetting a missing one is not an error.
    fn delete(&self, key: String) -> Result<(), SecretStoreError>;
}

/// Secrets in memory only: for tests, and for sessions that must leave no trace.
#[derive(Default, uniffi::Object)]
pub struct MemorySecretStore {
    inner: core::MemorySecretStore,
}

#[uniffi::export]
impl MemorySecretStore {
    /// An empty store.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
}

fn failed(e: core::SecretStoreError) -> SecretStoreError {
    SecretStoreError::Failed { reason: e.0 }
}

#[uniffi::export]
impl SecretStore for MemorySecretStore {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SecretStoreError> {
        core::SecretStore::get(&self.inner, &key).map_err(failed)
    }
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), SecretStoreError> {
        core::SecretStore::put(&self.inner, &key, &value).map_err(failed)
    }
    fn delete(&self, key: String) -> Result<(), SecretStoreError> {
        core::SecretStore::delete(&self.inner, &key).map_err(failed)
    }
}

/// The app's store seen through the core's trait.
pub(crate) struct Adapter(pub Arc<dyn SecretStore>);

fn to_core(e: SecretStoreError) -> core::SecretStoreError {
    match e {
        SecretStoreError::Failed { reason } => core::SecretStoreError(reason),
    }
}

impl core::SecretStore for Adapter {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, core::SecretStoreError> {
        self.0.get(key.to_owned()).map_err(to_core)
    }
    fn put(&self, key: &str, value: &[u8]) -> Result<(), core::SecretStoreError> {
        self.0.put(key.to_owned(), value.to_vec()).map_err(to_core)
    }
    fn delete(&self, key: &str) -> Result<(), core::SecretStoreError> {
        self.0.delete(key.to_owned()).map_err(to_core)
    }
}
