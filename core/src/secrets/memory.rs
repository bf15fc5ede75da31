//! Secrets in memory only: for tests, and for sessions that must leave no trace.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{SecretStore, SecretStoreError};

/// Secrets in memory only; gone when the value is dropped.
#[derive(Default)]
pub struct MemorySecretStore {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySecretStore {
    /// The names of every secret held: tests check what a device kept.
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        Ok(self.lock().get(key).cloned())
    }
    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        self.lock().insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.lock().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn behaves_like_every_store() {
        super::super::tests::exercise(&super::MemorySecretStore::default());
    }
}
