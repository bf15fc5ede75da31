//! Secrets left in plaintext by earlier releases, which kept one owner-only file per
//! secret under `<data dir>/secrets/`. They are moved into the chosen store and the
//! plaintext deleted, so no secret stays on disk unencrypted after an upgrade.

use std::path::Path;

use super::{is_valid_key, SecretStore, SecretStoreError};

/// The directory name earlier releases used inside the data directory.
pub const LEGACY_DIR_NAME: &str = "secrets";

/// Moves every secret found in the plaintext directory `dir` into `store`, deleting
/// each file once the store has given the value back, then the directory if it is
/// empty. Returns how many secrets were moved; a missing directory moves none.
///
/// A secret the store already holds with a *different* value is left in its file
/// (nothing is overwritten either way); the error lists such names so a person can
/// decide.
pub fn import_plaintext_dir(
    dir: &Path,
    store: &dyn SecretStore,
) -> Result<usize, SecretStoreError> {
    let fail =
        |what: &str, e: std::io::Error| SecretStoreError(format!("{what} {}: {e}", dir.display()));
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(fail("cannot list the old secrets directory", e)),
    };
    let mut moved = 0;
    let mut conflicts = Vec::new();
    for item in listing {
        let item = item.map_err(|e| fail("cannot list the old secrets directory", e))?;
        let path = item.path();
        let Some(key) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !is_valid_key(key) || !path.is_file() {
            // Temporary files of an interrupted write, or something that is not ours.
            if key.ends_with(".tmp") {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        }
        let value = zeroize::Zeroizing::new(
            std::fs::read(&path).map_err(|e| fail("cannot read a secret in", e))?,
        );
        match store.get(key)? {
            Some(existing) if existing != *value => {
                conflicts.push(key.to_owned());
                continue;
            }
            Some(_) => {}
            None => store.put(key, &value)?,
        }
        if store.get(key)?.as_deref() != Some(value.as_slice()) {
            return Err(SecretStoreError(format!(
                "the secret store did not keep {key:?}; its plaintext copy in {} was kept",
                dir.display()
            )));
        }
        std::fs::remove_file(&path).map_err(|e| fail("cannot delete a moved secret in", e))?;
        moved += 1;
    }
    if !conflicts.is_empty() {
        return Err(SecretStoreError(format!(
            "{} old plaintext secret(s) in {} differ from the ones in the secret store and were \
             left in place: {}",
            conflicts.len(),
            dir.display(),
            conflicts.join(", ")
        )));
    }
    // Only succeeds when empty; something foreign in it keeps it.
    let _ = std::fs::remove_dir(dir);
    Ok(moved)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::secrets::MemorySecretStore;

    #[test]
    fn plaintext_secrets_move_into_the_store_and_disappear() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join(LEGACY_DIR_NAME);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("invite-abc"), b"pending invite").unwrap();
        std::fs::write(dir.join("identity-ed25519"), [9u8; 32]).unwrap();
        std::fs::write(dir.join("invite-abc.tmp"), b"half").unwrap();
        let store = MemorySecretStore::default();
        assert_eq!(import_plaintext_dir(&dir, &store).unwrap(), 2);
        assert_eq!(
            store.get("invite-abc").unwrap().as_deref(),
            Some(&b"pending invite"[..])
        );
        assert_eq!(
            store.get("identity-ed25519").unwrap().as_deref(),
            Some(&[9u8; 32][..])
        );
        assert!(!dir.exists(), "the plaintext directory is gone");
        // Nothing left to do the second time.
        assert_eq!(import_plaintext_dir(&dir, &store).unwrap(), 0);
    }

    #[test]
    fn a_conflicting_secret_is_left_in_place_and_reported() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join(LEGACY_DIR_NAME);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("identity-ed25519"), [1u8; 32]).unwrap();
        std::fs::write(dir.join("same"), b"x").unwrap();
        let store = MemorySecretStore::default();
        store.put("identity-ed25519", &[2u8; 32]).unwrap();
        store.put("same", b"x").unwrap();
        let err = import_plaintext_dir(&dir, &store).unwrap_err();
        assert!(err.0.contains("identity-ed25519"), "{err}");
        assert_eq!(
            store.get("identity-ed25519").unwrap().as_deref(),
            Some(&[2u8; 32][..])
        );
        assert!(dir.join("identity-ed25519").exists());
        assert!(!dir.join("same").exists(), "an identical copy is removed");
    }
}
