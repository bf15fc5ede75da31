//! Where the node keeps secrets: a store the platform provides.
//!
//! Phones supply their own (Android Keystore-backed, iOS Keychain) through the
//! bindings; tests use [`MemorySecretStore`]. [`FileSecretStore`] is the explicit,
//! documented fallback for machines without an OS credential store: a file in the data
//! directory readable only by its owner. Shells say when they use it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use thiserror::Error;

/// Why a secret could not be read or written.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("the secret store failed: {0}")]
pub struct SecretStoreError(pub String);

/// A key–value store for secrets (pending invites' keys, link certificates).
pub trait SecretStore: Send + Sync {
    /// Reads a secret.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError>;
    /// Writes (or replaces) a secret.
    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError>;
    /// Forgets a secret; forgetting a missing one is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Secrets in memory only: for tests, and for sessions that must leave no trace.
#[derive(Default)]
pub struct MemorySecretStore {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySecretStore {
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

/// Fallback for machines with no OS credential store: one file per secret under a
/// directory with owner-only permissions. Not encrypted — anyone who can read the
/// user's files can read it — which is why shells must say when it is in use.
pub struct FileSecretStore {
    dir: PathBuf,
}

impl FileSecretStore {
    /// Uses (creating) `dir`, restricted to the owner.
    pub fn open(dir: &Path) -> Result<Self, SecretStoreError> {
        std::fs::create_dir_all(dir).map_err(|e| SecretStoreError(e.to_string()))?;
        restrict(dir, 0o700)?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// Where the secrets live, to tell the person.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> Result<PathBuf, SecretStoreError> {
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(SecretStoreError(format!("invalid secret name {key:?}")));
        }
        Ok(self.dir.join(key))
    }
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), SecretStoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| SecretStoreError(e.to_string()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), SecretStoreError> {
    Ok(())
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        match std::fs::read(self.path(key)?) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretStoreError(e.to_string())),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        let path = self.path(key)?;
        // Write then rename, so a crash never leaves half a secret.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, value).map_err(|e| SecretStoreError(e.to_string()))?;
        restrict(&tmp, 0o600)?;
        std::fs::rename(&tmp, &path).map_err(|e| SecretStoreError(e.to_string()))
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match std::fs::remove_file(self.path(key)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(SecretStoreError(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn SecretStore) {
        assert_eq!(store.get("a").unwrap(), None);
        store.put("a", b"one").unwrap();
        store.put("a", b"two").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some(&b"two"[..]));
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert_eq!(store.get("a").unwrap(), None);
    }

    #[test]
    fn memory_and_file_stores_behave_alike() {
        exercise(&MemorySecretStore::default());
        let dir = tempfile::tempdir().unwrap();
        let files = FileSecretStore::open(&dir.path().join("secrets")).unwrap();
        exercise(&files);
        assert!(files.put("../escape", b"x").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            files.put("b", b"x").unwrap();
            let mode = std::fs::metadata(files.dir().join("b"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
